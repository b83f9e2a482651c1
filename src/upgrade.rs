//! Components of February to May 2023, in binary version 0x0c, brought to today's format
//! (0x0d) so that the rest of kv-adapt can read and adapt them.
//!
//! Today's tools refuse 0x0c. Its outer framing is today's (`id size payload`, the same
//! section ids), and the guest's core module sits whole in its one core-module section:
//! wit-component of that time kept every section of the module as it was and left out only
//! its `component-type` custom section. So the upgrade:
//! 1. walks the top-level sections and reads the import names (each followed by a URL);
//! 2. takes the one core module;
//! 3. embeds the G1 world (`wit/keyvalue-g1-2023-02`) the module was built against, with
//!    `handle-watch` when the module exports it;
//! 4. has today's wit-component make a component of it.
//!
//! What cannot be upgraded faithfully is refused, naming what is missing: more than one
//! core module (e.g. the WASI preview1 adapter of that time, linked through 2023 canonical
//! definitions that kv-adapt does not rewrite), nested components, and imports or exports
//! that are not G1 key-value.
//!
//! Lossy: the 2023 component's own top-level custom sections (e.g. `producers`) are not
//! carried over; wit-component writes its own.

use crate::error::{Error, Result};
use wit_component::{ComponentEncoder, StringEncoding};

/// `\0asm`, version 0x0c, layer 1: a component of early 2023.
pub const PREAMBLE_2023: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00];

/// G1 as we write it today, embedded so that an upgrade needs no file beside the binary.
const G1_WIT: &str = include_str!("../wit/keyvalue-g1-2023-02/keyvalue.wit");

/// The names a G1 component imports (and, for `handle-watch`, exports).
const G1_IMPORTS: &[&str] = &["streams", "wasi-cloud-error", "types", "readwrite", "atomic", "batch"];

const CORE_MODULE: u8 = 1;
const COMPONENT: u8 = 4;
const IMPORT: u8 = 10;

pub fn is_2023_component(bytes: &[u8]) -> bool {
    bytes.starts_with(&PREAMBLE_2023)
}

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
    let mut reader = Reader { bytes, at: PREAMBLE_2023.len() };
    while !reader.done() {
        let start = reader.at;
        let id = reader.byte().map_err(refuse)?;
        let size = reader.u32().map_err(refuse)? as usize;
        let payload = reader.take(size).map_err(|e| refuse(format!("section {id} at offset {start}: {e}")))?;
        match id {
            CORE_MODULE => modules.push(payload),
            COMPONENT => return Err(refuse("it nests a component; only a single guest module can be carried over".into())),
            IMPORT => imports.extend(import_names(payload).map_err(|e| refuse(format!("its import section: {e}")))?),
            // Types, instances, aliases, canonical definitions and exports describe the
            // 2023 encoding of the module's interface, which is made anew from the G1 WIT.
            _ => {}
        }
    }
    if let Some(other) = imports.iter().find(|i| !G1_IMPORTS.contains(&i.as_str())) {
        return Err(refuse(format!(
            "it imports `{other}`, which is not G1 key-value; WASI and other 2023 interfaces have no faithful upgrade"
        )));
    }
    let module = match modules.as_slice() {
        [one] => *one,
        [] => return Err(refuse("it holds no core module".into())),
        more => {
            return Err(refuse(format!(
                "it holds {} core modules (such as the WASI preview1 adapter of that time); only a component of one guest module can be upgraded",
                more.len()
            )))
        }
    };
    let world = world_of(module).map_err(refuse)?;
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("keyvalue-g1.wit", G1_WIT).map_err(|e| refuse(format!("the embedded G1 WIT: {e}")))?;
    let world_id = resolve.select_world(&[package], Some(world)).map_err(|e| refuse(e.to_string()))?;
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(&mut module, &resolve, world_id, StringEncoding::UTF8)
        .map_err(|e| refuse(e.to_string()))?;
    let component = ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| refuse(format!("its module does not fit the G1 world `{world}`: {}", crate::one_line(&format!("{e:#}")))))?;
    Ok(Upgraded { component, world, imports })
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
    let mut reader = Reader { bytes: payload, at: 0 };
    let count = reader.u32()?;
    let mut names = Vec::new();
    for _ in 0..count {
        names.push(reader.string()?);
        let _url = reader.string()?;
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
            other => return Err(format!("unknown import kind 0x{other:02x}")),
        }
    }
    if !reader.done() {
        return Err("bytes left after the last import".into());
    }
    Ok(names)
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
