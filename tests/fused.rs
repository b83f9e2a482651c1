//! The fused flavour (`kv-adapt plug --link fused`, the default where it applies) against
//! the composed one: every case of the G1, G2, G3 and G4 conformance guests, on
//! wasmtime-wasi-keyvalue and on the filesystem store as G5 and as G6, must give the same
//! result and leave the same error traces in the adapter's diagnostics. Plus what fusing promises structurally: one
//! key-value adapter module inside, only the host's generation outside, the guest's own
//! custom sections kept, and a clear refusal where it cannot fuse.

mod common;

use common::{Bodies, Host, Setup};
use kv_adapt::{CounterEncoding, Linking, PlugOptions};
use wasmparser::{Parser, Payload};
use wasmtime::component::Component;

/// (result, traces) of every case, in the guest's order.
type Outcomes = Vec<(String, Result<(), String>, Vec<String>)>;

fn outcomes(guest_path: &str, setup: Setup, linking: Linking) -> Outcomes {
    let guest = std::fs::read(guest_path).unwrap();
    let bytes = common::prepare_linked(&guest, setup, Some(linking), true);
    let component = Component::new(common::engine(), bytes).expect("compile");
    let cases = common::guest_cases(guest_path, setup);
    assert!(cases.len() >= 25, "the guest lists its cases: {cases:?}");
    cases
        .into_iter()
        .map(|case| {
            let (mut store, instance) = common::instantiate_prepared(&component, setup);
            let conformance = instance.get_export_index(&mut store, None, "kv-adapt:components/conformance").unwrap();
            let run = instance.get_export_index(&mut store, Some(&conformance), "run").unwrap();
            let run = instance.get_typed_func::<(&str,), (Result<(), String>,)>(&mut store, &run).unwrap();
            let result = match run.call(&mut store, (case.as_str(),)) {
                Ok((r,)) => r,
                Err(trap) => Err(format!("trapped: {trap:?}")),
            };
            let diagnostics = instance.get_export_index(&mut store, None, kv_adapt::DIAGNOSTICS).expect("diagnostics exported");
            let recent = instance.get_export_index(&mut store, Some(&diagnostics), "recent-errors").unwrap();
            let recent = instance.get_typed_func::<(), (Vec<String>,)>(&mut store, &recent).unwrap();
            let (traces,) = recent.call(&mut store, ()).expect("recent-errors");
            (case, result, traces)
        })
        .collect()
}

/// The eventual guest has fewer error cases than G2's; on every host at least this many of
/// them leave traces (measured: see the README's fused section).
const MIN_TRACED_EVENTUAL: usize = 8;

/// Every case of the guest at `guest_path` fused and composed on `host`; at least
/// `min_traced` cases must leave error traces, so that the error paths are compared too.
fn fused_equals_composed(guest_path: &str, host: Host, counter: CounterEncoding, min_traced: usize) {
    let setup = Setup { host, bodies: Bodies::Host, counter };
    let fused = outcomes(guest_path, setup, Linking::Fused);
    let composed = outcomes(guest_path, setup, Linking::Composed);
    assert_eq!(fused.len(), composed.len());
    let mut traced = 0;
    for (f, c) in fused.iter().zip(&composed) {
        // Resource handles are the one thing allowed to differ: a composition's canonical
        // ABI numbers them from 1, the fused adapter hands out its own (kind and slot bits).
        let f = &(f.0.clone(), f.1.clone().map_err(|m| without_handle_numbers(&m)), f.2.clone());
        let c = &(c.0.clone(), c.1.clone().map_err(|m| without_handle_numbers(&m)), c.2.clone());
        assert_eq!(f, c, "{host:?}: case `{}` differs fused (left) and composed (right)", f.0);
        traced += usize::from(!f.2.is_empty());
    }
    // Cases that run into errors must have left traces, or the comparison proves little.
    println!("{host:?}: {traced} of {} cases left error traces", fused.len());
    assert!(traced >= min_traced, "{host:?}: only {traced} cases left error traces");
}

/// `message` with the number after each `handle: ` (a guest's Debug of a resource) as `N`.
fn without_handle_numbers(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("handle: ") {
        let (before, after) = rest.split_at(at + "handle: ".len());
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('N');
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn handle_numbers_are_masked_and_nothing_else() {
    assert_eq!(
        without_handle_numbers("got ok(Bucket { handle: Resource { handle: 536870912 } }), handle: x"),
        "got ok(Bucket { handle: Resource { handle: N } }), handle: x"
    );
}

#[test]
fn fused_equals_composed_on_wasmtime_keyvalue() {
    fused_equals_composed(common::G2_CONFORMANCE, Host::WasmtimeDraft, CounterEncoding::Decimal, 10);
}

#[test]
fn fused_equals_composed_on_the_g5_store() {
    fused_equals_composed(common::G2_CONFORMANCE, Host::FsStoreDraft, CounterEncoding::Decimal, 10);
}

#[test]
fn fused_equals_composed_on_the_g6_store_with_le64_counters() {
    fused_equals_composed(common::G2_CONFORMANCE, Host::FsStoreDraft2, CounterEncoding::Le64, 10);
}

// G1's streams are its own interface, served from the adapter's memory fused as composed:
// its stream cases run on both.
#[test]
fn fused_g1_equals_composed_on_wasmtime_keyvalue() {
    fused_equals_composed(common::G1_CONFORMANCE, Host::WasmtimeDraft, CounterEncoding::Decimal, 10);
}

#[test]
fn fused_g1_equals_composed_on_the_g6_store_with_le64_counters() {
    fused_equals_composed(common::G1_CONFORMANCE, Host::FsStoreDraft2, CounterEncoding::Le64, 10);
}

#[test]
fn fused_g3_equals_composed_on_wasmtime_keyvalue() {
    fused_equals_composed(common::G3_CONFORMANCE, Host::WasmtimeDraft, CounterEncoding::Decimal, MIN_TRACED_EVENTUAL);
}

#[test]
fn fused_g3_equals_composed_on_the_g6_store_with_le64_counters() {
    fused_equals_composed(common::G3_CONFORMANCE, Host::FsStoreDraft2, CounterEncoding::Le64, MIN_TRACED_EVENTUAL);
}

#[test]
fn fused_g4_equals_composed_on_wasmtime_keyvalue() {
    fused_equals_composed(common::G4_CONFORMANCE, Host::WasmtimeDraft, CounterEncoding::Decimal, MIN_TRACED_EVENTUAL);
}

#[test]
fn fused_g4_equals_composed_on_the_g5_store() {
    fused_equals_composed(common::G4_CONFORMANCE, Host::FsStoreDraft, CounterEncoding::Le64, MIN_TRACED_EVENTUAL);
}

#[test]
fn fused_g4_equals_composed_on_the_g6_store() {
    fused_equals_composed(common::G4_CONFORMANCE, Host::FsStoreDraft2, CounterEncoding::Decimal, MIN_TRACED_EVENTUAL);
}

/// Core modules of `component` at its top level.
fn core_modules(component: &[u8]) -> Vec<Vec<u8>> {
    let mut depth = 0;
    let mut modules = Vec::new();
    for payload in Parser::new(0).parse_all(component) {
        match payload.unwrap() {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ModuleSection { unchecked_range, .. } if depth == 1 => {
                modules.push(component[unchecked_range.start as usize..unchecked_range.end as usize].to_vec())
            }
            _ => {}
        }
    }
    modules
}

fn imports_of(module: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ImportSection(s) = payload.unwrap() {
            for import in s.into_imports() {
                let import = import.unwrap();
                out.push((import.module.to_string(), import.name.to_string()));
            }
        }
    }
    out
}

#[test]
fn a_fused_guest_holds_one_adapter_module_and_imports_only_the_host() {
    use kv_adapt::Generation::{G1, G2, G3, G4, G5, G6};
    let guests = [
        (G1, common::G1_CONFORMANCE, "readwrite|get"),
        (G2, common::G2_CONFORMANCE, "wasi:keyvalue/readwrite|get"),
        (G3, common::G3_CONFORMANCE, "wasi:keyvalue/eventual@0.1.0|get"),
        (G4, common::G4_CONFORMANCE, "wasi:keyvalue/eventual@0.2.0-draft|get"),
    ];
    for (source, path, get) in guests {
        let guest = std::fs::read(path).unwrap();
        for host in [G5, G6] {
            let options = PlugOptions { host, bodies: Some(Bodies::Host), ..PlugOptions::default() };
            let plugged = kv_adapt::plug_named("guest", &guest, &options).unwrap();
            let text = plugged.plan.to_string();
            assert!(text.contains("fused into the guest's component"), "{text}");
            let fused = kv_adapt::fuse::fuse("guest", &guest, kv_adapt::artifacts::fused(source, host).unwrap()).unwrap();
            // Inside: the guest's module calls `kv-adapt` and nothing of its generation any
            // more; exactly one module exports the functions it calls.
            let modules = core_modules(&fused);
            let main_imports = imports_of(&modules[0]);
            assert!(main_imports.iter().any(|(m, f)| m == "kv-adapt" && f == get), "{source}: {main_imports:?}");
            assert!(!main_imports.iter().any(|(m, _)| m.starts_with("wasi:keyvalue/")), "{source}: {main_imports:?}");
            let adapters = modules.iter().filter(|m| imports_of(m).iter().any(|(module, _)| module == "__main_module__" || module.starts_with("wasi:keyvalue/store@"))).count();
            assert_eq!(adapters, 1, "{source}: one key-value adapter module inside");
            // Outside: the host's generation, nothing of the guest's, no kv-adapt internals.
            let surface = kv_adapt::compose::surface("plugged", &plugged.component).unwrap();
            assert_eq!(surface.imported_generations(), vec![host], "{source}: {:?}", surface.imports);
            assert!(surface.imports.iter().all(|i| !i.starts_with("kv-adapt:")), "{:?}", surface.imports);
            assert!(surface.exports.iter().all(|e| e != kv_adapt::DIAGNOSTICS), "diagnostics stay internal: {:?}", surface.exports);
        }
    }
}

/// Custom sections of the guest's module (its names, its producers) come through.
#[test]
fn fusing_keeps_the_guest_modules_custom_sections() {
    let guest = std::fs::read(common::G2_CONFORMANCE).unwrap();
    let customs = |module: &[u8]| -> Vec<(String, Vec<u8>)> {
        Parser::new(0)
            .parse_all(module)
            .filter_map(|p| match p.unwrap() {
                Payload::CustomSection(c) if !c.name().starts_with("component-type") => Some((c.name().to_string(), c.data().to_vec())),
                _ => None,
            })
            .collect()
    };
    let before = customs(&core_modules(&guest)[0]);
    // Our release guests are stripped of names; producers stay.
    assert!(before.iter().any(|(n, _)| n == "producers"), "the guest's module has custom sections: {:?}", before.iter().map(|c| &c.0).collect::<Vec<_>>());
    let fused = kv_adapt::fuse::fuse("guest", &guest, kv_adapt::artifacts::fused(kv_adapt::Generation::G2, kv_adapt::Generation::G5).unwrap()).unwrap();
    let after = customs(&core_modules(&fused)[0]);
    for section in &before {
        assert!(after.contains(section), "custom section `{}` lost or changed", section.0);
    }
}

/// Where fusing would change behaviour, or cannot be done, `auto` composes and says why, and
/// `--link fused` refuses in one line.
#[test]
fn plug_composes_where_it_cannot_fuse_and_says_why() {
    let guest = std::fs::read(common::G2_CONFORMANCE).unwrap();
    // The conformance guest uses async bodies, which only the composed io flavour serves.
    let auto = PlugOptions { bodies: Some(Bodies::Adapter), ..PlugOptions::default() };
    let plugged = kv_adapt::plug_named("guest", &guest, &auto).unwrap();
    let text = plugged.plan.to_string();
    assert!(text.contains("with adapter-g2-on-g5-io") && text.contains("not fused: async value bodies"), "{text}");
    let forced = PlugOptions { linking: Some(Linking::Fused), ..auto };
    let err = kv_adapt::plug_named("guest", &guest, &forced).err().expect("refused").to_string();
    assert!(err.contains("cannot fuse") && !err.contains('\n'), "{err}");
    // An already composed component holds no single main module to link into.
    let composed = kv_adapt::plug(&guest, &PlugOptions { linking: Some(Linking::Composed), bodies: Some(Bodies::Host), ..PlugOptions::default() }).unwrap();
    let err = kv_adapt::fuse::fuse("composed", &composed, kv_adapt::artifacts::fused(kv_adapt::Generation::G2, kv_adapt::Generation::G5).unwrap())
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("composed") && !err.contains('\n'), "{err}");
}
