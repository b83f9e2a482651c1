//! kv-adapt's Spin host (`--host spin`): what Spin 3.0 to 4.x serves a WASI 0.2 component,
//! over a [`crate::store::backend::Backend`] (a directory or Redis):
//!
//! - Spin's `wasi:keyvalue@0.2.0-draft2`: the G6 host's `store` and `atomics`
//!   ([`crate::host::today`]), with `list-keys` as Spin answers it (every key in one page,
//!   a cursor refused), and Spin's `batch`, whose `get-many` pairs each key with its value
//!   or `none` ([`crate::host::today::g6::add_spin_to_linker`]).
//! - `fermyon:spin/key-value@2.0.0` (spin-sdk's `key_value::Store`), below;
//! - Spin 1.x's unversioned `fermyon:spin/key-value`: u32 stores (the rep of a table entry,
//!   so a closed or made-up handle is `invalid-store`), `no-such-key` for a missing key,
//!   `io(text)` for a store failure, `close`.
//!
//! A store label is a bucket, in both interfaces: `open("default")` of either reads and
//! writes the same keys, as in Spin, where both open the stores the app's manifest names.
//! kv-adapt has no manifest, so every label opens (as every bucket opens on the G6 host):
//! `access-denied` and `no-such-store` are never given, and nor is `store-table-full` (no
//! limit on open stores beyond `--max-handles`).

use crate::host::today::{other_text, HasToday, TodayView};
use wasmtime::component::{Linker, Resource};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit/kv-adapt",
        world: "kv-adapt:components/spin-host",
        imports: { default: trappable },
        with: { "fermyon:spin/key-value@2.0.0.store": crate::host::spin::StoreRep },
    });
}

use generated::fermyon::spin2_0_0::key_value::{self, Error};
use generated::fermyon::spin::key_value as spin1;

/// An open Spin store: its label, which is the bucket it reads and writes.
pub struct StoreRep {
    label: String,
}

/// Serves Spin's draft2 and `fermyon:spin/key-value@2.0.0` to instances in `linker`.
pub fn add_to_linker<T: Send + 'static>(linker: &mut Linker<T>, view: fn(&mut T) -> TodayView<'_>) -> wasmtime::Result<()> {
    crate::host::today::g6::add_spin_to_linker(linker, view)?;
    key_value::add_to_linker::<T, HasToday>(linker, view)?;
    spin1::add_to_linker::<T, HasToday>(linker, view)?;
    // Spin 4 serves its WASI 0.3 interface beside the others, over the same stores.
    crate::host::spin3::add_to_linker(linker, view)?;
    Ok(())
}

type Answer<T> = wasmtime::Result<Result<T, Error>>;

/// A backend failure as Spin's `other`, whose text the variant already names.
fn answer<T>(outcome: Result<T, String>) -> Answer<T> {
    Ok(outcome.map_err(|trace| Error::Other(other_text(trace))))
}

impl TodayView<'_> {
    fn label(&self, store: &Resource<StoreRep>) -> wasmtime::Result<String> {
        Ok(self.table.get(store)?.label.clone())
    }
}

impl key_value::Host for TodayView<'_> {}

impl key_value::HostStore for TodayView<'_> {
    fn open(&mut self, label: String) -> Answer<Resource<StoreRep>> {
        Ok(Ok(self.table.push(StoreRep { label })?))
    }

    fn get(&mut self, store: Resource<StoreRep>, key: String) -> Answer<Option<Vec<u8>>> {
        let label = self.label(&store)?;
        answer(self.ctx.store.read(&label, &key))
    }

    fn set(&mut self, store: Resource<StoreRep>, key: String, value: Vec<u8>) -> Answer<()> {
        let label = self.label(&store)?;
        answer(self.ctx.store.write(&label, &key, &value))
    }

    fn delete(&mut self, store: Resource<StoreRep>, key: String) -> Answer<()> {
        let label = self.label(&store)?;
        answer(self.ctx.store.remove(&label, &key))
    }

    fn exists(&mut self, store: Resource<StoreRep>, key: String) -> Answer<bool> {
        let label = self.label(&store)?;
        answer(self.ctx.store.exists(&label, &key))
    }

    fn get_keys(&mut self, store: Resource<StoreRep>) -> Answer<Vec<String>> {
        let label = self.label(&store)?;
        answer(self.ctx.store.keys(&label))
    }

    fn drop(&mut self, store: Resource<StoreRep>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

/// A store of Spin 1.x's interface, whose handle is the rep of its table entry.
struct Spin1Store {
    name: String,
}

type Spin1Answer<T> = wasmtime::Result<Result<T, spin1::Error>>;

fn spin1_answer<T>(outcome: Result<T, String>) -> Spin1Answer<T> {
    Ok(outcome.map_err(|trace| spin1::Error::Io(other_text(trace))))
}

impl TodayView<'_> {
    /// The store name behind a Spin 1 handle; `None` for one never given out or closed.
    fn spin1_name(&self, store: u32) -> Option<String> {
        self.table.get(&Resource::<Spin1Store>::new_own(store)).ok().map(|s| s.name.clone())
    }
}

impl spin1::Host for TodayView<'_> {
    fn open(&mut self, name: String) -> Spin1Answer<u32> {
        Ok(Ok(self.table.push(Spin1Store { name })?.rep()))
    }

    fn get(&mut self, store: u32, key: String) -> Spin1Answer<Vec<u8>> {
        let Some(name) = self.spin1_name(store) else { return Ok(Err(spin1::Error::InvalidStore)) };
        match self.ctx.store.read(&name, &key) {
            Ok(Some(value)) => Ok(Ok(value)),
            Ok(None) => Ok(Err(spin1::Error::NoSuchKey)),
            Err(trace) => spin1_answer(Err(trace)),
        }
    }

    fn set(&mut self, store: u32, key: String, value: Vec<u8>) -> Spin1Answer<()> {
        let Some(name) = self.spin1_name(store) else { return Ok(Err(spin1::Error::InvalidStore)) };
        spin1_answer(self.ctx.store.write(&name, &key, &value))
    }

    fn delete(&mut self, store: u32, key: String) -> Spin1Answer<()> {
        let Some(name) = self.spin1_name(store) else { return Ok(Err(spin1::Error::InvalidStore)) };
        spin1_answer(self.ctx.store.remove(&name, &key))
    }

    fn exists(&mut self, store: u32, key: String) -> Spin1Answer<bool> {
        let Some(name) = self.spin1_name(store) else { return Ok(Err(spin1::Error::InvalidStore)) };
        spin1_answer(self.ctx.store.exists(&name, &key))
    }

    fn get_keys(&mut self, store: u32) -> Spin1Answer<Vec<String>> {
        let Some(name) = self.spin1_name(store) else { return Ok(Err(spin1::Error::InvalidStore)) };
        spin1_answer(self.ctx.store.keys(&name))
    }

    fn close(&mut self, store: u32) -> wasmtime::Result<()> {
        // Closing a handle that is not open has no effect (Spin 1's WIT). The type is
        // checked first: `delete` would remove an entry of another type before saying so.
        if self.spin1_name(store).is_some() {
            self.table.delete(Resource::<Spin1Store>::new_own(store))?;
        }
        Ok(())
    }
}
