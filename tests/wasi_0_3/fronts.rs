//! WASI 0.3 components on WASI 0.2 hosts: `adapter-spin3-on-*` and `adapter-wasmcloud2-on-*`
//! export Spin 4's `spin:key-value@3.0.0` and wasmCloud 2's `wasmcloud:keyvalue@0.2.0`
//! (async-lifted, wit-bindgen's async support) and serve them with the synchronous
//! wasi:keyvalue of G2-G6, and Spin's draft2 through the G6 one.
//!
//! The guests are the WASI 0.3 commands of tests/wasi_0_3/hosts.rs, which pins what the
//! native hosts answer; here the same operations go through `kv-adapt run --host gN`
//! (plugged with the adapter, over a directory or Redis) and must get the same documented
//! answers, except where the README's semantics table says a host cannot do as much.

use super::shared::*;
use kv_adapt::store::redis::test_server;

/// Every wasi:keyvalue host `run` has, by its `--host` name.
const HOSTS: [&str; 5] = ["g2", "g3", "g4", "g5", "g6"];

#[test]
fn a_spin4_command_gets_every_documented_answer_adapted_onto_every_host() {
    let dir = tempfile::tempdir().unwrap();
    for host in HOSTS {
        let store = dir.path().join(host);
        assert_table(SPIN3, store.to_str().unwrap(), host, &[], &spin3_table());
        assert_eq!(std::fs::read(store.join("default/greeting")).unwrap(), b"hello again", "{host}");
    }
    for (db, host) in [(9, "g5"), (8, "g6")] {
        assert_table(SPIN3, &format!("{}/{db}", test_server::shared().url()), host, &[], &spin3_table());
    }
}

/// A command built with the real spin-sdk 7.0.0 (Spin 4's SDK: `key_value::Store`, its
/// `Keys` stream, wasip3's `wasi:cli/run@0.3.0`) gets the same answers through the
/// adapters onto G2, G5 and G6, over a directory and Redis.
#[test]
fn a_spin_sdk7_command_gets_every_documented_answer_through_the_adapters() {
    let dir = tempfile::tempdir().unwrap();
    for host in ["g5", "g6", "g2"] {
        assert_table(SPIN_SDK7, dir.path().join(host).to_str().unwrap(), host, &[], &spin3_table());
    }
    assert_table(SPIN_SDK7, &format!("{}/4", test_server::shared().url()), "g5", &[], &spin3_table());
}

/// Spin's draft2 (Spin 3.x serves no `spin:key-value@3.0.0`): the plug onto G6 imports
/// only upstream draft2's `store`, which Spin serves as it is, so it runs on kv-adapt's
/// Spin host as it would on Spin 3.
#[test]
fn a_spin4_command_plugged_onto_g6_runs_on_spins_draft2() {
    let dir = tempfile::tempdir().unwrap();
    let plugged = dir.path().join("plugged.wasm");
    let output = kv_adapt(&["plug", SPIN3, "-o", plugged.to_str().unwrap(), "--host", "g6"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let surface = kv_adapt::surface("plugged", &std::fs::read(&plugged).unwrap()).unwrap();
    let keyvalue: Vec<&String> = surface.imports.iter().filter(|i| i.contains("keyvalue") || i.contains("key-value")).collect();
    assert_eq!(keyvalue, ["wasi:keyvalue/store@0.2.0-draft2"]);
    let inspect = text(&kv_adapt(&["inspect", plugged.to_str().unwrap()]).stdout);
    assert!(inspect.lines().any(|l| l.starts_with("plug --host spin: nothing to adapt")), "{inspect}");
    assert_table(plugged.to_str().unwrap(), dir.path().join("store").to_str().unwrap(), "spin", &[], &spin3_table());
}

/// `get-keys` is fed page by page from the host's `list-keys` (1000 keys a page on
/// kv-adapt's hosts): 2,500 keys arrive in order across three host pages, and a guest that
/// drops the stream in the second page stops the listing; the next call still answers.
#[test]
fn spin4s_stream_is_fed_page_by_page_across_the_hosts_pages() {
    for host in ["g5", "g6"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("default")).unwrap();
        let keys: Vec<String> = (0..2500).map(|i| format!("k{i:04}")).collect();
        for key in &keys {
            std::fs::write(dir.path().join("default").join(key), b"v").unwrap();
        }
        let stdout = run_with(SPIN3, dir.path().to_str().unwrap(), host, &[], &["open default", "keys default", "first-keys default 1500", "get default k2499"]);
        let expected = format!(
            "open default: ok\nkeys default: [{}] ok\nfirst-keys default 1500: read 1500, dropped the rest\nget default k2499: v\n",
            keys.join(",")
        );
        assert_eq!(stdout, expected, "{host}");
    }
}

/// A host failure reaches a Spin 4 app as `other` with the host's words, through the
/// adapter; the run goes on.
#[test]
fn a_spin4_host_failure_is_other_with_the_hosts_words_through_the_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let set = format!("set default {} v", "k".repeat(300));
    for host in ["g5", "g2"] {
        let store = dir.path().join(host);
        let stdout = run_with(SPIN3, store.to_str().unwrap(), host, &[], &["open default", &set, "exists default k"]);
        let lines: Vec<&str> = stdout.lines().collect();
        assert!(lines[1].starts_with(&format!("{set}: error other(")) && lines[1].contains("too long to be a file name"), "{host}: {stdout}");
        assert_eq!(lines[2], "exists default k: false", "{host}");
    }
}

#[test]
fn a_wasmcloud2_command_gets_every_documented_answer_adapted_onto_every_host() {
    let dir = tempfile::tempdir().unwrap();
    for host in HOSTS {
        let store = dir.path().join(host);
        assert_table(WASMCLOUD2, store.to_str().unwrap(), host, &[], &wasmcloud_table(host));
        assert_eq!(std::fs::read(store.join("b/n")).unwrap(), b"5", "{host}");
        assert!(!store.join("b/t").exists(), "{host}: a refused TTL wrote nothing");
    }
    for (db, host) in [(7, "g5"), (6, "g6")] {
        assert_table(WASMCLOUD2, &format!("{}/{db}", test_server::shared().url()), host, &[], &wasmcloud_table(host));
    }
}

/// A cursor the host did not make: the adapter's own `invalid-argument` where it reads the
/// cursor (a G5 host's u64, as decimal text), the host's own answer on G6, whose cursors
/// pass through as they are.
#[test]
fn a_wasmcloud2_cursor_no_host_made_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for host in ["g2", "g3", "g4", "g5"] {
        let stdout = run_with(WASMCLOUD2, dir.path().join(host).to_str().unwrap(), host, &[], &["open b", "list b - bogus"]);
        assert_eq!(stdout, "open b: ok\nlist b - bogus: error invalid-argument\n", "{host}");
    }
    let stdout = run_with(WASMCLOUD2, dir.path().join("g6").to_str().unwrap(), "g6", &[], &["open b", "list b - bogus"]);
    assert!(stdout.contains("list b - bogus: error other(") && stdout.contains("cursor \"bogus\""), "{stdout}");
}

/// Pages of the host, each filtered by the prefix here: 2,500 `p-` keys and 10 others over
/// a G5 host's pages of 1000 come out once each, through the adapter's cursors.
#[test]
fn wasmcloud2_prefix_listing_filters_each_host_page() {
    for host in ["g5", "g6"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        for i in 0..2500 {
            std::fs::write(dir.path().join("b").join(format!("p-{i:04}")), b"v").unwrap();
        }
        for i in 0..10 {
            std::fs::write(dir.path().join("b").join(format!("q-{i}")), b"v").unwrap();
        }
        let stdout = run_with(WASMCLOUD2, dir.path().to_str().unwrap(), host, &[], &["open b", "list-all b p-", "list-all b q-", "list-all b -"]);
        assert_eq!(stdout, "open b: ok\nlist-all b p-: 2500 keys in 3 pages\nlist-all b q-: 10 keys in 3 pages\nlist-all b -: 2510 keys in 3 pages\n", "{host}");
    }
}

/// `if-not-exists` and `swap` are atomic on G6 (the host's `cas`) and a read and a write on
/// every other host: there `--strict-atomics` refuses them, nothing written, while on G6
/// they go ahead; a negative delta likewise on the hosts whose counters only count up.
#[test]
fn wasmcloud2_conditional_writes_are_refused_under_strict_atomics_where_not_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let ops = ["open b", "set b a 1", "set-nx b n 5", "swap b a 2 value=1", "incr b c -1", "get b n", "get b a"];
    let on_g6 = run_with(WASMCLOUD2, dir.path().join("g6").to_str().unwrap(), "g6", &["--strict-atomics"], &ops);
    assert_eq!(on_g6, "open b: ok\nset b a 1: ok\nset-nx b n 5: ok\nswap b a 2 value=1: swapped\nincr b c -1: -1\nget b n: 5\nget b a: 2\n");
    for host in ["g5", "g2"] {
        let stdout = run_with(WASMCLOUD2, dir.path().join(host).to_str().unwrap(), host, &["--strict-atomics"], &ops);
        let lines: Vec<&str> = stdout.lines().collect();
        assert!(lines[2].starts_with("set-nx b n 5: error other(bad-value: set of key \"n\" in bucket \"b\" with if-not-exists is refused"), "{host}: {stdout}");
        assert!(lines[3].starts_with("swap b a 2 value=1: error other(bad-value: compare-and-swap of key \"a\" in bucket \"b\" is refused"), "{host}: {stdout}");
        assert!(lines[4].starts_with("incr b c -1: error other(bad-value: delta -1 for key \"c\""), "{host}: {stdout}");
        assert_eq!(lines[5..], ["get b n: none", "get b a: 1"], "{host}");
    }
}

/// On Spin the wasmCloud 2 command is adapted as onto G6, and its `batch` is served key by
/// key over Spin's store: the plug imports only what Spin serves, and every answer holds.
#[test]
fn a_wasmcloud2_command_runs_on_spin_importing_only_what_spin_serves() {
    let dir = tempfile::tempdir().unwrap();
    let inspect = text(&kv_adapt(&["inspect", WASMCLOUD2]).stdout);
    assert!(
        inspect.lines().any(|l| l == "plug --host spin: adapt wasmcloud2 -> spin-draft2 with adapter-wasmcloud2-on-g6; upstream batch served key by key over the host's store by batch-g6-on-spin-draft2"),
        "{inspect}"
    );
    let plugged = dir.path().join("plugged.wasm");
    let output = kv_adapt(&["plug", WASMCLOUD2, "-o", plugged.to_str().unwrap(), "--host", "spin"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let surface = kv_adapt::surface("plugged", &std::fs::read(&plugged).unwrap()).unwrap();
    let mut keyvalue: Vec<&String> = surface.imports.iter().filter(|i| i.contains("keyvalue") || i.contains("key-value")).collect();
    keyvalue.sort();
    assert_eq!(keyvalue, ["wasi:keyvalue/atomics@0.2.0-draft2", "wasi:keyvalue/store@0.2.0-draft2"]);
    assert_table(WASMCLOUD2, dir.path().join("store").to_str().unwrap(), "spin", &[], &wasmcloud_table("spin"));
}

/// A guest's calls in flight at once all reach the host through the adapter (whose async
/// exports answer one call after another): 100 `set`s then 100 `get`s together, and 100
/// increments together, none lost, on hosts with signed and unsigned counters.
#[test]
fn many_calls_in_flight_at_once_all_go_through_the_adapters() {
    let dir = tempfile::tempdir().unwrap();
    for host in ["g5", "g6", "g2"] {
        let stdout = run(SPIN3, dir.path().join(format!("spin3-{host}")).to_str().unwrap(), host, &["open default", "concurrent default 100", "get default c99"]);
        assert_eq!(stdout, "open default: ok\nconcurrent default 100: 100 sets in flight at once, 100 of 100 read back\nget default c99: v99\n", "{host}");
        let stdout = run(WASMCLOUD2, dir.path().join(format!("wasmcloud2-{host}")).to_str().unwrap(), host, &["open b", "concurrent-incr b n 100", "incr b n 0"]);
        assert_eq!(stdout, "open b: ok\nconcurrent-incr b n 100: 100 increments in flight at once, highest answer 100\nincr b n 0: 100\n", "{host}");
    }
}
