//! Helpers for the build scripts of the adapter and the watch bridge, each a build per pair
//! of generations chosen by `front-*` and `back-*` features.

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

/// The items of `world` in the G1 WIT (`wit/keyvalue-g1-2023-02/keyvalue.wit`), each
/// `from` (`import` or `export`) turned into `to`, its `include`s left out. G1's interfaces
/// exist only inline in that world (they have plain names), so the adapter that exports
/// them and the watch bridge that imports `handle-watch` take them from there rather than
/// from a second copy of the text.
pub fn g1_world_items(world: &str, from: &str, to: &str) -> String {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let file = manifest.join("../../wit/keyvalue-g1-2023-02/keyvalue.wit");
    println!("cargo:rerun-if-changed={}", file.display());
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let opening = format!("world {world} {{");
    let body = text
        .split_once(&opening)
        .and_then(|(_, rest)| rest.split_once("\n}"))
        .map(|(body, _)| body)
        .unwrap_or_else(|| panic!("{}: no `{opening}` ... `}}`", file.display()));
    let mut items = String::new();
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("include ") {
            continue;
        }
        match trimmed.strip_prefix(from).filter(|rest| rest.starts_with(' ')) {
            Some(rest) => {
                items.push_str(&line[..line.len() - trimmed.len()]);
                items.push_str(to);
                items.push_str(rest);
            }
            None => items.push_str(line),
        }
        items.push('\n');
    }
    items
}
