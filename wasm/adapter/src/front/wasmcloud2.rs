//! Serves wasmCloud 2's `wasmcloud:keyvalue@0.2.0` (WASI 0.3: every function `async`) to a
//! guest over a synchronous wasi:keyvalue host: G5 (wasmtime, wasmCloud 1.x), G6 or
//! Spin's draft2 (through the G6 back: this front calls the host's `batch` only for its own
//! `batch`), or G2, G3, G4 (what those backs lose is in `back/g2.rs` and
//! `back/eventual.rs`).
//!
//! The exports are async-lifted (wit-bindgen's async support); each makes its host calls
//! synchronously and returns, so a guest's concurrent calls are answered one after the
//! other. No export keeps a reference into the adapter's state across an `await` (none
//! awaits).
//!
//! Lossy or differing from wasmCloud 2's own host:
//! - `set` with `ttl-ms`: no wasi:keyvalue generation can expire an entry, and the WIT says
//!   a TTL must not be dropped: refused with `other` (a `bad-value: ...` text), nothing
//!   written.
//! - `set` with `if-not-exists`: on G6 the host's `cas` makes it atomic (`precondition-
//!   failed` when the key has a value, or gets one meanwhile). On every other back it is a
//!   read and then a write, NOT atomic: a writer in another instance between the two is
//!   overwritten. `--strict-atomics` refuses it there instead (`other`, nothing written).
//! - `list-keys`: the host's pages, each filtered by `prefix` here, so a page may hold
//!   fewer keys than the host's (even none) while a cursor says more follow. The cursor is
//!   the host's (a G5 host's u64 as decimal text); one no host made is `invalid-argument`.
//! - `atomics.increment`: s64, as G6's. On every back but G6 the host's counters are u64
//!   and count up only: a negative delta is a read, a subtraction and a write (NOT atomic;
//!   refused under `--strict-atomics`), a result below zero is refused, a result above
//!   `i64::MAX` is `other` (after a positive delta the host's counter HAS moved).
//! - `cas`: the version of an entry is `sha256:` + the SHA-256 of its value
//!   (`kv_adapt_convert::cas_version`, as kv-adapt's wasmCloud host gives): it catches
//!   every change of the value but not a change back (A -> B -> A). `swap` on G6 uses the
//!   host's `cas` (atomic: a write by anyone between its read and its swap is seen, and the
//!   conditions are checked again on what was written); on every other back it reads,
//!   checks and writes, NOT atomic, and `--strict-atomics` refuses it.
//! - Errors: the host's `no-such-store`, `access-denied` and `other(text)` pass through; the
//!   four cases no wasi:keyvalue generation has (`timeout`, `store-unavailable`,
//!   `quota-exceeded`, and `precondition-failed` but for the two above) are never raised.

use alloc::string::String;
use alloc::vec::Vec;

use crate::back::{self, Failure};
use crate::exports::wasmcloud::keyvalue::types::{Bucket, Error, GuestBucket, KeyResponse, SetOptions};
use crate::exports::wasmcloud::keyvalue::{atomics, batch, cas, store, types};
use crate::{failure_trace, record_error, state, Adapter, Opened};
use kv_adapt_convert::cas_version::{self, conditions_hold, NoCondition};
use kv_adapt_convert::trace;

/// The host's failure as wasmCloud's error: the three cases every generation has.
fn from_host(f: Failure, bucket: &str) -> Error {
    record_error(&failure_trace(&f, bucket));
    match f {
        Failure::NoSuchStore => Error::NoSuchStore,
        Failure::AccessDenied => Error::AccessDenied,
        Failure::Other(text) => Error::Other(text),
    }
}

/// An error the adapter itself raises: `other` with a trace text.
fn own_error(trace: String) -> Error {
    record_error(&trace);
    Error::Other(trace)
}

/// The `bucket` resource: an index in `opened`, which only grows.
pub struct BucketRep(usize);

fn opened(bucket: &BucketRep) -> &'static Opened {
    &state().opened[bucket.0]
}

/// An entry as `cas` gives it: the value and its version.
fn entry(value: Vec<u8>) -> cas::Entry {
    cas::Entry { version: cas_version::of(&value), value }
}

impl types::Guest for Adapter {
    type Bucket = BucketRep;
}

impl store::Guest for Adapter {
    async fn open(identifier: String) -> Result<Bucket, Error> {
        match state().open_raw(&identifier) {
            Ok(i) => Ok(Bucket::new(BucketRep(i))),
            Err(e) => Err(from_host(e, &identifier)),
        }
    }
}

impl GuestBucket for BucketRep {
    async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        let o = opened(self);
        back::get(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    async fn set(&self, key: String, value: Vec<u8>, options: Option<SetOptions>) -> Result<(), Error> {
        let o = opened(self);
        let (ttl_ms, if_not_exists) = options.map_or((None, false), |SetOptions { ttl_ms, if_not_exists }| (ttl_ms, if_not_exists));
        if let Some(ttl) = ttl_ms {
            return Err(own_error(trace::ttl_refused(&key, &o.name, ttl, back::NAME)));
        }
        if if_not_exists {
            return conditional::set_if_absent(self.0, &key, &value);
        }
        back::set(&o.bucket, &key, &value).map_err(|e| from_host(e, &o.name))
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        let o = opened(self);
        back::delete(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        let o = opened(self);
        back::exists(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    async fn list_keys(&self, prefix: Option<String>, cursor: Option<String>) -> Result<KeyResponse, Error> {
        let o = opened(self);
        let host_cursor = match cursor {
            None => None,
            Some(text) => Some(conditional::host_cursor(text).ok_or(Error::InvalidArgument)?),
        };
        let mut page = back::page(&o.bucket, host_cursor.as_ref()).map_err(|e| from_host(e, &o.name))?;
        if let Some(prefix) = &prefix {
            page.keys.retain(|k| k.starts_with(prefix.as_str()));
        }
        Ok(KeyResponse { keys: page.keys, cursor: page.cursor.map(conditional::guest_cursor) })
    }
}

impl atomics::Guest for Adapter {
    async fn increment(bucket: types::BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
        conditional::increment(bucket.get::<BucketRep>().0, &key, delta)
    }
}

impl cas::Guest for Adapter {
    async fn current(bucket: types::BucketBorrow<'_>, key: String) -> Result<Option<cas::Entry>, Error> {
        let o = opened(bucket.get::<BucketRep>());
        Ok(back::get(&o.bucket, &key).map_err(|e| from_host(e, &o.name))?.map(entry))
    }

    async fn swap(bucket: types::BucketBorrow<'_>, key: String, value: Vec<u8>, options: cas::CasOptions) -> Result<cas::CasResult, Error> {
        let cas::CasOptions { require_version, require_value } = options;
        let conditions = |current: Option<&[u8]>| conditions_hold(current, require_version.as_deref(), require_value.as_deref());
        // A swap with no condition is refused before anything is read.
        if conditions(None) == Err(NoCondition) {
            return Err(Error::InvalidArgument);
        }
        conditional::swap(bucket.get::<BucketRep>().0, &key, &value, &|current| conditions(current) == Ok(true))
    }
}

impl batch::Guest for Adapter {
    async fn get_many(bucket: types::BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let o = opened(bucket.get::<BucketRep>());
        back::get_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))
    }

    async fn set_many(bucket: types::BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        let o = opened(bucket.get::<BucketRep>());
        back::set_many(&o.bucket, &key_values).map_err(|e| from_host(e, &o.name))
    }

    async fn delete_many(bucket: types::BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        let o = opened(bucket.get::<BucketRep>());
        back::delete_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))
    }
}

/// On upstream G6: cursors and s64 counters as they are, and the host's `cas` for the
/// conditional writes.
#[cfg(feature = "back-g6")]
mod conditional {
    use super::*;
    use crate::kv;
    use kv::atomics::{Cas, CasError};

    pub fn host_cursor(text: String) -> Option<back::Cursor> {
        Some(text)
    }

    pub fn guest_cursor(cursor: back::Cursor) -> String {
        cursor
    }

    pub fn increment(bucket: usize, key: &str, delta: i64) -> Result<i64, Error> {
        let o = &state().opened[bucket];
        back::add(&o.bucket, key, delta).map_err(|e| from_host(e, &o.name))
    }

    /// Writes `value` if `holds` says so of the value the host's `cas` read; a write by
    /// anyone in between hands the `cas` back, and `holds` is asked again.
    pub fn swap(bucket: usize, key: &str, value: &[u8], holds: &dyn Fn(Option<&[u8]>) -> bool) -> Result<cas::CasResult, Error> {
        let o = &state().opened[bucket];
        let failed = |e: kv::store::Error| from_host(e.into(), &o.name);
        let mut host = Cas::new(&o.bucket, key).map_err(failed)?;
        loop {
            let current = host.current().map_err(failed)?;
            if !holds(current.as_deref()) {
                return Ok(cas::CasResult::Stale(current.map(entry)));
            }
            match kv::atomics::swap(host, value) {
                Ok(()) => return Ok(cas::CasResult::Swapped),
                Err(CasError::CasFailed(again)) => host = again,
                Err(CasError::StoreError(e)) => return Err(failed(e)),
            }
        }
    }

    pub fn set_if_absent(bucket: usize, key: &str, value: &[u8]) -> Result<(), Error> {
        match swap(bucket, key, value, &|current| current.is_none())? {
            cas::CasResult::Swapped => Ok(()),
            cas::CasResult::Stale(_) => Err(Error::PreconditionFailed),
        }
    }
}

/// On every back but upstream G6: u64 cursors and counters, and no compare-and-swap, so the
/// conditional writes are a read and a write (see the header).
#[cfg(not(feature = "back-g6"))]
mod conditional {
    use super::*;
    use kv_adapt_convert::atomic::{self, Decrement};
    use kv_adapt_convert::cursors;

    pub fn host_cursor(text: String) -> Option<back::Cursor> {
        cursors::text_to_u64(&text)
    }

    pub fn guest_cursor(cursor: back::Cursor) -> String {
        cursors::u64_to_text(cursor)
    }

    pub fn increment(bucket: usize, key: &str, delta: i64) -> Result<i64, Error> {
        let st = state();
        let (enc, strict) = (st.encoding(), st.strict_atomics());
        let o = &st.opened[bucket];
        if let Ok(up) = back::Counter::try_from(delta) {
            let value = back::add(&o.bucket, key, up).map_err(|e| from_host(e, &o.name))?;
            return i64::try_from(value).map_err(|_| own_error(trace::counter_too_large(key, &o.name, value, back::NAME)));
        }
        if strict {
            return Err(own_error(trace::negative_delta(key, &o.name, delta, back::NAME)));
        }
        let current = back::get(&o.bucket, key).map_err(|e| from_host(e, &o.name))?;
        match atomic::decrement(enc, current.as_deref(), delta.unsigned_abs()) {
            Decrement::Write { value, bytes } => {
                back::set(&o.bucket, key, &bytes).map_err(|e| from_host(e, &o.name))?;
                Ok(value)
            }
            Decrement::NotACounter(why) => Err(own_error(trace::not_a_counter(key, &o.name, enc, why))),
            Decrement::BelowZero { current } => Err(own_error(trace::below_zero(key, &o.name, delta, current, back::NAME))),
            Decrement::TooLarge { value } => Err(own_error(trace::decrement_too_large(key, &o.name, value, back::NAME))),
        }
    }

    /// Reads, asks `holds`, writes: not atomic (see the header).
    pub fn swap(bucket: usize, key: &str, value: &[u8], holds: &dyn Fn(Option<&[u8]>) -> bool) -> Result<cas::CasResult, Error> {
        let st = state();
        let strict = st.strict_atomics();
        let o = &st.opened[bucket];
        if strict {
            return Err(own_error(trace::strict_cas(key, &o.name, back::NAME)));
        }
        let current = back::get(&o.bucket, key).map_err(|e| from_host(e, &o.name))?;
        if !holds(current.as_deref()) {
            return Ok(cas::CasResult::Stale(current.map(entry)));
        }
        back::set(&o.bucket, key, value).map_err(|e| from_host(e, &o.name))?;
        Ok(cas::CasResult::Swapped)
    }

    pub fn set_if_absent(bucket: usize, key: &str, value: &[u8]) -> Result<(), Error> {
        let st = state();
        let strict = st.strict_atomics();
        let o = &st.opened[bucket];
        if strict {
            return Err(own_error(trace::strict_if_not_exists(key, &o.name, back::NAME)));
        }
        if back::exists(&o.bucket, key).map_err(|e| from_host(e, &o.name))? {
            return Err(Error::PreconditionFailed);
        }
        back::set(&o.bucket, key, value).map_err(|e| from_host(e, &o.name))
    }
}
