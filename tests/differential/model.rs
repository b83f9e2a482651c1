//! A reference model of each generation, in plain Rust: buckets, keys, values and the
//! guest's handles, as each generation's documentation says, plus the deliberate
//! differences the README's semantics tables document for each pair (front = the guest's
//! generation, back = the host's). It answers every [`Op`] with the [`Outcome`] a correct
//! adapter (or native host) must give.
//!
//! [`ANY_ERROR`] stands for "an error of any kind": used where the documents only say
//! "an error" (a host's own failure, such as a key too long for its file name).
//!
//! Counters are decimal text (every fuzzed host is set up with `decimal`). The generator
//! only makes counter-like values in canonical form, and every other value starts with a
//! byte that is neither a digit nor `-`, so "is this a counter" has one answer.

use guest_support::fuzz::{Op, Outcome, G1_STREAM_ERROR, MADE_UP_HANDLE};
use kv_adapt::Generation;
use std::collections::BTreeMap;

/// Matches an error of any kind.
pub const ANY_ERROR: &str = "*";

/// Keys this long cannot be a file name (255 bytes) in the directory stores.
pub const LONG_KEY: usize = 300;

#[derive(Clone, Debug)]
enum G2Slot {
    Bucket { name: String, live: bool },
    Outgoing { body: Option<Vec<u8>>, live: bool },
    Incoming { value: Vec<u8>, consumed: bool, live: bool },
    Error { kind: String, live: bool },
}

#[derive(Clone, Debug)]
struct CasSlot {
    bucket: String,
    key: String,
    snapshot: Option<Vec<u8>>,
}

pub struct Model {
    front: Generation,
    back: Generation,
    data: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// G2: every handle the guest received, in order.
    g2: Vec<G2Slot>,
    /// G3-G6: bucket names by slot (`None`: dropped, or the open failed).
    buckets: Vec<Option<String>>,
    /// G6: cas handles by slot.
    cas: Vec<Option<CasSlot>>,
}

fn unsigned(v: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn signed(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?;
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn err(kind: &str) -> Outcome {
    Outcome::Error(kind.into())
}

/// Whether `actual` is what `expected` allows.
pub fn agrees(expected: &Outcome, actual: &Outcome) -> bool {
    match (expected, actual) {
        (Outcome::Error(want), Outcome::Error(got)) | (Outcome::Trace(want), Outcome::Trace(got)) => {
            want == ANY_ERROR || want == got
        }
        (Outcome::Pair(a, b), Outcome::Pair(c, d)) => agrees(a, c) && agrees(b, d),
        (Outcome::Keys(want), Outcome::Keys(got)) => {
            // No generation promises an order.
            let mut got = got.clone();
            got.sort();
            want == &got
        }
        _ => expected == actual,
    }
}

impl Model {
    pub fn new(front: Generation, back: Generation) -> Model {
        Model { front, back, data: BTreeMap::new(), g2: Vec::new(), buckets: Vec::new(), cas: Vec::new() }
    }

    /// The G2 slots, as (kind letter b/o/i/e, live).
    pub fn g2_slots(&self) -> Vec<(char, bool)> {
        self.g2
            .iter()
            .map(|s| match s {
                G2Slot::Bucket { live, .. } => ('b', *live),
                G2Slot::Outgoing { live, .. } => ('o', *live),
                G2Slot::Incoming { live, .. } => ('i', *live),
                G2Slot::Error { live, .. } => ('e', *live),
            })
            .collect()
    }

    /// Bucket slots of G3-G6 and whether each is open.
    pub fn bucket_slots(&self) -> Vec<bool> {
        self.buckets.iter().map(Option::is_some).collect()
    }

    /// G6 cas slots and whether each holds a handle.
    pub fn cas_slots(&self) -> Vec<bool> {
        self.cas.iter().map(Option::is_some).collect()
    }

    /// What the guest's bucket slot `b` (G2: handle slot) stores under `key`.
    pub fn stored(&self, b: u32, key: &str) -> Option<Vec<u8>> {
        let bucket = match self.front {
            Generation::G1 | Generation::G2 => self.g2_bucket(b),
            Generation::G3
            | Generation::G4
            | Generation::G5
            | Generation::G6
            | Generation::Spin2
            | Generation::Spin1
            | Generation::SpinDraft2
            | Generation::Spin3
            | Generation::Wasmcloud2 => self.open_bucket(b),
        }?;
        self.get(&bucket, key).cloned()
    }

    /// The kind of error a host failure (not a guest mistake) has in the front's terms.
    fn host_error(&self) -> Outcome {
        match self.front {
            Generation::G5
            | Generation::G6
            | Generation::Spin2
            | Generation::Spin1
            | Generation::SpinDraft2
            | Generation::Spin3
            | Generation::Wasmcloud2 => err("other"),
            Generation::G1 | Generation::G2 | Generation::G3 | Generation::G4 => err(ANY_ERROR),
        }
    }

    fn get(&self, bucket: &str, key: &str) -> Option<&Vec<u8>> {
        self.data.get(bucket).and_then(|b| b.get(key))
    }

    fn put(&mut self, bucket: &str, key: &str, value: Vec<u8>) {
        self.data.entry(bucket.into()).or_default().insert(key.into(), value);
    }

    fn remove(&mut self, bucket: &str, key: &str) {
        if let Some(b) = self.data.get_mut(bucket) {
            b.remove(key);
        }
    }

    fn keys(&self, bucket: &str) -> Vec<String> {
        self.data.get(bucket).map(|b| b.keys().cloned().collect()).unwrap_or_default()
    }

    /// `increment`, as the pair's README row says: the arithmetic is the host's (u64, or
    /// s64 on G6), a delta or result the front cannot express is an error.
    fn increment(&mut self, bucket: &str, key: &str, delta: u64) -> Outcome {
        if key.len() >= LONG_KEY {
            return self.host_error();
        }
        let stored = self.get(bucket, key).cloned();
        let fail = self.host_error();
        let front_signed = self.front == Generation::G6;
        let back_signed = self.back == Generation::G6;
        match (front_signed, back_signed) {
            (true, true) => {
                let old = match &stored {
                    None => 0,
                    Some(v) => match signed(v) {
                        Some(n) => n,
                        None => return fail,
                    },
                };
                match old.checked_add(delta as i64) {
                    Some(new) => {
                        self.put(bucket, key, new.to_string().into_bytes());
                        Outcome::Number(new as u64)
                    }
                    None => fail,
                }
            }
            (true, false) => {
                // A G6 guest on a u64 host: counting up is the host's; a result above
                // i64::MAX is written by the host and then refused. Counting down is the
                // adapter's read, subtract and write: below zero, or a result above
                // i64::MAX, is refused with nothing written.
                let d = delta as i64;
                let old = match &stored {
                    None => 0,
                    Some(v) => match unsigned(v) {
                        Some(n) => n,
                        None => return fail,
                    },
                };
                if d < 0 {
                    return match old.checked_sub(d.unsigned_abs()) {
                        Some(new) if new <= i64::MAX as u64 => {
                            self.put(bucket, key, new.to_string().into_bytes());
                            Outcome::Number(new)
                        }
                        Some(_) | None => fail,
                    };
                }
                match old.checked_add(d as u64) {
                    Some(new) => {
                        self.put(bucket, key, new.to_string().into_bytes());
                        if new > i64::MAX as u64 {
                            fail
                        } else {
                            Outcome::Number(new)
                        }
                    }
                    None => fail,
                }
            }
            (false, true) => {
                // A u64 guest on G6: a delta above i64::MAX cannot be sent; a negative
                // result is written by the host and then refused.
                if delta > i64::MAX as u64 {
                    return fail;
                }
                let old = match &stored {
                    None => 0,
                    Some(v) => match signed(v) {
                        Some(n) => n,
                        None => return fail,
                    },
                };
                match old.checked_add(delta as i64) {
                    Some(new) => {
                        self.put(bucket, key, new.to_string().into_bytes());
                        if new < 0 {
                            fail
                        } else {
                            Outcome::Number(new as u64)
                        }
                    }
                    None => fail,
                }
            }
            (false, false) => {
                let old = match &stored {
                    None => 0,
                    Some(v) => match unsigned(v) {
                        Some(n) => n,
                        None => return fail,
                    },
                };
                match old.checked_add(delta) {
                    Some(new) => {
                        self.put(bucket, key, new.to_string().into_bytes());
                        Outcome::Number(new)
                    }
                    None => fail,
                }
            }
        }
    }

    /// G2/G3/G4 `compare-and-swap` of u64 counters; `None` for a missing key.
    fn compare_and_swap(&mut self, bucket: &str, key: &str, old: u64, new: u64) -> Result<Option<bool>, Outcome> {
        if key.len() >= LONG_KEY {
            return Err(self.host_error());
        }
        let Some(stored) = self.get(bucket, key) else {
            return Ok(None);
        };
        let Some(current) = unsigned(stored) else {
            return Err(err("bad-value"));
        };
        if current == old {
            self.put(bucket, key, new.to_string().into_bytes());
            Ok(Some(true))
        } else {
            Ok(Some(false))
        }
    }

    pub fn apply(&mut self, op: &Op) -> Outcome {
        match self.front {
            // G1's u32 handles behave as G2's; `apply_g2` has the two places they differ.
            Generation::G1 | Generation::G2 => self.apply_g2(op),
            Generation::G3 | Generation::G4 | Generation::G5 | Generation::G6 => self.apply_resources(op),
            // Spin's interface has no fuzz guest (tests/spin.rs runs spin-sdk's own).
            Generation::Spin2 | Generation::Spin1 | Generation::SpinDraft2 | Generation::Spin3 | Generation::Wasmcloud2 => {
                panic!("no fuzz guest speaks {:?}", self.front)
            }
        }
    }

    // --- G2 -------------------------------------------------------------------------

    fn slot(&self, r: u32) -> Option<&G2Slot> {
        if r >= MADE_UP_HANDLE {
            return None;
        }
        self.g2.get(r as usize)
    }

    fn g2_bucket(&self, r: u32) -> Option<String> {
        match self.slot(r) {
            Some(G2Slot::Bucket { name, live: true }) => Some(name.clone()),
            _ => None,
        }
    }

    /// The body of a live outgoing value that has one.
    fn g2_body(&self, r: u32) -> Option<Vec<u8>> {
        match self.slot(r) {
            Some(G2Slot::Outgoing { body: Some(body), live: true }) => Some(body.clone()),
            _ => None,
        }
    }

    /// An error the guest keeps: it takes the next slot.
    fn kept_error(&mut self, outcome: Outcome) -> Outcome {
        if let Outcome::Error(kind) = &outcome {
            self.g2.push(G2Slot::Error { kind: kind.clone(), live: true });
        }
        outcome
    }

    fn g2_read(&self, b: u32, key: &str) -> Result<Vec<u8>, Outcome> {
        let Some(bucket) = self.g2_bucket(b) else {
            return Err(err("bad-handle"));
        };
        if key.len() >= LONG_KEY {
            return Err(err(ANY_ERROR));
        }
        self.get(&bucket, key).cloned().ok_or_else(|| err("not-found"))
    }

    fn apply_g2(&mut self, op: &Op) -> Outcome {
        let bad = || err("bad-handle");
        match op {
            Op::Open { name } => {
                self.g2.push(G2Slot::Bucket { name: name.clone(), live: true });
                Outcome::Handle
            }
            Op::DropBucket { b } => {
                if let Some(G2Slot::Bucket { live, .. }) = self.g2.get_mut(*b as usize) {
                    *live = false;
                }
                Outcome::Unit
            }
            Op::Get { b, key } => self.g2_read(*b, key).map_or_else(|e| e, Outcome::Bytes),
            Op::Set { b, key, value } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                if key.len() >= LONG_KEY {
                    return err(ANY_ERROR);
                }
                self.put(&bucket, key, value.clone());
                Outcome::Unit
            }
            Op::Delete { b, key } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                if key.len() >= LONG_KEY {
                    return err(ANY_ERROR);
                }
                if self.get(&bucket, key).is_none() {
                    return err("not-found");
                }
                self.remove(&bucket, key);
                Outcome::Unit
            }
            Op::Exists { b, key } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                if key.len() >= LONG_KEY {
                    return err(ANY_ERROR);
                }
                Outcome::Bool(self.get(&bucket, key).is_some())
            }
            Op::Increment { b, key, delta } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                self.increment(&bucket, key, *delta)
            }
            Op::CompareAndSwap { b, key, old, new } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                match self.compare_and_swap(&bucket, key, *old, *new) {
                    Ok(Some(swapped)) => Outcome::Bool(swapped),
                    Ok(None) => err("not-found"),
                    Err(e) => e,
                }
            }
            Op::GetMany { b, keys } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                let mut entries = Vec::new();
                for key in keys {
                    match self.get(&bucket, key) {
                        Some(v) => entries.push(Some((key.clone(), v.clone()))),
                        None => return err("not-found"),
                    }
                }
                Outcome::Entries(entries)
            }
            Op::SetMany { b, pairs } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                for (k, v) in pairs {
                    self.put(&bucket, k, v.clone());
                }
                Outcome::Unit
            }
            Op::DeleteMany { b, keys } => {
                let Some(bucket) = self.g2_bucket(*b) else { return bad() };
                for k in keys {
                    self.remove(&bucket, k);
                }
                Outcome::Unit
            }
            // No error channel: a bad bucket lists nothing.
            Op::ListAll { b } => Outcome::Keys(self.g2_bucket(*b).map(|name| self.keys(&name)).unwrap_or_default()),
            Op::NewOutgoing => {
                self.g2.push(G2Slot::Outgoing { body: None, live: true });
                Outcome::Handle
            }
            Op::WriteBody { o, value } => {
                let outcome = match self.g2.get_mut(*o as usize).filter(|_| *o < MADE_UP_HANDLE) {
                    Some(G2Slot::Outgoing { body: body @ None, live: true }) => {
                        *body = Some(value.clone());
                        Outcome::Unit
                    }
                    // A second body is refused and the first stays.
                    _ => bad(),
                };
                // G1 writes a body through its own stream, whose failure carries no
                // error handle to keep.
                match (self.front, outcome) {
                    (Generation::G1, Outcome::Unit) => Outcome::Unit,
                    (Generation::G1, _) => err(G1_STREAM_ERROR),
                    (_, outcome) => self.kept_error(outcome),
                }
            }
            Op::SetOutgoing { b, key, o } => {
                let outcome = match (self.g2_bucket(*b), self.g2_body(*o)) {
                    (Some(bucket), Some(body)) => {
                        if key.len() >= LONG_KEY {
                            err(ANY_ERROR)
                        } else {
                            self.put(&bucket, key, body);
                            Outcome::Unit
                        }
                    }
                    _ => bad(),
                };
                self.kept_error(outcome)
            }
            Op::DropOutgoing { o } => {
                if let Some(G2Slot::Outgoing { live, .. }) = self.g2.get_mut(*o as usize) {
                    *live = false;
                }
                Outcome::Unit
            }
            Op::GetIncoming { b, key } => match self.g2_read(*b, key) {
                Ok(value) => {
                    self.g2.push(G2Slot::Incoming { value, consumed: false, live: true });
                    Outcome::Handle
                }
                Err(e) => self.kept_error(e),
            },
            Op::Consume { i } => {
                let outcome = match self.g2.get_mut(*i as usize).filter(|_| *i < MADE_UP_HANDLE) {
                    Some(G2Slot::Incoming { value, consumed: consumed @ false, live: true }) => {
                        *consumed = true;
                        Outcome::Bytes(value.clone())
                    }
                    // Consumed already, dropped, of another kind or made up.
                    _ => bad(),
                };
                self.kept_error(outcome)
            }
            // No error channel: 0 for a bad handle. A value's size stays what it was after
            // its body is consumed.
            Op::Size { i } => Outcome::Number(match self.slot(*i) {
                Some(G2Slot::Incoming { value, live: true, .. }) => value.len() as u64,
                _ => 0,
            }),
            Op::DropIncoming { i } => {
                if let Some(G2Slot::Incoming { live, .. }) = self.g2.get_mut(*i as usize) {
                    *live = false;
                }
                Outcome::Unit
            }
            Op::Trace { e } => Outcome::Trace(match self.slot(*e) {
                Some(G2Slot::Error { kind, live: true }) => kind.clone(),
                _ => "bad-handle".into(),
            }),
            Op::DropError { e } => {
                if let Some(G2Slot::Error { live, .. }) = self.g2.get_mut(*e as usize) {
                    *live = false;
                }
                Outcome::Unit
            }
            Op::SetManyOutgoing { b, pairs } => {
                let outcome = match self.g2_bucket(*b) {
                    None => bad(),
                    Some(bucket) => {
                        let bodies: Option<Vec<Vec<u8>>> = pairs.iter().map(|(_, o)| self.g2_body(*o)).collect();
                        match bodies {
                            // Every value is checked before any is written.
                            None => bad(),
                            Some(bodies) => {
                                for ((k, _), body) in pairs.iter().zip(bodies) {
                                    self.put(&bucket, k, body);
                                }
                                Outcome::Unit
                            }
                        }
                    }
                };
                self.kept_error(outcome)
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

    // --- G3 / G4 and G5 / G6: resources ---------------------------------------------

    fn open_bucket(&self, b: u32) -> Option<String> {
        self.buckets.get(b as usize).cloned().flatten()
    }

    /// The ops every resource generation answers alike; `None` for the others.
    fn apply_resources(&mut self, op: &Op) -> Outcome {
        let eventual = matches!(self.front, Generation::G3 | Generation::G4);
        let today = matches!(self.front, Generation::G5 | Generation::G6);
        let g6 = self.front == Generation::G6;
        let host_error = self.host_error();
        let bucket_of = |b: &u32| self.open_bucket(*b);
        match op {
            Op::Open { name } => {
                self.buckets.push(Some(name.clone()));
                Outcome::Handle
            }
            Op::DropBucket { b } => match self.buckets.get_mut(*b as usize).and_then(Option::take) {
                Some(_) => Outcome::Unit,
                None => Outcome::Gone,
            },
            Op::Get { b, key } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(_) if key.len() >= LONG_KEY => host_error,
                Some(bucket) => self.get(&bucket, key).cloned().map_or(Outcome::Missing, Outcome::Bytes),
            },
            Op::Set { b, key, value } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(_) if key.len() >= LONG_KEY => host_error,
                Some(bucket) => {
                    self.put(&bucket, key, value.clone());
                    Outcome::Unit
                }
            },
            Op::Delete { b, key } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(_) if key.len() >= LONG_KEY => host_error,
                Some(bucket) => {
                    self.remove(&bucket, key);
                    Outcome::Unit
                }
            },
            Op::Exists { b, key } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(_) if key.len() >= LONG_KEY => host_error,
                Some(bucket) => Outcome::Bool(self.get(&bucket, key).is_some()),
            },
            Op::Increment { b, key, delta } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(bucket) => self.increment(&bucket, key, *delta),
            },
            Op::GetMany { b, keys } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(bucket) => Outcome::Entries(
                    keys.iter().map(|k| self.get(&bucket, k).map(|v| (k.clone(), v.clone()))).collect(),
                ),
            },
            Op::SetMany { b, pairs } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(bucket) => {
                    for (k, v) in pairs {
                        self.put(&bucket, k, v.clone());
                    }
                    Outcome::Unit
                }
            },
            Op::DeleteMany { b, keys } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(bucket) => {
                    for k in keys {
                        self.remove(&bucket, k);
                    }
                    Outcome::Unit
                }
            },
            Op::ListAll { b } => match bucket_of(b) {
                None => Outcome::Gone,
                Some(bucket) => Outcome::Keys(self.keys(&bucket)),
            },
            Op::CompareAndSwap { b, key, old, new } if eventual => match self.open_bucket(*b) {
                None => Outcome::Gone,
                Some(bucket) => match self.compare_and_swap(&bucket, key, *old, *new) {
                    Ok(Some(swapped)) => Outcome::Bool(swapped),
                    // G3/G4: `false` for a missing key.
                    Ok(None) => Outcome::Bool(false),
                    Err(e) => e,
                },
            },
            Op::SetWithoutBody { b, .. } if eventual => match self.open_bucket(*b) {
                None => Outcome::Gone,
                Some(_) => err("bad-handle"),
            },
            Op::SetWritingTwice { b, key, first, .. } if eventual => match self.open_bucket(*b) {
                None => Outcome::Gone,
                Some(bucket) => {
                    let set = if key.len() >= LONG_KEY {
                        err(ANY_ERROR)
                    } else {
                        self.put(&bucket, key, first.clone());
                        Outcome::Unit
                    };
                    Outcome::Pair(Box::new(Outcome::Pair(Box::new(Outcome::Unit), Box::new(err("bad-handle")))), Box::new(set))
                }
            },
            Op::SizeThenConsume { b, key } if eventual => match self.open_bucket(*b) {
                None => Outcome::Gone,
                Some(_) if key.len() >= LONG_KEY => err(ANY_ERROR),
                Some(bucket) => match self.get(&bucket, key) {
                    None => Outcome::Missing,
                    Some(v) => {
                        Outcome::Pair(Box::new(Outcome::Number(v.len() as u64)), Box::new(Outcome::Bytes(v.clone())))
                    }
                },
            },
            // The generator sends cursors no host hands out (G5: at or above 2^63; G6: a
            // text without any host's prefix): an error everywhere.
            Op::ListMadeUpCursor { b, .. } if today => match self.open_bucket(*b) {
                None => Outcome::Gone,
                Some(_) => err("other"),
            },
            Op::CasNew { b, key } if g6 => match self.open_bucket(*b) {
                None => Outcome::Gone,
                Some(_) if key.len() >= LONG_KEY => {
                    self.cas.push(None);
                    err("other")
                }
                Some(bucket) => {
                    let snapshot = self.get(&bucket, key).cloned();
                    self.cas.push(Some(CasSlot { bucket, key: key.clone(), snapshot }));
                    Outcome::Handle
                }
            },
            Op::CasCurrent { c } if g6 => match self.cas.get(*c as usize).cloned().flatten() {
                None => Outcome::Gone,
                Some(cas) => cas.snapshot.map_or(Outcome::Missing, Outcome::Bytes),
            },
            Op::CasSwap { c, value } if g6 => match self.cas.get_mut(*c as usize).and_then(Option::take) {
                None => Outcome::Gone,
                Some(cas) => {
                    let now = self.get(&cas.bucket, &cas.key).cloned();
                    if now == cas.snapshot {
                        self.put(&cas.bucket, &cas.key, value.clone());
                        Outcome::Unit
                    } else {
                        // The fresh handle holds what was found.
                        self.cas[*c as usize] = Some(CasSlot { snapshot: now, ..cas });
                        Outcome::CasFailed
                    }
                }
            },
            Op::CasDrop { c } if g6 => match self.cas.get_mut(*c as usize).and_then(Option::take) {
                Some(_) => Outcome::Unit,
                None => Outcome::Gone,
            },
            // Another generation's ops: G2's handles, or the other resource shape's.
            Op::CompareAndSwap { .. }
            | Op::SetWithoutBody { .. }
            | Op::SetWritingTwice { .. }
            | Op::SizeThenConsume { .. }
            | Op::ListMadeUpCursor { .. }
            | Op::CasNew { .. }
            | Op::CasCurrent { .. }
            | Op::CasSwap { .. }
            | Op::CasDrop { .. }
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
            | Op::SetManyOutgoing { .. } => Outcome::NotInThisGeneration,
        }
    }
}
