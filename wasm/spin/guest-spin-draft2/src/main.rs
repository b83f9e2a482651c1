//! A wasip2 command using spin-sdk 5.2.0's own bindings of `wasi:keyvalue@0.2.0-draft2`
//! (Spin's draft2: `batch.get-many` pairs each key with an optional value), for
//! `tests/spin.rs` to run on every host kv-adapt adapts Spin's draft2 onto.
//!
//! Each argument is one operation, run in order in one instance (wasmtime's own key-value
//! host gives every `open` a fresh copy of its data). Each prints one line; an error the
//! store returns is printed as its variant, since the error paths are what is being tested:
//!
//! `open B` · `set B K V` · `get B K` · `delete B K` · `exists B K` · `keys B` (every page,
//! sorted) · `page B CURSOR` (one page from a cursor the guest makes up) ·
//! `increment B K DELTA` · `cas B K V` (`cas.new`, `current`, `swap`) ·
//! `get-many B K1,K2,...` · `set-many B K=V,K=V,...` · `delete-many B K1,K2,...`

use spin_sdk::wit::wasi::keyvalue::{atomics, batch, store};
use store::{Bucket, Error};

#[path = "../../ops.rs"]
mod ops;

fn main() {
    let mut open: Vec<(String, Bucket)> = Vec::new();
    ops::run_args(|words| run(&mut open, words), variant);
}

fn variant(e: &Error) -> String {
    match e {
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::Other(text) => format!("other({text})"),
    }
}

/// The bucket of `name`, opened on first use and kept.
fn bucket<'b>(open: &'b mut Vec<(String, Bucket)>, name: &str) -> Result<&'b Bucket, Error> {
    ops::opened(open, name, store::open)
}

fn list(words: &str) -> Vec<String> {
    words.split(',').filter(|w| !w.is_empty()).map(String::from).collect()
}

fn run(open: &mut Vec<(String, Bucket)>, words: &[&str]) -> Result<String, Error> {
    Ok(match words {
        ["open", name] => {
            bucket(open, name)?;
            format!("open {name}: ok")
        }
        ["set", name, key, value] => {
            bucket(open, name)?.set(key, value.as_bytes())?;
            format!("set {key}: ok")
        }
        ["get", name, key] => match bucket(open, name)?.get(key)? {
            Some(value) => format!("get {key}: {}", String::from_utf8_lossy(&value)),
            None => format!("get {key}: none"),
        },
        ["delete", name, key] => {
            bucket(open, name)?.delete(key)?;
            format!("delete {key}: ok")
        }
        ["exists", name, key] => format!("exists {key}: {}", bucket(open, name)?.exists(key)?),
        ["keys", name] => {
            let b = bucket(open, name)?;
            let (mut keys, mut cursor) = (Vec::new(), None);
            loop {
                let page = b.list_keys(cursor.as_deref())?;
                keys.extend(page.keys);
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            keys.sort();
            format!("keys: {}", keys.join(","))
        }
        ["page", name, cursor] => {
            let page = bucket(open, name)?.list_keys(Some(cursor))?;
            format!("page {cursor}: {} key(s)", page.keys.len())
        }
        ["increment", name, key, delta] => {
            let delta: i64 = delta.parse().expect("increment takes a number");
            format!("increment {key}: {}", atomics::increment(bucket(open, name)?, key, delta)?)
        }
        ["cas", name, key, value] => {
            let cas = atomics::Cas::new(bucket(open, name)?, key)?;
            let before = match cas.current()? {
                Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                None => "none".into(),
            };
            match atomics::swap(cas, value.as_bytes()) {
                Ok(()) => format!("cas {key}: was {before}, swapped"),
                Err(atomics::CasError::CasFailed(_)) => format!("cas {key}: was {before}, cas-failed"),
                Err(atomics::CasError::StoreError(e)) => return Err(e),
            }
        }
        ["get-many", name, keys] => {
            let pairs = batch::get_many(bucket(open, name)?, &list(keys))?;
            let shown: Vec<String> = pairs
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={}", String::from_utf8_lossy(v)),
                    None => format!("{k}=none"),
                })
                .collect();
            format!("get-many: {}", shown.join(","))
        }
        ["set-many", name, pairs] => {
            let pairs: Vec<(String, Vec<u8>)> = list(pairs)
                .iter()
                .map(|p| p.split_once('=').map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).expect("set-many takes K=V"))
                .collect();
            batch::set_many(bucket(open, name)?, &pairs)?;
            format!("set-many: {} ok", pairs.len())
        }
        ["delete-many", name, keys] => {
            let keys = list(keys);
            batch::delete_many(bucket(open, name)?, &keys)?;
            format!("delete-many: {} ok", keys.len())
        }
        other => {
            eprintln!("guest-spin-draft2: unknown operation {other:?}");
            std::process::exit(2);
        }
    })
}
