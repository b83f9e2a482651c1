//! Picks this build's world from its features: `world bridge { include
//! kv-adapt:components/bridge-<front>-on-<back>; }` in `$OUT_DIR/world/`, as the adapter's
//! build does, so that `lib.rs` has one `generate!` for every pair.

const FRONTS: &[&str] = &["g2", "g3", "g4", "g5", "g6"];
const BACKS: &[&str] = &["g2", "g3", "g4", "g5", "g6"];

#[path = "../adapter/features.rs"]
mod features;
use features::exactly_one;

fn main() {
    let front = exactly_one("front", FRONTS);
    let back = exactly_one("back", BACKS);
    let wit = format!("package kv-adapt:build;\n\nworld bridge {{\n    include kv-adapt:components/bridge-{front}-on-{back};\n}}\n");
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("world");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bridge.wit"), wit).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
