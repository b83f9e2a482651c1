//! Thin wrappers over the G1 imports that turn every outcome into `Result<_, String>` with
//! a message naming the call, so a case reads as a list of expectations.

use crate::{atomic, readwrite, streams, types, wasi_cloud_error};

pub type Bucket = types::Bucket;
pub use guest_support::*;

/// Reads and frees an error handle.
pub fn take_error(error: wasi_cloud_error::Error) -> String {
    let trace = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    trace
}

pub fn ok<T>(what: &str, result: Result<T, wasi_cloud_error::Error>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: expected success, got error {:?}", take_error(e)))
}

/// Expects an error whose trace starts with `kind` and a colon (any when `kind` is empty).
pub fn err<T: core::fmt::Debug>(what: &str, result: Result<T, wasi_cloud_error::Error>, kind: &str) -> Result<String, String> {
    match result {
        Ok(value) => Err(unexpected_ok(what, value, kind)),
        Err(e) => expect_kind(what, take_error(e), kind),
    }
}

/// Expects a stream call to succeed (G1 stream errors carry nothing to print).
pub fn stream_ok<T>(what: &str, result: Result<T, ()>) -> Result<T, String> {
    result.map_err(|()| format!("{what}: expected success, got a stream error"))
}

/// Expects a stream call to be refused.
pub fn stream_err<T: core::fmt::Debug>(what: &str, result: Result<T, ()>) -> Outcome {
    match result {
        Ok(value) => Err(format!("{what}: expected a stream error, got ok({value:?})")),
        Err(()) => Ok(()),
    }
}

pub fn open(name: &str) -> Result<Bucket, String> {
    ok(&format!("open-bucket({name:?})"), types::open_bucket(name))
}

/// The body stream of a new outgoing value.
pub fn body_stream(value: types::OutgoingValue) -> Result<streams::OutputStream, String> {
    stream_ok(&format!("outgoing-value-write-body({value})"), types::outgoing_value_write_body(value))
}

/// Writes all of `body` to `stream`, in chunks of at most 1000 bytes, then drops it.
pub fn write_all(stream: streams::OutputStream, body: &[u8]) -> Outcome {
    for chunk in body.chunks(1000) {
        let n = stream_ok(&format!("streams.write({} bytes)", chunk.len()), streams::write(stream, chunk))?;
        eq("bytes streams.write took", n, chunk.len() as u64)?;
    }
    streams::drop_output_stream(stream);
    Ok(())
}

/// A new outgoing value whose body `body` was written through its stream.
pub fn value(body: &[u8]) -> Result<types::OutgoingValue, String> {
    let value = types::new_outgoing_value();
    write_all(body_stream(value)?, body)?;
    Ok(value)
}

pub fn set(bucket: Bucket, key: &str, body: &[u8]) -> Outcome {
    let value = value(body)?;
    ok(&format!("set(bucket, {key:?}, {} bytes)", body.len()), readwrite::set(bucket, key, value))?;
    types::drop_outgoing_value(value);
    Ok(())
}

/// `get` + `incoming-value-consume-sync`.
pub fn get(bucket: Bucket, key: &str) -> Result<Vec<u8>, String> {
    let incoming = ok(&format!("get(bucket, {key:?})"), readwrite::get(bucket, key))?;
    let body = ok(&format!("incoming-value-consume-sync(value of {key:?})"), types::incoming_value_consume_sync(incoming))?;
    types::drop_incoming_value(incoming);
    Ok(body)
}

/// Reads `stream` `chunk` bytes at a time until it reports its end, then drops it.
pub fn read_all(stream: streams::InputStream, chunk: u64) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    // A stream that never ends must not spin the case forever.
    for _ in 0..100_000 {
        let (bytes, ended) = stream_ok(&format!("streams.read({stream}, {chunk})"), streams::read(stream, chunk))?;
        if bytes.len() as u64 > chunk {
            return Err(format!("streams.read({chunk}) gave {} bytes", bytes.len()));
        }
        body.extend_from_slice(&bytes);
        if ended {
            streams::drop_input_stream(stream);
            return Ok(body);
        }
    }
    Err("streams.read: no end after 100000 reads".into())
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

pub fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| k.to_string()).collect()
}

pub fn sorted_keys(bucket: Bucket) -> Vec<String> {
    let mut keys = crate::batch::get_keys(bucket);
    keys.sort();
    keys
}
