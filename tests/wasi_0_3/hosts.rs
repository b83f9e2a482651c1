//! The key-value of the WASI 0.3 hosts, served natively by kv-adapt's own hosts: Spin 4's
//! `spin:key-value@3.0.0` (`--host spin`) and wasmCloud 2's `wasmcloud:keyvalue@0.2.0`
//! (`--host wasmcloud`), over a directory and a real redis-server.
//!
//! The guests are WASI 0.3 commands built with wit-bindgen's async support (`guest-spin3`,
//! `guest-wasmcloud2`): they export `wasi:cli/run@0.3.0`, await every key-value call, and
//! print one answer per operation. `kv-adapt run` runs them on wasmtime with
//! component-model async and wasmtime-wasi's WASI 0.3 beside 0.2 (their std still prints
//! through 0.2's stdout).

use super::shared::*;
use kv_adapt::store::redis::test_server;

/// spin-sdk 5.2.0's `fermyon:spin/key-value@2.0.0` command (tests/spin.rs).
const SPIN_KV: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin-kv.wasm");
const G5_VISIT_COUNTER: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-visit-counter.wasm");
const G2_VISIT_COUNTER: &str = concat!(kv_adapt_test_programs::dir!(), "/g2-visit-counter.wasm");
/// A WASI 0.2 command calling Spin 4's async interface through synchronous bindings.
const SPIN3_SYNC_CALLER: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin3-sync-caller.wasm");

fn ops_of<'a>(table: &[(&'a str, String)]) -> Vec<&'a str> {
    table.iter().map(|(op, _)| *op).collect()
}

/// What a command prints for a table: `OP: answer` per line.
fn answers_of(table: &[(&str, String)]) -> String {
    table.iter().map(|(op, answer)| format!("{op}: {answer}\n")).collect()
}

/// Both Spin 4 commands, ours (wit-bindgen) and spin-sdk 7's, over a directory and Redis.
#[test]
fn a_spin4_command_gets_every_documented_answer_natively_on_the_spin_host() {
    for (guest, db) in [(SPIN3, 12), (SPIN_SDK7, 5)] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().to_str().unwrap();
        assert_eq!(run(guest, store, "spin", &ops_of(&spin3_table())), answers_of(&spin3_table()), "{guest}");
        assert_eq!(std::fs::read(dir.path().join("default/greeting")).unwrap(), b"hello again");
        assert_eq!(std::fs::read(dir.path().join("orders/one")).unwrap(), b"1");
        let url = format!("{}/{db}", test_server::shared().url());
        assert_eq!(run(guest, &url, "spin", &ops_of(&spin3_table())), answers_of(&spin3_table()), "{guest} on redis");
    }
}

/// `get-keys` streams every key, however many: 1,500 keys written beside the guest arrive
/// through the stream in one listing, and the future then says `ok`.
#[test]
fn spin4s_get_keys_streams_every_key_of_a_large_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("default")).unwrap();
    let keys: Vec<String> = (0..1500).map(|i| format!("k{i:04}")).collect();
    for key in &keys {
        std::fs::write(dir.path().join("default").join(key), b"v").unwrap();
    }
    let stdout = run(SPIN3, dir.path().to_str().unwrap(), "spin", &["open default", "keys default", "first-keys default 700"]);
    assert_eq!(stdout, format!("open default: ok\nkeys default: [{}] ok\nfirst-keys default 700: read 700, dropped the rest\n", keys.join(",")));
}

/// In Spin every interface opens the same stores by label: what a spin-sdk 5 app writes
/// through `fermyon:spin/key-value@2.0.0` a Spin 4 app reads through `spin:key-value@3.0.0`,
/// and the other way.
#[test]
fn a_spin_label_names_the_same_data_in_spin4s_interface_and_spin2s() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    assert_eq!(run(SPIN_KV, store, "spin", &["set default shared from-spin2"]), "set shared: ok\n");
    let read = run(SPIN3, store, "spin", &["open default", "get default shared", "set default back from-spin3"]);
    assert_eq!(read, "open default: ok\nget default shared: from-spin2\nset default back from-spin3: ok\n");
    assert_eq!(run(SPIN_KV, store, "spin", &["get default back"]), "get back: from-spin3\n");
}

/// A store failure reaches a Spin 4 app as `other` with the host's words (here a key too
/// long for a file name on the directory store); the run goes on.
#[test]
fn a_spin4_host_failure_is_other_with_the_hosts_words() {
    let dir = tempfile::tempdir().unwrap();
    let set = format!("set default {} v", "k".repeat(300));
    let stdout = run(SPIN3, dir.path().to_str().unwrap(), "spin", &["open default", &set, "exists default k"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[1].starts_with(&format!("{set}: error other(")) && lines[1].contains("too long to be a file name"), "{stdout}");
    assert_eq!(lines[2], "exists default k: false");
}

fn wasmcloud_table_run(store: &str) {
    assert_table(WASMCLOUD2, store, "wasmcloud", &[], &wasmcloud_table("wasmcloud"));
}

#[test]
fn a_wasmcloud2_command_gets_every_documented_answer_natively_on_the_wasmcloud_host() {
    let dir = tempfile::tempdir().unwrap();
    wasmcloud_table_run(dir.path().to_str().unwrap());
    assert_eq!(std::fs::read(dir.path().join("b/n")).unwrap(), b"5");
    assert_eq!(std::fs::read(dir.path().join("b/c")).unwrap(), b"-2");
    wasmcloud_table_run(&format!("{}/11", test_server::shared().url()));
}

/// The WIT says a host that cannot expire entries must refuse a TTL rather than drop it:
/// neither store here expires entries, so `set` with `ttl-ms` is `other` naming the store,
/// and nothing is written.
#[test]
fn wasmcloud2_set_with_a_ttl_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let redis = format!("{}/10", test_server::shared().url());
    for store in [dir.path().to_str().unwrap(), redis.as_str()] {
        let stdout = run(WASMCLOUD2, store, "wasmcloud", &["open b", "set-ttl b t x 1000", "exists b t", "set b t x", "get b t"]);
        let lines: Vec<&str> = stdout.lines().collect();
        assert!(lines[1].starts_with("set-ttl b t x 1000: error other(set \"t\" in bucket \"b\" with ttl-ms 1000: this store"), "{stdout}");
        assert!(lines[1].contains("cannot expire entries, so the value was not written"), "{stdout}");
        assert_eq!(lines[2..], ["exists b t: false", "set b t x: ok", "get b t: x"], "{store}");
    }
}

/// A version is the value's digest, as neither store keeps versions: `require-version`
/// catches every change of the value, but not a change back (A -> B -> A), which a store
/// with real versions would catch. Pinned here; the README's semantics table says so.
#[test]
fn wasmcloud2_versions_catch_a_change_but_not_a_change_back() {
    let dir = tempfile::tempdir().unwrap();
    let a = version("A");
    let stdout = run(
        WASMCLOUD2,
        dir.path().to_str().unwrap(),
        "wasmcloud",
        &["open b", "set b k A", "set b k B", &format!("swap-version b k C {a}"), "set b k A", &format!("swap-version b k C {a}"), "get b k"],
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[3], format!("swap-version b k C {a}: stale(B @ {})", version("B")));
    assert_eq!(lines[5], format!("swap-version b k C {a}: swapped"));
    assert_eq!(lines[6], "get b k: C");
}

/// `list-keys` pages 1000 keys at a time, only those under the prefix, and the cursors
/// lead through every key once.
#[test]
fn wasmcloud2_list_keys_pages_by_prefix_and_cursor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    for i in 0..2500 {
        std::fs::write(dir.path().join("b").join(format!("p-{i:04}")), b"v").unwrap();
    }
    for i in 0..10 {
        std::fs::write(dir.path().join("b").join(format!("q-{i}")), b"v").unwrap();
    }
    let stdout = run(
        WASMCLOUD2,
        dir.path().to_str().unwrap(),
        "wasmcloud",
        &["open b", "list-all b p-", "list-all b q-", "list-all b -", "list b q- after:q-7", "list b p-249 -"],
    );
    let expected = "open b: ok\nlist-all b p-: 2500 keys in 3 pages\nlist-all b q-: 10 keys in 1 pages\nlist-all b -: 2510 keys in 3 pages\n\
                    list b q- after:q-7: [q-8,q-9] next=-\nlist b p-249 -: [p-2490,p-2491,p-2492,p-2493,p-2494,p-2495,p-2496,p-2497,p-2498,p-2499] next=-\n";
    assert_eq!(stdout, expected);
}

/// wasmCloud 2 serves G5 to WASI 0.2 components and its own package to WASI 0.3 ones, over
/// the same buckets: a G5 command (native) and the G2 example (adapted onto G5) count
/// visits, and a wasmCloud 2 command reads what they wrote and counts on.
#[test]
fn the_wasmcloud_host_serves_g5_and_wasmcloud2_over_the_same_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    let inspect = text(&kv_adapt(&["inspect", G2_VISIT_COUNTER]).stdout);
    assert!(inspect.lines().any(|l| l.starts_with("plug --host wasmcloud: adapt G2 -> wasmcloud2 with ")), "{inspect}");
    for guest in [G5_VISIT_COUNTER, G5_VISIT_COUNTER] {
        run(guest, store, "wasmcloud", &[]);
    }
    let stdout = run(WASMCLOUD2, store, "wasmcloud", &["open visits", "get visits last-greeting", "incr visits visits 1"]);
    assert_eq!(stdout, "open visits: ok\nget visits last-greeting: hello, visitor number 2\nincr visits visits 1: 3\n");
    let output = kv_adapt(&["run", G2_VISIT_COUNTER, "--store", store, "--host", "wasmcloud", "--quiet"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = run(WASMCLOUD2, store, "wasmcloud", &["open visits", "incr visits visits 0"]);
    assert_eq!(stdout, "open visits: ok\nincr visits visits 0: 4\n");
}

/// `inspect` names both packages and what a plug onto each host does: nothing on the host
/// that serves the package, an adapter onto every other (Spin 4's onto wasmCloud 2's own
/// package, wasmCloud 2's onto Spin through its draft2).
#[test]
fn inspect_names_the_wasi_0_3_packages_and_the_adapter_onto_each_host() {
    let stdout = text(&kv_adapt(&["inspect", SPIN3]).stdout);
    assert!(stdout.contains("key-value generations imported: spin3 spin:key-value@3.0.0: key-value"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "plug --host spin: nothing to adapt: already imports spin3 spin:key-value@3.0.0"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "plug --host wasmcloud: adapt spin3 -> wasmcloud2 with adapter-spin3-on-wasmcloud2"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "plug --host g2: adapt spin3 -> G2 with adapter-spin3-on-g2"), "{stdout}");
    let stdout = text(&kv_adapt(&["inspect", WASMCLOUD2]).stdout);
    assert!(stdout.contains("key-value generations imported: wasmcloud2 wasmcloud:keyvalue@0.2.0: types, store, atomics, cas, batch"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("plug --host wasmcloud: nothing to adapt: already imports wasmcloud2")), "{stdout}");
    assert!(stdout.lines().any(|l| l == "plug --host g5 (draft): adapt wasmcloud2 -> G5 with adapter-wasmcloud2-on-g5"), "{stdout}");
}

/// A Spin 4 app on wasmCloud 2: adapted onto wasmCloud's own package, over the same
/// buckets a wasmCloud 2 app sees.
#[test]
fn a_spin4_command_runs_on_the_wasmcloud_host_beside_a_wasmcloud2_command() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    let stdout = run(SPIN3, store, "wasmcloud", &["open shared", "set shared from spin4", "keys shared"]);
    assert_eq!(stdout, "open shared: ok\nset shared from spin4: ok\nkeys shared: [from] ok\n");
    let stdout = run(WASMCLOUD2, store, "wasmcloud", &["open shared", "get shared from", "set shared back wasmcloud2"]);
    assert_eq!(stdout, "open shared: ok\nget shared from: spin4\nset shared back wasmcloud2: ok\n");
    assert_eq!(run(SPIN3, store, "wasmcloud", &["open shared", "get shared back"]), "open shared: ok\nget shared back: wasmcloud2\n");
}

/// Why no adapter serves a WASI 0.2 guest (G1-G6: every function synchronous) over an
/// async-only host: the component model lets only the task of an `async` function wait, and
/// an adapter's synchronous export calling the host's async function must wait for it. A
/// WASI 0.2 command making that call itself shows it: wasmtime 48 traps at the first call
/// ("cannot block a synchronous task before returning"), although kv-adapt's Spin host
/// would answer at once; `run` says what to do instead.
#[test]
fn a_synchronous_caller_cannot_wait_on_spin4s_async_key_value() {
    let dir = tempfile::tempdir().unwrap();
    let output = kv_adapt(&["run", SPIN3_SYNC_CALLER, "--store", dir.path().to_str().unwrap(), "--host", "spin"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(!output.status.success(), "{stdout}");
    assert_eq!(stdout, "opening default\n", "nothing after the first call ran");
    assert!(stderr.contains("wasm trap: cannot block a synchronous task before returning"), "{stderr}");
    assert!(stderr.contains("the component model forbids"), "{stderr}");
    assert!(!dir.path().join("default").exists(), "nothing was written");
}

/// For a WASI 0.2 component `--host wasmcloud` is G5: every generation's guest gets the plug
/// it gets onto G5 (the same adapter or fused module), with wasmCloud 2 as its target.
#[test]
fn every_generations_guest_plugs_onto_wasmcloud_as_onto_g5() {
    let dir = kv_adapt_test_programs::dir!();
    for guest in [
        "guest-g1-conformance",
        "guest-g2-conformance",
        "guest-g3-conformance",
        "guest-g4-conformance",
        "guest-g5-conformance",
        "guest-g6-conformance",
        "g2-visit-counter",
        "guest-spin-kv",
        "guest-spin1",
        "guest-spin-draft2",
    ] {
        let path = format!("{dir}/{guest}.wasm");
        let stdout = text(&kv_adapt(&["inspect", &path]).stdout);
        let plan = |flag: &str| {
            let prefix = format!("plug --host {flag}: ");
            stdout.lines().find_map(|l| l.strip_prefix(prefix.as_str())).unwrap_or_else(|| panic!("{guest}: no {prefix}in {stdout}")).to_string()
        };
        let on_g5 = plan("g5 (draft)");
        let expected = on_g5.replace("-> G5 ", "-> wasmcloud2 ");
        assert_eq!(plan("wasmcloud"), expected, "{guest}");
    }
}

/// What WASI 0.3 is for: a guest with many calls in flight at once. 100 `set`s and then
/// 100 `get`s issued together on the Spin host, and 100 increments issued together on the
/// wasmCloud host, each answered, none lost.
#[test]
fn wasi_0_3_guests_may_have_many_calls_in_flight_at_once_on_the_native_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = run(SPIN3, dir.path().join("spin").to_str().unwrap(), "spin", &["open default", "concurrent default 100", "get default c99"]);
    assert_eq!(stdout, "open default: ok\nconcurrent default 100: 100 sets in flight at once, 100 of 100 read back\nget default c99: v99\n");
    let stdout = run(WASMCLOUD2, dir.path().join("wasmcloud").to_str().unwrap(), "wasmcloud", &["open b", "concurrent-incr b n 100", "incr b n 0"]);
    assert_eq!(stdout, "open b: ok\nconcurrent-incr b n 100: 100 increments in flight at once, highest answer 100\nincr b n 0: 100\n");
}
