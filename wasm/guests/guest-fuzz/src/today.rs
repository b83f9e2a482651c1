//! G5/G6 (one shape): `store.open`, `none` for a missing key, `list-keys` with cursors;
//! G6 also has `cas` handles, kept in slots of their own. A guest mistake the resource API
//! still allows is a cursor no host handed out.

use crate::keyvalue::{atomics, batch, store};
use guest_support::fuzz::{Op, Outcome};
use store::{Bucket, Error};

#[derive(Default)]
pub struct Guest {
    buckets: crate::Slots<Bucket>,
    #[cfg(feature = "g6")]
    cas: crate::Slots<atomics::Cas>,
}

fn error(e: Error) -> Outcome {
    Outcome::Error(
        match e {
            Error::NoSuchStore => "no-such-store",
            Error::AccessDenied => "access-denied",
            Error::Other(_) => "other",
        }
        .into(),
    )
}

fn unit(r: Result<(), Error>) -> Outcome {
    r.map_or_else(error, |()| Outcome::Unit)
}

/// More pages than any bucket of a sequence can have: a host that never stops is a finding.
const PAGE_LIMIT: usize = 10_000;

fn list_all(b: &Bucket) -> Outcome {
    let mut keys = Vec::new();
    #[cfg(feature = "g5")]
    let mut cursor: Option<u64> = None;
    #[cfg(feature = "g6")]
    let mut cursor: Option<String> = None;
    for _ in 0..PAGE_LIMIT {
        #[cfg(feature = "g5")]
        let page = b.list_keys(cursor);
        #[cfg(feature = "g6")]
        let page = b.list_keys(cursor.as_deref());
        match page {
            Ok(page) => {
                keys.extend(page.keys);
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => return Outcome::Keys(keys),
                }
            }
            Err(e) => return error(e),
        }
    }
    Outcome::Error("paging-never-ends".into())
}

fn page(result: Result<store::KeyResponse, Error>) -> Outcome {
    match result {
        Ok(page) => Outcome::Page { keys: page.keys, more: page.cursor.is_some() },
        Err(e) => error(e),
    }
}

impl Guest {
    fn bucket(&self, b: u32) -> Option<&Bucket> {
        self.buckets.get(b)
    }

    pub fn run(&mut self, op: Op) -> Outcome {
        match op {
            Op::Open { name } => self.buckets.keep(store::open(&name), error),
            Op::DropBucket { b } => self.buckets.drop_slot(b),
            Op::Get { b, key } => self.bucket(b).map_or(Outcome::Gone, |b| match b.get(&key) {
                Ok(Some(bytes)) => Outcome::Bytes(bytes),
                Ok(None) => Outcome::Missing,
                Err(e) => error(e),
            }),
            Op::Set { b, key, value } => self.bucket(b).map_or(Outcome::Gone, |b| unit(b.set(&key, &value))),
            Op::Delete { b, key } => self.bucket(b).map_or(Outcome::Gone, |b| unit(b.delete(&key))),
            Op::Exists { b, key } => {
                self.bucket(b).map_or(Outcome::Gone, |b| b.exists(&key).map_or_else(error, Outcome::Bool))
            }
            #[cfg(feature = "g5")]
            Op::Increment { b, key, delta } => self
                .bucket(b)
                .map_or(Outcome::Gone, |b| atomics::increment(b, &key, delta).map_or_else(error, Outcome::Number)),
            #[cfg(feature = "g6")]
            Op::Increment { b, key, delta } => self.bucket(b).map_or(Outcome::Gone, |b| {
                atomics::increment(b, &key, delta as i64).map_or_else(error, |n| Outcome::Number(n as u64))
            }),
            Op::GetMany { b, keys } => self
                .bucket(b)
                .map_or(Outcome::Gone, |b| batch::get_many(b, &keys).map_or_else(error, Outcome::Entries)),
            Op::SetMany { b, pairs } => self.bucket(b).map_or(Outcome::Gone, |b| unit(batch::set_many(b, &pairs))),
            Op::DeleteMany { b, keys } => self.bucket(b).map_or(Outcome::Gone, |b| unit(batch::delete_many(b, &keys))),
            Op::ListAll { b } => self.bucket(b).map_or(Outcome::Gone, list_all),
            #[cfg(feature = "g5")]
            Op::ListMadeUpCursor { b, cursor } => self.bucket(b).map_or(Outcome::Gone, |b| page(b.list_keys(Some(cursor)))),
            #[cfg(feature = "g6")]
            Op::ListMadeUpCursor { b, cursor } => {
                let made_up = format!("made-up-{cursor}");
                self.bucket(b).map_or(Outcome::Gone, |b| page(b.list_keys(Some(&made_up))))
            }
            #[cfg(feature = "g6")]
            Op::CasNew { b, key } => match self.bucket(b).map(|b| atomics::Cas::new(b, &key)) {
                None => Outcome::Gone,
                Some(made) => self.cas.keep(made, error),
            },
            #[cfg(feature = "g6")]
            Op::CasCurrent { c } => match self.cas.get(c) {
                None => Outcome::Gone,
                Some(cas) => match cas.current() {
                    Ok(Some(bytes)) => Outcome::Bytes(bytes),
                    Ok(None) => Outcome::Missing,
                    Err(e) => error(e),
                },
            },
            #[cfg(feature = "g6")]
            Op::CasSwap { c, value } => match self.cas.take(c) {
                None => Outcome::Gone,
                Some(cas) => match atomics::swap(cas, &value) {
                    Ok(()) => Outcome::Unit,
                    Err(atomics::CasError::CasFailed(fresh)) => {
                        self.cas.put(c, fresh);
                        Outcome::CasFailed
                    }
                    Err(atomics::CasError::StoreError(e)) => error(e),
                },
            },
            #[cfg(feature = "g6")]
            Op::CasDrop { c } => self.cas.drop_slot(c),
            #[cfg(feature = "g5")]
            Op::CasNew { .. } | Op::CasCurrent { .. } | Op::CasSwap { .. } | Op::CasDrop { .. } => {
                Outcome::NotInThisGeneration
            }
            Op::CompareAndSwap { .. }
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
            | Op::SetWithoutBody { .. }
            | Op::SetWritingTwice { .. }
            | Op::SizeThenConsume { .. } => Outcome::NotInThisGeneration,
        }
    }
}
