//! A late-2023 command as its toolchain made it: Rust std for `wasm32-wasip1`, made a
//! component with wasmtime 15's preview1 *command* adapter (`wasi:*@0.2.0-rc-2023-11-10`),
//! keeping its state in unversioned G2 `wasi:keyvalue` and writing and reading values
//! through async bodies (wasi:io rc-2023-11-10 streams). std's stdout and files go through
//! the preview1 adapter onto the same wasi:io, so the G2 wrapping adapter must serve both.
//!
//! It writes `GREETING` (a default when unset) through an async body in two writes, reads
//! it back in 5-byte reads, stores and reads back the file `READ_FILE` names (when set) the
//! same way, and increments "runs". Every step prints a line; any failure goes to stderr and
//! ends the run with exit code 1.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g2-async-bodies",
    generate_all,
});

use wasi::io0_2_0_rc_2023_11_10::streams::StreamError;
use wasi::keyvalue::{atomic, readwrite, types, wasi_cloud_error};

const DEFAULT_GREETING: &str = "hello from a 2023 async body";

fn main() {
    if let Err(message) = run() {
        eprintln!("guest-g2-async-bodies: {message}");
        std::process::exit(1);
    }
}

/// A G2 error is a handle: read its text, then free it.
fn trace(what: &str) -> impl FnOnce(wasi_cloud_error::Error) -> String + '_ {
    move |error| {
        let text = wasi_cloud_error::trace(error);
        wasi_cloud_error::drop_error(error);
        format!("{what}: {text}")
    }
}

fn run() -> Result<(), String> {
    let bucket = types::open_bucket("").map_err(trace("open-bucket(\"\")"))?;
    let greeting = std::env::var("GREETING").unwrap_or_else(|_| DEFAULT_GREETING.to_string());
    write_async(bucket, "greeting", greeting.as_bytes())?;
    println!("wrote {} bytes through an async body", greeting.len());
    let read = read_async(bucket, "greeting")?;
    if read != greeting.as_bytes() {
        return Err(format!("greeting read back as {:?}, expected {greeting:?}", String::from_utf8_lossy(&read)));
    }
    println!("read back: {greeting}");

    if let Ok(path) = std::env::var("READ_FILE") {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
        write_async(bucket, "file", text.as_bytes())?;
        let stored = String::from_utf8(read_async(bucket, "file")?).map_err(|e| format!("file value is not UTF-8: {e}"))?;
        println!("file {path}: {}", stored.trim_end());
    }

    let runs = atomic::increment(bucket, "runs", 1).map_err(trace("increment runs"))?;
    println!("runs: {runs}");
    types::drop_bucket(bucket);
    Ok(())
}

/// Sets `key` to `bytes`, written in two halves through the value's async body.
fn write_async(bucket: types::Bucket, key: &str, bytes: &[u8]) -> Result<(), String> {
    let value = types::new_outgoing_value();
    let result = (|| {
        let stream = types::outgoing_value_write_body_async(value).map_err(trace("outgoing-value-write-body-async"))?;
        let (first, second) = bytes.split_at(bytes.len() / 2);
        for half in [first, second] {
            stream.blocking_write_and_flush(half).map_err(|e| format!("blocking-write-and-flush: {e:?}"))?;
        }
        drop(stream);
        readwrite::set(bucket, key, value).map_err(trace("set"))
    })();
    types::drop_outgoing_value(value);
    result
}

/// The whole value of `key`, in reads of at most 5 bytes until the stream says `closed`.
fn read_async(bucket: types::Bucket, key: &str) -> Result<Vec<u8>, String> {
    let incoming = readwrite::get(bucket, key).map_err(trace("get"))?;
    let body = types::incoming_value_consume_async(incoming).map_err(trace("incoming-value-consume-async"));
    types::drop_incoming_value(incoming);
    let body = body?;
    let mut all = Vec::new();
    loop {
        match body.blocking_read(5) {
            Ok(piece) => all.extend_from_slice(&piece),
            Err(StreamError::Closed) => return Ok(all),
            Err(StreamError::LastOperationFailed(e)) => return Err(format!("reading {key}: {}", e.to_debug_string())),
        }
    }
}
