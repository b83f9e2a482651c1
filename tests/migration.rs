//! Testing a migration between drafts, as a user does it with the binary: `kv-adapt diff`
//! (same data, old build against new build, across hosts and counter encodings),
//! `kv-adapt conformance` (does a store behave as documented), and `run --store redis://`
//! on a real redis-server that this test process starts.
//!
//! CLI runs on Redis each get a database number of their own (the server has 16), because
//! `run` uses the whole database it is pointed at and tests run in parallel.

mod common;

use kv_adapt::store::redis::{test_server, RedisStore, RedisUrl};
use std::path::Path;
use std::process::{Command, Output};

fn kv_adapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(args).output().expect("run kv-adapt")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const G2: &str = common::G2_EXAMPLE;
const G5_REWRITE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-visit-counter.wasm");
const BROKEN_STORE: &str = concat!(kv_adapt_test_programs::dir!(), "/store-g5-broken.wasm");

/// `redis://127.0.0.1:PORT/DB` on the test server.
fn redis_db(db: u32) -> String {
    format!("{}/{db}", test_server::shared().url())
}

fn redis(db: u32) -> RedisStore {
    RedisStore::connect(&RedisUrl::parse(&redis_db(db)).unwrap()).expect("connect to the test redis-server")
}

fn assert_exit(output: &Output, code: i32) -> String {
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(code), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stdout
}

#[test]
fn diff_of_a_component_with_itself_is_the_same() {
    let stdout = assert_exit(&kv_adapt(&["diff", G2, G2]), 0);
    assert!(stdout.contains("store: 3 keys the same, 0 different"), "{stdout}");
    assert!(stdout.ends_with("result: same\n"), "{stdout}");
}

#[test]
fn diff_of_the_g2_example_and_its_g5_rewrite_names_the_one_key_that_differs() {
    let stdout = assert_exit(&kv_adapt(&["diff", G2, G5_REWRITE]), 1);
    assert!(stdout.contains("store: 2 keys the same, 1 different"), "{stdout}");
    let changed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("  ~ ") || l.starts_with("  - ") || l.starts_with("  + ")).collect();
    assert_eq!(changed.len(), 1, "{stdout}");
    assert!(changed[0].contains(r#"bucket "visits" key "streamed""#), "{stdout}");
    assert!(changed[0].contains("written through a stream") && changed[0].contains("written in one piece"), "{stdout}");
    assert!(stdout.contains("G2 guest through fused-g2-on-g5-io") && stdout.contains("G5 guest, native"), "{stdout}");
    assert!(stdout.ends_with("result: different\n"), "{stdout}");
}

#[test]
fn diff_compares_counters_by_value_across_encodings_and_says_who_wrote_which() {
    let stdout = assert_exit(&kv_adapt(&["diff", G2, G2, "--new-host", "g6", "--new-counter-encoding", "le64"]), 0);
    assert!(
        stdout.contains(r#"= bucket "visits" key "visits": the counter 1 on both (old wrote decimal "1", new wrote le64 [01 00 00 00 00 00 00 00]"#),
        "{stdout}"
    );
    assert!(stdout.ends_with("result: same\n"), "{stdout}");
}

#[test]
fn diff_then_shows_a_new_build_that_cannot_read_the_old_counters() {
    // Old: the G2 example on a G5 host with decimal counters, twice. New: the same guest on
    // a G6 host that stores le64, handed the decimal counter the first run left.
    let args = ["diff", "--then", G2, G2, "--new-host", "g6", "--new-counter-encoding", "le64"];
    let stdout = assert_exit(&kv_adapt(&args), 1);
    assert!(stdout.lines().next().unwrap().starts_with("first: "), "{stdout}");
    assert!(stdout.contains("exit: old ok, new failed"), "{stdout}");
    assert!(stdout.contains("is not a le64 counter"), "{stdout}");
    assert!(stdout.contains(r#"~ bucket "visits" key "visits": old "2", new "1""#), "{stdout}");

    // The same upgrade with the encodings agreeing: the data survives it.
    let agreeing = ["diff", "--then", G2, G2, "--new-host", "g6"];
    let stdout = assert_exit(&kv_adapt(&agreeing), 0);
    assert!(stdout.contains("store: 3 keys the same, 0 different"), "{stdout}");
}

#[test]
fn diff_starts_both_sides_from_a_seed_directory() {
    let seed = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(seed.path().join("visits")).unwrap();
    std::fs::write(seed.path().join("visits/visits"), b"41").unwrap();
    std::fs::write(seed.path().join("visits/untouched"), b"kept").unwrap();
    let stdout = assert_exit(&kv_adapt(&["diff", G2, G5_REWRITE, "--seed", seed.path().to_str().unwrap()]), 1);
    assert!(stdout.contains(r#"old "visit 42, written through a stream\n", new "visit 42, written in one piece\n""#), "{stdout}");
    assert!(stdout.contains("store: 3 keys the same, 1 different"), "{stdout}");
    // The seed itself is only read.
    assert_eq!(std::fs::read(seed.path().join("visits/visits")).unwrap(), b"41");
}

#[test]
fn diff_json_is_machine_readable() {
    let output = kv_adapt(&["diff", G2, G5_REWRITE, "--json"]);
    let stdout = assert_exit(&output, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("diff --json prints JSON");
    assert_eq!(json["same"], false);
    assert_eq!(json["same_keys"], 2);
    let keys = json["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["key"], "streamed");
    assert_eq!(keys[0]["change"], "changed");
    assert_eq!(keys[0]["new"]["text"], "visit 1, written in one piece\n");
}

#[test]
fn diff_compares_stdout_line_by_line() {
    // A command that prints what it read: the same on G5 and, through adapter-g5-on-g6, on G6.
    let stdout = assert_exit(&kv_adapt(&["diff", common::G5_WASMCLOUD, common::G5_WASMCLOUD, "--new-host", "g6"]), 0);
    assert!(stdout.contains("stdout: the same ("), "{stdout}");
    assert!(!stdout.contains("stdout: the same (0 bytes)"), "the guest prints: {stdout}");
    // Against a guest that prints nothing, every printed line is only in the old output.
    let stdout = assert_exit(&kv_adapt(&["diff", common::G5_WASMCLOUD, G5_REWRITE]), 1);
    assert!(stdout.contains("stdout: different\n  - greeting: hello from wasmcloud-component"), "{stdout}");
}

#[test]
fn diff_on_redis_runs_in_namespaces_it_removes_afterwards() {
    let server = redis(5);
    let before = server.entries().unwrap();
    let stdout = assert_exit(&kv_adapt(&["diff", "--then", G2, G5_REWRITE, "--store", &redis_db(5)]), 1);
    assert!(stdout.contains(r#"~ bucket "visits" key "streamed": old "visit 2, written through a stream\n", new "visit 2, written in one piece\n""#), "{stdout}");
    assert!(stdout.contains("store: 2 keys the same, 1 different"), "{stdout}");
    assert_eq!(server.entries().unwrap(), before, "diff left keys behind on the server");
}

#[test]
fn diff_says_why_it_could_not_compare_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"not wasm").unwrap();
    let output = kv_adapt(&["diff", G2, junk.to_str().unwrap()]);
    assert_exit(&output, 2);
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not a WebAssembly binary"), "{stderr}");
    let output = kv_adapt(&["diff", G2, G2, "--store", dir.path().to_str().unwrap()]);
    assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("--seed"), "{}", text(&output.stderr));
}

#[test]
fn run_on_redis_shares_one_database_across_host_generations() {
    let url = redis_db(2);
    for (host, expected) in [("g5", "1"), ("g6", "2"), ("g2", "3")] {
        let output = kv_adapt(&["run", G2, "--store", &url, "--host", host]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{host}: {stderr}");
        assert!(stderr.contains(&format!("store {url}")), "{stderr}");
        // Buckets are key prefixes: `visits:visits`, a decimal counter as Redis keeps them.
        assert_eq!(redis(2).with_namespace("").unwrap().get("visits", "visits").unwrap().as_deref(), Some(expected.as_bytes()));
    }
}

#[test]
fn run_on_redis_refuses_a_binary_counter_encoding_in_one_line() {
    let output = kv_adapt(&["run", G2, "--store", &redis_db(3), "--counter-encoding", "le64"]);
    assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("Redis counters are decimal text"), "{stderr}");
    assert!(redis(3).entries().unwrap().is_empty(), "nothing may be written");
}

#[test]
fn run_on_an_unreachable_redis_is_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let output = kv_adapt(&["run", G2, "--store", &format!("redis://127.0.0.1:{port}")]);
    assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
}

fn adapters_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert_exit(&kv_adapt(&["adapters", "--out", dir.path().to_str().unwrap()]), 0);
    dir
}

#[test]
fn conformance_passes_our_store_components_function_by_function() {
    let dir = adapters_dir();
    for (store, generation) in [("store-fs-g5-decimal.wasm", "G5"), ("store-fs-g6-le64.wasm", "G6")] {
        let path = dir.path().join(store);
        let stdout = assert_exit(&kv_adapt(&["conformance", path.to_str().unwrap()]), 0);
        assert!(stdout.contains(&format!("a store component exporting {generation}")), "{stdout}");
        for function in ["store.get: ok", "store.delete: ok", "store.list-keys: ok", "atomics.increment: ok", "batch.delete-many: ok"] {
            assert!(stdout.contains(function), "{function} missing: {stdout}");
        }
        assert!(stdout.contains("left to the host (not failures):"), "{stdout}");
        assert!(stdout.ends_with("result: conforms\n"), "{stdout}");
    }
}

#[test]
fn conformance_fails_a_broken_store_and_names_the_broken_behaviour() {
    let output = kv_adapt(&["conformance", BROKEN_STORE]);
    let stdout = assert_exit(&output, 1);
    assert!(stdout.contains("store.delete: FAILED (1 of 2)"), "{stdout}");
    assert!(stdout.contains(r#"FAILED  delete-removes-key: get("doomed"): expected none, got a value of 1 bytes"#), "{stdout}");
    assert!(stdout.contains("store.get: ok"), "only delete is broken: {stdout}");
    assert!(stdout.ends_with("result: 1 documented behaviours fail\n"), "{stdout}");
}

#[test]
fn conformance_judges_a_directory_and_a_redis_server() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = assert_exit(&kv_adapt(&["conformance", "--store", dir.path().to_str().unwrap()]), 0);
    assert!(stdout.contains("G5: 14 of 14") && stdout.contains("G6: 21 of 21"), "{stdout}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the per-case directories are removed");

    let before = redis(4).entries().unwrap();
    let stdout = assert_exit(&kv_adapt(&["conformance", "--store", &redis_db(4)]), 0);
    assert!(stdout.contains("on redis://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("atomics.cas, atomics.swap: ok"), "{stdout}");
    assert!(stdout.ends_with("result: conforms\n"), "{stdout}");
    assert_eq!(redis(4).entries().unwrap(), before, "the per-case namespaces are removed");
}

#[test]
fn conformance_refuses_a_component_that_is_no_store_in_one_line() {
    let output = kv_adapt(&["conformance", G2]);
    assert_exit(&output, 1);
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("exports no wasi:keyvalue/store@0.2.0-draft (G5) or @0.2.0-draft2 (G6)"), "{stderr}");
}

/// The report's table must know every case the shipped guests have, or a new case would
/// be judged without its function and class.
#[test]
fn every_conformance_guest_case_is_in_the_report_table() {
    for guest in [common::G5_CONFORMANCE, common::G6_CONFORMANCE] {
        let setup = common::Setup { host: common::Host::FsStoreDraft, bodies: common::Bodies::Host, counter: kv_adapt::CounterEncoding::Decimal, strict_atomics: false };
        let setup = if guest == common::G6_CONFORMANCE { common::Setup { host: common::Host::FsStoreDraft2, ..setup } } else { setup };
        for case in common::guest_cases(guest, setup) {
            let (functions, _) = kv_adapt::check::conformance::describe(&case);
            assert_ne!(functions, "?", "{} case {case:?} is missing from conformance::CASES", Path::new(guest).display());
        }
    }
}
