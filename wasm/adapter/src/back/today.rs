//! The calls of today's shape over a G5 or G6 host: the two are one shape, and `kv` names
//! whichever this build imports, so these thin wrappers are written once. The back's own
//! file gives what differs (`Cursor`, `Counter`, `list_page`, `NAME`).

use alloc::string::String;
use alloc::vec::Vec;

use super::{list_page, Counter, Cursor, Failure, Page};
use crate::kv;

/// The host's own bucket.
pub type HostBucket = kv::store::Bucket;

impl From<kv::store::Error> for Failure {
    fn from(e: kv::store::Error) -> Failure {
        match e {
            kv::store::Error::NoSuchStore => Failure::NoSuchStore,
            kv::store::Error::AccessDenied => Failure::AccessDenied,
            kv::store::Error::Other(text) => Failure::Other(text),
        }
    }
}

pub fn open(name: &str) -> Result<HostBucket, Failure> {
    Ok(kv::store::open(name)?)
}

pub fn get(b: &HostBucket, key: &str) -> Result<Option<Vec<u8>>, Failure> {
    Ok(b.get(key)?)
}

pub fn set(b: &HostBucket, key: &str, value: &[u8]) -> Result<(), Failure> {
    Ok(b.set(key, value)?)
}

pub fn delete(b: &HostBucket, key: &str) -> Result<(), Failure> {
    Ok(b.delete(key)?)
}

pub fn exists(b: &HostBucket, key: &str) -> Result<bool, Failure> {
    Ok(b.exists(key)?)
}

pub fn page(b: &HostBucket, cursor: Option<&Cursor>) -> Result<Page, Failure> {
    let page = list_page(b, cursor)?;
    Ok(Page { keys: page.keys, cursor: page.cursor })
}

pub fn add(b: &HostBucket, key: &str, delta: Counter) -> Result<Counter, Failure> {
    Ok(kv::atomics::increment(b, key, delta)?)
}

pub fn get_many(b: &HostBucket, keys: &[String]) -> Result<Vec<Option<(String, Vec<u8>)>>, Failure> {
    Ok(kv::batch::get_many(b, keys)?)
}

pub fn set_many(b: &HostBucket, pairs: &[(String, Vec<u8>)]) -> Result<(), Failure> {
    Ok(kv::batch::set_many(b, pairs)?)
}

pub fn delete_many(b: &HostBucket, keys: &[String]) -> Result<(), Failure> {
    Ok(kv::batch::delete_many(b, keys)?)
}
