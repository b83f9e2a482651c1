//! Every case of the early-2024 "eventual" conformance guest (`wasm/guests/guest-eventual-conformance`,
//! built once as G3 `wasi:keyvalue@0.1.0` and once as G4 `@0.2.0-draft`) on every host
//! setup, one test per (generation, setup, case), so a failure names all three. The guest
//! does the checking; a failed case's message says what it called, expected and got.
//! Each guest also runs natively on kv-adapt's strict host of its generation (`host::eventual`).
//! Also runs the G4 command `wasm/guests/guest-g4-println`, which prints through the host's WASI.
//!
//! `cargo test --test eventual_conformance` runs them all; `cargo test eventual_conformance::g3`
//! one generation; `cargo test g4::fs_store_draft2` one setup; `cargo test compare_and_swap`
//! one family everywhere.

mod common;

use common::{conformance_tests, Bodies, Host, Setup};
use kv_adapt::{CounterEncoding, Generation, Wrapped};

const WASMTIME_ADAPTER_IO: Setup =
    Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
const WASMTIME_HOST_IO: Setup =
    Setup { host: Host::WasmtimeDraft, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
const FS_DRAFT_ADAPTER_IO: Setup =
    Setup { host: Host::FsStoreDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Le64, strict_atomics: false };
const FS_DRAFT2_ADAPTER_IO: Setup =
    Setup { host: Host::FsStoreDraft2, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
const FS_DRAFT2_HOST_IO: Setup =
    Setup { host: Host::FsStoreDraft2, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
/// The wrapping flavour with every group (stdio, monotonic clock, files), forced onto a
/// guest that imports none of them: value bodies must behave exactly as in `-io`.
const ALL_GROUPS: Bodies = Bodies::Wrapping(Wrapped { stdio: true, clock: true, files: true });
const WASMTIME_WRAPPING: Setup = Setup { host: Host::WasmtimeDraft, bodies: ALL_GROUPS, counter: CounterEncoding::Decimal, strict_atomics: false };
const FS_DRAFT2_WRAPPING: Setup = Setup { host: Host::FsStoreDraft2, bodies: ALL_GROUPS, counter: CounterEncoding::Decimal, strict_atomics: false };

/// The cases every setup must pass (sync bodies, bucket "" only), plus the given extras.
macro_rules! portable_conformance_tests {
    ($guest:expr, $module:ident, $setup:expr; $($test:ident => $case:literal),* $(,)?) => {
        conformance_tests!($guest, $module, $setup;
            set_then_get_round_trips => "set-then-get-round-trips",
            unusual_keys_round_trip => "unusual-keys-round-trip",
            get_missing_key_is_none => "get-missing-key-is-none",
            delete_missing_key_succeeds => "delete-missing-key-succeeds",
            delete_removes_key => "delete-removes-key",
            exists_reports_presence => "exists-reports-presence",
            set_overwrites => "set-overwrites",
            incoming_value_size_reports_length => "incoming-value-size-reports-length",
            consume_sync_takes_ownership => "consume-sync-takes-ownership",
            set_without_body_is_error => "set-without-body-is-error",
            write_body_twice_is_error => "write-body-twice-is-error",
            outgoing_value_reusable_for_two_sets => "outgoing-value-reusable-for-two-sets",
            get_many_gives_none_for_missing => "get-many-gives-none-for-missing",
            keys_returns_every_key => "keys-returns-every-key",
            set_many_writes_all => "set-many-writes-all",
            set_many_with_bodyless_value_writes_nothing => "set-many-with-bodyless-value-writes-nothing",
            delete_many_skips_missing => "delete-many-skips-missing",
            increment_creates_and_adds => "increment-creates-and-adds",
            increment_on_non_counter_is_error => "increment-on-non-counter-is-error",
            compare_and_swap_swaps_when_equal => "compare-and-swap-swaps-when-equal",
            compare_and_swap_refuses_when_different => "compare-and-swap-refuses-when-different",
            compare_and_swap_missing_key_is_false => "compare-and-swap-missing-key-is-false",
            compare_and_swap_on_non_counter_is_error => "compare-and-swap-on-non-counter-is-error",
            two_opens_share_data => "two-opens-share-data",
            error_trace_is_readable => "error-trace-is-readable",
            resources_outlive_their_bucket => "resources-outlive-their-bucket",
            $($test => $case),*
        );
    };
}

/// One module per setup for the guest at `$guest`, and the checks on the guest itself.
macro_rules! eventual_conformance_setups {
    ($guest:expr, $generation:expr, $strict:expr) => {
        const GUEST: &str = $guest;

        // Natively on kv-adapt's strict host of the guest's own generation, which serves
        // async bodies through wasmtime-wasi's streams and opens any bucket name. This
        // proves the strict host against the same cases the adapters answer.
        portable_conformance_tests!(GUEST, strict_native,
            Setup { host: $strict, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
            async_body_round_trip => "async-body-round-trip",
        );

        // wasmtime's in-memory G5 host: only bucket "" opens, so an unknown name is refused.
        portable_conformance_tests!(GUEST, wasmtime_draft_adapter_io, WASMTIME_ADAPTER_IO;
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            async_body_round_trip => "async-body-round-trip",
        );

        // The pass-through flavour: wasi:io stays the host's, async bodies are refused.
        portable_conformance_tests!(GUEST, wasmtime_draft_host_io, WASMTIME_HOST_IO;
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
        );

        // Our filesystem store creates any bucket it is asked for, so no unknown-bucket case.
        portable_conformance_tests!(GUEST, fs_store_draft_adapter_io, FS_DRAFT_ADAPTER_IO;
            async_body_round_trip => "async-body-round-trip",
        );

        portable_conformance_tests!(GUEST, fs_store_draft2_adapter_io, FS_DRAFT2_ADAPTER_IO;
            async_body_round_trip => "async-body-round-trip",
        );

        portable_conformance_tests!(GUEST, fs_store_draft2_host_io, FS_DRAFT2_HOST_IO;
            async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
        );

        // The wrapping flavour (`adapter-gN-on-gM-io-wasi-stdio-clock-files`): the same
        // answers as `-io`, async bodies included.
        portable_conformance_tests!(GUEST, wasmtime_draft_wrapping, WASMTIME_WRAPPING;
            open_unknown_bucket_is_error => "open-unknown-bucket-is-error",
            async_body_round_trip => "async-body-round-trip",
        );

        portable_conformance_tests!(GUEST, fs_store_draft2_wrapping, FS_DRAFT2_WRAPPING;
            async_body_round_trip => "async-body-round-trip",
        );

        // Onto kv-adapt's G5 and G6 hosts over a real redis-server (decimal counters).
        portable_conformance_tests!(GUEST, redis_draft_adapter_io,
            Setup { host: Host::RedisDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
            async_body_round_trip => "async-body-round-trip",
        );

        portable_conformance_tests!(GUEST, redis_draft2_adapter_io,
            Setup { host: Host::RedisDraft2, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
            async_body_round_trip => "async-body-round-trip",
        );

        // Onto kv-adapt's Spin host (the G6 adapters, upstream batch served key by key
        // over Spin's store), over a directory and over Redis.
        portable_conformance_tests!(GUEST, dir_spin_adapter_io,
            Setup { host: Host::DirSpin, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
            async_body_round_trip => "async-body-round-trip",
        );
        portable_conformance_tests!(GUEST, dir_spin_host_io,
            Setup { host: Host::DirSpin, bodies: Bodies::Host, counter: CounterEncoding::Be64, strict_atomics: false };
            async_body_unsupported_reports_why => "async-body-unsupported-reports-why",
        );
        portable_conformance_tests!(GUEST, dir_spin_wrapping,
            Setup { host: Host::DirSpin, bodies: ALL_GROUPS, counter: CounterEncoding::Decimal, strict_atomics: false };
            async_body_round_trip => "async-body-round-trip",
        );
        portable_conformance_tests!(GUEST, redis_spin_adapter_io,
            Setup { host: Host::RedisSpin, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
            async_body_round_trip => "async-body-round-trip",
        );

        /// The build really imports its generation's version, and only that.
        #[test]
        fn guest_imports_its_generation() {
            let bytes = std::fs::read(GUEST).unwrap_or_else(|e| panic!("reading {GUEST}: {e}"));
            let surface = kv_adapt::surface(GUEST, &bytes).expect("guest is a valid component");
            assert_eq!(surface.imported_generations(), vec![$generation], "imports: {:?}", surface.imports);
        }

        /// The wrapping setups really run through a wrapping adapter.
        #[test]
        fn the_wrapping_setups_compose_a_wrapping_adapter() {
            let bytes = std::fs::read(GUEST).unwrap_or_else(|e| panic!("reading {GUEST}: {e}"));
            let options = kv_adapt::PlugOptions { bodies: Some(ALL_GROUPS), ..kv_adapt::PlugOptions::default() };
            let said = kv_adapt::plug_named(GUEST, &bytes, &options).expect("plug").plan.to_string();
            assert!(said.contains("-on-g5-io-wasi-stdio-clock-files"), "{said}");
        }

        /// An unknown case name must be refused, or a typo in this file would pass silently.
        #[test]
        fn unknown_case_is_refused() {
            match common::run_case(GUEST, WASMTIME_ADAPTER_IO, "no-such-case") {
                Err(message) if message.starts_with("unknown case \"no-such-case\"") => {}
                other => panic!("running case \"no-such-case\": expected an unknown-case error, got {other:?}"),
            }
        }

        /// Every case the guest knows runs on at least one setup here, so a case added to
        /// the guest is not silently skipped.
        #[test]
        fn every_guest_case_runs_somewhere() {
            let listed: Vec<&str> = [
                strict_native::CASES,
                wasmtime_draft_adapter_io::CASES,
                wasmtime_draft_host_io::CASES,
                fs_store_draft_adapter_io::CASES,
                fs_store_draft2_adapter_io::CASES,
                fs_store_draft2_host_io::CASES,
                redis_draft_adapter_io::CASES,
                redis_draft2_adapter_io::CASES,
                wasmtime_draft_wrapping::CASES,
                fs_store_draft2_wrapping::CASES,
                dir_spin_adapter_io::CASES,
                dir_spin_host_io::CASES,
                dir_spin_wrapping::CASES,
                redis_spin_adapter_io::CASES,
            ]
            .concat();
            let known = common::guest_cases(GUEST, WASMTIME_ADAPTER_IO);
            let never_run: Vec<&String> = known.iter().filter(|case| !listed.contains(&case.as_str())).collect();
            assert!(never_run.is_empty(), "guest cases no setup runs: {never_run:?}");
        }
    };
}

/// Named so that `cargo test eventual_conformance` selects exactly these tests.
mod eventual_conformance {
    use super::*;

    /// wasi:keyvalue@0.1.0.
    mod g3 {
        use super::*;
        eventual_conformance_setups!(common::G3_CONFORMANCE, Generation::G3, Host::StrictG3);
    }

    /// wasi:keyvalue@0.2.0-draft, eventual shape.
    mod g4 {
        use super::*;
        eventual_conformance_setups!(common::G4_CONFORMANCE, Generation::G4, Host::StrictG4);
    }
}

/// The G4 command prints with std, so `plug` must pick the pass-through flavour by itself;
/// its key-value calls then run next to the host's WASI.
mod g4_println {
    use super::*;

    fn check(setup: Setup) {
        let (succeeded, stdout) = common::run_command(common::G4_PRINTLN, setup);
        assert!(succeeded, "guest-g4-println on {setup:?} failed; it printed {stdout:?} (its reason is on stderr)");
        assert_eq!(stdout, "greeting: hello from 2024\nruns: 1\n", "stdout of guest-g4-println on {setup:?}");
    }

    #[test]
    fn runs_on_wasmtime_draft() {
        check(WASMTIME_HOST_IO);
    }

    #[test]
    fn runs_on_fs_store_draft2() {
        check(FS_DRAFT2_HOST_IO);
    }
}
