//! The filesystem store's layout, read and written from the host side, so that a strict
//! host and the store component share one directory: `<root>/<bucket>/<key>`, names
//! encoded by `kv_adapt_convert::filename`, writes to a temp file renamed over the key,
//! every write under the bucket's lock file (the store component's protocol, so that both
//! take turns). The lock file names its owner process (`kv_adapt_convert::lock`), so a
//! lock left by a killed writer is taken over at once, and [`recover`] cleans up after
//! such writers when `kv-adapt run` starts.

use kv_adapt_convert::{filename, lock};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

fn encoded(what: &str, name: &str) -> Result<String, String> {
    filename::encode(name).map_err(|e| match e {
        filename::EncodeError::TooLong(len) => format!(
            "bad-value: {what} {name:?} is too long to be a file name: encoded it takes {len} bytes, the limit is {}",
            filename::MAX_NAME_LEN
        ),
    })
}

fn bucket_dir(root: &Path, bucket: &str) -> Result<PathBuf, String> {
    Ok(root.join(encoded("bucket", bucket)?))
}

fn key_path(root: &Path, bucket: &str, key: &str) -> Result<PathBuf, String> {
    Ok(bucket_dir(root, bucket)?.join(encoded("key", key)?))
}

fn io_error(op: &str, bucket: &str, key: &str, e: std::io::Error) -> String {
    format!("other: {op} of key {key:?} in bucket {bucket:?} failed: {e}")
}

pub fn read(root: &Path, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
    match std::fs::read(key_path(root, bucket, key)?) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("read", bucket, key, e)),
    }
}

/// Temp file numbers: the process id keeps two processes apart, the counter two writes.
fn next_temp() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    (u64::from(std::process::id()) << 32) | (NEXT.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff)
}

/// The bucket's write lock, held while alive (see `filename::LOCK_NAME`).
pub struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        // A lock that cannot be removed goes stale and is taken over after LOCK_STALE_SECS.
        let _ = std::fs::remove_file(&self.0);
    }
}

fn stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| std::time::SystemTime::now().duration_since(modified).ok())
        .is_some_and(|age| age.as_secs() >= filename::LOCK_STALE_SECS)
}

/// The process-id space this process's pids belong to: the boot id and the pid namespace,
/// so that a pid is judged only where it means the same process. `None` off Linux.
fn this_scope() -> Option<&'static str> {
    static SCOPE: OnceLock<Option<String>> = OnceLock::new();
    SCOPE
        .get_or_init(|| {
            let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
            let namespace = std::fs::read_link("/proc/self/ns/pid").ok()?;
            let namespace = namespace.to_str()?.strip_prefix("pid:[")?.strip_suffix(']')?;
            Some(format!("{}.{namespace}", boot.trim()))
        })
        .as_deref()
}

/// What this process writes into the lock files it makes (see `kv_adapt_convert::lock`),
/// and what `kv-adapt run` hands the store component; `None` where pids cannot be judged.
pub fn owner_record() -> Option<&'static str> {
    static RECORD: OnceLock<Option<String>> = OnceLock::new();
    RECORD.get_or_init(|| lock::format_owner(this_scope()?, std::process::id())).as_deref()
}

/// Whether `pid` runs in this scope; `None` without a `/proc` to look in. A zombie or a
/// reused pid counts as running: the lock then waits for the staleness rule.
fn running(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new("/proc").join(pid.to_string()).exists())
}

/// Removes the lock file `path` of bucket directory `dir` when its owner is provably dead
/// (`kv_adapt_convert::lock::holder`); true when it did. Of several writers that find the
/// same dead lock, only the one whose hard link to it (create-new, like the lock) makes the
/// claim file removes it, and only after checking that the claim is still that lock: so a
/// lock a live writer made meanwhile is never removed.
fn take_over_dead(dir: &Path, path: &Path) -> bool {
    let Ok(contents) = std::fs::read(path) else {
        return false;
    };
    let Some(owner) = lock::parse_owner(&contents) else {
        return false;
    };
    match lock::holder(&contents, this_scope(), running) {
        lock::Holder::Dead => {}
        lock::Holder::MaybeAlive => return false,
    }
    let claim = dir.join(lock::claim_name(owner.pid));
    if std::fs::hard_link(path, &claim).is_err() {
        // Another writer is taking it over, or it is gone already.
        return false;
    }
    let removed = std::fs::read(&claim).is_ok_and(|now| now == contents) && {
        let away = dir.join(filename::temp_name(next_temp()));
        std::fs::rename(path, &away).is_ok() && {
            let same = std::fs::read(&away).is_ok_and(|moved| moved == contents);
            if !same {
                // Only a writer applying the staleness rule in the same instant can have
                // replaced it: give that writer its lock back.
                let _ = std::fs::hard_link(&away, path);
            }
            let _ = std::fs::remove_file(&away);
            same
        }
    };
    let _ = std::fs::remove_file(&claim);
    removed
}

/// Removes the bucket directory's temp files; its lock must be held, so that no write is
/// in flight (value temp files are made only under the lock; the owner file of a writer
/// waiting for the lock may go too, and that writer makes it again). Returns how many it
/// removed.
fn sweep_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_str().is_some_and(lock::is_temp))
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

/// Takes `bucket`'s write lock: create-new of the lock file, retried while another writer
/// (this process, another one, or the store component) holds it. A lock whose owner is
/// provably dead, or a stale one, is taken over (only one writer can), and then the temp
/// files its writer left are removed.
pub fn lock(root: &Path, bucket: &str) -> Result<Lock, String> {
    lock_dir(&bucket_dir(root, bucket)?, bucket)
}

/// [`lock`] in bucket directory `dir`.
fn lock_dir(dir: &Path, bucket: &str) -> Result<Lock, String> {
    let fail = |e: std::io::Error| format!("other: locking bucket {bucket:?} failed: {e}");
    let path = dir.join(filename::LOCK_NAME);
    let started = std::time::Instant::now();
    let mut checked_at = 0;
    let mut took_over = false;
    let mut record = None;
    loop {
        match try_lock(dir, &path, &mut record) {
            Ok(true) => {
                let held = Lock(path);
                if took_over {
                    sweep_temps(dir);
                }
                return Ok(held);
            }
            Ok(false) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(fail)?;
                continue;
            }
            Err(e) => return Err(fail(e)),
        }
        // Judging the holder costs a read or a stat: look only once a second of waiting.
        let waited = started.elapsed();
        if waited.as_secs() > checked_at {
            if take_over_dead(dir, &path) {
                took_over = true;
                continue;
            }
            if stale(&path) {
                let away = dir.join(filename::temp_name(next_temp()));
                if std::fs::rename(&path, &away).is_ok() {
                    let _ = std::fs::remove_file(&away);
                    took_over = true;
                }
                continue;
            }
        }
        if waited.as_secs() >= filename::LOCK_WAIT_SECS {
            return Err(format!(
                "other: another writer has held the lock file {} of bucket {bucket:?} for over {} s; \
                 if no other process writes this store, delete that file",
                path.display(),
                filename::LOCK_WAIT_SECS
            ));
        }
        checked_at = waited.as_secs();
        // Yield the core to the holder: on a small machine spinning only slows it down.
        std::thread::sleep(std::time::Duration::from_micros(100));
    }
}

/// A temp file holding this process's owner record, linked as the lock file to take the
/// lock (and removed when dropped): a hard link is create-new, so the lock file appears
/// with its whole record, never empty, whenever the writer is killed.
struct OwnerFile(PathBuf);

impl Drop for OwnerFile {
    fn drop(&mut self) {
        // If this fails the file is a temp file like any other, removed after a takeover.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One attempt at the lock file `path` of bucket directory `dir`: true when taken, false
/// while another writer holds it. `record` keeps the owner file between attempts.
fn try_lock(dir: &Path, path: &Path, record: &mut Option<OwnerFile>) -> std::io::Result<bool> {
    let Some(owner) = owner_record() else {
        // Nothing to say who holds it: an empty lock, under the staleness rule.
        return match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        };
    };
    let owner_file = match record.take() {
        Some(made) => made,
        None => {
            let (temp, mut file) = create_temp(dir)?;
            let made = OwnerFile(temp);
            file.write_all(owner.as_bytes())?;
            made
        }
    };
    match std::fs::hard_link(&owner_file.0, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            *record = Some(owner_file);
            Ok(false)
        }
        // NotFound: a writer that took a lock over removed the owner file with the other
        // temp files (or the bucket is new); the next attempt makes it again.
        Err(e) => Err(e),
    }
}

/// What [`recover`] cleaned up after writers that died holding a bucket's lock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Lock files whose owner process was dead, removed.
    pub locks: usize,
    /// Temp files those writers left, removed under the bucket's lock.
    pub temps: usize,
}

/// Cleans up after writers killed while writing the store at `root` (what `kv-adapt run`
/// does before it starts the guest). In every bucket: a lock file whose owner is provably
/// dead is taken over, and then, holding the lock (waiting for it if another writer got in
/// first), the temp files left behind are removed; temp files in a bucket whose lock is free
/// are removed the same way, under the lock. Locks of live, unknown or foreign owners are
/// left alone, and so are the temp files beside them (their writers may still be writing).
/// The cost is listing every bucket once.
pub fn recover(root: &Path) -> Result<Recovered, String> {
    let mut recovered = Recovered::default();
    for bucket in buckets(root)? {
        let dir = bucket_dir(root, &bucket)?;
        let path = dir.join(filename::LOCK_NAME);
        let fail = |e: std::io::Error| format!("other: cleaning up bucket {bucket:?} failed: {e}");
        let (mut locked, mut temps) = (false, false);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            // Removed since the store was listed: nothing left to clean.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(fail(e)),
        };
        for entry in entries {
            let name = entry.map_err(fail)?.file_name();
            locked |= name == filename::LOCK_NAME;
            temps |= name.to_str().is_some_and(lock::is_temp);
        }
        let held = if locked {
            if !take_over_dead(&dir, &path) {
                continue;
            }
            recovered.locks += 1;
            lock_dir(&dir, &bucket)?
        } else if temps {
            let mut record = None;
            match try_lock(&dir, &path, &mut record) {
                Ok(true) => Lock(path),
                Ok(false) => continue,
                Err(e) => return Err(fail(e)),
            }
        } else {
            continue;
        };
        // Every temp file is made under the lock or by a writer waiting for it: held, none
        // is a write in flight (a waiter whose owner file goes makes it again).
        recovered.temps += sweep_temps(&dir);
        drop(held);
    }
    Ok(recovered)
}

/// Writes `value` under the bucket's lock.
pub fn write(root: &Path, bucket: &str, key: &str, value: &[u8]) -> Result<(), String> {
    let _lock = lock(root, bucket)?;
    write_locked(root, bucket, key, value)
}

/// Writes `value`; the caller holds the bucket's lock.
pub fn write_locked(root: &Path, bucket: &str, key: &str, value: &[u8]) -> Result<(), String> {
    let path = key_path(root, bucket, key)?;
    let dir = bucket_dir(root, bucket)?;
    std::fs::create_dir_all(&dir).map_err(|e| io_error("write", bucket, key, e))?;
    let (temp, mut file) = create_temp(&dir).map_err(|e| io_error("write", bucket, key, e))?;
    let written = file.write_all(value).and_then(|()| std::fs::rename(&temp, &path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_error("write", bucket, key, e)
    })
}

/// A new temp file in `dir` (create-new), trying further numbers while the names are taken
/// (by a store component in this process, or left by a dead process with this pid).
fn create_temp(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    const ATTEMPTS: u32 = 64;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let temp = dir.join(filename::temp_name(next_temp()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempts < ATTEMPTS => {}
            Err(e) => return Err(e),
        }
    }
}

/// Removes `key` under the bucket's lock; a missing key is no error.
pub fn remove(root: &Path, bucket: &str, key: &str) -> Result<(), String> {
    let _lock = lock(root, bucket)?;
    match std::fs::remove_file(key_path(root, bucket, key)?) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("delete", bucket, key, e)),
    }
}

/// Every key of `bucket`, sorted; temp files and names `filename` never makes are skipped.
pub fn keys(root: &Path, bucket: &str) -> Result<Vec<String>, String> {
    let dir = bucket_dir(root, bucket)?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("other: listing bucket {bucket:?} failed: {e}")),
    };
    let mut keys = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("other: listing bucket {bucket:?} failed: {e}"))?;
        if let Some(key) = entry.file_name().to_str().and_then(filename::decode) {
            keys.push(key);
        }
    }
    keys.sort();
    Ok(keys)
}

/// Every bucket under `root` that holds a key directory, sorted; names `filename` never
/// makes are skipped, as for keys.
pub fn buckets(root: &Path) -> Result<Vec<String>, String> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("other: listing the store {} failed: {e}", root.display())),
    };
    let mut buckets = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("other: listing the store {} failed: {e}", root.display()))?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if let Some(bucket) = entry.file_name().to_str().filter(|_| is_dir).and_then(filename::decode) {
            buckets.push(bucket);
        }
    }
    buckets.sort();
    Ok(buckets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_lock_is_waited_for_and_a_stale_one_taken_over() {
        let root = tempfile_dir("lock");
        let held = lock(&root, "b").unwrap();
        let waiter = std::thread::spawn({
            let root = root.clone();
            move || {
                let started = std::time::Instant::now();
                drop(lock(&root, "b").unwrap());
                started.elapsed()
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(held);
        assert!(waiter.join().unwrap() >= std::time::Duration::from_millis(250), "the waiter did not wait");

        // A lock left by a writer that died 20 s ago.
        let path = root.join(filename::encode("b").unwrap()).join(filename::LOCK_NAME);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(20)).unwrap();
        drop(file);
        write(&root, "b", "k", b"v").unwrap();
        assert_eq!(read(&root, "b", "k").unwrap().as_deref(), Some(&b"v"[..]));
        assert!(!path.exists(), "the lock is released after the write");
        assert_eq!(keys(&root, "b").unwrap(), vec!["k".to_string()]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn recover_takes_over_only_locks_of_dead_owners_and_removes_their_temp_files() {
        let Some(scope) = this_scope() else {
            println!("no boot id or pid namespace here: every lock keeps the staleness rule");
            return;
        };
        let root = tempfile_dir("recover");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let bucket_dir = |b: &str| root.join(filename::encode(b).unwrap());
        let plant = |b: &str, record: &str| {
            write(&root, b, "k", b"v").unwrap();
            std::fs::write(bucket_dir(b).join(filename::LOCK_NAME), record).unwrap();
            std::fs::write(bucket_dir(b).join(filename::temp_name(7)), b"torn").unwrap();
        };
        plant("dead", &lock::format_owner(scope, dead).unwrap());
        plant("alive", owner_record().unwrap());
        plant("elsewhere", &lock::format_owner("another.machine", dead).unwrap());
        plant("ownerless", "");
        // A temp file beside no lock: left by a writer killed while waiting for the lock (its
        // owner file) or by an older kv-adapt.
        write(&root, "orphan", "k", b"v").unwrap();
        std::fs::write(bucket_dir("orphan").join(filename::temp_name(8)), b"torn").unwrap();

        assert_eq!(recover(&root).unwrap(), Recovered { locks: 1, temps: 2 });
        let names = |b: &str| {
            let mut names: Vec<String> =
                std::fs::read_dir(bucket_dir(b)).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
            names.sort();
            names
        };
        assert_eq!(names("dead"), vec!["k".to_string()], "the dead owner's lock and temp file are gone, the key stays");
        assert_eq!(names("orphan"), vec!["k".to_string()]);
        for b in ["alive", "elsewhere", "ownerless"] {
            assert_eq!(names(b), vec![filename::LOCK_NAME.to_string(), filename::temp_name(7), "k".to_string()], "{b}");
        }
        // A lock taken by this process names it, and a second recovery finds nothing to do.
        let held = lock(&root, "dead").unwrap();
        assert_eq!(std::fs::read_to_string(bucket_dir("dead").join(filename::LOCK_NAME)).unwrap(), owner_record().unwrap());
        assert_eq!(recover(&root).unwrap(), Recovered::default());
        drop(held);
        let _ = std::fs::remove_dir_all(&root);
    }

    fn tempfile_dir(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kv-adapt-dir-test-{}-{label}-{}", std::process::id(), next_temp()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
