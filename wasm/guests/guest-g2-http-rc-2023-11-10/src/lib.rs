//! An HTTP handler of November 2023, as wasmtime 15 and Spin 2.0 ran them:
//! `wasi:http@0.2.0-rc-2023-11-10` and unversioned G2 key-value, calling the seven
//! `types` functions that 0.2.0 changed, so `kv-adapt plug` must shim them.
//!
//! Every request counts one in the key `requests` and answers with the count, then:
//! - `GET /options`: sets the three request-options timeouts in milliseconds, reads them
//!   back, and tries a timeout too long for 0.2.0's nanoseconds;
//! - `GET /fetch?port=N`: sends `GET http://127.0.0.1:N/upstream` with timeouts of 1500,
//!   2500 and 3500 ms and answers with the upstream's status and body;
//! - `POST /trailers`: reads the request body to its end, then takes the trailers twice;
//! - anything else is a 404.

wit_bindgen::generate!({
    path: concat!(env!("OUT_DIR"), "/wit"),
    world: "kv-adapt:guest-http-rc/guest",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingRequest, OutgoingResponse, RequestOptions,
    ResponseOutparam, Scheme,
};
use wasi::keyvalue::{atomic, types, wasi_cloud_error};

struct Handler;

impl Guest for Handler {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        let count = match count_request() {
            Ok(count) => count,
            Err(trace) => return respond(response_out, 500, &format!("key-value error: {trace}\n")),
        };
        let (status, body) = match (request.method(), path.as_str()) {
            (Method::Get, "/options") => (200, options()),
            (Method::Get, fetch) if fetch.starts_with("/fetch?port=") => fetch_upstream(&fetch["/fetch?port=".len()..]),
            (Method::Post, "/trailers") => (200, trailers(request)),
            (_, other) => (404, format!("no route for {other}")),
        };
        respond(response_out, status, &format!("request {count}: {body}\n"));
    }
}

export!(Handler);

fn count_request() -> Result<u64, String> {
    let trace = |error: wasi_cloud_error::Error| {
        let text = wasi_cloud_error::trace(error);
        wasi_cloud_error::drop_error(error);
        text
    };
    let bucket = types::open_bucket("").map_err(trace)?;
    let count = atomic::increment(bucket, "requests", 1).map_err(trace);
    types::drop_bucket(bucket);
    count
}

fn shown(timeout: Option<u64>) -> String {
    timeout.map_or("none".into(), |ms| format!("{ms}ms"))
}

fn options() -> String {
    let options = RequestOptions::new();
    let set = [
        options.set_connect_timeout_ms(Some(1500)),
        options.set_first_byte_timeout_ms(Some(2500)),
        options.set_between_bytes_timeout_ms(None),
    ];
    let too_long = match options.set_between_bytes_timeout_ms(Some(u64::MAX)) {
        Ok(()) => "accepted",
        Err(()) => "refused",
    };
    format!(
        "set {set:?}; connect {} first-byte {} between-bytes {}; u64::MAX ms {too_long}",
        shown(options.connect_timeout_ms()),
        shown(options.first_byte_timeout_ms()),
        shown(options.between_bytes_timeout_ms()),
    )
}

fn fetch_upstream(port: &str) -> (u16, String) {
    let request = OutgoingRequest::new(Fields::new());
    let authority = format!("127.0.0.1:{port}");
    let prepared = [
        request.set_method(&Method::Get),
        request.set_scheme(Some(&Scheme::Http)),
        request.set_authority(Some(&authority)),
        request.set_path_with_query(Some("/upstream")),
    ];
    if prepared.iter().any(Result::is_err) {
        return (500, format!("the request to {authority} was refused: {prepared:?}"));
    }
    let options = RequestOptions::new();
    let timeouts = [
        options.set_connect_timeout_ms(Some(1500)),
        options.set_first_byte_timeout_ms(Some(2500)),
        options.set_between_bytes_timeout_ms(Some(3500)),
    ];
    if timeouts.iter().any(Result::is_err) {
        return (500, format!("timeouts refused: {timeouts:?}"));
    }
    let future = match outgoing_handler::handle(request, Some(options)) {
        Ok(future) => future,
        Err(code) => return (502, format!("send failed: {code:?}")),
    };
    future.subscribe().block();
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        other => return (502, format!("no response: {other:?}")),
    };
    let status = response.status();
    let body = response.consume().expect("the body is taken once");
    let (text, _) = read_to_end(body);
    (200, format!("upstream {status} {}", String::from_utf8_lossy(&text).trim_end()))
}

/// The body's bytes, and what the two `future-trailers.get` calls after it answered.
fn read_to_end(body: IncomingBody) -> (Vec<u8>, String) {
    let mut bytes = Vec::new();
    {
        let stream = body.stream().expect("the stream is taken once");
        while let Ok(chunk) = stream.blocking_read(4096) {
            bytes.extend_from_slice(&chunk);
        }
    }
    let trailers = IncomingBody::finish(body);
    trailers.subscribe().block();
    let describe = |answer: Option<Result<Option<Fields>, wasi::http::types::ErrorCode>>| match answer {
        None => "not ready".to_string(),
        Some(Ok(None)) => "none".to_string(),
        Some(Ok(Some(fields))) => format!("{} field(s)", fields.entries().len()),
        Some(Err(code)) => format!("{code:?}"),
    };
    let first = describe(trailers.get());
    let second = describe(trailers.get());
    (bytes, format!("trailers {first}; again {second}"))
}

fn trailers(request: IncomingRequest) -> String {
    let body = request.consume().expect("the body is taken once");
    let (bytes, trailers) = read_to_end(body);
    format!("body {} bytes; {trailers}", bytes.len())
}

/// Head first, then the body through its output stream: the host reads the stream only
/// once the response is set.
fn respond(out: ResponseOutparam, status: u16, body: &str) {
    let response = OutgoingResponse::new(Fields::new());
    response.set_status_code(status).expect("a valid status code");
    let outgoing = response.body().expect("the body is taken once");
    ResponseOutparam::set(out, Ok(response));
    let stream = outgoing.write().expect("the stream is taken once");
    for chunk in body.as_bytes().chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return;
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(outgoing, None);
}
