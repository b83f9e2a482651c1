//! `kv-adapt diff OLD NEW`: does a new build behave like the old one on the same data?
//!
//! Both components run, with the same arguments, each on its own copy of one store (empty,
//! or seeded from a directory in the store's layout): temporary directories, or fresh key
//! namespaces on a Redis server, removed afterwards. Each side is adapted onto its own host
//! generation and counter encoding. Then the two stores are compared key by key, and so
//! are stdout, stderr and how each run ended.
//!
//! Counters are compared by value: a key whose bytes differ but read as the same number in
//! each side's counter encoding (`"3"` decimal against `03 00 .. 00` le64) is the same
//! counter, and the report says which encoding each side wrote.
//!
//! `--then`: the old build runs first; its result is copied twice, and the old build and
//! the new one each run again on one copy. The diff is between those second runs: whether
//! the new build, handed the data the old one left, does what the old one would have done.

use crate::store::backend::Backend;
use crate::store::redis::{RedisStore, RedisUrl};
use crate::host::run::{self, Ran, Ready, StoreSpec};
use crate::plan::PlugOptions;
use kv_adapt_convert::counter::Encoding as CounterEncoding;
use anyhow::{anyhow, bail, Context};
use kv_adapt_convert::counter_s64;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One component under comparison.
pub struct Side<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub plug: PlugOptions,
}

pub struct DiffOptions {
    /// Seed both copies from this directory (the store's layout); empty stores otherwise.
    pub seed: Option<PathBuf>,
    /// Run on this Redis server (fresh namespaces) instead of temporary directories.
    pub redis: Option<RedisUrl>,
    /// Arguments both guests see, program name first.
    pub args: Vec<String>,
    /// Old first, then old and new again on its result (see the module doc).
    pub then: bool,
}

/// Every key of a store: (bucket, key) -> value.
pub type Snapshot = BTreeMap<(String, String), Vec<u8>>;

/// The keys whose bytes differ, in (bucket, key) order, with what changed.
pub type KeyChanges = Vec<((String, String), KeyChange)>;

/// How one side ran.
pub struct SideReport {
    pub name: String,
    /// The plan and host, as `run` says them.
    pub how: String,
    pub counter: CounterEncoding,
    pub succeeded: bool,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The key-value errors the adapter gave the guest (when it has an adapter and failed).
    pub errors: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum KeyChange {
    OnlyOld(Vec<u8>),
    OnlyNew(Vec<u8>),
    Changed { old: Vec<u8>, new: Vec<u8> },
    /// Different bytes, the same number in each side's counter encoding.
    SameCounter { value: i128, old: Vec<u8>, new: Vec<u8> },
}

impl KeyChange {
    pub fn is_difference(&self) -> bool {
        match self {
            KeyChange::OnlyOld(_) | KeyChange::OnlyNew(_) | KeyChange::Changed { .. } => true,
            KeyChange::SameCounter { .. } => false,
        }
    }
}

pub struct Diff {
    /// With `--then`: how the old build's first run went.
    pub first: Option<SideReport>,
    pub old: SideReport,
    pub new: SideReport,
    /// Keys whose bytes are equal on both sides.
    pub same_keys: usize,
    /// Every other key, in (bucket, key) order.
    pub keys: KeyChanges,
}

impl Diff {
    pub fn is_same(&self) -> bool {
        !self.keys.iter().any(|(_, change)| change.is_difference())
            && self.old.succeeded == self.new.succeeded
            && self.old.stdout == self.new.stdout
            && self.old.stderr == self.new.stderr
    }
}

/// A counter's value in `encoding`: u64, or for G6 a negative s64.
fn counter_value(encoding: CounterEncoding, bytes: &[u8]) -> Option<i128> {
    match encoding.decode(bytes) {
        Ok(v) => Some(i128::from(v)),
        Err(_) => counter_s64::decode(encoding, bytes).ok().map(i128::from),
    }
}

/// Compares two stores; `old_counter` and `new_counter` are how each side's host lays out
/// counters.
pub fn compare(old: &Snapshot, new: &Snapshot, old_counter: CounterEncoding, new_counter: CounterEncoding) -> (usize, KeyChanges) {
    let mut same = 0;
    let mut changes = Vec::new();
    let mut all: Vec<&(String, String)> = old.keys().chain(new.keys()).collect();
    all.sort();
    all.dedup();
    for key in all {
        let change = match (old.get(key), new.get(key)) {
            (Some(a), Some(b)) if a == b => {
                same += 1;
                continue;
            }
            (Some(a), Some(b)) => match (counter_value(old_counter, a), counter_value(new_counter, b)) {
                (Some(x), Some(y)) if x == y => KeyChange::SameCounter { value: x, old: a.clone(), new: b.clone() },
                _ => KeyChange::Changed { old: a.clone(), new: b.clone() },
            },
            (Some(a), None) => KeyChange::OnlyOld(a.clone()),
            (None, Some(b)) => KeyChange::OnlyNew(b.clone()),
            (None, None) => unreachable!("every key listed comes from one of the snapshots"),
        };
        changes.push((key.clone(), change));
    }
    (same, changes)
}

/// A temporary store: a directory removed on drop, or a Redis namespace cleared on drop.
struct Scratch {
    backend: Backend,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover temp copy is harmless, and the diff's own error matters more.
        match &self.backend {
            Backend::Dir(dir) => drop(std::fs::remove_dir_all(dir)),
            Backend::Redis(redis) => drop(redis.clear_namespace()),
        }
    }
}

fn unique(label: &str) -> String {
    run::scratch_name("diff", label)
}

impl Scratch {
    fn new(redis: Option<&RedisStore>, label: &str) -> anyhow::Result<Scratch> {
        let backend = match redis {
            Some(server) => Backend::Redis(Arc::new(server.with_namespace(&format!("{}:", unique(label))).map_err(|e| anyhow!("{e}"))?)),
            None => {
                let dir = std::env::temp_dir().join(unique(label));
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                Backend::Dir(dir)
            }
        };
        Ok(Scratch { backend })
    }

    fn fill(&self, snapshot: &Snapshot) -> anyhow::Result<()> {
        for ((bucket, key), value) in snapshot {
            self.backend.write(bucket, key, value).map_err(|e| anyhow!("seeding the store copy: {e}"))?;
        }
        Ok(())
    }
}

/// Every key of `backend`.
pub fn snapshot(backend: &Backend) -> anyhow::Result<Snapshot> {
    let mut all = Snapshot::new();
    match backend {
        Backend::Dir(root) => {
            for bucket in crate::store::dir::buckets(root).map_err(|e| anyhow!("{e}"))? {
                for key in backend.keys(&bucket).map_err(|e| anyhow!("{e}"))? {
                    if let Some(value) = backend.read(&bucket, &key).map_err(|e| anyhow!("{e}"))? {
                        all.insert((bucket.clone(), key), value);
                    }
                }
            }
        }
        Backend::Redis(redis) => {
            for (bucket, key, value) in redis.entries().map_err(|e| anyhow!("{e}"))? {
                all.insert((bucket, key), value);
            }
        }
    }
    Ok(all)
}

/// The keys of a seed directory in the store's layout.
pub fn seed(dir: &Path) -> anyhow::Result<Snapshot> {
    if !dir.is_dir() {
        bail!("--seed {}: not a directory (a seed is a store directory: one directory per bucket, one file per key)", dir.display());
    }
    snapshot(&Backend::Dir(dir.to_path_buf()))
}

fn side_report(name: &str, ready: &Ready, ran: Ran) -> SideReport {
    let how = format!("{} onto {}", run::guest_and_adapter(&ready.plan), ready.host);
    SideReport {
        name: name.to_string(),
        how,
        counter: ready.counter,
        succeeded: ran.succeeded,
        stdout: ran.stdout,
        stderr: ran.stderr,
        errors: if ran.succeeded { Vec::new() } else { ran.recent_errors.unwrap_or_default() },
    }
}

/// Runs both sides as the options say and compares them.
pub fn diff(old: &Side<'_>, new: &Side<'_>, options: &DiffOptions) -> anyhow::Result<Diff> {
    let kind = match &options.redis {
        Some(url) => {
            let spec = StoreSpec::Redis(url.clone());
            run::check_counter_encoding(&spec, old.plug.counter).context("old")?;
            run::check_counter_encoding(&spec, new.plug.counter).context("new")?;
            spec
        }
        None => StoreSpec::Dir(PathBuf::new()),
    };
    let old_ready = run::ready(old.name, old.bytes, &old.plug, &kind).with_context(|| format!("old: {}", old.name))?;
    let new_ready = run::ready(new.name, new.bytes, &new.plug, &kind).with_context(|| format!("new: {}", new.name))?;
    let server = match &options.redis {
        Some(url) => Some(RedisStore::connect(url).map_err(|e| anyhow!("{e}"))?),
        None => None,
    };
    let seeded = match &options.seed {
        Some(dir) => seed(dir)?,
        None => Snapshot::new(),
    };
    let run_side = |side: &Side<'_>, ready: &Ready, start: &Snapshot, label: &str| -> anyhow::Result<(SideReport, Snapshot)> {
        let scratch = Scratch::new(server.as_ref(), label)?;
        scratch.fill(start)?;
        let ran = run::run_ready(side.name, ready, &scratch.backend, &options.args, true, &run::Limits::default())
            .with_context(|| format!("{label}: {}", side.name))?;
        let after = snapshot(&scratch.backend)?;
        Ok((side_report(side.name, ready, ran), after))
    };
    let (first, start) = if options.then {
        let (report, after) = run_side(old, &old_ready, &seeded, "first")?;
        (Some(report), after)
    } else {
        (None, seeded)
    };
    let (old_report, old_after) = run_side(old, &old_ready, &start, "old")?;
    let (new_report, new_after) = run_side(new, &new_ready, &start, "new")?;
    let (same_keys, keys) = compare(&old_after, &new_after, old.plug.counter, new.plug.counter);
    Ok(Diff { first, old: old_report, new: new_report, same_keys, keys })
}

/// A value as a person reads it: quoted text when it is short printable UTF-8, else hex.
pub fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.len() <= 80 && !text.chars().any(|c| c.is_control() && c != '\n') => format!("{text:?}"),
        _ => {
            let hex: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
            let more = if bytes.len() > 16 { " .." } else { "" };
            format!("[{}{more}] ({} bytes)", hex.join(" "), bytes.len())
        }
    }
}

/// Lines only in `old` (`-`) and only in `new` (`+`), in order, from a longest common
/// subsequence; past 2,000 lines a side, just the counts.
fn line_diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > 2000 || b.len() > 2000 {
        return vec![format!("  ({} lines against {} lines; too long to diff line by line)", a.len(), b.len())];
    }
    let mut lcs = vec![vec![0u16; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("  - {}", a[i]));
            i += 1;
        } else {
            out.push(format!("  + {}", b[j]));
            j += 1;
        }
    }
    out
}

fn ended(report: &SideReport) -> &'static str {
    if report.succeeded {
        "ok"
    } else {
        "failed"
    }
}

/// The readable diff.
pub fn render(diff: &Diff) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(first) = &diff.first {
        lines.push(format!("first: {} {}: {}; counters {}", first.name, ended(first), first.how, first.counter.name()));
    }
    for (label, side) in [("old", &diff.old), ("new", &diff.new)] {
        lines.push(format!("{label}: {} {}: {}; counters {}", side.name, ended(side), side.how, side.counter.name()));
        for error in &side.errors {
            lines.push(format!("  {label} was given the key-value error: {error}"));
        }
    }
    let differing = diff.keys.iter().filter(|(_, c)| c.is_difference()).count();
    let counters = diff.keys.len() - differing;
    lines.push(format!(
        "store: {} keys the same{}, {differing} different",
        diff.same_keys + counters,
        if counters > 0 { format!(" ({counters} of them counters in different encodings)") } else { String::new() }
    ));
    for ((bucket, key), change) in &diff.keys {
        let at = format!("bucket {bucket:?} key {key:?}");
        lines.push(match change {
            KeyChange::OnlyOld(v) => format!("  - {at}: only in old: {}", show(v)),
            KeyChange::OnlyNew(v) => format!("  + {at}: only in new: {}", show(v)),
            KeyChange::Changed { old, new } => format!("  ~ {at}: old {}, new {}", show(old), show(new)),
            KeyChange::SameCounter { value, old, new } => format!(
                "  = {at}: the counter {value} on both (old wrote {} {}, new wrote {} {})",
                diff.old.counter.name(),
                show(old),
                diff.new.counter.name(),
                show(new)
            ),
        });
    }
    match (diff.old.succeeded, diff.new.succeeded) {
        (a, b) if a == b => lines.push(format!("exit: both {}", ended(&diff.old))),
        _ => lines.push(format!("exit: old {}, new {}", ended(&diff.old), ended(&diff.new))),
    }
    for (label, a, b) in [("stdout", &diff.old.stdout, &diff.new.stdout), ("stderr", &diff.old.stderr, &diff.new.stderr)] {
        if a == b {
            lines.push(format!("{label}: the same ({} bytes)", a.len()));
        } else {
            lines.push(format!("{label}: different"));
            lines.extend(line_diff(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b)));
        }
    }
    lines.push(if diff.is_same() { "result: same".into() } else { "result: different".into() });
    lines
}

fn side_json(side: &SideReport) -> serde_json::Value {
    serde_json::json!({
        "component": side.name,
        "how": side.how,
        "counter_encoding": side.counter.name(),
        "succeeded": side.succeeded,
        "stdout": String::from_utf8_lossy(&side.stdout),
        "stderr": String::from_utf8_lossy(&side.stderr),
        "errors": side.errors,
    })
}

fn bytes_json(bytes: &[u8]) -> serde_json::Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::json!({ "text": text }),
        Err(_) => serde_json::json!({ "hex": bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() }),
    }
}

/// The diff for machines: `--json`.
pub fn to_json(diff: &Diff) -> serde_json::Value {
    let keys: Vec<serde_json::Value> = diff
        .keys
        .iter()
        .map(|((bucket, key), change)| match change {
            KeyChange::OnlyOld(v) => serde_json::json!({ "bucket": bucket, "key": key, "change": "only-old", "old": bytes_json(v) }),
            KeyChange::OnlyNew(v) => serde_json::json!({ "bucket": bucket, "key": key, "change": "only-new", "new": bytes_json(v) }),
            KeyChange::Changed { old, new } => {
                serde_json::json!({ "bucket": bucket, "key": key, "change": "changed", "old": bytes_json(old), "new": bytes_json(new) })
            }
            KeyChange::SameCounter { value, old, new } => serde_json::json!({
                "bucket": bucket, "key": key, "change": "same-counter", "value": value.to_string(),
                "old": bytes_json(old), "new": bytes_json(new),
                "old_encoding": diff.old.counter.name(), "new_encoding": diff.new.counter.name(),
            }),
        })
        .collect();
    serde_json::json!({
        "same": diff.is_same(),
        "first": diff.first.as_ref().map(side_json),
        "old": side_json(&diff.old),
        "new": side_json(&diff.new),
        "same_keys": diff.same_keys,
        "keys": keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(entries: &[(&str, &str, &[u8])]) -> Snapshot {
        entries.iter().map(|(b, k, v)| ((b.to_string(), k.to_string()), v.to_vec())).collect()
    }

    #[test]
    fn equal_counters_in_different_encodings_are_the_same_and_other_bytes_are_not() {
        let old = snap(&[("v", "n", b"3"), ("v", "text", b"abc"), ("v", "gone", b"x")]);
        let new = snap(&[("v", "n", &3u64.to_le_bytes()), ("v", "text", b"abd"), ("v", "born", b"y")]);
        let (same, changes) = compare(&old, &new, CounterEncoding::Decimal, CounterEncoding::Le64);
        assert_eq!(same, 0);
        let kinds: Vec<(&str, bool)> = changes.iter().map(|((_, k), c)| (k.as_str(), c.is_difference())).collect();
        assert_eq!(kinds, vec![("born", true), ("gone", true), ("n", false), ("text", true)]);
        assert!(matches!(changes[2].1, KeyChange::SameCounter { value: 3, .. }));
    }

    #[test]
    fn a_counter_of_another_value_is_a_change() {
        let old = snap(&[("v", "n", b"3")]);
        let new = snap(&[("v", "n", &4u64.to_le_bytes())]);
        let (_, changes) = compare(&old, &new, CounterEncoding::Decimal, CounterEncoding::Le64);
        assert!(matches!(changes[0].1, KeyChange::Changed { .. }));
    }

    #[test]
    fn line_diff_marks_only_the_lines_that_moved() {
        assert_eq!(line_diff("a\nb\nc\n", "a\nB\nc\n"), vec!["  - b".to_string(), "  + B".to_string()]);
        assert!(line_diff("same\n", "same\n").is_empty());
    }

    #[test]
    fn values_show_as_text_or_hex() {
        assert_eq!(show(b"hi"), "\"hi\"");
        assert_eq!(show(&[0, 1, 255]), "[00 01 ff] (3 bytes)");
    }
}
