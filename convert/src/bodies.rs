//! Bodies of outgoing values, kept in a slab by every adapter front: G2 names an outgoing
//! value by a u32 handle, G3/G4 by a resource whose rep holds a handle into the same slab,
//! so that a body stream (the `io` flavour) can outlive the value and see that it is gone.
//!
//! A body is written once (`None` until then); a second write is refused and the first
//! body stays. Batch writes lend the bodies to the host call instead of copying them.
//!
//! Lossy: nothing. A value named twice in one batch is copied once for its later pair,
//! since one buffer cannot be lent twice.

use alloc::vec::Vec;

use crate::slab::{Miss, Slab};

/// Outgoing values: `None` until a body is written.
pub type Bodies = Slab<Option<Vec<u8>>>;

/// Why an outgoing value's body could not be used or written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// The handle does not name a live outgoing value.
    Handle(Miss),
    /// `set` of a value whose body was never written.
    NoBody,
    /// A second body write; the first body stays.
    AlreadyWritten,
}

/// The body of outgoing value `h`, which must have one.
pub fn body(bodies: &Bodies, h: u32) -> Result<&Vec<u8>, BodyError> {
    match bodies.get(h) {
        Ok(Some(body)) => Ok(body),
        Ok(None) => Err(BodyError::NoBody),
        Err(m) => Err(BodyError::Handle(m)),
    }
}

/// Gives outgoing value `h` its body `bytes`; a body already there stays.
pub fn start(bodies: &mut Bodies, h: u32, bytes: Vec<u8>) -> Result<(), BodyError> {
    let body = bodies.get_mut(h).map_err(BodyError::Handle)?;
    if body.is_some() {
        return Err(BodyError::AlreadyWritten);
    }
    *body = Some(bytes);
    Ok(())
}

/// Takes the bodies of `pairs` (key, outgoing value) out of the slab to pass them to a
/// host batch call without copying; returns the (key, body) pairs and the handles to
/// `restore` them to. Call only after `body` succeeded for every handle: a handle without
/// a body gets an empty one here.
pub fn lend<K>(bodies: &mut Bodies, pairs: Vec<(K, u32)>) -> (Vec<(K, Vec<u8>)>, Vec<u32>) {
    let mut lent: Vec<(K, Vec<u8>)> = Vec::with_capacity(pairs.len());
    let mut handles = Vec::with_capacity(pairs.len());
    for (key, h) in pairs {
        let body = match bodies.get_mut(h) {
            Ok(slot @ Some(_)) => slot.take().unwrap_or_default(),
            // Lent already to an earlier pair naming the same value.
            Ok(None) | Err(_) => {
                let first = handles.iter().position(|e| *e == h);
                first.map(|f| lent[f].1.clone()).unwrap_or_default()
            }
        };
        lent.push((key, body));
        handles.push(h);
    }
    (lent, handles)
}

/// Puts bodies taken by `lend` back, each into the value it came from.
pub fn restore<K>(bodies: &mut Bodies, handles: Vec<u32>, lent: Vec<(K, Vec<u8>)>) {
    for (h, (_, body)) in handles.into_iter().zip(lent) {
        if let Ok(slot @ None) = bodies.get_mut(h) {
            *slot = Some(body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slab::Kind;
    use alloc::vec;

    fn slab_with(values: &[Option<&[u8]>]) -> (Bodies, Vec<u32>) {
        let mut s = Bodies::new(Kind::OutgoingValue);
        let hs = values
            .iter()
            .map(|v| s.insert(v.map(<[u8]>::to_vec)).unwrap())
            .collect();
        (s, hs)
    }

    #[test]
    fn a_body_is_written_once_and_the_first_stays() {
        let (mut s, hs) = slab_with(&[None]);
        assert_eq!(body(&s, hs[0]), Err(BodyError::NoBody));
        assert_eq!(start(&mut s, hs[0], b"one".to_vec()), Ok(()));
        assert_eq!(
            start(&mut s, hs[0], b"two".to_vec()),
            Err(BodyError::AlreadyWritten)
        );
        assert_eq!(body(&s, hs[0]), Ok(&b"one".to_vec()));
    }

    #[test]
    fn dead_or_foreign_handles_are_reported_as_such() {
        let (mut s, hs) = slab_with(&[Some(b"x")]);
        s.remove(hs[0]);
        assert_eq!(body(&s, hs[0]), Err(BodyError::Handle(Miss::NotLive)));
        let bucket = crate::slab::encode(Kind::Bucket, 0, 0);
        assert_eq!(
            start(&mut s, bucket, Vec::new()),
            Err(BodyError::Handle(Miss::WrongKind(Kind::Bucket)))
        );
    }

    #[test]
    fn lending_moves_bodies_out_and_restore_puts_each_back() {
        let (mut s, hs) = slab_with(&[Some(b"a"), Some(b"bb")]);
        let pairs = vec![("k1", hs[0]), ("k2", hs[1]), ("k3", hs[0])];
        let (lent, handles) = lend(&mut s, pairs);
        assert_eq!(
            lent,
            vec![
                ("k1", b"a".to_vec()),
                ("k2", b"bb".to_vec()),
                ("k3", b"a".to_vec())
            ]
        );
        // While lent the slab holds nothing, so nothing was copied except the repeat.
        assert_eq!(body(&s, hs[0]), Err(BodyError::NoBody));
        restore(&mut s, handles, lent);
        assert_eq!(body(&s, hs[0]), Ok(&b"a".to_vec()));
        assert_eq!(body(&s, hs[1]), Ok(&b"bb".to_vec()));
    }

    #[test]
    fn restore_skips_values_dropped_meanwhile() {
        let (mut s, hs) = slab_with(&[Some(b"a")]);
        let (lent, handles) = lend(&mut s, vec![("k", hs[0])]);
        s.remove(hs[0]);
        let again = s.insert(None).unwrap();
        restore(&mut s, handles, lent);
        assert_eq!(body(&s, again), Err(BodyError::NoBody));
    }
}
