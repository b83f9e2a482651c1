//! `guest-g5-counter-loop N`: adds 1 to the counter `n` of bucket `counters`, N times, with
//! G5 `atomics.increment`. Run several at once on one store: the counter must end at the
//! sum of their N, or the store lost increments.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g5-client",
    generate_all,
});

use wasi::keyvalue0_2_0_draft::{atomics, store};

fn main() {
    let times: u64 = match std::env::args().nth(1).map(|n| n.parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: guest-g5-counter-loop N");
            std::process::exit(2);
        }
    };
    let result = store::open("counters").and_then(|bucket| (0..times).try_for_each(|_| atomics::increment(&bucket, "n", 1).map(drop)));
    if let Err(error) = result {
        eprintln!("guest-g5-counter-loop: {error:?}");
        std::process::exit(1);
    }
}
