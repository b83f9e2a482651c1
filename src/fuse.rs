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
//! is the guest's (`at_guests_io_release`).
//! Every custom section of the module (names, producers) is kept.
//!
//! Refused, so that `plug` composes instead: a component that is not one main module plus
//! wit-component's shims (already composed, nested components, or an embedded adapter
//! module such as WASI preview1's, which would have to be re-linked too), and a guest whose
//! exports still use the legacy types (a `handle-watch` export).

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Parser, Payload, TypeRef};
use wit_component::{ComponentEncoder, DecodedWasm, StringEncoding};

use crate::artifacts::Fused;
use crate::error::{one_line, Error, Result};
use crate::generation::{self, Generation, InterfaceName};

/// The module name the guest's legacy imports are renamed to.
pub const ADAPTER_MODULE: &str = "kv-adapt";

/// `guest` (called `name` in errors) with `adapter` linked inside it.
pub fn fuse(name: &str, guest: &[u8], adapter: &Fused) -> Result<Vec<u8>> {
    let refuse = |why: String| Error::CannotFuse { name: name.to_string(), why };
    let main = main_module(guest).map_err(refuse)?;
    let (resolve, world) = match wit_component::decode(guest) {
        Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(DecodedWasm::WitPackage(..)) => return Err(refuse("it is a WIT package, not a component".into())),
        Err(e) => return Err(refuse(format!("its world cannot be read: {}", one_line(&format!("{e:#}"))))),
    };
    let mut module = renamed_imports(main, adapter.source, adapter.io).map_err(refuse)?;
    let adapter_bytes = match adapter.forward {
        true => at_guests_io_release(adapter.bytes, &resolve).map_err(refuse)?,
        false => adapter.bytes.to_vec(),
    };
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
        .map_err(|e| refuse(one_line(&format!("{e:#}"))))?;
    ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.adapter(ADAPTER_MODULE, &adapter_bytes))
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| refuse(format!("wit-component could not link the adapter: {}", one_line(&format!("{e:#}")))))
}

/// The forwarding adapter module (`Fused::forward`) with its `wasi:io@0.2.0`, the world's
/// and the core imports' alike, moved to the guest's own 0.2 release. A guest's component
/// names only the functions it used, so its decoded wasi:io is a partial view; under one
/// name and version, wit-component merges the adapter's full view into it, where a second
/// version would be folded into the guest's by semver and miss the functions the guest
/// never called.
fn at_guests_io_release(adapter: &[u8], guest: &wit_parser::Resolve) -> std::result::Result<Vec<u8>, String> {
    let is_io = |n: &wit_parser::PackageName| n.namespace == "wasi" && n.name == "io";
    // A guest without wasi:io of its own gets the adapter's.
    let Some(release) = guest.packages.iter().map(|(_, p)| &p.name).find(|n| is_io(n)).cloned() else {
        return Ok(adapter.to_vec());
    };
    let (module, mut bindgen) = wit_component::metadata::decode(adapter).map_err(|e| format!("the shipped adapter's world: {e:#}"))?;
    let module = module.ok_or("the shipped adapter has no module")?;
    let ours = bindgen.resolve.package_names.iter().find(|(n, _)| is_io(n)).map(|(n, id)| (n.clone(), *id));
    let Some((old, id)) = ours else {
        return Err("the shipped forwarding adapter imports no wasi:io".into());
    };
    if old == release {
        return Ok(adapter.to_vec());
    }
    bindgen.resolve.packages[id].name = release.clone();
    bindgen.resolve.package_names.shift_remove(&old);
    bindgen.resolve.package_names.insert(release.clone(), id);
    let (from, to) = (format!("@{}", old.version.map(|v| v.to_string()).unwrap_or_default()), release.version.map(|v| format!("@{v}")).unwrap_or_default());
    let mut module = rewritten_imports(&module, |import| {
        let interface = import.module.strip_prefix("wasi:io/")?.strip_suffix(from.as_str())?;
        Some((format!("wasi:io/{interface}{to}"), import.name.to_string()))
    })?;
    wit_component::embed_component_metadata(&mut module, &bindgen.resolve, bindgen.world, StringEncoding::UTF8)
        .map_err(|e| one_line(&format!("{e:#}")))?;
    Ok(module)
}

/// `module` with each import that `rename` gives a new (module, field) for renamed, and
/// without its component-type sections, which are stale once the imports change (the
/// encoder writes the metadata again).
fn rewritten_imports(
    module: &[u8],
    mut rename: impl FnMut(&wasmparser::Import) -> Option<(String, String)>,
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

/// Why `component` has no one main module to link a fused adapter into, or `None`.
pub fn obstacle(component: &[u8]) -> Option<String> {
    main_module(component).err()
}

/// The one main core module of `component`: the first, when every other one is a shim or
/// fixup module of wit-component (which neither define nor import a memory).
fn main_module(component: &[u8]) -> std::result::Result<&[u8], String> {
    let mut modules = Vec::new();
    // 1 inside the component itself; wit-component nests type-only components for its
    // exports, so a nested component is fine as long as it holds no core module.
    let mut depth = 0;
    for payload in Parser::new(0).parse_all(component) {
        match payload.map_err(|e| one_line(&e.to_string()))? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ModuleSection { unchecked_range, .. } if depth == 1 => {
                modules.push(&component[unchecked_range.start as usize..unchecked_range.end as usize])
            }
            Payload::ModuleSection { .. } => return Err("it contains a nested component with code (is it already composed?)".into()),
            _ => {}
        }
    }
    let Some((main, rest)) = modules.split_first() else {
        return Err("it has no core module".into());
    };
    for other in rest {
        if uses_memory(other)? {
            return Err("it embeds a second core module with memory (an adapter such as WASI preview1's, which fusing would have to re-link too)".into());
        }
    }
    Ok(*main)
}

fn uses_memory(module: &[u8]) -> std::result::Result<bool, String> {
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| one_line(&e.to_string()))? {
            Payload::MemorySection(s) if s.count() > 0 => return Ok(true),
            Payload::ImportSection(s) => {
                for import in s.into_imports() {
                    if matches!(import.map_err(|e| e.to_string())?.ty, TypeRef::Memory(_)) {
                        return Ok(true);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(false)
}

/// `module` with its imports of `source`'s interfaces renamed to [`ADAPTER_MODULE`], and,
/// when `body_streams`, its wasi:io imports too (field `wasi:io/<interface>|<function>`, without
/// the version: the adapter serves whichever 0.2 release the guest names).
fn renamed_imports(module: &[u8], source: Generation, body_streams: bool) -> std::result::Result<Vec<u8>, String> {
    let mut renamed = 0;
    let out = rewritten_imports(module, |import| {
        if !matches!(import.ty, TypeRef::Func(_)) {
            return None;
        }
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
        let io = parsed.filter(|n| body_streams && n.namespace == "wasi" && n.package == "io" && matches!(n.interface, "error" | "poll" | "streams"))?;
        Some((ADAPTER_MODULE.to_string(), format!("wasi:io/{}|{}", io.interface, import.name)))
    })?;
    if renamed == 0 {
        return Err(format!("its core module imports nothing of {source}"));
    }
    Ok(out)
}
