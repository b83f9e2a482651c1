//! An HTTP actor of late 2023, as wasmCloud 0.81 ran them: Rust with std, built for
//! `wasm32-wasip1` and made a component with the preview1 *reactor* adapter of its time
//! (wasmtime 15's, `wasi:*@0.2.0-rc-2023-11-10`), exporting
//! `wasi:http/incoming-handler@0.2.0-rc-2023-12-05` and keeping its state in unversioned
//! G2 `wasi:keyvalue`. No host of today serves any of those names; `kv-adapt plug` makes it
//! runnable.
//!
//! `GET /` counts a visit, stores the path it was asked for with a sync value body and
//! reads it back, answers with both through the response's body stream, and logs one line
//! on stdout (std's `println!`, through the preview1 adapter). `GET /visits` answers the
//! count without counting. Anything else is a 404; a key-value error is a 500 whose body
//! is the error's trace.
//!
//! With feature `async-bodies` (artifact `guest-g2-http-actor-async-bodies`) it also moves
//! values between HTTP bodies and G2 async value bodies, so its one wasi:io carries the
//! host's HTTP streams, the key-value bodies and (inside the preview1 adapter) stdout:
//! - `PUT /values/KEY`: the request body spliced into an async value body, then `set`;
//!   answers `stored N bytes at KEY` and logs it;
//! - `GET /values/KEY`: 404 when `exists` says no; else the value's async body spliced into
//!   the response body, logged as `sent KEY`.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g2-http-actor",
    // wasi:io, wasi:clocks and the G2 types come in through the interfaces the world names.
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam};
use wasi::keyvalue::{atomic, readwrite, types, wasi_cloud_error};

struct Actor;

impl Guest for Actor {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_else(|| "/".into());
        let (status, body) = match path.as_str() {
            "/" => match visit(&path) {
                Ok((visits, stored)) => {
                    println!("actor: visit {visits} to {path}");
                    (200, format!("hello from a 2023 actor: visit {visits}; last path {stored}\n"))
                }
                Err(trace) => (500, format!("key-value error: {trace}\n")),
            },
            "/visits" => match count() {
                Ok(visits) => (200, format!("{visits}\n")),
                Err(trace) => (500, format!("key-value error: {trace}\n")),
            },
            #[cfg(feature = "async-bodies")]
            other if other.starts_with("/values/") => {
                let key = &other["/values/".len()..];
                return values::serve(request, key, response_out);
            }
            other => (404, format!("no route for {other}\n")),
        };
        respond(response_out, status, body.as_bytes());
    }
}

export!(Actor);

/// A G2 error is a handle: read its text, then free it.
fn trace(error: wasi_cloud_error::Error) -> String {
    let text = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    text
}

/// `""` is the bucket every host of today opens, wasmtime's `wasmtime-wasi-keyvalue` included.
fn bucket() -> Result<types::Bucket, String> {
    types::open_bucket("").map_err(trace)
}

fn visit(path: &str) -> Result<(u64, String), String> {
    let bucket = bucket()?;
    let result = (|| {
        let visits = atomic::increment(bucket, "visits", 1).map_err(trace)?;
        let value = types::new_outgoing_value();
        let written = types::outgoing_value_write_body_sync(value, path.as_bytes())
            .map_err(trace)
            .and_then(|()| readwrite::set(bucket, "last-path", value).map_err(trace));
        types::drop_outgoing_value(value);
        written?;
        let incoming = readwrite::get(bucket, "last-path").map_err(trace)?;
        let stored = types::incoming_value_consume_sync(incoming).map_err(trace);
        types::drop_incoming_value(incoming);
        Ok((visits, String::from_utf8_lossy(&stored?).into_owned()))
    })();
    types::drop_bucket(bucket);
    result
}

fn count() -> Result<u64, String> {
    let bucket = bucket()?;
    // The counter as stored: `increment` by 0 reads it in the host's own encoding.
    let visits = atomic::increment(bucket, "visits", 0).map_err(trace);
    types::drop_bucket(bucket);
    visits
}

/// Sends the head first, then the body through its output stream, as a server must: the
/// host reads the stream only once the response is set.
fn respond(out: ResponseOutparam, status: u16, body: &[u8]) {
    let headers = Fields::from_list(&[("content-type".to_string(), b"text/plain".to_vec())])
        .expect("a fixed, valid header");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(status).expect("a valid status code");
    let outgoing = response.body().expect("the body is taken once");
    ResponseOutparam::set(out, Ok(response));
    let stream = outgoing.write().expect("the stream is taken once");
    // `blocking-write-and-flush` takes at most 4096 bytes a call.
    for chunk in body.chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            // The client went away; nothing is left to tell it.
            return;
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(outgoing, None);
}

#[cfg(feature = "async-bodies")]
mod values {
    use super::{respond, trace, types};
    use crate::wasi::http::types::{IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, Fields, ResponseOutparam};
    use crate::wasi::io0_2_0_rc_2023_11_10::streams::{InputStream, OutputStream, StreamError};
    use crate::wasi::keyvalue::readwrite;

    /// Bytes asked of one splice.
    const CHUNK: u64 = 64 * 1024;

    pub fn serve(request: IncomingRequest, key: &str, out: ResponseOutparam) {
        let bucket = match super::bucket() {
            Ok(bucket) => bucket,
            Err(trace) => return respond(out, 500, format!("key-value error: {trace}\n").as_bytes()),
        };
        match request.method() {
            Method::Put => match store(bucket, key, request) {
                Ok(n) => {
                    println!("actor: stored {n} bytes at {key}");
                    respond(out, 200, format!("stored {n} bytes at {key}\n").as_bytes());
                }
                Err(text) => respond(out, 500, format!("{text}\n").as_bytes()),
            },
            Method::Get => match readwrite::exists(bucket, key).map_err(trace) {
                Ok(false) => respond(out, 404, format!("no value at {key}\n").as_bytes()),
                Ok(true) => match send(bucket, key, out) {
                    Ok(n) => println!("actor: sent {n} bytes of {key}"),
                    // The head went out already: only the log can tell.
                    Err(text) => println!("actor: sending {key} failed: {text}"),
                },
                Err(text) => respond(out, 500, format!("key-value error: {text}\n").as_bytes()),
            },
            _ => respond(out, 405, b"PUT or GET\n"),
        }
        types::drop_bucket(bucket);
    }

    /// The request body, spliced into a new value at `key`: its length.
    fn store(bucket: types::Bucket, key: &str, request: IncomingRequest) -> Result<u64, String> {
        let body = request.consume().map_err(|()| "the request body was already taken".to_string())?;
        let from = body.stream().map_err(|()| "the request body stream was already taken".to_string())?;
        let value = types::new_outgoing_value();
        let stored = (|| {
            let into = types::outgoing_value_write_body_async(value).map_err(|e| format!("outgoing-value-write-body-async: {}", trace(e)))?;
            let total = splice_all(&into, &from).map_err(|e| format!("splicing the request body into the value: {e}"))?;
            into.blocking_flush().map_err(|e| format!("blocking-flush: {e:?}"))?;
            drop(into);
            readwrite::set(bucket, key, value).map_err(|e| format!("set: {}", trace(e)))?;
            Ok(total)
        })();
        types::drop_outgoing_value(value);
        drop(from);
        IncomingBody::finish(body);
        stored
    }

    /// The value at `key`, spliced from its async body into the response body.
    fn send(bucket: types::Bucket, key: &str, out: ResponseOutparam) -> Result<u64, String> {
        let incoming = match readwrite::get(bucket, key) {
            Ok(incoming) => incoming,
            Err(e) => {
                let text = format!("get: {}", trace(e));
                respond(out, 500, format!("{text}\n").as_bytes());
                return Err(text);
            }
        };
        let from = types::incoming_value_consume_async(incoming);
        types::drop_incoming_value(incoming);
        let from = match from {
            Ok(stream) => stream,
            Err(e) => {
                let text = format!("incoming-value-consume-async: {}", trace(e));
                respond(out, 500, format!("{text}\n").as_bytes());
                return Err(text);
            }
        };
        let response = OutgoingResponse::new(Fields::new());
        let body = response.body().expect("a new response's body is not yet taken");
        ResponseOutparam::set(out, Ok(response));
        let into = body.write().expect("a new body's stream is not yet taken");
        let sent = splice_all(&into, &from).and_then(|n| into.blocking_flush().map(|()| n).map_err(|e| format!("flushing the response: {e:?}")));
        drop(into);
        drop(from);
        let _ = OutgoingBody::finish(body, None);
        sent
    }

    /// All of `from` into `into`, a value body and an HTTP body either way round.
    fn splice_all(into: &OutputStream, from: &InputStream) -> Result<u64, String> {
        let mut total = 0;
        loop {
            match into.blocking_splice(from, CHUNK) {
                Ok(n) => total += n,
                Err(StreamError::Closed) => return Ok(total),
                Err(StreamError::LastOperationFailed(e)) => return Err(e.to_debug_string()),
            }
        }
    }
}
