//! Our WIT packages in `wit/` are written by us; this proves each one is type-for-type the
//! upstream package in `../shared/reference/` (names, types, function signatures, worlds),
//! ignoring comments and the order items are written in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wit_parser::{Function, Handle, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeOwner, WorldItem};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference(rel: &str) -> PathBuf {
    let path = root().join("../shared/reference").join(rel);
    assert!(path.exists(), "reference WIT missing at {} (shared/ must sit beside the repo)", path.display());
    path
}

/// Every package we write, as the components see them: `wit/kv-adapt` and its `deps/`.
fn ours() -> Resolve {
    load(&root().join("wit/kv-adapt"))
}

fn load(dir: &Path) -> Resolve {
    let mut resolve = Resolve::default();
    resolve.push_path(dir).unwrap_or_else(|e| panic!("parsing {}: {e:?}", dir.display()));
    resolve
}

fn package(resolve: &Resolve, name: &str) -> PackageId {
    resolve
        .packages
        .iter()
        .find(|(_, p)| p.name.to_string() == name)
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("package {name} not found"))
}

/// A type as a string that is equal across two resolves exactly when the types are.
fn render(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            match (&def.name, def.owner) {
                (Some(name), TypeOwner::Interface(owner)) => format!("{}.{name}", interface_name(resolve, owner)),
                (Some(name), _) => name.clone(),
                (None, _) => render_kind(resolve, &def.kind),
            }
        }
    }
}

fn interface_name(resolve: &Resolve, id: InterfaceId) -> String {
    resolve.id_of(id).unwrap_or_else(|| "<anonymous>".into())
}

fn opt(resolve: &Resolve, ty: &Option<Type>) -> String {
    ty.as_ref().map(|t| render(resolve, t)).unwrap_or_else(|| "_".into())
}

fn render_kind(resolve: &Resolve, kind: &TypeDefKind) -> String {
    match kind {
        TypeDefKind::Record(r) => {
            let fields: Vec<_> = r.fields.iter().map(|f| format!("{}: {}", f.name, render(resolve, &f.ty))).collect();
            format!("record {{{}}}", fields.join(", "))
        }
        TypeDefKind::Resource => "resource".into(),
        TypeDefKind::Handle(Handle::Own(id)) => format!("own<{}>", render(resolve, &Type::Id(*id))),
        TypeDefKind::Handle(Handle::Borrow(id)) => format!("borrow<{}>", render(resolve, &Type::Id(*id))),
        TypeDefKind::Flags(f) => format!("flags {{{}}}", f.flags.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")),
        TypeDefKind::Tuple(t) => format!("tuple<{}>", t.types.iter().map(|t| render(resolve, t)).collect::<Vec<_>>().join(", ")),
        TypeDefKind::Variant(v) => {
            let cases: Vec<_> = v.cases.iter().map(|c| format!("{}({})", c.name, opt(resolve, &c.ty))).collect();
            format!("variant {{{}}}", cases.join(", "))
        }
        TypeDefKind::Enum(e) => format!("enum {{{}}}", e.cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")),
        TypeDefKind::Option(t) => format!("option<{}>", render(resolve, t)),
        TypeDefKind::Result(r) => format!("result<{}, {}>", opt(resolve, &r.ok), opt(resolve, &r.err)),
        TypeDefKind::List(t) => format!("list<{}>", render(resolve, t)),
        TypeDefKind::FixedLengthList(t, n) => format!("list<{}, {n}>", render(resolve, t)),
        TypeDefKind::Map(k, v) => format!("map<{}, {}>", render(resolve, k), render(resolve, v)),
        TypeDefKind::Future(t) => format!("future<{}>", opt(resolve, t)),
        TypeDefKind::Stream(t) => format!("stream<{}>", opt(resolve, t)),
        TypeDefKind::Type(t) => format!("= {}", render(resolve, t)),
        TypeDefKind::Unknown => "unknown".into(),
    }
}

fn signature(resolve: &Resolve, f: &Function) -> String {
    let params: Vec<_> = f.params.iter().map(|p| format!("{}: {}", p.name, render(resolve, &p.ty))).collect();
    format!("{:?} func({}) -> {}", f.kind_name(), params.join(", "), opt(resolve, &f.result))
}

trait KindName {
    fn kind_name(&self) -> &'static str;
}

impl KindName for Function {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            wit_parser::FunctionKind::Freestanding | wit_parser::FunctionKind::AsyncFreestanding => "free",
            wit_parser::FunctionKind::Method(_) | wit_parser::FunctionKind::AsyncMethod(_) => "method",
            wit_parser::FunctionKind::Static(_) | wit_parser::FunctionKind::AsyncStatic(_) => "static",
            wit_parser::FunctionKind::Constructor(_) => "constructor",
        }
    }
}

/// Every named type and function of one interface, rendered.
fn interface_shape(resolve: &Resolve, id: InterfaceId) -> BTreeMap<String, String> {
    let iface = &resolve.interfaces[id];
    let mut shape = BTreeMap::new();
    for (name, ty) in &iface.types {
        shape.insert(format!("type {name}"), render_kind(resolve, &resolve.types[*ty].kind));
    }
    for (name, f) in &iface.functions {
        shape.insert(format!("func {name}"), signature(resolve, f));
    }
    shape
}

fn world_shape(resolve: &Resolve, pkg: PackageId) -> BTreeMap<String, String> {
    let mut shape = BTreeMap::new();
    for (name, world) in &resolve.packages[pkg].worlds {
        let item = |items: &wit_parser::IndexMap<wit_parser::WorldKey, WorldItem>| {
            let mut names: Vec<_> = items
                .iter()
                .map(|(key, item)| match item {
                    WorldItem::Interface { id, .. } => interface_name(resolve, *id),
                    WorldItem::Function(f) => format!("func {}", resolve.name_world_key(key) + &signature(resolve, f)),
                    WorldItem::Type { .. } => format!("type {}", resolve.name_world_key(key)),
                })
                .collect();
            names.sort();
            names.join(", ")
        };
        let world = &resolve.worlds[*world];
        shape.insert(name.clone(), format!("imports [{}] exports [{}]", item(&world.imports), item(&world.exports)));
    }
    shape
}

/// How much of a package must match upstream.
#[derive(PartialEq)]
enum Scope {
    /// Same interfaces, same worlds.
    Whole,
    /// Every interface of ours has an identical upstream twin (we carry a subset).
    OursAreUpstreams,
    /// Every upstream interface has an identical twin in ours (ours holds two generations).
    UpstreamsAreOurs,
}

fn assert_identical(our_name: &str, reference_dir: &str, reference_name: &str, scope: Scope) {
    let ours = ours();
    let theirs = load(&reference(reference_dir));
    let our_pkg = package(&ours, our_name);
    let their_pkg = package(&theirs, reference_name);
    let our_ifaces = &ours.packages[our_pkg].interfaces;
    let their_ifaces = &theirs.packages[their_pkg].interfaces;
    if scope == Scope::Whole {
        let a: Vec<_> = our_ifaces.keys().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let b: Vec<_> = their_ifaces.keys().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        assert_eq!(a, b, "{our_name}: interface sets differ");
        assert_eq!(world_shape(&ours, our_pkg), world_shape(&theirs, their_pkg), "{our_name}: worlds differ");
    }
    let pairs: Vec<(&String, InterfaceId, InterfaceId)> = match scope {
        Scope::Whole | Scope::OursAreUpstreams => our_ifaces
            .iter()
            .map(|(n, id)| (n, *id, *their_ifaces.get(n).unwrap_or_else(|| panic!("{our_name}: upstream has no {n}"))))
            .collect(),
        Scope::UpstreamsAreOurs => their_ifaces
            .iter()
            .map(|(n, id)| (n, *our_ifaces.get(n).unwrap_or_else(|| panic!("{our_name}: we lack upstream's {n}")), *id))
            .collect(),
    };
    assert!(!pairs.is_empty());
    for (name, mine, upstream) in pairs {
        assert_eq!(interface_shape(&ours, mine), interface_shape(&theirs, upstream), "{our_name}/{name} differs from upstream");
    }
}

#[test]
fn g2_keyvalue_2023_11_matches_upstream() {
    assert_identical("wasi:keyvalue", "wasi-keyvalue/2023-11-unversioned-rc/wit", "wasi:keyvalue", Scope::Whole);
}

#[test]
fn g3_keyvalue_0_1_0_matches_upstream() {
    assert_identical("wasi:keyvalue@0.1.0", "wasi-keyvalue/2024-02-v0.1.0-eventual/wit", "wasi:keyvalue@0.1.0", Scope::Whole);
}

// G4 and G5 share `wasi:keyvalue@0.2.0-draft`, so our package holds both shapes; each
// upstream one must be found in it unchanged, and nothing else may be in it.
#[test]
fn g4_keyvalue_0_2_0_draft_eventual_matches_upstream() {
    assert_identical("wasi:keyvalue@0.2.0-draft", "wasi-keyvalue/2024-02-v0.2.0-draft-eventual/wit", "wasi:keyvalue@0.2.0-draft", Scope::UpstreamsAreOurs);
}

#[test]
fn g5_keyvalue_0_2_0_draft_matches_upstream() {
    assert_identical("wasi:keyvalue@0.2.0-draft", "wasi-keyvalue/2024-05-v0.2.0-draft/wit", "wasi:keyvalue@0.2.0-draft", Scope::UpstreamsAreOurs);
}

#[test]
fn the_shared_0_2_0_draft_package_is_exactly_g4_plus_g5() {
    let ours = ours();
    let mut expected: Vec<String> = Vec::new();
    for dir in ["wasi-keyvalue/2024-02-v0.2.0-draft-eventual/wit", "wasi-keyvalue/2024-05-v0.2.0-draft/wit"] {
        let theirs = load(&reference(dir));
        let pkg = package(&theirs, "wasi:keyvalue@0.2.0-draft");
        expected.extend(theirs.packages[pkg].interfaces.keys().cloned());
    }
    expected.sort();
    let mut found: Vec<String> = ours.packages[package(&ours, "wasi:keyvalue@0.2.0-draft")].interfaces.keys().cloned().collect();
    found.sort();
    assert_eq!(found, expected);
}

#[test]
fn wasi_io_0_2_0_matches_upstream() {
    assert_identical("wasi:io@0.2.0", "wasi-cli/v0.2.0/wit/deps/io", "wasi:io@0.2.0", Scope::Whole);
}

#[test]
fn g6_keyvalue_0_2_0_draft2_matches_upstream() {
    assert_identical("wasi:keyvalue@0.2.0-draft2", "wasi-keyvalue/2024-09-v0.2.0-draft2/wit", "wasi:keyvalue@0.2.0-draft2", Scope::Whole);
}

#[test]
fn wasi_io_rc_2023_11_10_matches_upstream() {
    assert_identical("wasi:io@0.2.0-rc-2023-11-10", "wasi-cli/v0.2.0-rc-2023-11-10/wit/deps/io", "wasi:io@0.2.0-rc-2023-11-10", Scope::Whole);
}

#[test]
fn wasi_cli_run_rc_2023_11_10_matches_upstream() {
    // We carry only the `run` interface of this package.
    assert_identical("wasi:cli@0.2.0-rc-2023-11-10", "wasi-cli/v0.2.0-rc-2023-11-10/wit", "wasi:cli@0.2.0-rc-2023-11-10", Scope::OursAreUpstreams);
}

/// The renderer must see real differences, or the tests above prove nothing.
#[test]
fn a_changed_type_is_detected() {
    let mut a = Resolve::default();
    let mut b = Resolve::default();
    let pa = a.push_str("a.wit", "package t:x; interface i { f: func(k: string) -> result<u64, string>; }").unwrap();
    let pb = b.push_str("b.wit", "package t:x; interface i { f: func(k: string) -> result<s64, string>; }").unwrap();
    let ia = a.packages[pa].interfaces["i"];
    let ib = b.packages[pb].interfaces["i"];
    assert_ne!(interface_shape(&a, ia), interface_shape(&b, ib));
}
