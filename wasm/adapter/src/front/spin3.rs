//! Serves Spin 4's `spin:key-value@3.0.0` (WASI 0.3: every function `async`, `get-keys` a
//! stream) to a guest over a synchronous wasi:keyvalue host: G5 (wasmtime, wasmCloud), G6
//! or Spin's draft2 (through the G6 back: this front calls no `batch`), or G2, G3, G4 (what
//! those backs lose is in `back/g2.rs` and `back/eventual.rs`).
//!
//! The exports are async-lifted (wit-bindgen's async support); each one but `get-keys`
//! makes its host call synchronously and returns, so a guest's concurrent calls are
//! answered one after the other, in the order they reach the adapter. No export keeps a
//! reference into the adapter's state across an `await`.
//!
//! Lossy or differing from Spin 4's own host:
//! - A store label is a bucket name (`--bucket LABEL=BUCKET` renames one). Spin refuses a
//!   label its manifest does not allow (`access-denied`); here the host decides, and a
//!   label it does not know is its `no-such-store`. `store-table-full` is never raised:
//!   every store of one label shares the host bucket opened the first time.
//! - `get-keys` returns at once; a task of the adapter then feeds the stream page by page
//!   from the host's `list-keys` (one page in flight: the next is asked for when the guest
//!   has read this one) and resolves the future to `ok` after the last page. A host failure
//!   on a page ends the stream there (the keys already read stay read) and resolves the
//!   future to the failure. A guest that drops the stream early stops the listing; the
//!   future then resolves to `ok`.
//! - Errors: the host's `no-such-store`, `access-denied` and `other(text)` are the same
//!   variants here and pass through unchanged.

use alloc::string::String;
use alloc::vec::Vec;

use crate::back::{self, Failure};
use crate::exports::spin::key_value::key_value::{Error, Guest, GuestStore, Store};
use crate::{failure_trace, record_error, state, wit_future, wit_stream, Adapter};
use wit_bindgen::{FutureReader, StreamReader};

/// The host's failure as Spin's error: the same three cases, and never `store-table-full`.
fn from_host(f: Failure, label: &str) -> Error {
    record_error(&failure_trace(&f, label));
    match f {
        Failure::NoSuchStore => Error::NoSuchStore,
        Failure::AccessDenied => Error::AccessDenied,
        Failure::Other(text) => Error::Other(text),
    }
}

/// The `store` resource: an index in `opened`, which only grows, so it stays valid for the
/// adapter's lifetime.
pub struct StoreRep(usize);

/// Runs `op` on the host bucket of `store`, mapping a failure to Spin's error.
fn on_store<R>(store: &StoreRep, op: impl FnOnce(&back::HostBucket) -> Result<R, Failure>) -> Result<R, Error> {
    let o = &state().opened[store.0];
    op(&o.bucket).map_err(|e| from_host(e, &o.name))
}

impl Guest for Adapter {
    type Store = StoreRep;
}

impl GuestStore for StoreRep {
    async fn open(label: String) -> Result<Store, Error> {
        match state().open_raw(&label) {
            Ok(i) => Ok(Store::new(StoreRep(i))),
            Err(e) => Err(from_host(e, &label)),
        }
    }

    async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        on_store(self, |b| back::get(b, &key))
    }

    async fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        on_store(self, |b| back::set(b, &key, &value))
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        on_store(self, |b| back::delete(b, &key))
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        on_store(self, |b| back::exists(b, &key))
    }

    async fn get_keys(&self) -> (StreamReader<String>, FutureReader<Result<(), Error>>) {
        let (mut keys, keys_read) = wit_stream::new::<String>();
        // Sent only if the task below is dropped before it writes (never: it runs to its end).
        let (end, end_read) = wit_future::new::<Result<(), Error>>(|| Err(Error::Other(String::from("the listing was abandoned"))));
        let store = self.0;
        wit_bindgen::spawn_local(async move {
            let mut cursor: Option<back::Cursor> = None;
            let outcome = loop {
                let page = on_store(&StoreRep(store), |b| back::page(b, cursor.as_ref()));
                let page = match page {
                    Ok(page) => page,
                    Err(e) => break Err(e),
                };
                // What `write_all` hands back was not read: the guest dropped the stream.
                if !keys.write_all(page.keys).await.is_empty() {
                    break Ok(());
                }
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break Ok(()),
                }
            };
            drop(keys);
            // A guest that dropped the future does not want the outcome.
            let _ = end.write(outcome).await;
        });
        (keys_read, end_read)
    }
}
