//! `era-componentize MODULE OUT`: what `wasm-tools component new` of spring 2023 did,
//! with the crate it used (wit-component 0.7.4). The output is the era's own, binary
//! version 0x0c, for kv-adapt's upgrade tests; nothing here post-processes it.

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [module, out] = args.as_slice() else {
        bail!("usage: era-componentize MODULE OUT");
    };
    let bytes = std::fs::read(module).with_context(|| format!("reading {module}"))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&bytes)?
        .validate(true)
        .encode()
        .with_context(|| format!("componentizing {module}"))?;
    std::fs::write(out, component).with_context(|| format!("writing {out}"))?;
    Ok(())
}
