//! A std G3 command (`wasm/guests/guest-g3-async-bodies`, Rust std for wasm32-wasip2) that
//! writes and reads key-value values through async bodies (wasi:io streams) while std
//! prints, reads the clocks, the environment and a preopened file through the same wasi:io.
//! `plug` picks the adapter flavour that serves the bodies from memory and wraps the
//! host's stdio, monotonic clock and files (`-io-wasi`); the guest then runs through
//! `kv-adapt run` and, plugged, on a host made of nothing but wasmtime 48's own
//! wasmtime-wasi and wasmtime-wasi-keyvalue.

mod common;

use std::process::{Command, Output};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::Store;
use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

const GUEST: &str = concat!(env!("KV_ADAPT_TEST_COMPONENTS"), "/guest-g3-async-bodies.wasm");

fn kv_adapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(args).output().expect("run kv-adapt")
}

fn guest() -> Vec<u8> {
    std::fs::read(GUEST).unwrap_or_else(|e| panic!("{GUEST}: {e}"))
}

/// A directory holding `note.txt`, to preopen as `/data`.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("note.txt"), "read through a wrapped preopen\n").unwrap();
    dir
}

/// What the guest prints when the greeting is `greeting` and the note was read, up to the
/// file line; `extra` are the lines of the optional steps; `runs` is the counter after
/// this run.
fn expected_stdout(greeting: &str, extra: &str, runs: u64) -> String {
    let n = greeting.len();
    format!(
        "wrote {n} bytes through an async body\npoll: ready [0]\nread back: {greeting}\nspliced: {greeting} ({n} bytes)\n\
         poll: host clock alone ready [0]\nclock: wall clock after 2020: true\nclock: monotonic time advances: true\n\
         file /data/note.txt: read through a wrapped preopen\n{extra}runs: {runs}\n"
    )
}

#[test]
fn the_guest_calls_async_bodies_and_std_wasi_through_one_wasi_io() {
    let surface = kv_adapt::compose::surface("guest", &guest()).unwrap();
    assert!(surface.async_bodies, "the guest must call an async body function");
    let io: Vec<&String> = surface.imports.iter().filter(|i| i.starts_with("wasi:io/streams@")).collect();
    assert_eq!(io.len(), 1, "one wasi:io for bodies and std alike: {:?}", surface.imports);
    for needed in ["wasi:keyvalue/types@0.1.0", "wasi:cli/stdout@", "wasi:filesystem/preopens@", "wasi:cli/environment@"] {
        assert!(surface.imports.iter().any(|i| i.starts_with(needed)), "no {needed} in {:?}", surface.imports);
    }
}

#[test]
fn plug_picks_the_wrapping_flavour_and_leaves_only_g5_and_host_wasi_imports() {
    let plugged = kv_adapt::plug_named("guest", &guest(), &kv_adapt::PlugOptions::default()).unwrap();
    let said = plugged.plan.to_string();
    assert!(said.contains("adapter-g3-on-g5-io-wasi-stdio-clock-files") && said.contains("wrapping host WASI"), "{said}");
    let guest_imports = kv_adapt::compose::surface("guest", &guest()).unwrap().imports;
    let surface = kv_adapt::compose::surface("plugged", &plugged.component).unwrap();
    for import in &surface.imports {
        // G5 key-value, or WASI the guest imported itself under the very same name.
        let ok = import.starts_with("wasi:keyvalue/") && import.ends_with("@0.2.0-draft") || guest_imports.contains(import);
        assert!(ok && wasi_0_2(import) != import.starts_with("wasi:keyvalue/"), "not the guest's own: {import}");
    }
    // The streams the guest sees are the adapter's; the host's are imported once, by it.
    assert_eq!(surface.imports.iter().filter(|i| i.starts_with("wasi:io/streams@")).count(), 1);
}

fn wasi_0_2(import: &str) -> bool {
    let version = import.rsplit_once('@').map(|(_, v)| v).unwrap_or("");
    import.starts_with("wasi:") && !import.starts_with("wasi:keyvalue/") && version.starts_with("0.2.") && !version.contains('-')
}

#[test]
fn kv_adapt_run_serves_async_bodies_beside_stdout_env_clocks_and_a_preopened_file() {
    let data = data_dir();
    let store = tempfile::tempdir().unwrap();
    let preopen = format!("{}::/data", data.path().display());
    let args = |greeting: &str| {
        let env = format!("GREETING={greeting}");
        let out = kv_adapt(&[
            "run",
            GUEST,
            "--quiet",
            "--store",
            store.path().to_str().unwrap(),
            "--env",
            &env,
            "--env",
            "READ_FILE=/data/note.txt",
            "--dir",
            &preopen,
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    // A greeting longer than the guest's 7-byte reads, so the input stream is read in
    // pieces; the second run counts on from the first, in the same store.
    let greeting = "hello from a G3 async body, written in two halves";
    assert_eq!(args(greeting), expected_stdout(greeting, "", 1));
    assert_eq!(args("again"), expected_stdout("again", "", 2));
    // What the guest wrote through its async bodies is in the store, byte for byte.
    assert_eq!(std::fs::read(store.path().join("%/greeting")).ok(), Some(b"again".to_vec()));
    assert_eq!(std::fs::read(store.path().join("%/file")).ok(), Some(b"read through a wrapped preopen\n".to_vec()));
}

#[test]
fn a_missing_file_reaches_the_guest_as_the_host_filesystem_error() {
    let data = data_dir();
    let store = tempfile::tempdir().unwrap();
    let preopen = format!("{}::/data", data.path().display());
    let out = kv_adapt(&[
        "run",
        GUEST,
        "--quiet",
        "--store",
        store.path().to_str().unwrap(),
        "--env",
        "READ_FILE=/data/absent.txt",
        "--dir",
        &preopen,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    // std maps the host's `no-entry` (carried through the adapter's wrapped descriptor)
    // to ENOENT.
    assert!(stderr.contains("/data/absent.txt") && stderr.contains("No such file or directory"), "{stderr}");
}

#[test]
fn with_host_bodies_forced_the_async_body_is_refused_with_a_reason() {
    let store = tempfile::tempdir().unwrap();
    let out = kv_adapt(&["run", GUEST, "--quiet", "--bodies", "host", "--store", store.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    // The error says why and names both ways out.
    assert!(stderr.contains("unsupported") && stderr.contains("sync") && stderr.contains("--bodies wrapping"), "{stderr}");
}

#[test]
fn a_guest_calling_no_async_body_function_keeps_the_hosts_wasi_io() {
    let plugged = kv_adapt::plug_named("println", &std::fs::read(common::G4_PRINTLN).unwrap(), &kv_adapt::PlugOptions::default()).unwrap();
    let said = plugged.plan.to_string();
    assert!(said.contains("value bodies: host-io") && said.contains("calls no async body function"), "{said}");
}

/// A host with no kv-adapt code in it: wasmtime 48's WASI and its own G5 key-value.
struct StockHost {
    wasi: WasiCtx,
    keyvalue: WasiKeyValueCtx,
    table: ResourceTable,
}

impl WasiView for StockHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

#[test]
fn after_plug_stock_wasmtime_wasi_and_keyvalue_run_the_guest() {
    let plugged = kv_adapt::plug(&guest(), &kv_adapt::PlugOptions::default()).unwrap();
    let engine = common::engine();
    let component = Component::new(engine, &plugged).unwrap();
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |h: &mut StockHost| WasiKeyValue::new(&h.keyvalue, &mut h.table)).unwrap();

    let data = data_dir();
    let stdout = MemoryOutputPipe::new(1 << 16);
    let mut wasi = WasiCtx::builder();
    wasi.stdout(stdout.clone())
        .env("READ_FILE", "/data/note.txt")
        .preopened_dir(data.path(), "/data", wasmtime_wasi::FsPerms::ReadOnly)
        .unwrap();
    let state = StockHost { wasi: wasi.build(), keyvalue: WasiKeyValueCtxBuilder::new().build(), table: ResourceTable::new() };
    let mut store = Store::new(engine, state);
    let command = WasiCommand::instantiate(&mut store, &component, &linker).expect("a wasi:cli/command");
    assert_eq!(command.wasi_cli_run().call_run(&mut store).unwrap(), Ok(()));
    let printed = String::from_utf8(stdout.contents().to_vec()).unwrap();
    assert_eq!(printed, expected_stdout("hello from a G3 async body", "", 1));
}

#[test]
fn files_written_and_listed_and_stdin_read_go_through_the_wrapped_host_streams() {
    let data = data_dir();
    let out_dir = tempfile::tempdir().unwrap();
    std::fs::write(out_dir.path().join("before.txt"), "x").unwrap();
    let store = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["run", GUEST, "--quiet", "--store", store.path().to_str().unwrap()])
        .args(["--env", "READ_FILE=/data/note.txt", "--env", "WRITE_DIR=/out", "--env", "ECHO_STDIN=1"])
        .args(["--env", "GREETING=written through a wrapped descriptor"])
        .arg("--dir")
        .arg(format!("{}::/data", data.path().display()))
        .arg("--dir")
        .arg(format!("{}::/out", out_dir.path().display()))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"typed at the terminal\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let greeting = "written through a wrapped descriptor";
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        expected_stdout(greeting, "dir /out: before.txt, written.txt\nstdin: typed at the terminal\n", 1)
    );
    assert_eq!(std::fs::read_to_string(out_dir.path().join("written.txt")).unwrap(), greeting);
}

/// The same run on kv-adapt's strict G3 host (no adapter: the host serves the bodies as
/// its own wasi:io streams) and through the wrapping adapters onto G5 and G6: one output.
#[test]
fn the_native_g3_host_and_the_wrapping_adapters_onto_g5_and_g6_print_the_same() {
    let data = data_dir();
    let preopen = format!("{}::/data", data.path().display());
    let run_on = |host: &str| {
        let store = tempfile::tempdir().unwrap();
        let out = kv_adapt(&[
            "run",
            GUEST,
            "--host",
            host,
            "--store",
            store.path().to_str().unwrap(),
            "--env",
            "READ_FILE=/data/note.txt",
            "--dir",
            &preopen,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{host}: {stderr}");
        (String::from_utf8(out.stdout).unwrap(), stderr)
    };
    let (native, said) = run_on("g3");
    assert!(said.contains("native (no adapter)"), "{said}");
    assert_eq!(native, expected_stdout("hello from a G3 async body", "", 1));
    for host in ["g5", "g6"] {
        let (adapted, said) = run_on(host);
        assert!(said.contains(&format!("adapter-g3-on-{host}-io-wasi-stdio-clock-files")), "{said}");
        assert_eq!(adapted, native, "{host}");
    }
}
