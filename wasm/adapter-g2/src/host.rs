//! The few places where the two host generations differ, chosen by the `g5`/`g6` feature:
//! the `list-keys` cursor (u64 vs string), `increment` (u64 vs s64) and compare-and-swap
//! (none in G5, the `cas` resource in G6). Everything else speaks `kv::store` directly.
//!
//! Lossy: G6 counters are signed 64-bit, so a delta above `i64::MAX` or a negative
//! result is refused with a `bad-value` error. G5 has no compare-and-swap: it is done as
//! get, decode, compare, set, which is NOT atomic; a concurrent writer between the get
//! and the set can be overwritten.

use alloc::string::String;
use alloc::vec::Vec;

use kv_adapt_convert::atomic::{self, Decision};
use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::trace;

use crate::{kv, store_error};

#[cfg(feature = "g5")]
pub type Cursor = u64;
#[cfg(feature = "g6")]
pub type Cursor = String;

/// One page of keys starting at `cursor` (`None` for the first page).
pub fn list_page(
    bucket: &kv::store::Bucket,
    cursor: Option<&Cursor>,
) -> Result<kv::store::KeyResponse, kv::store::Error> {
    #[cfg(feature = "g5")]
    let cursor = cursor.copied();
    #[cfg(feature = "g6")]
    let cursor = cursor.map(String::as_str);
    bucket.list_keys(cursor)
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

/// The bytes to write for `compare-and-swap`, `None` when the counter holds another
/// value (answer `false`), or the error to raise.
fn bytes_to_swap(
    d: Decision,
    enc: Encoding,
    name: &str,
    key: &str,
) -> Result<Option<Vec<u8>>, String> {
    match d {
        Decision::Missing => Err(trace::not_found(key, name)),
        Decision::NotACounter(why) => Err(trace::not_a_counter(key, name, enc, why)),
        Decision::Differs(_) => Ok(None),
        Decision::Swap(bytes) => Ok(Some(bytes)),
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
) -> Result<bool, String> {
    let current = bucket.get(key).map_err(|e| store_error(e, name))?;
    let d = atomic::decide(enc, current.as_deref(), old, new);
    let Some(bytes) = bytes_to_swap(d, enc, name, key)? else {
        return Ok(false);
    };
    bucket.set(key, &bytes).map_err(|e| store_error(e, name))?;
    Ok(true)
}

#[cfg(feature = "g6")]
pub fn compare_and_swap(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    old: u64,
    new: u64,
    enc: Encoding,
) -> Result<bool, String> {
    use kv::atomics::{Cas, CasError};
    let mut cas = Cas::new(bucket, key).map_err(|e| store_error(e, name))?;
    // Someone else writing between `current` and `swap` hands the cas back; decide again
    // on what they wrote.
    loop {
        let current = cas.current().map_err(|e| store_error(e, name))?;
        let d = atomic::decide(enc, current.as_deref(), old, new);
        let Some(bytes) = bytes_to_swap(d, enc, name, key)? else {
            return Ok(false);
        };
        match kv::atomics::swap(cas, &bytes) {
            Ok(()) => return Ok(true),
            Err(CasError::CasFailed(again)) => cas = again,
            Err(CasError::StoreError(e)) => return Err(store_error(e, name)),
        }
    }
}
