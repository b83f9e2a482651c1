//! HTTP handlers of late 2023 on today's hosts.
//!
//! - `wasm/guests/guest-g2-http-actor`: std Rust for wasm32-wasip1 componentized with
//!   wasmtime 15's preview1 reactor adapter (WASI rc-2023-11-10), exporting
//!   `wasi:http/incoming-handler@0.2.0-rc-2023-12-05` and counting visits in G2 key-value.
//! - `wasm/guests/guest-g2-http-rc-2023-11-10`: a handler on `wasi:http@0.2.0-rc-2023-11-10`
//!   calling the seven functions 0.2.0 changed, which `plug` serves through shims.
//! - `wasm/guests/guest-http-async-bodies`: a G3 (and G4) handler on wasi:http 0.2.0 that splices
//!   request and response bodies (the host's streams) to and from async value bodies (the
//!   adapter's), which `plug` serves with the fused forwarding flavour.
//!
//! Each answers real HTTP requests over loopback through `kv-adapt serve`, and, once
//! `kv-adapt plug` made it, through a host made of nothing but wasmtime 48's own
//! wasmtime-wasi, wasmtime-wasi-http and wasmtime-wasi-keyvalue.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

const ACTOR: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-http-actor.wasm");
const HANDLER_RC_2023_11_10: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-http-rc-2023-11-10.wasm");
const G3_HTTP_BODIES: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g3-http-async-bodies.wasm");
const G4_HTTP_BODIES: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g4-http-async-bodies.wasm");
const ACTOR_ASYNC_BODIES: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-http-actor-async-bodies.wasm");

#[path = "common/http.rs"]
mod loopback;

#[path = "common/fixture.rs"]
mod fixture;
use fixture::component_importing_with;

#[path = "../wasm/http-wit.rs"]
#[allow(dead_code)]
mod http_wit;

fn actor() -> Vec<u8> {
    std::fs::read(ACTOR).unwrap_or_else(|e| {
        panic!("{ACTOR}: {e}; the build skips this guest when npm cannot fetch the late-2023 preview1 adapter (see the build warning)")
    })
}

/// One HTTP/1.1 GET over loopback; the status and the (de-chunked) body.
fn get(addr: &str, path: &str) -> (u16, String) {
    loopback::request(addr, "GET", path, "")
}

#[test]
fn the_actor_imports_only_names_no_host_of_today_serves() {
    let surface = kv_adapt::surface("actor", &actor()).unwrap();
    for expected in ["wasi:keyvalue/readwrite", "wasi:keyvalue/atomic", "wasi:cli/stdout@0.2.0-rc-2023-11-10"] {
        assert!(surface.imports.iter().any(|i| i == expected), "{expected} not in {:?}", surface.imports);
    }
    assert_eq!(surface.exports, vec!["wasi:http/incoming-handler@0.2.0-rc-2023-12-05".to_string()]);
}

/// `kv-adapt serve GUEST` on a free loopback port for `requests` requests, with a
/// directory store in `store`; the child, its stderr after the first line, that line and
/// the address it serves.
fn serve(guest: &str, store: &std::path::Path, requests: u32) -> (std::process::Child, BufReader<std::process::ChildStderr>, String, String) {
    serve_with(guest, store, requests, &[])
}

/// [`serve`] with more arguments for `kv-adapt serve`.
fn serve_with(guest: &str, store: &std::path::Path, requests: u32, more: &[&str]) -> (std::process::Child, BufReader<std::process::ChildStderr>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["serve", guest, "--addr", "127.0.0.1:0", "--requests", &requests.to_string(), "--store"])
        .arg(store)
        .args(more)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = loopback::served_addr(&line);
    (child, stderr, line, addr)
}

/// Waits for a `serve` child started by [`serve_with`] to stop after its requests, asserts
/// that it succeeded (its stderr otherwise) and gives what the guest wrote on stdout.
fn served_stdout(mut child: std::process::Child, mut stderr: BufReader<std::process::ChildStderr>) -> String {
    let status = child.wait().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "serve failed: {rest}");
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    stdout
}

#[test]
fn kv_adapt_serve_answers_real_requests_with_a_working_counter() {
    let dir = tempfile::tempdir().unwrap();
    let (child, stderr, line, addr) = serve(ACTOR, &dir.path().join("kv-data"), 5);
    assert!(line.contains("G2 guest through adapter-g2-on-g5"), "{line}");

    for visit in 1..=3 {
        assert_eq!(get(&addr, "/"), (200, format!("hello from a 2023 actor: visit {visit}; last path /\n")));
    }
    assert_eq!(get(&addr, "/visits"), (200, "3\n".to_string()));
    assert_eq!(get(&addr, "/nowhere"), (404, "no route for /nowhere\n".to_string()));

    let stdout = served_stdout(child, stderr);
    assert_eq!(stdout, "actor: visit 1 to /\nactor: visit 2 to /\nactor: visit 3 to /\n");
}

#[test]
fn serve_and_run_each_name_the_other_for_the_wrong_kind_of_component() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv-data");
    let run = Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(["run", ACTOR, "--store"]).arg(&store).output().unwrap();
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("is an HTTP handler") && said.contains("kv-adapt serve"), "{said}");

    let example = concat!(kv_adapt_test_programs::dir!(), "/g2-visit-counter.wasm");
    let serve = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["serve", example, "--addr", "127.0.0.1:0", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&serve.stderr);
    assert!(!serve.status.success());
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("is a command") && said.contains("kv-adapt run"), "{said}");
}

/// A host with no kv-adapt code in it: wasmtime 48's WASI, wasi-http and (optionally) its
/// own G5 key-value.
struct StockHost {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: RecordingHooks,
    keyvalue: WasiKeyValueCtx,
    table: ResourceTable,
}

/// wasmtime-wasi-http's hooks but for outgoing requests: each one's request options are
/// recorded as the host received them, and the answer is a canned 200 "canned upstream".
#[derive(Clone, Default)]
struct RecordingHooks(std::sync::Arc<std::sync::Mutex<Vec<Option<wasmtime_wasi_http::RequestOptions>>>>);

type ResponseAndIo = (hyper::Response<wasmtime_wasi_http::WasiBody>, Box<dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>);

impl wasmtime_wasi_http::WasiHttpHooks for RecordingHooks {
    fn send_request(
        &mut self,
        _request: hyper::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<dyn std::future::Future<Output = Result<ResponseAndIo, wasmtime_wasi_http::Error>> + Send> {
        self.0.lock().unwrap().push(options);
        Box::new(async {
            let body = http_body_util::Full::new(Bytes::from_static(b"canned upstream"))
                .map_err(|never: std::convert::Infallible| match never {})
                .boxed_unsync();
            let io: Box<dyn std::future::Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send> = Box::new(async { Ok(()) });
            Ok((hyper::Response::new(body), io))
        })
    }
}

impl WasiView for StockHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for StockHost {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Serves one GET of `path` to a fresh instance, as `wasmtime serve` would; the status,
/// the body and what the instance wrote on stdout.
async fn stock_request(pre: &ProxyPre<StockHost>, store_dir: Option<&std::path::Path>, path: &str) -> (u16, String, String) {
    stock_request_with(pre, store_dir, hyper::Method::GET, path, "", RecordingHooks::default()).await
}

async fn stock_request_with(
    pre: &ProxyPre<StockHost>,
    store_dir: Option<&std::path::Path>,
    method: hyper::Method,
    path: &str,
    body: &'static str,
    hooks: RecordingHooks,
) -> (u16, String, String) {
    let stdout = MemoryOutputPipe::new(1 << 16);
    let mut wasi = WasiCtx::builder();
    wasi.stdout(stdout.clone());
    if let Some(dir) = store_dir {
        wasi.preopened_dir(dir, "/kv-data", wasmtime_wasi::FsPerms::ReadWrite).unwrap();
    }
    let state = StockHost {
        wasi: wasi.build(),
        http: WasiHttpCtx::new(),
        hooks,
        keyvalue: WasiKeyValueCtxBuilder::new().build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(pre.engine(), state);
    let request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://localhost{path}"))
        .body(http_body_util::Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap();
    let request = store.data_mut().http().new_incoming_request(Scheme::Http, request).unwrap();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let out = store.data_mut().http().new_response_outparam(sender).unwrap();
    let pre = pre.clone();
    let task = tokio::task::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy.wasi_http_incoming_handler().call_handle(&mut store, request, out).await
    });
    let response = receiver.await.expect("the actor set a response").expect("a response, not an error code");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.expect("the whole body").to_bytes();
    task.await.unwrap().expect("the handler returned");
    (status, String::from_utf8(body.to_vec()).unwrap(), String::from_utf8(stdout.contents().to_vec()).unwrap())
}

fn stock_linker(engine: &Engine, keyvalue: bool) -> Linker<StockHost> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).unwrap();
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).unwrap();
    if keyvalue {
        wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |h: &mut StockHost| WasiKeyValue::new(&h.keyvalue, &mut h.table)).unwrap();
    }
    linker
}

fn names_of_today(what: &str, component: &[u8]) {
    let surface = kv_adapt::surface(what, component).unwrap();
    for name in surface.imports.iter().chain(&surface.exports) {
        assert!(!name.contains("-rc-") && name.contains('@'), "{what}: {name} is not a name hosts of today serve");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_plug_stock_wasmtime_wasi_http_and_keyvalue_serve_the_actor() {
    let plugged = kv_adapt::plug(&actor(), &kv_adapt::PlugOptions::default()).unwrap();
    names_of_today("plugged actor", &plugged);
    let engine = Engine::default();
    let component = Component::new(&engine, &plugged).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, true).instantiate_pre(&component).unwrap()).unwrap();
    // wasmtime-wasi-keyvalue gives every `open` its own copy of the data it was built with,
    // so each request starts from an empty bucket: the count is 1 every time.
    for _ in 0..2 {
        let (status, body, stdout) = stock_request(&pre, None, "/").await;
        assert_eq!((status, body.as_str()), (200, "hello from a 2023 actor: visit 1; last path /\n"));
        assert_eq!(stdout, "actor: visit 1 to /\n");
    }
    assert_eq!(stock_request(&pre, None, "/nowhere").await.0, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_plug_with_store_stock_wasmtime_wasi_http_keeps_the_count_in_a_directory() {
    let options = kv_adapt::PlugOptions::default();
    let plugged = kv_adapt::plug(&actor(), &options).unwrap();
    let bundled = kv_adapt::host::run::bundle_store(&plugged, &options).unwrap();
    names_of_today("plugged actor with store", &bundled);
    let surface = kv_adapt::surface("bundled", &bundled).unwrap();
    assert!(surface.imports.iter().all(|i| !i.starts_with("wasi:keyvalue/")), "{:?}", surface.imports);
    let engine = Engine::default();
    let component = Component::new(&engine, &bundled).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, false).instantiate_pre(&component).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for visit in 1..=3 {
        let (status, body, stdout) = stock_request(&pre, Some(dir.path()), "/").await;
        assert_eq!((status, body), (200, format!("hello from a 2023 actor: visit {visit}; last path /\n")));
        assert_eq!(stdout, format!("actor: visit {visit} to /\n"));
    }
    assert_eq!(stock_request(&pre, Some(dir.path()), "/visits").await.1, "3\n");
}

/// Our `wasi:http@0.2.0-rc-2023-12-05` WIT, every function of it imported (and the handler
/// exported) by a component, moved to 0.2.0 by `plug`'s renaming, must link against
/// wasmtime-wasi-http's own 0.2 bindings: a type that differed in any function would fail.
#[test]
fn our_http_rc_2023_12_05_wit_is_what_wasmtime_wasi_http_serves_as_0_2() {
    let component = component_importing(
        "package test:every-http;
         world w {
             import wasi:http/types@0.2.0-rc-2023-12-05;
             import wasi:http/outgoing-handler@0.2.0-rc-2023-12-05;
             export wasi:http/incoming-handler@0.2.0-rc-2023-12-05;
         }",
    );
    let (renamed, counts) = kv_adapt::link::wasi_rc::to_0_2_0("every-http", &component).unwrap();
    assert_eq!(counts.exports, 1);
    assert!(counts.imports >= 2, "{counts:?}");
    names_of_today("every-http", &renamed);
    let engine = Engine::default();
    let compiled = Component::new(&engine, &renamed).unwrap();
    let types = compiled.component_type();
    let (_, http_types) = types.imports(&engine).find(|(n, _)| *n == "wasi:http/types@0.2.0").expect("types imported");
    let wasmtime::component::types::ComponentItem::ComponentInstance(instance) = http_types.ty else { panic!("not an instance") };
    let functions = instance.exports(&engine).filter(|(_, i)| matches!(i.ty, wasmtime::component::types::ComponentItem::ComponentFunc(_))).count();
    // 0.2.0's types interface has 44 functions; each one is in the import, so each is checked.
    assert!(functions >= 40, "only {functions} functions imported");
    let pre = stock_linker(&engine, false).instantiate_pre(&compiled).expect("every function links against wasmtime-wasi-http");
    ProxyPre::new(pre).expect("the handler export has wasmtime-wasi-http's type");
}

/// A component whose imports come from `wit` (a package of its own plus ours), every
/// function of world `w` imported, made by wit-component.
fn component_importing(wit: &str) -> Vec<u8> {
    component_importing_with(&[], wit)
}


/// A function 0.2.0 changed with a type rc-2023-11-10 did not give it, or an unversioned
/// draft, cannot be moved to 0.2.0: `plug` refuses in one line naming the interface (and
/// `--keep-wasi-versions` is the way out); the same interface with only unchanged
/// functions is renamed.
#[test]
fn plug_refuses_what_0_2_0_changed_and_renames_the_rest() {
    let sockets = |function: &str| {
        format!(
            "package fixture:sockets@0.2.0-rc-2023-11-10;
             interface tcp {{ resource tcp-socket {{ {function}: func() -> bool; }} }}
             world w {{ import tcp; import wasi:keyvalue/readwrite; }}"
        )
    };
    // The fixture's own package name stands in for wasi:sockets, renamed below in the binary.
    let as_wasi = |bytes: Vec<u8>| {
        kv_adapt::link::compose::rename_imports(&bytes, |n| n.strip_prefix("fixture:").map(|rest| format!("wasi:{rest}"))).unwrap()
    };
    // `ipv6-only` is shimmed (tests/sockets_rc.rs), but only with the type rc-2023-11-10
    // gave it: one returning a plain bool cannot be served, and is refused in one line.
    let refused = kv_adapt::plug(&as_wasi(component_importing(&sockets("ipv6-only"))), &kv_adapt::PlugOptions::default())
        .err()
        .expect("an ipv6-only that is not rc-2023-11-10's is refused")
        .to_string();
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(refused.contains("wasi:sockets/tcp@0.2.0-rc-2023-11-10"), "{refused}");
    assert!(refused.contains("--keep-wasi-versions"), "{refused}");

    let fine = kv_adapt::plug(&as_wasi(component_importing(&sockets("keep-alive-enabled"))), &kv_adapt::PlugOptions::default()).unwrap();
    let surface = kv_adapt::surface("renamed", &fine).unwrap();
    assert!(surface.imports.contains(&"wasi:sockets/tcp@0.2.0".to_string()), "{:?}", surface.imports);

    let kept = kv_adapt::PlugOptions { keep_wasi_versions: true, ..Default::default() };
    let kept = kv_adapt::plug(&as_wasi(component_importing(&sockets("ipv6-only"))), &kept).unwrap();
    let surface = kv_adapt::surface("kept", &kept).unwrap();
    assert!(surface.imports.contains(&"wasi:sockets/tcp@0.2.0-rc-2023-11-10".to_string()), "{:?}", surface.imports);

    // The http rc-2023-11-10 functions 0.2.0 changed are shimmed, but only with the types
    // rc-2023-11-10 gave them: one with another type is refused in one line.
    let http_rc = "package fixture:http@0.2.0-rc-2023-11-10;
        interface types { resource future-trailers { get: func() -> option<u32>; } }
        world w { import types; import wasi:keyvalue/readwrite; }";
    let refused = kv_adapt::plug(&as_wasi(component_importing(http_rc)), &kv_adapt::PlugOptions::default())
        .err()
        .expect("a future-trailers.get that is not rc-2023-11-10's is refused")
        .to_string();
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(refused.contains("wasi:http/types@0.2.0-rc-2023-11-10") && refused.contains("--keep-wasi-versions"), "{refused}");

    // Two versions that would both become 0.2.0 cannot be one import.
    let twice = "package fixture:w;
        package fixture:random@0.2.0-rc-2023-11-10 { interface random { get: func() -> u64; } }
        package fixture:random@0.2.0 { interface random { get: func() -> u64; } }
        world w {
            import fixture:random/random@0.2.0-rc-2023-11-10;
            import fixture:random/random@0.2.0;
            import wasi:keyvalue/readwrite;
        }";
    let refused = kv_adapt::plug(&as_wasi(component_importing(twice)), &kv_adapt::PlugOptions::default())
        .err()
        .expect("two versions becoming one are refused")
        .to_string();
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(refused.contains("`wasi:random/random@0.2.0`") && refused.contains("two versions"), "{refused}");

    let unversioned = "package fixture:http;
        interface types { resource fields { constructor(); } }
        world w { import types; import wasi:keyvalue/readwrite; }";
    let refused = kv_adapt::plug(&as_wasi(component_importing(unversioned)), &kv_adapt::PlugOptions::default())
        .err()
        .expect("an unversioned draft is refused")
        .to_string();
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(refused.contains("`wasi:http/types`") && refused.contains("unversioned"), "{refused}");
}

fn handler_rc_2023_11_10() -> Vec<u8> {
    std::fs::read(HANDLER_RC_2023_11_10).unwrap_or_else(|e| panic!("{HANDLER_RC_2023_11_10}: {e}"))
}

/// What the handler's rc-2023-11-10 `future-trailers.get` answers the second time: 0.2.0
/// hands trailers out once and says so with an outer `err`, which rc-2023-11-10 lacks.
const TAKEN_AGAIN: &str = "ErrorCode::InternalError(Some(\"future-trailers.get: the trailers were already taken by an earlier get (wasi:http 0.2.0 hands them out once)\"))";

#[test]
fn the_november_2023_handler_calls_the_seven_functions_0_2_0_changed() {
    let component = handler_rc_2023_11_10();
    let surface = kv_adapt::surface("handler", &component).unwrap();
    assert_eq!(surface.exports, vec!["wasi:http/incoming-handler@0.2.0-rc-2023-11-10".to_string()]);
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all()).validate_all(&component).unwrap();
    let types = types.as_ref();
    let Some(wasmparser::component_types::ComponentEntityType::Instance(id)) =
        types.component_item_for_import("wasi:http/types@0.2.0-rc-2023-11-10").map(|item| item.ty)
    else {
        panic!("wasi:http/types@0.2.0-rc-2023-11-10 is not imported");
    };
    let functions: Vec<&String> = types[id].exports.keys().collect();
    for changed in [
        "[method]request-options.connect-timeout-ms",
        "[method]request-options.set-connect-timeout-ms",
        "[method]request-options.first-byte-timeout-ms",
        "[method]request-options.set-first-byte-timeout-ms",
        "[method]request-options.between-bytes-timeout-ms",
        "[method]request-options.set-between-bytes-timeout-ms",
        "[method]future-trailers.get",
    ] {
        assert!(functions.iter().any(|f| *f == changed), "{changed} not in {functions:?}");
    }
}

/// A loopback HTTP/1.1 server answering one request with 200 "hello upstream"; its port,
/// and the request head it got.
fn upstream() -> (u16, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let (connection, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(connection);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nhello upstream").unwrap();
        head
    });
    (port, thread)
}

#[test]
fn kv_adapt_serve_shims_what_http_rc_2023_11_10_changed_over_loopback() {
    let (port, upstream) = upstream();
    let dir = tempfile::tempdir().unwrap();
    let (child, stderr, line, addr) = serve(HANDLER_RC_2023_11_10, &dir.path().join("kv-data"), 4);
    assert!(line.contains("G2 guest through fused-g2-on-g5"), "{line}");

    // Timeouts set in milliseconds read back in milliseconds; one too long for 0.2.0's
    // nanoseconds is the setter's error.
    assert_eq!(
        get(&addr, "/options"),
        (200, "request 1: set [Ok(()), Ok(()), Ok(())]; connect 1500ms first-byte 2500ms between-bytes none; u64::MAX ms refused\n".to_string())
    );
    // A real request out, with the options, through wasmtime-wasi-http's own client.
    assert_eq!(get(&addr, &format!("/fetch?port={port}")), (200, "request 2: upstream 200 hello upstream\n".to_string()));
    assert!(upstream.join().unwrap().starts_with("GET /upstream HTTP/1.1\r\n"));
    // The trailers of a request body, then the second `get`.
    assert_eq!(
        loopback::request(&addr, "POST", "/trailers", "hello body"),
        (200, format!("request 3: body 10 bytes; trailers none; again {TAKEN_AGAIN}\n"))
    );
    assert_eq!(get(&addr, "/nowhere"), (404, "request 4: no route for /nowhere\n".to_string()));

    served_stdout(child, stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_plug_stock_wasmtime_wasi_http_gets_the_timeouts_in_nanoseconds() {
    let plugged = kv_adapt::plug(&handler_rc_2023_11_10(), &kv_adapt::PlugOptions::default()).unwrap();
    names_of_today("plugged handler", &plugged);
    let engine = Engine::default();
    let component = Component::new(&engine, &plugged).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, true).instantiate_pre(&component).unwrap()).unwrap();

    let hooks = RecordingHooks::default();
    let (status, body, _) = stock_request_with(&pre, None, hyper::Method::GET, "/fetch?port=9", "", hooks.clone()).await;
    assert_eq!((status, body.as_str()), (200, "request 1: upstream 200 canned upstream\n"));
    let ms = std::time::Duration::from_millis;
    let expected = wasmtime_wasi_http::RequestOptions {
        connect_timeout: Some(ms(1500)),
        first_byte_timeout: Some(ms(2500)),
        between_bytes_timeout: Some(ms(3500)),
    };
    assert_eq!(*hooks.0.lock().unwrap(), vec![Some(expected)]);

    // wasmtime-wasi-keyvalue starts every instance from an empty bucket: each is request 1.
    let (_, body, _) = stock_request(&pre, None, "/options").await;
    assert_eq!(body, "request 1: set [Ok(()), Ok(()), Ok(())]; connect 1500ms first-byte 2500ms between-bytes none; u64::MAX ms refused\n");
    let (_, body, _) = stock_request_with(&pre, None, hyper::Method::POST, "/trailers", "hello body", RecordingHooks::default()).await;
    assert_eq!(body, format!("request 1: body 10 bytes; trailers none; again {TAKEN_AGAIN}\n"));
}

/// `plug` lists the 0.2.0 functions in place of the changed ones, says what it shimmed,
/// and adds nothing but the shims: the same imports as a component that needs no shim.
#[test]
fn plug_says_what_it_shimmed_and_imports_0_2_0_functions_in_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plugged.wasm");
    let plugged = Command::new(env!("CARGO_BIN_EXE_kv-adapt")).args(["plug", HANDLER_RC_2023_11_10, "-o"]).arg(&out).output().unwrap();
    let said = String::from_utf8_lossy(&plugged.stderr);
    assert!(plugged.status.success(), "{said}");
    assert!(said.contains("7 rc-2023-11-10 function(s) 0.2.0 changed or removed served by a shim"), "{said}");
    let bytes = std::fs::read(&out).unwrap();
    let surface = kv_adapt::surface("plugged", &bytes).unwrap();
    let mut imports = surface.imports.clone();
    imports.sort();
    assert_eq!(
        imports,
        [
            "wasi:clocks/monotonic-clock@0.2.0",
            "wasi:http/outgoing-handler@0.2.0",
            "wasi:http/types@0.2.0",
            "wasi:io/error@0.2.0",
            "wasi:io/poll@0.2.0",
            "wasi:io/streams@0.2.0",
            "wasi:keyvalue/atomics@0.2.0-draft",
            "wasi:keyvalue/store@0.2.0-draft",
        ]
    );
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).unwrap();
    let component_type = component.component_type();
    let (_, types) = component_type.imports(&engine).find(|(n, _)| *n == "wasi:http/types@0.2.0").unwrap();
    let wasmtime::component::types::ComponentItem::ComponentInstance(instance) = types.ty else { panic!("not an instance") };
    let functions: Vec<&str> = instance.exports(&engine).map(|(n, _)| n).collect();
    for now in ["[method]request-options.connect-timeout", "[method]request-options.set-between-bytes-timeout", "[method]future-trailers.get"] {
        assert!(functions.contains(&now), "{now} not in {functions:?}");
    }
    assert!(functions.iter().all(|f| !f.ends_with("-ms")), "{functions:?}");
}

/// rc-2023-11-10's http (derived from our rc-2023-12-05 WIT by `wasm/http-wit.rs`), every
/// function imported and the handler exported, must link against wasmtime-wasi-http's own
/// 0.2 bindings once `plug` renamed it and shimmed the seven functions.
#[test]
fn every_http_rc_2023_11_10_function_links_against_wasmtime_wasi_http_after_the_shims() {
    let wit = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/wit"));
    let component = component_importing_with(
        &[http_wit::http_rc_2023_11_10(wit)],
        "package test:every-http-rc;
         world w {
             import wasi:http/types@0.2.0-rc-2023-11-10;
             import wasi:http/outgoing-handler@0.2.0-rc-2023-11-10;
             export wasi:http/incoming-handler@0.2.0-rc-2023-11-10;
         }",
    );
    let (renamed, counts) = kv_adapt::link::wasi_rc::to_0_2_0("every-http-rc", &component).unwrap();
    assert_eq!(counts.shimmed.len(), 7, "{counts:?}");
    names_of_today("every-http-rc", &renamed);
    let engine = Engine::default();
    let compiled = Component::new(&engine, &renamed).unwrap();
    let pre = stock_linker(&engine, false).instantiate_pre(&compiled).expect("every function links against wasmtime-wasi-http");
    ProxyPre::new(pre).expect("the handler export has wasmtime-wasi-http's type");
}

/// Composed instead of fused, the handler sits in a composition next to its key-value
/// adapter: the shims reach it through that composition, and it answers the same.
#[tokio::test(flavor = "multi_thread")]
async fn a_composed_plug_serves_the_changed_functions_through_the_composition_too() {
    let options = kv_adapt::PlugOptions { linking: Some(kv_adapt::Linking::Composed), ..Default::default() };
    let plugged = kv_adapt::plug_named("handler", &handler_rc_2023_11_10(), &options).unwrap();
    assert!(plugged.plan.to_string().contains("with adapter-g2-on-g5"), "{}", plugged.plan);
    assert_eq!(plugged.wasi.shimmed.len(), 7, "{:?}", plugged.wasi);
    names_of_today("composed handler", &plugged.component);
    let engine = Engine::default();
    let component = Component::new(&engine, &plugged.component).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, true).instantiate_pre(&component).unwrap()).unwrap();
    let hooks = RecordingHooks::default();
    let (_, body, _) = stock_request_with(&pre, None, hyper::Method::GET, "/fetch?port=9", "", hooks.clone()).await;
    assert_eq!(body, "request 1: upstream 200 canned upstream\n");
    let seen = hooks.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].and_then(|o| o.connect_timeout), Some(std::time::Duration::from_millis(1500)));
    let (_, body, _) = stock_request_with(&pre, None, hyper::Method::POST, "/trailers", "hello body", RecordingHooks::default()).await;
    assert_eq!(body, format!("request 1: body 10 bytes; trailers none; again {TAKEN_AGAIN}\n"));
}

/// A component calling one changed function gets that function's shim and no other: its
/// `wasi:http/types` import lists 0.2.0's `future-trailers.get` and nothing of the
/// request-options timeouts it never called, and it links against wasmtime-wasi-http.
#[test]
fn only_the_shims_of_the_functions_called_are_put_in() {
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_path(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/kv-adapt")).unwrap();
    resolve.push_str("http.wit", &http_wit::http_rc_2023_11_10(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/wit")))).unwrap();
    let pkg = resolve
        .push_str(
            "fixture.wit",
            "package test:only-trailers;
             world w {
                 import wasi:http/types@0.2.0-rc-2023-11-10;
                 export wasi:cli/run@0.2.0-rc-2023-11-10;
             }",
        )
        .unwrap();
    let world = resolve.select_world(&[pkg], Some("w")).unwrap();
    let mut module = wat::parse_str(
        r#"(module
            (import "wasi:http/types@0.2.0-rc-2023-11-10" "[method]future-trailers.get" (func (param i32 i32)))
            (memory (export "memory") 1)
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
            (func (export "wasi:cli/run@0.2.0-rc-2023-11-10#run") (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8).unwrap();
    let component = wit_component::ComponentEncoder::default().module(&module).unwrap().validate(true).encode().unwrap();

    let (renamed, counts) = kv_adapt::link::wasi_rc::to_0_2_0("only-trailers", &component).unwrap();
    assert_eq!(counts.shimmed, ["[method]future-trailers.get"]);
    names_of_today("only-trailers", &renamed);
    let engine = Engine::default();
    let compiled = Component::new(&engine, &renamed).unwrap();
    let component_type = compiled.component_type();
    let (_, types) = component_type.imports(&engine).find(|(n, _)| *n == "wasi:http/types@0.2.0").unwrap();
    let wasmtime::component::types::ComponentItem::ComponentInstance(instance) = types.ty else { panic!("not an instance") };
    let functions: Vec<&str> = instance
        .exports(&engine)
        .filter(|(_, item)| matches!(item.ty, wasmtime::component::types::ComponentItem::ComponentFunc(_)))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(functions, ["[method]future-trailers.get"]);
    stock_linker(&engine, false).instantiate_pre(&compiled).expect("links against wasmtime-wasi-http");
}

/// A body of `n` bytes that shows where a byte went missing or moved.
fn numbered_body(n: usize) -> String {
    (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect()
}

#[test]
fn async_value_bodies_beside_wasi_http_are_served_by_the_fused_forwarding_adapter() {
    use kv_adapt::Generation::{G5, G6};
    for (path, host, expected) in [
        (G3_HTTP_BODIES, G5, "fused-g3-on-g5-io-wasi"),
        (G3_HTTP_BODIES, G6, "fused-g3-on-g6-io-wasi"),
        (G4_HTTP_BODIES, G5, "fused-g4-on-g5-io-wasi"),
        (G4_HTTP_BODIES, G6, "fused-g4-on-g6-io-wasi"),
    ] {
        let guest = std::fs::read(path).unwrap();
        let options = kv_adapt::PlugOptions { host, ..Default::default() };
        let plugged = kv_adapt::plug_named("handler", &guest, &options).unwrap();
        let kv_adapt::Plan::Adapt { adapter, linking, why_bodies, .. } = &plugged.plan else { panic!("{}", plugged.plan) };
        assert_eq!((adapter.as_str(), *linking), (expected, kv_adapt::Linking::Fused), "{}", plugged.plan);
        assert!(why_bodies.contains("wasi:http/types@0.2.0"), "{why_bodies}");
        // Fused: the host's key-value and what the guest imported itself under the very
        // same names, nothing else (the adapter's wasi:io calls are the guest's own import).
        let own = kv_adapt::surface("guest", &guest).unwrap().imports;
        let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
        let release = if host == G5 { "@0.2.0-draft" } else { "@0.2.0-draft2" };
        for import in &surface.imports {
            let keyvalue = import.starts_with("wasi:keyvalue/") && import.ends_with(release);
            assert!(keyvalue || (own.contains(import) && !import.starts_with("wasi:keyvalue/")), "{expected}: unexpected import {import}");
        }
    }
    let guest = std::fs::read(G3_HTTP_BODIES).unwrap();

    // Composed, the adapter could not share the host's streams: async bodies are refused,
    // and the plan says why.
    let composed = kv_adapt::PlugOptions { linking: Some(kv_adapt::Linking::Composed), ..Default::default() };
    let composed = kv_adapt::plug_named("handler", &guest, &composed).unwrap();
    let kv_adapt::Plan::Adapt { bodies, why_bodies, .. } = &composed.plan else { panic!("{}", composed.plan) };
    assert_eq!(*bodies, kv_adapt::Bodies::Host, "{}", composed.plan);
    assert!(why_bodies.contains("wasi:http"), "{why_bodies}");
}

#[test]
fn kv_adapt_serve_moves_http_bodies_to_and_from_async_value_bodies() {
    for (guest, host, through) in [(G3_HTTP_BODIES, "g5", "G3 guest through fused-g3-on-g5-io-wasi"), (G4_HTTP_BODIES, "g6", "G4 guest through fused-g4-on-g6-io-wasi")] {
        serve_moves_bodies(guest, host, through);
    }
}

fn serve_moves_bodies(guest: &str, host: &str, through: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (child, stderr, line, addr) = serve_with(guest, &dir.path().join("kv-data"), 6, &["--host", host]);
    assert!(line.contains(through), "{line}");

    // Several splices each way (64 KiB per call), and a partial one at the end.
    let big = numbered_body(200_000 + 7);
    assert_eq!(loopback::request(&addr, "PUT", "/values/big", &big), (200, "visit 1: stored 200007 bytes at big\n".to_string()));
    let (status, body) = get(&addr, "/values/big");
    assert_eq!(status, 200);
    assert!(body == format!("visit 2\n{big}"), "GET gave {} bytes, starting {:?}", body.len(), &body[..body.len().min(40)]);
    assert_eq!(loopback::request(&addr, "PUT", "/values/empty", ""), (200, "visit 3: stored 0 bytes at empty\n".to_string()));
    assert_eq!(get(&addr, "/values/empty"), (200, "visit 4\n".to_string()));
    assert_eq!(get(&addr, "/values/missing"), (404, "visit 5: no value at missing\n".to_string()));
    // The memory body's pollable is ready at once, beside the host's request body's.
    let (status, polled) = get(&addr, "/poll");
    assert_eq!(status, 200, "{polled}");
    let ready = polled.strip_prefix("visit 6: poll ready [").and_then(|r| r.strip_suffix("]\n")).unwrap_or_else(|| panic!("{polled}"));
    let ready: Vec<u32> = ready.split(", ").map(|i| i.parse().unwrap()).collect();
    assert!(ready.first() == Some(&0) && ready.iter().all(|i| *i < 2), "{polled}");

    let stdout = served_stdout(child, stderr);
    assert_eq!(
        stdout,
        "visit 1: PUT /values/big -> 200\nvisit 2: GET /values/big -> 200\nvisit 3: PUT /values/empty -> 200\n\
         visit 4: GET /values/empty -> 200\nvisit 5: GET /values/missing -> 404\nvisit 6: GET /poll -> 200\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_plug_stock_wasmtime_wasi_http_serves_http_bodies_through_async_value_bodies() {
    let options = kv_adapt::PlugOptions::default();
    let plugged = kv_adapt::plug(&std::fs::read(G3_HTTP_BODIES).unwrap(), &options).unwrap();
    let engine = Engine::default();

    // wasmtime-wasi-keyvalue: every instance starts from an empty bucket, so a PUT is
    // checked by what it reports.
    let component = Component::new(&engine, &plugged).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, true).instantiate_pre(&component).unwrap()).unwrap();
    let big: &'static str = Box::leak(numbered_body(100_000).into_boxed_str());
    let (status, body, stdout) = stock_request_with(&pre, None, hyper::Method::PUT, "/values/big", big, RecordingHooks::default()).await;
    assert_eq!((status, body.as_str(), stdout.as_str()), (200, "visit 1: stored 100000 bytes at big\n", "visit 1: PUT /values/big -> 200\n"));

    // With the directory store bundled, the value outlives the instance.
    let bundled = kv_adapt::host::run::bundle_store(&plugged, &options).unwrap();
    let component = Component::new(&engine, &bundled).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, false).instantiate_pre(&component).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (status, body, _) = stock_request_with(&pre, Some(dir.path()), hyper::Method::PUT, "/values/big", big, RecordingHooks::default()).await;
    assert_eq!((status, body.as_str()), (200, "visit 1: stored 100000 bytes at big\n"));
    let (status, body, stdout) = stock_request(&pre, Some(dir.path()), "/values/big").await;
    assert_eq!(status, 200);
    assert!(body == format!("visit 2\n{big}"), "GET gave {} bytes", body.len());
    assert_eq!(stdout, "visit 2: GET /values/big -> 200\n");
}

/// The 2023 actor with async value bodies: a std wasm32-wasip1 reactor carrying its own
/// preview1 adapter, so no adapter can be fused into it as it is, and a composed one could
/// not share wasi:http's streams. `plug` replaces its preview1 adapter with wasmtime 48's
/// and fuses the G2 forwarding adapter beside it.
#[test]
fn a_2023_actor_calling_async_bodies_beside_wasi_http_has_its_preview1_adapter_relinked_and_is_fused() {
    use kv_adapt::Generation::{G5, G6};
    let guest = std::fs::read(ACTOR_ASYNC_BODIES).unwrap();
    let own = kv_adapt::surface("actor", &guest).unwrap();
    assert!(own.async_bodies && own.relinks_preview1, "{own:?}");
    assert!(own.cannot_fuse.as_deref().is_some_and(|why| why.contains("preview1")), "{:?}", own.cannot_fuse);
    for (host, expected, release) in [(G5, "fused-g2-on-g5-io-wasi", "@0.2.0-draft"), (G6, "fused-g2-on-g6-io-wasi", "@0.2.0-draft2")] {
        let options = kv_adapt::PlugOptions { host, ..Default::default() };
        let plugged = kv_adapt::plug_named("actor", &guest, &options).unwrap();
        let kv_adapt::Plan::Adapt { adapter, linking, why_bodies, .. } = &plugged.plan else { panic!("{}", plugged.plan) };
        assert_eq!((adapter.as_str(), *linking), (expected, kv_adapt::Linking::Fused), "{}", plugged.plan);
        assert!(why_bodies.contains("wasi:http/types@0.2.0-rc-2023-12-05"), "{why_bodies}");
        names_of_today("plugged actor", &plugged.component);
        // The host's key-value, and WASI 0.2.0 the guest imported itself (its rc names
        // moved) or that wasmtime's preview1 adapter reads through (the wall clock).
        let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
        for import in &surface.imports {
            let keyvalue = import.starts_with("wasi:keyvalue/") && import.ends_with(release);
            let own_moved = own.imports.iter().any(|i| kv_adapt::plan::wasi::renamed(i).as_deref() == Some(import.as_str()));
            assert!(keyvalue || own_moved || import == "wasi:clocks/wall-clock@0.2.0", "{expected}: unexpected import {import}");
        }
        assert_eq!(surface.exports, ["wasi:http/incoming-handler@0.2.0"]);
    }
    // Composed (or with the rc names kept), nothing can share the host's streams: async
    // bodies are refused, and the plan says why.
    for options in [
        kv_adapt::PlugOptions { linking: Some(kv_adapt::Linking::Composed), ..Default::default() },
        kv_adapt::PlugOptions { keep_wasi_versions: true, ..Default::default() },
    ] {
        let plugged = kv_adapt::plug_named("actor", &guest, &options).unwrap();
        let kv_adapt::Plan::Adapt { bodies, why_bodies, linking, .. } = &plugged.plan else { panic!("{}", plugged.plan) };
        assert_eq!((*bodies, *linking), (kv_adapt::Bodies::Host, kv_adapt::Linking::Composed), "{}", plugged.plan);
        assert!(why_bodies.contains("wasi:http"), "{why_bodies}");
    }
}

#[test]
fn kv_adapt_serve_moves_the_2023_actors_http_bodies_to_and_from_g2_async_bodies() {
    for (host, through) in [("g5", "G2 guest through fused-g2-on-g5-io-wasi"), ("g6", "G2 guest through fused-g2-on-g6-io-wasi")] {
        let dir = tempfile::tempdir().unwrap();
        let (child, stderr, line, addr) = serve_with(ACTOR_ASYNC_BODIES, &dir.path().join("kv-data"), 7, &["--host", host]);
        assert!(line.contains(through), "{line}");

        // Several 64 KiB splices each way, and a partial one at the end.
        let big = numbered_body(200_000 + 7);
        assert_eq!(loopback::request(&addr, "PUT", "/values/big", &big), (200, "stored 200007 bytes at big\n".to_string()));
        let (status, body) = get(&addr, "/values/big");
        assert_eq!(status, 200);
        assert!(body == big, "{host}: GET gave {} bytes, starting {:?}", body.len(), &body[..body.len().min(40)]);
        assert_eq!(loopback::request(&addr, "PUT", "/values/empty", ""), (200, "stored 0 bytes at empty\n".to_string()));
        assert_eq!(get(&addr, "/values/empty"), (200, String::new()));
        assert_eq!(get(&addr, "/values/missing"), (404, "no value at missing\n".to_string()));
        // The sync-body counter of the plain actor still counts, in the same store.
        assert_eq!(get(&addr, "/"), (200, "hello from a 2023 actor: visit 1; last path /\n".to_string()));
        assert_eq!(get(&addr, "/visits"), (200, "1\n".to_string()));

        // std's println!, through wasmtime's preview1 adapter onto the host's stdout.
        let stdout = served_stdout(child, stderr);
        assert_eq!(
            stdout,
            "actor: stored 200007 bytes at big\nactor: sent 200007 bytes of big\nactor: stored 0 bytes at empty\n\
             actor: sent 0 bytes of empty\nactor: visit 1 to /\n",
            "{host}"
        );
        // What the actor spliced in is in the store, byte for byte.
        assert_eq!(std::fs::read(dir.path().join("kv-data/%/big")).ok().map(|b| b.len()), Some(big.len()), "{host}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_plug_stock_wasmtime_wasi_http_serves_the_2023_actors_async_bodies() {
    let options = kv_adapt::PlugOptions::default();
    let plugged = kv_adapt::plug(&std::fs::read(ACTOR_ASYNC_BODIES).unwrap(), &options).unwrap();
    let bundled = kv_adapt::host::run::bundle_store(&plugged, &options).unwrap();
    names_of_today("bundled actor", &bundled);
    let engine = Engine::default();
    let component = Component::new(&engine, &bundled).unwrap();
    let pre = ProxyPre::new(stock_linker(&engine, false).instantiate_pre(&component).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let big: &'static str = Box::leak(numbered_body(100_000).into_boxed_str());
    let (status, body, stdout) = stock_request_with(&pre, Some(dir.path()), hyper::Method::PUT, "/values/big", big, RecordingHooks::default()).await;
    assert_eq!((status, body.as_str(), stdout.as_str()), (200, "stored 100000 bytes at big\n", "actor: stored 100000 bytes at big\n"));
    let (status, body, stdout) = stock_request(&pre, Some(dir.path()), "/values/big").await;
    assert_eq!(status, 200);
    assert!(body == big, "GET gave {} bytes", body.len());
    assert_eq!(stdout, "actor: sent 100000 bytes of big\n");
    assert_eq!(stock_request(&pre, Some(dir.path()), "/values/missing").await.0, 404);
}
