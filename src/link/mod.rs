//! Building a plug: the plan carried out. An adapter composed beside the guest
//! ([`compose`]) or fused inside it ([`fuse`]), configured, with its watch bridge; release-
//! candidate WASI names moved ([`wasi_rc`], [`wasi_shim`]); 2023 binaries brought to
//! today's format first ([`upgrade`]).

pub mod compose;
pub mod config;
mod config_module;
pub mod fuse;
mod names;
pub mod upgrade;
pub mod wasi_rc;
pub mod wasi_shim;

use crate::artifacts::{self, Bodies, DIAGNOSTICS, ERROR_SINK};
use crate::error::{Error, Result};
use crate::generation::{self, Generation, InterfaceName};
use crate::plan::surface::{self, Surface};
use crate::plan::{plan, wasi, Linking, Plan, PlugOptions};
use compose::Part;
use kv_adapt_convert::counter::Encoding as CounterEncoding;

/// A composed component and the plan that produced it.
pub struct Plugged {
    pub component: Vec<u8>,
    pub plan: Plan,
    /// The WASI release-candidate names moved to 0.2.0 afterwards.
    pub wasi: wasi_rc::Renamed,
}

/// Adapts `bytes` onto the host generation in `options`. A component that already imports
/// that generation comes back unchanged.
pub fn plug(bytes: &[u8], options: &PlugOptions) -> Result<Vec<u8>> {
    plug_named("input", bytes, options).map(|p| p.component)
}

/// [`plug`], naming the input in errors and returning the plan.
pub fn plug_named(name: &str, bytes: &[u8], options: &PlugOptions) -> Result<Plugged> {
    let mut plugged = plug_keyvalue(name, bytes, options)?;
    if !options.keep_wasi_versions {
        let (component, renamed) = wasi_rc::to_0_2_0(name, &plugged.component)?;
        plugged.component = component;
        // The forwarding flavour's guest was moved before it was fused.
        if renamed != wasi_rc::Renamed::default() {
            plugged.wasi = renamed;
        }
    }
    Ok(plugged)
}

/// The key-value part of [`plug_named`]: adapter, bridge and configuration.
fn plug_keyvalue(name: &str, bytes: &[u8], options: &PlugOptions) -> Result<Plugged> {
    let surface = surface::surface(name, bytes)?;
    let mut plan = plan(name, &surface, options)?;
    let chosen = match &plan {
        Plan::Adapt { source, linking: Linking::Fused, adapter, .. } => {
            Some((*source, artifacts::FUSED.iter().find(|f| f.name() == *adapter).expect("plan() chose a shipped fused adapter")))
        }
        _ => None,
    };
    if let Some((source, fused)) = chosen {
        // The forwarding adapter and wasmtime's preview1 adapter speak WASI 0.2: a guest's
        // release-candidate names are moved first (plan() chose it only if that is allowed).
        let (guest, wasi) = match fused.forward && !options.keep_wasi_versions {
            true => wasi_rc::to_0_2_0(name, bytes)?,
            false => (bytes.to_vec(), Default::default()),
        };
        match fuse::fuse(name, &guest, fused) {
            Ok(linked) => {
                let component = configure_fused(&linked, options)?;
                let component = serve_batch_by_key(component, options.host, &mut plan)?;
                check_leftovers(&component, source, options.host)?;
                return Ok(Plugged { component, plan, wasi });
            }
            Err(Error::CannotFuse { why, .. }) if options.linking.is_none() => {
                // Fall back to composing, saying why in the plan.
                let composed = PlugOptions { linking: Some(Linking::Composed), ..options.clone() };
                plan = self::plan(name, &surface, &composed)?;
                if let Plan::Adapt { why_composed, .. } = &mut plan {
                    *why_composed = Some(why);
                }
            }
            Err(e) => return Err(e),
        }
    }
    let (source, bodies, watch) = match &plan {
        Plan::Unchanged { generation } => {
            // Buckets are renamed by the adapter, and this plug has none.
            if let Some((from, to)) = options.buckets.first() {
                return Err(Error::RenameWithoutAdapter { name: name.into(), generation: *generation, bucket: format!("{from}={to}") });
            }
            return Ok(Plugged { component: bytes.to_vec(), plan, wasi: Default::default() });
        }
        Plan::Adapt { adapter, .. } if adapter == artifacts::BATCH_BY_KEY_NAME => {
            // A G6 guest on Spin: only its batch needs serving, and no adapter renames.
            if let Some((from, to)) = options.buckets.first() {
                return Err(Error::RenameWithoutAdapter { name: name.into(), generation: Generation::G6, bucket: format!("{from}={to}") });
            }
            let shim = Part { name: artifacts::BATCH_BY_KEY_NAME, bytes: artifacts::batch_by_key() };
            let component = compose::plug_into(Part { name, bytes }, &[shim])?;
            check_leftovers(&component, Generation::G6, options.host)?;
            return Ok(Plugged { component, plan, wasi: Default::default() });
        }
        Plan::Adapt { source, bodies, watch, .. } => (*source, *bodies, watch.is_some()),
    };
    let parts = composed_parts(&surface, source, bodies, watch, options)?;
    let labels = surface.labels_of(source);
    let shared = surface.labels_share_types(source);
    // Each label's adapter, configured with that label's bucket names; none when the labels
    // share the plain adapter, whose names are everyone's.
    let mut labelled_parts = Vec::new();
    for label in labels.iter().filter(|_| !shared) {
        let own = PlugOptions { buckets: config::label_buckets(&options.buckets, &label.name, &surface.labels), ..options.clone() };
        labelled_parts.push(Some(composed_parts(&surface, source, bodies, false, &own)?.adapter));
    }
    if shared {
        let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
        if let Some((bucket, to)) = options.buckets.iter().find(|(bucket, _)| bucket.split_once(':').is_some_and(|(l, _)| names.contains(&l))) {
            return Err(Error::LabelRenameShared { name: name.into(), bucket: format!("{bucket}={to}"), labels: names.join(", ") });
        }
        labelled_parts = labels.iter().map(|_| None).collect();
    }
    let (adapter, configured) = (&parts.adapter.0, &parts.adapter.1);
    let also_export: &[&str] = if options.diagnostics { &[DIAGNOSTICS] } else { &[] };
    let component = match &parts.bridge {
        Some(_) if !labels.is_empty() => {
            return Err(Error::UnsupportedInterface {
                name: name.into(),
                interface: labels[0].name.clone(),
                why: " (a labelled import beside a watch handler: kv-adapt gives labels their own adapters only without a watch bridge yet)",
            })
        }
        Some((bridge, bridge_bytes)) => {
            // The bridge serves the handler of the generation the adapter goes onto (G5's on
            // wasmCloud 2, which calls it for a WASI 0.2 component).
            let (handler, watcher) = (source.watch_export(), crate::plan::onto(source, options).watch_export());
            compose::chain(&[
                compose::Link { part: Part { name: adapter, bytes: configured }, exported: &|n| also_export.contains(&n) },
                compose::Link { part: Part { name, bytes }, exported: &|n| n != handler },
                compose::Link { part: Part { name: bridge, bytes: bridge_bytes }, exported: &|n| n == watcher },
            ])?
        }
        None if labels.is_empty() => compose::plug_into_exporting(Part { name, bytes }, &[Part { name: adapter, bytes: configured }], also_export)?,
        None => {
            let labelled: Vec<compose::Labelled<'_>> = labels
                .iter()
                .zip(&labelled_parts)
                .map(|(label, part)| compose::Labelled {
                    label: &label.name,
                    interface: &label.implements,
                    part: part.as_ref().map(|(adapter, bytes)| Part { name: adapter, bytes }),
                })
                .collect();
            // The plain adapter serves what the guest imports unlabelled, if anything.
            compose::plug_labelled(Part { name, bytes }, &labelled, &[Part { name: adapter, bytes: configured }], also_export)?
        }
    };
    let component = serve_batch_by_key(component, options.host, &mut plan)?;
    check_leftovers(&component, source, options.host)?;
    Ok(Plugged { component, plan, wasi: Default::default() })
}

/// What a composed plug puts beside a guest, each part named as `plan()` names it: the
/// adapter, configured, and the watch bridge when the guest exports a handler.
pub struct ComposedParts {
    pub adapter: (String, Vec<u8>),
    pub bridge: Option<(String, Vec<u8>)>,
}

/// The parts a composed plug of a guest with `surface` uses: what `plug` composes, and what
/// `kv-adapt adapters --for` writes for plain wac.
pub fn composed_parts(surface: &Surface, source: Generation, bodies: Bodies, watch: bool, options: &PlugOptions) -> Result<ComposedParts> {
    let onto = crate::plan::onto(source, options);
    let adapter = artifacts::adapter_for(source, onto, bodies, crate::plan::imports_batch(surface, source))
        .ok_or(Error::NoAdapter { name: "guest".into(), from: Some(source), target: options.host })?;
    let mut configured = configure_with(&adapter.name(), adapter.bytes, options)?;
    // The adapter names the guest's 0.2 release of wasi:io (and of what it wraps). The -io
    // flavour forced beside WASI that uses the host's wasi:io keeps its own names, so that
    // the guest's wasi:io stays the host's.
    let align = match bodies {
        Bodies::Host | Bodies::Wrapping(_) => true,
        Bodies::Adapter => source.body_io().is_some_and(|release| wasi::io_stands_alone(&surface.imports, release)),
    };
    if align {
        configured = align_wasi_versions(&configured, surface)?;
    }
    let bridge = match watch {
        true => {
            let bridge = artifacts::bridge(source, onto).ok_or(Error::UnsupportedInterface {
                name: "guest".into(),
                interface: source.watch_export().into(),
                why: " (no watch bridge serves this generation's handler on that host yet)",
            })?;
            // The bridge names the guest's streams through the guest's key-value types, so it
            // must import the same wasi:io release as the adapter does.
            let bytes = if align { align_wasi_versions(bridge.bytes, surface)? } else { bridge.bytes.to_vec() };
            Some((bridge.name(), bytes))
        }
        false => None,
    };
    Ok(ComposedParts { adapter: (adapter.name(), configured), bridge })
}

/// The name under which upstream G6 and Spin import two different `batch` interfaces.
const DRAFT2_BATCH: &str = "wasi:keyvalue/batch@0.2.0-draft2";

/// On a Spin host, the upstream G6 `batch` a plug imports (a G6 adapter's, or one fused
/// into the guest) served key by key over the host's store: Spin's own `batch` of the same
/// name has another `get-many`, and its store and atomics are upstream's.
fn serve_batch_by_key(component: Vec<u8>, host: Generation, plan: &mut Plan) -> Result<Vec<u8>> {
    if host != Generation::SpinDraft2 || !surface::names("plugged component", &component)?.imports.iter().any(|i| i == DRAFT2_BATCH) {
        return Ok(component);
    }
    let shim = Part { name: artifacts::BATCH_BY_KEY_NAME, bytes: artifacts::batch_by_key() };
    let composed = compose::plug_into(Part { name: "plugged component", bytes: &component }, &[shim])?;
    if let Plan::Adapt { batch_by_key, .. } = plan {
        *batch_by_key = Some(artifacts::BATCH_BY_KEY_NAME.to_string());
    }
    Ok(composed)
}

/// Refuses a result that still imports a key-value generation the host does not serve
/// (on Spin, upstream G6's `batch` among them).
fn check_leftovers(component: &[u8], source: Generation, host: Generation) -> Result<()> {
    let composed = surface::names("composed component", component)?;
    for import in &composed.imports {
        let generation = InterfaceName::parse(import).and_then(|n| generation::classify(&n)).and_then(|g| g.ok());
        let unserved = host == Generation::SpinDraft2 && import == DRAFT2_BATCH;
        if unserved || generation.is_some_and(|g| !host.serves(g)) {
            return Err(Error::LeftoverImport { import: import.clone(), what: source.describe() });
        }
    }
    Ok(())
}

/// A fused guest with its counter configuration plugged in; its adapter's diagnostics stay
/// exported only when asked for.
fn configure_fused(linked: &[u8], options: &PlugOptions) -> Result<Vec<u8>> {
    let config = config::for_options(options)?;
    let component = compose::chain(&[
        compose::Link { part: Part { name: "config", bytes: &config }, exported: &|_| false },
        compose::Link { part: Part { name: "fused guest", bytes: linked }, exported: &|n| n != DIAGNOSTICS || options.diagnostics },
    ])?;
    let surface = surface::names("fused guest", &component)?;
    if let Some(left) = surface.imports.iter().find(|n| n.starts_with("kv-adapt:") && *n != ERROR_SINK) {
        return Err(Error::LeftoverImport { import: left.clone(), what: "kv-adapt configuration" });
    }
    Ok(component)
}

/// Renames an adapter's `wasi:*@0.2.x` imports and exports to the 0.2 release the guest
/// imports. Rust's std on wasm32-wasip2 names a newer 0.2 release than the 0.2.0 our WIT
/// uses; both are one interface to a host, but the guest's key-value types name the
/// guest's streams, and the adapter must name the very same import for them to match.
fn align_wasi_versions(adapter: &[u8], guest: &Surface) -> Result<Vec<u8>> {
    let stable_0_2 = generation::is_0_2_release;
    let rename = |name: &str| {
        let ours = InterfaceName::parse(name)?;
        if ours.namespace != "wasi" || !ours.version.is_some_and(stable_0_2) {
            return None;
        }
        guest.imports.iter().find_map(|g| {
            let theirs = InterfaceName::parse(g)?;
            let same = (theirs.namespace, theirs.package, theirs.interface) == (ours.namespace, ours.package, ours.interface);
            (same && theirs.version != ours.version && theirs.version.is_some_and(stable_0_2)).then(|| g.clone())
        })
    };
    // The wrapping flavour also exports what it wraps: under the guest's names too.
    compose::rename_names(adapter, rename, rename)
}

/// Plugs the config component for `counter` into an adapter or store, so that the result
/// has no `kv-adapt:` import left. Atomics the host lacks are emulated ([`configure_with`]).
pub fn configure(name: &str, bytes: &[u8], counter: CounterEncoding) -> Result<Vec<u8>> {
    configure_with(name, bytes, &PlugOptions { counter, ..PlugOptions::default() })
}

/// [`configure`] with the counter encoding, `--strict-atomics` and error sink of `options`.
pub fn configure_with(name: &str, bytes: &[u8], options: &PlugOptions) -> Result<Vec<u8>> {
    let config = config::for_options(options)?;
    let configured = compose::plug_into(Part { name, bytes }, &[Part { name: "config", bytes: &config }])?;
    let surface = surface::names(name, &configured)?;
    if let Some(left) = surface.imports.iter().find(|n| n.starts_with("kv-adapt:") && *n != ERROR_SINK) {
        return Err(Error::LeftoverImport { import: left.clone(), what: "kv-adapt configuration" });
    }
    Ok(configured)
}

/// Composes the filesystem store for `target` into `component`, which must import exactly
/// the `target` key-value interfaces (and no other generation).
pub fn attach_store(component: &[u8], target: Generation, counter: CounterEncoding) -> Result<Vec<u8>> {
    let store = artifacts::store(target).ok_or(Error::NoHost { target, built_in: artifacts::BUILT_IN_HOSTS })?;
    let configured = configure(&store.name(), store.bytes, counter)?;
    let composed =
        compose::plug_into(Part { name: "component", bytes: component }, &[Part { name: &store.name(), bytes: &configured }])?;
    let surface = surface::names("component with store", &composed)?;
    if let Some(left) = surface.imports.iter().find(|n| n.starts_with("wasi:keyvalue/")) {
        return Err(Error::LeftoverImport { import: left.clone(), what: "key-value" });
    }
    Ok(composed)
}

/// Moves a component's release-candidate WASI names to 0.2.0 ([`wasi_rc::to_0_2_0`]), so
/// that a host serving WASI 0.2 (stock `wasmtime run` among them) satisfies and finds them.
pub fn rewire_rc_wasi(component: &[u8]) -> Result<Vec<u8>> {
    wasi_rc::to_0_2_0("component", component).map(|(bytes, _)| bytes)
}

