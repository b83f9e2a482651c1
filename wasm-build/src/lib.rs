//! Builds kv-adapt's components from source: a nested cargo over the `wasm/` workspace (and
//! the bundled example) with its own target dir, then wit-component for the core modules.
//!
//! Two users, so that a build of kv-adapt itself compiles no wasm:
//! - `rebuild-shipped` (this crate's binary) builds what kv-adapt embeds (adapters, fused
//!   modules, watch bridges, stores, shims, config components, the shipped conformance
//!   guests and the bundled example) into `shipped/`, with the table `src/artifacts.rs`
//!   includes and a manifest; `--check` rebuilds them and fails on any difference;
//! - `test-programs/build.rs` builds the test guests, for the tests alone.
//!
//! Every build maps the paths it compiles from to fixed names (`--remap-path-prefix`), so
//! that the same sources give the same bytes in any checkout.

#[path = "../../src/link/config_module.rs"]
mod config_module;

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::{PackageId, Resolve};

#[path = "../../wasm/adapter/relocate.rs"]
mod relocate;

#[path = "../../src/link/names.rs"]
mod names;

// Only its package name is needed here; the adapter's build.rs writes the WIT.
#[path = "../../wasm/spin-draft2-wit.rs"]
#[allow(dead_code)]
mod spin_draft2_wit;


/// One build of a crate in the wasm workspace.
pub struct Build {
    pub package: &'static str,
    pub features: String,
    pub target: Target,
    pub output: Output,
    /// File stem of the component written.
    pub artifact: String,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Target {
    /// Core module plus wit-bindgen metadata; componentized here.
    Unknown,
    /// rustc links a component itself (wasm-component-ld), with WASI from std.
    Wasip2,
    /// A std core module for preview1, componentized here with the preview1 reactor
    /// adapter of late 2023 ([`ERA_REACTOR`]), as the toolchains of that time did.
    Wasip1Reactor,
    /// A std command for preview1, componentized with that release's command adapter
    /// ([`ERA_COMMAND`]).
    Wasip1Command,
}

impl Target {
    pub fn triple(self) -> &'static str {
        match self {
            Target::Unknown => "wasm32-unknown-unknown",
            Target::Wasip2 => "wasm32-wasip2",
            Target::Wasip1Reactor | Target::Wasip1Command => "wasm32-wasip1",
        }
    }

    /// The late-2023 preview1 adapter this target is componentized with.
    pub fn era_adapter(self) -> Option<&'static EraAdapter> {
        match self {
            Target::Wasip1Reactor => Some(&ERA_REACTOR),
            Target::Wasip1Command => Some(&ERA_COMMAND),
            Target::Unknown | Target::Wasip2 => None,
        }
    }
}

/// What cargo names the output: a cdylib's file has underscores, a bin keeps its name.
#[derive(Clone, Copy, PartialEq)]
pub enum Output {
    Lib,
    Bin,
}

impl Build {
    pub fn new(package: &'static str, features: &str, target: Target, output: Output, artifact: &str) -> Build {
        Build { package, features: features.to_string(), target, output, artifact: artifact.to_string() }
    }
}

/// How an adapter serves value bodies; the flavours of one (front, back) pair.
#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    /// wasi:io is the host's; async bodies are refused (`Bodies::Host`).
    HostIo,
    /// The adapter exports wasi:io and serves bodies from memory (`Bodies::Adapter`).
    AdapterIo,
    /// As `AdapterIo`, and groups of the host's WASI (stdio, monotonic clock, files) are
    /// wrapped into the same wasi:io (`Bodies::Wrapping`, features `wasi-*`): one build per
    /// non-empty set of groups, so that an adapter imports only what its guest does.
    WrappingIo,
}

/// The groups a wrapping flavour can wrap (`wasm/adapter` features `wasi-<group>`).
const WASI_GROUPS: [&str; 3] = ["stdio", "clock", "files"];

/// Every adapter shipped: (front, back, flavours). A front is the generation served to the
/// guest, a back the one imported from the host; `wasm/adapter` builds any pair from one
/// file per front and one per back. Fronts whose value bodies are wasi:io streams come in
/// more than one flavour (`Flavour`); the others in one.
/// G1's streams are its own interface, which its adapter always serves from memory: one
/// flavour, listed as `AdapterIo` but built without the `io` feature (which means wasi:io)
/// and named without `-io`.
const ADAPTER_PAIRS: &[(&str, &str, &[Flavour])] = {
    use Flavour::*;
    &[
        ("g1", "g5", &[AdapterIo]),
        ("g1", "g6", &[AdapterIo]),
        ("g2", "g5", &[HostIo, AdapterIo, WrappingIo]),
        ("g2", "g6", &[HostIo, AdapterIo, WrappingIo]),
        ("g3", "g5", &[HostIo, AdapterIo, WrappingIo]),
        ("g3", "g6", &[HostIo, AdapterIo, WrappingIo]),
        ("g4", "g5", &[HostIo, AdapterIo, WrappingIo]),
        ("g4", "g6", &[HostIo, AdapterIo, WrappingIo]),
        ("g5", "g6", &[HostIo]),
        ("g6", "g5", &[HostIo]),
        ("g5", "g3", &[HostIo]),
        ("g5", "g4", &[HostIo]),
        ("g6", "g3", &[HostIo]),
        ("g6", "g4", &[HostIo]),
        ("g5", "g2", &[HostIo]),
        ("g6", "g2", &[HostIo]),
        // Spin's own `fermyon:spin/key-value@2.0.0`, onto every wasi:keyvalue host.
        ("spin1", "g5", &[HostIo]),
        ("spin1", "g6", &[HostIo]),
        ("spin1", "g2", &[HostIo]),
        ("spin1", "g3", &[HostIo]),
        ("spin1", "g4", &[HostIo]),
        ("spin2", "g5", &[HostIo]),
        ("spin2", "g6", &[HostIo]),
        ("spin2", "g2", &[HostIo]),
        ("spin2", "g3", &[HostIo]),
        ("spin2", "g4", &[HostIo]),
        // Spin's own draft2 (upstream G6 but for batch.get-many), onto every other back.
        ("spin-draft2", "g5", &[HostIo]),
        ("spin-draft2", "g6", &[HostIo]),
        ("spin-draft2", "g2", &[HostIo]),
        ("spin-draft2", "g3", &[HostIo]),
        ("spin-draft2", "g4", &[HostIo]),
        // Spin 4's spin:key-value@3.0.0 (WASI 0.3, async exports), onto every wasi:keyvalue
        // host (Spin's draft2 through the G6 one: this front calls no `batch`).
        ("spin3", "g5", &[HostIo]),
        ("spin3", "g6", &[HostIo]),
        ("spin3", "g2", &[HostIo]),
        ("spin3", "g3", &[HostIo]),
        ("spin3", "g4", &[HostIo]),
        // wasmCloud 2's wasmcloud:keyvalue@0.2.0 (WASI 0.3, async exports), onto every
        // wasi:keyvalue host.
        ("wasmcloud2", "g5", &[HostIo]),
        ("wasmcloud2", "g6", &[HostIo]),
        ("wasmcloud2", "g2", &[HostIo]),
        ("wasmcloud2", "g3", &[HostIo]),
        ("wasmcloud2", "g4", &[HostIo]),
        // The two WASI 0.3 packages onto each other: async exports awaiting the host's
        // async functions (the only pairs with an async back).
        ("spin3", "wasmcloud2", &[HostIo]),
        ("wasmcloud2", "spin3", &[HostIo]),
    ]
};
/// Adapters also built without `batch` (`wasm/adapter` feature `no-batch`), for guests that
/// import none: the adapter then imports no `batch` from the host either. (front, back).
const NO_BATCH_PAIRS: &[(&str, &str)] = &[("g5", "g6"), ("g6", "g5")];

/// Watch bridges (`wasm/watch-bridge`): a guest's watch handler served to a host of
/// another generation (`handle-watch` up to G4, `watcher` from G5), one for every pair
/// of generations an adapter serves.
const BRIDGE_PAIRS: &[(&str, &str)] = &[
    ("g1", "g5"),
    ("g1", "g6"),
    ("g2", "g5"),
    ("g2", "g6"),
    ("g3", "g5"),
    ("g3", "g6"),
    ("g4", "g5"),
    ("g4", "g6"),
    ("g5", "g2"),
    ("g5", "g3"),
    ("g5", "g4"),
    ("g5", "g6"),
    ("g6", "g2"),
    ("g6", "g3"),
    ("g6", "g4"),
    ("g6", "g5"),
];

fn bridges() -> Vec<(Build, &'static str, &'static str)> {
    BRIDGE_PAIRS
        .iter()
        .map(|(front, back)| {
            let build = Build::new("watch-bridge", &format!("front-{front},back-{back}"), Target::Unknown, Output::Lib, &format!("watch-{front}-on-{back}"));
            (build, *front, *back)
        })
        .collect()
}

/// Fused adapters (`wasm/adapter`, feature `fused`): core modules that wit-component links
/// inside a guest's component. (front, back).
const FUSED_PAIRS: &[(&str, &str)] = &[("g1", "g5"), ("g1", "g6"), ("g2", "g5"), ("g2", "g6"), ("g3", "g5"), ("g3", "g6"), ("g4", "g5"), ("g4", "g6")];
/// Fused adapters that also serve value-body streams from memory (feature `io`): the guest's
/// wasi:io, used for nothing else, is linked to the adapter module too.
const FUSED_IO_PAIRS: &[(&str, &str)] = &[("g2", "g5"), ("g2", "g6"), ("g3", "g5"), ("g3", "g6"), ("g4", "g5"), ("g4", "g6")];
/// Fused adapters that serve value bodies and forward every other stream, pollable and
/// error to the host's wasi:io@0.2.0 (feature `forward`): the fused wrapping flavour.
const FUSED_FORWARD_PAIRS: &[(&str, &str)] = &[("g2", "g5"), ("g2", "g6"), ("g3", "g5"), ("g3", "g6"), ("g4", "g5"), ("g4", "g6")];

/// Generations the filesystem store is built for.
const STORE_TARGETS: &[&str] = &["g5", "g6"];

/// Every adapter build: (build, front, back, flavour, wrapped groups, whether it serves `batch`).
fn adapters() -> Vec<(Build, &'static str, &'static str, Flavour, Vec<&'static str>, bool)> {
    let mut builds = Vec::new();
    for (front, back, flavours) in ADAPTER_PAIRS {
        for flavour in flavours.iter().copied() {
            let group_sets: Vec<Vec<&str>> = match flavour {
                Flavour::WrappingIo => (1u8..8)
                    .map(|bits| WASI_GROUPS.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, g)| *g).collect())
                    .collect(),
                Flavour::HostIo | Flavour::AdapterIo => vec![Vec::new()],
            };
            for groups in group_sets {
                let (suffix, features) = match flavour {
                    Flavour::HostIo => (String::new(), String::new()),
                    Flavour::AdapterIo if *front == "g1" => (String::new(), String::new()),
                    Flavour::AdapterIo => ("-io".to_string(), ",io".to_string()),
                    Flavour::WrappingIo => (
                        format!("-io-wasi-{}", groups.join("-")),
                        format!(",io{}", groups.iter().map(|g| format!(",wasi-{g}")).collect::<String>()),
                    ),
                };
                let features = format!("front-{front},back-{back}{features}");
                let artifact = format!("adapter-{front}-on-{back}{suffix}");
                builds.push((Build::new("adapter", &features, Target::Unknown, Output::Lib, &artifact), *front, *back, flavour, groups, true));
            }
        }
    }
    for (front, back) in NO_BATCH_PAIRS {
        let build = Build::new("adapter", &format!("front-{front},back-{back},no-batch"), Target::Unknown, Output::Lib, &format!("adapter-{front}-on-{back}-no-batch"));
        builds.push((build, *front, *back, Flavour::HostIo, Vec::new(), false));
    }
    builds
}

fn stores() -> Vec<(Build, &'static str)> {
    STORE_TARGETS
        .iter()
        .map(|t| (Build::new("store-fs", t, Target::Wasip2, Output::Lib, &format!("store-{t}")), *t))
        .collect()
}

/// The `Generation` variant of a generation id: `g5` is `G5`, `spin2` is `Spin2`,
/// `spin-draft2` is `SpinDraft2`.
fn variant(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// An adapter's exports as a guest imports them: Spin's draft2 front is built under a
/// package name of its own beside upstream draft2 (`wasm/spin-draft2-wit.rs`), and its
/// exports take upstream's name, which is Spin's, once built.
fn exports_renamed(front: &str, file: &Path) -> Result<()> {
    if front != "spin-draft2" {
        return Ok(());
    }
    let (package, version) = spin_draft2_wit::ADAPTER_PACKAGE.split_once('@').expect("a versioned package");
    let built_as = format!("{package}/");
    let rename = |name: &str| {
        name.strip_prefix(&built_as)
            .filter(|rest| rest.ends_with(&format!("@{version}")))
            .map(|rest| format!("wasi:keyvalue/{rest}"))
    };
    let bytes = std::fs::read(file)?;
    let renamed = names::rename(&bytes, |_| None, rename).map_err(anyhow::Error::msg).with_context(|| format!("renaming the exports of {}", file.display()))?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&renamed)
        .with_context(|| format!("validating {} renamed", file.display()))?;
    std::fs::write(file, renamed)?;
    Ok(())
}

/// Test guests: built here so the tests run what the sources say, never a checked-in binary.
pub fn test_guests() -> Vec<Build> {
    vec![
        Build::new("guest-g1-conformance", "", Target::Unknown, Output::Lib, "guest-g1-conformance"),
        Build::new("guest-g2-conformance", "", Target::Unknown, Output::Lib, "guest-g2-conformance"),
        Build::new("guest-eventual-conformance", "g3", Target::Unknown, Output::Lib, "guest-g3-conformance"),
        Build::new("guest-eventual-conformance", "g4", Target::Unknown, Output::Lib, "guest-g4-conformance"),
        Build::new("guest-store-conformance", "g5", Target::Unknown, Output::Lib, "guest-g5-conformance"),
        Build::new("guest-store-conformance", "g6", Target::Unknown, Output::Lib, "guest-g6-conformance"),
        Build::new("guest-g4-println", "", Target::Wasip2, Output::Bin, "guest-g4-println"),
        Build::new("guest-g3-async-bodies", "", Target::Wasip2, Output::Bin, "guest-g3-async-bodies"),
        Build::new("guest-wasmcloud-g5", "", Target::Wasip2, Output::Bin, "guest-wasmcloud-g5"),
        Build::new("guest-bench", "g2", Target::Unknown, Output::Lib, "guest-g2-bench"),
        Build::new("guest-bench", "g4", Target::Unknown, Output::Lib, "guest-g4-bench"),
        Build::new("guest-bench", "g5", Target::Unknown, Output::Lib, "guest-g5-bench"),
        Build::new("guest-g5-visit-counter", "", Target::Wasip2, Output::Bin, "guest-g5-visit-counter"),
        Build::new("guest-g5-counter-loop", "", Target::Wasip2, Output::Bin, "guest-g5-counter-loop"),
        Build::new("guest-g6-counter", "", Target::Wasip2, Output::Bin, "guest-g6-counter"),
        Build::new("guest-spin1", "", Target::Wasip2, Output::Bin, "guest-spin1"),
        // WASI 0.3 commands (wit-bindgen's async support), exporting wasi:cli/run@0.3.0.
        Build::new("guest-spin3", "", Target::Wasip2, Output::Lib, "guest-spin3"),
        // Labelled imports (`import team-a: wasi:keyvalue/store@0.2.0-draft;`): componentized
        // here, since rustc's wasip2 linker cannot read them yet (its wit-component is older).
        Build::new("guest-g5-labelled", "", Target::Unknown, Output::Lib, "guest-g5-labelled"),
        // And wasmCloud 2's keyvalue-implements-p3 shape: a labelled async store beside
        // unlabelled atomics, cas and batch; no WASI, so also built as `Unknown`.
        Build::new("guest-wasmcloud2-labelled", "", Target::Unknown, Output::Lib, "guest-wasmcloud2-labelled"),
        Build::new("guest-wasmcloud2", "", Target::Wasip2, Output::Lib, "guest-wasmcloud2"),
        // wasmCloud 2's async watcher, no WASI: `notify --host wasmcloud` calls it.
        Build::new("guest-wasmcloud2-watch", "", Target::Unknown, Output::Lib, "guest-wasmcloud2-watch"),
        // A WASI 0.2 command calling Spin 4's async key-value synchronously: the evidence
        // that a synchronous caller cannot wait on an async-only host.
        Build::new("guest-spin3-sync-caller", "", Target::Wasip2, Output::Bin, "guest-spin3-sync-caller"),
        Build::new("guest-g5-http-client", "", Target::Wasip2, Output::Bin, "guest-g5-http-client"),
        Build::new("guest-g2-cas-loop", "", Target::Unknown, Output::Lib, "guest-g2-cas-loop"),
        // One source, one build per generation: the guest side of tests/differential.rs.
        Build::new("guest-fuzz", "g1", Target::Unknown, Output::Lib, "guest-g1-fuzz"),
        Build::new("guest-fuzz", "g2", Target::Unknown, Output::Lib, "guest-g2-fuzz"),
        Build::new("guest-fuzz", "g3", Target::Unknown, Output::Lib, "guest-g3-fuzz"),
        Build::new("guest-fuzz", "g4", Target::Unknown, Output::Lib, "guest-g4-fuzz"),
        Build::new("guest-fuzz", "g5", Target::Unknown, Output::Lib, "guest-g5-fuzz"),
        Build::new("guest-fuzz", "g6", Target::Unknown, Output::Lib, "guest-g6-fuzz"),
        Build::new("guest-bounds", "g2", Target::Unknown, Output::Lib, "guest-g2-bounds"),
        Build::new("guest-bounds", "g3", Target::Unknown, Output::Lib, "guest-g3-bounds"),
        Build::new("guest-bounds", "g4", Target::Unknown, Output::Lib, "guest-g4-bounds"),
        Build::new("guest-bounds", "g5", Target::Unknown, Output::Lib, "guest-g5-bounds"),
        Build::new("guest-bounds", "g6", Target::Unknown, Output::Lib, "guest-g6-bounds"),
        Build::new("guest-g5-crash-writer", "", Target::Wasip2, Output::Bin, "guest-g5-crash-writer"),
        Build::new("guest-g2-http-actor", "", Target::Wasip1Reactor, Output::Lib, "guest-g2-http-actor"),
        Build::new("guest-g2-http-actor", "async-bodies", Target::Wasip1Reactor, Output::Lib, "guest-g2-http-actor-async-bodies"),
        Build::new("guest-g2-http-rc-2023-11-10", "", Target::Unknown, Output::Lib, "guest-g2-http-rc-2023-11-10"),
        Build::new("guest-g2-sockets-rc-2023-11-10", "", Target::Unknown, Output::Lib, "guest-g2-sockets-rc-2023-11-10"),
        Build::new("guest-http-async-bodies", "g3", Target::Unknown, Output::Lib, "guest-g3-http-async-bodies"),
        Build::new("guest-http-async-bodies", "g4", Target::Unknown, Output::Lib, "guest-g4-http-async-bodies"),
        Build::new("guest-g2-async-bodies", "", Target::Wasip1Command, Output::Bin, "guest-g2-async-bodies"),
        Build::new("guest-watch", "g1", Target::Unknown, Output::Lib, "guest-g1-watch"),
        Build::new("guest-watch", "g2", Target::Unknown, Output::Lib, "guest-g2-watch"),
        Build::new("guest-watch", "g3", Target::Unknown, Output::Lib, "guest-g3-watch"),
        Build::new("guest-watch", "g4", Target::Unknown, Output::Lib, "guest-g4-watch"),
        Build::new("guest-watch", "g5", Target::Unknown, Output::Lib, "guest-g5-watch"),
        Build::new("guest-watch", "g6", Target::Unknown, Output::Lib, "guest-g6-watch"),
        // Not shipped: a store whose `delete` removes nothing, for `kv-adapt conformance` to fail.
        Build::new("store-fs", "g5,deliberately-broken", Target::Wasip2, Output::Lib, "store-g5-broken"),
    ]
}

/// The workspace of the guests built with Spin's own SDK: spin-sdk 5.2.0 pins a `wasi`
/// crate that cannot share `wasm/Cargo.lock` with the wasmCloud guest's.
pub const SPIN_WORKSPACE: &str = "wasm/spin/Cargo.toml";

/// Test guests built with spin-sdk 5.2.0 in [`SPIN_WORKSPACE`], importing Spin's own
/// `fermyon:spin/key-value@2.0.0`, or Spin's `wasi:keyvalue@0.2.0-draft2`, through
/// spin-sdk's bindings; and one with spin-sdk 7.0.0, importing Spin 4's
/// `spin:key-value@3.0.0`.
pub fn spin_guests() -> Vec<Build> {
    vec![
        Build::new("guest-spin-kv", "", Target::Wasip2, Output::Bin, "guest-spin-kv"),
        Build::new("guest-spin-draft2", "", Target::Wasip2, Output::Bin, "guest-spin-draft2"),
        Build::new("guest-spin-http", "", Target::Wasip2, Output::Lib, "guest-spin-http"),
        // spin-sdk 7.0.0 (Spin 4): spin:key-value@3.0.0, a WASI 0.3 command.
        Build::new("guest-spin7-kv", "", Target::Wasip2, Output::Lib, "guest-spin7-kv"),
        Build::new("guest-spin7-http", "", Target::Wasip2, Output::Lib, "guest-spin7-http"),
    ]
}

/// Features of `wasm/rc-shims`, each embedded as `RC_SHIM_<FEATURE>`.
const RC_SHIMS: &[&str] = &["http-request-options", "http-future-trailers", "sockets-tcp", "sockets-udp"];

/// Conformance guests embedded in the binary (`CONFORMANCE_G5`, ...), built among the test guests.
const CONFORMANCE_SHIPPED: &[&str] = &["g5", "g6"];

/// Counter encodings, in the order of `kv-adapt:components/config.counter-encoding`.
const COUNTER_ENCODINGS: &[&str] = &["decimal", "le64", "be64"];

/// What `rebuild-shipped` writes, for `src/artifacts.rs` (`shipped/artifacts.rs`) and for a
/// person (`shipped/manifest.tsv`), beside the components themselves.
pub struct Shipped {
    /// Rust source: the tables and constants of the shipped components.
    pub tables: String,
    /// One line per component: file, kind, guest and host generation, flavour, size, SHA-256.
    pub manifest: String,
}

/// Builds every shipped component into `out` (`<artifact>.wasm`), with the nested cargo
/// working in `wasm_target`.
pub fn build_shipped(root: &Path, wasm_target: &Path, out: &Path) -> Result<Shipped> {
    std::fs::create_dir_all(out)?;
    let mut manifest = String::from("# file\tkind\tguest\thost\tflavour\tbytes\tsha256\n");
    let mut note = |file: &Path, kind: &str, guest: &str, host: &str, flavour: &str| -> Result<()> {
        let bytes = std::fs::read(file)?;
        let name = file.file_name().and_then(|n| n.to_str()).context("a shipped file name")?;
        writeln!(manifest, "{name}\t{kind}\t{guest}\t{host}\t{flavour}\t{}\t{}", bytes.len(), sha256_hex(&bytes))?;
        Ok(())
    };
    let include = |file: &Path| format!("include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/shipped/{}\"))", file.file_name().unwrap().to_string_lossy());
    let mut rows = String::from("// Written by `cargo run -p kv-adapt-wasm-build --bin rebuild-shipped`, with the components\n// beside it; `--check` (in .ci/run) fails when a fresh build differs. Do not edit.\n\npub const ADAPTERS: &[Adapter] = &[\n");
    for (build, source, target, flavour, groups, batch) in adapters() {
        let file = built(root, &build, wasm_target, out)?;
        exports_renamed(source, &file)?;
        let has = |g: &str| groups.contains(&g);
        let (bodies, words) = match flavour {
            Flavour::HostIo => ("Bodies::Host".to_string(), "host-io".to_string()),
            // G1's streams are an interface of its own, which its adapter always serves.
            Flavour::AdapterIo if source == "g1" => ("Bodies::Adapter".to_string(), "g1-streams".to_string()),
            Flavour::AdapterIo => ("Bodies::Adapter".to_string(), "adapter-io".to_string()),
            Flavour::WrappingIo => (
                format!("Bodies::Wrapping(Wrapped {{ stdio: {}, clock: {}, files: {} }})", has("stdio"), has("clock"), has("files")),
                format!("wrapping-{}", groups.join("-")),
            ),
        };
        writeln!(rows, "    Adapter {{ source: Generation::{}, target: Generation::{}, bodies: {bodies}, batch: {batch}, bytes: {} }},", variant(source), variant(target), include(&file))?;
        let words = if batch { words } else { format!("{words}, no-batch") };
        note(&file, "adapter", source, target, &words)?;
    }
    let resolve = resolve(&root.join("wit"))?;
    rows.push_str("];\npub const FUSED: &[Fused] = &[\n");
    for (front, back, io, forward) in FUSED_PAIRS
        .iter()
        .map(|(f, b)| (*f, *b, false, false))
        .chain(FUSED_IO_PAIRS.iter().map(|(f, b)| (*f, *b, true, false)))
        .chain(FUSED_FORWARD_PAIRS.iter().map(|(f, b)| (*f, *b, true, true)))
    {
        let bytes = fused_adapter(root, front, back, io, forward, wasm_target, &resolve)?;
        let (suffix, words) = match (io, forward) {
            (true, true) => ("-io-wasi", "forwarding"),
            (true, false) => ("-io", "adapter-io"),
            (false, _) => ("", "host-io"),
        };
        let file = out.join(format!("fused-{front}-on-{back}{suffix}.wasm"));
        std::fs::write(&file, bytes)?;
        writeln!(rows, "    Fused {{ source: Generation::{}, target: Generation::{}, io: {io}, forward: {forward}, bytes: {} }},", variant(front), variant(back), include(&file))?;
        note(&file, "fused", front, back, words)?;
    }
    rows.push_str("];\npub const BRIDGES: &[Bridge] = &[\n");
    for (build, source, target) in bridges() {
        let file = built(root, &build, wasm_target, out)?;
        writeln!(rows, "    Bridge {{ source: Generation::{}, target: Generation::{}, bytes: {} }},", variant(source), variant(target), include(&file))?;
        note(&file, "watch-bridge", source, target, "")?;
    }
    rows.push_str("];\npub const STORES: &[Store] = &[\n");
    for (build, target) in stores() {
        let file = built(root, &build, wasm_target, out)?;
        writeln!(rows, "    Store {{ target: Generation::{}, bytes: {} }},", variant(target), include(&file))?;
        note(&file, "store", "", target, "")?;
    }
    rows.push_str("];\n");
    let mut push_const = |artifact: &str, file: &Path| {
        let name = artifact.to_uppercase().replace('-', "_");
        writeln!(rows, "pub const {name}: &[u8] = {};", include(file)).expect("writing to a String cannot fail");
    };
    // The WASI rc-2023-11-10 shims (`src/link/wasi_shim.rs`), one per group of changed functions.
    for group in RC_SHIMS {
        let build = Build::new("rc-shims", group, Target::Unknown, Output::Lib, &format!("rc-shim-{group}"));
        let file = built(root, &build, wasm_target, out)?;
        push_const(&build.artifact, &file);
        note(&file, "rc-shim", "", "", group)?;
    }
    // Upstream G6's batch served key by key over Spin's store (`src/link/spin.rs`).
    let build = Build::new("batch-by-key", "", Target::Unknown, Output::Lib, "batch-g6-on-spin-draft2");
    let file = built(root, &build, wasm_target, out)?;
    push_const(&build.artifact, &file);
    note(&file, "batch-shim", "g6", "spin-draft2", "key-by-key")?;
    // The conformance guests ship too: `kv-adapt conformance` runs them against any store.
    for generation in CONFORMANCE_SHIPPED {
        let build = Build::new("guest-store-conformance", generation, Target::Unknown, Output::Lib, &format!("conformance-{generation}"));
        let file = built(root, &build, wasm_target, out)?;
        push_const(&build.artifact, &file);
        note(&file, "conformance-guest", generation, "", "")?;
    }
    for (discriminant, name) in COUNTER_ENCODINGS.iter().enumerate() {
        for (strict, strict_suffix) in [(false, ""), (true, "-strict")] {
            for (reporting, reporting_suffix) in [(false, ""), (true, "-reporting")] {
                let artifact = format!("config-{name}{strict_suffix}{reporting_suffix}");
                let file = out.join(format!("{artifact}.wasm"));
                std::fs::write(&file, config_component(&resolve, discriminant as u32, strict, reporting)?)?;
                push_const(&artifact, &file);
                note(&file, "config", "", "", &artifact["config-".len()..])?;
            }
        }
    }
    // The bundled example of the README's quick start, which a user runs without a wasm
    // target; the tests build it from source (test-programs) and run that.
    let file = out.join("g2-visit-counter.wasm");
    std::fs::write(&file, example(root, wasm_target)?)?;
    note(&file, "example", "g2", "", "")?;
    Ok(Shipped { tables: rows, manifest })
}

/// The bundled late-2023 example, `examples/g2-visit-counter`.
pub fn example(root: &Path, wasm_target: &Path) -> Result<Vec<u8>> {
    let example = Build::new("g2-visit-counter", "", Target::Unknown, Output::Lib, "g2-visit-counter");
    build_component(&root.join("examples/g2-visit-counter/Cargo.toml"), &example, wasm_target)
}

/// Builds `build` from the wasm workspace and writes the component to `dir`.
pub fn built(root: &Path, build: &Build, wasm_target: &Path, dir: &Path) -> Result<PathBuf> {
    built_in(root, "wasm/Cargo.toml", build, wasm_target, dir)
}

/// [`built`] from the workspace `manifest` (relative to the checkout).
pub fn built_in(root: &Path, manifest: &str, build: &Build, wasm_target: &Path, dir: &Path) -> Result<PathBuf> {
    let bytes = build_component(&root.join(manifest), build, wasm_target)?;
    let file = dir.join(format!("{}.wasm", build.artifact));
    std::fs::write(&file, bytes)?;
    Ok(file)
}


pub fn build_component(manifest: &Path, build: &Build, target_dir: &Path) -> Result<Vec<u8>> {
    let wasm = cargo_build(manifest, build, target_dir, &[])?;
    let bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    match build.target {
        Target::Wasip2 => Ok(bytes),
        Target::Wasip1Reactor | Target::Wasip1Command => {
            let era = build.target.era_adapter().expect("a preview1 target has an era adapter");
            let adapter = era_adapter(target_dir, era).with_context(|| era.why_missing())?;
            ComponentEncoder::default()
                .module(&bytes)
                .and_then(|e| e.adapter("wasi_snapshot_preview1", &adapter))
                .and_then(|e| e.validate(true).encode())
                .with_context(|| format!("componentizing {} with the late-2023 preview1 {} adapter", wasm.display(), era.kind))
        }
        Target::Unknown => ComponentEncoder::default()
            .module(&bytes)
            .and_then(|e| e.validate(true).encode())
            .and_then(|c| without_component_names(&c))
            .with_context(|| format!("componentizing {}", wasm.display())),
    }
}

/// The fused adapter of `front` on `back`: linked against imported memory with relocation
/// records kept, made data-free by `relocate`, and given the metadata of the world it
/// really has (the host's interfaces in, diagnostics out), since its key-value functions
/// are core exports the guest's module calls rather than component exports.
fn fused_adapter(
    root: &Path,
    front: &str,
    back: &str,
    io: bool,
    forward: bool,
    wasm_target: &Path,
    (resolve, ours): &(Resolve, PackageId),
) -> Result<Vec<u8>> {
    let (features, artifact) = match (io, forward) {
        (true, true) => (format!("front-{front},back-{back},fused,io,forward"), format!("fused-{front}-on-{back}-io-wasi")),
        (true, false) => (format!("front-{front},back-{back},fused,io"), format!("fused-{front}-on-{back}-io")),
        (false, _) => (format!("front-{front},back-{back},fused"), format!("fused-{front}-on-{back}")),
    };
    let build = Build::new("adapter", &features, Target::Unknown, Output::Lib, &artifact);
    // Its own target dir: other link flags would otherwise rebuild the composed adapters.
    let flags = ["-Clink-arg=--import-memory", "-Clink-arg=--emit-relocs", "-Clink-arg=-zstack-size=0"].join("\x1f");
    // Not stripped: wit-component finds `__stack_pointer` by name (relocate::verify checks).
    let env = [("CARGO_ENCODED_RUSTFLAGS", flags.as_str()), ("CARGO_PROFILE_RELEASE_STRIP", "false")];
    let wasm = cargo_build(&root.join("wasm/Cargo.toml"), &build, &wasm_target.join("fused"), &env)?;
    let linked = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let mut module = relocate::adapter_module(&linked).with_context(|| format!("making {} an adapter module", build.artifact))?;
    if forward && front == "g2" {
        // The G2 front names its streams at rc-2023-11-10; this flavour is fused only into a
        // guest moved to 0.2.0, where they are the 0.2.0 streams it forwards to.
        let rc_io = |m: &str| m.strip_suffix("@0.2.0-rc-2023-11-10").filter(|i| i.starts_with("wasi:io/")).map(|i| format!("{i}@0.2.0"));
        module = relocate::merged_imports(&module, rc_io).with_context(|| format!("moving {}'s wasi:io to 0.2.0", build.artifact))?;
    }
    let wasi = if forward { "-wasi" } else { "" };
    let world = resolve.select_world(&[*ours], Some(&format!("fused-{front}-on-{back}{wasi}")))?;
    wit_component::embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8)?;
    Ok(module)
}

/// What the outer build sets for the host that a nested cargo must not inherit.
const NOT_FOR_NESTED_CARGO: [&str; 9] = [
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
];

/// Where every nested build sees the checkout, whichever directory it is in. wit-bindgen
/// writes the absolute path of each WIT file it reads into the code it generates (a
/// `const _ = include_bytes!(…)` so that rustc tracks them), and a different path there
/// gives a differently ordered module, whatever `--remap-path-prefix` says; measured: the
/// same adapter built from two checkouts differed in 7 bytes, and built through this one
/// path from both it was the same. A symbolic link, taken under a lock, so that two
/// checkouts building at once take turns.
const FIXED_ROOT: &str = "/tmp/kv-adapt-build-root";

/// The checkout this crate sits in.
fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("wasm-build sits in the checkout")
}

/// Holds [`FIXED_ROOT`] pointing at this checkout until dropped.
struct FixedRoot {
    _lock: std::fs::File,
}

impl FixedRoot {
    fn take() -> Result<FixedRoot> {
        let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(format!("{FIXED_ROOT}.lock"))?;
        lock.lock().context("locking the fixed build path")?;
        let link = Path::new(FIXED_ROOT);
        if std::fs::read_link(link).ok().as_deref() != Some(checkout()) {
            match std::fs::remove_file(link) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {FIXED_ROOT}")),
            }
            std::os::unix::fs::symlink(checkout(), link).with_context(|| format!("linking {FIXED_ROOT} to {}", checkout().display()))?;
        }
        Ok(FixedRoot { _lock: lock })
    }
}

/// The cargo home and `target_dir`, each mapped to a name that is the same on every
/// machine, and the fixed checkout path too, as `CARGO_ENCODED_RUSTFLAGS`: panic locations
/// name them. The most specific comes last, since rustc applies the last prefix that matches.
fn remapped_paths(target_dir: &Path) -> String {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut maps = vec![format!("--remap-path-prefix={FIXED_ROOT}=/kv-adapt")];
    if let Some(home) = home {
        maps.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    maps.push(format!("--remap-path-prefix={}=/target", target_dir.display()));
    maps.join("\x1f")
}

/// Runs cargo for `build` and gives the path of the core module or component it wrote.
pub fn cargo_build(manifest: &Path, build: &Build, target_dir: &Path, env: &[(&str, &str)]) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let fixed = FixedRoot::take()?;
    let manifest = match manifest.strip_prefix(checkout()) {
        Ok(inside) => Path::new(FIXED_ROOT).join(inside),
        Err(_) => manifest.to_path_buf(),
    };
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target")
        .arg(build.target.triple())
        .arg("--target-dir")
        .arg(target_dir)
        .arg("-p")
        .arg(build.package);
    if !build.features.is_empty() {
        cmd.arg("--no-default-features").arg("--features").arg(&build.features);
    }
    // The outer build's flags and jobserver are for the host; they must not leak into a
    // wasm build (wasmtime's artifacts build strips the same ones).
    for var in NOT_FOR_NESTED_CARGO {
        cmd.env_remove(var);
    }
    // Paths of this checkout, of the registry and of the target dir are compiled into panic
    // locations; mapped to fixed names, another checkout builds the same bytes.
    let mut flags = remapped_paths(target_dir);
    for (k, v) in env {
        match *k {
            "CARGO_ENCODED_RUSTFLAGS" => flags = format!("{v}\x1f{flags}"),
            _ => {
                cmd.env(k, v);
            }
        }
    }
    cmd.env("CARGO_ENCODED_RUSTFLAGS", flags);
    let status = cmd.status().with_context(|| format!("running cargo for {}", build.package))?;
    drop(fixed);
    if !status.success() {
        bail!(
            "building {} ({}) for {} failed; is the target installed? \
             `rustup target add wasm32-unknown-unknown wasm32-wasip1 wasm32-wasip2`",
            build.package,
            build.features,
            build.target.triple()
        );
    }
    let file = match build.output {
        Output::Lib => build.package.replace('-', "_"),
        Output::Bin => build.package.to_string(),
    };
    Ok(target_dir.join(build.target.triple()).join("release").join(format!("{file}.wasm")))
}

/// Drops the top-level `component-name` custom section: debug names only, yet about 8 KB of
/// an adapter. Nested modules keep theirs, so wasmtime's traps still name functions.
fn without_component_names(component: &[u8]) -> Result<Vec<u8>> {
    use wasmparser::{Chunk, Parser, Payload};
    let mut out = wasm_encoder::Component::new();
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let Chunk::Parsed { consumed, payload } = parser.parse(&component[offset..], true)? else {
            bail!("truncated component");
        };
        let start = offset;
        offset += consumed;
        match payload {
            Payload::Version { .. } => {}
            Payload::End(_) => break,
            Payload::CustomSection(c) if c.name() == "component-name" => {}
            Payload::ModuleSection { unchecked_range, .. } | Payload::ComponentSection { unchecked_range, .. } => {
                let end = unchecked_range.end as usize;
                out.section(&wasm_encoder::RawSection { id: component[start], data: &component[unchecked_range.start as usize..end] });
                offset = end;
            }
            other => {
                let (id, range) = other.as_section().context("unrecognised top-level payload")?;
                out.section(&wasm_encoder::RawSection { id, data: &component[range.start as usize..range.end as usize] });
            }
        }
    }
    let bytes = out.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all()).validate_all(&bytes)?;
    Ok(bytes)
}

/// The preview1 adapters of wasmtime 15 (`wasi:*@0.2.0-rc-2023-11-10`), which late-2023
/// toolchains linked into std guests. No crate of that time ships them
/// (wasmcloud-component-adapters 0.6 downloads them from a release page when built); the
/// npm package of jco 0.14.1 carries the very files, so they come from that registry
/// package (fetched once for both), each checked against its digest, never committed here.
const ERA_PACKAGE: &str = "@bytecodealliance/jco@0.14.1";
/// The name `npm pack` gives [`ERA_PACKAGE`]'s tarball.
const ERA_TARBALL: &str = "bytecodealliance-jco-0.14.1.tgz";

pub struct EraAdapter {
    /// `reactor` or `command`.
    kind: &'static str,
    sha256: &'static str,
}

const ERA_REACTOR: EraAdapter =
    EraAdapter { kind: "reactor", sha256: "58fbb4032daff2f6cf9362e6902d88eb7f44a1977cb929bf7ec7c57fe2504175" };

const ERA_COMMAND: EraAdapter =
    EraAdapter { kind: "command", sha256: "99982a557fa5c9e7fa22b34c7b2fed5c948423657206f5906a7ddc36a40b481c" };

impl EraAdapter {
    /// Its path inside the package's tarball.
    fn file(&self) -> String {
        format!("package/lib/wasi_snapshot_preview1.{}.wasm", self.kind)
    }

    pub fn why_missing(&self) -> String {
        format!(
            "the late-2023 preview1 {} adapter comes from the npm package {ERA_PACKAGE}; install npm \
             (`apt-get install npm`) so that the build can fetch it",
            self.kind
        )
    }
}

/// One of the era's adapters, kept in `wasm_target/era-adapters`; the package is fetched
/// the first time either is needed. `None` when npm is missing or the package cannot be had.
pub fn era_adapter(wasm_target: &Path, era: &EraAdapter) -> Option<Vec<u8>> {
    let dir = wasm_target.join("era-adapters");
    let inside = era.file();
    let file = dir.join(Path::new(&inside).file_name()?);
    let verified = |bytes: Vec<u8>| (sha256_hex(&bytes) == era.sha256).then_some(bytes);
    if let Some(bytes) = std::fs::read(&file).ok().and_then(verified) {
        return Some(bytes);
    }
    std::fs::create_dir_all(&dir).ok()?;
    let tarball = dir.join(ERA_TARBALL);
    if !tarball.exists() {
        Command::new("npm")
            .args(["pack", "--silent", ERA_PACKAGE, "--pack-destination"])
            .arg(&dir)
            .output()
            .ok()
            .filter(|o| o.status.success())?;
    }
    let extracted = Command::new("tar").arg("-xzf").arg(&tarball).arg("-C").arg(&dir).arg(&inside).status();
    let bytes = extracted
        .ok()
        .filter(|status| status.success())
        .and_then(|_| std::fs::read(dir.join(&inside)).ok())
        .and_then(verified);
    if bytes.is_none() {
        // A damaged download is fetched again next time rather than kept.
        let _ = std::fs::remove_file(&tarball);
    }
    let bytes = bytes?;
    std::fs::write(&file, &bytes).ok()?;
    Some(bytes)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// All our WIT: `wit/kv-adapt` with every generation under its `deps/`, and the id of
/// `kv-adapt:components`.
fn resolve(wit: &Path) -> Result<(Resolve, PackageId)> {
    let mut resolve = Resolve::default();
    let (ours, _) = resolve.push_path(wit.join("kv-adapt"))?;
    Ok((resolve, ours))
}

/// A component exporting `kv-adapt:components/config`: `encoding` returns the enum case
/// `discriminant`, `strict-atomics` returns `strict`, `buckets` renames none, and
/// `record-error` drops the trace or, when `reporting`, hands it to the imported
/// `error-sink`. Written as a small core module (`config_module.rs`, shared with kv-adapt,
/// which writes the configs with a `--bucket` mapping): building a crate per setting would
/// cost a compile each for two constants.
fn config_component((resolve, ours): &(Resolve, PackageId), discriminant: u32, strict: bool, reporting: bool) -> Result<Vec<u8>> {
    let world = resolve.select_world(&[*ours], Some(if reporting { "config-provider-reporting" } else { "config-provider" }))?;
    let settings = config_module::ConfigSettings { encoding: discriminant, strict_atomics: strict, reporting, buckets: &[] };
    let mut module = wat::parse_str(config_module::config_module_wat(&settings))?;
    wit_component::embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8)?;
    ComponentEncoder::default().module(&module)?.validate(true).encode()
}

/// Guests of spring 2023 in `wasm/era` (its own workspace, pinned to wit-bindgen 0.4.0),
/// each written to the test components as `<name>.wasm` exactly as wit-component 0.7.4 left
/// it: binary version 0x0c, for `tests/upgrade.rs`. (package, artifact)
pub const ERA_GUESTS: &[(&str, &str)] = &[("era-guest-g1-watch", "guest-g1-watch-2023")];

/// Builds the era guest `package` and componentizes it with `era-componentize`, the era's
/// wit-component as a host command: today's crates cannot write 0x0c, and the old ones
/// cannot share the build script's dependency graph (wasmparser 0.102 beside 0.258).
pub fn era_component(root: &Path, (package, artifact): &(&'static str, &str), wasm_target: &Path, dir: &Path) -> Result<PathBuf> {
    let manifest = root.join("wasm/era/Cargo.toml");
    let target_dir = wasm_target.join("era");
    let build = Build::new(package, "", Target::Unknown, Output::Lib, artifact);
    let module = cargo_build(&manifest, &build, &target_dir, &[])?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut tool = Command::new(cargo);
    tool.args(["run", "--release", "--quiet", "-p", "era-componentize", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .arg("--")
        .arg(&module);
    for var in NOT_FOR_NESTED_CARGO {
        tool.env_remove(var);
    }
    let file = dir.join(format!("{artifact}.wasm"));
    let status = tool.arg(&file).status().context("running cargo for era-componentize")?;
    if !status.success() {
        bail!("componentizing {} with wit-component 0.7.4 (wasm/era/componentize) failed", module.display());
    }
    Ok(file)
}
