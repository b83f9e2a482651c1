//! Renaming a component's top-level imports and exports, and nothing else. Shared with
//! `wasm-build` (by `#[path]`), which renames Spin's draft2 adapters' exports back to
//! `wasi:keyvalue` once built, so it depends on wasmparser and wasm-encoder alone.

use wasmparser::{Parser, Payload};

/// Rewrites the top-level import and export names through the two functions. Types are
/// untouched: they refer to imports and exports by index, so a rename only changes what a
/// host or a composition matches on.
pub fn rename(
    bytes: &[u8],
    rename_import: impl Fn(&str) -> Option<String>,
    rename_export: impl Fn(&str) -> Option<String>,
) -> Result<Vec<u8>, String> {
    use wasm_encoder::{Component, ComponentExportSection, ComponentImportSection, RawSection};
    let malformed = |e: wasmparser::BinaryReaderError| format!("re-encoding names: {e}");
    let mut component = Component::new();
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let (consumed, payload) = match parser.parse(&bytes[offset..], true).map_err(malformed)? {
            wasmparser::Chunk::Parsed { consumed, payload } => (consumed, payload),
            wasmparser::Chunk::NeedMoreData(_) => return Err("truncated component".into()),
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
                    other => return Err(format!("unexpected nested section id {other}")),
                };
                let (body_start, end) = (unchecked_range.start as usize, unchecked_range.end as usize);
                component.section(&RawSection { id, data: &bytes[body_start..end] });
                offset = end;
            }
            other => {
                let (id, range) = other
                    .as_section()
                    .ok_or_else(|| String::from("unrecognised top-level payload"))?;
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
