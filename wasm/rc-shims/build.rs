//! Writes this build's WIT into `$OUT_DIR/wit`: the shim interfaces, wasi:http 0.2.0
//! derived from the project's rc-2023-12-05 text (`../http-wit.rs`), and the project's
//! wasi:sockets, io and clocks 0.2.0.

#[path = "../http-wit.rs"]
#[allow(dead_code)]
mod http_wit;

const SHIMS: &str = r#"package kv-adapt:rc-shims;

/// rc-2023-11-10's request-options timeouts: milliseconds, as wasmtime 15 read them.
interface http-request-options {
  use wasi:http/types@0.2.0.{request-options, duration};
  connect-timeout-ms: func(self: borrow<request-options>) -> option<duration>;
  set-connect-timeout-ms: func(self: borrow<request-options>, ms: option<duration>) -> result;
  first-byte-timeout-ms: func(self: borrow<request-options>) -> option<duration>;
  set-first-byte-timeout-ms: func(self: borrow<request-options>, ms: option<duration>) -> result;
  between-bytes-timeout-ms: func(self: borrow<request-options>) -> option<duration>;
  set-between-bytes-timeout-ms: func(self: borrow<request-options>, ms: option<duration>) -> result;
}

/// rc-2023-11-10's future-trailers.get: no outer result for "already taken".
interface http-future-trailers {
  use wasi:http/types@0.2.0.{future-trailers, trailers, error-code};
  get: func(self: borrow<future-trailers>) -> option<result<option<trailers>, error-code>>;
}

/// rc-2023-11-10's tcp-socket ipv6-only pair, which 0.2.0 removed.
interface sockets-tcp {
  use wasi:sockets/tcp@0.2.0.{tcp-socket, error-code};
  ipv6-only: func(self: borrow<tcp-socket>) -> result<bool, error-code>;
  set-ipv6-only: func(self: borrow<tcp-socket>, value: bool) -> result<_, error-code>;
}

/// rc-2023-11-10's udp-socket ipv6-only pair, which 0.2.0 removed.
interface sockets-udp {
  use wasi:sockets/udp@0.2.0.{udp-socket, error-code};
  ipv6-only: func(self: borrow<udp-socket>) -> result<bool, error-code>;
  set-ipv6-only: func(self: borrow<udp-socket>, value: bool) -> result<_, error-code>;
}

world http-request-options-shim { export http-request-options; }
world http-future-trailers-shim { export http-future-trailers; }
world sockets-tcp-shim { export sockets-tcp; }
world sockets-udp-shim { export sockets-udp; }
"#;

fn main() {
    let wit = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../wit");
    http_wit::write_wit(
        &wit,
        ("shims.wit", SHIMS),
        &[("http-0.2.0", http_wit::http_0_2_0(&wit))],
        &["io-0.2.0", "clocks-0.2.0", "sockets-0.2.0"],
    );
    // The shared allocator (`../adapter/src/heap.rs`) names the adapter's `fused` feature.
    println!("cargo:rustc-check-cfg=cfg(feature, values(\"fused\"))");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../http-wit.rs");
}
