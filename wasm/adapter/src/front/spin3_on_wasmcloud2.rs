//! Serves Spin 4's `spin:key-value@3.0.0` to a guest over wasmCloud 2's
//! `wasmcloud:keyvalue@0.2.0`. Both are WASI 0.3: every export awaits the host's call, so
//! a guest's calls in flight stay in flight on the host (the fronts over a synchronous host
//! answer them one after the other). Nothing Spin 4's interface can say is lost.
//!
//! Differing from Spin 4's own host:
//! - A store label is a bucket identifier (`--bucket LABEL=BUCKET` renames one). Each
//!   `open` opens the host's bucket anew (wasmCloud's buckets of one identifier share
//!   their data); the host, not a manifest, decides which labels exist (`no-such-store`).
//!   `store-table-full` is never raised.
//! - `get-keys` returns at once; a task of the adapter feeds the stream from the host's
//!   `list-keys` pages (no prefix), one page in flight, and resolves the future to `ok`
//!   after the last. A host failure ends the stream there and resolves the future to it; a
//!   host handing back the cursor it was sent ends it with `other` (it would never end);
//!   a guest dropping the stream stops the listing (the future then resolves to `ok`).
//! - Errors: `no-such-store`, `access-denied` and `other(text)` pass through. wasmCloud's
//!   five cases Spin's error lacks become `other` with a text naming the case:
//!   `timeout`, `store-unavailable`, `quota-exceeded` (a host may raise them on any call),
//!   and `invalid-argument`, `precondition-failed` (nothing this front asks raises them).

use alloc::rc::Rc;
use alloc::string::String;

use crate::exports::spin::key_value::key_value::{Error, Guest, GuestStore, Store};
use crate::wasmcloud::keyvalue::store as host_store;
use crate::wasmcloud::keyvalue::types::{Bucket as HostBucket, Error as HostError};
use crate::{record_error, state, wit_future, wit_stream, Adapter};
use kv_adapt_convert::paging::{self, Next};
use kv_adapt_convert::trace::{self, HostError as Traced};
use wit_bindgen::{FutureReader, StreamReader};

/// What the host speaks, for messages.
const HOST: &str = "wasmcloud:keyvalue@0.2.0";

/// wasmCloud's error as Spin's: the three shared cases as they are, the other five as
/// `other` with a text naming the case.
fn from_host(e: HostError, label: &str) -> Error {
    let (case, meaning) = match e {
        HostError::NoSuchStore => {
            record_error(&trace::host_error(Traced::NoSuchStore, label));
            return Error::NoSuchStore;
        }
        HostError::AccessDenied => {
            record_error(&trace::host_error(Traced::AccessDenied, label));
            return Error::AccessDenied;
        }
        HostError::Other(text) => {
            record_error(&trace::host_error(Traced::Other(&text), label));
            return Error::Other(text);
        }
        HostError::InvalidArgument => ("invalid-argument", "the call contradicts itself"),
        HostError::PreconditionFailed => ("precondition-failed", "a condition of the call did not hold"),
        HostError::Timeout => ("timeout", "the host or its backend gave up waiting"),
        HostError::StoreUnavailable => ("store-unavailable", "the backend cannot be reached now; a later retry may succeed"),
        HostError::QuotaExceeded => ("quota-exceeded", "a quota or rate limit refused the call"),
    };
    let text = trace::host_case(case, label, HOST, meaning);
    record_error(&text);
    Error::Other(text)
}

/// The `store` resource: the host's bucket, shared with a `get-keys` task still feeding a
/// stream after the guest dropped the store.
pub struct StoreRep {
    label: String,
    bucket: Rc<HostBucket>,
}

impl Guest for Adapter {
    type Store = StoreRep;
}

impl GuestStore for StoreRep {
    async fn open(label: String) -> Result<Store, Error> {
        let host_name = state().host_name(&label);
        match host_store::open(host_name).await {
            Ok(bucket) => Ok(Store::new(StoreRep { label, bucket: Rc::new(bucket) })),
            Err(e) => Err(from_host(e, &label)),
        }
    }

    async fn get(&self, key: String) -> Result<Option<alloc::vec::Vec<u8>>, Error> {
        self.bucket.get(key).await.map_err(|e| from_host(e, &self.label))
    }

    async fn set(&self, key: String, value: alloc::vec::Vec<u8>) -> Result<(), Error> {
        self.bucket.set(key, value, None).await.map_err(|e| from_host(e, &self.label))
    }

    async fn delete(&self, key: String) -> Result<(), Error> {
        self.bucket.delete(key).await.map_err(|e| from_host(e, &self.label))
    }

    async fn exists(&self, key: String) -> Result<bool, Error> {
        self.bucket.exists(key).await.map_err(|e| from_host(e, &self.label))
    }

    async fn get_keys(&self) -> (StreamReader<String>, FutureReader<Result<(), Error>>) {
        let (mut keys, keys_read) = wit_stream::new::<String>();
        // Sent only if the task below is dropped before it writes (never: it runs to its end).
        let (end, end_read) = wit_future::new::<Result<(), Error>>(|| Err(Error::Other(String::from("the listing was abandoned"))));
        let (label, bucket) = (self.label.clone(), Rc::clone(&self.bucket));
        wit_bindgen::spawn_local(async move {
            let mut cursor: Option<String> = None;
            let outcome = loop {
                let page = match bucket.list_keys(None, cursor.clone()).await {
                    Ok(page) => page,
                    Err(e) => break Err(from_host(e, &label)),
                };
                // What `write_all` hands back was not read: the guest dropped the stream.
                if !keys.write_all(page.keys).await.is_empty() {
                    break Ok(());
                }
                match paging::next(cursor.as_ref(), page.cursor) {
                    Next::Fetch(next) => cursor = Some(next),
                    Next::Done => break Ok(()),
                    Next::Stuck => {
                        let text = trace::cursor_repeated(&label);
                        record_error(&text);
                        break Err(Error::Other(text));
                    }
                }
            };
            drop(keys);
            // A guest that dropped the future does not want the outcome.
            let _ = end.write(outcome).await;
        });
        (keys_read, end_read)
    }
}
