//! u64 counters as stored bytes. Hosts disagree on the layout of a counter written by
//! `increment`, so the layout is a setting chosen when plugging; reading a value that
//! does not fit the chosen layout is an error the caller reports, never a guess.

use alloc::vec::Vec;

/// How a counter's bytes are laid out. Mirrors `kv-adapt:components/config.counter-encoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// ASCII decimal digits, no sign, no padding: `b"42"`.
    Decimal,
    /// Exactly 8 bytes, little-endian.
    Le64,
    /// Exactly 8 bytes, big-endian.
    Be64,
}

/// Why stored bytes are not a counter in the chosen encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Decimal: empty, or a byte other than `0`-`9`.
    NotDecimal,
    /// Decimal: more than `u64::MAX`.
    Overflow,
    /// Le64/Be64: not exactly 8 bytes; carries the length found.
    WrongLength(usize),
}

impl DecodeError {
    /// A short reason for an error message, without formatting machinery.
    pub fn reason(self) -> &'static str {
        match self {
            DecodeError::NotDecimal => "value is not ASCII decimal digits",
            DecodeError::Overflow => "decimal value does not fit in u64",
            DecodeError::WrongLength(_) => "value is not exactly 8 bytes",
        }
    }
}

impl Encoding {
    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Decimal => "decimal",
            Encoding::Le64 => "le64",
            Encoding::Be64 => "be64",
        }
    }

    pub fn from_name(name: &str) -> Option<Encoding> {
        match name {
            "decimal" => Some(Encoding::Decimal),
            "le64" => Some(Encoding::Le64),
            "be64" => Some(Encoding::Be64),
            _ => None,
        }
    }

    pub fn encode(self, value: u64) -> Vec<u8> {
        match self {
            Encoding::Decimal => encode_decimal(value),
            Encoding::Le64 => value.to_le_bytes().to_vec(),
            Encoding::Be64 => value.to_be_bytes().to_vec(),
        }
    }

    pub fn decode(self, bytes: &[u8]) -> Result<u64, DecodeError> {
        match self {
            Encoding::Decimal => decode_decimal(bytes),
            Encoding::Le64 => fixed(bytes).map(u64::from_le_bytes),
            Encoding::Be64 => fixed(bytes).map(u64::from_be_bytes),
        }
    }
}

/// Every encoding that reads `bytes` as a counter, with the value it reads, smallest value
/// first: a real counter is far more likely 2 than 2^57, so the first reading is the best
/// guess at how a value was written. Used to hint at the right `--counter-encoding` when a
/// value does not decode; never to decode a value behind the user's back.
pub fn readings(bytes: &[u8]) -> Vec<(Encoding, u64)> {
    let mut found: Vec<(Encoding, u64)> = [Encoding::Decimal, Encoding::Le64, Encoding::Be64]
        .into_iter()
        .filter_map(|enc| enc.decode(bytes).ok().map(|v| (enc, v)))
        .collect();
    found.sort_by_key(|(_, v)| *v);
    found
}

fn fixed(bytes: &[u8]) -> Result<[u8; 8], DecodeError> {
    bytes.try_into().map_err(|_| DecodeError::WrongLength(bytes.len()))
}

fn encode_decimal(mut value: u64) -> Vec<u8> {
    // 20 digits hold u64::MAX; filled from the end to avoid a reverse pass.
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf[at..].to_vec()
}

fn decode_decimal(bytes: &[u8]) -> Result<u64, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::NotDecimal);
    }
    let mut value: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return Err(DecodeError::NotDecimal);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(DecodeError::Overflow)?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Encoding; 3] = [Encoding::Decimal, Encoding::Le64, Encoding::Be64];

    #[test]
    fn every_encoding_round_trips_the_edges() {
        for enc in ALL {
            for v in [0, 1, 9, 10, 255, 256, 1 << 32, u64::MAX - 1, u64::MAX] {
                assert_eq!(enc.decode(&enc.encode(v)), Ok(v), "{enc:?} {v}");
            }
        }
    }

    #[test]
    fn layouts_match_what_hosts_store() {
        assert_eq!(Encoding::Decimal.encode(42), b"42");
        assert_eq!(Encoding::Decimal.encode(u64::MAX), b"18446744073709551615");
        assert_eq!(Encoding::Le64.encode(1), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(Encoding::Be64.encode(1), [0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn bytes_that_are_not_a_counter_are_refused() {
        assert_eq!(Encoding::Decimal.decode(b""), Err(DecodeError::NotDecimal));
        assert_eq!(Encoding::Decimal.decode(b"-1"), Err(DecodeError::NotDecimal));
        assert_eq!(Encoding::Decimal.decode(b"12a"), Err(DecodeError::NotDecimal));
        assert_eq!(Encoding::Decimal.decode(b" 1"), Err(DecodeError::NotDecimal));
        assert_eq!(Encoding::Decimal.decode(b"18446744073709551616"), Err(DecodeError::Overflow));
        assert_eq!(Encoding::Le64.decode(b"1234567"), Err(DecodeError::WrongLength(7)));
        assert_eq!(Encoding::Be64.decode(b"123456789"), Err(DecodeError::WrongLength(9)));
    }

    #[test]
    fn readings_put_the_likeliest_layout_first() {
        assert_eq!(readings(b"1"), [(Encoding::Decimal, 1)]);
        assert_eq!(readings(&Encoding::Le64.encode(2))[0], (Encoding::Le64, 2));
        assert_eq!(readings(&Encoding::Be64.encode(2))[0], (Encoding::Be64, 2));
        // Eight ASCII digits read three ways; decimal is by far the smallest.
        assert_eq!(readings(b"12345678")[0], (Encoding::Decimal, 12345678));
        assert!(readings(b"hello").is_empty());
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for enc in ALL {
            assert_eq!(Encoding::from_name(enc.name()), Some(enc));
        }
        assert_eq!(Encoding::from_name("hex"), None);
    }
}
