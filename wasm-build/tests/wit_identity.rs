//! Our WIT packages in `wit/` are written by us; this proves each one is type-for-type the
//! upstream package (names, types, function signatures, worlds), ignoring comments and the
//! order items are written in.
//!
//! A user's clone has no `../shared/reference/`, so each upstream package is also recorded
//! here as the SHA-256 of its normalized form (the sorted rendering below). Every test:
//! - always: renders our package, hashes it, and compares against the recorded digest;
//! - when `../shared/reference/` is present (this project's CI): also renders upstream's,
//!   asserts its digest is the recorded one (a drifting reference fails loudly), and
//!   compares ours against it item by item, so a failure names the differing item.
//!
//! After a deliberate WIT change, `KV_ADAPT_PRINT_WIT_DIGESTS=1 cargo test -p kv-adapt-wasm-build --test
//! wit_identity -- --nocapture` prints every normalized form and digest.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wit_parser::{Function, Handle, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeOwner, WorldItem};

#[path = "../../wasm/sockets-wit.rs"]
#[allow(dead_code)]
mod sockets_wit;

#[path = "../../wasm/spin-draft2-wit.rs"]
mod spin_draft2_wit;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `../shared/reference/<rel>`, where this project's CI puts the upstream WIT; `None` in a
/// user's clone, where the recorded digests alone stand for upstream.
fn reference(rel: &str) -> Option<PathBuf> {
    let path = root().join("../shared/reference").join(rel);
    if path.exists() {
        return Some(path);
    }
    eprintln!("note: {} is not here; compared against the recorded digest only", path.display());
    None
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

/// A reference directory as a package: Spin keeps its interfaces in files without a
/// `package` line (its `wit/deps/spin@2.0.0/` gets its name from the folder), so such
/// files are read under the package name the upstream record gives.
fn load_reference(dir: &Path, package: &str) -> Resolve {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wit"))
        .collect();
    let headerless = files.iter().all(|f| {
        let text = std::fs::read_to_string(f).unwrap();
        !text.lines().any(|l| l.trim_start().starts_with("package "))
    });
    if !headerless {
        return load(dir);
    }
    let mut text = format!("package {package};\n");
    for file in &files {
        text.push_str(&std::fs::read_to_string(file).unwrap());
        text.push('\n');
    }
    let mut resolve = Resolve::default();
    resolve.push_str(dir.join("headerless.wit"), &text).unwrap_or_else(|e| panic!("parsing {}: {e:?}", dir.display()));
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
            // `async` is part of a function's type in the component model (only an async
            // function may block), so it must match as well.
            wit_parser::FunctionKind::Freestanding => "free",
            wit_parser::FunctionKind::AsyncFreestanding => "async free",
            wit_parser::FunctionKind::Method(_) => "method",
            wit_parser::FunctionKind::AsyncMethod(_) => "async method",
            wit_parser::FunctionKind::Static(_) => "static",
            wit_parser::FunctionKind::AsyncStatic(_) => "async static",
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
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// Same interfaces, same worlds.
    Whole,
    /// Every interface of ours has an identical upstream twin (we carry a subset).
    OursAreUpstreams,
    /// Every upstream interface has an identical twin in ours (ours holds two generations).
    UpstreamsAreOurs,
}

/// One upstream package as we carry it: where upstream keeps it, which of its interfaces
/// we carry, and the digest of their normalized form (and of its worlds, for `Whole`).
struct Upstream {
    /// Package name in our WIT and in upstream's.
    package: &'static str,
    /// Directory under `../shared/reference/`.
    dir: &'static str,
    scope: Scope,
    /// The interfaces compared: all of upstream's, or (for `OursAreUpstreams`) the ones we carry.
    interfaces: &'static [&'static str],
    /// SHA-256 of [`normalized`] over `interfaces`, recorded from upstream.
    digest: &'static str,
}

/// The text that is hashed: every listed interface's shape, then (for `Whole`) the worlds.
/// Sorted throughout, so comments and order in the source do not count.
fn normalized(resolve: &Resolve, pkg: PackageId, interfaces: &[&str], scope: Scope) -> String {
    let mut text = String::new();
    let mut names: Vec<&str> = interfaces.to_vec();
    names.sort();
    for name in names {
        let id = *resolve.packages[pkg]
            .interfaces
            .get(name)
            .unwrap_or_else(|| panic!("{}: no interface {name}", resolve.packages[pkg].name));
        text.push_str(&format!("interface {name}\n"));
        for (item, shape) in interface_shape(resolve, id) {
            text.push_str(&format!("  {item} = {shape}\n"));
        }
    }
    if scope == Scope::Whole {
        for (world, shape) in world_shape(resolve, pkg) {
            text.push_str(&format!("world {world} = {shape}\n"));
        }
    }
    text
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn print_if_asked(side: &str, package: &str, text: &str) {
    if std::env::var_os("KV_ADAPT_PRINT_WIT_DIGESTS").is_some() {
        println!("--- {side} {package}: {}\n{text}", sha256(text));
    }
}

fn sorted(names: impl IntoIterator<Item = impl ToString>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(|n| n.to_string()).collect();
    names.sort();
    names
}

/// Ours against the recorded digest always; upstream against the recorded digest and ours
/// against upstream, item by item, wherever the reference is present.
fn assert_matches_upstream(upstream: &Upstream) {
    assert_resolve_matches_upstream(&ours(), upstream);
}

/// [`assert_matches_upstream`] for a package of ours that is not in `wit/` as such (one a
/// helper derives), resolved in `ours`.
fn assert_resolve_matches_upstream(ours: &Resolve, upstream: &Upstream) {
    let our_pkg = package(ours, upstream.package);
    let our_interfaces = sorted(ours.packages[our_pkg].interfaces.keys());
    match upstream.scope {
        Scope::Whole => assert_eq!(our_interfaces, sorted(upstream.interfaces), "{}: interface sets differ", upstream.package),
        Scope::OursAreUpstreams => {
            assert_eq!(our_interfaces, sorted(upstream.interfaces), "{}: we carry other interfaces", upstream.package)
        }
        // Checked across both generations by the_shared_0_2_0_draft_package_is_exactly_g4_plus_g5.
        Scope::UpstreamsAreOurs => {}
    }
    let our_text = normalized(ours, our_pkg, upstream.interfaces, upstream.scope);
    print_if_asked("ours", upstream.package, &our_text);

    if let Some(dir) = reference(upstream.dir) {
        let theirs = load_reference(&dir, upstream.package);
        let their_pkg = package(&theirs, upstream.package);
        let their_interfaces = sorted(theirs.packages[their_pkg].interfaces.keys());
        match upstream.scope {
            Scope::Whole | Scope::UpstreamsAreOurs => assert_eq!(
                their_interfaces,
                sorted(upstream.interfaces),
                "{}: the reference's interfaces are not the recorded ones",
                upstream.package
            ),
            Scope::OursAreUpstreams => {
                for name in upstream.interfaces {
                    assert!(their_interfaces.iter().any(|n| n == name), "{}: the reference lacks {name}", upstream.package);
                }
            }
        }
        let their_text = normalized(&theirs, their_pkg, upstream.interfaces, upstream.scope);
        print_if_asked("upstream", upstream.package, &their_text);
        // Item by item first, so that a difference is named rather than only hashed.
        for name in upstream.interfaces {
            let mine = ours.packages[our_pkg].interfaces[*name];
            let up = theirs.packages[their_pkg].interfaces[*name];
            assert_eq!(interface_shape(ours, mine), interface_shape(&theirs, up), "{}/{name} differs from upstream", upstream.package);
        }
        if upstream.scope == Scope::Whole {
            assert_eq!(world_shape(ours, our_pkg), world_shape(&theirs, their_pkg), "{}: worlds differ", upstream.package);
        }
        assert_eq!(
            sha256(&their_text),
            upstream.digest,
            "{}: the reference in {} no longer matches the recorded digest; upstream drifted, or the \
             normalization changed",
            upstream.package,
            upstream.dir
        );
    }
    assert_eq!(
        sha256(&our_text),
        upstream.digest,
        "{}: our WIT no longer matches upstream's recorded digest; our normalized form is:\n{our_text}",
        upstream.package
    );
}

// Digests recorded from ../shared/reference (see the module doc for how to print them).

const G2: Upstream = Upstream {
    package: "wasi:keyvalue",
    dir: "wasi-keyvalue/2023-11-unversioned-rc/wit",
    scope: Scope::Whole,
    interfaces: &["atomic", "batch", "cache", "handle-watch", "readwrite", "types", "wasi-cloud-error"],
    digest: "c23977dedaefb1f940a11680913cf71e2a27449a79d22aabdd8cb2045f3c5887",
};

const G3: Upstream = Upstream {
    package: "wasi:keyvalue@0.1.0",
    dir: "wasi-keyvalue/2024-02-v0.1.0-eventual/wit",
    scope: Scope::Whole,
    interfaces: &["atomic", "cache", "eventual", "eventual-batch", "handle-watch", "types", "wasi-keyvalue-error"],
    digest: "360bced153d264afec2e2745840fc0a9b408d529033cb2b9876d9dfb9d991c81",
};

// G4 and G5 share `wasi:keyvalue@0.2.0-draft`, so our package holds both shapes; each
// upstream one must be found in it unchanged, and nothing else may be in it.
const G4: Upstream = Upstream {
    package: "wasi:keyvalue@0.2.0-draft",
    dir: "wasi-keyvalue/2024-02-v0.2.0-draft-eventual/wit",
    scope: Scope::UpstreamsAreOurs,
    interfaces: &["atomic", "cache", "eventual", "eventual-batch", "handle-watch", "types", "wasi-keyvalue-error"],
    digest: "5dfffe2af9b6b4a78c7610994e4f3c994a8837b065f2b3137d9090b40b13fec1",
};

const G5: Upstream = Upstream {
    package: "wasi:keyvalue@0.2.0-draft",
    dir: "wasi-keyvalue/2024-05-v0.2.0-draft/wit",
    scope: Scope::UpstreamsAreOurs,
    interfaces: &["atomics", "batch", "store", "watcher"],
    digest: "03cb284932e9cf1020187319c98600d6d0867e37e534084afabad93858af7114",
};

const G6: Upstream = Upstream {
    package: "wasi:keyvalue@0.2.0-draft2",
    dir: "wasi-keyvalue/2024-09-v0.2.0-draft2/wit",
    scope: Scope::Whole,
    interfaces: &["atomics", "batch", "store", "watcher"],
    digest: "7249c26703855e1fe2af42e1b7a64e5901e3d75b987de5759db3a10a5141eee6",
};

// Spin's own interface of Spin 2.0 to 4.x (spin-sdk's `key_value::Store`).
const SPIN_2_0_0: Upstream = Upstream {
    package: "fermyon:spin@2.0.0",
    dir: "spin/spin-key-value-2.0.0",
    scope: Scope::Whole,
    interfaces: &["key-value"],
    digest: "59ef9e6882af9180a4c305c38fa27b5aee50ff9d0df4b0abbb81bcae3eae6f14",
};

// Spin 1.x's interface, unversioned (Spin still serves it).
const SPIN_UNVERSIONED: Upstream = Upstream {
    package: "fermyon:spin",
    dir: "spin/spin-key-value-unversioned",
    scope: Scope::Whole,
    interfaces: &["key-value"],
    digest: "7a3417ade8eb962c04495e87ed5b977cc9e571be503885dda61c8c9bd339e2b2",
};

// Spin 4's async interface for WASI 0.3 components (spin-sdk 7's `key_value::Store`).
const SPIN_3_0_0: Upstream = Upstream {
    package: "spin:key-value@3.0.0",
    dir: "spin/spin-key-value-3.0.0",
    scope: Scope::Whole,
    interfaces: &["key-value"],
    digest: "f63f274899581bac40153019cd25378c4a6f1fc1cb0cd3a13ab508d792343f99",
};

// wasmCloud 2's async key-value for WASI 0.3 components.
const WASMCLOUD_0_2_0: Upstream = Upstream {
    package: "wasmcloud:keyvalue@0.2.0",
    dir: "wasmcloud/wasmcloud-keyvalue-0.2.0",
    scope: Scope::Whole,
    interfaces: &["types", "store", "atomics", "cas", "batch", "watcher"],
    digest: "f67fcb0d5d51affc21320941a133e8a688dbb7129dc42a620cf5ae8db3af2d2c",
};

// Spin's draft2 of Spin 3.0 to 4.x: upstream's name and version, Spin's `get-many`.
const SPIN_DRAFT2: Upstream = Upstream {
    package: "wasi:keyvalue@0.2.0-draft2",
    dir: "spin/keyvalue-draft2-spin",
    scope: Scope::Whole,
    interfaces: &["atomics", "batch", "store", "watcher"],
    digest: "c75426d80845fb11bde9a2744dc8166340e45b8b553c1b0f07836836a05b6b62",
};

const IO_0_2_0: Upstream = Upstream {
    package: "wasi:io@0.2.0",
    dir: "wasi-cli/v0.2.0/wit/deps/io",
    scope: Scope::Whole,
    interfaces: &["error", "poll", "streams"],
    digest: "9679bcb17296fcddcb57dd04a5b3d2ec23c56cd4654768d414543c29bbe714f4",
};

const IO_RC_2023_11_10: Upstream = Upstream {
    package: "wasi:io@0.2.0-rc-2023-11-10",
    dir: "wasi-cli/v0.2.0-rc-2023-11-10/wit/deps/io",
    scope: Scope::Whole,
    interfaces: &["error", "poll", "streams"],
    digest: "801b1ba6366bc808deb0669becbfaa40b56381ddf309b3e0f2e5224ac94dfe45",
};

// We carry the `run` interface of this package, and the stdio the G2 wrapping adapters wrap.
const CLI_RC_2023_11_10: Upstream = Upstream {
    package: "wasi:cli@0.2.0-rc-2023-11-10",
    dir: "wasi-cli/v0.2.0-rc-2023-11-10/wit",
    scope: Scope::OursAreUpstreams,
    interfaces: &["run", "stdin", "stdout", "stderr"],
    digest: "af2f3947c65a51d3d39bb5f6a8be398c5ebcd001454521d39b509c7436085611",
};

const FILESYSTEM_RC_2023_11_10: Upstream = Upstream {
    package: "wasi:filesystem@0.2.0-rc-2023-11-10",
    dir: "wasi-cli/v0.2.0-rc-2023-11-10/wit",
    scope: Scope::OursAreUpstreams,
    interfaces: &["types", "preopens"],
    digest: "490b647426991ce3ed9c49ac187d45676aeeaf5b0a30a54e35bf359be27415be",
};

// We carry the two clocks wasi:http rc-2023-12-05 names (its own package is checked against
// wasmtime-wasi-http by tests/http_actor.rs: the reference holds no wasi:http).
const CLOCKS_RC_2023_11_10: Upstream = Upstream {
    package: "wasi:clocks@0.2.0-rc-2023-11-10",
    // The package's own directory does not resolve alone (it uses wasi:io): read it as a
    // dependency of wasi:cli.
    dir: "wasi-cli/v0.2.0-rc-2023-11-10/wit",
    scope: Scope::OursAreUpstreams,
    interfaces: &["monotonic-clock", "wall-clock"],
    digest: "1bc853ac87e94df01a77bbb402f913b9ad7d4a7be52e97338a25ab4b9062f38e",
};

// The WASI 0.2.0 packages the `-io-wasi` adapters export again to a guest, wrapped: we
// carry only the interfaces that make (or, for wall-clock, type) streams and pollables. Each
// uses wasi:io (and filesystem uses wasi:clocks), so they are read as dependencies of wasi:cli.
const CLI_STDIO_0_2_0: Upstream = Upstream {
    package: "wasi:cli@0.2.0",
    dir: "wasi-cli/v0.2.0/wit",
    scope: Scope::OursAreUpstreams,
    interfaces: &["stdin", "stdout", "stderr"],
    digest: "dfefc32d0427960809b9474055e8f724bdf9c1709b3c12bf89d170cb356d23ef",
};

const CLOCKS_0_2_0: Upstream = Upstream {
    package: "wasi:clocks@0.2.0",
    dir: "wasi-cli/v0.2.0/wit",
    scope: Scope::OursAreUpstreams,
    interfaces: &["monotonic-clock", "wall-clock"],
    digest: "78e2868b2dcb30fabe73793859b8ed58b8651d17099d9a8ce1a543b763831bb5",
};

const FILESYSTEM_0_2_0: Upstream = Upstream {
    package: "wasi:filesystem@0.2.0",
    dir: "wasi-cli/v0.2.0/wit",
    scope: Scope::OursAreUpstreams,
    interfaces: &["types", "preopens"],
    digest: "f5bf3dc9f4915f6f79c0f7deaa50c03688712b2570540458148625cc6898ec1e",
};

// wasi:sockets we carry whole: 0.2.0 is written in wit/sockets-0.2.0, and rc-2023-11-10 is
// derived from it by wasm/sockets-wit.rs (the rc-2023-11-10 guest is built on it). Both
// use wasi:io (and tcp wasi:clocks), so they are read as dependencies of wasi:cli.
const SOCKETS_0_2_0: Upstream = Upstream {
    package: "wasi:sockets@0.2.0",
    dir: "wasi-cli/v0.2.0/wit",
    scope: Scope::Whole,
    interfaces: &["instance-network", "ip-name-lookup", "network", "tcp", "tcp-create-socket", "udp", "udp-create-socket"],
    digest: "f0e2e4c2d88b694c60e9ce0324cb3c0e41a2b56e022916502606d3447d4c2334",
};

const SOCKETS_RC_2023_11_10: Upstream = Upstream {
    package: "wasi:sockets@0.2.0-rc-2023-11-10",
    dir: "wasi-cli/v0.2.0-rc-2023-11-10/wit",
    scope: Scope::Whole,
    interfaces: &["instance-network", "ip-name-lookup", "network", "tcp", "tcp-create-socket", "udp", "udp-create-socket"],
    digest: "a08e30526159352cdb0d36839d8ec9b3e014ad8caa6d612253199fd1160bd0fb",
};

#[test]
fn wasi_cli_stdio_0_2_0_matches_upstream() {
    assert_matches_upstream(&CLI_STDIO_0_2_0);
}

#[test]
fn wasi_clocks_0_2_0_matches_upstream() {
    assert_matches_upstream(&CLOCKS_0_2_0);
}

#[test]
fn wasi_filesystem_0_2_0_matches_upstream() {
    assert_matches_upstream(&FILESYSTEM_0_2_0);
}

#[test]
fn wasi_clocks_rc_2023_11_10_matches_upstream() {
    assert_matches_upstream(&CLOCKS_RC_2023_11_10);
}

#[test]
fn g2_keyvalue_2023_11_matches_upstream() {
    assert_matches_upstream(&G2);
}

#[test]
fn g3_keyvalue_0_1_0_matches_upstream() {
    assert_matches_upstream(&G3);
}

#[test]
fn g4_keyvalue_0_2_0_draft_eventual_matches_upstream() {
    assert_matches_upstream(&G4);
}

#[test]
fn g5_keyvalue_0_2_0_draft_matches_upstream() {
    assert_matches_upstream(&G5);
}

#[test]
fn g6_keyvalue_0_2_0_draft2_matches_upstream() {
    assert_matches_upstream(&G6);
}

#[test]
fn spin_key_value_2_0_0_matches_spin() {
    assert_matches_upstream(&SPIN_2_0_0);
}

#[test]
fn spin_key_value_3_0_0_matches_spin() {
    assert_matches_upstream(&SPIN_3_0_0);
}

#[test]
fn wasmcloud_keyvalue_0_2_0_matches_wasmcloud() {
    assert_matches_upstream(&WASMCLOUD_0_2_0);
}

#[test]
fn spin_key_value_unversioned_matches_spin() {
    assert_matches_upstream(&SPIN_UNVERSIONED);
}

/// The text `spin_draft2` derives from our G6 WIT, under Spin's package name and under the
/// adapter's, which differ in nothing else.
#[test]
fn spin_keyvalue_draft2_matches_spin() {
    let wit = root().join("wit");
    let derived = |package: &str| {
        let mut resolve = Resolve::default();
        resolve
            .push_str("spin-draft2.wit", &spin_draft2_wit::spin_draft2(&wit, package))
            .unwrap_or_else(|e| panic!("parsing the derived Spin draft2 as {package}: {e:?}"));
        resolve
    };
    assert_resolve_matches_upstream(&derived(SPIN_DRAFT2.package), &SPIN_DRAFT2);
    let adapters = derived(spin_draft2_wit::ADAPTER_PACKAGE);
    let as_built = package(&adapters, spin_draft2_wit::ADAPTER_PACKAGE);
    let as_spin = derived(SPIN_DRAFT2.package);
    let spin = package(&as_spin, SPIN_DRAFT2.package);
    assert_eq!(
        normalized(&adapters, as_built, SPIN_DRAFT2.interfaces, Scope::Whole).replace("kv-adapt:spin-keyvalue/", "wasi:keyvalue/"),
        normalized(&as_spin, spin, SPIN_DRAFT2.interfaces, Scope::Whole)
    );
}

#[test]
fn wasi_io_0_2_0_matches_upstream() {
    assert_matches_upstream(&IO_0_2_0);
}

#[test]
fn wasi_io_rc_2023_11_10_matches_upstream() {
    assert_matches_upstream(&IO_RC_2023_11_10);
}

#[test]
fn wasi_cli_rc_2023_11_10_run_and_stdio_match_upstream() {
    assert_matches_upstream(&CLI_RC_2023_11_10);
}

#[test]
fn wasi_filesystem_rc_2023_11_10_matches_upstream() {
    assert_matches_upstream(&FILESYSTEM_RC_2023_11_10);
}

#[test]
fn wasi_sockets_0_2_0_matches_upstream() {
    assert_matches_upstream(&SOCKETS_0_2_0);
}

/// The rc-2023-11-10 text `sockets_rc_2023_11_10` derives, on our wasi:io and wasi:clocks
/// of that release.
#[test]
fn wasi_sockets_rc_2023_11_10_matches_upstream() {
    let wit = root().join("wit");
    let mut resolve = Resolve::default();
    for dep in ["io-0.2.0-rc-2023-11-10", "clocks-0.2.0-rc-2023-11-10"] {
        let dir = wit.join(dep);
        resolve.push_path(&dir).unwrap_or_else(|e| panic!("parsing {}: {e:?}", dir.display()));
    }
    resolve
        .push_str("sockets-0.2.0-rc-2023-11-10.wit", &sockets_wit::sockets_rc_2023_11_10(&wit))
        .unwrap_or_else(|e| panic!("parsing the derived wasi:sockets rc-2023-11-10: {e:?}"));
    assert_resolve_matches_upstream(&resolve, &SOCKETS_RC_2023_11_10);
}

#[test]
fn the_shared_0_2_0_draft_package_is_exactly_g4_plus_g5() {
    let ours = ours();
    let found = sorted(ours.packages[package(&ours, "wasi:keyvalue@0.2.0-draft")].interfaces.keys());
    assert_eq!(found, sorted(G4.interfaces.iter().chain(G5.interfaces)));
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
    assert_ne!(
        sha256(&normalized(&a, pa, &["i"], Scope::Whole)),
        sha256(&normalized(&b, pb, &["i"], Scope::Whole)),
        "the digest must see it too"
    );
}

/// Comments and order do not count: the same package written differently hashes the same.
#[test]
fn comments_and_order_do_not_change_the_digest() {
    let mut a = Resolve::default();
    let mut b = Resolve::default();
    let pa = a
        .push_str("a.wit", "package t:x; interface i { /// doc\n f: func(); g: func(x: u8); } world w { import i; }")
        .unwrap();
    let pb = b.push_str("b.wit", "package t:x; world w { import i; } interface i { g: func(x: u8); f: func(); }").unwrap();
    assert_eq!(sha256(&normalized(&a, pa, &["i"], Scope::Whole)), sha256(&normalized(&b, pb, &["i"], Scope::Whole)));
}

// --- G1, the stream-based draft of February 2023. Its WIT predates packages and today's
// syntax (`default interface`, `use pkg.types.{..}`), so wit-parser cannot read the
// reference; and ours can only give its plain-named interfaces inline in a world. Both are
// brought to one form: per interface (by the name a component imports it under), every
// function with its parameter names and types, every `u32`/`string` alias expanded, all
// whitespace removed. One documented difference is applied to the reference's side:
// `result<T, stream-error>` with `record stream-error {}` (an empty record, which today's
// WIT refuses and the canonical ABI lowers to nothing) is `result<T>` in ours.

/// The G1 normal form: interface name -> its functions, sorted.
type G1Shape = BTreeMap<String, Vec<String>>;

fn g1_expanded(resolve: &Resolve, ty: &Type) -> String {
    let Type::Id(id) = ty else { return render(resolve, ty) };
    match &resolve.types[*id].kind {
        TypeDefKind::Type(inner) => g1_expanded(resolve, inner),
        TypeDefKind::List(inner) => format!("list<{}>", g1_expanded(resolve, inner)),
        TypeDefKind::Option(inner) => format!("option<{}>", g1_expanded(resolve, inner)),
        TypeDefKind::Tuple(t) => format!("tuple<{}>", t.types.iter().map(|t| g1_expanded(resolve, t)).collect::<Vec<_>>().join(",")),
        TypeDefKind::Result(r) => match (&r.ok, &r.err) {
            (Some(ok), Some(err)) => format!("result<{},{}>", g1_expanded(resolve, ok), g1_expanded(resolve, err)),
            (None, Some(err)) => format!("result<_,{}>", g1_expanded(resolve, err)),
            (Some(ok), None) => format!("result<{}>", g1_expanded(resolve, ok)),
            (None, None) => "result".into(),
        },
        other => panic!("G1 has no {other:?}"),
    }
}

fn g1_ours() -> G1Shape {
    let resolve = ours();
    let pkg = package(&resolve, "kv-adapt:keyvalue-g1");
    let world = &resolve.worlds[resolve.packages[pkg].worlds["keyvalue-handle-watch"]];
    let mut shape = G1Shape::new();
    for (key, item) in world.imports.iter().chain(&world.exports) {
        let WorldItem::Interface { id, .. } = item else { continue };
        let mut functions: Vec<String> = resolve.interfaces[*id]
            .functions
            .values()
            .map(|f| {
                let params: Vec<String> = f.params.iter().map(|p| format!("{}:{}", p.name, g1_expanded(&resolve, &p.ty))).collect();
                let result = f.result.as_ref().map(|r| format!("->{}", g1_expanded(&resolve, r))).unwrap_or_default();
                format!("{}({}){result}", f.name, params.join(","))
            })
            .collect();
        functions.sort();
        shape.insert(resolve.name_world_key(key), functions);
    }
    shape
}

/// The 2023 files' statements, comments gone and each on one line (a parameter list may
/// span lines).
fn g1_statements(text: &str) -> Vec<String> {
    let mut statements = vec![String::new()];
    let mut depth = 0;
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for c in code.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            statements.last_mut().unwrap().push(c);
        }
        if depth == 0 {
            statements.push(String::new());
        } else {
            statements.last_mut().unwrap().push(' ');
        }
    }
    statements.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn g1_upstream(dir: &Path) -> G1Shape {
    let files = ["types.wit", "readwrite.wit", "atomic.wit", "batch.wit", "error.wit", "handle-watch.wit", "deps/io/streams.wit"];
    // The name each interface is imported under: its own, but the world renames three.
    let import_name = |declared: &str| declared.strip_prefix("keyvalue-").unwrap_or(declared).to_string();
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut interface = None;
        for statement in g1_statements(&text) {
            let compact: String = statement.chars().filter(|c| !c.is_whitespace()).collect();
            if let Some(rest) = statement.strip_prefix("default interface ") {
                interface = Some(import_name(rest.trim_end_matches('{').trim()));
            } else if let Some((name, target)) = statement.strip_prefix("type ").and_then(|t| t.split_once('=')) {
                aliases.insert(name.trim().to_string(), target.trim().to_string());
            } else if compact.contains(":func(") {
                let name = interface.clone().unwrap_or_else(|| panic!("{file}: a function outside an interface"));
                raw.entry(name).or_default().push(compact.replace(",)", ")").replacen(":func(", "(", 1));
            }
        }
    }
    // Expand aliases token by token until none is left.
    let expand = |signature: &str| -> String {
        let mut out = signature.to_string();
        loop {
            let mut next = String::new();
            let mut token = String::new();
            let flush = |token: &mut String, next: &mut String| {
                next.push_str(aliases.get(token.as_str()).map(String::as_str).unwrap_or(token));
                token.clear();
            };
            // A parameter name is followed by ':', so it is never taken for a type.
            for c in out.chars() {
                if c.is_ascii_alphanumeric() || c == '-' {
                    token.push(c);
                } else {
                    if c == ':' {
                        next.push_str(&token);
                        token.clear();
                    } else {
                        flush(&mut token, &mut next);
                    }
                    next.push(c);
                }
            }
            flush(&mut token, &mut next);
            if next == out {
                return out.replace(",stream-error>", ">");
            }
            out = next;
        }
    };
    raw.into_iter()
        .map(|(name, functions)| {
            let mut functions: Vec<String> = functions
                .iter()
                .map(|f| {
                    let (fname, rest) = f.split_once('(').unwrap();
                    format!("{fname}({}", expand(rest))
                })
                .collect();
            functions.sort();
            (name, functions)
        })
        .collect()
}

fn g1_text(shape: &G1Shape) -> String {
    shape.iter().map(|(name, functions)| format!("{name}\n  {}\n", functions.join("\n  "))).collect()
}

const G1_DIGEST: &str = "d8182437a5978f15e26c15b214a2189f639a9dd789ec8ed6b83d8bb6201a9c8d";

#[test]
fn g1_keyvalue_2023_02_matches_upstream_function_for_function() {
    let ours = g1_ours();
    let names: Vec<&str> = ours.keys().map(String::as_str).collect();
    assert_eq!(names, ["atomic", "batch", "handle-watch", "readwrite", "streams", "types", "wasi-cloud-error"]);
    let text = g1_text(&ours);
    print_if_asked("ours", "G1", &text);
    if let Some(dir) = reference("wasi-keyvalue/2023-02-stream-based/wit") {
        let theirs = g1_upstream(&dir);
        print_if_asked("upstream", "G1", &g1_text(&theirs));
        for (name, functions) in &theirs {
            assert_eq!(ours.get(name), Some(functions), "G1 {name} differs from upstream");
        }
        assert_eq!(ours, theirs);
        // The reader of the 2023 syntax saw every function, not an empty shape on both sides.
        assert_eq!(theirs.values().map(Vec::len).sum::<usize>(), 31);
    }
    assert_eq!(sha256(&text), G1_DIGEST, "G1: our WIT no longer matches upstream's recorded digest; ours is:\n{text}");
}
