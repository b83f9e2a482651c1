//! A Spin HTTP app as spin-sdk 5.2.0 makes one: `#[http_component]` exports
//! `wasi:http/incoming-handler@0.2.0`, and `key_value::Store::open_default()` keeps the data
//! in the store labelled `default`. `tests/spin.rs` serves it through `kv-adapt serve` and
//! through stock wasmtime-wasi-http with wasmtime-wasi-keyvalue.
//!
//! `GET /kv/K` (404 when missing) · `PUT /kv/K` (the body) · `DELETE /kv/K` · `GET /keys`
//! (sorted, one per line) · `POST /count/K` (a decimal counter; answers the new value).
//! A store error is a 500 whose body names it.

use spin_sdk::http::{IntoResponse, Method, Request, Response};
use spin_sdk::http_component;
use spin_sdk::key_value::Store;

#[http_component]
fn handle(req: Request) -> anyhow::Result<impl IntoResponse> {
    let store = match Store::open_default() {
        Ok(store) => store,
        Err(e) => return Ok(answer(500, format!("open default: {e:?}"))),
    };
    let path = req.path().to_string();
    let result = match (req.method(), path.split_once('/').map(|(_, p)| p).unwrap_or("").split_once('/')) {
        (Method::Get, Some(("kv", key))) => store.get(key).map(|v| match v {
            Some(value) => answer(200, String::from_utf8_lossy(&value).into_owned()),
            None => answer(404, format!("no {key}")),
        }),
        (Method::Put, Some(("kv", key))) => store.set(key, req.body()).map(|()| answer(200, "stored".into())),
        (Method::Delete, Some(("kv", key))) => store.delete(key).map(|()| answer(200, "deleted".into())),
        (Method::Post, Some(("count", key))) => (|| {
            let now = match store.get(key)? {
                Some(bytes) => String::from_utf8_lossy(&bytes).parse::<u64>().unwrap_or(0),
                None => 0,
            } + 1;
            store.set(key, now.to_string().as_bytes())?;
            Ok(answer(200, now.to_string()))
        })(),
        (Method::Get, None) if path == "/keys" => store.get_keys().map(|mut keys| {
            keys.sort();
            answer(200, keys.join("\n"))
        }),
        _ => Ok(answer(404, format!("no route for {path}"))),
    };
    Ok(result.unwrap_or_else(|e| answer(500, format!("{e:?}"))))
}

fn answer(status: u16, body: String) -> Response {
    Response::builder().status(status).header("content-type", "text/plain").body(body).build()
}
