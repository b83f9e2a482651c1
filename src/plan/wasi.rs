//! What a guest's WASI imports mean for a plug, by name alone.
//!
//! Release candidates: the WASI names of late 2023 and early 2024 (`…@0.2.0-rc-…`) that
//! `plug` moves to 0.2.0 ([`renamed`]; the moving itself is `link::wasi_rc`).
//!
//! Wrapping: which of a guest's WASI imports the wrapping flavour of the G3/G4 adapters
//! (`Bodies::Wrapping`, `wasm/adapter/src/host_wasi.rs`) can stand beside. That flavour
//! exports wasi:io itself, so every interface whose types name wasi:io (a stream, a
//! pollable, an error) must come from the adapter too, which wraps the host's; the rest
//! may stay the host's only if it names no wasi:io type at all.

use crate::artifacts::Wrapped;
use crate::generation::InterfaceName;

/// Release candidates whose packages `plug` renames to 0.2.0.
const CANDIDATES: &[&str] = &["0.2.0-rc-2023-11-10", "0.2.0-rc-2023-12-05", "0.2.0-rc-2024-01-16"];

/// WASI packages of 0.2.0; their release-candidate interfaces become 0.2.0 ones.
pub(crate) const PACKAGES: &[&str] = &["cli", "clocks", "filesystem", "http", "io", "random", "sockets"];

/// The 0.2.0 name of a release-candidate WASI interface, or `None` for any other name.
pub fn renamed(name: &str) -> Option<String> {
    let parsed = InterfaceName::parse(name)?;
    let candidate = parsed.namespace == "wasi"
        && PACKAGES.contains(&parsed.package)
        && parsed.version.is_some_and(|v| CANDIDATES.contains(&v));
    candidate.then(|| format!("wasi:{}/{}@0.2.0", parsed.package, parsed.interface))
}

/// What the wrapping adapter does with one of the guest's imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The adapter exports it: wasi:io itself (from the `-io` front).
    Io,
    /// The adapter exports it, wrapping the host's: one of the groups.
    Wrapped(Group),
    /// The host's own, left as it is: it names no wasi:io type.
    PassThrough,
}

/// A group of host WASI a wrapping adapter wraps (`wit/kv-adapt/worlds.wit`, worlds
/// `wasi-wrapped-*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Stdio,
    Clock,
    Files,
}

/// Interfaces the adapter exports, and the group each belongs to.
const WRAPPED: &[(&str, &str, Option<Group>)] = &[
    ("io", "error", None),
    ("io", "poll", None),
    ("io", "streams", None),
    ("cli", "stdin", Some(Group::Stdio)),
    ("cli", "stdout", Some(Group::Stdio)),
    ("cli", "stderr", Some(Group::Stdio)),
    ("clocks", "monotonic-clock", Some(Group::Clock)),
    ("filesystem", "types", Some(Group::Files)),
    ("filesystem", "preopens", Some(Group::Files)),
];

/// WASI 0.2 interfaces whose types mention no wasi:io resource.
const IO_FREE: &[(&str, &str)] = &[
    ("cli", "environment"),
    ("cli", "exit"),
    ("cli", "terminal-input"),
    ("cli", "terminal-output"),
    ("cli", "terminal-stdin"),
    ("cli", "terminal-stdout"),
    ("cli", "terminal-stderr"),
    ("clocks", "wall-clock"),
    ("random", "random"),
    ("random", "insecure"),
    ("random", "insecure-seed"),
    ("sockets", "network"),
    ("sockets", "instance-network"),
];

/// Whether `version` is of the wasi:io release family `release` (a generation's body
/// wasi:io version): any 0.2 release for `0.2.0` (G3/G4), the release candidate itself for
/// `0.2.0-rc-2023-11-10` (G2).
fn of_release(version: Option<&str>, release: &str) -> bool {
    match version {
        Some(v) if release == "0.2.0" => crate::generation::is_0_2_release(v),
        Some(v) => v == release,
        None => false,
    }
}

/// The role of import `name` (`wasi:<package>/<interface>@<version>`) beside a wrapping
/// adapter of wasi:io release `release`, or `None` when the wrapping flavour cannot be used
/// beside it: sockets and http carry streams and pollables the adapter does not wrap, and
/// another release is not what the adapter's interfaces are.
pub fn role(name: &str, release: &str) -> Option<Role> {
    let n = InterfaceName::parse(name)?;
    if n.namespace != "wasi" || !of_release(n.version, release) {
        return None;
    }
    let key = (n.package, n.interface);
    if let Some((_, _, group)) = WRAPPED.iter().find(|(p, i, _)| (*p, *i) == key) {
        Some(group.map_or(Role::Io, Role::Wrapped))
    } else if IO_FREE.contains(&key) {
        Some(Role::PassThrough)
    } else {
        None
    }
}

/// Whether every WASI import but key-value is wasi:io itself or names no wasi:io type: then
/// the `-io` adapter may serve the guest's wasi:io under whatever 0.2 release it names.
pub fn io_stands_alone<'a>(imports: impl IntoIterator<Item = &'a String>, release: &str) -> bool {
    imports.into_iter().all(|import| {
        let kv_or_not_wasi = InterfaceName::parse(import).is_none_or(|n| n.namespace != "wasi" || n.package == "keyvalue");
        kv_or_not_wasi || matches!(role(import, release), Some(Role::Io | Role::PassThrough))
    })
}

/// The groups among `imports` a wrapping adapter must wrap.
pub fn groups<'a>(imports: impl IntoIterator<Item = &'a String>, release: &str) -> Wrapped {
    let mut wrapped = Wrapped::default();
    for import in imports {
        match role(import, release) {
            Some(Role::Wrapped(Group::Stdio)) => wrapped.stdio = true,
            Some(Role::Wrapped(Group::Clock)) => wrapped.clock = true,
            Some(Role::Wrapped(Group::Files)) => wrapped.files = true,
            Some(Role::Io | Role::PassThrough) | None => {}
        }
    }
    wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_candidates_of_wasi_packages_move_to_0_2_0_and_nothing_else_does() {
        assert_eq!(renamed("wasi:io/streams@0.2.0-rc-2023-11-10").as_deref(), Some("wasi:io/streams@0.2.0"));
        assert_eq!(renamed("wasi:http/incoming-handler@0.2.0-rc-2023-12-05").as_deref(), Some("wasi:http/incoming-handler@0.2.0"));
        assert_eq!(renamed("wasi:cli/run@0.2.0-rc-2024-01-16").as_deref(), Some("wasi:cli/run@0.2.0"));
        assert_eq!(renamed("wasi:sockets/tcp@0.2.0-rc-2023-11-10").as_deref(), Some("wasi:sockets/tcp@0.2.0"));
        for kept in [
            "wasi:io/streams@0.2.0",
            "wasi:io/streams@0.2.6",
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:keyvalue/readwrite",
            "wasi:logging/logging",
            "wasi:http/types@0.3.0-rc-2025-09-16",
            "wasi:blobstore/container@0.2.0-rc-2023-11-10",
        ] {
            assert_eq!(renamed(kept), None, "{kept}");
        }
    }

    #[test]
    fn streams_of_stdio_clocks_and_files_are_wrapped_and_io_free_interfaces_pass_through() {
        assert_eq!(role("wasi:io/streams@0.2.6", "0.2.0"), Some(Role::Io));
        assert_eq!(role("wasi:filesystem/preopens@0.2.0", "0.2.0"), Some(Role::Wrapped(Group::Files)));
        assert_eq!(role("wasi:clocks/monotonic-clock@0.2.3", "0.2.0"), Some(Role::Wrapped(Group::Clock)));
        assert_eq!(role("wasi:cli/stderr@0.2.6", "0.2.0"), Some(Role::Wrapped(Group::Stdio)));
        assert_eq!(role("wasi:cli/environment@0.2.6", "0.2.0"), Some(Role::PassThrough));
        assert_eq!(role("wasi:clocks/wall-clock@0.2.6", "0.2.0"), Some(Role::PassThrough));
        // G2's release is the candidate itself.
        let rc = "0.2.0-rc-2023-11-10";
        assert_eq!(role("wasi:cli/stdout@0.2.0-rc-2023-11-10", rc), Some(Role::Wrapped(Group::Stdio)));
        assert_eq!(role("wasi:cli/stdout@0.2.0", rc), None);
    }

    #[test]
    fn sockets_http_release_candidates_and_unknown_wasi_are_not_wrappable() {
        assert_eq!(role("wasi:sockets/tcp@0.2.0", "0.2.0"), None);
        assert_eq!(role("wasi:http/types@0.2.0", "0.2.0"), None);
        assert_eq!(role("wasi:io/streams@0.2.0-rc-2023-11-10", "0.2.0"), None);
        assert_eq!(role("wasi:io/streams", "0.2.0"), None);
        assert_eq!(role("wasi:cli/stdout@0.3.0", "0.2.0"), None);
        assert_eq!(role("wasi:random/random", "0.2.0"), None);
    }

    #[test]
    fn only_the_groups_the_guest_imports_are_wrapped() {
        let imports: Vec<String> =
            ["wasi:io/streams@0.2.6", "wasi:cli/stdout@0.2.6", "wasi:cli/environment@0.2.6", "wasi:filesystem/preopens@0.2.6"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(groups(&imports, "0.2.0"), Wrapped { stdio: true, clock: false, files: true });
        assert!(groups(&imports[..1], "0.2.0").is_empty());
    }
}
