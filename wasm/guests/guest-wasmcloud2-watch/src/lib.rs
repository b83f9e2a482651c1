//! wasmCloud 2's watch handler, `wasmcloud:keyvalue/watcher@0.2.0`: async `on-set(bucket,
//! key, value)` and `on-delete(bucket, key)`. Like `guest-watch` for G1-G6, it checks what a
//! handler is promised through the bucket it is handed, with awaited calls of the same
//! package, and records each event there: `seen:<key>` (the value), `deleted:<key>`, the
//! counter `events` (`atomics.increment`), and `watch-error` when a check failed. A test
//! reads those from the host side, so a handler not called, or called with the wrong
//! bucket or value, fails.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/wasmcloud2-watch-guest",
    generate_all,
});

use exports::wasmcloud::keyvalue::watcher;
use wasmcloud::keyvalue::atomics;
use wasmcloud::keyvalue::types::{Bucket, Error};

struct Handler;

export!(Handler);

fn text(error: Error) -> String {
    format!("{error:?}")
}

async fn on_set(bucket: &Bucket, key: &str, value: &[u8]) -> Result<(), String> {
    let stored = bucket.get(key.to_string()).await.map_err(text)?.ok_or_else(|| format!("get {key:?} found nothing"))?;
    if stored != value {
        return Err(format!("get {key:?} did not give the event's value ({} bytes against {})", stored.len(), value.len()));
    }
    bucket.set(format!("seen:{key}"), value.to_vec(), None).await.map_err(text)?;
    atomics::increment(bucket, "events".to_string(), 1).await.map_err(text)?;
    Ok(())
}

async fn on_delete(bucket: &Bucket, key: &str) -> Result<(), String> {
    if bucket.exists(key.to_string()).await.map_err(text)? {
        return Err(format!("{key:?} still exists after its delete event"));
    }
    bucket.set(format!("deleted:{key}"), key.as_bytes().to_vec(), None).await.map_err(text)?;
    atomics::increment(bucket, "events".to_string(), 1).await.map_err(text)?;
    Ok(())
}

async fn recorded(bucket: &Bucket, outcome: Result<(), String>) {
    if let Err(text) = outcome {
        let _ = bucket.set("watch-error".to_string(), text.into_bytes(), None).await;
    }
}

impl watcher::Guest for Handler {
    async fn on_set(bucket: Bucket, key: String, value: Vec<u8>) {
        let outcome = on_set(&bucket, &key, &value).await;
        recorded(&bucket, outcome).await;
    }

    async fn on_delete(bucket: Bucket, key: String) {
        let outcome = on_delete(&bucket, &key).await;
        recorded(&bucket, outcome).await;
    }
}
