//! A Spin 4 HTTP app as spin-sdk 7 makes one: `#[http_service]` exports
//! `wasi:http/handler@0.3.0`, and `key_value::Store` keeps its data in Spin 4's async
//! `spin:key-value@3.0.0` store labelled `default`. `tests/wasi_0_3/serve.rs` serves it
//! through `kv-adapt serve`.
//!
//! `/keys`: the store's keys as `get-keys` streams them, one per line. `/trap`: the guest
//! traps before answering (how a host reports that is tested). Any other path: the decimal
//! counter under `visits` read, incremented and written back, answered as `visit N`. A store
//! error, or a `visits` that is no decimal counter, is a 500 naming it.

use spin_sdk::http::{IntoResponse, Request, StatusCode};
use spin_sdk::http_service;
use spin_sdk::key_value::Store;

#[http_service]
async fn handle(request: Request) -> impl IntoResponse {
    match answer(request.uri().path()).await {
        Ok(body) => (StatusCode::OK, body),
        Err(why) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")),
    }
}

async fn answer(path: &str) -> Result<String, String> {
    if path == "/trap" {
        // `abort` traps at once (no panic message), with the store not yet opened.
        std::process::abort();
    }
    let store = Store::open_default().await.map_err(|e| format!("open default: {e:?}"))?;
    if path == "/keys" {
        let keys = store.get_keys().await.collect().await.map_err(|e| format!("get-keys: {e:?}"))?;
        return Ok(keys.iter().map(|key| format!("{key}\n")).collect());
    }
    let before = match store.get("visits").await.map_err(|e| format!("get visits: {e:?}"))? {
        // Not `unwrap_or(0)`: a value this app did not write must not be counted over.
        Some(bytes) => String::from_utf8_lossy(&bytes).parse::<u64>().map_err(|e| format!("visits holds no decimal counter: {e}"))?,
        None => 0,
    };
    let now = before.checked_add(1).ok_or("visits is at u64::MAX")?;
    store.set("visits", now.to_string()).await.map_err(|e| format!("set visits: {e:?}"))?;
    Ok(format!("visit {now}\n"))
}
