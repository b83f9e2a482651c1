//! Cargo feature helpers for the build scripts of the adapter and the watch bridge, each a
//! build per pair of generations chosen by `front-*` and `back-*` features.

/// Whether cargo feature `feature` is on for this build.
pub fn enabled(feature: &str) -> bool {
    let var = format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"));
    std::env::var_os(var).is_some()
}

/// The one generation of `names` whose `<kind>-<name>` feature is on; any other count is a
/// mistake in the build table, reported by name.
pub fn exactly_one(kind: &str, names: &[&'static str]) -> &'static str {
    let on: Vec<_> = names.iter().copied().filter(|g| enabled(&format!("{kind}-{g}"))).collect();
    match on.as_slice() {
        [one] => one,
        _ => panic!("enable exactly one `{kind}-*` feature of {names:?}; enabled: {on:?}"),
    }
}
