//! kv-adapt's host of wasmCloud 2's `wasmcloud:keyvalue@0.2.0`, the key-value wasmCloud
//! serves a WASI 0.3 component, over a [`crate::store::backend::Backend`]. Every function is
//! `async` in the WIT and served as a concurrent host function, as wasmCloud does; our
//! backends answer at once, so each call completes when it is first polled.
//!
//! What this host does where the WIT leaves room, or where our stores cannot do all of it:
//! - `open`: every identifier opens; a bucket is its keys (a key prefix on Redis), the same
//!   data the G5/G6 hosts give under that bucket name.
//! - `set` with `ttl-ms`: refused with `other`, nothing written. Neither store here expires
//!   entries, and the WIT says a host that cannot must refuse a TTL rather than drop it.
//!   `if-not-exists`: written only if the key has no value (atomically, as G6's `swap`),
//!   `precondition-failed` otherwise.
//! - `list-keys`: pages of 1000 keys in byte order, only those starting with `prefix`; the
//!   cursor is `after:` + the last key handed out (as G6's host), so paging neither repeats
//!   nor skips a key that stays put; a cursor this host cannot have made is
//!   `invalid-argument`.
//! - `atomics.increment`: the s64 counter in the layout `--counter` sets (G6's); a value in
//!   another layout, or an overflow, is `other` and leaves the value unchanged.
//! - `cas`: the version of an entry is `sha256:` + the SHA-256 of its value, since neither
//!   store keeps versions ([`kv_adapt_convert::cas_version`]). So `require-version`
//!   catches any change of the value but not a change back (A -> B -> A): on these stores
//!   it is as ABA-prone as `require-value`.
//!   `swap` writes only if the value is still the one the conditions were checked against
//!   (atomic against every client on Redis); a `swap` with no condition is
//!   `invalid-argument`.
//! - `batch`: key by key, stopping at the first failure (earlier keys stay done).
//! - A backend failure is `other` with the backend's words.

use crate::host::today::{other_text, TodayView};
use kv_adapt_convert::cas_version::{self, conditions_hold};
use wasmtime::component::{Accessor, HasData, Linker, Resource};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit/kv-adapt",
        world: "kv-adapt:components/wasmcloud-host",
        imports: { default: trappable },
        with: { "wasmcloud:keyvalue/types@0.2.0.bucket": crate::host::wasmcloud::BucketRep },
    });
}

use generated::wasmcloud::keyvalue::{atomics, batch, cas, store, types};
use types::{Error, KeyResponse, SetOptions};

/// An open wasmCloud bucket: the bucket name it reads and writes.
pub struct BucketRep {
    name: String,
}

impl BucketRep {
    /// The bucket `name`, as `notify` hands one to a watcher.
    pub fn named(name: &str) -> BucketRep {
        BucketRep { name: name.to_string() }
    }
}

/// The marker through which the generated bindings reach [`TodayView`].
pub(crate) struct HasWasmcloud;

impl HasData for HasWasmcloud {
    type Data<'a> = TodayView<'a>;
}

/// Serves `wasmcloud:keyvalue@0.2.0` (types, store, atomics, cas, batch) to instances in
/// `linker`.
pub fn add_to_linker<T: Send + 'static>(linker: &mut Linker<T>, view: fn(&mut T) -> TodayView<'_>) -> wasmtime::Result<()> {
    types::add_to_linker::<T, HasWasmcloud>(linker, view)?;
    store::add_to_linker::<T, HasWasmcloud>(linker, view)?;
    atomics::add_to_linker::<T, HasWasmcloud>(linker, view)?;
    cas::add_to_linker::<T, HasWasmcloud>(linker, view)?;
    batch::add_to_linker::<T, HasWasmcloud>(linker, view)?;
    Ok(())
}

type Answer<T> = wasmtime::Result<Result<T, Error>>;

/// A backend failure as `other`, whose text the variant already names.
fn other(trace: String) -> Error {
    Error::Other(other_text(trace))
}

/// Runs `op` on the bucket behind `bucket`, in the store's data.
fn on_bucket<T, R>(
    accessor: &Accessor<T, HasWasmcloud>,
    bucket: &Resource<BucketRep>,
    op: impl FnOnce(&TodayView<'_>, &str) -> Result<R, Error>,
) -> Answer<R> {
    accessor.with(|mut access| {
        let view = access.get();
        let name = view.table.get(bucket)?.name.clone();
        Ok(op(&view, &name))
    })
}

/// One page of `keys` (sorted, already filtered by prefix) from `cursor` on, and the next
/// cursor; `None` for a cursor this host cannot have made.
pub fn page(keys: Vec<String>, cursor: Option<&str>) -> Option<KeyResponse> {
    crate::host::today::after_page(keys, cursor).map(|(keys, cursor)| KeyResponse { keys, cursor })
}

impl types::Host for TodayView<'_> {}
impl store::Host for TodayView<'_> {}
impl atomics::Host for TodayView<'_> {}
impl cas::Host for TodayView<'_> {}
impl batch::Host for TodayView<'_> {}

impl types::HostBucket for TodayView<'_> {
    fn drop(&mut self, bucket: Resource<BucketRep>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl<T> store::HostWithStore<T> for HasWasmcloud {
    async fn open(accessor: &Accessor<T, Self>, identifier: String) -> Answer<Resource<BucketRep>> {
        accessor.with(|mut access| Ok(Ok(access.get().table.push(BucketRep { name: identifier })?)))
    }
}

impl<T> types::HostBucketWithStore<T> for HasWasmcloud {
    async fn get(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, key: String) -> Answer<Option<Vec<u8>>> {
        on_bucket(accessor, &bucket, |view, name| view.ctx.store.read(name, &key).map_err(other))
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        bucket: Resource<BucketRep>,
        key: String,
        value: Vec<u8>,
        options: Option<SetOptions>,
    ) -> Answer<()> {
        on_bucket(accessor, &bucket, |view, name| {
            let SetOptions { ttl_ms, if_not_exists } = options.unwrap_or(SetOptions { ttl_ms: None, if_not_exists: false });
            if let Some(ttl) = ttl_ms {
                return Err(Error::Other(format!(
                    "set {key:?} in bucket {name:?} with ttl-ms {ttl}: this store ({}) cannot expire entries, so the \
                     value was not written; set it without ttl-ms and delete it yourself",
                    view.ctx.store.describe()
                )));
            }
            if !if_not_exists {
                return view.ctx.store.write(name, &key, &value).map_err(other);
            }
            match view.ctx.store.swap_if(name, &key, None, &value).map_err(other)? {
                Ok(()) => Ok(()),
                Err(_) => Err(Error::PreconditionFailed),
            }
        })
    }

    async fn delete(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, key: String) -> Answer<()> {
        on_bucket(accessor, &bucket, |view, name| view.ctx.store.remove(name, &key).map_err(other))
    }

    async fn exists(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, key: String) -> Answer<bool> {
        on_bucket(accessor, &bucket, |view, name| view.ctx.store.exists(name, &key).map_err(other))
    }

    async fn list_keys(
        accessor: &Accessor<T, Self>,
        bucket: Resource<BucketRep>,
        prefix: Option<String>,
        cursor: Option<String>,
    ) -> Answer<KeyResponse> {
        on_bucket(accessor, &bucket, |view, name| {
            let mut keys = view.ctx.store.keys(name).map_err(other)?;
            if let Some(prefix) = &prefix {
                keys.retain(|k| k.starts_with(prefix.as_str()));
            }
            // The named case for a malformed request; the cursor came from elsewhere.
            page(keys, cursor.as_deref()).ok_or(Error::InvalidArgument)
        })
    }
}

impl<T> atomics::HostWithStore<T> for HasWasmcloud {
    async fn increment(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, key: String, delta: i64) -> Answer<i64> {
        on_bucket(accessor, &bucket, |view, name| view.ctx.store.increment_signed(view.ctx.encoding, name, &key, delta).map_err(other))
    }
}

impl<T> cas::HostWithStore<T> for HasWasmcloud {
    async fn current(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, key: String) -> Answer<Option<cas::Entry>> {
        on_bucket(accessor, &bucket, |view, name| {
            let value = view.ctx.store.read(name, &key).map_err(other)?;
            Ok(value.map(|value| cas::Entry { version: cas_version::of(&value), value }))
        })
    }

    async fn swap(
        accessor: &Accessor<T, Self>,
        bucket: Resource<BucketRep>,
        key: String,
        value: Vec<u8>,
        options: cas::CasOptions,
    ) -> Answer<cas::CasResult> {
        on_bucket(accessor, &bucket, |view, name| {
            let stale = |found: Option<Vec<u8>>| cas::CasResult::Stale(found.map(|value| cas::Entry { version: cas_version::of(&value), value }));
            let current = view.ctx.store.read(name, &key).map_err(other)?;
            let holds = conditions_hold(current.as_deref(), options.require_version.as_deref(), options.require_value.as_deref())
                .map_err(|_| Error::InvalidArgument)?;
            if !holds {
                return Ok(stale(current));
            }
            // Written only if nobody changed the value since the conditions were checked.
            match view.ctx.store.swap_if(name, &key, current.as_deref(), &value).map_err(other)? {
                Ok(()) => Ok(cas::CasResult::Swapped),
                Err(found) => Ok(stale(found)),
            }
        })
    }
}

impl<T> batch::HostWithStore<T> for HasWasmcloud {
    async fn get_many(
        accessor: &Accessor<T, Self>,
        bucket: Resource<BucketRep>,
        keys: Vec<String>,
    ) -> Answer<Vec<Option<(String, Vec<u8>)>>> {
        on_bucket(accessor, &bucket, |view, name| {
            let mut found = Vec::with_capacity(keys.len());
            for key in keys {
                let value = view.ctx.store.read(name, &key).map_err(other)?;
                found.push(value.map(|value| (key, value)));
            }
            Ok(found)
        })
    }

    async fn set_many(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, key_values: Vec<(String, Vec<u8>)>) -> Answer<()> {
        on_bucket(accessor, &bucket, |view, name| {
            key_values.iter().try_for_each(|(key, value)| view.ctx.store.write(name, key, value).map_err(other))
        })
    }

    async fn delete_many(accessor: &Accessor<T, Self>, bucket: Resource<BucketRep>, keys: Vec<String>) -> Answer<()> {
        on_bucket(accessor, &bucket, |view, name| keys.iter().try_for_each(|key| view.ctx.store.remove(name, key).map_err(other)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_after_cursor() {
        let keys: Vec<String> = (0..2500).map(|i| format!("k{i:05}")).collect();
        let first = page(keys.clone(), None).unwrap();
        assert_eq!((first.keys.len(), first.cursor.as_deref()), (1000, Some("after:k00999")));
        let third = page(keys.clone(), Some("after:k01999")).unwrap();
        assert_eq!((third.keys.len(), third.keys[0].as_str(), third.cursor), (500, "k02000", None));
        assert!(page(keys, Some("7")).is_none());
    }
}
