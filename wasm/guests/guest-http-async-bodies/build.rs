//! Writes the guest's world and wasi:http 0.2.0 (derived from the project's rc-2023-12-05
//! text by `../../http-wit.rs`) into `$OUT_DIR/wit`.

#[path = "../../http-wit.rs"]
#[allow(dead_code)]
mod http_wit;

/// The world, with the key-value world of the generation built for.
fn world(keyvalue: &str) -> String {
    format!(
        "package kv-adapt:guest-http;

world guest {{
  include {keyvalue};
  import wasi:cli/stdout@0.2.0;
  export wasi:http/incoming-handler@0.2.0;
}}
"
    )
}

fn main() {
    let wit = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../../wit");
    let (keyvalue, package) = match std::env::var_os("CARGO_FEATURE_G4") {
        Some(_) => ("wasi:keyvalue/eventual-imports@0.2.0-draft", "keyvalue-0.2.0-draft"),
        None => ("wasi:keyvalue/imports@0.1.0", "keyvalue-g3-0.1.0"),
    };
    http_wit::write_wit(
        &wit,
        ("world.wit", &world(keyvalue)),
        &[("http-0.2.0", http_wit::http_0_2_0(&wit))],
        &[package, "io-0.2.0", "clocks-0.2.0", "cli-0.2.0"],
    );
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../http-wit.rs");
}
