//! What `hosts` and `fronts` share: the WASI 0.3 guests, how
//! they are run through `kv-adapt run`, and the tables of operations and the answers Spin 4
//! and wasmCloud 2 document, on the native hosts and through the adapters.
#![allow(dead_code)]

use std::process::{Command, Output};

use sha2::{Digest, Sha256};

/// Spin 4's `spin:key-value@3.0.0`, bound with wit-bindgen's async support from our WIT.
pub const SPIN3: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin3.wasm");
/// wasmCloud 2's `wasmcloud:keyvalue@0.2.0`, likewise.
pub const WASMCLOUD2: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-wasmcloud2.wasm");
/// The same operations as `guest-spin3`, built with the real spin-sdk 7.0.0 (Spin 4's SDK).
pub const SPIN_SDK7: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin7-kv.wasm");

pub fn kv_adapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(args).output().expect("run kv-adapt")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `kv-adapt run GUEST --store STORE --host HOST [more] -- ops`; its stdout, after asserting
/// it succeeded.
pub fn run_with(guest: &str, store: &str, host: &str, more: &[&str], ops: &[&str]) -> String {
    // One compile cache for every run of these tests: the same guest plugged the same way
    // is compiled once (wasmtime's cache, as `--compile-cache` gives users), not per run.
    let cache = concat!(env!("CARGO_TARGET_TMPDIR"), "/wasi-0-3-compile-cache");
    let mut args = vec!["run", guest, "--store", store, "--host", host, "--quiet", "--compile-cache", cache];
    args.extend_from_slice(more);
    args.push("--");
    args.extend_from_slice(ops);
    let output = kv_adapt(&args);
    assert!(output.status.success(), "{guest} on {host}: {}", text(&output.stderr));
    text(&output.stdout)
}

/// [`run_with`] and no more flags.
pub fn run(guest: &str, store: &str, host: &str, ops: &[&str]) -> String {
    run_with(guest, store, host, &[], ops)
}

/// The version wasmCloud's `cas` gets from kv-adapt's host and adapters: the value's SHA-256
/// (computed here with the sha2 crate, apart from theirs).
pub fn version(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("sha256:{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Runs a table of (operation, answer) and compares what the command printed.
pub fn assert_table(guest: &str, store: &str, host: &str, more: &[&str], table: &[(&str, String)]) {
    let ops: Vec<&str> = table.iter().map(|(op, _)| *op).collect();
    let expected: String = table.iter().map(|(op, answer)| format!("{op}: {answer}\n")).collect();
    assert_eq!(run_with(guest, store, host, more, &ops), expected, "{guest} on {host} over {store}");
}

/// Every function of `spin:key-value@3.0.0` and each documented outcome once: a missing
/// key's `none` and `false`, an overwrite, a delete of a missing key, `get-keys` read to its
/// end with the future's `ok`, a second label that is another store, and a stream dropped
/// after one key (the next call still answers).
pub fn spin3_table() -> Vec<(&'static str, String)> {
    [
        ("open default", "ok"),
        ("get default greeting", "none"),
        ("exists default greeting", "false"),
        ("set default greeting hello", "ok"),
        ("get default greeting", "hello"),
        ("exists default greeting", "true"),
        ("set default greeting hello again", "ok"),
        ("get default greeting", "hello again"),
        ("set default other x", "ok"),
        ("keys default", "[greeting,other] ok"),
        ("delete default other", "ok"),
        ("delete default other", "ok"),
        ("get default other", "none"),
        ("keys default", "[greeting] ok"),
        ("open orders", "ok"),
        ("keys orders", "[] ok"),
        ("set orders one 1", "ok"),
        ("first-keys default 1", "read 1, dropped the rest"),
        ("get orders one", "1"),
        ("drop orders", "ok"),
        ("open orders", "ok"),
        ("get orders one", "1"),
    ]
    .into_iter()
    .map(|(op, answer)| (op, answer.to_string()))
    .collect()
}

/// The wasmCloud 2 command's operations, with the answers on `host`: `wasmcloud` (kv-adapt's
/// host of the package, which pins what wasmCloud documents) or a wasi:keyvalue host `g2` ..
/// `g6` (or `spin`, as onto G6) through the adapter, or `spin3` (Spin 4's own interface,
/// `--host spin --onto spin3`), which answer the same but where their host cannot: a TTL is
/// refused (no generation expires entries; the native host's refusal names its store and is
/// tested apart), a decrement below zero is refused where counters are u64 (on `spin3` the
/// adapter keeps them), and only the hosts that make `after:` cursors take one (`spin3`
/// answers in one page and never hands one out).
pub fn wasmcloud_table(host: &str) -> Vec<(&'static str, String)> {
    let v = |value: &str| format!("{value} @ {}", version(value));
    let (adapted_onto, signed) = match host {
        "wasmcloud" => (None, true),
        "g2" => (Some("wasi:keyvalue 2023-11 (unversioned)"), false),
        "g3" => (Some("wasi:keyvalue@0.1.0"), false),
        "g4" => (Some("wasi:keyvalue@0.2.0-draft (eventual)"), false),
        "g5" => (Some("wasi:keyvalue@0.2.0-draft"), false),
        "g6" | "spin" => (Some("wasi:keyvalue@0.2.0-draft2"), true),
        "spin3" => (Some("spin:key-value@3.0.0"), false),
        other => panic!("no host {other}"),
    };
    // Spin answers every key in one page and refuses a cursor (tests/spin.rs).
    let after_a = match (host, signed) {
        ("spin", _) => "error other(list-keys in bucket \"b\": this host (as Spin's) answers every key in one page and takes no cursor, \
                        and \"after:a\" was given; list again without one)"
            .to_string(),
        ("spin3", _) => "error invalid-argument".into(),
        (_, true) => "[n] next=-".into(),
        (_, false) => "error invalid-argument".into(),
    };
    let mut table: Vec<(&'static str, String)> = vec![
        ("open b", "ok".into()),
        ("get b a", "none".into()),
        ("exists b a", "false".into()),
        ("set b a 1", "ok".into()),
        ("get b a", "1".into()),
        ("exists b a", "true".into()),
        ("set-nx b a 2", "error precondition-failed".into()),
        ("get b a", "1".into()),
        ("set-nx b n 5", "ok".into()),
        ("get b n", "5".into()),
    ];
    if let Some(name) = adapted_onto {
        table.push((
            "set-ttl b t x 1000",
            format!(
                "error other(bad-value: set of key \"t\" in bucket \"b\" with ttl-ms 1000 is refused: the host speaks {name}, \
                 which cannot expire entries; nothing was written; set it without ttl-ms and delete it when it is due)"
            ),
        ));
        table.push(("exists b t", "false".into()));
    }
    table.extend([
        ("list b - -", "[a,n] next=-".into()),
        ("list b a -", "[a] next=-".into()),
        ("list b - after:a", after_a),
        ("incr b c 5", "5".into()),
    ]);
    table.push((
        "incr b c -7",
        match adapted_onto {
            Some(name) if !signed => format!(
                "error other(bad-value: delta -7 would take key \"c\" in bucket \"b\" from 5 below zero; the host speaks \
                 {name}{}, whose counters are unsigned; nothing was written)",
                if host == "spin3" { " (counters kept by kv-adapt, in the counter encoding)" } else { "" }
            ),
            Some(_) | None => "-2".into(),
        },
    ));
    table.extend([
        ("incr b d 9", "9".into()),
        ("incr b d -4", "5".into()),
        ("incr b big 9223372036854775807", "9223372036854775807".into()),
        ("current b a", v("1")),
        ("current b missing", "none".into()),
        ("swap b a 9 -", "error invalid-argument".into()),
        ("swap b a 9 value=0", format!("stale({})", v("1"))),
        ("swap b a 9 value=1", "swapped".into()),
        ("current b a", v("9")),
        ("swap-last b a 10", "swapped".into()),
        ("swap-last b a 11", format!("stale({})", v("10"))),
        ("swap-version b missing 1 sha256:00", "stale(none)".into()),
        ("swap b missing 1 value=", "stale(none)".into()),
        ("get-many b a,zz,n", "[a=10,none,n=5]".into()),
        ("set-many b x=1,y=2", "ok".into()),
        ("delete-many b x,zz", "ok".into()),
        ("get-many b x,y", "[none,y=2]".into()),
        ("delete b a", "ok".into()),
        ("delete b a", "ok".into()),
        ("exists b a", "false".into()),
        ("open other", "ok".into()),
        ("list other - -", "[] next=-".into()),
        ("drop b", "ok".into()),
        ("open b", "ok".into()),
        ("get b n", "5".into()),
    ]);
    table
}
