//! Who holds a bucket's lock file (`filename::LOCK_NAME`), so that a writer killed while
//! holding it can be told apart from one still writing without waiting out
//! `filename::LOCK_STALE_SECS`.
//!
//! A writer that knows which process it runs in writes an owner record into the lock file
//! it just made: `kv-adapt-lock-owner scope=<scope> pid=<pid>\n`. The scope names the
//! process-id space the pid belongs to (on Linux: the boot id and the pid namespace), so a
//! pid is only ever judged by a process that shares that space: another machine sharing
//! the directory, another container, or this machine after a reboot sees another scope and
//! keeps the staleness rule. kv-adapt's host side writes its own pid; the store component,
//! which cannot see processes, gets the record of the `kv-adapt run` it runs in through the
//! WASI environment variable [`OWNER_ENV`].
//!
//! Everything that cannot be proven dead is treated as alive: an empty or foreign lock
//! file (the record is written just after create-new, or the writer had no owner, as under
//! plain `wasmtime run`), another scope, a pid that is running (even if it is a reused pid
//! now running something else), or no way to look. Those locks keep the staleness rule.

use alloc::string::String;

/// The WASI environment variable through which `kv-adapt run` hands the store component
/// the owner record of its process.
pub const OWNER_ENV: &str = "KV_ADAPT_LOCK_OWNER";

const RECORD_START: &str = "kv-adapt-lock-owner scope=";
const PID_FIELD: &str = " pid=";

/// The longest scope accepted; a boot id and a namespace number take about 50 bytes.
const SCOPE_MAX: usize = 128;

/// Name (after `filename::TEMP_PREFIX`) of the claim a writer links to a dead owner's lock
/// before removing it, so that of several writers finding it only one removes it.
const CLAIM_INFIX: &str = "claim-";

/// The process that made a lock file, as its owner record says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner<'a> {
    pub scope: &'a str,
    pub pid: u32,
}

/// What a writer may do about a lock file it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// Its owner ran in this process-id space and is not running: it will never remove the
    /// lock, so the writer may take it over now.
    Dead,
    /// Its owner may still be writing (or nobody can tell): wait, and take it over only
    /// once it is stale.
    MaybeAlive,
}

fn scope_ok(scope: &str) -> bool {
    !scope.is_empty()
        && scope.len() <= SCOPE_MAX
        && scope.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The owner record for `pid` in `scope`, or `None` when `scope` is not a valid scope
/// (empty, too long, or not `[A-Za-z0-9.-]`).
pub fn format_owner(scope: &str, pid: u32) -> Option<String> {
    if !scope_ok(scope) || pid == 0 {
        return None;
    }
    let digits = crate::counter::Encoding::Decimal.encode(u64::from(pid));
    let mut record = String::with_capacity(RECORD_START.len() + scope.len() + PID_FIELD.len() + 11);
    record.push_str(RECORD_START);
    record.push_str(scope);
    record.push_str(PID_FIELD);
    // Decimal digits are ASCII.
    record.push_str(core::str::from_utf8(&digits).unwrap_or("0"));
    record.push('\n');
    Some(record)
}

/// The owner in a lock file's contents, or `None` unless they are exactly one record as
/// [`format_owner`] writes it (an empty file, a half-written record, anything else).
pub fn parse_owner(contents: &[u8]) -> Option<Owner<'_>> {
    let text = core::str::from_utf8(contents).ok()?;
    let body = text.strip_prefix(RECORD_START)?.strip_suffix('\n')?;
    let (scope, pid) = body.split_once(PID_FIELD)?;
    let canonical = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && !pid.starts_with('0');
    let pid: u32 = if canonical { pid.parse().ok()? } else { return None };
    scope_ok(scope).then_some(Owner { scope, pid })
}

/// Judges a lock file with `contents`, found by a writer whose scope is `this_scope` (`None`
/// when it has none), where `running(pid)` says whether that pid runs in this scope
/// (`None` when it cannot tell).
pub fn holder(contents: &[u8], this_scope: Option<&str>, running: impl FnOnce(u32) -> Option<bool>) -> Holder {
    let Some(owner) = parse_owner(contents) else {
        return Holder::MaybeAlive;
    };
    if this_scope != Some(owner.scope) {
        return Holder::MaybeAlive;
    }
    match running(owner.pid) {
        Some(false) => Holder::Dead,
        Some(true) | None => Holder::MaybeAlive,
    }
}

/// Whether `file_name` is one of the store's temp files (`filename::temp_name`, the claims
/// of [`claim_name`]), which only a writer holding the bucket's lock (or taking it over)
/// makes, and which the next holder after a takeover removes.
pub fn is_temp(file_name: &str) -> bool {
    file_name.starts_with(crate::filename::TEMP_PREFIX)
}

/// The claim file name for a lock owned by `pid`: a temp file name, so never a key.
pub fn claim_name(pid: u32) -> String {
    let mut name = String::from(crate::filename::TEMP_PREFIX);
    name.push_str(CLAIM_INFIX);
    let digits = crate::counter::Encoding::Decimal.encode(u64::from(pid));
    name.push_str(core::str::from_utf8(&digits).unwrap_or("0"));
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    const SCOPE: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.4026531836";

    #[test]
    fn records_round_trip() {
        let record = format_owner(SCOPE, 4242).unwrap();
        assert_eq!(record, format!("kv-adapt-lock-owner scope={SCOPE} pid=4242\n"));
        assert_eq!(parse_owner(record.as_bytes()), Some(Owner { scope: SCOPE, pid: 4242 }));
        assert_eq!(parse_owner(format_owner("a", u32::MAX).unwrap().as_bytes()), Some(Owner { scope: "a", pid: u32::MAX }));
    }

    #[test]
    fn bad_scopes_and_pids_make_no_record() {
        assert_eq!(format_owner("", 1), None);
        assert_eq!(format_owner("a b", 1), None);
        assert_eq!(format_owner("a\npid=1", 1), None);
        assert_eq!(format_owner(&"a".repeat(SCOPE_MAX + 1), 1), None);
        assert_eq!(format_owner("a", 0), None);
    }

    #[test]
    fn anything_but_one_whole_record_has_no_owner() {
        let record = format_owner(SCOPE, 17).unwrap();
        // Every prefix: the record is written just after the file is made, so a reader can
        // see any of them.
        for end in 0..record.len() {
            assert_eq!(parse_owner(&record.as_bytes()[..end]), None, "prefix {:?}", &record[..end]);
        }
        for bad in [
            "",
            "kv-adapt-lock-owner scope= pid=1\n",
            "kv-adapt-lock-owner scope=a pid=\n",
            "kv-adapt-lock-owner scope=a pid=01\n",
            "kv-adapt-lock-owner scope=a pid=+1\n",
            "kv-adapt-lock-owner scope=a pid=4294967296\n",
            "kv-adapt-lock-owner scope=a pid=1\n\n",
            "kv-adapt-lock-owner scope=a pid=1 pid=2\n",
            "kv-adapt-lock-owner scope=a b pid=1\n",
            "KV-ADAPT-LOCK-OWNER scope=a pid=1\n",
        ] {
            assert_eq!(parse_owner(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(parse_owner(&[0xff, 0xfe]), None);
    }

    #[test]
    fn only_a_provably_dead_owner_in_this_scope_is_dead() {
        let record = format_owner(SCOPE, 99).unwrap();
        let record = record.as_bytes();
        let asked = core::cell::Cell::new(None);
        let dead = |pid| {
            asked.set(Some(pid));
            Some(false)
        };
        assert_eq!(holder(record, Some(SCOPE), dead), Holder::Dead);
        assert_eq!(asked.get(), Some(99));
        // Running, possibly a reused pid: fail safe.
        assert_eq!(holder(record, Some(SCOPE), |_| Some(true)), Holder::MaybeAlive);
        // Cannot look (no /proc).
        assert_eq!(holder(record, Some(SCOPE), |_| None), Holder::MaybeAlive);
        // Another machine, container or boot: its pids mean nothing here.
        assert_eq!(holder(record, Some("other.1"), |_| Some(false)), Holder::MaybeAlive);
        assert_eq!(holder(record, None, |_| Some(false)), Holder::MaybeAlive);
        // No owner record: plain wasmtime use, or read before the record was written.
        assert_eq!(holder(b"", Some(SCOPE), |_| Some(false)), Holder::MaybeAlive);
        assert_eq!(holder(&record[..10], Some(SCOPE), |_| Some(false)), Holder::MaybeAlive);
    }

    #[test]
    fn temp_and_claim_names_are_temp_files_and_never_keys() {
        for name in [crate::filename::temp_name(0), crate::filename::temp_name(u64::MAX), claim_name(1), claim_name(u32::MAX)] {
            assert!(is_temp(&name), "{name}");
            assert_eq!(crate::filename::decode(&name), None, "{name}");
        }
        assert_ne!(claim_name(1), claim_name(2));
        assert!(!is_temp(crate::filename::LOCK_NAME));
        assert!(!is_temp("kv-tmp-1"));
        assert!(!is_temp(&crate::filename::encode(".kv-tmp-1").unwrap()));
    }
}
