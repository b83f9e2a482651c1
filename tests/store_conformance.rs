//! Today's guests, G5 (`wasi:keyvalue@0.2.0-draft`) and G6 (`@0.2.0-draft2`), built from
//! `wasm/guests/guest-store-conformance`: every case natively on a host of their own generation
//! (the baseline, which proves the guest asks for what the documentation promises), then
//! through the sideways adapters onto the other generation, and through both adapters
//! and back (a round trip), which must agree with the native run case for case.
//!
//! Where an adapter cannot do what a native host does, the case that pins the difference
//! runs only on the adapted setups (e.g. a G6 counter cannot go below zero on a G5 host),
//! and the README's semantics table says so; `--strict-atomics` setups pin the refusals.

mod common;

use common::{conformance_tests, Bodies, Host, Setup};
use kv_adapt::{CounterEncoding, Generation};

// G5/G6 values are plain bytes, so the body flavour is moot: `plug` always picks the one
// adapter build there is.
const fn setup(host: Host) -> Setup {
    Setup { host, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false }
}

/// As [`setup`], with `--strict-atomics`: what the host cannot do atomically is refused.
const fn strict(host: Host) -> Setup {
    Setup { strict_atomics: true, ..setup(host) }
}

/// The cases every G5 and every G6 setup must pass.
macro_rules! store_conformance_tests {
    ($guest:expr, $module:ident, $setup:expr; $($test:ident => $case:literal),* $(,)?) => {
        conformance_tests!($guest, $module, $setup;
            set_then_get_round_trips => "set-then-get-round-trips",
            unusual_keys_round_trip => "unusual-keys-round-trip",
            get_missing_key_is_none => "get-missing-key-is-none",
            delete_missing_key_succeeds => "delete-missing-key-succeeds",
            delete_removes_key => "delete-removes-key",
            exists_reports_presence => "exists-reports-presence",
            set_overwrites => "set-overwrites",
            list_keys_on_empty_bucket_is_empty => "list-keys-on-empty-bucket-is-empty",
            list_keys_pages_through_every_key => "list-keys-pages-through-every-key",
            increment_creates_and_adds => "increment-creates-and-adds",
            increment_on_non_counter_is_error => "increment-on-non-counter-is-error",
            get_many_gives_none_for_missing => "get-many-gives-none-for-missing",
            set_many_writes_all => "set-many-writes-all",
            delete_many_removes_and_skips_missing => "delete-many-removes-and-skips-missing",
            $($test => $case),*
        );
    };
}

/// Named so that `cargo test store_conformance` selects exactly these tests.
mod store_conformance {
    use super::*;

    mod g5 {
        use super::*;
        const GUEST: &str = common::G5_CONFORMANCE;

        // Native baselines. wasmtime's host opens only bucket "" and gives every `open`
        // its own copy of the data (so data does not outlive its bucket handle), and takes
        // any cursor; our store opens any bucket.
        store_conformance_tests!(GUEST, wasmtime_draft_native, setup(Host::WasmtimeDraft);
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            increment_huge_delta => "increment-huge-delta",
        );
        store_conformance_tests!(GUEST, fs_store_draft_native, setup(Host::FsStoreDraft);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta => "increment-huge-delta",
        );

        // Through adapter-g5-on-g6: the store's `after:<key>` cursors are strings that are
        // no number, so paging exercises the adapter's cursor table.
        store_conformance_tests!(GUEST, fs_store_draft2_adapted, setup(Host::FsStoreDraft2);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta_is_error => "increment-huge-delta-is-error",
        );

        // G5 -> G6 -> G5: both adapters, on wasmtime's own host.
        store_conformance_tests!(GUEST, wasmtime_draft_round_trip, setup(Host::WasmtimeDraftViaDraft2);
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta_is_error => "increment-huge-delta-is-error",
        );

        // Through adapter-g5-on-g3 / -g4 on kv-adapt's strict eventual hosts: one page
        // holds every key, and counters are u64 as in G5.
        store_conformance_tests!(GUEST, strict_g2_adapted, setup(Host::StrictG2);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta => "increment-huge-delta",
        );
        store_conformance_tests!(GUEST, strict_g3_adapted, setup(Host::StrictG3);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta => "increment-huge-delta",
        );
        store_conformance_tests!(GUEST, strict_g4_adapted, setup(Host::StrictG4);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta => "increment-huge-delta",
        );

        // Natively on kv-adapt's G5 host over a real redis-server: any bucket opens, counters
        // are decimal text, each page is one full SCAN pass, so no key is listed twice.
        store_conformance_tests!(GUEST, redis_draft_native, setup(Host::RedisDraft);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta => "increment-huge-delta",
        );

        // Through adapter-g5-on-g2 onto the strict G2 host over Redis.
        store_conformance_tests!(GUEST, redis_strict_g2_adapted, setup(Host::RedisStrictG2);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta => "increment-huge-delta",
        );

        // Through adapter-g5-on-g6 onto kv-adapt's Spin host, the guest's batch served key
        // by key over Spin's store (batch-g6-on-spin-draft2): Spin's list-keys answers in
        // one page and refuses any cursor, and its counters are s64 as in G6.
        store_conformance_tests!(GUEST, dir_spin_adapted, setup(Host::DirSpin);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta_is_error => "increment-huge-delta-is-error",
        );
        store_conformance_tests!(GUEST, redis_spin_adapted, setup(Host::RedisSpin);
            two_opens_share_data => "two-opens-share-data",
            bucket_outlives_nothing => "bucket-outlives-nothing",
            list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
            increment_huge_delta_is_error => "increment-huge-delta-is-error",
        );

        #[test]
        fn every_guest_case_runs_somewhere() {
            let listed = [
                wasmtime_draft_native::CASES,
                fs_store_draft_native::CASES,
                fs_store_draft2_adapted::CASES,
                wasmtime_draft_round_trip::CASES,
                strict_g2_adapted::CASES,
                strict_g3_adapted::CASES,
                strict_g4_adapted::CASES,
                redis_draft_native::CASES,
                redis_strict_g2_adapted::CASES,
                dir_spin_adapted::CASES,
                redis_spin_adapted::CASES,
            ]
            .concat();
            assert_every_case_listed(GUEST, setup(Host::WasmtimeDraft), &listed);
        }

        #[test]
        fn guest_imports_its_generation() {
            assert_imports(GUEST, Generation::G5);
        }
    }

    mod g6 {
        use super::*;
        const GUEST: &str = common::G6_CONFORMANCE;

        /// What a G6 host does natively and the adapter does the same way.
        macro_rules! g6_tests {
            ($module:ident, $setup:expr; $($test:ident => $case:literal),* $(,)?) => {
                store_conformance_tests!(GUEST, $module, $setup;
                    cas_swaps_when_unchanged => "cas-swaps-when-unchanged",
                    cas_on_missing_key_sees_none_and_creates => "cas-on-missing-key-sees-none-and-creates",
                    cas_fails_after_another_write => "cas-fails-after-another-write",
                    cas_on_non_counter_bytes_is_fine => "cas-on-non-counter-bytes-is-fine",
                    two_opens_share_data => "two-opens-share-data",
                    bucket_outlives_nothing => "bucket-outlives-nothing",
                    list_keys_unknown_cursor_is_error => "list-keys-unknown-cursor-is-error",
                    $($test => $case),*
                );
            };
        }

        // Native baseline: our store as G6 (Spin speaks G6, but no Spin host runs here).
        g6_tests!(fs_store_draft2_native, setup(Host::FsStoreDraft2);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_goes_negative => "increment-below-zero-goes-negative",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // Natively on kv-adapt's G6 host over a real redis-server: cas under WATCH/MULTI/EXEC.
        g6_tests!(redis_draft2_native, setup(Host::RedisDraft2);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_goes_negative => "increment-below-zero-goes-negative",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // On kv-adapt's Spin host: store, atomics and cas are Spin's own (upstream's type for
        // type), and the guest's batch is served key by key over Spin's store.
        g6_tests!(dir_spin_batch_by_key, setup(Host::DirSpin);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_goes_negative => "increment-below-zero-goes-negative",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );
        g6_tests!(redis_spin_batch_by_key, setup(Host::RedisSpin);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_goes_negative => "increment-below-zero-goes-negative",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // Through adapter-g6-on-g5 onto the G5 host over Redis.
        g6_tests!(redis_draft_adapted, setup(Host::RedisDraft);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // Through adapter-g6-on-g5, on wasmtime's host and on the store as G5. G5 counters
        // only count up, so the adapter decrements by read and write, and cannot go below 0.
        g6_tests!(wasmtime_draft_adapted, setup(Host::WasmtimeDraft);
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );
        g6_tests!(fs_store_draft_adapted, setup(Host::FsStoreDraft);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // G6 -> G5 -> G6 on the store: the cas and a decrement are emulated in the middle, so
        // every cas case must still hold; a counter cannot go below 0 through G5.
        g6_tests!(fs_store_draft2_round_trip, setup(Host::FsStoreDraft2ViaDraft);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // Through adapter-g6-on-g3 / -g4 on the strict eventual hosts: the cas and a
        // decrement are emulated over get and set, and counters cannot go below 0.
        g6_tests!(strict_g2_adapted, setup(Host::StrictG2);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );
        g6_tests!(strict_g3_adapted, setup(Host::StrictG3);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );
        g6_tests!(strict_g4_adapted, setup(Host::StrictG4);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_is_error => "increment-below-zero-is-error",
            decrement_on_non_counter_is_error => "decrement-on-non-counter-is-error",
        );

        // `--strict-atomics`: the emulated cas and decrement are refused, on wasmtime's
        // host and on the strict G2 host; everything else still works.
        store_conformance_tests!(GUEST, wasmtime_draft_strict_atomics, strict(Host::WasmtimeDraft);
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            increment_negative_delta_is_error => "increment-negative-delta-is-error",
            cas_is_refused => "cas-is-refused",
        );
        store_conformance_tests!(GUEST, strict_g2_strict_atomics, strict(Host::StrictG2);
            two_opens_share_data => "two-opens-share-data",
            increment_negative_delta_is_error => "increment-negative-delta-is-error",
            cas_is_refused => "cas-is-refused",
        );

        // On a G6 host nothing is emulated, so `--strict-atomics` changes nothing.
        g6_tests!(fs_store_draft2_native_strict_atomics, strict(Host::FsStoreDraft2);
            increment_negative_delta_decrements => "increment-negative-delta-decrements",
            increment_below_zero_goes_negative => "increment-below-zero-goes-negative",
        );

        #[test]
        fn every_guest_case_runs_somewhere() {
            let listed = [
                wasmtime_draft_strict_atomics::CASES,
                strict_g2_strict_atomics::CASES,
                fs_store_draft2_native_strict_atomics::CASES,
                strict_g2_adapted::CASES,
                strict_g3_adapted::CASES,
                strict_g4_adapted::CASES,
                fs_store_draft2_native::CASES,
                wasmtime_draft_adapted::CASES,
                fs_store_draft_adapted::CASES,
                fs_store_draft2_round_trip::CASES,
                redis_draft2_native::CASES,
                redis_draft_adapted::CASES,
                dir_spin_batch_by_key::CASES,
                redis_spin_batch_by_key::CASES,
            ]
            .concat();
            assert_every_case_listed(GUEST, setup(Host::FsStoreDraft2), &listed);
        }

        #[test]
        fn guest_imports_its_generation() {
            assert_imports(GUEST, Generation::G6);
        }
    }
}

fn assert_every_case_listed(guest: &str, setup: Setup, listed: &[&str]) {
    let known = common::guest_cases(guest, setup);
    let never_run: Vec<&String> = known.iter().filter(|case| !listed.contains(&case.as_str())).collect();
    assert!(never_run.is_empty(), "guest cases no setup runs: {never_run:?}");
}

fn assert_imports(guest: &str, generation: Generation) {
    let bytes = std::fs::read(guest).unwrap_or_else(|e| panic!("reading {guest}: {e}"));
    let surface = kv_adapt::surface(guest, &bytes).expect("guest is a valid component");
    assert_eq!(surface.imported_generations(), vec![generation], "imports: {:?}", surface.imports);
}

/// The plan names the sideways adapter, and a composed guest imports only the target.
#[test]
fn plug_picks_the_sideways_adapter_for_each_direction() {
    for (guest, host, adapter) in [
        (common::G5_CONFORMANCE, Generation::G6, "adapter-g5-on-g6"),
        (common::G6_CONFORMANCE, Generation::G5, "adapter-g6-on-g5"),
    ] {
        let bytes = std::fs::read(guest).unwrap();
        let options = kv_adapt::PlugOptions { host, ..Default::default() };
        let plugged = kv_adapt::plug_named(guest, &bytes, &options).unwrap();
        match &plugged.plan {
            kv_adapt::Plan::Adapt { adapter: chosen, .. } => assert_eq!(chosen, adapter),
            other => panic!("{guest}: unexpected plan {other:?}"),
        }
        let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
        assert_eq!(surface.imported_generations(), vec![host], "{guest}: {:?}", surface.imports);
        assert!(surface.imports.iter().all(|i| i.starts_with("wasi:keyvalue/")), "{guest}: {:?}", surface.imports);
    }
}

/// A G5 command built with wasmCloud's own binding crate (`wasmcloud-component` 0.2.0,
/// wit-bindgen 0.32), which prints what it read: natively on wasmtime's G5 host, then
/// through `adapter-g5-on-g6` on the G6 store, next to std's WASI. Both print the same.
#[test]
fn a_third_party_g5_command_prints_the_same_natively_and_through_the_adapter() {
    let expected = "greeting: hello from wasmcloud-component\n\
                    visits: 42\n\
                    get-many: a=1 none b=2\n\
                    keys: a,b,greeting,visits\n\
                    after deletes: a=false b=false missing-get=None\n";
    for host in [Host::WasmtimeDraft, Host::FsStoreDraft2] {
        let (succeeded, stdout) = common::run_command(common::G5_WASMCLOUD, setup(host));
        assert!(succeeded, "guest-wasmcloud-g5 on {host:?} failed; it printed {stdout:?} (its reason is on stderr)");
        assert_eq!(stdout, expected, "stdout of guest-wasmcloud-g5 on {host:?}");
    }
}

/// Every case of both guests through adapter-g5-on-g2 / -g6-on-g2 leaves no outgoing,
/// incoming or error handle alive on the strict G2 host: the G2 back drops every handle it
/// makes, on error paths too. Only the buckets it keeps open (one per name) stay.
#[test]
fn the_g2_back_leaves_no_value_or_error_handle_on_the_host() {
    for guest in [common::G5_CONFORMANCE, common::G6_CONFORMANCE] {
        let setup = setup(Host::StrictG2);
        for case in common::guest_cases(guest, setup) {
            let (_, store) = common::run_case_keeping_store(guest, setup, &case);
            let [buckets, outgoing, incoming, errors] = store.data().g2_live_handles().expect("a strict G2 host");
            assert_eq!((outgoing, incoming, errors), (0, 0, 0), "{guest} case {case}: handles left on the host");
            assert!(buckets <= 2, "{guest} case {case}: {buckets} buckets open for at most two names");
        }
    }
}
