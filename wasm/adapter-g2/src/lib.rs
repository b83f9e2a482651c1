//! Serves late-2023 `wasi:keyvalue` (G2: `types`, `readwrite`, `atomic`, `batch`,
//! `wasi-cloud-error`, u32 handles) to a guest, over a host that speaks
//! `wasi:keyvalue@0.2.0-draft` (G5, feature `g5`) or `@0.2.0-draft2` (G6, feature `g6`).
//! With feature `io` the adapter also exports `wasi:io@0.2.0-rc-2023-11-10` and serves
//! value-body streams from memory; without it, wasi:io belongs to the host and async bodies
//! are refused with an `unsupported` error that says to use the sync functions.
//!
//! Lossy or differing from a native G2 host:
//! - G5 has no compare-and-swap: `compare-and-swap` is get, decode, compare, set, which
//!   is NOT atomic; a concurrent writer between the get and the set can be overwritten.
//! - Counters are bytes in the configured encoding (`kv-adapt:components/config`); a value
//!   in another layout is a `bad-value` error. G6 counters are signed 64-bit: a delta above
//!   `i64::MAX` or a negative result is a `bad-value` error.
//! - `get-keys` has no error channel: a bad bucket handle gives an empty list, a host error
//!   while paging gives the keys gathered so far.
//! - `delete` of a missing key is an error as G2 says, found by `exists` first; a concurrent
//!   delete between the two is not noticed.
//! - A host bucket is opened once per name and kept for the adapter's lifetime (wasmtime
//!   gives every `open` its own copy of the data); G2 handles only refer to it.
//! - Handles are u32 with kind and generation bits (see `kv_adapt_convert::slab`): a
//!   dropped, unknown or wrong-kind handle is a `bad-handle` error where G2 has an error
//!   channel; `size` says 0, `drop-*` do nothing. When the slab of outgoing values is full,
//!   `new-outgoing-value` returns a handle that is never live.

// no_std on wasm so that neither std's allocator nor its panic formatting is linked in;
// see `heap`. A host build (e.g. `cargo check`) keeps std.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::paging::{self, Next};
use kv_adapt_convert::slab::{self, Kind, Slab};
use kv_adapt_convert::trace::{self, HostError};

#[cfg(not(any(feature = "g5", feature = "g6")))]
compile_error!("enable exactly one of the features `g5` and `g6`");
#[cfg(all(feature = "g5", feature = "g6"))]
compile_error!("enable exactly one of the features `g5` and `g6`");

macro_rules! bindings {
    ($world:literal) => {
        wit_bindgen::generate!({
            path: "../../wit/kv-adapt",
            world: $world,
            generate_all,
        });
    };
}

#[cfg(all(feature = "g5", not(feature = "g6"), not(feature = "io")))]
bindings!("kv-adapt:components/g2-on-g5");
#[cfg(all(feature = "g5", not(feature = "g6"), feature = "io"))]
bindings!("kv-adapt:components/g2-on-g5-io");
#[cfg(all(feature = "g6", not(feature = "g5"), not(feature = "io")))]
bindings!("kv-adapt:components/g2-on-g6");
#[cfg(all(feature = "g6", not(feature = "g5"), feature = "io"))]
bindings!("kv-adapt:components/g2-on-g6-io");

#[cfg(feature = "g5")]
use wasi::keyvalue0_2_0_draft as kv;
#[cfg(feature = "g6")]
use wasi::keyvalue0_2_0_draft2 as kv;

#[cfg(target_arch = "wasm32")]
mod heap;
mod host;
#[cfg(feature = "io")]
mod io;

/// Panics only come from broken invariants inside the adapter (guest mistakes are
/// errors), so a trap without a message is enough.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

use exports::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};

/// A host bucket, opened once for its name.
struct Opened {
    name: String,
    bucket: kv::store::Bucket,
}

struct Incoming {
    /// Emptied when consumed; `len` remembers the size.
    bytes: Vec<u8>,
    len: u64,
    consumed: bool,
}

struct State {
    opened: Vec<Opened>,
    /// G2 bucket handle -> index in `opened`.
    buckets: Slab<usize>,
    /// `None` until a body is written.
    outgoing: Slab<Option<Vec<u8>>>,
    incoming: Slab<Incoming>,
    /// Trace texts.
    errors: Slab<String>,
    encoding: Option<Encoding>,
}

struct Global(UnsafeCell<State>);

// SAFETY: wasm32 without threads, and the component model never re-enters a component,
// so exactly one export runs at a time.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(State {
    opened: Vec::new(),
    buckets: Slab::new(Kind::Bucket),
    outgoing: Slab::new(Kind::OutgoingValue),
    incoming: Slab::new(Kind::IncomingValue),
    errors: Slab::new(Kind::Error),
    encoding: None,
}));

/// The adapter's state. Called once at the top of each export and never while a previous
/// result is alive, so the `&mut` is unique.
fn state() -> &'static mut State {
    // SAFETY: see `Global`; exports do not call each other.
    unsafe { &mut *STATE.0.get() }
}

/// Trace text of a host error on bucket `name`.
pub(crate) fn store_error(e: kv::store::Error, name: &str) -> String {
    let e = match &e {
        kv::store::Error::NoSuchStore => HostError::NoSuchStore,
        kv::store::Error::AccessDenied => HostError::AccessDenied,
        kv::store::Error::Other(text) => HostError::Other(text),
    };
    trace::host_error(e, name)
}

impl State {
    /// A new G2 error handle holding `trace`.
    fn error(&mut self, trace: String) -> u32 {
        self.errors
            .insert(trace)
            .unwrap_or_else(|_| slab::overflow(Kind::Error))
    }

    /// Index in `opened` of the host bucket behind G2 handle `h`.
    fn bucket(&self, h: u32) -> Result<usize, String> {
        self.buckets
            .get(h)
            .copied()
            .map_err(|m| trace::bad_handle(Kind::Bucket, h, m))
    }

    fn encoding(&mut self) -> Encoding {
        *self.encoding.get_or_insert_with(|| {
            use kv_adapt::components::config::{encoding, CounterEncoding};
            match encoding() {
                CounterEncoding::Decimal => Encoding::Decimal,
                CounterEncoding::Le64 => Encoding::Le64,
                CounterEncoding::Be64 => Encoding::Be64,
            }
        })
    }

    fn new_incoming(&mut self, bytes: Vec<u8>) -> Result<u32, String> {
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
    fn body(&self, h: u32) -> Result<&Vec<u8>, String> {
        match self.outgoing.get(h) {
            Ok(Some(body)) => Ok(body),
            Ok(None) => Err(trace::no_body(h)),
            Err(m) => Err(trace::bad_handle(Kind::OutgoingValue, h, m)),
        }
    }

    /// Claims incoming value `h` for consumption; the caller takes the bytes.
    fn consume(&mut self, h: u32) -> Result<Vec<u8>, String> {
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
    fn start_body(&mut self, h: u32, bytes: Vec<u8>) -> Result<(), String> {
        let body = self
            .outgoing
            .get_mut(h)
            .map_err(|m| trace::bad_handle(Kind::OutgoingValue, h, m))?;
        if body.is_some() {
            return Err(trace::body_already_written(h));
        }
        *body = Some(bytes);
        Ok(())
    }
}

/// Runs `f` on the state, turning its error text into a G2 error handle.
fn run<T>(f: impl FnOnce(&mut State) -> Result<T, String>) -> Result<T, u32> {
    let st = state();
    f(st).map_err(|t| st.error(t))
}

struct Adapter;

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

impl types::Guest for Adapter {
    fn drop_bucket(bucket: u32) {
        state().buckets.remove(bucket);
    }

    fn open_bucket(name: String) -> Result<u32, u32> {
        run(|st| {
            let index = match st.opened.iter().position(|o| o.name == name) {
                Some(i) => i,
                None => {
                    let bucket = kv::store::open(&name).map_err(|e| store_error(e, &name))?;
                    st.opened.push(Opened { name, bucket });
                    st.opened.len() - 1
                }
            };
            st.buckets
                .insert(index)
                .map_err(|_| trace::too_many(Kind::Bucket))
        })
    }

    fn drop_outgoing_value(outgoing_value: u32) {
        state().outgoing.remove(outgoing_value);
    }

    fn new_outgoing_value() -> u32 {
        state()
            .outgoing
            .insert(None)
            .unwrap_or_else(|_| slab::overflow(Kind::OutgoingValue))
    }

    #[cfg(feature = "io")]
    fn outgoing_value_write_body_async(h: u32) -> Result<types::OutgoingValueBodyAsync, u32> {
        run(|st| st.start_body(h, Vec::new()))?;
        Ok(io::output_stream(h))
    }

    #[cfg(not(feature = "io"))]
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

    #[cfg(feature = "io")]
    fn incoming_value_consume_async(h: u32) -> Result<types::IncomingValueAsyncBody, u32> {
        let bytes = run(|st| st.consume(h))?;
        Ok(io::input_stream(bytes))
    }

    #[cfg(not(feature = "io"))]
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
            let enc = st.encoding();
            let o = &st.opened[i];
            host::compare_and_swap(&o.bucket, &o.name, &key, old, new, enc)
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
        let b = &st.opened[i].bucket;
        let mut keys = Vec::new();
        let mut cursor: Option<host::Cursor> = None;
        loop {
            let Ok(page) = host::list_page(b, cursor.as_ref()) else {
                return keys;
            };
            if keys.is_empty() {
                keys = page.keys;
            } else {
                keys.extend(page.keys);
            }
            match paging::next(cursor.as_ref(), page.cursor) {
                Next::Fetch(c) => cursor = Some(c),
                Next::Done | Next::Stuck => return keys,
            }
        }
    }

    fn set_many(bucket: u32, key_values: Vec<(String, u32)>) -> Result<(), u32> {
        run(|st| {
            let i = st.bucket(bucket)?;
            // Check every value before writing any, so a guest mistake writes nothing.
            for (_, h) in &key_values {
                st.body(*h)?;
            }
            // Lend the bodies to the host call instead of copying them, and put them back
            // after; a value named twice is lent once and copied for the later pair.
            let (keys, handles): (Vec<String>, Vec<u32>) = key_values.into_iter().unzip();
            let mut pairs: Vec<(String, Vec<u8>)> = Vec::with_capacity(keys.len());
            for (n, key) in keys.into_iter().enumerate() {
                let h = handles[n];
                let body = match st.outgoing.get_mut(h) {
                    Ok(slot @ Some(_)) => slot.take().unwrap_or_default(),
                    Ok(None) | Err(_) => {
                        let first = handles[..n].iter().position(|e| *e == h);
                        first.map(|f| pairs[f].1.clone()).unwrap_or_default()
                    }
                };
                pairs.push((key, body));
            }
            let o = &st.opened[i];
            let result =
                kv::batch::set_many(&o.bucket, &pairs).map_err(|e| store_error(e, &o.name));
            for (h, (_, body)) in handles.into_iter().zip(pairs) {
                if let Ok(slot @ None) = st.outgoing.get_mut(h) {
                    *slot = Some(body);
                }
            }
            result
        })
    }

    fn delete_many(bucket: u32, keys: Vec<String>) -> Result<(), u32> {
        run(|st| {
            let o = &st.opened[st.bucket(bucket)?];
            kv::batch::delete_many(&o.bucket, &keys).map_err(|e| store_error(e, &o.name))
        })
    }
}

export!(Adapter);
