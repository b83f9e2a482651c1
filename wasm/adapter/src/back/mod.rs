//! What the guest's front needs of the host, for the two hosts of today: G5
//! (`@0.2.0-draft`, `g5.rs`) and G6 (`@0.2.0-draft2`, `g6.rs`). Each back file gives the
//! same functions over its own generation: `list_page` (u64 vs string cursor), `increment`
//! (u64 vs s64) and `compare_and_swap` (none in G5, the `cas` resource in G6). Everything
//! else a front does speaks `kv::store` directly, which is the same in both.
//!
//! The G5 and G6 fronts carry G5/G6 error variants through unchanged, so they use only
//! `kv` and `list_page` here; the trace-text helpers are for the legacy fronts.
#![cfg_attr(not(legacy_front), allow(dead_code))]

use alloc::string::String;
use alloc::vec::Vec;

use kv_adapt_convert::atomic::Decision;
use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::paging::{self, Next};
use kv_adapt_convert::trace;

use crate::kv;

#[cfg(feature = "back-g5")]
mod g5;
#[cfg(feature = "back-g5")]
pub use g5::*;
#[cfg(feature = "back-g6")]
mod g6;
#[cfg(feature = "back-g6")]
pub use g6::*;

/// Why `all_keys` stopped before the last page.
pub enum Stop {
    // G2's `get-keys` has no error channel, so only G3/G4 read the error.
    #[cfg_attr(feature = "front-g2", allow(dead_code))]
    Host(kv::store::Error),
    /// The host handed back the cursor it was sent (see `paging`).
    Repeated,
}

/// Appends every key of `bucket` to `keys`, paging through `list-keys`. On a `Stop` the
/// keys gathered so far are in `keys`.
pub fn all_keys(bucket: &kv::store::Bucket, keys: &mut Vec<String>) -> Result<(), Stop> {
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = list_page(bucket, cursor.as_ref()).map_err(Stop::Host)?;
        if keys.is_empty() {
            *keys = page.keys;
        } else {
            keys.extend(page.keys);
        }
        match paging::next(cursor.as_ref(), page.cursor) {
            Next::Fetch(c) => cursor = Some(c),
            Next::Done => return Ok(()),
            Next::Stuck => return Err(Stop::Repeated),
        }
    }
}

/// What `compare-and-swap` did; a missing key is an error in G2 and `false` in G3/G4, so
/// the front decides.
pub enum Swap {
    Swapped,
    Differs,
    Missing,
}

/// The bytes to write for `compare-and-swap`, or what to answer instead.
fn bytes_to_swap(
    d: Decision,
    enc: Encoding,
    name: &str,
    key: &str,
) -> Result<Result<Vec<u8>, Swap>, String> {
    match d {
        Decision::Missing => Ok(Err(Swap::Missing)),
        Decision::NotACounter(why) => Err(trace::not_a_counter(key, name, enc, why)),
        Decision::Differs(_) => Ok(Err(Swap::Differs)),
        Decision::Swap(bytes) => Ok(Ok(bytes)),
    }
}
