//! G2/G3/G4 `atomic` (u64 counters: `increment`, `compare-and-swap`) over G5/G6, whose
//! values are bytes: the counter layout is the configured `counter::Encoding`.
//!
//! Lossy: G6 (`@0.2.0-draft2`) counters are signed 64-bit, so a G2 delta above `i64::MAX`
//! or a counter that went negative cannot be carried and is refused, never wrapped.

use alloc::vec::Vec;

use crate::counter::{DecodeError, Encoding};

/// What `compare-and-swap(old, new)` should do given the value read now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The key is missing: an error in G2, `false` in G3/G4.
    Missing,
    /// The stored bytes are not a counter in the configured encoding: an error.
    NotACounter(DecodeError),
    /// The counter holds another value: answer `false`, write nothing.
    Differs(u64),
    /// The counter equals `old`: write these bytes (`new`, encoded).
    Swap(Vec<u8>),
}

pub fn decide(enc: Encoding, current: Option<&[u8]>, old: u64, new: u64) -> Decision {
    let Some(bytes) = current else {
        return Decision::Missing;
    };
    match enc.decode(bytes) {
        Err(e) => Decision::NotACounter(e),
        Ok(v) if v != old => Decision::Differs(v),
        Ok(_) => Decision::Swap(enc.encode(new)),
    }
}

/// A legacy u64 delta as a G6 delta; `None` above `i64::MAX`.
pub fn delta_to_signed(delta: u64) -> Option<i64> {
    i64::try_from(delta).ok()
}

/// A G6 counter as a legacy u64 counter; `None` when negative.
pub fn counter_from_signed(value: i64) -> Option<u64> {
    u64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_only_when_the_counter_equals_old() {
        for enc in [Encoding::Decimal, Encoding::Le64, Encoding::Be64] {
            let five = enc.encode(5);
            assert_eq!(
                decide(enc, Some(&five), 5, 6),
                Decision::Swap(enc.encode(6))
            );
            assert_eq!(decide(enc, Some(&five), 4, 6), Decision::Differs(5));
            assert_eq!(decide(enc, None, 5, 6), Decision::Missing);
        }
    }

    #[test]
    fn bytes_in_another_layout_are_not_a_counter() {
        let le = Encoding::Le64.encode(5);
        assert_eq!(
            decide(Encoding::Decimal, Some(&le), 5, 6),
            Decision::NotACounter(DecodeError::NotDecimal)
        );
        assert_eq!(
            decide(Encoding::Be64, Some(b"5"), 5, 6),
            Decision::NotACounter(DecodeError::WrongLength(1))
        );
    }

    #[test]
    fn signed_counters_refuse_what_does_not_fit() {
        assert_eq!(delta_to_signed(0), Some(0));
        assert_eq!(delta_to_signed(i64::MAX as u64), Some(i64::MAX));
        assert_eq!(delta_to_signed(i64::MAX as u64 + 1), None);
        assert_eq!(counter_from_signed(i64::MAX), Some(i64::MAX as u64));
        assert_eq!(counter_from_signed(0), Some(0));
        assert_eq!(counter_from_signed(-1), None);
    }
}
