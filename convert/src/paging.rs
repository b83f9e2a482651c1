//! Paging a G5/G6 `list-keys` cursor (u64 in G5, string in G6) into the one-shot key
//! listings of the legacy generations: G2's `get-keys` (no error channel) and G3/G4's
//! `keys` (which returns every key or an error).
//!
//! Lossy: a host that hands back the very cursor it was given would page forever; the
//! walk stops there. G2 gets the keys gathered so far, since it cannot be told; G3/G4 get
//! an `other` error.

/// What to do after one page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next<C> {
    /// No cursor: every key has been seen.
    Done,
    /// Ask again with this cursor.
    Fetch(C),
    /// The host repeated the cursor it was sent; asking again would loop.
    Stuck,
}

/// Decides the next step from the cursor `sent` for this page and the one `returned`.
pub fn next<C: PartialEq>(sent: Option<&C>, returned: Option<C>) -> Next<C> {
    match returned {
        None => Next::Done,
        Some(c) if sent == Some(&c) => Next::Stuck,
        Some(c) => Next::Fetch(c),
    }
}

/// Keys per `list-keys` page of the directory store and of kv-adapt's own G5/G6 host, which
/// page the same way (so a cursor means the same on both).
pub const PAGE: usize = 1000;

/// Start of the G6 cursors they hand out: `after:` + the last key of the page.
pub const AFTER_PREFIX: &str = "after:";

/// Where the page a G5 cursor (the index of the next key) starts among `total` sorted keys;
/// `None` for a cursor past the end, which no page of these keys handed out.
pub fn index_start(total: usize, cursor: Option<u64>) -> Option<usize> {
    match cursor {
        None => Some(0),
        Some(c) => usize::try_from(c).ok().filter(|&i| i <= total),
    }
}

/// Where the page a G6 `after:` cursor names starts among `sorted` keys: after the key it
/// names, whatever was added or removed since; `None` for a cursor without the prefix.
pub fn after_start(sorted: &[alloc::string::String], cursor: Option<&str>) -> Option<usize> {
    match cursor {
        None => Some(0),
        Some(c) => {
            let last = c.strip_prefix(AFTER_PREFIX)?;
            Some(sorted.partition_point(|k| k.as_str() <= last))
        }
    }
}

/// Cuts the sorted `keys` to the page starting at `start`; whether keys follow it.
pub fn cut_page(keys: &mut alloc::vec::Vec<alloc::string::String>, start: usize) -> bool {
    let end = keys.len().min(start.saturating_add(PAGE));
    let more = end < keys.len();
    keys.truncate(end);
    keys.drain(..start.min(end));
    more
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    /// Drives `next` over a scripted host: `pages[i]` answers the i-th request.
    fn walk<C: PartialEq + Clone>(pages: &[Option<C>]) -> (usize, bool) {
        let mut sent: Option<C> = None;
        for (i, returned) in pages.iter().enumerate() {
            match next(sent.as_ref(), returned.clone()) {
                Next::Done => return (i + 1, true),
                Next::Stuck => return (i + 1, false),
                Next::Fetch(c) => sent = Some(c),
            }
        }
        (pages.len(), false)
    }

    #[test]
    fn pages_until_the_cursor_runs_out() {
        assert_eq!(walk::<u64>(&[None]), (1, true));
        assert_eq!(walk(&[Some(2u64), Some(4), None]), (3, true));
        let s = |x: &str| Some(String::from(x));
        assert_eq!(walk(&[s("a"), s("b"), None]), (3, true));
    }

    #[test]
    fn a_repeated_cursor_stops_the_walk() {
        assert_eq!(walk(&[Some(2u64), Some(2), None]), (2, false));
        assert_eq!(
            next(Some(&String::from("x")), Some(String::from("x"))),
            Next::Stuck
        );
        // Zero is a real first cursor, not a repeat of "no cursor".
        assert_eq!(next(None, Some(0u64)), Next::Fetch(0));
    }

    #[test]
    fn pages_of_the_directory_store_and_the_g5_g6_host() {
        use alloc::string::String;
        use alloc::vec::Vec;
        let all: Vec<String> = (0..2500).map(|i| alloc::format!("k{i:04}")).collect();
        assert_eq!(index_start(2500, None), Some(0));
        assert_eq!(index_start(2500, Some(2500)), Some(2500));
        assert_eq!(index_start(2500, Some(2501)), None);
        assert_eq!(index_start(2500, Some(u64::MAX)), None);
        let mut page = all.clone();
        assert!(cut_page(&mut page, 1000));
        assert_eq!((page.len(), page[0].as_str()), (1000, "k1000"));
        let mut last = all.clone();
        assert!(!cut_page(&mut last, 2000));
        assert_eq!(last.len(), 500);
        assert_eq!(after_start(&all, Some("after:k0999")), Some(1000));
        // A key removed since the cursor was made: the page still starts after it.
        assert_eq!(after_start(&all[1..], Some("after:k0000")), Some(0));
        assert_eq!(after_start(&all, Some("k0999")), None);
        assert_eq!(after_start(&all, None), Some(0));
    }
}

