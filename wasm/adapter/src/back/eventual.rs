//! The eventual back: the early-2024 shape, G3 (`wasi:keyvalue@0.1.0`, wasmCloud 0.82,
//! feature `back-g3`) or G4 (`@0.2.0-draft` eventual, feature `back-g4`), one source as on
//! the front side. Values go through `outgoing-value` / `incoming-value` resources with
//! sync bodies (one copy each way, as the host's ABI needs); buckets are resources.
//!
//! Lossy or differing from today's shape:
//! - `page`: the eventual shape has no paging, only `keys` (every key at once), so the
//!   first page holds every key and no cursor is ever handed out; a cursor sent anyway is
//!   an `other` failure. Keys are as consistent as the host's one `keys` call.
//! - Failures: an eventual `error` is a resource with a trace and nothing else, so every
//!   host failure is `Other(trace)`; `no-such-store` and `access-denied` cannot be told.
//! - Counters are u64, as in G5.

use alloc::string::String;
use alloc::vec::Vec;

#[cfg(feature = "back-g3")]
use crate::wasi::keyvalue0_1_0 as ev;
#[cfg(feature = "back-g4")]
use crate::wasi::keyvalue0_2_0_draft as ev;

use super::{Failure, Page};
use ev::types::{Bucket, IncomingValue, OutgoingValue};

/// What the host calls itself, for messages.
#[cfg(feature = "back-g3")]
pub const NAME: &str = "wasi:keyvalue@0.1.0";
#[cfg(feature = "back-g4")]
pub const NAME: &str = "wasi:keyvalue@0.2.0-draft (eventual)";

pub type HostBucket = Bucket;
/// Never handed out (see the header); u64 so that the fronts treat it as G5's.
pub type Cursor = u64;
pub type Counter = u64;

fn failure(e: ev::wasi_keyvalue_error::Error) -> Failure {
    Failure::Other(e.trace())
}

pub fn open(name: &str) -> Result<HostBucket, Failure> {
    Bucket::open_bucket(name).map_err(failure)
}

pub fn get(b: &HostBucket, key: &str) -> Result<Option<Vec<u8>>, Failure> {
    match ev::eventual::get(b, key).map_err(failure)? {
        None => Ok(None),
        Some(value) => IncomingValue::incoming_value_consume_sync(value).map(Some).map_err(failure),
    }
}

/// An outgoing value holding `value` as its sync body.
fn outgoing(value: &[u8]) -> Result<OutgoingValue, Failure> {
    let outgoing = OutgoingValue::new_outgoing_value();
    outgoing.outgoing_value_write_body_sync(value).map_err(failure)?;
    Ok(outgoing)
}

pub fn set(b: &HostBucket, key: &str, value: &[u8]) -> Result<(), Failure> {
    let value = outgoing(value)?;
    ev::eventual::set(b, key, &value).map_err(failure)
}

pub fn delete(b: &HostBucket, key: &str) -> Result<(), Failure> {
    ev::eventual::delete(b, key).map_err(failure)
}

pub fn exists(b: &HostBucket, key: &str) -> Result<bool, Failure> {
    ev::eventual::exists(b, key).map_err(failure)
}

pub fn page(b: &HostBucket, cursor: Option<&Cursor>) -> Result<Page, Failure> {
    if cursor.is_some() {
        return Err(Failure::Other(String::from(
            "bad-value: this host lists every key in one page, so no list-keys cursor was handed out; \
             start again from no cursor",
        )));
    }
    Ok(Page { keys: ev::eventual_batch::keys(b).map_err(failure)?, cursor: None })
}

pub fn add(b: &HostBucket, key: &str, delta: Counter) -> Result<Counter, Failure> {
    ev::atomic::increment(b, key, delta).map_err(failure)
}

pub fn get_many(b: &HostBucket, keys: &[String]) -> Result<Vec<Option<(String, Vec<u8>)>>, Failure> {
    let values = ev::eventual_batch::get_many(b, keys).map_err(failure)?;
    let mut found = Vec::with_capacity(values.len());
    for (key, value) in keys.iter().zip(values) {
        found.push(match value {
            None => None,
            Some(value) => Some((key.clone(), IncomingValue::incoming_value_consume_sync(value).map_err(failure)?)),
        });
    }
    Ok(found)
}

pub fn set_many(b: &HostBucket, pairs: &[(String, Vec<u8>)]) -> Result<(), Failure> {
    let mut values = Vec::with_capacity(pairs.len());
    for (_, value) in pairs {
        values.push(outgoing(value)?);
    }
    let borrowed: Vec<(String, &OutgoingValue)> = pairs.iter().map(|(k, _)| k.clone()).zip(values.iter()).collect();
    ev::eventual_batch::set_many(b, &borrowed).map_err(failure)
}

pub fn delete_many(b: &HostBucket, keys: &[String]) -> Result<(), Failure> {
    ev::eventual_batch::delete_many(b, keys).map_err(failure)
}
