//! The G1 watch handler of `wasm/guests/guest-watch` (feature `g1`), written against the
//! bindings of spring 2023 (wit-bindgen 0.4.0) so that `era-componentize` (wit-component
//! 0.7.4) makes of it what the toolchain of that time made: a component of binary version
//! 0x0c. Its behaviour is guest-watch's, so `tests/upgrade.rs` checks the same records:
//! - `on-set`: the value's size and bytes, read as a stream 7 bytes at a time, and that
//!   `get` of the key gives the same bytes; then `seen:<key>` = the value and counter
//!   `events` + 1;
//! - `on-delete`: that the key no longer exists; then `deleted:<key>` = the key and
//!   `events` + 1;
//! - any failed check: `watch-error` = what failed.
//!
//! Every import that returns a list or a string needs `cabi_realloc` when lowered, which is
//! why wit-component 0.7 put a shim and a fix-up module beside this one.

wit_bindgen::generate!({ world: "keyvalue.keyvalue-handle-watch", path: "wit" });

struct Handler;

export_keyvalue_handle_watch!(Handler);

fn trace(error: wasi_cloud_error::Error) -> String {
    let text = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    text
}

/// A value body written through G1's streams, the only way G1 has.
fn put(bucket: types::Bucket, key: &str, bytes: &[u8]) -> Result<(), String> {
    let value = types::new_outgoing_value();
    let stream = types::outgoing_value_write_body(value).map_err(|()| "outgoing-value-write-body failed".to_string())?;
    let written = streams::write(stream, bytes);
    streams::drop_output_stream(stream);
    let written = written.map_err(|_| "streams.write failed".to_string())?;
    if written != bytes.len() as u64 {
        return Err(format!("streams.write took {written} of {} bytes", bytes.len()));
    }
    let set = readwrite::set(bucket, key, value).map_err(trace);
    types::drop_outgoing_value(value);
    set
}

fn read(bucket: types::Bucket, key: &str) -> Result<Vec<u8>, String> {
    let incoming = readwrite::get(bucket, key).map_err(trace)?;
    let bytes = types::incoming_value_consume_sync(incoming).map_err(trace);
    types::drop_incoming_value(incoming);
    bytes
}

/// The event's value read as a stream, 7 bytes at a time, until the stream says it ended.
fn consume(incoming: types::IncomingValue) -> Result<Vec<u8>, String> {
    let stream = types::incoming_value_consume_async(incoming).map_err(trace)?;
    let mut bytes = Vec::new();
    let read = loop {
        match streams::read(stream, 7) {
            Ok((chunk, ended)) => {
                bytes.extend_from_slice(&chunk);
                if ended {
                    break Ok(bytes);
                }
                if chunk.is_empty() {
                    break Err("streams.read gave nothing before the end".to_string());
                }
            }
            Err(_) => break Err("streams.read failed".to_string()),
        }
    };
    streams::drop_input_stream(stream);
    read
}

fn on_set(bucket: types::Bucket, key: &str, incoming: types::IncomingValue) -> Result<(), String> {
    let size = types::size(incoming);
    let bytes = consume(incoming)?;
    types::drop_incoming_value(incoming);
    if size != bytes.len() as u64 {
        return Err(format!("size said {size}, the body had {} bytes", bytes.len()));
    }
    // A guest's mistake, using the value it dropped, must be an error, not a trap.
    if types::incoming_value_consume_sync(incoming).map_err(trace).is_ok() {
        return Err("consuming a dropped incoming-value succeeded".into());
    }
    let stored = read(bucket, key)?;
    if stored != bytes {
        return Err(format!("get {key:?} did not give the event's value ({} bytes against {})", stored.len(), bytes.len()));
    }
    put(bucket, &format!("seen:{key}"), &bytes)?;
    atomic::increment(bucket, "events", 1).map_err(trace)?;
    Ok(())
}

fn on_delete(bucket: types::Bucket, key: &str) -> Result<(), String> {
    if readwrite::exists(bucket, key).map_err(trace)? {
        return Err(format!("{key:?} still exists after its delete event"));
    }
    put(bucket, &format!("deleted:{key}"), key.as_bytes())?;
    atomic::increment(bucket, "events", 1).map_err(trace)?;
    Ok(())
}

fn recorded(bucket: types::Bucket, outcome: Result<(), String>) {
    if let Err(text) = outcome {
        let _ = put(bucket, "watch-error", text.as_bytes());
    }
    types::drop_bucket(bucket);
}

impl handle_watch::HandleWatch for Handler {
    fn on_set(bucket: handle_watch::Bucket, key: handle_watch::Key, incoming_value: handle_watch::IncomingValue) {
        recorded(bucket, on_set(bucket, &key, incoming_value));
    }

    fn on_delete(bucket: handle_watch::Bucket, key: handle_watch::Key) {
        recorded(bucket, on_delete(bucket, &key));
    }
}
