//! Serves `wasi:keyvalue@0.2.0-draft` (G5: wasmtime, wasmCloud 1.x) to a guest over a host
//! that speaks G6 (`@0.2.0-draft2`, Spin 3), or an older one: G2, G3 or G4 (what those backs
//! lose is in `back/g2.rs` and `back/eventual.rs`: one page of keys, failures as `other`,
//! missing-key errors told apart with `exists` on G2).
//!
//! Lossy or differing from a native G5 host, on G6:
//! - `list-keys` cursors: G6 hands out strings, a G5 guest holds a u64. The adapter keeps
//!   the newest 64 host cursors and gives the guest a token for each
//!   (`kv_adapt_convert::cursors`). A token it never issued, or one older than the newest
//!   64, is an `other` error saying so, and nothing is listed. Tokens do not outlive the
//!   adapter instance.
//!   On the older backs the first page holds every key and the cursor passes as it is.
//! - `increment`: G6 counters are s64 (the older backs' are u64, like G5's). A delta above `i64::MAX` is refused with an `other`
//!   error before anything is written. A negative result (the stored counter was negative,
//!   written by a G6 guest) is not a u64: `other` error, and the host's counter HAS then
//!   moved by the delta.
//! - Errors: `no-such-store`, `access-denied` and `other(text)` are the same variants in
//!   both generations and pass through unchanged; the adapter's own errors are `other`
//!   with a `bad-value: ...` text.
//! - A host bucket is opened once per name and shared by every G5 `bucket` of that name
//!   (wasmtime gives every `open` its own copy of the data; here two opens share it).
//! - A watch event's bucket (from the watch bridge) is the host's own bucket handle, kept
//!   for the adapter's lifetime; traces call it "(the bucket of the watch event)".

use alloc::string::String;
use alloc::vec::Vec;

#[cfg(feature = "back-g6")]
use kv_adapt_convert::cursors::CursorTable;
use kv_adapt_convert::trace;

use crate::exports::wasi::keyvalue0_2_0_draft::{atomics, store};
#[cfg(not(feature = "no-batch"))]
use crate::exports::wasi::keyvalue0_2_0_draft::batch;
use crate::back::{self, Failure};
use crate::{failure_trace, record_error, state, Adapter, Opened, State};
use store::{Bucket, BucketBorrow, Error, KeyResponse};
#[cfg(feature = "back-g2")]
use crate::exports::kv_adapt::components::watch_g5_on_g2 as watch;
#[cfg(feature = "back-g3")]
use crate::exports::kv_adapt::components::watch_g5_on_g3 as watch;
#[cfg(feature = "back-g4")]
use crate::exports::kv_adapt::components::watch_g5_on_g4 as watch;
#[cfg(feature = "back-g6")]
use crate::exports::kv_adapt::components::watch_g5_on_g6 as watch;

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

today_front_common!(u64);

/// One page for the guest: its u64 token becomes the host's string cursor and back.
#[cfg(feature = "back-g6")]
fn list_keys(o: &Opened, cursor: Option<u64>) -> Result<KeyResponse, Error> {
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

/// One page for the guest; the G2, G3 and G4 backs' cursors are u64 already.
#[cfg(not(feature = "back-g6"))]
fn list_keys(o: &Opened, cursor: Option<u64>) -> Result<KeyResponse, Error> {
    let page = back::page(&o.bucket, cursor.as_ref()).map_err(|e| from_host(e, &o.name))?;
    Ok(KeyResponse { keys: page.keys, cursor: page.cursor })
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

/// A bucket for the watch bridge (`wit/kv-adapt/watch.wit`), wrapping the host's bucket of
/// the event.
impl watch::Guest for Adapter {
    fn adopt_bucket(bucket: back::HostBucket) -> watch::Bucket {
        watch::Bucket::new(BucketRep(state().adopt(bucket)))
    }
}
