//! `examples/g2-visit-counter` rewritten for G5 (`wasi:keyvalue@0.2.0-draft`), the way a
//! team moving off the late-2023 draft would port it: same bucket, same keys, same
//! counter. G5 values are plain bytes, so the value the G2 original wrote through a wasi:io
//! stream is written in one piece here, and its text says so: the two builds differ in
//! exactly that one key, which is what `kv-adapt diff` must point at.
//!
//! It prints what it stored, so stdout can be compared too.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g5-client",
    generate_all,
});

use wasi::keyvalue0_2_0_draft::{atomics, store};

fn main() {
    if let Err(message) = visit() {
        eprintln!("guest-g5-visit-counter: {message}");
        std::process::exit(1);
    }
}

fn text(error: store::Error) -> String {
    match error {
        store::Error::NoSuchStore => "no such store".into(),
        store::Error::AccessDenied => "access denied".into(),
        store::Error::Other(text) => text,
    }
}

fn visit() -> Result<(), String> {
    let bucket = store::open("visits").map_err(text)?;
    let visits = atomics::increment(&bucket, "visits", 1).map_err(text)?;

    let greeting = format!("hello, visitor number {visits}");
    bucket.set("last-greeting", greeting.as_bytes()).map_err(text)?;
    let whole = format!("visit {visits}, written in one piece\n");
    bucket.set("streamed", whole.as_bytes()).map_err(text)?;

    let read_greeting = bucket.get("last-greeting").map_err(text)?;
    let read_whole = bucket.get("streamed").map_err(text)?;
    if read_greeting.as_deref() != Some(greeting.as_bytes()) || read_whole.as_deref() != Some(whole.as_bytes()) {
        return Err("a value read back differs from what was written".into());
    }
    Ok(())
}
