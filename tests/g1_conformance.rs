//! Every case of the G1 conformance guest (`wasm/guests/guest-g1-conformance`: the
//! stream-based draft of February 2023, plain import names) through `fused-g1-on-g5` and
//! `fused-g1-on-g6` (what `plug` links into a G1 guest; `tests/fused.rs` runs every case
//! composed too), on wasmtime-wasi-keyvalue, the filesystem store and Redis. G1's streams
//! are served by the adapter from memory, so the plugged component imports only the host's
//! key-value interfaces (asserted here too).

mod common;

use common::{conformance_tests, Bodies, Host, Setup};
use kv_adapt::CounterEncoding;

macro_rules! g1_conformance_tests {
    ($module:ident, $setup:expr; $($test:ident => $case:literal),* $(,)?) => {
        conformance_tests!(common::G1_CONFORMANCE, $module, $setup;
            set_then_get_round_trips => "set-then-get-round-trips",
            get_missing_key_is_error => "get-missing-key-is-error",
            delete_missing_key_is_error => "delete-missing-key-is-error",
            delete_removes_key => "delete-removes-key",
            exists_reports_presence => "exists-reports-presence",
            size_reports_length => "size-reports-length",
            consume_twice_is_error => "consume-twice-is-error",
            set_without_body_is_error => "set-without-body-is-error",
            write_body_twice_is_error => "write-body-twice-is-error",
            stream_read_reports_the_end => "stream-read-reports-the-end",
            stream_skip_passes_bytes_over => "stream-skip-passes-bytes-over",
            write_repeated_appends_copies => "write-repeated-appends-copies",
            splice_and_forward_copy_a_value => "splice-and-forward-copy-a-value",
            bad_stream_handles_are_refused => "bad-stream-handles-are-refused",
            write_after_the_value_is_dropped_is_refused => "write-after-the-value-is-dropped-is-refused",
            get_many_returns_values_in_order => "get-many-returns-values-in-order",
            get_many_missing_key_is_error => "get-many-missing-key-is-error",
            get_keys_returns_every_key => "get-keys-returns-every-key",
            set_many_writes_all => "set-many-writes-all",
            set_many_keys_must_agree => "set-many-keys-must-agree",
            set_many_with_bad_value_writes_nothing => "set-many-with-bad-value-writes-nothing",
            delete_many_skips_missing => "delete-many-skips-missing",
            increment_creates_and_adds => "increment-creates-and-adds",
            compare_and_swap_swaps_when_equal => "compare-and-swap-swaps-when-equal",
            compare_and_swap_missing_key_is_error => "compare-and-swap-missing-key-is-error",
            counter_ops_on_non_counter_are_errors => "counter-ops-on-non-counter-are-errors",
            two_opens_share_data => "two-opens-share-data",
            bad_handles_are_errors => "bad-handles-are-errors",
            drop_everything_does_not_trap => "drop-everything-does-not-trap",
            $($test => $case),*
        );
    };
}

/// Named so that `cargo test g1_conformance` selects exactly these tests.
mod g1_conformance {
    use super::*;

    // wasmtime's in-memory G5 host: only bucket "" opens, so an unknown name is refused.
    g1_conformance_tests!(wasmtime_draft,
        Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
        open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
    );

    g1_conformance_tests!(fs_store_draft,
        Setup { host: Host::FsStoreDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Le64, strict_atomics: false };
    );

    g1_conformance_tests!(fs_store_draft2,
        Setup { host: Host::FsStoreDraft2, bodies: Bodies::Adapter, counter: CounterEncoding::Be64, strict_atomics: false };
    );

    g1_conformance_tests!(redis_draft2,
        Setup { host: Host::RedisDraft2, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    );

    // kv-adapt's Spin host: adapter-g1-on-g6, its upstream batch served key by key over
    // Spin's store (batch-g6-on-spin-draft2); the plug imports only what Spin serves.
    g1_conformance_tests!(dir_spin,
        Setup { host: Host::DirSpin, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    );
    g1_conformance_tests!(redis_spin,
        Setup { host: Host::RedisSpin, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    );
}

/// Every case the guest knows runs on at least one setup here.
#[test]
fn g1_conformance_every_guest_case_runs_somewhere() {
    let setup = Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    let known = common::guest_cases(common::G1_CONFORMANCE, setup);
    let listed = [
        g1_conformance::wasmtime_draft::CASES,
        g1_conformance::fs_store_draft::CASES,
        g1_conformance::fs_store_draft2::CASES,
        g1_conformance::redis_draft2::CASES,
        g1_conformance::dir_spin::CASES,
        g1_conformance::redis_spin::CASES,
    ]
    .concat();
    let never_run: Vec<&String> = known.iter().filter(|case| !listed.contains(&case.as_str())).collect();
    assert!(never_run.is_empty(), "guest cases no setup runs: {never_run:?}");
    assert!(known.len() >= 30, "the guest lists {} cases", known.len());
}

/// The G1 guest imports the six plain names; plugged, it imports only the host's
/// key-value interfaces: G1's streams do not leak out as an import nobody serves.
#[test]
fn a_plugged_g1_guest_imports_only_the_hosts_keyvalue() {
    let guest = std::fs::read(common::G1_CONFORMANCE).unwrap();
    let before = kv_adapt::surface("g1", &guest).unwrap();
    let mut plain: Vec<&str> = before.imports.iter().map(String::as_str).collect();
    plain.sort();
    assert_eq!(plain, ["atomic", "batch", "readwrite", "streams", "types", "wasi-cloud-error"]);
    for (host, version) in [(kv_adapt::Generation::G5, "@0.2.0-draft"), (kv_adapt::Generation::G6, "@0.2.0-draft2")] {
        let options = kv_adapt::PlugOptions { host, ..Default::default() };
        let plugged = kv_adapt::plug_named("g1", &guest, &options).unwrap();
        match &plugged.plan {
            kv_adapt::Plan::Adapt { adapter, bodies, .. } => {
                assert_eq!(*adapter, format!("fused-g1-on-{}", host.id().to_lowercase()));
                assert_eq!(*bodies, Bodies::Adapter, "G1 streams are the adapter's");
            }
            other => panic!("{host:?}: expected an adaptation, got {other}"),
        }
        assert_eq!(
            plugged.plan.to_string(),
            format!("adapt G1 -> {} with fused-g1-on-{}, fused into the guest's component", host.id(), host.id().to_lowercase())
        );
        let after = kv_adapt::surface("plugged", &plugged.component).unwrap();
        assert!(!after.imports.is_empty());
        for import in &after.imports {
            assert!(import.starts_with("wasi:keyvalue/") && import.ends_with(version), "{host:?}: {import}");
        }
    }
}
