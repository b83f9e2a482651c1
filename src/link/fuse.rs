//! Fusing: links a fused adapter module (`wasm/adapter`, feature `fused`) inside a guest's
//! own component, the way wit-component links wasmtime's preview1 adapter, instead of
//! composing an adapter component beside it. The guest's core module then calls the
//! adapter with plain core calls in one linear memory, so no value is copied element by
//! element between two components (wasmtime's `translate_list`).
//!
//! How: the guest's main core module is taken out of its component, its imports of the
//! legacy generation are renamed to the adapter module `kv-adapt` (field
//! `<interface>|<function>`, the names `wasm/adapter/src/fused/` exports; G1's plain names
//! as they are), and, for an adapter that serves value-body streams (`Fused::io`), its
//! imports of wasi:io `error`, `poll` and `streams` too (field `wasi:io/<interface>|<function>`,
//! without the version). Its world is embedded again, and wit-component encodes the pair.
//! The forwarding adapter (`Fused::forward`) also calls the host's wasi:io; its imports are
//! moved to the guest's own 0.2 release first, so that the one wasi:io import of the result
//! is the guest's (`at_guests_releases`).
//! Every custom section of the module (names, producers) is kept.
//!
//! A guest that carries a WASI preview1 adapter module (a std `wasm32-wasip1` build made a
//! component by wit-component) has it re-linked: the embedded copy lost its metadata and
//! was trimmed to what the guest used, so it is replaced by wasmtime 48's adapter of the
//! same kind (reactor, or command when the main module exports `_start`), whose WASI names
//! are moved to the guest's own releases. `plan` asks for that only where nothing composed
//! can serve the guest (async bodies beside wasi:http or wasi:sockets), or for `--link fused`.
//!
//! Refused, so that `plug` composes instead: a component that is not one main module plus
//! wit-component's shims and at most that preview1 adapter (already composed, nested
//! components, a second adapter of another kind), and a guest whose exports still use the
//! legacy types (a `handle-watch` export).

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Parser, Payload, TypeRef};
use wit_component::{ComponentEncoder, DecodedWasm, StringEncoding};

use crate::artifacts::Fused;
use crate::error::{one_line, Error, Result};
use crate::generation::{self, Generation, InterfaceName};
use crate::plan::surface::{modules, Modules, Preview1, PREVIEW1_MODULE};

/// The module name the guest's legacy imports are renamed to.
pub const ADAPTER_MODULE: &str = "kv-adapt";

/// `guest` (called `name` in errors) with `adapter` linked inside it.
pub fn fuse(name: &str, guest: &[u8], adapter: &Fused) -> Result<Vec<u8>> {
    let refuse = |why: String| Error::CannotFuse { name: name.to_string(), why };
    let Modules { main, preview1 } = modules(guest).map_err(refuse)?;
    let (mut resolve, world) = match wit_component::decode(guest) {
        Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(DecodedWasm::WitPackage(..)) => return Err(refuse("it is a WIT package, not a component".into())),
        Err(e) => return Err(refuse(format!("its world cannot be read: {}", one_line(&format!("{e:#}"))))),
    };
    let mut module = guest_module(main, adapter.source, adapter.io, &resolve, world).map_err(refuse)?;
    let adapter_bytes = match adapter.forward {
        true => at_guests_releases(adapter.bytes, ADAPTER_MODULE, &resolve).map_err(refuse)?,
        false => adapter.bytes.to_vec(),
    };
    let preview1 = match preview1 {
        None => None,
        Some(kind) => {
            if kind == Preview1::Command {
                // The command adapter exports `wasi:cli/run` (calling `_start`); the main
                // module does not.
                without_run_export(&mut resolve, world);
            }
            Some(at_guests_releases(replacement(kind), PREVIEW1_MODULE, &resolve).map_err(|why| refuse(format!("wasmtime's preview1 adapter: {why}")))?)
        }
    };
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
        .map_err(|e| refuse(one_line(&format!("{e:#}"))))?;
    let mut encoder = ComponentEncoder::default();
    let encoded = (|| {
        encoder.module(&module)?;
        if let Some(preview1) = &preview1 {
            encoder.adapter(PREVIEW1_MODULE, preview1)?;
        }
        encoder.adapter(ADAPTER_MODULE, &adapter_bytes)?.validate(true).encode()
    })();
    encoded.map_err(|e| refuse(format!("wit-component could not link the adapter: {}", one_line(&format!("{e:#}")))))
}

/// Which of wasmtime's preview1 adapters stands in for a guest's embedded one.
fn replacement(kind: Preview1) -> &'static [u8] {
    use wasi_preview1_component_adapter_provider as provider;
    match kind {
        Preview1::Reactor => provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        Preview1::Command => provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    }
}

/// `world` without its `wasi:cli/run` export, whichever release.
fn without_run_export(resolve: &mut wit_parser::Resolve, world: wit_parser::WorldId) {
    let is_run = |name: Option<String>| {
        name.as_deref().and_then(InterfaceName::parse).is_some_and(|p| (p.namespace, p.package, p.interface) == ("wasi", "cli", "run"))
    };
    let runs: Vec<wit_parser::WorldKey> = resolve.worlds[world]
        .exports
        .keys()
        .filter(|key| matches!(key, wit_parser::WorldKey::Interface(id) if is_run(resolve.id_of(*id))))
        .cloned()
        .collect();
    for key in runs {
        resolve.worlds[world].exports.shift_remove(&key);
    }
}

/// An adapter module (the forwarding one, `Fused::forward`, or wasmtime's preview1 one)
/// with every WASI package moved to the guest's release (the guest's wasi:io release for a
/// package it does not name), in its world and in its core imports and exports alike. A guest's component names only the functions
/// it used, so its decoded packages are partial views; under one name and version,
/// wit-component merges the adapter's full view into them, where a second version would
/// be folded into the guest's by semver and miss the functions the guest never called.
///
/// The world is put in a package named after `module_name`: decoded metadata lands in
/// `root:root`, and two adapters' worlds under that one name would not merge.
fn at_guests_releases(adapter: &[u8], module_name: &str, guest: &wit_parser::Resolve) -> std::result::Result<Vec<u8>, String> {
    let (module, mut bindgen) = wit_component::metadata::decode(adapter).map_err(|e| format!("the adapter's world: {e:#}"))?;
    let module = module.ok_or("the adapter has no module")?;
    if let Some(id) = bindgen.resolve.worlds[bindgen.world].package {
        let own = wit_parser::PackageName { namespace: "kv-adapt-fused".into(), name: module_name.replace('_', "-"), version: None };
        rename_package(&mut bindgen.resolve, id, own);
    }
    let version = |n: &wit_parser::PackageName| n.version.as_ref().map(|v| format!("@{v}")).unwrap_or_default();
    // (`wasi:<package>/`, the adapter's `@version`, the guest's.)
    let mut moves: Vec<(String, String, String)> = Vec::new();
    let ours: Vec<(wit_parser::PackageName, wit_parser::PackageId)> =
        bindgen.resolve.package_names.iter().map(|(n, id)| (n.clone(), *id)).collect();
    let guests = |name: &str| guest.packages.iter().map(|(_, p)| &p.name).find(|n| n.namespace == "wasi" && n.name == name);
    for (old, id) in ours {
        if old.namespace != "wasi" || old.name == "keyvalue" {
            continue;
        }
        // A package the guest never named goes to its wasi:io release, which every WASI
        // 0.2 package shares, so that the result asks no newer host than the guest did.
        let release = match guests(&old.name) {
            Some(release) => Some(release.clone()),
            None => guests("io").map(|io| wit_parser::PackageName { version: io.version.clone(), ..old.clone() }),
        };
        let Some(release) = release.filter(|r| *r != old) else { continue };
        rename_package(&mut bindgen.resolve, id, release.clone());
        moves.push((format!("{}:{}/", old.namespace, old.name), version(&old), version(&release)));
    }
    // `wasi:cli/stdout@0.2.6` to `wasi:cli/stdout@0.2.0`; an export's `#function` stays.
    let moved = |name: &str| -> Option<String> {
        let (interface, function) = match name.split_once('#') {
            Some((interface, function)) => (interface, Some(function)),
            None => (name, None),
        };
        moves.iter().find_map(|(package, from, to)| {
            let bare = interface.strip_prefix(package.as_str())?.strip_suffix(from.as_str())?;
            Some(format!("{package}{bare}{to}{}", function.map(|f| format!("#{f}")).unwrap_or_default()))
        })
    };
    let mut module = rewritten(&module, |import| Some((moved(import.module)?, import.name.to_string())), |export| moved(export))?;
    wit_component::embed_component_metadata(&mut module, &bindgen.resolve, bindgen.world, StringEncoding::UTF8)
        .map_err(|e| one_line(&format!("{e:#}")))?;
    Ok(module)
}

/// Package `id` of `resolve` under `name`.
fn rename_package(resolve: &mut wit_parser::Resolve, id: wit_parser::PackageId, name: wit_parser::PackageName) {
    let old = std::mem::replace(&mut resolve.packages[id].name, name.clone());
    resolve.package_names.shift_remove(&old);
    resolve.package_names.insert(name, id);
}

/// `module` with each import that `rename` gives a new (module, field) for renamed, each
/// export that `rename_export` gives a new name renamed, and without its component-type
/// sections, which are stale once the names change (the encoder writes the metadata again).
fn rewritten(
    module: &[u8],
    mut rename: impl FnMut(&wasmparser::Import) -> Option<(String, String)>,
    mut rename_export: impl FnMut(&str) -> Option<String>,
) -> std::result::Result<Vec<u8>, String> {
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| one_line(&e.to_string()))?;
        match &payload {
            Payload::ImportSection(s) => {
                let mut imports = wasm_encoder::ImportSection::new();
                for import in s.clone().into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    let ty = RoundtripReencoder.entity_type(import.ty).map_err(|e| e.to_string())?;
                    match rename(&import) {
                        Some((module, field)) => imports.import(&module, &field, ty),
                        None => imports.import(import.module, import.name, ty),
                    };
                }
                out.section(&imports);
            }
            Payload::ExportSection(s) => {
                let mut exports = wasm_encoder::ExportSection::new();
                for export in s.clone() {
                    let export = export.map_err(|e| e.to_string())?;
                    let kind = RoundtripReencoder.export_kind(export.kind).map_err(|e| e.to_string())?;
                    let name = rename_export(export.name).unwrap_or_else(|| export.name.to_string());
                    exports.export(&name, kind, export.index);
                }
                out.section(&exports);
            }
            Payload::Version { .. } | Payload::End(_) | Payload::CodeSectionEntry(_) => {}
            Payload::CustomSection(c) if c.name().starts_with("component-type") => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&wasm_encoder::RawSection { id, data: &module[range.start as usize..range.end as usize] });
                }
            }
        }
    }
    Ok(out.finish())
}

/// The guest's main `module` as it is linked beside the adapter, in one pass:
/// - its imports of `source`'s interfaces renamed to [`ADAPTER_MODULE`], and, when
///   `body_streams`, its wasi:io imports too (field `wasi:io/<interface>|<function>`,
///   without the version: the adapter serves whichever 0.2 release the guest names);
/// - its other core import and export names moved to the release-candidate renaming `plug`
///   applied to its component (`wasi_rc`), where `world` (decoded from that component) has
///   the 0.2.0 name in place of the module's rc one: renaming a component keeps its core
///   modules' names, and re-encoding needs them to match the world.
fn guest_module(
    module: &[u8],
    source: Generation,
    body_streams: bool,
    resolve: &wit_parser::Resolve,
    world: wit_parser::WorldId,
) -> std::result::Result<Vec<u8>, String> {
    let w = &resolve.worlds[world];
    let names: Vec<String> = w.imports.keys().chain(w.exports.keys()).map(|key| resolve.name_world_key(key)).collect();
    let moved = |interface: &str| -> Option<String> {
        if names.iter().any(|n| n == interface) {
            return None;
        }
        crate::plan::wasi::renamed(interface).filter(|r| names.contains(r))
    };
    let mut renamed = 0;
    let import = |import: &wasmparser::Import| {
        if matches!(import.ty, TypeRef::Func(_)) {
            let parsed = InterfaceName::parse(import.module);
            let of_source = match &parsed {
                Some(n) => generation::classify(n).and_then(|g| g.ok()) == Some(source),
                // G1's interfaces have plain names (`readwrite`, `streams`, ...).
                None => generation::classify_plain(import.module) == Some(source),
            };
            if of_source {
                renamed += 1;
                return Some((ADAPTER_MODULE.to_string(), format!("{}|{}", import.module, import.name)));
            }
            let io = parsed.filter(|n| body_streams && n.namespace == "wasi" && n.package == "io" && matches!(n.interface, "error" | "poll" | "streams"));
            if let Some(io) = io {
                return Some((ADAPTER_MODULE.to_string(), format!("wasi:io/{}|{}", io.interface, import.name)));
            }
        }
        // `[export]` modules hold an exported interface's resource intrinsics.
        let (prefix, interface) = import.module.strip_prefix("[export]").map(|i| ("[export]", i)).unwrap_or(("", import.module));
        Some((format!("{prefix}{}", moved(interface)?), import.name.to_string()))
    };
    // An export is `interface#function`, its post-return `cabi_post_interface#function`.
    let export = |name: &str| {
        let (interface, function) = name.split_once('#')?;
        let (prefix, interface) = interface.strip_prefix("cabi_post_").map(|i| ("cabi_post_", i)).unwrap_or(("", interface));
        Some(format!("{prefix}{}#{function}", moved(interface)?))
    };
    let out = rewritten(module, import, export)?;
    if renamed == 0 {
        return Err(format!("its core module imports nothing of {source}"));
    }
    Ok(out)
}
