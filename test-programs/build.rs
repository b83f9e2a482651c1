//! Builds the test guests from source, as wasmtime's test-programs artifacts crate does, so
//! that only the tests (this crate is a dev-dependency of kv-adapt) pay for them: the guests
//! of `wasm/guests`, the spin-sdk guests of `wasm/spin`, the spring-2023 guests of `wasm/era`
//! and the bundled example. Their directory reaches the tests through the `dir!` macro of
//! this crate.

use anyhow::{Context, Result};
use kv_adapt_wasm_build::{built, built_in, era_adapter, era_component, example, spin_guests, test_guests, ERA_GUESTS, SPIN_WORKSPACE};
use std::path::PathBuf;

fn main() -> Result<()> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).parent().context("test-programs sits in the checkout")?.to_path_buf();
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    for watched in ["wit", "wasm", "convert", "guest-support", "examples"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    // Beside the host's target dir, shared with `rebuild-shipped`, so it survives
    // `cargo clean -p` and the two builds share the wasm dependencies they both compile.
    let wasm_target = out.ancestors().nth(4).context("OUT_DIR is not inside a cargo target dir")?.join("kv-adapt-wasm");
    let guests = out.join("test-components");
    std::fs::create_dir_all(&guests)?;
    for build in test_guests() {
        if let Some(era) = build.target.era_adapter().filter(|era| era_adapter(&wasm_target, era).is_none()) {
            // Only these test guests need npm; the other guests build without it.
            println!("cargo:warning=skipping {}: {}", build.artifact, era.why_missing());
            continue;
        }
        built(&root, &build, &wasm_target, &guests)?;
    }
    // Its own target dir, as its own lock file resolves some crates differently.
    for build in spin_guests() {
        built_in(&root, SPIN_WORKSPACE, &build, &wasm_target.join("spin"), &guests)?;
    }
    for era in ERA_GUESTS {
        era_component(&root, era, &wasm_target, &guests)?;
    }
    std::fs::write(guests.join("g2-visit-counter.wasm"), example(&root, &wasm_target)?)?;
    let dir = guests.to_str().context("the test components' path is not UTF-8")?;
    std::fs::write(
        out.join("dir.rs"),
        format!("/// The directory of the test guests: `concat!(dir!(), \"/guest-g5-conformance.wasm\")`.\n#[macro_export]\nmacro_rules! dir {{\n    () => {{\n        {dir:?}\n    }};\n}}\n"),
    )?;
    Ok(())
}
