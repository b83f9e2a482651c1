//! The key-value generations and how a component's import and export names reveal them.
//! Generation ids follow `../shared/VERSIONS.md` (G1..G6); the README's matrix maps them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Generation {
    /// 2023-02, stream-based, unpackaged names.
    G1,
    /// 2023-11, `wasi:keyvalue/*` with no version.
    G2,
    /// 2024-02 eventual, `@0.1.0`.
    G3,
    /// 2024-02 eventual, `@0.2.0-draft` (`eventual`, `atomic`, `types`, ...).
    G4,
    /// 2024-05 store shape, `@0.2.0-draft`.
    G5,
    /// 2024-09 store shape, `@0.2.0-draft2`.
    G6,
    /// Spin's own `fermyon:spin/key-value@2.0.0` (Spin 2.0 to 4.x, spin-sdk's
    /// `key_value::Store`): not a wasi:keyvalue draft, adapted as a front only.
    Spin2,
    /// Spin 1.x's `fermyon:spin/key-value` with no version (u32 stores, `close`, a missing
    /// key an error), still served by Spin: adapted as a front.
    Spin1,
    /// Spin's own `wasi:keyvalue@0.2.0-draft2` (Spin 3.0 to 4.x, spin-sdk's bindings):
    /// upstream G6's name and version, but `batch.get-many` pairs each key with an optional
    /// value. Told from G6 by that type alone ([`crate::plan::surface::Surface::spin_get_many`]).
    SpinDraft2,
    /// Spin 4's `spin:key-value@3.0.0` for WASI 0.3 components (spin-sdk 7): every function
    /// `async`, `get-keys` a stream. Served natively by `--host spin`.
    Spin3,
    /// wasmCloud 2's `wasmcloud:keyvalue@0.2.0` for WASI 0.3 components: async buckets,
    /// TTL and conditional `set`, prefix listing, s64 `increment`, versioned `cas`. As a
    /// host, wasmCloud 2, which serves G5 to WASI 0.2 components and this package to WASI
    /// 0.3 ones.
    Wasmcloud2,
}

impl Generation {
    /// The generation whose adapters, fused modules and watch bridges a plug onto this
    /// host uses. Spin's draft2 is upstream G6 but for `batch.get-many`: a plug onto Spin is
    /// a plug onto G6 whose upstream `batch` import, if any, is then served key by key over
    /// Spin's store (`crate::link::spin`), so that it imports only what Spin serves.
    pub fn adapted_as(self) -> Generation {
        match self {
            Generation::SpinDraft2 => Generation::G6,
            Generation::Wasmcloud2 => Generation::G5,
            Generation::G1
            | Generation::G2
            | Generation::G3
            | Generation::G4
            | Generation::G5
            | Generation::G6
            | Generation::Spin2
            | Generation::Spin1
            | Generation::Spin3 => self,
        }
    }

    /// Whether a host of this generation serves a component's imports of `imported` as
    /// they are. Spin serves its draft2, its own `fermyon:spin/key-value@2.0.0`, and upstream
    /// G6's `store` and `atomics`, which are Spin's type for type (G6's `batch` is not), and
    /// Spin 4's `spin:key-value@3.0.0`. wasmCloud 2 serves G5 and its own package.
    pub fn serves(self, imported: Generation) -> bool {
        match self {
            Generation::SpinDraft2 => {
                matches!(imported, Generation::SpinDraft2 | Generation::Spin2 | Generation::Spin1 | Generation::G6 | Generation::Spin3)
            }
            Generation::Wasmcloud2 => matches!(imported, Generation::Wasmcloud2 | Generation::G5),
            Generation::G1
            | Generation::G2
            | Generation::G3
            | Generation::G4
            | Generation::G5
            | Generation::G6
            | Generation::Spin2
            | Generation::Spin1
            | Generation::Spin3 => imported == self,
        }
    }

    /// The wasi:io release whose streams a generation's value bodies are. A component that
    /// imports wasi:io at that release and no other WASI uses it only for key-value bodies.
    pub fn body_io(self) -> Option<&'static str> {
        match self {
            Generation::G2 => Some("0.2.0-rc-2023-11-10"),
            Generation::G3 | Generation::G4 => Some("0.2.0"),
            Generation::G1
            | Generation::G5
            | Generation::G6
            | Generation::Spin2
            | Generation::Spin1
            | Generation::SpinDraft2
            | Generation::Spin3
            | Generation::Wasmcloud2 => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Generation::G1 => "G1",
            Generation::G2 => "G2",
            Generation::G3 => "G3",
            Generation::G4 => "G4",
            Generation::G5 => "G5",
            Generation::G6 => "G6",
            Generation::Spin2 => "spin2",
            Generation::Spin1 => "spin1",
            Generation::SpinDraft2 => "spin-draft2",
            Generation::Spin3 => "spin3",
            Generation::Wasmcloud2 => "wasmcloud2",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Generation::G1 => "wasi:keyvalue 2023-02 (stream-based, unversioned plain names)",
            Generation::G2 => "wasi:keyvalue 2023-11 (unversioned, wasi:io rc-2023-11-10)",
            Generation::G3 => "wasi:keyvalue@0.1.0 (2024-02 eventual)",
            Generation::G4 => "wasi:keyvalue@0.2.0-draft eventual (2024-02)",
            Generation::G5 => "wasi:keyvalue@0.2.0-draft (store, atomics, batch)",
            Generation::G6 => "wasi:keyvalue@0.2.0-draft2 (store, atomics with cas, batch)",
            Generation::Spin2 => "fermyon:spin/key-value@2.0.0 (Spin 2.0 to 4.x, resource store opened by label)",
            Generation::Spin1 => "fermyon:spin/key-value, unversioned (Spin 1.x: u32 stores, close, a missing key is an error)",
            Generation::SpinDraft2 => "Spin's wasi:keyvalue@0.2.0-draft2 (Spin 3.0 to 4.x: batch.get-many pairs each key with an optional value)",
            Generation::Spin3 => "spin:key-value@3.0.0 (Spin 4, WASI 0.3: async store opened by label, get-keys a stream)",
            Generation::Wasmcloud2 => "wasmcloud:keyvalue@0.2.0 (wasmCloud 2, WASI 0.3: async buckets, TTL and conditional set, versioned cas)",
        }
    }

    /// The package as a component names it, without the interfaces: what `inspect` puts
    /// before the interfaces a component actually imports or exports.
    pub fn package(self) -> &'static str {
        match self {
            Generation::G1 => "wasi:keyvalue 2023-02 (unversioned plain names)",
            Generation::G2 => "wasi:keyvalue 2023-11 (unversioned)",
            Generation::G3 => "wasi:keyvalue@0.1.0",
            Generation::G4 => "wasi:keyvalue@0.2.0-draft eventual",
            Generation::G5 => "wasi:keyvalue@0.2.0-draft",
            Generation::G6 => "wasi:keyvalue@0.2.0-draft2",
            Generation::Spin2 => "fermyon:spin@2.0.0",
            Generation::Spin1 => "fermyon:spin (unversioned)",
            Generation::SpinDraft2 => "wasi:keyvalue@0.2.0-draft2 (Spin's)",
            Generation::Spin3 => "spin:key-value@3.0.0",
            Generation::Wasmcloud2 => "wasmcloud:keyvalue@0.2.0",
        }
    }

    /// The export through which a host of this generation calls a guest's watch handler:
    /// `handle-watch` up to G4, `watcher` from G5; Spin's interface has none (the name
    /// given is one no component exports).
    pub fn watch_export(self) -> &'static str {
        match self {
            Generation::G1 => "handle-watch",
            Generation::G2 => "wasi:keyvalue/handle-watch",
            Generation::G3 => "wasi:keyvalue/handle-watch@0.1.0",
            Generation::G4 => "wasi:keyvalue/handle-watch@0.2.0-draft",
            Generation::G5 => "wasi:keyvalue/watcher@0.2.0-draft",
            Generation::G6 => "wasi:keyvalue/watcher@0.2.0-draft2",
            Generation::Spin2 => "fermyon:spin/key-value-watcher@2.0.0 (none)",
            Generation::Spin1 => "fermyon:spin/key-value-watcher (none)",
            Generation::SpinDraft2 => "wasi:keyvalue/watcher@0.2.0-draft2",
            Generation::Spin3 => "spin:key-value/key-value-watcher@3.0.0 (none)",
            Generation::Wasmcloud2 => "wasmcloud:keyvalue/watcher@0.2.0",
        }
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id(), self.describe())
    }
}

/// A component-level import or export name, split per the component-model naming rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceName<'a> {
    pub namespace: &'a str,
    pub package: &'a str,
    pub interface: &'a str,
    pub version: Option<&'a str>,
}

impl<'a> InterfaceName<'a> {
    /// `ns:pkg/iface[@version]`; `None` for plain names such as `run` or `types`.
    pub fn parse(name: &'a str) -> Option<InterfaceName<'a>> {
        let (path, version) = match name.split_once('@') {
            Some((path, version)) => (path, Some(version)),
            None => (name, None),
        };
        let (namespace, rest) = path.split_once(':')?;
        let (package, interface) = rest.split_once('/')?;
        Some(InterfaceName { namespace, package, interface, version })
    }
}

/// Which generation a key-value interface name belongs to. `Err` carries the version of a
/// `wasi:keyvalue` name that matches no known generation. Plain (G1) names are classified by
/// [`classify_plain`].
pub fn classify(name: &InterfaceName<'_>) -> Option<Result<Generation, String>> {
    if (name.namespace, name.package, name.interface) == ("fermyon", "spin", "key-value") {
        return Some(match name.version {
            Some("2.0.0") => Ok(Generation::Spin2),
            Some(other) => Err(other.to_string()),
            None => Ok(Generation::Spin1),
        });
    }
    if (name.namespace, name.package, name.interface) == ("spin", "key-value", "key-value") {
        return Some(match name.version {
            Some("3.0.0") => Ok(Generation::Spin3),
            Some(other) => Err(other.to_string()),
            None => Err("no version".to_string()),
        });
    }
    if (name.namespace, name.package) == ("wasmcloud", "keyvalue") {
        return Some(match name.version {
            Some("0.2.0") => Ok(Generation::Wasmcloud2),
            Some(other) => Err(other.to_string()),
            None => Err("no version".to_string()),
        });
    }
    if (name.namespace, name.package) != ("wasi", "keyvalue") {
        return None;
    }
    let eventual = matches!(
        name.interface,
        "types" | "eventual" | "atomic" | "eventual-batch" | "wasi-keyvalue-error" | "handle-watch" | "cache"
    );
    Some(match name.version {
        None => Ok(Generation::G2),
        Some("0.1.0") => Ok(Generation::G3),
        Some("0.2.0-draft") if eventual => Ok(Generation::G4),
        Some("0.2.0-draft") => Ok(Generation::G5),
        Some("0.2.0-draft2") => Ok(Generation::G6),
        Some(other) => Err(other.to_string()),
    })
}

/// G1 components import bare interface names from the 2023-02 draft.
pub fn classify_plain(name: &str) -> Option<Generation> {
    match name {
        "readwrite" | "atomic" | "batch" | "wasi-cloud-error" | "streams" | "types" | "handle-watch" => Some(Generation::G1),
        _ => None,
    }
}

/// Whether `version` is a WASI 0.2 release (0.2.0, 0.2.6, ...), not a release candidate:
/// the releases one 0.2 host serves alike.
pub fn is_0_2_release(version: &str) -> bool {
    version.starts_with("0.2.") && !version.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen(name: &str) -> Option<Result<Generation, String>> {
        classify(&InterfaceName::parse(name).unwrap())
    }

    #[test]
    fn names_map_to_their_generation() {
        assert_eq!(gen("wasi:keyvalue/readwrite"), Some(Ok(Generation::G2)));
        assert_eq!(gen("wasi:keyvalue/eventual@0.1.0"), Some(Ok(Generation::G3)));
        assert_eq!(gen("wasi:keyvalue/eventual@0.2.0-draft"), Some(Ok(Generation::G4)));
        assert_eq!(gen("wasi:keyvalue/atomic@0.2.0-draft"), Some(Ok(Generation::G4)));
        assert_eq!(gen("wasi:keyvalue/store@0.2.0-draft"), Some(Ok(Generation::G5)));
        assert_eq!(gen("wasi:keyvalue/batch@0.2.0-draft"), Some(Ok(Generation::G5)));
        assert_eq!(gen("wasi:keyvalue/atomics@0.2.0-draft2"), Some(Ok(Generation::G6)));
        assert_eq!(gen("wasi:keyvalue/store@0.3.0"), Some(Err("0.3.0".into())));
        assert_eq!(gen("wasi:io/streams@0.2.0"), None);
        assert_eq!(gen("fermyon:spin/key-value@2.0.0"), Some(Ok(Generation::Spin2)));
        assert_eq!(gen("fermyon:spin/key-value"), Some(Ok(Generation::Spin1)));
        assert_eq!(gen("fermyon:spin/key-value@3.0.0"), Some(Err("3.0.0".into())));
        assert_eq!(gen("fermyon:spin/variables@2.0.0"), None);
        assert_eq!(gen("spin:key-value/key-value@3.0.0"), Some(Ok(Generation::Spin3)));
        assert_eq!(gen("spin:key-value/key-value@2.9.0"), Some(Err("2.9.0".into())));
        assert_eq!(gen("wasmcloud:keyvalue/store@0.2.0"), Some(Ok(Generation::Wasmcloud2)));
        assert_eq!(gen("wasmcloud:keyvalue/cas@0.2.0"), Some(Ok(Generation::Wasmcloud2)));
        assert_eq!(gen("wasmcloud:keyvalue/store@0.1.0"), Some(Err("0.1.0".into())));
        assert_eq!(classify_plain("readwrite"), Some(Generation::G1));
        assert_eq!(classify_plain("run"), None);
    }
}
