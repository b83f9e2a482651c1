//! The wire format between `tests/differential.rs` and the fuzz guests
//! (`wasm/guests/guest-fuzz`): a sequence of [`Op`]s goes in as bytes, one [`Outcome`] per
//! op comes back. Written once here so that the host harness and every guest encode and
//! decode the same way.
//!
//! Ops name the guest's handles by slot: the index, in order of arrival, of every handle
//! the guest has received in this sequence (G2: every u32 handle of any kind; G3-G6: the
//! buckets, and separately G6's `cas` handles). A G2 slot number at or above
//! [`MADE_UP_HANDLE`] is not a slot but a raw handle value handed over as it is: a handle
//! the guest made up.

use std::string::String;
use std::vec::Vec;

/// G2 handle references from here up are passed raw, as handles the guest made up.
pub const MADE_UP_HANDLE: u32 = 0xFFF0_0000;

/// The error kind a G1 guest reports for a refused stream call: G1's `stream-error` is an
/// empty record, so there is no trace to read a kind from.
pub const G1_STREAM_ERROR: &str = "stream-error";

/// One call (or a few calls that only make sense together) of the guest's generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// G2/G3/G4 `open-bucket`, G5/G6 `store.open`; the bucket takes the next slot.
    Open { name: String },
    DropBucket { b: u32 },
    /// Get and read the whole value (G2-G4: the incoming value consumed and dropped).
    Get { b: u32, key: String },
    /// Set from a fresh value (G2-G4: an outgoing value with a sync body, dropped after).
    Set { b: u32, key: String, value: Vec<u8> },
    Delete { b: u32, key: String },
    Exists { b: u32, key: String },
    /// G6 takes the delta as s64: these are its bits.
    Increment { b: u32, key: String, delta: u64 },
    /// G2/G3/G4 `compare-and-swap` of u64 counters.
    CompareAndSwap { b: u32, key: String, old: u64, new: u64 },
    GetMany { b: u32, keys: Vec<String> },
    SetMany { b: u32, pairs: Vec<(String, Vec<u8>)> },
    DeleteMany { b: u32, keys: Vec<String> },
    /// Every key: G2 `get-keys`, G3/G4 `keys`, G5/G6 `list-keys` paged to the end.
    ListAll { b: u32 },
    /// G5/G6 `list-keys` with a cursor no host handed out (G5: this number; G6: a text
    /// naming it).
    ListMadeUpCursor { b: u32, cursor: u64 },
    // G2 by hand, handles by slot (any kind, live or not) or made up.
    NewOutgoing,
    WriteBody { o: u32, value: Vec<u8> },
    SetOutgoing { b: u32, key: String, o: u32 },
    DropOutgoing { o: u32 },
    /// `readwrite.get`: the incoming value (or the error) takes the next slot.
    GetIncoming { b: u32, key: String },
    /// `incoming-value-consume-sync`; an error takes the next slot.
    Consume { i: u32 },
    Size { i: u32 },
    DropIncoming { i: u32 },
    Trace { e: u32 },
    DropError { e: u32 },
    /// `batch.set-many` over outgoing values by slot; an error takes the next slot.
    SetManyOutgoing { b: u32, pairs: Vec<(String, u32)> },
    // G3/G4 mistakes a resource API still lets a guest make.
    /// `set` of an outgoing value that never got a body.
    SetWithoutBody { b: u32, key: String },
    /// Two sync bodies for one outgoing value, then `set`.
    SetWritingTwice { b: u32, key: String, first: Vec<u8>, second: Vec<u8> },
    /// `incoming-value-size`, then consume.
    SizeThenConsume { b: u32, key: String },
    // G6 `cas`, handles in their own slots.
    CasNew { b: u32, key: String },
    CasCurrent { c: u32 },
    /// Takes the handle; on `cas-failed` the fresh handle takes its slot.
    CasSwap { c: u32, value: Vec<u8> },
    CasDrop { c: u32 },
}

/// What one op gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Unit,
    Bool(bool),
    /// A counter or size (G6 counters: the s64's bits).
    Number(u64),
    Bytes(Vec<u8>),
    /// G3-G6 `none` for a missing key.
    Missing,
    Keys(Vec<String>),
    /// `get-many`: per key its value, or `None` when missing.
    Entries(Vec<Option<(String, Vec<u8>)>>),
    /// A handle went into the next slot.
    Handle,
    /// An error: G2-G4 the trace's kind word (before its `:`), G5/G6 the variant's name.
    Error(String),
    /// One `list-keys` page: its keys, and whether it handed out a cursor.
    Page { keys: Vec<String>, more: bool },
    CasFailed,
    /// The slot's handle was already given away (dropped or consumed by this guest).
    Gone,
    /// An op of two calls: what each gave.
    Pair(Box<Outcome>, Box<Outcome>),
    /// `trace`: the kind word of the text.
    Trace(String),
    /// The guest cannot do this op in its generation (a harness mistake).
    NotInThisGeneration,
    /// The op list did not decode (a harness mistake).
    Malformed,
}

/// The kind word of a trace in the `<kind>: <details>` convention, or the whole text.
pub fn kind_of(trace: &str) -> String {
    match trace.split_once(':') {
        Some((kind, _)) => kind.into(),
        None => trace.into(),
    }
}

#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len() as u32);
        self.buf.extend_from_slice(v);
    }
    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    pub fn strs(&mut self, v: &[String]) {
        self.u32(v.len() as u32);
        for s in v {
            self.str(s);
        }
    }
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }
    pub fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    pub fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Some(u64::from_le_bytes(a))
    }
    pub fn bytes(&mut self) -> Option<Vec<u8>> {
        let n = self.u32()? as usize;
        self.take(n).map(<[u8]>::to_vec)
    }
    pub fn str(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?).ok()
    }
    pub fn strs(&mut self) -> Option<Vec<String>> {
        let n = self.u32()?;
        (0..n).map(|_| self.str()).collect()
    }
}

impl Op {
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Op::Open { name } => {
                w.u8(0);
                w.str(name);
            }
            Op::DropBucket { b } => {
                w.u8(1);
                w.u32(*b);
            }
            Op::Get { b, key } => {
                w.u8(2);
                w.u32(*b);
                w.str(key);
            }
            Op::Set { b, key, value } => {
                w.u8(3);
                w.u32(*b);
                w.str(key);
                w.bytes(value);
            }
            Op::Delete { b, key } => {
                w.u8(4);
                w.u32(*b);
                w.str(key);
            }
            Op::Exists { b, key } => {
                w.u8(5);
                w.u32(*b);
                w.str(key);
            }
            Op::Increment { b, key, delta } => {
                w.u8(6);
                w.u32(*b);
                w.str(key);
                w.u64(*delta);
            }
            Op::CompareAndSwap { b, key, old, new } => {
                w.u8(7);
                w.u32(*b);
                w.str(key);
                w.u64(*old);
                w.u64(*new);
            }
            Op::GetMany { b, keys } => {
                w.u8(8);
                w.u32(*b);
                w.strs(keys);
            }
            Op::SetMany { b, pairs } => {
                w.u8(9);
                w.u32(*b);
                w.u32(pairs.len() as u32);
                for (k, v) in pairs {
                    w.str(k);
                    w.bytes(v);
                }
            }
            Op::DeleteMany { b, keys } => {
                w.u8(10);
                w.u32(*b);
                w.strs(keys);
            }
            Op::ListAll { b } => {
                w.u8(11);
                w.u32(*b);
            }
            Op::ListMadeUpCursor { b, cursor } => {
                w.u8(12);
                w.u32(*b);
                w.u64(*cursor);
            }
            Op::NewOutgoing => w.u8(20),
            Op::WriteBody { o, value } => {
                w.u8(21);
                w.u32(*o);
                w.bytes(value);
            }
            Op::SetOutgoing { b, key, o } => {
                w.u8(22);
                w.u32(*b);
                w.str(key);
                w.u32(*o);
            }
            Op::DropOutgoing { o } => {
                w.u8(23);
                w.u32(*o);
            }
            Op::GetIncoming { b, key } => {
                w.u8(24);
                w.u32(*b);
                w.str(key);
            }
            Op::Consume { i } => {
                w.u8(25);
                w.u32(*i);
            }
            Op::Size { i } => {
                w.u8(26);
                w.u32(*i);
            }
            Op::DropIncoming { i } => {
                w.u8(27);
                w.u32(*i);
            }
            Op::Trace { e } => {
                w.u8(28);
                w.u32(*e);
            }
            Op::DropError { e } => {
                w.u8(29);
                w.u32(*e);
            }
            Op::SetManyOutgoing { b, pairs } => {
                w.u8(30);
                w.u32(*b);
                w.u32(pairs.len() as u32);
                for (k, o) in pairs {
                    w.str(k);
                    w.u32(*o);
                }
            }
            Op::SetWithoutBody { b, key } => {
                w.u8(40);
                w.u32(*b);
                w.str(key);
            }
            Op::SetWritingTwice { b, key, first, second } => {
                w.u8(41);
                w.u32(*b);
                w.str(key);
                w.bytes(first);
                w.bytes(second);
            }
            Op::SizeThenConsume { b, key } => {
                w.u8(42);
                w.u32(*b);
                w.str(key);
            }
            Op::CasNew { b, key } => {
                w.u8(50);
                w.u32(*b);
                w.str(key);
            }
            Op::CasCurrent { c } => {
                w.u8(51);
                w.u32(*c);
            }
            Op::CasSwap { c, value } => {
                w.u8(52);
                w.u32(*c);
                w.bytes(value);
            }
            Op::CasDrop { c } => {
                w.u8(53);
                w.u32(*c);
            }
        }
    }

    pub fn decode(r: &mut Reader<'_>) -> Option<Op> {
        Some(match r.u8()? {
            0 => Op::Open { name: r.str()? },
            1 => Op::DropBucket { b: r.u32()? },
            2 => Op::Get { b: r.u32()?, key: r.str()? },
            3 => Op::Set { b: r.u32()?, key: r.str()?, value: r.bytes()? },
            4 => Op::Delete { b: r.u32()?, key: r.str()? },
            5 => Op::Exists { b: r.u32()?, key: r.str()? },
            6 => Op::Increment { b: r.u32()?, key: r.str()?, delta: r.u64()? },
            7 => Op::CompareAndSwap { b: r.u32()?, key: r.str()?, old: r.u64()?, new: r.u64()? },
            8 => Op::GetMany { b: r.u32()?, keys: r.strs()? },
            9 => {
                let b = r.u32()?;
                let n = r.u32()?;
                let pairs = (0..n).map(|_| Some((r.str()?, r.bytes()?))).collect::<Option<_>>()?;
                Op::SetMany { b, pairs }
            }
            10 => Op::DeleteMany { b: r.u32()?, keys: r.strs()? },
            11 => Op::ListAll { b: r.u32()? },
            12 => Op::ListMadeUpCursor { b: r.u32()?, cursor: r.u64()? },
            20 => Op::NewOutgoing,
            21 => Op::WriteBody { o: r.u32()?, value: r.bytes()? },
            22 => Op::SetOutgoing { b: r.u32()?, key: r.str()?, o: r.u32()? },
            23 => Op::DropOutgoing { o: r.u32()? },
            24 => Op::GetIncoming { b: r.u32()?, key: r.str()? },
            25 => Op::Consume { i: r.u32()? },
            26 => Op::Size { i: r.u32()? },
            27 => Op::DropIncoming { i: r.u32()? },
            28 => Op::Trace { e: r.u32()? },
            29 => Op::DropError { e: r.u32()? },
            30 => {
                let b = r.u32()?;
                let n = r.u32()?;
                let pairs = (0..n).map(|_| Some((r.str()?, r.u32()?))).collect::<Option<_>>()?;
                Op::SetManyOutgoing { b, pairs }
            }
            40 => Op::SetWithoutBody { b: r.u32()?, key: r.str()? },
            41 => Op::SetWritingTwice { b: r.u32()?, key: r.str()?, first: r.bytes()?, second: r.bytes()? },
            42 => Op::SizeThenConsume { b: r.u32()?, key: r.str()? },
            50 => Op::CasNew { b: r.u32()?, key: r.str()? },
            51 => Op::CasCurrent { c: r.u32()? },
            52 => Op::CasSwap { c: r.u32()?, value: r.bytes()? },
            53 => Op::CasDrop { c: r.u32()? },
            _ => return None,
        })
    }
}

/// Encodes a whole sequence.
pub fn encode_ops(ops: &[Op]) -> Vec<u8> {
    let mut w = Writer::default();
    for op in ops {
        op.encode(&mut w);
    }
    w.buf
}

/// Decodes a whole sequence; `None` if any op is malformed.
pub fn decode_ops(bytes: &[u8]) -> Option<Vec<Op>> {
    let mut r = Reader::new(bytes);
    let mut ops = Vec::new();
    while !r.done() {
        ops.push(Op::decode(&mut r)?);
    }
    Some(ops)
}

impl Outcome {
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Outcome::Unit => w.u8(0),
            Outcome::Bool(b) => {
                w.u8(1);
                w.u8(*b as u8);
            }
            Outcome::Number(n) => {
                w.u8(2);
                w.u64(*n);
            }
            Outcome::Bytes(v) => {
                w.u8(3);
                w.bytes(v);
            }
            Outcome::Missing => w.u8(4),
            Outcome::Keys(keys) => {
                w.u8(5);
                w.strs(keys);
            }
            Outcome::Entries(entries) => {
                w.u8(6);
                w.u32(entries.len() as u32);
                for entry in entries {
                    match entry {
                        None => w.u8(0),
                        Some((k, v)) => {
                            w.u8(1);
                            w.str(k);
                            w.bytes(v);
                        }
                    }
                }
            }
            Outcome::Handle => w.u8(7),
            Outcome::Error(kind) => {
                w.u8(8);
                w.str(kind);
            }
            Outcome::Page { keys, more } => {
                w.u8(9);
                w.strs(keys);
                w.u8(*more as u8);
            }
            Outcome::CasFailed => w.u8(10),
            Outcome::Gone => w.u8(11),
            Outcome::Pair(a, b) => {
                w.u8(12);
                a.encode(w);
                b.encode(w);
            }
            Outcome::Trace(kind) => {
                w.u8(13);
                w.str(kind);
            }
            Outcome::NotInThisGeneration => w.u8(14),
            Outcome::Malformed => w.u8(15),
        }
    }

    pub fn decode(r: &mut Reader<'_>) -> Option<Outcome> {
        Some(match r.u8()? {
            0 => Outcome::Unit,
            1 => Outcome::Bool(r.u8()? != 0),
            2 => Outcome::Number(r.u64()?),
            3 => Outcome::Bytes(r.bytes()?),
            4 => Outcome::Missing,
            5 => Outcome::Keys(r.strs()?),
            6 => {
                let n = r.u32()?;
                let entries = (0..n)
                    .map(|_| match r.u8()? {
                        0 => Some(None),
                        _ => Some(Some((r.str()?, r.bytes()?))),
                    })
                    .collect::<Option<_>>()?;
                Outcome::Entries(entries)
            }
            7 => Outcome::Handle,
            8 => Outcome::Error(r.str()?),
            9 => Outcome::Page { keys: r.strs()?, more: r.u8()? != 0 },
            10 => Outcome::CasFailed,
            11 => Outcome::Gone,
            12 => Outcome::Pair(Box::new(Outcome::decode(r)?), Box::new(Outcome::decode(r)?)),
            13 => Outcome::Trace(r.str()?),
            14 => Outcome::NotInThisGeneration,
            15 => Outcome::Malformed,
            _ => return None,
        })
    }
}

pub fn encode_outcomes(outcomes: &[Outcome]) -> Vec<u8> {
    let mut w = Writer::default();
    for o in outcomes {
        o.encode(&mut w);
    }
    w.buf
}

pub fn decode_outcomes(bytes: &[u8]) -> Option<Vec<Outcome>> {
    let mut r = Reader::new(bytes);
    let mut outcomes = Vec::new();
    while !r.done() {
        outcomes.push(Outcome::decode(&mut r)?);
    }
    Some(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_and_outcomes_come_back_as_they_went() {
        let ops = vec![
            Op::Open { name: "日本".into() },
            Op::SetMany { b: 1, pairs: vec![("a".into(), vec![0, 255]), (String::new(), vec![])] },
            Op::SetManyOutgoing { b: MADE_UP_HANDLE + 3, pairs: vec![("k".into(), 7)] },
            Op::CompareAndSwap { b: 0, key: "\0".into(), old: u64::MAX, new: 0 },
            Op::CasSwap { c: 2, value: vec![1; 300] },
            Op::NewOutgoing,
        ];
        assert_eq!(decode_ops(&encode_ops(&ops)), Some(ops));
        let outcomes = vec![
            Outcome::Entries(vec![None, Some(("k".into(), vec![1, 2]))]),
            Outcome::Pair(Box::new(Outcome::Error("bad-handle".into())), Box::new(Outcome::Page { keys: vec!["a".into()], more: true })),
            Outcome::Number(u64::MAX),
            Outcome::Missing,
        ];
        assert_eq!(decode_outcomes(&encode_outcomes(&outcomes)), Some(outcomes));
    }

    #[test]
    fn a_truncated_or_unknown_op_is_refused() {
        let bytes = encode_ops(&[Op::Get { b: 0, key: "key".into() }]);
        assert_eq!(decode_ops(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode_ops(&[99]), None);
        assert_eq!(kind_of("not-found: key \"k\""), "not-found");
        assert_eq!(kind_of("no colon"), "no colon");
    }
}
