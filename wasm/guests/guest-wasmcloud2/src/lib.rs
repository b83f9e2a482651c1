//! `guest-wasmcloud2 OP...`, a WASI 0.3 command (it exports `wasi:cli/run@0.3.0`): each OP
//! one call of wasmCloud 2's `wasmcloud:keyvalue@0.2.0`, awaited, its answer printed on a
//! line of its own (`OP: answer`, or `OP: error <variant>`). Buckets are opened by
//! identifier and kept under it; `-` stands for `none`.
//!
//! Ops: `open ID`; `get ID KEY`; `set ID KEY VALUE`, `set-ttl ID KEY VALUE MS`,
//! `set-nx ID KEY VALUE` (if-not-exists); `delete ID KEY`; `exists ID KEY`;
//! `list ID PREFIX CURSOR` (one page: `[keys] next=CURSOR`); `list-all ID PREFIX` (every
//! page: the key count and page count); `incr ID KEY DELTA`; `current ID KEY`
//! (`VALUE @ VERSION`, the version kept for `swap-last`); `swap ID KEY VALUE REQUIRED`
//! (REQUIRED: `-` none, `value=X`); `swap-version ID KEY VALUE VERSION`; `swap-last ID KEY
//! VALUE` (the version the last `current` printed); `get-many ID K,K`; `set-many ID K=V,K=V`;
//! `delete-many ID K,K`; `drop ID`; `concurrent-incr ID KEY N` (N increments by 1 in flight at
//! once: the counter after them).

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/wasmcloud2-guest",
    generate_all,
});

use exports::wasi::cli0_3_0::run::Guest;
use wasmcloud::keyvalue::types::{Bucket, Error, SetOptions};
use wasmcloud::keyvalue::{atomics, batch, cas, store};

struct Command;

export!(Command);

fn words(e: &Error) -> String {
    match e {
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::InvalidArgument => "invalid-argument".into(),
        Error::PreconditionFailed => "precondition-failed".into(),
        Error::Timeout => "timeout".into(),
        Error::StoreUnavailable => "store-unavailable".into(),
        Error::QuotaExceeded => "quota-exceeded".into(),
        Error::Other(text) => format!("other({text})"),
    }
}

fn none_if_dash(text: &str) -> Option<String> {
    (text != "-").then(|| text.to_string())
}

fn entry(found: Option<cas::Entry>) -> String {
    match found {
        Some(e) => format!("{} @ {}", String::from_utf8_lossy(&e.value), e.version),
        None => "none".into(),
    }
}

struct State {
    buckets: Vec<(String, Bucket)>,
    last_version: Option<String>,
}

async fn swap(bucket: &Bucket, key: &str, value: &str, version: Option<String>, required: Option<Vec<u8>>) -> Result<String, Error> {
    let options = cas::CasOptions { require_version: version, require_value: required };
    Ok(match cas::swap(bucket, key.to_string(), value.as_bytes().to_vec(), options).await? {
        cas::CasResult::Swapped => "swapped".into(),
        cas::CasResult::Stale(found) => format!("stale({})", entry(found)),
    })
}

async fn one(op: &str, state: &mut State) -> Result<String, Error> {
    let parts: Vec<&str> = op.split(' ').collect();
    let at = |state: &State, id: &str| state.buckets.iter().position(|(i, _)| i == id);
    let missing = || Error::Other("the guest never opened that bucket".into());
    macro_rules! bucket {
        ($id:expr) => {
            &state.buckets[at(state, $id).ok_or_else(missing)?].1
        };
    }
    Ok(match parts.as_slice() {
        ["open", id] => {
            let opened = store::open(id.to_string()).await?;
            state.buckets.retain(|(i, _)| i != id);
            state.buckets.push((id.to_string(), opened));
            "ok".into()
        }
        ["get", id, key] => match bucket!(id).get(key.to_string()).await? {
            Some(value) => String::from_utf8_lossy(&value).into_owned(),
            None => "none".into(),
        },
        ["set", id, key, value] => {
            bucket!(id).set(key.to_string(), value.as_bytes().to_vec(), None).await?;
            "ok".into()
        }
        ["set-ttl", id, key, value, ms] => {
            let options = SetOptions { ttl_ms: Some(ms.parse().unwrap_or(0)), if_not_exists: false };
            bucket!(id).set(key.to_string(), value.as_bytes().to_vec(), Some(options)).await?;
            "ok".into()
        }
        ["set-nx", id, key, value] => {
            let options = SetOptions { ttl_ms: None, if_not_exists: true };
            bucket!(id).set(key.to_string(), value.as_bytes().to_vec(), Some(options)).await?;
            "ok".into()
        }
        ["delete", id, key] => {
            bucket!(id).delete(key.to_string()).await?;
            "ok".into()
        }
        ["exists", id, key] => bucket!(id).exists(key.to_string()).await?.to_string(),
        ["list", id, prefix, cursor] => {
            let page = bucket!(id).list_keys(none_if_dash(prefix), none_if_dash(cursor)).await?;
            format!("[{}] next={}", page.keys.join(","), page.cursor.as_deref().unwrap_or("-"))
        }
        ["list-all", id, prefix] => {
            let (mut cursor, mut keys, mut pages) = (None, 0usize, 0usize);
            loop {
                let page = bucket!(id).list_keys(none_if_dash(prefix), cursor.take()).await?;
                keys += page.keys.len();
                pages += 1;
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            format!("{keys} keys in {pages} pages")
        }
        ["incr", id, key, delta] => {
            let delta = delta.parse().map_err(|_| Error::Other(format!("{delta:?} is no s64")))?;
            atomics::increment(bucket!(id), key.to_string(), delta).await?.to_string()
        }
        ["current", id, key] => {
            let found = cas::current(bucket!(id), key.to_string()).await?;
            state.last_version = found.as_ref().map(|e| e.version.clone());
            entry(found)
        }
        ["swap", id, key, value, required] => {
            let required = required.strip_prefix("value=").map(|v| v.as_bytes().to_vec());
            swap(bucket!(id), key, value, None, required).await?
        }
        ["swap-version", id, key, value, version] => swap(bucket!(id), key, value, Some(version.to_string()), None).await?,
        ["swap-last", id, key, value] => {
            let version = state.last_version.clone().ok_or_else(|| Error::Other("no `current` gave a version yet".into()))?;
            swap(bucket!(id), key, value, Some(version), None).await?
        }
        ["get-many", id, keys] => {
            let keys: Vec<String> = keys.split(',').map(str::to_string).collect();
            let found = batch::get_many(bucket!(id), keys).await?;
            let shown: Vec<String> = found
                .into_iter()
                .map(|pair| match pair {
                    Some((k, v)) => format!("{k}={}", String::from_utf8_lossy(&v)),
                    None => "none".into(),
                })
                .collect();
            format!("[{}]", shown.join(","))
        }
        ["set-many", id, pairs] => {
            let pairs: Vec<(String, Vec<u8>)> = pairs
                .split(',')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (k.to_string(), v.as_bytes().to_vec())
                })
                .collect();
            batch::set_many(bucket!(id), pairs).await?;
            "ok".into()
        }
        ["delete-many", id, keys] => {
            batch::delete_many(bucket!(id), keys.split(',').map(str::to_string).collect()).await?;
            "ok".into()
        }
        ["concurrent-incr", id, key, n] => {
            let b = bucket!(id);
            let n: usize = n.parse().unwrap_or(0);
            let incrs = (0..n).map(|_| atomics::increment(b, key.to_string(), 1));
            let mut last = 0;
            for value in futures::future::join_all(incrs).await {
                last = last.max(value?);
            }
            format!("{n} increments in flight at once, highest answer {last}")
        }
        ["drop", id] => {
            let i = at(state, id).ok_or_else(missing)?;
            state.buckets.remove(i);
            "ok".into()
        }
        _ => return Err(Error::Other(format!("guest-wasmcloud2 does not know the op {op:?}"))),
    })
}

impl Guest for Command {
    async fn run() -> Result<(), ()> {
        let mut state = State { buckets: Vec::new(), last_version: None };
        for op in std::env::args().skip(1) {
            match one(&op, &mut state).await {
                Ok(answer) => println!("{op}: {answer}"),
                Err(e) => println!("{op}: error {}", words(&e)),
            }
        }
        Ok(())
    }
}
