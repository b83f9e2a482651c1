//! Serves the early-2024 "eventual" `wasi:keyvalue` (`types`, `eventual`, `atomic`,
//! `eventual-batch`, `wasi-keyvalue-error`; buckets, values and errors are resources) to a
//! guest, over a host that speaks `wasi:keyvalue@0.2.0-draft` (G5, feature `g5`) or
//! `@0.2.0-draft2` (G6, feature `g6`). The shape was published twice: G3 as `@0.1.0`
//! (feature `g3`) and G4 as `@0.2.0-draft` (feature `g4`); this one source serves both,
//! the version being only which generated module `g` names (below).
//!
//! Value bodies: with feature `io` the adapter exports `wasi:io@0.2.0` and serves the
//! async bodies from memory (see `io`). Without it wasi:io belongs to the host, because the
//! guest uses it for other things, and the adapter cannot make a host stream:
//! `outgoing-value-write-body-async` and `incoming-value-consume-async` return an
//! `unsupported` error saying to use the sync functions. `incoming-value-consume-async`
//! takes ownership of the value, so after that error the value is gone: the guest must
//! `get` the key again.
//!
//! Lossy or differing from a native host of this shape:
//! - G5 has no compare-and-swap: `compare-and-swap` is get, decode, compare, set, which
//!   is NOT atomic; a concurrent writer between the get and the set can be overwritten.
//!   Over G6 it uses the `cas` resource and retries on `cas-failed`, so it is atomic.
//! - Counters are bytes in the configured encoding (`kv-adapt:components/config`); a value
//!   in another layout is a `bad-value` error. G6 counters are signed 64-bit: a delta above
//!   `i64::MAX` or a negative result is a `bad-value` error.
//! - A host bucket is opened once per name and kept for the adapter's lifetime (wasmtime
//!   gives every `open` its own copy of the data); every `bucket` resource of that name
//!   refers to it.
//! - A watch event's bucket (from the watch bridge) is the host's own bucket handle, kept
//!   for the adapter's lifetime; traces call it "(the bucket of the watch event)".
//! - Error texts follow the project's trace convention (`no-such-store: bucket "x"`,
//!   `bad-value: ...`, `unsupported: ...`, `other: <host text>`); nothing else is carried.
//! - `keys` stops with an `other` error if the host repeats a `list-keys` cursor.

use alloc::string::String;
use alloc::vec::Vec;

use kv_adapt_convert::bodies;
use kv_adapt_convert::trace;

use crate::back::{self as host, Stop, Swap};
use crate::{kv, state, store_error};

/// The exported resources of the composed flavour, over `ops`. The fused flavour's world
/// exports no key-value interface (its functions are core exports, `fused/eventual.rs`), so
/// these bindings do not exist there.
#[cfg(not(fused_world))]
mod resources {
    use alloc::string::String;
    use alloc::vec::Vec;

    #[cfg(not(feature = "io"))]
    use kv_adapt_convert::trace;

    #[cfg(feature = "front-g3")]
    use crate::exports::wasi::keyvalue0_1_0 as g;
    #[cfg(feature = "front-g4")]
    use crate::exports::wasi::keyvalue0_2_0_draft as g;
    #[cfg(all(feature = "front-g3", feature = "back-g5"))]
    use crate::exports::kv_adapt::components::watch_g3_on_g5 as watch;
    #[cfg(all(feature = "front-g3", feature = "back-g6"))]
    use crate::exports::kv_adapt::components::watch_g3_on_g6 as watch;
    #[cfg(all(feature = "front-g4", feature = "back-g5"))]
    use crate::exports::kv_adapt::components::watch_g4_on_g5 as watch;
    #[cfg(all(feature = "front-g4", feature = "back-g6"))]
    use crate::exports::kv_adapt::components::watch_g4_on_g6 as watch;

    use super::ops;
    use crate::{state, Adapter};
    use g::types::{Bucket, BucketBorrow, IncomingValue, OutgoingValue, OutgoingValueBorrow};
    use g::{atomic, eventual, eventual_batch, types, wasi_keyvalue_error};

    type Error = wasi_keyvalue_error::Error;

    /// The `error` resource: its trace text.
    pub struct Trace(String);

    fn error(trace: String) -> Error {
        crate::record_error(&trace);
        Error::new(Trace(trace))
    }

    #[cfg(not(feature = "io"))]
    fn static_error(trace: &'static str) -> Error {
        error(String::from(trace))
    }

    impl wasi_keyvalue_error::GuestError for Trace {
        fn trace(&self) -> String {
            self.0.clone()
        }
    }

    impl wasi_keyvalue_error::Guest for Adapter {
        type Error = Trace;
    }

    /// The `bucket` resource: an index in `opened`.
    pub struct BucketRep(usize);

    /// The `outgoing-value` resource: a handle into the shared slab of bodies, so that an
    /// output stream (which may outlive the value) finds the body, or finds it gone.
    pub struct Outgoing(u32);

    // Runs from the destructor export only: the adapter never holds an owned outgoing-value
    // inside another export, so `state()` is not borrowed twice.
    impl Drop for Outgoing {
        fn drop(&mut self) {
            state().outgoing.remove(self.0);
        }
    }

    fn handle(value: &OutgoingValueBorrow<'_>) -> u32 {
        value.get::<Outgoing>().0
    }

    /// The `incoming-value` resource: the bytes fetched, moved out when consumed.
    pub struct Incoming(Vec<u8>);

    fn incoming(bytes: Vec<u8>) -> IncomingValue {
        IncomingValue::new(Incoming(bytes))
    }

    impl types::GuestBucket for BucketRep {
        fn open_bucket(name: String) -> Result<Bucket, Error> {
            ops::open_bucket(name).map(|i| Bucket::new(BucketRep(i))).map_err(error)
        }
    }

    impl types::GuestOutgoingValue for Outgoing {
        fn new_outgoing_value() -> OutgoingValue {
            OutgoingValue::new(Outgoing(state().new_outgoing()))
        }

        #[cfg(feature = "io")]
        fn outgoing_value_write_body_async(&self) -> Result<types::OutgoingValueBodyAsync, Error> {
            ops::start_async_body(self.0).map_err(error)?;
            Ok(crate::io::output_stream(self.0))
        }

        #[cfg(not(feature = "io"))]
        fn outgoing_value_write_body_async(&self) -> Result<types::OutgoingValueBodyAsync, Error> {
            Err(static_error(trace::UNSUPPORTED_ASYNC_BODY_RESOURCE))
        }

        fn outgoing_value_write_body_sync(&self, value: Vec<u8>) -> Result<(), Error> {
            ops::write_body_sync(self.0, value).map_err(error)
        }
    }

    impl types::GuestIncomingValue for Incoming {
        fn incoming_value_consume_sync(this: IncomingValue) -> Result<Vec<u8>, Error> {
            Ok(this.into_inner::<Incoming>().0)
        }

        #[cfg(feature = "io")]
        fn incoming_value_consume_async(
            this: IncomingValue,
        ) -> Result<types::IncomingValueAsyncBody, Error> {
            Ok(crate::io::input_stream(this.into_inner::<Incoming>().0))
        }

        // `this` is owned and dropped here: the value is gone (see the header).
        #[cfg(not(feature = "io"))]
        fn incoming_value_consume_async(
            _this: IncomingValue,
        ) -> Result<types::IncomingValueAsyncBody, Error> {
            Err(static_error(trace::UNSUPPORTED_ASYNC_CONSUME_RESOURCE))
        }

        fn incoming_value_size(&self) -> Result<u64, Error> {
            Ok(self.0.len() as u64)
        }
    }

    /// Resources for the watch bridge (`wit/kv-adapt/watch.wit`). The bridge lends the value
    /// to the guest as `borrow<incoming-value>`, which the consume functions cannot take: a
    /// handler reads the value with `get` (see the README's watch table).
    impl watch::Guest for Adapter {
        fn adopt_bucket(bucket: watch::HostBucket) -> Bucket {
            Bucket::new(BucketRep(state().adopt(bucket)))
        }

        fn new_incoming_value(value: Vec<u8>) -> IncomingValue {
            incoming(value)
        }
    }

    impl types::Guest for Adapter {
        type Bucket = BucketRep;
        type OutgoingValue = Outgoing;
        type IncomingValue = Incoming;
    }

    fn bucket_index(bucket: &BucketBorrow<'_>) -> usize {
        bucket.get::<BucketRep>().0
    }

    impl eventual::Guest for Adapter {
        fn get(bucket: BucketBorrow<'_>, key: String) -> Result<Option<IncomingValue>, Error> {
            ops::get(bucket_index(&bucket), &key).map(|found| found.map(incoming)).map_err(error)
        }

        fn set(
            bucket: BucketBorrow<'_>,
            key: String,
            outgoing_value: OutgoingValueBorrow<'_>,
        ) -> Result<(), Error> {
            ops::set(bucket_index(&bucket), &key, handle(&outgoing_value)).map_err(error)
        }

        fn delete(bucket: BucketBorrow<'_>, key: String) -> Result<(), Error> {
            ops::delete(bucket_index(&bucket), &key).map_err(error)
        }

        fn exists(bucket: BucketBorrow<'_>, key: String) -> Result<bool, Error> {
            ops::exists(bucket_index(&bucket), &key).map_err(error)
        }
    }

    impl atomic::Guest for Adapter {
        fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
            ops::increment(bucket_index(&bucket), &key, delta).map_err(error)
        }

        fn compare_and_swap(
            bucket: BucketBorrow<'_>,
            key: String,
            old: u64,
            new: u64,
        ) -> Result<bool, Error> {
            ops::compare_and_swap(bucket_index(&bucket), &key, old, new).map_err(error)
        }
    }

    impl eventual_batch::Guest for Adapter {
        fn get_many(
            bucket: BucketBorrow<'_>,
            keys: Vec<String>,
        ) -> Result<Vec<Option<IncomingValue>>, Error> {
            let found = ops::get_many(bucket_index(&bucket), &keys).map_err(error)?;
            Ok(found.into_iter().map(|entry| entry.map(incoming)).collect())
        }

        fn keys(bucket: BucketBorrow<'_>) -> Result<Vec<String>, Error> {
            ops::keys(bucket_index(&bucket)).map_err(error)
        }

        fn set_many(
            bucket: BucketBorrow<'_>,
            key_values: Vec<(String, OutgoingValueBorrow<'_>)>,
        ) -> Result<(), Error> {
            let pairs = key_values.into_iter().map(|(key, value)| (key, handle(&value))).collect();
            ops::set_many(bucket_index(&bucket), pairs).map_err(error)
        }

        fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
            ops::delete_many(bucket_index(&bucket), &keys).map_err(error)
        }
    }
}

/// What the functions of this shape do, on plain values: a bucket is its index in
/// `opened`, an outgoing value its handle in the slab of bodies, an error the trace text
/// not yet recorded. The resource exports above and the fused flavour's core exports
/// (`fused/eventual.rs`) both call these, so the two flavours cannot drift apart.
pub(crate) mod ops {
    use super::*;

    pub(crate) fn open_bucket(name: String) -> Result<usize, String> {
        state().open(name)
    }

    /// An empty body for outgoing value `h`, which a body stream then appends to.
    #[cfg(feature = "io")]
    pub(crate) fn start_async_body(h: u32) -> Result<(), String> {
        write_body_sync(h, Vec::new())
    }

    pub(crate) fn write_body_sync(h: u32, value: Vec<u8>) -> Result<(), String> {
        bodies::start(&mut state().outgoing, h, value).map_err(|e| String::from(trace::resource_body_error(e)))
    }

    pub(crate) fn get(bucket: usize, key: &str) -> Result<Option<Vec<u8>>, String> {
        let o = &state().opened[bucket];
        o.bucket.get(key).map_err(|e| store_error(e, &o.name))
    }

    pub(crate) fn set(bucket: usize, key: &str, value: u32) -> Result<(), String> {
        let st = state();
        let o = &st.opened[bucket];
        let body = bodies::body(&st.outgoing, value).map_err(|e| String::from(trace::resource_body_error(e)))?;
        o.bucket.set(key, body).map_err(|e| store_error(e, &o.name))
    }

    // G5 and G6 `delete` already do nothing for a missing key, as this shape asks.
    pub(crate) fn delete(bucket: usize, key: &str) -> Result<(), String> {
        let o = &state().opened[bucket];
        o.bucket.delete(key).map_err(|e| store_error(e, &o.name))
    }

    pub(crate) fn exists(bucket: usize, key: &str) -> Result<bool, String> {
        let o = &state().opened[bucket];
        o.bucket.exists(key).map_err(|e| store_error(e, &o.name))
    }

    pub(crate) fn increment(bucket: usize, key: &str, delta: u64) -> Result<u64, String> {
        let o = &state().opened[bucket];
        host::increment(&o.bucket, &o.name, key, delta)
    }

    pub(crate) fn compare_and_swap(bucket: usize, key: &str, old: u64, new: u64) -> Result<bool, String> {
        let st = state();
        let (enc, strict) = (st.encoding(), st.strict_atomics());
        let o = &st.opened[bucket];
        match host::compare_and_swap(&o.bucket, &o.name, key, old, new, enc, strict)? {
            Swap::Swapped => Ok(true),
            Swap::Differs | Swap::Missing => Ok(false),
        }
    }

    pub(crate) fn get_many(bucket: usize, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, String> {
        let o = &state().opened[bucket];
        let found = kv::batch::get_many(&o.bucket, keys).map_err(|e| store_error(e, &o.name))?;
        Ok(found.into_iter().map(|entry| entry.map(|(_, bytes)| bytes)).collect())
    }

    pub(crate) fn keys(bucket: usize) -> Result<Vec<String>, String> {
        let o = &state().opened[bucket];
        let mut keys = Vec::new();
        match host::all_keys(&o.bucket, &mut keys) {
            Ok(()) => Ok(keys),
            Err(Stop::Host(e)) => Err(store_error(e, &o.name)),
            Err(Stop::Repeated) => Err(trace::cursor_repeated(&o.name)),
        }
    }

    pub(crate) fn set_many(bucket: usize, key_values: Vec<(String, u32)>) -> Result<(), String> {
        let st = state();
        // Check every value before writing any, so a guest mistake writes nothing.
        for (_, h) in &key_values {
            bodies::body(&st.outgoing, *h).map_err(|e| String::from(trace::resource_body_error(e)))?;
        }
        let (pairs, handles) = bodies::lend(&mut st.outgoing, key_values);
        let o = &st.opened[bucket];
        let result = kv::batch::set_many(&o.bucket, &pairs).map_err(|e| store_error(e, &o.name));
        bodies::restore(&mut st.outgoing, handles, pairs);
        result
    }

    pub(crate) fn delete_many(bucket: usize, keys: &[String]) -> Result<(), String> {
        let o = &state().opened[bucket];
        kv::batch::delete_many(&o.bucket, keys).map_err(|e| store_error(e, &o.name))
    }
}
