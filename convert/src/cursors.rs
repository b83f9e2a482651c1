//! G6 `list-keys` cursors (strings) as G5 cursors (u64), for a G5 guest on a G6 host.
//!
//! A G6 cursor is any string the host likes (our store's is `after:<key>`), so it cannot be
//! turned into a number. The adapter keeps the newest [`CAPACITY`] cursors it was given and
//! hands the guest a token for each, counting up from 1. The same cursor string gets the
//! same token back, so a host that repeats a cursor is seen repeating by the guest.
//!
//! Lossy: a token older than the newest [`CAPACITY`], or one the adapter never issued, is
//! unknown, and the front answers it with an error that says so. Tokens live as long as the
//! adapter instance: a G5 guest that stores a cursor and pages on in another instance gets
//! that error too. The table costs at most [`CAPACITY`] cursor strings.

use alloc::string::String;
use alloc::vec::Vec;

/// Cursors kept; enough for 64 listings interleaved page by page.
pub const CAPACITY: usize = 64;

pub struct CursorTable {
    /// (token, cursor), oldest first.
    entries: Vec<(u64, String)>,
    next_token: u64,
}

impl CursorTable {
    pub const fn new() -> CursorTable {
        CursorTable { entries: Vec::new(), next_token: 1 }
    }

    /// The token that stands for `cursor`.
    pub fn token(&mut self, cursor: String) -> u64 {
        if let Some((token, _)) = self.entries.iter().find(|(_, c)| *c == cursor) {
            return *token;
        }
        if self.entries.len() == CAPACITY {
            self.entries.remove(0);
        }
        let token = self.next_token;
        self.next_token += 1;
        self.entries.push((token, cursor));
        token
    }

    /// The cursor `token` stands for, if it is still kept.
    pub fn cursor(&self, token: u64) -> Option<&str> {
        self.entries.iter().find(|(t, _)| *t == token).map(|(_, c)| c.as_str())
    }
}

impl Default for CursorTable {
    fn default() -> Self {
        CursorTable::new()
    }
}

/// A G5 cursor (u64) as the G6 cursor a G6 guest sees: its decimal text.
pub fn u64_to_text(cursor: u64) -> String {
    let mut text = String::new();
    crate::trace::push_u64(&mut text, cursor);
    text
}

/// A G6 guest's cursor back as the G5 cursor it came from; `None` for text that no G5
/// cursor renders as (so the guest made it up).
pub fn text_to_u64(text: &str) -> Option<u64> {
    let value = crate::counter::Encoding::Decimal.decode(text.as_bytes()).ok()?;
    // Only the exact rendering: "007" or "+7" were never handed out.
    (u64_to_text(value) == text).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn any_cursor_round_trips_through_its_token() {
        let mut t = CursorTable::new();
        let a = t.token("after:key-00999".into());
        let b = t.token("an opaque cursor with spaces".into());
        assert_ne!(a, b);
        assert_eq!(t.cursor(a), Some("after:key-00999"));
        assert_eq!(t.cursor(b), Some("an opaque cursor with spaces"));
        assert_eq!(t.token("after:key-00999".into()), a, "the same cursor gets the same token");
    }

    #[test]
    fn unknown_and_evicted_tokens_are_none() {
        let mut t = CursorTable::new();
        assert_eq!(t.cursor(0), None);
        assert_eq!(t.cursor(12345), None);
        let first = t.token("c0".into());
        for i in 1..=CAPACITY {
            t.token(format!("c{i}"));
        }
        assert_eq!(t.cursor(first), None, "the oldest is evicted past the capacity");
        assert_eq!(t.cursor(first + CAPACITY as u64), Some(format!("c{CAPACITY}").as_str()));
    }

    #[test]
    fn g5_cursors_round_trip_through_text_and_nothing_else_parses() {
        for c in [0, 1, 999, u64::MAX] {
            assert_eq!(text_to_u64(&u64_to_text(c)), Some(c));
        }
        for made_up in ["", "after:x", "007", "+7", "-1", "18446744073709551616", " 1"] {
            assert_eq!(text_to_u64(made_up), None, "{made_up:?}");
        }
    }
}
