//! What G1 (the stream-based draft of February 2023) asks of an adapter beyond G2's
//! handles: its u32 byte streams, served from memory, and its `set-many`, which names each
//! key twice.

use alloc::string::String;

use crate::trace;

/// Where a read (or skip) of up to `want` bytes lands in a body of `total` bytes read up
/// to `pos`: the byte range handed over, and whether the end is reached with it. G1 says
/// a stream at its end keeps reporting the end, and that a read of 0 bytes succeeds with
/// an empty list; both fall out of this.
pub fn span(total: usize, pos: usize, want: u64) -> (usize, usize, bool) {
    let pos = pos.min(total);
    let rest = total - pos;
    let n = usize::try_from(want).map_or(rest, |w| w.min(rest));
    (pos, pos + n, pos + n == total)
}

/// The trace for a G1 `set-many` whose `keys` and `values` do not name the same keys in
/// the same order, or `None` when they agree.
pub fn keys_disagree<V>(keys: &[String], values: &[(String, V)]) -> Option<String> {
    let longest = keys.len().max(values.len());
    (0..longest).find_map(|i| {
        let in_keys = keys.get(i).map(String::as_str);
        let in_values = values.get(i).map(|(k, _)| k.as_str());
        (in_keys != in_values).then(|| trace::g1_keys_disagree(i, in_keys, in_values))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn a_read_takes_what_is_left_and_says_when_it_reached_the_end() {
        assert_eq!(span(10, 0, 4), (0, 4, false));
        assert_eq!(span(10, 4, 6), (4, 10, true));
        assert_eq!(span(10, 4, u64::MAX), (4, 10, true));
        // At the end: nothing more, and the end again.
        assert_eq!(span(10, 10, 5), (10, 10, true));
        // A read of 0 bytes is empty and reports the end only where it is.
        assert_eq!(span(10, 3, 0), (3, 3, false));
        assert_eq!(span(0, 0, 0), (0, 0, true));
    }

    #[test]
    fn set_many_keys_must_name_the_values_keys_in_order() {
        let values: Vec<(String, u32)> = vec![("a".into(), 1), ("b".into(), 2)];
        assert_eq!(keys_disagree(&["a".into(), "b".into()], &values), None);
        assert_eq!(keys_disagree::<u32>(&[], &[]), None);
        let swapped = keys_disagree(&["b".into(), "a".into()], &values).unwrap();
        assert!(swapped.contains("item 0 is \"b\" in `keys` but \"a\" in `values`"), "{swapped}");
        let short = keys_disagree(&["a".into()], &values).unwrap();
        assert!(short.contains("item 1 is missing in `keys` but \"b\" in `values`"), "{short}");
        assert!(short.ends_with("nothing was written"), "{short}");
    }
}
