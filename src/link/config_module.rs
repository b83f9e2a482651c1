//! The core module of a config component (`wit/kv-adapt/config.wit`), as WAT text: the
//! settings are constants and a data segment, so a config costs no compile. Shared, by
//! `#[path]`, between `kv-adapt` (a config with a `--bucket` mapping, written at plug time)
//! and `kv-adapt-wasm-build` (the prebuilt configs in `shipped/`), so both write the same
//! bytes for the same settings. Plain `std` only, for that reason.

/// The settings one config component answers with.
pub struct ConfigSettings<'a> {
    /// The case of `config.counter-encoding`, by its position in the enum.
    pub encoding: u32,
    pub strict_atomics: bool,
    /// Pass each trace to an imported `error-sink` (a runner's config) or drop it.
    pub reporting: bool,
    /// `--bucket NAME=BUCKET`, in the order given.
    pub buckets: &'a [(String, String)],
}

/// Where `buckets` finds its result: the list's address and length.
const RETURN_AREA: u32 = 8;
/// The list of (name, bucket) records, 16 bytes each: two (address, length) pairs.
const LIST: u32 = 16;

/// The module's text. `cabi_realloc` hands out one area past the constant data every time,
/// grown to fit, since each trace lowered into it is used (or dropped) before the next.
pub fn config_module_wat(settings: &ConfigSettings<'_>) -> String {
    let (data, end) = bucket_data(settings.buckets);
    let scratch = end.next_multiple_of(8);
    let pages = scratch.div_ceil(65536).max(1);
    let strict = u32::from(settings.strict_atomics);
    let encoding = settings.encoding;
    let (sink, record) = match settings.reporting {
        true => (r#"(import "kv-adapt:components/error-sink" "keep" (func $sink (param i32 i32)))"#, "local.get 0 local.get 1 call $sink"),
        false => ("", ""),
    };
    format!(
        r#"(module
            {sink}
            (memory (export "memory") {pages})
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $more i32)
                local.get 3 i32.const {scratch} i32.add i32.const 65535 i32.add i32.const 16 i32.shr_u memory.size i32.sub
                local.tee $more i32.const 0 i32.gt_s
                if local.get $more memory.grow i32.const -1 i32.eq if unreachable end end
                i32.const {scratch})
            (func (export "kv-adapt:components/config#encoding") (result i32) i32.const {encoding})
            (func (export "kv-adapt:components/config#strict-atomics") (result i32) i32.const {strict})
            (func (export "kv-adapt:components/config#buckets") (result i32) i32.const {RETURN_AREA})
            (func (export "kv-adapt:components/config#record-error") (param i32 i32) {record})
            (data (i32.const {RETURN_AREA}) "{data}"))"#
    )
}

/// The return area, the records and the strings, laid out from [`RETURN_AREA`] as the
/// canonical ABI lifts a `list<tuple<string, string>>`, as a WAT string; and where they end.
fn bucket_data(buckets: &[(String, String)]) -> (String, u32) {
    let count = buckets.len() as u32;
    let mut strings = LIST + 16 * count;
    let mut bytes: Vec<u8> = Vec::new();
    let mut text: Vec<u8> = Vec::new();
    bytes.extend(LIST.to_le_bytes());
    bytes.extend(count.to_le_bytes());
    for (name, bucket) in buckets {
        for s in [name, bucket] {
            bytes.extend(strings.to_le_bytes());
            bytes.extend((s.len() as u32).to_le_bytes());
            text.extend(s.as_bytes());
            strings += s.len() as u32;
        }
    }
    bytes.extend(text);
    let end = RETURN_AREA + bytes.len() as u32;
    (bytes.iter().map(|b| format!("\\{b:02x}")).collect(), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_point_at_their_strings() {
        let buckets = [("default".to_string(), String::new()), ("a".to_string(), "bb".to_string())];
        let (data, end) = bucket_data(&buckets);
        let bytes: Vec<u8> = data.split('\\').skip(1).map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        let word = |at: u32| u32::from_le_bytes(bytes[(at - RETURN_AREA) as usize..][..4].try_into().unwrap());
        assert_eq!((word(RETURN_AREA), word(RETURN_AREA + 4)), (LIST, 2));
        let string = |record: u32, half: u32| {
            let (at, len) = (word(LIST + 16 * record + 8 * half), word(LIST + 16 * record + 8 * half + 4));
            String::from_utf8(bytes[(at - RETURN_AREA) as usize..][..len as usize].to_vec()).unwrap()
        };
        assert_eq!((string(0, 0), string(0, 1)), ("default".to_string(), String::new()));
        assert_eq!((string(1, 0), string(1, 1)), ("a".to_string(), "bb".to_string()));
        assert_eq!(end, LIST + 32 + 7 + 3);
    }
}
