//! Watch handlers in every generation (issue 10, part 3 and 4): a guest's handler fires on
//! a host of another generation through `plug`'s watch bridge, driven by `kv-adapt notify`
//! on kv-adapt's own hosts over a real directory store.
//!
//! The guests (`wasm/guests/guest-watch`, one source per generation) check what their
//! generation promises a handler, using the bucket they are handed with their ordinary
//! imports, and record each event in that bucket: `seen:<key>`, `deleted:<key>`, counter
//! `events`, and `watch-error` when a check failed. The tests read the store from the host
//! side, so a handler that was not called, or called with the wrong bucket or value, fails.

mod common;

use kv_adapt::store::backend::Backend;
use kv_adapt::host::notify::{notify, Event, NotifyOptions};
use kv_adapt::host::run::StoreSpec;
use kv_adapt::{CounterEncoding, Generation, PlugOptions};
use std::path::Path;

fn guest(generation: Generation) -> Vec<u8> {
    let name = format!("{}/guest-{}-watch.wasm", kv_adapt_test_programs::dir!(), generation.id().to_lowercase());
    std::fs::read(&name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn options(root: &Path, host: Generation, counter: CounterEncoding, write: bool) -> NotifyOptions {
    NotifyOptions {
        plug: PlugOptions { host, counter, ..PlugOptions::default() },
        store: StoreSpec::Dir(root.to_path_buf()),
        limits: Default::default(),
        write,
    }
}

fn read(root: &Path, key: &str) -> Option<Vec<u8>> {
    Backend::dir(root).read("inbox", key).expect("reading the store")
}

fn events(root: &Path, counter: CounterEncoding) -> Option<u64> {
    let bytes = read(root, "events")?;
    Some(match counter {
        CounterEncoding::Decimal => std::str::from_utf8(&bytes).unwrap().parse().unwrap(),
        CounterEncoding::Le64 => u64::from_le_bytes(bytes.try_into().unwrap()),
        CounterEncoding::Be64 => u64::from_be_bytes(bytes.try_into().unwrap()),
    })
}

/// Bytes that are not text and cross more than one 64 KiB page.
fn value() -> Vec<u8> {
    (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect()
}

/// A set then a delete of `inbox/greeting`, each delivered to the handler of `source` on a
/// `host` host; returns what the adapter handed the handler as errors, oldest first.
fn set_then_delete(source: Generation, host: Generation, counter: CounterEncoding) -> Vec<String> {
    let store = common::store_dir();
    let root = store.path();
    let bytes = guest(source);
    let value = value();
    let set = Event::Set { bucket: "inbox".into(), key: "greeting".into(), value: value.clone() };
    let notified = notify("guest", &bytes, &options(root, host, counter, true), &set).expect("notify set");
    assert_eq!(notified.called, format!("{}#on-set", host.watch_export()));
    assert_eq!(read(root, "watch-error").map(|e| String::from_utf8_lossy(&e).into_owned()), None, "the handler found a fault");
    assert_eq!(read(root, "seen:greeting").as_deref(), Some(&value[..]), "on-set saw the value, and could write through its bucket");
    assert_eq!(events(root, counter), Some(1));
    let mut errors = notified.recent_errors.unwrap_or_default();

    let delete = Event::Delete { bucket: "inbox".into(), key: "greeting".into() };
    let notified = notify("guest", &bytes, &options(root, host, counter, true), &delete).expect("notify delete");
    assert_eq!(notified.called, format!("{}#on-delete", host.watch_export()));
    assert_eq!(read(root, "watch-error").map(|e| String::from_utf8_lossy(&e).into_owned()), None, "the handler found a fault");
    assert_eq!(read(root, "greeting"), None, "notify deleted the key first");
    assert_eq!(read(root, "deleted:greeting").as_deref(), Some(&b"greeting"[..]));
    assert_eq!(events(root, counter), Some(2), "one increment per event, through the event's bucket");
    errors.extend(notified.recent_errors.unwrap_or_default());
    errors
}

macro_rules! handler_fires {
    ($($test:ident: $source:ident on $host:ident;)*) => {
        $(
            #[test]
            fn $test() {
                let errors = set_then_delete(Generation::$source, Generation::$host, CounterEncoding::Decimal);
                // The G1 and G2 handlers consume their value after dropping it, on purpose: a
                // guest's mistake, answered with an error, never a trap. The others make
                // none. Natively there is no adapter to report what the host answered.
                let u32_handles = matches!(Generation::$source, Generation::G1 | Generation::G2);
                let expected = usize::from(u32_handles && Generation::$host != Generation::$source);
                assert_eq!(errors.len(), expected, "errors handed to the handler: {errors:?}");
                if let Some(first) = errors.first() {
                    assert!(first.starts_with("bad-handle: incoming-value"), "{first}");
                }
            }
        )*
    };
}

handler_fires! {
    g1_handle_watch_fires_on_a_g5_host: G1 on G5;
    g1_handle_watch_fires_on_a_g6_host: G1 on G6;
    g2_handle_watch_fires_on_a_g5_host: G2 on G5;
    g2_handle_watch_fires_on_a_g6_host: G2 on G6;
    g3_handle_watch_fires_on_a_g5_host: G3 on G5;
    g3_handle_watch_fires_on_a_g6_host: G3 on G6;
    g4_handle_watch_fires_on_a_g5_host: G4 on G5;
    g4_handle_watch_fires_on_a_g6_host: G4 on G6;
    g5_watcher_fires_on_a_g2_host: G5 on G2;
    g5_watcher_fires_on_a_g3_host: G5 on G3;
    g5_watcher_fires_on_a_g4_host: G5 on G4;
    g5_watcher_fires_on_a_g6_host: G5 on G6;
    g6_watcher_fires_on_a_g2_host: G6 on G2;
    g6_watcher_fires_on_a_g3_host: G6 on G3;
    g6_watcher_fires_on_a_g4_host: G6 on G4;
    g6_watcher_fires_on_a_g5_host: G6 on G5;
    g2_handle_watch_fires_natively_on_the_strict_g2_host: G2 on G2;
    g3_handle_watch_fires_natively_on_the_strict_g3_host: G3 on G3;
    g4_handle_watch_fires_natively_on_the_strict_g4_host: G4 on G4;
    g5_watcher_fires_natively_on_the_g5_host: G5 on G5;
    g6_watcher_fires_natively_on_the_g6_host: G6 on G6;
}

#[test]
fn a_handler_counts_in_the_hosts_counter_encoding() {
    set_then_delete(Generation::G3, Generation::G5, CounterEncoding::Le64);
}

/// A G3/G4 host only lends the value, so the bridge of a G5/G6 handler reads the key: the
/// handler gets the key's value at that moment, and `on-delete` when the key is gone.
#[test]
fn a_g5_handler_on_a_g3_host_gets_the_keys_current_value_or_a_delete() {
    let store = common::store_dir();
    let root = store.path();
    let bytes = guest(Generation::G5);
    Backend::dir(root).write("inbox", "greeting", b"newer").unwrap();
    let stale = Event::Set { bucket: "inbox".into(), key: "greeting".into(), value: b"older".to_vec() };
    notify("guest", &bytes, &options(root, Generation::G3, CounterEncoding::Decimal, false), &stale).unwrap();
    assert_eq!(read(root, "seen:greeting").as_deref(), Some(&b"newer"[..]));

    let gone = Event::Set { bucket: "inbox".into(), key: "vanished".into(), value: b"x".to_vec() };
    notify("guest", &bytes, &options(root, Generation::G3, CounterEncoding::Decimal, false), &gone).unwrap();
    assert_eq!(read(root, "seen:vanished"), None);
    assert_eq!(read(root, "deleted:vanished").as_deref(), Some(&b"vanished"[..]));
    assert_eq!(read(root, "watch-error"), None);
    assert_eq!(events(root, CounterEncoding::Decimal), Some(2));
}

/// On a G5/G6 host a G2 handler is handed exactly the event's value, even when the key
/// holds another by the time it runs (the G2 guest then reports the difference).
#[test]
fn a_g2_handler_on_a_g5_host_gets_the_events_value() {
    let store = common::store_dir();
    let root = store.path();
    Backend::dir(root).write("inbox", "greeting", b"newer").unwrap();
    let stale = Event::Set { bucket: "inbox".into(), key: "greeting".into(), value: b"older".to_vec() };
    notify("guest", &guest(Generation::G2), &options(root, Generation::G5, CounterEncoding::Decimal, false), &stale).unwrap();
    assert_eq!(read(root, "seen:greeting"), None);
    let fault = String::from_utf8(read(root, "watch-error").expect("the guest saw the difference")).unwrap();
    assert_eq!(fault, "get \"greeting\" did not give the event's value (5 bytes against 5)");
}

#[test]
fn plug_serves_a_legacy_handler_as_the_hosts_watcher_and_adds_no_import() {
    for (source, host) in [(Generation::G1, Generation::G6), (Generation::G2, Generation::G5), (Generation::G4, Generation::G6), (Generation::G6, Generation::G3)] {
        let options = PlugOptions { host, ..PlugOptions::default() };
        let plugged = kv_adapt::plug_named("guest", &guest(source), &options).unwrap();
        let surface = kv_adapt::surface("plugged", &plugged.component).unwrap();
        assert_eq!(surface.exports, vec![host.watch_export().to_string()], "{source:?} on {host:?}");
        let generations = surface.imported_generations();
        assert_eq!(generations, vec![host], "{source:?} on {host:?}: imports {:?}", surface.imports);
        let plan = plugged.plan.to_string();
        // A G2 plan goes on to say why it is not fused (the handler's types).
        assert!(plan.contains(&format!("; {} served as {} by watch-{}-on-{}", source.watch_export(), host.watch_export(), source.id().to_lowercase(), host.id().to_lowercase())), "{plan}");
    }
}

#[test]
fn notify_refuses_a_component_without_a_handler_in_one_line() {
    let store = common::store_dir();
    let conformance = std::fs::read(common::G5_CONFORMANCE).unwrap();
    let set = Event::Set { bucket: "inbox".into(), key: "k".into(), value: b"v".to_vec() };
    let error = notify("guest", &conformance, &options(store.path(), Generation::G5, CounterEncoding::Decimal, true), &set)
        .err()
        .expect("no handler to call");
    let text = format!("{error:#}");
    assert_eq!(text, "guest exports no watch handler (wasi:keyvalue/watcher@0.2.0-draft on a G5 host); it cannot be notified");
    assert_eq!(read(store.path(), "k"), None, "nothing was written for a component that cannot be notified");
}
