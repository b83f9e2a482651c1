//! The embedded runner behind `kv-adapt run`: wasmtime 48 with WASI 0.2, a preopened store
//! directory, and a call to the component's `wasi:cli/run` export.

use anyhow::{anyhow, bail, Context};
use std::path::{Path, PathBuf};
use wasmtime::component::{Component, Instance, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::hosts::eventual::{EventualCtx, EventualView};
use crate::hosts::g2::{G2Host, G2View};
use crate::{CounterEncoding, Generation, Plan, PlugOptions};

/// Where the filesystem store finds its root inside the guest.
pub const STORE_GUEST_PATH: &str = "/kv-data";

pub struct RunOptions {
    pub plug: PlugOptions,
    pub store_dir: PathBuf,
    /// Arguments the guest sees, program name first.
    pub args: Vec<String>,
}

/// Host state for one run: WASI, its resource table, and the strict eventual host when
/// the run is on G3 or G4.
pub struct HostState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub eventual: Option<EventualCtx>,
    pub g2: Option<G2Host>,
}

/// Who serves the key-value interfaces of a run on `host`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// The filesystem store component, composed in: G5 and G6.
    StoreComponent,
    /// kv-adapt's strict hosts, in the embedder: G2, G3 and G4.
    Strict(Generation),
}

/// How `run` serves `host`, or why it cannot.
pub fn served(host: Generation) -> crate::Result<Served> {
    match host {
        Generation::G5 | Generation::G6 => Ok(Served::StoreComponent),
        Generation::G2 | Generation::G3 | Generation::G4 => Ok(Served::Strict(host)),
        Generation::G1 => {
            Err(crate::Error::NoHost { target: host, built_in: crate::artifacts::BUILT_IN_HOSTS })
        }
    }
}

/// Adds the strict host for `generation` to `linker`, reading `HostState::eventual` or
/// `HostState::g2`.
pub fn add_strict_host(linker: &mut Linker<HostState>, generation: Generation) -> anyhow::Result<()> {
    fn view(state: &mut HostState) -> EventualView<'_> {
        let ctx = state.eventual.as_ref().expect("a strict host run sets HostState::eventual");
        EventualView { ctx, table: &mut state.table }
    }
    fn g2_view(state: &mut HostState) -> G2View<'_> {
        let host = state.g2.as_mut().expect("a strict G2 run sets HostState::g2");
        G2View { host, table: &mut state.table }
    }
    match generation {
        Generation::G2 => crate::hosts::g2::add_to_linker(linker, g2_view)?,
        Generation::G3 => crate::hosts::eventual::g3::add_to_linker(linker, view)?,
        Generation::G4 => crate::hosts::eventual::g4::add_to_linker(linker, view)?,
        Generation::G1 | Generation::G5 | Generation::G6 => {
            anyhow::bail!("no strict host for {generation}")
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
    let mut config = Config::new();
    config.wasm_component_model(true);
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
    let served = served(plug.host)?;
    let plugged = crate::plug_named(name, bytes, plug)?;
    Ok(match served {
        Served::StoreComponent => bundle_store(&plugged.component, plug)?,
        Served::Strict(_) => crate::rewire_rc_wasi(&plugged.component)?,
    })
}

/// Composes the filesystem store into an already plugged component and moves its
/// rc-2023-11-10 WASI names to 0.2.0: the result needs nothing but a WASI 0.2 host.
pub fn bundle_store(plugged: &[u8], plug: &PlugOptions) -> crate::Result<Vec<u8>> {
    let with_store = crate::attach_store(plugged, plug.host, plug.counter)?;
    crate::rewire_rc_wasi(&with_store)
}

/// What `run` did: the plan that made the component runnable, and how the guest ended.
pub struct RunReport {
    pub plan: Plan,
    pub ran: Ran,
}

/// How a guest's `wasi:cli/run` ended.
pub struct Ran {
    /// `run` returned `ok`, or the guest called `exit(0)`.
    pub succeeded: bool,
    /// The newest error traces the adapter handed to the guest, oldest first; `None` when
    /// the component has no adapter diagnostics (a native guest, or one plugged elsewhere).
    pub recent_errors: Option<Vec<String>>,
}

/// Runs `bytes` as a command on the store in `options`.
pub fn run(name: &str, bytes: &[u8], options: &RunOptions) -> anyhow::Result<RunReport> {
    let plug = PlugOptions { diagnostics: true, ..options.plug };
    let served = served(plug.host)?;
    let plugged = crate::plug_named(name, bytes, &plug)?;
    let ran = match served {
        Served::StoreComponent => {
            let prepared = bundle_store(&plugged.component, &plug)?;
            run_prepared(name, &prepared, &options.store_dir, &options.args)?
        }
        Served::Strict(generation) => {
            let prepared = crate::rewire_rc_wasi(&plugged.component)?;
            run_on(name, &prepared, &options.store_dir, &options.args, Some((generation, plug.counter)))?
        }
    };
    Ok(RunReport { plan: plugged.plan, ran })
}

/// One line saying what `run` did: which generation the guest speaks, the adapter used (or
/// none), the host generation, the counter encoding and the store.
pub fn summary(name: &str, report: &RunReport, options: &RunOptions) -> String {
    let host = options.plug.host;
    let how = match &report.plan {
        Plan::Unchanged { generation } => format!("{} guest, native (no adapter)", generation.id()),
        Plan::Adapt { source, adapter, .. } => format!("{} guest through {adapter}", source.id()),
    };
    let outcome = if report.ran.succeeded { "ok" } else { "failed" };
    format!(
        "kv-adapt: {name}: {outcome}: {how} onto {host}; counters {}; store {}",
        options.plug.counter.name(),
        options.store_dir.display()
    )
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
    lines.extend(errors.iter().rev().find_map(|trace| counter_hint(trace, &options.store_dir, options.plug.counter)));
    lines
}

/// For a trace saying a stored value is not a counter, which encodings its bytes do read as.
fn counter_hint(trace: &str, store_dir: &Path, chosen: CounterEncoding) -> Option<String> {
    if !trace.contains(" counter") {
        return None;
    }
    let (key, bucket) = key_and_bucket(trace)?;
    let file = store_dir
        .join(kv_adapt_convert::filename::encode(&bucket).ok()?)
        .join(kv_adapt_convert::filename::encode(&key).ok()?);
    let bytes = std::fs::read(&file).ok()?;
    let readings = kv_adapt_convert::counter::readings(&bytes);
    let Some((likeliest, value)) = readings.first() else {
        return Some(format!(
            "hint: {} holds {} bytes that are no counter in any encoding kv-adapt knows",
            file.display(),
            bytes.len()
        ));
    };
    if *likeliest == chosen {
        return None;
    }
    Some(format!(
        "hint: {} reads as the {} counter {value}; it was probably written with --counter-encoding {}, not {}",
        file.display(),
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
    run_on(name, prepared, store_dir, args, None)
}

/// [`run_prepared`], with the strict host of `strict`'s generation serving key-value from
/// `store_dir` (counters in its encoding) when given.
pub fn run_on(
    name: &str,
    prepared: &[u8],
    store_dir: &Path,
    args: &[String],
    strict: Option<(Generation, CounterEncoding)>,
) -> anyhow::Result<Ran> {
    std::fs::create_dir_all(store_dir)
        .with_context(|| format!("creating store directory {}", store_dir.display()))?;
    let engine = engine()?;
    let component = Component::new(&engine, prepared).map_err(anyhow::Error::from).context("compiling the composed component")?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    if let Some((generation, _)) = strict {
        add_strict_host(&mut linker, generation)?;
    }
    let eventual = strict
        .filter(|(generation, _)| matches!(generation, Generation::G3 | Generation::G4))
        .map(|(_, counter)| EventualCtx::new(store_dir, counter));
    let g2 = strict.filter(|(generation, _)| *generation == Generation::G2).map(|(_, counter)| G2Host::new(store_dir, counter));
    // The strict host reads the store from the host side: the guest gets no preopen then.
    let wasi = match strict {
        Some(_) => WasiCtxBuilder::new().inherit_stdio().args(args).build(),
        None => wasi_ctx(store_dir, args)?,
    };
    let state = HostState { wasi, table: ResourceTable::new(), eventual, g2 };
    let mut store = Store::new(&engine, state);
    let instance = linker.instantiate(&mut store, &component).map_err(anyhow::Error::from).context("instantiating")?;
    let run_export = find_cli_run(&engine, &component)
        .ok_or_else(|| anyhow!("{name} exports no wasi:cli/run (0.2.x or 0.2.0-rc-2023-11-10); it is not a command"))?;
    let succeeded = call_run(&mut store, &instance, &run_export)?;
    let recent_errors = if succeeded { Some(Vec::new()) } else { recent_errors(&mut store, &instance)? };
    Ok(Ran { succeeded, recent_errors })
}

/// Asks the adapter, after the guest returned, which errors it handed out.
fn recent_errors(store: &mut Store<HostState>, instance: &Instance) -> anyhow::Result<Option<Vec<String>>> {
    let Some(iface) = instance.get_export_index(&mut *store, None, crate::DIAGNOSTICS) else {
        return Ok(None);
    };
    let func = instance
        .get_export_index(&mut *store, Some(&iface), "recent-errors")
        .ok_or_else(|| anyhow!("{} has no `recent-errors`", crate::DIAGNOSTICS))?;
    let recent = instance
        .get_typed_func::<(), (Vec<String>,)>(&mut *store, &func)
        .map_err(anyhow::Error::from)
        .context("reading the adapter's diagnostics")?;
    let (errors,) = recent.call(&mut *store, ()).map_err(anyhow::Error::from).context("reading the adapter's diagnostics")?;
    Ok(Some(errors))
}

/// The name of a `wasi:cli/run` export of any 0.2.x or rc-2023-11-10 version.
fn find_cli_run(engine: &Engine, component: &Component) -> Option<String> {
    component.component_type().exports(engine).map(|(name, _)| name.to_string()).find(|name| {
        name.strip_prefix("wasi:cli/run@")
            .is_some_and(|v| v == "0.2.0-rc-2023-11-10" || (v.starts_with("0.2.") && !v.contains('-')))
    })
}

fn call_run(store: &mut Store<HostState>, instance: &Instance, interface: &str) -> anyhow::Result<bool> {
    let iface = instance
        .get_export_index(&mut *store, None, interface)
        .ok_or_else(|| anyhow!("missing export {interface}"))?;
    let func = instance
        .get_export_index(&mut *store, Some(&iface), "run")
        .ok_or_else(|| anyhow!("{interface} has no `run` function"))?;
    let run = instance
        .get_typed_func::<(), (Result<(), ()>,)>(&mut *store, &func)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("{interface}#run has an unexpected type"))?;
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
