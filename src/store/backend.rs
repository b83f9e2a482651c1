//! Where kv-adapt's own hosts keep their data: the filesystem store's directory layout
//! (`super::dir`) or a Redis server (`super::redis`). The strict hosts (G2, G3, G4) and the
//! native G5/G6 host (`crate::host::today`) speak through this one type, so that every
//! generation reads and writes the same data whichever engine holds it.
//!
//! Counters are read-modify-write on both: under the bucket's lock file on a directory, and
//! under WATCH/MULTI/EXEC on Redis; atomic against every other writer either way.

use super::redis::{RedisStore, Update};
use kv_adapt_convert::counter::Encoding as CounterEncoding;
use kv_adapt_convert::counter_s64;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone)]
pub enum Backend {
    Dir(PathBuf),
    Redis(Arc<RedisStore>),
}

/// A G6 `cas.swap` that found the value changed: what it found instead.
pub type Changed = Option<Vec<u8>>;

fn bad_counter(encoding: CounterEncoding, bucket: &str, key: &str, reason: &str) -> String {
    format!(
        "bad-value: key {key:?} in bucket {bucket:?} is not a {} counter ({reason}); it was left unchanged",
        encoding.name()
    )
}

impl Backend {
    pub fn dir(root: &Path) -> Backend {
        Backend::Dir(root.to_path_buf())
    }

    /// The store in words, for run summaries.
    pub fn describe(&self) -> String {
        match self {
            Backend::Dir(root) => root.display().to_string(),
            Backend::Redis(redis) => redis.url().to_string(),
        }
    }

    pub fn read(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            Backend::Dir(root) => super::dir::read(root, bucket, key),
            Backend::Redis(redis) => redis.get(bucket, key),
        }
    }

    pub fn exists(&self, bucket: &str, key: &str) -> Result<bool, String> {
        match self {
            Backend::Dir(root) => super::dir::read(root, bucket, key).map(|v| v.is_some()),
            Backend::Redis(redis) => redis.exists(bucket, key),
        }
    }

    pub fn write(&self, bucket: &str, key: &str, value: &[u8]) -> Result<(), String> {
        match self {
            Backend::Dir(root) => super::dir::write(root, bucket, key, value),
            Backend::Redis(redis) => redis.set(bucket, key, value),
        }
    }

    /// Removes `key`; a missing key is no error.
    pub fn remove(&self, bucket: &str, key: &str) -> Result<(), String> {
        match self {
            Backend::Dir(root) => super::dir::remove(root, bucket, key),
            Backend::Redis(redis) => redis.delete(bucket, key),
        }
    }

    /// Every key of `bucket`, sorted by bytes, each once.
    pub fn keys(&self, bucket: &str) -> Result<Vec<String>, String> {
        match self {
            Backend::Dir(root) => super::dir::keys(root, bucket),
            Backend::Redis(redis) => redis.keys(bucket),
        }
    }

    /// Read, decide, maybe write: `f` sees the current value and says what to store. On a
    /// directory under the bucket's lock file (atomic against every writer that takes it:
    /// kv-adapt's hosts and the store component); on Redis retried under WATCH/MULTI/EXEC
    /// until no other client wrote the key meanwhile.
    fn update<T>(&self, bucket: &str, key: &str, mut f: impl FnMut(Option<&[u8]>) -> Result<Update<T>, String>) -> Result<T, String> {
        match self {
            Backend::Dir(root) => {
                let _lock = super::dir::lock(root, bucket)?;
                match f(super::dir::read(root, bucket, key)?.as_deref())? {
                    Update::Keep(answer) => Ok(answer),
                    Update::Write(bytes, answer) => super::dir::write_locked(root, bucket, key, &bytes).map(|()| answer),
                }
            }
            Backend::Redis(redis) => redis.update(bucket, key, f),
        }
    }

    /// Adds `delta` to the u64 counter under `key`; a missing key counts from 0.
    pub fn increment(&self, encoding: CounterEncoding, bucket: &str, key: &str, delta: u64) -> Result<u64, String> {
        self.update(bucket, key, |current| {
            let old = match current {
                None => 0,
                Some(bytes) => encoding.decode(bytes).map_err(|e| bad_counter(encoding, bucket, key, e.reason()))?,
            };
            let new = old.checked_add(delta).ok_or_else(|| {
                format!("bad-value: {old} + {delta} overflows u64 for key {key:?} in bucket {bucket:?}; it was left unchanged")
            })?;
            Ok(Update::Write(encoding.encode(new), new))
        })
    }

    /// Adds a signed `delta` to the s64 counter under `key` (G6); a missing key counts from 0.
    pub fn increment_signed(&self, encoding: CounterEncoding, bucket: &str, key: &str, delta: i64) -> Result<i64, String> {
        self.update(bucket, key, |current| {
            let old = match current {
                None => 0,
                Some(bytes) => counter_s64::decode(encoding, bytes).map_err(|e| bad_counter(encoding, bucket, key, e.reason()))?,
            };
            let new = old.checked_add(delta).ok_or_else(|| {
                format!("bad-value: {old} + {delta} overflows s64 for key {key:?} in bucket {bucket:?}; it was left unchanged")
            })?;
            Ok(Update::Write(counter_s64::encode(encoding, new), new))
        })
    }

    /// Writes `new` if the counter under `key` is `old`: `Some(swapped)`, or `None` for a
    /// missing key (which each generation answers its own way).
    pub fn compare_and_swap(
        &self,
        encoding: CounterEncoding,
        bucket: &str,
        key: &str,
        old: u64,
        new: u64,
    ) -> Result<Option<bool>, String> {
        self.update(bucket, key, |current| {
            let Some(bytes) = current else {
                return Ok(Update::Keep(None));
            };
            let stored = encoding.decode(bytes).map_err(|e| bad_counter(encoding, bucket, key, e.reason()))?;
            Ok(if stored == old { Update::Write(encoding.encode(new), Some(true)) } else { Update::Keep(Some(false)) })
        })
    }

    /// Writes `new` if the value under `key` is still `expected` (`None`: still missing).
    /// `Ok(Err(found))` when it changed.
    pub fn swap_if(&self, bucket: &str, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<Result<(), Changed>, String> {
        self.update(bucket, key, |current| {
            Ok(if current == expected {
                Update::Write(new.to_vec(), Ok(()))
            } else {
                Update::Keep(Err(current.map(<[u8]>::to_vec)))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::redis::{test_server, RedisUrl};
    use super::*;

    fn redis() -> Backend {
        let url = RedisUrl::parse(&test_server::shared().url()).unwrap();
        let server = RedisStore::connect(&url).unwrap();
        Backend::Redis(Arc::new(server.with_namespace(&test_server::fresh_namespace()).unwrap()))
    }

    /// Each thread its own connection, as separate processes would have.
    fn on_threads(backend: &Backend, threads: usize, work: impl Fn(Backend) + Send + Sync) {
        let Backend::Redis(shared) = backend else { panic!("a Redis backend") };
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let own = Backend::Redis(Arc::new(shared.with_namespace(shared.namespace()).unwrap()));
                let work = &work;
                scope.spawn(move || work(own));
            }
        });
    }

    #[test]
    fn redis_increments_from_eight_connections_lose_nothing() {
        let backend = redis();
        on_threads(&backend, 8, |own| {
            for _ in 0..250 {
                own.increment(CounterEncoding::Decimal, "b", "n", 1).unwrap();
            }
        });
        assert_eq!(backend.read("b", "n").unwrap().as_deref(), Some(&b"2000"[..]));
    }

    #[test]
    fn redis_g6_cas_retry_loops_from_eight_connections_lose_nothing() {
        let backend = redis();
        on_threads(&backend, 8, |own| {
            for _ in 0..100 {
                let mut seen = own.read("b", "c").unwrap();
                loop {
                    let next = seen.as_deref().map(|b| std::str::from_utf8(b).unwrap().parse::<u64>().unwrap()).unwrap_or(0) + 1;
                    match own.swap_if("b", "c", seen.as_deref(), next.to_string().as_bytes()).unwrap() {
                        Ok(()) => break,
                        Err(found) => seen = found,
                    }
                }
            }
        });
        assert_eq!(backend.read("b", "c").unwrap().as_deref(), Some(&b"800"[..]));
    }

    #[test]
    fn a_counter_in_another_layout_is_refused_and_left_unchanged_on_both_engines() {
        let dir = std::env::temp_dir().join(test_server::fresh_namespace().replace(':', ""));
        for backend in [redis(), Backend::dir(&dir)] {
            backend.write("b", "n", b"not a number").unwrap();
            let error = backend.increment(CounterEncoding::Decimal, "b", "n", 1).unwrap_err();
            assert!(error.starts_with("bad-value: ") && error.contains("decimal counter"), "{error}");
            let error = backend.increment_signed(CounterEncoding::Decimal, "b", "n", -1).unwrap_err();
            assert!(error.contains("left unchanged"), "{error}");
            assert_eq!(backend.read("b", "n").unwrap().as_deref(), Some(&b"not a number"[..]));
            assert_eq!(backend.increment_signed(CounterEncoding::Decimal, "b", "m", -5).unwrap(), -5);
            assert_eq!(backend.compare_and_swap(CounterEncoding::Decimal, "b", "missing", 0, 1).unwrap(), None);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
