//! kv-adapt's host of Spin 4's `spin:key-value@3.0.0`, the key-value Spin serves a WASI 0.3
//! component (spin-sdk 7's `key_value::Store`), over a [`crate::store::backend::Backend`].
//!
//! Every function is `async` in the WIT, so wasmtime serves each as a concurrent host
//! function, as Spin does: a WASI 0.3 caller may have several in flight. Our backends answer
//! at once, so each call completes when it is first polled.
//!
//! - A label is a bucket, as in `--host spin`'s other interfaces: `open("default")` here
//!   reads and writes what `fermyon:spin/key-value@2.0.0` and Spin's draft2 see under
//!   `default`. Every label opens (kv-adapt has no manifest), so `no-such-store`,
//!   `access-denied` and `store-table-full` are never given.
//! - `get-keys` streams every key of the store in byte order and then resolves its future to
//!   `ok`; a failed listing streams nothing and resolves the future to the failure.
//! - A backend failure is `other` with the backend's words.

use crate::host::today::{other_text, HasToday, TodayView};
use wasmtime::component::{Accessor, FutureReader, Linker, Resource, StreamReader};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit/kv-adapt",
        world: "kv-adapt:components/spin3-host",
        imports: { default: trappable },
        with: { "spin:key-value/key-value@3.0.0.store": crate::host::spin3::StoreRep },
    });
}

use generated::spin::key_value::key_value::{self, Error};

/// An open Spin 4 store: its label, which is the bucket it reads and writes.
pub struct StoreRep {
    label: String,
}

/// Serves `spin:key-value@3.0.0` to instances in `linker`.
pub fn add_to_linker<T: Send + 'static>(linker: &mut Linker<T>, view: fn(&mut T) -> TodayView<'_>) -> wasmtime::Result<()> {
    key_value::add_to_linker::<T, HasToday>(linker, view)
}

type Answer<T> = wasmtime::Result<Result<T, Error>>;

/// A backend failure as Spin's `other`, whose text the variant already names.
fn answer<T>(outcome: Result<T, String>) -> Answer<T> {
    Ok(outcome.map_err(|trace| Error::Other(other_text(trace))))
}

/// Runs `op` on the bucket behind `store`, in the store's data.
fn on_label<T, R>(
    accessor: &Accessor<T, HasToday>,
    store: &Resource<StoreRep>,
    op: impl FnOnce(&TodayView<'_>, &str) -> Result<R, String>,
) -> Answer<R> {
    accessor.with(|mut access| {
        let view = access.get();
        let label = view.table.get(store)?.label.clone();
        answer(op(&view, &label))
    })
}

impl key_value::Host for TodayView<'_> {}

impl key_value::HostStore for TodayView<'_> {
    fn drop(&mut self, store: Resource<StoreRep>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

impl<T> key_value::HostStoreWithStore<T> for HasToday {
    async fn open(accessor: &Accessor<T, Self>, label: String) -> Answer<Resource<StoreRep>> {
        accessor.with(|mut access| Ok(Ok(access.get().table.push(StoreRep { label })?)))
    }

    async fn get(accessor: &Accessor<T, Self>, store: Resource<StoreRep>, key: String) -> Answer<Option<Vec<u8>>> {
        on_label(accessor, &store, |view, label| view.ctx.store.read(label, &key))
    }

    async fn set(accessor: &Accessor<T, Self>, store: Resource<StoreRep>, key: String, value: Vec<u8>) -> Answer<()> {
        on_label(accessor, &store, |view, label| view.ctx.store.write(label, &key, &value))
    }

    async fn delete(accessor: &Accessor<T, Self>, store: Resource<StoreRep>, key: String) -> Answer<()> {
        on_label(accessor, &store, |view, label| view.ctx.store.remove(label, &key))
    }

    async fn exists(accessor: &Accessor<T, Self>, store: Resource<StoreRep>, key: String) -> Answer<bool> {
        on_label(accessor, &store, |view, label| view.ctx.store.exists(label, &key))
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        store: Resource<StoreRep>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), Error>>)> {
        let listed = on_label(accessor, &store, |view, label| view.ctx.store.keys(label))?;
        let (keys, end) = match listed {
            Ok(keys) => (keys, Ok(())),
            Err(error) => (Vec::new(), Err(error)),
        };
        accessor.with(|mut access| {
            let stream = StreamReader::new(&mut access, keys)?;
            let future = FutureReader::new(&mut access, async move { wasmtime::error::Ok(end) })?;
            Ok((stream, future))
        })
    }
}
