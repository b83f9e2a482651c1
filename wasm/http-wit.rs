//! wasi:http at 0.2.0 and at rc-2023-11-10, derived from our rc-2023-12-05 WIT when a
//! build needs them, so the project keeps one text of wasi:http.
//!
//! rc-2023-12-05 is 0.2.0 but for its version strings. rc-2023-11-10 differs from it in
//! seven functions of `types`: the three `request-options` timeouts were `…-timeout-ms`
//! (their setters' parameter `ms`), `future-trailers.get` had one `result` level less, and
//! `fields.has` did not exist yet. Each edit below must apply exactly once, so a change to
//! the source WIT cannot slip past them.

use std::path::Path;

fn rc_2023_12_05(wit: &Path) -> String {
    let file = wit.join("http-0.2.0-rc-2023-12-05/http.wit");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()))
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once in the rc-2023-12-05 WIT");
    text.replacen(from, to, 1)
}

/// `wasi:http@0.2.0`, on `wasi:io` and `wasi:clocks` 0.2.0.
pub fn http_0_2_0(wit: &Path) -> String {
    rc_2023_12_05(wit).replace("@0.2.0-rc-2023-12-05", "@0.2.0").replace("@0.2.0-rc-2023-11-10", "@0.2.0")
}

/// `wasi:http@0.2.0-rc-2023-11-10`, on `wasi:io` and `wasi:clocks` rc-2023-11-10.
pub fn http_rc_2023_11_10(wit: &Path) -> String {
    let mut text = rc_2023_12_05(wit).replace("@0.2.0-rc-2023-12-05", "@0.2.0-rc-2023-11-10");
    text = replace_once(&text, "    has: func(name: field-key) -> bool;\n", "");
    for timeout in ["connect", "first-byte", "between-bytes"] {
        text = replace_once(
            &text,
            &format!("{timeout}-timeout: func() -> option<duration>;"),
            &format!("{timeout}-timeout-ms: func() -> option<duration>;"),
        );
        text = replace_once(
            &text,
            &format!("set-{timeout}-timeout: func(duration: option<duration>) -> result;"),
            &format!("set-{timeout}-timeout-ms: func(ms: option<duration>) -> result;"),
        );
    }
    replace_once(
        &text,
        "get: func() -> option<result<result<option<trailers>, error-code>>>;",
        "get: func() -> option<result<option<trailers>, error-code>>;",
    )
}

/// Writes `$OUT_DIR/wit` afresh for a build script: `file` (name, WIT text), and under
/// `deps` the `packages` (directory name, WIT text) and the packages of the project's `wit`
/// named in `from_project`; cargo reruns the script when `wit` changes.
pub fn write_wit(wit: &Path, (name, text): (&str, &str), packages: &[(&str, String)], from_project: &[&str]) {
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("wit");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    write_deps(&dir, wit, packages, from_project);
    println!("cargo:rerun-if-changed={}", wit.display());
}

fn write_deps(dir: &Path, wit: &Path, packages: &[(&str, String)], from_project: &[&str]) {
    for (name, text) in packages {
        let package = dir.join("deps").join(name);
        std::fs::create_dir_all(&package).unwrap();
        std::fs::write(package.join("package.wit"), text).unwrap();
    }
    for name in from_project {
        let package = dir.join("deps").join(name);
        std::fs::create_dir_all(&package).unwrap();
        for entry in std::fs::read_dir(wit.join(name)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), package.join(entry.file_name())).unwrap();
        }
    }
}
