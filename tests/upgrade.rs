//! Components of early 2023 (binary version 0x0c): `kv-adapt upgrade`, and `inspect`,
//! `plug` and `notify` upgrading one themselves, then running its G1 watch handler on G5
//! and G6 hosts.
//!
//! The 2023 binary is made here, from the core module of the G1 watch guest
//! (`wasm/guests/guest-watch`, feature `g1`) in the 0x0c framing: the preamble
//! `00 61 73 6d 0c 00 01 00`, a type section, an import section whose names are G1's plain
//! ones each followed by a URL (`streams` carried `path:/io/streams/streams`, as the 2023
//! toolchain wrote it), and the module's own section, without its `component-type` custom
//! section, as wit-component of that time left it. The fixture's instance types are empty:
//! the upgrade reads only the framing, the import names and the module, and makes every
//! type anew from the G1 WIT.

mod common;

use kv_adapt::hosts::backend::Backend;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const G1_WATCH: &str = concat!(env!("KV_ADAPT_TEST_COMPONENTS"), "/guest-g1-watch.wasm");

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

/// The guest's main core module as wit-component of 2023 kept it: every section, less the
/// `component-type` custom section that described its world.
fn guest_module(component: &[u8]) -> Vec<u8> {
    use wasmparser::{Parser, Payload};
    let range = Parser::new(0)
        .parse_all(component)
        .find_map(|p| match p.unwrap() {
            Payload::ModuleSection { unchecked_range, .. } => Some(unchecked_range),
            _ => None,
        })
        .expect("the guest has a core module");
    let module = &component[range.start as usize..range.end as usize];
    let mut out = module[..8].to_vec();
    let mut dropped = 0;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.unwrap();
        if let Payload::CustomSection(c) = &payload {
            if c.name().starts_with("component-type") {
                dropped += 1;
                continue;
            }
        }
        if let Some((id, r)) = payload.as_section() {
            section(id, &module[r.start as usize..r.end as usize], &mut out);
        }
    }
    assert!(dropped <= 1);
    out
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

/// A 0x0c component of `modules` (the first the guest's), importing what the first uses.
fn component_2023(modules: &[&[u8]]) -> Vec<u8> {
    let imports = module_imports(modules[0]);
    let mut out = kv_adapt::upgrade::PREAMBLE_2023.to_vec();
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

fn fixture(dir: &Path) -> PathBuf {
    let guest = std::fs::read(G1_WATCH).unwrap();
    let old = component_2023(&[&guest_module(&guest)]);
    assert!(wasmparser::Validator::new().validate_all(&old).is_err(), "today's validator must refuse 0x0c");
    let path = dir.join("g1-handler-2023.wasm");
    std::fs::write(&path, old).unwrap();
    path
}

#[test]
fn upgrade_writes_a_component_of_todays_format_with_the_same_import_names() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture(dir.path());
    let new = dir.path().join("upgraded.wasm");
    let output = kv_adapt(&["upgrade", old.to_str().unwrap(), "-o", new.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let used = module_imports(&guest_module(&std::fs::read(G1_WATCH).unwrap()));
    let note = format!("a 2023 component (binary version 0x0c), upgraded to today's format as G1 world `keyvalue-handle-watch` ({} imports kept by name)", used.len());
    assert!(stdout.contains(&note), "{stdout}");
    let bytes = std::fs::read(&new).unwrap();
    assert_eq!(&bytes[4..8], &[0x0d, 0x00, 0x01, 0x00]);
    let surface = kv_adapt::compose::surface("upgraded", &bytes).unwrap();
    let (mut imports, mut want) = (surface.imports.clone(), used);
    imports.sort();
    want.sort();
    // The handler writes through G1's streams and reads through them, so `streams` is one.
    assert!(want.contains(&"streams".to_string()), "{want:?}");
    assert_eq!(imports, want);
    assert_eq!(surface.exports, ["handle-watch"]);
    // It runs on wasmtime 48 once adapted: compiled after plug onto G5.
    let plugged = kv_adapt::plug(&bytes, &kv_adapt::PlugOptions::default()).unwrap();
    wasmtime::component::Component::new(common::engine(), &plugged).expect("the upgraded, plugged guest compiles");
}

/// The issue's "done when": a 2023 G1 binary runs its handler on G5 and G6 through
/// `kv-adapt notify`, which upgrades it first and says so in one line.
#[test]
fn notify_upgrades_a_2023_g1_handler_and_runs_it_on_g5_and_g6() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture(dir.path());
    for host in ["g5", "g6"] {
        let store = dir.path().join(format!("kv-{host}"));
        let args = ["notify", old.to_str().unwrap(), "--store", store.to_str().unwrap(), "--host", host];
        let set = kv_adapt(&[&args[..], &["set", "inbox", "greeting", "hello from 2023"]].concat());
        let stderr = String::from_utf8_lossy(&set.stderr);
        assert!(set.status.success(), "{host}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.contains("a 2023 component (binary version 0x0c), upgraded to today's format"), "{host}: {stderr}");
        assert!(stderr.contains("by watch-g1-on-"), "{host}: {stderr}");
        let read = |key: &str| Backend::dir(&store).read("inbox", key).unwrap();
        assert_eq!(read("watch-error"), None, "{host}: the handler found a fault");
        assert_eq!(read("seen:greeting").as_deref(), Some(&b"hello from 2023"[..]), "{host}");

        let delete = kv_adapt(&[&args[..], &["delete", "inbox", "greeting"]].concat());
        assert!(delete.status.success(), "{host}: {}", String::from_utf8_lossy(&delete.stderr));
        assert_eq!(read("greeting"), None);
        assert_eq!(read("deleted:greeting").as_deref(), Some(&b"greeting"[..]), "{host}");
        assert_eq!(read("watch-error"), None, "{host}");
        assert_eq!(read("events").as_deref(), Some(&b"2"[..]), "{host}: one increment per event");
    }
}

#[test]
fn inspect_and_plug_upgrade_a_2023_component_saying_so_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture(dir.path());
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
    let surface = kv_adapt::compose::surface("plugged", &std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(surface.exports, ["wasi:keyvalue/watcher@0.2.0-draft"]);
    assert_eq!(surface.imported_generations(), [kv_adapt::Generation::G5]);
}

#[test]
fn what_cannot_be_upgraded_is_refused_in_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let guest = std::fs::read(G1_WATCH).unwrap();
    let module = guest_module(&guest);
    let adapter_like = wat::parse_str("(module (func (export \"fd_write\")))").unwrap();
    let two = dir.path().join("two-modules.wasm");
    std::fs::write(&two, component_2023(&[&module, &adapter_like])).unwrap();
    let out = dir.path().join("out.wasm");
    for (input, expected) in [
        (two.to_str().unwrap(), "holds 2 core modules (such as the WASI preview1 adapter of that time)"),
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
    let error = kv_adapt::compose::surface("old.wasm", &old).err().unwrap().to_string();
    assert!(error.contains("`kv-adapt upgrade` converts it"), "{error}");
}

/// The library's refusals, on 0x0c inputs a user could hand it: each names what is missing.
#[test]
fn the_library_names_what_a_2023_component_lacks() {
    let refused = |bytes: &[u8]| match kv_adapt::upgrade::upgrade("old.wasm", bytes) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("upgraded"),
    };
    let empty = wat::parse_str("(module)").unwrap();
    let mut wasi = kv_adapt::upgrade::PREAMBLE_2023.to_vec();
    let mut imports = Vec::new();
    leb(1, &mut imports);
    name("wasi-filesystem", &mut imports);
    name("path:/wasi-filesystem/wasi-filesystem", &mut imports);
    imports.extend_from_slice(&[0x05, 0x00]);
    section(10, &imports, &mut wasi);
    section(1, &empty, &mut wasi);
    assert!(refused(&wasi).contains("imports `wasi-filesystem`, which is not G1 key-value"), "{}", refused(&wasi));

    let mut cut_import = kv_adapt::upgrade::PREAMBLE_2023.to_vec();
    section(10, &imports[..imports.len() - 1], &mut cut_import);
    assert!(refused(&cut_import).contains("its import section: truncated"), "{}", refused(&cut_import));

    let mut cut = kv_adapt::upgrade::PREAMBLE_2023.to_vec();
    section(1, &empty, &mut cut);
    cut.truncate(cut.len() - 1);
    assert!(refused(&cut).contains("run past the end"), "{}", refused(&cut));

    let mut none = kv_adapt::upgrade::PREAMBLE_2023.to_vec();
    section(0, b"\x09producers", &mut none);
    assert!(refused(&none).contains("it holds no core module"), "{}", refused(&none));

    let run = wat::parse_str(r#"(module (func (export "run")))"#).unwrap();
    let mut odd = kv_adapt::upgrade::PREAMBLE_2023.to_vec();
    section(1, &run, &mut odd);
    assert!(refused(&odd).contains("exports `run`, which no G1 world has"), "{}", refused(&odd));
}
