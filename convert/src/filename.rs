//! Bucket names and keys as single file names, for the filesystem store.
//!
//! The encoding is a strict, reversible percent-encoding of the name's UTF-8 bytes:
//!
//! - `A`-`Z`, `a`-`z`, `0`-`9`, `-` and `_` are kept as they are, so `ls` shows plain keys.
//! - `.` is kept too, except as the first or the last character, where it becomes `%2E`.
//!   So no encoded name is `.` or `..`, none is hidden, and none ends in a dot (which
//!   Windows would strip).
//! - Every other byte (including `%`, `/`, `\`, NUL, space, `:` and each byte of a
//!   non-ASCII character) becomes `%` and two upper-case hex digits.
//! - When the part before the first `.` is a Windows device name (`CON`, `PRN`, `AUX`,
//!   `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9`, any case), its first letter is escaped as well.
//! - The empty name becomes `%` alone, which no byte escape produces.
//!
//! An encoded name therefore never contains a path separator and is never empty, `.` or
//! `..`: it cannot leave its directory. It is at most [`MAX_NAME_LEN`] bytes; a longer
//! result is refused ([`EncodeError::TooLong`]) rather than truncated or hashed, because
//! either would make two names share a file or make the file unreadable as a key.
//!
//! [`decode`] accepts only names [`encode`] produces (it re-encodes and compares), so a
//! hand-made file such as `%61` (which would decode to `a`, stored as `a`) or a temp file
//! (see [`temp_name`]) is never mistaken for a key.
//!
//! Lossy on some hosts, by the host's file system and not by this encoding: on
//! case-insensitive file systems (macOS and Windows defaults) keys that differ only in the
//! case of ASCII letters share one file.

use alloc::string::String;
use alloc::vec::Vec;

/// The longest file name most file systems accept, in bytes.
pub const MAX_NAME_LEN: usize = 255;

/// Start of every temp file name; a leading `.` is never produced by [`encode`].
pub const TEMP_PREFIX: &str = ".kv-tmp-";

/// A bucket's write lock, made with create-new by whoever writes the bucket (the store
/// component and kv-adapt's host side alike) and removed when done; never a key.
pub const LOCK_NAME: &str = ".kv-lock";

/// A lock file older than this many seconds was left by a writer that died: the next writer
/// takes it over (no write holds a bucket that long: the longest is one value or one batch).
pub const LOCK_STALE_SECS: u64 = 10;

/// How long a writer waits for a live lock before giving up with an error.
pub const LOCK_WAIT_SECS: u64 = 60;

/// Why a name has no file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The encoded name would be this many bytes, more than [`MAX_NAME_LEN`].
    TooLong(usize),
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

const DEVICE_NAMES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
const NUMBERED_DEVICES: [&str; 2] = ["COM", "LPT"];

fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_device_name(stem: &[u8]) -> bool {
    let eq = |a: &[u8], b: &str| a.eq_ignore_ascii_case(b.as_bytes());
    match stem.len() {
        3 => DEVICE_NAMES.iter().any(|d| eq(stem, d)),
        4 => stem[3].is_ascii_digit() && NUMBERED_DEVICES.iter().any(|d| eq(&stem[..3], d)),
        _ => false,
    }
}

/// Whether byte `i` of `name` must be written as `%XX`.
fn escaped(name: &[u8], i: usize, device: bool) -> bool {
    let b = name[i];
    if b == b'.' {
        return i == 0 || i + 1 == name.len();
    }
    !plain(b) || (device && i == 0)
}

/// The file name for `name`; see the module doc for the scheme.
pub fn encode(name: &str) -> Result<String, EncodeError> {
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return Ok(String::from("%"));
    }
    let stem_end = bytes.iter().position(|&b| b == b'.').unwrap_or(bytes.len());
    let device = is_device_name(&bytes[..stem_end]);
    let len: usize = (0..bytes.len())
        .map(|i| if escaped(bytes, i, device) { 3 } else { 1 })
        .sum();
    if len > MAX_NAME_LEN {
        return Err(EncodeError::TooLong(len));
    }
    let mut out = Vec::with_capacity(len);
    for (i, &b) in bytes.iter().enumerate() {
        if escaped(bytes, i, device) {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        } else {
            out.push(b);
        }
    }
    // Only ASCII was pushed.
    Ok(String::from_utf8(out).unwrap_or_default())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The name whose file name is `file_name`, or `None` when [`encode`] never produces it.
pub fn decode(file_name: &str) -> Option<String> {
    if file_name == "%" {
        return Some(String::new());
    }
    let src = file_name.as_bytes();
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        if src[i] == b'%' {
            let hi = hex_value(*src.get(i + 1)?)?;
            let lo = hex_value(*src.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(src[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(out).ok()?;
    // Canonical form only: one key, one file.
    match encode(&name) {
        Ok(again) if again == file_name => Some(name),
        Ok(_) | Err(EncodeError::TooLong(_)) => None,
    }
}

/// A temp file name, distinct for each `n`, that [`decode`] refuses.
pub fn temp_name(n: u64) -> String {
    let mut s = String::from(TEMP_PREFIX);
    let digits = crate::counter::Encoding::Decimal.encode(n);
    // Decimal digits are ASCII.
    s.push_str(core::str::from_utf8(&digits).unwrap_or("0"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    fn round_trip(name: &str) -> String {
        let file = encode(name).expect("short name encodes");
        assert_eq!(
            decode(&file).as_deref(),
            Some(name),
            "decode(encode({name:?})) via {file:?}"
        );
        file
    }

    fn assert_safe(file: &str) {
        assert!(!file.is_empty() && file != "." && file != "..", "{file:?}");
        assert!(!file.starts_with('.') && !file.ends_with('.'), "{file:?}");
        assert!(file.len() <= MAX_NAME_LEN, "{file:?}");
        for b in file.bytes() {
            assert!(
                plain(b) || b == b'.' || b == b'%',
                "byte {b:#x} in {file:?}"
            );
        }
    }

    #[test]
    fn plain_names_stay_readable() {
        for name in ["key", "user_123", "A-Z", "config.json", "a.b.c", "0"] {
            assert_eq!(round_trip(name), name);
        }
    }

    #[test]
    fn dangerous_names_cannot_escape_the_directory() {
        let cases = [
            "",
            ".",
            "..",
            "...",
            "/",
            "\\",
            "../etc/passwd",
            "a/b",
            "a\\b",
            "\0",
            "a\0b",
            ".hidden",
            "trailing.",
            " ",
            "%",
            "%41",
            "%%",
            "C:",
            "tab\there",
            "ünïcödé",
            "日本語",
            "🦀",
            "CON",
            "con",
            "Nul.txt",
            "com1",
            "LPT9.log",
            "aux_",
            "conx",
        ];
        for name in cases {
            let file = round_trip(name);
            assert_safe(&file);
        }
    }

    #[test]
    fn layout_of_escapes() {
        assert_eq!(encode("").unwrap(), "%");
        assert_eq!(encode(".").unwrap(), "%2E");
        assert_eq!(encode("..").unwrap(), "%2E%2E");
        assert_eq!(encode("a/b").unwrap(), "a%2Fb");
        assert_eq!(encode("%").unwrap(), "%25");
        assert_eq!(encode("é").unwrap(), "%C3%A9");
        assert_eq!(encode(".a.").unwrap(), "%2Ea%2E");
        assert_eq!(encode("con.txt").unwrap(), "%63on.txt");
        assert_eq!(encode("COM7").unwrap(), "%43OM7");
        // Not device names: the stem differs.
        assert_eq!(encode("console").unwrap(), "console");
        assert_eq!(encode("COM").unwrap(), "COM");
    }

    #[test]
    fn distinct_names_get_distinct_files() {
        let names = [
            "", "%", "%25", "%2525", ".", "%2E", "a", "A", "a.", "a%2E", "con", "%63on", "x/y",
            "x%2Fy", "\0", "%00", "a b", "a%20b",
        ];
        let files: Vec<String> = names.iter().map(|n| encode(n).unwrap()).collect();
        for i in 0..files.len() {
            for j in i + 1..files.len() {
                assert_ne!(files[i], files[j], "{:?} and {:?}", names[i], names[j]);
            }
        }
    }

    #[test]
    fn names_not_produced_by_encode_are_refused() {
        for file in [
            "%61", // would be `a`, which is stored as `a`
            "%2e", // lower-case hex
            "%2",  // cut escape
            "%G0", // not hex
            "%FF", // not UTF-8
            ".x",  // leading dot
            "x.",  // trailing dot
            "a b", // space must be escaped
            "con", // device names are escaped
            "%%",
        ] {
            assert_eq!(decode(file), None, "{file:?}");
        }
    }

    #[test]
    fn temp_names_are_never_keys_and_never_repeat() {
        let a = temp_name(0);
        let b = temp_name(1);
        let c = temp_name(u64::MAX);
        assert_ne!(a, b);
        for t in [&a, &b, &c] {
            assert!(t.starts_with(TEMP_PREFIX));
            assert_eq!(decode(t), None, "{t:?}");
            assert!(t.len() <= MAX_NAME_LEN);
        }
    }

    #[test]
    fn long_names_are_refused_not_truncated() {
        let ok = "k".repeat(MAX_NAME_LEN);
        assert_eq!(round_trip(&ok), ok);
        let long = "k".repeat(MAX_NAME_LEN + 1);
        assert_eq!(encode(&long), Err(EncodeError::TooLong(MAX_NAME_LEN + 1)));
        // 85 escaped bytes fit exactly (255 / 3); one more does not.
        assert_eq!(encode(&"/".repeat(85)).unwrap().len(), 255);
        assert_eq!(encode(&"/".repeat(86)), Err(EncodeError::TooLong(258)));
        // A 4-byte character is 12 bytes encoded.
        assert_eq!(encode(&"🦀".repeat(22)), Err(EncodeError::TooLong(264)));
    }

    #[test]
    fn every_single_byte_character_round_trips() {
        for c in (0u32..0x80).chain([0xA0, 0xFF, 0x7FF, 0x800, 0xFFFD, 0x10000, 0x10FFFF]) {
            let c = char::from_u32(c).unwrap();
            for name in [
                c.to_string(),
                format!("{c}{c}"),
                format!("a{c}b"),
                format!("{c}.{c}"),
            ] {
                assert_safe(&round_trip(&name));
            }
        }
    }

    /// Random names from the pieces that break naive encodings, seeded so a failure replays.
    fn hostile_names(count: usize, seed: u64) -> Vec<String> {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "-", "_", ".", "..", "/", "\\", "%", "%2E", "%25", "\0", ":", " ", "~",
            "CON", "nul", "com1", "LPT9", "é", "🦀", "\u{FFFD}", "\u{10FFFF}", ".kv-tmp-", "%%", "\n",
        ];
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let parts = (next() % 12) as usize;
                (0..parts).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect()
            })
            .collect()
    }

    /// The property behind "a key can never leave its bucket and no two keys share a file":
    /// for every name, the encoding is safe, decodes back to the name, and no two names map
    /// to one file.
    #[test]
    fn random_hostile_names_are_safe_reversible_and_injective() {
        use alloc::collections::BTreeMap;
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for name in hostile_names(100_000, 0x6b76_6669_6c65) {
            match encode(&name) {
                Ok(file) => {
                    assert_safe(&file);
                    assert_eq!(decode(&file).as_deref(), Some(name.as_str()), "{name:?} via {file:?}");
                    assert!(!file.starts_with(TEMP_PREFIX), "{name:?} encodes to a temp file name {file:?}");
                    if let Some(other) = seen.insert(file.clone(), name.clone()) {
                        assert_eq!(other, name, "{other:?} and {name:?} share the file {file:?}");
                    }
                }
                Err(EncodeError::TooLong(len)) => assert!(len > MAX_NAME_LEN, "{name:?} refused at {len} bytes"),
            }
        }
        assert!(seen.len() > 50_000, "the generator repeats itself too much: {}", seen.len());
    }
}

