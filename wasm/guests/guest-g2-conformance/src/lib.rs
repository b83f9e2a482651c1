//! A late-2023 (G2, unversioned `wasi:keyvalue`) component that checks what the G2 doc
//! comments promise, one named case per `conformance.run` call. It is the guest side of
//! `tests/g2_conformance.rs`: the host test gives every case a fresh instance and an
//! empty store, and expects `ok` or the first failed expectation as a sentence (what was
//! called, what was expected, what came back).
//!
//! Nothing here knows which host or adapter serves the imports, or how counters are laid
//! out in bytes: counters are only touched through `increment` and `compare-and-swap`.
//! Every error handle received is read with `trace` and freed with `drop-error`.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g2-conformance-guest",
    // wasi:io comes in only through the key-value types; generate it here too.
    generate_all,
});

mod cases;
mod kv;

struct Conformance;

impl exports::kv_adapt::components::conformance::Guest for Conformance {
    fn run(case: String) -> Result<(), String> {
        guest_support::run_case(cases::ALL, &case)
    }
}

export!(Conformance);
