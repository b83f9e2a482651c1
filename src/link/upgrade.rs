//! Components of February to May 2023, in binary version 0x0c, brought to today's format
//! (0x0d) so that the rest of kv-adapt can read and adapt them.
//!
//! Today's tools refuse 0x0c. Its outer framing is today's (`id size payload`, the same
//! section ids), and the guest's core module sits whole in a core-module section:
//! wit-component of that time (0.7) kept every section of the module as it was and left out
//! only its `component-type` custom section. Beside it, that wit-component wrote what it
//! derived from the module and the world, and what today's wit-component derives anew:
//! - a shim module holding a table of the imports whose lowering needs the guest's memory
//!   or `cabi_realloc` (strings and lists), which exist only once the guest is instantiated;
//!   its exported functions, which the guest imports instead, only `call_indirect` into it;
//! - a fix-up module that, once the guest is instantiated, fills that table;
//! - the core instances, aliases and canonical definitions wiring the three;
//! - a nested component per exported interface that only takes the lifted functions and
//!   re-exports them with the interface's types, instantiated and exported.
//!
//! So the upgrade:
//! 1. walks the top-level sections, reading the import and export names (each followed by
//!    a URL);
//! 2. tells each core module's role by what it is, not where it sits: the shim and the
//!    fix-up by their shape (`shim_role`), the guest as the one module left;
//! 3. checks that each nested component only re-exports (types, imports, exports);
//! 4. embeds the G1 world (`wit/keyvalue-g1-2023-02`) the guest was built against, with
//!    `handle-watch` when the module exports it, and has today's wit-component make a
//!    component of the guest module alone.
//!
//! What cannot be upgraded faithfully is refused, naming it: a second module of the guest's
//! own (e.g. the WASI preview1 adapter of that time, whose interfaces of 2023 kv-adapt does
//! not map), a nested component that does more than re-export, and imports or exports that
//! are not G1 key-value.
//!
//! Lossy: the 2023 component's own top-level custom sections (e.g. `producers`) are not
//! carried over; wit-component writes its own.

use crate::error::{Error, Result};
use crate::plan::surface::{is_2023_component, PREAMBLE_2023};
use wit_component::{ComponentEncoder, StringEncoding};

/// G1 as we write it today, embedded so that an upgrade needs no file beside the binary.
const G1_WIT: &str = include_str!("../../wit/keyvalue-g1-2023-02/keyvalue.wit");

/// The names a G1 component imports (and, for `handle-watch`, exports).
const G1_IMPORTS: &[&str] = &["streams", "wasi-cloud-error", "types", "readwrite", "atomic", "batch"];

/// What a G1 guest may export: the watch handler.
const G1_EXPORTS: &[&str] = &["handle-watch"];

const CUSTOM: u8 = 0;
const CORE_MODULE: u8 = 1;
const CORE_INSTANCE: u8 = 2;
const CORE_TYPE: u8 = 3;
const COMPONENT: u8 = 4;
const INSTANCE: u8 = 5;
const ALIAS: u8 = 6;
const TYPE: u8 = 7;
const CANON: u8 = 8;
const START: u8 = 9;
const IMPORT: u8 = 10;
const EXPORT: u8 = 11;

/// The table wit-component 0.7 routes the imports lowered against the guest's memory through.
const SHIM_TABLE: &str = "$imports";

/// A component upgraded from 0x0c.
pub struct Upgraded {
    pub component: Vec<u8>,
    /// The G1 world it was encoded against.
    pub world: &'static str,
    /// What the 2023 component imported, in its order.
    pub imports: Vec<String>,
}

/// Upgrades `bytes`, a 0x0c component called `name`.
pub fn upgrade(name: &str, bytes: &[u8]) -> Result<Upgraded> {
    let refuse = |why: String| Error::CannotUpgrade { name: name.to_string(), why };
    if !is_2023_component(bytes) {
        return Err(Error::NotA2023Component(name.to_string()));
    }
    let mut modules = Vec::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut reader = Reader { bytes, at: PREAMBLE_2023.len() };
    while !reader.done() {
        let start = reader.at;
        let id = reader.byte().map_err(refuse)?;
        let size = reader.u32().map_err(refuse)? as usize;
        let payload = reader.take(size).map_err(|e| refuse(format!("section {id} at offset {start}: {e}")))?;
        match id {
            CORE_MODULE => modules.push(payload),
            COMPONENT => re_exports_only(payload).map_err(|e| refuse(format!("it nests a component that {e}")))?,
            IMPORT => imports.extend(import_names(payload).map_err(|e| refuse(format!("its import section: {e}")))?),
            EXPORT => exports.extend(export_names(payload).map_err(|e| refuse(format!("its export section: {e}")))?),
            // Types, instances, aliases and canonical definitions describe and wire the 2023
            // encoding of the module's interface, which is made anew from the G1 WIT; custom
            // sections are not carried over (see the module's documentation).
            _ => {}
        }
    }
    if let Some(other) = imports.iter().find(|i| !G1_IMPORTS.contains(&i.as_str())) {
        return Err(refuse(format!(
            "it imports `{other}`, which is not G1 key-value; WASI and other 2023 interfaces have no faithful upgrade"
        )));
    }
    if let Some(other) = exports.iter().find(|e| !G1_EXPORTS.contains(&e.as_str())) {
        return Err(refuse(format!("it exports `{other}`, which no G1 world has")));
    }
    let module = guest_module(&modules).map_err(refuse)?;
    let world = world_of(module).map_err(refuse)?;
    if world == "keyvalue" && !exports.is_empty() {
        // The handler is the guest module's: a component exporting it from anywhere else
        // holds code this upgrade would drop.
        return Err(refuse("it exports `handle-watch`, which its guest module does not".into()));
    }
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("keyvalue-g1.wit", G1_WIT).map_err(|e| refuse(format!("the embedded G1 WIT: {e}")))?;
    let world_id = resolve.select_world(&[package], Some(world)).map_err(|e| refuse(e.to_string()))?;
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(&mut module, &resolve, world_id, StringEncoding::UTF8)
        .map_err(|e| refuse(e.to_string()))?;
    let component = ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| refuse(format!("its module does not fit the G1 world `{world}`: {}", crate::error::one_line(&format!("{e:#}")))))?;
    Ok(Upgraded { component, world, imports })
}

/// What a core module of a 2023 component is.
enum Role {
    /// wit-component's table of the imports lowered against the guest's memory.
    Shim,
    /// wit-component's module that fills the shim's table.
    FixUp,
    /// Anything else: the guest's own code (or code such as a preview1 adapter).
    Own,
}

/// The guest's module: the one module that is not wit-component's shim or fix-up.
fn guest_module<'a>(modules: &[&'a [u8]]) -> std::result::Result<&'a [u8], String> {
    let mut own = Vec::new();
    for (i, module) in modules.iter().enumerate() {
        match shim_role(module).map_err(|e| format!("its core module {i}: {e}"))? {
            Role::Shim | Role::FixUp => {}
            Role::Own => own.push(*module),
        }
    }
    match own.as_slice() {
        [one] => Ok(one),
        [] if modules.is_empty() => Err("it holds no core module".into()),
        [] => Err("it holds only wit-component's shim modules, no guest module".into()),
        more => Err(format!(
            "it holds {} core modules besides wit-component's shims (such as the WASI preview1 adapter of that time); only a component of one guest module can be upgraded",
            more.len()
        )),
    }
}

/// Whether `module` is one of the two modules wit-component 0.7 wrote for imports lowered
/// against the guest's memory, told by shape, since their names and order are nothing to rely on:
/// - the shim imports nothing, has no memory, and exports only the table `$imports` and
///   functions whose bodies only pass their parameters on through `call_indirect`;
/// - the fix-up exports nothing, defines no function and no memory, and imports only the
///   table `$imports` and functions, all from the module named `""`.
///
/// A module that is neither is the guest's own.
fn shim_role(module: &[u8]) -> std::result::Result<Role, String> {
    use wasmparser::{ExternalKind, Operator, Payload, TypeRef};
    let (mut imports, mut exports, mut functions, mut memories) = (Vec::new(), Vec::new(), 0usize, 0usize);
    let (mut imports_from_empty_only, mut only_forwards) = (true, true);
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    imports_from_empty_only &= import.module.is_empty();
                    if matches!(import.ty, TypeRef::Memory(_)) {
                        memories += 1;
                    }
                    imports.push((import.name.to_string(), matches!(import.ty, TypeRef::Table(_))));
                }
            }
            Payload::MemorySection(section) => memories += section.count() as usize,
            Payload::ExportSection(section) => {
                for export in section {
                    let export = export.map_err(|e| e.to_string())?;
                    exports.push((export.name.to_string(), export.kind));
                }
            }
            Payload::CodeSectionEntry(body) => {
                functions += 1;
                let mut operators = body.get_operators_reader().map_err(|e| e.to_string())?;
                while !operators.eof() {
                    let forwards = matches!(
                        operators.read().map_err(|e| e.to_string())?,
                        Operator::LocalGet { .. } | Operator::I32Const { .. } | Operator::CallIndirect { .. } | Operator::End
                    );
                    only_forwards &= forwards;
                }
            }
            _ => {}
        }
    }
    let table = |name: &str| name == SHIM_TABLE;
    let shim = imports.is_empty()
        && memories == 0
        && functions > 0
        && only_forwards
        && exports.iter().any(|(name, kind)| table(name) && *kind == ExternalKind::Table)
        && exports.iter().all(|(name, kind)| (table(name) && *kind == ExternalKind::Table) || *kind == ExternalKind::Func);
    let fix_up = exports.is_empty()
        && memories == 0
        && functions == 0
        && imports_from_empty_only
        && imports.iter().any(|(name, is_table)| table(name) && *is_table);
    Ok(match (shim, fix_up) {
        (true, _) => Role::Shim,
        (false, true) => Role::FixUp,
        (false, false) => Role::Own,
    })
}

/// Checks that a nested 0x0c component only re-exports: types, imports, aliases and
/// exports, with no code, instance or component of its own. That is how wit-component 0.7
/// gave an exported interface its types, and today's wit-component does it anew. The error
/// completes "it nests a component that ...".
fn re_exports_only(component: &[u8]) -> std::result::Result<(), String> {
    if !is_2023_component(component) {
        return Err("is not of binary version 0x0c".into());
    }
    let mut reader = Reader { bytes: component, at: PREAMBLE_2023.len() };
    while !reader.done() {
        let cut = |e: String| format!("is cut short: {e}");
        let id = reader.byte().map_err(cut)?;
        let size = reader.u32().map_err(cut)? as usize;
        reader.take(size).map_err(cut)?;
        let holds = match id {
            CUSTOM | ALIAS | TYPE | IMPORT | EXPORT => continue,
            CORE_MODULE => "a core module",
            CORE_INSTANCE => "core instances",
            CORE_TYPE => "core types",
            COMPONENT => "a component",
            INSTANCE => "component instances",
            CANON => "canonical functions",
            START => "a start function",
            other => return Err(format!("has an unknown section {other}")),
        };
        return Err(format!("holds {holds}, more than a re-export of an interface; only a single guest module can be carried over"));
    }
    Ok(())
}

/// The G1 world of a guest module: with `handle-watch` when it exports the handler. An
/// export that is neither G1's nor the canonical ABI's own cannot be described.
fn world_of(module: &[u8]) -> std::result::Result<&'static str, String> {
    let mut handler = false;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| format!("its core module: {e}"))?;
        if let wasmparser::Payload::ExportSection(exports) = payload {
            for export in exports {
                let export = export.map_err(|e| format!("its core module's exports: {e}"))?;
                // The canonical ABI's own, and what wasm-ld exports beside them.
                let abi = ["memory", "_initialize", "__data_end", "__heap_base"].contains(&export.name)
                    || export.name.starts_with("cabi_realloc")
                    || export.name.starts_with("cabi_post_");
                if export.name.starts_with("handle-watch#") {
                    handler = true;
                } else if !abi {
                    return Err(format!("its module exports `{}`, which no G1 world has", export.name));
                }
            }
        }
    }
    Ok(if handler { "keyvalue-handle-watch" } else { "keyvalue" })
}

/// The names of a 0x0c import section: `vec(name url externdesc)`.
fn import_names(payload: &[u8]) -> std::result::Result<Vec<String>, String> {
    names_of(payload, "import", extern_desc)
}

/// The names of a 0x0c export section: `vec(name url sort index (0x00 | 0x01 externdesc))`,
/// the last an optional type ascription, as wasm-encoder 0.25 wrote it.
fn export_names(payload: &[u8]) -> std::result::Result<Vec<String>, String> {
    names_of(payload, "export", |reader| {
        // The sort: core sorts are `0x00 kind`, the others one byte.
        if reader.byte()? == 0x00 {
            reader.byte()?;
        }
        reader.u32()?;
        match reader.byte()? {
            0x00 => Ok(()),
            0x01 => extern_desc(reader),
            other => Err(format!("unknown export type marker 0x{other:02x}")),
        }
    })
}

/// The names of a 0x0c section of `vec(name url rest)`, `rest` skipped by `skip`.
fn names_of(
    payload: &[u8],
    what: &str,
    skip: impl Fn(&mut Reader<'_>) -> std::result::Result<(), String>,
) -> std::result::Result<Vec<String>, String> {
    let mut reader = Reader { bytes: payload, at: 0 };
    let count = reader.u32()?;
    let mut names = Vec::new();
    for _ in 0..count {
        names.push(reader.string()?);
        let _url = reader.string()?;
        skip(&mut reader)?;
    }
    if !reader.done() {
        return Err(format!("bytes left after the last {what}"));
    }
    Ok(names)
}

/// Skips a 0x0c `externdesc`.
fn extern_desc(reader: &mut Reader<'_>) -> std::result::Result<(), String> {
    match reader.byte()? {
        // core module type
        0x00 => {
            reader.byte()?;
            reader.u32()?;
        }
        // func, component, instance: a type index; value: a value type
        0x01 | 0x02 | 0x04 | 0x05 => {
            reader.u32()?;
        }
        // type bound: `eq i` or `sub resource`
        0x03 => {
            if reader.byte()? == 0x00 {
                reader.u32()?;
            }
        }
        other => return Err(format!("unknown extern kind 0x{other:02x}")),
    }
    Ok(())
}

/// A cursor over bytes that reports running past the end instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn byte(&mut self) -> std::result::Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or_else(|| format!("truncated at offset {}", self.at))?;
        self.at += 1;
        Ok(b)
    }

    /// An unsigned LEB128 of at most 5 bytes.
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let mut value: u64 = 0;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(value).map_err(|_| format!("a length above 4 GiB at offset {}", self.at));
            }
        }
        Err(format!("an over-long LEB128 number at offset {}", self.at))
    }

    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("{n} bytes run past the end of the file"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn string(&mut self) -> std::result::Result<String, String> {
        let len = self.u32()? as usize;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| "a name that is not UTF-8".into())
    }
}
