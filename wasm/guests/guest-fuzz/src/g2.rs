//! G2 (and G1, feature `g1`): u32 handles, and every handle mistake an op asks for. A slot
//! holds whatever handle the guest received, of any kind; an op naming a slot passes that
//! number whether it is still live or of the kind the call wants, which is the point.
//!
//! G1 differs in two calls only: a body is written through G1's own stream
//! (`outgoing-value-write-body`, whose failure has no error handle: `G1_STREAM_ERROR`), and
//! `set-many` names each key twice.

#[cfg(feature = "g1")]
use crate::{atomic, batch, readwrite, streams, types, wasi_cloud_error};
#[cfg(feature = "g2")]
use crate::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};
#[cfg(feature = "g1")]
use guest_support::fuzz::G1_STREAM_ERROR;
use guest_support::fuzz::{kind_of, Op, Outcome, MADE_UP_HANDLE};

/// Writes `body` as outgoing value `o`'s one body.
#[cfg(feature = "g2")]
fn write_body(o: u32, body: &[u8]) -> Result<(), Result<wasi_cloud_error::Error, Outcome>> {
    types::outgoing_value_write_body_sync(o, body).map_err(Ok)
}

/// G1: through the value's body stream, which takes every byte at once from the adapter.
#[cfg(feature = "g1")]
fn write_body(o: u32, body: &[u8]) -> Result<(), Result<wasi_cloud_error::Error, Outcome>> {
    let stream_error = || Err(Outcome::Error(G1_STREAM_ERROR.into()));
    let Ok(stream) = types::outgoing_value_write_body(o) else { return Err(stream_error()) };
    let written = streams::write(stream, body);
    streams::drop_output_stream(stream);
    match written {
        Ok(n) if n == body.len() as u64 => Ok(()),
        Ok(_) | Err(()) => Err(stream_error()),
    }
}

#[cfg(feature = "g2")]
fn set_many(b: u32, values: &[(String, u32)]) -> Result<(), wasi_cloud_error::Error> {
    batch::set_many(b, values)
}

/// G1 names each key twice; the guest passes the same keys, as a G1 program would.
#[cfg(feature = "g1")]
fn set_many(b: u32, values: &[(String, u32)]) -> Result<(), wasi_cloud_error::Error> {
    let keys: Vec<String> = values.iter().map(|(k, _)| k.clone()).collect();
    batch::set_many(b, &keys, values)
}

#[derive(Default)]
pub struct Guest {
    handles: Vec<u32>,
}

/// Reads and frees an error handle the guest will not name again.
fn taken(e: wasi_cloud_error::Error) -> Outcome {
    let kind = kind_of(&wasi_cloud_error::trace(e));
    wasi_cloud_error::drop_error(e);
    Outcome::Error(kind)
}

impl Guest {
    fn h(&self, slot: u32) -> u32 {
        if slot >= MADE_UP_HANDLE {
            return slot;
        }
        self.handles.get(slot as usize).copied().unwrap_or(slot)
    }

    /// Keeps `h` in the next slot.
    fn keep(&mut self, h: u32) -> Outcome {
        self.handles.push(h);
        Outcome::Handle
    }

    /// Keeps an error handle in the next slot, so later ops can misuse it.
    fn kept_error(&mut self, e: wasi_cloud_error::Error) -> Outcome {
        let kind = kind_of(&wasi_cloud_error::trace(e));
        self.handles.push(e);
        Outcome::Error(kind)
    }

    /// An outgoing value holding `body`, or the error writing it gave.
    fn outgoing(body: &[u8]) -> Result<types::OutgoingValue, Outcome> {
        let o = types::new_outgoing_value();
        match write_body(o, body) {
            Ok(()) => Ok(o),
            Err(e) => {
                types::drop_outgoing_value(o);
                Err(e.map_or_else(|outcome| outcome, taken))
            }
        }
    }

    /// Reads incoming value `i` whole and frees it.
    fn read(i: types::IncomingValue) -> Result<Vec<u8>, Outcome> {
        let bytes = types::incoming_value_consume_sync(i).map_err(taken);
        types::drop_incoming_value(i);
        bytes
    }

    pub fn run(&mut self, op: Op) -> Outcome {
        match op {
            Op::Open { name } => match types::open_bucket(&name) {
                Ok(b) => self.keep(b),
                Err(e) => self.kept_error(e),
            },
            Op::DropBucket { b } => {
                types::drop_bucket(self.h(b));
                Outcome::Unit
            }
            Op::Get { b, key } => match readwrite::get(self.h(b), &key) {
                Ok(i) => Self::read(i).map_or_else(|e| e, Outcome::Bytes),
                Err(e) => taken(e),
            },
            Op::Set { b, key, value } => match Self::outgoing(&value) {
                Ok(o) => {
                    let set = readwrite::set(self.h(b), &key, o);
                    types::drop_outgoing_value(o);
                    set.map_or_else(taken, |()| Outcome::Unit)
                }
                Err(outcome) => outcome,
            },
            Op::Delete { b, key } => readwrite::delete(self.h(b), &key).map_or_else(taken, |()| Outcome::Unit),
            Op::Exists { b, key } => readwrite::exists(self.h(b), &key).map_or_else(taken, Outcome::Bool),
            Op::Increment { b, key, delta } => {
                atomic::increment(self.h(b), &key, delta).map_or_else(taken, Outcome::Number)
            }
            Op::CompareAndSwap { b, key, old, new } => {
                atomic::compare_and_swap(self.h(b), &key, old, new).map_or_else(taken, Outcome::Bool)
            }
            Op::GetMany { b, keys } => match batch::get_many(self.h(b), &keys) {
                Ok(values) => {
                    let mut entries = Vec::with_capacity(values.len());
                    let mut failed = None;
                    for (n, i) in values.into_iter().enumerate() {
                        match Self::read(i) {
                            Ok(bytes) => entries.push(Some((keys.get(n).cloned().unwrap_or_default(), bytes))),
                            Err(outcome) => failed = failed.or(Some(outcome)),
                        }
                    }
                    failed.unwrap_or(Outcome::Entries(entries))
                }
                Err(e) => taken(e),
            },
            Op::SetMany { b, pairs } => {
                let mut values = Vec::with_capacity(pairs.len());
                let mut failed = None;
                for (key, body) in &pairs {
                    match Self::outgoing(body) {
                        Ok(o) => values.push((key.clone(), o)),
                        Err(outcome) => failed = failed.or(Some(outcome)),
                    }
                }
                let outcome = match failed {
                    Some(outcome) => outcome,
                    None => set_many(self.h(b), &values).map_or_else(taken, |()| Outcome::Unit),
                };
                for (_, o) in values {
                    types::drop_outgoing_value(o);
                }
                outcome
            }
            Op::DeleteMany { b, keys } => batch::delete_many(self.h(b), &keys).map_or_else(taken, |()| Outcome::Unit),
            Op::ListAll { b } => Outcome::Keys(batch::get_keys(self.h(b))),
            Op::NewOutgoing => {
                let o = types::new_outgoing_value();
                self.keep(o)
            }
            Op::WriteBody { o, value } => match write_body(self.h(o), &value) {
                Ok(()) => Outcome::Unit,
                Err(Ok(e)) => self.kept_error(e),
                Err(Err(outcome)) => outcome,
            },
            Op::SetOutgoing { b, key, o } => match readwrite::set(self.h(b), &key, self.h(o)) {
                Ok(()) => Outcome::Unit,
                Err(e) => self.kept_error(e),
            },
            Op::DropOutgoing { o } => {
                types::drop_outgoing_value(self.h(o));
                Outcome::Unit
            }
            Op::GetIncoming { b, key } => match readwrite::get(self.h(b), &key) {
                Ok(i) => self.keep(i),
                Err(e) => self.kept_error(e),
            },
            Op::Consume { i } => match types::incoming_value_consume_sync(self.h(i)) {
                Ok(bytes) => Outcome::Bytes(bytes),
                Err(e) => self.kept_error(e),
            },
            Op::Size { i } => Outcome::Number(types::size(self.h(i))),
            Op::DropIncoming { i } => {
                types::drop_incoming_value(self.h(i));
                Outcome::Unit
            }
            Op::Trace { e } => Outcome::Trace(kind_of(&wasi_cloud_error::trace(self.h(e)))),
            Op::DropError { e } => {
                wasi_cloud_error::drop_error(self.h(e));
                Outcome::Unit
            }
            Op::SetManyOutgoing { b, pairs } => {
                let values: Vec<(String, u32)> = pairs.into_iter().map(|(k, o)| (k, self.h(o))).collect();
                match set_many(self.h(b), &values) {
                    Ok(()) => Outcome::Unit,
                    Err(e) => self.kept_error(e),
                }
            }
            Op::ListMadeUpCursor { .. }
            | Op::SetWithoutBody { .. }
            | Op::SetWritingTwice { .. }
            | Op::SizeThenConsume { .. }
            | Op::CasNew { .. }
            | Op::CasCurrent { .. }
            | Op::CasSwap { .. }
            | Op::CasDrop { .. } => Outcome::NotInThisGeneration,
        }
    }
}
