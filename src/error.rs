//! Every way kv-adapt refuses an input, as one line a person can act on.

use crate::generation::Generation;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{name}: --bucket {bucket} renames buckets in the adapter, and the component already imports {generation}, so it gets none; open the host's bucket name in the component instead")]
    RenameWithoutAdapter { name: String, generation: Generation, bucket: String },
    #[error("cannot write the config component for --bucket: {0}")]
    Config(String),
    #[error("{0}: not a WebAssembly binary (no `\\0asm` header)")]
    NotWasm(String),
    #[error("{0}: a core WebAssembly module, not a component; componentize it first (e.g. `wasm-tools component new`)")]
    CoreModule(String),
    #[error("{name}: not a valid component: {reason}")]
    InvalidComponent { name: String, reason: String },
    #[error("{0}: a component of early 2023 (binary version 0x0c), which today's tools cannot read; `kv-adapt upgrade` converts it (inspect, plug, run and notify do so themselves)")]
    From2023(String),
    #[error("{0}: not a 2023 component (binary version 0x0c); nothing to upgrade")]
    NotA2023Component(String),
    #[error("{name}: a 2023 component (binary version 0x0c) that kv-adapt cannot upgrade: {why}")]
    CannotUpgrade { name: String, why: String },
    #[error("{0}: imports no wasi:keyvalue interface, so there is nothing to adapt")]
    NoKeyValueImports(String),
    #[error("{name}: is a part kv-adapt composes (it imports `{interface}`), not a guest; compose it beside its adapter as in compose/*.wac")]
    KvAdaptPart { name: String, interface: String },
    #[error("{name}: imports {generation}, which kv-adapt does not adapt yet (supported: {supported})")]
    UnsupportedGeneration { name: String, generation: Generation, supported: &'static str },
    #[error("{name}: imports `{interface}`, which no kv-adapt adapter serves{why}")]
    UnsupportedInterface { name: String, interface: String, why: &'static str },
    #[error("{name}: imports more than one wasi:keyvalue generation ({first} and {second}); kv-adapt adapts one at a time")]
    MixedGenerations { name: String, first: Generation, second: Generation },
    #[error("{name}: --bucket {bucket} renames buckets for one label, but the labels ({labels}) share one adapter instance with the unlabelled imports whose types they use, so a rename is for all of them; use --bucket NAME=BUCKET")]
    LabelRenameShared { name: String, bucket: String, labels: String },
    #[error("{name}: kv-adapt ships no adapter {} onto {target}", from.map(|s| format!("from {}", s.id())).unwrap_or_default())]
    NoAdapter { name: String, from: Option<Generation>, target: Generation },
    #[error("--onto {}: a {} host does not serve {}", onto.id(), host.id(), onto.package())]
    NotServed { host: Generation, onto: Generation },
    #[error("kv-adapt has no built-in {target} host to run on (built in: {built_in}); `plug` still writes components for such a host")]
    NoHost { target: Generation, built_in: &'static str },
    #[error("composition does not type-check: `{import}` of {socket} does not match what {plug} exports: {reason}")]
    TypeMismatch { socket: String, plug: String, import: String, reason: String },
    #[error("composition left `{import}` unsatisfied; the result would still need a {what} host")]
    LeftoverImport { import: String, what: &'static str },
    #[error("{name}: cannot fuse the adapter into it: {why}; `--link composed` composes it instead")]
    CannotFuse { name: String, why: String },
    #[error("{name}: cannot move `{interface}` to WASI 0.2.0: {why}; `--keep-wasi-versions` leaves every WASI name as it is")]
    CannotRename { name: String, interface: String, why: String },
    #[error("composition failed: {0}")]
    Composition(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A foreign error's text as one line: wasmparser and wac put "expected"/"found" on lines
/// of their own, but every refusal of kv-adapt's is one line.
pub fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}
