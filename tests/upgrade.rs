//! Components of early 2023 (binary version 0x0c): `kv-adapt upgrade`, and `inspect`,
//! `plug` and `notify` upgrading one themselves, then running its G1 watch handler on G5
//! and G6 hosts.
//!
//! The 2023 binary is the era's own output: `wasm/era/guest-g1-watch` (guest-watch's G1
//! handler written against wit-bindgen 0.4.0) componentized by wit-component 0.7.4
//! (`wasm/era/componentize`), both built by build.rs. That toolchain wrote three core
//! modules (the guest's, a shim holding a table of the imports lowered against the guest's memory, and
//! a fix-up module filling it), the wiring between them, and a nested component that
//! re-exports `handle-watch`; `the_era_toolchain_wrote_three_modules_and_a_re_exporting_component`
//! pins that, so the other tests exercise what the issue describes.
//!
//! The refusals use the 0x0c framing by hand around modules (the preamble
//! `00 61 73 6d 0c 00 01 00`, a type section, an import section whose names are followed by
//! a URL, module sections), since no toolchain of the time writes the faulty components they
//! stand for; their instance types are empty, as the upgrade reads none of them.

mod common;

use kv_adapt::store::backend::Backend;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const G1_WATCH: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g1-watch.wasm");
/// The G1 watch handler as wit-bindgen 0.4.0 and wit-component 0.7.4 built it.
const G1_WATCH_2023: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g1-watch-2023.wasm");

fn kv_adapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(args).output().expect("run kv-adapt")
}

fn leb(mut n: u32, out: &mut Vec<u8>) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn section(id: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(payload.len() as u32, out);
    out.extend_from_slice(payload);
}

fn name(s: &str, out: &mut Vec<u8>) {
    leb(s.len() as u32, out);
    out.extend_from_slice(s.as_bytes());
}

/// The instances a module imports from, in first-use order: what the 2023 component
/// imported by name (wit-component, then as now, lists only what the module uses).
fn module_imports(module: &[u8]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(section) = payload.unwrap() {
            for import in section.into_imports() {
                let module = import.unwrap().module.to_string();
                if !names.contains(&module) {
                    names.push(module);
                }
            }
        }
    }
    names
}

/// A 0x0c component of `modules`, importing what they use from named instances (the
/// fix-up's imports, from the instance named "", are wiring, not component imports).
fn component_2023(modules: &[&[u8]]) -> Vec<u8> {
    let mut imports: Vec<String> = Vec::new();
    for module in modules {
        for import in module_imports(module) {
            if !import.is_empty() && !imports.contains(&import) {
                imports.push(import);
            }
        }
    }
    let mut out = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    let mut types = Vec::new();
    leb(imports.len() as u32, &mut types);
    for _ in &imports {
        types.extend_from_slice(&[0x42, 0x00]);
    }
    section(7, &types, &mut out);
    let mut section_10 = Vec::new();
    leb(imports.len() as u32, &mut section_10);
    for (i, import) in imports.iter().enumerate() {
        name(import, &mut section_10);
        name(if import == "streams" { "path:/io/streams/streams" } else { "" }, &mut section_10);
        section_10.push(0x05);
        leb(i as u32, &mut section_10);
    }
    section(10, &section_10, &mut out);
    for module in modules {
        section(1, module, &mut out);
    }
    out
}

/// The top-level sections of a 0x0c component: (id, payload). A plain walk, since today's
/// wasmparser refuses the version.
fn sections(component: &[u8]) -> Vec<(u8, &[u8])> {
    assert_eq!(component[..8], kv_adapt::plan::surface::PREAMBLE_2023, "not binary version 0x0c");
    let (mut out, mut at) = (Vec::new(), 8);
    while at < component.len() {
        let id = component[at];
        at += 1;
        let (mut size, mut shift) = (0usize, 0);
        loop {
            let b = component[at];
            at += 1;
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        out.push((id, &component[at..at + size]));
        at += size;
    }
    out
}

/// The core modules of the era component, in its order.
fn era_modules() -> Vec<Vec<u8>> {
    let component = std::fs::read(G1_WATCH_2023).unwrap();
    sections(&component).into_iter().filter(|(id, _)| *id == 1).map(|(_, m)| m.to_vec()).collect()
}

fn exports_of(module: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ExportSection(section) = payload.unwrap() {
            names.extend(section.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    names
}

/// The era component's guest module, told by what only the guest has: the handler.
fn era_guest() -> Vec<u8> {
    let mut guests = era_modules().into_iter().filter(|m| exports_of(m).iter().any(|e| e == "handle-watch#on-set"));
    let guest = guests.next().expect("a module exports the handler");
    assert!(guests.next().is_none());
    guest
}

/// The issue's premise, so that the tests below run what wit-component 0.7 really wrote.
#[test]
fn the_era_toolchain_wrote_three_modules_and_a_re_exporting_component() {
    let component = std::fs::read(G1_WATCH_2023).unwrap();
    assert!(wasmparser::Validator::new().validate_all(&component).is_err(), "today's validator must refuse 0x0c");
    let ids: Vec<u8> = sections(&component).iter().map(|(id, _)| *id).collect();
    let count = |id: u8| ids.iter().filter(|i| **i == id).count();
    assert_eq!(count(1), 3, "core modules: {ids:?}");
    assert_eq!(count(4), 1, "nested components: {ids:?}");
    for id in [2, 6, 8, 5, 11] {
        assert!(count(id) > 0, "no section {id}: {ids:?}");
    }
    // The types and imports come first, the modules next, the nested component and its
    // instance and export last.
    assert_eq!(ids[..2], [7, 10]);
    assert_eq!(ids.last(), Some(&11));
    let modules = era_modules();
    let exports: Vec<Vec<String>> = modules.iter().map(|m| exports_of(m)).collect();
    // The guest's first, then the shim (its table and one function per import lowered
    // against the guest's memory), then the fix-up (no exports).
    assert!(exports[0].contains(&"handle-watch#on-delete".to_string()) && exports[0].contains(&"memory".to_string()), "{exports:?}");
    assert!(exports[1].contains(&"$imports".to_string()) && exports[1].contains(&"0".to_string()), "{exports:?}");
    assert!(exports[2].is_empty(), "{exports:?}");
    // The guest module went in whole, less its `component-type` custom section.
    let customs: Vec<String> = wasmparser::Parser::new(0)
        .parse_all(&modules[0])
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::CustomSection(c) => Some(c.name().to_string()),
            _ => None,
        })
        .collect();
    assert!(!customs.iter().any(|c| c.starts_with("component-type")), "{customs:?}");
}

fn era_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("g1-handler-2023.wasm");
    std::fs::copy(G1_WATCH_2023, &path).unwrap();
    path
}

#[test]
fn upgrade_writes_a_component_of_todays_format_with_the_same_import_names() {
    let dir = tempfile::tempdir().unwrap();
    let old = era_fixture(dir.path());
    let new = dir.path().join("upgraded.wasm");
    let output = kv_adapt(&["upgrade", old.to_str().unwrap(), "-o", new.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let used = module_imports(&era_guest());
    let note = format!("a 2023 component (binary version 0x0c), upgraded to today's format as G1 world `keyvalue-handle-watch` ({} imports kept by name)", used.len());
    assert!(stdout.contains(&note), "{stdout}");
    let bytes = std::fs::read(&new).unwrap();
    assert_eq!(&bytes[4..8], &[0x0d, 0x00, 0x01, 0x00]);
    let surface = kv_adapt::surface("upgraded", &bytes).unwrap();
    let (mut imports, mut want) = (surface.imports.clone(), used);
    imports.sort();
    want.sort();
    // The handler reads and writes bodies through G1's streams; it uses no batch function,
    // so wit-component, then as now, left `batch` out.
    assert_eq!(want, ["atomic", "readwrite", "streams", "types", "wasi-cloud-error"]);
    assert_eq!(imports, want);
    assert_eq!(surface.exports, ["handle-watch"]);
    // One core module is carried over: the shim and fix-up are today's wit-component's again.
    let modules = wasmparser::Parser::new(0)
        .parse_all(&bytes)
        .filter(|p| matches!(p, Ok(wasmparser::Payload::ModuleSection { .. })))
        .count();
    assert_eq!(modules, 3, "today's guest, shim and fix-up");
    // It runs on wasmtime 48 once adapted: compiled after plug onto G5.
    let plugged = kv_adapt::plug(&bytes, &kv_adapt::PlugOptions::default()).unwrap();
    wasmtime::component::Component::new(common::engine(), &plugged).expect("the upgraded, plugged guest compiles");
}

/// The issue's "done when": a G1 binary that the toolchain of 2023 wrote runs its handler on
/// G5 and G6 through `kv-adapt notify`, which upgrades it first and says so in one line.
/// The handler checks what it is handed (the value streamed 7 bytes at a time, its size, a
/// `get` of the key) and records what it saw, so every record below is its work.
#[test]
fn notify_upgrades_a_2023_g1_handler_and_runs_it_on_g5_and_g6() {
    let dir = tempfile::tempdir().unwrap();
    let old = era_fixture(dir.path());
    // Longer than one 7-byte read and not a multiple of 7, so the stream's end is reached
    // mid-read.
    let value = "hello from 2023, read in pieces";
    for host in ["g5", "g6"] {
        let store = dir.path().join(format!("kv-{host}"));
        let args = ["notify", old.to_str().unwrap(), "--store", store.to_str().unwrap(), "--host", host];
        let set = kv_adapt(&[&args[..], &["set", "inbox", "greeting", value]].concat());
        let stderr = String::from_utf8_lossy(&set.stderr);
        assert!(set.status.success(), "{host}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.contains("a 2023 component (binary version 0x0c), upgraded to today's format"), "{host}: {stderr}");
        assert!(stderr.contains("by watch-g1-on-"), "{host}: {stderr}");
        let read = |key: &str| Backend::dir(&store).read("inbox", key).unwrap();
        assert_eq!(read("watch-error"), None, "{host}: the handler found a fault");
        assert_eq!(read("seen:greeting").as_deref(), Some(value.as_bytes()), "{host}");
        assert_eq!(read("events").as_deref(), Some(&b"1"[..]), "{host}");

        let delete = kv_adapt(&[&args[..], &["delete", "inbox", "greeting"]].concat());
        assert!(delete.status.success(), "{host}: {}", String::from_utf8_lossy(&delete.stderr));
        assert_eq!(read("greeting"), None);
        assert_eq!(read("deleted:greeting").as_deref(), Some(&b"greeting"[..]), "{host}");
        assert_eq!(read("watch-error"), None, "{host}");
        assert_eq!(read("events").as_deref(), Some(&b"2"[..]), "{host}: one increment per event");

        // An empty value: the stream ends at once, and the handler still records it.
        let empty = kv_adapt(&[&args[..], &["set", "inbox", "blank", ""]].concat());
        assert!(empty.status.success(), "{host}: {}", String::from_utf8_lossy(&empty.stderr));
        assert_eq!(read("watch-error"), None, "{host}");
        assert_eq!(read("seen:blank").as_deref(), Some(&b""[..]), "{host}");
        assert_eq!(read("events").as_deref(), Some(&b"3"[..]), "{host}");
    }
}

#[test]
fn inspect_and_plug_upgrade_a_2023_component_saying_so_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let old = era_fixture(dir.path());
    let output = kv_adapt(&["inspect", old.to_str().unwrap()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("binary version 0x0c"), "{stderr}");
    assert!(stdout.contains("key-value generations imported: G1"), "{stdout}");
    assert!(stdout.contains("plug --host g6 (draft2): adapt G1 -> G6 with adapter-g1-on-g6; handle-watch served as wasi:keyvalue/watcher@0.2.0-draft2 by watch-g1-on-g6"), "{stdout}");

    let out = dir.path().join("plugged.wasm");
    let output = kv_adapt(&["plug", old.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let surface = kv_adapt::surface("plugged", &std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(surface.exports, ["wasi:keyvalue/watcher@0.2.0-draft"]);
    assert_eq!(surface.imported_generations(), [kv_adapt::Generation::G5]);
}

/// The guest's module is told by what it is, not where it sits: the era's three modules in
/// any order upgrade alike, and the shim and fix-up alone are no guest.
#[test]
fn the_guest_module_is_found_whatever_the_order_of_the_modules() {
    let modules = era_modules();
    let [guest, shim, fix_up] = [&modules[0][..], &modules[1][..], &modules[2][..]];
    for order in [[shim, fix_up, guest], [fix_up, guest, shim]] {
        let upgraded = kv_adapt::link::upgrade::upgrade("old.wasm", &component_2023(&order)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(upgraded.world, "keyvalue-handle-watch");
        let surface = kv_adapt::surface("upgraded", &upgraded.component).unwrap();
        assert_eq!(surface.exports, ["handle-watch"]);
    }
    let error = kv_adapt::link::upgrade::upgrade("old.wasm", &component_2023(&[shim, fix_up])).err().unwrap().to_string();
    assert!(error.contains("it holds only wit-component's shim modules, no guest module"), "{error}");
}

#[test]
fn what_cannot_be_upgraded_is_refused_in_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let modules = era_modules();
    let module = era_guest();
    // A second module of the guest's own beside wit-component's shim and fix-up, as the
    // preview1 adapter of that time was.
    let adapter_like = wat::parse_str("(module (func (export \"fd_write\")))").unwrap();
    let two = dir.path().join("two-modules.wasm");
    std::fs::write(&two, component_2023(&[&modules[0], &modules[1], &modules[2], &adapter_like])).unwrap();
    let out = dir.path().join("out.wasm");
    for (input, expected) in [
        (two.to_str().unwrap(), "holds 2 core modules besides wit-component's shims (such as the WASI preview1 adapter of that time)"),
        (G1_WATCH, "not a 2023 component (binary version 0x0c); nothing to upgrade"),
    ] {
        let output = kv_adapt(&["upgrade", input, "-o", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!out.exists());
    }
    // The library's readers name the fix for a 0x0c input they are handed directly.
    let old = component_2023(&[&module]);
    let error = kv_adapt::surface("old.wasm", &old).err().unwrap().to_string();
    assert!(error.contains("`kv-adapt upgrade` converts it"), "{error}");
}

/// The library's refusals, on 0x0c inputs a user could hand it: each names what is missing.
#[test]
fn the_library_names_what_a_2023_component_lacks() {
    let refused = |bytes: &[u8]| match kv_adapt::link::upgrade::upgrade("old.wasm", bytes) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("upgraded"),
    };
    let empty = wat::parse_str("(module)").unwrap();
    let mut wasi = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    let mut imports = Vec::new();
    leb(1, &mut imports);
    name("wasi-filesystem", &mut imports);
    name("path:/wasi-filesystem/wasi-filesystem", &mut imports);
    imports.extend_from_slice(&[0x05, 0x00]);
    section(10, &imports, &mut wasi);
    section(1, &empty, &mut wasi);
    assert!(refused(&wasi).contains("imports `wasi-filesystem`, which is not G1 key-value"), "{}", refused(&wasi));

    let mut cut_import = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(10, &imports[..imports.len() - 1], &mut cut_import);
    assert!(refused(&cut_import).contains("its import section: truncated"), "{}", refused(&cut_import));

    let mut cut = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(1, &empty, &mut cut);
    cut.truncate(cut.len() - 1);
    assert!(refused(&cut).contains("run past the end"), "{}", refused(&cut));

    let mut none = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(0, b"\x09producers", &mut none);
    assert!(refused(&none).contains("it holds no core module"), "{}", refused(&none));

    let run = wat::parse_str(r#"(module (func (export "run")))"#).unwrap();
    let mut odd = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(1, &run, &mut odd);
    assert!(refused(&odd).contains("its module exports `run`, which no G1 world has"), "{}", refused(&odd));

    // A nested component with code of its own: dropping it would drop that code.
    let mut inner = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(1, &empty, &mut inner);
    let mut nested = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(1, &era_guest(), &mut nested);
    section(4, &inner, &mut nested);
    assert!(
        refused(&nested).contains("it nests a component that holds a core module, more than a re-export of an interface"),
        "{}",
        refused(&nested)
    );

    // Exports the component makes: `vec(name url sort index no-type)`.
    let export = |export_name: &str, sort: u8| {
        let mut payload = Vec::new();
        leb(1, &mut payload);
        name(export_name, &mut payload);
        name("", &mut payload);
        payload.extend_from_slice(&[sort, 0x00, 0x00]);
        payload
    };
    let mut exports_run = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(1, &empty, &mut exports_run);
    section(11, &export("run", 0x01), &mut exports_run);
    assert!(refused(&exports_run).contains("it exports `run`, which no G1 world has"), "{}", refused(&exports_run));
    let mut no_handler = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    section(1, &empty, &mut no_handler);
    section(11, &export("handle-watch", 0x05), &mut no_handler);
    assert!(
        refused(&no_handler).contains("it exports `handle-watch`, which its guest module does not"),
        "{}",
        refused(&no_handler)
    );
    let mut cut_export = kv_adapt::plan::surface::PREAMBLE_2023.to_vec();
    let whole = export("handle-watch", 0x05);
    section(11, &whole[..whole.len() - 1], &mut cut_export);
    assert!(refused(&cut_export).contains("its export section: truncated"), "{}", refused(&cut_export));
}
