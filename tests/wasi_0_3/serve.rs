//! `kv-adapt serve` of a WASI 0.3 HTTP handler: spin-sdk 7's `#[http_service]` app
//! (`wasi:http/handler@0.3.0`, Spin 4's `spin:key-value@3.0.0`) answering real HTTP over
//! loopback, one fresh instance per request, on Spin's host and on wasmCloud's; and what
//! `serve` and `run` say of a component of the other kind.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};

use kv_adapt::store::redis::{test_server, RedisStore, RedisUrl};

use crate::shared::{kv_adapt, text, SPIN3};

#[path = "../common/http.rs"]
mod loopback;

/// A Spin 4 HTTP app built with spin-sdk 7.0.0: `visit N` from a counter under `visits` in
/// the store `default`, `/keys` its keys, `/trap` a trap before answering.
const SPIN_SDK7_HTTP: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-spin7-http.wasm");

/// `kv-adapt serve GUEST --host HOST --store STORE` on a free loopback port for `requests`
/// requests; the child, its stderr after the first line, and the address it serves.
fn serve(guest: &str, host: &str, store: &str, requests: u32) -> (Child, BufReader<ChildStderr>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv-adapt"))
        .args(["serve", guest, "--addr", "127.0.0.1:0", "--requests", &requests.to_string(), "--host", host, "--store", store])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kv-adapt serve");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("serve's first line");
    let addr = loopback::served_addr(&line);
    (child, stderr, addr)
}

/// Waits for a [`serve`] child to stop after its requests, asserts that it succeeded, and
/// gives the rest of its stderr.
fn finished(mut child: Child, mut stderr: BufReader<ChildStderr>) -> String {
    let status = child.wait().expect("wait for kv-adapt serve");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("serve's stderr");
    assert!(status.success(), "serve failed: {rest}");
    rest
}

fn get(addr: &str, path: &str) -> (u16, String) {
    loopback::request(addr, "GET", path, "")
}

/// One GET whose connection is expected to close with no answer at all; what came back.
fn unanswered_get(addr: &str, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send the request");
    let mut raw = Vec::new();
    // A reset instead of a close is no answer either.
    let _ = stream.read_to_end(&mut raw);
    raw
}

/// Each request gets a fresh instance, the store carrying the count from one to the next;
/// `get-keys` streams through to the body; a trap before answering closes that connection
/// unanswered, is said in one line, and the next request is served again.
#[test]
fn a_spin_sdk7_http_app_is_served_natively_on_the_spin_host_one_instance_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let (child, stderr, addr) = serve(SPIN_SDK7_HTTP, "spin", dir.path().to_str().unwrap(), 4);
    assert_eq!(get(&addr, "/"), (200, "visit 1\n".to_string()));
    assert_eq!(get(&addr, "/"), (200, "visit 2\n".to_string()));
    assert_eq!(unanswered_get(&addr, "/trap"), b"");
    assert_eq!(get(&addr, "/keys"), (200, "visits\n".to_string()));
    let said = finished(child, stderr);
    let trapped: Vec<&str> = said.lines().filter(|line| line.contains("trapped")).collect();
    assert_eq!(trapped.len(), 1, "{said}");
    assert!(
        trapped[0].starts_with("kv-adapt: the guest trapped before answering: ") && trapped[0].contains("wasm `unreachable` instruction executed"),
        "{said}"
    );
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(std::fs::read(dir.path().join("default").join("visits")).unwrap(), b"2");
}

/// On `--host wasmcloud` the app's Spin 4 calls go through `adapter-spin3-on-wasmcloud2`
/// to kv-adapt's wasmCloud 2 host, here over Redis.
#[test]
fn a_spin_sdk7_http_app_is_served_on_the_wasmcloud_host_over_redis() {
    let url = format!("{}/14", test_server::shared().url());
    let (child, stderr, addr) = serve(SPIN_SDK7_HTTP, "wasmcloud", &url, 3);
    assert_eq!(get(&addr, "/"), (200, "visit 1\n".to_string()));
    assert_eq!(get(&addr, "/"), (200, "visit 2\n".to_string()));
    assert_eq!(get(&addr, "/keys"), (200, "visits\n".to_string()));
    finished(child, stderr);
    let redis = RedisStore::connect(&RedisUrl::parse(&url).unwrap()).expect("connect to the test redis-server");
    assert_eq!(redis.get("default", "visits").unwrap(), Some(b"2".to_vec()));
}

/// `serve` refuses a WASI 0.3 command (naming `run`) and a component with no handler of
/// either release (naming both), `run` refuses the WASI 0.3 handler (naming `serve`): each
/// in one line, before listening.
#[test]
fn serve_and_run_refuse_the_other_kind_of_wasi_0_3_component_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().to_str().unwrap();
    let one_line_failure = |args: &[&str]| {
        let output = kv_adapt(args);
        let said = text(&output.stderr);
        assert!(!output.status.success(), "{args:?}: {said}");
        assert_eq!(said.lines().count(), 1, "{args:?}: {said}");
        said
    };

    let said = one_line_failure(&["serve", SPIN3, "--addr", "127.0.0.1:0", "--host", "spin", "--store", store]);
    assert!(said.contains("is a command") && said.contains("kv-adapt run"), "{said}");

    let watcher = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-watch.wasm");
    let said = one_line_failure(&["serve", watcher, "--addr", "127.0.0.1:0", "--host", "g5", "--store", store]);
    assert!(said.contains("wasi:http/incoming-handler (0.2.x") && said.contains("wasi:http/handler@0.3.x"), "{said}");

    let said = one_line_failure(&["run", SPIN_SDK7_HTTP, "--host", "spin", "--store", store]);
    assert!(said.contains("is an HTTP handler (it exports wasi:http/handler@0.3.0)") && said.contains("kv-adapt serve"), "{said}");
}
