//! The components kv-adapt ships, built from `wasm/` by build.rs and embedded here. Each is
//! described by data (generations, flavour) so that choosing one is a table lookup and new
//! generations add rows, not code.

use crate::generation::Generation;
use kv_adapt_convert::counter::Encoding as CounterEncoding;

// Written by build.rs from the same table that drives the builds: `ADAPTERS`, `STORES` and
// the `CONFIG_*` components.
include!("../shipped/artifacts.rs");

/// Who serves the wasi:io streams that a legacy generation's value bodies use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bodies {
    /// The adapter exports wasi:io itself and serves async bodies from memory; chosen when the
    /// guest uses wasi:io for nothing else.
    Adapter,
    /// wasi:io comes from the host; async body calls return an error saying why.
    Host,
    /// As `Adapter`, and the adapter also wraps these groups of the host's WASI into that
    /// wasi:io (G3/G4): for guests that use both async bodies and the host's streams, such
    /// as Rust std programs for wasm32-wasip2. It imports only the groups listed.
    Wrapping(Wrapped),
}

/// Groups of the host's WASI a wrapping adapter wraps (and so imports).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Wrapped {
    /// `wasi:cli/{stdin,stdout,stderr}`.
    pub stdio: bool,
    /// `wasi:clocks/monotonic-clock`.
    pub clock: bool,
    /// `wasi:filesystem/{types,preopens}`.
    pub files: bool,
}

impl Wrapped {
    /// Every group in either.
    pub fn union(self, other: Wrapped) -> Wrapped {
        Wrapped { stdio: self.stdio || other.stdio, clock: self.clock || other.clock, files: self.files || other.files }
    }

    pub fn is_empty(self) -> bool {
        self == Wrapped::default()
    }

    /// The groups by name, e.g. `stdio-files`, as adapter file names carry them.
    pub fn names(self) -> String {
        let mut names = Vec::new();
        for (on, name) in [(self.stdio, "stdio"), (self.clock, "clock"), (self.files, "files")] {
            if on {
                names.push(name);
            }
        }
        names.join("-")
    }
}

impl Bodies {
    pub fn name(self) -> &'static str {
        match self {
            Bodies::Adapter => "adapter-io",
            Bodies::Host => "host-io",
            Bodies::Wrapping(_) => "adapter-io, wrapping host WASI",
        }
    }
}

pub struct Adapter {
    pub source: Generation,
    pub target: Generation,
    pub bodies: Bodies,
    /// Whether it serves the guest's `batch` (and so imports the host's). The builds without
    /// (`-no-batch`, G5 and G6 guests) are for guests that import no `batch`: their plug then
    /// imports none from the host, which may not serve it, or serve its own (Spin).
    pub batch: bool,
    /// The adapter before a config component is plugged into it.
    pub bytes: &'static [u8],
}

impl Adapter {
    /// File name stem, e.g. `adapter-g2-on-g5-io`: `-io` when the adapter exports the
    /// wasi:io its generation's bodies use, `-io-wasi-<groups>` when it also wraps groups
    /// of the host's WASI (e.g. `adapter-g3-on-g5-io-wasi-stdio-files`). G1's adapter serves G1's own streams, not
    /// wasi:io, so its one flavour has no `-io`.
    pub fn name(&self) -> String {
        let io = match self.bodies {
            Bodies::Adapter if self.source.body_io().is_some() => "-io".to_string(),
            Bodies::Adapter | Bodies::Host => String::new(),
            Bodies::Wrapping(groups) => format!("-io-wasi-{}", groups.names()),
        };
        let batch = if self.batch { "" } else { "-no-batch" };
        format!("adapter-{}-on-{}{io}{batch}", self.source.id().to_lowercase(), self.target.id().to_lowercase())
    }
}

/// Generations a guest can be adapted from, for error messages.
pub const SUPPORTED_SOURCES: &str =
    "G1 (2023-02), G2 (2023-11), G3 (0.1.0), G4 (0.2.0-draft eventual), G5 (0.2.0-draft, onto G2, G3, G4, G6), G6 (0.2.0-draft2, onto G2, G3, G4, G5), spin2 (Spin's fermyon:spin/key-value@2.0.0, onto G2 to G6), spin1 (Spin 1.x's unversioned fermyon:spin/key-value, onto G2 to G6), spin-draft2 (Spin's own wasi:keyvalue@0.2.0-draft2, onto G2 to G6), spin3 (Spin 4's spin:key-value@3.0.0, onto G2 to G6 and wasmcloud2), wasmcloud2 (wasmCloud 2's wasmcloud:keyvalue@0.2.0, onto G2 to G6 and spin3)";

/// Host generations `run` can serve (through the filesystem store), for error messages.
pub const BUILT_IN_HOSTS: &str =
    "G2, G3, G4 (strict hosts), G5 (draft), G6 (draft2) (the filesystem store), spin (Spin's draft2, fermyon:spin/key-value and Spin 4's spin:key-value@3.0.0), wasmcloud (G5 and wasmCloud 2's wasmcloud:keyvalue@0.2.0)";

/// The part that serves upstream G6's `batch` key by key over a host's G6 `store`
/// (`wasm/batch-by-key`): what a plug onto Spin, whose `batch` has another type, uses in
/// place of the host's.
pub const BATCH_BY_KEY_NAME: &str = "batch-g6-on-spin-draft2";

/// The bytes of [`BATCH_BY_KEY_NAME`].
pub fn batch_by_key() -> &'static [u8] {
    BATCH_G6_ON_SPIN_DRAFT2
}

/// The adapter of that flavour that serves `batch`.
pub fn adapter(source: Generation, target: Generation, bodies: Bodies) -> Option<&'static Adapter> {
    adapter_for(source, target, bodies, true)
}

/// The adapter for a guest that does (`guest_batch`) or does not import its generation's
/// `batch`: for one that does not, the build without `batch` where there is one, so that
/// the plug imports no `batch` from the host; otherwise the one that serves it.
pub fn adapter_for(source: Generation, target: Generation, bodies: Bodies, guest_batch: bool) -> Option<&'static Adapter> {
    let with = |batch: bool| ADAPTERS.iter().find(|a| a.source == source && a.target == target && a.bodies == bodies && a.batch == batch);
    (!guest_batch).then(|| with(false)).flatten().or_else(|| with(true))
}

pub fn adapters_from(source: Generation) -> impl Iterator<Item = &'static Adapter> {
    ADAPTERS.iter().filter(move |a| a.source == source)
}

/// A fused adapter: a core module that wit-component links inside a `source` guest's own
/// component (`crate::link::fuse`), importing `target` from the host.
pub struct Fused {
    pub source: Generation,
    pub target: Generation,
    /// Also serves value-body streams from memory: the guest's wasi:io is linked to it too.
    pub io: bool,
    /// With `io`: every stream, pollable and error the adapter did not issue is the host's,
    /// and its calls go to the host's wasi:io@0.2.0 (the fused form of the wrapping
    /// flavours, for guests that also use the host's WASI).
    pub forward: bool,
    pub bytes: &'static [u8],
}

impl Fused {
    /// File name stem, e.g. `fused-g2-on-g5`, `fused-g3-on-g5-io` or `fused-g3-on-g5-io-wasi`.
    pub fn name(&self) -> String {
        let suffix = match (self.io, self.forward) {
            (true, true) => "-io-wasi",
            (true, false) => "-io",
            (false, _) => "",
        };
        format!("fused-{}-on-{}{suffix}", self.source.id().to_lowercase(), self.target.id().to_lowercase())
    }
}

/// The fused adapter of `source` on `target`, with value-body streams when `io`.
pub fn fused(source: Generation, target: Generation, io: bool) -> Option<&'static Fused> {
    FUSED.iter().find(|f| f.source == source && f.target == target && f.io == io && !f.forward)
}

/// The fused adapter of `source` on `target` that serves value bodies and forwards every
/// other stream to the host's wasi:io.
pub fn fused_forwarding(source: Generation, target: Generation) -> Option<&'static Fused> {
    FUSED.iter().find(|f| f.source == source && f.target == target && f.forward)
}

/// A watch bridge: serves a `source` guest's `handle-watch` export to a `target` host as
/// `watcher`, with handles made by the guest's adapter (`wit/kv-adapt/watch.wit`).
pub struct Bridge {
    pub source: Generation,
    pub target: Generation,
    pub bytes: &'static [u8],
}

impl Bridge {
    /// File name stem, e.g. `watch-g2-on-g5`.
    pub fn name(&self) -> String {
        format!("watch-{}-on-{}", self.source.id().to_lowercase(), self.target.id().to_lowercase())
    }
}

pub fn bridge(source: Generation, target: Generation) -> Option<&'static Bridge> {
    BRIDGES.iter().find(|b| b.source == source && b.target == target)
}

pub struct Store {
    pub target: Generation,
    pub bytes: &'static [u8],
}

impl Store {
    pub fn name(&self) -> String {
        format!("store-fs-{}", self.target.id().to_lowercase())
    }
}

pub fn store(target: Generation) -> Option<&'static Store> {
    STORES.iter().find(|s| s.target == target)
}

/// The component that answers `kv-adapt:components/config` with `encoding` and
/// `strict_atomics` (`--strict-atomics`); when `reporting`, it passes each error trace the
/// adapter records on to an imported [`crate::artifacts::ERROR_SINK`], else it drops them.
pub fn config(encoding: CounterEncoding, strict_atomics: bool, reporting: bool) -> &'static [u8] {
    match (encoding, strict_atomics, reporting) {
        (CounterEncoding::Decimal, false, false) => CONFIG_DECIMAL,
        (CounterEncoding::Le64, false, false) => CONFIG_LE64,
        (CounterEncoding::Be64, false, false) => CONFIG_BE64,
        (CounterEncoding::Decimal, true, false) => CONFIG_DECIMAL_STRICT,
        (CounterEncoding::Le64, true, false) => CONFIG_LE64_STRICT,
        (CounterEncoding::Be64, true, false) => CONFIG_BE64_STRICT,
        (CounterEncoding::Decimal, false, true) => CONFIG_DECIMAL_REPORTING,
        (CounterEncoding::Le64, false, true) => CONFIG_LE64_REPORTING,
        (CounterEncoding::Be64, false, true) => CONFIG_BE64_REPORTING,
        (CounterEncoding::Decimal, true, true) => CONFIG_DECIMAL_STRICT_REPORTING,
        (CounterEncoding::Le64, true, true) => CONFIG_LE64_STRICT_REPORTING,
        (CounterEncoding::Be64, true, true) => CONFIG_BE64_STRICT_REPORTING,
    }
}

/// The adapter's internal export listing the newest error traces it gave the guest.
pub const DIAGNOSTICS: &str = "kv-adapt:components/diagnostics";

/// What a composition made with [`PlugOptions::error_sink`](crate::plan::PlugOptions::error_sink) imports: kv-adapt's runners
/// serve it and keep the traces (`run::add_error_sink`).
pub const ERROR_SINK: &str = "kv-adapt:components/error-sink";
