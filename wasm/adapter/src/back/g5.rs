//! The G5 back (`wasi:keyvalue@0.2.0-draft`, wasmtime and wasmCloud 1.x).
//!
//! Lossy: G5 has no compare-and-swap. `compare_and_swap` is get, decode, compare, set,
//! which is NOT atomic: a concurrent writer between the get and the set is overwritten.
//! With `--strict-atomics` it is refused instead, nothing written.

#[cfg(legacy_front)]
use alloc::string::String;

#[cfg(legacy_front)]
use kv_adapt_convert::atomic;
#[cfg(legacy_front)]
use kv_adapt_convert::counter::Encoding;

#[cfg(legacy_front)]
use super::{bytes_to_swap, Swap};
use crate::kv;
#[cfg(legacy_front)]
use crate::store_error;

/// G5's `list-keys` cursor.
pub type Cursor = u64;

/// What the host calls itself, for messages.
pub const NAME: &str = "wasi:keyvalue@0.2.0-draft";

/// The host's counters.
pub type Counter = u64;

/// One page of keys starting at `cursor` (`None` for the first page).
pub fn list_page(bucket: &kv::store::Bucket, cursor: Option<&Cursor>) -> Result<kv::store::KeyResponse, kv::store::Error> {
    bucket.list_keys(cursor.copied())
}

#[cfg(legacy_front)]
pub fn increment(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    delta: u64,
) -> Result<u64, String> {
    kv::atomics::increment(bucket, key, delta).map_err(|e| store_error(e, name))
}

// Not atomic (see the header): G5 offers nothing to make it so.
#[cfg(legacy_front)]
pub fn compare_and_swap(
    bucket: &kv::store::Bucket,
    name: &str,
    key: &str,
    old: u64,
    new: u64,
    enc: Encoding,
    strict: bool,
) -> Result<Swap, String> {
    if strict {
        return Err(kv_adapt_convert::trace::strict_cas(key, name, NAME));
    }
    let current = bucket.get(key).map_err(|e| store_error(e, name))?;
    let d = atomic::decide(enc, current.as_deref(), old, new);
    let bytes = match bytes_to_swap(d, enc, name, key)? {
        Ok(bytes) => bytes,
        Err(answer) => return Ok(answer),
    };
    bucket.set(key, &bytes).map_err(|e| store_error(e, name))?;
    Ok(Swap::Swapped)
}
