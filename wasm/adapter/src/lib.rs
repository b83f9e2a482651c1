//! The kv-adapt adapter: serves one `wasi:keyvalue` generation to a guest (the front) over
//! a host that speaks another (the back). One source; each build is one front and one back,
//! chosen by features (see Cargo.toml and build.rs):
//! - fronts in `front/`, each file saying in its header what it loses on each back:
//!   `u32_handles` (G1 of early 2023 and G2 of late 2023, u32 handles) with `g1` (G1's own
//!   `types` and its `streams`, served from memory), `eventual` (G3 `@0.1.0` and G4 `@0.2.0-draft`,
//!   one shape under two versions), `g5` (`@0.2.0-draft`, onto G6) and `g6`
//!   (`@0.2.0-draft2`, onto G5);
//! - backs in `back/`: G5 (`@0.2.0-draft`) or G6 (`@0.2.0-draft2`), whose few differences
//!   (cursor, counter sign, compare-and-swap) each back file implements the same way;
//! - `io`: a G2/G3/G4 front also exports wasi:io (`@0.2.0-rc-2023-11-10` for G2, `@0.2.0`
//!   for G3/G4) and serves value-body streams from memory (`io`); without it wasi:io
//!   belongs to the host and async bodies are refused with an `unsupported` error;
//! - the WASI 0.3 packages onto each other (`back-spin3`, `back-wasmcloud2`): the host's
//!   functions are async, so there is no synchronous `back`; `front/spin3_on_wasmcloud2.rs`
//!   and `front/wasmcloud2_on_spin3.rs` await them, and each guest resource owns its host
//!   resource (no `opened` table);
//! - `wasi-stdio`, `wasi-clock`, `wasi-files` (with `io`, G3/G4): also wraps that group of
//!   the host's WASI, so value bodies and its streams share the guest's one wasi:io
//!   (`host_wasi`).
//!
//! This file holds what every front shares: the bindings, the host buckets (each opened
//! once per name and kept for the adapter's lifetime, because wasmtime gives every `open`
//! its own copy of the data), the outgoing-value bodies, the configured counter encoding
//! and the record of recent errors.

// no_std on wasm so that neither std's allocator nor its panic formatting is linked in;
// see `heap`. A host build (e.g. `cargo check`) keeps std.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

#[cfg(legacy_front)]
use kv_adapt_convert::bodies::Bodies;
#[cfg(reads_counters)]
use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::recent::Recent;
#[cfg(any(legacy_front, feature = "front-spin1"))]
use kv_adapt_convert::slab::{self, Kind};
#[cfg(not(async_back))]
use kv_adapt_convert::trace::{self, HostError};

// `kv-adapt:build/adapter` is written by build.rs: this build's front and back.
wit_bindgen::generate!({
    path: ["../../wit/kv-adapt", concat!(env!("OUT_DIR"), "/world")],
    world: "kv-adapt:build/adapter",
    generate_all,
});

/// The host's key-value interfaces when the back is today's shape; the legacy fronts and
/// `back::{g5, g6}` speak it directly.
#[cfg(feature = "back-g5")]
use wasi::keyvalue0_2_0_draft as kv;
#[cfg(feature = "back-g6")]
use wasi::keyvalue0_2_0_draft2 as kv;

// The async backs (spin3, wasmcloud2) have no synchronous calls to give: their fronts
// await the host's functions themselves.
#[cfg(not(async_back))]
mod back;
mod front;
#[cfg(feature = "fused")]
mod fused;
#[cfg(target_arch = "wasm32")]
mod heap;
// The fused flavour exports no wasi:io: its streams are core exports (`fused/io.rs`).
#[cfg(all(feature = "io", not(feature = "fused")))]
mod io;
#[cfg(host_streams)]
mod host_wasi;

/// Panics only come from broken invariants inside the adapter (guest mistakes are
/// errors), so a trap without a message is enough.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The type every front implements its exports on.
struct Adapter;

export!(Adapter);

/// A host bucket, opened once for its name, or handed over with a watch event.
#[cfg(not(async_back))]
struct Opened {
    name: String,
    bucket: back::HostBucket,
    /// From a watch event (`adopt`): never found by name, because the host's bucket of
    /// the event need not be the copy `open` gives (wasmtime gives each `open` its own).
    adopted: bool,
}

struct State {
    #[cfg(not(async_back))]
    opened: Vec<Opened>,
    /// `--bucket NAME=BUCKET`, asked of the config component at the first open.
    renames: Option<Vec<(String, String)>>,
    /// Bodies of outgoing values, by G2 handle or by the handle a G3/G4 resource holds.
    #[cfg(legacy_front)]
    outgoing: Bodies,
    #[cfg(reads_counters)]
    encoding: Option<Encoding>,
    #[cfg(reads_counters)]
    strict_atomics: Option<bool>,
    /// G1/G2 bucket handle -> index in `opened`.
    #[cfg(u32_front)]
    buckets: slab::Slab<usize>,
    #[cfg(u32_front)]
    incoming: slab::Slab<front::u32_handles::Incoming>,
    /// Trace texts of G1/G2 error handles.
    #[cfg(u32_front)]
    errors: slab::Slab<String>,
    /// G1 input streams (value bodies being read) and output streams (the outgoing value
    /// each one writes to), served from memory.
    #[cfg(feature = "front-g1")]
    inputs: slab::Slab<front::g1::Input>,
    #[cfg(feature = "front-g1")]
    outputs: slab::Slab<u32>,
    /// Spin 1.x store handle -> index in `opened`.
    #[cfg(feature = "front-spin1")]
    spin1_stores: slab::Slab<usize>,
}

/// How error traces name a bucket the host handed over with a watch event (the fused
/// G3/G4 world serves no watch bridge).
#[cfg(not(any(fused_world, no_watch)))]
const WATCHED_BUCKET: &str = "(the bucket of the watch event)";

struct Global(UnsafeCell<State>);

// SAFETY: wasm32 without threads, and the component model never re-enters a component,
// so exactly one export runs at a time.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(State {
    #[cfg(not(async_back))]
    opened: Vec::new(),
    renames: None,
    #[cfg(legacy_front)]
    outgoing: Bodies::new(Kind::OutgoingValue),
    #[cfg(reads_counters)]
    encoding: None,
    #[cfg(reads_counters)]
    strict_atomics: None,
    #[cfg(u32_front)]
    buckets: slab::Slab::new(Kind::Bucket),
    #[cfg(u32_front)]
    incoming: slab::Slab::new(Kind::IncomingValue),
    #[cfg(u32_front)]
    errors: slab::Slab::new(Kind::Error),
    #[cfg(feature = "front-g1")]
    inputs: slab::Slab::new(Kind::InputStream),
    #[cfg(feature = "front-g1")]
    outputs: slab::Slab::new(Kind::OutputStream),
    #[cfg(feature = "front-spin1")]
    spin1_stores: slab::Slab::new(Kind::Bucket),
}));

/// The adapter's state. Called once at the top of each export (or resource destructor)
/// and never while a previous result is alive, so the `&mut` is unique.
fn state() -> &'static mut State {
    // SAFETY: see `Global`; exports do not call each other.
    unsafe { &mut *STATE.0.get() }
}

/// The error traces handed to the guest, apart from `State` because an error is often made
/// while a front still holds the `&mut State`.
struct RecentErrors(UnsafeCell<Recent>);

// SAFETY: as for `Global`.
unsafe impl Sync for RecentErrors {}

static RECENT: RecentErrors = RecentErrors(UnsafeCell::new(Recent::new()));

/// Remembers `trace`, an error the guest is about to receive, for `kv-adapt run` to report,
/// and hands it to the config component, whose runner's flavour passes it on at once: the
/// guest may exit before anyone can ask `recent-errors`.
fn record_error(trace: &str) {
    // SAFETY: see `RecentErrors`; nothing else holds a reference into `RECENT` while an
    // export runs, and `recent_errors` only reads between exports.
    unsafe { (*RECENT.0.get()).record(trace) }
    kv_adapt::components::config::record_error(trace);
}

impl exports::kv_adapt::components::diagnostics::Guest for Adapter {
    fn recent_errors() -> Vec<String> {
        // SAFETY: as in `record_error`.
        unsafe { (*RECENT.0.get()).oldest_first() }
    }
}

/// Trace text of a host error on bucket `name`. The legacy fronts only run on G5/G6
/// backs, whose errors they read directly.
#[cfg(legacy_front)]
fn store_error(e: kv::store::Error, name: &str) -> String {
    failure_trace(&e.into(), name)
}

/// Trace text of a host failure on bucket `name`.
#[cfg(not(async_back))]
fn failure_trace(f: &back::Failure, name: &str) -> String {
    let e = match f {
        back::Failure::NoSuchStore => HostError::NoSuchStore,
        back::Failure::AccessDenied => HostError::AccessDenied,
        back::Failure::Other(text) => HostError::Other(text),
    };
    trace::host_error(e, name)
}

impl State {
    /// Index in `opened` of the host bucket called `name`, opening it the first time.
    #[cfg(legacy_front)]
    fn open(&mut self, name: String) -> Result<usize, String> {
        self.open_raw(&name).map_err(|f| failure_trace(&f, &name))
    }

    /// [`State::open`] keeping the host's own failure, for the fronts whose error type is
    /// a variant of the same three cases.
    #[cfg(not(async_back))]
    fn open_raw(&mut self, name: &str) -> Result<usize, back::Failure> {
        if let Some(i) = self.opened.iter().position(|o| !o.adopted && o.name == name) {
            return Ok(i);
        }
        let renames = self.renames.get_or_insert_with(kv_adapt::components::config::buckets);
        let host_name = renames.iter().find(|(from, _)| from == name).map_or(name, |(_, to)| to.as_str());
        let bucket = back::open(host_name)?;
        self.opened.push(Opened { name: String::from(name), bucket, adopted: false });
        Ok(self.opened.len() - 1)
    }

    /// The host's name for the bucket (or store label) the guest calls `name`, as
    /// `open_raw` renames, for the fronts that own their host buckets (async backs).
    #[cfg(async_back)]
    fn host_name(&mut self, name: &str) -> String {
        let renames = self.renames.get_or_insert_with(kv_adapt::components::config::buckets);
        String::from(renames.iter().find(|(from, _)| from == name).map_or(name, |(_, to)| to.as_str()))
    }

    /// Index in `opened` of `bucket`, the host's bucket of a watch event. The host does
    /// not say its name, so traces call it by what it is. Kept for the adapter's lifetime
    /// like every opened bucket: one host handle per event delivered to this instance.
    #[cfg(not(any(fused_world, no_watch)))]
    fn adopt(&mut self, bucket: back::HostBucket) -> usize {
        self.opened.push(Opened { name: String::from(WATCHED_BUCKET), bucket, adopted: true });
        self.opened.len() - 1
    }

    #[cfg(legacy_front)]
    /// A new outgoing value without a body. When the slab is full the handle is one that
    /// is never live, so every use of it is an error rather than a trap here.
    fn new_outgoing(&mut self) -> u32 {
        self.outgoing
            .insert(None)
            .unwrap_or_else(|_| slab::overflow(Kind::OutgoingValue))
    }

    #[cfg(reads_counters)]
    /// The counter layout, asked of the config component once.
    fn encoding(&mut self) -> Encoding {
        *self.encoding.get_or_insert_with(|| {
            use kv_adapt::components::config::{encoding, CounterEncoding};
            match encoding() {
                CounterEncoding::Decimal => Encoding::Decimal,
                CounterEncoding::Le64 => Encoding::Le64,
                CounterEncoding::Be64 => Encoding::Be64,
            }
        })
    }

    #[cfg(reads_counters)]
    /// Whether `--strict-atomics` refuses what this host cannot do atomically, asked of the
    /// config component once.
    fn strict_atomics(&mut self) -> bool {
        *self.strict_atomics.get_or_insert_with(kv_adapt::components::config::strict_atomics)
    }
}
