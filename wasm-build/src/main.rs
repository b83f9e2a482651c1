//! `cargo run -p kv-adapt-wasm-build --bin rebuild-shipped [-- --check]`: builds every
//! component kv-adapt embeds from source into `shipped/`, with `shipped/artifacts.rs` (the
//! table `src/artifacts.rs` includes) and `shipped/manifest.tsv`. With `--check` it builds
//! them into a scratch directory instead and fails, naming each file, if anything differs
//! from what is committed (.ci/run does this on a clean checkout).

use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => bail!("unknown argument {other}; usage: rebuild-shipped [--check]"),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("wasm-build sits in the checkout")?.to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    // The nested cargo's own target dir, shared with test-programs' builds of the guests.
    let wasm_target = target.join("kv-adapt-wasm");
    let shipped = root.join("shipped");
    let out = match check {
        true => target.join("shipped-check"),
        false => shipped.clone(),
    };
    // Nothing stale may survive into the table or the comparison.
    if out.exists() {
        for entry in std::fs::read_dir(&out)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm" || e == "rs" || e == "tsv") {
                std::fs::remove_file(&path)?;
            }
        }
    }
    let built = kv_adapt_wasm_build::build_shipped(&root, &wasm_target, &out)?;
    std::fs::write(out.join("artifacts.rs"), &built.tables)?;
    std::fs::write(out.join("manifest.tsv"), &built.manifest)?;
    if !check {
        println!("wrote {} ({} files)", shipped.display(), built.manifest.lines().count() - 1);
        return Ok(());
    }
    let names = |dir: &Path| -> Result<BTreeSet<String>> {
        let mut names = BTreeSet::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".wasm") || name == "artifacts.rs" || name == "manifest.tsv" {
                names.insert(name);
            }
        }
        Ok(names)
    };
    let (fresh, committed) = (names(&out)?, names(&shipped)?);
    let mut differ = Vec::new();
    for name in fresh.union(&committed) {
        let problem = match (fresh.contains(name), committed.contains(name)) {
            (true, false) => Some("built but not committed"),
            (false, true) => Some("committed but no longer built"),
            _ if std::fs::read(out.join(name))? != std::fs::read(shipped.join(name))? => Some("differs from a fresh build"),
            _ => None,
        };
        if let Some(problem) = problem {
            differ.push(format!("shipped/{name}: {problem}"));
        }
    }
    if !differ.is_empty() {
        bail!(
            "{} shipped file(s) do not match their sources; run `cargo run -p kv-adapt-wasm-build --bin rebuild-shipped` and commit shipped/:\n{}",
            differ.len(),
            differ.join("\n")
        );
    }
    println!("shipped/: all {} files match a fresh build", fresh.len());
    Ok(())
}
