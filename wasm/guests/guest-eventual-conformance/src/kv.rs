//! Thin wrappers over the G3/G4 imports that turn every outcome into `Result<_, String>`
//! with a message naming the call, so a case reads as a list of expectations.

use crate::keyvalue::{atomic, eventual, eventual_batch, types};
use crate::wasi::io0_2_0::streams::{InputStream, OutputStream};

pub use types::{Bucket, IncomingValue, OutgoingValue};
pub type Error = crate::keyvalue::wasi_keyvalue_error::Error;
pub use guest_support::*;

/// Expects success; an error becomes a message with the call and the trace.
pub fn ok<T>(what: &str, result: Result<T, Error>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: expected success, got error {:?}", e.trace()))
}

/// Expects an error whose trace starts with `kind` followed by a colon (any error when
/// `kind` is empty) and returns the trace.
pub fn err<T: core::fmt::Debug>(what: &str, result: Result<T, Error>, kind: &str) -> Result<String, String> {
    match result {
        Ok(value) => Err(unexpected_ok(what, value, kind)),
        Err(e) => expect_kind(what, e.trace(), kind),
    }
}

pub fn open(name: &str) -> Result<Bucket, String> {
    ok(&format!("open-bucket({name:?})"), Bucket::open_bucket(name))
}

/// A new outgoing-value with a sync body.
pub fn value(body: &[u8]) -> Result<OutgoingValue, String> {
    let value = OutgoingValue::new_outgoing_value();
    ok(
        &format!("outgoing-value-write-body-sync({} bytes)", body.len()),
        value.outgoing_value_write_body_sync(body),
    )?;
    Ok(value)
}

/// `set` with a new outgoing-value holding a sync body.
pub fn set(bucket: &Bucket, key: &str, body: &[u8]) -> Outcome {
    let value = value(body)?;
    ok(&format!("set(bucket, {key:?}, {} bytes)", body.len()), eventual::set(bucket, key, &value))
}

/// `consume-sync` of `incoming`, described as the value of `key`.
pub fn consume(key: &str, incoming: IncomingValue) -> Result<Vec<u8>, String> {
    ok(
        &format!("incoming-value-consume-sync(value of {key:?})"),
        IncomingValue::incoming_value_consume_sync(incoming),
    )
}

/// `get` + `incoming-value-consume-sync`; `None` for a missing key.
pub fn get(bucket: &Bucket, key: &str) -> Result<Option<Vec<u8>>, String> {
    match ok(&format!("get(bucket, {key:?})"), eventual::get(bucket, key))? {
        Some(incoming) => consume(key, incoming).map(Some),
        None => Ok(None),
    }
}

pub fn expect_value(bucket: &Bucket, key: &str, want: &[u8]) -> Outcome {
    match get(bucket, key)? {
        Some(got) => eq_bytes(&format!("value of {key:?} read back with get + consume-sync"), &got, want),
        None => Err(format!("get(bucket, {key:?}): expected a value of {} bytes, got none", want.len())),
    }
}

/// `get` gives `none`, and `exists` agrees.
pub fn expect_missing(bucket: &Bucket, key: &str) -> Outcome {
    if let Some(body) = get(bucket, key)? {
        return Err(format!("get(bucket, {key:?}): expected none, got a value of {} bytes", body.len()));
    }
    expect_exists(bucket, key, false)
}

pub fn exists(bucket: &Bucket, key: &str) -> Result<bool, String> {
    ok(&format!("exists(bucket, {key:?})"), eventual::exists(bucket, key))
}

pub fn expect_exists(bucket: &Bucket, key: &str, want: bool) -> Outcome {
    eq(&format!("exists(bucket, {key:?})"), exists(bucket, key)?, want)
}

pub fn delete(bucket: &Bucket, key: &str) -> Outcome {
    ok(&format!("delete(bucket, {key:?})"), eventual::delete(bucket, key))
}

pub fn increment(bucket: &Bucket, key: &str, delta: u64) -> Result<u64, String> {
    ok(&format!("increment(bucket, {key:?}, {delta})"), atomic::increment(bucket, key, delta))
}

pub fn compare_and_swap(bucket: &Bucket, key: &str, old: u64, new: u64) -> Result<bool, String> {
    ok(
        &format!("compare-and-swap(bucket, {key:?}, old {old}, new {new})"),
        atomic::compare_and_swap(bucket, key, old, new),
    )
}

pub fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| k.to_string()).collect()
}

pub fn sorted_keys(bucket: &Bucket) -> Result<Vec<String>, String> {
    let mut keys = ok("keys(bucket)", eventual_batch::keys(bucket))?;
    keys.sort();
    Ok(keys)
}

guest_support::stream_helpers!(crate::wasi::io0_2_0::streams);

/// Writes `body` through `outgoing-value-write-body-async`: the first half with the
/// flow-controlled `check-write` + `write` + `flush`, the rest with
/// `blocking-write-and-flush` (4096 bytes per call, the wasi:io limit). The stream is
/// dropped at the end, which finishes the body.
pub fn write_async(value: &OutgoingValue, body: &[u8]) -> Outcome {
    let stream: OutputStream = ok("outgoing-value-write-body-async", value.outgoing_value_write_body_async())?;
    write_stream(stream, body)
}

/// Reads an incoming-value through `incoming-value-consume-async` until the stream says
/// it is closed. `limit` guards against a stream that never closes.
pub fn read_async(incoming: IncomingValue, limit: usize) -> Result<Vec<u8>, String> {
    let stream: InputStream =
        ok("incoming-value-consume-async", IncomingValue::incoming_value_consume_async(incoming))?;
    read_stream(stream, limit)
}
