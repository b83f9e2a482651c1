//! wasmCloud 2's `cas` over stores that keep no versions: an entry's version is `sha256:` +
//! the SHA-256 of its value (lower-case hex), and the conditions of a `swap`. Shared by
//! kv-adapt's wasmCloud host and the `wasmcloud2` adapter front, so a version one gives
//! the other accepts.
//!
//! Lossy: a version names the value, not the write. A value changed and changed back
//! (A -> B -> A) has its old version again, so `require-version` does not catch it, as it
//! would on a store with real versions; it is exactly as ABA-prone as `require-value`.

use alloc::string::String;

/// SHA-256 round constants (FIPS 180-4, 4.2.2).
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// Initial hash value (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let mut w = [0u32; 64];
    for (i, word) in block.chunks_exact(4).enumerate() {
        w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for i in 0..64 {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// The SHA-256 digest of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = H0;
    let mut blocks = data.chunks_exact(64);
    for block in &mut blocks {
        compress(&mut state, block.try_into().expect("chunks of 64"));
    }
    // The tail, the 0x80 marker and the length in bits: one block, or two when the tail
    // leaves no room for the 8 length bytes.
    let tail = blocks.remainder();
    let mut last = [0u8; 128];
    last[..tail.len()].copy_from_slice(tail);
    last[tail.len()] = 0x80;
    let end = if tail.len() < 56 { 64 } else { 128 };
    last[end - 8..end].copy_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in last[..end].chunks_exact(64) {
        compress(&mut state, block.try_into().expect("chunks of 64"));
    }
    let mut digest = [0u8; 32];
    for (out, word) in digest.chunks_exact_mut(4).zip(state) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// The version of an entry holding `value`.
pub fn of(value: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(7 + 64);
    text.push_str("sha256:");
    for byte in sha256(value) {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 15)]));
    }
    text
}

/// A `swap` whose options set neither condition: the WIT calls it a misuse
/// (`invalid-argument`), not an unconditional write.
#[derive(Debug, PartialEq, Eq)]
pub struct NoCondition;

/// Whether a `swap`'s conditions hold for `current`, the value under the key now (`None`:
/// no value, which has no version and equals no value, so no condition holds for it).
pub fn conditions_hold(current: Option<&[u8]>, version: Option<&str>, value: Option<&[u8]>) -> Result<bool, NoCondition> {
    if version.is_none() && value.is_none() {
        return Err(NoCondition);
    }
    let Some(current) = current else {
        return Ok(false);
    };
    let version_holds = version.is_none_or(|v| v == of(current));
    let value_holds = value.is_none_or(|v| v == current);
    Ok(version_holds && value_holds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn hex(digest: [u8; 32]) -> String {
        let mut text = String::new();
        for b in digest {
            text.push_str(&alloc::format!("{b:02x}"));
        }
        text
    }

    #[test]
    fn sha256_matches_the_fips_examples() {
        assert_eq!(hex(sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex(sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        // A million `a`s: many blocks, and a tail of 64 bytes exactly.
        assert_eq!(hex(sha256(&vec![b'a'; 1_000_000])), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    #[test]
    fn every_tail_length_pads_right() {
        // 55, 56 and 63 bytes: the length fits in the tail's block, just does not, and the
        // marker is its last byte.
        assert_eq!(hex(sha256(&[b'a'; 55])), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
        assert_eq!(hex(sha256(&[b'a'; 56])), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
        assert_eq!(hex(sha256(&[b'a'; 64])), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    }

    #[test]
    fn a_version_names_the_value() {
        assert_eq!(of(b""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_ne!(of(b"a"), of(b"b"));
    }

    #[test]
    fn swap_conditions() {
        let v1 = of(b"one");
        assert_eq!(conditions_hold(Some(b"one"), None, None), Err(NoCondition));
        assert_eq!(conditions_hold(Some(b"one"), Some(&v1), None), Ok(true));
        assert_eq!(conditions_hold(Some(b"two"), Some(&v1), None), Ok(false));
        assert_eq!(conditions_hold(Some(b"one"), None, Some(b"one")), Ok(true));
        assert_eq!(conditions_hold(Some(b"one"), Some(&v1), Some(b"two")), Ok(false));
        assert_eq!(conditions_hold(None, Some(&v1), None), Ok(false));
        assert_eq!(conditions_hold(None, None, Some(b"")), Ok(false));
    }
}
