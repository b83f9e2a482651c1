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
/// them leave traces (measured: 8 or 9 with host bodies, 7 with `-io`, whose async cases
/// succeed).
const MIN_TRACED_EVENTUAL: usize = 7;

/// Every case of the guest at `guest_path` fused and composed on `host`; at least
/// `min_traced` cases must leave error traces, so that the error paths are compared too.
fn fused_equals_composed(guest_path: &str, host: Host, counter: CounterEncoding, min_traced: usize) {
    fused_equals_composed_with(guest_path, Setup { host, bodies: Bodies::Host, counter, strict_atomics: false }, min_traced)
}

/// [`fused_equals_composed`] with the value bodies of `setup`.
fn fused_equals_composed_with(guest_path: &str, setup: Setup, min_traced: usize) {
    let host = setup.host;
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

// Async bodies from memory (`-io`): the streams are the fused module's too, and the
// conformance guest's async-body cases run on both.
#[test]
fn fused_g2_io_equals_composed_io_on_wasmtime_keyvalue() {
    let setup = Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    fused_equals_composed_with(common::G2_CONFORMANCE, setup, 10);
}

#[test]
fn fused_g2_io_equals_composed_io_on_the_g5_store() {
    let setup = Setup { host: Host::FsStoreDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Le64, strict_atomics: false };
    fused_equals_composed_with(common::G2_CONFORMANCE, setup, 10);
}

#[test]
fn fused_g3_io_equals_composed_io_on_wasmtime_keyvalue() {
    let setup = Setup { host: Host::WasmtimeDraft, bodies: Bodies::Adapter, counter: CounterEncoding::Decimal, strict_atomics: false };
    fused_equals_composed_with(common::G3_CONFORMANCE, setup, MIN_TRACED_EVENTUAL);
}

#[test]
fn fused_g4_io_equals_composed_io_on_the_g6_store() {
    let setup = Setup { host: Host::FsStoreDraft2, bodies: Bodies::Adapter, counter: CounterEncoding::Le64, strict_atomics: false };
    fused_equals_composed_with(common::G4_CONFORMANCE, setup, MIN_TRACED_EVENTUAL);
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
            let fused = kv_adapt::link::fuse::fuse("guest", &guest, kv_adapt::artifacts::fused(source, host, false).unwrap()).unwrap();
            // Inside: the guest's module calls `kv-adapt` and nothing of its generation any
            // more; exactly one module exports the functions it calls.
            let modules = core_modules(&fused);
            let main_imports = imports_of(&modules[0]);
            assert!(main_imports.iter().any(|(m, f)| m == "kv-adapt" && f == get), "{source}: {main_imports:?}");
            assert!(!main_imports.iter().any(|(m, _)| m.starts_with("wasi:keyvalue/")), "{source}: {main_imports:?}");
            let adapters = modules.iter().filter(|m| imports_of(m).iter().any(|(module, _)| module == "__main_module__" || module.starts_with("wasi:keyvalue/store@"))).count();
            assert_eq!(adapters, 1, "{source}: one key-value adapter module inside");
            // Outside: the host's generation, nothing of the guest's, no kv-adapt internals.
            let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
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
    let fused = kv_adapt::link::fuse::fuse("guest", &guest, kv_adapt::artifacts::fused(kv_adapt::Generation::G2, kv_adapt::Generation::G5, false).unwrap()).unwrap();
    let after = customs(&core_modules(&fused)[0]);
    for section in &before {
        assert!(after.contains(section), "custom section `{}` lost or changed", section.0);
    }
}

/// Where fusing would change behaviour, or cannot be done, `auto` composes and says why, and
/// `--link fused` refuses in one line.
#[test]
fn plug_composes_where_it_cannot_fuse_and_says_why() {
    // A handler's types must stay a component import for the watch bridge.
    let watch_guest = std::fs::read(concat!(kv_adapt_test_programs::dir!(), "/guest-g2-watch.wasm")).unwrap();
    let auto = PlugOptions::default();
    let plugged = kv_adapt::plug_named("guest", &watch_guest, &auto).unwrap();
    let text = plugged.plan.to_string();
    assert!(text.contains("with adapter-g2-on-g5") && text.contains("not fused: the guest exports") && text.contains("handle-watch"), "{text}");
    let forced = PlugOptions { linking: Some(Linking::Fused), ..auto.clone() };
    let err = kv_adapt::plug_named("guest", &watch_guest, &forced).err().expect("refused").to_string();
    assert!(err.contains("cannot fuse") && !err.contains('\n'), "{err}");
    let guest = std::fs::read(common::G2_CONFORMANCE).unwrap();
    // An already composed component holds no single main module to link into.
    let composed = kv_adapt::plug(&guest, &PlugOptions { linking: Some(Linking::Composed), bodies: Some(Bodies::Host), ..PlugOptions::default() }).unwrap();
    let err = kv_adapt::link::fuse::fuse("composed", &composed, kv_adapt::artifacts::fused(kv_adapt::Generation::G2, kv_adapt::Generation::G5, false).unwrap())
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("composed") && !err.contains('\n'), "{err}");
}

/// A guest written by hand in WAT, so that it can pass what generated bindings never do: a
/// key that is not UTF-8 (case 0) and a bucket handle that was never issued (case 1, handle
/// 7), then a plain missing-key `get` (case 2). `probe(case)` returns the error's trace, or
/// "ok". `imports` are the (module, name) of open-bucket, get and trace; `world` is the
/// world's import lines.
fn probe_guest(world: &str, open: (&str, &str), get: (&str, &str), trace: (&str, &str)) -> Vec<u8> {
    let wat = format!(
        r#"(module
  (import "{}" "{}" (func $open (param i32 i32 i32)))
  (import "{}" "{}" (func $get (param i32 i32 i32 i32)))
  (import "{}" "{}" (func $trace (param i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 100) "\ff\fe")
  (data (i32.const 110) "missing")
  (data (i32.const 120) "ok")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "probe") (param $case i32) (result i32)
    (local $bucket i32)
    ;; open-bucket("") -> result<bucket, error> at 300
    (call $open (i32.const 0) (i32.const 0) (i32.const 300))
    (if (i32.load8_u (i32.const 300)) (then unreachable))
    (local.set $bucket (i32.load (i32.const 304)))
    (if (i32.eq (local.get $case) (i32.const 0))
      (then (call $get (local.get $bucket) (i32.const 100) (i32.const 2) (i32.const 400))))
    (if (i32.eq (local.get $case) (i32.const 1))
      (then (call $get (i32.const 7) (i32.const 110) (i32.const 7) (i32.const 400))))
    (if (i32.eq (local.get $case) (i32.const 2))
      (then (call $get (local.get $bucket) (i32.const 110) (i32.const 7) (i32.const 400))))
    ;; result<_, error>: on error the handle is at 404; its trace goes to 500
    (if (i32.load8_u (i32.const 400))
      (then
        (call $trace (i32.load (i32.const 404)) (i32.const 500))
        (return (i32.const 500))))
    (i32.store (i32.const 500) (i32.const 120))
    (i32.store (i32.const 504) (i32.const 2))
    (i32.const 500)))"#,
        open.0, open.1, get.0, get.1, trace.0, trace.1
    );
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_path(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/kv-adapt")).unwrap();
    let pkg = resolve.push_str("probe.wit", &format!("package test:probe;\nworld probe {{\n{world}\n    export probe: func(case: u32) -> string;\n}}\n")).unwrap();
    let world_id = resolve.select_world(&[pkg], Some("probe")).unwrap();
    let mut module = wat::parse_str(&wat).unwrap();
    wit_component::embed_component_metadata(&mut module, &resolve, world_id, wit_component::StringEncoding::UTF8).unwrap();
    wit_component::ComponentEncoder::default().module(&module).unwrap().validate(true).encode().unwrap()
}

/// What `probe` gives for each case, linked as `linking` says; a trap is `Err`.
fn probe(guest: &[u8], linking: Linking) -> Vec<Result<String, String>> {
    let setup = Setup { host: Host::WasmtimeDraft, bodies: Bodies::Host, counter: CounterEncoding::Decimal, strict_atomics: false };
    let bytes = common::prepare_linked(guest, setup, Some(linking), false);
    let component = Component::new(common::engine(), bytes).expect("compile");
    (0..3u32)
        .map(|case| {
            // A fresh instance per case: a trap poisons the one it happens in.
            let (mut store, instance) = common::instantiate_prepared(&component, setup);
            let probe = instance.get_typed_func::<(u32,), (String,)>(&mut store, "probe").unwrap();
            probe.call(&mut store, (case,)).map(|(s,)| s).map_err(|trap| format!("{trap:?}"))
        })
        .collect()
}

/// The rows of the README's semantics tables that only the fused flavour has: a key that
/// is not UTF-8 is a `bad-value` error there and a trap in a composition (G1, G2, G3), and
/// a G3/G4 bucket handle that is not live is a `bad-handle` error there and a trap in a
/// composition (G1/G2 handles are u32s the adapter checks in both flavours).
#[test]
fn fused_reports_what_a_composition_traps_on() {
    let eventual = probe_guest(
        "    import wasi:keyvalue/eventual@0.1.0;\n    import wasi:keyvalue/types@0.1.0;\n    import wasi:keyvalue/wasi-keyvalue-error@0.1.0;",
        ("wasi:keyvalue/types@0.1.0", "[static]bucket.open-bucket"),
        ("wasi:keyvalue/eventual@0.1.0", "get"),
        ("wasi:keyvalue/wasi-keyvalue-error@0.1.0", "[method]error.trace"),
    );
    let g2 = probe_guest(
        "    import wasi:keyvalue/readwrite;\n    import wasi:keyvalue/types;\n    import wasi:keyvalue/wasi-cloud-error;",
        ("wasi:keyvalue/types", "open-bucket"),
        ("wasi:keyvalue/readwrite", "get"),
        ("wasi:keyvalue/wasi-cloud-error", "trace"),
    );
    let g1 = probe_guest(
        "    include kv-adapt:keyvalue-g1/keyvalue;",
        ("types", "open-bucket"),
        ("readwrite", "get"),
        ("wasi-cloud-error", "trace"),
    );
    for (name, guest, composed_checks_handles, missing) in
        [("G3", &eventual, false, "ok"), ("G2", &g2, true, "not-found: "), ("G1", &g1, true, "not-found: ")]
    {
        let fused = probe(guest, Linking::Fused);
        let composed = probe(guest, Linking::Composed);
        let text = |r: &Result<String, String>| r.clone().unwrap_or_else(|trap| panic!("{name}: fused trapped: {trap}"));
        assert!(text(&fused[0]).starts_with("bad-value: ") && text(&fused[0]).contains("UTF-8"), "{name}: {:?}", fused[0]);
        assert!(composed[0].as_ref().is_err_and(|trap| trap.contains("invalid utf8")), "{name}: composed: {:?}", composed[0]);
        assert!(text(&fused[1]).starts_with("bad-handle: bucket 7 is not open"), "{name}: {:?}", fused[1]);
        if composed_checks_handles {
            assert_eq!(composed[1], fused[1], "{name}: u32 handles are checked by the adapter in both flavours");
        } else {
            assert!(composed[1].is_err(), "{name}: a composition's canonical ABI traps on an unknown handle: {:?}", composed[1]);
        }
        assert!(text(&fused[2]).starts_with(missing), "{name}: {:?}", fused[2]);
        assert_eq!(composed[2], fused[2], "{name}: a plain call is the same in both");
    }
}

/// The `-io` fused flavour links the guest's wasi:io to the adapter module too: a guest
/// whose wasi:io serves only value bodies then imports nothing but the host's key-value.
#[test]
fn a_fused_io_guest_imports_neither_its_generation_nor_wasi_io() {
    use kv_adapt::Generation::{G2, G3, G4, G5, G6};
    for (source, path) in [(G2, common::G2_CONFORMANCE), (G3, common::G3_CONFORMANCE), (G4, common::G4_CONFORMANCE)] {
        let guest = std::fs::read(path).unwrap();
        let before = kv_adapt::surface("guest", &guest).unwrap();
        assert!(before.async_bodies && before.imports.iter().any(|i| i.starts_with("wasi:io/streams@")), "{source}: {:?}", before.imports);
        for host in [G5, G6] {
            let options = PlugOptions { host, bodies: Some(Bodies::Adapter), ..PlugOptions::default() };
            let plugged = kv_adapt::plug_named("guest", &guest, &options).unwrap();
            let text = plugged.plan.to_string();
            let name = kv_adapt::artifacts::fused(source, host, true).unwrap().name();
            assert!(text.contains(&format!("with {name}, fused into the guest's component")) && text.contains("adapter-io"), "{text}");
            let fused = kv_adapt::link::fuse::fuse("guest", &guest, kv_adapt::artifacts::fused(source, host, true).unwrap()).unwrap();
            let main_imports = imports_of(&core_modules(&fused)[0]);
            assert!(main_imports.iter().any(|(m, f)| m == "kv-adapt" && f == "wasi:io/streams|[method]output-stream.write"), "{source}: {main_imports:?}");
            assert!(!main_imports.iter().any(|(m, _)| m.starts_with("wasi:io/") || m.starts_with("wasi:keyvalue/")), "{source}: {main_imports:?}");
            let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
            assert!(surface.imports.iter().all(|i| i.starts_with("wasi:keyvalue/")), "{source} on {host}: {:?}", surface.imports);
            assert_eq!(surface.imported_generations(), vec![host]);
        }
    }
}
