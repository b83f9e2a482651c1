//! The filesystem store's layout, read and written from the host side, so that a strict
//! host and the store component share one directory: `<root>/<bucket>/<key>`, names
//! encoded by `kv_adapt_convert::filename`, writes to a temp file renamed over the key,
//! every write under the bucket's lock file (the store component's protocol, so that both
//! take turns).

use kv_adapt_convert::filename;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

fn encoded(what: &str, name: &str) -> Result<String, String> {
    filename::encode(name).map_err(|e| format!("bad-value: {what} {name:?} cannot be a file name: {e:?}"))
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

/// Takes `bucket`'s write lock: create-new of the lock file, retried while another writer
/// (this process, another one, or the store component) holds it; a stale one is renamed
/// away first, so only one writer takes it over.
pub fn lock(root: &Path, bucket: &str) -> Result<Lock, String> {
    let dir = bucket_dir(root, bucket)?;
    let path = dir.join(filename::LOCK_NAME);
    let started = std::time::Instant::now();
    let mut checked_at = 0;
    loop {
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => return Ok(Lock(path)),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                std::fs::create_dir_all(&dir).map_err(|e| format!("other: locking bucket {bucket:?} failed: {e}"))?;
                continue;
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("other: locking bucket {bucket:?} failed: {e}")),
        }
        // Staleness costs two clock reads and a stat: look only once a second of waiting.
        let waited = started.elapsed();
        if waited.as_secs() > checked_at && stale(&path) {
            let away = dir.join(filename::temp_name(next_temp()));
            if std::fs::rename(&path, &away).is_ok() {
                let _ = std::fs::remove_file(&away);
            }
            continue;
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
    let temp = dir.join(filename::temp_name(next_temp()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| file.write_all(value))
        .and_then(|()| std::fs::rename(&temp, &path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_error("write", bucket, key, e)
    })
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

    fn tempfile_dir(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kv-adapt-dir-test-{}-{label}-{}", std::process::id(), next_temp()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
