//! `guest-spin1 OP...`: each OP one call of Spin 1.x's `fermyon:spin/key-value`, its
//! answer printed on a line of its own (`OP: answer`, or `OP: error <variant>`). Stores
//! are opened by name and kept by that name for later ops; `close NAME` closes one and
//! keeps its old handle, so that a later op shows what a closed handle gets.
//!
//! Ops: `open NAME`, `get NAME KEY`, `set NAME KEY VALUE`, `delete NAME KEY`,
//! `exists NAME KEY`, `keys NAME`, `close NAME`, `raw-get HANDLE KEY` (a handle never given
//! out), `close-raw HANDLE`.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/spin1-guest",
    generate_all,
});

use fermyon::spin::key_value::{self as kv, Error, Store};

fn words(e: &Error) -> String {
    match e {
        Error::StoreTableFull => "store-table-full".into(),
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::InvalidStore => "invalid-store".into(),
        Error::NoSuchKey => "no-such-key".into(),
        Error::Io(text) => format!("io({text})"),
    }
}

/// The handle `open NAME` gave, or one no host gives out (`u32::MAX`) for a name never opened.
fn handle_of(stores: &[(String, Store)], name: &str) -> Store {
    stores.iter().find(|(n, _)| n == name).map(|(_, s)| *s).unwrap_or(u32::MAX)
}

fn main() {
    let mut stores: Vec<(String, Store)> = Vec::new();
    for op in std::env::args().skip(1) {
        let parts: Vec<&str> = op.splitn(4, ' ').collect();
        let handle = |name: &str| handle_of(&stores, name);
        let answer: Result<String, Error> = match parts.as_slice() {
            ["open", name] => kv::open(name).map(|s| {
                stores.retain(|(n, _)| n != name);
                stores.push((name.to_string(), s));
                "ok".to_string()
            }),
            ["get", name, key] => kv::get(handle(name), key).map(|v| String::from_utf8_lossy(&v).into_owned()),
            ["raw-get", h, key] => kv::get(h.parse().unwrap_or(u32::MAX), key).map(|v| String::from_utf8_lossy(&v).into_owned()),
            ["set", name, key, value] => kv::set(handle(name), key, value.as_bytes()).map(|()| "ok".to_string()),
            ["delete", name, key] => kv::delete(handle(name), key).map(|()| "ok".to_string()),
            ["exists", name, key] => kv::exists(handle(name), key).map(|b| b.to_string()),
            ["keys", name] => kv::get_keys(handle(name)).map(|mut keys| {
                keys.sort();
                keys.join(",")
            }),
            ["close", name] => {
                kv::close(handle(name));
                Ok("ok".to_string())
            }
            ["close-raw", h] => {
                kv::close(h.parse().unwrap_or(u32::MAX));
                Ok("ok".to_string())
            }
            _ => {
                eprintln!("guest-spin1: unknown op {op:?}");
                std::process::exit(2);
            }
        };
        match answer {
            Ok(text) => println!("{op}: {text}"),
            Err(e) => println!("{op}: error {}", words(&e)),
        }
    }
}
