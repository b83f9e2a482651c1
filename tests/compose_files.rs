//! The `.wac` files in `compose/` are documentation a user runs with `wac compose`; this
//! resolves each one with wac's own parser against the shipped components and checks what
//! the result imports, and runs the store composition end to end.

mod common;

use indexmap::IndexMap;
use kv_adapt::{artifacts, Bodies, CounterEncoding, Generation};
use wac_graph::types::BorrowedPackageKey;

fn compose(file: &str, packages: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let path = format!("{}/compose/{file}", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap();
    let document = wac_parser::Document::parse(&source).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut deps = IndexMap::new();
    for (name, bytes) in packages {
        deps.insert(BorrowedPackageKey { name, version: None }, bytes.clone());
    }
    let resolution = document.resolve(deps).unwrap_or_else(|e| panic!("{file}: {e}"));
    resolution.encode(wac_graph::EncodeOptions::default()).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn adapter(target: Generation) -> Vec<u8> {
    let adapter = artifacts::adapter(Generation::G2, target, Bodies::Adapter).unwrap();
    kv_adapt::configure(&adapter.name(), adapter.bytes, CounterEncoding::Decimal).unwrap()
}

#[test]
fn g2_on_host_wac_leaves_only_the_hosts_keyvalue_imports() {
    let guest = std::fs::read(common::G2_EXAMPLE).unwrap();
    for (target, version) in [(Generation::G5, "@0.2.0-draft"), (Generation::G6, "@0.2.0-draft2")] {
        let composed = compose("g2-on-host.wac", &[("kv-adapt:adapter", adapter(target)), ("legacy:guest", guest.clone())]);
        let surface = kv_adapt::surface("composed", &composed).unwrap();
        assert!(!surface.imports.is_empty());
        for import in &surface.imports {
            assert!(import.starts_with("wasi:keyvalue/") && import.ends_with(version), "{import}");
        }
        assert_eq!(surface.exports, vec!["wasi:cli/run@0.2.0-rc-2023-11-10".to_string()]);
    }
}

/// The same file with the G1 adapter and the G1 conformance guest: its six plain imports
/// (streams included) all come from the adapter.
#[test]
fn g2_on_host_wac_serves_a_g1_guest_with_the_g1_adapter() {
    let guest = std::fs::read(common::G1_CONFORMANCE).unwrap();
    for (target, version) in [(Generation::G5, "@0.2.0-draft"), (Generation::G6, "@0.2.0-draft2")] {
        let g1 = artifacts::adapter(Generation::G1, target, Bodies::Adapter).unwrap();
        let configured = kv_adapt::configure(&g1.name(), g1.bytes, CounterEncoding::Decimal).unwrap();
        let composed = compose("g2-on-host.wac", &[("kv-adapt:adapter", configured), ("legacy:guest", guest.clone())]);
        let surface = kv_adapt::surface("composed", &composed).unwrap();
        assert!(!surface.imports.is_empty());
        for import in &surface.imports {
            assert!(import.starts_with("wasi:keyvalue/") && import.ends_with(version), "{import}");
        }
        assert_eq!(surface.exports, vec!["kv-adapt:components/conformance".to_string()]);
    }
}

#[test]
fn g2_on_fs_store_wac_runs_the_example_on_wasi_alone() {
    let guest = std::fs::read(common::G2_EXAMPLE).unwrap();
    let store = artifacts::store(Generation::G5).unwrap();
    let store = kv_adapt::configure(&store.name(), store.bytes, CounterEncoding::Decimal).unwrap();
    let composed = compose(
        "g2-on-fs-store.wac",
        &[("kv-adapt:store", store), ("kv-adapt:adapter", adapter(Generation::G5)), ("legacy:guest", guest)],
    );
    let surface = kv_adapt::surface("composed", &composed).unwrap();
    assert!(surface.imports.iter().all(|i| !i.starts_with("wasi:keyvalue/")), "{:?}", surface.imports);
    let dir = tempfile::tempdir().unwrap();
    assert!(kv_adapt::host::run::run_prepared("composed", &composed, dir.path(), &[]).unwrap().succeeded);
    assert_eq!(std::fs::read(dir.path().join("visits/visits")).unwrap(), b"1");
}

/// `wac plug --plug adapter.wasm legacy.wasm` is `wac_graph::plug`: the configured adapters
/// that `kv-adapt adapters` writes plug into a legacy guest with it, leaving only the host's
/// key-value imports (checked here, since `wac_graph::plug` skips mismatches silently).
#[test]
fn wac_graph_plug_accepts_the_shipped_adapters() {
    use wac_graph::{types::Package, CompositionGraph, EncodeOptions};
    for (guest_path, source) in
        [(common::G2_EXAMPLE, Generation::G2), (common::G3_CONFORMANCE, Generation::G3), (common::G4_CONFORMANCE, Generation::G4)]
    {
        let shipped = artifacts::adapter(source, Generation::G5, Bodies::Adapter).unwrap();
        let adapter = kv_adapt::configure(&shipped.name(), shipped.bytes, CounterEncoding::Decimal).unwrap();
        let mut graph = CompositionGraph::new();
        let plug = Package::from_bytes("kv-adapt:adapter", None, adapter, graph.types_mut()).unwrap();
        let plug = graph.register_package(plug).unwrap();
        let guest = Package::from_bytes("legacy:guest", None, std::fs::read(guest_path).unwrap(), graph.types_mut()).unwrap();
        let guest = graph.register_package(guest).unwrap();
        wac_graph::plug(&mut graph, vec![plug], guest).unwrap();
        let composed = graph.encode(EncodeOptions::default()).unwrap();
        let surface = kv_adapt::surface("composed", &composed).unwrap();
        for import in &surface.imports {
            assert!(import.starts_with("wasi:keyvalue/") && import.ends_with("@0.2.0-draft"), "{source:?}: {import}");
            assert!(["store", "atomics", "batch"].iter().any(|i| import.starts_with(&format!("wasi:keyvalue/{i}@"))), "{import}");
        }
    }
}

#[test]
fn watch_g2_on_host_wac_serves_the_handler_as_the_hosts_watcher_as_plug_does() {
    let guest = std::fs::read(format!("{}/guest-g2-watch.wasm", kv_adapt_test_programs::dir!())).unwrap();
    let bridge = artifacts::bridge(Generation::G2, Generation::G5).unwrap().bytes.to_vec();
    let composed = compose(
        "watch-g2-on-host.wac",
        &[("kv-adapt:adapter", adapter(Generation::G5)), ("kv-adapt:bridge", bridge), ("legacy:guest", guest.clone())],
    );
    let by_wac = kv_adapt::surface("composed", &composed).unwrap();
    let options = kv_adapt::PlugOptions { host: Generation::G5, ..Default::default() };
    let by_plug = kv_adapt::surface("plugged", &kv_adapt::plug(&guest, &options).unwrap()).unwrap();
    assert_eq!(by_wac.exports, vec!["wasi:keyvalue/watcher@0.2.0-draft".to_string()]);
    assert_eq!(by_wac.exports, by_plug.exports);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(by_wac.imports), sorted(by_plug.imports), "wac and plug compose the same surface");
}
