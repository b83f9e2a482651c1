//! An early-2024 HTTP handler on G3 key-value (`wasi:keyvalue@0.1.0`, wasmCloud 0.82's;
//! feature `g4`: G4, `wasi:keyvalue@0.2.0-draft` of that shape) and wasi:http 0.2.0 that
//! moves bodies between the host's HTTP streams and async value bodies. Its one wasi:io@0.2.0 therefore carries value bodies (the adapter's) and
//! request and response bodies (the host's) alike, in the same calls.
//!
//! Every request counts one in the key `visits`, logs a line to stdout and answers:
//! - `PUT /values/KEY`: the request body spliced (blocking-splice, host stream into a value
//!   body) into an outgoing value, then set: `visit N: stored B bytes at KEY`;
//! - `GET /values/KEY`: `visit N` and a newline written to the response body, then the
//!   value's async body spliced into the response body (a value body into a host stream),
//!   after one `poll` over the value body's pollable and the response body's; 404 when the
//!   key is missing;
//! - `GET /poll`: polls a value body's pollable together with the request body's, and
//!   answers with the indices `poll` gave;
//! - anything else is a 404.
//!
//! A key-value error answers 500 with its trace.

wit_bindgen::generate!({
    path: concat!(env!("OUT_DIR"), "/wit"),
    world: "kv-adapt:guest-http/guest",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::cli::stdout::get_stdout;
use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::io::poll::poll;
use wasi::io::streams::{InputStream, OutputStream, StreamError};
use wasi::keyvalue::types::{Bucket, IncomingValue, OutgoingValue};
use wasi::keyvalue::{atomic, eventual, wasi_keyvalue_error::Error};

/// Bytes asked of one splice.
const CHUNK: u64 = 64 * 1024;

struct Handler;

impl Guest for Handler {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let method = request.method();
        let path = request.path_with_query().unwrap_or_default();
        let (status, visit) = match serve(request, &method, &path, response_out) {
            Ok(done) => done,
            Err((status, visit, response_out, text)) => {
                respond_text(response_out, status, &text);
                (status, visit)
            }
        };
        let line = format!("visit {visit}: {} {path} -> {status}\n", verb(&method));
        // The log is best effort: a closed stdout must not fail the request.
        let _ = get_stdout().blocking_write_and_flush(line.as_bytes());
    }
}

export!(Handler);

fn verb(method: &Method) -> &str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Connect => "CONNECT",
        Method::Options => "OPTIONS",
        Method::Trace => "TRACE",
        Method::Patch => "PATCH",
        Method::Other(other) => other,
    }
}

/// A failure before the response was sent: status, visit, the outparam and the text.
type Unsent = (u16, u64, ResponseOutparam, String);

fn trace(what: &str) -> impl FnOnce(Error) -> String + '_ {
    move |e| format!("{what}: {}", e.trace())
}

fn serve(request: IncomingRequest, method: &Method, path: &str, out: ResponseOutparam) -> Result<(u16, u64), Unsent> {
    let opened = Bucket::open_bucket("").map_err(trace("open-bucket(\"\")"));
    let counted = opened.and_then(|bucket| atomic::increment(&bucket, "visits", 1).map_err(trace("increment visits")).map(|n| (bucket, n)));
    let (bucket, visit) = match counted {
        Ok(done) => done,
        Err(text) => return Err((500, 0, out, text)),
    };
    match (method, path.strip_prefix("/values/")) {
        (Method::Put, Some(key)) => match store(&bucket, key, request) {
            Ok(n) => {
                respond_text(out, 200, &format!("visit {visit}: stored {n} bytes at {key}\n"));
                Ok((200, visit))
            }
            Err(text) => Err((500, visit, out, text)),
        },
        (Method::Get, Some(key)) => load(&bucket, key, visit, out),
        (Method::Get, None) if path == "/poll" => {
            let ready = mixed_poll(&bucket, request);
            match ready {
                Ok(ready) => {
                    respond_text(out, 200, &format!("visit {visit}: poll ready {ready:?}\n"));
                    Ok((200, visit))
                }
                Err(text) => Err((500, visit, out, text)),
            }
        }
        (_, _) => Err((404, visit, out, format!("visit {visit}: no route for {path}\n"))),
    }
}

/// The request body, spliced into a new value at `key`: its length.
fn store(bucket: &Bucket, key: &str, request: IncomingRequest) -> Result<u64, String> {
    let body = request.consume().map_err(|()| "the request body was already taken".to_string())?;
    let from = body.stream().map_err(|()| "the request body stream was already taken".to_string())?;
    let value = OutgoingValue::new_outgoing_value();
    let into = value.outgoing_value_write_body_async().map_err(trace("outgoing-value-write-body-async"))?;
    let mut total = 0;
    loop {
        match into.blocking_splice(&from, CHUNK) {
            Ok(n) => total += n,
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => return Err(format!("splice request body into value: {}", e.to_debug_string())),
        }
    }
    into.blocking_flush().map_err(|e| format!("blocking-flush: {e:?}"))?;
    drop(into);
    drop(from);
    IncomingBody::finish(body);
    eventual::set(bucket, key, &value).map_err(trace("set"))?;
    Ok(total)
}

/// `visit N` and the value at `key`, as the response body.
fn load(bucket: &Bucket, key: &str, visit: u64, out: ResponseOutparam) -> Result<(u16, u64), Unsent> {
    let value = match eventual::get(bucket, key) {
        Ok(Some(value)) => value,
        Ok(None) => return Err((404, visit, out, format!("visit {visit}: no value at {key}\n"))),
        Err(e) => return Err((500, visit, out, format!("get: {}", e.trace()))),
    };
    let from = match IncomingValue::incoming_value_consume_async(value) {
        Ok(stream) => stream,
        Err(e) => return Err((500, visit, out, format!("incoming-value-consume-async: {}", e.trace()))),
    };
    let response = OutgoingResponse::new(Fields::new());
    let body = response.body().expect("a new response's body is not yet taken");
    ResponseOutparam::set(out, Ok(response));
    let into = body.write().expect("a new body's stream is not yet taken");
    // Both pollables at once: the value body's (ready, from memory) and the response
    // body's (the host's): at least the value body's is ready.
    let ready = poll(&[&from.subscribe(), &into.subscribe()]);
    let head = format!("visit {visit}\n");
    let result = into
        .blocking_write_and_flush(head.as_bytes())
        .map_err(|e| format!("writing the response head: {e:?}"))
        .and_then(|()| splice_all(&into, &from))
        .and_then(|_| into.blocking_flush().map_err(|e| format!("flushing the response: {e:?}")));
    drop(into);
    let _ = OutgoingBody::finish(body, None);
    if let Err(text) = result {
        // Sent already: only the log can tell.
        let _ = get_stdout().blocking_write_and_flush(format!("visit {visit}: {text}\n").as_bytes());
    }
    if !ready.contains(&0) {
        let _ = get_stdout().blocking_write_and_flush(format!("visit {visit}: poll left out the value body: {ready:?}\n").as_bytes());
    }
    Ok((200, visit))
}

/// All of `from` (a value body) into `into` (the response body).
fn splice_all(into: &OutputStream, from: &InputStream) -> Result<u64, String> {
    let mut total = 0;
    loop {
        match into.blocking_splice(from, CHUNK) {
            Ok(n) => total += n,
            Err(StreamError::Closed) => return Ok(total),
            Err(StreamError::LastOperationFailed(e)) => return Err(format!("splice value into response: {}", e.to_debug_string())),
        }
    }
}

/// `poll` over a value body's pollable and the (empty) request body's: the indices ready.
fn mixed_poll(bucket: &Bucket, request: IncomingRequest) -> Result<Vec<u32>, String> {
    let value = OutgoingValue::new_outgoing_value();
    value.outgoing_value_write_body_sync(b"polled").map_err(trace("outgoing-value-write-body-sync"))?;
    eventual::set(bucket, "polled", &value).map_err(trace("set polled"))?;
    let incoming = eventual::get(bucket, "polled").map_err(trace("get polled"))?.ok_or("polled: missing after set")?;
    let memory = IncomingValue::incoming_value_consume_async(incoming).map_err(trace("incoming-value-consume-async"))?;
    let body = request.consume().map_err(|()| "the request body was already taken".to_string())?;
    let host = body.stream().map_err(|()| "the request body stream was already taken".to_string())?;
    // A statement of its own: the pollables (children of the streams) must go first.
    let ready = poll(&[&memory.subscribe(), &host.subscribe()]);
    Ok(ready)
}

fn respond_text(out: ResponseOutparam, status: u16, text: &str) {
    let response = OutgoingResponse::new(Fields::new());
    let _ = response.set_status_code(status);
    let body = response.body().expect("a new response's body is not yet taken");
    ResponseOutparam::set(out, Ok(response));
    let stream = body.write().expect("a new body's stream is not yet taken");
    let _ = stream.blocking_write_and_flush(text.as_bytes());
    drop(stream);
    let _ = OutgoingBody::finish(body, None);
}
