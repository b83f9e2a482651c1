//! G5 (`wasi:keyvalue@0.2.0-draft` store shape), called on the host directly: the baseline.
//! Lossy against the other backends: no compare-and-swap (emulated the way a G5 component
//! would, not atomically) and no async bodies (refused; the host times sync calls instead).

use crate::wasi::keyvalue0_2_0_draft::{atomics, batch, store};
use kv_adapt_convert::counter::Encoding;

/// The counter layout of both benchmark hosts (wasmtime's, and our store configured decimal).
const COUNTERS: Encoding = Encoding::Decimal;

pub struct Store {
    bucket: store::Bucket,
}

fn fail(call: &str, e: store::Error) -> String {
    match e {
        store::Error::NoSuchStore => format!("{call}: no-such-store"),
        store::Error::AccessDenied => format!("{call}: access-denied"),
        store::Error::Other(text) => format!("{call}: {text}"),
    }
}

impl crate::Kv for Store {
    fn open() -> Result<Self, String> {
        let bucket = store::open("").map_err(|e| fail("open", e))?;
        Ok(Store { bucket })
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        match self.bucket.get(key) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(format!("get {key:?}: not found")),
            Err(e) => Err(fail("get", e)),
        }
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.bucket.set(key, value).map_err(|e| fail("set", e))
    }

    fn get_async(&self, _key: &str) -> Result<Vec<u8>, String> {
        Err("G5 has no async value bodies; time `get-*` as the direct baseline".into())
    }

    fn set_async(&self, _key: &str, _value: &[u8]) -> Result<(), String> {
        Err("G5 has no async value bodies; time `set-*` as the direct baseline".into())
    }

    fn exists(&self, key: &str) -> Result<bool, String> {
        self.bucket.exists(key).map_err(|e| fail("exists", e))
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, String> {
        atomics::increment(&self.bucket, key, delta).map_err(|e| fail("increment", e))
    }

    /// What a G5 component writes for CAS: read, decode, compare, write back. Not atomic.
    fn compare_and_swap(&self, key: &str, old: u64, new: u64) -> Result<bool, String> {
        let bytes = self.get(key)?;
        let current = COUNTERS.decode(&bytes).map_err(|e| format!("cas {key:?}: {}", e.reason()))?;
        if current != old {
            return Ok(false);
        }
        self.set(key, &COUNTERS.encode(new))?;
        Ok(true)
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let found = batch::get_many(&self.bucket, keys).map_err(|e| fail("get-many", e))?;
        found
            .into_iter()
            .zip(keys)
            .map(|(entry, key)| entry.map(|(_, value)| value).ok_or_else(|| format!("get-many: {key:?} not found")))
            .collect()
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String> {
        batch::set_many(&self.bucket, pairs).map_err(|e| fail("set-many", e))
    }

    fn list_keys(&self) -> Result<Vec<String>, String> {
        let mut keys = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.bucket.list_keys(cursor).map_err(|e| fail("list-keys", e))?;
            if keys.is_empty() {
                keys = page.keys;
            } else {
                keys.extend(page.keys);
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(keys),
            }
        }
    }
}
