//! Concurrent writers on one store directory: eight `kv-adapt run` processes at once, each
//! counting on one key. WASI 0.2 has no file locks, so the store component and kv-adapt's
//! host side take turns through the bucket's lock file (`filename::LOCK_NAME`); these tests
//! show no increment is lost, and measure what is lost where the generation itself cannot
//! be atomic (a G2 compare-and-swap emulated over G5, which has no CAS).
//!
//! `KV_ADAPT_CONCURRENT_INCREMENTS=N` sets each process's increments (default 2,500, so that
//! a debug build runs this in a couple of minutes; the README's figure is N = 10,000).

use std::path::Path;
use std::process::{Child, Command, Stdio};

const PROCESSES: u64 = 8;
const COUNTER_LOOP: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-counter-loop.wasm");
const CAS_LOOP: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-cas-loop.wasm");
/// Successful swaps per run of the CAS loop guest (its `TIMES`).
const CAS_TIMES: u64 = 250;

fn increments() -> u64 {
    std::env::var("KV_ADAPT_CONCURRENT_INCREMENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_500)
}

fn spawn(guest: &str, store: &Path, host: &str, args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["run", guest, "--quiet", "--store", store.to_str().unwrap(), "--host", host, "--"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kv-adapt run")
}

/// Runs `PROCESSES` at once and returns the final decimal counter `counters/n`.
fn race(guest: &str, host: &str, args: &[String]) -> u64 {
    let store = tempfile::tempdir().unwrap();
    let children: Vec<Child> = (0..PROCESSES).map(|_| spawn(guest, store.path(), host, args)).collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "a writer failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let value = std::fs::read_to_string(store.path().join("counters/n")).expect("the counter exists");
    let names: Vec<String> =
        std::fs::read_dir(store.path().join("counters")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["n".to_string()], "no lock or temp file may be left behind");
    value.parse().unwrap_or_else(|_| panic!("counter {value:?} is not decimal"))
}

#[test]
fn eight_processes_incrementing_one_key_through_the_store_component_lose_nothing() {
    let n = increments();
    assert_eq!(race(COUNTER_LOOP, "g5", &[n.to_string()]), PROCESSES * n);
}

#[test]
fn eight_processes_incrementing_one_key_through_the_strict_host_lose_nothing() {
    // G5 guest through adapter-g5-on-g2 onto kv-adapt's G2 host: the host side's lock.
    let n = increments() / 5;
    assert_eq!(race(COUNTER_LOOP, "g2", &[n.to_string()]), PROCESSES * n);
}

#[test]
fn g2_compare_and_swap_retry_loops_on_a_g6_store_lose_nothing() {
    // adapter-g2-on-g6: G2 compare-and-swap is a G6 cas loop, and the store's swap re-reads
    // and writes under the bucket's lock.
    assert_eq!(race(CAS_LOOP, "g6", &[]), PROCESSES * CAS_TIMES);
}

#[test]
fn g2_compare_and_swap_retry_loops_on_a_g5_store_lose_updates_and_the_test_says_how_many() {
    // G5 has no CAS: the adapter reads, compares and writes in separate calls, so a writer
    // in another process can land in between (README, "Semantics: G2 on G5 / G6").
    let total = race(CAS_LOOP, "g5", &[]);
    let want = PROCESSES * CAS_TIMES;
    println!("G2 CAS loops on a G5 store: {total} of {want} swaps kept, {} lost", want - total);
    assert!(total <= want && total >= 1, "{total} of {want}");
}
