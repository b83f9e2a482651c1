//! A wasip2 command using spin-sdk 5.2.0's `key_value::Store` (so importing Spin's own
//! `fermyon:spin/key-value@2.0.0` through spin-sdk's bindings, not ours), for
//! `tests/spin.rs` to run on every host kv-adapt adapts Spin's interface onto.
//!
//! Each argument is one operation, run in order in one instance (wasmtime's own key-value
//! host gives every `open` a fresh copy of its data, so a sequence must share an instance
//! to see its own writes). Each prints one line; an error the store returns is printed as
//! its variant, since the error paths are what is being tested:
//!
//! `open L` · `set L K V` · `get L K` · `delete L K` · `exists L K` · `keys L` ·
//! `count L K` (a decimal counter, missing = 0) · `set-bytes L K N` (N bytes, read back and
//! compared) · `drop L` (drops every open store of label L)

use spin_sdk::key_value::{Error, Store};

#[path = "../../ops.rs"]
mod ops;

fn main() {
    let mut open: Vec<(String, Store)> = Vec::new();
    ops::run_args(|words| run(&mut open, words), variant);
}

fn variant(e: &Error) -> String {
    match e {
        Error::StoreTableFull => "store-table-full".into(),
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::Other(text) => format!("other({text})"),
    }
}

/// The store of `label`, opened on first use and kept, as an application keeps its handle.
fn store<'s>(open: &'s mut Vec<(String, Store)>, label: &str) -> Result<&'s Store, Error> {
    ops::opened(open, label, Store::open)
}

fn run(open: &mut Vec<(String, Store)>, words: &[&str]) -> Result<String, Error> {
    Ok(match words {
        ["open", label] => {
            store(open, label)?;
            format!("open {label}: ok")
        }
        ["drop", label] => {
            open.retain(|(l, _)| l != label);
            format!("drop {label}: ok")
        }
        ["set", label, key, value] => {
            store(open, label)?.set(key, value.as_bytes())?;
            format!("set {key}: ok")
        }
        ["get", label, key] => match store(open, label)?.get(key)? {
            Some(value) => format!("get {key}: {}", String::from_utf8_lossy(&value)),
            None => format!("get {key}: none"),
        },
        ["delete", label, key] => {
            store(open, label)?.delete(key)?;
            format!("delete {key}: ok")
        }
        ["exists", label, key] => format!("exists {key}: {}", store(open, label)?.exists(key)?),
        ["keys", label] => {
            let mut keys = store(open, label)?.get_keys()?;
            keys.sort();
            format!("keys: {}", keys.join(","))
        }
        ["count", label, key] => {
            let s = store(open, label)?;
            let now = match s.get(key)? {
                Some(bytes) => String::from_utf8_lossy(&bytes).parse::<u64>().unwrap_or(0),
                None => 0,
            } + 1;
            s.set(key, now.to_string().as_bytes())?;
            format!("count {key}: {now}")
        }
        ["set-bytes", label, key, n] => {
            let n: usize = n.parse().expect("set-bytes takes a length");
            let value: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            let s = store(open, label)?;
            s.set(key, &value)?;
            let back = s.get(key)?;
            format!("set-bytes {key}: {n} {}", if back.as_deref() == Some(&value[..]) { "ok" } else { "differs" })
        }
        other => {
            eprintln!("guest-spin-kv: unknown operation {other:?}");
            std::process::exit(2);
        }
    })
}
