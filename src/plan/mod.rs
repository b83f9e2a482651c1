//! Deciding a plug: what a component is ([`surface`]) and, from that alone, what `plug`
//! will do with it ([`plan()`], a pure function of the surface and the options). Nothing in
//! this folder builds or changes a component; `link` does that with the plan.

pub mod surface;
pub mod wasi;

use crate::artifacts::{self, Bodies};
use crate::error::{Error, Result};
use crate::generation::{Generation, InterfaceName};
use kv_adapt_convert::counter::Encoding as CounterEncoding;
use surface::Surface;

/// What `plug` adapts onto and how.
#[derive(Clone, Debug)]
pub struct PlugOptions {
    /// The host's generation. Adapters exist onto [`Generation::G5`] (`0.2.0-draft`) and
    /// [`Generation::G6`] (`0.2.0-draft2`); for an older host only a guest that already
    /// speaks its generation is accepted (unchanged).
    pub host: Generation,
    /// How the host stores `increment` counters; the adapter reads them the same way for CAS.
    pub counter: CounterEncoding,
    /// Force a body flavour instead of choosing it from the guest's imports.
    pub bodies: Option<Bodies>,
    /// Also export the adapter's [`DIAGNOSTICS`](crate::artifacts::DIAGNOSTICS) interface from the composition, so that a
    /// runner can say which key-value errors the guest was given. Off for `plug`: the
    /// plugged component's exports stay the guest's own.
    pub diagnostics: bool,
    /// Fuse or compose; `None` fuses wherever a fused adapter gives the same behaviour.
    pub linking: Option<Linking>,
    /// Leave release-candidate WASI names (`wasi:*@0.2.0-rc-…`) as the guest has them
    /// instead of moving them to 0.2.0 ([`crate::link::wasi_rc`]), which hosts of today serve.
    pub keep_wasi_versions: bool,
    /// Refuse what the host cannot do atomically instead of emulating it with a read and a
    /// write: a compare-and-swap on a host without one, and a G6 decrement on a host whose
    /// counters only count up. Off by default (README, "Atomics the host lacks").
    pub strict_atomics: bool,
    /// Have the adapter hand each error trace to [`ERROR_SINK`](crate::artifacts::ERROR_SINK) as it happens (the
    /// composition then imports it): a runner keeps them even when the guest's instance
    /// can no longer be entered, after it exits non-zero or traps. Off for `plug`.
    pub error_sink: bool,
    /// Bucket (or store label) names the guest opens, each with the host bucket that serves
    /// it (`--bucket NAME=BUCKET`): a Spin app's `default` on wasmtime's bucket `""`. The
    /// adapter renames when it opens; a name not listed is opened as it is.
    pub buckets: Vec<(String, String)>,
    /// Which of the host's key-value interfaces to adapt onto (`--onto`), when the host
    /// serves several; `None` chooses (see [`onto`]).
    pub onto: Option<Generation>,
}

/// How an adapter joins a guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linking {
    /// A core module linked inside the guest's own component (`fuse`): guest calls are
    /// core calls in one memory.
    Fused,
    /// A component composed beside the guest: every call crosses between two components.
    Composed,
}

impl Default for PlugOptions {
    fn default() -> Self {
        PlugOptions {
            host: Generation::G5,
            counter: CounterEncoding::Decimal,
            bodies: None,
            diagnostics: false,
            linking: None,
            keep_wasi_versions: false,
            strict_atomics: false,
            error_sink: false,
            buckets: Vec::new(),
            onto: None,
        }
    }
}

/// The decision `plug` makes for a component, shown by `inspect` and `plug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The component already imports the host's generation.
    Unchanged { generation: Generation },
    Adapt {
        source: Generation,
        target: Generation,
        bodies: Bodies,
        adapter: String,
        why_bodies: String,
        /// The watch bridge serving the guest's `handle-watch` as the host's `watcher`, when
        /// the guest exports a handler.
        watch: Option<String>,
        linking: Linking,
        /// Why a composed plan is not fused, when fusing was not ruled out by option.
        why_composed: Option<String>,
        /// On a Spin host: the part that serves the upstream G6 `batch` the adapted guest
        /// imports key by key over Spin's store, set by `link` when the plug imports one.
        batch_by_key: Option<String>,
        /// The guest's labelled key-value imports, each served by an adapter instance of
        /// its own (wasmCloud 2's several stores), in the order the guest imports them.
        labels: Vec<String>,
        /// The labels are served by the adapter instance of the unlabelled imports, whose
        /// types they use ([`Surface::labels_share_types`]).
        labels_shared: bool,
    },
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (source, target, watch) = match self {
            Plan::Unchanged { generation } => {
                return write!(f, "nothing to adapt: already imports {} {}", generation.id(), generation.package())
            }
            Plan::Adapt { source, target, adapter, watch, linking, .. } if source.body_io().is_none() => {
                write!(f, "adapt {} -> {} with {adapter}{}", source.id(), target.id(), linking.words())?;
                (source, target, watch)
            }
            Plan::Adapt { source, target, bodies, adapter, why_bodies, watch, linking, .. } => {
                write!(
                    f,
                    "adapt {} -> {} with {adapter}{} (value bodies: {}; {why_bodies})",
                    source.id(),
                    target.id(),
                    linking.words(),
                    bodies.name()
                )?;
                (source, target, watch)
            }
        };
        if let Some(bridge) = watch {
            // The bridge serves the handler of the generation the adapter goes onto, which on
            // wasmCloud 2 is G5's (the host calls it for a WASI 0.2 component).
            let served = artifacts::BRIDGES.iter().find(|b| &b.name() == bridge).map_or(*target, |b| b.target);
            write!(f, "; {} served as {} by {bridge}", source.watch_export(), served.watch_export())?;
        }
        if let Plan::Adapt { batch_by_key: Some(shim), .. } = self {
            write!(f, "; upstream batch served key by key over the host's store by {shim}")?;
        }
        if let Plan::Adapt { labels, labels_shared, .. } = self {
            match (labels.is_empty(), labels_shared) {
                (true, _) => {}
                (false, false) => write!(f, "; one adapter instance for each label ({}), all over the host's buckets", labels.join(", "))?,
                (false, true) => write!(f, "; the labels ({}) served by the adapter instance of the unlabelled imports, whose types they use", labels.join(", "))?,
            }
        }
        match self {
            Plan::Adapt { why_composed: Some(why), .. } => write!(f, "; not fused: {why}"),
            Plan::Adapt { .. } | Plan::Unchanged { .. } => Ok(()),
        }
    }
}

impl Linking {
    fn words(self) -> &'static str {
        match self {
            Linking::Fused => ", fused into the guest's component",
            // Composing is what kv-adapt has always done; a plan says so only when it
            // could have fused (`why_composed`).
            Linking::Composed => "",
        }
    }
}

/// The generation a plug of a `source` guest adapts onto: `--onto` when given; else the
/// host's own generation where an adapter goes straight onto it (a Spin 4 guest on
/// wasmCloud 2 keeps its calls async, where one onto G5 would answer them one by one);
/// else what the host is adapted as.
pub fn onto(source: Generation, options: &PlugOptions) -> Generation {
    if let Some(onto) = options.onto {
        return onto;
    }
    match artifacts::adapters_from(source).any(|a| a.target == options.host) {
        true => options.host,
        false => options.host.adapted_as(),
    }
}

/// Works out what `plug` would do with a component whose surface is `surface`.
pub fn plan(name: &str, surface: &Surface, options: &PlugOptions) -> Result<Plan> {
    // Adapters, stores and bridges import kv-adapt's internal interfaces; adapting one as if
    // it were a guest would compose a second copy of the handle state it expects to share.
    if let Some(internal) = surface.imports.iter().find(|i| i.starts_with("kv-adapt:")) {
        return Err(Error::KvAdaptPart { name: name.into(), interface: internal.clone() });
    }
    if let Some(unknown) = surface.unknown_keyvalue_imports().first() {
        return Err(Error::UnsupportedInterface {
            name: name.into(),
            interface: unknown.to_string(),
            why: match unknown.starts_with("fermyon:") {
                true => " (Spin's key-value of another version: kv-adapt adapts fermyon:spin/key-value@2.0.0 of Spin 2.0 to 4.x and the unversioned one of Spin 1.x)",
                false => " (a wasi:keyvalue version no known generation uses)",
            },
        });
    }
    if let Some(onto) = options.onto.filter(|o| !options.host.serves(*o) && options.host.adapted_as() != *o) {
        return Err(Error::NotServed { host: options.host, onto });
    }
    let generations = surface.imported_generations();
    if generations.is_empty() {
        return Err(Error::NoKeyValueImports(name.into()));
    }
    // Imports of the host's own generation pass through to the host; a component may use
    // them beside a legacy generation (G4 and G5 even share a version string).
    let legacy: Vec<Generation> = generations.iter().copied().filter(|g| !options.host.serves(*g)).collect();
    let source = match legacy.as_slice() {
        // Spin serves upstream G6's store and atomics, not its batch: a G6 guest that
        // imports batch gets it key by key over Spin's store, and nothing else.
        [] if options.host == Generation::SpinDraft2 && imports_batch(surface, Generation::G6) => {
            return Ok(Plan::Adapt {
                source: Generation::G6,
                target: options.host,
                bodies: Bodies::Host,
                adapter: artifacts::BATCH_BY_KEY_NAME.to_string(),
                why_bodies: "values are plain bytes, not streams".to_string(),
                watch: None,
                linking: Linking::Composed,
                why_composed: None,
                batch_by_key: None,
                labels: Vec::new(),
                labels_shared: false,
            });
        }
        // On Spin, say which of what it serves the guest speaks (its draft2, its own
        // interface, or upstream G6 without batch).
        [] => {
            let generation = match generations.as_slice() {
                [one] => *one,
                _ => options.host,
            };
            return Ok(Plan::Unchanged { generation });
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(Error::MixedGenerations { name: name.into(), first: *first, second: *second })
        }
    };
    if artifacts::adapters_from(source).next().is_none() {
        return Err(Error::UnsupportedGeneration {
            name: name.into(),
            generation: source,
            supported: artifacts::SUPPORTED_SOURCES,
        });
    }
    if surface.imports_name("wasi:keyvalue/cache") {
        return Err(Error::UnsupportedInterface {
            name: name.into(),
            interface: "wasi:keyvalue/cache".into(),
            why: " (no later generation has a cache interface to adapt onto)",
        });
    }
    let body_io = source.body_io();
    let other_wasi: Vec<&String> = surface
        .imports
        .iter()
        .filter(|n| {
            InterfaceName::parse(n).is_some_and(|p| {
                let body_stream = p.package == "io"
                    && matches!(p.interface, "error" | "poll" | "streams")
                    && p.version.is_some()
                    && p.version == body_io;
                p.namespace == "wasi" && p.package != "keyvalue" && !body_stream
            })
        })
        .collect();
    // The first import the wrapping flavours cannot take: one that holds streams or
    // pollables they do not wrap (sockets, http, ...), or a WASI they do not know.
    // Imports of nothing but resource types of their own pass through too (the 2023
    // preview1 adapter's `wasi:sockets/tcp`).
    let release = body_io.unwrap_or("0.2.0");
    let unwrappable = other_wasi.iter().find(|n| wasi::role(n, release).is_none() && !surface.types_only.contains(n));
    let groups = wasi::groups(other_wasi.iter().copied(), release);
    let wrapping = artifacts::adapters_from(source).any(|a| matches!(a.bodies, Bodies::Wrapping(_)));
    // The fused form of the wrapping flavours: inside the guest's component the adapter
    // shares the host's handle table, so it serves the bodies and hands every other
    // stream, pollable and error to the host's wasi:io, whichever WASI made it (http and
    // sockets too). Its wasi:io is moved to the guest's own 0.2 release, so any 0.2.x, or
    // a release candidate that `plug` moves to 0.2.0 first (G2's rc-2023-11-10).
    let io_of_0_2 = surface.imports.iter().all(|n| {
        let moved = (!options.keep_wasi_versions).then(|| wasi::renamed(n)).flatten();
        InterfaceName::parse(moved.as_deref().unwrap_or(n)).is_none_or(|p| {
            !(p.namespace == "wasi" && p.package == "io") || p.version.is_some_and(|v| v.starts_with("0.2.") && !v.contains('-'))
        })
    });
    // A guest carrying its WASI preview1 adapter is fused only by re-linking that adapter
    // (wasmtime 48's in place of its own), so only where no composed flavour serves it
    // (async bodies beside the host's wasi:http or wasi:sockets), or when asked to fuse.
    let fusable = surface.cannot_fuse.is_none()
        || (surface.relinks_preview1 && (unwrappable.is_some() || options.linking == Some(Linking::Fused)));
    // Where the adapters come from: Spin's draft2 is adapted onto as G6 (`adapted_as`).
    let onto = onto(source, options);
    let forwarding = artifacts::fused_forwarding(source, onto).filter(|_| {
        surface.async_bodies
            && !other_wasi.is_empty()
            && io_of_0_2
            && fusable
            && !surface.exports.iter().any(|e| e == source.watch_export())
            && options.linking != Some(Linking::Composed)
            && surface.labels.is_empty()
            && matches!(options.bodies, None | Some(Bodies::Wrapping(_)))
    });
    if let Some(fused) = forwarding {
        let names: Vec<&str> = other_wasi.iter().map(|n| n.as_str()).collect();
        return Ok(Plan::Adapt {
            source,
            target: options.host,
            bodies: Bodies::Wrapping(groups),
            adapter: fused.name(),
            why_bodies: format!(
                "the guest calls async body functions and also uses the host's {}; fused into its component, the adapter serves the bodies and hands every other stream, pollable and error to the host's wasi:io (one handle table), so nothing is wrapped",
                names.join(", ")
            ),
            watch: None,
            linking: Linking::Fused,
            why_composed: None,
            batch_by_key: None,
            labels: Vec::new(),
            labels_shared: false,
        });
    }
    let (bodies, why_bodies) = match (options.bodies, other_wasi.first()) {
        // G1's streams are an interface of its own, not wasi:io: only the adapter has them.
        _ if source == Generation::G1 => (Bodies::Adapter, "G1's own streams, served by the adapter from memory".to_string()),
        // G5 and G6 values are byte lists: there are no streams for anyone to serve.
        _ if body_io.is_none() => (Bodies::Host, "values are plain bytes, not streams".to_string()),
        // The groups asked for (a library caller may ask for more than the guest imports)
        // and every group the guest imports.
        (Some(Bodies::Wrapping(asked)), _) => match unwrappable {
            Some(other) => {
                return Err(Error::UnsupportedInterface {
                    name: name.into(),
                    interface: other.to_string(),
                    why: " (--bodies wrapping: kv-adapt wraps the host's wasi:cli stdio, monotonic clock and wasi:filesystem only, and this import names wasi:io types too)",
                })
            }
            // Nothing to wrap: the -io flavour is the same thing.
            None if groups.union(asked).is_empty() => {
                (Bodies::Adapter, "chosen by option; the guest imports nothing to wrap".to_string())
            }
            None => (Bodies::Wrapping(groups.union(asked)), "chosen by option".to_string()),
        },
        (Some(forced), _) => (forced, "chosen by option".to_string()),
        (None, None) => (Bodies::Adapter, "the guest uses wasi:io only for key-value bodies".to_string()),
        (None, Some(other)) if !surface.async_bodies => (
            Bodies::Host,
            format!("the guest also imports {other} and calls no async body function, so wasi:io stays with the host"),
        ),
        (None, Some(other)) if !wrapping => (
            Bodies::Host,
            format!("the guest also imports {other}, and kv-adapt wraps host WASI for G2, G3 and G4 guests only, so wasi:io stays with the host and async bodies are refused"),
        ),
        (None, Some(_)) => match unwrappable {
            Some(other) => (
                Bodies::Host,
                format!("the guest also imports {other}, which kv-adapt does not wrap, so wasi:io stays with the host and async bodies are refused"),
            ),
            // Another 0.2 release of wasi:io, and nothing that makes streams: the -io
            // flavour under the guest's names.
            None if groups.is_empty() => (Bodies::Adapter, "the guest uses wasi:io only for key-value bodies".to_string()),
            None => (
                Bodies::Wrapping(groups),
                format!(
                    "the guest calls async body functions and also uses wasi:io through the host's {}, so the adapter serves the bodies and wraps those",
                    groups.names().replace('-', ", ")
                ),
            ),
        },
    };
    let adapter = artifacts::adapter_for(source, onto, bodies, imports_batch(surface, source))
        .ok_or(Error::NoAdapter { name: name.into(), from: Some(source), target: options.host })?;
    let serves_batch = adapter.batch;
    let handler = surface.exports.iter().any(|e| e == source.watch_export());
    let watch = match (handler, artifacts::bridge(source, onto)) {
        (true, Some(bridge)) => Some(bridge.name()),
        (true, None) => {
            return Err(Error::UnsupportedInterface {
                name: name.into(),
                interface: source.watch_export().into(),
                why: " (no watch bridge serves this generation's handler on that host yet)",
            })
        }
        (false, _) => None,
    };
    // Fused adapters serve neither value-body streams from memory nor the watch bridge's
    // handles: where either is needed the composed one keeps the behaviour.
    // Async bodies served from memory need the fused adapter that serves wasi:io too; a
    // guest that calls no async body function needs no streams, whatever it imports.
    let body_streams = bodies == Bodies::Adapter && surface.async_bodies && source != Generation::G1;
    let fused = artifacts::fused(source, onto, body_streams);
    let labels: Vec<String> = surface.labels_of(source).iter().map(|l| l.name.clone()).collect();
    let labels_shared = surface.labels_share_types(source);
    let not_fusable = match fused {
        Some(_) if !labels.is_empty() => Some(format!("its labelled imports ({}) are wired between components, which a fused adapter is not", labels.join(", "))),
        None if body_streams => Some(format!("async value bodies served from memory (adapter-io) are not fused for {} yet", source.id())),
        None => Some(format!("kv-adapt has no fused {} adapter onto {} yet", source.id(), onto.id())),
        Some(_) if watch.is_some() => Some(format!("the guest exports {}, whose types must stay a component import", source.watch_export())),
        Some(_) if surface.cannot_fuse.is_some() => surface.cannot_fuse.clone(),
        Some(_) if matches!(bodies, Bodies::Wrapping(_)) => {
            Some("the wrapping flavour (async bodies beside the host's WASI) is fused only for guests on a wasi:io 0.2 release, or rc-2023-11-10 with its WASI names moved to 0.2.0".to_string())
        }
        Some(_) => None,
    };
    let (linking, why_composed) = match (options.linking, not_fusable) {
        (Some(Linking::Composed), _) => (Linking::Composed, None),
        (Some(Linking::Fused), Some(why)) => return Err(Error::CannotFuse { name: name.into(), why }),
        // Only a generation that has fused adapters at all is told why this one is not.
        (None, Some(why)) if artifacts::FUSED.iter().any(|f| f.source == source) => (Linking::Composed, Some(why)),
        (None, Some(_)) => (Linking::Composed, None),
        (Some(Linking::Fused) | None, None) => (Linking::Fused, None),
    };
    let (adapter, bodies, why_bodies) = match (linking, fused) {
        // A guest that imports wasi:io but calls no async body function (its types name the
        // streams) is served the same by the fused host-io flavour. G1's streams are its
        // own interface, which the fused G1 adapter serves too.
        (Linking::Fused, Some(f)) if bodies == Bodies::Adapter && !f.io && source != Generation::G1 => {
            (f.name(), Bodies::Host, "the guest calls no async body function, so wasi:io stays with the host".to_string())
        }
        (Linking::Fused, Some(f)) => (f.name(), bodies, why_bodies),
        (Linking::Fused, None) | (Linking::Composed, _) => (adapter.name(), bodies, why_bodies),
    };
    // A composed G6 adapter that serves batch imports upstream's, which Spin does not
    // serve: `link` puts the key-by-key batch beside it (for a fused one, `link` looks at
    // what the fused guest imports).
    let batch_by_key = (options.host == Generation::SpinDraft2 && onto == Generation::G6 && linking == Linking::Composed && serves_batch).then(|| artifacts::BATCH_BY_KEY_NAME.to_string());
    Ok(Plan::Adapt { source, target: options.host, bodies, adapter, why_bodies, watch, linking, why_composed, batch_by_key, labels, labels_shared })
}

/// Whether the guest imports `source`'s `batch` interface: if not, a plug need not import
/// the host's (`artifacts::adapter_for`).
pub fn imports_batch(surface: &Surface, source: Generation) -> bool {
    surface.imported_interfaces().iter().any(|(generation, interfaces)| *generation == source && interfaces.contains(&"batch"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::Wrapped;

    fn surface(imports: &[&str]) -> Surface {
        Surface { imports: imports.iter().map(|s| s.to_string()).collect(), ..Surface::default() }
    }

    #[test]
    fn a_guest_importing_g4_and_g5_names_gets_only_its_g4_part_adapted_on_a_draft_host() {
        let both = surface(&[
            "wasi:io/streams@0.2.0",
            "wasi:keyvalue/eventual@0.2.0-draft",
            "wasi:keyvalue/store@0.2.0-draft",
        ]);
        match plan("guest", &both, &PlugOptions::default()).unwrap() {
            Plan::Adapt { source, target, .. } => assert_eq!((source, target), (Generation::G4, Generation::G5)),
            other => panic!("unexpected plan {other:?}"),
        }
        // On a draft2 host both G4 and G5 would need adapting: refused, one at a time.
        let draft2 = PlugOptions { host: Generation::G6, ..PlugOptions::default() };
        assert!(matches!(plan("guest", &both, &draft2), Err(Error::MixedGenerations { .. })));
    }

    #[test]
    fn the_body_flavour_follows_the_guests_other_wasi_imports() {
        let only_kv = surface(&["wasi:io/streams@0.2.0", "wasi:keyvalue/eventual@0.1.0"]);
        let with_cli = surface(&["wasi:io/streams@0.2.6", "wasi:cli/stdout@0.2.6", "wasi:keyvalue/eventual@0.1.0"]);
        // Composed, as the fused forwarding flavour (below) would otherwise take the guests
        // that import more WASI than key-value.
        let composed = PlugOptions { linking: Some(Linking::Composed), ..PlugOptions::default() };
        let bodies_with = |s: &Surface, options: &PlugOptions| match plan("guest", s, options).unwrap() {
            Plan::Adapt { bodies, .. } => bodies,
            other => panic!("unexpected plan {other:?}"),
        };
        let bodies = |s: &Surface| bodies_with(s, &composed);
        // Without async body calls there is nothing to serve: the host keeps wasi:io, and
        // a guest that imports only key-value is fused.
        assert_eq!(bodies_with(&with_cli, &PlugOptions::default()), Bodies::Host);
        assert_eq!(bodies_with(&only_kv, &PlugOptions::default()), Bodies::Host);
        assert!(matches!(plan("guest", &only_kv, &PlugOptions::default()), Ok(Plan::Adapt { linking: Linking::Fused, .. })));

        // With them, the adapter serves the bodies (fused, with streams), and wraps exactly
        // the groups the guest imports (composed).
        let calling = |imports: &[&str]| Surface { async_bodies: true, ..surface(imports) };
        let only_kv = calling(&["wasi:io/streams@0.2.0", "wasi:keyvalue/eventual@0.1.0"]);
        assert_eq!(bodies(&only_kv), Bodies::Adapter);
        assert!(
            matches!(plan("guest", &only_kv, &PlugOptions::default()), Ok(Plan::Adapt { linking: Linking::Fused, ref adapter, .. }) if adapter == "fused-g3-on-g5-io")
        );
        let g2_only_kv = calling(&["wasi:io/streams@0.2.0-rc-2023-11-10", "wasi:keyvalue/readwrite"]);
        assert!(
            matches!(plan("guest", &g2_only_kv, &PlugOptions::default()), Ok(Plan::Adapt { linking: Linking::Fused, ref adapter, .. }) if adapter == "fused-g2-on-g5-io")
        );
        let std_guest = calling(&[
            "wasi:io/streams@0.2.6",
            "wasi:cli/environment@0.2.6",
            "wasi:cli/stdout@0.2.6",
            "wasi:filesystem/preopens@0.2.6",
            "wasi:keyvalue/eventual@0.1.0",
        ]);
        assert_eq!(bodies(&std_guest), Bodies::Wrapping(Wrapped { stdio: true, clock: false, files: true }));
        let clock_only = calling(&["wasi:io/poll@0.2.3", "wasi:clocks/monotonic-clock@0.2.3", "wasi:keyvalue/eventual@0.1.0"]);
        assert_eq!(bodies(&clock_only), Bodies::Wrapping(Wrapped { clock: true, ..Wrapped::default() }));
        // Another 0.2 release of wasi:io and nothing that makes streams: the -io flavour.
        let io_0_2_6 = calling(&["wasi:io/streams@0.2.6", "wasi:random/random@0.2.6", "wasi:keyvalue/eventual@0.1.0"]);
        assert_eq!(bodies(&io_0_2_6), Bodies::Adapter);
        // Sockets carry streams kv-adapt does not wrap.
        let with_sockets = calling(&["wasi:io/streams@0.2.6", "wasi:sockets/tcp@0.2.6", "wasi:keyvalue/eventual@0.1.0"]);
        assert_eq!(bodies(&with_sockets), Bodies::Host);
        // G2 wraps at its own release, rc-2023-11-10.
        let g2 = calling(&["wasi:io/streams@0.2.0-rc-2023-11-10", "wasi:cli/stdout@0.2.0-rc-2023-11-10", "wasi:keyvalue/readwrite"]);
        assert_eq!(bodies(&g2), Bodies::Wrapping(Wrapped { stdio: true, ..Wrapped::default() }));
        // A types-only import of its own resources (the 2023 preview1 adapter's tcp) stands aside.
        let mut g2_tcp = calling(&["wasi:io/streams@0.2.0-rc-2023-11-10", "wasi:sockets/tcp@0.2.0-rc-2023-11-10", "wasi:keyvalue/readwrite"]);
        assert_eq!(bodies(&g2_tcp), Bodies::Host);
        g2_tcp.types_only = vec!["wasi:sockets/tcp@0.2.0-rc-2023-11-10".into()];
        assert_eq!(bodies(&g2_tcp), Bodies::Adapter);
        // Forcing wrapping beside sockets is refused in one line naming the import.
        let forced = PlugOptions { bodies: Some(Bodies::Wrapping(Wrapped::default())), ..composed };
        let refused = plan("guest", &with_sockets, &forced).unwrap_err().to_string();
        assert!(refused.contains("wasi:sockets/tcp@0.2.6") && !refused.contains('\n'), "{refused}");
        match plan("guest", &std_guest, &forced).unwrap() {
            Plan::Adapt { adapter, .. } => assert_eq!(adapter, "adapter-g3-on-g5-io-wasi-stdio-files"),
            other => panic!("unexpected plan {other:?}"),
        }
    }

    #[test]
    fn async_bodies_beside_any_other_wasi_0_2_are_fused_with_the_forwarding_adapter() {
        let calling = |imports: &[&str]| Surface { async_bodies: true, ..surface(imports) };
        let chosen = |s: &Surface, options: &PlugOptions| match plan("guest", s, options).unwrap() {
            Plan::Adapt { adapter, linking, .. } => (adapter, linking),
            other => panic!("unexpected plan {other:?}"),
        };
        let fused = |name: &str| (name.to_string(), Linking::Fused);
        let defaults = PlugOptions::default();
        // Sockets and http, which no composed flavour wraps, and std's WASI alike.
        for other in ["wasi:sockets/tcp@0.2.6", "wasi:http/types@0.2.0", "wasi:cli/stdout@0.2.6"] {
            let guest = calling(&["wasi:io/streams@0.2.6", other, "wasi:keyvalue/eventual@0.1.0"]);
            assert_eq!(chosen(&guest, &defaults), fused("fused-g3-on-g5-io-wasi"), "{other}");
            let draft2 = PlugOptions { host: Generation::G6, ..PlugOptions::default() };
            assert_eq!(chosen(&guest, &draft2), fused("fused-g3-on-g6-io-wasi"), "{other}");
        }
        let g4 = calling(&["wasi:io/streams@0.2.0", "wasi:http/types@0.2.0", "wasi:keyvalue/eventual@0.2.0-draft"]);
        assert_eq!(chosen(&g4, &defaults), fused("fused-g4-on-g5-io-wasi"));
        // G2's rc-2023-11-10 wasi:io, which `plug` moves to 0.2.0 first.
        let g2 = calling(&["wasi:io/streams@0.2.0-rc-2023-11-10", "wasi:cli/stdout@0.2.0-rc-2023-11-10", "wasi:keyvalue/readwrite"]);
        assert_eq!(chosen(&g2, &defaults), fused("fused-g2-on-g5-io-wasi"));
        // A preview1 adapter inside is re-linked where no composed flavour serves the guest
        // (http, sockets) or when fusing is asked for; else the composed wrapping flavour.
        let preview1 = |s: Surface| Surface { cannot_fuse: Some("it embeds a WASI preview1 adapter module".into()), relinks_preview1: true, ..s };
        let g2_http = calling(&["wasi:io/streams@0.2.0-rc-2023-11-10", "wasi:http/types@0.2.0-rc-2023-12-05", "wasi:keyvalue/readwrite"]);
        assert_eq!(chosen(&preview1(g2_http.clone()), &defaults), fused("fused-g2-on-g5-io-wasi"));
        assert_eq!(chosen(&preview1(g2.clone()), &defaults), ("adapter-g2-on-g5-io-wasi-stdio".to_string(), Linking::Composed));
        let fuse = PlugOptions { linking: Some(Linking::Fused), ..PlugOptions::default() };
        assert_eq!(chosen(&preview1(g2.clone()), &fuse), fused("fused-g2-on-g5-io-wasi"));
        // Not taken: no async body call, composing asked for, a component that cannot be
        // fused, a release candidate of wasi:io kept, or the bodies forced elsewhere.
        let http = calling(&["wasi:io/streams@0.2.0", "wasi:http/types@0.2.0", "wasi:keyvalue/eventual@0.1.0"]);
        assert_eq!(chosen(&Surface { async_bodies: false, ..http.clone() }, &defaults), fused("fused-g3-on-g5"));
        let composed = PlugOptions { linking: Some(Linking::Composed), ..PlugOptions::default() };
        assert_eq!(chosen(&http, &composed), ("adapter-g3-on-g5".to_string(), Linking::Composed));
        let unfusable = Surface { cannot_fuse: Some("it embeds a second core module".into()), ..http.clone() };
        assert_eq!(chosen(&unfusable, &defaults).1, Linking::Composed);
        let kept = PlugOptions { keep_wasi_versions: true, ..PlugOptions::default() };
        assert_eq!(chosen(&g2, &kept).0, "adapter-g2-on-g5-io-wasi-stdio");
        assert_eq!(chosen(&preview1(g2_http), &composed).0, "adapter-g2-on-g5");
        let host_bodies = PlugOptions { bodies: Some(Bodies::Host), ..PlugOptions::default() };
        assert_eq!(chosen(&http, &host_bodies).0, "fused-g3-on-g5");
    }

    #[test]
    fn spins_draft2_is_adapted_even_onto_upstream_draft2_and_a_draft2_guest_without_its_get_many_is_not() {
        let imports = ["wasi:keyvalue/store@0.2.0-draft2", "wasi:keyvalue/batch@0.2.0-draft2"];
        let spin = Surface { spin_get_many: true, ..surface(&imports) };
        for (host, adapter) in [(Generation::G6, "adapter-spin-draft2-on-g6"), (Generation::G5, "adapter-spin-draft2-on-g5")] {
            let options = PlugOptions { host, ..PlugOptions::default() };
            match plan("guest", &spin, &options).unwrap() {
                Plan::Adapt { source, adapter: chosen, linking, .. } => {
                    assert_eq!((source, chosen.as_str(), linking), (Generation::SpinDraft2, adapter, Linking::Composed))
                }
                other => panic!("unexpected plan {other:?}"),
            }
        }
        let upstream = surface(&imports);
        let draft2 = PlugOptions { host: Generation::G6, ..PlugOptions::default() };
        assert_eq!(plan("guest", &upstream, &draft2).unwrap(), Plan::Unchanged { generation: Generation::G6 });
    }

    #[test]
    fn a_guest_that_imports_no_batch_gets_the_adapter_that_imports_none() {
        let draft2 = PlugOptions { host: Generation::G6, ..PlugOptions::default() };
        let chosen = |imports: &[&str]| match plan("guest", &surface(imports), &draft2).unwrap() {
            Plan::Adapt { adapter, .. } => adapter,
            other => panic!("unexpected plan {other:?}"),
        };
        assert_eq!(chosen(&["wasi:keyvalue/store@0.2.0-draft", "wasi:keyvalue/atomics@0.2.0-draft"]), "adapter-g5-on-g6-no-batch");
        assert_eq!(chosen(&["wasi:keyvalue/store@0.2.0-draft", "wasi:keyvalue/batch@0.2.0-draft"]), "adapter-g5-on-g6");
        // No build without batch onto G3: the one with it.
        let g3 = PlugOptions { host: Generation::G3, ..PlugOptions::default() };
        assert!(matches!(plan("guest", &surface(&["wasi:keyvalue/store@0.2.0-draft"]), &g3).unwrap(), Plan::Adapt { ref adapter, .. } if adapter == "adapter-g5-on-g3"));
    }

    #[test]
    fn a_plug_goes_straight_onto_the_hosts_own_generation_where_an_adapter_does() {
        let chosen = |imports: &[&str], options: &PlugOptions| match plan("guest", &surface(imports), options) {
            Ok(Plan::Adapt { adapter, batch_by_key, .. }) => (adapter, batch_by_key.is_some()),
            other => panic!("unexpected plan {other:?}"),
        };
        let spin3 = ["spin:key-value/key-value@3.0.0"];
        let wasmcloud2 = ["wasmcloud:keyvalue/store@0.2.0", "wasmcloud:keyvalue/batch@0.2.0"];
        let wasmcloud = PlugOptions { host: Generation::Wasmcloud2, ..PlugOptions::default() };
        let spin = PlugOptions { host: Generation::SpinDraft2, ..PlugOptions::default() };
        assert_eq!(chosen(&spin3, &wasmcloud), ("adapter-spin3-on-wasmcloud2".into(), false));
        assert_eq!(chosen(&["wasi:keyvalue/store@0.2.0-draft2"], &wasmcloud), ("adapter-g6-on-g5-no-batch".into(), false));
        // On Spin its draft2 keeps atomics and compare-and-swap: the G6 adapter, unless asked.
        assert_eq!(chosen(&wasmcloud2, &spin), ("adapter-wasmcloud2-on-g6".into(), true));
        let onto_spin3 = PlugOptions { onto: Some(Generation::Spin3), ..spin.clone() };
        assert_eq!(chosen(&wasmcloud2, &onto_spin3), ("adapter-wasmcloud2-on-spin3".into(), false));
        let onto_g5 = PlugOptions { onto: Some(Generation::G5), ..wasmcloud.clone() };
        assert_eq!(chosen(&spin3, &onto_g5), ("adapter-spin3-on-g5".into(), false));
        let not_served = PlugOptions { onto: Some(Generation::Spin3), ..PlugOptions::default() };
        assert!(matches!(plan("guest", &surface(&wasmcloud2), &not_served), Err(Error::NotServed { .. })));
    }

    #[test]
    fn a_guest_already_on_the_hosts_generation_is_left_alone() {
        let g5 = surface(&["wasi:keyvalue/store@0.2.0-draft"]);
        assert_eq!(plan("guest", &g5, &PlugOptions::default()).unwrap(), Plan::Unchanged { generation: Generation::G5 });
    }

    #[test]
    fn on_spin_only_what_spin_does_not_serve_is_adapted_and_upstream_batch_goes_key_by_key() {
        let spin = PlugOptions { host: Generation::SpinDraft2, ..PlugOptions::default() };
        // Upstream G6's store and atomics are Spin's: nothing to do without batch.
        let g6_store = surface(&["wasi:keyvalue/store@0.2.0-draft2", "wasi:keyvalue/atomics@0.2.0-draft2"]);
        assert_eq!(plan("guest", &g6_store, &spin).unwrap(), Plan::Unchanged { generation: Generation::G6 });
        let spin2 = surface(&["fermyon:spin/key-value@2.0.0"]);
        assert_eq!(plan("guest", &spin2, &spin).unwrap(), Plan::Unchanged { generation: Generation::Spin2 });
        // Upstream batch is not Spin's: served key by key, and nothing else composed.
        let g6_batch = surface(&["wasi:keyvalue/store@0.2.0-draft2", "wasi:keyvalue/batch@0.2.0-draft2"]);
        match plan("guest", &g6_batch, &spin).unwrap() {
            Plan::Adapt { source, target, adapter, linking, .. } => {
                assert_eq!((source, target, adapter.as_str(), linking), (Generation::G6, Generation::SpinDraft2, artifacts::BATCH_BY_KEY_NAME, Linking::Composed))
            }
            other => panic!("{other}"),
        }
        // Other generations through the G6 adapters; the key-by-key batch only beside one
        // that imports upstream batch.
        let g5_batch = surface(&["wasi:keyvalue/store@0.2.0-draft", "wasi:keyvalue/batch@0.2.0-draft"]);
        let g5_store = surface(&["wasi:keyvalue/store@0.2.0-draft"]);
        for (guest, adapter, by_key) in [(&g5_batch, "adapter-g5-on-g6", true), (&g5_store, "adapter-g5-on-g6-no-batch", false)] {
            match plan("guest", guest, &spin).unwrap() {
                Plan::Adapt { adapter: chosen, batch_by_key, target, .. } => {
                    assert_eq!((chosen.as_str(), batch_by_key.is_some(), target), (adapter, by_key, Generation::SpinDraft2))
                }
                other => panic!("{other}"),
            }
        }
    }
}
