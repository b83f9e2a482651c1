//! Values that tell whether they are whole, for the crash tests: every value a writer writes
//! is a function of its length and a seed, so a reader can tell a complete value from a torn
//! one (cut short) or a mixed one (parts of two writes), and which write it came from.
//!
//! Layout, for a length of at least [`HEADER`] bytes: `KVWH`, the length (u32 LE), the seed
//! (u64 LE), then bytes drawn from the seed. Shorter values (1 to 15 bytes) have no room for
//! a header: their first byte is their length and the rest a fixed pattern of it, so no
//! prefix of a longer value (which starts with `K`, or with a larger length) passes.

/// The longest value the crash writer makes: 1 MiB.
pub const MAX_LEN: usize = 1 << 20;
/// The header's size; shorter values are the short layout.
pub const HEADER: usize = 16;
const MAGIC: &[u8; 4] = b"KVWH";

/// SplitMix64: small, seedable and good enough to make every byte depend on the seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A length from 1 to [`MAX_LEN`], as likely in each power-of-two band (1, 2-3, 4-7, ...,
    /// and exactly 1 MiB), so tiny and huge values are both common.
    pub fn length(&mut self) -> usize {
        let band = (self.next() % 21) as u32;
        let low = 1usize << band;
        (low + (self.next() as usize % low)).min(MAX_LEN)
    }
}

/// The value of `len` bytes (1 to 2^32 - 1) made from `seed`; short values ignore the seed.
pub fn value(len: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    if len < HEADER {
        out.push(len as u8);
        out.extend((1..len).map(|i| (len * 37 + i * 11) as u8));
        return out;
    }
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&seed.to_le_bytes());
    let mut rng = Rng(seed);
    while out.len() < len {
        let word = rng.next().to_le_bytes();
        let take = word.len().min(len - out.len());
        out.extend_from_slice(&word[..take]);
    }
    out
}

/// The seed of a whole value (`None` for a short one), or why `bytes` is not a whole value.
pub fn check(bytes: &[u8]) -> Result<Option<u64>, String> {
    let len = bytes.len();
    if len == 0 {
        return Err("empty: the writer never writes an empty value".into());
    }
    if len < HEADER {
        return if bytes == value(len, 0).as_slice() {
            Ok(None)
        } else {
            Err(format!("{len} bytes that are not the short value of that length (torn or mixed)"))
        };
    }
    if &bytes[..4] != MAGIC {
        return Err(format!("{len} bytes without the header (torn or mixed)"));
    }
    let said = u32::from_le_bytes(bytes[4..8].try_into().unwrap_or_default()) as usize;
    if said != len {
        return Err(format!("{len} bytes of a value of {said} (torn)"));
    }
    let seed = u64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default());
    match bytes.iter().zip(value(len, seed)).position(|(a, b)| *a != b) {
        None => Ok(Some(seed)),
        Some(at) => Err(format!("{len} bytes of seed {seed:#x} that differ from it at byte {at} (mixed)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_values_pass_and_say_their_seed() {
        for len in (1..40).chain([1000, MAX_LEN]) {
            let v = value(len, 42);
            assert_eq!(v.len(), len);
            assert_eq!(check(&v), Ok((len >= HEADER).then_some(42)), "{len}");
        }
    }

    #[test]
    fn torn_and_mixed_values_fail() {
        for len in [1, 2, 15, 16, 17, 100, 4096, MAX_LEN] {
            let whole = value(len, 7);
            // Every cut of a short value; a sample of cuts of a long one.
            let cuts: Vec<usize> = if len < 64 { (0..len).collect() } else { vec![0, 1, 15, 16, 17, len / 2, len - 1] };
            for cut in cuts {
                assert!(check(&whole[..cut]).is_err(), "{len} cut at {cut}");
            }
            if len >= HEADER {
                let other = value(len, 8);
                let mut mixed = whole.clone();
                mixed[len / 2..].copy_from_slice(&other[len / 2..]);
                if len / 2 >= HEADER && mixed != whole {
                    assert!(check(&mixed).is_err(), "{len} mixed");
                }
                // A torn write of a longer value over a shorter one: the longer header.
                let mut over = value(len + 100, 9);
                over.truncate(len);
                assert!(check(&over).is_err(), "{len} prefix of a longer value");
            }
        }
    }

    #[test]
    fn lengths_span_one_byte_to_one_mebibyte() {
        let mut rng = Rng(1);
        let lengths: Vec<usize> = (0..10_000).map(|_| rng.length()).collect();
        assert!(lengths.iter().all(|&l| (1..=MAX_LEN).contains(&l)));
        assert!(lengths.contains(&1) && lengths.contains(&MAX_LEN));
        assert!(lengths.iter().filter(|&&l| l < HEADER).count() > 1000);
    }
}
