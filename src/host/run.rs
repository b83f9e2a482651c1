//! The embedded runner behind `kv-adapt run` and `diff`: wasmtime 48 with WASI 0.2, a store
//! (a directory, preopened for the store component or read by the strict hosts, or a Redis
//! server served by the embedder), and a call to the component's `wasi:cli/run` export,
//! under [`Limits`] on memory and live handles.

use anyhow::{anyhow, bail, Context};
use std::path::{Path, PathBuf};
use wasmtime::component::{Component, Instance, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::store::backend::Backend;
use crate::host::eventual::{EventualCtx, EventualView};
use crate::host::g2::{G2Host, G2View};
use crate::store::redis::{RedisStore, RedisUrl};
use crate::host::today::{TodayCtx, TodayView};
use std::sync::Arc;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use crate::generation::Generation;
use crate::plan::{Plan, PlugOptions};
use kv_adapt_convert::counter::Encoding as CounterEncoding;

/// Where the filesystem store finds its root inside the guest.
pub const STORE_GUEST_PATH: &str = "/kv-data";

/// Where a run's data lives: `--store DIR` or `--store redis://HOST:PORT[/DB]`.
#[derive(Clone, Debug)]
pub enum StoreSpec {
    Dir(PathBuf),
    Redis(RedisUrl),
}

impl StoreSpec {
    /// A `redis://` URL, or else a directory path.
    pub fn parse(text: &str) -> anyhow::Result<StoreSpec> {
        if text.starts_with("redis://") || text.starts_with("rediss://") {
            return Ok(StoreSpec::Redis(RedisUrl::parse(text).map_err(|e| anyhow!("--store {e}"))?));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            bail!("--store {text}: unknown store scheme {scheme:?}; give a directory or redis://HOST:PORT[/DB]");
        }
        Ok(StoreSpec::Dir(PathBuf::from(text)))
    }

    /// The store in words: the directory, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            StoreSpec::Dir(dir) => dir.display().to_string(),
            StoreSpec::Redis(url) => url.to_string(),
        }
    }

    /// [`StoreSpec::open`], then, on a directory, cleans up after writers killed while
    /// writing it (see `crate::store::dir::recover`), as every command that writes must first.
    pub fn open_recovered(&self) -> anyhow::Result<(Backend, crate::store::dir::Recovered)> {
        let backend = self.open()?;
        let recovered = match &backend {
            Backend::Dir(root) => crate::store::dir::recover(root).map_err(|e| anyhow!("cleaning up after killed writers: {e}"))?,
            Backend::Redis(_) => Default::default(),
        };
        Ok((backend, recovered))
    }

    /// Makes the directory, or connects to the server.
    pub fn open(&self) -> anyhow::Result<Backend> {
        match self {
            StoreSpec::Dir(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating store directory {}", dir.display()))?;
                Ok(Backend::Dir(dir.clone()))
            }
            StoreSpec::Redis(url) => Ok(Backend::Redis(Arc::new(RedisStore::connect(url).map_err(|e| anyhow!("{e}"))?))),
        }
    }
}

pub struct RunOptions {
    pub plug: PlugOptions,
    pub store: StoreSpec,
    /// Arguments the guest sees, program name first.
    pub args: Vec<String>,
    /// Environment variables and preopened directories the guest sees (`--env`, `--dir`).
    pub extras: GuestExtras,
    /// Keep the guest's stdout and stderr in [`Ran`] instead of passing them through.
    pub capture: bool,
    pub limits: Limits,
    /// Keep compiled components in this directory (wasmtime's cache), so a run of a
    /// component compiled before skips compiling it; `None` compiles every time.
    pub compile_cache: Option<PathBuf>,
}

/// What a guest sees of the machine beyond its arguments and the store: `--env K=V` and
/// `--dir HOST::GUEST`, spelled as wasmtime spells them.
#[derive(Clone, Debug, Default)]
pub struct GuestExtras {
    pub env: Vec<(String, String)>,
    pub dirs: Vec<(PathBuf, String)>,
    pub network: Network,
}

/// The guest's wasi:sockets, as wasmtime's `-S` options set it: TCP and UDP sockets may be
/// made, but reach no address until `inherit-network`; name lookup is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    pub tcp: bool,
    pub udp: bool,
    pub inherit_network: bool,
    pub ip_name_lookup: bool,
}

impl Network {
    /// wasmtime run's defaults.
    pub const DEFAULT: Network = Network { tcp: true, udp: true, inherit_network: false, ip_name_lookup: false };

    /// Applies one `-S NAME[=y|n]`.
    pub fn set(&mut self, text: &str) -> anyhow::Result<()> {
        let (name, value) = text.split_once('=').unwrap_or((text, "y"));
        let value = match value {
            "y" | "yes" | "true" => true,
            "n" | "no" | "false" => false,
            other => bail!("-S {text}: `{other}` is not y or n"),
        };
        match name {
            "tcp" => self.tcp = value,
            "udp" => self.udp = value,
            "inherit-network" => self.inherit_network = value,
            "allow-ip-name-lookup" => self.ip_name_lookup = value,
            other => bail!("-S {text}: kv-adapt passes on tcp, udp, inherit-network and allow-ip-name-lookup, not `{other}`"),
        }
        Ok(())
    }
}

impl Default for Network {
    fn default() -> Network {
        Network::DEFAULT
    }
}

impl GuestExtras {
    /// Parses `--env K=V` (a bare `K` takes kv-adapt's own value of K, as wasmtime does).
    pub fn parse_env(text: &str) -> anyhow::Result<(String, String)> {
        match text.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
            Some(_) => bail!("--env {text}: the variable has no name; write --env NAME=VALUE"),
            None => {
                let value = std::env::var(text).map_err(|_| anyhow!("--env {text}: no `=` and no such variable here to pass on"))?;
                Ok((text.to_string(), value))
            }
        }
    }

    /// Parses `--dir HOST::GUEST` (a bare `DIR` is preopened under the same name).
    pub fn parse_dir(text: &str) -> anyhow::Result<(PathBuf, String)> {
        let (host, guest) = text.split_once("::").unwrap_or((text, text));
        if host.is_empty() || guest.is_empty() {
            bail!("--dir {text}: write --dir HOST_DIR::GUEST_PATH");
        }
        if guest == STORE_GUEST_PATH {
            bail!("--dir {text}: {STORE_GUEST_PATH} is where the store is preopened; choose another guest path");
        }
        Ok((PathBuf::from(host), guest.to_string()))
    }

    /// Puts these on `builder`; a directory that cannot be opened is named.
    fn apply(&self, builder: &mut WasiCtxBuilder) -> anyhow::Result<()> {
        for (key, value) in &self.env {
            builder.env(key, value);
        }
        builder.allow_tcp(self.network.tcp).allow_udp(self.network.udp).allow_ip_name_lookup(self.network.ip_name_lookup);
        if self.network.inherit_network {
            builder.inherit_network();
        }
        for (host, guest) in &self.dirs {
            builder
                .preopened_dir(host, guest, FsPerms::ReadWrite)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("--dir {}::{guest}: cannot open {}", host.display(), host.display()))?;
        }
        Ok(())
    }
}

/// What one run may take of the machine, so that a runaway guest stops with a trap of its
/// own instead of exhausting it. Without a cap wasmtime lets each 32-bit linear memory
/// reach 4 GiB, and a composition has several (guest, adapter, store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes each linear memory of the composition may grow to; growing past it traps.
    pub memory_bytes: usize,
    /// Live component-model handles in the store (wasmtime's `set_max_component_handles`);
    /// making one more traps.
    pub handles: usize,
}

impl Limits {
    /// Each linear memory: 1 GiB. A 64 MiB value written and read back takes 129 MiB of
    /// the guest's memory, 193 MiB streamed (`tests/bounds.rs`), far below it.
    pub const DEFAULT_MEMORY_MIB: usize = 1024;
    /// wasmtime 48's own default (its guard against a guest filling the store's handle
    /// tables), kept; a guest that needs more is given it with `--max-handles`.
    pub const DEFAULT_HANDLES: usize = 100_000;

    /// The wasmtime limiter for the memory cap; a refused growth traps rather than
    /// returning -1 to an allocator that would abort without saying why.
    pub fn store_limits(&self) -> StoreLimits {
        StoreLimitsBuilder::new().memory_size(self.memory_bytes).trap_on_grow_failure(true).build()
    }

    /// Puts these limits on `store`.
    pub fn apply(&self, store: &mut Store<HostState>) {
        store.data_mut().limits = self.store_limits();
        store.limiter(|state| &mut state.limits);
        store.set_max_component_handles(self.handles);
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_bytes: Self::DEFAULT_MEMORY_MIB << 20, handles: Self::DEFAULT_HANDLES }
    }
}

/// Host state for one run: WASI, its resource table, and kv-adapt's own key-value host
/// when the embedder serves key-value (strict G2, G3/G4, or G5/G6 over Redis).
pub struct HostState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub eventual: Option<EventualCtx>,
    pub g2: Option<G2Host>,
    pub today: Option<TodayCtx>,
    /// wasi:http, for `serve`; unused by a command.
    pub http: wasmtime_wasi_http::WasiHttpCtx,
    /// Read by wasmtime once [`Limits::apply`] installed it.
    pub limits: StoreLimits,
    /// The error traces the adapter handed to [`crate::artifacts::ERROR_SINK`], newest kept.
    pub reported: kv_adapt_convert::recent::Recent,
}

impl wasmtime_wasi_http::WasiHttpView for HostState {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: Default::default() }
    }
}

/// Who serves the key-value interfaces of a run on `host`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// The filesystem store component, composed in: G5 and G6 on a directory.
    StoreComponent,
    /// kv-adapt's own host of the generation, in the embedder: the strict G2, G3 and G4
    /// hosts on any store, and the G5/G6 host on Redis.
    Embedder(Generation),
}

/// How `run` serves `host` from `store`, or why it cannot.
pub fn served(host: Generation, store: &StoreSpec) -> crate::error::Result<Served> {
    match (host, store) {
        (Generation::G5 | Generation::G6, StoreSpec::Dir(_)) => Ok(Served::StoreComponent),
        (Generation::G5 | Generation::G6, StoreSpec::Redis(_)) | (Generation::G2 | Generation::G3 | Generation::G4 | Generation::SpinDraft2, _) => {
            Ok(Served::Embedder(host))
        }
        (Generation::Wasmcloud2, _) => Ok(Served::Embedder(host)),
        (Generation::G1 | Generation::Spin2 | Generation::Spin1 | Generation::Spin3, _) => {
            Err(crate::error::Error::NoHost { target: host, built_in: crate::artifacts::BUILT_IN_HOSTS })
        }
    }
}

/// Who serves key-value to one instance, and from where.
pub enum KvHost {
    /// The composed store component, over this directory preopened at [`STORE_GUEST_PATH`].
    Component(PathBuf),
    /// kv-adapt's host of this generation (strict G2..G4, or G5/G6) over a backend.
    Embedder(Generation, Backend, CounterEncoding),
}

/// Adds kv-adapt's host for `generation` to `linker`, reading `HostState::eventual`,
/// `HostState::g2` or `HostState::today`.
pub fn add_strict_host(linker: &mut Linker<HostState>, generation: Generation) -> anyhow::Result<()> {
    fn view(state: &mut HostState) -> EventualView<'_> {
        let ctx = state.eventual.as_ref().expect("a strict host run sets HostState::eventual");
        EventualView { ctx, table: &mut state.table }
    }
    fn g2_view(state: &mut HostState) -> G2View<'_> {
        let host = state.g2.as_mut().expect("a strict G2 run sets HostState::g2");
        G2View { host, table: &mut state.table }
    }
    fn today_view(state: &mut HostState) -> TodayView<'_> {
        let ctx = state.today.as_ref().expect("a G5/G6 embedder run sets HostState::today");
        TodayView { ctx, table: &mut state.table }
    }
    match generation {
        Generation::G2 => crate::host::g2::add_to_linker(linker, g2_view)?,
        Generation::G3 => crate::host::eventual::g3::add_to_linker(linker, view)?,
        Generation::G4 => crate::host::eventual::g4::add_to_linker(linker, view)?,
        Generation::G5 => crate::host::today::g5::add_to_linker(linker, today_view)?,
        Generation::G6 => crate::host::today::g6::add_to_linker(linker, today_view)?,
        Generation::SpinDraft2 => crate::host::spin::add_to_linker(linker, today_view)?,
        Generation::Wasmcloud2 => {
            crate::host::today::g5::add_to_linker(linker, today_view)?;
            crate::host::wasmcloud::add_to_linker(linker, today_view)?;
        }
        Generation::G1 | Generation::Spin2 | Generation::Spin1 | Generation::Spin3 => {
            anyhow::bail!("no host of kv-adapt's own speaks {generation}")
        }
    }
    Ok(())
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

pub fn engine() -> anyhow::Result<Engine> {
    engine_caching(None)
}

/// An engine that keeps what it compiles in `cache_dir` (made if missing) and reuses it.
pub fn engine_caching(cache_dir: Option<&Path>) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    // Labelled imports (`import team-a: wasi:keyvalue/store@…;`, wasmCloud 2's several
    // stores): a plug gives each label its own adapter, but the guest inside keeps its names.
    config.wasm_component_model_implements(true);
    if let Some(dir) = cache_dir {
        // wasmtime wants an absolute path; a relative one is relative to where kv-adapt runs.
        let absolute = std::path::absolute(dir).with_context(|| format!("--compile-cache {}", dir.display()))?;
        let mut cache = wasmtime::CacheConfig::new();
        cache.with_directory(absolute);
        let cache = wasmtime::Cache::new(cache)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("--compile-cache {}", dir.display()))?;
        config.cache(Some(cache));
    }
    Ok(Engine::new(&config)?)
}

/// WASI context with stdio inherited and `store_dir` preopened at [`STORE_GUEST_PATH`].
pub fn wasi_ctx(store_dir: &Path, args: &[String]) -> anyhow::Result<WasiCtx> {
    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().args(args);
    builder
        .preopened_dir(store_dir, STORE_GUEST_PATH, FsPerms::ReadWrite)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("opening store directory {}", store_dir.display()))?;
    Ok(builder.build())
}

/// Makes `bytes` runnable on the embedded host: adapts it if it imports another generation,
/// composes the filesystem store for G5/G6 (G3/G4 are served by the strict host at run
/// time), and renames rc-2023-11-10 WASI imports to 0.2.0.
pub fn prepare(name: &str, bytes: &[u8], plug: &PlugOptions) -> anyhow::Result<Vec<u8>> {
    // The embedded host serves WASI 0.2 names only, whatever the caller asked of `plug`.
    let plug = PlugOptions { keep_wasi_versions: false, ..plug.clone() };
    let plugged = crate::link::plug_named(name, bytes, &plug)?;
    Ok(match served(plug.host, &StoreSpec::Dir(PathBuf::new()))? {
        Served::StoreComponent => bundle_store(&plugged.component, &plug)?,
        Served::Embedder(_) => plugged.component,
    })
}

/// Composes the filesystem store into an already plugged component and moves its
/// rc-2023-11-10 WASI names to 0.2.0: the result needs nothing but a WASI 0.2 host.
pub fn bundle_store(plugged: &[u8], plug: &PlugOptions) -> crate::error::Result<Vec<u8>> {
    let with_store = crate::link::attach_store(plugged, plug.host, plug.counter)?;
    crate::link::rewire_rc_wasi(&with_store)
}

/// What `run` did: the plan that made the component runnable, what it cleaned up after
/// killed writers before starting, and how the guest ended.
pub struct RunReport {
    pub plan: Plan,
    pub recovered: crate::store::dir::Recovered,
    pub ran: Ran,
}

/// How a guest's `wasi:cli/run` ended.
pub struct Ran {
    /// `run` returned `ok`, or the guest called `exit(0)`.
    pub succeeded: bool,
    /// The newest error traces the adapter handed to the guest, oldest first; `None` when
    /// the component has no adapter diagnostics (a native guest, or one plugged elsewhere).
    pub recent_errors: Option<Vec<String>>,
    /// What the guest wrote, when the run captured it (else empty).
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs `bytes` as a command on the store in `options`.
pub fn run(name: &str, bytes: &[u8], options: &RunOptions) -> anyhow::Result<RunReport> {
    check_counter_encoding(&options.store, options.plug.counter)?;
    let ready = ready(name, bytes, &options.plug, &options.store)?;
    let (backend, recovered) = options.store.open_recovered()?;
    let engine = engine_caching(options.compile_cache.as_deref())?;
    let guest = Guest { args: &options.args, extras: &options.extras };
    let ran = run_ready_on(&engine, name, &ready, &backend, &guest, options.capture, &options.limits)?;
    Ok(RunReport { plan: ready.plan, recovered, ran })
}

/// A component made runnable for one kind of store: plugged (with diagnostics), with the
/// store component composed in where it serves, WASI rc names moved to 0.2.0.
pub struct Ready {
    pub plan: Plan,
    pub host: Generation,
    pub served: Served,
    pub component: Vec<u8>,
    pub counter: CounterEncoding,
}

/// Makes `bytes` runnable on `plug.host` over a store like `store` (only its kind matters).
pub fn ready(name: &str, bytes: &[u8], plug: &PlugOptions, store: &StoreSpec) -> anyhow::Result<Ready> {
    let plug = PlugOptions { diagnostics: true, error_sink: true, keep_wasi_versions: false, ..plug.clone() };
    let served = served(plug.host, store)?;
    let plugged = crate::link::plug_named(name, bytes, &plug)?;
    if let crate::plan::Plan::Unchanged { generation } = plugged.plan {
        let surface = crate::plan::surface::names(name, bytes)?;
        if let Some(first) = surface.labels.first() {
            let names: Vec<&str> = surface.labels.iter().map(|l| l.name.as_str()).collect();
            let there = match surface.labels_share_types(generation) {
                true => "where the adapter of its unlabelled imports serves them too",
                false => "where each label gets an adapter of its own (`--bucket LABEL:NAME=BUCKET` keeps their buckets apart)",
            };
            bail!(
                "{name} imports {generation}'s {} under labels ({}), and kv-adapt's own hosts bind no labels (wasmCloud 2 does); \
                 run it with the --host of another generation, {there}",
                first.implements,
                names.join(", "),
                generation = generation.id()
            );
        }
    }
    let component = match served {
        Served::StoreComponent => bundle_store(&plugged.component, &plug)?,
        Served::Embedder(_) => plugged.component,
    };
    Ok(Ready { plan: plugged.plan, host: plug.host, served, component, counter: plug.counter })
}

/// Runs a [`Ready`] component on `backend`, which must be of the kind it was made for.
pub fn run_ready(name: &str, ready: &Ready, backend: &Backend, args: &[String], capture: bool, limits: &Limits) -> anyhow::Result<Ran> {
    run_ready_on(&engine()?, name, ready, backend, &Guest::args(args), capture, limits)
}

/// What the guest is given besides key-value: its arguments, environment and preopens.
#[derive(Clone, Copy)]
pub struct Guest<'a> {
    pub args: &'a [String],
    pub extras: &'a GuestExtras,
}

impl<'a> Guest<'a> {
    /// Arguments alone.
    pub fn args(args: &'a [String]) -> Guest<'a> {
        static NONE: GuestExtras = GuestExtras { env: Vec::new(), dirs: Vec::new(), network: Network::DEFAULT };
        Guest { args, extras: &NONE }
    }
}

/// [`run_ready`] on `engine`.
fn run_ready_on(
    engine: &Engine,
    name: &str,
    ready: &Ready,
    backend: &Backend,
    guest: &Guest<'_>,
    capture: bool,
    limits: &Limits,
) -> anyhow::Result<Ran> {
    let kv = kv_host(ready, backend)?;
    execute_on(engine, name, &ready.component, &kv, guest, capture, limits)
}

/// Who serves key-value to a [`Ready`] component on `backend`.
pub fn kv_host(ready: &Ready, backend: &Backend) -> anyhow::Result<KvHost> {
    Ok(match (ready.served, backend) {
        (Served::StoreComponent, Backend::Dir(dir)) => KvHost::Component(dir.clone()),
        (Served::StoreComponent, Backend::Redis(_)) => bail!("the filesystem store component cannot serve a Redis store"),
        (Served::Embedder(generation), _) => KvHost::Embedder(generation, backend.clone(), ready.counter),
    })
}

/// Redis counters are decimal text, as every Redis-backed host of these generations writes
/// them; another layout would make the data unreadable to those hosts.
pub fn check_counter_encoding(store: &StoreSpec, counter: CounterEncoding) -> anyhow::Result<()> {
    match (store, counter) {
        (StoreSpec::Redis(url), CounterEncoding::Le64 | CounterEncoding::Be64) => bail!(
            "--store {url}: Redis counters are decimal text (as wasmCloud's and Spin's Redis providers store them), not {}; \
             drop --counter-encoding or use a directory store",
            counter.name()
        ),
        (StoreSpec::Redis(_), CounterEncoding::Decimal) | (StoreSpec::Dir(_), _) => Ok(()),
    }
}

/// One line saying what `run` did: which generation the guest speaks, the adapter used (or
/// none), the host generation, the counter encoding and the store.
pub fn summary(name: &str, report: &RunReport, options: &RunOptions) -> String {
    let host = options.plug.host;
    let how = guest_and_adapter(&report.plan);
    let outcome = if report.ran.succeeded { "ok" } else { "failed" };
    let recovered = report.recovered;
    let cleaned = if recovered.locks == 0 && recovered.temps == 0 {
        String::new()
    } else {
        format!(
            "; cleaned up after killed writers first: {} lock file(s) of dead processes, {} temp file(s)",
            recovered.locks, recovered.temps
        )
    };
    format!(
        "kv-adapt: {name}: {outcome}: {how} onto {host}; counters {}; store {}{cleaned}",
        options.plug.counter.name(),
        options.store.describe()
    )
}

/// Which generation the guest speaks and the adapter it runs through, or that it needs none.
pub fn guest_and_adapter(plan: &Plan) -> String {
    match plan {
        Plan::Unchanged { generation } => format!("{} guest, native (no adapter)", generation.id()),
        Plan::Adapt { source, adapter, .. } => format!("{} guest through {adapter}", source.id()),
    }
}

/// Lines explaining a failed run: the key-value errors the guest was given and, for a
/// counter that is not in the chosen encoding, the encoding its stored bytes look like.
pub fn explain_failure(report: &RunReport, options: &RunOptions) -> Vec<String> {
    let Some(errors) = &report.ran.recent_errors else {
        return vec!["no adapter in the composition, so kv-adapt saw none of the key-value errors the guest got".into()];
    };
    if errors.is_empty() {
        return vec!["the adapter gave the guest no key-value error; the guest failed for its own reasons".into()];
    }
    let mut lines = vec![format!("key-value errors the adapter gave the guest, oldest first ({}):", errors.len())];
    lines.extend(errors.iter().map(|trace| format!("  {trace}")));
    lines.extend(errors.iter().rev().find_map(|trace| counter_hint(trace, &options.store, options.plug.counter)));
    lines
}

/// For a trace saying a stored value is not a counter, which encodings its bytes do read as.
fn counter_hint(trace: &str, store: &StoreSpec, chosen: CounterEncoding) -> Option<String> {
    if !trace.contains(" counter") {
        return None;
    }
    let (key, bucket) = key_and_bucket(trace)?;
    let (place, bytes) = match store {
        StoreSpec::Dir(store_dir) => {
            let file = store_dir
                .join(kv_adapt_convert::filename::encode(&bucket).ok()?)
                .join(kv_adapt_convert::filename::encode(&key).ok()?);
            (file.display().to_string(), std::fs::read(&file).ok()?)
        }
        StoreSpec::Redis(url) => {
            let bytes = RedisStore::connect(url).ok()?.get(&bucket, &key).ok()??;
            (format!("key {key:?} in bucket {bucket:?} on {url}"), bytes)
        }
    };
    let readings = kv_adapt_convert::counter::readings(&bytes);
    let Some((likeliest, value)) = readings.first() else {
        return Some(format!("hint: {place} holds {} bytes that are no counter in any encoding kv-adapt knows", bytes.len()));
    };
    if *likeliest == chosen {
        return None;
    }
    Some(format!(
        "hint: {place} reads as the {} counter {value}; it was probably written with --counter-encoding {}, not {}",
        likeliest.name(),
        likeliest.name(),
        chosen.name()
    ))
}

/// `key "K" in bucket "B"` as the adapters and the store write it.
fn key_and_bucket(trace: &str) -> Option<(String, String)> {
    let quoted_after = |marker: &str| -> Option<String> {
        let rest = &trace[trace.find(marker)? + marker.len()..];
        let end = rest.find('"')?;
        Some(rest[..end].to_string())
    };
    Some((quoted_after("key \"")?, quoted_after("in bucket \"")?))
}

/// Runs a component that imports nothing but WASI 0.2 (for instance one composed by
/// [`prepare`], or by `wac compose` with `compose/g2-on-fs-store.wac`).
pub fn run_prepared(name: &str, prepared: &[u8], store_dir: &Path, args: &[String]) -> anyhow::Result<Ran> {
    execute(name, prepared, &KvHost::Component(store_dir.to_path_buf()), args, false, &Limits::default())
}

/// The name of an export of `wasi:http/incoming-handler` that wasmtime-wasi-http serves.
pub fn find_incoming_handler(engine: &Engine, component: &Component) -> Option<String> {
    find_export(engine, component, "wasi:http/incoming-handler")
}

/// Instantiates `prepared` with WASI and `kv` under `limits` and calls its `wasi:cli/run`.
pub fn execute(name: &str, prepared: &[u8], kv: &KvHost, args: &[String], capture: bool, limits: &Limits) -> anyhow::Result<Ran> {
    execute_on(&engine()?, name, prepared, kv, &Guest::args(args), capture, limits)
}

/// [`execute`] on `engine`.
fn execute_on(
    engine: &Engine,
    name: &str,
    prepared: &[u8],
    kv: &KvHost,
    guest: &Guest<'_>,
    capture: bool,
    limits: &Limits,
) -> anyhow::Result<Ran> {
    let component = Component::new(engine, prepared).map_err(anyhow::Error::from).context("compiling the composed component")?;
    let Some(run_export) = find_cli_run(engine, &component) else {
        if let Some(run_export) = find_p3_cli_run(engine, &component) {
            return execute_async(engine, &component, &run_export, kv, guest, capture, limits);
        }
        if let Some(handler) = find_incoming_handler(engine, &component).or_else(|| find_p3_handler(engine, &component)) {
            bail!("{name} is an HTTP handler (it exports {handler}), not a command; serve it with `kv-adapt serve`");
        }
        bail!("{name} exports no wasi:cli/run (0.3.x, 0.2.x or a 2023-24 release candidate); it is not a command");
    };
    // A WASI 0.2 command importing a WASI 0.3 host's key-value (whose functions are async)
    // can only be instantiated in an async store.
    if imports_async_keyvalue(engine, &component) {
        return execute_async(engine, &component, &run_export, kv, guest, capture, limits);
    }
    let pipes = capture.then(|| (MemoryOutputPipe::new(CAPTURE_LIMIT), MemoryOutputPipe::new(CAPTURE_LIMIT)));
    let (mut store, instance) = instantiate_guest(engine, &component, kv, guest, pipes.as_ref(), limits)?;
    let succeeded = call_run(&mut store, &instance, &run_export).map_err(|e| over_limit(e, limits))?;
    let recent_errors = errors_given(&mut store, &instance, engine, &component, succeeded)?;
    let (stdout, stderr) = captured(pipes);
    Ok(Ran { succeeded, recent_errors, stdout, stderr })
}

/// Whether `component` imports the key-value of a WASI 0.3 host (Spin 4's, wasmCloud 2's),
/// as the generation classifier tells.
fn imports_async_keyvalue(engine: &Engine, component: &Component) -> bool {
    use crate::generation::{classify, InterfaceName};
    component.component_type().imports(engine).any(|(name, _)| {
        InterfaceName::parse(name).and_then(|n| classify(&n)).is_some_and(|g| matches!(g, Ok(Generation::Spin3 | Generation::Wasmcloud2)))
    })
}

/// [`execute_on`] in an async store: for a WASI 0.3 command (Spin 4's and wasmCloud 2's
/// components), or a 0.2 one importing a WASI 0.3 host's key-value. WASI 0.3 and 0.2 side
/// by side (Rust's std on `wasm32-wasip2` still imports 0.2's stdio), the key-value host
/// `kv`, and `run` (of either release) called concurrently.
fn execute_async(
    engine: &Engine,
    component: &Component,
    run_export: &str,
    kv: &KvHost,
    guest: &Guest<'_>,
    capture: bool,
    limits: &Limits,
) -> anyhow::Result<Ran> {
    let pipes = capture.then(|| (MemoryOutputPipe::new(CAPTURE_LIMIT), MemoryOutputPipe::new(CAPTURE_LIMIT)));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let (succeeded, reported) = runtime.block_on(async {
        let (mut store, instance) = instantiate_concurrent(engine, component, kv, guest, pipes.as_ref(), limits).await?;
        let run = run_func(&mut store, &instance, run_export)?;
        let outcome = store.run_concurrent(async |accessor| run.call_concurrent(accessor, ()).await).await;
        let succeeded = match outcome.and_then(|called| called) {
            Ok((result,)) => result.is_ok(),
            Err(trap) => match trap.downcast_ref::<wasmtime_wasi::I32Exit>() {
                Some(exit) => exit.0 == 0,
                None => return Err(over_limit(anyhow!("the component trapped: {trap:?}{}", cannot_wait_hint(&trap)), limits)),
            },
        };
        anyhow::Ok((succeeded, store.data().reported.oldest_first()))
    })?;
    // An adapter `run` plugged in hands its errors to the error sink as it goes (see
    // `errors_given`); a command on its own host reports none.
    let sink = component.component_type().imports(engine).any(|(name, _)| name == crate::artifacts::ERROR_SINK);
    let recent_errors = match (sink, succeeded) {
        (true, _) => Some(reported),
        (false, true) => Some(Vec::new()),
        (false, false) => None,
    };
    let (stdout, stderr) = captured(pipes);
    Ok(Ran { succeeded, recent_errors, stdout, stderr })
}

/// What to do about a synchronous function of the guest that called a WASI 0.3 host's
/// async key-value: the component model lets only an `async` function's task wait.
fn cannot_wait_hint(trap: &wasmtime::Error) -> &'static str {
    match trap.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::CannotBlockSyncTask) => {
            "; a synchronous function (a WASI 0.2 `run` or handler, or a wasi:keyvalue call) waited on an async function \
             of Spin 4's or wasmCloud 2's key-value, which the component model forbids: run it on a host that serves a \
             WASI 0.2 generation (`--host spin` serves Spin's draft2, `--host wasmcloud` G5)"
        }
        _ => "",
    }
}

/// The name of a `wasi:cli/run` export of a WASI 0.3 release.
pub(crate) fn find_p3_cli_run(engine: &Engine, component: &Component) -> Option<String> {
    find_p3_export(engine, component, "wasi:cli/run")
}

/// The name of a `wasi:http/handler` export of a WASI 0.3 release, which `serve` serves
/// with wasmtime-wasi-http's `p3`.
pub fn find_p3_handler(engine: &Engine, component: &Component) -> Option<String> {
    find_p3_export(engine, component, "wasi:http/handler")
}

/// The name of an export of `interface` at a WASI 0.3 release (0.3.x, no pre-release: a
/// release candidate's types may differ from what wasmtime 48 binds).
fn find_p3_export(engine: &Engine, component: &Component, interface: &str) -> Option<String> {
    let prefix = format!("{interface}@0.3.");
    component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .find(|name| name.strip_prefix(&prefix).is_some_and(|patch| !patch.contains('-')))
}

/// Instantiates `component` with WASI (stdout and stderr into `pipes` when given) and the
/// key-value host `kv`, under `limits`.
pub fn instantiate(
    engine: &Engine,
    component: &Component,
    kv: &KvHost,
    args: &[String],
    pipes: Option<&(MemoryOutputPipe, MemoryOutputPipe)>,
    limits: &Limits,
) -> anyhow::Result<(Store<HostState>, Instance)> {
    instantiate_guest(engine, component, kv, &Guest::args(args), pipes, limits)
}

/// [`instantiate`] with the guest's environment and preopens too.
pub fn instantiate_guest(
    engine: &Engine,
    component: &Component,
    kv: &KvHost,
    guest: &Guest<'_>,
    pipes: Option<&(MemoryOutputPipe, MemoryOutputPipe)>,
    limits: &Limits,
) -> anyhow::Result<(Store<HostState>, Instance)> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    // Outgoing requests, as `wasmtime run -S http` serves them: ComponentizeJS (and others)
    // import wasi:http/types and outgoing-handler by default, used or not.
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
    add_kv_to_linker(&mut linker, kv)?;
    let pre = linker.instantiate_pre(component).map_err(|e| unserved_import(anyhow::Error::from(e)))?;
    let mut store = new_store(engine, kv, guest, pipes, limits)?;
    let instance = pre
        .instantiate(&mut store)
        .map_err(|e| over_limit(anyhow::Error::from(e), limits))
        .context("instantiating")?;
    Ok((store, instance))
}

/// [`instantiate`] for a WASI 0.3 component, whose functions run in the store's event loop:
/// WASI 0.2 and 0.3 side by side, as `run` gives a WASI 0.3 command.
pub(crate) async fn instantiate_concurrent(
    engine: &Engine,
    component: &Component,
    kv: &KvHost,
    guest: &Guest<'_>,
    pipes: Option<&(MemoryOutputPipe, MemoryOutputPipe)>,
    limits: &Limits,
) -> anyhow::Result<(Store<HostState>, Instance)> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    add_kv_to_linker(&mut linker, kv)?;
    let pre = linker.instantiate_pre(component).map_err(|e| unserved_import(anyhow::Error::from(e)))?;
    let mut store = new_store(engine, kv, guest, pipes, limits)?;
    let instance = pre
        .instantiate_async(&mut store)
        .await
        .map_err(|e| over_limit(anyhow::Error::from(e), limits))
        .context("instantiating")?;
    Ok((store, instance))
}

/// A link error as one line naming the import no host of kv-adapt serves and what would
/// serve it; wasmtime's own words ("resource implementation is missing") name a type
/// inside the interface, which reads as a type problem.
fn unserved_import(error: anyhow::Error) -> anyhow::Error {
    let text = format!("{error:#}");
    let Some(import) = ["imports instance `", "imports function `", "imports resource `"]
        .iter()
        .find_map(|marker| text.split_once(marker).and_then(|(_, rest)| rest.split_once('`')).map(|(name, _)| name.to_string()))
    else {
        return error.context("linking the component");
    };
    anyhow!("the component imports {import}, which kv-adapt does not serve: {}", what_would_serve(&import))
}

/// What would serve an import kv-adapt's embedded host does not.
fn what_would_serve(import: &str) -> String {
    let parsed = crate::generation::InterfaceName::parse(import);
    match parsed.as_ref().map(|n| (n.namespace, n.package)) {
        Some(("wasi", "keyvalue")) => {
            "no key-value generation kv-adapt knows has that name and version (`kv-adapt inspect` lists what it adapts)".into()
        }
        Some(("wasi", "http")) => format!(
            "kv-adapt serves wasi:http 0.2.x types and outgoing-handler to a command, and incoming-handler through `kv-adapt serve`; \
             `{}` is of another release or interface",
            import
        ),
        Some(("wasi", package)) => format!(
            "kv-adapt runs with WASI 0.2 (cli, clocks, filesystem, io, random, sockets, http outgoing) only; \
             `kv-adapt plug` the component and run it on a host that serves wasi:{package}"
        ),
        Some(_) | None => "it is no WASI interface; compose a component that exports it into this one first (`wac plug`), \
             or plug it and run it on the host it was written for"
            .into(),
    }
}

/// Adds kv-adapt's own key-value host to `linker` when `kv` is one (the store component
/// needs nothing but WASI).
pub fn add_kv_to_linker(linker: &mut Linker<HostState>, kv: &KvHost) -> anyhow::Result<()> {
    add_error_sink(linker)?;
    match kv {
        KvHost::Component(_) => Ok(()),
        KvHost::Embedder(generation, ..) => add_strict_host(linker, *generation),
    }
}

/// Serves [`crate::artifacts::ERROR_SINK`] into [`HostState::reported`].
pub fn add_error_sink(linker: &mut Linker<HostState>) -> anyhow::Result<()> {
    linker.root().instance(crate::artifacts::ERROR_SINK)?.func_wrap(
        "keep",
        |mut cx: wasmtime::StoreContextMut<'_, HostState>, (trace,): (String,)| {
            cx.data_mut().reported.record(&trace);
            Ok(())
        },
    )?;
    Ok(())
}

/// A store for one instance: WASI for `guest` (stdio inherited, or stdout and stderr into
/// `pipes`), the key-value state `kv` needs, and `limits`.
pub fn new_store(
    engine: &Engine,
    kv: &KvHost,
    guest: &Guest<'_>,
    pipes: Option<&(MemoryOutputPipe, MemoryOutputPipe)>,
    limits: &Limits,
) -> anyhow::Result<Store<HostState>> {
    let (mut eventual, mut g2, mut today) = (None, None, None);
    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().args(guest.args);
    guest.extras.apply(&mut builder)?;
    match kv {
        KvHost::Component(store_dir) => {
            std::fs::create_dir_all(store_dir)
                .with_context(|| format!("creating store directory {}", store_dir.display()))?;
            builder
                .preopened_dir(store_dir, STORE_GUEST_PATH, FsPerms::ReadWrite)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("opening store directory {}", store_dir.display()))?;
            // The store component cannot see processes: it writes this record into its lock
            // files, so that a later run can tell that a lock left by this one is dead.
            if let Some(record) = crate::store::dir::owner_record() {
                builder.env(kv_adapt_convert::lock::OWNER_ENV, record);
            }
        }
        // kv-adapt's own hosts read the store from the host side: the guest gets no preopen.
        KvHost::Embedder(generation, backend, counter) => match generation {
            Generation::G2 => g2 = Some(G2Host::on(backend.clone(), *counter)),
            Generation::G3 | Generation::G4 => eventual = Some(EventualCtx::on(backend.clone(), *counter)),
            Generation::G5 | Generation::G6 | Generation::Wasmcloud2 => today = Some(TodayCtx::on(backend.clone(), *counter)),
            Generation::SpinDraft2 => today = Some(TodayCtx::spin(backend.clone(), *counter)),
            Generation::G1 | Generation::Spin2 | Generation::Spin1 | Generation::Spin3 => {
                bail!("no host of kv-adapt's own speaks {generation}")
            }
        },
    }
    if let Some((out, err)) = pipes {
        builder.stdout(out.clone()).stderr(err.clone());
    }
    let state = HostState {
        wasi: builder.build(),
        table: ResourceTable::new(),
        eventual,
        g2,
        today,
        http: wasmtime_wasi_http::WasiHttpCtx::new(),
        limits: StoreLimits::default(),
        reported: kv_adapt_convert::recent::Recent::new(),
    };
    let mut store = Store::new(engine, state);
    limits.apply(&mut store);
    Ok(store)
}

/// `error`, naming the flag to change when one of `limits` is what stopped the guest.
fn over_limit(error: anyhow::Error, limits: &Limits) -> anyhow::Error {
    let text = format!("{error:#}");
    if text.contains("forcing trap when growing memory") || text.contains("exceeds memory limits") {
        let mib = limits.memory_bytes >> 20;
        return error.context(format!("the guest wanted more than {mib} MiB in one linear memory (raise it with --max-memory-mib)"));
    }
    if text.contains("store handle limit exceeded") {
        return error.context(format!("the guest held more than {} live handles (raise it with --max-handles)", limits.handles));
    }
    error
}

/// A name no other scratch store of this process or another uses: `kv-adapt-<what>-<pid>-<n>-<nanos>-<label>`,
/// for the temporary directories and Redis namespaces of `diff` and `conformance`.
pub fn scratch_name(what: &str, label: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("kv-adapt-{what}-{}-{}-{nanos}-{label}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// How much of a captured stdout or stderr is kept.
const CAPTURE_LIMIT: usize = 16 << 20;

/// The error traces the adapter gave the guest, `None` when the composition has no adapter
/// that reports them. Read from what the adapter handed [`crate::artifacts::ERROR_SINK`] as it went,
/// where the composition imports it: after the guest exits non-zero or traps, wasmtime no
/// longer lets anything enter its instance, the adapter's `recent-errors` included. Else
/// asked of that export, whose answer only matters after a failure.
pub fn errors_given(
    store: &mut Store<HostState>,
    instance: &Instance,
    engine: &Engine,
    component: &Component,
    succeeded: bool,
) -> anyhow::Result<Option<Vec<String>>> {
    if component.component_type().imports(engine).any(|(name, _)| name == crate::artifacts::ERROR_SINK) {
        return Ok(Some(store.data().reported.oldest_first()));
    }
    if succeeded {
        return Ok(Some(Vec::new()));
    }
    recent_errors(store, instance)
}

/// Asks the adapter, after the guest returned, which errors it handed out.
pub(crate) fn recent_errors(store: &mut Store<HostState>, instance: &Instance) -> anyhow::Result<Option<Vec<String>>> {
    let Some(iface) = instance.get_export_index(&mut *store, None, crate::artifacts::DIAGNOSTICS) else {
        return Ok(None);
    };
    let func = instance
        .get_export_index(&mut *store, Some(&iface), "recent-errors")
        .ok_or_else(|| anyhow!("{} has no `recent-errors`", crate::artifacts::DIAGNOSTICS))?;
    let recent = instance
        .get_typed_func::<(), (Vec<String>,)>(&mut *store, &func)
        .map_err(anyhow::Error::from)
        .context("reading the adapter's diagnostics")?;
    let (errors,) = recent.call(&mut *store, ()).map_err(anyhow::Error::from).context("reading the adapter's diagnostics")?;
    Ok(Some(errors))
}

/// The name of a `wasi:cli/run` export of any 0.2.x or release-candidate version.
fn find_cli_run(engine: &Engine, component: &Component) -> Option<String> {
    find_export(engine, component, "wasi:cli/run")
}

/// The name of an export of `interface` at a 0.2.x release, or at a release candidate
/// [`crate::link::wasi_rc`] moves to 0.2.0.
pub(crate) fn find_export(engine: &Engine, component: &Component, interface: &str) -> Option<String> {
    component.component_type().exports(engine).map(|(name, _)| name.to_string()).find(|name| {
        name.strip_prefix(interface).and_then(|rest| rest.strip_prefix('@')).is_some_and(|v| {
            crate::generation::is_0_2_release(v) || crate::plan::wasi::renamed(name).is_some()
        })
    })
}

/// The `run` function of the `wasi:cli/run` export `interface` (0.2 or 0.3: one type).
fn run_func(store: &mut Store<HostState>, instance: &Instance, interface: &str) -> anyhow::Result<wasmtime::component::TypedFunc<(), (Result<(), ()>,)>> {
    let iface = instance
        .get_export_index(&mut *store, None, interface)
        .ok_or_else(|| anyhow!("missing export {interface}"))?;
    let func = instance
        .get_export_index(&mut *store, Some(&iface), "run")
        .ok_or_else(|| anyhow!("{interface} has no `run` function"))?;
    instance
        .get_typed_func::<(), (Result<(), ()>,)>(&mut *store, &func)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("{interface}#run has an unexpected type"))
}

/// What was written to the captured stdout and stderr (nothing when not captured).
fn captured(pipes: Option<(MemoryOutputPipe, MemoryOutputPipe)>) -> (Vec<u8>, Vec<u8>) {
    match pipes {
        Some((out, err)) => (out.contents().to_vec(), err.contents().to_vec()),
        None => (Vec::new(), Vec::new()),
    }
}

fn call_run(store: &mut Store<HostState>, instance: &Instance, interface: &str) -> anyhow::Result<bool> {
    let run = run_func(store, instance, interface)?;
    match run.call(&mut *store, ()) {
        Ok((result,)) => Ok(result.is_ok()),
        Err(trap) => {
            // A guest calling `exit` surfaces as an I32Exit error, not a trap.
            if let Some(exit) = trap.downcast_ref::<wasmtime_wasi::I32Exit>() {
                return Ok(exit.0 == 0);
            }
            bail!("the component trapped: {trap:?}")
        }
    }
}
