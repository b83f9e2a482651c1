//! Serves the two u32-handle generations to a guest, over a host that speaks
//! `wasi:keyvalue@0.2.0-draft` (G5, feature `back-g5`) or `@0.2.0-draft2` (G6, `back-g6`):
//! - G2 (late 2023: `wasi:keyvalue/{types,readwrite,atomic,batch,wasi-cloud-error}`), all
//!   of it here. With feature `io` the adapter also exports `wasi:io@0.2.0-rc-2023-11-10`
//!   and serves value-body streams from memory; without it, wasi:io belongs to the host and
//!   async bodies are refused with an `unsupported` error that says to use the sync
//!   functions.
//! - G1 (early 2023: plain names `readwrite`, `atomic`, `batch`, `wasi-cloud-error`): the
//!   same functions under other names; its `types` and `streams` are in `g1.rs`.
//!
//! Lossy or differing from a native G1/G2 host:
//! - G5 has no compare-and-swap: `compare-and-swap` is get, decode, compare, set, which
//!   is NOT atomic; a concurrent writer between the get and the set can be overwritten.
//! - Counters are bytes in the configured encoding (`kv-adapt:components/config`); a value
//!   in another layout is a `bad-value` error. G6 counters are signed 64-bit: a delta above
//!   `i64::MAX` or a negative result is a `bad-value` error.
//! - `get-keys` has no error channel: a bad bucket handle gives an empty list, a host error
//!   while paging gives the keys gathered so far.
//! - `delete` of a missing key is an error as G1/G2 say, found by `exists` first; a
//!   concurrent delete between the two is not noticed.
//! - G1 `set-many` names the keys twice (`keys`, and the key of each pair in `values`);
//!   they must agree, pair for pair, or nothing is written and the error says where they
//!   differ.
//! - A host bucket is opened once per name and kept for the adapter's lifetime (wasmtime
//!   gives every `open` its own copy of the data); handles only refer to it.
//! - A watch event's bucket (from the watch bridge) is the host's own bucket handle, kept
//!   for the adapter's lifetime; traces call it "(the bucket of the watch event)".
//! - Handles are u32 with kind and generation bits (see `kv_adapt_convert::slab`): a
//!   dropped, unknown or wrong-kind handle is a `bad-handle` error where the interface has
//!   an error channel; `size` says 0, `drop-*` do nothing. When the slab of outgoing values
//!   is full, `new-outgoing-value` returns a handle that is never live.

use alloc::string::String;
use alloc::vec::Vec;

use kv_adapt_convert::bodies;
use kv_adapt_convert::slab::{self, Kind};
use kv_adapt_convert::trace;

#[cfg(feature = "front-g1")]
use crate::exports::{atomic, batch, readwrite, wasi_cloud_error};
#[cfg(feature = "front-g2")]
use crate::exports::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};
#[cfg(all(feature = "front-g1", feature = "back-g5"))]
use crate::exports::kv_adapt::components::watch_g1_on_g5 as watch;
#[cfg(all(feature = "front-g1", feature = "back-g6"))]
use crate::exports::kv_adapt::components::watch_g1_on_g6 as watch;
#[cfg(all(feature = "front-g2", feature = "back-g5"))]
use crate::exports::kv_adapt::components::watch_g2_on_g5 as watch;
#[cfg(all(feature = "front-g2", feature = "back-g6"))]
use crate::exports::kv_adapt::components::watch_g2_on_g6 as watch;
use crate::back::{self as host, Swap};
use crate::{kv, state, store_error, Adapter, State};

pub struct Incoming {
    /// Emptied when consumed; `len` remembers the size.
    bytes: Vec<u8>,
    pub(super) len: u64,
    consumed: bool,
}

impl State {
    /// A new error handle holding `trace`.
    fn error(&mut self, trace: String) -> u32 {
        self.errors
            .insert(trace)
            .unwrap_or_else(|_| slab::overflow(Kind::Error))
    }

    /// Index in `opened` of the host bucket behind handle `h`.
    fn bucket(&self, h: u32) -> Result<usize, String> {
        self.buckets
            .get(h)
            .copied()
            .map_err(|m| trace::bad_handle(Kind::Bucket, h, m))
    }

    pub(super) fn new_incoming(&mut self, bytes: Vec<u8>) -> Result<u32, String> {
        let len = bytes.len() as u64;
        self.incoming
            .insert(Incoming {
                bytes,
                len,
                consumed: false,
            })
            .map_err(|_| trace::too_many(Kind::IncomingValue))
    }

    /// The body of outgoing value `h`, which must have one.
    pub(super) fn body(&self, h: u32) -> Result<&Vec<u8>, String> {
        #[cfg(feature = "front-g1")]
        let in_words = trace::g1_body_error;
        #[cfg(feature = "front-g2")]
        let in_words = trace::body_error;
        bodies::body(&self.outgoing, h).map_err(|e| in_words(h, e))
    }

    /// Claims incoming value `h` for consumption; the caller takes the bytes.
    pub(crate) fn consume(&mut self, h: u32) -> Result<Vec<u8>, String> {
        let v = self
            .incoming
            .get_mut(h)
            .map_err(|m| trace::bad_handle(Kind::IncomingValue, h, m))?;
        if v.consumed {
            return Err(trace::already_consumed(h));
        }
        v.consumed = true;
        Ok(core::mem::take(&mut v.bytes))
    }

    /// Starts the body of outgoing value `h` with `bytes`; a body already there stays.
    #[cfg(feature = "front-g2")]
    pub(crate) fn start_body(&mut self, h: u32, bytes: Vec<u8>) -> Result<(), String> {
        bodies::start(&mut self.outgoing, h, bytes).map_err(|e| trace::body_error(h, e))
    }
}

/// `types.open-bucket` of G1 and G2: a new handle for the host bucket of that name.
pub(super) fn open_bucket(name: String) -> Result<u32, u32> {
    run(|st| {
        let index = st.open(name)?;
        st.buckets.insert(index).map_err(|_| trace::too_many(Kind::Bucket))
    })
}

/// Runs `f` on the state, turning its error text into an error handle.
pub(crate) fn run<T>(f: impl FnOnce(&mut State) -> Result<T, String>) -> Result<T, u32> {
    let st = state();
    f(st).map_err(|t| {
        crate::record_error(&t);
        st.error(t)
    })
}

impl wasi_cloud_error::Guest for Adapter {
    fn drop_error(error: u32) {
        state().errors.remove(error);
    }

    fn trace(error: u32) -> String {
        if error == slab::overflow(Kind::Error) {
            return String::from(trace::TOO_MANY_ERRORS);
        }
        match state().errors.get(error) {
            Ok(t) => t.clone(),
            Err(_) => trace::dead_error(error),
        }
    }
}

/// Handles for the watch bridge (`wit/kv-adapt/watch.wit`): the guest owns both and
/// drops them as it would any other. A full slab gives a handle that is never live, so the
/// guest's use of it is a `bad-handle` error, not a trap here.
impl watch::Guest for Adapter {
    fn adopt_bucket(bucket: watch::HostBucket) -> u32 {
        let st = state();
        let index = st.adopt(bucket);
        st.buckets.insert(index).unwrap_or_else(|_| slab::overflow(Kind::Bucket))
    }

    fn new_incoming_value(value: Vec<u8>) -> u32 {
        state().new_incoming(value).unwrap_or_else(|_| slab::overflow(Kind::IncomingValue))
    }
}

#[cfg(feature = "front-g2")]
impl types::Guest for Adapter {
    fn drop_bucket(bucket: u32) {
        state().buckets.remove(bucket);
    }

    fn open_bucket(name: String) -> Result<u32, u32> {
        open_bucket(name)
    }

    fn drop_outgoing_value(outgoing_value: u32) {
        state().outgoing.remove(outgoing_value);
    }

    fn new_outgoing_value() -> u32 {
        state().new_outgoing()
    }

    // The fused `-io` adapter serves its streams itself (`fused/g2.rs`, `fused/io.rs`).
    #[cfg(all(feature = "io", not(feature = "fused")))]
    fn outgoing_value_write_body_async(h: u32) -> Result<types::OutgoingValueBodyAsync, u32> {
        run(|st| st.start_body(h, Vec::new()))?;
        Ok(crate::io::output_stream(h))
    }

    #[cfg(any(not(feature = "io"), feature = "fused"))]
    fn outgoing_value_write_body_async(h: u32) -> Result<types::OutgoingValueBodyAsync, u32> {
        run(|st| {
            // A bad handle is the more useful thing to hear about first.
            st.outgoing
                .get(h)
                .map_err(|m| trace::bad_handle(Kind::OutgoingValue, h, m))?;
            Err(String::from(trace::UNSUPPORTED_ASYNC_BODY))
        })
    }

    fn outgoing_value_write_body_sync(h: u32, value: Vec<u8>) -> Result<(), u32> {
        run(|st| st.start_body(h, value))
    }

    fn drop_incoming_value(incoming_value: u32) {
        state().incoming.remove(incoming_value);
    }

    fn incoming_value_consume_sync(h: u32) -> Result<Vec<u8>, u32> {
        run(|st| st.consume(h))
    }

    #[cfg(all(feature = "io", not(feature = "fused")))]
    fn incoming_value_consume_async(h: u32) -> Result<types::IncomingValueAsyncBody, u32> {
        let bytes = run(|st| st.consume(h))?;
        Ok(crate::io::input_stream(bytes))
    }

    #[cfg(any(not(feature = "io"), feature = "fused"))]
    fn incoming_value_consume_async(h: u32) -> Result<types::IncomingValueAsyncBody, u32> {
        // Nothing is consumed, so the guest can still fall back to consume-sync.
        run(|st| {
            let v = st
                .incoming
                .get(h)
                .map_err(|m| trace::bad_handle(Kind::IncomingValue, h, m))?;
            if v.consumed {
                return Err(trace::already_consumed(h));
            }
            Err(String::from(trace::UNSUPPORTED_ASYNC_CONSUME))
        })
    }

    fn size(incoming_value: u32) -> u64 {
        state().incoming.get(incoming_value).map_or(0, |v| v.len)
    }
}

impl readwrite::Guest for Adapter {
    fn get(bucket: u32, key: String) -> Result<u32, u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            match o.bucket.get(&key) {
                Ok(Some(bytes)) => st.new_incoming(bytes),
                Ok(None) => Err(trace::not_found(&key, &o.name)),
                Err(e) => Err(store_error(e, &o.name)),
            }
        })
    }

    fn set(bucket: u32, key: String, outgoing_value: u32) -> Result<(), u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            let body = st.body(outgoing_value)?;
            o.bucket
                .set(&key, body)
                .map_err(|e| store_error(e, &o.name))
        })
    }

    fn delete(bucket: u32, key: String) -> Result<(), u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            match o.bucket.exists(&key) {
                Ok(true) => o.bucket.delete(&key).map_err(|e| store_error(e, &o.name)),
                Ok(false) => Err(trace::not_found(&key, &o.name)),
                Err(e) => Err(store_error(e, &o.name)),
            }
        })
    }

    fn exists(bucket: u32, key: String) -> Result<bool, u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            o.bucket.exists(&key).map_err(|e| store_error(e, &o.name))
        })
    }
}

impl atomic::Guest for Adapter {
    fn increment(bucket: u32, key: String, delta: u64) -> Result<u64, u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            host::increment(&o.bucket, &o.name, &key, delta)
        })
    }

    fn compare_and_swap(bucket: u32, key: String, old: u64, new: u64) -> Result<bool, u32> {
        run(|st| {
            let i = st.bucket(bucket)?;
            let (enc, strict) = (st.encoding(), st.strict_atomics());
            let o = &st.opened[i];
            match host::compare_and_swap(&o.bucket, &o.name, &key, old, new, enc, strict)? {
                Swap::Swapped => Ok(true),
                Swap::Differs => Ok(false),
                // G2 reports a missing key as an error, unlike G3/G4.
                Swap::Missing => Err(trace::not_found(&key, &o.name)),
            }
        })
    }
}

impl batch::Guest for Adapter {
    fn get_many(bucket: u32, keys: Vec<String>) -> Result<Vec<u32>, u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            let found =
                kv::batch::get_many(&o.bucket, &keys).map_err(|e| store_error(e, &o.name))?;
            if let Some(i) = found.iter().position(Option::is_none) {
                let key = keys.get(i).map_or("", String::as_str);
                return Err(trace::not_found(key, &o.name));
            }
            let mut handles = Vec::with_capacity(found.len());
            for (_, bytes) in found.into_iter().flatten() {
                match st.new_incoming(bytes) {
                    Ok(h) => handles.push(h),
                    Err(t) => {
                        for h in handles {
                            st.incoming.remove(h);
                        }
                        return Err(t);
                    }
                }
            }
            Ok(handles)
        })
    }

    fn get_keys(bucket: u32) -> Vec<String> {
        let st = state();
        let Ok(i) = st.bucket(bucket) else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        // No error channel: whatever was gathered before a stop is the answer.
        let _ = host::all_keys(&st.opened[i].bucket, &mut keys);
        keys
    }

    #[cfg(feature = "front-g2")]
    fn set_many(bucket: u32, key_values: Vec<(String, u32)>) -> Result<(), u32> {
        set_pairs(bucket, key_values)
    }

    #[cfg(feature = "front-g1")]
    fn set_many(bucket: u32, keys: Vec<String>, values: Vec<(String, u32)>) -> Result<(), u32> {
        if let Some(trace) = kv_adapt_convert::g1::keys_disagree(&keys, &values) {
            return run(|_| Err(trace));
        }
        set_pairs(bucket, values)
    }

    fn delete_many(bucket: u32, keys: Vec<String>) -> Result<(), u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            kv::batch::delete_many(&o.bucket, &keys).map_err(|e| store_error(e, &o.name))
        })
    }
}

/// Writes each (key, outgoing value) pair, lending the bodies to the host; a bad handle or
/// a value without a body anywhere in the list writes nothing.
fn set_pairs(bucket: u32, key_values: Vec<(String, u32)>) -> Result<(), u32> {
    run(|st| {
        let i = st.bucket(bucket)?;
        // Check every value before writing any, so a guest mistake writes nothing.
        for (_, h) in &key_values {
            st.body(*h)?;
        }
        let (pairs, handles) = bodies::lend(&mut st.outgoing, key_values);
        let o = &st.opened[i];
        let result =
            kv::batch::set_many(&o.bucket, &pairs).map_err(|e| store_error(e, &o.name));
        bodies::restore(&mut st.outgoing, handles, pairs);
        result
    })
}
