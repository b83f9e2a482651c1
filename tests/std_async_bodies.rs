//! Std commands that write and read key-value values through async bodies (wasi:io
//! streams) while std prints, reads the clocks, the environment and preopened files
//! through the same wasi:io:
//! - `wasm/guests/guest-g3-async-bodies`: G3, Rust std for wasm32-wasip2 (wasi 0.2.6);
//! - `wasm/guests/guest-g2-async-bodies`: G2 of late 2023, Rust std for wasm32-wasip1 made a
//!   component with wasmtime 15's preview1 command adapter (wasi rc-2023-11-10).
//!
//! For the G3 guest (one core module, wasi:io 0.2.6) `plug` fuses the forwarding flavour
//! (`fused-g3-on-g5-io-wasi`): the bodies from memory, every other stream handed to the
//! host's wasi:io. Composed (`--link composed`, and by default for the G2 guest, whose
//! preview1 adapter is a second core module), the wrapping flavour serves the bodies and
//! wraps the groups of host WASI the guest imports (`-io-wasi-<groups>`); `--link fused`
//! re-links the G2 guest's preview1 adapter (wasmtime 48's) and fuses the forwarding
//! flavour beside it. The guests then run through
//! `kv-adapt run`, against kv-adapt's strict host of their own generation (no adapter), and,
//! plugged, on a host made of nothing but wasmtime 48's own wasmtime-wasi and
//! wasmtime-wasi-keyvalue.

mod common;

use std::process::{Command, Output};

const GUEST: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g3-async-bodies.wasm");
const G2_GUEST: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-async-bodies.wasm");

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

/// `kv-adapt run GUEST --host HOST --store STORE` with `data` preopened as `/data` and
/// `env` (`NAME=VALUE`) passed through.
fn run_on(guest: &str, host: &str, store: &std::path::Path, data: &std::path::Path, env: &[&str]) -> Output {
    let preopen = format!("{}::/data", data.display());
    let mut args = vec!["run", guest, "--host", host, "--store", store.to_str().unwrap(), "--dir", &preopen];
    for pair in env {
        args.extend(["--env", pair]);
    }
    kv_adapt(&args)
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
    let surface = kv_adapt::surface("guest", &guest()).unwrap();
    assert!(surface.async_bodies, "the guest must call an async body function");
    let io: Vec<&String> = surface.imports.iter().filter(|i| i.starts_with("wasi:io/streams@")).collect();
    assert_eq!(io.len(), 1, "one wasi:io for bodies and std alike: {:?}", surface.imports);
    for needed in ["wasi:keyvalue/types@0.1.0", "wasi:cli/stdout@", "wasi:filesystem/preopens@", "wasi:cli/environment@"] {
        assert!(surface.imports.iter().any(|i| i.starts_with(needed)), "no {needed} in {:?}", surface.imports);
    }
}

#[test]
fn plug_fuses_the_forwarding_flavour_or_composes_the_wrapping_one_and_leaves_only_g5_and_host_wasi_imports() {
    let composed = kv_adapt::PlugOptions { linking: Some(kv_adapt::Linking::Composed), ..Default::default() };
    for (options, adapter) in [
        (kv_adapt::PlugOptions::default(), "fused-g3-on-g5-io-wasi"),
        (composed, "adapter-g3-on-g5-io-wasi-stdio-clock-files"),
    ] {
        let plugged = kv_adapt::plug_named("guest", &guest(), &options).unwrap();
        let said = plugged.plan.to_string();
        assert!(said.contains(adapter) && said.contains("wrapping host WASI"), "{said}");
        let guest_imports = kv_adapt::surface("guest", &guest()).unwrap().imports;
        let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
        for import in &surface.imports {
            // G5 key-value, or WASI the guest imported itself under the very same name.
            let ok = import.starts_with("wasi:keyvalue/") && import.ends_with("@0.2.0-draft") || guest_imports.contains(import);
            assert!(ok && wasi_0_2(import) != import.starts_with("wasi:keyvalue/"), "{adapter}: not the guest's own: {import}");
        }
        // The host's streams are imported once, at the guest's release.
        let streams: Vec<&String> = surface.imports.iter().filter(|i| i.starts_with("wasi:io/streams@")).collect();
        assert_eq!(streams, ["wasi:io/streams@0.2.6"], "{adapter}");
    }
}

fn wasi_0_2(import: &str) -> bool {
    let version = import.rsplit_once('@').map(|(_, v)| v).unwrap_or("");
    import.starts_with("wasi:") && !import.starts_with("wasi:keyvalue/") && version.starts_with("0.2.") && !version.contains('-')
}

#[test]
fn kv_adapt_run_serves_async_bodies_beside_stdout_env_clocks_and_a_preopened_file() {
    let data = data_dir();
    let store = tempfile::tempdir().unwrap();
    let args = |greeting: &str| {
        let env = format!("GREETING={greeting}");
        let out = run_on(GUEST, "g5", store.path(), data.path(), &[&env, "READ_FILE=/data/note.txt"]);
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
    let out = run_on(GUEST, "g5", store.path(), data.path(), &["READ_FILE=/data/absent.txt"]);
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

/// Runs `component` (plugged) as a command on wasmtime-wasi and wasmtime-wasi-keyvalue
/// alone, with `/data` preopened and `READ_FILE` set; what it printed.
fn run_on_stock_wasmtime(plugged: &[u8]) -> String {
    let data = data_dir();
    let (ran, stdout) = common::run_on_stock_wasmtime(plugged, |wasi| {
        wasi.env("READ_FILE", "/data/note.txt").preopened_dir(data.path(), "/data", wasmtime_wasi::FsPerms::ReadOnly).unwrap();
    });
    assert_eq!(ran, Ok(()));
    stdout
}

#[test]
fn after_plug_stock_wasmtime_wasi_and_keyvalue_run_the_guest_fused_and_composed() {
    for linking in [kv_adapt::Linking::Fused, kv_adapt::Linking::Composed] {
        let options = kv_adapt::PlugOptions { linking: Some(linking), ..Default::default() };
        let plugged = kv_adapt::plug(&guest(), &options).unwrap();
        assert_eq!(run_on_stock_wasmtime(&plugged), expected_stdout("hello from a G3 async body", "", 1), "{linking:?}");
    }
}

/// What the G2 guest prints with the note read and `runs` the counter after the run.
fn expected_g2_stdout(greeting: &str, runs: u64) -> String {
    format!(
        "wrote {} bytes through an async body\nread back: {greeting}\nfile /data/note.txt: read through a wrapped preopen\nruns: {runs}\n",
        greeting.len()
    )
}

#[test]
fn a_2023_g2_command_imports_rc_wasi_through_its_preview1_adapter_and_calls_async_bodies() {
    let surface = kv_adapt::surface("g2 guest", &std::fs::read(G2_GUEST).unwrap()).unwrap();
    assert!(surface.async_bodies);
    for needed in ["wasi:io/streams@0.2.0-rc-2023-11-10", "wasi:cli/stdout@0.2.0-rc-2023-11-10", "wasi:filesystem/preopens@0.2.0-rc-2023-11-10"] {
        assert!(surface.imports.iter().any(|i| i == needed), "no {needed} in {:?}", surface.imports);
    }
    assert!(surface.exports.iter().any(|e| e == "wasi:cli/run@0.2.0-rc-2023-11-10"), "{:?}", surface.exports);
    // The preview1 adapter of its time imports the tcp socket type, and no function of it.
    assert!(surface.types_only.iter().any(|i| i == "wasi:sockets/tcp@0.2.0-rc-2023-11-10"), "{:?}", surface.types_only);
}

#[test]
fn a_2023_g2_command_with_async_bodies_runs_adapted_as_on_the_native_g2_host() {
    let run_on = |host: &str| run_reading_the_note(G2_GUEST, host);
    let (native, said) = run_on("g2");
    assert!(said.contains("native (no adapter)"), "{said}");
    assert_eq!(native, expected_g2_stdout("hello from a 2023 async body", 1));
    for host in ["g5", "g6"] {
        let (adapted, said) = run_on(host);
        // It imports no monotonic clock: that group is not wrapped, nor imported.
        assert!(said.contains(&format!("adapter-g2-on-{host}-io-wasi-stdio-files")), "{said}");
        assert_eq!(adapted, native, "{host}");
    }
}

#[test]
fn after_plug_stock_wasmtime_wasi_and_keyvalue_run_the_2023_g2_command() {
    let plugged = kv_adapt::plug_named("g2 guest", &std::fs::read(G2_GUEST).unwrap(), &kv_adapt::PlugOptions::default()).unwrap();
    // Composed, not fused (the fused G2 adapter does not wrap), and saying so.
    let said = plugged.plan.to_string();
    assert!(said.contains("adapter-g2-on-g5-io-wasi-stdio-files") && said.contains("not fused"), "{said}");
    // Every rc name moved to 0.2.0, so a host of today serves it.
    let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
    for name in surface.imports.iter().chain(&surface.exports) {
        assert!(!name.contains("-rc-") && (name.starts_with("wasi:keyvalue/") || wasi_0_2(name)), "{name}");
    }
    assert_eq!(run_on_stock_wasmtime(&plugged.component), expected_g2_stdout("hello from a 2023 async body", 1));
}

/// Asked to fuse (`--link fused`), the 2023 G2 command's own preview1 command adapter is
/// replaced by wasmtime 48's, moved to the guest's WASI release, and the forwarding
/// adapter is fused beside it: the same output as on the native G2 host, through
/// `kv-adapt run` and on stock wasmtime-wasi.
#[test]
fn asked_to_fuse_the_2023_g2_command_gets_its_preview1_adapter_relinked_and_prints_the_same() {
    let (native, _) = run_reading_the_note(G2_GUEST, "g2");
    for host in ["g5", "g6"] {
        let (fused, said) = run_reading_the_note_with(G2_GUEST, host, &["--link", "fused"]);
        assert!(said.contains(&format!("fused-g2-on-{host}-io-wasi")), "{said}");
        assert_eq!(fused, native, "{host}");
    }
    let options = kv_adapt::PlugOptions { linking: Some(kv_adapt::Linking::Fused), ..Default::default() };
    let plugged = kv_adapt::plug_named("g2 guest", &std::fs::read(G2_GUEST).unwrap(), &options).unwrap();
    let kv_adapt::Plan::Adapt { adapter, linking, .. } = &plugged.plan else { panic!("{}", plugged.plan) };
    assert_eq!((adapter.as_str(), *linking), ("fused-g2-on-g5-io-wasi", kv_adapt::Linking::Fused));
    let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
    for name in surface.imports.iter().chain(&surface.exports) {
        assert!(name.starts_with("wasi:keyvalue/") || (wasi_0_2(name) && name.contains("@0.2.0")), "{name}");
    }
    assert_eq!(surface.exports, ["wasi:cli/run@0.2.0"]);
    assert_eq!(run_on_stock_wasmtime(&plugged.component), expected_g2_stdout("hello from a 2023 async body", 1));
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

/// `kv-adapt run GUEST --host HOST` on a fresh store, with the note preopened at `/data`
/// and `READ_FILE` naming it; what it printed on stdout and on stderr.
fn run_reading_the_note(guest: &str, host: &str) -> (String, String) {
    run_reading_the_note_with(guest, host, &[])
}

/// [`run_reading_the_note`] with more arguments for `kv-adapt run`.
fn run_reading_the_note_with(guest: &str, host: &str, more: &[&str]) -> (String, String) {
    let (data, store) = (data_dir(), tempfile::tempdir().unwrap());
    let preopen = format!("{}::/data", data.path().display());
    let mut args = vec!["run", guest, "--host", host, "--store", store.path().to_str().unwrap(), "--dir", &preopen];
    args.extend(["--env", "READ_FILE=/data/note.txt"]);
    args.extend(more);
    let out = kv_adapt(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{host}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The same run on kv-adapt's strict G3 host (no adapter: the host serves the bodies as
/// its own wasi:io streams), through the fused forwarding adapters and through the composed
/// wrapping adapters onto G5 and G6: one output.
#[test]
fn the_native_g3_host_and_the_fused_and_composed_wrapping_adapters_onto_g5_and_g6_print_the_same() {
    let (native, said) = run_reading_the_note(GUEST, "g3");
    assert!(said.contains("native (no adapter)"), "{said}");
    assert_eq!(native, expected_stdout("hello from a G3 async body", "", 1));
    for host in ["g5", "g6"] {
        let (fused, said) = run_reading_the_note(GUEST, host);
        assert!(said.contains(&format!("fused-g3-on-{host}-io-wasi")), "{said}");
        assert_eq!(fused, native, "{host}, fused");
        let (composed, said) = run_reading_the_note_with(GUEST, host, &["--link", "composed"]);
        assert!(said.contains(&format!("adapter-g3-on-{host}-io-wasi-stdio-clock-files")), "{said}");
        assert_eq!(composed, native, "{host}, composed");
    }
}

/// A guest's mistakes with stream handles, through the fused forwarding adapter, where no
/// canonical ABI checks a handle between the guest and the adapter (one core call). A WAT
/// guest, since generated bindings never pass such handles:
/// - a value body's output stream used after its drop gets `last-operation-failed`, whose
///   error says what was wrong (the adapter's own handle, by its kind bits);
/// - a handle that is neither the adapter's nor the host's goes to the host's wasi:io as it
///   is, and the host traps, as it would on a direct call without kv-adapt.
#[test]
fn the_forwarding_adapter_reports_a_dead_body_stream_and_leaves_unknown_handles_to_the_host() {
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_path(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/kv-adapt")).unwrap();
    let pkg = resolve
        .push_str(
            "fixture.wit",
            "package test:forwarding;
             world probe {
                 import wasi:keyvalue/types@0.1.0;
                 import wasi:io/error@0.2.0;
                 import wasi:io/streams@0.2.0;
                 import wasi:cli/stdout@0.2.0;
                 /// (result discriminant, stream-error discriminant, the error's text)
                 export dead-stream: func() -> tuple<u8, u8, string>;
                 export unknown-handle: func();
             }",
        )
        .unwrap();
    let world = resolve.select_world(&[pkg], Some("probe")).unwrap();
    let mut module = wat::parse_str(
        r#"(module
            (import "wasi:keyvalue/types@0.1.0" "[static]outgoing-value.new-outgoing-value" (func $new (result i32)))
            (import "wasi:keyvalue/types@0.1.0" "[method]outgoing-value.outgoing-value-write-body-async" (func $body (param i32 i32)))
            (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop (param i32)))
            (import "wasi:io/streams@0.2.0" "[method]output-stream.check-write" (func $check (param i32 i32)))
            (import "wasi:io/error@0.2.0" "[method]error.to-debug-string" (func $debug (param i32 i32)))
            (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $stdout (result i32)))
            (memory (export "memory") 1)
            (global $bump (mut i32) (i32.const 4096))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                (local $p i32)
                (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                                       (i32.sub (i32.const 0) (local.get 2))))
                (global.set $bump (i32.add (local.get $p) (local.get 3)))
                (local.get $p))
            (func (export "dead-stream") (result i32)
                (local $stream i32)
                ;; result<own<output-stream>, own<error>> at 16: the stream at 20.
                (call $body (call $new) (i32.const 16))
                (local.set $stream (i32.load (i32.const 20)))
                (call $drop (local.get $stream))
                ;; result<u64, stream-error> at 32: stream-error's case at 40, its error at 44.
                (call $check (local.get $stream) (i32.const 32))
                (i32.store8 (i32.const 128) (i32.load8_u (i32.const 32)))
                (i32.store8 (i32.const 129) (i32.load8_u (i32.const 40)))
                ;; The error's text, (pointer, length) at 132.
                (call $debug (i32.load (i32.const 44)) (i32.const 132))
                (i32.const 128))
            (func (export "unknown-handle")
                ;; Not a handle anyone issued: no kind bits, and far past the host's table.
                (call $check (i32.const 0x00abcdef) (i32.const 32))))"#,
    )
    .unwrap();
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8).unwrap();
    let guest = wit_component::ComponentEncoder::default().module(&module).unwrap().validate(true).encode().unwrap();

    let plugged = kv_adapt::plug_named("probe", &guest, &kv_adapt::PlugOptions::default()).unwrap();
    let kv_adapt::Plan::Adapt { adapter, .. } = &plugged.plan else { panic!("{}", plugged.plan) };
    assert_eq!(adapter, "fused-g3-on-g5-io-wasi", "{}", plugged.plan);

    let (mut store, instance) = common::stock_instance(&plugged.component);
    let dead = instance.get_typed_func::<(), ((u8, u8, String),)>(&mut store, "dead-stream").unwrap();
    let ((result, case, text),) = dead.call(&mut store, ()).expect("a dead handle is reported, not trapped on");
    // `err`, `last-operation-failed`.
    assert_eq!((result, case), (1, 0), "{text}");
    assert!(text.starts_with("bad-handle: output-stream ") && text.contains("is not live"), "{text}");

    let (mut store, instance) = common::stock_instance(&plugged.component);
    let unknown = instance.get_typed_func::<(), ()>(&mut store, "unknown-handle").unwrap();
    let trap = unknown.call(&mut store, ()).expect_err("the host traps on a handle it never issued");
    assert!(format!("{trap:?}").contains("unknown handle index"), "{trap:?}");
}
