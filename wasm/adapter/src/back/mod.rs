//! What the host offers, one file per generation: G2 (late 2023, `g2.rs`), G5 (`@0.2.0-draft`, `g5.rs`), G6
//! (`@0.2.0-draft2`, `g6.rs`), and the early-2024 eventual shape, G3 (`@0.1.0`) or G4
//! (`@0.2.0-draft`), in `eventual.rs`.
//!
//! Every back gives the calls of today's shape, for the G5/G6 fronts: `open`, `get`, `set`,
//! `delete`, `exists`, `page` (with its own `Cursor`), `add` (with its own `Counter`,
//! u64 or s64), `get_many`, `set_many`, `delete_many`, failing with one [`Failure`]. The
//! G5/G6 backs also give the legacy fronts `list_page`, `increment` and
//! `compare_and_swap` with trace texts; those fronts otherwise speak `kv::store` directly.
// Each front uses its own part of what a back gives: the legacy fronts the trace-text
// helpers, the G5/G6 fronts the calls of today's shape.
#![allow(dead_code)]

use alloc::string::String;
use alloc::vec::Vec;

#[cfg(legacy_front)]
use kv_adapt_convert::atomic::Decision;
#[cfg(legacy_front)]
use kv_adapt_convert::counter::Encoding;
#[cfg(legacy_front)]
use kv_adapt_convert::paging::{self, Next};
#[cfg(legacy_front)]
use kv_adapt_convert::trace;

#[cfg(legacy_front)]
use crate::kv;

#[cfg(feature = "back-g2")]
mod g2;
#[cfg(feature = "back-g2")]
pub use g2::*;
#[cfg(any(feature = "back-g3", feature = "back-g4"))]
mod eventual;
#[cfg(any(feature = "back-g3", feature = "back-g4"))]
pub use eventual::*;
#[cfg(feature = "back-g5")]
mod g5;
#[cfg(feature = "back-g5")]
pub use g5::*;
#[cfg(feature = "back-g6")]
mod g6;
#[cfg(feature = "back-g6")]
pub use g6::*;
#[cfg(any(feature = "back-g5", feature = "back-g6"))]
mod today;
#[cfg(any(feature = "back-g5", feature = "back-g6"))]
pub use today::*;

/// A host failure, as today's `error` variant has it; a legacy host's error resource
/// becomes `Other` with its trace.
pub enum Failure {
    NoSuchStore,
    AccessDenied,
    Other(String),
}

/// One `list-keys` page.
pub struct Page {
    pub keys: Vec<String>,
    pub cursor: Option<Cursor>,
}

/// Every key of `bucket` in one list, page after page of the host's `list-keys` (Spin's
/// `get-keys`, which answers in one list); a failure on any page fails the whole call.
#[cfg(any(feature = "front-spin1", feature = "front-spin2"))]
pub fn every_key(bucket: &HostBucket) -> Result<Vec<String>, Failure> {
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = page(bucket, cursor.as_ref())?;
        keys.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(keys),
        }
    }
}

/// Why `all_keys` stopped before the last page.
#[cfg(legacy_front)]
pub enum Stop {
    // G2's `get-keys` has no error channel, so only G3/G4 read the error.
    #[cfg_attr(feature = "front-g2", allow(dead_code))]
    Host(kv::store::Error),
    /// The host handed back the cursor it was sent (see `paging`).
    Repeated,
}

#[cfg(legacy_front)]
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

#[cfg(legacy_front)]
/// What `compare-and-swap` did; a missing key is an error in G2 and `false` in G3/G4, so
/// the front decides.
pub enum Swap {
    Swapped,
    Differs,
    Missing,
}

#[cfg(legacy_front)]
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
