//! Writes the guest's world and wasi:http 0.2.0 (derived from the project's rc-2023-12-05
//! text by `../../http-wit.rs`) into `$OUT_DIR/wit`.

#[path = "../../http-wit.rs"]
#[allow(dead_code)]
mod http_wit;

const WORLD: &str = "package kv-adapt:guest-http-client;

world guest {
  import wasi:keyvalue/store@0.2.0-draft;
  import wasi:http/outgoing-handler@0.2.0;
}
";

fn main() {
    let wit = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../../wit");
    http_wit::write_wit(
        &wit,
        ("world.wit", WORLD),
        &[("http-0.2.0", http_wit::http_0_2_0(&wit))],
        &["keyvalue-0.2.0-draft", "io-0.2.0", "clocks-0.2.0", "cli-0.2.0"],
    );
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../http-wit.rs");
}
