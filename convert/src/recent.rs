//! The last few error traces an adapter handed to its guest, kept so that `kv-adapt run`
//! can say why a guest failed when the guest itself has no way to print (a late-2023
//! command has no stdout). Read through the adapter's internal
//! `kv-adapt:components/diagnostics` export, which `run` asks the composition to re-export;
//! it adds no import to anything.
//!
//! Bounded: only the newest [`CAPACITY`] traces are kept, each cut to [`MAX_TRACE`] bytes,
//! so a guest that fails in a loop costs a fixed amount of memory.

use alloc::string::String;
use alloc::vec::Vec;

/// Traces kept.
pub const CAPACITY: usize = 8;
/// Bytes kept of one trace; a longer one is cut at a character boundary.
pub const MAX_TRACE: usize = 1024;

pub struct Recent {
    traces: Vec<String>,
    /// Where the next trace goes once `traces` is full.
    next: usize,
}

impl Recent {
    pub const fn new() -> Recent {
        Recent { traces: Vec::new(), next: 0 }
    }

    pub fn record(&mut self, trace: &str) {
        let mut end = trace.len().min(MAX_TRACE);
        while !trace.is_char_boundary(end) {
            end -= 1;
        }
        let kept = String::from(&trace[..end]);
        if self.traces.len() < CAPACITY {
            self.traces.push(kept);
        } else {
            self.traces[self.next] = kept;
            self.next = (self.next + 1) % CAPACITY;
        }
    }

    /// The kept traces, oldest first.
    pub fn oldest_first(&self) -> Vec<String> {
        let (newer, older) = self.traces.split_at(self.next);
        older.iter().chain(newer).cloned().collect()
    }
}

impl Default for Recent {
    fn default() -> Self {
        Recent::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn keeps_the_newest_in_order() {
        let mut r = Recent::new();
        assert!(r.oldest_first().is_empty());
        r.record("a");
        r.record("b");
        assert_eq!(r.oldest_first(), ["a", "b"]);
        for i in 0..(CAPACITY + 3) {
            r.record(&format!("e{i}"));
        }
        let expected: Vec<String> = (3..CAPACITY + 3).map(|i| format!("e{i}")).collect();
        assert_eq!(r.oldest_first(), expected);
    }

    #[test]
    fn a_long_trace_is_cut_at_a_character_boundary() {
        let mut r = Recent::new();
        let long = "é".repeat(MAX_TRACE);
        r.record(&long);
        let kept = &r.oldest_first()[0];
        assert!(kept.len() <= MAX_TRACE && long.starts_with(kept.as_str()));
        assert_eq!(kept.len(), MAX_TRACE);
    }
}
