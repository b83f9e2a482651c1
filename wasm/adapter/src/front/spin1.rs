//! Serves Spin 1.x's `fermyon:spin/key-value` (unversioned: u32 stores, `close`, a missing
//! key an error; Spin still serves it) to a guest over a wasi:keyvalue host: G5, G6, or G2,
//! G3 or G4 (what those backs lose is in `back/g2.rs` and `back/eventual.rs`).
//!
//! Lossy or differing from Spin's own host (`crates/factor-key-value/src/host.rs`):
//! - A store name is a bucket name; Spin refuses a name its manifest does not allow
//!   (`access-denied`), here the host decides. `--bucket NAME=BUCKET` renames one.
//! - A store handle is the adapter's own (kind, slot generation and index: a closed or
//!   made-up handle is `invalid-store`, never a trap). Every store of one name shares the
//!   host bucket opened the first time, kept for the adapter's lifetime, so `close` frees
//!   the handle only. `store-table-full` is given when the adapter's table of open stores
//!   is full (about a million) or out of memory.
//! - `get` of a missing key is `no-such-key`, as Spin 1 documents; `get-keys` is one list,
//!   gathered page by page from the host's cursor.
//! - The host's `no-such-store` and `access-denied` pass through; its `other(text)` is
//!   Spin 1's `io(text)`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::back::{self, Failure};
use crate::exports::fermyon::spin::key_value::{Error, Guest, Store};
use crate::{failure_trace, record_error, state, Adapter, Opened};

/// The host's failure as Spin 1's error.
fn from_host(f: Failure, name: &str) -> Error {
    record_error(&failure_trace(&f, name));
    match f {
        Failure::NoSuchStore => Error::NoSuchStore,
        Failure::AccessDenied => Error::AccessDenied,
        Failure::Other(text) => Error::Io(text),
    }
}

/// The open store behind `store`, or `invalid-store` (with a trace saying which handle).
fn opened(store: Store) -> Result<&'static Opened, Error> {
    let st = state();
    match st.spin1_stores.get(store) {
        Ok(&i) => Ok(&st.opened[i]),
        Err(_) => {
            record_error(&alloc::format!("invalid-store: store handle {store} was never opened or has been closed"));
            Err(Error::InvalidStore)
        }
    }
}

impl Guest for Adapter {
    fn open(name: String) -> Result<Store, Error> {
        let st = state();
        let i = st.open_raw(&name).map_err(|e| from_host(e, &name))?;
        st.spin1_stores.insert(i).map_err(|_| {
            record_error("store-table-full: the adapter holds as many open stores as it can; close some");
            Error::StoreTableFull
        })
    }

    fn get(store: Store, key: String) -> Result<Vec<u8>, Error> {
        let o = opened(store)?;
        match back::get(&o.bucket, &key).map_err(|e| from_host(e, &o.name))? {
            Some(value) => Ok(value),
            None => Err(Error::NoSuchKey),
        }
    }

    fn set(store: Store, key: String, value: Vec<u8>) -> Result<(), Error> {
        let o = opened(store)?;
        back::set(&o.bucket, &key, &value).map_err(|e| from_host(e, &o.name))
    }

    fn delete(store: Store, key: String) -> Result<(), Error> {
        let o = opened(store)?;
        back::delete(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    fn exists(store: Store, key: String) -> Result<bool, Error> {
        let o = opened(store)?;
        back::exists(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    fn get_keys(store: Store) -> Result<Vec<String>, Error> {
        let o = opened(store)?;
        back::every_key(&o.bucket).map_err(|e| from_host(e, &o.name))
    }

    fn close(store: Store) {
        // Spin 1: closing a handle that is not open has no effect.
        let _ = state().spin1_stores.remove(store);
    }
}
