//! An early-2024 "eventual" key-value component that checks what the G3/G4 doc comments
//! promise, one named case per `conformance.run` call. G3 (`wasi:keyvalue@0.1.0`) and G4
//! (`wasi:keyvalue@0.2.0-draft`, interfaces `eventual`, `atomic`, `eventual-batch`) are one
//! shape under two versions, so this one source builds as either: the `g3` or `g4` feature
//! picks the world, and `keyvalue` below names that version's bindings.
//!
//! It is the guest side of `tests/eventual_conformance.rs`: the host test gives every case
//! a fresh instance and an empty store, and expects `ok` or the first failed expectation
//! as a sentence (what was called, what was expected, what came back).
//!
//! Nothing here knows which host or adapter serves the imports, or how counters are laid
//! out in bytes: counters are only touched through `increment` and `compare-and-swap`.

#[cfg(all(feature = "g3", feature = "g4"))]
compile_error!("features `g3` and `g4` are exclusive; build with --no-default-features --features g3 (or g4)");
#[cfg(not(any(feature = "g3", feature = "g4")))]
compile_error!("enable exactly one of the features `g3` (wasi:keyvalue@0.1.0) or `g4` (@0.2.0-draft)");

// wasi:io@0.2.0 comes in only through the key-value types; generate it here too.
#[cfg(feature = "g3")]
wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g3-conformance-guest",
    generate_all,
});
#[cfg(feature = "g4")]
wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g4-conformance-guest",
    generate_all,
});

/// The bindings of the generation this build imports.
#[cfg(feature = "g3")]
use wasi::keyvalue0_1_0 as keyvalue;
#[cfg(all(feature = "g4", not(feature = "g3")))]
use wasi::keyvalue0_2_0_draft as keyvalue;

mod cases;
mod kv;

struct Conformance;

impl exports::kv_adapt::components::conformance::Guest for Conformance {
    fn run(case: String) -> Result<(), String> {
        guest_support::run_case(cases::ALL, &case)
    }
}

export!(Conformance);
