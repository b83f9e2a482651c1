//! The watch bridge: serves a guest's watch handler to a host of another generation. It
//! holds no state: for each event it asks the guest's adapter
//! (`kv-adapt:components/watch-<front>-on-<back>`) for a bucket of the guest's generation
//! wrapping the host's bucket, and calls the guest. The adapter cannot do this itself,
//! because the guest imports it.
//!
//! A legacy handler (`handle-watch`: G1 plain, G2 unversioned, G3 `@0.1.0`, G4 `@0.2.0-draft`) on a
//! host of today (`watcher`, G5 `@0.2.0-draft`, G6 `@0.2.0-draft2`); lossy or differing:
//! - G1 (plain `handle-watch`) and G2: the guest owns the bucket and incoming-value handles
//!   it is given, as G1 and G2 say.
//! - G3/G4: the value is lent (`borrow<incoming-value>`), and the consume functions take
//!   ownership, so a handler can only ask its size; to read the bytes it `get`s the key,
//!   which may already hold a newer value. The bridge drops the value after the call.
//! - The value crosses twice (host to bridge, bridge to adapter), a copy each.
//!
//! A handler of today (`watcher`) on another host, G2, G3, G4 (`handle-watch`) or the other
//! of G5/G6 (`watcher`); lossy or differing:
//! - G2: the bridge consumes the value the host hands over and drops it. If consuming
//!   fails (a host error) the guest is not called: there are no bytes to give it.
//! - G3/G4: the host only lends the value, so the bridge reads the key with `get`: the
//!   guest gets the key's value at that moment, which may be newer than the event's. If
//!   the key is gone by then, the guest gets `on-delete` instead (the latest state); if
//!   `get` fails, the guest is not called.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

// The adapter's allocator, a few hundred bytes against std's 8 KB.
#[cfg(target_arch = "wasm32")]
#[path = "../../adapter/src/heap.rs"]
mod heap;

/// Nothing here checks a guest's input, so a panic is a broken invariant: a bare trap.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

wit_bindgen::generate!({
    path: ["../../wit/kv-adapt", concat!(env!("OUT_DIR"), "/world")],
    world: "kv-adapt:build/bridge",
    generate_all,
});

// The handler the guest exports (imported here) ...
#[cfg(feature = "front-g1")]
use handle_watch as guest;
#[cfg(feature = "front-g2")]
use wasi::keyvalue::handle_watch as guest;
#[cfg(feature = "front-g3")]
use wasi::keyvalue0_1_0::handle_watch as guest;
#[cfg(feature = "front-g4")]
use wasi::keyvalue0_2_0_draft::handle_watch as guest;
#[cfg(feature = "front-g5")]
use wasi::keyvalue0_2_0_draft::watcher as guest;
#[cfg(feature = "front-g6")]
use wasi::keyvalue0_2_0_draft2::watcher as guest;

// ... and the one the host calls (exported here).
#[cfg(feature = "back-g2")]
use exports::wasi::keyvalue::handle_watch as host;
#[cfg(feature = "back-g3")]
use exports::wasi::keyvalue0_1_0::handle_watch as host;
#[cfg(feature = "back-g4")]
use exports::wasi::keyvalue0_2_0_draft::handle_watch as host;
#[cfg(feature = "back-g5")]
use exports::wasi::keyvalue0_2_0_draft::watcher as host;
#[cfg(feature = "back-g6")]
use exports::wasi::keyvalue0_2_0_draft2::watcher as host;

macro_rules! adapter_interface {
    ($($front:literal $back:literal $module:ident;)*) => {
        $(
            #[cfg(all(feature = $front, feature = $back))]
            use kv_adapt::components::$module as adapter;
        )*
    };
}

adapter_interface! {
    "front-g1" "back-g5" watch_g1_on_g5;
    "front-g1" "back-g6" watch_g1_on_g6;
    "front-g2" "back-g5" watch_g2_on_g5;
    "front-g2" "back-g6" watch_g2_on_g6;
    "front-g3" "back-g5" watch_g3_on_g5;
    "front-g3" "back-g6" watch_g3_on_g6;
    "front-g4" "back-g5" watch_g4_on_g5;
    "front-g4" "back-g6" watch_g4_on_g6;
    "front-g5" "back-g2" watch_g5_on_g2;
    "front-g5" "back-g3" watch_g5_on_g3;
    "front-g5" "back-g4" watch_g5_on_g4;
    "front-g5" "back-g6" watch_g5_on_g6;
    "front-g6" "back-g2" watch_g6_on_g2;
    "front-g6" "back-g3" watch_g6_on_g3;
    "front-g6" "back-g4" watch_g6_on_g4;
    "front-g6" "back-g5" watch_g6_on_g5;
}

struct Bridge;

export!(Bridge);

/// Hands the guest a set event with the bytes in hand, in the guest's own shape.
fn deliver_set(bucket: adapter_bucket::Host, key: &str, value: Vec<u8>) {
    let bucket = adapter::adopt_bucket(bucket);
    #[cfg(any(feature = "front-g1", feature = "front-g2"))]
    guest::on_set(bucket, key, adapter::new_incoming_value(&value));
    #[cfg(any(feature = "front-g3", feature = "front-g4"))]
    guest::on_set(bucket, key, &adapter::new_incoming_value(&value));
    #[cfg(any(feature = "front-g5", feature = "front-g6"))]
    guest::on_set(bucket, key, &value);
}

fn deliver_delete(bucket: adapter_bucket::Host, key: &str) {
    guest::on_delete(adapter::adopt_bucket(bucket), key);
}

/// The host's bucket type as the adapter takes it.
mod adapter_bucket {
    #[cfg(feature = "back-g2")]
    pub type Host = u32;
    #[cfg(not(feature = "back-g2"))]
    pub type Host = super::host::Bucket;
}

#[cfg(any(feature = "back-g5", feature = "back-g6"))]
impl host::Guest for Bridge {
    fn on_set(bucket: host::Bucket, key: String, value: Vec<u8>) {
        deliver_set(bucket, &key, value);
    }

    fn on_delete(bucket: host::Bucket, key: String) {
        deliver_delete(bucket, &key);
    }
}

#[cfg(feature = "back-g2")]
impl host::Guest for Bridge {
    fn on_set(bucket: u32, key: String, incoming_value: u32) {
        use wasi::keyvalue::{types, wasi_cloud_error};
        let bytes = types::incoming_value_consume_sync(incoming_value);
        types::drop_incoming_value(incoming_value);
        match bytes {
            Ok(bytes) => deliver_set(bucket, &key, bytes),
            Err(error) => {
                wasi_cloud_error::drop_error(error);
                types::drop_bucket(bucket);
            }
        }
    }

    fn on_delete(bucket: u32, key: String) {
        deliver_delete(bucket, &key);
    }
}

#[cfg(any(feature = "back-g3", feature = "back-g4"))]
impl host::Guest for Bridge {
    fn on_set(bucket: host::Bucket, key: String, _lent: &host::IncomingValue) {
        #[cfg(feature = "back-g3")]
        use wasi::keyvalue0_1_0::{eventual, types};
        #[cfg(feature = "back-g4")]
        use wasi::keyvalue0_2_0_draft::{eventual, types};
        match eventual::get(&bucket, &key) {
            Ok(Some(value)) => match types::IncomingValue::incoming_value_consume_sync(value) {
                Ok(bytes) => deliver_set(bucket, &key, bytes),
                Err(_) => {}
            },
            Ok(None) => deliver_delete(bucket, &key),
            Err(_) => {}
        }
    }

    fn on_delete(bucket: host::Bucket, key: String) {
        deliver_delete(bucket, &key);
    }
}
