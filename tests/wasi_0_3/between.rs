//! The two WASI 0.3 packages onto each other, async on both sides: `adapter-spin3-on-
//! wasmcloud2` (a Spin 4 command on wasmCloud 2, which `--host wasmcloud` chooses) and
//! `adapter-wasmcloud2-on-spin3` (a wasmCloud 2 command onto Spin 4's own interface, `--host
//! spin --onto spin3`; plain `--host spin` keeps the G6 adapter, whose atomics and
//! compare-and-swap are Spin's own). Each adapter's export awaits the host's async call.

use super::shared::*;
use kv_adapt::store::redis::test_server;

/// The key-value imports of `component`, sorted.
fn keyvalue_imports(component: &std::path::Path) -> Vec<String> {
    let surface = kv_adapt::surface("plugged", &std::fs::read(component).unwrap()).unwrap();
    let mut imports: Vec<String> = surface.imports.into_iter().filter(|i| i.contains("keyvalue") || i.contains("key-value")).collect();
    imports.sort();
    imports
}

#[test]
fn a_spin4_command_gets_every_documented_answer_on_wasmcloud2_through_the_direct_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let inspect = text(&kv_adapt(&["inspect", SPIN3]).stdout);
    assert!(inspect.lines().any(|l| l == "plug --host wasmcloud: adapt spin3 -> wasmcloud2 with adapter-spin3-on-wasmcloud2"), "{inspect}");
    let plugged = dir.path().join("plugged.wasm");
    let output = kv_adapt(&["plug", SPIN3, "-o", plugged.to_str().unwrap(), "--host", "wasmcloud"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(keyvalue_imports(&plugged), ["wasmcloud:keyvalue/store@0.2.0", "wasmcloud:keyvalue/types@0.2.0"]);
    for (guest, name, db) in [(SPIN3, "wit-bindgen", 3), (SPIN_SDK7, "spin-sdk", 2)] {
        let store = dir.path().join(name);
        assert_table(guest, store.to_str().unwrap(), "wasmcloud", &[], &spin3_table());
        assert_eq!(std::fs::read(store.join("default/greeting")).unwrap(), b"hello again", "{name}");
        assert_table(guest, &format!("{}/{db}", test_server::shared().url()), "wasmcloud", &[], &spin3_table());
    }
    // `--onto g5` still takes the synchronous path through the G5 wasmCloud 2 serves.
    let output = kv_adapt(&["plug", SPIN3, "-o", plugged.to_str().unwrap(), "--host", "wasmcloud", "--onto", "g5"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(keyvalue_imports(&plugged), ["wasi:keyvalue/store@0.2.0-draft"]);
}

/// `get-keys` over wasmCloud 2's `list-keys` (1000 keys a page on kv-adapt's host): 2,500
/// keys arrive in order across three pages, and a guest that drops the stream in the
/// second page stops the listing; the next call still answers.
#[test]
fn spin4s_stream_is_fed_from_wasmcloud2s_pages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("default")).unwrap();
    let keys: Vec<String> = (0..2500).map(|i| format!("k{i:04}")).collect();
    for key in &keys {
        std::fs::write(dir.path().join("default").join(key), b"v").unwrap();
    }
    let stdout = run(SPIN3, dir.path().to_str().unwrap(), "wasmcloud", &["open default", "keys default", "first-keys default 1500", "get default k2499"]);
    let expected =
        format!("open default: ok\nkeys default: [{}] ok\nfirst-keys default 1500: read 1500, dropped the rest\nget default k2499: v\n", keys.join(","));
    assert_eq!(stdout, expected);
}

/// A wasmCloud 2 failure reaches a Spin 4 app as `other` with the host's words; the run
/// goes on. And many calls in flight at once all reach the async host.
#[test]
fn a_spin4_command_on_wasmcloud2_gets_host_failures_as_other_and_keeps_calls_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let set = format!("set default {} v", "k".repeat(300));
    let stdout = run(SPIN3, dir.path().to_str().unwrap(), "wasmcloud", &["open default", &set, "exists default k"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[1].starts_with(&format!("{set}: error other(")) && lines[1].contains("too long to be a file name"), "{stdout}");
    assert_eq!(lines[2], "exists default k: false");
    let stdout = run(SPIN3, dir.path().to_str().unwrap(), "wasmcloud", &["open default", "concurrent default 100", "get default c99"]);
    assert_eq!(stdout, "open default: ok\nconcurrent default 100: 100 sets in flight at once, 100 of 100 read back\nget default c99: v99\n");
}

#[test]
fn a_wasmcloud2_command_gets_every_documented_answer_on_spin4s_interface() {
    let dir = tempfile::tempdir().unwrap();
    let plugged = dir.path().join("plugged.wasm");
    let output = kv_adapt(&["plug", WASMCLOUD2, "-o", plugged.to_str().unwrap(), "--host", "spin", "--onto", "spin3"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let said = text(&output.stderr);
    assert!(said.contains(": adapt wasmcloud2 -> spin-draft2 with adapter-wasmcloud2-on-spin3; wrote "), "{said}");
    assert_eq!(keyvalue_imports(&plugged), ["spin:key-value/key-value@3.0.0"]);
    let store = dir.path().join("store");
    assert_table(WASMCLOUD2, store.to_str().unwrap(), "spin", &["--onto", "spin3"], &wasmcloud_table("spin3"));
    assert_eq!(std::fs::read(store.join("b/n")).unwrap(), b"5");
    assert!(!store.join("b/t").exists(), "a refused TTL wrote nothing");
    assert_table(WASMCLOUD2, &format!("{}/1", test_server::shared().url()), "spin", &["--onto", "spin3"], &wasmcloud_table("spin3"));
}

/// Spin 4 has no compare-and-swap and no counters: `if-not-exists`, `swap` and `increment`
/// are each a read and a write, and `--strict-atomics` refuses all three, nothing written.
/// Without it they go ahead (the table above); over a host that answers later, another
/// writer between the read and the write would be overwritten (README).
#[test]
fn wasmcloud2_on_spin4_refuses_every_read_then_write_under_strict_atomics() {
    let dir = tempfile::tempdir().unwrap();
    let ops = ["open b", "set b a 1", "set-nx b n 5", "swap b a 2 value=1", "incr b c 1", "get b n", "get b a", "get b c"];
    let stdout = run_with(WASMCLOUD2, dir.path().to_str().unwrap(), "spin", &["--onto", "spin3", "--strict-atomics"], &ops);
    let lines: Vec<&str> = stdout.lines().collect();
    let refused = |line: &str, start: &str| assert!(line.starts_with(start) && line.contains("spin:key-value@3.0.0") && line.ends_with("nothing was written)"), "{stdout}");
    refused(lines[2], "set-nx b n 5: error other(bad-value: set of key \"n\" in bucket \"b\" with if-not-exists is refused");
    refused(lines[3], "swap b a 2 value=1: error other(bad-value: compare-and-swap of key \"a\" in bucket \"b\" is refused");
    refused(lines[4], "incr b c 1: error other(bad-value: increment of key \"c\" in bucket \"b\" is refused");
    assert_eq!(lines[5..], ["get b n: none", "get b a: 1", "get b c: none"]);
}

/// Spin 4 streams every key, so the answer is one page filtered by the prefix, without a
/// cursor; a cursor (none was handed out) is `invalid-argument`. A `--onto` the host does
/// not serve is refused in one line.
#[test]
fn wasmcloud2_on_spin4_lists_in_one_page_and_refuses_a_cursor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    for i in 0..2500 {
        std::fs::write(dir.path().join("b").join(format!("p-{i:04}")), b"v").unwrap();
    }
    std::fs::write(dir.path().join("b").join("q-0"), b"v").unwrap();
    let stdout = run_with(WASMCLOUD2, dir.path().to_str().unwrap(), "spin", &["--onto", "spin3"], &["open b", "list-all b p-", "list b q- -", "list b - c1"]);
    assert_eq!(stdout, "open b: ok\nlist-all b p-: 2500 keys in 1 pages\nlist b q- -: [q-0] next=-\nlist b - c1: error invalid-argument\n");
    let output = kv_adapt(&["plug", WASMCLOUD2, "-o", dir.path().join("x.wasm").to_str().unwrap(), "--host", "g5", "--onto", "spin3"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--onto spin3: a G5 host does not serve spin:key-value@3.0.0"), "{stderr}");
}
