//! A G2 command that adds 1 to the decimal counter `n` of bucket `counters` TIMES times, the
//! way a late-2023 component did without `increment`: read the value, then
//! `compare-and-swap(old, old + 1)`, and read again when another writer got there first.
//! Several at once on one store end at the sum only where compare-and-swap is atomic
//! across processes.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g2-command",
    generate_all,
});

use wasi::keyvalue::{atomic, readwrite, types, wasi_cloud_error};

/// Successful swaps per run (the G2 command world has no arguments).
const TIMES: u32 = 250;

struct CasLoop;

impl exports::wasi::cli0_2_0_rc_2023_11_10::run::Guest for CasLoop {
    fn run() -> Result<(), ()> {
        count().map_err(|_| ())
    }
}

export!(CasLoop);

fn trace(error: wasi_cloud_error::Error) -> String {
    let text = wasi_cloud_error::trace(error);
    wasi_cloud_error::drop_error(error);
    text
}

fn read(bucket: types::Bucket) -> Result<u64, String> {
    let incoming = readwrite::get(bucket, "n").map_err(trace)?;
    let bytes = types::incoming_value_consume_sync(incoming).map_err(trace);
    types::drop_incoming_value(incoming);
    let bytes = bytes?;
    core::str::from_utf8(&bytes).ok().and_then(|t| t.parse().ok()).ok_or_else(|| "the counter is not decimal".to_string())
}

fn count() -> Result<(), String> {
    let bucket = types::open_bucket("counters").map_err(trace)?;
    // `increment` by 0 makes the key exist at 0 without touching a value already there.
    atomic::increment(bucket, "n", 0).map_err(trace)?;
    for _ in 0..TIMES {
        loop {
            let old = read(bucket)?;
            if atomic::compare_and_swap(bucket, "n", old, old + 1).map_err(trace)? {
                break;
            }
        }
    }
    types::drop_bucket(bucket);
    Ok(())
}
