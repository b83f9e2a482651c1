//! A late-2023 HTTP actor on today's hosts: `wasm/guests/guest-g2-http-actor`, std Rust for
//! wasm32-wasip1 componentized with wasmtime 15's preview1 reactor adapter (WASI
//! rc-2023-11-10), exporting `wasi:http/incoming-handler@0.2.0-rc-2023-12-05` and counting
//! visits in G2 key-value. It answers real HTTP requests over loopback through
//! `kv-adapt serve`, and, once `kv-adapt plug` made it, through a host made of nothing but
//! wasmtime 48's own wasmtime-wasi, wasmtime-wasi-http and wasmtime-wasi-keyvalue.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx, WasiKeyValueCtxBuilder};

const ACTOR: &str = concat!(env!("KV_ADAPT_TEST_COMPONENTS"), "/guest-g2-http-actor.wasm");

fn actor() -> Vec<u8> {
    std::fs::read(ACTOR).unwrap_or_else(|e| {
        panic!("{ACTOR}: {e}; the build skips this guest when npm cannot fetch the late-2023 preview1 adapter (see the build warning)")
    })
}

/// One HTTP/1.1 request over loopback; the status and the (de-chunked) body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).expect("a text response");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no header end in {text:?}"));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {head:?}"));
    let chunked = head.lines().any(|l| l.eq_ignore_ascii_case("transfer-encoding: chunked"));
    (status, if chunked { dechunk(body) } else { body.to_string() })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").expect("a chunk size line");
        let size = usize::from_str_radix(size.trim(), 16).expect("a hex chunk size");
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

#[test]
fn the_actor_imports_only_names_no_host_of_today_serves() {
    let surface = kv_adapt::compose::surface("actor", &actor()).unwrap();
    for expected in ["wasi:keyvalue/readwrite", "wasi:keyvalue/atomic", "wasi:cli/stdout@0.2.0-rc-2023-11-10"] {
        assert!(surface.imports.iter().any(|i| i == expected), "{expected} not in {:?}", surface.imports);
    }
    assert_eq!(surface.exports, vec!["wasi:http/incoming-handler@0.2.0-rc-2023-12-05".to_string()]);
}

#[test]
fn kv_adapt_serve_answers_real_requests_with_a_working_counter() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv-data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["serve", ACTOR, "--addr", "127.0.0.1:0", "--requests", "5", "--store"])
        .arg(&store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("serving http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(line.contains("G2 guest through adapter-g2-on-g5"), "{line}");

    for visit in 1..=3 {
        assert_eq!(get(&addr, "/"), (200, format!("hello from a 2023 actor: visit {visit}; last path /\n")));
    }
    assert_eq!(get(&addr, "/visits"), (200, "3\n".to_string()));
    assert_eq!(get(&addr, "/nowhere"), (404, "no route for /nowhere\n".to_string()));

    let status = child.wait().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "serve failed: {rest}");
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
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

    let example = concat!(env!("KV_ADAPT_TEST_COMPONENTS"), "/g2-visit-counter.wasm");
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
    keyvalue: WasiKeyValueCtx,
    table: ResourceTable,
}

impl WasiView for StockHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for StockHost {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: Default::default() }
    }
}

/// Serves one GET of `path` to a fresh instance, as `wasmtime serve` would; the status,
/// the body and what the instance wrote on stdout.
async fn stock_request(pre: &ProxyPre<StockHost>, store_dir: Option<&std::path::Path>, path: &str) -> (u16, String, String) {
    let stdout = MemoryOutputPipe::new(1 << 16);
    let mut wasi = WasiCtx::builder();
    wasi.stdout(stdout.clone());
    if let Some(dir) = store_dir {
        wasi.preopened_dir(dir, "/kv-data", wasmtime_wasi::FsPerms::ReadWrite).unwrap();
    }
    let state = StockHost {
        wasi: wasi.build(),
        http: WasiHttpCtx::new(),
        keyvalue: WasiKeyValueCtxBuilder::new().build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(pre.engine(), state);
    let request = hyper::Request::get(format!("http://localhost{path}")).body(http_body_util::Empty::<Bytes>::new()).unwrap();
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
    let surface = kv_adapt::compose::surface(what, component).unwrap();
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
    let bundled = kv_adapt::run::bundle_store(&plugged, &options).unwrap();
    names_of_today("plugged actor with store", &bundled);
    let surface = kv_adapt::compose::surface("bundled", &bundled).unwrap();
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
    let (renamed, counts) = kv_adapt::wasi_rc::to_0_2_0("every-http", &component).unwrap();
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
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_path(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/kv-adapt")).unwrap();
    let pkg = resolve.push_str("fixture.wit", wit).unwrap();
    let world = resolve.select_world(&[pkg], Some("w")).unwrap();
    let mut module = wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8).unwrap();
    wit_component::ComponentEncoder::default().module(&module).unwrap().validate(true).encode().unwrap()
}

/// A function 0.2.0 changed, or an unversioned draft, cannot be renamed: `plug` refuses in
/// one line naming it (and `--keep-wasi-versions` is the way out); the same interface with
/// only unchanged functions is renamed.
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
        kv_adapt::compose::rename_imports(&bytes, |n| n.strip_prefix("fixture:").map(|rest| format!("wasi:{rest}"))).unwrap()
    };
    let refused = kv_adapt::plug(&as_wasi(component_importing(&sockets("ipv6-only"))), &kv_adapt::PlugOptions::default())
        .err()
        .expect("ipv6-only is refused")
        .to_string();
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(refused.contains("wasi:sockets/tcp@0.2.0-rc-2023-11-10") && refused.contains("[method]tcp-socket.ipv6-only"), "{refused}");
    assert!(refused.contains("--keep-wasi-versions"), "{refused}");

    let fine = kv_adapt::plug(&as_wasi(component_importing(&sockets("keep-alive-enabled"))), &kv_adapt::PlugOptions::default()).unwrap();
    let surface = kv_adapt::compose::surface("renamed", &fine).unwrap();
    assert!(surface.imports.contains(&"wasi:sockets/tcp@0.2.0".to_string()), "{:?}", surface.imports);

    let kept = kv_adapt::PlugOptions { keep_wasi_versions: true, ..Default::default() };
    let kept = kv_adapt::plug(&as_wasi(component_importing(&sockets("ipv6-only"))), &kept).unwrap();
    let surface = kv_adapt::compose::surface("kept", &kept).unwrap();
    assert!(surface.imports.contains(&"wasi:sockets/tcp@0.2.0-rc-2023-11-10".to_string()), "{:?}", surface.imports);

    // The seven http rc-2023-11-10 functions 0.2.0 changed are refused the same way.
    let http_rc = "package fixture:http@0.2.0-rc-2023-11-10;
        interface types { resource future-trailers { get: func() -> option<u32>; } }
        world w { import types; import wasi:keyvalue/readwrite; }";
    let refused = kv_adapt::plug(&as_wasi(component_importing(http_rc)), &kv_adapt::PlugOptions::default())
        .err()
        .expect("future-trailers.get of rc-2023-11-10 is refused")
        .to_string();
    assert!(refused.contains("wasi:http/types@0.2.0-rc-2023-11-10") && refused.contains("[method]future-trailers.get"), "{refused}");

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
