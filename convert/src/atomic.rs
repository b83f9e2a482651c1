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

/// What a negative G6 delta does to a counter on a host whose counters are u64 and only
/// count up: the adapter reads the counter, subtracts and writes, as the host cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decrement {
    /// Write these bytes: the counter now holds `value`.
    Write { value: i64, bytes: Vec<u8> },
    /// The stored bytes are not a counter in the configured encoding: an error.
    NotACounter(DecodeError),
    /// The counter holds `current` (0 for a missing key), and a u64 counter cannot go below
    /// zero: an error, nothing written.
    BelowZero { current: u64 },
    /// The result is above `i64::MAX`, which the guest's s64 cannot carry: an error,
    /// nothing written.
    TooLarge { value: u64 },
}

/// [`Decrement`] for `current` (the stored bytes, `None` when the key is missing) lowered
/// by `by`. A missing key counts as 0, as `increment` creates it from 0.
pub fn decrement(enc: Encoding, current: Option<&[u8]>, by: u64) -> Decrement {
    let current = match current.map(|bytes| enc.decode(bytes)) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(e)) => return Decrement::NotACounter(e),
    };
    let Some(value) = current.checked_sub(by) else {
        return Decrement::BelowZero { current };
    };
    match i64::try_from(value) {
        Ok(signed) => Decrement::Write { value: signed, bytes: enc.encode(value) },
        Err(_) => Decrement::TooLarge { value },
    }
}

/// [`Decrement`] for a delta of either sign, on a host with no counters at all (Spin 4's
/// `spin:key-value@3.0.0`): the adapter reads, adds and writes. A counter past `i64::MAX`
/// after the addition is `TooLarge` (its `value` saturated at `u64::MAX` where the sum
/// does not fit a u64 either), nothing written.
pub fn add(enc: Encoding, current: Option<&[u8]>, delta: i64) -> Decrement {
    let Ok(up) = u64::try_from(delta) else {
        return decrement(enc, current, delta.unsigned_abs());
    };
    let current = match current.map(|bytes| enc.decode(bytes)) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(e)) => return Decrement::NotACounter(e),
    };
    let value = current.saturating_add(up);
    match i64::try_from(value) {
        Ok(signed) => Decrement::Write { value: signed, bytes: enc.encode(value) },
        Err(_) => Decrement::TooLarge { value },
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
    fn a_decrement_writes_the_lower_counter_in_the_same_layout() {
        for enc in [Encoding::Decimal, Encoding::Le64, Encoding::Be64] {
            let ten = enc.encode(10);
            assert_eq!(decrement(enc, Some(&ten), 3), Decrement::Write { value: 7, bytes: enc.encode(7) });
            assert_eq!(decrement(enc, Some(&ten), 10), Decrement::Write { value: 0, bytes: enc.encode(0) });
        }
        assert_eq!(decrement(Encoding::Decimal, Some(b"10"), 3), Decrement::Write { value: 7, bytes: b"7".to_vec() });
    }

    #[test]
    fn a_decrement_below_zero_or_of_a_missing_key_is_refused() {
        assert_eq!(decrement(Encoding::Decimal, Some(b"2"), 3), Decrement::BelowZero { current: 2 });
        assert_eq!(decrement(Encoding::Le64, None, 1), Decrement::BelowZero { current: 0 });
        assert_eq!(decrement(Encoding::Decimal, Some(b"5"), u64::MAX), Decrement::BelowZero { current: 5 });
    }

    #[test]
    fn a_decrement_of_what_is_no_counter_or_stays_past_s64_is_refused() {
        assert_eq!(decrement(Encoding::Decimal, Some(b"ten"), 1), Decrement::NotACounter(DecodeError::NotDecimal));
        assert_eq!(decrement(Encoding::Be64, Some(b"10"), 1), Decrement::NotACounter(DecodeError::WrongLength(2)));
        let huge = Encoding::Le64.encode(u64::MAX);
        assert_eq!(decrement(Encoding::Le64, Some(&huge), 1), Decrement::TooLarge { value: u64::MAX - 1 });
        let just = Encoding::Le64.encode(i64::MAX as u64 + 1);
        assert_eq!(
            decrement(Encoding::Le64, Some(&just), 1),
            Decrement::Write { value: i64::MAX, bytes: Encoding::Le64.encode(i64::MAX as u64) }
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

    #[test]
    fn an_addition_by_read_and_write_counts_from_zero_either_way() {
        assert_eq!(add(Encoding::Decimal, None, 5), Decrement::Write { value: 5, bytes: b"5".to_vec() });
        assert_eq!(add(Encoding::Decimal, Some(b"5"), -2), Decrement::Write { value: 3, bytes: b"3".to_vec() });
        assert_eq!(add(Encoding::Be64, None, 0), Decrement::Write { value: 0, bytes: Encoding::Be64.encode(0) });
        assert_eq!(add(Encoding::Decimal, Some(b"1"), -2), Decrement::BelowZero { current: 1 });
        assert_eq!(add(Encoding::Decimal, Some(b"x"), 1), Decrement::NotACounter(DecodeError::NotDecimal));
    }

    #[test]
    fn an_addition_past_s64_is_refused_and_says_the_sum() {
        let top = Encoding::Le64.encode(i64::MAX as u64);
        assert_eq!(add(Encoding::Le64, Some(&top), 1), Decrement::TooLarge { value: i64::MAX as u64 + 1 });
        assert_eq!(add(Encoding::Le64, Some(&top), 0), Decrement::Write { value: i64::MAX, bytes: top.clone() });
        let huge = Encoding::Le64.encode(u64::MAX - 1);
        assert_eq!(add(Encoding::Le64, Some(&huge), i64::MAX), Decrement::TooLarge { value: u64::MAX });
    }
}
