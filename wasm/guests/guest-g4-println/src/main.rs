//! An early-2024 G4 command (`wasi:keyvalue@0.2.0-draft` eventual, atomic) that also
//! prints through Rust std's WASI. Because it imports WASI beyond the wasi:io its
//! key-value types need, kv-adapt picks the pass-through flavour for it (wasi:io stays
//! the host's); this guest shows that flavour composes and runs beside the host's WASI.
//!
//! It opens bucket "", stores "greeting" with a sync body, reads it back, increments the
//! counter "runs" and prints what it saw. Any failure is printed to stderr and ends the
//! run with a non-zero exit code. What the runner passed through is printed too when there
//! is any: arguments after the program name, `GREETING_TO` from the environment, and the
//! text of the file `READ_FILE` names (in a directory preopened with `--dir`).

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "wasi:keyvalue/eventual-imports@0.2.0-draft",
    // wasi:io comes in only through the key-value types; generate it here too.
    generate_all,
});

use wasi::keyvalue0_2_0_draft::types::{Bucket, IncomingValue, OutgoingValue};
use wasi::keyvalue0_2_0_draft::{atomic, eventual, wasi_keyvalue_error::Error};

const GREETING: &str = "hello from 2024";

fn main() {
    if let Err(message) = run() {
        eprintln!("guest-g4-println: {message}");
        std::process::exit(1);
    }
}

fn trace(what: &str) -> impl FnOnce(Error) -> String + '_ {
    move |e| format!("{what}: {}", e.trace())
}

fn run() -> Result<(), String> {
    let bucket = Bucket::open_bucket("").map_err(trace("open-bucket(\"\")"))?;

    let value = OutgoingValue::new_outgoing_value();
    value
        .outgoing_value_write_body_sync(GREETING.as_bytes())
        .map_err(trace("outgoing-value-write-body-sync"))?;
    eventual::set(&bucket, "greeting", &value).map_err(trace("set greeting"))?;

    let incoming = eventual::get(&bucket, "greeting")
        .map_err(trace("get greeting"))?
        .ok_or("get greeting: the key just set is missing")?;
    let body = IncomingValue::incoming_value_consume_sync(incoming).map_err(trace("consume greeting"))?;
    let greeting = String::from_utf8(body).map_err(|e| format!("greeting is not UTF-8: {e}"))?;
    if greeting != GREETING {
        return Err(format!("greeting read back as {greeting:?}, expected {GREETING:?}"));
    }
    println!("greeting: {greeting}");

    let runs = atomic::increment(&bucket, "runs", 1).map_err(trace("increment runs"))?;
    println!("runs: {runs}");

    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        println!("args: {}", args.join(" "));
    }
    if let Ok(to) = std::env::var("GREETING_TO") {
        println!("greeting to: {to}");
    }
    if let Ok(path) = std::env::var("READ_FILE") {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
        println!("{path}: {}", text.trim_end());
    }
    Ok(())
}
