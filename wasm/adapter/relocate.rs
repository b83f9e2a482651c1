//! Turns the linked fused adapter (`--features fused`, linked with `--import-memory
//! --emit-relocs -zstack-size=0`) into a module wit-component accepts as an adapter: one
//! that imports the guest's memory and has no data, elem, table, start or memory of its own.
//! Included by the root build.rs; the result is checked by [`verify`] before it is shipped.
//!
//! wasm-ld lays the adapter's statics out at fixed addresses, which inside a guest's memory
//! belong to the guest. So the data moves: every address the code or the data holds (the
//! linker's relocation records say which bytes those are) gets a base added at run time,
//! and an `init` function, called first thing by every export, takes a block from the
//! guest's `cabi_realloc`, writes the data image into it with stores and sets the base.
//! The statics then live in memory the guest's allocator handed out and never reuses.
//!
//! Refused (the build fails, naming the reason): function pointers (a table would be
//! needed), `memory.grow` (the guest owns its memory's size), loads or stores whose address
//! relocation cannot be rewritten, and relocation kinds not handled here.

use anyhow::{bail, ensure, Context, Result};
use std::collections::BTreeMap;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, ExportKind, ExportSection, Function, FunctionSection, GlobalSection, GlobalType,
    MemArg, Module, RawSection, ValType,
};
use wasmparser::{
    ExternalKind, FuncType, Operator, Parser, Payload, RelocSectionReader, RelocationType, TypeRef,
};

/// Where the guest's allocator lives, and the name the adapter imports it by.
const MAIN_MODULE: &str = "__main_module__";
const REALLOC: &str = "cabi_realloc";

/// What one relocation asks of the code at its offset.
enum Patch {
    /// `i32.const ADDR`: add the base after it.
    AfterConst,
    /// A load with `offset=ADDR`: add the base to its address operand.
    BeforeLoad,
    /// A store with `offset=ADDR`: the value is on top of the address, so it is set aside.
    BeforeStore(ValType),
}

/// The adapter module of the fused flavour, from the linked one. Its custom sections are
/// reduced to `name` (wit-component finds `__stack_pointer` by name) and `producers`; the
/// caller embeds the component-type metadata of the fused world.
pub fn adapter_module(linked: &[u8]) -> Result<Vec<u8>> {
    let base = |s: &[u8]| s.as_ptr() as usize - linked.as_ptr() as usize;
    let mut types: Vec<FuncType> = Vec::new();
    let mut raw_types = None;
    let mut raw_imports = None;
    let mut func_imports = 0u32;
    let mut realloc = None;
    let mut func_types: Vec<u32> = Vec::new();
    let mut globals = Vec::new();
    let mut exports = Vec::new();
    let mut heap_base = None;
    let mut segments: Vec<(u32, usize, &[u8])> = Vec::new(); // (address, file offset, bytes)
    let mut bodies = Vec::new();
    let mut code_start = 0usize;
    let mut data_start = 0usize;
    let mut code_relocs = Vec::new();
    let mut data_relocs = Vec::new();
    let mut keep_custom = Vec::new();
    for payload in Parser::new(0).parse_all(linked) {
        match payload? {
            Payload::TypeSection(s) => {
                raw_types = Some(s.range().start as usize..s.range().end as usize);
                for ty in s.into_iter_err_on_gc_types() {
                    types.push(ty?);
                }
            }
            Payload::ImportSection(s) => {
                raw_imports = Some(s.range().start as usize..s.range().end as usize);
                for import in s.into_imports() {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(_) => {
                            if import.module == MAIN_MODULE && import.name == REALLOC {
                                realloc = Some(func_imports);
                            }
                            func_imports += 1;
                        }
                        TypeRef::Memory(m) => ensure!(import.module == "env" && import.name == "memory" && !m.memory64, "the adapter must import env.memory"),
                        other => bail!("the adapter imports {other:?} {}.{}; only functions and env.memory may be imported", import.module, import.name),
                    }
                }
            }
            Payload::FunctionSection(s) => {
                for ty in s {
                    func_types.push(ty?);
                }
            }
            Payload::TableSection(_) | Payload::ElementSection(_) => {} // checked below: no use of them
            Payload::MemorySection(_) => bail!("the adapter defines a memory; link it with --import-memory"),
            Payload::StartSection { .. } => bail!("the adapter has a start function"),
            Payload::GlobalSection(s) => {
                for g in s {
                    let g = g?;
                    let Some(Ok(Operator::I32Const { value })) = g.init_expr.get_operators_reader().into_iter().next() else {
                        bail!("a global of the adapter is not initialized by an i32 constant");
                    };
                    globals.push((g.ty, value));
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    let e = e?;
                    match e.kind {
                        ExternalKind::Func => exports.push((e.name.to_string(), e.index)),
                        ExternalKind::Global if e.name == "__heap_base" => heap_base = Some(e.index),
                        _ => {}
                    }
                }
            }
            Payload::DataSection(s) => {
                data_start = s.range().start as usize;
                for d in s {
                    let d = d?;
                    let wasmparser::DataKind::Active { memory_index: 0, offset_expr } = d.kind else {
                        bail!("the adapter has a passive data segment or one for another memory");
                    };
                    let Some(Ok(Operator::I32Const { value })) = offset_expr.get_operators_reader().into_iter().next() else {
                        bail!("a data segment's offset is not a constant");
                    };
                    segments.push((value as u32, base(d.data), d.data));
                }
            }
            Payload::CodeSectionStart { range, .. } => code_start = range.start as usize,
            Payload::CodeSectionEntry(body) => bodies.push(body),
            Payload::CustomSection(c) => match c.name() {
                "name" | "producers" => keep_custom.push((c.name().to_string(), c.data())),
                "reloc.CODE" | "reloc.DATA" => {
                    let reader = RelocSectionReader::new(wasmparser::BinaryReader::new(c.data(), c.data_offset()))?;
                    let into = if c.name() == "reloc.CODE" { &mut code_relocs } else { &mut data_relocs };
                    for entry in reader.entries() {
                        let entry = entry?;
                        into.push((entry.ty, entry.offset as usize));
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    let realloc = realloc.context("the fused adapter must import __main_module__.cabi_realloc")?;
    ensure!(!code_relocs.is_empty() || segments.is_empty(), "the adapter has data but no relocation records; link it with --emit-relocs");

    // The data image: [start, end) of the linked layout, bss included.
    let start = segments.iter().map(|s| s.0).min().unwrap_or(0) & !15;
    let mut end = segments.iter().map(|s| s.0 + s.2.len() as u32).max().unwrap_or(0);
    if let Some(g) = heap_base {
        end = end.max(globals[g as usize].1 as u32);
    }
    let size = (end - start).next_multiple_of(16).max(16);
    let data_base = globals.len() as u32;
    let ready = data_base + 1;

    // Which bytes of the code section each relocation rewrites.
    let mut patches: BTreeMap<usize, Patch> = BTreeMap::new();
    let mut wanted: BTreeMap<usize, RelocationType> = BTreeMap::new();
    for (ty, offset) in &code_relocs {
        match ty {
            RelocationType::FunctionIndexLeb | RelocationType::GlobalIndexLeb | RelocationType::TypeIndexLeb => {}
            RelocationType::MemoryAddrLeb | RelocationType::MemoryAddrSleb => {
                wanted.insert(code_start + offset, *ty);
            }
            other => bail!("relocation {other:?} in the adapter's code is not handled (a function pointer needs a table)"),
        }
    }
    // Each wanted offset falls inside exactly one operator; find it by decoding.
    let mut body_ops = Vec::new();
    for body in &bodies {
        let mut ops = body.get_operators_reader()?;
        let first = ops.original_position() as usize;
        let mut list = Vec::new();
        while !ops.eof() {
            let (op, at) = ops.read_with_offset()?;
            match &op {
                Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => bail!("the adapter makes an indirect call: it would need a table"),
                Operator::TableGet { .. } | Operator::TableSet { .. } | Operator::TableGrow { .. } | Operator::TableSize { .. } | Operator::TableFill { .. } | Operator::TableCopy { .. } | Operator::TableInit { .. } | Operator::ElemDrop { .. } | Operator::RefFunc { .. } => bail!("the adapter uses a table or a function reference"),
                Operator::MemoryGrow { .. } => bail!("the fused adapter grows memory, which is the guest's to grow"),
                Operator::MemoryInit { .. } | Operator::DataDrop { .. } => bail!("the adapter uses passive data"),
                _ => {}
            }
            list.push((at as usize, classify(&op)));
        }
        body_ops.push((first, list, body.range().end as usize));
    }
    for (_, list, end) in &body_ops {
        for (i, (at, class)) in list.iter().enumerate() {
            let next = list.get(i + 1).map_or(*end, |n| n.0);
            let Some((&off, &ty)) = wanted.range(*at..next).next() else {
                continue;
            };
            let patch = match (ty, class) {
                // A padded 5-byte LEB, as --emit-relocs leaves it, ends where the next
                // operator starts.
                (RelocationType::MemoryAddrSleb, Some(Class::Const)) if next == off + 5 => (off, Patch::AfterConst),
                (RelocationType::MemoryAddrLeb, Some(Class::Load)) => (*at, Patch::BeforeLoad),
                (RelocationType::MemoryAddrLeb, Some(Class::Store(v))) => (*at, Patch::BeforeStore(*v)),
                _ => bail!("an address relocation ({ty:?}) at file offset {off:#x} is on an instruction relocate.rs cannot rewrite (neither i32.const nor a plain load or store)"),
            };
            wanted.remove(&off);
            patches.insert(patch.0, patch.1);
        }
    }
    ensure!(wanted.is_empty(), "{} address relocations fall outside any instruction", wanted.len());

    let exported: std::collections::BTreeSet<u32> = exports.iter().map(|e| e.1).collect();
    let init = func_imports + bodies.len() as u32;
    let mut code = CodeSection::new();
    for (index, body) in bodies.iter().enumerate() {
        let func = func_imports + index as u32;
        let ty = &types[func_types[index] as usize];
        let (first, _, _) = &body_ops[index];
        let range = body.range();
        let range = range.start as usize..range.end as usize;
        let mut locals: Vec<(u32, ValType)> = Vec::new();
        let mut count = ty.params().len() as u32;
        for l in body.get_locals_reader()? {
            let (n, t) = l?;
            count += n;
            locals.push((n, valtype(t)?));
        }
        // One spare local per type a store sets aside.
        let mut spare: BTreeMap<u8, u32> = BTreeMap::new();
        for patch in patches.range(range.start..range.end).map(|p| p.1) {
            if let Patch::BeforeStore(v) = patch {
                let key = valtype_key(*v);
                if !spare.contains_key(&key) {
                    spare.insert(key, count);
                    locals.push((1, *v));
                    count += 1;
                }
            }
        }
        let mut f = Function::new(locals);
        let mut bytes = Vec::new();
        if exported.contains(&func) {
            f.instructions().call(init);
        }
        let mut from = *first;
        for (&at, patch) in patches.range(range.start..range.end) {
            match patch {
                Patch::AfterConst => {
                    let cut = at + 5;
                    bytes.extend_from_slice(&linked[from..cut]);
                    from = cut;
                    push_add_base(&mut bytes, data_base);
                }
                Patch::BeforeLoad => {
                    bytes.extend_from_slice(&linked[from..at]);
                    from = at;
                    push_add_base(&mut bytes, data_base);
                }
                Patch::BeforeStore(v) => {
                    bytes.extend_from_slice(&linked[from..at]);
                    from = at;
                    let tmp = spare[&valtype_key(*v)];
                    let mut f = Function::new([]);
                    f.instructions().local_set(tmp).global_get(data_base).i32_add().local_get(tmp);
                    bytes.extend_from_slice(&instructions_only(f));
                }
            }
        }
        bytes.extend_from_slice(&linked[from..range.end]);
        f.raw(bytes);
        code.function(&f);
    }

    // init: allocate the block, write the image, set the base.
    let mut f = Function::new([(1, ValType::I32)]);
    let mut ins = f.instructions();
    ins.global_get(ready).if_(BlockType::Empty).return_().end();
    ins.i32_const(0).i32_const(0).i32_const(16).i32_const(size as i32).call(realloc).local_set(0);
    ins.local_get(0).i32_const(0).i32_const(size as i32).memory_fill(0);
    ins.local_get(0).i32_const(start as i32).i32_sub().global_set(data_base);
    let byte = |m: u32| MemArg { offset: m as u64, align: 0, memory_index: 0 };
    for (address, _, data) in &segments {
        let at = address - start;
        let mut k = 0;
        while k + 8 <= data.len() {
            let word = u64::from_le_bytes(data[k..k + 8].try_into().unwrap());
            if word != 0 {
                ins.local_get(0).i64_const(word as i64).i64_store(byte(at + k as u32));
            }
            k += 8;
        }
        for (j, b) in data[k..].iter().enumerate() {
            if *b != 0 {
                ins.local_get(0).i32_const(*b as i32).i32_store8(byte(at + (k + j) as u32));
            }
        }
    }
    for (ty, offset) in &data_relocs {
        match ty {
            RelocationType::MemoryAddrI32 => {
                let file = data_start + offset;
                let (address, seg_file, data) = segments
                    .iter()
                    .find(|(_, f, d)| (*f..*f + d.len()).contains(&file))
                    .context("a data relocation outside every segment")?;
                let within = file - seg_file;
                let value = u32::from_le_bytes(data[within..within + 4].try_into().unwrap());
                ins.local_get(0).i32_const(value as i32).global_get(data_base).i32_add().i32_store(byte(address - start + within as u32));
            }
            // Table indices in data are never called: the code makes no indirect call.
            RelocationType::TableIndexI32 => {}
            other => bail!("relocation {other:?} in the adapter's data is not handled"),
        }
    }
    ins.i32_const(1).global_set(ready).end();
    code.function(&f);

    let mut module = Module::new();
    let empty = types.iter().position(|t| t.params().is_empty() && t.results().is_empty());
    let init_type = empty.map(|i| i as u32).unwrap_or(types.len() as u32);
    let raw_types = raw_types.context("the adapter has no types")?;
    let types_bytes = match empty {
        Some(_) => linked[raw_types].to_vec(),
        None => {
            // The same entries and `(func)` after them: the count grows by one.
            let mut r = wasmparser::BinaryReader::new(&linked[raw_types.clone()], 0);
            let n = r.read_var_u32()?;
            let mut out = Vec::new();
            wasm_encoder::Encode::encode(&(n + 1), &mut out);
            out.extend_from_slice(&linked[raw_types.start + r.original_position() as usize..raw_types.end]);
            out.extend_from_slice(&[0x60, 0x00, 0x00]);
            out
        }
    };
    module.section(&RawSection { id: 1, data: &types_bytes });
    if let Some(range) = raw_imports {
        module.section(&RawSection { id: 2, data: &linked[range] });
    }
    let mut functions = FunctionSection::new();
    for ty in &func_types {
        functions.function(*ty);
    }
    functions.function(init_type);
    module.section(&functions);
    let mut global_section = GlobalSection::new();
    for (ty, init) in &globals {
        let ty = GlobalType { val_type: valtype(ty.content_type)?, mutable: ty.mutable, shared: false };
        global_section.global(ty, &ConstExpr::i32_const(*init));
    }
    let mutable_i32 = GlobalType { val_type: ValType::I32, mutable: true, shared: false };
    global_section.global(mutable_i32, &ConstExpr::i32_const(0));
    global_section.global(mutable_i32, &ConstExpr::i32_const(0));
    module.section(&global_section);
    let mut export_section = ExportSection::new();
    for (name, index) in &exports {
        export_section.export(name, ExportKind::Func, *index);
    }
    module.section(&export_section);
    module.section(&code);
    for (name, data) in &keep_custom {
        module.section(&wasm_encoder::CustomSection { name: name.into(), data: (*data).into() });
    }
    let out = module.finish();
    verify(&out)?;
    Ok(out)
}

/// The adapter rules of wit-component that a mistake here would break silently: no data,
/// elem, table, start or memory section, memory imported, and a name section that still
/// names `__stack_pointer` (without it wit-component leaves the stack at address 0).
pub fn verify(module: &[u8]) -> Result<()> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(module)
        .context("the fused adapter does not validate")?;
    let mut stack_named = false;
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::DataSection(_) | Payload::DataCountSection { .. } => bail!("the fused adapter has a data section"),
            Payload::ElementSection(_) => bail!("the fused adapter has an elem section"),
            Payload::TableSection(_) => bail!("the fused adapter has a table"),
            Payload::StartSection { .. } => bail!("the fused adapter has a start function"),
            Payload::MemorySection(_) => bail!("the fused adapter defines a memory"),
            Payload::CustomSection(c) if c.name() == "name" => {
                let names = wasmparser::NameSectionReader::new(wasmparser::BinaryReader::new(c.data(), c.data_offset()));
                for n in names {
                    if let wasmparser::Name::Global(map) = n? {
                        for naming in map {
                            stack_named |= naming?.name == "__stack_pointer";
                        }
                    }
                }
            }
            _ => {}
        }
    }
    ensure!(stack_named, "the fused adapter's name section does not name __stack_pointer (was it stripped?)");
    Ok(())
}

enum Class {
    Const,
    Load,
    Store(ValType),
}

fn classify(op: &Operator<'_>) -> Option<Class> {
    use Operator::*;
    Some(match op {
        I32Const { .. } => Class::Const,
        I32Load { .. } | I64Load { .. } | F32Load { .. } | F64Load { .. } | I32Load8S { .. } | I32Load8U { .. }
        | I32Load16S { .. } | I32Load16U { .. } | I64Load8S { .. } | I64Load8U { .. } | I64Load16S { .. }
        | I64Load16U { .. } | I64Load32S { .. } | I64Load32U { .. } => Class::Load,
        I32Store { .. } | I32Store8 { .. } | I32Store16 { .. } => Class::Store(ValType::I32),
        I64Store { .. } | I64Store8 { .. } | I64Store16 { .. } | I64Store32 { .. } => Class::Store(ValType::I64),
        F32Store { .. } => Class::Store(ValType::F32),
        F64Store { .. } => Class::Store(ValType::F64),
        _ => return None,
    })
}

fn valtype(t: wasmparser::ValType) -> Result<ValType> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(_) => bail!("the adapter uses reference-typed locals or globals"),
    })
}

fn valtype_key(v: ValType) -> u8 {
    match v {
        ValType::I32 => 0,
        ValType::I64 => 1,
        ValType::F32 => 2,
        ValType::F64 => 3,
        ValType::V128 => 4,
        ValType::Ref(_) => 5,
    }
}

/// `global.get base; i32.add`.
fn push_add_base(bytes: &mut Vec<u8>, global: u32) {
    let mut f = Function::new([]);
    f.instructions().global_get(global).i32_add();
    bytes.extend_from_slice(&instructions_only(f));
}

/// The instruction bytes of `f`, which has no locals: its body without the locals count.
fn instructions_only(f: Function) -> Vec<u8> {
    // [locals count = 0][instructions]: skip the 0.
    f.into_raw_body()[1..].to_vec()
}

/// `module` with each function import that `rename` gives a new module name, under that
/// name; where that makes two imports the same, the later one is merged into the first
/// (its calls go there). The G2 forwarding flavour uses it: its front's drops of the
/// rc-2023-11-10 streams are the 0.2.0 drops it also imports, once `plug` has moved the
/// guest's WASI names to 0.2.0, and an adapter module may import a name only once.
pub fn merged_imports(module: &[u8], rename: impl Fn(&str) -> Option<String>) -> Result<Vec<u8>> {
    use wasm_encoder::reencode::{self, Reencode};

    struct Merging {
        /// New index of each imported function, by old index.
        imports: Vec<u32>,
        /// How many function imports were merged away.
        merged: u32,
        /// The imports kept, in order: (module, name, type).
        kept: Vec<(String, String, TypeRef)>,
    }
    impl Reencode for Merging {
        type Error = std::convert::Infallible;
        fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
            Ok(match self.imports.get(func as usize) {
                Some(new) => *new,
                None => func - self.merged,
            })
        }
        fn parse_import_section(
            &mut self,
            imports: &mut wasm_encoder::ImportSection,
            _section: wasmparser::ImportSectionReader<'_>,
        ) -> Result<(), reencode::Error<Self::Error>> {
            for (module, name, ty) in self.kept.clone() {
                let ty = self.entity_type(ty)?;
                imports.import(&module, &name, ty);
            }
            Ok(())
        }
    }

    let mut merging = Merging { imports: Vec::new(), merged: 0, kept: Vec::new() };
    // (module, name) of each kept function import, by new index.
    let mut functions: Vec<(String, String)> = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ImportSection(s) = payload? {
            for import in s.into_imports() {
                let import = import?;
                let module = rename(import.module).unwrap_or_else(|| import.module.to_string());
                if !matches!(import.ty, TypeRef::Func(_)) {
                    merging.kept.push((module, import.name.to_string(), import.ty));
                    continue;
                }
                let key = (module, import.name.to_string());
                match functions.iter().position(|f| *f == key) {
                    Some(first) => {
                        merging.imports.push(first as u32);
                        merging.merged += 1;
                    }
                    None => {
                        merging.imports.push(functions.len() as u32);
                        merging.kept.push((key.0.clone(), key.1.clone(), import.ty));
                        functions.push(key);
                    }
                }
            }
        }
    }
    let mut out = Module::new();
    reencode::utils::parse_core_module(&mut merging, &mut out, Parser::new(0), module)
        .map_err(|e| anyhow::anyhow!("re-encoding the adapter module: {e:?}"))?;
    Ok(out.finish())
}
