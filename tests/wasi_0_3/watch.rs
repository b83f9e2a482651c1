//! wasmCloud 2's watcher (`wasmcloud:keyvalue/watcher@0.2.0`, async `on-set`/`on-delete`)
//! delivered by `kv-adapt notify --host wasmcloud`, and the WASI 0.2 handlers of G1-G6 on
//! the same host, which calls G5's `watcher` for a WASI 0.2 component (served through
//! `plug`'s watch bridges onto G5, as on `--host g5`).
//!
//! Each guest checks what its generation promises a handler through the bucket it is
//! handed and records each event there (`seen:<key>`, `deleted:<key>`, the counter
//! `events`, `watch-error` on a failed check); the tests read the store from the host side.

use kv_adapt::host::notify::{notify, Event, NotifyOptions};
use kv_adapt::host::run::StoreSpec;
use kv_adapt::store::backend::Backend;
use kv_adapt::store::redis::{test_server, RedisStore, RedisUrl};
use kv_adapt::{Generation, PlugOptions};

use crate::shared::{kv_adapt, text};

/// wasmCloud 2's async watcher, bound with wit-bindgen's async support.
const WASMCLOUD2_WATCH: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-wasmcloud2-watch.wasm");

fn options(store: StoreSpec, host: Generation) -> NotifyOptions {
    NotifyOptions { plug: PlugOptions { host, ..PlugOptions::default() }, store, limits: Default::default(), write: true }
}

/// Bytes that are not text and cross more than one 64 KiB page.
fn value() -> Vec<u8> {
    (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect()
}

/// A set then a delete of `inbox/greeting`, each delivered by `notify --host wasmcloud` to
/// `guest`, whose handler is expected to be `handler`; `read` reads `inbox` from the host
/// side. Gives the errors the adapter handed the handler (none when there is no adapter).
fn set_then_delete(guest: &[u8], store: &StoreSpec, handler: &str, read: &dyn Fn(&str) -> Option<Vec<u8>>) -> Vec<String> {
    let value = value();
    let set = Event::Set { bucket: "inbox".into(), key: "greeting".into(), value: value.clone() };
    let notified = notify("guest", guest, &options(store.clone(), Generation::Wasmcloud2), &set).expect("notify set");
    assert_eq!(notified.called, format!("{handler}#on-set"));
    assert_eq!(read("watch-error").map(|e| text(&e)), None, "the handler found a fault");
    assert_eq!(read("seen:greeting").as_deref(), Some(&value[..]), "on-set saw the value, and could write through its bucket");
    assert_eq!(read("events").as_deref(), Some(&b"1"[..]));
    let mut errors = notified.recent_errors.unwrap_or_default();

    let delete = Event::Delete { bucket: "inbox".into(), key: "greeting".into() };
    let notified = notify("guest", guest, &options(store.clone(), Generation::Wasmcloud2), &delete).expect("notify delete");
    assert_eq!(notified.called, format!("{handler}#on-delete"));
    assert_eq!(read("watch-error").map(|e| text(&e)), None, "the handler found a fault");
    assert_eq!(read("greeting"), None, "notify deleted the key first");
    assert_eq!(read("deleted:greeting").as_deref(), Some(&b"greeting"[..]));
    assert_eq!(read("events").as_deref(), Some(&b"2"[..]), "one increment per event, through the event's bucket");
    errors.extend(notified.recent_errors.unwrap_or_default());
    errors
}

fn wasmcloud2_watch() -> Vec<u8> {
    std::fs::read(WASMCLOUD2_WATCH).unwrap_or_else(|e| panic!("{WASMCLOUD2_WATCH}: {e}"))
}

/// The async handler runs to its end in the instance's event loop: its awaited `get`,
/// `set`, `exists` and `increment` through the handed bucket all land before `notify`
/// returns.
#[test]
fn a_wasmcloud2_watcher_fires_natively_on_the_wasmcloud_host() {
    let dir = tempfile::tempdir().unwrap();
    let store = StoreSpec::Dir(dir.path().to_path_buf());
    let read = |key: &str| Backend::dir(dir.path()).read("inbox", key).expect("reading the store");
    let errors = set_then_delete(&wasmcloud2_watch(), &store, "wasmcloud:keyvalue/watcher@0.2.0", &read);
    assert!(errors.is_empty(), "natively there is no adapter: {errors:?}");
}

#[test]
fn a_wasmcloud2_watcher_fires_natively_on_the_wasmcloud_host_over_redis() {
    let url = RedisUrl::parse(&format!("{}/7", test_server::shared().url())).unwrap();
    let redis = RedisStore::connect(&url).expect("connect to the test redis-server");
    let read = |key: &str| redis.get("inbox", key).expect("reading redis");
    set_then_delete(&wasmcloud2_watch(), &StoreSpec::Redis(url.clone()), "wasmcloud:keyvalue/watcher@0.2.0", &read);
}

/// wasmCloud 2 serves G5 to a WASI 0.2 component, so it calls G5's watcher: a G5 handler
/// natively, the others through the watch bridges onto G5 that `plug --host wasmcloud`
/// composes. The G1 and G2 handlers consume a value they dropped, on purpose, and get one
/// `bad-handle` error for it.
#[test]
fn every_wasi_0_2_handler_fires_on_the_wasmcloud_host_as_g5s_watcher() {
    for generation in [Generation::G1, Generation::G2, Generation::G3, Generation::G4, Generation::G5, Generation::G6] {
        let name = format!("{}/guest-{}-watch.wasm", kv_adapt_test_programs::dir!(), generation.id().to_lowercase());
        let guest = std::fs::read(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dir = tempfile::tempdir().unwrap();
        let store = StoreSpec::Dir(dir.path().to_path_buf());
        let read = |key: &str| Backend::dir(dir.path()).read("inbox", key).expect("reading the store");
        let errors = set_then_delete(&guest, &store, "wasi:keyvalue/watcher@0.2.0-draft", &read);
        let expected = usize::from(matches!(generation, Generation::G1 | Generation::G2));
        assert_eq!(errors.len(), expected, "{}: errors handed to the handler: {errors:?}", generation.id());
    }
}

/// `plug --host wasmcloud` says which watcher the bridge serves: G5's, the one wasmCloud 2
/// calls for a WASI 0.2 component.
#[test]
fn plug_on_wasmcloud_serves_a_legacy_handler_as_g5s_watcher() {
    let guest = concat!(kv_adapt_test_programs::dir!(), "/guest-g2-watch.wasm");
    let out = tempfile::tempdir().unwrap();
    let adapted = out.path().join("adapted.wasm");
    let output = kv_adapt(&["plug", guest, "-o", adapted.to_str().unwrap(), "--host", "wasmcloud"]);
    let said = text(&output.stderr) + &text(&output.stdout);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("wasi:keyvalue/handle-watch served as wasi:keyvalue/watcher@0.2.0-draft by watch-g2-on-g5"), "{said}");
}

/// A wasmCloud 2 watcher has no watch bridge onto a WASI 0.2 host yet, and none of
/// `--host spin`'s interfaces has a watcher: `notify` says so in one line and writes
/// nothing.
#[test]
fn notify_refuses_a_wasmcloud2_watcher_on_other_hosts_in_one_line() {
    for host in ["g5", "spin"] {
        let dir = tempfile::tempdir().unwrap();
        let output = kv_adapt(&["notify", WASMCLOUD2_WATCH, "--store", dir.path().to_str().unwrap(), "--host", host, "set", "inbox", "k", "v"]);
        let said = text(&output.stderr);
        assert!(!output.status.success(), "{host}: {said}");
        assert_eq!(said.lines().count(), 1, "{host}: {said}");
        assert!(said.contains("wasmcloud:keyvalue/watcher@0.2.0"), "{host}: {said}");
        assert_eq!(Backend::dir(dir.path()).read("inbox", "k").unwrap(), None, "{host}: nothing written");
    }
}

/// Why no bridge serves a wasmCloud 2 watcher to a WASI 0.2 host: the bridge's export would
/// be synchronous and would wait on the guest's async handler, an async-lifted export of
/// another component. The component model forbids a synchronous task to wait, even when
/// the callee answers at once, as here: a WASI 0.2 command calling Spin 4's interface
/// synchronously, plugged onto G5 through `adapter-spin3-on-g5`, whose async exports answer
/// from the synchronous G5 host without ever waiting, traps at its first call.
#[test]
fn a_synchronous_caller_cannot_wait_on_an_async_export_of_another_component_either() {
    let guest = concat!(kv_adapt_test_programs::dir!(), "/guest-spin3-sync-caller.wasm");
    let dir = tempfile::tempdir().unwrap();
    let output = kv_adapt(&["run", guest, "--store", dir.path().to_str().unwrap(), "--host", "g5"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(!output.status.success(), "{stdout}");
    assert_eq!(stdout, "opening default\n", "nothing after the first call ran");
    assert!(stderr.contains("wasm trap: cannot block a synchronous task before returning"), "{stderr}");
    assert!(!dir.path().join("default").exists(), "nothing was written");
}
