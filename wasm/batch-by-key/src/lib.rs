//! Upstream G6 `batch` (`wasi:keyvalue/batch@0.2.0-draft2`) served key by key over the
//! host's G6 `store`, for Spin's draft2 (`spin-draft2`), whose `batch.get-many` has another
//! type under the same name. Spin's `store` and `atomics` are upstream's type for type, so a
//! plug onto Spin imports those from the host and takes `batch` from here: what it imports
//! is Spin's shape, and a host that serves no `batch` at all serves it as well.
//!
//! Lossy: none in what a guest sees. Upstream says batch operations are not atomic, and
//! these are not either: `set-many` and `delete-many` stop at the first failing key, with
//! the keys before it written or deleted, and that key's error is the answer. Each key is
//! one host call, where the host's own batch (which this does not use) might make one.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

#[cfg(target_arch = "wasm32")]
#[path = "../../adapter/src/heap.rs"]
mod heap;

/// No input of the guest is checked here, so a panic is a broken invariant: a bare trap.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

use alloc::string::String;
use alloc::vec::Vec;

wit_bindgen::generate!({
    path: concat!(env!("OUT_DIR"), "/wit"),
    world: "kv-adapt:batch-by-key/batch-g6-on-spin-draft2",
    generate_all,
});

use exports::wasi::keyvalue::batch::Guest;
use wasi::keyvalue::store::{Bucket, Error};

struct BatchByKey;

impl Guest for BatchByKey {
    fn get_many(bucket: &Bucket, keys: Vec<String>) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            let value = bucket.get(&key)?;
            found.push(value.map(|value| (key, value)));
        }
        Ok(found)
    }

    fn set_many(bucket: &Bucket, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        key_values.iter().try_for_each(|(key, value)| bucket.set(key, value))
    }

    fn delete_many(bucket: &Bucket, keys: Vec<String>) -> Result<(), Error> {
        keys.iter().try_for_each(|key| bucket.delete(key))
    }
}

export!(BatchByKey);
