//! The G6 back (`wasi:keyvalue@0.2.0-draft2`, Spin 3).
//!
//! Lossy: G6 counters are signed 64-bit, so a delta above `i64::MAX` or a negative result
//! is refused with a `bad-value` error. Compare-and-swap uses the `cas` resource and
//! retries on `cas-failed`, so it is atomic.

use alloc::string::String;

#[cfg(legacy_front)]
use kv_adapt_convert::atomic;
#[cfg(legacy_front)]
use kv_adapt_convert::counter::Encoding;
#[cfg(legacy_front)]
use kv_adapt_convert::trace;

#[cfg(legacy_front)]
use super::{bytes_to_swap, Swap};
use crate::kv;
#[cfg(legacy_front)]
use crate::store_error;

/// G6's `list-keys` cursor.
pub type Cursor = String;

/// What the host calls itself, for messages.
pub const NAME: &str = "wasi:keyvalue@0.2.0-draft2";

/// The host's counters.
pub type Counter = i64;

/// One page of keys starting at `cursor` (`None` for the first page).
pub fn list_page(bucket: &kv::store::Bucket, cursor: Option<&Cursor>) -> Result<kv::store::KeyResponse, kv::store::Error> {
    bucket.list_keys(cursor.map(String::as_str))
}

#[cfg(legacy_front)]
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

#[cfg(legacy_front)]
pub fn compare_and_swap(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    old: u64,
    new: u64,
    enc: Encoding,
    // The `cas` resource makes it atomic, so `--strict-atomics` has nothing to refuse.
    _strict: bool,
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
