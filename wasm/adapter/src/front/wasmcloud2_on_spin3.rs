//! Serves wasmCloud 2's `wasmcloud:keyvalue@0.2.0` to a guest over Spin 4's
//! `spin:key-value@3.0.0`. Both are WASI 0.3: every export awaits the host's calls, so a
//! guest's calls in flight stay in flight on the host.
//!
//! Lossy or differing from wasmCloud 2's own host, because Spin 4's interface has only
//! get, set, delete, exists and a whole listing:
//! - `set` with `ttl-ms`: refused with `other` (a `bad-value: ...` text), nothing written
//!   (Spin cannot expire entries; the WIT says a TTL must not be dropped).
//! - `set` with `if-not-exists`, `atomics.increment` and `cas.swap` are a read and then a
//!   write, NOT atomic: a writer in another instance between the two is overwritten.
//!   `--strict-atomics` refuses all three instead (`other`, nothing written).
//! - `increment`: Spin has no counters, so the adapter keeps them in the configured
//!   encoding (`--counter`), u64 as every other host's; a missing key counts from 0, a
//!   result below zero or above `i64::MAX` is refused (nothing written).
//! - `list-keys`: Spin's `get-keys` streams every key, so the answer is one page, filtered
//!   by `prefix`, with no cursor; a cursor (none was ever handed out) is
//!   `invalid-argument`.
//! - `cas` versions are `sha256:` + the SHA-256 of the value (`kv_adapt_convert::
//!   cas_version`): every change of the value is caught, a change back (A -> B -> A) not.
//! - `batch`: key by key, in order; a failure stops there, the keys before it done.
//! - Errors: `no-such-store`, `access-denied` and `other(text)` pass through;
//!   `store-table-full` is `quota-exceeded` (too many stores open at once). `timeout` and
//!   `store-unavailable` are never raised.

use alloc::string::String;
use alloc::vec::Vec;

use crate::exports::wasmcloud::keyvalue::types::{Bucket, Error, GuestBucket, KeyResponse, SetOptions};
use crate::exports::wasmcloud::keyvalue::{atomics, batch, cas, store, types};
use crate::spin::key_value::key_value::{Error as HostError, Store as HostStore};
use crate::{record_error, state, Adapter};
use kv_adapt_convert::atomic::{self, Decrement};
use kv_adapt_convert::cas_version::{self, conditions_hold, NoCondition};
use kv_adapt_convert::trace::{self, HostError as Traced};

/// What the host speaks, for messages.
const HOST: &str = "spin:key-value@3.0.0";
/// The same where a message goes on to say that its counters are unsigned: they are the
/// adapter's.
const HOST_COUNTERS: &str = "spin:key-value@3.0.0 (counters kept by kv-adapt, in the counter encoding)";

/// Spin's error as wasmCloud's: the three shared cases as they are, `store-table-full` as
/// the quota it is.
fn from_host(e: HostError, bucket: &str) -> Error {
    match e {
        HostError::NoSuchStore => {
            record_error(&trace::host_error(Traced::NoSuchStore, bucket));
            Error::NoSuchStore
        }
        HostError::AccessDenied => {
            record_error(&trace::host_error(Traced::AccessDenied, bucket));
            Error::AccessDenied
        }
        HostError::Other(text) => {
            record_error(&trace::host_error(Traced::Other(&text), bucket));
            Error::Other(text)
        }
        HostError::StoreTableFull => {
            record_error(&trace::host_case("store-table-full", bucket, HOST, "too many stores are open at once; drop one before opening another"));
            Error::QuotaExceeded
        }
    }
}

/// An error the adapter itself raises: `other` with a trace text.
fn own_error(trace: String) -> Error {
    record_error(&trace);
    Error::Other(trace)
}

/// The `bucket` resource: the host's store under the guest's name for it.
pub struct BucketRep {
    name: String,
    store: HostStore,
}

impl BucketRep {
    async fn read(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.store.get(key).await.map_err(|e| from_host(e, &self.name))
    }

    async fn write(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.store.set(key, value).await.map_err(|e| from_host(e, &self.name))
    }

    async fn remove(&self, key: String) -> Result<(), Error> {
        self.store.delete(key).await.map_err(|e| from_host(e, &self.name))
    }
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
        let host_name = state().host_name(&identifier);
        match HostStore::open(host_name).await {
            Ok(store) => Ok(Bucket::new(BucketRep { name: identifier, store })),
            Err(e) => Err(from_host(e, &identifier)),
        }
    }
}

impl GuestBucket for BucketRep {
    async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.read(key).await
    }

    async fn set(&self, key: String, value: Vec<u8>, options: Option<SetOptions>) -> Result<(), Error> {
        let (ttl_ms, if_not_exists) = options.map_or((None, false), |SetOptions { ttl_ms, if_not_exists }| (ttl_ms, if_not_exists));
        if let Some(ttl) = ttl_ms {
            return Err(own_error(trace::ttl_refused(&key, &self.name, ttl, HOST)));
        }
        if if_not_exists {
            if state().strict_atomics() {
                return Err(own_error(trace::strict_if_not_exists(&key, &self.name, HOST)));
            }
            if self.store.exists(key.clone()).await.map_err(|e| from_host(e, &self.name))? {
                return Err(Error::PreconditionFailed);
            }
        }
        self.write(key, value).await
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        self.remove(key).await
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        self.store.exists(key).await.map_err(|e| from_host(e, &self.name))
    }

    async fn list_keys(&self, prefix: Option<String>, cursor: Option<String>) -> Result<KeyResponse, Error> {
        if let Some(cursor) = cursor {
            record_error(&trace::cursor_never_given(&cursor, &self.name, HOST));
            return Err(Error::InvalidArgument);
        }
        let (keys, end) = self.store.get_keys().await;
        let mut keys = keys.collect().await;
        end.await.map_err(|e| from_host(e, &self.name))?;
        if let Some(prefix) = &prefix {
            keys.retain(|k| k.starts_with(prefix.as_str()));
        }
        Ok(KeyResponse { keys, cursor: None })
    }
}

impl atomics::Guest for Adapter {
    /// A read, an addition and a write (see the header).
    async fn increment(bucket: types::BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
        let b = bucket.get::<BucketRep>();
        let (enc, strict) = {
            let st = state();
            (st.encoding(), st.strict_atomics())
        };
        if strict {
            return Err(own_error(trace::strict_increment(&key, &b.name, HOST)));
        }
        let current = b.read(key.clone()).await?;
        match atomic::add(enc, current.as_deref(), delta) {
            Decrement::Write { value, bytes } => {
                b.write(key, bytes).await?;
                Ok(value)
            }
            Decrement::NotACounter(why) => Err(own_error(trace::not_a_counter(&key, &b.name, enc, why))),
            Decrement::BelowZero { current } => Err(own_error(trace::below_zero(&key, &b.name, delta, current, HOST_COUNTERS))),
            Decrement::TooLarge { value } => Err(own_error(trace::decrement_too_large(&key, &b.name, value, HOST_COUNTERS))),
        }
    }
}

impl cas::Guest for Adapter {
    async fn current(bucket: types::BucketBorrow<'_>, key: String) -> Result<Option<cas::Entry>, Error> {
        Ok(bucket.get::<BucketRep>().read(key).await?.map(entry))
    }

    /// Reads, checks the conditions, writes: not atomic (see the header).
    async fn swap(bucket: types::BucketBorrow<'_>, key: String, value: Vec<u8>, options: cas::CasOptions) -> Result<cas::CasResult, Error> {
        let b = bucket.get::<BucketRep>();
        let cas::CasOptions { require_version, require_value } = options;
        let conditions = |current: Option<&[u8]>| conditions_hold(current, require_version.as_deref(), require_value.as_deref());
        // A swap with no condition is refused before anything is read.
        if conditions(None) == Err(NoCondition) {
            return Err(Error::InvalidArgument);
        }
        if state().strict_atomics() {
            return Err(own_error(trace::strict_cas(&key, &b.name, HOST)));
        }
        let current = b.read(key.clone()).await?;
        if conditions(current.as_deref()) != Ok(true) {
            return Ok(cas::CasResult::Stale(current.map(entry)));
        }
        b.write(key, value).await?;
        Ok(cas::CasResult::Swapped)
    }
}

impl batch::Guest for Adapter {
    async fn get_many(bucket: types::BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let b = bucket.get::<BucketRep>();
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            found.push(b.read(key.clone()).await?.map(|value| (key, value)));
        }
        Ok(found)
    }

    async fn set_many(bucket: types::BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        let b = bucket.get::<BucketRep>();
        for (key, value) in key_values {
            b.write(key, value).await?;
        }
        Ok(())
    }

    async fn delete_many(bucket: types::BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        let b = bucket.get::<BucketRep>();
        for key in keys {
            b.remove(key).await?;
        }
        Ok(())
    }
}
