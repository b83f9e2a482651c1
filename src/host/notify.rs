//! `kv-adapt notify`: delivers one change to a guest's watch handler. No host here calls
//! watch handlers on its own, so this does what such a host would: it writes the change
//! into the store, then calls the handler the guest exports for the host's generation
//! (`watcher` for G5/G6, `handle-watch` for G2-G4, wasmCloud 2's async `watcher` or G5's
//! on `--host wasmcloud`), after `plug` has served a legacy handler through a watch bridge
//! where the generations differ.
//!
//! The handler always runs on kv-adapt's own host of the generation (never the store
//! component), because the bucket handed to it must be a handle the embedder can make;
//! both read and write a directory the same way.

use anyhow::{anyhow, bail, Context};
use wasmtime::component::{Instance, Resource};
use wasmtime::Store;

use crate::host::{eventual, today, wasmcloud};
use crate::host::run::{HostState, KvHost, Limits, StoreSpec};
use crate::generation::Generation;
use crate::plan::{Plan, PlugOptions};

/// The change to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Set { bucket: String, key: String, value: Vec<u8> },
    Delete { bucket: String, key: String },
}

impl Event {
    fn bucket(&self) -> &str {
        match self {
            Event::Set { bucket, .. } | Event::Delete { bucket, .. } => bucket,
        }
    }

    fn key(&self) -> &str {
        match self {
            Event::Set { key, .. } | Event::Delete { key, .. } => key,
        }
    }

    /// `set bucket/key (N bytes)` or `delete bucket/key`.
    pub fn describe(&self) -> String {
        match self {
            Event::Set { bucket, key, value } => format!("set {bucket:?}/{key:?} ({} bytes)", value.len()),
            Event::Delete { bucket, key } => format!("delete {bucket:?}/{key:?}"),
        }
    }
}

pub struct NotifyOptions {
    pub plug: PlugOptions,
    pub store: StoreSpec,
    pub limits: Limits,
    /// Apply the event to the store before calling the handler; off when the change is
    /// already there (or, in tests, to show what a handler sees when it is not).
    pub write: bool,
}

/// What `notify` did.
pub struct Notified {
    pub plan: Plan,
    /// The export called, e.g. `wasi:keyvalue/watcher@0.2.0-draft#on-set`.
    pub called: String,
    /// The error traces the adapter handed the guest during the call, oldest first;
    /// `None` when the guest runs without an adapter.
    pub recent_errors: Option<Vec<String>>,
}

/// Applies `event` to the store in `options`, then calls the guest's handler for it.
pub fn notify(name: &str, bytes: &[u8], options: &NotifyOptions, event: &Event) -> anyhow::Result<Notified> {
    crate::host::run::check_counter_encoding(&options.store, options.plug.counter)?;
    let host = options.plug.host;
    if host == Generation::G1 {
        bail!("no host of kv-adapt's own speaks {host}");
    }
    let plug = PlugOptions { diagnostics: true, error_sink: true, keep_wasi_versions: false, ..options.plug.clone() };
    let plugged = crate::link::plug_named(name, bytes, &plug)?;
    let handlers = handlers(host);
    let surface = crate::plan::surface::names(name, &plugged.component)?;
    let Some(&(handler, calling)) = handlers.iter().find(|(handler, _)| surface.exports.iter().any(|e| e == handler)) else {
        let called: Vec<&str> = handlers.iter().map(|(handler, _)| *handler).collect();
        let called = called.join(" or ");
        let exported: Vec<&str> = surface.exports.iter().map(String::as_str).filter(|e| e.contains("watch")).collect();
        match exported.as_slice() {
            [] => bail!("{name} exports no watch handler ({called} on a {} host); it cannot be notified", host.id()),
            found => bail!("{name} exports {} but a {} host calls {called}; no bridge serves it that way", found.join(", "), host.id()),
        }
    };
    let component = plugged.component;

    let (backend, _) = options.store.open_recovered()?;
    if options.write {
        match event {
            Event::Set { bucket, key, value } => backend.write(bucket, key, value),
            Event::Delete { bucket, key } => backend.remove(bucket, key),
        }
        .map_err(|e| anyhow!("{} in {}: {e}", event.describe(), backend.describe()))?;
    }

    let engine = crate::host::run::engine()?;
    let compiled = wasmtime::component::Component::new(&engine, &component)
        .map_err(anyhow::Error::from)
        .context("compiling the composed component")?;
    let kv = KvHost::Embedder(host, backend, options.plug.counter);
    let function = match event {
        Event::Set { .. } => "on-set",
        Event::Delete { .. } => "on-delete",
    };
    let failed = || format!("{name}: {handler}#{function} after {}", event.describe());
    let recent_errors = match calling {
        Generation::Wasmcloud2 => call_async(&engine, &compiled, &kv, name, &options.limits, handler, function, event).with_context(failed)?,
        _ => {
            let (mut store, instance) = crate::host::run::instantiate(&engine, &compiled, &kv, &[name.to_string()], None, &options.limits)?;
            call(&mut store, &instance, calling, handler, function, event).with_context(failed)?;
            crate::host::run::errors_given(&mut store, &instance, &engine, &compiled, false)?
        }
    };
    Ok(Notified { plan: plugged.plan, called: format!("{handler}#{function}"), recent_errors })
}

/// The handlers a host of `host` calls, each with the generation whose types it is called
/// with, in the order looked for. wasmCloud 2 serves G5 to a WASI 0.2 component beside its
/// own package to a WASI 0.3 one, so it calls either watcher: `plug --host wasmcloud` serves
/// a WASI 0.2 handler of any generation as G5's.
fn handlers(host: Generation) -> Vec<(&'static str, Generation)> {
    match host {
        Generation::Wasmcloud2 => vec![(host.watch_export(), host), (Generation::G5.watch_export(), Generation::G5)],
        Generation::G1
        | Generation::G2
        | Generation::G3
        | Generation::G4
        | Generation::G5
        | Generation::G6
        | Generation::Spin1
        | Generation::Spin2
        | Generation::SpinDraft2
        | Generation::Spin3 => vec![(host.watch_export(), host)],
    }
}

/// Calls wasmCloud 2's async `watcher` (`interface#function`) with a bucket of kv-adapt's
/// wasmCloud host, in the instance's event loop as `run` runs a WASI 0.3 command, and
/// returns once the handler's task is done. Gives the errors an adapter handed the guest
/// (none natively: there is no adapter).
#[allow(clippy::too_many_arguments)]
fn call_async(
    engine: &wasmtime::Engine,
    component: &wasmtime::component::Component,
    kv: &KvHost,
    name: &str,
    limits: &Limits,
    interface: &str,
    function: &str,
    event: &Event,
) -> anyhow::Result<Option<Vec<String>>> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(async {
        let args = [name.to_string()];
        let (mut store, instance) = crate::host::run::instantiate_concurrent(engine, component, kv, &crate::host::run::Guest::args(&args), None, limits).await?;
        let func = export(&mut store, &instance, interface, function)?;
        let typed = |e: wasmtime::Error| anyhow::Error::from(e).context(format!("{interface}#{function} has an unexpected type"));
        let bucket = store.data_mut().table.push(wasmcloud::BucketRep::named(event.bucket()))?;
        let key = event.key().to_string();
        let called = match event {
            Event::Set { value, .. } => {
                let f = instance.get_typed_func::<(Resource<wasmcloud::BucketRep>, String, Vec<u8>), ()>(&mut store, &func).map_err(typed)?;
                let value = value.clone();
                store.run_concurrent(async |accessor| f.call_concurrent(accessor, (bucket, key, value)).await).await
            }
            Event::Delete { .. } => {
                let f = instance.get_typed_func::<(Resource<wasmcloud::BucketRep>, String), ()>(&mut store, &func).map_err(typed)?;
                store.run_concurrent(async |accessor| f.call_concurrent(accessor, (bucket, key)).await).await
            }
        };
        called.and_then(|called| called).map_err(|e| anyhow!("the handler trapped: {e:?}"))?;
        let sink = component.component_type().imports(engine).any(|(name, _)| name == crate::artifacts::ERROR_SINK);
        anyhow::Ok(sink.then(|| store.data().reported.oldest_first()))
    })
}

/// The export `interface#function` of `instance`.
fn export(store: &mut Store<HostState>, instance: &Instance, interface: &str, function: &str) -> anyhow::Result<wasmtime::component::ComponentExportIndex> {
    let iface = instance.get_export_index(&mut *store, None, interface).ok_or_else(|| anyhow!("missing export {interface}"))?;
    instance
        .get_export_index(&mut *store, Some(&iface), function)
        .ok_or_else(|| anyhow!("{interface} has no `{function}` function"))
}

/// Calls `interface#function` with the event's handles, made by the host of `host`.
fn call(
    store: &mut Store<HostState>,
    instance: &Instance,
    host: Generation,
    interface: &str,
    function: &str,
    event: &Event,
) -> anyhow::Result<()> {
    let func = export(store, instance, interface, function)?;
    let (bucket, key) = (event.bucket(), event.key().to_string());
    let typed = |e: wasmtime::Error| anyhow::Error::from(e).context(format!("{interface}#{function} has an unexpected type"));
    let trapped = |e: wasmtime::Error| anyhow!("the handler trapped: {e:?}");
    match (host, event) {
        (Generation::G5 | Generation::G6 | Generation::SpinDraft2, Event::Set { value, .. }) => {
            let f = instance.get_typed_func::<(Resource<today::BucketRep>, String, Vec<u8>), ()>(&mut *store, &func).map_err(typed)?;
            let b = store.data_mut().table.push(today::BucketRep::named(bucket))?;
            f.call(&mut *store, (b, key, value.clone())).map_err(trapped)?;
        }
        (Generation::G5 | Generation::G6 | Generation::SpinDraft2, Event::Delete { .. }) => {
            let f = instance.get_typed_func::<(Resource<today::BucketRep>, String), ()>(&mut *store, &func).map_err(typed)?;
            let b = store.data_mut().table.push(today::BucketRep::named(bucket))?;
            f.call(&mut *store, (b, key)).map_err(trapped)?;
        }
        (Generation::G3 | Generation::G4, Event::Set { value, .. }) => {
            let f = instance
                .get_typed_func::<(Resource<eventual::BucketRep>, String, Resource<eventual::IncomingRep>), ()>(&mut *store, &func)
                .map_err(typed)?;
            let b = store.data_mut().table.push(eventual::BucketRep::named(bucket))?;
            let lent = store.data_mut().table.push(eventual::IncomingRep::holding(value.clone()))?;
            let borrowed = Resource::new_borrow(lent.rep());
            f.call(&mut *store, (b, key, borrowed)).map_err(trapped)?;
            // The handler only borrowed the value: it is the host's to drop.
            store.data_mut().table.delete(lent)?;
        }
        (Generation::G3 | Generation::G4, Event::Delete { .. }) => {
            let f = instance.get_typed_func::<(Resource<eventual::BucketRep>, String), ()>(&mut *store, &func).map_err(typed)?;
            let b = store.data_mut().table.push(eventual::BucketRep::named(bucket))?;
            f.call(&mut *store, (b, key)).map_err(trapped)?;
        }
        (Generation::G2, Event::Set { value, .. }) => {
            let f = instance.get_typed_func::<(u32, String, u32), ()>(&mut *store, &func).map_err(typed)?;
            let host = store.data_mut().g2.as_mut().expect("a G2 host run sets HostState::g2");
            let (b, v) = host.watch_event(bucket, Some(value.clone()));
            f.call(&mut *store, (b, key, v.expect("a set event has a value"))).map_err(trapped)?;
        }
        (Generation::G2, Event::Delete { .. }) => {
            let f = instance.get_typed_func::<(u32, String), ()>(&mut *store, &func).map_err(typed)?;
            let host = store.data_mut().g2.as_mut().expect("a G2 host run sets HostState::g2");
            let (b, _) = host.watch_event(bucket, None);
            f.call(&mut *store, (b, key)).map_err(trapped)?;
        }
        (Generation::G1 | Generation::Spin2 | Generation::Spin1, _) => bail!("no host of kv-adapt's own speaks {host}"),
        (Generation::Spin3, _) => bail!("no host of kv-adapt's own speaks {host}"),
        (Generation::Wasmcloud2, _) => bail!("wasmCloud 2's watcher is called in the instance's event loop (call_async), not here"),
    }
    Ok(())
}
