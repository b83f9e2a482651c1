//! Import surface (issue 12 part 6): no shipped composition gives a guest a capability it
//! did not ask for. For every adapter in `kv_adapt::artifacts::ADAPTERS` (both body
//! flavours) and every real guest of its front generation, the component `plug` makes may
//! import only
//! - the key-value interfaces of the adapter's back generation,
//! - the non-key-value imports the guest itself has (its WASI; for a legacy guest this
//!   includes the wasi:io its key-value types name, which the pass-through flavour leaves
//!   with the host, renamed to the guest's 0.2 release),
//! - for the pass-through flavour of G2/G3/G4 fronts, the wasi:io interfaces whose stream
//!   types the front's signatures name, when the guest does not import them itself (e.g.
//!   it never uses async bodies): types only, checked to carry no function;
//!
//! and the `-io` flavour with a guest that uses wasi:io only for value bodies imports the
//! back's key-value interfaces and nothing else. With the filesystem store composed in (what
//! `plug --with-store` and `run` make), the allowed set is the guest's own non-key-value
//! imports (rc-2023-11-10 names moved to 0.2.0) plus exactly `STORE_IMPORTS`, the WASI the
//! store component needs for its files, and no key-value import at all.

mod common;

use kv_adapt::{artifacts, Bodies, CounterEncoding, Generation, Linking, PlugOptions};
use std::collections::BTreeSet;

/// Every real guest, by the generation it imports.
fn guests(generation: Generation) -> Vec<&'static str> {
    let components = kv_adapt_test_programs::dir!();
    let names: &[&str] = match generation {
        Generation::G2 => &["guest-g2-conformance", "g2-visit-counter", "guest-g2-bench", "guest-g2-cas-loop", "guest-g2-bounds", "guest-g2-fuzz", "guest-g2-watch"],
        Generation::G3 => &["guest-g3-conformance", "guest-g3-bounds", "guest-g3-fuzz", "guest-g3-watch"],
        Generation::G4 => &["guest-g4-conformance", "guest-g4-println", "guest-g4-bench", "guest-g4-bounds", "guest-g4-fuzz", "guest-g4-watch"],
        Generation::G5 => &[
            "guest-g5-conformance",
            "guest-wasmcloud-g5",
            "guest-g5-visit-counter",
            "guest-g5-counter-loop",
            "guest-g5-bench",
            "guest-g5-bounds",
            "guest-g5-fuzz",
            "guest-g5-watch",
            // Two labelled imports of store: one adapter instance each.
            "guest-g5-labelled",
        ],
        Generation::G6 => &["guest-g6-conformance", "guest-g6-bounds", "guest-g6-fuzz", "guest-g6-watch", "guest-g6-counter"],
        Generation::G1 => &["guest-g1-conformance", "guest-g1-fuzz", "guest-g1-watch"],
        // Built with spin-sdk 5.2.0, whose own bindings import Spin's interface.
        Generation::Spin2 => &["guest-spin-kv", "guest-spin-http"],
        // spin-sdk 5.2.0's bindings of Spin's draft2, batch included.
        Generation::SpinDraft2 => &["guest-spin-draft2"],
        // Spin 1.x's unversioned interface, bound with wit-bindgen from our WIT.
        Generation::Spin1 => &["guest-spin1"],
        // WASI 0.3 commands (wit-bindgen's async support).
        Generation::Spin3 => &["guest-spin3", "guest-spin7-kv"],
        // And wasmCloud's keyvalue-implements-p3 shape: a label sharing the plain adapter.
        Generation::Wasmcloud2 => &["guest-wasmcloud2", "guest-wasmcloud2-labelled"],
    };
    names.iter().map(|n| &*Box::leak(format!("{components}/{n}.wasm").into_boxed_str())).collect()
}

/// The key-value interfaces of `generation`, as a component importing them names them.
/// Written out here rather than taken from kv-adapt's classifier, so a wrong table there
/// cannot make this test agree with it.
fn keyvalue_interfaces(generation: Generation) -> Vec<String> {
    let (version, names): (&str, &[&str]) = match generation {
        Generation::G2 => ("", &["types", "wasi-cloud-error", "readwrite", "atomic", "batch"]),
        Generation::G3 => ("@0.1.0", &["types", "wasi-keyvalue-error", "eventual", "atomic", "eventual-batch"]),
        Generation::G4 => ("@0.2.0-draft", &["types", "wasi-keyvalue-error", "eventual", "atomic", "eventual-batch"]),
        Generation::G5 => ("@0.2.0-draft", &["store", "atomics", "batch"]),
        Generation::G6 | Generation::SpinDraft2 => ("@0.2.0-draft2", &["store", "atomics", "batch"]),
        Generation::G1 => ("", &[]),
        Generation::Spin2 => return vec![SPIN2_INTERFACE.to_string()],
        Generation::Spin1 => return vec![SPIN1_INTERFACE.to_string()],
        Generation::Spin3 => return vec!["spin:key-value/key-value@3.0.0".to_string()],
        Generation::Wasmcloud2 => {
            return ["types", "store", "atomics", "cas", "batch"].iter().map(|n| format!("wasmcloud:keyvalue/{n}@0.2.0")).collect()
        }
    };
    names.iter().map(|n| format!("wasi:keyvalue/{n}{version}")).collect()
}

/// What the filesystem store component (both builds) imports: what Rust's std on
/// wasm32-wasip2 (WASI 0.2.6) links for files (filesystem, io), the lock file's age
/// (clocks), and its start-up and stdio (cli, terminals). Pinned so that a store that
/// gains a capability fails this test.
const STORE_IMPORTS: &[&str] = &[
    "wasi:cli/environment@0.2.6",
    "wasi:cli/exit@0.2.6",
    "wasi:cli/stderr@0.2.6",
    "wasi:cli/stdin@0.2.6",
    "wasi:cli/stdout@0.2.6",
    "wasi:cli/terminal-input@0.2.6",
    "wasi:cli/terminal-output@0.2.6",
    "wasi:cli/terminal-stderr@0.2.6",
    "wasi:cli/terminal-stdin@0.2.6",
    "wasi:cli/terminal-stdout@0.2.6",
    "wasi:clocks/monotonic-clock@0.2.6",
    "wasi:clocks/wall-clock@0.2.6",
    "wasi:filesystem/preopens@0.2.6",
    "wasi:filesystem/types@0.2.6",
    "wasi:io/error@0.2.6",
    "wasi:io/poll@0.2.6",
    "wasi:io/streams@0.2.6",
];

/// The wasi:io a pass-through (plain) flavour may import although the guest does not: the
/// stream types its key-value front's signatures name (G2: rc-2023-11-10; G3/G4: a 0.2
/// release), for types only, which `assert_types_only` checks.
fn body_stream_types(adapter: &artifacts::Adapter, name: &str) -> bool {
    let Some(version) = ["wasi:io/error@", "wasi:io/poll@", "wasi:io/streams@"].iter().find_map(|p| name.strip_prefix(p)) else {
        return false;
    };
    adapter.bodies == Bodies::Host
        && match adapter.source {
            Generation::G2 => version == "0.2.0-rc-2023-11-10",
            Generation::G3 | Generation::G4 => version.starts_with("0.2.") && !version.contains('-'),
            Generation::G1
            | Generation::G5
            | Generation::G6
            | Generation::Spin2
            | Generation::Spin1
            | Generation::SpinDraft2
            | Generation::Spin3
            | Generation::Wasmcloud2 => false,
        }
}

/// Asserts that the composed component's import `name` is an instance of types alone: no
/// function of it can be called, so it grants no capability.
fn assert_types_only(what: &str, component: &[u8], name: &str) {
    use wasmtime::component::types::ComponentItem;
    let engine = common::engine();
    let compiled = wasmtime::component::Component::new(engine, component).unwrap_or_else(|e| panic!("{what}: {e}"));
    let component_type = compiled.component_type();
    let (_, item) = component_type.imports(engine).find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{what}: no import {name}"));
    let ComponentItem::ComponentInstance(instance) = item.ty else { panic!("{what}: {name} is not an instance") };
    let functions: Vec<_> = instance.exports(engine).filter(|(_, i)| matches!(i.ty, ComponentItem::ComponentFunc(_))).map(|(n, _)| n.to_string()).collect();
    assert!(functions.is_empty(), "{what}: imports functions {functions:?} of {name}, which the guest never imported");
}

fn imports(name: &str, bytes: &[u8]) -> BTreeSet<String> {
    kv_adapt::surface(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}")).imports.into_iter().collect()
}

/// Spin's own key-value interface, which spin-sdk's `key_value::Store` imports.
const SPIN2_INTERFACE: &str = "fermyon:spin/key-value@2.0.0";

/// Spin 1.x's interface, unversioned.
const SPIN1_INTERFACE: &str = "fermyon:spin/key-value";

/// G1's key-value imports: plain names, with no package (its `streams` included).
const G1_PLAIN_NAMES: &[&str] = &["streams", "wasi-cloud-error", "types", "readwrite", "atomic", "batch"];

/// The guest's imports that are not key-value: the capabilities it asked for itself.
fn own_capabilities(guest: &BTreeSet<String>) -> BTreeSet<String> {
    guest
        .iter()
        .filter(|i| !i.starts_with("wasi:keyvalue/") && *i != SPIN2_INTERFACE && *i != SPIN1_INTERFACE && !G1_PLAIN_NAMES.contains(&i.as_str()))
        .cloned()
        .collect()
}

/// `name` with a rc-2023-11-10 WASI version moved to 0.2.0, as `rewire_rc_wasi` does for
/// the packages identical in both.
fn rewired(name: &str) -> String {
    match name.strip_suffix("@0.2.0-rc-2023-11-10") {
        Some(base) if ["wasi:io/", "wasi:cli/", "wasi:clocks/", "wasi:filesystem/", "wasi:random/"].iter().any(|p| base.starts_with(p)) => {
            format!("{base}@0.2.0")
        }
        _ => name.to_string(),
    }
}

fn file_stem(path: &str) -> String {
    std::path::Path::new(path).file_stem().unwrap().to_string_lossy().into_owned()
}

/// Whether a guest's non-key-value imports are only the wasi:io its value bodies use.
fn uses_wasi_only_for_bodies(own: &BTreeSet<String>) -> bool {
    own.iter().all(|i| ["wasi:io/error@", "wasi:io/poll@", "wasi:io/streams@"].iter().any(|p| i.starts_with(p)))
}

fn assert_within(what: &str, composed: &BTreeSet<String>, allowed: &BTreeSet<String>) {
    let extra: Vec<_> = composed.difference(allowed).collect();
    assert!(extra.is_empty(), "{what} imports {extra:?}, beyond {allowed:?}");
}

/// Plugs `guest` with `adapter`'s flavour onto its back, as `plug --bodies --link composed` does.
fn plugged(guest_path: &str, guest: &[u8], adapter: &artifacts::Adapter) -> Vec<u8> {
    let options = PlugOptions {
        host: adapter.target,
        counter: CounterEncoding::Decimal,
        bodies: Some(adapter.bodies),
        diagnostics: false,
        linking: Some(Linking::Composed),
        // Compared with the guest's own names below.
        keep_wasi_versions: true,
        strict_atomics: false,
        error_sink: false,
        buckets: Vec::new(),
        onto: None,
    };
    let plugged = kv_adapt::plug_named(guest_path, guest, &options).unwrap_or_else(|e| panic!("{} with {guest_path}: {e}", adapter.name()));
    match plugged.plan {
        kv_adapt::Plan::Adapt { adapter: chosen, .. } => assert_eq!(chosen, adapter.name(), "{guest_path}"),
        kv_adapt::Plan::Unchanged { .. } => panic!("{guest_path}: nothing to adapt onto {:?}", adapter.target),
    }
    plugged.component
}

#[test]
fn every_adapter_adds_no_import_beyond_the_backs_keyvalue_and_the_guests_own_wasi() {
    let mut covered = BTreeSet::new();
    let mut stream_types_only = 0;
    let mut no_batch = 0;
    for adapter in artifacts::ADAPTERS {
        // A wrapping adapter is chosen by the groups its guest imports: checked apart below.
        if matches!(adapter.bodies, Bodies::Wrapping(_)) {
            continue;
        }
        for guest_path in guests(adapter.source) {
            let guest = std::fs::read(guest_path).unwrap_or_else(|e| panic!("{guest_path}: {e}"));
            let guest_imports = imports(guest_path, &guest);
            // Where a build without `batch` exists, a guest gets the one its imports call for.
            let guest_batch = keyvalue_interfaces(adapter.source).iter().any(|i| i.contains("/batch") && guest_imports.contains(i));
            let chosen = artifacts::adapter_for(adapter.source, adapter.target, adapter.bodies, guest_batch).map(|a| a.name());
            if chosen != Some(adapter.name()) {
                continue;
            }
            let own = own_capabilities(&guest_imports);
            let component = plugged(guest_path, &guest, adapter);
            let what = format!("{} with {}", adapter.name(), file_stem(guest_path));
            let composed = imports(&what, &component);
            let back: BTreeSet<String> = keyvalue_interfaces(adapter.target).into_iter().collect();
            assert!(composed.iter().any(|i| back.contains(i)), "{what}: no key-value import of the back left: {composed:?}");
            let mut allowed: BTreeSet<String> = back.union(&own).cloned().collect();
            let unasked: Vec<String> = composed.iter().filter(|i| !allowed.contains(*i) && body_stream_types(adapter, i)).cloned().collect();
            for stream_types in unasked {
                assert_types_only(&what, &component, &stream_types);
                stream_types_only += 1;
                allowed.insert(stream_types);
            }
            assert_within(&what, &composed, &allowed);
            // A guest that imports no `batch` gets a plug that imports none from the host, where
            // the pair has a build without it (the G5 and G6 guests on G6 and G5).
            if !adapter.batch {
                let batch: Vec<&String> = composed.iter().filter(|i| i.starts_with("wasi:keyvalue/batch")).collect();
                assert!(!guest_batch && batch.is_empty(), "{what}: imports {batch:?}, which the guest never asked for");
                no_batch += 1;
            }
            if adapter.bodies == Bodies::Adapter && uses_wasi_only_for_bodies(&own) {
                assert_within(&format!("{what} (the -io flavour)"), &composed, &back);
            }
            println!("{what}: {} imports, all allowed", composed.len());
            covered.insert(adapter.name());
        }
    }
    let all: BTreeSet<String> =
        artifacts::ADAPTERS.iter().filter(|a| !matches!(a.bodies, Bodies::Wrapping(_))).map(|a| a.name()).collect();
    assert_eq!(covered, all, "adapters with no guest of their front");
    assert_eq!(all.len(), 51);
    println!("{stream_types_only} wasi:io imports of stream types only, which the guest did not import");
    println!("{no_batch} plugs of guests without batch import no batch from the host");
}

/// The host WASI interfaces of each wrapped group, at `release`.
fn group_interfaces(groups: kv_adapt::Wrapped, release: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (on, interfaces) in [
        (groups.stdio, &["wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr"][..]),
        (groups.clock, &["wasi:clocks/monotonic-clock"][..]),
        (groups.files, &["wasi:filesystem/types", "wasi:filesystem/preopens"][..]),
    ] {
        if on {
            names.extend(interfaces.iter().map(|s| format!("{s}@{release}")));
        }
    }
    names
}

/// Each wrapping adapter imports the back's key-value interfaces, the host's wasi:io and
/// exactly the groups it wraps (plus, with files, the wall clock's `datetime` type, and
/// no function of it), at its front's wasi:io release (rc-2023-11-10 for G2, 0.2.0 for
/// G3/G4): a guest that imports no files gets an adapter without them, so plugging never
/// hands a guest a capability it did not import. 7 sets of groups for each of the six
/// (G2/G3/G4, G5/G6) pairs.
#[test]
fn every_wrapping_adapter_imports_only_the_host_wasi_groups_it_wraps() {
    let mut seen = 0;
    for adapter in artifacts::ADAPTERS {
        let Bodies::Wrapping(groups) = adapter.bodies else { continue };
        let release = match adapter.source {
            Generation::G2 => "0.2.0-rc-2023-11-10",
            _ => "0.2.0",
        };
        let configured = kv_adapt::configure(&adapter.name(), adapter.bytes, CounterEncoding::Decimal).unwrap();
        let composed = imports(&adapter.name(), &configured);
        let wrapped = group_interfaces(groups, release);
        let mut allowed: BTreeSet<String> = keyvalue_interfaces(adapter.target).into_iter().collect();
        allowed.extend(["wasi:io/error", "wasi:io/poll", "wasi:io/streams"].map(|i| format!("{i}@{release}")));
        allowed.extend(wrapped.iter().cloned());
        if groups.files {
            let wall_clock = format!("wasi:clocks/wall-clock@{release}");
            assert_types_only(&adapter.name(), &configured, &wall_clock);
            allowed.insert(wall_clock);
        }
        assert_within(&adapter.name(), &composed, &allowed);
        for interface in &wrapped {
            assert!(composed.contains(interface), "{}: does not import {interface}, which it wraps", adapter.name());
        }
        seen += 1;
    }
    assert_eq!(seen, 3 * 2 * 7);
}

/// The fused adapters, linked inside every guest of their front that they can fuse into:
/// the result imports the back's key-value interfaces and what the guest imported itself,
/// plus at most the stream types of the guest's wasi:io release.
#[test]
fn every_fused_adapter_adds_no_import_beyond_the_backs_keyvalue_and_the_guests_own_wasi() {
    let mut fused = 0;
    for adapter in artifacts::FUSED {
        for guest_path in guests(adapter.source) {
            let guest = std::fs::read(guest_path).unwrap_or_else(|e| panic!("{guest_path}: {e}"));
            let own = own_capabilities(&imports(guest_path, &guest));
            // The `-io` fused adapters serve async bodies from memory; the others leave
            // wasi:io to the host.
            let bodies = if adapter.io { Bodies::Adapter } else { Bodies::Host };
            let options = PlugOptions { host: adapter.target, bodies: Some(bodies), linking: Some(Linking::Fused), keep_wasi_versions: true, ..PlugOptions::default() };
            let what = format!("{} with {}", adapter.name(), file_stem(guest_path));
            let plugged = match kv_adapt::plug_named(guest_path, &guest, &options) {
                Ok(p) => p,
                // A handler's types must stay a component import for the watch bridge.
                Err(e @ kv_adapt::Error::CannotFuse { .. }) => {
                    assert!(e.to_string().contains("handle-watch"), "{what}: {e}");
                    continue;
                }
                Err(e) => panic!("{what}: {e}"),
            };
            // A guest that calls no async body function gets the adapter without streams.
            if !matches!(&plugged.plan, kv_adapt::Plan::Adapt { adapter: chosen, .. } if *chosen == adapter.name()) {
                assert!(adapter.io, "{what}: plan {}", plugged.plan);
                continue;
            }
            let composed = imports(&what, &plugged.component);
            let back: BTreeSet<String> = keyvalue_interfaces(adapter.target).into_iter().collect();
            assert!(composed.iter().any(|i| back.contains(i)), "{what}: no key-value import of the back left: {composed:?}");
            let mut allowed: BTreeSet<String> = back.union(&own).cloned().collect();
            let unasked: Vec<String> =
                composed.iter().filter(|i| !allowed.contains(*i) && i.starts_with("wasi:io/") && (i.ends_with("@0.2.0-rc-2023-11-10") || i.ends_with("@0.2.0"))).cloned().collect();
            for stream_types in unasked {
                assert_types_only(&what, &plugged.component, &stream_types);
                allowed.insert(stream_types);
            }
            assert_within(&what, &composed, &allowed);
            println!("{what}: {} imports, all allowed", composed.len());
            fused += 1;
        }
    }
    // G1: 2 guests, G2: 6, G3: 3, G4: 5 (the std println guest among them; not the watch
    // guests), onto G5 and G6.
    assert!(fused >= 2 * (2 + 6 + 3 + 5), "fused into {fused} guests only");
}

/// `plug --with-store` and `run` (both `run::bundle_store`): a guest of any generation,
/// adapted onto G5 or G6 or native, with the store composed in.
#[test]
fn store_compositions_add_only_the_stores_pinned_wasi() {
    let store_needs: BTreeSet<String> = STORE_IMPORTS.iter().map(|s| s.to_string()).collect();
    for store in artifacts::STORES {
        let configured = kv_adapt::configure(&store.name(), store.bytes, CounterEncoding::Decimal).unwrap();
        assert_eq!(imports(&store.name(), &configured), store_needs, "{}: the store's own imports changed", store.name());
    }
    let mut composed_count = 0;
    for target in [Generation::G5, Generation::G6] {
        for source in [Generation::G1, Generation::G2, Generation::G3, Generation::G4, Generation::G5, Generation::G6] {
            for guest_path in guests(source) {
                let guest = std::fs::read(guest_path).unwrap();
                let own: BTreeSet<String> = own_capabilities(&imports(guest_path, &guest)).iter().map(|i| rewired(i)).collect();
                let options = PlugOptions { host: target, ..PlugOptions::default() };
                let plugged = kv_adapt::plug_named(guest_path, &guest, &options).unwrap_or_else(|e| panic!("{guest_path}: {e}"));
                let bundled = kv_adapt::host::run::bundle_store(&plugged.component, &options).unwrap();
                let what = format!("{} onto {target:?} with the store ({})", file_stem(guest_path), plugged.plan);
                let composed = imports(&what, &bundled);
                assert!(!composed.iter().any(|i| i.starts_with("wasi:keyvalue/")), "{what}: {composed:?}");
                let allowed: BTreeSet<String> = own.union(&store_needs).cloned().collect();
                assert_within(&what, &composed, &allowed);
                composed_count += 1;
            }
        }
    }
    println!("{composed_count} store compositions checked");
}

/// `run` onto the strict G2, G3 and G4 hosts: the plugged guest with rc-2023-11-10 names
/// moved to 0.2.0 (`run::prepare`), importing only that generation's key-value interfaces
/// and the guest's own WASI.
#[test]
fn run_onto_the_strict_hosts_adds_nothing_either() {
    for target in [Generation::G2, Generation::G3, Generation::G4] {
        let back: BTreeSet<String> = keyvalue_interfaces(target).into_iter().collect();
        for source in [Generation::G5, Generation::G6, target] {
            for guest_path in guests(source) {
                let guest = std::fs::read(guest_path).unwrap();
                let own: BTreeSet<String> = own_capabilities(&imports(guest_path, &guest)).iter().map(|i| rewired(i)).collect();
                let options = PlugOptions { host: target, ..PlugOptions::default() };
                let prepared = kv_adapt::host::run::prepare(guest_path, &guest, &options).unwrap_or_else(|e| panic!("{guest_path}: {e}"));
                let what = format!("{} run onto {target:?}", file_stem(guest_path));
                let allowed: BTreeSet<String> = back.union(&own).cloned().collect();
                assert_within(&what, &imports(&what, &prepared), &allowed);
            }
        }
    }
}
