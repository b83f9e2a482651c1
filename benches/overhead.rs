//! What an adapter costs: throughput of the same workloads through the G2→G5 and G4→G5
//! adapters, composed and fused, against a G5 guest calling the host directly, component sizes, instantiation
//! time and the time `kv_adapt::plug` takes on a large guest.
//!
//! `cargo bench --bench overhead -- [--out DIR] [--quick]` writes `DIR/overhead.md` (tables)
//! and `DIR/overhead.jsonl` (one JSON object per figure); DIR defaults to `bench-results`
//! (relative to the crate root, where cargo runs benches). `--quick` takes fewer samples,
//! for a smoke run. The filesystem store works in `/dev/shm` when it exists (see
//! `store_base`; `KV_ADAPT_BENCH_DIR=dir` to choose another place, e.g. a disk).
//!
//! Method: one wasmtime 48 engine (`kv_adapt::host::run::engine`) and one process. The guests are
//! `wasm/guests/guest-bench` built for G5 (direct), G2 and G4 (plugged with `kv_adapt::plug`, `-io`
//! flavour, decimal counters), each on three hosts: wasmtime-wasi-keyvalue in memory, our
//! filesystem store component over a temporary directory, and kv-adapt's G5 host over a
//! redis-server the bench starts on loopback (it must be installed). Per workload and host every path
//! gets a fresh instance and its own `setup` (untimed); each path's sample size is
//! calibrated to about `SAMPLE_TARGET` and run once to warm up, then samples alternate
//! between the paths (rotating which goes first) and each path's figure is the median of
//! its samples. A ratio is adapted time per op ÷ direct time per op (1.00 = free).

use kv_adapt::artifacts::{self, ADAPTERS};
use kv_adapt::{Bodies, CounterEncoding, Generation, Linking, PlugOptions};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wasm_encoder::{ComponentSection, CustomSection};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable, TypedFunc};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

const COMPONENTS: &str = kv_adapt_test_programs::dir!();
const BENCH_INTERFACE: &str = "kv-adapt:components/bench";
/// Wall time one sample of any path aims at.
const SAMPLE_TARGET: Duration = Duration::from_millis(20);
/// Time the samples of one row may take before their number is cut (to no fewer than 3).
const ROW_BUDGET: Duration = Duration::from_secs(4);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    Direct,
    G2,
    /// The G2 guest with the fused adapter linked inside it (sync bodies only: the fused
    /// flavour leaves wasi:io to the host, so the async workloads fail on this path).
    G2Fused,
    G4,
    /// The G4 guest with the fused `-io` adapter linked inside it (its wasi:io too, so the
    /// async workloads run on this path).
    G4Fused,
}

impl Path {
    fn id(self) -> &'static str {
        match self {
            Path::Direct => "g5-direct",
            Path::G2 => "g2-adapted",
            Path::G2Fused => "g2-fused",
            Path::G4 => "g4-adapted",
            Path::G4Fused => "g4-fused",
        }
    }

    fn guest_file(self) -> String {
        let name = match self {
            Path::Direct => "guest-g5-bench.wasm",
            Path::G2 | Path::G2Fused => "guest-g2-bench.wasm",
            Path::G4 | Path::G4Fused => "guest-g4-bench.wasm",
        };
        format!("{COMPONENTS}/{name}")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Host {
    /// wasmtime-wasi-keyvalue 48, in memory.
    Memory,
    /// Our filesystem store component (G5, decimal counters) over a temporary directory.
    FsStore,
    /// kv-adapt's G5 host over a redis-server started by the bench (a fresh namespace per
    /// instance), as `run --store redis://` serves it.
    Redis,
}

impl Host {
    fn id(self) -> &'static str {
        match self {
            Host::Memory => "wasmtime-kv",
            Host::FsStore => "fs-store",
            Host::Redis => "redis",
        }
    }
}

const HOSTS: [Host; 3] = [Host::Memory, Host::FsStore, Host::Redis];

/// A workload of the guest, and what the direct path runs in its place.
struct Workload {
    name: &'static str,
    /// The G5 guest's equivalent: the same name, or the sync call for an async body.
    direct: &'static str,
    /// The limit on adapted/direct, where it sets one.
    target: Option<f64>,
}

const fn w(name: &'static str, direct: &'static str, target: Option<f64>) -> Workload {
    Workload { name, direct, target }
}

const WORKLOADS: &[Workload] = &[
    w("get-16", "get-16", Some(1.15)),
    w("get-1k", "get-1k", None),
    w("get-64k", "get-64k", Some(1.3)),
    w("set-16", "set-16", Some(1.15)),
    w("set-1k", "set-1k", None),
    w("set-64k", "set-64k", Some(1.3)),
    w("get-async-16", "get-16", None),
    w("get-async-1k", "get-1k", None),
    w("get-async-64k", "get-64k", None),
    w("set-async-16", "set-16", None),
    w("set-async-1k", "set-1k", None),
    w("set-async-64k", "set-64k", None),
    w("exists", "exists", None),
    w("increment", "increment", None),
    w("cas", "cas", None),
    w("get-many-100", "get-many-100", None),
    w("set-many-100", "set-many-100", None),
    w("list-keys-10000", "list-keys-10000", None),
];

const INSTANTIATION_TARGET: f64 = 1.2;

struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    keyvalue: WasiKeyValueCtx,
    today: Option<kv_adapt::host::today::TodayCtx>,
    /// Keeps the store directory alive as long as the instance.
    _dir: Option<tempfile::TempDir>,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Where the filesystem store's temporary directories go: `KV_ADAPT_BENCH_DIR`, else
/// `/dev/shm` when it exists (tmpfs: the figures then show the store's and the adapter's
/// work, not the disk's latency, which on a shared machine is far noisier), else the
/// system temp dir.
fn store_base() -> &'static std::path::Path {
    static BASE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BASE.get_or_init(|| match std::env::var_os("KV_ADAPT_BENCH_DIR") {
        Some(dir) => PathBuf::from(dir),
        None if std::path::Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
        None => std::env::temp_dir(),
    })
}

fn fresh_store(engine: &Engine, host: Host) -> Store<HostState> {
    let mut builder = WasiCtx::builder();
    builder.inherit_stderr();
    let mut today = None;
    let dir = match host {
        Host::Memory => None,
        Host::Redis => {
            today = Some(kv_adapt::host::today::TodayCtx::on(fresh_redis(), CounterEncoding::Decimal));
            None
        }
        Host::FsStore => {
            let dir = tempfile::Builder::new().prefix("kv-adapt-bench-").tempdir_in(store_base()).expect("temp dir");
            builder
                .preopened_dir(dir.path(), kv_adapt::host::run::STORE_GUEST_PATH, FsPerms::ReadWrite)
                .expect("preopen the store directory");
            Some(dir)
        }
    };
    let state = HostState {
        wasi: builder.build(),
        table: ResourceTable::new(),
        keyvalue: WasiKeyValueCtxBuilder::new().build(),
        today,
        _dir: dir,
    };
    Store::new(engine, state)
}

/// A fresh namespace on the bench's own redis-server (started on first use, stopped when
/// the bench process ends). Namespaces are not cleared: the server dies with the bench.
fn fresh_redis() -> kv_adapt::store::backend::Backend {
    use kv_adapt::store::redis::{test_server, RedisStore, RedisUrl};
    let url = RedisUrl::parse(&test_server::shared().url()).expect("redis URL");
    let space = RedisStore::connect(&url)
        .and_then(|server| server.with_namespace(&test_server::fresh_namespace()))
        .expect("a namespace on the bench's redis-server");
    kv_adapt::store::backend::Backend::Redis(std::sync::Arc::new(space))
}

/// The linker for `host`: wasmtime-wasi-keyvalue, or kv-adapt's own G5 host for Redis (one
/// linker cannot hold both: they serve the same names).
fn linker_for(engine: &Engine, host: Host) -> Linker<HostState> {
    let mut linker: Linker<HostState> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("wasi in linker");
    match host {
        Host::Memory | Host::FsStore => {
            wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |s: &mut HostState| WasiKeyValue::new(&s.keyvalue, &mut s.table))
                .expect("keyvalue in linker")
        }
        Host::Redis => kv_adapt::host::today::g5::add_to_linker(&mut linker, |s: &mut HostState| {
            let ctx = s.today.as_ref().expect("a Redis bench instance has the G5 host");
            kv_adapt::host::today::TodayView { ctx, table: &mut s.table }
        })
        .expect("G5 host in linker"),
    }
    linker
}

/// One guest on one host, compiled and linked.
struct Prepared {
    path: Path,
    host: Host,
    pre: InstancePre<HostState>,
    compile: Duration,
}

/// The component for `path` on `host`: the guest, plugged unless it is the direct G5 guest,
/// with the store composed in for the filesystem host.
fn component_bytes(path: Path, host: Host, guest: &[u8]) -> Result<Vec<u8>, String> {
    let plugged = match path {
        Path::Direct => guest.to_vec(),
        Path::G2 | Path::G4 => {
            let options = PlugOptions {
                host: Generation::G5,
                counter: CounterEncoding::Decimal,
                bodies: Some(Bodies::Adapter),
                diagnostics: false,
                linking: Some(Linking::Composed),
                keep_wasi_versions: false,
                strict_atomics: false,
                error_sink: false,
                buckets: Vec::new(),
                onto: None,
            };
            kv_adapt::plug(guest, &options).map_err(|e| format!("plug: {e}"))?
        }
        Path::G2Fused | Path::G4Fused => {
            let options = PlugOptions {
                host: Generation::G5,
                counter: CounterEncoding::Decimal,
                // G4's fused `-io` adapter serves async bodies too; G2's has no such flavour.
                bodies: Some(if path == Path::G4Fused { Bodies::Adapter } else { Bodies::Host }),
                diagnostics: false,
                linking: Some(Linking::Fused),
                keep_wasi_versions: false,
                strict_atomics: false,
                error_sink: false,
                buckets: Vec::new(),
                onto: None,
            };
            kv_adapt::plug(guest, &options).map_err(|e| format!("plug: {e}"))?
        }
    };
    let hosted = match host {
        Host::Memory | Host::Redis => plugged,
        Host::FsStore => kv_adapt::attach_store(&plugged, Generation::G5, CounterEncoding::Decimal)
            .map_err(|e| format!("attach store: {e}"))?,
    };
    kv_adapt::rewire_rc_wasi(&hosted).map_err(|e| format!("rewire: {e}"))
}

fn prepare(engine: &Engine, linker: &Linker<HostState>, path: Path, host: Host) -> Result<Prepared, String> {
    let file = path.guest_file();
    let guest = std::fs::read(&file).map_err(|e| format!("reading {file}: {e}"))?;
    let bytes = component_bytes(path, host, &guest)?;
    let start = Instant::now();
    let component = Component::new(engine, &bytes).map_err(|e| format!("compiling: {e:?}"))?;
    let compile = start.elapsed();
    let pre = linker.instantiate_pre(&component).map_err(|e| format!("linking: {e:?}"))?;
    Ok(Prepared { path, host, pre, compile })
}

type SetupFn = TypedFunc<(&'static str,), (Result<(), String>,)>;
type RunFn = TypedFunc<(&'static str, u32), (Result<u64, String>,)>;

/// A live instance of a bench guest.
struct Running {
    path: Path,
    store: Store<HostState>,
    setup: SetupFn,
    run: RunFn,
}

impl Running {
    fn new(engine: &Engine, prepared: &Prepared) -> Result<Running, String> {
        let mut store = fresh_store(engine, prepared.host);
        let instance = prepared.pre.instantiate(&mut store).map_err(|e| format!("instantiate: {e:?}"))?;
        let iface = instance
            .get_export_index(&mut store, None, BENCH_INTERFACE)
            .ok_or_else(|| format!("no {BENCH_INTERFACE} export"))?;
        let setup = instance.get_export_index(&mut store, Some(&iface), "setup").ok_or("no bench.setup")?;
        let run = instance.get_export_index(&mut store, Some(&iface), "run").ok_or("no bench.run")?;
        let setup = instance.get_typed_func(&mut store, &setup).map_err(|e| format!("bench.setup type: {e:?}"))?;
        let run = instance.get_typed_func(&mut store, &run).map_err(|e| format!("bench.run type: {e:?}"))?;
        Ok(Running { path: prepared.path, store, setup, run })
    }

    fn setup(&mut self, workload: &'static str) -> Result<(), String> {
        match self.setup.call(&mut self.store, (workload,)) {
            Ok((result,)) => result.map_err(|e| format!("setup {workload}: {e}")),
            Err(trap) => Err(format!("setup {workload} trapped: {trap:?}")),
        }
    }

    /// Times `iterations` operations of `workload`.
    fn time(&mut self, workload: &'static str, iterations: u32) -> Result<Duration, String> {
        let start = Instant::now();
        let outcome = self.run.call(&mut self.store, (workload, iterations));
        let elapsed = start.elapsed();
        match outcome {
            Ok((Ok(checksum),)) => {
                std::hint::black_box(checksum);
                Ok(elapsed)
            }
            Ok((Err(e),)) => Err(format!("run {workload}: {e}")),
            Err(trap) => Err(format!("run {workload} trapped: {trap:?}")),
        }
    }
}

/// One guest measured three ways by [`io_wrapping`].
struct WrapSection {
    /// The `figure` of its JSON rows, and the store directory's name.
    figure: &'static str,
    /// The guest's artifact name.
    guest: &'static str,
    /// The generation whose strict kv-adapt host runs it unadapted (its wasi:io is the host's).
    direct: Generation,
    /// Labels of the direct, fused and composed paths.
    labels: [&'static str; 3],
    /// (measure, N, the variable and value that ask the guest for N ops); the first, with
    /// no variable, is the base run.
    workloads: Vec<(&'static str, usize, Option<(&'static str, String)>)>,
}

/// The wrapping flavours' cost on the host's own streams, fused and composed, against the
/// same guest unadapted on kv-adapt's strict host of its own generation, all over a fresh
/// directory store:
/// - `guest-g3-async-bodies` (std, wasm32-wasip2, G3): fused is `fused-g3-on-g5-io-wasi`;
/// - `guest-g2-async-bodies` (the 2023 G2 std command with its preview1 adapter): fused is
///   `fused-g2-on-g5-io-wasi` with the preview1 adapter re-linked (`--link fused`), composed
///   keeps the guest's own preview1 adapter. Its op is one 5-byte read of an async body.
///
/// Per-op figures are (median run with N ops − median base run) ÷ N, so that key-value
/// work, instantiation and std's start-up cancel out; the base run is a row of its own.
/// Samples alternate between the paths. Returns the markdown tables.
fn io_wrapping(engine: &Engine, rounds: usize, jsonl: &mut String, notes: &mut Vec<String>) -> String {
    const LINES: usize = 1000;
    const READS: usize = 200;
    // The G2 guest reads its greeting back in 5-byte reads; it writes it in two halves with
    // `blocking-write-and-flush`, which takes at most 4096 bytes a call.
    const GREETING: usize = 8_000;
    let sections = [
        WrapSection {
            figure: "io-wrapping",
            guest: "guest-g3-async-bodies",
            direct: Generation::G3,
            labels: [
                "g3-direct (strict G3 host)",
                "g3-fused (fused-g3-on-g5-io-wasi + fs-store)",
                "g3-composed (adapter-g3-on-g5-io-wasi-stdio-clock-files + fs-store)",
            ],
            workloads: vec![
                ("base run (instantiate + main)", 1, None),
                ("stdout line, 64 B (println!)", LINES, Some(("STDOUT_LINES", LINES.to_string()))),
                ("file read, 4 KiB (std::fs::read)", READS, Some(("READ_TIMES", READS.to_string()))),
            ],
        },
        WrapSection {
            figure: "io-wrapping-g2-relinked",
            guest: "guest-g2-async-bodies",
            direct: Generation::G2,
            labels: [
                "g2-direct (strict G2 host)",
                "g2-fused (preview1 re-linked, fused-g2-on-g5-io-wasi + fs-store)",
                "g2-composed (own preview1, adapter-g2-on-g5-io-wasi-stdio-files + fs-store)",
            ],
            workloads: vec![
                ("base run (instantiate + main)", 1, None),
                ("async body read, 5 B (blocking-read)", GREETING / 5, Some(("GREETING", "g".repeat(GREETING)))),
            ],
        },
    ];
    let mut md = String::new();
    for section in &sections {
        md.push_str(&io_wrapping_section(engine, section, rounds, jsonl, notes));
        md.push('\n');
    }
    md
}

fn io_wrapping_section(engine: &Engine, section: &WrapSection, rounds: usize, jsonl: &mut String, notes: &mut Vec<String>) -> String {
    use kv_adapt::host::run::{Guest, GuestExtras, StoreSpec};
    let file = format!("{COMPONENTS}/{}.wasm", section.guest);
    let guest = match std::fs::read(&file) {
        Ok(g) => g,
        Err(e) => {
            notes.push(format!("{}: {file} not available ({e}); rows skipped", section.figure));
            return String::new();
        }
    };
    let base = store_base().join(section.figure);
    let _ = std::fs::remove_dir_all(&base);
    let data = base.join("data");
    std::fs::create_dir_all(&data).expect("bench data dir");
    std::fs::write(data.join("blob.txt"), "a".repeat(4096)).expect("bench file");
    struct PathRun {
        label: &'static str,
        component: Component,
        kv: kv_adapt::host::run::KvHost,
    }
    let mut paths = Vec::new();
    let hosts = [(section.direct, None), (Generation::G5, Some(kv_adapt::Linking::Fused)), (Generation::G5, Some(kv_adapt::Linking::Composed))];
    for (label, (host, linking)) in section.labels.into_iter().zip(hosts) {
        let store_dir = base.join(format!("store-{}-{}", host.id(), paths.len()));
        std::fs::create_dir_all(&store_dir).expect("bench store dir");
        let spec = StoreSpec::Dir(store_dir);
        let options = PlugOptions { host, linking, ..PlugOptions::default() };
        let prepared = kv_adapt::host::run::ready(section.guest, &guest, &options, &spec)
            .map_err(|e| e.to_string())
            .and_then(|ready| {
                let backend = spec.open().map_err(|e| e.to_string())?;
                let kv = kv_adapt::host::run::kv_host(&ready, &backend).map_err(|e| e.to_string())?;
                let component = Component::new(engine, &ready.component).map_err(|e| e.to_string())?;
                Ok(PathRun { label, component, kv })
            });
        match prepared {
            Ok(p) => paths.push(p),
            Err(e) => notes.push(format!("{}: {label}: {e}", section.figure)),
        }
    }
    if paths.len() != 3 {
        return String::new();
    }
    let extras_for = |ops: &Option<(&str, String)>| GuestExtras {
        env: [("READ_FILE".to_string(), "/data/blob.txt".to_string())]
            .into_iter()
            .chain(ops.as_ref().map(|(name, value)| (name.to_string(), value.clone())))
            .collect(),
        dirs: vec![(data.clone(), "/data".to_string())],
        network: kv_adapt::host::run::Network::DEFAULT,
    };
    // times[path][workload]
    let mut times = vec![vec![Vec::new(); section.workloads.len()]; paths.len()];
    for _ in 0..rounds {
        for (w, (_, _, ops)) in section.workloads.iter().enumerate() {
            let extras = extras_for(ops);
            for (p, path) in paths.iter().enumerate() {
                let guest = Guest { args: &[], extras: &extras };
                let pipes = (wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 20), wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 16));
                let start = Instant::now();
                let (mut store, instance) =
                    kv_adapt::host::run::instantiate_guest(engine, &path.component, &path.kv, &guest, Some(&pipes), &Default::default()).expect("instantiate");
                let command = wasmtime_wasi::p2::bindings::sync::Command::new(&mut store, &instance).expect("a command");
                let result = command.wasi_cli_run().call_run(&mut store).expect("run");
                times[p][w].push(start.elapsed().as_secs_f64());
                assert!(result.is_ok(), "{}: the guest failed: {}", path.label, String::from_utf8_lossy(&pipes.1.contents()));
            }
        }
    }
    let medians: Vec<Vec<f64>> = times.iter_mut().map(|per| per.iter_mut().map(|t| median(t)).collect()).collect();
    let mut md = format!(
        "`{}`: {}; {}; {}.\n\n| measure | direct (µs) | fused (µs) | composed (µs) | fused ÷ direct | composed ÷ direct |\n|---|---:|---:|---:|---:|---:|\n",
        section.guest, section.labels[0], section.labels[1], section.labels[2]
    );
    for (w, (what, n, _)) in section.workloads.iter().enumerate() {
        let per = |p: usize| if w == 0 { medians[p][0] } else { (medians[p][w] - medians[p][0]) / *n as f64 };
        let (direct, fused, composed) = (per(0), per(1), per(2));
        let _ = writeln!(
            md,
            "| {what} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            direct * 1e6,
            fused * 1e6,
            composed * 1e6,
            fused / direct,
            composed / direct
        );
        let _ = writeln!(
            jsonl,
            "{{\"figure\":{},\"measure\":{},\"direct_us\":{},\"fused_us\":{},\"wrapped_us\":{},\"fused_ratio\":{},\"ratio\":{},\"rounds\":{rounds}}}",
            js(section.figure),
            js(what),
            jf(direct * 1e6),
            jf(fused * 1e6),
            jf(composed * 1e6),
            jf(fused / direct),
            jf(composed / direct)
        );
    }
    let _ = std::fs::remove_dir_all(&base);
    md
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Interquartile range over the median: how noisy a path's samples were.
fn spread(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    let m = median(&mut v);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    if m > 0.0 {
        (q(0.75) - q(0.25)) / m
    } else {
        0.0
    }
}

/// One path's figure for one workload and host.
struct Measured {
    path: Path,
    /// Operations per sample, calibrated for this path.
    iterations: u32,
    /// Median seconds per operation.
    per_op: f64,
    spread: f64,
}

struct Row {
    samples: usize,
    measured: Vec<Measured>,
    /// Paths that failed, with the reason.
    failed: Vec<(Path, String)>,
}

impl Row {
    fn get(&self, path: Path) -> Option<&Measured> {
        self.measured.iter().find(|m| m.path == path)
    }

    fn ratio(&self, path: Path) -> Option<f64> {
        Some(self.get(path)?.per_op / self.get(Path::Direct)?.per_op)
    }
}

/// Operations of `workload` that take about `SAMPLE_TARGET` on `r`: the count grows until a
/// run takes a measurable time, then one run of the chosen count warms up and, when the
/// first estimate was inflated by a hiccup, corrects it. Returns the count and the seconds
/// per op seen.
fn calibrate(r: &mut Running, workload: &'static str) -> Result<(u32, f64), String> {
    let count_for = |per_op: f64| ((SAMPLE_TARGET.as_secs_f64() / per_op).ceil() as u32).clamp(1, 1 << 20);
    let mut n: u32 = 1;
    let per_op = loop {
        let d = r.time(workload, n)?;
        if d >= Duration::from_millis(3) || n >= 1 << 20 {
            break d.as_secs_f64() / n as f64;
        }
        n *= 4;
    };
    let iterations = count_for(per_op);
    // A single op longer than a sample already warmed up; running it again costs too much.
    if iterations == 1 {
        return Ok((1, per_op));
    }
    // The warm run's count follows from its own time, measured over `iterations` ops: a
    // first run slowed by a one-time cost (a heap's first chunk, another process) must not
    // leave samples of a few ops, whose fixed per-run cost would then count per op.
    let warm = r.time(workload, iterations)?.as_secs_f64() / iterations as f64;
    Ok((count_for(warm).max(iterations), warm.min(per_op)))
}

fn measure(engine: &Engine, prepared: &[&Prepared], workload: &'static Workload, samples: usize) -> Row {
    let mut row = Row { samples, measured: Vec::new(), failed: Vec::new() };
    let name_for = |path: Path| if path == Path::Direct { workload.direct } else { workload.name };
    // Every path gets its own fresh instance (and store directory) and its own setup.
    let mut running: Vec<(Running, u32)> = Vec::new();
    // Seconds one round of samples (every path once) takes.
    let mut round = 0.0;
    for p in prepared {
        let ready = Running::new(engine, p).and_then(|mut r| {
            let t = Instant::now();
            r.setup(name_for(p.path))?;
            let setup = t.elapsed();
            let t = Instant::now();
            let (n, per_op) = calibrate(&mut r, name_for(p.path))?;
            if setup + t.elapsed() > Duration::from_secs(1) {
                eprintln!(
                    "overhead:   {} {}: setup {:.1}s, calibration {:.1}s",
                    workload.name,
                    p.path.id(),
                    setup.as_secs_f64(),
                    t.elapsed().as_secs_f64()
                );
            }
            Ok((r, n, per_op))
        });
        match ready {
            Ok((r, n, per_op)) => {
                round += per_op * n as f64;
                running.push((r, n));
            }
            Err(e) => row.failed.push((p.path, e)),
        }
    }
    // Slow workloads (a listing of 10,000 files takes seconds) get fewer samples, at least
    // three, so the whole run stays within a few minutes.
    let samples = samples.min(((ROW_BUDGET.as_secs_f64() / round) as usize).max(3));
    row.samples = samples;
    // Samples alternate between the paths, rotating which one goes first, so that drift in
    // the machine's load hits every path alike.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); running.len()];
    let mut broken: Vec<Option<String>> = vec![None; running.len()];
    for sample in 0..samples {
        for k in 0..running.len() {
            let i = (k + sample) % running.len();
            if broken[i].is_some() {
                continue;
            }
            let (r, n) = &mut running[i];
            match r.time(name_for(r.path), *n) {
                Ok(d) => times[i].push(d.as_secs_f64() / *n as f64),
                Err(e) => broken[i] = Some(e),
            }
        }
    }
    for (i, (r, n)) in running.iter().enumerate() {
        match &broken[i] {
            Some(e) => row.failed.push((r.path, e.clone())),
            None => {
                let s = spread(&times[i]);
                row.measured.push(Measured { path: r.path, iterations: *n, per_op: median(&mut times[i]), spread: s });
            }
        }
    }
    row
}

/// Median instantiation time of each prepared component, alternating between them.
fn instantiation(engine: &Engine, prepared: &[&Prepared], rounds: usize) -> Vec<(Path, f64)> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); prepared.len()];
    for round in 0..rounds {
        for k in 0..prepared.len() {
            let i = (k + round) % prepared.len();
            let mut store = fresh_store(engine, prepared[i].host);
            let start = Instant::now();
            let instance = prepared[i].pre.instantiate(&mut store);
            let elapsed = start.elapsed();
            instance.expect("instantiate");
            // The first rounds warm caches and are not counted.
            if round >= 3 {
                times[i].push(elapsed.as_secs_f64());
            }
            drop(store);
        }
    }
    prepared.iter().zip(times.iter_mut()).map(|(p, t)| (p.path, median(t))).collect()
}

/// A JSON string literal.
fn js(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn jf(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        "null".into()
    }
}

fn ops(per_op: f64) -> String {
    let ops = 1.0 / per_op;
    if ops >= 100.0 {
        format!("{:.0}", ops)
    } else {
        format!("{:.1}", ops)
    }
}

fn verdict(value: f64, limit: f64) -> &'static str {
    if value <= limit {
        "met"
    } else {
        "missed"
    }
}

struct Args {
    out: PathBuf,
    quick: bool,
    /// `--only io-wrapping`: that section alone, printed.
    only_io_wrapping: bool,
}

fn args() -> Args {
    let mut args = Args { out: PathBuf::from("bench-results"), quick: false, only_io_wrapping: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => args.out = PathBuf::from(it.next().expect("--out needs a directory")),
            "--quick" => args.quick = true,
            "--only" => match it.next().as_deref() {
                Some("io-wrapping") => args.only_io_wrapping = true,
                other => eprintln!("overhead: --only {other:?} is not a section (known: io-wrapping)"),
            },
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            other => eprintln!("overhead: ignoring argument {other:?} (known: --out DIR, --quick, --only io-wrapping)"),
        }
    }
    args
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cores} cores, {cpu}")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn main() {
    let args = args();
    let started = Instant::now();
    let samples = if args.quick { 3 } else { 9 };
    let instantiation_rounds = if args.quick { 13 } else { 103 };
    let plug_rounds = if args.quick { 2 } else { 5 };
    let mut md = String::new();
    let mut jsonl = String::new();
    let mut notes: Vec<String> = Vec::new();
    let load_start = loadavg();

    let engine = kv_adapt::host::run::engine().expect("wasmtime engine");
    if args.only_io_wrapping {
        println!("{}", io_wrapping(&engine, if args.quick { 3 } else { 15 }, &mut jsonl, &mut notes));
        for n in &notes {
            println!("- {n}");
        }
        return;
    }

    // --- Sizes.
    let mut sizes = String::from("| adapter | bytes | with decimal config plugged |\n|---|---:|---:|\n");
    for a in ADAPTERS {
        let configured = kv_adapt::configure(&a.name(), a.bytes, CounterEncoding::Decimal).map(|c| c.len());
        let configured_text = configured.as_ref().map(|n| n.to_string()).unwrap_or_else(|e| format!("error: {e}"));
        let _ = writeln!(sizes, "| `{}` | {} | {} |", a.name(), a.bytes.len(), configured_text);
        let _ = writeln!(
            jsonl,
            "{{\"figure\":\"adapter-size\",\"adapter\":{},\"bytes\":{},\"configured_bytes\":{}}}",
            js(&a.name()),
            a.bytes.len(),
            configured.map(|n| n.to_string()).unwrap_or_else(|_| "null".into())
        );
    }
    for s in artifacts::STORES {
        let _ = writeln!(sizes, "| `{}` (store, for reference) | {} | |", s.name(), s.bytes.len());
        let _ = writeln!(jsonl, "{{\"figure\":\"store-size\",\"store\":{},\"bytes\":{}}}", js(&s.name()), s.bytes.len());
    }

    let mut composed = String::from(
        "| guest | host | bodies | guest bytes | composed bytes | composed − guest |\n|---|---|---|---:|---:|---:|\n",
    );
    let mut guests: Vec<(Path, Vec<u8>)> = Vec::new();
    for path in [Path::Direct, Path::G2, Path::G2Fused, Path::G4, Path::G4Fused] {
        match std::fs::read(path.guest_file()) {
            Ok(bytes) => guests.push((path, bytes)),
            Err(e) => notes.push(format!("{}: guest {} not available ({e}); its rows are skipped", path.id(), path.guest_file())),
        }
    }
    for (path, guest) in guests.iter().filter(|(p, _)| matches!(p, Path::G2 | Path::G4)) {
        for target in [Generation::G5, Generation::G6] {
            for bodies in [Bodies::Adapter, Bodies::Host] {
                let options = PlugOptions { host: target, counter: CounterEncoding::Decimal, bodies: Some(bodies), diagnostics: false, linking: Some(Linking::Composed), keep_wasi_versions: false, strict_atomics: false, error_sink: false, buckets: Vec::new(), onto: None };
                match kv_adapt::plug(guest, &options) {
                    Ok(c) => {
                        let extra = c.len() as i64 - guest.len() as i64;
                        let _ = writeln!(
                            composed,
                            "| {} | {} | {} | {} | {} | {} |",
                            path.id(),
                            target.id(),
                            bodies.name(),
                            guest.len(),
                            c.len(),
                            extra
                        );
                        let _ = writeln!(
                            jsonl,
                            "{{\"figure\":\"composed-overhead\",\"guest\":{},\"host\":{},\"bodies\":{},\"guest_bytes\":{},\"composed_bytes\":{},\"overhead_bytes\":{}}}",
                            js(path.id()),
                            js(target.id()),
                            js(bodies.name()),
                            guest.len(),
                            c.len(),
                            extra
                        );
                    }
                    Err(e) => notes.push(format!("plug {} onto {} ({}): {e}", path.id(), target.id(), bodies.name())),
                }
            }
        }
    }

    // --- plug on a 10 MB guest: the G2 guest with a 10 MiB custom section appended.
    let mut plug_md = String::from("| input | bytes | plug median (ms) |\n|---|---:|---:|\n");
    if let Some((_, g2)) = guests.iter().find(|(p, _)| *p == Path::G2) {
        let mut big = g2.clone();
        let padding: Vec<u8> = (0..10 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        ComponentSection::append_to_component(&CustomSection { name: "kv-adapt-bench-padding".into(), data: padding.into() }, &mut big);
        let options = PlugOptions { host: Generation::G5, counter: CounterEncoding::Decimal, bodies: Some(Bodies::Adapter), diagnostics: false, linking: None, keep_wasi_versions: false, strict_atomics: false, error_sink: false, buckets: Vec::new(), onto: None };
        for (what, input) in [("G2 bench guest", g2), ("G2 bench guest + 10 MiB custom section", &big)] {
            let mut times = Vec::new();
            for _ in 0..plug_rounds {
                let start = Instant::now();
                let out = kv_adapt::plug(input, &options).expect("plug");
                times.push(start.elapsed().as_secs_f64());
                std::hint::black_box(out);
            }
            let m = median(&mut times);
            let _ = writeln!(plug_md, "| {what} | {} | {:.1} |", input.len(), m * 1e3);
            let _ = writeln!(
                jsonl,
                "{{\"figure\":\"plug-time\",\"input\":{},\"input_bytes\":{},\"median_ms\":{},\"runs\":{}}}",
                js(what),
                input.len(),
                jf(m * 1e3),
                plug_rounds
            );
        }
    }

    // --- Compile everything once.
    let mut prepared: Vec<Prepared> = Vec::new();
    for host in HOSTS {
        let linker = linker_for(&engine, host);
        for (path, _) in &guests {
            match prepare(&engine, &linker, *path, host) {
                Ok(p) => prepared.push(p),
                Err(e) => notes.push(format!("{} on {}: skipped: {e}", path.id(), host.id())),
            }
        }
    }
    let mut compile_md = String::from("| host | path | Component::new (ms, one run) |\n|---|---|---:|\n");
    for p in &prepared {
        let _ = writeln!(compile_md, "| {} | {} | {:.0} |", p.host.id(), p.path.id(), p.compile.as_secs_f64() * 1e3);
        let _ = writeln!(
            jsonl,
            "{{\"figure\":\"compile-time\",\"host\":{},\"path\":{},\"ms\":{}}}",
            js(p.host.id()),
            js(p.path.id()),
            jf(p.compile.as_secs_f64() * 1e3)
        );
    }

    // --- Instantiation: bare G5 guest against the plugged guests, same run, alternating.
    let mut inst_md = String::from("| host | path | instantiate median (µs) | ÷ bare G5 guest |\n|---|---|---:|---:|\n");
    let mut targets_md = String::new();
    for host in HOSTS {
        let on_host: Vec<&Prepared> = prepared.iter().filter(|p| p.host == host).collect();
        let results = instantiation(&engine, &on_host, instantiation_rounds);
        let bare = results.iter().find(|(p, _)| *p == Path::Direct).map(|(_, t)| *t);
        for (path, t) in &results {
            let ratio = bare.map(|b| t / b).unwrap_or(f64::NAN);
            let _ = writeln!(inst_md, "| {} | {} | {:.1} | {:.2} |", host.id(), path.id(), t * 1e6, ratio);
            let _ = writeln!(
                jsonl,
                "{{\"figure\":\"instantiation\",\"host\":{},\"path\":{},\"median_us\":{},\"ratio_to_bare\":{},\"rounds\":{}}}",
                js(host.id()),
                js(path.id()),
                jf(t * 1e6),
                jf(ratio),
                instantiation_rounds - 3
            );
            if *path != Path::Direct && ratio.is_finite() {
                let _ = writeln!(
                    targets_md,
                    "| instantiation {} on {} | ≤ {INSTANTIATION_TARGET} | {ratio:.2} | {} |",
                    path.id(),
                    host.id(),
                    verdict(ratio, INSTANTIATION_TARGET)
                );
                let _ = writeln!(
                    jsonl,
                    "{{\"figure\":\"target\",\"what\":{},\"limit\":{},\"value\":{},\"met\":{}}}",
                    js(&format!("instantiation {} on {}", path.id(), host.id())),
                    INSTANTIATION_TARGET,
                    jf(ratio),
                    ratio <= INSTANTIATION_TARGET
                );
            }
        }
    }

    // --- Throughput.
    let has = |path: Path| prepared.iter().any(|p| p.path == path);
    let mut tp_md = String::from("| workload | host | G5 direct ops/s | G2 ops/s | G2 ÷ direct | G2 fused ops/s | G2 fused ÷ direct | G4 ops/s | G4 ÷ direct | G4 fused ops/s | G4 fused ÷ direct | ops/sample (direct/G2/G2 fused/G4/G4 fused) | noise (max IQR/median) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for host in HOSTS {
        let on_host: Vec<&Prepared> = prepared.iter().filter(|p| p.host == host).collect();
        for workload in WORKLOADS {
            let t0 = Instant::now();
            let row = measure(&engine, &on_host, workload, samples);
            for (path, e) in &row.failed {
                notes.push(format!("{} {} on {}: {e}", workload.name, path.id(), host.id()));
            }
            let cell = |path: Path| -> (String, String) {
                match row.get(path) {
                    Some(m) => (ops(m.per_op), row.ratio(path).map(|r| format!("{r:.2}")).unwrap_or_default()),
                    None if has(path) => ("failed".into(), String::new()),
                    None => ("n/a".into(), String::new()),
                }
            };
            let direct = row.get(Path::Direct).map(|m| ops(m.per_op)).unwrap_or_else(|| "failed".into());
            let counts = [Path::Direct, Path::G2, Path::G2Fused, Path::G4, Path::G4Fused]
                .map(|p| row.get(p).map(|m| m.iterations.to_string()).unwrap_or_else(|| "-".into()))
                .join("/");
            let direct_label = if workload.direct != workload.name { format!("{direct} (`{}`)", workload.direct) } else { direct };
            let (g2, g2r) = cell(Path::G2);
            let (g2f, g2fr) = cell(Path::G2Fused);
            let (g4, g4r) = cell(Path::G4);
            let (g4f, g4fr) = cell(Path::G4Fused);
            let noise = row.measured.iter().map(|m| m.spread).fold(0.0, f64::max);
            let _ = writeln!(
                tp_md,
                "| {} | {} | {direct_label} | {g2} | {g2r} | {g2f} | {g2fr} | {g4} | {g4r} | {g4f} | {g4fr} | {counts} | {:.0}% |",
                workload.name,
                host.id(),
                noise * 100.0
            );
            let direct_per_op = row.get(Path::Direct).map(|m| m.per_op);
            for m in &row.measured {
                let ratio = row.ratio(m.path).unwrap_or(f64::NAN);
                let _ = writeln!(
                    jsonl,
                    "{{\"figure\":\"throughput\",\"host\":{},\"workload\":{},\"path\":{},\"runs\":{},\"ops_per_s\":{},\"direct_ops_per_s\":{},\"ratio\":{},\"iterations\":{},\"samples\":{},\"iqr_over_median\":{}}}",
                    js(host.id()),
                    js(workload.name),
                    js(m.path.id()),
                    js(if m.path == Path::Direct { workload.direct } else { workload.name }),
                    jf(1.0 / m.per_op),
                    direct_per_op.map(|d| jf(1.0 / d)).unwrap_or_else(|| "null".into()),
                    jf(ratio),
                    m.iterations,
                    row.samples,
                    jf(m.spread)
                );
                if let (Some(limit), true) = (workload.target, m.path != Path::Direct) {
                    let what = format!("{} {} on {}", workload.name, m.path.id(), host.id());
                    let _ = writeln!(targets_md, "| {what} | ≤ {limit} | {ratio:.2} | {} |", verdict(ratio, limit));
                    let _ = writeln!(
                        jsonl,
                        "{{\"figure\":\"target\",\"what\":{},\"limit\":{limit},\"value\":{},\"met\":{}}}",
                        js(&what),
                        jf(ratio),
                        ratio <= limit
                    );
                }
            }
            eprintln!("overhead: {} on {} ({:.1}s)", workload.name, host.id(), t0.elapsed().as_secs_f64());
        }
    }

    eprintln!("overhead: io-wrapping rows");
    let wrapping_md = io_wrapping(&engine, if args.quick { 3 } else { 15 }, &mut jsonl, &mut notes);

    let total = started.elapsed();
    let load_end = loadavg();
    let _ = writeln!(md, "# kv-adapt adapter overhead\n");
    let _ = writeln!(
        md,
        "Machine: {}. Load average (1/5/15 min) at start {load_start}, at end {load_end}. Total run {:.0} s{}.\n",
        machine(),
        total.as_secs_f64(),
        if args.quick { " (--quick)" } else { "" }
    );
    let _ = writeln!(
        md,
        "One wasmtime 48 engine, one process. Paths: `g5-direct` = G5 guest calling the host; `g2-adapted` / \
         `g4-adapted` = the same workloads in a G2 / G4 guest plugged with `kv_adapt::plug` (`-io` flavour, \
         decimal counters). Hosts: `wasmtime-kv` = wasmtime-wasi-keyvalue in memory; `fs-store` = our \
         filesystem store component over a fresh directory in `{}`; `redis` = kv-adapt's G5 host over a \
         redis-server on loopback started by the bench (fresh key namespace per instance). Figures are medians of {samples} samples (at least 3 where a row would pass 4 s; the JSON has each count) taken \
         alternately after a warm-up; ratio = adapted time per op ÷ direct time per op. \
         `cas` on G5 direct is get + decode + set of a decimal counter (G5 has no CAS; not atomic). \
         Async rows: the adapted path streams the body through the adapter's wasi:io; the direct path runs \
         the sync call in brackets (G5 has no async bodies). One op of `get-many-100`/`set-many-100` is one \
         batch of 100 keys (16 B values); one op of `list-keys-10000` lists all 10,000 keys.\n",
        store_base().display()
    );
    let _ = writeln!(md, "## Throughput\n\n{tp_md}");
    let _ = writeln!(md, "## Targets\n\n| figure | target | measured | |\n|---|---|---:|---|\n{targets_md}");
    let _ = writeln!(md, "## Instantiation\n\n{inst_md}");
    let _ = writeln!(
        md,
        "## Host streams through the wrapping flavour\n\nEach guest on kv-adapt's strict host of its own generation \
         (direct) and plugged onto G5 over the filesystem store, fused and composed; per-op rows are (run with N ops − base \
         run) ÷ N (N = 1000 lines, 200 file reads, 1600 body reads). The G2 command's fused path has its preview1 adapter \
         re-linked (wasmtime 48's); its composed path keeps its own (wasmtime 15's).\n\n{wrapping_md}"
    );
    let _ = writeln!(md, "## Sizes\n\n{sizes}\n{composed}");
    let _ = writeln!(md, "## plug time\n\n{plug_md}");
    let _ = writeln!(md, "## Compile time (informational, one sample)\n\n{compile_md}");
    if !notes.is_empty() {
        let _ = writeln!(md, "## Notes\n");
        for n in &notes {
            let _ = writeln!(md, "- {n}");
        }
    }
    let _ = writeln!(
        jsonl,
        "{{\"figure\":\"run\",\"machine\":{},\"load_start\":{},\"load_end\":{},\"seconds\":{},\"samples\":{samples},\"quick\":{}}}",
        js(&machine()),
        js(&load_start),
        js(&load_end),
        jf(total.as_secs_f64()),
        args.quick
    );

    std::fs::create_dir_all(&args.out).expect("creating the output directory");
    let md_path = args.out.join("overhead.md");
    let jsonl_path = args.out.join("overhead.jsonl");
    std::fs::write(&md_path, &md).expect("writing overhead.md");
    std::fs::write(&jsonl_path, &jsonl).expect("writing overhead.jsonl");
    println!("{md}");
    println!("wrote {} and {}", md_path.display(), jsonl_path.display());
}
