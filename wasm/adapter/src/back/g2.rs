//! The G2 back: late-2023 `wasi:keyvalue` (unversioned, what wasmCloud 0.80/0.81 served),
//! with u32 handles freed by `drop-*` functions. Values go through outgoing/incoming value
//! handles with sync bodies; every handle the back makes is dropped before it returns.
//!
//! Lossy or differing from today's shape:
//! - `get` of a missing key is an error in G2, as is a host failure. The back tells them
//!   apart by asking `exists` after an error: `false` is a missing key (`none`), anything
//!   else passes the error on. That costs one more call, on the error path only.
//! - `delete` of a missing key is an error in G2: after an error, `exists` = `false` makes
//!   it a success, as today's shape says.
//! - `get-many` fails in G2 if any key is missing; the back then gets the keys one by one
//!   (with the rule above), so a batch with a missing key costs one call per key.
//! - `page`: G2 has only `get-keys` (every key at once, no error channel): the first page
//!   holds every key and no cursor is handed out; a cursor sent anyway is an `other`
//!   failure. A host failure while listing looks like an empty or short list.
//! - Failures: a G2 error is a handle with a trace, so every host failure is
//!   `Other(trace)`.
//! - Counters are u64.

use alloc::string::String;
use alloc::vec::Vec;

use crate::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};

use super::{Failure, Page};

/// What the host calls itself, for messages.
pub const NAME: &str = "wasi:keyvalue 2023-11 (unversioned)";

pub type HostBucket = u32;
/// Never handed out (see the header); u64 so that the fronts treat it as G5's.
pub type Cursor = u64;
pub type Counter = u64;

/// The trace of G2 error handle `e`, which is dropped.
fn failure(e: wasi_cloud_error::Error) -> Failure {
    let trace = wasi_cloud_error::trace(e);
    wasi_cloud_error::drop_error(e);
    Failure::Other(trace)
}

fn forget(e: wasi_cloud_error::Error) {
    wasi_cloud_error::drop_error(e);
}

pub fn open(name: &str) -> Result<HostBucket, Failure> {
    types::open_bucket(name).map_err(failure)
}

/// After `error` from a call on `key`: `Ok` if the key is missing (the error meant just
/// that, and is dropped), else the error as a failure.
fn missing(b: HostBucket, key: &str, error: wasi_cloud_error::Error) -> Result<(), Failure> {
    match readwrite::exists(b, key) {
        Ok(false) => {
            forget(error);
            Ok(())
        }
        Ok(true) => Err(failure(error)),
        Err(second) => {
            forget(second);
            Err(failure(error))
        }
    }
}

fn consume(value: types::IncomingValue) -> Result<Vec<u8>, Failure> {
    let bytes = types::incoming_value_consume_sync(value).map_err(failure);
    types::drop_incoming_value(value);
    bytes
}

pub fn get(b: &HostBucket, key: &str) -> Result<Option<Vec<u8>>, Failure> {
    match readwrite::get(*b, key) {
        Ok(value) => consume(value).map(Some),
        Err(e) => missing(*b, key, e).map(|()| None),
    }
}

/// An outgoing value holding `value` as its sync body; the caller drops it.
fn outgoing(value: &[u8]) -> Result<types::OutgoingValue, Failure> {
    let handle = types::new_outgoing_value();
    match types::outgoing_value_write_body_sync(handle, value) {
        Ok(()) => Ok(handle),
        Err(e) => {
            types::drop_outgoing_value(handle);
            Err(failure(e))
        }
    }
}

pub fn set(b: &HostBucket, key: &str, value: &[u8]) -> Result<(), Failure> {
    let handle = outgoing(value)?;
    let written = readwrite::set(*b, key, handle).map_err(failure);
    types::drop_outgoing_value(handle);
    written
}

pub fn delete(b: &HostBucket, key: &str) -> Result<(), Failure> {
    match readwrite::delete(*b, key) {
        Ok(()) => Ok(()),
        Err(e) => missing(*b, key, e),
    }
}

pub fn exists(b: &HostBucket, key: &str) -> Result<bool, Failure> {
    readwrite::exists(*b, key).map_err(failure)
}

pub fn page(b: &HostBucket, cursor: Option<&Cursor>) -> Result<Page, Failure> {
    if cursor.is_some() {
        return Err(Failure::Other(String::from(
            "bad-value: this host lists every key in one page, so no list-keys cursor was handed out; \
             start again from no cursor",
        )));
    }
    Ok(Page { keys: batch::get_keys(*b), cursor: None })
}

pub fn add(b: &HostBucket, key: &str, delta: Counter) -> Result<Counter, Failure> {
    atomic::increment(*b, key, delta).map_err(failure)
}

pub fn get_many(b: &HostBucket, keys: &[String]) -> Result<Vec<Option<(String, Vec<u8>)>>, Failure> {
    match batch::get_many(*b, keys) {
        Ok(values) => {
            let mut found = Vec::with_capacity(values.len());
            let mut failed = None;
            for (key, value) in keys.iter().zip(values) {
                // Every handle is consumed and dropped, even after a failure.
                match consume(value) {
                    Ok(bytes) if failed.is_none() => found.push(Some((key.clone(), bytes))),
                    Ok(_) => {}
                    Err(f) => failed = failed.or(Some(f)),
                }
            }
            failed.map_or(Ok(found), Err)
        }
        // A missing key fails the whole batch in G2: one by one, missing keys are `none`.
        Err(e) => {
            forget(e);
            let mut found = Vec::with_capacity(keys.len());
            for key in keys {
                found.push(get(b, key)?.map(|bytes| (key.clone(), bytes)));
            }
            Ok(found)
        }
    }
}

pub fn set_many(b: &HostBucket, pairs: &[(String, Vec<u8>)]) -> Result<(), Failure> {
    let mut handles: Vec<(String, types::OutgoingValue)> = Vec::with_capacity(pairs.len());
    let mut written = Ok(());
    for (key, value) in pairs {
        match outgoing(value) {
            Ok(handle) => handles.push((key.clone(), handle)),
            Err(f) => {
                written = Err(f);
                break;
            }
        }
    }
    if written.is_ok() {
        written = batch::set_many(*b, &handles).map_err(failure);
    }
    for (_, handle) in handles {
        types::drop_outgoing_value(handle);
    }
    written
}

pub fn delete_many(b: &HostBucket, keys: &[String]) -> Result<(), Failure> {
    batch::delete_many(*b, keys).map_err(failure)
}
