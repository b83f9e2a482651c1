//! Serves Spin's own `fermyon:spin/key-value@2.0.0` (spin-sdk's `key_value::Store`, Spin
//! 2.0 to 4.x) to a guest over a wasi:keyvalue host: G5 (wasmtime, wasmCloud 1.x), G6, or
//! G2, G3 or G4 (what those backs lose is in `back/g2.rs` and `back/eventual.rs`).
//!
//! Lossy or differing from Spin's own host (`crates/factor-key-value/src/host.rs`):
//! - A store label is a bucket name. Spin refuses a label its manifest does not allow
//!   (`access-denied`); here the host decides, and a label it does not know is its
//!   `no-such-store`. `--bucket LABEL=BUCKET` (the config component) renames one, so
//!   `default` can be wasmtime's only bucket, `""`.
//! - `store-table-full` is never raised: Spin caps its table of open stores, but here every
//!   store of one label shares the host bucket opened the first time, kept for the
//!   adapter's lifetime, so dropping a store closes nothing on the host.
//! - `get-keys` answers one list, gathered page by page from the host's cursor; a host
//!   failure on any page fails the whole call, and nothing is returned.
//! - Errors: the host's `no-such-store`, `access-denied` and `other(text)` are the same
//!   variants here and pass through unchanged.

use alloc::string::String;
use alloc::vec::Vec;

use crate::back::{self, Failure};
use crate::exports::fermyon::spin2_0_0::key_value::{Error, Guest, GuestStore, Store};
use crate::{failure_trace, record_error, state, Adapter, Opened, State};

/// The host's failure as Spin's error: the same three cases, and never `store-table-full`.
fn from_host(f: Failure, label: &str) -> Error {
    record_error(&failure_trace(&f, label));
    match f {
        Failure::NoSuchStore => Error::NoSuchStore,
        Failure::AccessDenied => Error::AccessDenied,
        Failure::Other(text) => Error::Other(text),
    }
}

/// The `store` resource: an index in `opened`.
pub struct StoreRep(usize);

fn opened<'s>(st: &'s State, store: &StoreRep) -> &'s Opened {
    &st.opened[store.0]
}

impl Guest for Adapter {
    type Store = StoreRep;
}

impl GuestStore for StoreRep {
    fn open(label: String) -> Result<Store, Error> {
        match state().open_raw(&label) {
            Ok(i) => Ok(Store::new(StoreRep(i))),
            Err(e) => Err(from_host(e, &label)),
        }
    }

    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        let o = opened(state(), self);
        back::get(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        let o = opened(state(), self);
        back::set(&o.bucket, &key, &value).map_err(|e| from_host(e, &o.name))
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        let o = opened(state(), self);
        back::delete(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        let o = opened(state(), self);
        back::exists(&o.bucket, &key).map_err(|e| from_host(e, &o.name))
    }

    fn get_keys(&self) -> Result<Vec<String>, Error> {
        let o = opened(state(), self);
        back::every_key(&o.bucket).map_err(|e| from_host(e, &o.name))
    }
}
