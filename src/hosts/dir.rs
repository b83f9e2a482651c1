//! The filesystem store's layout, read and written from the host side, so that a strict
//! host and the store component share one directory: `<root>/<bucket>/<key>`, names
//! encoded by `kv_adapt_convert::filename`, writes to a temp file renamed over the key.

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

pub fn write(root: &Path, bucket: &str, key: &str, value: &[u8]) -> Result<(), String> {
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

/// Removes `key`; a missing key is no error.
pub fn remove(root: &Path, bucket: &str, key: &str) -> Result<(), String> {
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
