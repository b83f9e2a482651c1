//! A watch handler of one generation (feature `g1` ... `g6`), the guest side of
//! `tests/watch.rs`. For every event it checks what its generation's documents promise the
//! handler, using the bucket it was handed with its ordinary imports, and records the
//! outcome in that bucket:
//! - `on-set`: the value's size and bytes, and that `get` of the key gives the same bytes;
//!   then `seen:<key>` = the value and counter `events` + 1;
//! - `on-delete`: that the key no longer exists; then `deleted:<key>` = the key and
//!   `events` + 1;
//! - any failed check: `watch-error` = what failed (the tests assert it is absent).

#[cfg(feature = "g1")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g1-watch-guest", generate_all });
#[cfg(feature = "g2")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g2-watch-guest", generate_all });
#[cfg(feature = "g3")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g3-watch-guest", generate_all });
#[cfg(feature = "g4")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g4-watch-guest", generate_all });
#[cfg(feature = "g5")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g5-watch-guest", generate_all });
#[cfg(feature = "g6")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g6-watch-guest", generate_all });

struct Handler;

export!(Handler);

/// G1 and G2 handlers: u32 handles, the same functions under other names. A G1 value
/// body is written through G1's own streams, the only way G1 has.
#[cfg(any(feature = "g1", feature = "g2"))]
mod u32_handles {
    #[cfg(feature = "g1")]
    use super::exports::handle_watch;
    #[cfg(feature = "g1")]
    use super::{atomic, readwrite, streams, types, wasi_cloud_error};
    #[cfg(feature = "g2")]
    use super::exports::wasi::keyvalue::handle_watch;
    #[cfg(feature = "g2")]
    use super::wasi::keyvalue::{atomic, readwrite, types, wasi_cloud_error};

    fn trace(error: wasi_cloud_error::Error) -> String {
        let text = wasi_cloud_error::trace(error);
        wasi_cloud_error::drop_error(error);
        text
    }

    #[cfg(feature = "g2")]
    fn put(bucket: types::Bucket, key: &str, bytes: &[u8]) -> Result<(), String> {
        let value = types::new_outgoing_value();
        let written = types::outgoing_value_write_body_sync(value, bytes).and_then(|()| readwrite::set(bucket, key, value));
        types::drop_outgoing_value(value);
        written.map_err(trace)
    }

    #[cfg(feature = "g1")]
    fn put(bucket: types::Bucket, key: &str, bytes: &[u8]) -> Result<(), String> {
        let value = types::new_outgoing_value();
        let stream = types::outgoing_value_write_body(value).map_err(|()| "outgoing-value-write-body failed".to_string())?;
        let written = streams::write(stream, bytes);
        streams::drop_output_stream(stream);
        let written = written.map_err(|()| "streams.write failed".to_string())?;
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

    #[cfg(feature = "g2")]
    fn consume(incoming: types::IncomingValue) -> Result<Vec<u8>, String> {
        types::incoming_value_consume_sync(incoming).map_err(trace)
    }

    /// G1's event value read as a stream, 7 bytes at a time, until the stream says it ended.
    #[cfg(feature = "g1")]
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
                Err(()) => break Err("streams.read failed".to_string()),
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

    impl handle_watch::Guest for super::Handler {
        fn on_set(bucket: types::Bucket, key: String, incoming_value: types::IncomingValue) {
            recorded(bucket, on_set(bucket, &key, incoming_value));
        }

        fn on_delete(bucket: types::Bucket, key: String) {
            recorded(bucket, on_delete(bucket, &key));
        }
    }
}

#[cfg(any(feature = "g3", feature = "g4"))]
mod eventual {
    #[cfg(feature = "g3")]
    use super::exports::wasi::keyvalue0_1_0::handle_watch;
    #[cfg(feature = "g3")]
    use super::wasi::keyvalue0_1_0::{atomic, eventual, types, wasi_keyvalue_error};
    #[cfg(feature = "g4")]
    use super::exports::wasi::keyvalue0_2_0_draft::handle_watch;
    #[cfg(feature = "g4")]
    use super::wasi::keyvalue0_2_0_draft::{atomic, eventual, types, wasi_keyvalue_error};

    fn trace(error: wasi_keyvalue_error::Error) -> String {
        error.trace()
    }

    fn put(bucket: &types::Bucket, key: &str, bytes: &[u8]) -> Result<(), String> {
        let value = types::OutgoingValue::new_outgoing_value();
        value.outgoing_value_write_body_sync(bytes).map_err(trace)?;
        eventual::set(bucket, key, &value).map_err(trace)
    }

    fn on_set(bucket: &types::Bucket, key: &str, value: &types::IncomingValue) -> Result<(), String> {
        // The value is lent: only its size can be asked; the bytes come from `get`.
        let size = value.incoming_value_size().map_err(trace)?;
        let incoming = eventual::get(bucket, key).map_err(trace)?.ok_or_else(|| format!("get {key:?} found nothing"))?;
        let bytes = types::IncomingValue::incoming_value_consume_sync(incoming).map_err(trace)?;
        if size != bytes.len() as u64 {
            return Err(format!("size said {size}, get gave {} bytes", bytes.len()));
        }
        put(bucket, &format!("seen:{key}"), &bytes)?;
        atomic::increment(bucket, "events", 1).map_err(trace)?;
        Ok(())
    }

    fn on_delete(bucket: &types::Bucket, key: &str) -> Result<(), String> {
        if eventual::exists(bucket, key).map_err(trace)? {
            return Err(format!("{key:?} still exists after its delete event"));
        }
        put(bucket, &format!("deleted:{key}"), key.as_bytes())?;
        atomic::increment(bucket, "events", 1).map_err(trace)?;
        Ok(())
    }

    fn recorded(bucket: &types::Bucket, outcome: Result<(), String>) {
        if let Err(text) = outcome {
            let _ = put(bucket, "watch-error", text.as_bytes());
        }
    }

    impl handle_watch::Guest for super::Handler {
        fn on_set(bucket: types::Bucket, key: String, incoming_value: &types::IncomingValue) {
            recorded(&bucket, on_set(&bucket, &key, incoming_value));
        }

        fn on_delete(bucket: types::Bucket, key: String) {
            recorded(&bucket, on_delete(&bucket, &key));
        }
    }
}

#[cfg(any(feature = "g5", feature = "g6"))]
mod today {
    #[cfg(feature = "g5")]
    use super::exports::wasi::keyvalue0_2_0_draft::watcher;
    #[cfg(feature = "g5")]
    use super::wasi::keyvalue0_2_0_draft::{atomics, store};
    #[cfg(feature = "g6")]
    use super::exports::wasi::keyvalue0_2_0_draft2::watcher;
    #[cfg(feature = "g6")]
    use super::wasi::keyvalue0_2_0_draft2::{atomics, store};

    fn text(error: store::Error) -> String {
        format!("{error:?}")
    }

    fn on_set(bucket: &store::Bucket, key: &str, value: &[u8]) -> Result<(), String> {
        let stored = bucket.get(key).map_err(text)?.ok_or_else(|| format!("get {key:?} found nothing"))?;
        if stored != value {
            return Err(format!("get {key:?} did not give the event's value ({} bytes against {})", stored.len(), value.len()));
        }
        bucket.set(&format!("seen:{key}"), value).map_err(text)?;
        atomics::increment(bucket, "events", 1).map_err(text)?;
        Ok(())
    }

    fn on_delete(bucket: &store::Bucket, key: &str) -> Result<(), String> {
        if bucket.exists(key).map_err(text)? {
            return Err(format!("{key:?} still exists after its delete event"));
        }
        bucket.set(&format!("deleted:{key}"), key.as_bytes()).map_err(text)?;
        atomics::increment(bucket, "events", 1).map_err(text)?;
        Ok(())
    }

    fn recorded(bucket: &store::Bucket, outcome: Result<(), String>) {
        if let Err(text) = outcome {
            let _ = bucket.set("watch-error", text.as_bytes());
        }
    }

    impl watcher::Guest for super::Handler {
        fn on_set(bucket: store::Bucket, key: String, value: Vec<u8>) {
            recorded(&bucket, on_set(&bucket, &key, &value));
        }

        fn on_delete(bucket: store::Bucket, key: String) {
            recorded(&bucket, on_delete(&bucket, &key));
        }
    }
}
