//! `kv-adapt conformance TARGET`: does a store behave as `wasi:keyvalue` documents?
//!
//! Runs the conformance guest of the store's generation (G5 or G6, embedded in the binary,
//! built from `wasm/guests/guest-store-conformance`) case by case, each case on a fresh
//! instance and an empty store, against:
//! - a store *component* (anything exporting G5 or G6 `store`, `atomics` and `batch`):
//!   composed under the guest with wac, given a fresh empty directory preopened at
//!   `/kv-data` for each case (our store and the wash filesystem plugin both keep their data
//!   in a preopen);
//! - `--store DIR`: our filesystem store component over a fresh subdirectory of DIR;
//! - `--store redis://...`: kv-adapt's G5/G6 host over a fresh key namespace.
//!
//! Each case is either a documented behaviour (it must hold) or a choice the documentation
//! leaves to the host (reported, never a failure), as the table below says.

use crate::link::compose::{self, Part};
use crate::store::backend::Backend;
use crate::store::redis::RedisStore;
use crate::host::today::TodayCtx;
use crate::host::run::{self, HostState, StoreSpec, STORE_GUEST_PATH};
use crate::artifacts;
use crate::generation::Generation;
use kv_adapt_convert::counter::Encoding as CounterEncoding;
use anyhow::{anyhow, bail, Context};
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// Whether a case is a promise of the interface or the host's to decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The doc comments promise it: a store that fails it fails conformance.
    Documented,
    /// Left to the host; the text says what holding means.
    Choice(&'static str),
    /// Pins what an adapter onto an older host cannot do; the opposite of a conforming
    /// store, so it is not run.
    AdapterOnly,
}

/// What each case of the guest checks: the functions it exercises and its class.
pub const CASES: &[(&str, &str, Class)] = &[
    ("set-then-get-round-trips", "store.set, store.get", Class::Documented),
    ("unusual-keys-round-trip", "store.set, store.get", Class::Documented),
    ("get-missing-key-is-none", "store.get", Class::Documented),
    ("set-overwrites", "store.set", Class::Documented),
    ("delete-missing-key-succeeds", "store.delete", Class::Documented),
    ("delete-removes-key", "store.delete", Class::Documented),
    ("exists-reports-presence", "store.exists", Class::Documented),
    ("list-keys-on-empty-bucket-is-empty", "store.list-keys", Class::Documented),
    ("list-keys-pages-through-every-key", "store.list-keys", Class::Documented),
    ("list-keys-unknown-cursor-is-error", "store.list-keys", Class::Choice("a cursor the store never handed out is refused")),
    ("open-unknown-bucket-is-error", "store.open", Class::Choice("only known buckets open (wasmtime opens only \"\")")),
    ("two-opens-share-data", "store.open", Class::Choice("two opens of one bucket see the same data")),
    ("bucket-outlives-nothing", "store.open", Class::Choice("data outlives the bucket handle that wrote it")),
    ("increment-creates-and-adds", "atomics.increment", Class::Documented),
    ("increment-on-non-counter-is-error", "atomics.increment", Class::Documented),
    ("increment-huge-delta", "atomics.increment", Class::Choice("a G5 counter takes the whole u64 range")),
    ("increment-huge-delta-is-error", "atomics.increment", Class::Choice("a G5 delta past i64::MAX is refused and nothing written (signed stores)")),
    ("increment-negative-delta-decrements", "atomics.increment", Class::Documented),
    ("increment-negative-delta-is-error", "atomics.increment", Class::AdapterOnly),
    ("increment-below-zero-goes-negative", "atomics.increment", Class::Documented),
    ("increment-below-zero-is-error", "atomics.increment", Class::AdapterOnly),
    ("decrement-on-non-counter-is-error", "atomics.increment", Class::Documented),
    ("cas-is-refused", "atomics.cas", Class::AdapterOnly),
    ("cas-swaps-when-unchanged", "atomics.cas, atomics.swap", Class::Documented),
    ("cas-on-missing-key-sees-none-and-creates", "atomics.cas, atomics.swap", Class::Documented),
    ("cas-fails-after-another-write", "atomics.cas, atomics.swap", Class::Documented),
    ("cas-on-non-counter-bytes-is-fine", "atomics.cas, atomics.swap", Class::Documented),
    ("get-many-gives-none-for-missing", "batch.get-many", Class::Documented),
    ("set-many-writes-all", "batch.set-many", Class::Documented),
    ("delete-many-removes-and-skips-missing", "batch.delete-many", Class::Documented),
];

/// The table row of `case`; a case the table does not know counts as documented.
pub fn describe(case: &str) -> (&'static str, Class) {
    CASES.iter().find(|(name, ..)| *name == case).map(|(_, f, c)| (*f, *c)).unwrap_or(("?", Class::Documented))
}

/// The case names in a conformance guest's refusal of an unknown case
/// (`guest_support::run_case`: "... known cases: a, b, c").
pub fn known_cases(refusal: &str) -> Option<Vec<String>> {
    let (_, known) = refusal.split_once("known cases: ")?;
    Some(known.split(", ").map(str::to_string).collect())
}

/// What is judged.
pub enum Target<'a> {
    Component { name: &'a str, bytes: &'a [u8] },
    Store(StoreSpec),
}

pub struct CaseResult {
    pub generation: Generation,
    pub case: String,
    pub functions: &'static str,
    pub class: Class,
    /// `None`: not run (adapter-only).
    pub outcome: Option<Result<(), String>>,
}

pub struct Report {
    /// What was judged, in words.
    pub target: String,
    pub results: Vec<CaseResult>,
}

impl Report {
    /// Documented behaviours that do not hold.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results.iter().filter(|r| r.class == Class::Documented && matches!(r.outcome, Some(Err(_))))
    }

    pub fn render(&self) -> Vec<String> {
        let mut lines = vec![format!("kv-adapt conformance: {}", self.target)];
        let mut generations: Vec<Generation> = self.results.iter().map(|r| r.generation).collect();
        generations.dedup();
        for generation in generations {
            let of_gen: Vec<&CaseResult> = self.results.iter().filter(|r| r.generation == generation).collect();
            let mut functions: Vec<&str> = Vec::new();
            for r in &of_gen {
                if !functions.contains(&r.functions) {
                    functions.push(r.functions);
                }
            }
            lines.push(format!("{generation}:"));
            for function in functions {
                let documented: Vec<&&CaseResult> =
                    of_gen.iter().filter(|r| r.functions == function && r.class == Class::Documented).collect();
                if documented.is_empty() {
                    continue;
                }
                let failed: Vec<&&&CaseResult> = documented.iter().filter(|r| matches!(r.outcome, Some(Err(_)))).collect();
                let verdict = if failed.is_empty() { "ok".to_string() } else { format!("FAILED ({} of {})", failed.len(), documented.len()) };
                lines.push(format!("  {function}: {verdict}"));
                for r in &documented {
                    match &r.outcome {
                        Some(Ok(())) => lines.push(format!("    ok      {}", r.case)),
                        Some(Err(why)) => lines.push(format!("    FAILED  {}: {why}", r.case)),
                        None => {}
                    }
                }
            }
            let choices: Vec<&&CaseResult> = of_gen.iter().filter(|r| matches!(r.class, Class::Choice(_))).collect();
            if !choices.is_empty() {
                lines.push("  left to the host (not failures):".into());
                for r in choices {
                    let Class::Choice(what) = r.class else { continue };
                    let answer = match &r.outcome {
                        Some(Ok(())) => "yes".to_string(),
                        Some(Err(why)) => format!("no ({why})"),
                        None => "not run".to_string(),
                    };
                    lines.push(format!("    {}: {what}: {answer}", r.functions));
                }
            }
            let documented = of_gen.iter().filter(|r| r.class == Class::Documented).count();
            let failed = of_gen.iter().filter(|r| r.class == Class::Documented && matches!(r.outcome, Some(Err(_)))).count();
            lines.push(format!("  {}: {} of {documented} documented behaviours hold", generation.id(), documented - failed));
        }
        let failed = self.failures().count();
        lines.push(if failed == 0 { "result: conforms".into() } else { format!("result: {failed} documented behaviours fail") });
        lines
    }
}

fn guest(generation: Generation) -> anyhow::Result<&'static [u8]> {
    match generation {
        Generation::G5 => Ok(artifacts::CONFORMANCE_G5),
        Generation::G6 => Ok(artifacts::CONFORMANCE_G6),
        Generation::G1
        | Generation::G2
        | Generation::G3
        | Generation::G4
        | Generation::Spin2
        | Generation::Spin1
        | Generation::SpinDraft2
        | Generation::Spin3
        | Generation::Wasmcloud2 => {
            bail!("no conformance guest judges a {generation} store; kv-adapt judges G5 and G6 stores")
        }
    }
}

/// The generations a store component exports.
fn exported(name: &str, bytes: &[u8]) -> anyhow::Result<Vec<Generation>> {
    let surface = crate::plan::surface::surface(name, bytes)?;
    let generations: Vec<Generation> = surface
        .exported_generations()
        .into_iter()
        .filter(|g| matches!(g, Generation::G5 | Generation::G6))
        .collect();
    if generations.is_empty() {
        bail!("{name} exports no wasi:keyvalue/store@0.2.0-draft (G5) or @0.2.0-draft2 (G6); it is not a store component kv-adapt can judge");
    }
    Ok(generations)
}

/// Where each case's fresh, empty store comes from.
enum Fresh<'a> {
    /// A new directory (under this parent), preopened for the composed store.
    Dir(PathBuf),
    /// A new namespace on this server, served by kv-adapt's G5/G6 host.
    Redis(&'a RedisStore),
}

fn unique(label: &str) -> String {
    run::scratch_name("conformance", label)
}

/// Composes the guest of `generation` with the store component, leaving no key-value import.
fn compose_with_store(generation: Generation, name: &str, store: &[u8]) -> anyhow::Result<Vec<u8>> {
    let surface = crate::plan::surface::surface(name, store)?;
    let store = if surface.imports.iter().any(|i| i.starts_with("kv-adapt:components/config")) {
        crate::link::configure(name, store, CounterEncoding::Decimal)?
    } else {
        store.to_vec()
    };
    let guest_name = format!("the {} conformance guest", generation.id());
    let composed = compose::plug_into(Part { name: &guest_name, bytes: guest(generation)? }, &[Part { name, bytes: &store }])?;
    let left = crate::plan::surface::names("composed conformance run", &composed)?;
    if let Some(missing) = left.imports.iter().find(|i| i.starts_with("wasi:keyvalue/")) {
        bail!("{name} does not export {missing}, which the {} conformance guest imports", generation.id());
    }
    Ok(crate::link::rewire_rc_wasi(&composed)?)
}

/// Runs every case of the guest in `component` (composed or bare) on fresh stores.
fn run_cases(engine: &Engine, generation: Generation, component: &[u8], fresh: &Fresh<'_>) -> anyhow::Result<Vec<CaseResult>> {
    let component = Component::new(engine, component).map_err(anyhow::Error::from).context("compiling the conformance run")?;
    let mut linker: Linker<HostState> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    if let Fresh::Redis(_) = fresh {
        run::add_strict_host(&mut linker, generation)?;
    }
    let run_one = |case: &str| -> anyhow::Result<Result<(), String>> {
        let mut wasi = WasiCtxBuilder::new();
        // The guest's stdout and stderr are not part of the verdict.
        wasi.stdout(MemoryOutputPipe::new(1 << 16)).stderr(MemoryOutputPipe::new(1 << 16));
        let mut today = None;
        let cleanup: Box<dyn FnOnce()> = match fresh {
            Fresh::Dir(parent) => {
                let dir = parent.join(unique(case));
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                wasi.preopened_dir(&dir, STORE_GUEST_PATH, FsPerms::ReadWrite)
                    .map_err(anyhow::Error::from)
                    .with_context(|| format!("preopening {}", dir.display()))?;
                Box::new(move || drop(std::fs::remove_dir_all(&dir)))
            }
            Fresh::Redis(server) => {
                let space = Arc::new(server.with_namespace(&format!("{}:", unique(case))).map_err(|e| anyhow!("{e}"))?);
                today = Some(TodayCtx::on(Backend::Redis(space.clone()), CounterEncoding::Decimal));
                Box::new(move || drop(space.clear_namespace()))
            }
        };
        let state = HostState { wasi: wasi.build(), table: ResourceTable::new(), eventual: None, g2: None, today, http: wasmtime_wasi_http::WasiHttpCtx::new(), limits: Default::default(), reported: kv_adapt_convert::recent::Recent::new() };
        let mut store = Store::new(engine, state);
        crate::host::run::Limits::default().apply(&mut store);
        let outcome = call_case(&mut store, &linker, &component, case);
        drop(store);
        cleanup();
        outcome
    };
    let listing = run_one("kv-adapt-list-the-cases")?;
    let names = match listing {
        Err(message) => known_cases(&message).ok_or_else(|| anyhow!("the conformance guest did not list its cases: {message}"))?,
        Ok(()) => bail!("the conformance guest accepted a case that does not exist"),
    };
    let mut results = Vec::new();
    for case in names {
        let (functions, class) = describe(&case);
        let outcome = match class {
            Class::AdapterOnly => None,
            Class::Documented | Class::Choice(_) => Some(run_one(&case)?),
        };
        results.push(CaseResult { generation, case, functions, class, outcome });
    }
    Ok(results)
}

fn call_case(store: &mut Store<HostState>, linker: &Linker<HostState>, component: &Component, case: &str) -> anyhow::Result<Result<(), String>> {
    // A store needing more than WASI 0.2 cannot be judged at all: that is no failed case.
    let instance = linker
        .instantiate(&mut *store, component)
        .map_err(|error| anyhow!("the store and the conformance guest do not instantiate with WASI 0.2 alone: {error:#}"))?;
    let iface = instance
        .get_export_index(&mut *store, None, "kv-adapt:components/conformance")
        .ok_or_else(|| anyhow!("the conformance guest exports no kv-adapt:components/conformance"))?;
    let func = instance.get_export_index(&mut *store, Some(&iface), "run").ok_or_else(|| anyhow!("conformance has no run"))?;
    let run = instance.get_typed_func::<(&str,), (Result<(), String>,)>(&mut *store, &func).map_err(anyhow::Error::from)?;
    Ok(match run.call(&mut *store, (case,)) {
        Ok((result,)) => result,
        // A trap in the store is a failure of the store, not of the run.
        Err(trap) => Err(format!("trapped: {trap:#}")),
    })
}

/// Judges `target`: every case of each generation it serves.
pub fn judge(target: Target<'_>) -> anyhow::Result<Report> {
    let engine = run::engine()?;
    let mut results = Vec::new();
    let described = match target {
        Target::Component { name, bytes } => {
            let generations = exported(name, bytes)?;
            let scratch = std::env::temp_dir().join(unique("dirs"));
            for generation in &generations {
                let composed = compose_with_store(*generation, name, bytes)?;
                let judged = run_cases(&engine, *generation, &composed, &Fresh::Dir(scratch.clone()));
                let _ = std::fs::remove_dir_all(&scratch);
                results.extend(judged?);
            }
            let ids: Vec<&str> = generations.iter().map(|g| g.id()).collect();
            format!("{name}, a store component exporting {}; each case on an empty directory preopened at {STORE_GUEST_PATH}", ids.join(" and "))
        }
        Target::Store(StoreSpec::Dir(parent)) => {
            std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
            for generation in [Generation::G5, Generation::G6] {
                let store = artifacts::store(generation).ok_or_else(|| anyhow!("no store component for {generation} is built in"))?;
                let composed = compose_with_store(generation, &store.name(), store.bytes)?;
                results.extend(run_cases(&engine, generation, &composed, &Fresh::Dir(parent.clone()))?);
            }
            format!("kv-adapt's filesystem store (G5 and G6) on {}; each case in a fresh subdirectory", parent.display())
        }
        Target::Store(StoreSpec::Redis(url)) => {
            let server = RedisStore::connect(&url).map_err(|e| anyhow!("{e}"))?;
            for generation in [Generation::G5, Generation::G6] {
                let bare = crate::link::rewire_rc_wasi(guest(generation)?)?;
                results.extend(run_cases(&engine, generation, &bare, &Fresh::Redis(&server))?);
            }
            format!("kv-adapt's G5 and G6 host on {url}; each case in a fresh key namespace, removed afterwards")
        }
    };
    Ok(Report { target: described, results })
}
