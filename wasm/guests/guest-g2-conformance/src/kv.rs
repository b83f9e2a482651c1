//! Thin wrappers over the G2 imports that turn every outcome into `Result<_, String>`
//! with a message naming the call, so a case reads as a list of expectations.

use crate::wasi::io0_2_0_rc_2023_11_10::streams::{InputStream, OutputStream};
use crate::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};

pub type Bucket = types::Bucket;
pub use guest_support::*;

/// Reads and frees an error handle.
pub fn take_error(error: wasi_cloud_error::Error) -> String {
    let trace = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    trace
}

/// Expects success; a G2 error becomes a message with the call and the trace.
pub fn ok<T>(what: &str, result: Result<T, wasi_cloud_error::Error>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: expected success, got error {:?}", take_error(e)))
}

/// Expects a G2 error whose trace starts with `kind` followed by a colon (any error when
/// `kind` is empty) and returns the trace.
pub fn err<T: core::fmt::Debug>(
    what: &str,
    result: Result<T, wasi_cloud_error::Error>,
    kind: &str,
) -> Result<String, String> {
    match result {
        Ok(value) => Err(unexpected_ok(what, value, kind)),
        Err(e) => expect_kind(what, take_error(e), kind),
    }
}

pub fn open(name: &str) -> Result<Bucket, String> {
    ok(&format!("open-bucket({name:?})"), types::open_bucket(name))
}

/// A new outgoing-value with a sync body.
pub fn value(body: &[u8]) -> Result<types::OutgoingValue, String> {
    let value = types::new_outgoing_value();
    ok(
        &format!("outgoing-value-write-body-sync({value}, {} bytes)", body.len()),
        types::outgoing_value_write_body_sync(value, body),
    )?;
    Ok(value)
}

/// `set` with a sync body, freeing the outgoing-value afterwards.
pub fn set(bucket: Bucket, key: &str, body: &[u8]) -> Outcome {
    let value = value(body)?;
    ok(&format!("set(bucket, {key:?}, {} bytes)", body.len()), readwrite::set(bucket, key, value))?;
    types::drop_outgoing_value(value);
    Ok(())
}

/// `get` + `incoming-value-consume-sync`, freeing the incoming-value afterwards.
pub fn get(bucket: Bucket, key: &str) -> Result<Vec<u8>, String> {
    let incoming = ok(&format!("get(bucket, {key:?})"), readwrite::get(bucket, key))?;
    let body = ok(
        &format!("incoming-value-consume-sync(value of {key:?})"),
        types::incoming_value_consume_sync(incoming),
    )?;
    types::drop_incoming_value(incoming);
    Ok(body)
}

pub fn expect_value(bucket: Bucket, key: &str, want: &[u8]) -> Outcome {
    let got = get(bucket, key)?;
    eq_bytes(&format!("value of {key:?} read back with get + consume-sync"), &got, want)
}

pub fn exists(bucket: Bucket, key: &str) -> Result<bool, String> {
    ok(&format!("exists(bucket, {key:?})"), readwrite::exists(bucket, key))
}

pub fn expect_exists(bucket: Bucket, key: &str, want: bool) -> Outcome {
    eq(&format!("exists(bucket, {key:?})"), exists(bucket, key)?, want)
}

pub fn increment(bucket: Bucket, key: &str, delta: u64) -> Result<u64, String> {
    ok(&format!("increment(bucket, {key:?}, {delta})"), atomic::increment(bucket, key, delta))
}

pub fn compare_and_swap(bucket: Bucket, key: &str, old: u64, new: u64) -> Result<bool, String> {
    ok(
        &format!("compare-and-swap(bucket, {key:?}, old {old}, new {new})"),
        atomic::compare_and_swap(bucket, key, old, new),
    )
}

pub fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| k.to_string()).collect()
}

pub fn sorted_keys(bucket: Bucket) -> Vec<String> {
    let mut keys = batch::get_keys(bucket);
    keys.sort();
    keys
}

guest_support::stream_helpers!(crate::wasi::io0_2_0_rc_2023_11_10::streams);

/// Writes `body` through `outgoing-value-write-body-async`: the first half with the
/// flow-controlled `check-write` + `write` + `flush`, the rest with
/// `blocking-write-and-flush` (4096 bytes per call, the wasi:io limit). The stream is
/// dropped at the end, which finishes the body.
pub fn write_async(value: types::OutgoingValue, body: &[u8]) -> Outcome {
    let stream: OutputStream = ok(
        &format!("outgoing-value-write-body-async({value})"),
        types::outgoing_value_write_body_async(value),
    )?;
    write_stream(stream, body)
}

/// Reads an incoming-value through `incoming-value-consume-async` until the stream says
/// it is closed. `limit` guards against a stream that never closes.
pub fn read_async(incoming: types::IncomingValue, limit: usize) -> Result<Vec<u8>, String> {
    let stream: InputStream = ok(
        &format!("incoming-value-consume-async({incoming})"),
        types::incoming_value_consume_async(incoming),
    )?;
    read_stream(stream, limit)
}
