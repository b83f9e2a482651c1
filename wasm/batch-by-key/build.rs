//! Writes this build's WIT into `$OUT_DIR/wit`: the world below, with the project's own
//! G6 package (`wit/keyvalue-g6-0.2.0-draft2`) as its one dependency.

const WORLD: &str = r#"package kv-adapt:batch-by-key;

/// The host's store (and so its bucket resource) imported, upstream G6's batch exported
/// over it: a guest's `store` import goes to the host, its `batch` import here.
world batch-g6-on-spin-draft2 {
  import wasi:keyvalue/store@0.2.0-draft2;
  export wasi:keyvalue/batch@0.2.0-draft2;
}
"#;

fn main() {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let g6 = manifest.join("../../wit/keyvalue-g6-0.2.0-draft2/keyvalue.wit");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("wit");
    let deps = out.join("deps/keyvalue");
    std::fs::create_dir_all(&deps).unwrap();
    std::fs::write(out.join("world.wit"), WORLD).unwrap();
    let text = std::fs::read_to_string(&g6).unwrap_or_else(|e| panic!("{}: {e}", g6.display()));
    std::fs::write(deps.join("keyvalue.wit"), text).unwrap();
    // The shared allocator (`../adapter/src/heap.rs`) names the adapter's `fused` feature.
    println!("cargo:rustc-check-cfg=cfg(feature, values(\"fused\"))");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", g6.display());
}
