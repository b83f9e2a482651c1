//! The few places where the two host generations differ, chosen by the `g5`/`g6` feature,
//! shared by every front: the `list-keys` cursor (u64 vs string), `increment` (u64 vs
//! s64) and compare-and-swap (none in G5, the `cas` resource in G6). Everything else
//! speaks `kv::store` directly.
//!
//! Lossy: G6 counters are signed 64-bit, so a delta above `i64::MAX` or a negative
//! result is refused with a `bad-value` error. G5 has no compare-and-swap: it is done as
//! get, decode, compare, set, which is NOT atomic; a concurrent writer between the get
//! and the set can be overwritten.

use alloc::string::String;
use alloc::vec::Vec;

use kv_adapt_convert::atomic::{self, Decision};
use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::paging::{self, Next};
use kv_adapt_convert::trace;

use crate::{kv, store_error};

#[cfg(feature = "g5")]
type Cursor = u64;
#[cfg(feature = "g6")]
type Cursor = String;

/// One page of keys starting at `cursor` (`None` for the first page).
fn list_page(
    bucket: &kv::store::Bucket,
    cursor: Option<&Cursor>,
) -> Result<kv::store::KeyResponse, kv::store::Error> {
    #[cfg(feature = "g5")]
    let cursor = cursor.copied();
    #[cfg(feature = "g6")]
    let cursor = cursor.map(String::as_str);
    bucket.list_keys(cursor)
}

/// Why `all_keys` stopped before the last page.
pub enum Stop {
    // G2's `get-keys` has no error channel, so only G3/G4 read the error.
    #[cfg_attr(feature = "g2", allow(dead_code))]
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

#[cfg(feature = "g5")]
pub fn increment(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    delta: u64,
) -> Result<u64, String> {
    kv::atomics::increment(bucket, key, delta).map_err(|e| store_error(e, name))
}

#[cfg(feature = "g6")]
pub fn increment(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    delta: u64,
) -> Result<u64, String> {
    let Some(delta) = atomic::delta_to_signed(delta) else {
        return Err(trace::delta_too_large(key, name, delta));
    };
    let value = kv::atomics::increment(bucket, key, delta).map_err(|e| store_error(e, name))?;
    atomic::counter_from_signed(value).ok_or_else(|| trace::negative_counter(key, name))
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

// Not atomic (see the header): G5 offers nothing to make it so.
#[cfg(feature = "g5")]
pub fn compare_and_swap(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    old: u64,
    new: u64,
    enc: Encoding,
) -> Result<Swap, String> {
    let current = bucket.get(key).map_err(|e| store_error(e, name))?;
    let d = atomic::decide(enc, current.as_deref(), old, new);
    let bytes = match bytes_to_swap(d, enc, name, key)? {
        Ok(bytes) => bytes,
        Err(answer) => return Ok(answer),
    };
    bucket.set(key, &bytes).map_err(|e| store_error(e, name))?;
    Ok(Swap::Swapped)
}

#[cfg(feature = "g6")]
pub fn compare_and_swap(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    old: u64,
    new: u64,
    enc: Encoding,
) -> Result<Swap, String> {
    use kv::atomics::{Cas, CasError};
    let mut cas = Cas::new(bucket, key).map_err(|e| store_error(e, name))?;
    // Someone else writing between `current` and `swap` hands the cas back; decide again
    // on what they wrote.
    loop {
        let current = cas.current().map_err(|e| store_error(e, name))?;
        let d = atomic::decide(enc, current.as_deref(), old, new);
        let bytes = match bytes_to_swap(d, enc, name, key)? {
            Ok(bytes) => bytes,
            Err(answer) => return Ok(answer),
        };
        match kv::atomics::swap(cas, &bytes) {
            Ok(()) => return Ok(Swap::Swapped),
            Err(CasError::CasFailed(again)) => cas = again,
            Err(CasError::StoreError(e)) => return Err(store_error(e, name)),
        }
    }
}
