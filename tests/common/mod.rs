//! Test harness: composes a guest built from source with kv-adapt's own code, instantiates it
//! in wasmtime 48 on a real host of the target generation, and drives it.
//!
//! Hosts: `wasmtime-wasi-keyvalue` (G5, in memory) or our filesystem store component (G5 or
//! G6) over a fresh temporary directory. Each call gets a fresh store and fresh data; the
//! compiled component is cached per (guest, setup) because compiling dominates run time.
#![allow(dead_code)]

pub use kv_adapt::{Bodies, CounterEncoding};
use kv_adapt::{Generation, PlugOptions};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

pub const G2_CONFORMANCE: &str = concat!(env!("KV_ADAPT_TEST_COMPONENTS"), "/guest-g2-conformance.wasm");
pub const G2_EXAMPLE: &str = concat!(env!("KV_ADAPT_TEST_COMPONENTS"), "/g2-visit-counter.wasm");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// wasmtime-wasi-keyvalue 48: the real G5 host, in memory, decimal counters.
    WasmtimeDraft,
    /// Our filesystem store component, built as G5.
    FsStoreDraft,
    /// Our filesystem store component, built as G6.
    FsStoreDraft2,
}

impl Host {
    pub fn generation(self) -> Generation {
        match self {
            Host::WasmtimeDraft | Host::FsStoreDraft => Generation::G5,
            Host::FsStoreDraft2 => Generation::G6,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Setup {
    pub host: Host,
    pub bodies: Bodies,
    pub counter: CounterEncoding,
}

pub struct TestState {
    wasi: WasiCtx,
    table: ResourceTable,
    keyvalue: WasiKeyValueCtx,
    /// Keeps the store directory alive for as long as the instance.
    _dir: Option<tempfile::TempDir>,
}

impl WasiView for TestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| kv_adapt::run::engine().expect("wasmtime engine"))
}

/// Key-value import names a composed component may keep for `setup`: the target generation's,
/// plus the guest's wasi:io when the host serves it.
fn allowed_import(setup: Setup, name: &str) -> bool {
    let version = match setup.host.generation() {
        Generation::G5 => "0.2.0-draft",
        _ => "0.2.0-draft2",
    };
    let keyvalue = ["store", "atomics", "batch"].iter().any(|i| name == format!("wasi:keyvalue/{i}@{version}"));
    let io = setup.bodies == Bodies::Host && name.starts_with("wasi:io/") && name.ends_with("@0.2.0-rc-2023-11-10");
    keyvalue || io
}

/// Plugs `guest` for `setup` and checks the import surface of the result.
pub fn plug(guest: &[u8], setup: Setup) -> Vec<u8> {
    let options = PlugOptions { host: setup.host.generation(), counter: setup.counter, bodies: Some(setup.bodies) };
    let plugged = kv_adapt::plug(guest, &options).unwrap_or_else(|e| panic!("plug failed for {setup:?}: {e}"));
    let surface = kv_adapt::compose::surface("plugged", &plugged).expect("plugged component is valid");
    let stray: Vec<_> = surface.imports.iter().filter(|n| !allowed_import(setup, n)).collect();
    assert!(stray.is_empty(), "{setup:?}: composed component imports {stray:?}");
    plugged
}

/// The runnable component for `guest` on `setup`: plugged, with the store composed in for
/// the filesystem hosts, and rc-2023-11-10 WASI names moved to 0.2.0.
pub fn prepare(guest: &[u8], setup: Setup) -> Vec<u8> {
    let plugged = plug(guest, setup);
    let hosted = match setup.host {
        Host::WasmtimeDraft => plugged,
        Host::FsStoreDraft | Host::FsStoreDraft2 => {
            kv_adapt::attach_store(&plugged, setup.host.generation(), setup.counter).expect("attach store")
        }
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

/// A fresh instance of `guest_path` on `setup`, with empty data.
pub fn instantiate(guest_path: &str, setup: Setup) -> (Store<TestState>, wasmtime::component::Instance) {
    let component = compiled(guest_path, setup);
    let mut linker: Linker<TestState> = Linker::new(engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("wasi in linker");
    let (wasi, dir) = match setup.host {
        Host::WasmtimeDraft => {
            wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |s: &mut TestState| {
                WasiKeyValue::new(&s.keyvalue, &mut s.table)
            })
            .expect("keyvalue in linker");
            (WasiCtx::builder().inherit_stderr().build(), None)
        }
        Host::FsStoreDraft | Host::FsStoreDraft2 => {
            let dir = tempfile::tempdir().expect("temp dir");
            (kv_adapt::run::wasi_ctx(dir.path(), &[]).expect("wasi ctx"), Some(dir))
        }
    };
    let state = TestState { wasi, table: ResourceTable::new(), keyvalue: WasiKeyValueCtxBuilder::new().build(), _dir: dir };
    let mut store = Store::new(engine(), state);
    let instance = linker.instantiate(&mut store, &component).expect("instantiate");
    (store, instance)
}

/// Runs conformance case `case` of the guest at `guest_path` on a fresh instance.
pub fn run_case(guest_path: &str, setup: Setup, case: &str) -> Result<(), String> {
    let (mut store, instance) = instantiate(guest_path, setup);
    let iface = instance
        .get_export_index(&mut store, None, "kv-adapt:components/conformance")
        .expect("guest exports conformance");
    let func = instance.get_export_index(&mut store, Some(&iface), "run").expect("conformance.run");
    let run = instance
        .get_typed_func::<(&str,), (Result<(), String>,)>(&mut store, &func)
        .expect("conformance.run type");
    match run.call(&mut store, (case,)) {
        Ok((result,)) => result,
        Err(trap) => Err(format!("trapped: {trap:?}")),
    }
}
