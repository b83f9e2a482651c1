//! Composition plumbing over wac-graph: reading a component's surface, plugging exports into
//! imports with every type mismatch reported (wac's own `plug` skips them silently), renaming
//! imports, validating.

use crate::error::{one_line, Error, Result};
use crate::generation::Surface;
use wac_graph::types::{Package, SubtypeChecker};
use wac_graph::{CompositionGraph, EncodeOptions};
use wasmparser::{Parser, Payload};

/// Import and export names at the top level of a component, after checking what `bytes` is
/// and validating it.
pub fn surface(name: &str, bytes: &[u8]) -> Result<Surface> {
    let mut surface = names(name, bytes)?;
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map_err(|e| Error::InvalidComponent { name: name.to_string(), reason: one_line(&e.to_string()) })?;
    let types = types.as_ref();
    surface.async_bodies = surface.imports.iter().any(|import| {
        let keyvalue_types = crate::generation::InterfaceName::parse(import)
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
    (surface.cannot_fuse, surface.relinks_preview1) = crate::fuse::obstacle(bytes);
    Ok(surface)
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
    if crate::upgrade::is_2023_component(bytes) {
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
                    surface.imports.push(import.map_err(|e| invalid(e.to_string()))?.name.name.to_string());
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

/// Full validation with the features wasmtime 48 accepts by default for components.
pub fn validate(bytes: &[u8]) -> std::result::Result<(), String> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A component taking part in a composition, named for error messages.
pub struct Part<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Instantiates `socket` with every import that one of `plugs` exports under the same name,
/// and re-exports the socket's exports. Unlike `wac_graph::plug`, an export whose type does
/// not fit the import is an error, and a plug that wires nothing is allowed (the caller
/// checks the result's imports).
pub fn plug_into(socket: Part<'_>, plugs: &[Part<'_>]) -> Result<Vec<u8>> {
    plug_into_exporting(socket, plugs, &[])
}

/// [`plug_into`], also exporting each name in `also_export` from the first wired plug that
/// exports it (a plug that exports none of them adds nothing).
pub fn plug_into_exporting(socket: Part<'_>, plugs: &[Part<'_>], also_export: &[&str]) -> Result<Vec<u8>> {
    let composition = |e: &dyn std::fmt::Display| Error::Composition(one_line(&e.to_string()));
    let mut graph = CompositionGraph::new();
    let register = |graph: &mut CompositionGraph, index: usize, part: &Part<'_>| -> Result<_> {
        let package = Package::from_bytes(&format!("kv-adapt:part{index}"), None, part.bytes.to_vec(), graph.types_mut())
            .map_err(|e| Error::InvalidComponent { name: part.name.to_string(), reason: one_line(&format!("{e:#}")) })?;
        graph.register_package(package).map_err(|e| composition(&e))
    };
    let socket_id = register(&mut graph, 0, &socket)?;
    let socket_instance = graph.instantiate(socket_id);
    let socket_ty = graph[socket_id].ty();
    let mut wired: Vec<String> = Vec::new();
    let mut instances = Vec::new();

    for (index, plug) in plugs.iter().enumerate() {
        let plug_id = register(&mut graph, index + 1, plug)?;
        let plug_ty = graph[plug_id].ty();
        let mut matches = Vec::new();
        {
            let types = graph.types();
            let mut cache = Default::default();
            let mut checker = SubtypeChecker::new(&mut cache);
            for (name, export_kind) in &types[plug_ty].exports {
                let Some(import_kind) = types[socket_ty].imports.get(name) else { continue };
                if wired.contains(name) {
                    continue;
                }
                checker.is_subtype(*export_kind, types, *import_kind, types).map_err(|e| Error::TypeMismatch {
                    socket: socket.name.to_string(),
                    plug: plug.name.to_string(),
                    import: name.clone(),
                    reason: one_line(&format!("{e:#}")),
                })?;
                matches.push(name.clone());
            }
        }
        if matches.is_empty() {
            continue;
        }
        let plug_instance = graph.instantiate(plug_id);
        instances.push((plug_instance, plug_ty));
        for name in matches {
            let export = graph.alias_instance_export(plug_instance, &name).map_err(|e| composition(&e))?;
            graph.set_instantiation_argument(socket_instance, &name, export).map_err(|e| composition(&e))?;
            wired.push(name);
        }
    }

    let exports: Vec<String> = graph.types()[socket_ty].exports.keys().cloned().collect();
    for name in &exports {
        let export = graph.alias_instance_export(socket_instance, name).map_err(|e| composition(&e))?;
        graph.export(export, name).map_err(|e| composition(&e))?;
    }
    for name in also_export.iter().filter(|n| !exports.iter().any(|e| e == *n)) {
        let from = instances.iter().find(|(_, ty)| graph.types()[*ty].exports.contains_key(*name));
        if let Some((instance, _)) = from {
            let export = graph.alias_instance_export(*instance, name).map_err(|e| composition(&e))?;
            graph.export(export, *name).map_err(|e| composition(&e))?;
        }
    }
    graph
        .encode(EncodeOptions { define_components: true, validate: true, processor: None })
        .map_err(|e| composition(&format_args!("{e:#}")))
}

/// One instance of a [`chain`]: a component and which of its exports the composition
/// exports in turn.
pub struct Link<'a> {
    pub part: Part<'a>,
    pub exported: &'a dyn Fn(&str) -> bool,
}

/// Instantiates `links` in order. Each import is wired to the export of the same name of
/// the nearest earlier link that has one, after checking that its type fits; the rest
/// become imports of the composition, one per name however many links import it (wac
/// merges their types). Acyclic by construction: a link sees only earlier ones.
pub fn chain(links: &[Link<'_>]) -> Result<Vec<u8>> {
    let composition = |e: &dyn std::fmt::Display| Error::Composition(one_line(&e.to_string()));
    let mut graph = CompositionGraph::new();
    let mut instances: Vec<(wac_graph::NodeId, wac_graph::types::WorldId, String)> = Vec::new();
    for (index, link) in links.iter().enumerate() {
        let package = Package::from_bytes(&format!("kv-adapt:link{index}"), None, link.part.bytes.to_vec(), graph.types_mut())
            .map_err(|e| Error::InvalidComponent { name: link.part.name.to_string(), reason: one_line(&format!("{e:#}")) })?;
        let id = graph.register_package(package).map_err(|e| composition(&e))?;
        let ty = graph[id].ty();
        let instance = graph.instantiate(id);
        let imports: Vec<String> = graph.types()[ty].imports.keys().cloned().collect();
        for name in imports {
            let from = instances.iter().rev().find(|(_, from_ty, _)| graph.types()[*from_ty].exports.contains_key(&name));
            let Some((from_instance, from_ty, from_name)) = from.cloned() else { continue };
            {
                let types = graph.types();
                let mut cache = Default::default();
                let mut checker = SubtypeChecker::new(&mut cache);
                checker
                    .is_subtype(types[from_ty].exports[&name], types, types[ty].imports[&name], types)
                    .map_err(|e| Error::TypeMismatch {
                        socket: link.part.name.to_string(),
                        plug: from_name,
                        import: name.clone(),
                        reason: one_line(&format!("{e:#}")),
                    })?;
            }
            let export = graph.alias_instance_export(from_instance, &name).map_err(|e| composition(&e))?;
            graph.set_instantiation_argument(instance, &name, export).map_err(|e| composition(&e))?;
        }
        instances.push((instance, ty, link.part.name.to_string()));
    }
    for (link, (instance, ty, _)) in links.iter().zip(&instances) {
        let names: Vec<String> = graph.types()[*ty].exports.keys().filter(|n| (link.exported)(n)).cloned().collect();
        for name in names {
            let export = graph.alias_instance_export(*instance, &name).map_err(|e| composition(&e))?;
            graph.export(export, &name).map_err(|e| composition(&e))?;
        }
    }
    graph
        .encode(EncodeOptions { define_components: true, validate: true, processor: None })
        .map_err(|e| composition(&format_args!("{e:#}")))
}

/// Rewrites the component's top-level import names through `rename`. Types are untouched:
/// they refer to imports by index, so a rename only changes what a host matches on.
pub fn rename_imports(bytes: &[u8], rename: impl Fn(&str) -> Option<String>) -> Result<Vec<u8>> {
    rename_names(bytes, rename, |_| None)
}

/// [`rename_imports`] for imports and exports alike; an export name is likewise only what
/// a host looks up, never what the component's own index spaces refer to.
pub fn rename_names(
    bytes: &[u8],
    rename_import: impl Fn(&str) -> Option<String>,
    rename_export: impl Fn(&str) -> Option<String>,
) -> Result<Vec<u8>> {
    use wasm_encoder::{Component, ComponentExportSection, ComponentImportSection, RawSection};
    let malformed = |e: wasmparser::BinaryReaderError| Error::Composition(one_line(&format!("re-encoding names: {e}")));
    let mut component = Component::new();
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let (consumed, payload) = match parser.parse(&bytes[offset..], true).map_err(malformed)? {
            wasmparser::Chunk::Parsed { consumed, payload } => (consumed, payload),
            wasmparser::Chunk::NeedMoreData(_) => return Err(Error::Composition("truncated component".into())),
        };
        let start = offset;
        offset += consumed;
        match payload {
            Payload::Version { .. } => {}
            Payload::End(_) => break,
            Payload::ComponentImportSection(reader) => {
                let mut section = ComponentImportSection::new();
                for import in reader {
                    let import = import.map_err(malformed)?;
                    let renamed = rename_import(import.name.name);
                    section.import(with_name(import.name, &renamed), wasm_encoder::ComponentTypeRef::from(import.ty));
                }
                component.section(&section);
            }
            Payload::ComponentExportSection(reader) => {
                let mut section = ComponentExportSection::new();
                for export in reader {
                    let export = export.map_err(malformed)?;
                    let renamed = rename_export(export.name.name);
                    let ty = export.ty.map(wasm_encoder::ComponentTypeRef::from);
                    section.export(with_name(export.name, &renamed), export.kind.into(), export.index, ty);
                }
                component.section(&section);
            }
            Payload::ModuleSection { unchecked_range, .. } | Payload::ComponentSection { unchecked_range, .. } => {
                let id = match bytes[start] {
                    id @ (1 | 4) => id,
                    other => return Err(Error::Composition(format!("unexpected nested section id {other}"))),
                };
                let (body_start, end) = (unchecked_range.start as usize, unchecked_range.end as usize);
                component.section(&RawSection { id, data: &bytes[body_start..end] });
                offset = end;
            }
            other => {
                let (id, range) = other
                    .as_section()
                    .ok_or_else(|| Error::Composition("unrecognised top-level payload".into()))?;
                component.section(&RawSection { id, data: &bytes[range.start as usize..range.end as usize] });
            }
        }
    }
    Ok(component.finish())
}

/// `name` with its plain name replaced by `renamed`, when there is one; the rest of the
/// extern name (version suffix, implements) is kept.
fn with_name<'a>(
    mut name: wasmparser::ComponentExternName<'a>,
    renamed: &'a Option<String>,
) -> wasmparser::ComponentExternName<'a> {
    if let Some(renamed) = renamed {
        name.name = renamed;
    }
    name
}
