//! A strict host of the early-2024 eventual shape: G3 (`wasi:keyvalue@0.1.0`, what
//! wasmCloud 0.82 served) and G4 (`@0.2.0-draft` eventual, which no host ships). No such
//! host can be installed today, so kv-adapt serves one to run today's guests through the
//! adapters onto it (`run --host g3|g4`), and G3/G4 guests natively.
//!
//! It follows the doc comments of each function, over a directory in the filesystem store's
//! layout or a Redis server (`crate::store::backend`):
//! - `open-bucket`: any name opens (a bucket's directory appears on its first write), as in
//!   the store component, so that every generation sees one set of buckets.
//! - `get` of a missing key is `none`; `delete` of a missing key succeeds; `get-many` gives
//!   `none` for a missing key.
//! - `increment` creates a missing key at `delta`; `compare-and-swap` of a missing key is
//!   `ok(false)`; counters are bytes in the configured encoding, and a value in another
//!   layout is an error that leaves it unchanged. Both are atomic within this process on a
//!   directory, and against every client on Redis.
//! - Bodies: `outgoing-value-write-body-sync` and `-async` give a value its body once; a
//!   second body is an error. `set` of a value without a body is an error. The consume
//!   functions take ownership, as the signatures say.
//! - Errors are `error` resources whose `trace` reads `kind: details`.

use kv_adapt_convert::counter::Encoding as CounterEncoding;
use crate::store::backend::Backend;
use std::path::Path;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};

/// Where the data lives and how counters are laid out.
pub struct EventualCtx {
    store: Backend,
    encoding: CounterEncoding,
}

impl EventualCtx {
    pub fn new(root: &Path, encoding: CounterEncoding) -> EventualCtx {
        EventualCtx::on(Backend::dir(root), encoding)
    }

    /// A host over `store`, a directory or a Redis server.
    pub fn on(store: Backend, encoding: CounterEncoding) -> EventualCtx {
        EventualCtx { store, encoding }
    }
}

/// The host's view of one store: its context and the instance's resource table.
pub struct EventualView<'a> {
    pub ctx: &'a EventualCtx,
    pub table: &'a mut ResourceTable,
}

pub struct BucketRep {
    name: String,
}

impl BucketRep {
    /// The bucket a watch event happened in, handed to the guest's `handle-watch`.
    pub fn named(name: &str) -> BucketRep {
        BucketRep { name: name.to_string() }
    }
}

pub struct OutgoingRep {
    body: Body,
}

enum Body {
    None,
    Bytes(Vec<u8>),
    /// Written through an output-stream; read when the value is set.
    Stream(MemoryOutputPipe),
}

pub struct IncomingRep {
    bytes: Vec<u8>,
}

impl IncomingRep {
    /// The value of a set event, lent to the guest's `handle-watch`.
    pub fn holding(bytes: Vec<u8>) -> IncomingRep {
        IncomingRep { bytes }
    }
}

pub struct ErrorRep {
    trace: String,
}

/// Outgoing bodies written through a stream may be this large.
const STREAM_BODY_LIMIT: usize = 64 << 20;

type Outcome<T> = Result<T, String>;

impl EventualView<'_> {
    fn error(&mut self, trace: String) -> wasmtime::Result<Resource<ErrorRep>> {
        Ok(self.table.push(ErrorRep { trace })?)
    }

    /// `Ok(Ok(v))`, or the trace as an `error` resource.
    fn answer<T>(&mut self, outcome: Outcome<T>) -> wasmtime::Result<Result<T, Resource<ErrorRep>>> {
        match outcome {
            Ok(v) => Ok(Ok(v)),
            Err(trace) => Ok(Err(self.error(trace)?)),
        }
    }

    fn bucket_name(&self, bucket: &Resource<BucketRep>) -> wasmtime::Result<String> {
        Ok(self.table.get(bucket)?.name.clone())
    }

    fn incoming(&mut self, bytes: Vec<u8>) -> wasmtime::Result<Resource<IncomingRep>> {
        Ok(self.table.push(IncomingRep { bytes })?)
    }

    /// The body of an outgoing value, which must have one.
    fn body(&self, value: &Resource<OutgoingRep>) -> wasmtime::Result<Outcome<Vec<u8>>> {
        Ok(match &self.table.get(value)?.body {
            Body::None => Err("bad-handle: the outgoing-value has no body yet; write one with \
                               outgoing-value-write-body-sync or -async first"
                .into()),
            Body::Bytes(bytes) => Ok(bytes.clone()),
            Body::Stream(pipe) => Ok(pipe.contents().to_vec()),
        })
    }

    fn start_body(&mut self, value: &Resource<OutgoingRep>, body: Body) -> wasmtime::Result<Outcome<()>> {
        let rep = self.table.get_mut(value)?;
        Ok(match rep.body {
            Body::None => {
                rep.body = body;
                Ok(())
            }
            Body::Bytes(_) | Body::Stream(_) => Err("bad-handle: the outgoing-value already has a body".into()),
        })
    }
}

struct HasEventual;

impl HasData for HasEventual {
    type Data<'a> = EventualView<'a>;
}

/// One strict host per version of the shape: the bindings differ only in their names.
macro_rules! eventual_host {
    ($module:ident, $world:literal, $bucket:literal, $outgoing:literal, $incoming:literal, $error:literal, $kv:ident) => {
        pub mod $module {
            use super::*;

            mod generated {
                wasmtime::component::bindgen!({
                    path: "wit/kv-adapt",
                    world: $world,
                    imports: { default: trappable },
                    with: {
                        "wasi:io": wasmtime_wasi::p2::bindings::sync::io,
                        $bucket: crate::host::eventual::BucketRep,
                        $outgoing: crate::host::eventual::OutgoingRep,
                        $incoming: crate::host::eventual::IncomingRep,
                        $error: crate::host::eventual::ErrorRep,
                    },
                });
            }

            use generated::wasi::$kv::{atomic, eventual, eventual_batch, types, wasi_keyvalue_error};
            use wasmtime_wasi::p2::{DynInputStream, DynOutputStream};

            type Answer<T> = wasmtime::Result<Result<T, Resource<ErrorRep>>>;

            /// Serves this version's interfaces to instances in `linker`.
            pub fn add_to_linker<T: Send + 'static>(
                linker: &mut Linker<T>,
                view: fn(&mut T) -> EventualView<'_>,
            ) -> wasmtime::Result<()> {
                types::add_to_linker::<T, HasEventual>(linker, view)?;
                wasi_keyvalue_error::add_to_linker::<T, HasEventual>(linker, view)?;
                eventual::add_to_linker::<T, HasEventual>(linker, view)?;
                atomic::add_to_linker::<T, HasEventual>(linker, view)?;
                eventual_batch::add_to_linker::<T, HasEventual>(linker, view)?;
                Ok(())
            }

            impl wasi_keyvalue_error::Host for EventualView<'_> {}

            impl wasi_keyvalue_error::HostError for EventualView<'_> {
                fn trace(&mut self, error: Resource<ErrorRep>) -> wasmtime::Result<String> {
                    Ok(self.table.get(&error)?.trace.clone())
                }

                fn drop(&mut self, error: Resource<ErrorRep>) -> wasmtime::Result<()> {
                    self.table.delete(error)?;
                    Ok(())
                }
            }

            impl types::Host for EventualView<'_> {}

            impl types::HostBucket for EventualView<'_> {
                fn open_bucket(&mut self, name: String) -> Answer<Resource<BucketRep>> {
                    Ok(Ok(self.table.push(BucketRep { name })?))
                }

                fn drop(&mut self, bucket: Resource<BucketRep>) -> wasmtime::Result<()> {
                    self.table.delete(bucket)?;
                    Ok(())
                }
            }

            impl types::HostOutgoingValue for EventualView<'_> {
                fn new_outgoing_value(&mut self) -> wasmtime::Result<Resource<OutgoingRep>> {
                    Ok(self.table.push(OutgoingRep { body: Body::None })?)
                }

                fn outgoing_value_write_body_async(
                    &mut self,
                    value: Resource<OutgoingRep>,
                ) -> Answer<Resource<DynOutputStream>> {
                    let pipe = MemoryOutputPipe::new(STREAM_BODY_LIMIT);
                    let started = self.start_body(&value, Body::Stream(pipe.clone()))?;
                    let started = match started {
                        Ok(()) => Ok(self.table.push(Box::new(pipe) as DynOutputStream)?),
                        Err(trace) => Err(trace),
                    };
                    self.answer(started)
                }

                fn outgoing_value_write_body_sync(&mut self, value: Resource<OutgoingRep>, body: Vec<u8>) -> Answer<()> {
                    let started = self.start_body(&value, Body::Bytes(body))?;
                    self.answer(started)
                }

                fn drop(&mut self, value: Resource<OutgoingRep>) -> wasmtime::Result<()> {
                    self.table.delete(value)?;
                    Ok(())
                }
            }

            impl types::HostIncomingValue for EventualView<'_> {
                fn incoming_value_consume_sync(&mut self, value: Resource<IncomingRep>) -> Answer<Vec<u8>> {
                    Ok(Ok(self.table.delete(value)?.bytes))
                }

                fn incoming_value_consume_async(&mut self, value: Resource<IncomingRep>) -> Answer<Resource<DynInputStream>> {
                    let bytes = self.table.delete(value)?.bytes;
                    Ok(Ok(self.table.push(Box::new(MemoryInputPipe::new(bytes)) as DynInputStream)?))
                }

                fn incoming_value_size(&mut self, value: Resource<IncomingRep>) -> Answer<u64> {
                    Ok(Ok(self.table.get(&value)?.bytes.len() as u64))
                }

                fn drop(&mut self, value: Resource<IncomingRep>) -> wasmtime::Result<()> {
                    self.table.delete(value)?;
                    Ok(())
                }
            }

            impl eventual::Host for EventualView<'_> {
                fn get(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<Option<Resource<IncomingRep>>> {
                    let name = self.bucket_name(&bucket)?;
                    match self.ctx.store.read(&name, &key) {
                        Ok(Some(bytes)) => Ok(Ok(Some(self.incoming(bytes)?))),
                        Ok(None) => Ok(Ok(None)),
                        Err(trace) => Ok(Err(self.error(trace)?)),
                    }
                }

                fn set(&mut self, bucket: Resource<BucketRep>, key: String, value: Resource<OutgoingRep>) -> Answer<()> {
                    let name = self.bucket_name(&bucket)?;
                    let written = self.body(&value)?.and_then(|body| self.ctx.store.write(&name, &key, &body));
                    self.answer(written)
                }

                fn delete(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<()> {
                    let name = self.bucket_name(&bucket)?;
                    let removed = self.ctx.store.remove(&name, &key);
                    self.answer(removed)
                }

                fn exists(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<bool> {
                    let name = self.bucket_name(&bucket)?;
                    let found = self.ctx.store.exists(&name, &key);
                    self.answer(found)
                }
            }

            impl atomic::Host for EventualView<'_> {
                fn increment(&mut self, bucket: Resource<BucketRep>, key: String, delta: u64) -> Answer<u64> {
                    let name = self.bucket_name(&bucket)?;
                    let value = self.ctx.store.increment(self.ctx.encoding, &name, &key, delta);
                    self.answer(value)
                }

                fn compare_and_swap(&mut self, bucket: Resource<BucketRep>, key: String, old: u64, new: u64) -> Answer<bool> {
                    let name = self.bucket_name(&bucket)?;
                    // A missing key is `ok(false)` in this shape.
                    let swapped = self.ctx.store.compare_and_swap(self.ctx.encoding, &name, &key, old, new)
                        .map(|swapped| swapped.unwrap_or(false));
                    self.answer(swapped)
                }
            }

            impl eventual_batch::Host for EventualView<'_> {
                fn get_many(&mut self, bucket: Resource<BucketRep>, keys: Vec<String>) -> Answer<Vec<Option<Resource<IncomingRep>>>> {
                    let name = self.bucket_name(&bucket)?;
                    let mut found = Vec::with_capacity(keys.len());
                    for key in &keys {
                        match self.ctx.store.read(&name, key) {
                            Ok(Some(bytes)) => found.push(Some(self.incoming(bytes)?)),
                            Ok(None) => found.push(None),
                            Err(trace) => {
                                for value in found.into_iter().flatten() {
                                    self.table.delete(value)?;
                                }
                                return Ok(Err(self.error(trace)?));
                            }
                        }
                    }
                    Ok(Ok(found))
                }

                fn keys(&mut self, bucket: Resource<BucketRep>) -> Answer<Vec<String>> {
                    let name = self.bucket_name(&bucket)?;
                    let keys = self.ctx.store.keys(&name);
                    self.answer(keys)
                }

                fn set_many(&mut self, bucket: Resource<BucketRep>, key_values: Vec<(String, Resource<OutgoingRep>)>) -> Answer<()> {
                    let name = self.bucket_name(&bucket)?;
                    // Every body is checked before anything is written.
                    let mut bodies = Vec::with_capacity(key_values.len());
                    for (key, value) in &key_values {
                        match self.body(value)? {
                            Ok(body) => bodies.push((key, body)),
                            Err(trace) => return Ok(Err(self.error(trace)?)),
                        }
                    }
                    let written = bodies.iter().try_for_each(|(key, body)| self.ctx.store.write(&name, key, body));
                    self.answer(written)
                }

                fn delete_many(&mut self, bucket: Resource<BucketRep>, keys: Vec<String>) -> Answer<()> {
                    let name = self.bucket_name(&bucket)?;
                    let removed = keys.iter().try_for_each(|key| self.ctx.store.remove(&name, key));
                    self.answer(removed)
                }
            }
        }
    };
}

eventual_host!(
    g3,
    "wasi:keyvalue/imports@0.1.0",
    "wasi:keyvalue/types@0.1.0.bucket",
    "wasi:keyvalue/types@0.1.0.outgoing-value",
    "wasi:keyvalue/types@0.1.0.incoming-value",
    "wasi:keyvalue/wasi-keyvalue-error@0.1.0.error",
    keyvalue0_1_0
);
eventual_host!(
    g4,
    "wasi:keyvalue/eventual-imports@0.2.0-draft",
    "wasi:keyvalue/types@0.2.0-draft.bucket",
    "wasi:keyvalue/types@0.2.0-draft.outgoing-value",
    "wasi:keyvalue/types@0.2.0-draft.incoming-value",
    "wasi:keyvalue/wasi-keyvalue-error@0.2.0-draft.error",
    keyvalue0_2_0_draft
);
