//! A component of today's key-value shape that checks what the G5/G6 doc comments promise,
//! one named case per `conformance.run` call. G5 (`wasi:keyvalue@0.2.0-draft`) and G6
//! (`@0.2.0-draft2`) are one shape with three differences (the `list-keys` cursor is u64 or
//! string, `increment` is u64 or s64, only G6 has `cas`), so this one source builds as
//! either: the `g5` or `g6` feature picks the world, and `keyvalue` names its bindings.
//!
//! It is the guest side of `tests/store_conformance.rs`, which runs it natively on a host of
//! its own generation and through the sideways adapters; every case gets a fresh instance
//! and an empty store, and answers `ok` or the first failed expectation as a sentence.
//! Counters are only touched through `increment`: their byte layout is the host's business.

#[cfg(all(feature = "g5", feature = "g6"))]
compile_error!("features `g5` and `g6` are exclusive; build with --no-default-features --features g5 (or g6)");
#[cfg(not(any(feature = "g5", feature = "g6")))]
compile_error!("enable exactly one of the features `g5` (wasi:keyvalue@0.2.0-draft) or `g6` (@0.2.0-draft2)");

#[cfg(feature = "g5")]
wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g5-conformance-guest",
    generate_all,
});
#[cfg(all(feature = "g6", not(feature = "g5")))]
wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g6-conformance-guest",
    generate_all,
});

/// The bindings of the generation this build imports.
#[cfg(feature = "g5")]
use wasi::keyvalue0_2_0_draft as keyvalue;
#[cfg(all(feature = "g6", not(feature = "g5")))]
use wasi::keyvalue0_2_0_draft2 as keyvalue;

mod cases;
mod kv;

struct Conformance;

impl exports::kv_adapt::components::conformance::Guest for Conformance {
    fn run(case: String) -> Result<(), String> {
        guest_support::run_case(cases::ALL, &case)
    }
}

export!(Conformance);
