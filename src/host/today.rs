//! Today's generations served by the embedder: G5 (`wasi:keyvalue@0.2.0-draft`) and G6
//! (`@0.2.0-draft2`) over a [`Backend`], so that `run --store redis://...` serves them from
//! Redis. (On a directory `run` composes the filesystem store component instead; this host
//! follows the same choices, so both read the same data the same way.)
//!
//! - `open`: any name opens; a bucket is its keys (a key prefix on Redis).
//! - `list-keys` pages 1000 keys in byte order. G5's cursor is the index of the next key,
//!   G6's is `after:` + the last key returned; a cursor this host cannot have made is an
//!   error. Each page is one fresh listing of the bucket (on Redis one full SCAN pass), so
//!   paging costs a listing per page and never repeats a key.
//! - `increment` reads the counter in the configured layout (decimal on Redis); a value in
//!   another layout, or a sum that overflows (u64 in G5, s64 in G6), is an error that
//!   leaves the value unchanged.
//! - G6 `cas`: `new` snapshots the value, `swap` writes only if it still equals the
//!   snapshot (WATCH/MULTI/EXEC on Redis: atomic against every client), else `cas-failed`
//!   with a handle on what it found.
//! - `set-many` and `delete-many` stop at the first failure; earlier keys stay written.

use crate::store::backend::Backend;
use kv_adapt_convert::counter::Encoding as CounterEncoding;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};

use kv_adapt_convert::paging::{self, AFTER_PREFIX};

/// Where the data lives and how counters are laid out.
pub struct TodayCtx {
    pub(crate) store: Backend,
    pub(crate) encoding: CounterEncoding,
    listing: Listing,
}

/// How G6's `list-keys` answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// Pages of 1000 keys, as above.
    Pages,
    /// As Spin's host does: every key in one page, never a cursor; a cursor given is an
    /// error.
    OnePage,
}

impl TodayCtx {
    pub fn on(store: Backend, encoding: CounterEncoding) -> TodayCtx {
        TodayCtx { store, encoding, listing: Listing::Pages }
    }

    /// As Spin serves its draft2 ([`crate::host::spin`]): `list-keys` in one page.
    pub fn spin(store: Backend, encoding: CounterEncoding) -> TodayCtx {
        TodayCtx { store, encoding, listing: Listing::OnePage }
    }
}

pub struct TodayView<'a> {
    pub ctx: &'a TodayCtx,
    pub table: &'a mut ResourceTable,
}

pub struct BucketRep {
    name: String,
}

impl BucketRep {
    /// The bucket a watch event happened in, handed to the guest's `watcher`.
    pub fn named(name: &str) -> BucketRep {
        BucketRep { name: name.to_string() }
    }
}

pub struct CasRep {
    bucket: String,
    key: String,
    snapshot: Option<Vec<u8>>,
}

pub(crate) struct HasToday;

impl HasData for HasToday {
    type Data<'a> = TodayView<'a>;
}

/// A backend error as `error::other`: the variant already says `other`.
pub(crate) fn other_text(trace: String) -> String {
    match trace.strip_prefix("other: ") {
        Some(rest) => rest.to_string(),
        None => trace,
    }
}

impl TodayView<'_> {
    pub(crate) fn bucket_name(&self, bucket: &Resource<BucketRep>) -> wasmtime::Result<String> {
        Ok(self.table.get(bucket)?.name.clone())
    }

    /// G5 cursor: the index of the next key.
    fn page_by_index(&self, bucket: &str, cursor: Option<u64>) -> Result<(Vec<String>, Option<u64>), String> {
        let mut keys = self.ctx.store.keys(bucket)?;
        let total = keys.len();
        let start = paging::index_start(total, cursor).ok_or_else(|| {
            format!(
                "list-keys in bucket {bucket:?}: cursor {} is past the end of the bucket's {total} keys \
                 (keys deleted since the last page, or a cursor from elsewhere); list again without a cursor",
                cursor.unwrap_or_default()
            )
        })?;
        let more = paging::cut_page(&mut keys, start);
        let next = start + keys.len();
        Ok((keys, more.then_some(next as u64)))
    }

    /// G6 cursor: `after:` + the last key handed out.
    fn page_after(&self, bucket: &str, cursor: Option<String>) -> Result<(Vec<String>, Option<String>), String> {
        let keys = self.ctx.store.keys(bucket)?;
        after_page(keys, cursor.as_deref()).ok_or_else(|| {
            format!(
                "list-keys in bucket {bucket:?}: cursor {:?} was not made by this host (its cursors start with \
                 {AFTER_PREFIX:?}); list again without a cursor",
                cursor.as_deref().unwrap_or_default()
            )
        })
    }
}

/// The page of the sorted `keys` an `after:` cursor names (`None`: the first), and the
/// cursor of the next page (`after:` + its last key) when keys follow; `None` for a cursor
/// without the prefix. The G6 host and the wasmCloud host page this way. (Host-side only:
/// in `kv_adapt_convert` it would change the shipped adapters' bytes.)
pub(crate) fn after_page(mut keys: Vec<String>, cursor: Option<&str>) -> Option<(Vec<String>, Option<String>)> {
    let start = paging::after_start(&keys, cursor)?;
    let next = match (paging::cut_page(&mut keys, start), keys.last()) {
        (true, Some(last)) => Some(format!("{AFTER_PREFIX}{last}")),
        (true, None) | (false, _) => None,
    };
    Some((keys, next))
}

/// The parts G5 and G6 share word for word; `$kv` names the generated bindings.
macro_rules! today_common {
    ($kv:ident) => {
        use generated::wasi::$kv::{atomics, batch, store};
        use store::Error;

        /// Serves this generation to instances in `linker`.
        pub fn add_to_linker<T: Send + 'static>(linker: &mut Linker<T>, view: fn(&mut T) -> TodayView<'_>) -> wasmtime::Result<()> {
            store::add_to_linker::<T, HasToday>(linker, view)?;
            atomics::add_to_linker::<T, HasToday>(linker, view)?;
            batch::add_to_linker::<T, HasToday>(linker, view)?;
            Ok(())
        }

        type Answer<T> = wasmtime::Result<Result<T, Error>>;

        fn answer<T>(outcome: Result<T, String>) -> Answer<T> {
            Ok(outcome.map_err(|trace| Error::Other(other_text(trace))))
        }

        impl store::Host for TodayView<'_> {
            fn open(&mut self, identifier: String) -> Answer<Resource<BucketRep>> {
                Ok(Ok(self.table.push(BucketRep { name: identifier })?))
            }
        }

        impl store::HostBucket for TodayView<'_> {
            fn get(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<Option<Vec<u8>>> {
                let name = self.bucket_name(&bucket)?;
                answer(self.ctx.store.read(&name, &key))
            }

            fn set(&mut self, bucket: Resource<BucketRep>, key: String, value: Vec<u8>) -> Answer<()> {
                let name = self.bucket_name(&bucket)?;
                answer(self.ctx.store.write(&name, &key, &value))
            }

            fn delete(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<()> {
                let name = self.bucket_name(&bucket)?;
                answer(self.ctx.store.remove(&name, &key))
            }

            fn exists(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<bool> {
                let name = self.bucket_name(&bucket)?;
                answer(self.ctx.store.exists(&name, &key))
            }

            fn list_keys(&mut self, bucket: Resource<BucketRep>, cursor: Option<Cursor>) -> Answer<store::KeyResponse> {
                let name = self.bucket_name(&bucket)?;
                answer(list(self, &name, cursor).map(|(keys, cursor)| store::KeyResponse { keys, cursor }))
            }

            fn drop(&mut self, bucket: Resource<BucketRep>) -> wasmtime::Result<()> {
                self.table.delete(bucket)?;
                Ok(())
            }
        }

        impl batch::Host for TodayView<'_> {
            fn get_many(&mut self, bucket: Resource<BucketRep>, keys: Vec<String>) -> Answer<Vec<Option<(String, Vec<u8>)>>> {
                let name = self.bucket_name(&bucket)?;
                let mut found = Vec::with_capacity(keys.len());
                for key in keys {
                    match self.ctx.store.read(&name, &key) {
                        Ok(value) => found.push(value.map(|v| (key, v))),
                        Err(trace) => return answer(Err(trace)),
                    }
                }
                Ok(Ok(found))
            }

            fn set_many(&mut self, bucket: Resource<BucketRep>, key_values: Vec<(String, Vec<u8>)>) -> Answer<()> {
                let name = self.bucket_name(&bucket)?;
                answer(key_values.iter().try_for_each(|(key, value)| self.ctx.store.write(&name, key, value)))
            }

            fn delete_many(&mut self, bucket: Resource<BucketRep>, keys: Vec<String>) -> Answer<()> {
                let name = self.bucket_name(&bucket)?;
                answer(keys.iter().try_for_each(|key| self.ctx.store.remove(&name, key)))
            }
        }
    };
}

pub mod g5 {
    use super::*;

    mod generated {
        wasmtime::component::bindgen!({
            path: "wit/kv-adapt",
            world: "wasi:keyvalue/imports@0.2.0-draft",
            imports: { default: trappable },
            with: { "wasi:keyvalue/store@0.2.0-draft.bucket": crate::host::today::BucketRep },
        });
    }

    type Cursor = u64;

    fn list(view: &TodayView<'_>, bucket: &str, cursor: Option<u64>) -> Result<(Vec<String>, Option<u64>), String> {
        view.page_by_index(bucket, cursor)
    }

    today_common!(keyvalue0_2_0_draft);

    impl atomics::Host for TodayView<'_> {
        fn increment(&mut self, bucket: Resource<BucketRep>, key: String, delta: u64) -> Answer<u64> {
            let name = self.bucket_name(&bucket)?;
            answer(self.ctx.store.increment(self.ctx.encoding, &name, &key, delta))
        }
    }
}

pub mod g6 {
    use super::*;

    mod generated {
        wasmtime::component::bindgen!({
            path: "wit/kv-adapt",
            world: "wasi:keyvalue/imports@0.2.0-draft2",
            imports: { default: trappable },
            with: {
                "wasi:keyvalue/store@0.2.0-draft2.bucket": crate::host::today::BucketRep,
                "wasi:keyvalue/atomics@0.2.0-draft2.cas": crate::host::today::CasRep,
            },
        });
    }

    type Cursor = String;

    fn list(view: &TodayView<'_>, bucket: &str, cursor: Option<String>) -> Result<(Vec<String>, Option<String>), String> {
        match (view.ctx.listing, cursor) {
            (Listing::Pages, cursor) => view.page_after(bucket, cursor),
            (Listing::OnePage, None) => Ok((view.ctx.store.keys(bucket)?, None)),
            (Listing::OnePage, Some(cursor)) => Err(format!(
                "list-keys in bucket {bucket:?}: this host (as Spin's) answers every key in one page and takes no cursor, \
                 and {cursor:?} was given; list again without one"
            )),
        }
    }

    /// Spin's draft2 ([`crate::host::spin`]): this module's `store` and `atomics`, which are
    /// Spin's type for type, and Spin's `batch`, whose `get-many` pairs each key with its
    /// value or `none`, in the order asked (Spin's own SQLite store leaves a missing key
    /// out instead; this host keeps to Spin's WIT).
    pub fn add_spin_to_linker<T: Send + 'static>(linker: &mut Linker<T>, view: fn(&mut T) -> TodayView<'_>) -> wasmtime::Result<()> {
        use wasmtime::StoreContextMut;
        store::add_to_linker::<T, HasToday>(linker, view)?;
        atomics::add_to_linker::<T, HasToday>(linker, view)?;
        let mut spin_batch = linker.instance("wasi:keyvalue/batch@0.2.0-draft2")?;
        spin_batch.func_wrap(
            "get-many",
            move |mut cx: StoreContextMut<'_, T>, (bucket, keys): (Resource<BucketRep>, Vec<String>)| {
                let view = view(cx.data_mut());
                let name = view.bucket_name(&bucket)?;
                let mut found: Vec<(String, Option<Vec<u8>>)> = Vec::with_capacity(keys.len());
                for key in keys {
                    match view.ctx.store.read(&name, &key) {
                        Ok(value) => found.push((key, value)),
                        Err(trace) => return Ok((Err(Error::Other(other_text(trace))),)),
                    }
                }
                Ok((Ok(found),))
            },
        )?;
        spin_batch.func_wrap(
            "set-many",
            move |mut cx: StoreContextMut<'_, T>, (bucket, key_values): (Resource<BucketRep>, Vec<(String, Vec<u8>)>)| {
                let mut view = view(cx.data_mut());
                Ok((batch::Host::set_many(&mut view, bucket, key_values)?,))
            },
        )?;
        spin_batch.func_wrap(
            "delete-many",
            move |mut cx: StoreContextMut<'_, T>, (bucket, keys): (Resource<BucketRep>, Vec<String>)| {
                let mut view = view(cx.data_mut());
                Ok((batch::Host::delete_many(&mut view, bucket, keys)?,))
            },
        )?;
        Ok(())
    }

    today_common!(keyvalue0_2_0_draft2);
    use atomics::CasError;

    impl atomics::Host for TodayView<'_> {
        fn increment(&mut self, bucket: Resource<BucketRep>, key: String, delta: i64) -> Answer<i64> {
            let name = self.bucket_name(&bucket)?;
            answer(self.ctx.store.increment_signed(self.ctx.encoding, &name, &key, delta))
        }

        fn swap(&mut self, cas: Resource<CasRep>, value: Vec<u8>) -> wasmtime::Result<Result<(), CasError>> {
            // `swap` takes the cas handle: it ends here whatever happens.
            let CasRep { bucket, key, snapshot } = self.table.delete(cas)?;
            match self.ctx.store.swap_if(&bucket, &key, snapshot.as_deref(), &value) {
                Ok(Ok(())) => Ok(Ok(())),
                Ok(Err(found)) => {
                    let fresh = self.table.push(CasRep { bucket, key, snapshot: found })?;
                    Ok(Err(CasError::CasFailed(fresh)))
                }
                Err(trace) => Ok(Err(CasError::StoreError(Error::Other(other_text(trace))))),
            }
        }
    }

    impl atomics::HostCas for TodayView<'_> {
        fn new(&mut self, bucket: Resource<BucketRep>, key: String) -> Answer<Resource<CasRep>> {
            let name = self.bucket_name(&bucket)?;
            match self.ctx.store.read(&name, &key) {
                Ok(snapshot) => Ok(Ok(self.table.push(CasRep { bucket: name, key, snapshot })?)),
                Err(trace) => answer(Err(trace)),
            }
        }

        fn current(&mut self, cas: Resource<CasRep>) -> Answer<Option<Vec<u8>>> {
            Ok(Ok(self.table.get(&cas)?.snapshot.clone()))
        }

        fn drop(&mut self, cas: Resource<CasRep>) -> wasmtime::Result<()> {
            self.table.delete(cas)?;
            Ok(())
        }
    }
}
