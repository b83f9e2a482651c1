//! The `kv-adapt` binary as a user meets it: bad input gets one line and a non-zero exit,
//! good input gets adapted, composed, run and written.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kv_adapt::generation::Generation;

fn kv_adapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(args).output().expect("run kv-adapt")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("test WAT parses")
}

/// Runs `plug` on `bytes` and asserts a refusal: exit 1, exactly one stderr line, no panic,
/// and the line names the problem.
fn assert_refused(bytes: &[u8], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "input.wasm", bytes);
    let out = dir.path().join("out.wasm");
    let output = kv_adapt(&["plug", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "expected one line, got: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(expected), "expected {expected:?} in: {stderr}");
    assert!(!out.exists(), "nothing may be written on refusal");
}

#[test]
fn a_text_file_is_refused_as_not_wasm() {
    assert_refused(b"hello, world\n", "not a WebAssembly binary");
}

#[test]
fn a_core_module_is_refused_with_the_fix() {
    assert_refused(&wat("(module (func (export \"f\")))"), "core WebAssembly module, not a component");
}

#[test]
fn a_truncated_component_is_refused_as_invalid() {
    let mut bytes = wat("(component (import \"wasi:keyvalue/readwrite\" (instance)))");
    bytes.truncate(bytes.len() - 3);
    assert_refused(&bytes, "not a valid component");
}

#[test]
fn a_component_without_keyvalue_imports_is_refused() {
    assert_refused(&wat("(component (import \"wasi:io/poll@0.2.0\" (instance)))"), "imports no wasi:keyvalue interface");
}

/// The stream-based draft of early 2023 (G1, plain names) is adapted onto today's hosts,
/// and refused in one line for the older ones, which no adapter of G1 serves.
#[test]
fn a_g1_component_is_adapted_onto_draft_and_draft2_only() {
    let output = kv_adapt(&["inspect", common::G1_CONFORMANCE]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("  streams  [G1]") && stdout.contains("  readwrite  [G1]"), "{stdout}");
    assert!(stdout.contains("plug --host g5 (draft): adapt G1 -> G5 with fused-g1-on-g5, fused into the guest's component\n"), "{stdout}");
    assert!(stdout.contains("plug --host g6 (draft2): adapt G1 -> G6 with fused-g1-on-g6, fused into the guest's component\n"), "{stdout}");
    assert!(stdout.contains("plug --host g2: refused: "), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g1-on-g6.wasm");
    let output = kv_adapt(&["plug", common::G1_CONFORMANCE, "--host", "g6", "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let surface = kv_adapt::surface("plugged", &std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(surface.imported_generations(), [Generation::G6], "{:?}", surface.imports);
    // A G1 name with a signature no adapter export matches still fails in one line.
    assert_refused(&wat("(component (import \"readwrite\" (instance (export \"get\" (func)))))"), "does not type-check");
}

#[test]
fn an_unknown_keyvalue_version_is_refused() {
    assert_refused(&wat("(component (import \"wasi:keyvalue/store@0.3.0\" (instance)))"), "no known generation");
}

#[test]
fn two_legacy_generations_are_refused() {
    assert_refused(
        &wat(
            "(component (import \"wasi:keyvalue/readwrite\" (instance)) \
                        (import \"wasi:keyvalue/eventual@0.1.0\" (instance)))",
        ),
        "more than one wasi:keyvalue generation",
    );
}

#[test]
fn the_g2_cache_interface_is_refused() {
    assert_refused(
        &wat("(component (import \"wasi:keyvalue/readwrite\" (instance)) (import \"wasi:keyvalue/cache\" (instance)))"),
        "wasi:keyvalue/cache",
    );
}

#[test]
fn a_watch_bridge_is_refused_as_a_guest_and_inspect_says_why() {
    let bridge = kv_adapt::artifacts::bridge(Generation::G2, Generation::G5).expect("watch-g2-on-g5 is built in");
    assert_refused(bridge.bytes, "is a part kv-adapt composes (it imports `kv-adapt:components/watch-g2-on-g5`)");
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "bridge.wasm", bridge.bytes);
    let output = kv_adapt(&["inspect", input.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for host in ["g2", "g3", "g4", "g5 (draft)", "g6 (draft2)"] {
        assert!(stdout.contains(&format!("plug --host {host}: refused: ")), "{host}: {stdout}");
    }
    assert!(!stdout.contains("adapt G"), "no plan may be offered for a part: {stdout}");
}

#[test]
fn a_composition_that_does_not_type_check_is_refused() {
    // `readwrite.get` with the wrong signature: the adapter's export cannot satisfy it.
    assert_refused(
        &wat("(component (import \"wasi:keyvalue/readwrite\" (instance (export \"get\" (func (param \"k\" u8))))))"),
        "does not type-check",
    );
}

/// `kv-adapt inspect x.wasm | head`: a reader that went away ends kv-adapt quietly (as it
/// does cat), never with a panic about a broken pipe.
#[test]
fn a_closed_stdout_ends_inspect_without_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["inspect", common::G1_CONFORMANCE])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!output.status.success());
}

#[test]
fn a_missing_file_is_one_line() {
    let output = kv_adapt(&["inspect", "/nonexistent/guest.wasm"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot read /nonexistent/guest.wasm"), "{stderr}");
}

#[test]
fn inspect_reports_g2_imports_and_the_plan_for_both_hosts() {
    let output = kv_adapt(&["inspect", common::G2_EXAMPLE]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("wasi:keyvalue/readwrite  [G2]"), "{stdout}");
    assert!(stdout.contains("key-value generations imported: G2"), "{stdout}");
    assert!(stdout.contains("plug --host g5 (draft): adapt G2 -> G5 with fused-g2-on-g5-io, fused into the guest's component"), "{stdout}");
    assert!(stdout.contains("plug --host g6 (draft2): adapt G2 -> G6 with fused-g2-on-g6-io, fused into the guest's component"), "{stdout}");
}

#[test]
fn plug_writes_a_component_importing_only_draft_keyvalue() {
    let dir = tempfile::tempdir().unwrap();
    for (host, version) in [("draft", "0.2.0-draft"), ("draft2", "0.2.0-draft2")] {
        let out = dir.path().join(format!("{host}.wasm"));
        let output = kv_adapt(&["plug", common::G2_EXAMPLE, "-o", out.to_str().unwrap(), "--host", host]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let surface = kv_adapt::surface("out", &std::fs::read(&out).unwrap()).unwrap();
        assert!(!surface.imports.is_empty());
        for import in &surface.imports {
            assert!(
                import.starts_with("wasi:keyvalue/") && import.ends_with(&format!("@{version}")),
                "{host}: unexpected import {import}"
            );
        }
        assert!(surface.exports.iter().any(|e| e == "wasi:cli/run@0.2.0"), "{:?}", surface.exports);
    }
}

#[test]
fn run_adapts_the_example_and_its_values_are_files_in_the_store() {
    for (host, counter, visits_after_two_runs) in
        [("draft", "decimal", b"2".to_vec()), ("draft2", "le64", 2u64.to_le_bytes().to_vec())]
    {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("kv-data");
        for _ in 0..2 {
            let output = kv_adapt(&[
                "run",
                common::G2_EXAMPLE,
                "--store",
                store.to_str().unwrap(),
                "--host",
                host,
                "--counter-encoding",
                counter,
            ]);
            assert!(output.status.success(), "{host}: {}", String::from_utf8_lossy(&output.stderr));
        }
        // The example counts its runs in bucket "visits", key "visits".
        let visits = std::fs::read(store.join("visits").join("visits")).expect("counter file");
        assert_eq!(visits, visits_after_two_runs, "{host}");
        let greeting = std::fs::read_to_string(store.join("visits").join("last-greeting")).expect("greeting file");
        assert!(!greeting.is_empty());
    }
}

#[test]
fn adapters_writes_every_shipped_component_configured() {
    let dir = tempfile::tempdir().unwrap();
    let output = kv_adapt(&["adapters", "--out", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut names: Vec<String> = String::from_utf8_lossy(&output.stdout).lines().map(String::from).collect();
    // The index comes last and names every other file, with its size.
    assert_eq!(names.pop(), Some(dir.path().join("index.json").display().to_string()));
    let configured = (kv_adapt::artifacts::ADAPTERS.len() + kv_adapt::artifacts::STORES.len()) * 3;
    // And the part that serves upstream batch key by key on Spin.
    assert_eq!(names.len(), configured + kv_adapt::artifacts::BRIDGES.len() + 1);
    let index = index_of(dir.path());
    let files = index["files"].as_array().unwrap();
    assert_eq!(files.len(), names.len());
    for (entry, name) in files.iter().zip(&names) {
        assert_eq!(dir.path().join(entry["file"].as_str().unwrap()).display().to_string(), *name);
        assert_eq!(entry["bytes"].as_u64().unwrap(), std::fs::metadata(name).unwrap().len(), "{name}");
    }
    let g2_io_on_g6 = files.iter().find(|e| e["file"] == "adapter-g2-on-g6-io-le64.wasm").expect("adapter-g2-on-g6-io-le64 in the index");
    assert_eq!((&g2_io_on_g6["role"], &g2_io_on_g6["guest"], &g2_io_on_g6["host"]), (&"adapter".into(), &"G2".into(), &"G6".into()));
    assert_eq!((&g2_io_on_g6["bodies"], &g2_io_on_g6["counter-encoding"]), (&"adapter-io".into(), &"le64".into()));
    // Each file's imports are in the index, as the component has them: what its host must
    // serve. Spin's key-value adapter onto G6 needs only `store`; Spin's draft2 one onto G6
    // imports upstream draft2 and exports, under the same names, Spin's shape.
    let imports_of = |file: &str| -> Vec<String> {
        let entry = files.iter().find(|e| e["file"] == file).unwrap_or_else(|| panic!("{file} in the index"));
        entry["imports"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_string()).collect()
    };
    for file in ["adapter-spin2-on-g6-decimal.wasm", "adapter-spin-draft2-on-g6-decimal.wasm", "adapter-g2-on-g6-io-le64.wasm"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        assert_eq!(imports_of(file), kv_adapt::surface(file, &bytes).unwrap().imports, "{file}");
    }
    assert_eq!(imports_of("adapter-spin2-on-g6-decimal.wasm"), ["wasi:keyvalue/store@0.2.0-draft2"]);
    assert_eq!(imports_of("batch-g6-on-spin-draft2.wasm"), ["wasi:keyvalue/store@0.2.0-draft2"]);
    let spin_draft2 = files.iter().find(|e| e["file"] == "adapter-spin-draft2-on-g6-decimal.wasm").unwrap();
    let exports: Vec<&str> = spin_draft2["exports"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(exports.contains(&"wasi:keyvalue/batch@0.2.0-draft2"), "{exports:?}");
    assert!(imports_of("adapter-spin-draft2-on-g6-decimal.wasm").contains(&"wasi:keyvalue/batch@0.2.0-draft2".to_string()));
    // A watch bridge is the one part that imports kv-adapt's internal interface: the handle
    // state of the adapter it is composed beside, and nothing else of kv-adapt's.
    for bridge in kv_adapt::artifacts::BRIDGES {
        let name = dir.path().join(format!("{}.wasm", bridge.name()));
        assert!(names.iter().any(|n| std::path::Path::new(n) == name), "{} not written", name.display());
        let bytes = std::fs::read(&name).unwrap();
        let surface = kv_adapt::surface(&bridge.name(), &bytes).unwrap();
        let internal: Vec<&String> = surface.imports.iter().filter(|i| i.starts_with("kv-adapt:")).collect();
        assert_eq!(internal, [&format!("kv-adapt:components/{}", bridge.name())], "{:?}", surface.imports);
        assert_eq!(surface.exports, [bridge.target.watch_export()], "{}", bridge.name());
        assert!(surface.imports.iter().any(|i| i == bridge.source.watch_export()), "{:?}", surface.imports);
    }
    for name in names.iter().filter(|n| !n.contains("/watch-")) {
        let bytes = std::fs::read(name).unwrap();
        let surface = kv_adapt::surface(name, &bytes).unwrap();
        assert!(!surface.imports.iter().any(|i| i.starts_with("kv-adapt:")), "{name}: {:?}", surface.imports);
        if name.contains("adapter-g2-on-") {
            assert!(surface.exports.iter().any(|e| e == "wasi:keyvalue/readwrite"), "{name}");
            let target = if name.contains("-on-g5") { "@0.2.0-draft" } else { "@0.2.0-draft2" };
            for import in surface.imports.iter().filter(|i| i.starts_with("wasi:keyvalue/")) {
                assert!(import.ends_with(target), "{name} imports {import}");
            }
            // The pass-through flavour leaves wasi:io to the host; the wrapping ones import
            // it to wrap the host's streams; only the -io flavour imports none.
            let imports_io = surface.imports.iter().any(|i| i.starts_with("wasi:io/"));
            let io_only = name.contains("-io-") && !name.contains("-io-wasi-");
            assert_eq!(imports_io, !io_only, "{name}: {:?}", surface.imports);
        }
    }
}

/// `plug --with-store` output needs nothing but WASI 0.2 and is a `wasi:cli/command` as
/// stock `wasmtime run` sees one: instantiated through wasmtime-wasi's own `Command`
/// bindings (what the wasmtime CLI uses), not through kv-adapt's runner.
#[test]
fn plug_with_store_makes_a_plain_wasi_command() {
    use wasmtime::component::{Component, Linker, ResourceTable};
    use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundled.wasm");
    let output = kv_adapt(&["plug", common::G2_EXAMPLE, "-o", out.to_str().unwrap(), "--with-store"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let surface = kv_adapt::surface("bundled", &bytes).unwrap();
    for import in &surface.imports {
        let version = import.rsplit_once('@').map(|(_, v)| v).unwrap_or("");
        assert!(import.starts_with("wasi:") && version.starts_with("0.2.") && !version.contains('-'), "{import}");
        assert!(!import.starts_with("wasi:keyvalue/"), "{import}");
    }

    let store_dir = dir.path().join("kv-data");
    std::fs::create_dir_all(&store_dir).unwrap();
    let engine = common::engine();
    let component = Component::new(engine, &bytes).unwrap();
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    let state = kv_adapt::host::run::HostState {
        wasi: kv_adapt::host::run::wasi_ctx(&store_dir, &[]).unwrap(),
        table: ResourceTable::new(),
        eventual: None,
        g2: None,
        today: None,
        http: wasmtime_wasi_http::WasiHttpCtx::new(),
        limits: Default::default(),
        reported: kv_adapt_convert::recent::Recent::new(),
    };
    let mut store = wasmtime::Store::new(engine, state);
    let command = WasiCommand::instantiate(&mut store, &component, &linker).expect("a wasi:cli/command");
    assert_eq!(command.wasi_cli_run().call_run(&mut store).unwrap(), Ok(()));
    assert_eq!(std::fs::read(store_dir.join("visits/visits")).unwrap(), b"1");
}

#[test]
fn inspect_tells_g3_from_g4_and_picks_the_body_flavour_from_the_imports() {
    for (guest, expected) in [
        (common::G3_CONFORMANCE, "plug --host g5 (draft): adapt G3 -> G5 with fused-g3-on-g5-io, fused into the guest's component (value bodies: adapter-io"),
        (common::G4_CONFORMANCE, "plug --host g6 (draft2): adapt G4 -> G6 with fused-g4-on-g6-io, fused into the guest's component (value bodies: adapter-io"),
        // A wasip2 guest printing through the host's WASI keeps wasi:io with the host, and,
        // calling no async body function, has the adapter fused into its component.
        (common::G4_PRINTLN, "plug --host g5 (draft): adapt G4 -> G5 with fused-g4-on-g5, fused into the guest's component (value bodies: host-io"),
    ] {
        let output = kv_adapt(&["inspect", guest]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains(expected), "{guest}: {stdout}");
    }
}

fn run_example(store: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", common::G2_EXAMPLE, "--store", store.to_str().unwrap()];
    args.extend_from_slice(extra);
    kv_adapt(&args)
}

#[test]
fn run_says_what_it_adapted_onto_what_and_where_the_data_went() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv-data");
    let output = run_example(&store, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one summary line: {stderr}");
    for part in [
        ": ok: ",
        "G2 guest through fused-g2-on-g5-io",
        "onto G5 wasi:keyvalue@0.2.0-draft",
        "counters decimal",
        &format!("store {}", store.display()),
    ] {
        assert!(stderr.contains(part), "expected {part:?} in: {stderr}");
    }

    let quiet = run_example(&store, &["--quiet"]);
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "", "--quiet prints nothing on success");
    assert_eq!(std::fs::read(store.join("visits/visits")).unwrap(), b"2", "the quiet run still ran");
}

/// The late-2023 example has no stdout, so when it fails only kv-adapt can say why: the
/// adapter keeps the errors it handed the guest, and `run` reads them after the guest returns.
#[test]
fn a_failed_run_shows_the_errors_the_guest_got_and_hints_at_the_counter_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv-data");
    assert!(run_example(&store, &["--quiet"]).status.success(), "first run, decimal counter");
    let output = run_example(&store, &["--host", "draft2", "--counter-encoding", "le64"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].contains(": failed: G2 guest through fused-g2-on-g6-io onto G6"), "{stderr}");
    assert!(lines[0].ends_with("wasi:cli/run returned an error"), "{stderr}");
    assert!(lines[1].starts_with("key-value errors the adapter gave the guest, oldest first (1):"), "{stderr}");
    // The store refused to increment a decimal "1" as le64; the adapter passed that on.
    assert!(lines[2].contains(r#"key "visits" in bucket "visits""#) && lines[2].contains("not a le64 counter"), "{stderr}");
    let hint = lines.last().unwrap();
    assert!(hint.starts_with("hint: ") && hint.contains("decimal counter 1"), "{stderr}");
    assert!(hint.contains("--counter-encoding decimal, not le64"), "{stderr}");
    assert_eq!(std::fs::read(store.join("visits/visits")).unwrap(), b"1", "the failed increment changed nothing");
}

#[test]
fn inspect_offers_the_sideways_adapter_for_todays_guests() {
    for (guest, native, sideways) in [
        (common::G5_CONFORMANCE, "plug --host g5 (draft): nothing to adapt", "plug --host g6 (draft2): adapt G5 -> G6 with adapter-g5-on-g6"),
        (common::G6_CONFORMANCE, "plug --host g6 (draft2): nothing to adapt", "plug --host g5 (draft): adapt G6 -> G5 with adapter-g6-on-g5"),
    ] {
        let output = kv_adapt(&["inspect", guest]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains(native) && stdout.contains(sideways), "{guest}: {stdout}");
    }
}

#[test]
fn inspect_names_every_host_generation_and_the_adapter_for_each() {
    let output = kv_adapt(&["inspect", common::G5_CONFORMANCE]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for expected in [
        "plug --host g2: adapt G5 -> G2 with adapter-g5-on-g2",
        "plug --host g3: adapt G5 -> G3 with adapter-g5-on-g3",
        "plug --host g4: adapt G5 -> G4 with adapter-g5-on-g4",
        "plug --host g5 (draft): nothing to adapt",
        "plug --host g6 (draft2): adapt G5 -> G6 with adapter-g5-on-g6",
    ] {
        assert!(stdout.lines().any(|l| l.starts_with(expected)), "expected a line starting {expected:?} in: {stdout}");
    }
    // A legacy guest has no adapter onto another legacy generation.
    let output = kv_adapt(&["inspect", common::G3_CONFORMANCE]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let g2 = stdout.lines().find(|l| l.starts_with("plug --host g2: ")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(g2.contains("refused") && g2.contains("ships no adapter from G3 onto G2"), "{g2}");
}

/// The late-2023 example runs natively on the strict G2 host: its async bodies are
/// wasmtime-wasi streams, and its counter lands in the same layout the store uses.
#[test]
fn run_serves_a_g2_command_natively_on_the_strict_g2_host() {
    let dir = tempfile::tempdir().unwrap();
    let output = kv_adapt(&["run", common::G2_EXAMPLE, "--store", dir.path().to_str().unwrap(), "--host", "g2"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("G2 guest, native (no adapter) onto G2"), "{stderr}");
    assert_eq!(std::fs::read(dir.path().join("visits").join("visits")).unwrap(), b"1");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("visits").join("streamed")).unwrap(),
        "visit 1, written through a stream\n"
    );
}

/// One store directory, five host generations: the G5 command runs on the strict G2, G3
/// and G4 hosts (through adapter-g5-on-g2 / -g3 / -g4), natively on the G5 store and through
/// adapter-g5-on-g6 on the G6 store, and each run sees what the one before wrote.
#[test]
fn run_shares_one_store_directory_across_host_generations() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    for (run, (host, how)) in [
        ("g2", "G5 guest through adapter-g5-on-g2 onto G2"),
        ("g3", "G5 guest through adapter-g5-on-g3 onto G3"),
        ("g4", "G5 guest through adapter-g5-on-g4 onto G4"),
        ("g5", "G5 guest, native (no adapter) onto G5"),
        ("g6", "G5 guest through adapter-g5-on-g6 onto G6"),
    ]
    .into_iter()
    .enumerate()
    {
        let output = kv_adapt(&["run", common::G5_WASMCLOUD, "--store", store, "--host", host]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{host}: {stderr}");
        assert!(stderr.contains(how), "{host}: {stderr}");
        // Each run adds 42 to `visits`.
        let visits = format!("visits: {}\n", 42 * (run + 1));
        assert!(String::from_utf8_lossy(&output.stdout).contains(&visits), "{host}: {}", String::from_utf8_lossy(&output.stdout));
    }
    assert_eq!(std::fs::read(dir.path().join("%").join("visits")).unwrap(), b"210");
}

/// A G5 command built with wasmCloud's bindings, run by the CLI natively (`--host g5`) and
/// through `adapter-g5-on-g6` (`--host draft2`): the same output, and a summary saying which.
#[test]
fn run_serves_a_g5_command_natively_and_sideways_onto_draft2() {
    let mut outputs = Vec::new();
    for (host, how) in [("g5", "G5 guest, native (no adapter) onto G5"), ("draft2", "G5 guest through adapter-g5-on-g6 onto G6")] {
        let dir = tempfile::tempdir().unwrap();
        let output = kv_adapt(&["run", common::G5_WASMCLOUD, "--store", dir.path().to_str().unwrap(), "--host", host]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{host}: {stderr}");
        assert!(stderr.contains(how), "{host}: {stderr}");
        // The store holds the guest's keys as files, whichever generation wrote them.
        assert_eq!(std::fs::read(dir.path().join("%").join("greeting")).unwrap(), b"hello from wasmcloud-component", "{host}");
        outputs.push(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    assert!(outputs[0].starts_with("greeting: hello from wasmcloud-component\nvisits: 42\n"), "{}", outputs[0]);
    assert_eq!(outputs[0], outputs[1]);
}

// Found by tests/hostile_inputs.rs, kept as regression cases.

#[test]
fn a_nested_module_running_past_the_end_of_the_file_is_refused_not_a_panic() {
    let mut bytes = wat("(component (import \"wasi:keyvalue/readwrite\" (instance)))");
    bytes.extend_from_slice(&[0x01, 0x64]); // a core module section of 100 bytes ...
    bytes.extend_from_slice(b"\0asm\x01\x00\x00\x00"); // ... of which 8 are there
    assert_refused(&bytes, "not a valid component");
}

#[test]
fn a_validation_error_that_wasmparser_spreads_over_lines_is_one_line() {
    let mismatched = wat(r#"(component
        (core module $wants (import "a" "f" (func)))
        (core module $gives (func (export "f") (param i32)))
        (core instance $i (instantiate $gives))
        (core instance (instantiate $wants (with "a" (instance $i)))))"#);
    // The library's own message, not only what the CLI prints.
    let error = kv_adapt::surface("mismatched", &mismatched).expect_err("the component is invalid").to_string();
    assert!(!error.contains('\n') && error.contains("expected: (func); found:"), "{error}");
    assert_refused(&mismatched, "expected: (func); found:");
}

/// `run` caps each linear memory and the live handles of a run (`run::Limits`), so a
/// runaway guest stops with one line naming the flag to raise, not by exhausting the
/// machine. The bundled example needs a little over 1 MiB in one memory and a few handles.
#[test]
fn run_stops_a_guest_past_its_memory_or_handle_limit_with_the_flag_to_raise() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv-data");
    let store = store.to_str().unwrap();
    for (limit, value, says) in [
        ("--max-memory-mib", "1", "the guest wanted more than 1 MiB in one linear memory (raise it with --max-memory-mib)"),
        ("--max-handles", "3", "the guest held more than 3 live handles (raise it with --max-handles)"),
    ] {
        let output = kv_adapt(&["run", common::G2_EXAMPLE, "--store", store, limit, value]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{limit}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{limit}: {stderr}");
    }
    let output = kv_adapt(&["run", common::G2_EXAMPLE, "--store", store, "--max-memory-mib", "4", "--max-handles", "100"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Spin calls no watcher itself; kv-adapt's Spin host calls the G6 `watcher` (the same
/// export name), so a handler written for G6 or bridged onto it is driven there too.
#[test]
fn notify_delivers_a_set_to_a_g2_handler_on_the_spin_host() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv");
    let guest = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-watch.wasm");
    let output = kv_adapt(&["notify", guest, "--store", store.to_str().unwrap(), "--host", "spin", "set", "inbox", "greeting", "hello"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("then called wasi:keyvalue/watcher@0.2.0-draft2#on-set") && first.contains("by watch-g2-on-g6"), "{stderr}");
    let seen = kv_adapt::store::backend::Backend::dir(&store).read("inbox", "seen:greeting").unwrap();
    assert_eq!(seen.as_deref(), Some(&b"hello"[..]));
}

#[test]
fn notify_delivers_a_set_from_a_file_to_a_g2_handler_on_a_g6_host() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv");
    let value = write(dir.path(), "value.bin", &[0, 159, 146, 150, 255]);
    let guest = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-watch.wasm");
    let output = kv_adapt(&[
        "notify",
        guest,
        "--store",
        store.to_str().unwrap(),
        "--host",
        "g6",
        "set",
        "inbox",
        "greeting",
        "--value-file",
        value.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("set \"inbox\"/\"greeting\" (5 bytes) written, then called wasi:keyvalue/watcher@0.2.0-draft2#on-set"), "{stderr}");
    assert!(first.contains("by watch-g2-on-g6"), "{stderr}");
    // The handler's deliberate mistake (consuming a dropped value) is reported, not a trap.
    assert!(stderr.contains("the adapter handed the handler an error: bad-handle: incoming-value"), "{stderr}");
    let seen = kv_adapt::store::backend::Backend::dir(&store).read("inbox", "seen:greeting").unwrap();
    assert_eq!(seen.as_deref(), Some(&[0, 159, 146, 150, 255][..]));
}

#[test]
fn notify_refuses_bad_input_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "notes.txt", b"hello\n");
    let store = dir.path().join("kv");
    let guest = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-conformance.wasm");
    for (args, expected) in [
        (vec!["notify", text.to_str().unwrap(), "--store", store.to_str().unwrap(), "delete", "b", "k"], "not a WebAssembly binary"),
        (vec!["notify", guest, "--store", store.to_str().unwrap(), "delete", "b", "k"], "exports no watch handler"),
    ] {
        let output = kv_adapt(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // A set needs a value: clap says so and exits non-zero.
    let output = kv_adapt(&["notify", guest, "set", "b", "k"]);
    assert_ne!(output.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

/// `run` passes `--env`, `--dir HOST::GUEST` and the arguments after `--` to the guest, in
/// wasmtime's spelling, beside the store.
#[test]
fn run_passes_env_preopens_and_arguments_through_to_the_guest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("note.txt"), "read through a preopen\n").unwrap();
    let store = dir.path().join("kv-data");
    let preopen = format!("{}::/data", data.display());
    let output = kv_adapt(&[
        "run",
        common::G4_PRINTLN,
        "--quiet",
        "--store",
        store.to_str().unwrap(),
        "--env",
        "GREETING_TO=tester",
        "--env",
        "READ_FILE=/data/note.txt",
        "--dir",
        &preopen,
        "--",
        "one",
        "two",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "greeting: hello from 2024\nruns: 1\nargs: one two\ngreeting to: tester\n/data/note.txt: read through a preopen\n"
    );

    // The store's own guest path is not the user's to take, and a bad spelling is one line.
    for (flag, value, says) in [
        ("--dir", format!("{}::/kv-data", data.display()), "where the store is preopened"),
        ("--dir", "::/x".to_string(), "HOST_DIR::GUEST_PATH"),
        ("--env", "=value".to_string(), "NAME=VALUE"),
    ] {
        let output = kv_adapt(&["run", common::G4_PRINTLN, "--store", store.to_str().unwrap(), flag, &value]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.lines().count() == 1 && stderr.contains(says), "{flag} {value}: {stderr}");
    }
}

/// Runs the G6 counter guest on `host` over the store directory `store`, with `extra` flags
/// before the guest's arguments `args`.
fn run_g6_counter(store: &Path, host: &str, extra: &[&str], args: &[&str]) -> Output {
    let mut argv = vec!["run", common::G6_COUNTER, "--store", store.to_str().unwrap(), "--host", host];
    argv.extend_from_slice(extra);
    argv.push("--");
    argv.extend_from_slice(args);
    kv_adapt(&argv)
}

/// A G6 application that counts down (seats, stock, quota) runs on every host whose
/// counters only count up: the adapter decrements by read and write. Below zero cannot be
/// stored there, so it is refused with the reason and nothing is written.
#[test]
fn a_g6_decrement_runs_on_hosts_whose_counters_only_count_up() {
    for host in ["g2", "g3", "g4", "g5"] {
        let dir = tempfile::tempdir().unwrap();
        let output = run_g6_counter(dir.path(), host, &[], &["10", "-3", "-7", "4"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{host}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "10\n7\n0\n4\n", "{host}: {stderr}");
        assert_eq!(std::fs::read(dir.path().join("%").join("seats")).unwrap(), b"4", "{host}");

        let output = run_g6_counter(dir.path(), host, &[], &["-1", "-4"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{host}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "3\n", "{host}: {stderr}");
        assert!(stderr.contains("delta -4 would take key \"seats\" in bucket \"\" from 3 below zero"), "{host}: {stderr}");
        assert_eq!(std::fs::read(dir.path().join("%").join("seats")).unwrap(), b"3", "{host}: the refusal wrote nothing");
    }
}

/// `--strict-atomics` restores the refusals: a negative delta and a `cas` on a host without
/// one are errors naming the flag, and nothing is written; without it the `cas` swaps.
#[test]
fn strict_atomics_refuses_the_emulated_decrement_and_cas() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_g6_counter(dir.path(), "g5", &["--strict-atomics"], &["5", "-2"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "5\n", "{stderr}");
    assert!(stderr.contains("is negative") && stderr.contains("--strict-atomics forbids a decrement"), "{stderr}");
    assert_eq!(std::fs::read(dir.path().join("%").join("seats")).unwrap(), b"5");

    let output = run_g6_counter(dir.path(), "g5", &["--strict-atomics"], &["swap", "k", "v"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("compare-and-swap of key \"k\"") && stderr.contains("--strict-atomics forbids emulating one"), "{stderr}");
    assert!(!dir.path().join("%").join("k").exists());

    let output = run_g6_counter(dir.path(), "g5", &[], &["swap", "k", "v"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "swapped\n");
    assert_eq!(std::fs::read(dir.path().join("%").join("k")).unwrap(), b"v");

    // On a G6 host nothing is emulated, so the flag changes nothing.
    let output = run_g6_counter(dir.path(), "g6", &["--strict-atomics"], &["-7"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "-2\n");
}

/// `inspect` names, per key-value import, what the component takes from it, and the
/// generation line lists only the interfaces imported (this guest has no `batch`).
#[test]
fn inspect_lists_only_the_interfaces_and_functions_imported() {
    let output = kv_adapt(&["inspect", common::G6_COUNTER]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("key-value generations imported: G6 wasi:keyvalue@0.2.0-draft2: store, atomics\n"), "{stdout}");
    assert!(!stdout.lines().filter(|l| !l.starts_with("plug --host")).any(|l| l.contains("batch")), "{stdout}");
    // So its plug onto G5 takes the adapter that imports no `batch` either.
    assert!(stdout.lines().any(|l| l.starts_with("plug --host g5") && l.ends_with("with adapter-g6-on-g5-no-batch")), "{stdout}");
    let uses: Vec<&str> = stdout.lines().filter(|l| l.trim_start().starts_with("uses: ")).collect();
    assert_eq!(uses.len(), 2, "{stdout}");
    assert!(uses[0].contains("open") && uses[0].contains("bucket"), "{stdout}");
    assert!(uses[1].contains("increment") && uses[1].contains("cas.new") && uses[1].contains("swap"), "{stdout}");
}

/// A one-request HTTP/1.1 server on a free loopback port: answers `body` to the first
/// request and hands back the request line. Stops after that one request.
fn serve_once(body: &'static str) -> (u16, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut header = String::new();
        while reader.read_line(&mut header).unwrap() > 2 {
            header.clear();
        }
        let mut stream = stream;
        write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).unwrap();
        request_line.trim_end().to_string()
    });
    (port, server)
}

/// A command importing wasi:http beside key-value (as ComponentizeJS builds do) runs under
/// `kv-adapt run`, natively and adapted: its outgoing request reaches a real server and
/// the body lands in the store.
#[test]
fn run_serves_outgoing_wasi_http_to_a_command() {
    // The guest imports no `batch`, so neither does its plug onto G6.
    for (host, how) in [("g5", "G5 guest, native (no adapter) onto G5"), ("g6", "G5 guest through adapter-g5-on-g6-no-batch onto G6")] {
        let (port, server) = serve_once("hello from the test server");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("http://127.0.0.1:{port}/greeting?lang=en");
        let output = kv_adapt(&["run", common::G5_HTTP_CLIENT, "--store", dir.path().to_str().unwrap(), "--host", host, "--", &url]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{host}: {stderr}");
        assert!(stderr.contains(how), "{host}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "200 26 bytes\n", "{host}");
        assert_eq!(server.join().unwrap(), "GET /greeting?lang=en HTTP/1.1", "{host}");
        assert_eq!(std::fs::read(dir.path().join("%").join("fetched")).unwrap(), b"hello from the test server", "{host}");
    }
}

/// An import no host of kv-adapt serves is refused before the guest starts, in one line
/// naming the interface and what would serve it.
#[test]
fn run_refuses_an_import_it_cannot_serve_in_one_line_naming_it() {
    let component = wat(r#"(component
        (import "wasi:keyvalue/store@0.2.0-draft" (instance))
        (import "wasi:nn/inference@0.2.0-rc-2024-10-28" (instance (export "compute" (func))))
        (core module $m (func (export "run") (result i32) i32.const 0))
        (core instance $i (instantiate $m))
        (func $run (result (result)) (canon lift (core func $i "run")))
        (instance $r (export "run" (func $run)))
        (export "wasi:cli/run@0.2.0" (instance $r)))"#);
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "nn.wasm", &component);
    let store = dir.path().join("kv-data");
    let output = kv_adapt(&["run", input.to_str().unwrap(), "--store", store.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("imports wasi:nn/inference@0.2.0-rc-2024-10-28, which kv-adapt does not serve")
            && stderr.contains("run it on a host that serves wasi:nn"),
        "{stderr}"
    );
}

/// A guest that exits non-zero after a key-value error: `run` still says which errors the
/// adapter gave it, fused (G4, whose adapter lives in the guest's own instance) and composed
/// (G6), though wasmtime lets nothing enter the guest's instance after the exit.
#[test]
fn a_guest_that_exits_non_zero_still_shows_the_key_value_errors_it_got() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv-data");
    std::fs::create_dir_all(store.join("%")).unwrap();
    std::fs::write(store.join("%").join("runs"), b"not a counter").unwrap();
    let output = kv_adapt(&["run", common::G4_PRINTLN, "--store", store.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("G4 guest through fused-g4-on-g5"), "{stderr}");
    assert!(!stderr.contains("cannot enter component instance") && !stderr.contains("diagnostics"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("key-value errors the adapter gave the guest, oldest first (1):")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(lines[at + 1].contains(r#"key "runs" in bucket """#) && lines[at + 1].contains("not a decimal counter"), "{stderr}");

    let output = run_g6_counter(&store, "g5", &[], &["-1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("G6 guest through adapter-g6-on-g5-no-batch onto G5"), "{stderr}");
    assert!(!stderr.contains("cannot enter component instance"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("key-value errors the adapter gave the guest, oldest first (1):")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(lines[at + 1].contains("delta -1 would take key \"seats\" in bucket \"\" from 0 below zero"), "{stderr}");
}

fn index_of(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap()
}

/// `wac compose` of a `.wac` file, with wac's own parser, against the files it names.
fn wac_compose(wac: &Path, deps: &[(&str, &Path)]) -> Vec<u8> {
    let source = std::fs::read_to_string(wac).unwrap();
    let document = wac_parser::Document::parse(&source).unwrap_or_else(|e| panic!("{}: {e}", wac.display()));
    let mut packages = indexmap::IndexMap::new();
    for (name, path) in deps {
        packages.insert(wac_graph::types::BorrowedPackageKey { name, version: None }, std::fs::read(path).unwrap());
    }
    let resolution = document.resolve(packages).unwrap_or_else(|e| panic!("{}: {e}", wac.display()));
    resolution.encode(wac_graph::EncodeOptions::default()).unwrap()
}

/// `adapters --for` writes the one adapter `plug` composes for that guest and host, and a
/// `.wac` file that composes it: plain wac then makes a component that runs on the host.
#[test]
fn adapters_for_a_guest_writes_only_its_parts_and_a_wac_file_that_composes_them() {
    for (host, generation) in [("g5", Generation::G5), ("g6", Generation::G6)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("parts");
        let output = kv_adapt(&["adapters", "--out", out.to_str().unwrap(), "--for", common::G2_EXAMPLE, "--host", host, "--counter-encoding", "le64"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let index = index_of(&out);
        let files: Vec<&str> = index["files"].as_array().unwrap().iter().map(|e| e["file"].as_str().unwrap()).collect();
        // The example uses wasi:io only for its key-value bodies: the -io flavour.
        let adapter = format!("adapter-g2-on-{host}-io-le64.wasm");
        assert_eq!(files, [adapter.as_str(), "plug.wac"], "{index}");
        assert!(index["plan"].as_str().unwrap().starts_with(&format!("adapt G2 -> {}", generation.id())), "{index}");
        let mut written: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        written.sort();
        assert_eq!(written, [adapter.clone(), "index.json".into(), "plug.wac".into()]);
        let command = index["compose"].as_str().unwrap();
        assert!(command.starts_with("wac compose ") && command.contains(&format!("kv-adapt:adapter={}", out.join(&adapter).display())), "{command}");

        let composed = wac_compose(&out.join("plug.wac"), &[("kv-adapt:adapter", &out.join(&adapter)), ("legacy:guest", Path::new(common::G2_EXAMPLE))]);
        let surface = kv_adapt::surface("composed", &composed).unwrap();
        let keyvalue: Vec<&String> = surface.imports.iter().filter(|i| i.starts_with("wasi:keyvalue/")).collect();
        assert!(!keyvalue.is_empty() && keyvalue.iter().all(|i| i.ends_with(&format!("@{}", generation.package().rsplit('@').next().unwrap()))), "{keyvalue:?}");
        // On the host's store, counters in le64: the visit count is 8 bytes little-endian.
        let bundled = kv_adapt::attach_store(&composed, generation, kv_adapt::CounterEncoding::Le64).unwrap();
        let runnable = kv_adapt::rewire_rc_wasi(&bundled).unwrap();
        let store = dir.path().join("kv-data");
        std::fs::create_dir(&store).unwrap();
        assert!(kv_adapt::host::run::run_prepared("composed", &runnable, &store, &[]).unwrap().succeeded);
        assert_eq!(std::fs::read(store.join("visits/visits")).unwrap(), 1u64.to_le_bytes(), "{host}");
    }
}

/// A guest with a watch handler gets the bridge too, and the `.wac` file exports the
/// handler as the host's watcher.
#[test]
fn adapters_for_a_watch_handler_writes_the_bridge_and_exports_the_hosts_watcher() {
    let guest = format!("{}/guest-g2-watch.wasm", kv_adapt_test_programs::dir!());
    let dir = tempfile::tempdir().unwrap();
    let output = kv_adapt(&["adapters", "--out", dir.path().to_str().unwrap(), "--for", &guest, "--host", "g5"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let index = index_of(dir.path());
    let entries = index["files"].as_array().unwrap();
    let of_role = |role: &str| entries.iter().find(|e| e["role"] == role).unwrap_or_else(|| panic!("no {role} in {index}"))["file"].as_str().unwrap().to_string();
    let (adapter, bridge) = (of_role("adapter"), of_role("watch-bridge"));
    assert_eq!(bridge, "watch-g2-on-g5.wasm");
    let composed = wac_compose(
        &dir.path().join("plug.wac"),
        &[("kv-adapt:adapter", &dir.path().join(&adapter)), ("kv-adapt:bridge", &dir.path().join(&bridge)), ("legacy:guest", Path::new(&guest))],
    );
    let surface = kv_adapt::surface("composed", &composed).unwrap();
    assert_eq!(surface.exports, [Generation::G5.watch_export()]);
    assert!(surface.imports.iter().all(|i| !i.starts_with("kv-adapt:") && !i.starts_with("wasi:keyvalue/readwrite")), "{:?}", surface.imports);
}

#[test]
fn adapters_refuses_in_one_line_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let g5 = ["adapters", "--out", out, "--for", common::G5_CONFORMANCE, "--host", "g5"];
    for (args, expected) in [
        (&g5[..], "needs no adapter on that host"),
        (&["adapters", "--out", out, "--host", "g6"][..], "give it with --for GUEST.wasm"),
        (&["adapters", "--out", out, "--for", common::G2_EXAMPLE, "--link", "fused"][..], "kv-adapt plug --link fused"),
    ] {
        let output = kv_adapt(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr.contains(expected) && stderr.trim().lines().count() == 1, "{args:?}: {stderr}");
    }
}
