//! `guest-g6-counter DELTA...`: applies each signed delta to the counter `seats` of bucket
//! `""` with G6 `atomics.increment` and prints each result on its own line.
//! `guest-g6-counter swap KEY VALUE`: replaces KEY's value with VALUE through a `cas`,
//! printing `swapped`. Any key-value error goes to stderr and exits 1, so a runner's
//! diagnostics are what says which error the guest got.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g6-client",
    generate_all,
});

use wasi::keyvalue0_2_0_draft2::{atomics, store};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("swap") => match &args[1..] {
            [key, value] => swap(key, value),
            _ => usage(),
        },
        Some(_) => match args.iter().map(|a| a.parse::<i64>()).collect::<Result<Vec<_>, _>>() {
            Ok(deltas) => count(&deltas),
            Err(_) => usage(),
        },
        None => usage(),
    };
    if let Err(error) = outcome {
        eprintln!("guest-g6-counter: {error:?}");
        std::process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("usage: guest-g6-counter DELTA... | guest-g6-counter swap KEY VALUE");
    std::process::exit(2);
}

fn count(deltas: &[i64]) -> Result<(), store::Error> {
    let bucket = store::open("")?;
    for delta in deltas {
        println!("{}", atomics::increment(&bucket, "seats", *delta)?);
    }
    Ok(())
}

fn swap(key: &str, value: &str) -> Result<(), store::Error> {
    let bucket = store::open("")?;
    let mut cas = atomics::Cas::new(&bucket, key)?;
    loop {
        match atomics::swap(cas, value.as_bytes()) {
            Ok(()) => break,
            Err(atomics::CasError::CasFailed(again)) => cas = again,
            Err(atomics::CasError::StoreError(e)) => return Err(e),
        }
    }
    println!("swapped");
    Ok(())
}
