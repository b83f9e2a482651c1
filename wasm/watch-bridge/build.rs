//! Picks this build's world from its features: `world bridge { include
//! kv-adapt:components/bridge-<front>-on-<back>; }` in `$OUT_DIR/world/`, as the adapter's
//! build does, so that `lib.rs` has one `generate!` for every pair. G1's `handle-watch`
//! has a plain name, so it lives only inline in the G1 world; a G1 bridge's world is
//! written here from that world's text.

const FRONTS: &[&str] = &["g1", "g2", "g3", "g4", "g5", "g6"];
const BACKS: &[&str] = &["g2", "g3", "g4", "g5", "g6"];

#[path = "../adapter/features.rs"]
mod features;
use features::{exactly_one, g1_world_items};

fn main() {
    let front = exactly_one("front", FRONTS);
    let back = exactly_one("back", BACKS);
    let items = if front == "g1" {
        let host = match back {
            "g5" => "wasi:keyvalue/watcher@0.2.0-draft",
            "g6" => "wasi:keyvalue/watcher@0.2.0-draft2",
            other => panic!("no G1 watch bridge onto {other}"),
        };
        let handler = g1_world_items("keyvalue-handle-watch", "export", "import");
        format!("{handler}    import kv-adapt:components/watch-g1-on-{back};\n    export {host};\n")
    } else {
        format!("    include kv-adapt:components/bridge-{front}-on-{back};\n")
    };
    let wit = format!("package kv-adapt:build;\n\nworld bridge {{\n{items}}}\n");
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("world");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bridge.wit"), wit).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
