//! Resource bounds (issue 12 part 5): a guest that leaks a million outgoing values, bucket
//! or `cas` handles, writes a 64 MiB value (sync and streamed) or a 160 MiB one, or batches
//! 100,000 keys, through the shipped adapters and natively on the real hosts. Each run must
//! end in the generation's own answer (success, or its error through the interface) with
//! the instance still working, never in a trap of the adapter's own making; where one of
//! wasmtime's limits stops the guest first (live handles, host tables, hostcall fuel), the
//! test pins which limit it was, and that the guest meets the same limit natively.
//!
//! Leaking through wasmtime's in-memory host and through the adapters takes a few seconds
//! per million, so those cases always make 1,000,000. Through the filesystem store
//! component every `open` and `cas.new` goes through WASI (100,000 take 10-30 s in a debug
//! build), so those make `KV_ADAPT_BOUNDS_STORE_LEAKS` (default 20,000); the figure:
//! `KV_ADAPT_BOUNDS_STORE_LEAKS=1000000 cargo test --test bounds store_component -- --nocapture`.
//! `KV_ADAPT_BOUNDS_MIB` is the big value's size in MiB (default 64).

mod common;

use common::{Bodies, CounterEncoding, Host, Setup};
use std::time::Instant;

const G2: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-bounds.wasm");
const G3: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g3-bounds.wasm");
const G4: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g4-bounds.wasm");
const G5: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-bounds.wasm");
const G6: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g6-bounds.wasm");

fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The figure.
const MILLION: u64 = 1_000_000;

fn store_leaks() -> u64 {
    env_count("KV_ADAPT_BOUNDS_STORE_LEAKS", 20_000)
}

fn big_mib() -> u64 {
    env_count("KV_ADAPT_BOUNDS_MIB", 64)
}

/// wasmtime 48's default cap on live component-model handles in one store
/// (`Store::set_max_component_handles`): a guest passing it traps in wasmtime.
const WASMTIME_DEFAULT_HANDLES: u64 = 100_000;

/// wasmtime's `ResourceTable` default `max_capacity`: what a host (wasmtime-wasi-keyvalue,
/// kv-adapt's strict hosts) can hold for one store.
const HOST_TABLE_CAPACITY: u64 = 1_000_000;

/// A store limit with room for `leaks` leaked handles and what the case holds besides.
fn room_for(leaks: u64) -> Option<usize> {
    Some(leaks as usize + 1_000)
}

const fn setup(host: Host, bodies: Bodies) -> Setup {
    Setup { host, bodies, counter: CounterEncoding::Decimal, strict_atomics: false }
}

/// How a case ended and what the instance's linear memories grew to.
struct Outcome {
    result: Result<(), String>,
    largest_memory: usize,
    all_memory: usize,
}

/// Runs `case` and prints what it cost; `handles` sets wasmtime's store-wide handle limit.
fn run(guest: &str, setup: Setup, case: &str, handles: Option<usize>) -> Outcome {
    run_linked(guest, setup, None, case, handles)
}

/// [`run`] with the adapter fused or composed as `linking` says (`None`: as `plug` decides).
fn run_linked(guest: &str, setup: Setup, linking: Option<kv_adapt::Linking>, case: &str, handles: Option<usize>) -> Outcome {
    let start = Instant::now();
    let configure = |store: &mut wasmtime::Store<common::TestState>| {
        if let Some(limit) = handles {
            store.set_max_component_handles(limit);
        }
    };
    let (result, store) = match linking {
        None => common::run_case_configured(guest, setup, case, configure),
        Some(linking) => common::run_case_linked(guest, setup, linking, case, configure),
    };
    let growth = store.data().memory_growth();
    let name = std::path::Path::new(guest).file_stem().unwrap().to_string_lossy().into_owned();
    println!(
        "{name} on {:?} ({}), handle limit {}: `{case}`: {} in {:.2} s; linear memory {} MiB in all, largest {} MiB",
        setup.host,
        setup.bodies.name(),
        handles.map_or("default".to_string(), |h| h.to_string()),
        match &result { Ok(()) => "ok".to_string(), Err(e) => summary(e) },
        start.elapsed().as_secs_f64(),
        growth.total >> 20,
        growth.largest >> 20,
    );
    Outcome { result, largest_memory: growth.largest, all_memory: growth.total }
}

/// Asserts `case` succeeded (the case itself checks a `set` and `get` afterwards) and
/// that no linear memory grew past `bound_mib`.
fn assert_ok(guest: &str, setup: Setup, case: &str, handles: Option<usize>, bound_mib: usize) {
    let outcome = run(guest, setup, case, handles);
    assert_eq!(outcome.result, Ok(()), "{guest} on {setup:?}: {case}");
    assert!(outcome.largest_memory <= bound_mib << 20, "{case} on {setup:?}: a memory grew to {} bytes", outcome.largest_memory);
}

/// Asserts `case` ended with `expected` in its error.
fn assert_err(guest: &str, setup: Setup, case: &str, handles: Option<usize>, expected: &[&str]) {
    assert_err_linked(guest, setup, None, case, handles, expected)
}

/// [`assert_err`] with the adapter fused or composed as `linking` says.
fn assert_err_linked(guest: &str, setup: Setup, linking: Option<kv_adapt::Linking>, case: &str, handles: Option<usize>, expected: &[&str]) {
    let outcome = run_linked(guest, setup, linking, case, handles);
    let error = outcome.result.expect_err(case);
    let error = summary(&error);
    for part in expected {
        assert!(error.contains(part), "{guest} on {setup:?}: {case}: expected {part:?} in {error}");
    }
}

/// A million G2 outgoing values never dropped (with and without a body) and a million
/// bucket handles: G2 handles are u32s in the adapter's slab, not wasmtime handles, so
/// only the adapter's memory grows (about 40 bytes per leaked value, 56 with a body).
#[test]
fn g2_leaks_a_million_values_and_buckets_in_adapter_memory() {
    for setup in [setup(Host::WasmtimeDraft, Bodies::Adapter), setup(Host::FsStoreDraft2, Bodies::Host)] {
        assert_ok(G2, setup, &format!("leak-values {MILLION}"), None, 96);
        assert_ok(G2, setup, &format!("leak-values-with-body {MILLION}"), None, 96);
        assert_ok(G2, setup, &format!("leak-buckets {MILLION}"), None, 96);
    }
}

/// Past the slab's 1,048,575 live values the G2 adapter hands out a handle that is never
/// live (`new-outgoing-value` has no error channel), so writing its body is a `bad-handle`
/// error, not a trap. The strict G2 host does the same from its own slab.
#[test]
fn g2_past_the_slab_capacity_gets_bad_handle_errors() {
    let past = u64::from(kv_adapt_convert::slab::CAPACITY) + 1;
    let case = format!("leak-values-with-body {past}");
    let expected = [&*format!("leaked value {past} of {past}"), "outgoing-value-write-body-sync", "bad-handle"];
    assert_err(G2, setup(Host::WasmtimeDraft, Bodies::Adapter), &case, None, &expected);
    assert_err(G2, setup(Host::StrictG2, Bodies::Host), &case, None, &expected);
}

/// The strict G2 host natively: a million leaked values with bodies, kept in its slab.
/// Prints the process's resident memory before and after (informative: other tests run in
/// the same process; run this one alone for the figure).
#[test]
fn strict_g2_host_holds_a_million_leaked_values() {
    let before = resident_mib();
    let (result, store) = common::run_case_keeping_store(G2, setup(Host::StrictG2, Bodies::Host), &format!("leak-values-with-body {MILLION}"));
    assert_eq!(result, Ok(()));
    let [_, outgoing, incoming, errors] = store.data().g2_live_handles().expect("strict G2 host");
    assert_eq!((outgoing, incoming, errors), (MILLION as usize, 0, 0));
    println!("strict G2 host with {MILLION} leaked values: process resident memory {before:?} MiB before, {:?} MiB after", resident_mib());
}

/// The process's resident memory in MiB, where /proc says it.
fn resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib >> 10)
}

/// Composed, G3/G4 outgoing values are resources. wasmtime caps live handles per store at
/// 100,000 by default and traps the one past it, wherever it is made: here in the adapter's
/// `resource.new`, natively in the host's. `new-outgoing-value` is a constructor with no
/// error channel, so nothing else could answer. With the limit raised (an embedder's
/// choice), a million leaked values succeed. Fused, the default for these guests, there is
/// no component boundary and no wasmtime handle: a million leaked values, with bodies or
/// not, and a million buckets succeed with the default limit.
#[test]
fn eventual_leaks_stop_at_wasmtimes_handle_limit_composed_and_pass_fused() {
    let lowered = setup(Host::WasmtimeDraft, Bodies::Adapter);
    let past_default = WASMTIME_DEFAULT_HANDLES + 1;
    let composed = Some(kv_adapt::Linking::Composed);
    assert_err_linked(G4, lowered, composed, &format!("leak-values {past_default}"), None, &["trapped", "store handle limit exceeded"]);
    let outcome = run_linked(G4, lowered, composed, &format!("leak-values {MILLION}"), room_for(MILLION));
    assert_eq!(outcome.result, Ok(()), "composed, with room for a million handles");
    // Fused (what plug does for these guests), a value is a u32 in the adapter's slab, as
    // G2's are: wasmtime's handle limit does not apply, only the guest's memory grows.
    for setup in [lowered, setup(Host::FsStoreDraft2, Bodies::Host)] {
        assert_ok(G4, setup, &format!("leak-values {MILLION}"), None, 128);
        assert_ok(G4, setup, &format!("leak-values-with-body {MILLION}"), None, 128);
    }
    assert_ok(G3, setup(Host::WasmtimeDraft, Bodies::Host), &format!("leak-buckets {MILLION}"), None, 128);
}

/// Natively on the strict G3 host every outgoing value is a host resource: the host's
/// resource table holds 1,000,000 (wasmtime's default), and the constructor past it traps
/// in the host, the only answer a constructor without an error channel has.
#[test]
fn strict_g3_host_traps_past_its_resource_table() {
    let case = format!("leak-values {HOST_TABLE_CAPACITY}");
    assert_err(G3, setup(Host::StrictG3, Bodies::Host), &case, room_for(HOST_TABLE_CAPACITY), &["trapped", "resource table has no free keys"]);
}

/// G5/G6 have no outgoing values; a guest can leak buckets (and G6 `cas` handles). Natively
/// on wasmtime-wasi-keyvalue the host's table fills at 1,000,000 and `open` answers with
/// the generation's error (`other`); through the sideways adapters, which open each host
/// bucket once, a million leaked buckets or `cas` handles cost only the adapter's memory.
#[test]
fn today_leaks_a_million_buckets_and_cas_handles() {
    let over = format!("leak-buckets {HOST_TABLE_CAPACITY}");
    let expected = [&*format!("leaked bucket {HOST_TABLE_CAPACITY} of"), "open: other: resource table has no free keys"];
    assert_err(G5, setup(Host::WasmtimeDraft, Bodies::Host), &over, room_for(MILLION), &expected);
    assert_err(G5, setup(Host::WasmtimeDraft, Bodies::Host), &format!("leak-buckets {}", WASMTIME_DEFAULT_HANDLES + 1), None, &["trapped", "store handle limit exceeded"]);
    assert_ok(G5, setup(Host::FsStoreDraft2, Bodies::Host), &format!("leak-buckets {MILLION}"), room_for(MILLION), 64);
    assert_ok(G6, setup(Host::WasmtimeDraft, Bodies::Host), &format!("leak-buckets {MILLION}"), room_for(MILLION), 64);
    assert_ok(G6, setup(Host::WasmtimeDraft, Bodies::Host), &format!("leak-cas {MILLION}"), room_for(MILLION), 128);
}

/// The store component natively: every `open` and `cas.new` is its own resource, made
/// over WASI, so this makes `KV_ADAPT_BOUNDS_STORE_LEAKS` of each.
#[test]
fn store_component_holds_leaked_buckets_and_cas_handles() {
    let n = store_leaks();
    assert_ok(G5, setup(Host::FsStoreDraft, Bodies::Host), &format!("leak-buckets {n}"), room_for(n), 128);
    assert_ok(G6, setup(Host::FsStoreDraft2, Bodies::Host), &format!("leak-cas {n}"), room_for(n), 128);
}

/// Whether `plug` fuses `guest` for `setup`, so that the adapter's copy of a value lives in
/// the guest's own memory rather than in a memory of its own.
fn fused(guest: &str, setup: Setup) -> bool {
    let bytes = std::fs::read(guest).unwrap();
    let surface = kv_adapt::surface("guest", &bytes).unwrap();
    let options = kv_adapt::PlugOptions { host: setup.host.generation(), bodies: Some(setup.bodies), ..Default::default() };
    matches!(kv_adapt::plan("guest", &surface, &options), Ok(kv_adapt::Plan::Adapt { linking: kv_adapt::Linking::Fused, .. }))
}

/// A 64 MiB value written with the sync call and read back on every path that carries
/// one: each succeeds with wasmtime's defaults (the 128 MiB a guest may pass to the host
/// in one call among them), and no memory holds more than the guest's two copies, or,
/// fused, those and the adapter's one.
#[test]
fn a_64_mib_value_round_trips_on_every_path() {
    let mib = big_mib();
    let case = format!("big-value {mib}");
    let bound = 2 * mib as usize + 16;
    for (guest, setup) in [
        (G2, setup(Host::WasmtimeDraft, Bodies::Adapter)),
        (G2, setup(Host::FsStoreDraft2, Bodies::Host)),
        (G2, setup(Host::StrictG2, Bodies::Host)),
        (G3, setup(Host::FsStoreDraft, Bodies::Adapter)),
        (G4, setup(Host::WasmtimeDraft, Bodies::Adapter)),
        (G4, setup(Host::FsStoreDraft2, Bodies::Host)),
        (G5, setup(Host::WasmtimeDraft, Bodies::Host)),
        (G5, setup(Host::FsStoreDraft, Bodies::Host)),
        (G5, setup(Host::FsStoreDraft2, Bodies::Host)),
        (G6, setup(Host::WasmtimeDraft, Bodies::Host)),
        (G6, setup(Host::FsStoreDraft2, Bodies::Host)),
        (G5, setup(Host::StrictG2, Bodies::Host)),
        (G5, setup(Host::StrictG3, Bodies::Host)),
        (G6, setup(Host::StrictG4, Bodies::Host)),
    ] {
        let outcome = run(guest, setup, &case, None);
        assert_eq!(outcome.result, Ok(()), "{guest} on {setup:?}");
        let bound = if fused(guest, setup) { 3 * mib as usize + 16 } else { bound };
        assert!(outcome.largest_memory <= bound << 20, "{guest} on {setup:?}: a memory grew to {} bytes", outcome.largest_memory);
        assert!(outcome.all_memory <= 3 * ((2 * mib as usize + 16) << 20), "{guest} on {setup:?}: memories grew to {} bytes", outcome.all_memory);
    }
}

/// The same value written through the `-io` adapters' output stream (1 MiB per
/// `check-write`) and read back through their input stream. The adapter's body grows by
/// doubling and its allocator keeps each size class it used, so its memory peaks near
/// twice the value; still within a bound proportional to the value.
#[test]
fn a_64_mib_value_streams_through_the_io_adapters() {
    let mib = big_mib();
    let case = format!("big-value-streamed {mib}");
    let bound = 2 * mib as usize + 16;
    for (guest, setup) in [
        (G2, setup(Host::WasmtimeDraft, Bodies::Adapter)),
        (G2, setup(Host::FsStoreDraft2, Bodies::Adapter)),
        (G3, setup(Host::FsStoreDraft, Bodies::Adapter)),
        (G4, setup(Host::WasmtimeDraft, Bodies::Adapter)),
    ] {
        let outcome = run(guest, setup, &case, None);
        assert_eq!(outcome.result, Ok(()), "{guest} on {setup:?}");
        // Fused (G3/G4 `-io`), the adapter's body and the value it fetched live in the
        // guest's one memory beside the guest's own two copies: about five values there,
        // where composed they are split over two memories.
        let bound = if fused(guest, setup) { 5 * mib as usize + 16 } else { 2 * bound };
        assert!(outcome.largest_memory <= bound << 20, "{guest} on {setup:?}: a memory grew to {} bytes", outcome.largest_memory);
    }
}

/// A guest's error as it is; a trap as its cause (what follows wasmtime's backtrace).
fn summary(error: &str) -> String {
    match error.rsplit_once("Caused by:") {
        Some((_, cause)) => format!("trapped: {}", cause.split_whitespace().collect::<Vec<_>>().join(" ")),
        None => error.to_string(),
    }
}

/// Past 128 MiB a value no longer fits wasmtime's hostcall fuel (the bytes a guest may
/// hand the host in one call, `Store::set_hostcall_fuel`): the call into the host traps in
/// wasmtime, natively and through an adapter alike (no component can know whether what it
/// calls is a host). Component to component there is no such fuel: through the store
/// component the same value succeeds, within `run`'s 1 GiB per linear memory.
#[test]
fn values_past_128_mib_stop_at_host_calls_only() {
    let case = "big-value 160";
    let fuel = ["trapped", "fuel allocated for hostcalls has been exhausted"];
    assert_err(G5, setup(Host::WasmtimeDraft, Bodies::Host), case, None, &fuel);
    assert_err(G2, setup(Host::WasmtimeDraft, Bodies::Adapter), case, None, &fuel);
    assert_err(G2, setup(Host::StrictG2, Bodies::Host), case, None, &fuel);
    assert_ok(G5, setup(Host::FsStoreDraft, Bodies::Host), case, None, 2 * 160 + 16);
}

/// One `set-many` and one `get-many` of 100,000 keys. G2 makes an outgoing and an incoming
/// handle per key (u32s in the adapter's slabs); composed, G3/G4 make resources, so a batch
/// counts twice its keys against wasmtime's 100,000 live handles and 40,000 keys fit by
/// default; fused, their handles are the adapter's u32s too and 100,000 fit.
#[test]
fn a_batch_of_100000_keys_round_trips() {
    let keys = 100_000;
    assert_ok(G2, setup(Host::WasmtimeDraft, Bodies::Adapter), &format!("batch {keys}"), None, 64);
    assert_ok(G2, setup(Host::StrictG2, Bodies::Host), &format!("batch {keys}"), None, 64);
    assert_ok(G5, setup(Host::WasmtimeDraft, Bodies::Host), &format!("batch {keys}"), None, 64);
    assert_ok(G6, setup(Host::WasmtimeDraft, Bodies::Host), &format!("batch {keys}"), None, 64);
    // Composed, a G3/G4 batch makes resources, which count against wasmtime's handles;
    // fused (plug's default), they are the adapter's own u32 handles, as G2's.
    let composed = Some(kv_adapt::Linking::Composed);
    let lowered = setup(Host::WasmtimeDraft, Bodies::Adapter);
    let outcome = run_linked(G4, lowered, composed, "batch 40000", None);
    assert_eq!(outcome.result, Ok(()), "composed, 40,000 keys fit");
    assert_err_linked(G4, lowered, composed, &format!("batch {keys}"), None, &["trapped", "store handle limit exceeded"]);
    assert_ok(G4, lowered, &format!("batch {keys}"), None, 64);
}
