//! The benchmark guest of `benches/overhead.rs`: the same key-value workloads written once
//! against the small `Kv` trait, built against one generation chosen by feature:
//! - `g5`: `wasi:keyvalue/{store,atomics,batch}@0.2.0-draft`, called on the host directly
//!   (the baseline every adapter is measured against);
//! - `g2`: late-2023 `wasi:keyvalue` (u32 handles), through the G2 adapter;
//! - `g4`: `wasi:keyvalue/{eventual,atomic,eventual-batch}@0.2.0-draft`, through the G4 adapter.
//!
//! Each backend does what a real component of its generation must do for the same logical
//! operation (G2: get, consume, drop the incoming value; G4: the resource equivalents),
//! so the time measured is what a component of that generation pays, not a shortcut.
//! What differs in meaning: G5 has no compare-and-swap, so its `cas` is the honest
//! equivalent a G5 component would write (get, decode the decimal counter, compare, set;
//! not atomic), and G5 has no async bodies (`get-async-*`/`set-async-*` are refused; the
//! host compares them with the direct path's sync calls).
//!
//! `setup` seeds what a workload reads, outside the timed region; `run` does `iterations`
//! operations and returns a checksum of what was read, so no call can be optimised away and
//! a wrong answer shows up as an error rather than as a fast run.

#[cfg(not(any(feature = "g2", feature = "g4", feature = "g5")))]
compile_error!("enable exactly one of the features `g2`, `g4`, `g5`");
#[cfg(any(all(feature = "g2", feature = "g4"), all(feature = "g2", feature = "g5"), all(feature = "g4", feature = "g5")))]
compile_error!("features `g2`, `g4` and `g5` are exclusive; build with --no-default-features --features <one>");

// The key-value types name wasi:io streams; generate_all brings those bindings in too.
#[cfg(feature = "g2")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g2-bench-guest", generate_all });
#[cfg(feature = "g4")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g4-bench-guest", generate_all });
#[cfg(feature = "g5")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g5-bench-guest", generate_all });

/// Defines `stream_fail`, `write_all` and `read_all` over one wasi:io release's generated
/// `streams` module (rc-2023-11-10 for the G2 guest, 0.2.0 for G4): the same loops, types
/// generated twice.
// G5 has no streams: only the G2 and G4 backends use this.
#[cfg(any(feature = "g2", feature = "g4"))]
macro_rules! stream_io {
    ($($streams:ident)::+) => {
        use $($streams)::+::{InputStream, OutputStream, StreamError};

        fn stream_fail(call: &str, error: StreamError) -> String {
            match error {
                StreamError::Closed => format!("{call}: stream closed"),
                StreamError::LastOperationFailed(e) => format!("{call}: {}", e.to_debug_string()),
            }
        }

        /// Writes `value` to `stream` as wasi:io asks: at most `check-write` bytes per `write`.
        fn write_all(stream: &OutputStream, value: &[u8]) -> Result<(), String> {
            let mut rest = value;
            while !rest.is_empty() {
                let budget = stream.check_write().map_err(|e| stream_fail("check-write", e))?;
                if budget == 0 {
                    stream.subscribe().block();
                    continue;
                }
                let n = usize::try_from(budget).unwrap_or(usize::MAX).min(rest.len());
                stream.write(&rest[..n]).map_err(|e| stream_fail("write", e))?;
                rest = &rest[n..];
            }
            stream.blocking_flush().map_err(|e| stream_fail("blocking-flush", e))
        }

        /// Reads `stream` to its end.
        fn read_all(stream: &InputStream) -> Result<Vec<u8>, String> {
            let mut body = Vec::new();
            loop {
                match stream.blocking_read(1 << 20) {
                    Ok(chunk) if body.is_empty() => body = chunk,
                    Ok(chunk) => body.extend_from_slice(&chunk),
                    Err(StreamError::Closed) => return Ok(body),
                    Err(e) => return Err(stream_fail("blocking-read", e)),
                }
            }
        }
    };
}

#[cfg(feature = "g2")]
#[path = "g2.rs"]
mod backend;
#[cfg(feature = "g4")]
#[path = "g4.rs"]
mod backend;
#[cfg(feature = "g5")]
#[path = "g5.rs"]
mod backend;

mod workload;

use std::cell::OnceCell;

/// One generation's way of doing each logical operation. Errors are the generation's
/// error text (a G2 trace, a G5 variant), prefixed with the call.
pub trait Kv: Sized {
    /// Opens bucket "" (the only one wasmtime's host opens).
    fn open() -> Result<Self, String>;
    fn get(&self, key: &str) -> Result<Vec<u8>, String>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String>;
    /// Reads the value through a wasi:io input stream; `Err` when the generation has none.
    fn get_async(&self, key: &str) -> Result<Vec<u8>, String>;
    /// Writes the value through a wasi:io output stream; `Err` when the generation has none.
    fn set_async(&self, key: &str, value: &[u8]) -> Result<(), String>;
    fn exists(&self, key: &str) -> Result<bool, String>;
    fn increment(&self, key: &str, delta: u64) -> Result<u64, String>;
    /// Whether the counter at `key` held `old` and now holds `new`.
    fn compare_and_swap(&self, key: &str, old: u64, new: u64) -> Result<bool, String>;
    /// The values of `keys`, in order; a missing key is an error.
    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String>;
    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String>;
    /// Every key of the bucket, all pages.
    fn list_keys(&self) -> Result<Vec<String>, String>;
}

thread_local! {
    /// Opened once per instance: wasmtime's host gives every `open` its own copy of the data.
    static BUCKET: OnceCell<backend::Store> = const { OnceCell::new() };
}

fn with_bucket<T>(f: impl FnOnce(&backend::Store) -> Result<T, String>) -> Result<T, String> {
    BUCKET.with(|cell| {
        if cell.get().is_none() {
            let store = backend::Store::open()?;
            // Cannot fail: checked empty just above, and nothing else runs in between.
            let _ = cell.set(store);
        }
        f(cell.get().expect("bucket was just opened"))
    })
}

struct Bench;

impl exports::kv_adapt::components::bench::Guest for Bench {
    fn setup(workload: String) -> Result<(), String> {
        let w = workload::Workload::parse(&workload)?;
        with_bucket(|kv| w.setup(kv))
    }

    fn run(workload: String, iterations: u32) -> Result<u64, String> {
        let w = workload::Workload::parse(&workload)?;
        with_bucket(|kv| w.run(kv, iterations))
    }
}

export!(Bench);
