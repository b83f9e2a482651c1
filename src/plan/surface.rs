//! Reading a component: the names it imports and exports, what its key-value imports use,
//! and what stands in the way of fusing an adapter into it. Everything `plan` decides from
//! comes from here; nothing here changes a component.

use crate::error::{one_line, Error, Result};
use crate::generation::{classify, classify_plain, Generation, InterfaceName};
use wasmparser::{Parser, Payload, TypeRef};

/// The top-level import and export names of a component.
#[derive(Clone, Debug, Default)]
pub struct Surface {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// Whether the component calls an async value-body function of its key-value types
    /// (`…-write-body-async`, `…-consume-async`): wit-component lists only the functions a
    /// module uses. Known only for a validated component ([`surface`]).
    pub async_bodies: bool,
    /// Imports that are only resource types of their own, no function and no type from
    /// another import (the preview1 adapter of late 2023 imports `wasi:sockets/tcp` so):
    /// they grant nothing and name no wasi:io type. Known only after validation.
    pub types_only: Vec<String>,
    /// Why a fused adapter cannot be linked inside this component (already composed, or an
    /// embedded adapter module such as WASI preview1's), or `None`. Known only after
    /// validation.
    pub cannot_fuse: Option<String>,
    /// Whether the one obstacle to fusing is a WASI preview1 adapter module the component
    /// carries, which fusing can re-link ([`obstacle`]).
    pub relinks_preview1: bool,
    /// For each import that is an instance, the names it takes from it (functions and
    /// types): wit-component lists only what a module uses. Known only after validation.
    pub import_items: Vec<(String, Vec<String>)>,
    /// Whether its `wasi:keyvalue/batch@0.2.0-draft2` import has Spin's `get-many` (each key
    /// paired with an optional value), making its draft2 Spin's, not upstream's
    /// ([`Generation::SpinDraft2`]). A draft2 import without that function fits both and
    /// counts as upstream's. Known only after validation.
    pub spin_get_many: bool,
    /// Labelled imports, the component model's `implements` form (`import team-a:
    /// wasi:keyvalue/store@0.2.0-draft;`, wasmCloud 2's several stores): each label (also in
    /// `imports`, the name a host matches on) with the interface it implements.
    pub labels: Vec<Label>,
}

/// One labelled import: `name` implements the interface `implements`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub implements: String,
}

impl Surface {
    /// Key-value generations among the imports, in first-seen order, each once; a labelled
    /// import counts as the interface it implements.
    pub fn imported_generations(&self) -> Vec<Generation> {
        generations(&self.interface_imports(), self.spin_get_many)
    }

    /// Each generation imported, with the interfaces of it the component imports, in the
    /// order of its imports: `G6 wasi:keyvalue@0.2.0-draft2: store, atomics`.
    pub fn imported_interfaces(&self) -> Vec<(Generation, Vec<&str>)> {
        interfaces_by_generation(&self.interface_imports(), self.spin_get_many)
    }

    /// The interface each import is: its name, or for a label what it implements. A label
    /// is a plain name a person chose, so it is never read as one of G1's plain names.
    fn interface_imports(&self) -> Vec<&str> {
        self.imports
            .iter()
            .map(|name| match self.labels.iter().find(|l| &l.name == name) {
                Some(label) => label.implements.as_str(),
                None => name.as_str(),
            })
            .collect()
    }

    /// The labels whose interface is one of `generation`'s.
    pub fn labels_of(&self, generation: Generation) -> Vec<&Label> {
        self.labels.iter().filter(|l| generations(&[l.implements.as_str()], self.spin_get_many).first() == Some(&generation)).collect()
    }

    /// Whether `generation`'s labels must be served by the adapter instance that serves the
    /// guest's unlabelled imports of that generation: those define the types the labels use
    /// (wasmCloud 2's `store` uses `types.{bucket}`, imported once, unlabelled), and a type
    /// comes from one instance only.
    pub fn labels_share_types(&self, generation: Generation) -> bool {
        let unlabelled: Vec<&str> = self.imports.iter().filter(|name| !self.labels.iter().any(|l| &l.name == *name)).map(String::as_str).collect();
        !self.labels_of(generation).is_empty() && generations(&unlabelled, self.spin_get_many).contains(&generation)
    }

    /// As [`Surface::imported_interfaces`], for the exports.
    pub fn exported_interfaces(&self) -> Vec<(Generation, Vec<&str>)> {
        interfaces_by_generation(&self.exports.iter().map(String::as_str).collect::<Vec<_>>(), false)
    }

    /// Exports are told by name only: a draft2 export counts as upstream's.
    pub fn exported_generations(&self) -> Vec<Generation> {
        generations(&self.exports.iter().map(String::as_str).collect::<Vec<_>>(), false)
    }

    /// Key-value imports whose version no generation uses, e.g. `wasi:keyvalue/store@0.3.0`.
    pub fn unknown_keyvalue_imports(&self) -> Vec<&str> {
        self.interface_imports().into_iter().filter(|n| matches!(InterfaceName::parse(n).as_ref().and_then(classify), Some(Err(_)))).collect()
    }

    pub fn imports_name(&self, name: &str) -> bool {
        self.imports.iter().any(|n| n == name)
    }
}

/// Upstream's draft2 as Spin's where the component's `get-many` says so.
fn spin_if(generation: Generation, spin_get_many: bool) -> Generation {
    match generation {
        Generation::G6 if spin_get_many => Generation::SpinDraft2,
        other => other,
    }
}

fn generations(names: &[&str], spin_get_many: bool) -> Vec<Generation> {
    let mut found = Vec::new();
    for &name in names {
        let generation = match InterfaceName::parse(name) {
            Some(parsed) => match classify(&parsed) {
                Some(Ok(generation)) => spin_if(generation, spin_get_many),
                Some(Err(_)) | None => continue,
            },
            None => match classify_plain(name) {
                Some(generation) => generation,
                None => continue,
            },
        };
        if !found.contains(&generation) {
            found.push(generation);
        }
    }
    found
}

/// The key-value interfaces among `names`, grouped by generation in first-seen order.
fn interfaces_by_generation<'a>(names: &[&'a str], spin_get_many: bool) -> Vec<(Generation, Vec<&'a str>)> {
    let mut grouped: Vec<(Generation, Vec<&'a str>)> = Vec::new();
    for &name in names {
        let found = match InterfaceName::parse(name) {
            Some(parsed) => classify(&parsed).and_then(Result::ok).map(|g| (spin_if(g, spin_get_many), parsed.interface)),
            None => classify_plain(name).map(|g| (g, name)),
        };
        let Some((generation, interface)) = found else { continue };
        match grouped.iter_mut().find(|(g, _)| *g == generation) {
            // An interface imported under two labels is still one interface.
            Some((_, interfaces)) if interfaces.contains(&interface) => {}
            Some((_, interfaces)) => interfaces.push(interface),
            None => grouped.push((generation, vec![interface])),
        }
    }
    grouped
}

/// Import and export names at the top level of a component, after checking what `bytes` is
/// and validating it.
pub fn surface(name: &str, bytes: &[u8]) -> Result<Surface> {
    let mut surface = names(name, bytes)?;
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map_err(|e| Error::InvalidComponent { name: name.to_string(), reason: one_line(&e.to_string()) })?;
    let types = types.as_ref();
    surface.async_bodies = surface.imports.iter().any(|import| {
        let keyvalue_types = InterfaceName::parse(import)
            .is_some_and(|n| n.namespace == "wasi" && n.package == "keyvalue" && n.interface == "types");
        if !keyvalue_types {
            return false;
        }
        let Some(wasmparser::component_types::ComponentEntityType::Instance(id)) = types.component_item_for_import(import).map(|item| item.ty)
        else {
            return false;
        };
        types[id].exports.keys().any(|f| f.ends_with("-write-body-async") || f.ends_with("-consume-async"))
    });
    surface.types_only = surface
        .imports
        .iter()
        .filter(|import| {
            let Some(wasmparser::component_types::ComponentEntityType::Instance(id)) = types.component_item_for_import(import).map(|item| item.ty)
            else {
                return false;
            };
            let instance = &types[id];
            !instance.exports.is_empty()
                && instance.exports.values().all(|item| match item.ty {
                    wasmparser::component_types::ComponentEntityType::Type {
                        created: wasmparser::component_types::ComponentAnyTypeId::Resource(r),
                        ..
                    } => instance.explicit_resources.contains_key(&r.resource()),
                    _ => false,
                })
        })
        .cloned()
        .collect();
    surface.import_items = surface
        .imports
        .iter()
        .filter_map(|import| match types.component_item_for_import(import).map(|item| item.ty) {
            Some(wasmparser::component_types::ComponentEntityType::Instance(id)) => {
                Some((import.clone(), types[id].exports.keys().cloned().collect()))
            }
            _ => None,
        })
        .collect();
    surface.spin_get_many = spin_get_many(types);
    (surface.cannot_fuse, surface.relinks_preview1) = obstacle(bytes);
    Ok(surface)
}

/// Whether the component imports `batch.get-many` of draft2 in Spin's shape: its `ok` is a
/// list of `tuple<string, option<list<u8>>>` where upstream's is a list of
/// `option<tuple<…>>`.
fn spin_get_many(types: wasmparser::types::TypesRef<'_>) -> bool {
    use wasmparser::component_types::{ComponentDefinedType, ComponentEntityType, ComponentValType};
    let Some(ComponentEntityType::Instance(id)) = types.component_item_for_import("wasi:keyvalue/batch@0.2.0-draft2").map(|item| item.ty) else {
        return false;
    };
    let Some(ComponentEntityType::Func(func)) = types[id].exports.get("get-many").map(|item| item.ty) else {
        return false;
    };
    let defined = |ty: Option<ComponentValType>| match ty {
        Some(ComponentValType::Type(id)) => Some(&types[id]),
        Some(ComponentValType::Primitive(_)) | None => None,
    };
    let Some(ComponentDefinedType::Result { ok, .. }) = defined(types[func].result) else {
        return false;
    };
    let Some(ComponentDefinedType::List { element, .. }) = defined(*ok) else {
        return false;
    };
    matches!(defined(Some(*element)), Some(ComponentDefinedType::Tuple(_)))
}

/// [`surface`] without validation, for components this crate just encoded with wac's own
/// validation on: a second full validation would only repeat it.
pub fn names(name: &str, bytes: &[u8]) -> Result<Surface> {
    if !bytes.starts_with(b"\0asm") {
        return Err(Error::NotWasm(name.to_string()));
    }
    if Parser::is_core_wasm(bytes) {
        return Err(Error::CoreModule(name.to_string()));
    }
    if is_2023_component(bytes) {
        return Err(Error::From2023(name.to_string()));
    }
    let invalid = |reason: String| Error::InvalidComponent { name: name.to_string(), reason: one_line(&reason) };
    let mut surface = Surface::default();
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        // A nested section's declared size can run past the end of a damaged file.
        let rest = bytes.get(offset..).ok_or_else(|| invalid("truncated: a nested module or component runs past the end of the file".into()))?;
        let (consumed, payload) = match parser.parse(rest, true).map_err(|e| invalid(e.to_string()))? {
            wasmparser::Chunk::Parsed { consumed, payload } => (consumed, payload),
            wasmparser::Chunk::NeedMoreData(_) => return Err(invalid("truncated".into())),
        };
        offset += consumed;
        match payload {
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let name = import.map_err(|e| invalid(e.to_string()))?.name;
                    if let Some(implements) = name.implements {
                        surface.labels.push(Label { name: name.name.to_string(), implements: implements.to_string() });
                    }
                    surface.imports.push(name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    surface.exports.push(export.map_err(|e| invalid(e.to_string()))?.name.name.to_string());
                }
            }
            // Nested modules and components have their own imports; only the outer ones count.
            Payload::ModuleSection { unchecked_range, .. } | Payload::ComponentSection { unchecked_range, .. } => {
                // The outer parser expects the nested bytes to be skipped by the caller.
                offset += (unchecked_range.end - unchecked_range.start) as usize;
            }
            Payload::End(_) => break,
            _ => {}
        }
    }
    Ok(surface)
}

/// `\0asm`, version 0x0c, layer 1: a component of early 2023.
pub const PREAMBLE_2023: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00];

/// Whether `bytes` starts as a component of early 2023 (binary 0x0c), which `upgrade` reads.
pub fn is_2023_component(bytes: &[u8]) -> bool {
    bytes.starts_with(&PREAMBLE_2023)
}

/// The core module name a preview1 guest imports WASI from.
pub(crate) const PREVIEW1_MODULE: &str = "wasi_snapshot_preview1";

/// Which of wasmtime's preview1 adapters stands in for a guest's embedded one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Preview1 {
    /// Exports nothing of its own: the guest's exports are the main module's.
    Reactor,
    /// Exports `wasi:cli/run`, which calls the main module's `_start`.
    Command,
}

/// Why `component` has no one main module to link a fused adapter into (`None` if it has),
/// and whether that reason is only a preview1 adapter module, which fusing re-links where
/// `plan` asks for it.
pub fn obstacle(component: &[u8]) -> (Option<String>, bool) {
    match modules(component) {
        Ok(Modules { preview1: None, .. }) => (None, false),
        Ok(Modules { preview1: Some(_), .. }) => (
            Some("it embeds a WASI preview1 adapter module, which kv-adapt re-links only to fuse the forwarding flavour (async bodies beside other WASI) where no composed flavour serves the guest or `--link fused` asks".into()),
            true,
        ),
        Err(why) => (Some(why), false),
    }
}

/// The core modules of a component that fusing works with.
pub(crate) struct Modules<'a> {
    pub main: &'a [u8],
    /// The kind of the preview1 adapter module the main module's `wasi_snapshot_preview1`
    /// imports are linked to, if it carries one.
    pub preview1: Option<Preview1>,
}

/// The one main core module of `component` (the first) and its preview1 adapter, when every
/// other module is a shim or fixup module of wit-component (which neither define nor import
/// a memory) or that one adapter.
pub(crate) fn modules(component: &[u8]) -> std::result::Result<Modules<'_>, String> {
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
    let mut with_memory = 0;
    for other in rest {
        if uses_memory(other)? {
            with_memory += 1;
        }
    }
    let (imports_preview1, starts) = preview1_use(main)?;
    let preview1 = match (with_memory, imports_preview1) {
        (0, _) => None,
        (1, true) => Some(if starts { Preview1::Command } else { Preview1::Reactor }),
        _ => return Err("it embeds a second core module with memory that is not its WASI preview1 adapter (is it already composed?)".into()),
    };
    Ok(Modules { main, preview1 })
}

/// Whether `module` imports from `wasi_snapshot_preview1`, and whether it exports `_start`.
fn preview1_use(module: &[u8]) -> std::result::Result<(bool, bool), String> {
    let (mut imports, mut starts) = (false, false);
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| one_line(&e.to_string()))? {
            Payload::ImportSection(s) => {
                for import in s.into_imports() {
                    imports |= import.map_err(|e| e.to_string())?.module == PREVIEW1_MODULE;
                }
            }
            Payload::ExportSection(s) => {
                for export in s {
                    starts |= export.map_err(|e| e.to_string())?.name == "_start";
                }
            }
            _ => {}
        }
    }
    Ok((imports, starts))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_importing_g4_and_g5_names_reports_both() {
        let surface = Surface {
            imports: vec![
                "wasi:keyvalue/eventual@0.2.0-draft".into(),
                "wasi:keyvalue/store@0.2.0-draft".into(),
            ],
            ..Surface::default()
        };
        assert_eq!(surface.imported_generations(), vec![Generation::G4, Generation::G5]);
    }

    #[test]
    fn the_interfaces_of_a_generation_are_only_those_imported() {
        let surface = Surface {
            imports: vec![
                "wasi:keyvalue/store@0.2.0-draft2".into(),
                "wasi:io/streams@0.2.0".into(),
                "wasi:keyvalue/atomics@0.2.0-draft2".into(),
                "readwrite".into(),
            ],
            ..Surface::default()
        };
        assert_eq!(
            surface.imported_interfaces(),
            vec![(Generation::G6, vec!["store", "atomics"]), (Generation::G1, vec!["readwrite"])]
        );
        assert!(surface.exported_interfaces().is_empty());
    }
}
