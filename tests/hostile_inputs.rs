//! Hostile inputs: real components, mutated (bit flips, truncations, section reorders and
//! duplicates, oversized section lengths, wrong binary versions, inserted garbage), and
//! synthetic ones with deeply nested types and components, fed to what `inspect`, `plug`
//! and `run` do. Every input must give a result or an error of one non-empty line; a panic
//! anywhere is a failure that names the mutant's seed, so it can be replayed.
//!
//! `KV_ADAPT_HOSTILE_CASES=N` sets how many mutants the library run takes (default 10,000,
//! what CI runs); `KV_ADAPT_HOSTILE_SEED=S` starts from another seed; `KV_ADAPT_HOSTILE_DUMP=DIR`
//! writes each failing mutant to DIR. The long run is
//! `KV_ADAPT_HOSTILE_CASES=1000000 cargo test --release --test hostile_inputs -- --nocapture`.
//! Mutants that still plug are also run (bounded: compiling is slow), and a sample goes
//! through the binary itself, where exit code and stderr are checked as a user sees them.

mod common;

use kv_adapt::{Generation, PlugOptions};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

/// xorshift64*: small, seeded, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The real components mutants are made from.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let mut seeds: Vec<(&'static str, Vec<u8>)> = [
        ("g2-example", common::G2_EXAMPLE),
        ("g2-conformance", common::G2_CONFORMANCE),
        ("g3-conformance", common::G3_CONFORMANCE),
        ("g4-conformance", common::G4_CONFORMANCE),
        ("g5-conformance", common::G5_CONFORMANCE),
        ("g6-conformance", common::G6_CONFORMANCE),
        ("g4-println", common::G4_PRINTLN),
        ("wasmcloud-g5", common::G5_WASMCLOUD),
    ]
    .into_iter()
    .map(|(name, path)| (name, std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))))
    .collect();
    // The adapter the README's figures were measured with, named rather than taken first.
    let adapter = kv_adapt::artifacts::adapter(kv_adapt::Generation::G2, kv_adapt::Generation::G5, kv_adapt::Bodies::Host)
        .expect("adapter-g2-on-g5 is built in");
    seeds.push(("an-adapter", adapter.bytes.to_vec()));
    seeds
}

/// Top-level sections as (start, end) byte ranges after the 8-byte preamble, or `None`
/// when the framing is already broken.
fn sections(bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut at = 8;
    let mut out = Vec::new();
    while at < bytes.len() {
        let start = at;
        at += 1;
        let (mut size, mut shift) = (0u64, 0);
        loop {
            let b = *bytes.get(at)?;
            at += 1;
            size |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 || shift > 35 {
                break;
            }
        }
        at = at.checked_add(usize::try_from(size).ok()?)?;
        if at > bytes.len() {
            return None;
        }
        out.push((start, at));
    }
    Some(out)
}

/// One mutant of `seed`, and what was done, for the failure message.
fn mutate(seed: &[u8], rng: &mut Rng) -> (Vec<u8>, &'static str) {
    let mut bytes = seed.to_vec();
    match rng.below(8) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            (bytes, "bit flips")
        }
        1 => {
            bytes.truncate(rng.below(bytes.len()));
            (bytes, "truncation")
        }
        2 => match sections(&bytes) {
            Some(s) if s.len() >= 2 => {
                let a = rng.below(s.len() - 1);
                let b = a + 1 + rng.below(s.len() - a - 1);
                let (a, b) = (s[a], s[b]);
                let mut out = bytes[..a.0].to_vec();
                out.extend_from_slice(&bytes[b.0..b.1]);
                out.extend_from_slice(&bytes[a.1..b.0]);
                out.extend_from_slice(&bytes[a.0..a.1]);
                out.extend_from_slice(&bytes[b.1..]);
                (out, "section swap")
            }
            _ => (bytes, "section swap (framing already broken)"),
        },
        3 => match sections(&bytes) {
            Some(s) if !s.is_empty() => {
                let (start, end) = s[rng.below(s.len())];
                let mut out = bytes[..end].to_vec();
                out.extend_from_slice(&bytes[start..]);
                (out, "section duplicated")
            }
            _ => (bytes, "section duplicated (framing already broken)"),
        },
        4 => match sections(&bytes) {
            Some(s) if !s.is_empty() => {
                // A size far past the end, as a 5-byte LEB128 in place of the real one.
                let (start, end) = s[rng.below(s.len())];
                let mut size_end = start + 1;
                while bytes[size_end] & 0x80 != 0 {
                    size_end += 1;
                }
                let huge: [u8; 5] = [0xff, 0xff, 0xff, 0xff, 0x0f];
                let mut out = bytes[..start + 1].to_vec();
                out.extend_from_slice(&huge);
                out.extend_from_slice(&bytes[size_end + 1..end]);
                out.extend_from_slice(&bytes[end..]);
                (out, "oversized section length")
            }
            _ => (bytes, "oversized section length (framing already broken)"),
        },
        5 => {
            // Inflate an inner LEB128 (a count or a length inside some section).
            let i = 8 + rng.below(bytes.len().saturating_sub(13));
            bytes.splice(i..i + 1, [0xff, 0xff, 0xff, 0xff, 0x07]);
            (bytes, "inflated inner length")
        }
        6 => {
            let versions: [[u8; 4]; 5] = [[0x0c, 0, 1, 0], [0x0e, 0, 1, 0], [1, 0, 0, 0], [0x0d, 0, 2, 0], [0xff, 0xff, 0xff, 0xff]];
            bytes[4..8].copy_from_slice(&versions[rng.below(versions.len())]);
            (bytes, "wrong version")
        }
        _ => {
            let at = rng.below(bytes.len());
            let garbage: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, garbage);
            (bytes, "inserted garbage")
        }
    }
}

/// An error must be one line a person can read.
fn one_line(what: &str, message: &str) -> Result<(), String> {
    if message.trim().is_empty() || message.contains('\n') {
        return Err(format!("{what} gave an error that is not one line: {message:?}"));
    }
    Ok(())
}

/// What `inspect` and `plug` do, on every host; `Ok(Some(bytes))` when it plugged onto G5.
fn inspect_and_plug(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let surface = match kv_adapt::surface("mutant", bytes) {
        Ok(surface) => surface,
        Err(e) => return one_line("surface", &e.to_string()).map(|()| None),
    };
    for host in [Generation::G2, Generation::G3, Generation::G4, Generation::G5, Generation::G6] {
        if let Err(e) = kv_adapt::plan("mutant", &surface, &PlugOptions { host, ..PlugOptions::default() }) {
            one_line("plan", &e.to_string())?;
        }
    }
    match kv_adapt::plug_named("mutant", bytes, &PlugOptions::default()) {
        Ok(plugged) => Ok(Some(plugged.component)),
        Err(e) => one_line("plug", &e.to_string()).map(|()| None),
    }
}

fn cases() -> u64 {
    std::env::var("KV_ADAPT_HOSTILE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

fn first_seed() -> u64 {
    std::env::var("KV_ADAPT_HOSTILE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x6b76_2d61_6461_7074)
}

#[test]
fn mutated_components_never_panic_inspect_plug_or_run() {
    let seeds = seeds();
    let (cases, seed) = (cases(), first_seed());
    let mut outcomes = std::collections::BTreeMap::<&str, [u64; 2]>::new();
    let mut runs = 0;
    let mut failures = Vec::new();
    for n in 0..cases {
        let mutant_seed = seed.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1;
        let mut rng = Rng(mutant_seed);
        let (source, original) = &seeds[rng.below(seeds.len())];
        let (bytes, how) = mutate(original, &mut rng);
        let checked = catch_unwind(AssertUnwindSafe(|| inspect_and_plug(&bytes)));
        // `KV_ADAPT_HOSTILE_DUMP=DIR` keeps each failing mutant, to minimize and pin.
        let dump = || {
            if let Some(dir) = std::env::var_os("KV_ADAPT_HOSTILE_DUMP") {
                let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{mutant_seed}.wasm")), &bytes);
            }
        };
        let plugged = match checked {
            Err(_) => {
                dump();
                failures.push(format!("panic: seed {mutant_seed} ({how} of {source})"));
                continue;
            }
            Ok(Err(message)) => {
                dump();
                failures.push(format!("seed {mutant_seed} ({how} of {source}): {message}"));
                continue;
            }
            Ok(Ok(plugged)) => plugged,
        };
        outcomes.entry(how).or_default()[usize::from(plugged.is_some())] += 1;
        // Compiling is what makes `run` slow; a few dozen mutants that still plug are enough
        // to show a broken-but-valid component cannot make it panic either.
        if plugged.is_some() && runs < 12 {
            runs += 1;
            let dir = tempfile::tempdir().unwrap();
            let options = kv_adapt::host::run::RunOptions {
                plug: PlugOptions::default(),
                store: kv_adapt::host::run::StoreSpec::Dir(dir.path().to_path_buf()),
                args: vec!["mutant".into()],
                extras: Default::default(),
                capture: true,
                limits: kv_adapt::host::run::Limits::default(),
                compile_cache: None,
            };
            match catch_unwind(AssertUnwindSafe(|| kv_adapt::host::run::run("mutant", &bytes, &options))) {
                Err(_) => failures.push(format!("run panicked: seed {mutant_seed} ({how} of {source})")),
                // The CLI prints a run's error chain through `one_line` (wasmtime's own messages
                // may span lines); it must still say something.
                Ok(Err(e)) => {
                    if let Err(m) = one_line("run", &kv_adapt::one_line(&format!("{e:#}"))) {
                        failures.push(format!("seed {mutant_seed} ({how} of {source}): {m}"));
                    }
                }
                Ok(Ok(_)) => {}
            }
        }
    }
    println!("{cases} mutants from seed {seed}: (refused, plugged) by mutation: {outcomes:?}; {runs} run");
    assert!(failures.is_empty(), "{} of {cases} mutants failed:\n{}", failures.len(), failures.join("\n"));
    // The harness must reach past the parser, or it proves little.
    assert!(outcomes.values().map(|[_, plugged]| plugged).sum::<u64>() > 0, "no mutant survived to plug: {outcomes:?}");
}

/// A type nested `depth` deep: `list<list<...<u8>>>` as a component type.
fn nested_list_type(depth: usize) -> Vec<u8> {
    let mut wat = String::from("(component (type $t0 (list u8))");
    for i in 1..depth {
        wat.push_str(&format!(" (type $t{i} (list $t{}))", i - 1));
    }
    wat.push_str(&format!(
        " (import \"wasi:keyvalue/readwrite\" (instance (export \"deep\" (func (param \"v\" $t{}))))))",
        depth - 1
    ));
    wat::parse_str(&wat).expect("nested type WAT")
}

/// Components nested `depth` deep, the innermost importing G2 (a definition only: the
/// outer component imports nothing). Written as raw sections: the text format caps nesting.
fn nested_components(depth: usize) -> Vec<u8> {
    let mut bytes = wat::parse_str("(component (import \"wasi:keyvalue/readwrite\" (instance)))").unwrap();
    for _ in 0..depth {
        let mut outer = bytes[..8].to_vec();
        outer.push(0x04); // a component section
        let mut len = bytes.len() as u64;
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            outer.push(if len == 0 { byte } else { byte | 0x80 });
            if len == 0 {
                break;
            }
        }
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}

#[test]
fn deeply_nested_types_and_components_are_refused_or_handled_in_one_line() {
    for depth in [10, 1_000, 100_000] {
        let bytes = nested_list_type(depth);
        let outcome = catch_unwind(AssertUnwindSafe(|| inspect_and_plug(&bytes)));
        let outcome = outcome.unwrap_or_else(|_| panic!("a list nested {depth} deep made kv-adapt panic"));
        outcome.unwrap_or_else(|m| panic!("depth {depth}: {m}"));
    }
    for depth in [2, 100, 10_000] {
        let bytes = nested_components(depth);
        let outcome = catch_unwind(AssertUnwindSafe(|| inspect_and_plug(&bytes)));
        let outcome = outcome.unwrap_or_else(|_| panic!("components nested {depth} deep made kv-adapt panic"));
        outcome.unwrap_or_else(|m| panic!("depth {depth}: {m}"));
    }
}

/// A sample through the binary: exit 0 or 1, never a panic, one stderr line on refusal.
#[test]
fn the_binary_answers_mutants_with_one_line_and_exit_1() {
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(first_seed() ^ 0x5eed);
    let mut runs = 0;
    for n in 0..60 {
        let (source, original) = &seeds[rng.below(seeds.len())];
        let (bytes, how) = mutate(original, &mut rng);
        let input = dir.path().join(format!("mutant-{n}.wasm"));
        std::fs::write(&input, &bytes).unwrap();
        let out = dir.path().join(format!("out-{n}.wasm"));
        let commands: [Vec<&str>; 2] =
            [vec!["inspect", input.to_str().unwrap()], vec!["plug", input.to_str().unwrap(), "-o", out.to_str().unwrap()]];
        for args in commands {
            let output = Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(&args).output().expect("run kv-adapt");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let what = format!("kv-adapt {} on mutant {n} ({how} of {source})", args[0]);
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            match output.status.code() {
                Some(0) => {}
                Some(1) => assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}"),
                other => panic!("{what}: exit {other:?}: {stderr}"),
            }
        }
        // A mutant that still plugs is run too (a few: each run compiles it).
        if out.exists() && runs < 4 {
            runs += 1;
            let store = dir.path().join(format!("kv-data-{n}"));
            let output = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
                .args(["run", input.to_str().unwrap(), "--quiet", "--store", store.to_str().unwrap()])
                .output()
                .expect("run kv-adapt");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "kv-adapt run on mutant {n} ({how} of {source}): {stderr}");
            assert!(matches!(output.status.code(), Some(0 | 1)), "kv-adapt run on mutant {n}: {:?}: {stderr}", output.status);
        }
    }
}
