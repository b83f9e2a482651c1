//! G5/G6: today's shape, where the only handles are buckets (and G6's `cas`); a leaked
//! one is `mem::forget`-ed so its destructor never runs.

#[cfg(feature = "g5")]
use crate::wasi::keyvalue0_2_0_draft::{batch, store};
#[cfg(feature = "g6")]
use crate::wasi::keyvalue0_2_0_draft2::{atomics, batch, store};

pub struct Store {
    bucket: store::Bucket,
}

fn fail(call: &str, e: store::Error) -> String {
    match e {
        store::Error::NoSuchStore => format!("{call}: no-such-store"),
        store::Error::AccessDenied => format!("{call}: access-denied"),
        store::Error::Other(text) => format!("{call}: other: {text}"),
    }
}

impl crate::Kv for Store {
    fn open() -> Result<Self, String> {
        Ok(Store { bucket: store::open("").map_err(|e| fail("open", e))? })
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.bucket.set(key, value).map_err(|e| fail("set", e))
    }

    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        match self.bucket.get(key).map_err(|e| fail("get", e))? {
            Some(value) => Ok(value),
            None => Err(format!("get {key:?}: none")),
        }
    }

    fn set_streamed(&self, _key: &str, _value: &[u8]) -> Result<(), String> {
        Err("G5/G6 values are byte lists, not streams".into())
    }

    fn get_streamed(&self, _key: &str) -> Result<Vec<u8>, String> {
        Err("G5/G6 values are byte lists, not streams".into())
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String> {
        batch::set_many(&self.bucket, pairs).map_err(|e| fail("set-many", e))
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String> {
        let found = batch::get_many(&self.bucket, keys).map_err(|e| fail("get-many", e))?;
        found
            .into_iter()
            .zip(keys)
            .map(|(entry, key)| entry.map(|(_, value)| value).ok_or_else(|| format!("get-many: {key:?} is none")))
            .collect()
    }

    fn leak_value(_body: Option<&[u8]>) -> Result<(), String> {
        Err("G5/G6 have no outgoing values".into())
    }

    fn leak_bucket() -> Result<(), String> {
        let bucket = store::open("").map_err(|e| fail("open", e))?;
        core::mem::forget(bucket);
        Ok(())
    }

    #[cfg(feature = "g6")]
    fn leak_cas(&self, key: &str) -> Result<(), String> {
        let cas = atomics::Cas::new(&self.bucket, key).map_err(|e| fail("cas.new", e))?;
        core::mem::forget(cas);
        Ok(())
    }

    #[cfg(feature = "g5")]
    fn leak_cas(&self, _key: &str) -> Result<(), String> {
        Err("G5 has no cas".into())
    }
}
