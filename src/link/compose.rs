//! Composition plumbing over wac-graph: plugging exports into imports with every type
//! mismatch reported (wac's own `plug` skips them silently), renaming imports, validating.
//! Reading a component is `plan::surface`'s.

use crate::error::{one_line, Error, Result};
use wac_graph::types::{Package, SubtypeChecker};
use wac_graph::{CompositionGraph, EncodeOptions};

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
    plug_labelled(socket, &[], plugs, also_export)
}

/// A plug for one labelled import of the socket: `part`'s export `interface` serves the
/// socket's import `label` (which implements that interface). With no `part`, the plug of
/// [`plug_labelled`]'s `plugs` that exports `interface` serves it, in the instance that
/// serves the socket's unlabelled imports.
pub struct Labelled<'a> {
    pub label: &'a str,
    pub interface: &'a str,
    pub part: Option<Part<'a>>,
}

/// [`plug_into_exporting`], first giving each labelled import with a part its own instance
/// of it: the plugs' own imports become the composition's, one per name (wac merges them),
/// so the labels share what the host serves under that name.
pub fn plug_labelled(socket: Part<'_>, labelled: &[Labelled<'_>], plugs: &[Part<'_>], also_export: &[&str]) -> Result<Vec<u8>> {
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

    for (index, Labelled { label, interface, part }) in labelled.iter().enumerate() {
        let Some(part) = part else { continue };
        let plug_id = register(&mut graph, plugs.len() + index + 1, part)?;
        let plug_ty = graph[plug_id].ty();
        {
            let types = graph.types();
            let mismatch = |reason: String| Error::TypeMismatch {
                socket: socket.name.to_string(),
                plug: part.name.to_string(),
                import: label.to_string(),
                reason: one_line(&reason),
            };
            let export_kind = types[plug_ty].exports.get(*interface).ok_or_else(|| mismatch(format!("{} exports no {interface}", part.name)))?;
            let import_kind = types[socket_ty].imports.get(*label).ok_or_else(|| mismatch(format!("{} imports no {label}", socket.name)))?;
            let mut cache = Default::default();
            SubtypeChecker::new(&mut cache).is_subtype(*export_kind, types, *import_kind, types).map_err(|e| mismatch(format!("{e:#}")))?;
        }
        let plug_instance = graph.instantiate(plug_id);
        instances.push((plug_instance, plug_ty));
        let export = graph.alias_instance_export(plug_instance, interface).map_err(|e| composition(&e))?;
        graph.set_instantiation_argument(socket_instance, label, export).map_err(|e| composition(&e))?;
        wired.push(label.to_string());
    }

    for (index, plug) in plugs.iter().enumerate() {
        let plug_id = register(&mut graph, index + 1, plug)?;
        let plug_ty = graph[plug_id].ty();
        let mut matches = Vec::new();
        {
            let types = graph.types();
            let mut cache = Default::default();
            let mut checker = SubtypeChecker::new(&mut cache);
            // (the socket's import, the plug's export): same-named ones, and the labels left
            // to this instance.
            let shared = labelled.iter().filter(|l| l.part.is_none()).map(|l| (l.label.to_string(), l.interface.to_string()));
            let pairs: Vec<(String, String)> = types[plug_ty].exports.keys().map(|name| (name.clone(), name.clone())).chain(shared).collect();
            for (import, export) in pairs {
                let (Some(export_kind), Some(import_kind)) = (types[plug_ty].exports.get(&export), types[socket_ty].imports.get(&import)) else { continue };
                if wired.contains(&import) {
                    continue;
                }
                checker.is_subtype(*export_kind, types, *import_kind, types).map_err(|e| Error::TypeMismatch {
                    socket: socket.name.to_string(),
                    plug: plug.name.to_string(),
                    import: import.clone(),
                    reason: one_line(&format!("{e:#}")),
                })?;
                matches.push((import, export));
            }
        }
        if matches.is_empty() {
            continue;
        }
        let plug_instance = graph.instantiate(plug_id);
        instances.push((plug_instance, plug_ty));
        for (import, export) in matches {
            let export = graph.alias_instance_export(plug_instance, &export).map_err(|e| composition(&e))?;
            graph.set_instantiation_argument(socket_instance, &import, export).map_err(|e| composition(&e))?;
            wired.push(import);
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

/// [`rename_imports`] for imports and exports alike ([`super::names::rename`]).
pub fn rename_names(
    bytes: &[u8],
    rename_import: impl Fn(&str) -> Option<String>,
    rename_export: impl Fn(&str) -> Option<String>,
) -> Result<Vec<u8>> {
    super::names::rename(bytes, rename_import, rename_export).map_err(|e| Error::Composition(one_line(&e)))
}
