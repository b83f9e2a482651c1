//! `batch.get-many` answers between upstream's shape and Spin's.
//!
//! Upstream draft (G5) and draft2 (G6) answer with one optional pair per requested key,
//! `none` for a missing one. Spin's draft2 (Spin 3.0 to 4.x, spin-sdk) pairs every requested
//! key with an optional value instead. Both keep the guest's order. Stores differ in
//! practice: Spin's own SQLite store leaves missing keys out of its answer rather than
//! answering `none` in their place, so an answer whose positions do not line up with the
//! keys is matched by name.

use alloc::string::String;
use alloc::vec::Vec;

/// Upstream's answer as Spin's: one `(key, value)` per requested key, in the guest's order.
/// Positional when every present pair sits at its key's position; otherwise each key takes
/// the first pair the host gave for it (a repeated key takes the next one), and a key the
/// host left out is missing.
pub fn keyed(keys: Vec<String>, found: Vec<Option<(String, Vec<u8>)>>) -> Vec<(String, Option<Vec<u8>>)> {
    let positional = found.len() == keys.len()
        && keys.iter().zip(&found).all(|(key, pair)| pair.as_ref().is_none_or(|(k, _)| k == key));
    if positional {
        return keys.into_iter().zip(found).map(|(key, pair)| (key, pair.map(|(_, value)| value))).collect();
    }
    let mut left: Vec<Option<(String, Vec<u8>)>> = found;
    keys.into_iter()
        .map(|key| {
            let value = left
                .iter_mut()
                .find(|pair| pair.as_ref().is_some_and(|(k, _)| *k == key))
                .and_then(Option::take)
                .map(|(_, value)| value);
            (key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn s(text: &str) -> String {
        text.into()
    }

    #[test]
    fn a_missing_key_keeps_its_place_with_no_value() {
        let keys = vec![s("a"), s("gone"), s("b")];
        let found = vec![Some((s("a"), vec![1])), None, Some((s("b"), vec![2]))];
        assert_eq!(keyed(keys, found), vec![(s("a"), Some(vec![1])), (s("gone"), None), (s("b"), Some(vec![2]))]);
    }

    #[test]
    fn an_answer_that_leaves_missing_keys_out_is_matched_by_name() {
        let keys = vec![s("a"), s("gone"), s("b")];
        let found = vec![Some((s("a"), vec![1])), Some((s("b"), vec![2]))];
        assert_eq!(keyed(keys, found), vec![(s("a"), Some(vec![1])), (s("gone"), None), (s("b"), Some(vec![2]))]);
    }

    #[test]
    fn a_repeated_key_is_answered_each_time() {
        let keys = vec![s("a"), s("a")];
        assert_eq!(
            keyed(keys.clone(), vec![Some((s("a"), vec![1])), Some((s("a"), vec![1]))]),
            vec![(s("a"), Some(vec![1])), (s("a"), Some(vec![1]))]
        );
        // Left out once: the first asking takes it, the second finds it missing.
        assert_eq!(keyed(keys, vec![Some((s("a"), vec![1]))]), vec![(s("a"), Some(vec![1])), (s("a"), None)]);
    }

    #[test]
    fn no_keys_no_pairs() {
        assert_eq!(keyed(Vec::new(), Vec::new()), Vec::new());
    }
}
