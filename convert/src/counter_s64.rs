//! Signed counters (G6's `increment` takes and returns s64) in the same three layouts as
//! [`crate::counter`]. `le64`/`be64` hold the 8 bytes of the i64 in two's complement
//! (as Spin stores them), so a non-negative counter has exactly the bytes of the same u64
//! counter. `decimal` is ASCII digits with an optional leading `-` (as Redis' INCRBY):
//! a non-negative counter again reads the same as the u64 one.
//!
//! Lossy: a le64/be64 u64 counter above `i64::MAX` written by a G5 writer reads as
//! negative here; a decimal one above `i64::MAX` is refused ([`DecodeError::OutOfRange`]).

use crate::counter::{self, Encoding};
use alloc::vec::Vec;

/// Why stored bytes are not an s64 counter in the chosen encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Decimal: empty, a lone `-`, or a byte other than `0`-`9` after the optional `-`.
    NotDecimal,
    /// Decimal: outside `i64::MIN..=i64::MAX`.
    OutOfRange,
    /// Le64/Be64: not exactly 8 bytes; carries the length found.
    WrongLength(usize),
}

impl DecodeError {
    /// A short reason for an error message, without formatting machinery.
    pub fn reason(self) -> &'static str {
        match self {
            DecodeError::NotDecimal => {
                "value is not ASCII decimal digits with an optional leading '-'"
            }
            DecodeError::OutOfRange => "decimal value does not fit in s64",
            DecodeError::WrongLength(_) => "value is not exactly 8 bytes",
        }
    }
}

pub fn encode(enc: Encoding, value: i64) -> Vec<u8> {
    match enc {
        Encoding::Decimal => {
            let digits = Encoding::Decimal.encode(value.unsigned_abs());
            if value < 0 {
                let mut out = Vec::with_capacity(digits.len() + 1);
                out.push(b'-');
                out.extend_from_slice(&digits);
                out
            } else {
                digits
            }
        }
        Encoding::Le64 => value.to_le_bytes().to_vec(),
        Encoding::Be64 => value.to_be_bytes().to_vec(),
    }
}

pub fn decode(enc: Encoding, bytes: &[u8]) -> Result<i64, DecodeError> {
    match enc {
        Encoding::Decimal => {
            let (negative, digits) = match bytes.split_first() {
                Some((b'-', rest)) => (true, rest),
                Some(_) | None => (false, bytes),
            };
            let magnitude = Encoding::Decimal.decode(digits).map_err(from_unsigned)?;
            if negative {
                0i64.checked_sub_unsigned(magnitude)
                    .ok_or(DecodeError::OutOfRange)
            } else {
                i64::try_from(magnitude).map_err(|_| DecodeError::OutOfRange)
            }
        }
        Encoding::Le64 | Encoding::Be64 => {
            enc.decode(bytes).map(|v| v as i64).map_err(from_unsigned)
        }
    }
}

fn from_unsigned(e: counter::DecodeError) -> DecodeError {
    match e {
        counter::DecodeError::NotDecimal => DecodeError::NotDecimal,
        counter::DecodeError::Overflow => DecodeError::OutOfRange,
        counter::DecodeError::WrongLength(n) => DecodeError::WrongLength(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Encoding; 3] = [Encoding::Decimal, Encoding::Le64, Encoding::Be64];

    #[test]
    fn every_encoding_round_trips_the_edges() {
        for enc in ALL {
            for v in [
                0,
                1,
                -1,
                9,
                -10,
                i64::MIN,
                i64::MIN + 1,
                i64::MAX,
                i64::MAX - 1,
            ] {
                assert_eq!(decode(enc, &encode(enc, v)), Ok(v), "{enc:?} {v}");
            }
        }
    }

    #[test]
    fn non_negative_values_share_the_unsigned_bytes() {
        for enc in ALL {
            for v in [0u64, 7, 1 << 40, i64::MAX as u64] {
                assert_eq!(encode(enc, v as i64), enc.encode(v), "{enc:?} {v}");
                assert_eq!(decode(enc, &enc.encode(v)), Ok(v as i64), "{enc:?} {v}");
            }
        }
    }

    #[test]
    fn layouts() {
        assert_eq!(encode(Encoding::Decimal, -42), b"-42");
        assert_eq!(encode(Encoding::Decimal, i64::MIN), b"-9223372036854775808");
        assert_eq!(encode(Encoding::Le64, -1), [0xFF; 8]);
        assert_eq!(
            encode(Encoding::Be64, -2),
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]
        );
    }

    #[test]
    fn bytes_that_are_not_an_s64_counter_are_refused() {
        let d = Encoding::Decimal;
        assert_eq!(decode(d, b""), Err(DecodeError::NotDecimal));
        assert_eq!(decode(d, b"-"), Err(DecodeError::NotDecimal));
        assert_eq!(decode(d, b"--1"), Err(DecodeError::NotDecimal));
        assert_eq!(decode(d, b"+1"), Err(DecodeError::NotDecimal));
        assert_eq!(decode(d, b"1-"), Err(DecodeError::NotDecimal));
        assert_eq!(
            decode(d, b"9223372036854775808"),
            Err(DecodeError::OutOfRange)
        );
        assert_eq!(
            decode(d, b"-9223372036854775809"),
            Err(DecodeError::OutOfRange)
        );
        assert_eq!(
            decode(d, b"99999999999999999999"),
            Err(DecodeError::OutOfRange)
        );
        assert_eq!(
            decode(Encoding::Le64, b"1234567"),
            Err(DecodeError::WrongLength(7))
        );
        assert_eq!(
            decode(Encoding::Be64, b""),
            Err(DecodeError::WrongLength(0))
        );
    }
}
