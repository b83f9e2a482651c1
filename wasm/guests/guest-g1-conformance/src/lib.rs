//! An early-2023 (G1: the stream-based draft, plain import names `streams`, `types`,
//! `readwrite`, `atomic`, `batch`, `wasi-cloud-error`) component that checks what the G1
//! doc comments promise, one named case per `conformance.run` call. It is the guest side
//! of `tests/g1_conformance.rs`: every case gets a fresh instance and an empty store, and
//! returns `ok` or the first failed expectation as a sentence.
//!
//! G1 writes a value's body only through a stream, so every value here goes through
//! `outgoing-value-write-body` and `streams.write`; values are read both ways (sync and
//! through `consume-async` and `streams.read`). Stream functions have no error payload,
//! so a refused stream call is checked as a bare `Err`.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g1-conformance-guest",
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
