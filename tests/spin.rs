//! Components built with Spin's own SDK (spin-sdk 5.2.0, `wasm/spin`) on the wasi:keyvalue
//! hosts: Spin's `fermyon:spin/key-value@2.0.0` adapted onto G2-G6 by `adapter-spin2-on-*`.
//!
//! - `guest-spin-kv`: a command calling every function of Spin's interface, one operation
//!   per argument, printing each answer (errors as Spin's variants);
//! - `guest-spin-http`: a `#[http_component]` app keeping its data in the store `default`;
//! - `guest-spin-draft2`: a command calling every function of Spin's own
//!   `wasi:keyvalue@0.2.0-draft2` (its `batch.get-many` is not upstream's) through
//!   spin-sdk's bindings, adapted by `adapter-spin-draft2-on-*`.
//!
//! Each runs through `kv-adapt run`/`serve` on every host kv-adapt has, and, plugged,
//! on a host made of nothing but wasmtime's own wasmtime-wasi, wasmtime-wasi-http and
//! wasmtime-wasi-keyvalue (whose only bucket is `""`, hence `--bucket default=`).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use kv_adapt::store::redis::test_server;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

const SPIN_KV: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin-kv.wasm");
const SPIN_HTTP: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin-http.wasm");
const SPIN_DRAFT2: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin-draft2.wasm");
/// A command of Spin 1.x's unversioned interface (built with wit-bindgen from our WIT of it:
/// no SDK of that era builds a WASI 0.2 component).
const SPIN1: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin1.wasm");

/// Every host `run` has, by its `--host` name.
const HOSTS: [&str; 5] = ["g2", "g3", "g4", "g5", "g6"];

fn kv_adapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(args).output().expect("run kv-adapt")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `kv-adapt run SPIN_KV --store STORE --host HOST [more] -- ops`; its stdout, after
/// asserting it succeeded.
fn run_ops(store: &str, host: &str, more: &[&str], ops: &[&str]) -> String {
    run_guest_ops(SPIN_KV, store, host, more, ops)
}

/// [`run_ops`] for any of the commands.
fn run_guest_ops(guest: &str, store: &str, host: &str, more: &[&str], ops: &[&str]) -> String {
    let mut args = vec!["run", guest, "--store", store, "--host", host, "--quiet"];
    args.extend_from_slice(more);
    args.push("--");
    args.extend_from_slice(ops);
    let output = kv_adapt(&args);
    assert!(output.status.success(), "{host}: {}", text(&output.stderr));
    text(&output.stdout)
}

/// One call of every function of `fermyon:spin/key-value@2.0.0`, each documented outcome
/// once (a missing key's `none` and `false`, an overwrite, a delete of a missing key, the
/// keys in one list, a value of 100,000 bytes), with what spin-sdk hands the app back.
const EVERY_FUNCTION: &[(&str, &str)] = &[
    ("open default", "open default: ok"),
    ("get default greeting", "get greeting: none"),
    ("exists default greeting", "exists greeting: false"),
    ("set default greeting hello", "set greeting: ok"),
    ("get default greeting", "get greeting: hello"),
    ("exists default greeting", "exists greeting: true"),
    ("set default greeting again", "set greeting: ok"),
    ("get default greeting", "get greeting: again"),
    ("set default other x", "set other: ok"),
    ("keys default", "keys: greeting,other"),
    ("delete default other", "delete other: ok"),
    ("delete default other", "delete other: ok"),
    ("get default other", "get other: none"),
    ("keys default", "keys: greeting"),
    ("count default visits", "count visits: 1"),
    ("count default visits", "count visits: 2"),
    ("set-bytes default big 100000", "set-bytes big: 100000 ok"),
    ("open orders", "open orders: ok"),
    ("keys orders", "keys: "),
];

/// The operations of a table of (operation, answer) pairs, to pass to a command.
fn ops_of(table: &[(&'static str, &str)]) -> Vec<&'static str> {
    table.iter().map(|(op, _)| *op).collect()
}

/// What the command prints for a table: each answer on its own line.
fn answers_of(table: &[(&str, &str)]) -> String {
    table.iter().map(|(_, answer)| format!("{answer}\n")).collect()
}

#[test]
fn inspect_sees_spins_interface_and_names_an_adapter_onto_every_host() {
    for guest in [SPIN_KV, SPIN_HTTP] {
        let output = kv_adapt(&["inspect", guest]);
        let stdout = text(&output.stdout);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(stdout.contains("fermyon:spin/key-value@2.0.0  [spin2]"), "{stdout}");
        assert!(stdout.contains("key-value generations imported: spin2 fermyon:spin@2.0.0: key-value"), "{stdout}");
        for host in HOSTS {
            let generation = host.to_uppercase();
            let line = format!(": adapt spin2 -> {generation} with adapter-spin2-on-{host}");
            assert!(stdout.lines().any(|l| l.starts_with(&format!("plug --host {host}")) && l.ends_with(&line)), "{line} in {stdout}");
        }
    }
}

/// Spin's interface has no counters and no batches, so a plugged Spin app imports the host's
/// `store` interface alone: a host that serves no `atomics` or `batch` (or, like Spin, its
/// own `batch`) still runs it. On G2 the keys are listed by `batch.get-keys`, so that is
/// the one batch function it imports there.
#[test]
fn a_plugged_spin_app_imports_only_the_hosts_store_interface() {
    for (host, store) in [
        ("g2", vec!["wasi:keyvalue/batch", "wasi:keyvalue/readwrite", "wasi:keyvalue/types", "wasi:keyvalue/wasi-cloud-error"]),
        ("g5", vec!["wasi:keyvalue/store@0.2.0-draft"]),
        ("g6", vec!["wasi:keyvalue/store@0.2.0-draft2"]),
    ] {
        for guest in [SPIN_KV, SPIN_HTTP] {
            let bytes = plugged(guest, &["--host", host]);
            let surface = kv_adapt::surface("plugged", &bytes).unwrap();
            let mut keyvalue: Vec<&str> = surface.imports.iter().filter(|i| i.starts_with("wasi:keyvalue/")).map(|i| i.as_str()).collect();
            keyvalue.sort();
            assert_eq!(keyvalue, store, "{guest} on {host}");
        }
    }
}

/// The spin-sdk command gets the same answer to every call on all five hosts, and its data
/// is where a wasi:keyvalue guest of that host would find it: the label is the bucket.
#[test]
fn a_spin_sdk_command_gets_every_documented_answer_on_every_host() {
    let dir = tempfile::tempdir().unwrap();
    for host in HOSTS {
        let store = dir.path().join(host);
        let stdout = run_ops(store.to_str().unwrap(), host, &[], &ops_of(EVERY_FUNCTION));
        assert_eq!(stdout, answers_of(EVERY_FUNCTION), "{host}");
        assert_eq!(std::fs::read(store.join("default/greeting")).unwrap(), b"again", "{host}");
        assert_eq!(std::fs::read(store.join("default/visits")).unwrap(), b"2", "{host}");
        assert!(!store.join("default/other").exists(), "{host}");
        // A second run finds what the first wrote.
        let again = run_ops(store.to_str().unwrap(), host, &[], &["count default visits", "get default greeting"]);
        assert_eq!(again, "count visits: 3\nget greeting: again\n", "{host}");
    }
}

#[test]
fn a_spin_sdk_command_gets_every_documented_answer_on_redis() {
    for (db, host) in [(6, "g5"), (7, "g6"), (8, "g2")] {
        let url = format!("{}/{db}", test_server::shared().url());
        let stdout = run_ops(&url, host, &[], &ops_of(EVERY_FUNCTION));
        assert_eq!(stdout, answers_of(EVERY_FUNCTION), "{host} on redis");
    }
}

/// A host failure reaches the app as Spin's `other` with the host's text, on each back (the
/// directory stores refuse a key too long to be a file name, saying how long and the limit),
/// and the write is not made.
#[test]
fn a_host_failure_is_spins_other_error_with_the_hosts_words() {
    let dir = tempfile::tempdir().unwrap();
    let long_key = "k".repeat(300);
    let set = format!("set default {long_key} v");
    let get = format!("get default {long_key}");
    for host in HOSTS {
        let store = dir.path().join(host);
        let stdout = run_ops(store.to_str().unwrap(), host, &[], &[&set, &get, "keys default"]);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{host}: {stdout}");
        assert!(lines[0].starts_with(&format!("{set}: error other(")) && lines[0].contains("too long to be a file name: encoded it takes 300 bytes, the limit is 255"), "{host}: {}", lines[0]);
        assert!(lines[1].starts_with(&format!("{get}: ")), "{host}: {}", lines[1]);
        assert_eq!(lines[2], "keys: ", "{host}: nothing was written");
    }
}

/// `--bucket LABEL=BUCKET` opens the host's bucket BUCKET for the label, on every host;
/// labels not listed keep their names.
#[test]
fn bucket_renames_a_spin_label_on_every_host() {
    let dir = tempfile::tempdir().unwrap();
    for host in HOSTS {
        let store = dir.path().join(host);
        let stdout = run_ops(
            store.to_str().unwrap(),
            host,
            &["--bucket", "default=shared", "--bucket", "unused=elsewhere"],
            &["set default greeting hello", "set orders one 1"],
        );
        assert_eq!(stdout, "set greeting: ok\nset one: ok\n", "{host}");
        assert_eq!(std::fs::read(store.join("shared/greeting")).unwrap(), b"hello", "{host}");
        assert_eq!(std::fs::read(store.join("orders/one")).unwrap(), b"1", "{host}");
        assert!(!store.join("default").exists() && !store.join("elsewhere").exists(), "{host}");
    }
}

#[test]
fn bucket_is_refused_in_one_line_where_no_adapter_renames() {
    let dir = tempfile::tempdir().unwrap();
    let output = kv_adapt(&["run", common::G5_CONFORMANCE, "--store", dir.path().to_str().unwrap(), "--bucket", "default="]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--bucket default= renames buckets in the adapter") && stderr.contains("already imports G5"), "{stderr}");
    let output = kv_adapt(&["plug", SPIN_KV, "-o", dir.path().join("x.wasm").to_str().unwrap(), "--bucket", "default"]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success() && stderr.contains("NAME=BUCKET"), "{stderr}");
}

/// Spin 1.x's unversioned `fermyon:spin/key-value` (u32 handles) is not adapted yet: refused
/// A Spin key-value interface of a version no Spin serves (here a made-up 9.0.0) is refused
/// in one line that says which Spin interfaces kv-adapt does adapt.
#[test]
fn a_spin_key_value_of_an_unknown_version_is_refused_in_one_line_naming_those_adapted() {
    let wit = r#"
        package fermyon:spin@9.0.0;
        interface key-value {
            type store = u32;
            variant error { store-table-full, no-such-store, access-denied, invalid-store, no-such-key, io(string) }
            open: func(name: string) -> result<store, error>;
            close: func(store: store);
        }
        world w { import key-value; }
    "#;
    let dir = tempfile::tempdir().unwrap();
    let guest = dir.path().join("spin9.wasm");
    std::fs::write(&guest, common::fixture::component_importing_with(&[], wit)).unwrap();
    let output = kv_adapt(&["plug", guest.to_str().unwrap(), "-o", dir.path().join("out.wasm").to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("imports `fermyon:spin/key-value@9.0.0`") && stderr.contains("kv-adapt adapts fermyon:spin/key-value@2.0.0"), "{stderr}");
}

// --- On a host of nothing but wasmtime's own crates ---------------------------------

/// Runs `component` as `wasmtime run -S keyvalue` would, with `data` in wasmtime's bucket
/// `""`; its stdout.
fn stock_run(component: &[u8], data: &[(&str, &str)], ops: &[&str]) -> String {
    let (ran, stdout) = common::run_on_stock_wasmtime_with(component, data, |wasi| {
        wasi.inherit_stderr().arg("guest-spin-kv").args(ops);
    });
    assert_eq!(ran, Ok(()), "{stdout}");
    stdout
}

fn plugged(guest: &str, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plugged.wasm");
    let mut args = vec!["plug", guest, "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = kv_adapt(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let surface = kv_adapt::surface("plugged", &bytes).unwrap();
    // Only kv-adapt's Spin host serves Spin's own interface.
    let spin = extra.windows(2).any(|w| w == ["--host", "spin"]);
    for import in &surface.imports {
        assert!((spin || !import.starts_with("fermyon:")) && !import.starts_with("kv-adapt:"), "{import}");
    }
    bytes
}

/// wasmtime-wasi-keyvalue knows only the bucket `""`: Spin's `default` is its
/// `no-such-store` until `--bucket default=` maps it, after which the app reads what the
/// host holds and its own writes (within one instance: wasmtime copies the data per open).
#[test]
fn after_plug_stock_wasmtime_keyvalue_serves_a_spin_sdk_command_with_bucket_default() {
    let data = [("greeting", "from wasmtime")];
    let unmapped = plugged(SPIN_KV, &[]);
    assert_eq!(stock_run(&unmapped, &data, &["open default", "get default greeting"]), "open default: error no-such-store\nget default greeting: error no-such-store\n");

    let mapped = plugged(SPIN_KV, &["--bucket", "default="]);
    let stdout = stock_run(&mapped, &data, &["get default greeting", "exists default nothing", "set default mine 1", "keys default", "delete default greeting", "keys default"]);
    assert_eq!(stdout, "get greeting: from wasmtime\nexists nothing: false\nset mine: ok\nkeys: greeting,mine\ndelete greeting: ok\nkeys: mine\n");
    // Every label the app opens is a bucket name to wasmtime: `orders` is not one.
    assert_eq!(stock_run(&mapped, &data, &["open orders"]), "open orders: error no-such-store\n");
}

// --- A Spin HTTP app ------------------------------------------------------------------

/// The app's routes, each with the answer it must give, in order.
const HTTP_SESSION: &[(&str, &str, &str, u16, &str)] = &[
    ("GET", "/kv/greeting", "", 404, "no greeting"),
    ("PUT", "/kv/greeting", "hello from spin", 200, "stored"),
    ("GET", "/kv/greeting", "", 200, "hello from spin"),
    ("POST", "/count/visits", "", 200, "1"),
    ("POST", "/count/visits", "", 200, "2"),
    ("PUT", "/kv/other", "x", 200, "stored"),
    ("GET", "/keys", "", 200, "greeting\nother\nvisits"),
    ("DELETE", "/kv/other", "", 200, "deleted"),
    ("GET", "/kv/other", "", 404, "no other"),
];

/// `kv-adapt serve --host HOST` answers the spin-sdk app's requests, one instance each,
/// with its data in the directory store under the label's name.
#[test]
fn kv_adapt_serve_answers_a_spin_http_app_on_g5_g6_and_natively_on_the_spin_host() {
    for host in ["g5", "g6", "spin"] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("kv-data");
        let requests = HTTP_SESSION.len().to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
            .args(["serve", SPIN_HTTP, "--addr", "127.0.0.1:0", "--requests", &requests, "--host", host, "--store"])
            .arg(&store)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        match host {
            "spin" => assert!(line.contains("spin2 guest, native (no adapter)"), "{line}"),
            _ => assert!(line.contains("adapter-spin2-on-"), "{line}"),
        }
        let addr = line.split("serving http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| panic!("{line}")).to_string();
        for (method, path, body, status, answer) in HTTP_SESSION {
            assert_eq!(common::http::request(&addr, method, path, body), (*status, answer.to_string()), "{host}: {method} {path}");
        }
        let exit = child.wait().unwrap();
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        assert!(exit.success(), "{host}: {rest}");
        assert_eq!(std::fs::read(store.join("default/greeting")).unwrap(), b"hello from spin", "{host}");
        assert_eq!(std::fs::read(store.join("default/visits")).unwrap(), b"2", "{host}");
        assert!(!Path::new(&store.join("default/other")).exists(), "{host}");
    }
}

struct StockHttpHost {
    wasi: WasiCtx,
    http: wasmtime_wasi_http::WasiHttpCtx,
    keyvalue: WasiKeyValueCtx,
    table: ResourceTable,
}

impl WasiView for StockHttpHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl wasmtime_wasi_http::WasiHttpView for StockHttpHost {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: wasmtime_wasi_http::default_hooks() }
    }
}

/// One request to a fresh instance, as `wasmtime serve -S keyvalue` serves one.
async fn stock_request(
    pre: &wasmtime_wasi_http::p2::bindings::ProxyPre<StockHttpHost>,
    data: &[(&str, &str)],
    method: hyper::Method,
    path: &str,
    body: &'static str,
) -> (u16, String) {
    use http_body_util::BodyExt;
    use wasmtime_wasi_http::WasiHttpView;
    let keyvalue = WasiKeyValueCtxBuilder::new().in_memory_data(data.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))).build();
    let state = StockHttpHost {
        wasi: WasiCtx::builder().inherit_stderr().build(),
        http: wasmtime_wasi_http::WasiHttpCtx::new(),
        keyvalue,
        table: ResourceTable::new(),
    };
    let mut store = Store::new(pre.engine(), state);
    let request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://localhost{path}"))
        .body(http_body_util::Full::new(bytes::Bytes::from_static(body.as_bytes())))
        .unwrap();
    let request = store.data_mut().http().new_incoming_request(wasmtime_wasi_http::p2::bindings::http::types::Scheme::Http, request).unwrap();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let out = store.data_mut().http().new_response_outparam(sender).unwrap();
    let pre = pre.clone();
    let task = tokio::task::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy.wasi_http_incoming_handler().call_handle(&mut store, request, out).await
    });
    let response = receiver.await.expect("the app set a response").expect("a response, not an error code");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.expect("the whole body").to_bytes();
    task.await.unwrap().expect("the handler returned");
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// After `plug --bucket default=`, the Spin app answers on a host of wasmtime's own crates
/// alone, reading the data wasmtime holds; without the mapping its store does not open.
#[tokio::test(flavor = "multi_thread")]
async fn after_plug_stock_wasmtime_wasi_http_and_keyvalue_serve_a_spin_http_app() {
    let engine = Engine::default();
    let linker = {
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).unwrap();
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).unwrap();
        wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |h: &mut StockHttpHost| WasiKeyValue::new(&h.keyvalue, &mut h.table)).unwrap();
        linker
    };
    let data = [("greeting", "from wasmtime")];
    let pre_of = |bytes: Vec<u8>| {
        let component = Component::new(&engine, bytes).unwrap();
        wasmtime_wasi_http::p2::bindings::ProxyPre::new(linker.instantiate_pre(&component).unwrap()).unwrap()
    };
    let mapped = pre_of(plugged(SPIN_HTTP, &["--bucket", "default="]));
    assert_eq!(stock_request(&mapped, &data, hyper::Method::GET, "/kv/greeting", "").await, (200, "from wasmtime".to_string()));
    assert_eq!(stock_request(&mapped, &data, hyper::Method::GET, "/keys", "").await, (200, "greeting".to_string()));
    assert_eq!(stock_request(&mapped, &data, hyper::Method::PUT, "/kv/new", "value").await, (200, "stored".to_string()));
    // Each instance opens a fresh copy of wasmtime's data, so a counter starts over.
    for _ in 0..2 {
        assert_eq!(stock_request(&mapped, &data, hyper::Method::POST, "/count/visits", "").await, (200, "1".to_string()));
    }
    let unmapped = pre_of(plugged(SPIN_HTTP, &[]));
    assert_eq!(stock_request(&unmapped, &data, hyper::Method::GET, "/kv/greeting", "").await, (500, "open default: Error::NoSuchStore".to_string()));
}

// --- Spin's own wasi:keyvalue draft2 ------------------------------------------------

/// One call of every function of Spin's draft2, each documented outcome once, with the
/// answers spin-sdk's bindings hand the app. `get-many` pairs a missing key with `none` in
/// its place (Spin's shape); a cursor the host never gave is an `other` error.
const DRAFT2_EVERY_FUNCTION: &[(&str, &str)] = &[
    ("open default", "open default: ok"),
    ("get default greeting", "get greeting: none"),
    ("exists default greeting", "exists greeting: false"),
    ("set default greeting hello", "set greeting: ok"),
    ("get default greeting", "get greeting: hello"),
    ("exists default greeting", "exists greeting: true"),
    ("set-many default a=1,b=2,c=3", "set-many: 3 ok"),
    ("get-many default a,gone,c,greeting", "get-many: a=1,gone=none,c=3,greeting=hello"),
    ("get-many default gone", "get-many: gone=none"),
    ("keys default", "keys: a,b,c,greeting"),
    ("delete-many default a,b,gone", "delete-many: 3 ok"),
    ("get-many default a,b,c", "get-many: a=none,b=none,c=3"),
    ("delete default c", "delete c: ok"),
    ("delete default c", "delete c: ok"),
    ("keys default", "keys: greeting"),
    ("increment default visits 5", "increment visits: 5"),
    ("increment default visits -2", "increment visits: 3"),
    ("cas default token first", "cas token: was none, swapped"),
    ("cas default token second", "cas token: was first, swapped"),
    ("get default token", "get token: second"),
    ("open orders", "open orders: ok"),
    ("keys orders", "keys: "),
];

/// Spin's draft2 has upstream's name and version: `inspect` tells it by the type of the
/// `get-many` the component imports, and an upstream draft2 guest stays G6.
#[test]
fn inspect_tells_spins_draft2_from_upstreams_by_the_type_of_get_many() {
    let output = kv_adapt(&["inspect", SPIN_DRAFT2]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let imported = stdout.lines().find(|l| l.starts_with("key-value generations imported:")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(imported.starts_with("key-value generations imported: spin-draft2 wasi:keyvalue@0.2.0-draft2 (Spin's): "), "{imported}");
    assert!(imported.contains("batch") && !imported.contains("G6"), "{imported}");
    for host in HOSTS {
        let line = format!(": adapt spin-draft2 -> {} with adapter-spin-draft2-on-{host}", host.to_uppercase());
        assert!(stdout.lines().any(|l| l.starts_with(&format!("plug --host {host}")) && l.ends_with(&line)), "{line} in {stdout}");
    }
    let upstream = text(&kv_adapt(&["inspect", common::G6_CONFORMANCE]).stdout);
    assert!(upstream.contains("key-value generations imported: G6 wasi:keyvalue@0.2.0-draft2: "), "{upstream}");
    assert!(upstream.lines().any(|l| l.starts_with("plug --host g6") && l.contains("nothing to adapt")), "{upstream}");
}

/// The spin-sdk draft2 command gets the same answer to every call on all five hosts (on G6
/// through the adapter that only reshapes `get-many`), and its data is in the bucket.
#[test]
fn a_spin_sdk_draft2_command_gets_every_documented_answer_on_every_host() {
    let dir = tempfile::tempdir().unwrap();
    for host in HOSTS {
        let store = dir.path().join(host);
        let stdout = run_guest_ops(SPIN_DRAFT2, store.to_str().unwrap(), host, &[], &ops_of(DRAFT2_EVERY_FUNCTION));
        assert_eq!(stdout, answers_of(DRAFT2_EVERY_FUNCTION), "{host}");
        assert_eq!(std::fs::read(store.join("default/greeting")).unwrap(), b"hello", "{host}");
        assert_eq!(std::fs::read(store.join("default/token")).unwrap(), b"second", "{host}");
        assert!(!store.join("default/a").exists(), "{host}");
        // A cursor no host gave is the generation's own error, never a trap.
        let page = run_guest_ops(SPIN_DRAFT2, store.to_str().unwrap(), host, &[], &["page default made-up", "get default greeting"]);
        let lines: Vec<&str> = page.lines().collect();
        assert!(lines[0].starts_with("page default made-up: error other("), "{host}: {page}");
        assert_eq!(lines[1], "get greeting: hello", "{host}");
    }
}

#[test]
fn a_spin_sdk_draft2_command_gets_every_documented_answer_on_redis() {
    for (db, host) in [(9, "g5"), (10, "g6")] {
        let url = format!("{}/{db}", test_server::shared().url());
        let stdout = run_guest_ops(SPIN_DRAFT2, &url, host, &[], &ops_of(DRAFT2_EVERY_FUNCTION));
        assert_eq!(stdout, answers_of(DRAFT2_EVERY_FUNCTION), "{host} on redis");
    }
}

/// Done when of issue 25: after `plug`, wasmtime's own wasmtime-wasi-keyvalue (G5) serves
/// a spin-sdk component that calls `batch.get-many`, answered in Spin's shape; the plugged
/// component imports upstream G5 alone.
#[test]
fn after_plug_stock_wasmtime_keyvalue_serves_a_spin_sdk_draft2_command_calling_get_many() {
    let bytes = plugged(SPIN_DRAFT2, &["--bucket", "default="]);
    let surface = kv_adapt::surface("plugged", &bytes).unwrap();
    assert!(surface.imports.iter().all(|i| !i.contains("@0.2.0-draft2")), "{:?}", surface.imports);
    let data = [("a", "1"), ("b", "2")];
    let (ran, stdout) = common::run_on_stock_wasmtime_with(&bytes, &data, |wasi| {
        wasi.inherit_stderr().arg("guest-spin-draft2").args(&[
            "get-many default a,gone,b",
            "set-many default c=3,d=4",
            "get-many default d,c,a",
            "delete-many default a,c",
            "keys default",
            "increment default n -1",
        ]);
    });
    assert_eq!(ran, Ok(()), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[..5], ["get-many: a=1,gone=none,b=2", "set-many: 2 ok", "get-many: d=4,c=3,a=1", "delete-many: 2 ok", "keys: b,d"], "{stdout}");
    // wasmtime's counters only count up from zero: a result below zero is refused, in words.
    assert!(lines[5].starts_with("increment default n -1: error other(") && lines[5].contains("below zero"), "{stdout}");
}

/// `kv-adapt run --host spin` serves both of Spin's interfaces to a WASI 0.2 component as
/// Spin does: each spin-sdk command gets every documented answer with no adapter at all,
/// over a directory and over Redis.
#[test]
fn spin_sdk_commands_run_natively_on_kv_adapts_spin_host() {
    let dir = tempfile::tempdir().unwrap();
    for (guest, table) in [(SPIN_KV, EVERY_FUNCTION), (SPIN_DRAFT2, DRAFT2_EVERY_FUNCTION)] {
        let store = dir.path().join(Path::new(guest).file_stem().unwrap());
        let mut args = vec!["run", guest, "--store", store.to_str().unwrap(), "--host", "spin", "--"];
        args.extend(ops_of(table));
        let output = kv_adapt(&args);
        assert!(output.status.success(), "{guest}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout), answers_of(table), "{guest}");
        assert!(text(&output.stderr).contains("guest, native (no adapter) onto spin-draft2"), "{}", text(&output.stderr));
        assert!(std::fs::read(store.join("default/greeting")).is_ok(), "{guest}: the label is the bucket");
    }
    for (db, guest, table) in [(11, SPIN_KV, EVERY_FUNCTION), (12, SPIN_DRAFT2, DRAFT2_EVERY_FUNCTION)] {
        let url = format!("{}/{db}", test_server::shared().url());
        assert_eq!(run_guest_ops(guest, &url, "spin", &[], &ops_of(table)), answers_of(table), "{guest} on redis");
    }
}

/// In Spin both interfaces open the same stores by label: what an app writes through
/// `fermyon:spin/key-value@2.0.0` another reads through Spin's draft2, and the other way.
#[test]
fn a_spin_label_names_the_same_data_in_both_of_spins_interfaces() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    assert_eq!(run_guest_ops(SPIN_KV, store, "spin", &[], &["set default shared from-spin2"]), "set shared: ok\n");
    let read = run_guest_ops(SPIN_DRAFT2, store, "spin", &[], &["get default shared", "get-many default shared,gone", "set default back from-draft2"]);
    assert_eq!(read, "get shared: from-spin2\nget-many: shared=from-spin2,gone=none\nset back: ok\n");
    assert_eq!(run_guest_ops(SPIN_KV, store, "spin", &[], &["get default back"]), "get back: from-draft2\n");
}

/// Spin's list-keys answers every key in one page and takes no cursor: the Spin host does
/// the same, and says so when given one, as Spin's `other` error; the run goes on.
#[test]
fn the_spin_host_lists_every_key_in_one_page_and_refuses_a_cursor_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    let pairs: Vec<String> = (0..1500).map(|i| format!("k{i:04}={i}")).collect();
    let set = format!("set-many default {}", pairs.join(","));
    let stdout = run_guest_ops(SPIN_DRAFT2, store, "spin", &[], &[&set, "keys default", "page default after:k0001", "get default k1499"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "set-many: 1500 ok");
    let keys: Vec<String> = (0..1500).map(|i| format!("k{i:04}")).collect();
    assert_eq!(lines[1], format!("keys: {}", keys.join(",")));
    assert!(lines[2].starts_with("page default after:k0001: error other(") && lines[2].contains("takes no cursor"), "{}", lines[2]);
    assert_eq!(lines[3], "get k1499: 1499");
}

/// Done when of issue 25: every generation's guest runs on kv-adapt's Spin host, and what
/// the plug imports is what Spin serves: Spin's interfaces, and upstream G6's store and
/// atomics (Spin's type for type), never upstream's batch. The conformance suites run
/// every case there (`dir_spin*`, `redis_spin*` in the *_conformance tests); this checks
/// the plan `inspect` shows and the imports of each plug.
#[test]
fn every_generations_guest_plugs_onto_spin_importing_only_what_spin_serves() {
    for (guest, expected) in [
        (common::G1_CONFORMANCE, "adapt G1 -> spin-draft2 with fused-g1-on-g6"),
        (common::G2_CONFORMANCE, "adapt G2 -> spin-draft2 with "),
        (common::G3_CONFORMANCE, "adapt G3 -> spin-draft2 with "),
        (common::G4_CONFORMANCE, "adapt G4 -> spin-draft2 with "),
        (common::G5_CONFORMANCE, "adapt G5 -> spin-draft2 with adapter-g5-on-g6; upstream batch served key by key over the host's store by batch-g6-on-spin-draft2"),
        (common::G6_CONFORMANCE, "adapt G6 -> spin-draft2 with batch-g6-on-spin-draft2"),
        (SPIN_DRAFT2, "nothing to adapt: already imports spin-draft2"),
        (SPIN_KV, "nothing to adapt: already imports spin2"),
    ] {
        let output = kv_adapt(&["inspect", guest]);
        let stdout = text(&output.stdout);
        let line = stdout.lines().find(|l| l.starts_with("plug --host spin: ")).unwrap_or_else(|| panic!("{stdout}"));
        assert!(line["plug --host spin: ".len()..].starts_with(expected), "{guest}: {line}");
        let bytes = plugged(guest, &["--host", "spin"]);
        let surface = kv_adapt::surface("plugged", &bytes).unwrap();
        for import in surface.imports.iter().filter(|i| i.starts_with("wasi:keyvalue/") || i.starts_with("fermyon:")) {
            let served = ["wasi:keyvalue/store@0.2.0-draft2", "wasi:keyvalue/atomics@0.2.0-draft2", "fermyon:spin/key-value@2.0.0"].contains(&import.as_str())
                || (import == "wasi:keyvalue/batch@0.2.0-draft2" && surface.imported_generations() == [kv_adapt::Generation::SpinDraft2]);
            assert!(served, "{guest} plugged onto spin imports {import}");
        }
        assert!(!kv_adapt::plan::imports_batch(&surface, kv_adapt::Generation::G6), "{guest}");
    }
}

/// One call of every function of Spin 1.x's `fermyon:spin/key-value`, each documented
/// outcome once: a missing key's `no-such-key`, a made-up handle's and a closed one's
/// `invalid-store`, `close` of a handle that is not open doing nothing.
const SPIN1_EVERY_FUNCTION: &[(&str, &str)] = &[
    ("open default", "open default: ok"),
    ("get default greeting", "get default greeting: error no-such-key"),
    ("exists default greeting", "exists default greeting: false"),
    ("set default greeting hello", "set default greeting hello: ok"),
    ("get default greeting", "get default greeting: hello"),
    ("exists default greeting", "exists default greeting: true"),
    ("set default other x", "set default other x: ok"),
    ("keys default", "keys default: greeting,other"),
    ("delete default other", "delete default other: ok"),
    ("delete default other", "delete default other: ok"),
    ("keys default", "keys default: greeting"),
    ("raw-get 12345 greeting", "raw-get 12345 greeting: error invalid-store"),
    ("open orders", "open orders: ok"),
    ("set orders one 1", "set orders one 1: ok"),
    ("close orders", "close orders: ok"),
    ("get orders one", "get orders one: error invalid-store"),
    ("keys orders", "keys orders: error invalid-store"),
    ("close orders", "close orders: ok"),
    ("close-raw 777", "close-raw 777: ok"),
    ("get default greeting", "get default greeting: hello"),
    ("open orders", "open orders: ok"),
    ("get orders one", "get orders one: 1"),
];

/// Spin 1.x's interface gets every documented answer through `adapter-spin1-on-*` on all
/// five hosts and natively on kv-adapt's Spin host, with its data where the host keeps it.
#[test]
fn a_spin1_command_gets_every_documented_answer_on_every_host_and_natively_on_spin() {
    let dir = tempfile::tempdir().unwrap();
    for host in HOSTS.iter().copied().chain(["spin"]) {
        let store = dir.path().join(host);
        let stdout = run_guest_ops(SPIN1, store.to_str().unwrap(), host, &[], &ops_of(SPIN1_EVERY_FUNCTION));
        assert_eq!(stdout, answers_of(SPIN1_EVERY_FUNCTION), "{host}");
        assert_eq!(std::fs::read(store.join("default/greeting")).unwrap(), b"hello", "{host}");
        assert_eq!(std::fs::read(store.join("orders/one")).unwrap(), b"1", "{host}");
    }
    for (db, host) in [(13, "g5"), (14, "g6"), (15, "spin")] {
        let url = format!("{}/{db}", test_server::shared().url());
        assert_eq!(run_guest_ops(SPIN1, &url, host, &[], &ops_of(SPIN1_EVERY_FUNCTION)), answers_of(SPIN1_EVERY_FUNCTION), "{host} on redis");
    }
}

/// `inspect` names Spin 1.x's interface and the adapter onto each host; on Spin nothing is
/// adapted; a host failure is Spin 1's `io` with the host's words.
#[test]
fn inspect_names_spin1_and_a_host_failure_is_its_io_error() {
    let output = kv_adapt(&["inspect", SPIN1]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("key-value generations imported: spin1 fermyon:spin (unversioned): key-value"), "{stdout}");
    for host in HOSTS {
        let line = format!(": adapt spin1 -> {} with adapter-spin1-on-{host}", host.to_uppercase());
        assert!(stdout.lines().any(|l| l.starts_with(&format!("plug --host {host}")) && l.ends_with(&line)), "{line} in {stdout}");
    }
    assert!(stdout.lines().any(|l| l.starts_with("plug --host spin: nothing to adapt: already imports spin1")), "{stdout}");
    let dir = tempfile::tempdir().unwrap();
    let set = format!("set default {} v", "k".repeat(300));
    for host in ["g5", "spin"] {
        let store = dir.path().join(host);
        let stdout = run_guest_ops(SPIN1, store.to_str().unwrap(), host, &[], &["open default", &set]);
        let lines: Vec<&str> = stdout.lines().collect();
        assert!(lines[1].starts_with(&format!("{set}: error io(")) && lines[1].contains("too long to be a file name"), "{host}: {stdout}");
    }
}
