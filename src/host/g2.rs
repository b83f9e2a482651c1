//! A strict host of late-2023 `wasi:keyvalue` (G2, unversioned, what wasmCloud 0.80/0.81
//! served), for running today's guests through the adapters onto it (`run --host g2`) and
//! G2 guests natively. No such host can be installed today.
//!
//! It follows the doc comments of each function, over a directory in the filesystem store's
//! layout or a Redis server (`crate::store::backend`):
//! - `get`, `delete` and `compare-and-swap` of a missing key are errors (`not-found`);
//!   `get-many` is an error if any key is missing; `delete-many` skips missing keys;
//!   `increment` creates a missing key at `delta`.
//! - Handles are u32 with kind and generation bits (`kv_adapt_convert::slab`), so a
//!   dropped, unknown or wrong-kind handle is a `bad-handle` error where the function has
//!   an error channel; `size` says 0, `get-keys` says `[]` and `drop-*` do nothing where
//!   it has none.
//! - An incoming value can be consumed once; an outgoing value gets one body, sync or
//!   through an output-stream, and can be set any number of times.
//! - `open-bucket`: any name opens, as in the store component. Counters are bytes in the
//!   configured encoding; `increment` and `compare-and-swap` are atomic within one process on
//!   a directory, and against every client on Redis.
//! - Errors are handles whose `trace` reads `kind: details`.

use kv_adapt_convert::counter::Encoding as CounterEncoding;
use kv_adapt_convert::slab::{Kind, Slab};
use kv_adapt_convert::trace;
use crate::store::backend::Backend;
use std::path::Path;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit/kv-adapt",
        world: "wasi:keyvalue/keyvalue",
        imports: { default: trappable },
        with: {
            "wasi:io": wasmtime_wasi::p2::bindings::sync::io,
        },
    });
}

use generated::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};

/// Outgoing bodies written through a stream may be this large.
const STREAM_BODY_LIMIT: usize = 64 << 20;

enum Body {
    None,
    Bytes(Vec<u8>),
    /// Written through an output-stream; read when the value is set.
    Stream(MemoryOutputPipe),
}

struct Incoming {
    /// Emptied when consumed; `len` keeps the value's size for `size`.
    bytes: Vec<u8>,
    len: u64,
    consumed: bool,
}

/// The store, the counter layout, and every live handle of one instance.
pub struct G2Host {
    store: Backend,
    encoding: CounterEncoding,
    buckets: Slab<String>,
    outgoing: Slab<Body>,
    incoming: Slab<Incoming>,
    errors: Slab<String>,
}

impl G2Host {
    pub fn new(root: &Path, encoding: CounterEncoding) -> G2Host {
        G2Host::on(Backend::dir(root), encoding)
    }

    /// A host over `store`, a directory or a Redis server.
    pub fn on(store: Backend, encoding: CounterEncoding) -> G2Host {
        G2Host {
            store,
            encoding,
            buckets: Slab::new(Kind::Bucket),
            outgoing: Slab::new(Kind::OutgoingValue),
            incoming: Slab::new(Kind::IncomingValue),
            errors: Slab::new(Kind::Error),
        }
    }

    /// Live handles by kind: buckets, outgoing values, incoming values, errors. A guest (or
    /// an adapter) that drops what it made leaves only its buckets.
    pub fn live_handles(&self) -> [usize; 4] {
        [self.buckets.live(), self.outgoing.live(), self.incoming.live(), self.errors.live()]
    }

    /// Handles for a watch event, owned by the guest as G2 says: a bucket handle for
    /// `bucket` and, for a set, an incoming-value handle holding the value. A full slab
    /// gives the handle that is never live, as every other insert here does.
    pub fn watch_event(&mut self, bucket: &str, value: Option<Vec<u8>>) -> (u32, Option<u32>) {
        let bucket = self.buckets.insert(bucket.to_string()).unwrap_or_else(|_| kv_adapt_convert::slab::overflow(Kind::Bucket));
        let value = value.map(|bytes| {
            let len = bytes.len() as u64;
            self.incoming
                .insert(Incoming { bytes, len, consumed: false })
                .unwrap_or_else(|_| kv_adapt_convert::slab::overflow(Kind::IncomingValue))
        });
        (bucket, value)
    }

    /// An error handle holding `trace`; when the slab is full, the handle that says so.
    fn error(&mut self, trace: String) -> u32 {
        self.errors.insert(trace).unwrap_or_else(|_| kv_adapt_convert::slab::overflow(Kind::Error))
    }

    fn answer<T>(&mut self, outcome: Result<T, String>) -> wasmtime::Result<Result<T, u32>> {
        Ok(outcome.map_err(|trace| self.error(trace)))
    }

    fn bucket(&self, h: u32) -> Result<String, String> {
        self.buckets.get(h).cloned().map_err(|m| trace::bad_handle(Kind::Bucket, h, m))
    }

    fn body(&self, h: u32) -> Result<Vec<u8>, String> {
        match self.outgoing.get(h).map_err(|m| trace::bad_handle(Kind::OutgoingValue, h, m))? {
            Body::None => Err(trace::no_body(h)),
            Body::Bytes(bytes) => Ok(bytes.clone()),
            Body::Stream(pipe) => Ok(pipe.contents().to_vec()),
        }
    }

    fn start_body(&mut self, h: u32, body: Body) -> Result<(), String> {
        let slot = self.outgoing.get_mut(h).map_err(|m| trace::bad_handle(Kind::OutgoingValue, h, m))?;
        match slot {
            Body::None => {
                *slot = body;
                Ok(())
            }
            Body::Bytes(_) | Body::Stream(_) => Err(trace::body_already_written(h)),
        }
    }

    fn new_incoming(&mut self, bytes: Vec<u8>) -> Result<u32, String> {
        self.incoming.insert(Incoming { len: bytes.len() as u64, bytes, consumed: false }).map_err(|_| trace::too_many(Kind::IncomingValue))
    }

    fn consume(&mut self, h: u32) -> Result<Vec<u8>, String> {
        let value = self.incoming.get_mut(h).map_err(|m| trace::bad_handle(Kind::IncomingValue, h, m))?;
        if value.consumed {
            return Err(trace::already_consumed(h));
        }
        value.consumed = true;
        Ok(std::mem::take(&mut value.bytes))
    }

    fn get(&mut self, bucket: u32, key: &str) -> Result<u32, String> {
        let name = self.bucket(bucket)?;
        match self.store.read(&name, key)? {
            Some(bytes) => self.new_incoming(bytes),
            None => Err(trace::not_found(key, &name)),
        }
    }
}

/// The host's view of one instance: its G2 state and the resource table streams live in.
pub struct G2View<'a> {
    pub host: &'a mut G2Host,
    pub table: &'a mut ResourceTable,
}

struct HasG2;

impl HasData for HasG2 {
    type Data<'a> = G2View<'a>;
}

/// Serves G2 to instances in `linker`.
pub fn add_to_linker<T: Send + 'static>(linker: &mut Linker<T>, view: fn(&mut T) -> G2View<'_>) -> wasmtime::Result<()> {
    wasi_cloud_error::add_to_linker::<T, HasG2>(linker, view)?;
    types::add_to_linker::<T, HasG2>(linker, view)?;
    readwrite::add_to_linker::<T, HasG2>(linker, view)?;
    atomic::add_to_linker::<T, HasG2>(linker, view)?;
    batch::add_to_linker::<T, HasG2>(linker, view)?;
    Ok(())
}

type Answer<T> = wasmtime::Result<Result<T, u32>>;

impl wasi_cloud_error::Host for G2View<'_> {
    fn drop_error(&mut self, error: u32) -> wasmtime::Result<()> {
        self.host.errors.remove(error);
        Ok(())
    }

    fn trace(&mut self, error: u32) -> wasmtime::Result<String> {
        if error == kv_adapt_convert::slab::overflow(Kind::Error) {
            return Ok(trace::TOO_MANY_ERRORS.into());
        }
        Ok(self.host.errors.get(error).cloned().unwrap_or_else(|_| trace::dead_error(error)))
    }
}

impl types::Host for G2View<'_> {
    fn drop_bucket(&mut self, bucket: u32) -> wasmtime::Result<()> {
        self.host.buckets.remove(bucket);
        Ok(())
    }

    fn open_bucket(&mut self, name: String) -> Answer<u32> {
        let opened = self.host.buckets.insert(name).map_err(|_| trace::too_many(Kind::Bucket));
        self.host.answer(opened)
    }

    fn drop_outgoing_value(&mut self, value: u32) -> wasmtime::Result<()> {
        self.host.outgoing.remove(value);
        Ok(())
    }

    fn new_outgoing_value(&mut self) -> wasmtime::Result<u32> {
        Ok(self.host.outgoing.insert(Body::None).unwrap_or_else(|_| kv_adapt_convert::slab::overflow(Kind::OutgoingValue)))
    }

    fn outgoing_value_write_body_async(&mut self, value: u32) -> Answer<Resource<DynOutputStream>> {
        let pipe = MemoryOutputPipe::new(STREAM_BODY_LIMIT);
        match self.host.start_body(value, Body::Stream(pipe.clone())) {
            Ok(()) => Ok(Ok(self.table.push(Box::new(pipe) as DynOutputStream)?)),
            Err(trace) => Ok(Err(self.host.error(trace))),
        }
    }

    fn outgoing_value_write_body_sync(&mut self, value: u32, body: Vec<u8>) -> Answer<()> {
        let started = self.host.start_body(value, Body::Bytes(body));
        self.host.answer(started)
    }

    fn drop_incoming_value(&mut self, value: u32) -> wasmtime::Result<()> {
        self.host.incoming.remove(value);
        Ok(())
    }

    fn incoming_value_consume_sync(&mut self, value: u32) -> Answer<Vec<u8>> {
        let bytes = self.host.consume(value);
        self.host.answer(bytes)
    }

    fn incoming_value_consume_async(&mut self, value: u32) -> Answer<Resource<DynInputStream>> {
        match self.host.consume(value) {
            Ok(bytes) => Ok(Ok(self.table.push(Box::new(MemoryInputPipe::new(bytes)) as DynInputStream)?)),
            Err(trace) => Ok(Err(self.host.error(trace))),
        }
    }

    fn size(&mut self, value: u32) -> wasmtime::Result<u64> {
        // A value's size is the size of what was stored, consumed or not (found by
        // tests/differential.rs: it used to drop to 0 once the body was taken).
        Ok(self.host.incoming.get(value).map_or(0, |v| v.len))
    }
}

impl readwrite::Host for G2View<'_> {
    fn get(&mut self, bucket: u32, key: String) -> Answer<u32> {
        let got = self.host.get(bucket, &key);
        self.host.answer(got)
    }

    fn set(&mut self, bucket: u32, key: String, value: u32) -> Answer<()> {
        let host = &*self.host;
        let written = host.bucket(bucket).and_then(|name| {
            let body = host.body(value)?;
            host.store.write(&name, &key, &body)
        });
        self.host.answer(written)
    }

    fn delete(&mut self, bucket: u32, key: String) -> Answer<()> {
        let host = &*self.host;
        let removed = host.bucket(bucket).and_then(|name| match host.store.read(&name, &key)? {
            Some(_) => host.store.remove(&name, &key),
            None => Err(trace::not_found(&key, &name)),
        });
        self.host.answer(removed)
    }

    fn exists(&mut self, bucket: u32, key: String) -> Answer<bool> {
        let host = &*self.host;
        let found = host.bucket(bucket).and_then(|name| host.store.exists(&name, &key));
        self.host.answer(found)
    }
}

impl atomic::Host for G2View<'_> {
    fn increment(&mut self, bucket: u32, key: String, delta: u64) -> Answer<u64> {
        let host = &*self.host;
        let value = host.bucket(bucket).and_then(|name| host.store.increment(host.encoding, &name, &key, delta));
        self.host.answer(value)
    }

    fn compare_and_swap(&mut self, bucket: u32, key: String, old: u64, new: u64) -> Answer<bool> {
        let host = &*self.host;
        let swapped = host.bucket(bucket).and_then(|name| {
            host.store.compare_and_swap(host.encoding, &name, &key, old, new)?
                .ok_or_else(|| trace::not_found(&key, &name))
        });
        self.host.answer(swapped)
    }
}

impl batch::Host for G2View<'_> {
    fn get_many(&mut self, bucket: u32, keys: Vec<String>) -> Answer<Vec<u32>> {
        // The bucket is checked even when no key is asked for (found by tests/differential.rs).
        if let Err(trace) = self.host.bucket(bucket) {
            return Ok(Err(self.host.error(trace)));
        }
        let mut handles = Vec::with_capacity(keys.len());
        for key in &keys {
            match self.host.get(bucket, key) {
                Ok(h) => handles.push(h),
                Err(trace) => {
                    for h in handles {
                        self.host.incoming.remove(h);
                    }
                    return Ok(Err(self.host.error(trace)));
                }
            }
        }
        Ok(Ok(handles))
    }

    fn get_keys(&mut self, bucket: u32) -> wasmtime::Result<Vec<String>> {
        // No error channel: a bad handle or a failed listing is the empty list.
        let host = &*self.host;
        Ok(host.bucket(bucket).and_then(|name| host.store.keys(&name)).unwrap_or_default())
    }

    fn set_many(&mut self, bucket: u32, key_values: Vec<(String, u32)>) -> Answer<()> {
        let host = &*self.host;
        let written = host.bucket(bucket).and_then(|name| {
            // Every value is checked before anything is written.
            let bodies = key_values.iter().map(|(key, h)| host.body(*h).map(|body| (key, body))).collect::<Result<Vec<_>, _>>()?;
            bodies.iter().try_for_each(|(key, body)| host.store.write(&name, key, body))
        });
        self.host.answer(written)
    }

    fn delete_many(&mut self, bucket: u32, keys: Vec<String>) -> Answer<()> {
        let host = &*self.host;
        let removed = host
            .bucket(bucket)
            .and_then(|name| keys.iter().try_for_each(|key| host.store.remove(&name, key)));
        self.host.answer(removed)
    }
}
