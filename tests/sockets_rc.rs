//! A command of November 2023 on `wasi:sockets@0.2.0-rc-2023-11-10`
//! (`wasm/guests/guest-g2-sockets-rc-2023-11-10`) that asks its TCP and UDP sockets for
//! `ipv6-only` and sets it both ways: functions 0.2.0 removed, which `plug` serves through
//! shims answering from the socket's address family. It runs through `kv-adapt run`, and,
//! plugged, on a host made of nothing but wasmtime 48's own wasmtime-wasi and
//! wasmtime-wasi-keyvalue.

mod common;

use std::process::Command;

const GUEST: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-sockets-rc-2023-11-10.wasm");

/// What rc-2023-11-10 documents, as the shims give it on a host of 0.2.0, whose IPv6
/// sockets are always IPv6-only: `not-supported` for an IPv4 socket, and for turning
/// IPv6-only off.
fn expected(runs: u64) -> String {
    let ipv4 = "ipv6-only err(not-supported); set true err(not-supported); set false err(not-supported)";
    let ipv6 = "ipv6-only ok(true); set true ok(()); set false err(not-supported)";
    format!("tcp ipv4: {ipv4}\nudp ipv4: {ipv4}\ntcp ipv6: {ipv6}\nudp ipv6: {ipv6}\nrun {runs}\n")
}

#[test]
fn the_command_calls_the_ipv6_only_pair_0_2_0_removed() {
    let component = std::fs::read(GUEST).unwrap();
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all()).validate_all(&component).unwrap();
    let types = types.as_ref();
    for (interface, socket) in [("tcp", "tcp-socket"), ("udp", "udp-socket")] {
        let name = format!("wasi:sockets/{interface}@0.2.0-rc-2023-11-10");
        let Some(wasmparser::component_types::ComponentEntityType::Instance(id)) = types.component_item_for_import(&name).map(|item| item.ty)
        else {
            panic!("{name} is not imported");
        };
        for function in ["ipv6-only", "set-ipv6-only"] {
            let wanted = format!("[method]{socket}.{function}");
            assert!(types[id].exports.contains_key(&wanted), "{wanted} not in {name}");
        }
    }
}

#[test]
fn kv_adapt_run_shims_ipv6_only_from_the_address_family() {
    let store = tempfile::tempdir().unwrap();
    for runs in 1..=2 {
        let out = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
            .args(["run", GUEST, "--store"])
            .arg(store.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{said}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected(runs), "{said}");
    }
}

#[test]
fn after_plug_stock_wasmtime_wasi_runs_the_command_with_the_shims() {
    let plugged = kv_adapt::plug_named("sockets guest", &std::fs::read(GUEST).unwrap(), &kv_adapt::PlugOptions::default()).unwrap();
    let mut shimmed = plugged.wasi.shimmed.clone();
    shimmed.sort();
    assert_eq!(
        shimmed,
        ["[method]tcp-socket.ipv6-only", "[method]tcp-socket.set-ipv6-only", "[method]udp-socket.ipv6-only", "[method]udp-socket.set-ipv6-only"]
    );
    let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
    for import in &surface.imports {
        assert!(!import.contains("-rc-"), "{import} is not a name hosts of today serve");
    }
    let (ran, stdout) = common::run_on_stock_wasmtime(&plugged.component, |wasi| {
        wasi.allow_tcp(true).allow_udp(true);
    });
    assert_eq!(ran, Ok(()));
    // wasmtime-wasi-keyvalue starts every instance from an empty bucket.
    assert_eq!(stdout, expected(1));
}

/// `-S tcp=n` takes TCP sockets away, as in wasmtime; UDP ones stay.
#[test]
fn run_passes_wasmtime_style_socket_options_to_the_guest() {
    let store = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["run", GUEST, "-S", "tcp=n", "--store"])
        .arg(store.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("tcp ipv4: no socket: access-denied") && stdout.contains("udp ipv6: ipv6-only ok(true)"), "{stdout}");

    let refused = Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(["run", GUEST, "-S", "threads"]).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("-S threads"), "{said}");
}
