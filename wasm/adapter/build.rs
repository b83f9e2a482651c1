//! Puts this build's world together from its features: exactly one `front-*` (what the
//! guest sees) and one `back-*` (what the host offers), plus `io` for the fronts that can
//! serve value-body streams, and `wasi-*` for those that also wrap groups of the host's
//! WASI streams. The result is `world adapter { include front-X[-io]; [include
//! wasi-wrapped-G; ...] include
//! back-Y; }` in `$OUT_DIR/world/`, which `lib.rs` hands to wit-bindgen after our own WIT,
//! so no pair of generations needs a hand-written world or a cfg arm of its own.

use std::path::PathBuf;

const FRONTS: &[&str] = &["g1", "g2", "g3", "g4", "g5", "g6", "spin1", "spin2", "spin-draft2", "spin3", "wasmcloud2"];
/// Fronts whose interfaces have no watch handler, so no `watch-<front>-on-<back>` either.
/// (Spin's draft2 has a `watcher`, but Spin calls none, and its bucket is a type of the
/// renamed package no bridge world names.)
/// (wasmCloud 2's `watcher` is async: not bridged yet.)
const FRONTS_WITHOUT_WATCH: &[&str] = &["spin1", "spin2", "spin-draft2", "spin3", "wasmcloud2"];
const BACKS: &[&str] = &["g2", "g3", "g4", "g5", "g6", "spin3", "wasmcloud2"];
/// Backs whose every function is `async`: only an async export may wait for one, so they
/// serve only the other WASI 0.3 front.
const ASYNC_BACKS: &[(&str, &str)] = &[("spin3", "wasmcloud2"), ("wasmcloud2", "spin3")];
/// Fronts whose value bodies are wasi:io streams, so that an `-io` flavour exists.
const FRONTS_WITH_STREAMS: &[&str] = &["g2", "g3", "g4"];
/// Groups of host WASI a wrapping flavour can wrap, each a `wasi-<group>` feature and a
/// `wasi-wrapped-<group>` world.
const WASI_GROUPS: &[&str] = &["stdio", "clock", "files"];
/// Fronts that read and write counters and bodies over today's shape: the legacy ones.
const LEGACY_FRONTS: &[&str] = &["g1", "g2", "g3", "g4"];

#[path = "features.rs"]
mod features;
#[path = "../spin-draft2-wit.rs"]
mod spin_draft2_wit;
use features::{enabled, exactly_one, g1_world_items};

fn main() {
    let front = exactly_one("front", FRONTS);
    let back = exactly_one("back", BACKS);
    assert_ne!(front, back, "front and back are the same generation: nothing to adapt");
    let io = enabled("io");
    let async_back = ASYNC_BACKS.iter().any(|(b, _)| *b == back);
    assert!(!async_back || ASYNC_BACKS.contains(&(back, front)), "the {back} back serves only the other WASI 0.3 front");
    // Such a build has no synchronous `back` module and no table of opened host buckets:
    // each guest resource owns the host's.
    println!("cargo:rustc-check-cfg=cfg(async_back)");
    if async_back {
        println!("cargo:rustc-cfg=async_back");
    }
    let no_batch = enabled("no-batch");
    assert!(!no_batch || ["g5", "g6"].contains(&front), "the no-batch flavour exists for the G5 and G6 fronts");
    assert!(!io || FRONTS_WITH_STREAMS.contains(&front), "front {front} has no value-body streams, so no `io` flavour");
    // The legacy fronts read and write counters and bodies over today's shape only.
    assert!(!LEGACY_FRONTS.contains(&front) || ["g5", "g6"].contains(&back), "front {front} has no {back} back");
    // The fused flavour's core-ABI exports (src/fused/) are written for the legacy fronts,
    // without `io` (G1's streams are not wasi:io and are always served).
    assert!(
        !enabled("fused") || (LEGACY_FRONTS.contains(&front) && (!io || front != "g1")),
        "the fused flavour exists for the G1-G4 fronts, and with `io` for G2, G3 and G4"
    );
    // `forward` calls the host's wasi:io@0.2.0, the release of the G3/G4 fronts' bodies
    // and of a G2 guest's once `plug` has moved its rc-2023-11-10 names.
    assert!(!enabled("forward") || ["g2", "g3", "g4"].contains(&front), "the fused forwarding flavour exists for G2, G3 and G4");
    // `wasi-*` (G3/G4 `-io` fronts): also wraps that group of the host's stream-making
    // WASI (src/host_wasi.rs).
    let groups: Vec<&str> = WASI_GROUPS.iter().copied().filter(|g| enabled(&format!("wasi-{g}"))).collect();
    assert!(groups.is_empty() || (io && ["g2", "g3", "g4"].contains(&front)), "the wrapping flavours exist for the G2, G3 and G4 `io` fronts only");
    // A fused `-io` build serves its streams as core exports (`src/fused/io.rs`), so its
    // world exports no wasi:io.
    let suffix = if io && !enabled("fused") { "-io" } else { "" };
    // At the front's wasi:io release: G2's is rc-2023-11-10.
    let release = if front == "g2" { "rc-2023-11-10-" } else { "" };
    let wrapped: String = groups.iter().map(|g| format!("    include kv-adapt:components/wasi-wrapped-{release}{g};\n")).collect();
    println!("cargo:rustc-check-cfg=cfg(host_streams)");
    if !groups.is_empty() {
        println!("cargo:rustc-cfg=host_streams");
    }
    // Every front also gives the watch bridge handles of its generation (watch.wit).
    println!("cargo:rustc-check-cfg=cfg(no_watch)");
    if FRONTS_WITHOUT_WATCH.contains(&front) {
        println!("cargo:rustc-cfg=no_watch");
    }
    let watch = match FRONTS_WITHOUT_WATCH.contains(&front) {
        true => String::new(),
        false => format!("    export kv-adapt:components/watch-{front}-on-{back};\n"),
    };
    // G1's interfaces have plain names, so they exist only inline in the G1 world: the
    // front exports that world's imports, taken from its text.
    let dir = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("world");
    let spin_deps = dir.join("deps/spin-draft2");
    let _ = std::fs::remove_dir_all(dir.join("deps"));
    let front_items = if front == "g1" {
        format!("    export kv-adapt:components/diagnostics;\n{}", g1_world_items("keyvalue", "import", "export"))
    } else if no_batch {
        // The front's world without `batch`: store and atomics at the front's version.
        let version = if front == "g5" { "0.2.0-draft" } else { "0.2.0-draft2" };
        ["store", "atomics"]
            .iter()
            .fold(String::from("    export kv-adapt:components/diagnostics;\n"), |items, i| items + &format!("    export wasi:keyvalue/{i}@{version};\n"))
    } else if front == "spin-draft2" {
        // Spin's draft2 has upstream draft2's name, which the back may import: built under
        // a name of its own beside it, and renamed back once componentized (wasm-build).
        let wit = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../wit");
        std::fs::create_dir_all(&spin_deps).unwrap();
        std::fs::write(spin_deps.join("keyvalue.wit"), spin_draft2_wit::spin_draft2(&wit, spin_draft2_wit::ADAPTER_PACKAGE)).unwrap();
        println!("cargo:rerun-if-changed={}", wit.join("keyvalue-g6-0.2.0-draft2/keyvalue.wit").display());
        let package = spin_draft2_wit::ADAPTER_PACKAGE.split_once('@').unwrap();
        ["store", "atomics", "batch"]
            .iter()
            .fold(String::from("    export kv-adapt:components/diagnostics;\n"), |items, i| items + &format!("    export {}/{i}@{};\n", package.0, package.1))
    } else {
        format!("    include kv-adapt:components/front-{front}{suffix};\n")
    };
    // The fused G3/G4 fronts export no key-value interface: their functions are core
    // exports of `src/fused/eventual.rs`, and resource exports would make the module import
    // `[export]` intrinsics that no adapter module may have. Their world is the fused one.
    // (The G1 and G2 fronts' u32 handles need no intrinsics, so they keep the composed
    // world.)
    let fused_world = enabled("fused") && ["g3", "g4"].contains(&front);
    println!("cargo:rustc-check-cfg=cfg(fused_world)");
    if fused_world {
        println!("cargo:rustc-cfg=fused_world");
    }
    let wit = if fused_world {
        format!("package kv-adapt:build;\n\nworld adapter {{\n    include kv-adapt:components/fused-{front}-on-{back};\n}}\n")
    } else {
        format!("package kv-adapt:build;\n\nworld adapter {{\n{front_items}{wrapped}    include kv-adapt:components/back-{back};\n{watch}}}\n")
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("adapter.wit"), wit).unwrap();
    // The G1-G4 fronts share value bodies, counters read by the adapter and trace
    // texts; `legacy_front` lets the code for them be left out of the G5/G6 fronts.
    println!("cargo:rustc-check-cfg=cfg(legacy_front)");
    if LEGACY_FRONTS.contains(&front) {
        println!("cargo:rustc-cfg=legacy_front");
    }
    // Fronts that read a counter's bytes in the configured encoding and ask whether
    // `--strict-atomics` forbids emulating what the host lacks: the legacy ones (their
    // compare-and-swap on a G5 host) and G6 and Spin's draft2 (a decrement on a host that
    // only counts up; on upstream G6 Spin's draft2 passes counters through).
    println!("cargo:rustc-check-cfg=cfg(reads_counters)");
    // wasmCloud 2's front too, on every back but G6 (its decrements and conditional writes).
    if LEGACY_FRONTS.contains(&front) || front == "g6" || (["spin-draft2", "wasmcloud2"].contains(&front) && back != "g6") {
        println!("cargo:rustc-cfg=reads_counters");
    }
    // G1 and G2 share u32 handles for buckets, values and errors (`front/u32_handles.rs`).
    println!("cargo:rustc-check-cfg=cfg(u32_front)");
    if ["g1", "g2"].contains(&front) {
        println!("cargo:rustc-cfg=u32_front");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
