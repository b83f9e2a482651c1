//! u32 handles for G2's handle-based interfaces (buckets, outgoing and incoming values,
//! errors), kept in slabs: a `Vec` of slots plus a free list, as wasmtime's preview1
//! adapter does, instead of a map.
//!
//! G2 passes every handle as a bare `u32`, so a guest can hand an error where a bucket is
//! expected, or reuse a handle after `drop-*`. Each handle therefore carries its kind and
//! the generation of its slot, and a lookup tells "wrong kind" from "not live":
//!
//! ```text
//!  31..29  kind (1 bucket, 2 outgoing-value, 3 incoming-value, 4 error, 5 input-stream,
//!          6 output-stream (G1's u32 streams); 0 never issued)
//!  28..20  generation of the slot (9 bits, bumped on every removal, wraps)
//!  19..0   slot index (the all-ones index is never allocated; see `overflow`)
//! ```
//!
//! A slab that is full, or cannot get memory for one more slot, refuses the insert and
//! the caller reports it through its interface; removing never allocates.
//!
//! Lossy: the generation wraps after 512 reuses of one slot, so a handle kept that long
//! after its drop could alias a new one. Handle 0 is never valid.

use alloc::vec::Vec;

const INDEX_BITS: u32 = 20;
const GEN_BITS: u32 = 9;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const GEN_MASK: u32 = (1 << GEN_BITS) - 1;
const KIND_SHIFT: u32 = INDEX_BITS + GEN_BITS;

/// Live slots per slab; one index short of the mask so that `overflow` never collides.
pub const CAPACITY: u32 = INDEX_MASK;

/// What a handle stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bucket,
    OutgoingValue,
    IncomingValue,
    Error,
    /// G1's `streams.input-stream`, which the adapter serves from memory.
    InputStream,
    /// G1's `streams.output-stream`.
    OutputStream,
}

impl Kind {
    /// The G2 type name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bucket => "bucket",
            Kind::OutgoingValue => "outgoing-value",
            Kind::IncomingValue => "incoming-value",
            Kind::Error => "error",
            Kind::InputStream => "input-stream",
            Kind::OutputStream => "output-stream",
        }
    }

    fn code(self) -> u32 {
        match self {
            Kind::Bucket => 1,
            Kind::OutgoingValue => 2,
            Kind::IncomingValue => 3,
            Kind::Error => 4,
            Kind::InputStream => 5,
            Kind::OutputStream => 6,
        }
    }

    fn from_code(code: u32) -> Option<Kind> {
        match code {
            1 => Some(Kind::Bucket),
            2 => Some(Kind::OutgoingValue),
            3 => Some(Kind::IncomingValue),
            4 => Some(Kind::Error),
            5 => Some(Kind::InputStream),
            6 => Some(Kind::OutputStream),
            _ => None,
        }
    }
}

/// Packs a handle. `index` and `gen` are masked to their fields.
pub fn encode(kind: Kind, index: u32, gen: u32) -> u32 {
    (kind.code() << KIND_SHIFT) | ((gen & GEN_MASK) << INDEX_BITS) | (index & INDEX_MASK)
}

/// Unpacks a handle into kind, index and generation; `None` when no kind matches.
pub fn decode(handle: u32) -> Option<(Kind, u32, u32)> {
    let kind = Kind::from_code(handle >> KIND_SHIFT)?;
    Some((kind, handle & INDEX_MASK, (handle >> INDEX_BITS) & GEN_MASK))
}

/// A handle of `kind` that no slab ever issues: returned when a slab is full and the
/// signature has no other way to say so (e.g. an error handle for "too many errors").
pub fn overflow(kind: Kind) -> u32 {
    encode(kind, INDEX_MASK, 0)
}

/// The handle of every pollable the fused flavour serves from memory (always ready): kind
/// code 7, which no slab issues, so it is neither a live slab handle nor a host handle.
pub const ALWAYS_READY: u32 = 7 << KIND_SHIFT;

/// Whether `handle` was issued by the adapter (a slab, or [`ALWAYS_READY`]) rather than
/// by the host. The fused flavour shares one handle table with the host's WASI, and the
/// canonical ABI caps a component instance's table at 2^28 entries (`MAX_LENGTH` in
/// CanonicalABI.md), so every host handle has its three top bits clear and every adapter
/// handle has its kind there.
pub fn issued_by_adapter(handle: u32) -> bool {
    handle >> KIND_SHIFT != 0
}

/// Why a handle did not resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Miss {
    /// A live-looking handle of another kind (e.g. an error passed as a bucket).
    WrongKind(Kind),
    /// Never issued, already dropped, or not a handle at all.
    NotLive,
}

/// Values of one kind addressed by packed handles.
pub struct Slab<T> {
    kind: Kind,
    /// Per slot: its generation, plus `LIVE` while it holds a value. Kept apart from
    /// `vals` so that resolving a handle is one function for every `T`.
    tags: Vec<u32>,
    vals: Vec<Option<T>>,
    free: Vec<u32>,
}

const LIVE: u32 = 1 << 31;

/// The slot index `handle` names in a slab of `kind` with these `tags`.
fn resolve(kind: Kind, tags: &[u32], handle: u32) -> Result<usize, Miss> {
    let (k, index, gen) = decode(handle).ok_or(Miss::NotLive)?;
    if k != kind {
        return Err(Miss::WrongKind(k));
    }
    match tags.get(index as usize) {
        Some(&tag) if tag == gen | LIVE => Ok(index as usize),
        Some(_) | None => Err(Miss::NotLive),
    }
}

impl<T> Slab<T> {
    pub const fn new(kind: Kind) -> Self {
        Slab {
            kind,
            tags: Vec::new(),
            vals: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Stores `val` and returns its handle; gives `val` back when the slab is full or
    /// memory for one more slot cannot be had, so that a caller with an error channel can
    /// report it instead of aborting on a failed allocation.
    pub fn insert(&mut self, val: T) -> Result<u32, T> {
        let index = match self.free.pop() {
            Some(i) => i as usize,
            None => {
                let i = self.tags.len();
                if i >= CAPACITY as usize {
                    return Err(val);
                }
                // `free` is empty here; room for every slot is reserved in it now, so that
                // `remove` (which has no way to fail) never allocates.
                if self.tags.try_reserve(1).is_err() || self.vals.try_reserve(1).is_err() || self.free.try_reserve(i + 1).is_err() {
                    return Err(val);
                }
                self.tags.push(0);
                self.vals.push(None);
                i
            }
        };
        let (Some(tag), Some(slot)) = (self.tags.get_mut(index), self.vals.get_mut(index)) else {
            return Err(val);
        };
        *tag |= LIVE;
        *slot = Some(val);
        Ok(encode(self.kind, index as u32, *tag & GEN_MASK))
    }

    pub fn get(&self, handle: u32) -> Result<&T, Miss> {
        let i = resolve(self.kind, &self.tags, handle)?;
        self.vals
            .get(i)
            .and_then(Option::as_ref)
            .ok_or(Miss::NotLive)
    }

    pub fn get_mut(&mut self, handle: u32) -> Result<&mut T, Miss> {
        let i = resolve(self.kind, &self.tags, handle)?;
        self.vals
            .get_mut(i)
            .and_then(Option::as_mut)
            .ok_or(Miss::NotLive)
    }

    /// How many values are live.
    pub fn live(&self) -> usize {
        self.tags.len() - self.free.len()
    }

    /// Frees the slot; later uses of `handle` miss. `None` when it was not live.
    pub fn remove(&mut self, handle: u32) -> Option<T> {
        let i = resolve(self.kind, &self.tags, handle).ok()?;
        let tag = self.tags.get_mut(i)?;
        *tag = (*tag + 1) & GEN_MASK;
        self.free.push(i as u32);
        self.vals.get_mut(i)?.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_handles_and_adapter_handles_never_meet() {
        // The canonical ABI's largest table index, and the first few a host hands out.
        for host in [1, 2, 3, 1000, (1 << 28) - 1] {
            assert!(!issued_by_adapter(host), "{host}");
        }
        let mut slab = Slab::new(Kind::InputStream);
        let issued = slab.insert(()).unwrap();
        assert!(issued_by_adapter(issued));
        assert!(issued_by_adapter(overflow(Kind::Error)));
        assert!(issued_by_adapter(ALWAYS_READY));
        // No slab resolves the ready pollable, whatever its kind.
        assert_eq!(decode(ALWAYS_READY), None);
        assert_eq!(slab.get(ALWAYS_READY).err(), Some(Miss::NotLive));
    }

    const KINDS: [Kind; 6] = [
        Kind::Bucket,
        Kind::OutgoingValue,
        Kind::IncomingValue,
        Kind::Error,
        Kind::InputStream,
        Kind::OutputStream,
    ];

    #[test]
    fn encoding_round_trips_and_never_yields_zero() {
        for kind in KINDS {
            for (index, gen) in [(0, 0), (1, 7), (CAPACITY - 1, GEN_MASK), (12345, 300)] {
                let h = encode(kind, index, gen);
                assert_ne!(h, 0);
                assert_eq!(decode(h), Some((kind, index, gen)));
            }
        }
        assert_eq!(decode(0), None);
        assert_eq!(decode(7), None);
        assert_eq!(decode(u32::MAX), None);
    }

    #[test]
    fn handles_resolve_until_removed_and_then_miss() {
        let mut s = Slab::new(Kind::IncomingValue);
        let a = s.insert("a").unwrap();
        let b = s.insert("b").unwrap();
        assert_ne!(a, b);
        assert_eq!(s.get(a), Ok(&"a"));
        *s.get_mut(b).unwrap() = "B";
        assert_eq!(s.get(b), Ok(&"B"));
        assert_eq!(s.remove(a), Some("a"));
        assert_eq!(s.get(a), Err(Miss::NotLive));
        assert_eq!(s.remove(a), None);
        assert_eq!(s.get(b), Ok(&"B"));
    }

    #[test]
    fn a_reused_slot_does_not_answer_to_the_old_handle() {
        let mut s = Slab::new(Kind::Bucket);
        let old = s.insert(1).unwrap();
        s.remove(old);
        let new = s.insert(2).unwrap();
        assert_eq!(
            decode(old).unwrap().1,
            decode(new).unwrap().1,
            "slot is reused"
        );
        assert_ne!(old, new);
        assert_eq!(s.get(old), Err(Miss::NotLive));
        assert_eq!(s.get(new), Ok(&2));
    }

    #[test]
    fn a_handle_of_another_kind_is_named_as_such() {
        let mut errors = Slab::new(Kind::Error);
        let buckets: Slab<u8> = Slab::new(Kind::Bucket);
        let e = errors.insert(()).unwrap();
        assert_eq!(buckets.get(e), Err(Miss::WrongKind(Kind::Error)));
        assert_eq!(buckets.get(0), Err(Miss::NotLive));
        assert_eq!(buckets.get(encode(Kind::Bucket, 99, 0)), Err(Miss::NotLive));
    }

    #[test]
    fn a_full_slab_refuses_and_overflow_is_never_live() {
        let mut s = Slab::new(Kind::Error);
        for _ in 0..CAPACITY {
            s.insert(()).unwrap();
        }
        assert_eq!(s.insert(()), Err(()));
        assert_eq!(s.get(overflow(Kind::Error)), Err(Miss::NotLive));
        let first = encode(Kind::Error, 0, 0);
        s.remove(first);
        assert!(s.insert(()).is_ok(), "a freed slot is usable again");
    }

    #[test]
    fn removing_never_needs_to_grow_the_free_list() {
        let mut slab = Slab::new(Kind::OutgoingValue);
        let handles: Vec<u32> = (0..1000).map(|i| slab.insert(i).unwrap()).collect();
        assert!(slab.free.capacity() >= slab.tags.len());
        let reserved = slab.free.capacity();
        for h in handles {
            slab.remove(h);
        }
        assert_eq!(slab.free.capacity(), reserved, "remove grew the free list");
    }

    #[test]
    fn live_counts_what_is_not_removed() {
        let mut slab = Slab::new(Kind::Error);
        assert_eq!(slab.live(), 0);
        let a = slab.insert(1).unwrap();
        let b = slab.insert(2).unwrap();
        assert_eq!(slab.live(), 2);
        slab.remove(a);
        slab.remove(a);
        assert_eq!(slab.live(), 1);
        slab.remove(b);
        assert_eq!(slab.live(), 0);
    }
}
