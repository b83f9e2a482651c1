//! Writes the guest's world and wasi:http rc-2023-11-10 (derived from the project's
//! rc-2023-12-05 text by `../../http-wit.rs`) into `$OUT_DIR/wit`.

#[path = "../../http-wit.rs"]
#[allow(dead_code)]
mod http_wit;

const WORLD: &str = "package kv-adapt:guest-http-rc;

world guest {
  import wasi:keyvalue/atomic;
  import wasi:http/outgoing-handler@0.2.0-rc-2023-11-10;
  export wasi:http/incoming-handler@0.2.0-rc-2023-11-10;
}
";

fn main() {
    let wit = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../../wit");
    http_wit::write_wit(
        &wit,
        ("world.wit", WORLD),
        &[("http-0.2.0-rc-2023-11-10", http_wit::http_rc_2023_11_10(&wit))],
        &["keyvalue-g2-2023-11", "io-0.2.0-rc-2023-11-10", "clocks-0.2.0-rc-2023-11-10"],
    );
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../http-wit.rs");
}
