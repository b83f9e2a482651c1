//! A late-2023 component, written the way one was written then: it speaks G2
//! `wasi:keyvalue` (u32 handles, `drop-*` functions, value bodies as bytes or as a
//! wasi:io stream) and exports `wasi:cli/run@0.2.0-rc-2023-11-10`. No host runs G2
//! today; `kv-adapt plug` composes it with an adapter so that it runs on one that does.
//!
//! Each run counts a visit, leaves a greeting, streams a second value, and reads all
//! of it back; any surprise makes `run` fail (a non-zero exit).

wit_bindgen::generate!({
    path: "../../wit/kv-adapt",
    world: "kv-adapt:components/g2-command",
    // wasi:io and wasi:keyvalue/types come in through the interfaces the world names.
    generate_all,
});

use wasi::io0_2_0_rc_2023_11_10::streams::StreamError;
use wasi::keyvalue::{atomic, readwrite, types, wasi_cloud_error};

struct VisitCounter;

impl exports::wasi::cli0_2_0_rc_2023_11_10::run::Guest for VisitCounter {
    fn run() -> Result<(), ()> {
        // This world has no stdout to print the reason on; the exit code says it failed.
        visit().map_err(|_what_went_wrong| ())
    }
}

export!(VisitCounter);

/// A G2 error is a handle: read its text, then free it.
fn trace(error: wasi_cloud_error::Error) -> String {
    let text = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    text
}

fn stream_error(error: StreamError) -> String {
    match error {
        StreamError::LastOperationFailed(e) => e.to_debug_string(),
        StreamError::Closed => "the stream closed early".into(),
    }
}

fn visit() -> Result<(), String> {
    let bucket = types::open_bucket("visits").map_err(trace)?;

    // 1. A counter: created at 1 on the first run, one more on every run after.
    let visits = atomic::increment(bucket, "visits", 1).map_err(trace)?;

    // 2. A value with a sync body: the bytes are handed over in one piece.
    let greeting = format!("hello, visitor number {visits}");
    let value = types::new_outgoing_value();
    types::outgoing_value_write_body_sync(value, greeting.as_bytes()).map_err(trace)?;
    readwrite::set(bucket, "last-greeting", value).map_err(trace)?;
    types::drop_outgoing_value(value);

    // 3. A value with an async body: the bytes go through a wasi:io output-stream,
    //    which is done when it is dropped.
    let streamed = format!("visit {visits}, written through a stream\n");
    let value = types::new_outgoing_value();
    let stream = types::outgoing_value_write_body_async(value).map_err(trace)?;
    stream.blocking_write_and_flush(streamed.as_bytes()).map_err(stream_error)?;
    drop(stream);
    readwrite::set(bucket, "streamed", value).map_err(trace)?;
    types::drop_outgoing_value(value);

    // 4. Read both back, one as bytes and one as a stream.
    let incoming = readwrite::get(bucket, "last-greeting").map_err(trace)?;
    let read_greeting = types::incoming_value_consume_sync(incoming).map_err(trace)?;
    types::drop_incoming_value(incoming);

    let incoming = readwrite::get(bucket, "streamed").map_err(trace)?;
    let stream = types::incoming_value_consume_async(incoming).map_err(trace)?;
    let mut read_streamed = Vec::new();
    // The end of the value is the stream saying it is closed.
    loop {
        match stream.blocking_read(4096) {
            Ok(chunk) => read_streamed.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(failed) => return Err(stream_error(failed)),
        }
    }
    drop(stream);
    types::drop_incoming_value(incoming);

    types::drop_bucket(bucket);

    if read_greeting != greeting.as_bytes() || read_streamed != streamed.as_bytes() {
        return Err("a value read back differs from what was written".into());
    }
    Ok(())
}
