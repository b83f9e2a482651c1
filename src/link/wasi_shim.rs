//! WASI rc-2023-11-10 onto 0.2.0 for a component that calls one of the functions 0.2.0
//! changed or removed, so that renaming alone cannot do: wasi:http's `request-options`
//! timeouts (milliseconds then, nanoseconds now) and `future-trailers.get` (one `result`
//! level less then), and wasi:sockets' `ipv6-only` / `set-ipv6-only` (gone in 0.2.0).
//!
//! A small shim component per group of such functions (`wasm/rc-shims`) serves them over
//! 0.2.0 ones, with exactly the rc-2023-11-10 types. The component is nested in a new one
//! that imports what it imported (each affected interface listing the 0.2.0 functions the
//! shims call instead of the changed ones) and instantiates the shims beside it. The
//! component, and every component nested in it that is handed an affected interface,
//! gains one import per shim interface, and where it took a changed function from the
//! interface it takes the shim's instead; nothing else in it changes, and its core modules
//! are copied as they are. Nothing is wrapped: every resource is the host's, and every
//! other call goes straight to the host. The names move to 0.2.0 afterwards, as for any
//! release candidate ([`crate::link::wasi_rc`]).
//!
//! Two simpler layouts fail, so neither is used: an instance assembled from the host's
//! items and the shims' (a bag of exports cannot name resources for its `[method]`
//! exports), and shims nested inside the component that calls them (a call from a
//! component into its own child is reentrance, and traps).
//!
//! What is lossy is the shims' business (see `wasm/rc-shims/src/lib.rs`).

use crate::error::{one_line, Error, Result};
use wasm_encoder::reencode::{component_utils, RoundtripReencoder};
use wasm_encoder::{
    Alias, Component, ComponentAliasSection, ComponentExportKind, ComponentImportSection, ComponentInstanceSection,
    ComponentSectionId, ComponentTypeRef, ComponentTypeSection, ComponentValType, InstanceType, PrimitiveValType, RawSection,
    TypeBounds,
};
use wasmparser::{ComponentAlias, ComponentExternalKind, ComponentOuterAliasKind, ComponentType, InstanceTypeDeclaration, Parser, Payload};

const HTTP_TYPES: &str = "wasi:http/types@0.2.0-rc-2023-11-10";
const SOCKETS_NETWORK: &str = "wasi:sockets/network@0.2.0-rc-2023-11-10";
const SOCKETS_TCP: &str = "wasi:sockets/tcp@0.2.0-rc-2023-11-10";
const SOCKETS_UDP: &str = "wasi:sockets/udp@0.2.0-rc-2023-11-10";

/// An edit of one imported interface's type, so that the host's 0.2.0 instance offers
/// what a shim imports.
type Edit = fn(&Declared, &mut InstanceType) -> Result<(), String>;

/// One shim component: the rc-2023-11-10 interface whose functions it serves, as
/// (rc-2023-11-10 name, name of the shim's export), and how the component imports it.
struct Group {
    bytes: &'static [u8],
    /// The rc-2023-11-10 interface the functions belong to.
    serves: &'static str,
    /// The shim's exported interface.
    interface: &'static str,
    functions: &'static [(&'static str, &'static str)],
    /// Types of `serves` the shim's functions name.
    names: &'static [&'static str],
    /// The shim's interface as the component imports it, given the component-level index
    /// of each of `names`.
    import_type: fn(&[u32]) -> InstanceType,
    /// What the host's 0.2.0 interfaces must offer the shim beyond what the component
    /// imported: (rc-2023-11-10 interface, edit of its type).
    adds: &'static [(&'static str, Edit)],
}

const GROUPS: &[Group] = &[
    Group {
        bytes: crate::artifacts::RC_SHIM_HTTP_REQUEST_OPTIONS,
        serves: HTTP_TYPES,
        interface: "kv-adapt:rc-shims/http-request-options",
        functions: &[
            ("[method]request-options.connect-timeout-ms", "connect-timeout-ms"),
            ("[method]request-options.set-connect-timeout-ms", "set-connect-timeout-ms"),
            ("[method]request-options.first-byte-timeout-ms", "first-byte-timeout-ms"),
            ("[method]request-options.set-first-byte-timeout-ms", "set-first-byte-timeout-ms"),
            ("[method]request-options.between-bytes-timeout-ms", "between-bytes-timeout-ms"),
            ("[method]request-options.set-between-bytes-timeout-ms", "set-between-bytes-timeout-ms"),
        ],
        names: &["request-options"],
        import_type: request_options_ms,
        adds: &[(HTTP_TYPES, request_options_0_2_0)],
    },
    Group {
        bytes: crate::artifacts::RC_SHIM_HTTP_FUTURE_TRAILERS,
        serves: HTTP_TYPES,
        interface: "kv-adapt:rc-shims/http-future-trailers",
        functions: &[("[method]future-trailers.get", "get")],
        names: &["future-trailers", "trailers", "error-code"],
        import_type: future_trailers_get,
        adds: &[(HTTP_TYPES, future_trailers_0_2_0)],
    },
    Group {
        bytes: crate::artifacts::RC_SHIM_SOCKETS_TCP,
        serves: SOCKETS_TCP,
        interface: "kv-adapt:rc-shims/sockets-tcp",
        functions: &[("[method]tcp-socket.ipv6-only", "ipv6-only"), ("[method]tcp-socket.set-ipv6-only", "set-ipv6-only")],
        names: &["tcp-socket", "error-code"],
        import_type: ipv6_only_pair,
        adds: &[(SOCKETS_NETWORK, ip_address_family_exported), (SOCKETS_TCP, tcp_address_family)],
    },
    Group {
        bytes: crate::artifacts::RC_SHIM_SOCKETS_UDP,
        serves: SOCKETS_UDP,
        interface: "kv-adapt:rc-shims/sockets-udp",
        functions: &[("[method]udp-socket.ipv6-only", "ipv6-only"), ("[method]udp-socket.set-ipv6-only", "set-ipv6-only")],
        names: &["udp-socket", "error-code"],
        import_type: ipv6_only_pair,
        adds: &[(SOCKETS_NETWORK, ip_address_family_exported), (SOCKETS_UDP, udp_address_family)],
    },
];

/// Whether `function` of the rc-2023-11-10 `interface` is served by a shim.
pub fn shims(interface: &str, function: &str) -> bool {
    GROUPS.iter().any(|g| g.serves == interface && g.functions.iter().any(|(f, _)| *f == function))
}

/// The declarations of one of the component's import types, indexed as the component
/// model counts them inside an instance type.
struct Declared<'a> {
    decls: Vec<InstanceTypeDeclaration<'a>>,
    /// Declaration index of each type index.
    types: Vec<usize>,
}

impl<'a> Declared<'a> {
    fn new(decls: Vec<InstanceTypeDeclaration<'a>>) -> Declared<'a> {
        let mut types = Vec::new();
        for (i, decl) in decls.iter().enumerate() {
            let makes_type = match decl {
                InstanceTypeDeclaration::Type(_) => true,
                InstanceTypeDeclaration::Alias(ComponentAlias::Outer { kind: ComponentOuterAliasKind::Type, .. }) => true,
                InstanceTypeDeclaration::Alias(ComponentAlias::InstanceExport { kind: ComponentExternalKind::Type, .. }) => true,
                InstanceTypeDeclaration::Alias(_) | InstanceTypeDeclaration::CoreType(_) => false,
                InstanceTypeDeclaration::Export { ty, .. } => matches!(ty, wasmparser::ComponentTypeRef::Type(_)),
            };
            if makes_type {
                types.push(i);
            }
        }
        Declared { decls, types }
    }

    /// The type index of the type exported as `name`.
    fn exported_type(&self, name: &str) -> Result<u32, String> {
        self.types
            .iter()
            .position(|&i| matches!(&self.decls[i], InstanceTypeDeclaration::Export { name: n, .. } if n.name == name))
            .map(|t| t as u32)
            .ok_or_else(|| format!("its import exports no type `{name}`"))
    }

    /// The function type of the function exported as `name`.
    fn function(&self, name: &str) -> Result<&wasmparser::ComponentFuncType<'a>, String> {
        let index = self
            .decls
            .iter()
            .find_map(|d| match d {
                InstanceTypeDeclaration::Export { name: n, ty: wasmparser::ComponentTypeRef::Func(t) } if n.name == name => Some(*t),
                _ => None,
            })
            .ok_or_else(|| format!("its import has no function `{name}`"))?;
        match self.types.get(index as usize).map(|&i| &self.decls[i]) {
            Some(InstanceTypeDeclaration::Type(ComponentType::Func(f))) => Ok(f),
            _ => Err(format!("`{name}` does not name a function type")),
        }
    }

    /// The defined type at type index `index`.
    fn defined(&self, index: u32) -> Result<&wasmparser::ComponentDefinedType<'a>, String> {
        match self.types.get(index as usize).map(|&i| &self.decls[i]) {
            Some(InstanceTypeDeclaration::Type(ComponentType::Defined(d))) => Ok(d),
            _ => Err(format!("type {index} of its import is not a value type")),
        }
    }
}

fn val(ty: wasmparser::ComponentValType) -> ComponentValType {
    RoundtripReencoder.component_val_type(ty)
}

use wasm_encoder::reencode::ReencodeComponent as _;

/// 0.2.0's six timeouts, in nanoseconds: `connect-timeout: func() -> option<duration>`
/// and `set-connect-timeout: func(duration: option<duration>) -> result`, and so on.
fn request_options_0_2_0(declared: &Declared, ty: &mut InstanceType) -> Result<(), String> {
    let options = declared.exported_type("request-options")?;
    let duration = declared.exported_type("duration")?;
    timeout_functions(ty, options, ComponentValType::Type(duration), "duration", |t| format!("[method]request-options.{t}"));
    Ok(())
}

/// The three request-options timeout getters and setters, declared in `ty` on resource
/// type `options` with `duration` in and out and the setter's parameter called `param`; each
/// exported as `name("connect-timeout")`, `name("set-connect-timeout")` and so on.
fn timeout_functions(ty: &mut InstanceType, options: u32, duration: ComponentValType, param: &str, name: impl Fn(&str) -> String) {
    let borrowed = ty.type_count();
    ty.ty().defined_type().borrow(options);
    let optional = ty.type_count();
    ty.ty().defined_type().option(duration);
    let outcome = ty.type_count();
    ty.ty().defined_type().result(None, None);
    let getter = ty.type_count();
    ty.ty().function().params([("self", ComponentValType::Type(borrowed))]).result(Some(ComponentValType::Type(optional)));
    let setter = ty.type_count();
    ty.ty()
        .function()
        .params([("self", ComponentValType::Type(borrowed)), (param, ComponentValType::Type(optional))])
        .result(Some(ComponentValType::Type(outcome)));
    for timeout in ["connect", "first-byte", "between-bytes"] {
        ty.export(&name(&format!("{timeout}-timeout")), ComponentTypeRef::Func(getter));
        ty.export(&name(&format!("set-{timeout}-timeout")), ComponentTypeRef::Func(setter));
    }
}

/// 0.2.0's `future-trailers.get: func() -> option<result<result<option<trailers>, error-code>>>`,
/// built on the rc-2023-11-10 function's own `result<option<trailers>, error-code>`.
fn future_trailers_0_2_0(declared: &Declared, ty: &mut InstanceType) -> Result<(), String> {
    let rc = declared.function("[method]future-trailers.get")?;
    let this = rc.params.first().map(|(_, t)| *t).ok_or("future-trailers.get takes no `self`")?;
    let inner = match rc.result {
        Some(wasmparser::ComponentValType::Type(t)) => match declared.defined(t)? {
            wasmparser::ComponentDefinedType::Option(inner) => *inner,
            _ => return Err("future-trailers.get does not return an option".into()),
        },
        _ => return Err("future-trailers.get does not return an option".into()),
    };
    let once = ty.type_count();
    ty.ty().defined_type().result(Some(val(inner)), None);
    let answer = ty.type_count();
    ty.ty().defined_type().option(ComponentValType::Type(once));
    let get = ty.type_count();
    ty.ty().function().params([("self", val(this))]).result(Some(ComponentValType::Type(answer)));
    ty.export("[method]future-trailers.get", ComponentTypeRef::Func(get));
    Ok(())
}

/// The rc-2023-11-10 timeouts as the component imports them from the request-options shim.
fn request_options_ms(names: &[u32]) -> InstanceType {
    let mut ty = InstanceType::new();
    ty.alias(Alias::Outer { kind: ComponentOuterAliasKind::Type.into(), count: 1, index: names[0] });
    timeout_functions(&mut ty, 0, ComponentValType::Primitive(wasm_encoder::PrimitiveValType::U64), "ms", |t| format!("{t}-ms"));
    ty
}

/// rc-2023-11-10's `future-trailers.get` as the component imports it from its shim.
fn future_trailers_get(names: &[u32]) -> InstanceType {
    let mut ty = InstanceType::new();
    for index in names {
        ty.alias(Alias::Outer { kind: ComponentOuterAliasKind::Type.into(), count: 1, index: *index });
    }
    let (future, trailers, error) = (0, 1, 2);
    let borrowed = ty.type_count();
    ty.ty().defined_type().borrow(future);
    let owned = ty.type_count();
    ty.ty().defined_type().own(trailers);
    let some = ty.type_count();
    ty.ty().defined_type().option(ComponentValType::Type(owned));
    let outcome = ty.type_count();
    ty.ty().defined_type().result(Some(ComponentValType::Type(some)), Some(ComponentValType::Type(error)));
    let answer = ty.type_count();
    ty.ty().defined_type().option(ComponentValType::Type(outcome));
    let get = ty.type_count();
    ty.ty().function().params([("self", ComponentValType::Type(borrowed))]).result(Some(ComponentValType::Type(answer)));
    ty.export("get", ComponentTypeRef::Func(get));
    ty
}

/// rc-2023-11-10's `ipv6-only` pair as the component imports it from its shim, given
/// the socket resource and `error-code`.
fn ipv6_only_pair(names: &[u32]) -> InstanceType {
    let mut ty = InstanceType::new();
    for index in names {
        ty.alias(Alias::Outer { kind: ComponentOuterAliasKind::Type.into(), count: 1, index: *index });
    }
    let (socket, error) = (0, 1);
    let borrowed = ty.type_count();
    ty.ty().defined_type().borrow(socket);
    let flag = ty.type_count();
    ty.ty().defined_type().result(Some(ComponentValType::Primitive(PrimitiveValType::Bool)), Some(ComponentValType::Type(error)));
    let done = ty.type_count();
    ty.ty().defined_type().result(None, Some(ComponentValType::Type(error)));
    let get = ty.type_count();
    ty.ty().function().params([("self", ComponentValType::Type(borrowed))]).result(Some(ComponentValType::Type(flag)));
    let set = ty.type_count();
    ty.ty()
        .function()
        .params([("self", ComponentValType::Type(borrowed)), ("value", ComponentValType::Primitive(PrimitiveValType::Bool))])
        .result(Some(ComponentValType::Type(done)));
    ty.export("ipv6-only", ComponentTypeRef::Func(get));
    ty.export("set-ipv6-only", ComponentTypeRef::Func(set));
    ty
}

/// Declares wasi:sockets' `enum ip-address-family { ipv4, ipv6 }` and exports it; its
/// type index.
fn declare_ip_address_family(ty: &mut InstanceType) -> u32 {
    let family = ty.type_count();
    ty.ty().defined_type().enum_type(["ipv4", "ipv6"]);
    let exported = ty.type_count();
    ty.export("ip-address-family", ComponentTypeRef::Type(TypeBounds::Eq(family)));
    exported
}

/// `network` as the shims' `address-family` needs it: exporting `ip-address-family`, which
/// a component that never asked for an address family did not import.
fn ip_address_family_exported(declared: &Declared, ty: &mut InstanceType) -> Result<(), String> {
    if declared.exported_type("ip-address-family").is_err() {
        declare_ip_address_family(ty);
    }
    Ok(())
}

/// 0.2.0's `[method]<socket>.address-family: func() -> ip-address-family`.
fn address_family(declared: &Declared, ty: &mut InstanceType, socket: &str) -> Result<(), String> {
    let resource = declared.exported_type(socket)?;
    let family = match declared.exported_type("ip-address-family") {
        Ok(family) => family,
        Err(_) => declare_ip_address_family(ty),
    };
    let borrowed = ty.type_count();
    ty.ty().defined_type().borrow(resource);
    let function = ty.type_count();
    ty.ty().function().params([("self", ComponentValType::Type(borrowed))]).result(Some(ComponentValType::Type(family)));
    ty.export(&format!("[method]{socket}.address-family"), ComponentTypeRef::Func(function));
    Ok(())
}

fn tcp_address_family(declared: &Declared, ty: &mut InstanceType) -> Result<(), String> {
    address_family(declared, ty, "tcp-socket")
}

fn udp_address_family(declared: &Declared, ty: &mut InstanceType) -> Result<(), String> {
    address_family(declared, ty, "udp-socket")
}

/// Counts of a component's index spaces at the end of its imports.
#[derive(Clone, Copy, Default)]
struct Spaces {
    types: u32,
    instances: u32,
    funcs: u32,
    components: u32,
}

impl Spaces {
    fn next(&mut self, kind: ComponentExternalKind) -> Option<u32> {
        let space = match kind {
            ComponentExternalKind::Type => &mut self.types,
            ComponentExternalKind::Instance => &mut self.instances,
            ComponentExternalKind::Func => &mut self.funcs,
            ComponentExternalKind::Component => &mut self.components,
            ComponentExternalKind::Module | ComponentExternalKind::Value => return None,
        };
        *space += 1;
        Some(*space - 1)
    }

    fn alias(&mut self, alias: &ComponentAlias) {
        match alias {
            ComponentAlias::InstanceExport { kind, .. } => {
                self.next(*kind);
            }
            ComponentAlias::Outer { kind: ComponentOuterAliasKind::Type, .. } => {
                self.types += 1;
            }
            ComponentAlias::Outer { kind: ComponentOuterAliasKind::Component, .. } => {
                self.components += 1;
            }
            ComponentAlias::Outer { kind: ComponentOuterAliasKind::CoreModule | ComponentOuterAliasKind::CoreType, .. }
            | ComponentAlias::CoreInstanceExport { .. } => {}
        }
    }
}

fn kind_of(ty: &wasmparser::ComponentTypeRef) -> ComponentExternalKind {
    match ty {
        wasmparser::ComponentTypeRef::Module(_) => ComponentExternalKind::Module,
        wasmparser::ComponentTypeRef::Func(_) => ComponentExternalKind::Func,
        wasmparser::ComponentTypeRef::Value(_) => ComponentExternalKind::Value,
        wasmparser::ComponentTypeRef::Type(_) => ComponentExternalKind::Type,
        wasmparser::ComponentTypeRef::Instance(_) => ComponentExternalKind::Instance,
        wasmparser::ComponentTypeRef::Component(_) => ComponentExternalKind::Component,
    }
}

/// Re-encodes a component's top level with its type and instance indices from `at` on
/// moved up by `by`, to make room for new imports. Indices inside type declarations
/// (depth > 0) are their own, except outer aliases reaching the top level.
struct Shift {
    depth: u32,
    at: Spaces,
    by: Spaces,
}

fn moved(index: u32, at: u32, by: u32) -> u32 {
    if index >= at {
        index + by
    } else {
        index
    }
}

impl wasm_encoder::reencode::Reencode for Shift {
    type Error = std::convert::Infallible;
}

impl wasm_encoder::reencode::ReencodeComponent for Shift {
    fn component_type_index(&mut self, index: u32) -> u32 {
        match self.depth {
            0 => moved(index, self.at.types, self.by.types),
            _ => index,
        }
    }
    fn component_instance_index(&mut self, index: u32) -> u32 {
        match self.depth {
            0 => moved(index, self.at.instances, self.by.instances),
            _ => index,
        }
    }
    fn outer_component_type_index(&mut self, count: u32, index: u32) -> u32 {
        match count == self.depth {
            true => moved(index, self.at.types, self.by.types),
            false => index,
        }
    }
    fn push_depth(&mut self) {
        self.depth += 1;
    }
    fn pop_depth(&mut self) {
        self.depth -= 1;
    }
}

/// An import of an interface the shims serve or edit.
struct Affected<'a> {
    name: String,
    /// Where its type is declared: (payload, entry).
    place: (usize, usize),
    instance: u32,
    declared: Declared<'a>,
    /// The groups whose functions it lists.
    groups: Vec<&'static Group>,
}

/// One component's top level, read.
struct Level<'a> {
    payloads: Vec<Payload<'a>>,
    /// Index of the first payload after the leading type, import and alias sections.
    prefix: usize,
    /// The index spaces at `prefix`.
    at: Spaces,
    imports: Vec<(String, ComponentExternalKind, u32)>,
    exports: Vec<(String, ComponentExternalKind)>,
    affected: Vec<Affected<'a>>,
}

impl Level<'_> {
    fn groups(&self) -> Vec<&'static Group> {
        self.affected.iter().flat_map(|a| a.groups.iter().copied()).collect()
    }

    fn instance_of(&self, interface: &str) -> Option<u32> {
        self.affected.iter().find(|a| a.name == interface).map(|a| a.instance)
    }
}

fn touched(name: &str) -> bool {
    GROUPS.iter().any(|g| g.serves == name || g.adds.iter().any(|(i, _)| *i == name))
}

fn read(component: &[u8]) -> Result<Level<'_>, String> {
    let malformed = |e: wasmparser::BinaryReaderError| one_line(&format!("reading the component: {e}"));
    let mut payloads = Vec::new();
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let (consumed, payload) = match parser.parse(&component[offset..], true).map_err(malformed)? {
            wasmparser::Chunk::Parsed { consumed, payload } => (consumed, payload),
            wasmparser::Chunk::NeedMoreData(_) => return Err("the component is truncated".into()),
        };
        offset += consumed;
        if let Payload::ModuleSection { unchecked_range, .. } | Payload::ComponentSection { unchecked_range, .. } = &payload {
            offset = unchecked_range.end as usize;
        }
        if let Payload::End(_) = payload {
            break;
        }
        payloads.push(payload);
    }
    let prefix = payloads
        .iter()
        .position(|p| {
            !matches!(
                p,
                Payload::Version { .. } | Payload::CustomSection(_) | Payload::ComponentTypeSection(_) | Payload::ComponentImportSection(_) | Payload::ComponentAliasSection(_)
            )
        })
        .unwrap_or(payloads.len());
    if payloads[prefix..].iter().any(|p| matches!(p, Payload::ComponentImportSection(_))) {
        return Err("it imports after defining, which this rewrite does not follow".into());
    }
    let mut at = Spaces::default();
    let mut imports = Vec::new();
    let mut instance_types: Vec<(u32, (usize, usize), Vec<InstanceTypeDeclaration>)> = Vec::new();
    let mut touched_imports: Vec<(String, u32, u32)> = Vec::new(); // (name, type, instance)
    for (p, payload) in payloads[..prefix].iter().enumerate() {
        match payload {
            Payload::ComponentTypeSection(reader) => {
                for (e, ty) in reader.clone().into_iter().enumerate() {
                    if let ComponentType::Instance(decls) = ty.map_err(malformed)? {
                        instance_types.push((at.types, (p, e), decls.into_vec()));
                    }
                    at.types += 1;
                }
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader.clone() {
                    let import = import.map_err(malformed)?;
                    let kind = kind_of(&import.ty);
                    let index = at.next(kind).ok_or_else(|| format!("its import `{}` is of a kind this rewrite does not pass on", import.name.name))?;
                    if let (true, wasmparser::ComponentTypeRef::Instance(t)) = (touched(import.name.name), import.ty) {
                        touched_imports.push((import.name.name.to_string(), t, index));
                    }
                    imports.push((import.name.name.to_string(), kind, index));
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader.clone() {
                    at.alias(&alias.map_err(malformed)?);
                }
            }
            _ => {}
        }
    }
    let mut exports = Vec::new();
    for payload in &payloads[prefix..] {
        if let Payload::ComponentExportSection(reader) = payload {
            for export in reader.clone() {
                let export = export.map_err(malformed)?;
                exports.push((export.name.name.to_string(), export.kind));
            }
        }
    }
    let mut affected = Vec::new();
    for (name, ty, instance) in touched_imports {
        let position = instance_types
            .iter()
            .position(|(t, _, _)| *t == ty)
            .ok_or_else(|| format!("the type of its import `{name}` is not declared with the imports"))?;
        let (_, place, decls) = instance_types.swap_remove(position);
        let declared = Declared::new(decls);
        let listed = |function: &str| {
            declared.decls.iter().any(|d| matches!(d, InstanceTypeDeclaration::Export { name, ty: wasmparser::ComponentTypeRef::Func(_) } if name.name == function))
        };
        let groups = GROUPS.iter().filter(|g| g.serves == name && g.functions.iter().any(|(f, _)| listed(f))).collect();
        affected.push(Affected { name, place, instance, declared, groups });
    }
    Ok(Level { payloads, prefix, at, imports, exports, affected })
}

/// The declarations of `declared` but the changed functions of `groups`.
fn without_changed(declared: &Declared, groups: &[&Group]) -> Result<InstanceType, String> {
    let mut instance = InstanceType::new();
    for decl in &declared.decls {
        let dropped = matches!(decl, InstanceTypeDeclaration::Export { name, ty: wasmparser::ComponentTypeRef::Func(_) }
            if groups.iter().any(|g| g.functions.iter().any(|(f, _)| *f == name.name)));
        if !dropped {
            component_utils::parse_component_instance_type_declaration(&mut RoundtripReencoder, &mut instance, decl.clone())
                .map_err(|e| format!("re-encoding an import's type: {e:?}"))?;
        }
    }
    Ok(instance)
}

/// `component` taking its changed functions from one import per shim interface instead of
/// from the interfaces they belong to, as do the components nested in it that are handed
/// those interfaces. `None` when it lists none of the changed functions; else the new
/// bytes and the groups it now imports.
fn take_from_shims(component: &[u8]) -> Result<Option<(Vec<u8>, Vec<&'static Group>)>, String> {
    let mut level = read(component)?;
    let groups = level.groups();
    if groups.is_empty() {
        return Ok(None);
    }
    let reencoding = |e: wasm_encoder::reencode::Error<std::convert::Infallible>| format!("re-encoding the component: {e:?}");
    let malformed = |e: wasmparser::BinaryReaderError| one_line(&format!("reading the component: {e}"));

    // After the imports: the types the shims' functions name, aliased from the interfaces
    // they belong to, one instance type per group, and the imports.
    let at = level.at;
    let names: usize = groups.iter().map(|g| g.names.len()).sum();
    let first_type = at.types + names as u32;
    let by = Spaces { types: (names + groups.len()) as u32, instances: groups.len() as u32, funcs: 0, components: 0 };
    let group_instance = |g: &Group| at.instances + groups.iter().position(|x| x.interface == g.interface).expect("a group of this level") as u32;
    let mut shift = Shift { depth: 0, at, by };

    let mut out = Component::new();
    let mut components = at.components;
    let mut nested_groups: Vec<(u32, Vec<&'static Group>)> = Vec::new();
    let payloads = std::mem::take(&mut level.payloads);
    for (i, payload) in payloads.into_iter().enumerate() {
        if i == level.prefix {
            let mut aliases = ComponentAliasSection::new();
            let mut types = ComponentTypeSection::new();
            let mut imports = ComponentImportSection::new();
            let mut next = at.types;
            for (g, group) in groups.iter().enumerate() {
                let instance = level.instance_of(group.serves).expect("a group's interface is imported");
                let mut indices = Vec::new();
                for name in group.names {
                    aliases.alias(Alias::InstanceExport { instance, kind: ComponentExportKind::Type, name });
                    indices.push(next);
                    next += 1;
                }
                types.instance(&(group.import_type)(&indices));
                imports.import(group.interface, ComponentTypeRef::Instance(first_type + g as u32));
            }
            out.section(&aliases);
            out.section(&types);
            out.section(&imports);
        }
        match payload {
            Payload::ComponentTypeSection(reader) if level.affected.iter().any(|a| a.place.0 == i && !a.groups.is_empty()) => {
                let mut section = ComponentTypeSection::new();
                for (e, ty) in reader.into_iter().enumerate() {
                    let ty = ty.map_err(malformed)?;
                    match level.affected.iter().find(|a| a.place == (i, e) && !a.groups.is_empty()) {
                        Some(a) => {
                            section.instance(&without_changed(&a.declared, &a.groups)?);
                        }
                        None => component_utils::parse_component_type(&mut shift, section.ty(), ty).map_err(reencoding)?,
                    }
                }
                out.section(&section);
            }
            Payload::ComponentAliasSection(reader) => {
                let mut section = ComponentAliasSection::new();
                for alias in reader {
                    let alias = alias.map_err(malformed)?;
                    if i >= level.prefix {
                        let mut before = Spaces { components, ..Spaces::default() };
                        before.alias(&alias);
                        components = before.components;
                    }
                    let from_shim = match alias {
                        ComponentAlias::InstanceExport { kind: ComponentExternalKind::Func, instance_index, name } => level
                            .affected
                            .iter()
                            .filter(|a| a.instance == instance_index)
                            .flat_map(|a| a.groups.iter())
                            .find_map(|g| g.functions.iter().find(|(rc, _)| *rc == name).map(|(_, export)| (group_instance(g), *export))),
                        _ => None,
                    };
                    match from_shim {
                        Some((instance, name)) => section.alias(Alias::InstanceExport { instance, kind: ComponentExportKind::Func, name }),
                        None => section.alias(shift.component_alias(alias).map_err(reencoding)?),
                    };
                }
                out.section(&section);
            }
            Payload::ModuleSection { unchecked_range, .. } => {
                let data = &component[unchecked_range.start as usize..unchecked_range.end as usize];
                out.section(&RawSection { id: ComponentSectionId::CoreModule as u8, data });
            }
            Payload::ComponentSection { unchecked_range, .. } => {
                let data = &component[unchecked_range.start as usize..unchecked_range.end as usize];
                let nested = take_from_shims(data)?;
                if let Some((_, wanted)) = &nested {
                    if let Some(missing) = wanted.iter().find(|w| !groups.iter().any(|g| g.interface == w.interface)) {
                        return Err(format!("a nested component takes functions of `{}` its parent does not list", missing.serves));
                    }
                    nested_groups.push((components, wanted.clone()));
                }
                out.section(&RawSection { id: ComponentSectionId::Component as u8, data: nested.as_ref().map_or(data, |(bytes, _)| bytes) });
                components += 1;
            }
            Payload::ComponentInstanceSection(reader) => {
                let mut section = ComponentInstanceSection::new();
                for instance in reader {
                    let instance = instance.map_err(malformed)?;
                    let extra = match &instance {
                        wasmparser::ComponentInstance::Instantiate { component_index, .. } => {
                            nested_groups.iter().find(|(c, _)| c == component_index).map(|(_, wanted)| wanted.clone())
                        }
                        wasmparser::ComponentInstance::FromExports(_) => None,
                    };
                    match (extra, instance) {
                        (Some(wanted), wasmparser::ComponentInstance::Instantiate { component_index, args }) => {
                            let mut all: Vec<(&str, ComponentExportKind, u32)> = args
                                .iter()
                                .map(|a| (a.name, RoundtripReencoder.component_export_kind(a.kind), shift.component_external_index(a.kind, a.index)))
                                .collect();
                            all.extend(wanted.iter().map(|g| (g.interface, ComponentExportKind::Instance, group_instance(g))));
                            section.instantiate(component_index, all);
                        }
                        (_, other) => component_utils::parse_component_instance(&mut shift, &mut section, other).map_err(reencoding)?,
                    }
                }
                out.section(&section);
            }
            other => component_utils::parse_component_payload(&mut shift, &mut out, other, component).map_err(reencoding)?,
        }
    }
    Ok(Some((out.finish(), groups)))
}

/// `component` with its rc-2023-11-10 functions that 0.2.0 changed or removed served
/// through the shims, wherever in it they are taken: at its top level, or in a nested
/// component it hands the interface to (as a composition does). Names stay as they were;
/// `renamed` gives the 0.2.0 name the shims' imports are matched against.
pub fn wrap(name: &str, component: &[u8], renamed: impl Fn(&str) -> Option<String>) -> Result<Vec<u8>> {
    let serves = read(component).ok().and_then(|level| level.groups().first().map(|g| g.serves)).unwrap_or(HTTP_TYPES);
    let cannot = |why: String| Error::CannotRename { name: name.into(), interface: serves.into(), why };
    let bytes = wrapped(component, &renamed).map_err(cannot)?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| cannot(one_line(&format!("the shimmed component does not validate: {e}"))))?;
    Ok(bytes)
}

fn wrapped(component: &[u8], renamed: &impl Fn(&str) -> Option<String>) -> Result<Vec<u8>, String> {
    let (inner, groups) = take_from_shims(component)?.ok_or("the component calls none of the changed functions")?;
    let level = read(component)?;
    let reencoding = |e: wasm_encoder::reencode::Error<std::convert::Infallible>| format!("re-encoding the component: {e:?}");
    let malformed = |e: wasmparser::BinaryReaderError| one_line(&format!("reading the component: {e}"));
    // Each edit once, even when two groups need it (tcp and udp both need `network`'s).
    let mut edits: Vec<(&str, Edit)> = Vec::new();
    for (interface, edit) in groups.iter().flat_map(|g| g.adds.iter()) {
        if !edits.iter().any(|(i, e)| i == interface && *e as usize == *edit as usize) {
            edits.push((interface, *edit));
        }
    }

    // The same imports, each affected interface listing the 0.2.0 functions the shims call
    // instead of the changed ones.
    let mut out = Component::new();
    for (i, payload) in level.payloads[..level.prefix].iter().enumerate() {
        match payload {
            Payload::ComponentTypeSection(reader) => {
                let mut section = ComponentTypeSection::new();
                for (e, ty) in reader.clone().into_iter().enumerate() {
                    let ty = ty.map_err(malformed)?;
                    match level.affected.iter().find(|a| a.place == (i, e)) {
                        Some(a) => {
                            let mut instance = without_changed(&a.declared, &a.groups)?;
                            for (_, edit) in edits.iter().filter(|(interface, _)| *interface == a.name) {
                                edit(&a.declared, &mut instance)?;
                            }
                            section.instance(&instance);
                        }
                        None => component_utils::parse_component_type(&mut RoundtripReencoder, section.ty(), ty).map_err(reencoding)?,
                    }
                }
                out.section(&section);
            }
            Payload::ComponentImportSection(reader) => {
                let mut section = ComponentImportSection::new();
                component_utils::parse_component_import_section(&mut RoundtripReencoder, &mut section, reader.clone()).map_err(reencoding)?;
                out.section(&section);
            }
            Payload::ComponentAliasSection(reader) => {
                let mut section = ComponentAliasSection::new();
                component_utils::parse_component_alias_section(&mut RoundtripReencoder, &mut section, reader.clone()).map_err(reencoding)?;
                out.section(&section);
            }
            _ => {}
        }
    }

    // The shims, beside the component, each on the imports it names (at 0.2.0).
    let mut spaces = level.at;
    let mut shim_interfaces = Vec::new();
    for group in &groups {
        out.section(&RawSection { id: ComponentSectionId::Component as u8, data: group.bytes });
        let shim_component = spaces.next(ComponentExternalKind::Component).expect("components are counted");
        let mut args = Vec::new();
        for wanted in crate::plan::surface::names("rc-shim", group.bytes).map_err(|e| e.to_string())?.imports {
            let (kind, index) = level
                .imports
                .iter()
                .find(|(n, _, _)| renamed(n).as_deref().unwrap_or(n) == wanted)
                .map(|(_, k, i)| (*k, *i))
                .ok_or_else(|| format!("its shim needs `{wanted}`, which the component does not import"))?;
            args.push((wanted, RoundtripReencoder.component_export_kind(kind), index));
        }
        let mut instances = ComponentInstanceSection::new();
        instances.instantiate(shim_component, args.iter().map(|(n, k, i)| (n.as_str(), *k, *i)));
        out.section(&instances);
        let shim = spaces.next(ComponentExternalKind::Instance).expect("instances are counted");
        let mut aliases = ComponentAliasSection::new();
        aliases.alias(Alias::InstanceExport { instance: shim, kind: ComponentExportKind::Instance, name: group.interface });
        out.section(&aliases);
        shim_interfaces.push((group.interface, spaces.next(ComponentExternalKind::Instance).expect("instances are counted")));
    }

    // The component, on the same imports and the shims' interfaces; its exports are ours.
    out.section(&RawSection { id: ComponentSectionId::Component as u8, data: &inner });
    let nested = spaces.next(ComponentExternalKind::Component).expect("components are counted");
    let mut instances = ComponentInstanceSection::new();
    let args = level
        .imports
        .iter()
        .map(|(n, k, i)| (n.as_str(), RoundtripReencoder.component_export_kind(*k), *i))
        .chain(shim_interfaces.iter().map(|(n, i)| (*n, ComponentExportKind::Instance, *i)))
        .collect::<Vec<_>>();
    instances.instantiate(nested, args);
    out.section(&instances);
    let instance = spaces.next(ComponentExternalKind::Instance).expect("instances are counted");
    let mut aliases = ComponentAliasSection::new();
    let mut exports = wasm_encoder::ComponentExportSection::new();
    for (name, kind) in &level.exports {
        aliases.alias(Alias::InstanceExport { instance, kind: RoundtripReencoder.component_export_kind(*kind), name });
        let index = spaces.next(*kind).ok_or_else(|| format!("its export `{name}` is of a kind this rewrite does not pass on"))?;
        exports.export(name, RoundtripReencoder.component_export_kind(*kind), index, None);
    }
    out.section(&aliases);
    out.section(&exports);
    Ok(out.finish())
}
