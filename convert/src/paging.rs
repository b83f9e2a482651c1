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
}
