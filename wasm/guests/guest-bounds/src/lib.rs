//! The guest of `tests/bounds.rs`: does what a runaway or careless component does to the
//! resources behind its key-value imports, and says whether the generation answered with
//! a result (success or its error) and whether the imports still work afterwards. Built as
//! G2, G3, G4, G5 or G6 (one feature each); it exports `conformance.run(case)` so the test
//! harness drives it like the conformance guests, with the size in the case name:
//!
//! - `leak-values N`: N outgoing values made and never dropped (G2: `new-outgoing-value`
//!   without `drop-outgoing-value`; G3/G4: the resource is `mem::forget`-ed so its
//!   destructor never runs); `leak-values-with-body N`: each also gets a 16-byte body;
//! - `leak-buckets N`: N `open` results never dropped (G5/G6 `store.open`, G3/G4
//!   `open-bucket`, G2 `open-bucket` without `drop-bucket`);
//! - `leak-cas N` (G6 only): N `cas` handles never dropped or swapped;
//! - `batch N`: one `set-many` of N keys (8-byte values), then one `get-many` of them;
//! - `big-value MIB`: a value of MIB MiB written with the sync call and read back, compared
//!   byte for byte.
//!
//! After every case a small `set` and `get` must still work. The answer is `ok`, or the
//! first thing that failed with the generation's error text and how far the case got.

#[cfg(not(any(feature = "g2", feature = "g3", feature = "g4", feature = "g5", feature = "g6")))]
compile_error!("enable exactly one of the features g2, g3, g4, g5, g6");

#[cfg(feature = "g2")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g2-conformance-guest", generate_all });
#[cfg(feature = "g3")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g3-conformance-guest", generate_all });
#[cfg(feature = "g4")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g4-conformance-guest", generate_all });
#[cfg(feature = "g5")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g5-conformance-guest", generate_all });
#[cfg(feature = "g6")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g6-conformance-guest", generate_all });

/// `write_all` and `read_all` over one wasi:io release's `streams` bindings (rc-2023-11-10
/// for G2, 0.2.0 for G3/G4).
#[cfg(any(feature = "g2", feature = "g3", feature = "g4"))]
macro_rules! stream_io {
    ($($streams:ident)::+) => {
        use $($streams)::+::{InputStream, OutputStream, StreamError};

        fn stream_fail(call: &str, error: StreamError) -> String {
            match error {
                StreamError::Closed => format!("{call}: stream closed"),
                StreamError::LastOperationFailed(e) => format!("{call}: {}", e.to_debug_string()),
            }
        }

        /// Writes `value` at most `check-write` bytes per `write`, as wasi:io asks.
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
mod kv;
#[cfg(any(feature = "g3", feature = "g4"))]
#[path = "eventual.rs"]
mod kv;
#[cfg(any(feature = "g5", feature = "g6"))]
#[path = "today.rs"]
mod kv;

/// One generation's calls, each answering with the generation's error as text.
trait Kv: Sized {
    fn open() -> Result<Self, String>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String>;
    /// A missing key is an error here on every generation.
    fn get(&self, key: &str) -> Result<Vec<u8>, String>;
    /// [`Kv::set`] and [`Kv::get`] through wasi:io streams; `Err` on generations without.
    fn set_streamed(&self, key: &str, value: &[u8]) -> Result<(), String>;
    fn get_streamed(&self, key: &str) -> Result<Vec<u8>, String>;
    /// One batch write of `pairs`, then one batch read of their keys, in order.
    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), String>;
    fn get_many(&self, keys: &[String]) -> Result<Vec<Vec<u8>>, String>;
    /// Makes one outgoing value (with `body` when given) and leaks it.
    fn leak_value(body: Option<&[u8]>) -> Result<(), String>;
    /// Opens bucket "" once more and leaks the handle.
    fn leak_bucket() -> Result<(), String>;
    /// Starts a `cas` on `key` and leaks it; `Err` on generations without `cas`.
    fn leak_cas(&self, key: &str) -> Result<(), String>;
}

/// A value of `len` bytes whose every position is checked on the way back.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3]).collect()
}

fn repeat(what: &str, count: u64, mut step: impl FnMut() -> Result<(), String>) -> Result<(), String> {
    for i in 0..count {
        step().map_err(|e| format!("{what} {} of {count}: {e}", i + 1))?;
    }
    Ok(())
}

fn still_works(kv: &kv::Store) -> Result<(), String> {
    kv.set("after", b"still here").map_err(|e| format!("set after the case: {e}"))?;
    let back = kv.get("after").map_err(|e| format!("get after the case: {e}"))?;
    if back != b"still here" {
        return Err(format!("get after the case: expected \"still here\", got {} bytes", back.len()));
    }
    Ok(())
}

/// Writes a value of `mib` MiB with `set`, reads it with `get` and compares.
fn round_trip(
    mib: u64,
    set: impl FnOnce(&[u8]) -> Result<(), String>,
    get: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Result<(), String> {
    let len = usize::try_from(mib << 20).map_err(|_| format!("{mib} MiB does not fit in memory"))?;
    let value = pattern(len);
    set(&value).map_err(|e| format!("set of {mib} MiB: {e}"))?;
    let back = get().map_err(|e| format!("get of {mib} MiB: {e}"))?;
    if back.len() != value.len() {
        return Err(format!("get of {mib} MiB: {} bytes came back", back.len()));
    }
    match back.iter().zip(&value).position(|(a, b)| a != b) {
        Some(at) => Err(format!("get of {mib} MiB: byte {at} differs")),
        None => Ok(()),
    }
}

fn run(case: &str) -> Result<(), String> {
    let (name, size) = case.split_once(' ').ok_or_else(|| format!("case {case:?}: expected `NAME SIZE`"))?;
    let size: u64 = size.parse().map_err(|_| format!("case {case:?}: size is not a number"))?;
    let kv = kv::Store::open()?;
    match name {
        "leak-values" => repeat("leaked value", size, || kv::Store::leak_value(None))?,
        "leak-values-with-body" => repeat("leaked value", size, || kv::Store::leak_value(Some(b"sixteen bytes!!!")))?,
        "leak-buckets" => repeat("leaked bucket", size, kv::Store::leak_bucket)?,
        "leak-cas" => {
            kv.set("cas", b"0").map_err(|e| format!("set before leak-cas: {e}"))?;
            repeat("leaked cas", size, || kv.leak_cas("cas"))?
        }
        "batch" => {
            let pairs: Vec<(String, Vec<u8>)> = (0..size).map(|i| (format!("k{i}"), i.to_le_bytes().to_vec())).collect();
            kv.set_many(&pairs).map_err(|e| format!("set-many of {size} keys: {e}"))?;
            let keys: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
            let values = kv.get_many(&keys).map_err(|e| format!("get-many of {size} keys: {e}"))?;
            if values.len() != pairs.len() {
                return Err(format!("get-many of {size} keys: {} values came back", values.len()));
            }
            if let Some(i) = values.iter().zip(&pairs).position(|(v, (_, want))| v != want) {
                return Err(format!("get-many of {size} keys: the value of {:?} differs", pairs[i].0));
            }
        }
        "big-value" => round_trip(size, |v| kv.set("big", v), || kv.get("big"))?,
        "big-value-streamed" => round_trip(size, |v| kv.set_streamed("big", v), || kv.get_streamed("big"))?,
        _ => return Err(format!("unknown case {name:?}; cases: batch, leak-values, leak-values-with-body, leak-buckets, leak-cas, big-value, big-value-streamed")),
    }
    still_works(&kv)
}

struct Bounds;

impl exports::kv_adapt::components::conformance::Guest for Bounds {
    fn run(case: String) -> Result<(), String> {
        run(&case)
    }
}

export!(Bounds);
