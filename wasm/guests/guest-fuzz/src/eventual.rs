//! G3/G4 (one shape under two versions): resources, `none` for a missing key. The
//! mistakes a resource API still lets a guest make are ops of their own: a value without a
//! body, a second body, the size of a value before consuming it.

use crate::keyvalue::{atomic, eventual, eventual_batch, types, wasi_keyvalue_error};
use guest_support::fuzz::{kind_of, Op, Outcome};
use types::{Bucket, IncomingValue, OutgoingValue};

#[derive(Default)]
pub struct Guest {
    buckets: crate::Slots<Bucket>,
}

fn error(e: wasi_keyvalue_error::Error) -> Outcome {
    Outcome::Error(kind_of(&e.trace()))
}

fn unit(r: Result<(), wasi_keyvalue_error::Error>) -> Outcome {
    r.map_or_else(error, |()| Outcome::Unit)
}

fn outgoing(body: &[u8]) -> Result<OutgoingValue, Outcome> {
    let o = OutgoingValue::new_outgoing_value();
    o.outgoing_value_write_body_sync(body).map_err(error)?;
    Ok(o)
}

fn read(v: IncomingValue) -> Outcome {
    IncomingValue::incoming_value_consume_sync(v).map_or_else(error, Outcome::Bytes)
}

impl Guest {
    fn bucket(&self, b: u32) -> Option<&Bucket> {
        self.buckets.get(b)
    }

    pub fn run(&mut self, op: Op) -> Outcome {
        match op {
            Op::Open { name } => self.buckets.keep(Bucket::open_bucket(&name), error),
            Op::DropBucket { b } => self.buckets.drop_slot(b),
            Op::Get { b, key } => match self.bucket(b) {
                None => Outcome::Gone,
                Some(b) => match eventual::get(b, &key) {
                    Ok(Some(v)) => read(v),
                    Ok(None) => Outcome::Missing,
                    Err(e) => error(e),
                },
            },
            Op::Set { b, key, value } => match self.bucket(b) {
                None => Outcome::Gone,
                Some(b) => match outgoing(&value) {
                    Ok(o) => unit(eventual::set(b, &key, &o)),
                    Err(outcome) => outcome,
                },
            },
            Op::Delete { b, key } => self.bucket(b).map_or(Outcome::Gone, |b| unit(eventual::delete(b, &key))),
            Op::Exists { b, key } => {
                self.bucket(b).map_or(Outcome::Gone, |b| eventual::exists(b, &key).map_or_else(error, Outcome::Bool))
            }
            Op::Increment { b, key, delta } => self.bucket(b)
                .map_or(Outcome::Gone, |b| atomic::increment(b, &key, delta).map_or_else(error, Outcome::Number)),
            Op::CompareAndSwap { b, key, old, new } => self.bucket(b).map_or(Outcome::Gone, |b| {
                atomic::compare_and_swap(b, &key, old, new).map_or_else(error, Outcome::Bool)
            }),
            Op::GetMany { b, keys } => match self.bucket(b) {
                None => Outcome::Gone,
                Some(b) => match eventual_batch::get_many(b, &keys) {
                    Ok(values) => {
                        let mut entries = Vec::with_capacity(values.len());
                        for (n, v) in values.into_iter().enumerate() {
                            match v.map(IncomingValue::incoming_value_consume_sync) {
                                None => entries.push(None),
                                Some(Ok(bytes)) => entries.push(Some((keys.get(n).cloned().unwrap_or_default(), bytes))),
                                Some(Err(e)) => return error(e),
                            }
                        }
                        Outcome::Entries(entries)
                    }
                    Err(e) => error(e),
                },
            },
            Op::SetMany { b, pairs } => match self.bucket(b) {
                None => Outcome::Gone,
                Some(b) => {
                    let mut values = Vec::with_capacity(pairs.len());
                    for (key, body) in &pairs {
                        match outgoing(body) {
                            Ok(o) => values.push((key.clone(), o)),
                            Err(outcome) => return outcome,
                        }
                    }
                    let borrowed: Vec<(String, &OutgoingValue)> = values.iter().map(|(k, o)| (k.clone(), o)).collect();
                    unit(eventual_batch::set_many(b, &borrowed))
                }
            },
            Op::DeleteMany { b, keys } => self.bucket(b).map_or(Outcome::Gone, |b| unit(eventual_batch::delete_many(b, &keys))),
            Op::ListAll { b } => {
                self.bucket(b).map_or(Outcome::Gone, |b| eventual_batch::keys(b).map_or_else(error, Outcome::Keys))
            }
            Op::SetWithoutBody { b, key } => self.bucket(b).map_or(Outcome::Gone, |b| {
                let o = OutgoingValue::new_outgoing_value();
                unit(eventual::set(b, &key, &o))
            }),
            Op::SetWritingTwice { b, key, first, second } => match self.bucket(b) {
                None => Outcome::Gone,
                Some(b) => {
                    let o = OutgoingValue::new_outgoing_value();
                    let one = unit(o.outgoing_value_write_body_sync(&first));
                    let two = unit(o.outgoing_value_write_body_sync(&second));
                    let set = unit(eventual::set(b, &key, &o));
                    Outcome::Pair(Box::new(Outcome::Pair(Box::new(one), Box::new(two))), Box::new(set))
                }
            },
            Op::SizeThenConsume { b, key } => match self.bucket(b) {
                None => Outcome::Gone,
                Some(b) => match eventual::get(b, &key) {
                    Ok(Some(v)) => {
                        let size = v.incoming_value_size().map_or_else(error, Outcome::Number);
                        Outcome::Pair(Box::new(size), Box::new(read(v)))
                    }
                    Ok(None) => Outcome::Missing,
                    Err(e) => error(e),
                },
            },
            Op::ListMadeUpCursor { .. }
            | Op::NewOutgoing
            | Op::WriteBody { .. }
            | Op::SetOutgoing { .. }
            | Op::DropOutgoing { .. }
            | Op::GetIncoming { .. }
            | Op::Consume { .. }
            | Op::Size { .. }
            | Op::DropIncoming { .. }
            | Op::Trace { .. }
            | Op::DropError { .. }
            | Op::SetManyOutgoing { .. }
            | Op::CasNew { .. }
            | Op::CasCurrent { .. }
            | Op::CasSwap { .. }
            | Op::CasDrop { .. } => Outcome::NotInThisGeneration,
        }
    }
}
