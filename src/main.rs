//! `kv-adapt`: inspect, plug, run, and export the shipped adapters.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use kv_adapt::host::run::{RunOptions, StoreSpec};
use kv_adapt::{artifacts, Bodies, CounterEncoding, Generation, Linking, Plan, PlugOptions};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kv-adapt", version, about = "Run components built against one wasi:keyvalue generation on hosts that speak another")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show which key-value generations a component imports and exports, and what `plug` would do.
    Inspect { component: PathBuf },
    /// Convert a component of early 2023 (binary version 0x0c) to today's format, and only that.
    Upgrade {
        component: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Compose a component with the adapter its key-value imports need.
    Plug {
        component: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        target: Target,
        /// Also compose the filesystem store, so the result imports only WASI 0.2 and runs on
        /// stock `wasmtime run --dir ./kv-data::/kv-data`.
        #[arg(long)]
        with_store: bool,
        /// Leave release-candidate WASI names (`wasi:*@0.2.0-rc-…`) as they are; by default
        /// they move to 0.2.0, which hosts of today serve.
        #[arg(long, conflicts_with = "with_store")]
        keep_wasi_versions: bool,
    },
    /// Adapt if needed, compose the filesystem store, and run the component's wasi:cli/run.
    Run {
        component: PathBuf,
        /// The store: a host directory (one directory per bucket, one file per key) or
        /// `redis://HOST[:PORT][/DB]` (keys `bucket:key`, counters decimal).
        #[arg(long, default_value = "./kv-data")]
        store: String,
        #[command(flatten)]
        target: Target,
        /// Print nothing on success (failures are still explained on stderr).
        #[arg(short, long)]
        quiet: bool,
        /// MiB each linear memory of the composition (guest, adapter, store) may grow to;
        /// growing past it traps.
        #[arg(long, default_value_t = kv_adapt::host::run::Limits::DEFAULT_MEMORY_MIB)]
        max_memory_mib: usize,
        /// Live component-model handles (resources) the run may hold at once; one more traps.
        #[arg(long, default_value_t = kv_adapt::host::run::Limits::DEFAULT_HANDLES)]
        max_handles: usize,
        /// Keep compiled components in this directory and reuse them: a run of a component
        /// compiled before starts without compiling it (made if missing; off by default).
        #[arg(long, value_name = "DIR")]
        compile_cache: Option<PathBuf>,
        #[command(flatten)]
        guest: GuestArgs,
        /// Arguments passed to the component.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Adapt if needed and serve the component's wasi:http/incoming-handler (WASI 0.2) or
    /// wasi:http/handler (WASI 0.3) over HTTP/1.1, one instance per request, with the same
    /// stores as `run`.
    Serve {
        component: PathBuf,
        /// Where to listen; port 0 picks a free one (printed on stderr).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// The store, as for `run`.
        #[arg(long, default_value = "./kv-data")]
        store: String,
        #[command(flatten)]
        target: Target,
        /// MiB each linear memory of one request's instance may grow to.
        #[arg(long, default_value_t = kv_adapt::host::run::Limits::DEFAULT_MEMORY_MIB)]
        max_memory_mib: usize,
        /// Live component-model handles one request's instance may hold at once.
        #[arg(long, default_value_t = kv_adapt::host::run::Limits::DEFAULT_HANDLES)]
        max_handles: usize,
        /// Stop after serving this many requests (one per connection); default: until killed.
        #[arg(long, value_name = "N")]
        requests: Option<u64>,
        #[command(flatten)]
        guest: GuestArgs,
        /// Arguments passed to the component.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Write a change into the store, then call the component's watch handler for it
    /// (through a watch bridge when its generation is not the host's).
    Notify {
        component: PathBuf,
        /// The store, as for `run`.
        #[arg(long, default_value = "./kv-data")]
        store: String,
        #[command(flatten)]
        target: Target,
        /// Only call the handler: the change is already in the store.
        #[arg(long)]
        no_write: bool,
        #[command(subcommand)]
        event: EventArg,
    },
    /// Run two components on copies of one store and compare the stores, outputs and exits.
    /// Exit 0: the same; 1: different; 2: could not compare.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// The old component's host generation.
        #[arg(long, value_enum, default_value_t = Host::G5)]
        old_host: Host,
        /// The new component's host generation.
        #[arg(long, value_enum, default_value_t = Host::G5)]
        new_host: Host,
        /// How the old side's host stores counters.
        #[arg(long, value_enum, default_value_t = Counter::Decimal)]
        old_counter_encoding: Counter,
        /// How the new side's host stores counters.
        #[arg(long, value_enum, default_value_t = Counter::Decimal)]
        new_counter_encoding: Counter,
        /// Seed both copies from this store directory (one directory per bucket, one file per key).
        #[arg(long)]
        seed: Option<PathBuf>,
        /// Run on fresh namespaces of this Redis server (`redis://HOST[:PORT][/DB]`) instead of
        /// temporary directories.
        #[arg(long)]
        store: Option<String>,
        /// Run OLD first, then OLD and NEW again on its result, and compare those runs.
        #[arg(long)]
        then: bool,
        /// Write the diff as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Arguments passed to both components.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Judge a store against what wasi:keyvalue documents, function by function: a store
    /// component exporting G5 or G6, or `--store DIR|redis://...`.
    Conformance {
        /// A component exporting wasi:keyvalue/store@0.2.0-draft or @0.2.0-draft2.
        component: Option<PathBuf>,
        /// Judge kv-adapt's own store over a directory, or its host over Redis.
        #[arg(long, conflicts_with = "component")]
        store: Option<String>,
    },
    /// Write every shipped adapter and store component (one per counter encoding) into DIR,
    /// or with `--for`, just the parts a composed plug of that guest uses and a `.wac` file
    /// that composes them; either way with an index, `index.json`, of what was written.
    Adapters {
        #[arg(long)]
        out: PathBuf,
        /// The guest to write the parts for (the host, counter encoding, bodies and
        /// `--strict-atomics` below apply to it).
        #[arg(long = "for", value_name = "GUEST.wasm")]
        guest: Option<PathBuf>,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(clap::Args)]
struct Target {
    /// The generation the host speaks.
    #[arg(long, value_enum, default_value_t = Host::G5)]
    host: Host,
    /// How the host stores counters written by `increment`.
    #[arg(long, value_enum, default_value_t = Counter::Decimal)]
    counter_encoding: Counter,
    /// Who serves wasi:io for value-body streams; `auto` decides from the guest's imports.
    #[arg(long, value_enum, default_value_t = BodiesArg::Auto)]
    bodies: BodiesArg,
    /// Link the adapter inside the guest's component (`fused`) or compose it beside
    /// (`composed`); `auto` fuses wherever that keeps the behaviour.
    #[arg(long = "link", value_enum, default_value_t = LinkArg::Auto)]
    linking: LinkArg,
    /// Refuse what the host cannot do atomically (compare-and-swap on a host without one, a
    /// negative increment on a host whose counters only count up) instead of emulating it
    /// with a read and a write that another writer may interleave with.
    #[arg(long)]
    strict_atomics: bool,
    /// Open the guest's bucket (or Spin store label) NAME as the host's bucket BUCKET;
    /// repeatable. `--bucket default=` runs a Spin app's `default` store on wasmtime's only
    /// bucket, `""`.
    #[arg(long = "bucket", value_name = "NAME=BUCKET", value_parser = kv_adapt::link::config::parse_bucket)]
    buckets: Vec<(String, String)>,
    /// Adapt onto this one of the host's key-value interfaces: `--host spin --onto spin3`
    /// (a wasmCloud 2 component onto Spin 4's async interface instead of Spin's draft2),
    /// `--host wasmcloud --onto g5`. By default the host's own, where an adapter goes
    /// straight onto it, else the one kv-adapt adapts that host as.
    #[arg(long, value_enum)]
    onto: Option<Onto>,
}

/// The key-value interfaces a host may serve beside its own.
#[derive(Clone, Copy, ValueEnum)]
enum Onto {
    G2,
    G3,
    G4,
    G5,
    G6,
    Spin3,
    Wasmcloud2,
}

impl Onto {
    fn generation(self) -> Generation {
        match self {
            Onto::G2 => Generation::G2,
            Onto::G3 => Generation::G3,
            Onto::G4 => Generation::G4,
            Onto::G5 => Generation::G5,
            Onto::G6 => Generation::G6,
            Onto::Spin3 => Generation::Spin3,
            Onto::Wasmcloud2 => Generation::Wasmcloud2,
        }
    }
}

/// What the guest sees beyond the store, in wasmtime's spelling.
#[derive(clap::Args)]
struct GuestArgs {
    /// Preopen HOST_DIR in the guest at GUEST_PATH (`--dir DIR` alone: the same path).
    #[arg(long = "dir", value_name = "HOST_DIR::GUEST_PATH")]
    dirs: Vec<String>,
    /// Set an environment variable for the guest (`--env NAME` alone passes kv-adapt's own).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// wasi:sockets for the guest, as wasmtime's `-S`: `tcp`, `udp` (on unless `=n`),
    /// `inherit-network` (reach any address), `allow-ip-name-lookup`.
    #[arg(short = 'S', value_name = "NAME[=y|n]")]
    wasi: Vec<String>,
}

impl GuestArgs {
    fn extras(&self) -> Result<kv_adapt::host::run::GuestExtras> {
        Ok(kv_adapt::host::run::GuestExtras {
            env: self.env.iter().map(|e| kv_adapt::host::run::GuestExtras::parse_env(e)).collect::<Result<_>>()?,
            dirs: self.dirs.iter().map(|d| kv_adapt::host::run::GuestExtras::parse_dir(d)).collect::<Result<_>>()?,
            network: self.wasi.iter().try_fold(kv_adapt::host::run::Network::DEFAULT, |mut network, option| {
                network.set(option).map(|()| network)
            })?,
        })
    }
}

fn limits(max_memory_mib: usize, max_handles: usize) -> Result<kv_adapt::host::run::Limits> {
    let memory_bytes = max_memory_mib
        .checked_mul(1 << 20)
        .with_context(|| format!("--max-memory-mib {max_memory_mib} is more than this machine can address"))?;
    Ok(kv_adapt::host::run::Limits { memory_bytes, handles: max_handles })
}

#[derive(Clone, Copy, ValueEnum)]
enum LinkArg {
    Auto,
    Fused,
    Composed,
}

#[derive(Clone, Copy, ValueEnum)]
enum Host {
    /// wasi:keyvalue 2023-11, unversioned (wasmCloud 0.80/0.81)
    G2,
    /// wasi:keyvalue@0.1.0 (wasmCloud 0.82)
    G3,
    /// wasi:keyvalue@0.2.0-draft, eventual shape
    G4,
    /// wasi:keyvalue@0.2.0-draft (wasmtime, wasmCloud 1.x); also `draft`
    #[value(alias = "draft")]
    G5,
    /// wasi:keyvalue@0.2.0-draft2, upstream's; also `draft2`
    #[value(alias = "draft2")]
    G6,
    /// Spin 3.0 to 4.x: Spin's own wasi:keyvalue@0.2.0-draft2, fermyon:spin/key-value (2.0.0 and
    /// 1.x) and Spin 4's spin:key-value@3.0.0 for WASI 0.3 components
    Spin,
    /// wasmCloud 2: wasi:keyvalue@0.2.0-draft (G5) for WASI 0.2 components, wasmcloud:keyvalue@0.2.0
    /// for WASI 0.3 ones
    Wasmcloud,
}

impl Host {
    fn generation(self) -> Generation {
        match self {
            Host::G2 => Generation::G2,
            Host::G3 => Generation::G3,
            Host::G4 => Generation::G4,
            Host::G5 => Generation::G5,
            Host::G6 => Generation::G6,
            Host::Spin => Generation::SpinDraft2,
            Host::Wasmcloud => Generation::Wasmcloud2,
        }
    }
}

#[derive(Subcommand)]
enum EventArg {
    /// Set KEY in BUCKET to VALUE (text) or to the bytes of --value-file, then call `on-set`.
    Set {
        bucket: String,
        key: String,
        #[arg(required_unless_present = "value_file", conflicts_with = "value_file")]
        value: Option<String>,
        #[arg(long, value_name = "FILE")]
        value_file: Option<PathBuf>,
    },
    /// Delete KEY from BUCKET, then call `on-delete`.
    Delete { bucket: String, key: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum Counter {
    Decimal,
    Le64,
    Be64,
}

#[derive(Clone, Copy, ValueEnum)]
enum BodiesArg {
    Auto,
    /// The adapter exports wasi:io and serves value bodies from memory.
    Adapter,
    /// wasi:io stays the host's; async bodies are refused.
    Host,
    /// As `adapter`, also wrapping the host's stdio, monotonic clock and files (G3/G4).
    Wrapping,
}

impl Target {
    /// Whether any flag differs from its default.
    fn chosen(&self) -> bool {
        !matches!(
            (self.host, self.counter_encoding, self.bodies, self.linking, self.strict_atomics),
            (Host::G5, Counter::Decimal, BodiesArg::Auto, LinkArg::Auto, false)
        ) || !self.buckets.is_empty()
            || self.onto.is_some()
    }

    fn options(&self) -> PlugOptions {
        PlugOptions {
            host: self.host.generation(),
            counter: self.counter_encoding.encoding(),
            bodies: match self.bodies {
                BodiesArg::Auto => None,
                BodiesArg::Adapter => Some(Bodies::Adapter),
                BodiesArg::Host => Some(Bodies::Host),
                // No group asked for: plan() wraps those the guest imports.
                BodiesArg::Wrapping => Some(Bodies::Wrapping(Default::default())),
            },
            diagnostics: false,
            linking: match self.linking {
                LinkArg::Auto => None,
                LinkArg::Fused => Some(Linking::Fused),
                LinkArg::Composed => Some(Linking::Composed),
            },
            keep_wasi_versions: false,
            strict_atomics: self.strict_atomics,
            error_sink: false,
            buckets: self.buckets.clone(),
            onto: self.onto.map(Onto::generation),
        }
    }
}

impl Counter {
    fn encoding(self) -> CounterEncoding {
        match self {
            Counter::Decimal => CounterEncoding::Decimal,
            Counter::Le64 => CounterEncoding::Le64,
            Counter::Be64 => CounterEncoding::Be64,
        }
    }
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so `kv-adapt inspect x.wasm | head` would panic on the first
    // write after `head` exits; a command-line tool should end quietly, as cat does.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists or anything is written.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let command = Cli::parse().command;
    // `diff` keeps 1 for "different", so its own failures are 2.
    let failure = if matches!(command, Command::Diff { .. }) { ExitCode::from(2) } else { ExitCode::FAILURE };
    match execute(command) {
        Ok(code) => code,
        Err(error) => {
            // One line: the whole context chain joined, as a person reads it (wasmtime's and
            // wasmparser's own messages may span lines).
            eprintln!("kv-adapt: {}", kv_adapt::one_line(&format!("{error:#}")));
            failure
        }
    }
}

/// Reads a component; one of early 2023 (0x0c) is upgraded first, and the user is told.
fn read(path: &Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    if !kv_adapt::plan::surface::is_2023_component(&bytes) {
        return Ok((name, bytes));
    }
    let upgraded = kv_adapt::link::upgrade::upgrade(&name, &bytes)?;
    eprintln!("kv-adapt: {name}: {}", upgrade_note(&upgraded));
    Ok((name, upgraded.component))
}

fn upgrade_note(upgraded: &kv_adapt::link::upgrade::Upgraded) -> String {
    format!(
        "a 2023 component (binary version 0x0c), upgraded to today's format as G1 world `{}` ({} imports kept by name)",
        upgraded.world,
        upgraded.imports.len()
    )
}

fn execute(command: Command) -> Result<ExitCode> {
    match command {
        Command::Upgrade { component, output } => {
            let name = component.display().to_string();
            let bytes = std::fs::read(&component).with_context(|| format!("cannot read {name}"))?;
            // The upgrade's own encoding validates the component.
            let upgraded = kv_adapt::link::upgrade::upgrade(&name, &bytes)?;
            std::fs::write(&output, &upgraded.component).with_context(|| format!("cannot write {}", output.display()))?;
            println!("kv-adapt: {name}: {}; wrote {}", upgrade_note(&upgraded), output.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { component } => {
            let (name, bytes) = read(&component)?;
            inspect(&name, &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plug { component, output, target, with_store, keep_wasi_versions } => {
            let (name, bytes) = read(&component)?;
            let options = PlugOptions { keep_wasi_versions, ..target.options() };
            if with_store && options.host == Generation::SpinDraft2 {
                bail!("--with-store --host spin: the filesystem store component serves upstream G5 or G6, not Spin's interfaces; use --with-store with --host g6, or `kv-adapt run --host spin`");
            }
            let plugged = kv_adapt::plug_named(&name, &bytes, &options)?;
            let (written, store) = if with_store {
                (kv_adapt::host::run::bundle_store(&plugged.component, &options)?, " with the filesystem store")
            } else {
                (plugged.component, "")
            };
            std::fs::write(&output, &written).with_context(|| format!("cannot write {}", output.display()))?;
            let wasi = match plugged.wasi.describe() {
                words if words.is_empty() => String::new(),
                words => format!("; {words}"),
            };
            eprintln!("{name}: {}{store}{wasi}; wrote {} ({} bytes)", plugged.plan, output.display(), written.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { component, addr, store, target, max_memory_mib, max_handles, requests, guest, args } => {
            let (name, bytes) = read(&component)?;
            let mut argv = vec![name.clone()];
            argv.extend(args);
            let options = kv_adapt::host::serve::ServeOptions {
                plug: target.options(),
                store: StoreSpec::parse(&store)?,
                addr,
                args: argv,
                extras: guest.extras()?,
                limits: limits(max_memory_mib, max_handles)?,
                requests,
            };
            kv_adapt::host::serve::serve(&name, &bytes, &options, |listening| {
                eprintln!(
                    "kv-adapt: {name}: serving http://{}/ ({} onto {}; counters {}; store {})",
                    listening.addr,
                    kv_adapt::host::run::guest_and_adapter(&listening.ready.plan),
                    options.plug.host,
                    options.plug.counter.name(),
                    options.store.describe()
                );
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { component, store, target, quiet, max_memory_mib, max_handles, compile_cache, guest, args } => {
            let (name, bytes) = read(&component)?;
            let mut argv = vec![name.clone()];
            argv.extend(args);
            let limits = limits(max_memory_mib, max_handles)?;
            let options = RunOptions {
                plug: target.options(),
                store: StoreSpec::parse(&store)?,
                args: argv,
                extras: guest.extras()?,
                capture: false,
                limits,
                compile_cache,
            };
            let report = kv_adapt::host::run::run(&name, &bytes, &options)?;
            if report.ran.succeeded {
                if !quiet {
                    eprintln!("{}", kv_adapt::host::run::summary(&name, &report, &options));
                }
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("{}: wasi:cli/run returned an error", kv_adapt::host::run::summary(&name, &report, &options));
            for line in kv_adapt::host::run::explain_failure(&report, &options) {
                eprintln!("{line}");
            }
            Ok(ExitCode::FAILURE)
        }
        Command::Notify { component, store, target, no_write, event } => {
            let (name, bytes) = read(&component)?;
            let event = match event {
                EventArg::Set { bucket, key, value, value_file } => {
                    let value = match (value, value_file) {
                        (Some(text), None) => text.into_bytes(),
                        (None, Some(file)) => std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?,
                        (Some(_), Some(_)) | (None, None) => bail!("give the value as text or with --value-file, not both"),
                    };
                    kv_adapt::host::notify::Event::Set { bucket, key, value }
                }
                EventArg::Delete { bucket, key } => kv_adapt::host::notify::Event::Delete { bucket, key },
            };
            let store = StoreSpec::parse(&store)?;
            let options = kv_adapt::host::notify::NotifyOptions { plug: target.options(), store, limits: Default::default(), write: !no_write };
            let notified = kv_adapt::host::notify::notify(&name, &bytes, &options, &event)?;
            let written = if no_write { "(already in the store)" } else { "written" };
            eprintln!(
                "kv-adapt: {name}: {} {written}, then called {} ({}); store {}",
                event.describe(),
                notified.called,
                notified.plan,
                options.store.describe()
            );
            for trace in notified.recent_errors.iter().flatten() {
                eprintln!("  the adapter handed the handler an error: {trace}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Adapters { out, guest: None, target } => {
            if target.chosen() {
                bail!("--host, --counter-encoding, --bodies, --link and --strict-atomics choose the parts for one guest: give it with --for GUEST.wasm");
            }
            write_adapters(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Adapters { out, guest: Some(guest), target } => {
            write_parts_for(&out, &guest, &target)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            old,
            new,
            old_host,
            new_host,
            old_counter_encoding,
            new_counter_encoding,
            seed,
            store,
            then,
            json,
            args,
        } => {
            let (old_name, old_bytes) = read(&old)?;
            let (new_name, new_bytes) = read(&new)?;
            let redis = match store.as_deref().map(StoreSpec::parse).transpose()? {
                None => None,
                Some(StoreSpec::Redis(url)) => Some(url),
                Some(StoreSpec::Dir(dir)) => bail!(
                    "diff runs on temporary copies, not on {}; seed them from it with --seed {}",
                    dir.display(),
                    dir.display()
                ),
            };
            let side = |host: Host, counter: Counter| PlugOptions {
                host: host.generation(),
                counter: counter.encoding(),
                ..PlugOptions::default()
            };
            let mut argv = vec![old_name.clone()];
            argv.extend(args);
            let options = kv_adapt::check::diff::DiffOptions { seed, redis, args: argv, then };
            let diff = kv_adapt::check::diff::diff(
                &kv_adapt::check::diff::Side { name: &old_name, bytes: &old_bytes, plug: side(old_host, old_counter_encoding) },
                &kv_adapt::check::diff::Side { name: &new_name, bytes: &new_bytes, plug: side(new_host, new_counter_encoding) },
                &options,
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&kv_adapt::check::diff::to_json(&diff))?);
            } else {
                for line in kv_adapt::check::diff::render(&diff) {
                    println!("{line}");
                }
            }
            Ok(if diff.is_same() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Conformance { component, store } => {
            let owned;
            let target = match (component, store) {
                (Some(path), None) => {
                    owned = read(&path)?;
                    kv_adapt::check::conformance::Target::Component { name: &owned.0, bytes: &owned.1 }
                }
                (None, Some(store)) => kv_adapt::check::conformance::Target::Store(StoreSpec::parse(&store)?),
                (None, None) => bail!("conformance needs a store component to judge, or --store DIR|redis://HOST:PORT"),
                (Some(_), Some(_)) => bail!("give a store component or --store, not both"),
            };
            let report = kv_adapt::check::conformance::judge(target)?;
            for line in report.render() {
                println!("{line}");
            }
            Ok(if report.failures().next().is_none() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}

fn inspect(name: &str, bytes: &[u8]) -> Result<()> {
    let surface = kv_adapt::surface(name, bytes)?;
    println!("{name}: component");
    let describe = |list: &[String], items: &[(String, Vec<String>)], labels: &[kv_adapt::plan::surface::Label]| {
        for item in list {
            // A labelled import is the interface it implements, under a name of its own.
            let (interface, shown) = match labels.iter().find(|l| &l.name == item) {
                Some(label) => (label.implements.as_str(), format!("{item} (label, implements {})", label.implements)),
                None => (item.as_str(), item.clone()),
            };
            let classified = match kv_adapt::generation::InterfaceName::parse(interface) {
                Some(name) => kv_adapt::generation::classify(&name),
                // G1's names have no package; a label is never one of them.
                None if interface == item && !labels.iter().any(|l| &l.name == item) => kv_adapt::generation::classify_plain(item).map(Ok),
                None => None,
            };
            match classified {
                Some(Ok(generation)) => println!("  {shown}  [{}]", generation.id()),
                Some(Err(_)) => println!("  {shown}  [unknown wasi:keyvalue version]"),
                None => println!("  {shown}"),
            }
            // What the component takes from a key-value import: wit-component keeps only
            // what its module uses, so this is what an adapter or host must serve.
            if classified.is_some() {
                if let Some((_, names)) = items.iter().find(|(name, _)| name == item) {
                    println!("      uses: {}", uses(names));
                }
            }
        }
    };
    println!("imports:");
    describe(&surface.imports, &surface.import_items, &surface.labels);
    println!("exports:");
    describe(&surface.exports, &[], &[]);
    let list = |g: Vec<(Generation, Vec<&str>)>| {
        if g.is_empty() {
            "none".to_string()
        } else {
            g.iter().map(|(g, interfaces)| format!("{} {}: {}", g.id(), g.package(), interfaces.join(", "))).collect::<Vec<_>>().join("; ")
        }
    };
    println!("key-value generations imported: {}", list(surface.imported_interfaces()));
    println!("key-value generations exported: {}", list(surface.exported_interfaces()));
    for (flag, host) in [
        ("g2", Generation::G2),
        ("g3", Generation::G3),
        ("g4", Generation::G4),
        ("g5 (draft)", Generation::G5),
        ("g6 (draft2)", Generation::G6),
        ("spin", Generation::SpinDraft2),
        ("wasmcloud", Generation::Wasmcloud2),
    ] {
        let options = PlugOptions { host, ..PlugOptions::default() };
        match kv_adapt::plan(name, &surface, &options) {
            Ok(plan) => println!("plug --host {flag}: {plan}"),
            Err(error) => println!("plug --host {flag}: refused: {error}"),
        }
    }
    Ok(())
}

/// An instance's item names as a person reads them: `[method]bucket.get` as `bucket.get`,
/// `[constructor]cas` as `cas.new`, `[static]t.f` as `t.f`.
fn uses(names: &[String]) -> String {
    let readable = |name: &str| -> String {
        if let Some(rest) = name.strip_prefix("[method]").or_else(|| name.strip_prefix("[static]")) {
            rest.to_string()
        } else if let Some(resource) = name.strip_prefix("[constructor]") {
            format!("{resource}.new")
        } else if let Some(resource) = name.strip_prefix("[resource-drop]") {
            format!("{resource}.drop")
        } else {
            name.to_string()
        }
    };
    names.iter().map(|n| readable(n)).collect::<Vec<_>>().join(", ")
}

fn write_adapters(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let encodings = [CounterEncoding::Decimal, CounterEncoding::Le64, CounterEncoding::Be64];
    let mut index = Vec::new();
    for encoding in encodings {
        let adapters = artifacts::ADAPTERS.iter().map(|a| (a.name(), a.bytes, "adapter", a.source.id(), a.target, a.bodies.name()));
        let stores = artifacts::STORES.iter().map(|s| (s.name(), s.bytes, "store", "", s.target, ""));
        for (stem, bytes, role, source, target, bodies) in adapters.chain(stores) {
            let configured = kv_adapt::configure(&stem, bytes, encoding)?;
            let file = format!("{stem}-{}.wasm", encoding.name());
            let mut entry = json!({ "file": file, "role": role, "host": target.id(), "counter-encoding": encoding.name() });
            if !source.is_empty() {
                entry["guest"] = json!(source);
                entry["bodies"] = json!(bodies);
            }
            index.push(write_part(out, &file, &configured, entry)?);
        }
    }
    if index.is_empty() {
        bail!("no adapters are built into this kv-adapt");
    }
    // Watch bridges import nothing to configure: one file each.
    for bridge in artifacts::BRIDGES {
        let file = format!("{}.wasm", bridge.name());
        let entry = json!({ "file": file, "role": "watch-bridge", "guest": bridge.source.id(), "host": bridge.target.id() });
        index.push(write_part(out, &file, bridge.bytes, entry)?);
    }
    // For Spin: plugged beside a G6 guest or a G6 adapter that imports upstream batch.
    let file = format!("{}.wasm", artifacts::BATCH_BY_KEY_NAME);
    let entry = json!({ "file": file, "role": "batch-by-key", "guest": Generation::G6.id(), "host": Generation::SpinDraft2.id() });
    index.push(write_part(out, &file, artifacts::batch_by_key(), entry)?);
    write_index(out, json!({ "files": index }))
}

/// Writes `bytes` to `out/file` and says so; `entry`, with the size added, goes in the index,
/// and for a component also its imports (what a host must serve it: with plain wac, the
/// file whose key-value imports the host serves is the one to pick) and its exports.
fn write_part(out: &Path, file: &str, bytes: &[u8], mut entry: serde_json::Value) -> Result<serde_json::Value> {
    let path = out.join(file);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    entry["bytes"] = json!(bytes.len());
    if bytes.starts_with(b"\0asm") {
        // Our own shipped parts, validated when they were built: their names suffice.
        let surface = kv_adapt::plan::surface::names(file, bytes)?;
        entry["imports"] = json!(surface.imports);
        entry["exports"] = json!(surface.exports);
    }
    Ok(entry)
}

fn write_index(out: &Path, index: serde_json::Value) -> Result<()> {
    let path = out.join("index.json");
    std::fs::write(&path, serde_json::to_string_pretty(&index)? + "\n").with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

/// `adapters --for`: the parts a composed plug of `guest` uses, configured as `plug` would
/// configure them, and a `.wac` file that composes them with the guest, for plain wac. Only
/// composed parts: fusing links inside the guest's own component, which wac does not do.
fn write_parts_for(out: &Path, guest: &Path, target: &Target) -> Result<()> {
    if matches!(target.linking, LinkArg::Fused) {
        bail!("adapters --for writes the composed parts that plain wac puts beside a guest; a fused adapter is linked inside the guest by `kv-adapt plug --link fused`");
    }
    let (name, bytes) = read(guest)?;
    let options = PlugOptions { linking: Some(Linking::Composed), ..target.options() };
    let surface = kv_adapt::surface(&name, &bytes)?;
    let plan = kv_adapt::plan(&name, &surface, &options)?;
    let (source, bodies, watch) = match &plan {
        Plan::Unchanged { generation } => {
            bail!("{name} already imports {} {}: it needs no adapter on that host", generation.id(), generation.package())
        }
        Plan::Adapt { adapter, batch_by_key, .. } if adapter == artifacts::BATCH_BY_KEY_NAME || batch_by_key.is_some() => {
            bail!(
                "adapters --for --host spin: this plug also composes {} (upstream batch key by key over Spin's store), which the written .wac does not describe yet; \
                 use `kv-adapt plug --host spin`, or `kv-adapt adapters` for every part, {0}.wasm among them",
                artifacts::BATCH_BY_KEY_NAME
            )
        }
        Plan::Adapt { source, bodies, watch, .. } => (*source, *bodies, watch.is_some()),
    };
    let parts = kv_adapt::link::composed_parts(&surface, source, bodies, watch, &options)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut files = Vec::new();
    let adapter_file = format!("{}-{}.wasm", parts.adapter.0, options.counter.name());
    let entry = json!({ "file": adapter_file, "role": "adapter", "guest": source.id(), "host": options.host.id(), "bodies": bodies.name(), "counter-encoding": options.counter.name() });
    files.push(write_part(out, &adapter_file, &parts.adapter.1, entry)?);
    let bridge_file = match &parts.bridge {
        Some((bridge, bytes)) => {
            let file = format!("{bridge}.wasm");
            let entry = json!({ "file": file, "role": "watch-bridge", "guest": source.id(), "host": options.host.id() });
            files.push(write_part(out, &file, bytes, entry)?);
            Some(file)
        }
        None => None,
    };
    // A 2023 binary was upgraded on reading: wac composes today's format only.
    let guest_file = match std::fs::read(guest)? == bytes {
        true => guest.display().to_string(),
        false => {
            let file = "guest-upgraded.wasm";
            files.push(write_part(out, file, &bytes, json!({ "file": file, "role": "guest", "upgraded-from": name }))?);
            out.join(file).display().to_string()
        }
    };
    let wac_file = "plug.wac";
    let mut command = format!("wac compose {} --dep kv-adapt:adapter={}", out.join(wac_file).display(), out.join(&adapter_file).display());
    if let Some(file) = &bridge_file {
        command += &format!(" --dep kv-adapt:bridge={}", out.join(file).display());
    }
    command += &format!(" --dep legacy:guest={guest_file} -o composed.wasm");
    let moved: Vec<&String> = surface.imports.iter().filter(|i| kv_adapt::plan::wasi::renamed(i).is_some()).collect();
    let wac = plug_wac(&name, &plan, &command, source, options.host, bridge_file.is_some(), &moved);
    files.push(write_part(out, wac_file, wac.as_bytes(), json!({ "file": wac_file, "role": "wac" }))?);
    write_index(out, json!({ "for": name, "plan": plan.to_string(), "compose": command, "files": files }))
}

/// The `.wac` file composing `source`'s guest with its adapter (and bridge) for `host`.
fn plug_wac(name: &str, plan: &Plan, command: &str, source: Generation, host: Generation, bridge: bool, moved: &[&String]) -> String {
    let mut wac = format!("// {name} on a {} host, as `kv-adapt plug --link composed` composes it:\n//   {plan}\n//\n//   {command}\n", host.id());
    if !moved.is_empty() {
        wac += &format!(
            "//\n// The guest also imports WASI release-candidate names ({}), which `kv-adapt plug` moves to\n// 0.2.0 afterwards and plain wac leaves as they are: a host must serve them.\n",
            moved.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    wac += "package kv-adapt:plug;\n\n// `...` leaves the adapter's own imports (the host's key-value interfaces) to the host.\nlet adapter = new kv-adapt:adapter { ... };\n\n";
    match bridge {
        false => wac += "let guest = new legacy:guest { ...adapter, ... };\n\nexport guest...;\n",
        true => {
            let (handler, watcher) = (source.watch_export(), host.watch_export());
            wac += "// The guest's watch handler is exported by the bridge as the host's.\nlet guest = new legacy:guest { ...adapter, ... };\n\n";
            wac += &format!("let bridge = new kv-adapt:bridge {{ \"{handler}\": guest[\"{handler}\"], ...adapter, ... }};\n\nexport bridge[\"{watcher}\"];\n");
        }
    }
    wac
}
