//! Writes this build's WIT into `$OUT_DIR/wit`: the shim interfaces, and wasi:http 0.2.0
//! derived from the project's rc-2023-12-05 text (`../http-wit.rs`).

#[path = "../http-wit.rs"]
#[allow(dead_code)]
mod http_wit;

const SHIM: &str = r#"package kv-adapt:http-rc-shim;

/// rc-2023-11-10's request-options timeouts: milliseconds, as wasmtime 15 read them.
interface request-options-ms {
  use wasi:http/types@0.2.0.{request-options, duration};
  connect-timeout-ms: func(self: borrow<request-options>) -> option<duration>;
  set-connect-timeout-ms: func(self: borrow<request-options>, ms: option<duration>) -> result;
  first-byte-timeout-ms: func(self: borrow<request-options>) -> option<duration>;
  set-first-byte-timeout-ms: func(self: borrow<request-options>, ms: option<duration>) -> result;
  between-bytes-timeout-ms: func(self: borrow<request-options>) -> option<duration>;
  set-between-bytes-timeout-ms: func(self: borrow<request-options>, ms: option<duration>) -> result;
}

/// rc-2023-11-10's future-trailers.get: no outer result for "already taken".
interface future-trailers-get {
  use wasi:http/types@0.2.0.{future-trailers, trailers, error-code};
  get: func(self: borrow<future-trailers>) -> option<result<option<trailers>, error-code>>;
}

world request-options { export request-options-ms; }
world future-trailers { export future-trailers-get; }
"#;

fn main() {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let wit = manifest.join("../../wit");
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("wit");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("shim.wit"), SHIM).unwrap();
    http_wit::write_deps(&dir, &wit, &[("http-0.2.0", http_wit::http_0_2_0(&wit))], &["io-0.2.0", "clocks-0.2.0"]);
    // The shared allocator (`../adapter/src/heap.rs`) names the adapter's `fused` feature.
    println!("cargo:rustc-check-cfg=cfg(feature, values(\"fused\"))");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../http-wit.rs");
    println!("cargo:rerun-if-changed=../../wit/http-0.2.0-rc-2023-12-05");
}
