//! Serves `wasi:keyvalue@0.2.0-draft2` (G6), or Spin's draft2 (feature `front-spin-draft2`:
//! G6 but for `batch.get-many`, which pairs each key with an optional value; see
//! `kv_adapt_convert::batch`), to a guest over a host that speaks G5
//! (`@0.2.0-draft`, wasmtime, wasmCloud 1.x), or an older one: G2, G3 or G4 (what those
//! backs lose is in `back/g2.rs` and `back/eventual.rs`: one page of keys, failures as
//! `other`, missing-key errors told apart with `exists` on G2). Every one of these backs
//! has u64 counters and no compare-and-swap over bytes, so what follows holds on all.
//!
//! Lossy or differing from a native G6 host:
//! - `cas`: no back here has a compare-and-swap over bytes. `cas.new` reads the value and keeps it; `swap`
//!   reads it again, writes only if it still equals what `cas.new` read, and otherwise
//!   answers `cas-failed` with a fresh `cas` holding what it found. That is NOT atomic: a
//!   writer in another instance that changes the key between `swap`'s read and its write is
//!   overwritten (a lost update). Within one instance, and with one writer, it is exact.
//!   Both reads cost a `get` of the whole value.
//! - `increment`: the host's counters are u64 and only count up. A negative delta is
//!   served by reading the counter (in the configured encoding), subtracting and writing,
//!   which is NOT atomic, as `cas` is not: a concurrent increment between the read and the
//!   write is lost. A result below zero cannot be stored: `other` error, nothing written.
//!   With `--strict-atomics` every negative delta is refused instead, nothing written.
//!   A result above `i64::MAX` is not an s64: `other` error; after a positive delta the
//!   host's counter HAS then moved, after a negative one nothing was written.
//! - `cas` with `--strict-atomics`: `cas.new` is refused with an `other` error.
//! - `list-keys` cursors: a G5 cursor is a u64, handed to the guest as its decimal text
//!   and parsed back; any other text is an `other` error (no G5 host made it).
//! - Errors: `no-such-store`, `access-denied` and `other(text)` are the same variants in
//!   both generations and pass through unchanged; the adapter's own errors are `other`
//!   with a `bad-value: ...` text.
//! - A host bucket is opened once per name and shared by every G6 `bucket` of that name
//!   (wasmtime, a G5 host, gives every `open` its own copy of the data).
//! - A watch event's bucket (from the watch bridge) is the host's own bucket handle, kept
//!   for the adapter's lifetime; traces call it "(the bucket of the watch event)".

use alloc::string::String;
use alloc::vec::Vec;

#[cfg(feature = "front-g6")]
use crate::exports::wasi::keyvalue0_2_0_draft2::{atomics, store};
#[cfg(all(feature = "front-g6", not(feature = "no-batch")))]
use crate::exports::wasi::keyvalue0_2_0_draft2::batch;
// Built under a name of its own beside upstream draft2 (`wasm/spin-draft2-wit.rs`).
#[cfg(feature = "front-spin-draft2")]
use crate::exports::kv_adapt::spin_keyvalue::{atomics, batch, store};
use crate::back::{self, Failure};
use crate::{failure_trace, record_error, state, Adapter, Opened, State};
use atomics::{Cas, CasError};
use store::{Bucket, BucketBorrow, Error, KeyResponse};
#[cfg(all(feature = "front-g6", feature = "back-g2"))]
use crate::exports::kv_adapt::components::watch_g6_on_g2 as watch;
#[cfg(all(feature = "front-g6", feature = "back-g3"))]
use crate::exports::kv_adapt::components::watch_g6_on_g3 as watch;
#[cfg(all(feature = "front-g6", feature = "back-g4"))]
use crate::exports::kv_adapt::components::watch_g6_on_g4 as watch;
#[cfg(all(feature = "front-g6", feature = "back-g5"))]
use crate::exports::kv_adapt::components::watch_g6_on_g5 as watch;

today_front_common!(String);

// Every back but upstream G6 has u64 counters, u64 cursors and no compare-and-swap: emulated
// here. Spin's draft2 on upstream G6 passes those straight through (`native`).
#[cfg(not(feature = "back-g6"))]
use emulated::list_keys;
#[cfg(feature = "back-g6")]
use native::list_keys;

#[cfg(not(feature = "back-g6"))]
mod emulated {
    use super::*;
    use kv_adapt_convert::atomic::{self, Decrement};
    use kv_adapt_convert::cursors;
    use kv_adapt_convert::trace;

    /// One page for the guest: the host's u64 cursor as decimal text, and back.
    pub(super) fn list_keys(o: &Opened, cursor: Option<String>) -> Result<KeyResponse, Error> {
        let host_cursor = match cursor {
            None => None,
            Some(text) => match cursors::text_to_u64(&text) {
                Some(c) => Some(c),
                None => return Err(own_error(trace::unknown_cursor_text(&text, &o.name))),
            },
        };
        let page = back::page(&o.bucket, host_cursor.as_ref()).map_err(|e| from_host(e, &o.name))?;
        Ok(KeyResponse { keys: page.keys, cursor: page.cursor.map(cursors::u64_to_text) })
    }

    /// A `cas` over a host without one: the key and the bytes `cas.new` (or a failed `swap`)
    /// read, compared again when swapping.
    pub struct CasRep {
        bucket: usize,
        key: String,
        seen: Option<Vec<u8>>,
    }

    impl CasRep {
        fn read(bucket: usize, key: String) -> Result<CasRep, Error> {
            let o = &state().opened[bucket];
            let seen = back::get(&o.bucket, &key).map_err(|e| from_host(e, &o.name))?;
            Ok(CasRep { bucket, key, seen })
        }
    }

    impl atomics::GuestCas for CasRep {
        fn new(bucket: BucketBorrow<'_>, key: String) -> Result<Cas, Error> {
            let st = state();
            let i = bucket.get::<BucketRep>().0;
            if st.strict_atomics() {
                return Err(own_error(trace::strict_cas(&key, &st.opened[i].name, back::NAME)));
            }
            CasRep::read(i, key).map(Cas::new)
        }

        fn current(&self) -> Result<Option<Vec<u8>>, Error> {
            Ok(self.seen.clone())
        }
    }

    impl atomics::Guest for Adapter {
        type Cas = CasRep;

        fn increment(bucket: BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
            let st = state();
            let Ok(unsigned) = back::Counter::try_from(delta) else {
                return decrement(st, bucket.get::<BucketRep>(), &key, delta);
            };
            let o = opened(st, bucket.get::<BucketRep>());
            let value = back::add(&o.bucket, &key, unsigned).map_err(|e| from_host(e, &o.name))?;
            i64::try_from(value).map_err(|_| own_error(trace::counter_too_large(&key, &o.name, value, back::NAME)))
        }

        // Not atomic (see the header): no older generation offers a cas over bytes.
        fn swap(cas: Cas, value: Vec<u8>) -> Result<(), CasError> {
            let cas = cas.into_inner::<CasRep>();
            let o = &state().opened[cas.bucket];
            let now = back::get(&o.bucket, &cas.key).map_err(|e| CasError::StoreError(from_host(e, &o.name)))?;
            if now != cas.seen {
                return Err(CasError::CasFailed(Cas::new(CasRep { bucket: cas.bucket, key: cas.key, seen: now })));
            }
            back::set(&o.bucket, &cas.key, &value).map_err(|e| CasError::StoreError(from_host(e, &o.name)))
        }
    }

    /// A negative `delta`, which the host's `increment` cannot take: read, subtract, write.
    /// Not atomic (see the header), so `--strict-atomics` refuses it.
    fn decrement(st: &mut State, bucket: &BucketRep, key: &str, delta: i64) -> Result<i64, Error> {
        let (enc, strict) = (st.encoding(), st.strict_atomics());
        let o = opened(st, bucket);
        if strict {
            return Err(own_error(trace::negative_delta(key, &o.name, delta, back::NAME)));
        }
        let current = back::get(&o.bucket, key).map_err(|e| from_host(e, &o.name))?;
        match atomic::decrement(enc, current.as_deref(), delta.unsigned_abs()) {
            Decrement::Write { value, bytes } => {
                back::set(&o.bucket, key, &bytes).map_err(|e| from_host(e, &o.name))?;
                Ok(value)
            }
            Decrement::NotACounter(why) => Err(own_error(trace::not_a_counter(key, &o.name, enc, why))),
            Decrement::BelowZero { current } => Err(own_error(trace::below_zero(key, &o.name, delta, current, back::NAME))),
            Decrement::TooLarge { value } => Err(own_error(trace::decrement_too_large(key, &o.name, value, back::NAME))),
        }
    }
}

/// Spin's draft2 on upstream G6: one shape but for `get-many`, so cursors, signed counters
/// and the host's own `cas` pass through unchanged (atomic, as the host makes them).
#[cfg(feature = "back-g6")]
mod native {
    use super::*;
    use crate::kv;

    pub(super) fn list_keys(o: &Opened, cursor: Option<String>) -> Result<KeyResponse, Error> {
        let page = back::page(&o.bucket, cursor.as_ref()).map_err(|e| from_host(e, &o.name))?;
        Ok(KeyResponse { keys: page.keys, cursor: page.cursor })
    }

    /// The host's `cas`, with the bucket it was made on (for error texts).
    pub struct CasRep {
        bucket: usize,
        host: kv::atomics::Cas,
    }

    fn cas_failure(e: kv::store::Error, bucket: usize) -> Error {
        from_host(e.into(), &state().opened[bucket].name)
    }

    impl atomics::GuestCas for CasRep {
        fn new(bucket: BucketBorrow<'_>, key: String) -> Result<Cas, Error> {
            let i = bucket.get::<BucketRep>().0;
            let host = kv::atomics::Cas::new(&state().opened[i].bucket, &key).map_err(|e| cas_failure(e, i))?;
            Ok(Cas::new(CasRep { bucket: i, host }))
        }

        fn current(&self) -> Result<Option<Vec<u8>>, Error> {
            self.host.current().map_err(|e| cas_failure(e, self.bucket))
        }
    }

    impl atomics::Guest for Adapter {
        type Cas = CasRep;

        fn increment(bucket: BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
            let o = opened(state(), bucket.get::<BucketRep>());
            back::add(&o.bucket, &key, delta).map_err(|e| from_host(e, &o.name))
        }

        fn swap(cas: Cas, value: Vec<u8>) -> Result<(), CasError> {
            let CasRep { bucket, host } = cas.into_inner::<CasRep>();
            match kv::atomics::swap(host, &value) {
                Ok(()) => Ok(()),
                Err(kv::atomics::CasError::CasFailed(again)) => Err(CasError::CasFailed(Cas::new(CasRep { bucket, host: again }))),
                Err(kv::atomics::CasError::StoreError(e)) => Err(CasError::StoreError(cas_failure(e, bucket))),
            }
        }
    }
}

/// A bucket for the watch bridge (`wit/kv-adapt/watch.wit`), wrapping the host's bucket of
/// the event. (Spin calls no watcher: its draft2 front has no bridge.)
#[cfg(feature = "front-g6")]
impl watch::Guest for Adapter {
    fn adopt_bucket(bucket: back::HostBucket) -> watch::Bucket {
        watch::Bucket::new(BucketRep(state().adopt(bucket)))
    }
}
