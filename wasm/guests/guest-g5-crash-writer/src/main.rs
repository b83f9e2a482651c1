//! The crash test's writer and reader, on bucket `crash`, keys `k0`..`k3`:
//!
//! - `guest-g5-crash-writer write SEED [ROUNDS]` sets a random key to a value of random
//!   length (1 byte to 1 MiB, `guest_support::whole`) made from a random seed, ROUNDS times
//!   or until killed. Before each `set` it prints `writing KEY LEN SEED`, after it
//!   `wrote KEY`, so whoever kills it knows which values each key may hold.
//! - `guest-g5-crash-writer verify [NAME...]` lists the bucket (every page) and reads every
//!   key: each must be one of `k0`..`k3` and hold a whole value; it prints `key KEY LEN SEED`
//!   for each (SEED `-` for a short value). Each NAME (a temp or lock file name seen on
//!   disk) must read as no key. Exit code 1 and a line on stderr for the first failure.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g5-client",
    generate_all,
});

use guest_support::whole;
use wasi::keyvalue0_2_0_draft::store;

const BUCKET: &str = "crash";
const KEYS: [&str; 4] = ["k0", "k1", "k2", "k3"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("write") => match (args.get(1).map(|s| s.parse()), args.get(2).map(|s| s.parse())) {
            (Some(Ok(seed)), None) => write(seed, u64::MAX),
            (Some(Ok(seed)), Some(Ok(rounds))) => write(seed, rounds),
            _ => usage(),
        },
        Some("verify") => verify(&args[1..]),
        _ => usage(),
    };
    if let Err(message) = outcome {
        eprintln!("guest-g5-crash-writer: {message}");
        std::process::exit(1);
    }
}

fn usage() -> Result<(), String> {
    eprintln!("usage: guest-g5-crash-writer write SEED [ROUNDS] | verify [NAME...]");
    std::process::exit(2);
}

fn write(seed: u64, rounds: u64) -> Result<(), String> {
    let bucket = store::open(BUCKET).map_err(|e| format!("open: {e:?}"))?;
    let mut rng = whole::Rng(seed);
    for _ in 0..rounds {
        let key = KEYS[(rng.next() % KEYS.len() as u64) as usize];
        let len = rng.length();
        let value_seed = rng.next();
        println!("writing {key} {len} {value_seed}");
        bucket.set(key, &whole::value(len, value_seed)).map_err(|e| format!("set {key}: {e:?}"))?;
        println!("wrote {key}");
    }
    Ok(())
}

fn verify(absent: &[String]) -> Result<(), String> {
    let bucket = store::open(BUCKET).map_err(|e| format!("open: {e:?}"))?;
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = bucket.list_keys(cursor).map_err(|e| format!("list-keys: {e:?}"))?;
        keys.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    for key in &keys {
        if !KEYS.contains(&key.as_str()) {
            return Err(format!("list-keys returned {key:?}, which no writer wrote (a temp or lock file?)"));
        }
        let bytes = bucket.get(key).map_err(|e| format!("get {key}: {e:?}"))?.ok_or_else(|| format!("{key} was listed but reads as absent"))?;
        let seed = whole::check(&bytes).map_err(|why| format!("{key} is not a whole value: {why}"))?;
        match seed {
            Some(seed) => println!("key {key} {} {seed}", bytes.len()),
            None => println!("key {key} {} -", bytes.len()),
        }
    }
    for name in absent {
        if let Some(bytes) = bucket.get(name).map_err(|e| format!("get {name:?}: {e:?}"))? {
            return Err(format!("get {name:?} returned {} bytes: a file that is not a key was read as one", bytes.len()));
        }
    }
    Ok(())
}
