//! Writes the guest's world and wasi:sockets rc-2023-11-10 (derived from the project's
//! 0.2.0 text by `../../sockets-wit.rs`) into `$OUT_DIR/wit`.

#[path = "../../http-wit.rs"]
#[allow(dead_code)]
mod http_wit;
#[path = "../../sockets-wit.rs"]
#[allow(dead_code)]
mod sockets_wit;

const WORLD: &str = "package kv-adapt:guest-sockets-rc;

world guest {
  import wasi:keyvalue/atomic;
  import wasi:sockets/tcp-create-socket@0.2.0-rc-2023-11-10;
  import wasi:sockets/udp-create-socket@0.2.0-rc-2023-11-10;
  import wasi:cli/stdout@0.2.0-rc-2023-11-10;
  export wasi:cli/run@0.2.0-rc-2023-11-10;
}
";

fn main() {
    let wit = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../../wit");
    http_wit::write_wit(
        &wit,
        ("world.wit", WORLD),
        &[("sockets-0.2.0-rc-2023-11-10", sockets_wit::sockets_rc_2023_11_10(&wit))],
        &["keyvalue-g2-2023-11", "io-0.2.0-rc-2023-11-10", "clocks-0.2.0-rc-2023-11-10", "cli-0.2.0-rc-2023-11-10"],
    );
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../http-wit.rs");
    println!("cargo:rerun-if-changed=../../sockets-wit.rs");
}
