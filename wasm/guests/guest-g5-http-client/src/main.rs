//! `guest-g5-http-client http://HOST:PORT/PATH`: GETs the URL with wasi:http's
//! `outgoing-handler`, stores the response body as key `fetched` of bucket `""` with G5
//! `store.set`, and prints `STATUS N bytes`. A failure goes to stderr and exits 1.
//! Only plain `http://` URLs: the point is a command that imports wasi:http beside
//! key-value, as ComponentizeJS builds do, not a complete client.

wit_bindgen::generate!({
    path: concat!(env!("OUT_DIR"), "/wit"),
    world: "kv-adapt:guest-http-client/guest",
    generate_all,
});

use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, IncomingBody, OutgoingRequest, Scheme};
use wasi::io::streams::StreamError;
use wasi::keyvalue::store;

fn main() {
    let Some(url) = std::env::args().nth(1) else {
        fail("usage: guest-g5-http-client http://HOST:PORT/PATH");
    };
    let Some(rest) = url.strip_prefix("http://") else {
        fail(&format!("{url}: only http:// URLs"));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (status, body) = get(authority, path).unwrap_or_else(|e| fail(&e));
    let stored = store::open("").and_then(|bucket| bucket.set("fetched", &body));
    if let Err(e) = stored {
        fail(&format!("storing the body: {e:?}"));
    }
    println!("{status} {} bytes", body.len());
}

fn fail(why: &str) -> ! {
    eprintln!("guest-g5-http-client: {why}");
    std::process::exit(1);
}

fn get(authority: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let request = OutgoingRequest::new(Fields::new());
    request.set_scheme(Some(&Scheme::Http)).map_err(|()| "set-scheme refused")?;
    request.set_authority(Some(authority)).map_err(|()| "set-authority refused")?;
    request.set_path_with_query(Some(path)).map_err(|()| "set-path-with-query refused")?;
    let pending = outgoing_handler::handle(request, None).map_err(|e| format!("handle: {e:?}"))?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(e))) => return Err(format!("the request failed: {e:?}")),
        Some(Err(())) | None => return Err("the response was taken already, or is not ready after block".into()),
    };
    let status = response.status();
    let body = response.consume().map_err(|()| "consume refused")?;
    let mut bytes = Vec::new();
    {
        let stream = body.stream().map_err(|()| "stream refused")?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(e)) => return Err(format!("reading the body: {}", e.to_debug_string())),
            }
        }
    }
    drop(IncomingBody::finish(body));
    Ok((status, bytes))
}
