//! Spin's `wasi:keyvalue@0.2.0-draft2`, derived from our upstream G6 WIT when a build needs
//! it, so the project keeps one text of draft2.
//!
//! Spin (3.0 to 4.x) serves upstream draft2 but for one type: its `batch.get-many` pairs
//! every requested key with an optional value (`list<tuple<string, option<list<u8>>>>`)
//! where upstream gives an optional pair (`list<option<tuple<string, list<u8>>>>`). Both
//! packages have the same name, so one resolve cannot hold both: the adapter builds its
//! Spin front from this text under a name of its own ([`ADAPTER_PACKAGE`]) and the built
//! component's exports are renamed back (`wasm-build`).

use std::path::Path;

/// The package name Spin's draft2 is built under beside upstream draft2.
pub const ADAPTER_PACKAGE: &str = "kv-adapt:spin-keyvalue@0.2.0-draft2";

/// Spin's draft2 under the package name `package`: `wasi:keyvalue@0.2.0-draft2` as Spin
/// serves it, or [`ADAPTER_PACKAGE`].
pub fn spin_draft2(wit: &Path, package: &str) -> String {
    let file = wit.join("keyvalue-g6-0.2.0-draft2/keyvalue.wit");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    let text = replace_once(&text, "package wasi:keyvalue@0.2.0-draft2;", &format!("package {package};"));
    let text = replace_once(
        &text,
        "/// One entry per requested key, in order; `none` where the key is missing.\n",
        "/// One pair per requested key, in order; its value is `none` where the key is missing\n    /// (Spin's shape, not upstream's).\n",
    );
    replace_once(
        &text,
        "-> result<list<option<tuple<string, list<u8>>>>, error>;",
        "-> result<list<tuple<string, option<list<u8>>>>, error>;",
    )
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once in the G6 WIT");
    text.replacen(from, to, 1)
}
