//! Test harness: composes a guest built from source with kv-adapt's own code, instantiates it
//! in wasmtime 48 on a real host of the target generation, and drives it.
//!
//! Hosts: `wasmtime-wasi-keyvalue` (G5, in memory) or our filesystem store component (G5 or
//! G6) over a fresh temporary directory. Each call gets a fresh store and fresh data; the
//! compiled component is cached per (guest, setup) because compiling dominates run time.
#![allow(dead_code)]

pub mod fixture;
pub mod http;

pub use kv_adapt::{Bodies, CounterEncoding};
use kv_adapt::{Generation, Linking, PlugOptions};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

/// `wasm/guests/guest-g1-conformance`: the stream-based draft of early 2023, plain names.
pub const G1_CONFORMANCE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g1-conformance.wasm");
pub const G2_CONFORMANCE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-conformance.wasm");
pub const G2_EXAMPLE: &str = concat!(kv_adapt_test_programs::dir!(), "/g2-visit-counter.wasm");
/// `wasm/guests/guest-eventual-conformance` built with feature `g3` (wasi:keyvalue@0.1.0) or `g4`
/// (@0.2.0-draft eventual): one source, two versions.
pub const G3_CONFORMANCE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g3-conformance.wasm");
pub const G4_CONFORMANCE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g4-conformance.wasm");
/// A G4 command that prints with std (so it imports the host's WASI besides key-value).
/// `wasm/guests/guest-store-conformance` built with feature `g5` (@0.2.0-draft) or `g6`
/// (@0.2.0-draft2): today's interfaces, run natively and through the sideways adapters.
pub const G5_CONFORMANCE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-conformance.wasm");
pub const G6_CONFORMANCE: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g6-conformance.wasm");
/// A G5 command built with wasmCloud's `wasmcloud-component` bindings, not ours.
pub const G5_WASMCLOUD: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-wasmcloud-g5.wasm");
/// The G5 store component whose `delete` removes nothing (feature `deliberately-broken`).
pub const BROKEN_STORE: &str = concat!(kv_adapt_test_programs::dir!(), "/store-g5-broken.wasm");
pub const G4_PRINTLN: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g4-println.wasm");
/// A G6 command that moves a counter by signed deltas, or swaps a value through a `cas`.
#[allow(dead_code)]
pub const G6_COUNTER: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g6-counter.wasm");
/// A G5 command that GETs a URL through wasi:http's outgoing-handler and stores the body.
#[allow(dead_code)]
pub const G5_HTTP_CLIENT: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-http-client.wasm");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// wasmtime-wasi-keyvalue 48: the real G5 host, in memory, decimal counters.
    WasmtimeDraft,
    /// Our filesystem store component, built as G5.
    FsStoreDraft,
    /// Our filesystem store component, built as G6.
    FsStoreDraft2,
    /// wasmtime-wasi-keyvalue (G5), with the guest first plugged onto G6 and that result
    /// plugged back onto G5: a G5 guest through both sideways adapters.
    WasmtimeDraftViaDraft2,
    /// The G6 store, with the guest first plugged onto G5 and then back onto G6.
    FsStoreDraft2ViaDraft,
    /// kv-adapt's strict host of late-2023 `wasi:keyvalue` (G2), over a temporary directory.
    StrictG2,
    /// kv-adapt's strict host of `wasi:keyvalue@0.1.0` (G3), over a temporary directory.
    StrictG3,
    /// kv-adapt's strict host of `@0.2.0-draft` eventual (G4), over a temporary directory.
    StrictG4,
    /// kv-adapt's G5 host over a real redis-server (a fresh key namespace per instance).
    RedisDraft,
    /// kv-adapt's G6 host over the same server.
    RedisDraft2,
    /// kv-adapt's strict G2 host over the same server.
    RedisStrictG2,
    /// kv-adapt's G5 host (`src/host/today.rs`) over a temporary directory.
    DirDraft,
    /// kv-adapt's G6 host over a temporary directory.
    DirDraft2,
    /// kv-adapt's Spin host (`src/host/spin.rs`: Spin's draft2 and
    /// `fermyon:spin/key-value@2.0.0`) over a temporary directory.
    DirSpin,
    /// kv-adapt's Spin host over the redis-server.
    RedisSpin,
    /// The G5 store component built with `deliberately-broken` (its `delete` removes
    /// nothing): for showing that a harness notices.
    BrokenFsStoreDraft,
}

impl Host {
    pub fn generation(self) -> Generation {
        match self {
            Host::WasmtimeDraft | Host::FsStoreDraft | Host::WasmtimeDraftViaDraft2 | Host::RedisDraft | Host::DirDraft | Host::BrokenFsStoreDraft => Generation::G5,
            Host::FsStoreDraft2 | Host::FsStoreDraft2ViaDraft | Host::RedisDraft2 | Host::DirDraft2 => Generation::G6,
            Host::StrictG2 | Host::RedisStrictG2 => Generation::G2,
            Host::StrictG3 => Generation::G3,
            Host::StrictG4 => Generation::G4,
            Host::DirSpin | Host::RedisSpin => Generation::SpinDraft2,
        }
    }

    /// The generation a round trip passes through before coming back to `generation`.
    pub fn via(self) -> Option<Generation> {
        match self {
            Host::WasmtimeDraft
            | Host::FsStoreDraft
            | Host::FsStoreDraft2
            | Host::StrictG2
            | Host::StrictG3
            | Host::StrictG4
            | Host::RedisDraft
            | Host::RedisDraft2
            | Host::RedisStrictG2
            | Host::DirDraft
            | Host::DirDraft2
            | Host::DirSpin
            | Host::RedisSpin
            | Host::BrokenFsStoreDraft => None,
            Host::WasmtimeDraftViaDraft2 => Some(Generation::G6),
            Host::FsStoreDraft2ViaDraft => Some(Generation::G5),
        }
    }

    /// Whether the data lives in our filesystem store (composed in), not in wasmtime's host.
    pub fn is_fs_store(self) -> bool {
        match self {
            Host::WasmtimeDraft
            | Host::WasmtimeDraftViaDraft2
            | Host::StrictG2
            | Host::StrictG3
            | Host::StrictG4
            | Host::RedisDraft
            | Host::RedisDraft2
            | Host::RedisStrictG2
            | Host::DirDraft
            | Host::DirDraft2
            | Host::DirSpin
            | Host::RedisSpin => false,
            Host::FsStoreDraft | Host::FsStoreDraft2 | Host::FsStoreDraft2ViaDraft | Host::BrokenFsStoreDraft => true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Setup {
    pub host: Host,
    pub bodies: Bodies,
    pub counter: CounterEncoding,
    /// `--strict-atomics`: refuse the emulated compare-and-swap and decrement.
    pub strict_atomics: bool,
}

pub struct TestState {
    wasi: WasiCtx,
    table: ResourceTable,
    keyvalue: WasiKeyValueCtx,
    eventual: Option<kv_adapt::host::eventual::EventualCtx>,
    g2: Option<kv_adapt::host::g2::G2Host>,
    today: Option<kv_adapt::host::today::TodayCtx>,
    /// Keeps the store directory alive for as long as the instance.
    _dir: Option<tempfile::TempDir>,
    growth: MemoryGrowth,
}

/// What the instance's linear memories (guest, adapter, store: every one in the
/// composition) grew to, seen by wasmtime's resource limiter, under the caps `kv-adapt run`
/// puts on every run by default (`run::Limits`), so that every test shows those caps leave
/// room for what it does.
pub struct MemoryGrowth {
    /// Bytes of linear memory across all memories of the instance, initial size included.
    pub total: usize,
    /// The largest single memory.
    pub largest: usize,
    caps: wasmtime::StoreLimits,
}

impl Default for MemoryGrowth {
    fn default() -> Self {
        MemoryGrowth { total: 0, largest: 0, caps: kv_adapt::host::run::Limits::default().store_limits() }
    }
}

impl wasmtime::ResourceLimiter for MemoryGrowth {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let granted = self.caps.memory_growing(current, desired, maximum)?;
        if granted {
            self.total += desired - current;
            self.largest = self.largest.max(desired);
        }
        Ok(granted)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.caps.table_growing(current, desired, maximum)
    }
}

impl WasiView for TestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| kv_adapt::host::run::engine().expect("wasmtime engine"))
}

/// Key-value import names a composed component may keep for `setup`: the target generation's,
/// plus the guest's wasi:io when the host serves it (rc-2023-11-10 for G2, 0.2.x for G3/G4).
fn allowed_import(setup: Setup, name: &str) -> bool {
    // A wrapping adapter imports the host's wasi:io and the groups it wraps, at its front's
    // release (rc-2023-11-10 for G2, 0.2.0 for G3/G4).
    if matches!(setup.bodies, Bodies::Wrapping(_))
        && ["wasi:io/", "wasi:cli/std", "wasi:clocks/", "wasi:filesystem/"].iter().any(|p| name.starts_with(p))
        && (name.ends_with("@0.2.0") || name.ends_with("@0.2.0-rc-2023-11-10"))
    {
        return true;
    }
    let io = setup.bodies == Bodies::Host
        && name.strip_prefix("wasi:io/").and_then(|rest| rest.split_once('@')).is_some_and(|(_, version)| {
            version == "0.2.0-rc-2023-11-10" || (version.starts_with("0.2.") && !version.contains('-'))
        });
    target_keyvalue_import(setup, name) || io
}

/// What a component importing G2 may import of it (no version).
const G2_INTERFACES: [&str; 5] = ["types", "wasi-cloud-error", "readwrite", "atomic", "batch"];

/// What a component importing the eventual shape may import of it.
const EVENTUAL_INTERFACES: [&str; 5] = ["types", "wasi-keyvalue-error", "eventual", "atomic", "eventual-batch"];

/// One of the target generation's key-value interfaces.
fn target_keyvalue_import(setup: Setup, name: &str) -> bool {
    let (version, interfaces): (&str, &[&str]) = match setup.host.generation() {
        Generation::G3 => ("0.1.0", &EVENTUAL_INTERFACES),
        Generation::G4 => ("0.2.0-draft", &EVENTUAL_INTERFACES),
        Generation::G5 => ("0.2.0-draft", &["store", "atomics", "batch"]),
        Generation::G6 => ("0.2.0-draft2", &["store", "atomics", "batch"]),
        // Spin serves upstream G6's store and atomics as they are; a `batch` import must be
        // Spin's own (checked by `assert_spin_shape`), and its own key-value interface.
        Generation::SpinDraft2 => {
            return ["store", "atomics", "batch"].iter().any(|i| name == format!("wasi:keyvalue/{i}@0.2.0-draft2"))
                || name == "fermyon:spin/key-value@2.0.0"
                || name == "fermyon:spin/key-value"
        }
        Generation::G2 => return G2_INTERFACES.iter().any(|i| name == format!("wasi:keyvalue/{i}")),
        // wasmCloud 2 serves G5 to WASI 0.2 components, and its own package.
        Generation::Wasmcloud2 => {
            return ["store", "atomics", "batch"].iter().any(|i| name == format!("wasi:keyvalue/{i}@0.2.0-draft"))
                || name.starts_with("wasmcloud:keyvalue/") && name.ends_with("@0.2.0")
        }
        Generation::G1 | Generation::Spin2 | Generation::Spin1 | Generation::Spin3 => panic!("no test host speaks {:?}", setup.host),
    };
    interfaces.iter().any(|i| name == format!("wasi:keyvalue/{i}@{version}"))
}

/// Imports a plugged command may keep: the target key-value interfaces and any WASI that is
/// not key-value (the command's own, served by the host).
fn allowed_command_import(setup: Setup, name: &str) -> bool {
    target_keyvalue_import(setup, name) || (name.starts_with("wasi:") && !name.starts_with("wasi:keyvalue/"))
}

/// Plugs `guest` for `setup` and checks the import surface of the result.
pub fn plug(guest: &[u8], setup: Setup) -> Vec<u8> {
    plug_linked(guest, setup, None, false)
}

/// [`plug`] fused or composed as `linking` says (`None`: as `plug` decides), exporting the
/// adapter's diagnostics when asked.
pub fn plug_linked(guest: &[u8], setup: Setup, linking: Option<Linking>, diagnostics: bool) -> Vec<u8> {
    let options = PlugOptions { host: setup.host.generation(), counter: setup.counter, bodies: Some(setup.bodies), diagnostics, linking, keep_wasi_versions: true, strict_atomics: setup.strict_atomics, error_sink: false, buckets: Vec::new(), onto: None };
    let there = match setup.host.via() {
        Some(via) => {
            let there = PlugOptions { host: via, ..options.clone() };
            std::borrow::Cow::Owned(kv_adapt::plug(guest, &there).unwrap_or_else(|e| panic!("plug onto {via:?} failed for {setup:?}: {e}")))
        }
        None => std::borrow::Cow::Borrowed(guest),
    };
    let plugged = kv_adapt::plug(&there, &options).unwrap_or_else(|e| panic!("plug failed for {setup:?}: {e}"));
    let surface = kv_adapt::surface("plugged", &plugged).expect("plugged component is valid");
    let stray: Vec<_> = surface.imports.iter().filter(|n| !allowed_import(setup, n)).collect();
    assert!(stray.is_empty(), "{setup:?}: composed component imports {stray:?}");
    assert_spin_shape(setup, &surface);
    plugged
}

/// The runnable component for `guest` on `setup`: plugged, with the store composed in for
/// the filesystem hosts, and rc-2023-11-10 WASI names moved to 0.2.0.
pub fn prepare(guest: &[u8], setup: Setup) -> Vec<u8> {
    prepare_linked(guest, setup, None, false)
}

/// [`prepare`] with [`plug_linked`]'s choices.
pub fn prepare_linked(guest: &[u8], setup: Setup, linking: Option<Linking>, diagnostics: bool) -> Vec<u8> {
    let plugged = plug_linked(guest, setup, linking, diagnostics);
    let hosted = if setup.host == Host::BrokenFsStoreDraft {
        let bytes = std::fs::read(BROKEN_STORE).expect("the broken store is built");
        let store = kv_adapt::configure("store-g5-broken", &bytes, setup.counter).expect("configure the broken store");
        let socket = kv_adapt::link::compose::Part { name: "component", bytes: &plugged };
        kv_adapt::link::compose::plug_into(socket, &[kv_adapt::link::compose::Part { name: "store-g5-broken", bytes: &store }])
            .expect("compose the broken store")
    } else if setup.host.is_fs_store() {
        kv_adapt::attach_store(&plugged, setup.host.generation(), setup.counter).expect("attach store")
    } else {
        plugged
    };
    kv_adapt::rewire_rc_wasi(&hosted).expect("rewire rc imports")
}

fn compiled(guest_path: &str, setup: Setup) -> Component {
    static CACHE: OnceLock<Mutex<HashMap<(String, Setup), Component>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(component) = cache.lock().unwrap().get(&(guest_path.to_string(), setup)) {
        return component.clone();
    }
    let guest = std::fs::read(guest_path).unwrap_or_else(|e| panic!("reading {guest_path}: {e}"));
    let component = Component::new(engine(), prepare(&guest, setup)).expect("compile composed component");
    cache.lock().unwrap().insert((guest_path.to_string(), setup), component.clone());
    component
}

/// A fresh instance of a component made by [`prepare_linked`], on `setup`, with empty data.
pub fn instantiate_prepared(component: &Component, setup: Setup) -> (Store<TestState>, wasmtime::component::Instance) {
    instantiate_component(component, setup, None)
}

/// A fresh instance of `guest_path` on `setup`, with empty data.
pub fn instantiate(guest_path: &str, setup: Setup) -> (Store<TestState>, wasmtime::component::Instance) {
    let component = compiled(guest_path, setup);
    instantiate_component(&component, setup, None)
}

/// Instantiates `component` on `host` with empty data; stdout goes to `stdout` when given
/// (else to the test's stdout for the filesystem hosts, nowhere for wasmtime's).
fn instantiate_component(
    component: &Component,
    setup: Setup,
    stdout: Option<MemoryOutputPipe>,
) -> (Store<TestState>, wasmtime::component::Instance) {
    let (host, counter) = (setup.host, setup.counter);
    let mut linker: Linker<TestState> = Linker::new(engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("wasi in linker");
    let mut builder = WasiCtx::builder();
    let dir = match host {
        Host::WasmtimeDraft | Host::WasmtimeDraftViaDraft2 => {
            wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |s: &mut TestState| {
                WasiKeyValue::new(&s.keyvalue, &mut s.table)
            })
            .expect("keyvalue in linker");
            builder.inherit_stderr();
            None
        }
        Host::StrictG2 => {
            fn view(s: &mut TestState) -> kv_adapt::host::g2::G2View<'_> {
                let host = s.g2.as_mut().expect("strict G2 host state");
                kv_adapt::host::g2::G2View { host, table: &mut s.table }
            }
            kv_adapt::host::g2::add_to_linker(&mut linker, view).expect("strict G2 host in linker");
            builder.inherit_stderr();
            Some(store_dir())
        }
        Host::RedisDraft | Host::RedisDraft2 | Host::DirDraft | Host::DirDraft2 => {
            fn view(s: &mut TestState) -> kv_adapt::host::today::TodayView<'_> {
                let ctx = s.today.as_ref().expect("G5/G6 host context");
                kv_adapt::host::today::TodayView { ctx, table: &mut s.table }
            }
            match host.generation() {
                Generation::G5 => kv_adapt::host::today::g5::add_to_linker(&mut linker, view),
                _ => kv_adapt::host::today::g6::add_to_linker(&mut linker, view),
            }
            .expect("G5/G6 host in linker");
            builder.inherit_stderr();
            // On Redis the data lives in the server; on a directory, in one made here.
            matches!(host, Host::DirDraft | Host::DirDraft2).then(|| store_dir())
        }
        Host::DirSpin | Host::RedisSpin => {
            fn view(s: &mut TestState) -> kv_adapt::host::today::TodayView<'_> {
                let ctx = s.today.as_ref().expect("Spin host context");
                kv_adapt::host::today::TodayView { ctx, table: &mut s.table }
            }
            kv_adapt::host::spin::add_to_linker(&mut linker, view).expect("Spin host in linker");
            builder.inherit_stderr();
            (host == Host::DirSpin).then(|| store_dir())
        }
        Host::RedisStrictG2 => {
            fn view(s: &mut TestState) -> kv_adapt::host::g2::G2View<'_> {
                let host = s.g2.as_mut().expect("strict G2 host state");
                kv_adapt::host::g2::G2View { host, table: &mut s.table }
            }
            kv_adapt::host::g2::add_to_linker(&mut linker, view).expect("strict G2 host in linker");
            builder.inherit_stderr();
            None
        }
        Host::StrictG3 | Host::StrictG4 => {
            fn view(s: &mut TestState) -> kv_adapt::host::eventual::EventualView<'_> {
                let ctx = s.eventual.as_ref().expect("strict host context");
                kv_adapt::host::eventual::EventualView { ctx, table: &mut s.table }
            }
            match host.generation() {
                Generation::G3 => kv_adapt::host::eventual::g3::add_to_linker(&mut linker, view),
                _ => kv_adapt::host::eventual::g4::add_to_linker(&mut linker, view),
            }
            .expect("strict host in linker");
            builder.inherit_stderr();
            Some(store_dir())
        }
        Host::FsStoreDraft | Host::FsStoreDraft2 | Host::FsStoreDraft2ViaDraft | Host::BrokenFsStoreDraft => {
            let dir = store_dir();
            builder
                .inherit_stdio()
                .preopened_dir(dir.path(), kv_adapt::host::run::STORE_GUEST_PATH, FsPerms::ReadWrite)
                .expect("preopen the store directory");
            Some(dir)
        }
    };
    if let Some(pipe) = stdout {
        builder.stdout(pipe);
    }
    let eventual = match host {
        Host::StrictG3 | Host::StrictG4 => {
            let root = dir.as_ref().expect("strict hosts have a directory").path();
            Some(kv_adapt::host::eventual::EventualCtx::new(root, counter))
        }
        _ => None,
    };
    let g2 = match host {
        Host::StrictG2 => Some(kv_adapt::host::g2::G2Host::new(dir.as_ref().expect("strict hosts have a directory").path(), counter)),
        Host::RedisStrictG2 => Some(kv_adapt::host::g2::G2Host::on(fresh_redis(), counter)),
        _ => None,
    };
    let today = match host {
        Host::RedisDraft | Host::RedisDraft2 => Some(kv_adapt::host::today::TodayCtx::on(fresh_redis(), counter)),
        Host::DirDraft | Host::DirDraft2 => {
            let root = dir.as_ref().expect("the directory hosts have a directory").path().to_path_buf();
            Some(kv_adapt::host::today::TodayCtx::on(kv_adapt::store::backend::Backend::Dir(root), counter))
        }
        Host::RedisSpin => Some(kv_adapt::host::today::TodayCtx::spin(fresh_redis(), counter)),
        Host::DirSpin => {
            let root = dir.as_ref().expect("the directory hosts have a directory").path().to_path_buf();
            Some(kv_adapt::host::today::TodayCtx::spin(kv_adapt::store::backend::Backend::Dir(root), counter))
        }
        _ => None,
    };
    let state = TestState {
        wasi: builder.build(),
        table: ResourceTable::new(),
        keyvalue: WasiKeyValueCtxBuilder::new().build(),
        eventual,
        g2,
        today,
        _dir: dir,
        growth: MemoryGrowth::default(),
    };
    let mut store = Store::new(engine(), state);
    store.limiter(|s| &mut s.growth);
    let instance = linker.instantiate(&mut store, component).expect("instantiate");
    (store, instance)
}

/// A fresh, empty directory for a test's store: in memory (`/dev/shm`) where the machine
/// has it, since the stores write a file per key and lock files per write.
pub fn store_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let made = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() };
    made.expect("a temporary store directory")
}

/// A fresh, empty key namespace on the test process's redis-server (started on first use).
pub fn fresh_redis() -> kv_adapt::store::backend::Backend {
    use kv_adapt::store::redis::{test_server, RedisStore, RedisUrl};
    let url = RedisUrl::parse(&test_server::shared().url()).expect("the test server's URL parses");
    let server = RedisStore::connect(&url).expect("connect to the test redis-server");
    let space = server.with_namespace(&test_server::fresh_namespace()).expect("a namespace on the test redis-server");
    kv_adapt::store::backend::Backend::Redis(std::sync::Arc::new(space))
}

/// Runs conformance case `case` of the guest at `guest_path` on a fresh instance.
pub fn run_case(guest_path: &str, setup: Setup, case: &str) -> Result<(), String> {
    run_case_keeping_store(guest_path, setup, case).0
}

/// [`run_case`], handing back the store so that a test can look at the host afterwards.
pub fn run_case_keeping_store(guest_path: &str, setup: Setup, case: &str) -> (Result<(), String>, Store<TestState>) {
    run_case_configured(guest_path, setup, case, |_| {})
}

/// [`run_case_keeping_store`] on a store that `configure` may change first (e.g. its
/// handle limit).
pub fn run_case_configured(
    guest_path: &str,
    setup: Setup,
    case: &str,
    configure: impl FnOnce(&mut Store<TestState>),
) -> (Result<(), String>, Store<TestState>) {
    run_case_in(instantiate(guest_path, setup), case, configure)
}

/// [`run_case_configured`] with the adapter fused or composed as `linking` says, where a
/// test pins what one of the two does.
pub fn run_case_linked(
    guest_path: &str,
    setup: Setup,
    linking: Linking,
    case: &str,
    configure: impl FnOnce(&mut Store<TestState>),
) -> (Result<(), String>, Store<TestState>) {
    let guest = std::fs::read(guest_path).unwrap_or_else(|e| panic!("reading {guest_path}: {e}"));
    let component = Component::new(engine(), prepare_linked(&guest, setup, Some(linking), false)).expect("compile");
    run_case_in(instantiate_prepared(&component, setup), case, configure)
}

fn run_case_in(
    (mut store, instance): (Store<TestState>, wasmtime::component::Instance),
    case: &str,
    configure: impl FnOnce(&mut Store<TestState>),
) -> (Result<(), String>, Store<TestState>) {
    configure(&mut store);
    let iface = instance
        .get_export_index(&mut store, None, "kv-adapt:components/conformance")
        .expect("guest exports conformance");
    let func = instance.get_export_index(&mut store, Some(&iface), "run").expect("conformance.run");
    let run = instance
        .get_typed_func::<(&str,), (Result<(), String>,)>(&mut store, &func)
        .expect("conformance.run type");
    let result = match run.call(&mut store, (case,)) {
        Ok((result,)) => result,
        Err(trap) => Err(format!("trapped: {trap:?}")),
    };
    (result, store)
}

impl TestState {
    /// How far the instance's linear memories grew.
    pub fn memory_growth(&self) -> &MemoryGrowth {
        &self.growth
    }

    /// The strict G2 host's live handles by kind (buckets, outgoing, incoming, errors).
    pub fn g2_live_handles(&self) -> Option<[usize; 4]> {
        self.g2.as_ref().map(|host| host.live_handles())
    }
}

/// Runs case `case` of the conformance guest at `guest_path` on `setup` and fails the
/// test with the guest's message if it does not pass.
pub fn check_case(guest_path: &str, setup: Setup, case: &str) {
    let guest = std::path::Path::new(guest_path).file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    let result = run_case(guest_path, setup, case);
    assert_eq!(result, Ok(()), "{guest} case `{case}` on {setup:?}");
}

/// `conformance_tests!(guest_path, module, setup; test_fn => "case-name", ...)`: a module
/// of tests, one per case of the conformance guest at `guest_path`, all on `setup`. The
/// module's `CASES` lists the case names, for coverage checks.
#[allow(unused_macros)]
macro_rules! conformance_tests {
    ($guest:expr, $module:ident, $setup:expr; $($test:ident => $case:literal),* $(,)?) => {
        pub mod $module {
            use super::*;
            const SETUP: $crate::common::Setup = $setup;
            /// The case names this module runs.
            pub const CASES: &[&str] = &[$($case),*];
            $(
                #[test]
                fn $test() {
                    $crate::common::check_case($guest, SETUP, $case);
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use conformance_tests;

/// The case names a conformance guest knows, from its refusal of an unknown case.
pub fn guest_cases(guest_path: &str, setup: Setup) -> Vec<String> {
    let message = run_case(guest_path, setup, "no-such-case").expect_err("an unknown case must be refused");
    kv_adapt::check::conformance::known_cases(&message).expect("the guest lists its cases")
}

/// Runs the command at `guest_path` on `setup.host`: plugged with the flavour `plug` picks
/// by itself (`bodies: None`), which must be `setup.bodies` when it adapts anything; with the filesystem store
/// composed in for those hosts. Returns whether `wasi:cli/run` returned `ok` (or the
/// command exited with 0) and what it printed to stdout.
pub fn run_command(guest_path: &str, setup: Setup) -> (bool, String) {
    let guest = std::fs::read(guest_path).unwrap_or_else(|e| panic!("reading {guest_path}: {e}"));
    let options = PlugOptions { host: setup.host.generation(), counter: setup.counter, bodies: None, diagnostics: false, linking: None, keep_wasi_versions: true, strict_atomics: setup.strict_atomics, error_sink: false, buckets: Vec::new(), onto: None };
    let plugged =
        kv_adapt::plug_named(guest_path, &guest, &options).unwrap_or_else(|e| panic!("plug failed for {setup:?}: {e}"));
    match &plugged.plan {
        kv_adapt::Plan::Adapt { bodies, .. } => {
            assert_eq!(*bodies, setup.bodies, "{setup:?}: plug chose another body flavour ({})", plugged.plan)
        }
        // A guest already speaking the host's generation runs as it is: the baseline.
        kv_adapt::Plan::Unchanged { .. } => {}
    }
    let surface = kv_adapt::surface("plugged", &plugged.component).expect("plugged component is valid");
    let stray: Vec<_> = surface.imports.iter().filter(|n| !allowed_command_import(setup, n)).collect();
    assert!(stray.is_empty(), "{setup:?}: composed command imports {stray:?}");
    assert_spin_shape(setup, &surface);
    let hosted = if setup.host.is_fs_store() {
        kv_adapt::attach_store(&plugged.component, setup.host.generation(), setup.counter).expect("attach store")
    } else {
        plugged.component
    };
    let prepared = kv_adapt::rewire_rc_wasi(&hosted).expect("rewire rc imports");
    let component = Component::new(engine(), prepared).expect("compile composed command");

    let stdout = MemoryOutputPipe::new(1 << 20);
    let (mut store, instance) = instantiate_component(&component, setup, Some(stdout.clone()));
    let run_name = component
        .component_type()
        .exports(engine())
        .map(|(name, _)| name.to_string())
        .find(|name| name.strip_prefix("wasi:cli/run@").is_some_and(|v| v.starts_with("0.2.")))
        .unwrap_or_else(|| panic!("{guest_path} exports no wasi:cli/run@0.2.x"));
    let iface = instance.get_export_index(&mut store, None, &run_name).expect("wasi:cli/run export");
    let func = instance.get_export_index(&mut store, Some(&iface), "run").expect("wasi:cli/run#run");
    let run = instance.get_typed_func::<(), (Result<(), ()>,)>(&mut store, &func).expect("wasi:cli/run#run type");
    let succeeded = match run.call(&mut store, ()) {
        Ok((result,)) => result.is_ok(),
        // `exit` surfaces as an I32Exit error, not as a return.
        Err(error) => match error.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => exit.0 == 0,
            None => panic!("{guest_path} on {setup:?} trapped: {error:?}"),
        },
    };
    (succeeded, String::from_utf8_lossy(&stdout.contents()).into_owned())
}

/// A host with no kv-adapt code in it: wasmtime 48's own wasmtime-wasi and
/// wasmtime-wasi-keyvalue.
pub struct StockHost {
    wasi: WasiCtx,
    keyvalue: WasiKeyValueCtx,
    table: ResourceTable,
}

impl WasiView for StockHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Runs `component` as a command on [`StockHost`], its WASI built by `configure` with
/// stdout captured; what `run` returned and what it printed.
/// `component` instantiated on wasmtime-wasi and wasmtime-wasi-keyvalue alone, with
/// nothing configured: for components that export plain functions.
#[allow(dead_code)]
pub fn stock_instance(component: &[u8]) -> (Store<StockHost>, wasmtime::component::Instance) {
    let engine = engine();
    let component = Component::new(engine, component).unwrap();
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |h: &mut StockHost| WasiKeyValue::new(&h.keyvalue, &mut h.table)).unwrap();
    let state = StockHost { wasi: WasiCtx::builder().build(), keyvalue: WasiKeyValueCtxBuilder::new().build(), table: ResourceTable::new() };
    let mut store = Store::new(engine, state);
    let instance = linker.instantiate(&mut store, &component).expect("links against wasmtime-wasi and wasmtime-wasi-keyvalue");
    (store, instance)
}

pub fn run_on_stock_wasmtime(component: &[u8], configure: impl FnOnce(&mut wasmtime_wasi::WasiCtxBuilder)) -> (Result<(), ()>, String) {
    run_on_stock_wasmtime_with(component, &[], configure)
}

/// [`run_on_stock_wasmtime`] with `data` in wasmtime-wasi-keyvalue's bucket `""`.
pub fn run_on_stock_wasmtime_with(
    component: &[u8],
    data: &[(&str, &str)],
    configure: impl FnOnce(&mut wasmtime_wasi::WasiCtxBuilder),
) -> (Result<(), ()>, String) {
    let engine = engine();
    let component = Component::new(engine, component).unwrap();
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |h: &mut StockHost| WasiKeyValue::new(&h.keyvalue, &mut h.table)).unwrap();
    let stdout = MemoryOutputPipe::new(1 << 16);
    let mut wasi = WasiCtx::builder();
    wasi.stdout(stdout.clone());
    configure(&mut wasi);
    let keyvalue = WasiKeyValueCtxBuilder::new().in_memory_data(data.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))).build();
    let state = StockHost { wasi: wasi.build(), keyvalue, table: ResourceTable::new() };
    let mut store = Store::new(engine, state);
    let command = wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker).expect("a wasi:cli/command");
    let ran = command.wasi_cli_run().call_run(&mut store).expect("run returns");
    (ran, String::from_utf8(stdout.contents().to_vec()).unwrap())
}

/// On a Spin host, a plugged component may import `wasi:keyvalue/batch@0.2.0-draft2` only
/// with Spin's type (a guest of Spin's draft2, natively): never upstream G6's, which Spin
/// does not serve under that name.
pub fn assert_spin_shape(setup: Setup, surface: &kv_adapt::Surface) {
    if setup.host.generation() == Generation::SpinDraft2 {
        assert!(
            !kv_adapt::plan::imports_batch(surface, Generation::G6),
            "{setup:?}: the plug imports upstream G6's batch, which Spin does not serve"
        );
    }
}
