//! The key-value of the WASI 0.3 hosts, Spin 4's `spin:key-value@3.0.0` and wasmCloud 2's
//! `wasmcloud:keyvalue@0.2.0`: served natively by kv-adapt's hosts (`hosts`), and adapted
//! onto the WASI 0.2 generations (`fronts`) and onto each other (`between`); wasmCloud 2's
//! labelled imports (`labels`); serving a WASI 0.3 HTTP handler (`serve`); wasmCloud 2's
//! watcher (`watch`). One test binary for all, so that CI links wasmtime once.

mod between;
mod fronts;
mod hosts;
mod labels;
mod serve;
mod shared;
mod watch;
