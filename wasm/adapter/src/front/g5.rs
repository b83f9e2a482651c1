//! Serves `wasi:keyvalue@0.2.0-draft` (G5: wasmtime, wasmCloud 1.x) to a guest over a host
//! that speaks `@0.2.0-draft2` (G6: Spin 3). The two are one shape; what differs:
//!
//! Lossy or differing from a native G5 host:
//! - `list-keys` cursors: G6 hands out strings, a G5 guest holds a u64. The adapter keeps
//!   the newest 64 host cursors and gives the guest a token for each
//!   (`kv_adapt_convert::cursors`). A token it never issued, or one older than the newest
//!   64, is an `other` error saying so, and nothing is listed. Tokens do not outlive the
//!   adapter instance.
//! - `increment`: G6 counters are s64. A delta above `i64::MAX` is refused with an `other`
//!   error before anything is written. A negative result (the stored counter was negative,
//!   written by a G6 guest) is not a u64: `other` error, and the host's counter HAS then
//!   moved by the delta.
//! - Errors: `no-such-store`, `access-denied` and `other(text)` are the same variants in
//!   both generations and pass through unchanged; the adapter's own errors are `other`
//!   with a `bad-value: ...` text.
//! - A host bucket is opened once per name and shared by every G5 `bucket` of that name
//!   (wasmtime gives every `open` its own copy of the data; here two opens share it).
//! - The G5 `watcher` export is not bridged to the host.

use alloc::string::String;
use alloc::vec::Vec;

#[cfg(feature = "back-g6")]
use kv_adapt_convert::cursors::CursorTable;
use kv_adapt_convert::trace;

use crate::exports::wasi::keyvalue0_2_0_draft::{atomics, batch, store};
use crate::back::{self, Failure};
use crate::{failure_trace, record_error, state, Adapter, Opened, State};
use store::{Bucket, BucketBorrow, Error, KeyResponse};

/// Host cursors behind the G5 tokens handed out, for a back whose cursors are strings.
/// Apart from `State` like `RECENT`, and only touched inside `list_keys`.
#[cfg(feature = "back-g6")]
struct Cursors(core::cell::UnsafeCell<CursorTable>);

// SAFETY: as for `crate::Global`.
#[cfg(feature = "back-g6")]
unsafe impl Sync for Cursors {}

#[cfg(feature = "back-g6")]
static CURSORS: Cursors = Cursors(core::cell::UnsafeCell::new(CursorTable::new()));

#[cfg(feature = "back-g6")]
fn cursors() -> &'static mut CursorTable {
    // SAFETY: one export runs at a time and `list_keys` takes this once.
    unsafe { &mut *CURSORS.0.get() }
}

/// The host's error as the guest's: the same three variants, case by case.
fn from_host(f: Failure, bucket: &str) -> Error {
    record_error(&failure_trace(&f, bucket));
    match f {
        Failure::NoSuchStore => Error::NoSuchStore,
        Failure::AccessDenied => Error::AccessDenied,
        Failure::Other(text) => Error::Other(text),
    }
}

/// An error the adapter itself raises: `other` with a trace text.
fn own_error(trace: String) -> Error {
    record_error(&trace);
    Error::Other(trace)
}

/// The `bucket` resource: an index in `opened`.
pub struct BucketRep(usize);

fn opened<'s>(st: &'s State, bucket: &BucketRep) -> &'s Opened {
    &st.opened[bucket.0]
}

impl store::Guest for Adapter {
    type Bucket = BucketRep;

    fn open(identifier: String) -> Result<Bucket, Error> {
        match state().open_raw(&identifier) {
            Ok(i) => Ok(Bucket::new(BucketRep(i))),
            Err(e) => Err(from_host(e, &identifier)),
        }
    }
}

impl store::GuestBucket for BucketRep {
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

    #[cfg(feature = "back-g6")]
    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let o = opened(state(), self);
        let table = cursors();
        let host_cursor = match cursor {
            None => None,
            Some(token) => match table.cursor(token) {
                Some(c) => Some(String::from(c)),
                None => return Err(own_error(trace::unknown_cursor_token(token, &o.name))),
            },
        };
        let page = back::page(&o.bucket, host_cursor.as_ref()).map_err(|e| from_host(e, &o.name))?;
        Ok(KeyResponse { keys: page.keys, cursor: page.cursor.map(|c| table.token(c)) })
    }

    // The eventual backs' cursors are u64 already.
    #[cfg(not(feature = "back-g6"))]
    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let o = opened(state(), self);
        let page = back::page(&o.bucket, cursor.as_ref()).map_err(|e| from_host(e, &o.name))?;
        Ok(KeyResponse { keys: page.keys, cursor: page.cursor })
    }
}

impl atomics::Guest for Adapter {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        let o = opened(state(), bucket.get::<BucketRep>());
        // Irrefutable on the u64 backs (G3, G4); refutable on G6's s64.
        #[allow(irrefutable_let_patterns)]
        let Ok(host_delta) = back::Counter::try_from(delta) else {
            return Err(own_error(trace::delta_too_large(&key, &o.name, delta)));
        };
        let value = back::add(&o.bucket, &key, host_delta).map_err(|e| from_host(e, &o.name))?;
        u64::try_from(value).map_err(|_| own_error(trace::negative_counter(&key, &o.name)))
    }
}

impl batch::Guest for Adapter {
    fn get_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let o = opened(state(), bucket.get::<BucketRep>());
        back::get_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))
    }

    fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        let o = opened(state(), bucket.get::<BucketRep>());
        back::set_many(&o.bucket, &key_values).map_err(|e| from_host(e, &o.name))
    }

    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        let o = opened(state(), bucket.get::<BucketRep>());
        back::delete_many(&o.bucket, &keys).map_err(|e| from_host(e, &o.name))
    }
}
