//! wasmCloud 2's `keyvalue-implements-p3` shape as a WASI 0.3 command: `store` imported
//! under the label `kv`, `atomics`, `cas` and `batch` unlabelled, all four used on one
//! bucket opened through the label, as the fixture's guest does. It has no stdout (no WASI
//! at all): it writes what each call answered, one line per call, under `report` in that
//! bucket, and a test reads it from the host side. `run` fails only if the bucket does not
//! open or the report cannot be written.

wit_bindgen::generate!({
    path: "wit",
    world: "kv-adapt:labelled-p3-guest/wasmcloud2-labelled",
    generate_all,
});

use exports::wasi::cli::run::Guest;
use wasmcloud::keyvalue::types::{Bucket, Error};
use wasmcloud::keyvalue::{atomics, batch, cas};

struct Command;

export!(Command);

/// The bucket the command works in.
const BUCKET: &str = "labelled";

fn answer<T>(result: Result<T, Error>, ok: impl FnOnce(T) -> String) -> String {
    match result {
        Ok(value) => ok(value),
        Err(error) => format!("error {error:?}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn calls(bucket: &Bucket) -> Vec<String> {
    let mut said = Vec::new();
    said.push(answer(bucket.set("greeting".into(), b"hello".to_vec(), None).await, |()| "set greeting: ok".into()));
    said.push(answer(atomics::increment(bucket, "counter".into(), 5).await, |n| format!("increment counter 5: {n}")));
    said.push(answer(atomics::increment(bucket, "counter".into(), -2).await, |n| format!("increment counter -2: {n}")));
    let version = match cas::current(bucket, "greeting".into()).await {
        Ok(Some(entry)) => {
            said.push(format!("current greeting: {}", text(&entry.value)));
            Some(entry.version)
        }
        Ok(None) => {
            said.push("current greeting: none".into());
            None
        }
        Err(error) => {
            said.push(format!("current greeting: error {error:?}"));
            None
        }
    };
    for attempt in ["first", "again"] {
        let options = cas::CasOptions { require_version: version.clone(), require_value: None };
        said.push(answer(cas::swap(bucket, "greeting".into(), b"hi".to_vec(), options).await, |result| match result {
            cas::CasResult::Swapped => format!("swap greeting ({attempt}): swapped"),
            cas::CasResult::Stale(found) => format!("swap greeting ({attempt}): stale, now {}", found.map_or("none".into(), |e| text(&e.value))),
        }));
    }
    let pairs = vec![("a".to_string(), b"1".to_vec()), ("b".to_string(), b"2".to_vec())];
    said.push(answer(batch::set_many(bucket, pairs).await, |()| "set-many a b: ok".into()));
    let keys = vec!["a".to_string(), "missing".to_string(), "b".to_string()];
    said.push(answer(batch::get_many(bucket, keys).await, |found| {
        let found: Vec<String> = found.iter().map(|pair| pair.as_ref().map_or("none".into(), |(k, v)| format!("{k}={}", text(v)))).collect();
        format!("get-many a missing b: {}", found.join(" "))
    }));
    said.push(answer(batch::delete_many(bucket, vec!["a".to_string()]).await, |()| "delete-many a: ok".into()));
    said.push(answer(bucket.exists("a".into()).await, |there| format!("exists a: {there}")));
    said
}

impl Guest for Command {
    async fn run() -> Result<(), ()> {
        let bucket = kv::open(BUCKET.into()).await.map_err(|_| ())?;
        let said = calls(&bucket).await;
        bucket.set("report".into(), said.join("\n").into_bytes(), None).await.map_err(|_| ())
    }
}
