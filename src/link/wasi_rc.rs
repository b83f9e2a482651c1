//! WASI release candidates of late 2023 and early 2024 onto WASI 0.2.0, by renaming.
//!
//! Components of that time import `wasi:*@0.2.0-rc-2023-11-10` (io, cli, clocks,
//! filesystem, random, sockets: what the preview1 adapter of wasmtime 15 and the
//! wasmCloud 0.81 toolchain linked in), `wasi:cli` and `wasi:http@0.2.0-rc-2023-12-05`, or
//! `@0.2.0-rc-2024-01-16`, and export `wasi:cli/run` or `wasi:http/incoming-handler` at
//! those versions. No host of today serves those names, but apart from a few functions
//! they are 0.2.0 type for type, and wit-component lists in an import only the functions
//! the component calls. So a component that calls none of the functions that differ only
//! needs its names moved to 0.2.0. One that calls such a function (the seven of
//! `wasi:http/types`, sockets' `ipv6-only` pair) is nested in a component that serves it
//! through a shim ([`crate::link::wasi_shim`]); any other is refused, naming it.
//! Unversioned `wasi:` interfaces (the drafts of mid-2023, with u32 handles) are refused too.

use crate::error::{one_line, Error, Result};
use crate::generation::InterfaceName;
use crate::plan::wasi::{renamed, PACKAGES};

/// Functions of a release candidate that 0.2.0 changed: (package, version, interface,
/// function as the component model names it, what changed). A component importing one of
/// them cannot simply be renamed.
const CHANGED: &[(&str, &str, &str, &str, &str)] = &[
    ("sockets", "0.2.0-rc-2023-11-10", "tcp", "[method]tcp-socket.ipv6-only", "removed in 0.2.0"),
    ("sockets", "0.2.0-rc-2023-11-10", "tcp", "[method]tcp-socket.set-ipv6-only", "removed in 0.2.0"),
    ("sockets", "0.2.0-rc-2023-11-10", "udp", "[method]udp-socket.ipv6-only", "removed in 0.2.0"),
    ("sockets", "0.2.0-rc-2023-11-10", "udp", "[method]udp-socket.set-ipv6-only", "removed in 0.2.0"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]request-options.connect-timeout-ms", "renamed connect-timeout in 0.2.0, which takes a duration in nanoseconds"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]request-options.set-connect-timeout-ms", "renamed set-connect-timeout in 0.2.0, which takes a duration in nanoseconds"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]request-options.first-byte-timeout-ms", "renamed first-byte-timeout in 0.2.0, which takes a duration in nanoseconds"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]request-options.set-first-byte-timeout-ms", "renamed set-first-byte-timeout in 0.2.0, which takes a duration in nanoseconds"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]request-options.between-bytes-timeout-ms", "renamed between-bytes-timeout in 0.2.0, which takes a duration in nanoseconds"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]request-options.set-between-bytes-timeout-ms", "renamed set-between-bytes-timeout in 0.2.0, which takes a duration in nanoseconds"),
    ("http", "0.2.0-rc-2023-11-10", "types", "[method]future-trailers.get", "returns one more result level in 0.2.0"),
];

/// What [`to_0_2_0`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renamed {
    pub imports: usize,
    pub exports: usize,
    /// rc-2023-11-10 functions 0.2.0 changed or removed, served by a shim (`crate::link::wasi_shim`).
    pub shimmed: Vec<String>,
}

impl Renamed {
    /// Words for a plan line; empty when nothing was renamed.
    pub fn describe(&self) -> String {
        let moved = match (self.imports, self.exports) {
            (0, 0) => String::new(),
            (imports, exports) => {
                format!("WASI release-candidate names moved to 0.2.0 ({imports} import(s), {exports} export(s))")
            }
        };
        match self.shimmed.len() {
            0 => moved,
            n => format!("{moved}; {n} rc-2023-11-10 function(s) 0.2.0 changed or removed served by a shim ({})", self.shimmed.join(", ")),
        }
    }
}

/// Renames every release-candidate WASI import and export of `component` to 0.2.0, after
/// checking that it calls no function 0.2.0 changed and imports no unversioned WASI.
pub fn to_0_2_0(name: &str, component: &[u8]) -> Result<(Vec<u8>, Renamed)> {
    let surface = crate::plan::surface::names(name, component)?;
    let refuse = |interface: &str, why: String| Error::CannotRename { name: name.into(), interface: interface.into(), why };
    if let Some(unversioned) = surface.imports.iter().chain(&surface.exports).find(|n| {
        InterfaceName::parse(n).is_some_and(|p| p.namespace == "wasi" && p.package != "keyvalue" && PACKAGES.contains(&p.package) && p.version.is_none())
    }) {
        return Err(refuse(
            unversioned,
            "an unversioned WASI draft of 2023 (u32 handles), which no release of today's WASI can stand in for".into(),
        ));
    }
    let renamed_imports: Vec<&String> = surface.imports.iter().filter(|n| renamed(n).is_some()).collect();
    let changed = changed_functions(component, &renamed_imports)?;
    if let Some((interface, function, what)) =
        changed.iter().find(|(interface, function, _)| !crate::link::wasi_shim::shims(interface, function))
    {
        return Err(refuse(interface, format!("it calls `{function}`, which is {what}; only components that avoid it can be moved to 0.2.0")));
    }
    let mut targets: Vec<String> = surface.imports.iter().map(|n| renamed(n).unwrap_or_else(|| n.clone())).collect();
    targets.sort();
    if let Some(pair) = targets.windows(2).find(|w| w[0] == w[1]) {
        return Err(refuse(&pair[0], "the component imports it under two versions that both become 0.2.0".into()));
    }
    let counts = Renamed {
        imports: renamed_imports.len(),
        exports: surface.exports.iter().filter(|n| renamed(n).is_some()).count(),
        shimmed: changed.iter().map(|(_, function, _)| function.to_string()).collect(),
    };
    if counts == Renamed::default() {
        return Ok((component.to_vec(), counts));
    }
    let shimmed = match counts.shimmed.is_empty() {
        true => None,
        false => Some(crate::link::wasi_shim::wrap(name, component, renamed)?),
    };
    let bytes = crate::link::compose::rename_names(shimmed.as_deref().unwrap_or(component), renamed, renamed)?;
    Ok((bytes, counts))
}

/// Every function of [`CHANGED`] that one of `imports` lists, with its interface.
fn changed_functions(component: &[u8], imports: &[&String]) -> Result<Vec<(String, &'static str, &'static str)>> {
    let suspects: Vec<&String> = imports
        .iter()
        .copied()
        .filter(|n| {
            InterfaceName::parse(n).is_some_and(|p| CHANGED.iter().any(|c| (c.0, Some(c.1), c.2) == (p.package, p.version, p.interface)))
        })
        .collect();
    let mut found = Vec::new();
    if suspects.is_empty() {
        return Ok(found);
    }
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(component)
        .map_err(|e| Error::InvalidComponent { name: "component".into(), reason: one_line(&e.to_string()) })?;
    let types = types.as_ref();
    for import in suspects {
        let Some(wasmparser::component_types::ComponentEntityType::Instance(id)) = types.component_item_for_import(import).map(|item| item.ty) else {
            continue;
        };
        let parsed = InterfaceName::parse(import).expect("suspects are parsed names");
        let functions = &types[id].exports;
        for (package, version, interface, function, what) in CHANGED {
            let here = (*package, Some(*version), *interface) == (parsed.package, parsed.version, parsed.interface);
            if here && functions.contains_key(*function) {
                found.push((import.clone(), *function, *what));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_changed_function_is_served_by_a_shim() {
        for (package, version, interface, function, _) in CHANGED {
            let name = format!("wasi:{package}/{interface}@{version}");
            assert!(crate::link::wasi_shim::shims(&name, function), "{name} {function} has no shim");
        }
    }

    #[test]
    fn every_changed_function_is_of_a_renamed_package() {
        for (package, version, interface, function, _) in CHANGED {
            let name = format!("wasi:{package}/{interface}@{version}");
            assert!(renamed(&name).is_some(), "{name} ({function}) is never renamed, so it needs no entry");
        }
    }
}
