//! Every case of the G2 conformance guest (`wasm/guests/guest-g2-conformance`) on every host
//! setup, one test per (setup, case), so a failure names both. The guest does the
//! checking; a failed case's message says what it called, expected and got.
//!
//! `cargo test --test g2_conformance` runs them all; `cargo test g2_conformance::fs_store_draft`
//! one setup; `cargo test compare_and_swap` one family on every setup.

mod common;

use common::{conformance_tests, Bodies, Host, Setup};
use kv_adapt::{CounterEncoding, Wrapped};

/// The wrapping flavour with every group (stdio, monotonic clock, files), forced onto a
/// guest that imports none of them: value bodies must behave exactly as in `-io`.
const ALL_GROUPS: Bodies = Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true });

/// The cases every setup must pass (sync bodies, bucket "" only), plus the given extras.
macro_rules! portable_conformance_tests {
    ($module:ident, $setup:expr; $($test:ident => $case:literal),* $(,)?) => {
        conformance_tests!(common::G2_CONFORMANCE, $module, $setup;
            set_then_get_round_trips => "set-then-get-round-trips",
            unusual_keys_round_trip => "unusual-keys-round-trip",
            get_missing_key_is_error => "get-missing-key-is-error",
            delete_missing_key_is_error => "delete-missing-key-is-error",
            delete_removes_key => "delete-removes-key",
            exists_reports_presence => "exists-reports-presence",
            set_overwrites => "set-overwrites",
            size_reports_length => "size-reports-length",
            consume_twice_is_error => "consume-twice-is-error",
            set_without_body_is_error => "set-without-body-is-error",
            write_body_twice_is_error => "write-body-twice-is-error",
            outgoing_value_reusable_for_two_sets => "outgoing-value-reusable-for-two-sets",
            get_many_returns_values_in_order => "get-many-returns-values-in-order",
            get_many_missing_key_is_error => "get-many-missing-key-is-error",
            get_keys_returns_every_key => "get-keys-returns-every-key",
            set_many_writes_all => "set-many-writes-all",
            set_many_with_bad_value_writes_nothing => "set-many-with-bad-value-writes-nothing",
            delete_many_skips_missing => "delete-many-skips-missing",
            increment_creates_and_adds => "increment-creates-and-adds",
            increment_on_non_counter_is_error => "increment-on-non-counter-is-error",
            compare_and_swap_swaps_when_equal => "compare-and-swap-swaps-when-equal",
            compare_and_swap_refuses_when_different => "compare-and-swap-refuses-when-different",
            compare_and_swap_missing_key_is_error => "compare-and-swap-missing-key-is-error",
            compare_and_swap_on_non_counter_is_error => "compare-and-swap-on-non-counter-is-error",
            two_opens_share_data => "two-opens-share-data",
            dropped_bucket_handle_is_error => "dropped-bucket-handle-is-error",
            wrong_kind_handle_is_error => "wrong-kind-handle-is-error",
            unknown_handle_is_error => "unknown-handle-is-error",
            trace_of_bad_error_handle_does_not_trap => "trace-of-bad-error-handle-does-not-trap",
            drop_everything_does_not_trap => "drop-everything-does-not-trap",
            $($test => $case),*
        );
    };
}

/// Named so that `cargo test g2_conformance` selects exactly these tests.
mod g2_conformance {
    use super::*;

    // wasmtime's in-memory G5 host: only bucket "" opens, so an unknown name is refused.
    portable_conformance_tests!(wasmtime_draft_adapter_io,
        Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
        open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
        async_body_round_trip => "async-body-round-trip",
    );

    // The pass-through flavour: wasi:io stays the host's, async bodies are refused.
    portable_conformance_tests!(wasmtime_draft_host_io,
        Setup { host: Host::WasmtimeDraft, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
        open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
        async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
    );

    // Our filesystem store creates any bucket it is asked for, so no unknown-bucket case.
    portable_conformance_tests!(fs_store_draft_adapter_io,
        Setup { host: Host::FsStoreDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Le64, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );

    portable_conformance_tests!(fs_store_draft2_adapter_io,
        Setup { host: Host::FsStoreDraft2, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );

    // adapter-g2-on-g6 (pass-through onto draft2), with big-endian counters.
    portable_conformance_tests!(fs_store_draft2_host_io,
        Setup { host: Host::FsStoreDraft2, bodies: Bodies::Host, counter: CounterEncoding::Be64, strict_atomics: false };
        async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
    );

    // The wrapping flavour (`adapter-g2-on-g5-io-wasi-stdio-clock-files`, and onto G6):
    // the same answers as `-io`, async bodies included.
    portable_conformance_tests!(wasmtime_draft_wrapping,
        Setup { host: Host::WasmtimeDraft, bodies: ALL_GROUPS, counter: CounterEncoding::Decimal, strict_atomics: false };
        open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
        async_body_round_trip => "async-body-round-trip",
    );

    portable_conformance_tests!(fs_store_draft2_wrapping,
        Setup { host: Host::FsStoreDraft2, bodies: ALL_GROUPS, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );

    // Onto kv-adapt's G5 and G6 hosts over a real redis-server (decimal counters).
    portable_conformance_tests!(redis_draft_adapter_io,
        Setup { host: Host::RedisDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );

    portable_conformance_tests!(redis_draft2_host_io,
        Setup { host: Host::RedisDraft2, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
    );

    // Onto kv-adapt's Spin host (the G6 adapters, upstream batch served key by key over
    // Spin's store): every flavour, over a directory and over Redis.
    portable_conformance_tests!(dir_spin_adapter_io,
        Setup { host: Host::DirSpin, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );
    portable_conformance_tests!(dir_spin_host_io,
        Setup { host: Host::DirSpin, bodies: Bodies::Host, counter: CounterEncoding::Le64, strict_atomics: false };
        async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
    );
    portable_conformance_tests!(dir_spin_wrapping,
        Setup { host: Host::DirSpin, bodies: ALL_GROUPS, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );
    portable_conformance_tests!(redis_spin_adapter_io,
        Setup { host: Host::RedisSpin, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );

    // Natively on the strict G2 host over Redis.
    portable_conformance_tests!(redis_strict_g2_native,
        Setup { host: Host::RedisStrictG2, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );

    // Natively on kv-adapt's strict G2 host (`host::g2`), which serves async bodies through
    // wasmtime-wasi's streams and opens any bucket name: the same answers as the adapters.
    portable_conformance_tests!(strict_g2_native,
        Setup { host: Host::StrictG2, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
        async_body_round_trip => "async-body-round-trip",
    );
}

/// An unknown case name must be refused, or a typo in this file would pass silently.
#[test]
fn g2_conformance_unknown_case_is_refused() {
    let setup = Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    let result = common::run_case(common::G2_CONFORMANCE, setup, "no-such-case");
    match result {
        Err(message) if message.starts_with("unknown case \"no-such-case\"") => {}
        other => panic!("running case \"no-such-case\": expected an unknown-case error, got {other:?}"),
    }
}

/// Every case the guest knows (it lists them when refusing an unknown one) runs on at
/// least one setup here, so a case added to the guest is not silently skipped.
#[test]
fn g2_conformance_every_guest_case_runs_somewhere() {
    let setup = Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    let message = common::run_case(common::G2_CONFORMANCE, setup, "no-such-case").unwrap_err();
    let (_, known) = message.split_once("known cases: ").expect("the guest lists its cases");
    let listed: Vec<&str> = [
        g2_conformance::wasmtime_draft_adapter_io::CASES,
        g2_conformance::wasmtime_draft_host_io::CASES,
        g2_conformance::wasmtime_draft_wrapping::CASES,
        g2_conformance::fs_store_draft2_wrapping::CASES,
        g2_conformance::fs_store_draft_adapter_io::CASES,
        g2_conformance::fs_store_draft2_adapter_io::CASES,
        g2_conformance::fs_store_draft2_host_io::CASES,
        g2_conformance::strict_g2_native::CASES,
        g2_conformance::redis_draft_adapter_io::CASES,
        g2_conformance::redis_draft2_host_io::CASES,
        g2_conformance::redis_strict_g2_native::CASES,
        g2_conformance::dir_spin_adapter_io::CASES,
        g2_conformance::dir_spin_host_io::CASES,
        g2_conformance::dir_spin_wrapping::CASES,
        g2_conformance::redis_spin_adapter_io::CASES,
    ]
    .concat();
    let never_run: Vec<&str> = known.split(", ").filter(|case| !listed.contains(case)).collect();
    assert!(never_run.is_empty(), "guest cases no setup runs: {never_run:?}");
}

/// The wrapping setups really run through a wrapping adapter, composed (the fused G2
/// adapter does not wrap).
#[test]
fn the_wrapping_setups_compose_a_wrapping_adapter() {
    let bytes = std::fs::read(common::G2_CONFORMANCE).expect("the G2 conformance guest");
    let options = kv_adapt::PlugOptions { bodies: Some(ALL_GROUPS), ..kv_adapt::PlugOptions::default() };
    let said = kv_adapt::plug_named("guest-g2-conformance", &bytes, &options).expect("plug").plan.to_string();
    assert!(said.contains("adapter-g2-on-g5-io-wasi-stdio-clock-files"), "{said}");
}
