//! A G5 command that nobody on this project wrote the bindings for: it uses the
//! `wasi:keyvalue@0.2.0-draft` bindings that wasmCloud ships in `wasmcloud-component`
//! 0.2.0 (wit-bindgen 0.32, late 2024), as a wasmCloud 1.x component would. It prints what
//! it read, so a run on wasmtime's own G5 host and a run through `adapter-g5-on-g6` on a
//! G6 store can be compared line for line.

use std::process::ExitCode;
use wasmcloud_component::wasi::keyvalue::{atomics, batch, store};

fn main() -> ExitCode {
    match visit() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("key-value error: {error:?}");
            ExitCode::FAILURE
        }
    }
}

fn visit() -> Result<(), store::Error> {
    // "" is the bucket every host opens (wasmtime's only one).
    let bucket = store::open("")?;
    bucket.set("greeting", b"hello from wasmcloud-component")?;
    let visits = atomics::increment(&bucket, "visits", 1)?;
    let visits = atomics::increment(&bucket, "visits", 41).map(|_| visits + 41)?;
    batch::set_many(&bucket, &[("a".to_string(), b"1".to_vec()), ("b".to_string(), b"2".to_vec())])?;
    let many = batch::get_many(&bucket, &["a".to_string(), "missing".to_string(), "b".to_string()])?;

    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = bucket.list_keys(cursor)?;
        keys.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    keys.sort();

    let greeting = bucket.get("greeting")?.unwrap_or_default();
    println!("greeting: {}", String::from_utf8_lossy(&greeting));
    println!("visits: {visits}");
    let found: Vec<String> = many
        .iter()
        .map(|entry| match entry {
            Some((key, value)) => format!("{key}={}", String::from_utf8_lossy(value)),
            None => "none".to_string(),
        })
        .collect();
    println!("get-many: {}", found.join(" "));
    println!("keys: {}", keys.join(","));
    bucket.delete("a")?;
    batch::delete_many(&bucket, &["b".to_string(), "never-there".to_string()])?;
    println!("after deletes: a={} b={} missing-get={:?}", bucket.exists("a")?, bucket.exists("b")?, bucket.get("a")?);
    Ok(())
}
