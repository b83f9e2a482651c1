//! The kv-adapt adapter: serves a legacy `wasi:keyvalue` generation to a guest over a host
//! that speaks a current one. One source, twelve builds, chosen by features:
//! - source (exactly one): `g2` (late 2023, u32 handles; front in `g2`), `g3`
//!   (`@0.1.0`) or `g4` (`@0.2.0-draft`), the early-2024 "eventual" shape under two
//!   versions (front in `eventual`);
//! - target (exactly one): `g5` (`@0.2.0-draft`) or `g6` (`@0.2.0-draft2`), whose few
//!   differences live in `host`;
//! - `io`: the adapter also exports wasi:io (`@0.2.0-rc-2023-11-10` for G2, `@0.2.0` for
//!   G3/G4) and serves value-body streams from memory (`io`); without it wasi:io belongs
//!   to the host and async bodies are refused with an `unsupported` error.
//!
//! This file holds what every front shares: the bindings, the host buckets (each opened
//! once per name and kept for the adapter's lifetime, because wasmtime gives every `open`
//! its own copy of the data), the outgoing-value bodies and the configured counter
//! encoding. What each front loses is said in its own header.

// no_std on wasm so that neither std's allocator nor its panic formatting is linked in;
// see `heap`. A host build (e.g. `cargo check`) keeps std.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use kv_adapt_convert::bodies::Bodies;
use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::recent::Recent;
use kv_adapt_convert::slab::{self, Kind};
use kv_adapt_convert::trace::{self, HostError};

#[cfg(not(any(feature = "g2", feature = "g3", feature = "g4")))]
compile_error!("enable exactly one of the source features `g2`, `g3` and `g4`");
#[cfg(any(
    all(feature = "g2", feature = "g3"),
    all(feature = "g2", feature = "g4"),
    all(feature = "g3", feature = "g4")
))]
compile_error!("enable exactly one of the source features `g2`, `g3` and `g4`");
#[cfg(not(any(feature = "g5", feature = "g6")))]
compile_error!("enable exactly one of the target features `g5` and `g6`");
#[cfg(all(feature = "g5", feature = "g6"))]
compile_error!("enable exactly one of the target features `g5` and `g6`");

macro_rules! bindings {
    ($world:literal) => {
        wit_bindgen::generate!({
            path: "../../wit/kv-adapt",
            world: $world,
            generate_all,
        });
    };
}

// The world is `<source>-on-<target>[-io]`; it alone decides which versions of
// wasi:keyvalue and wasi:io are exported and imported.
#[cfg(all(feature = "g2", feature = "g5", not(feature = "io")))]
bindings!("kv-adapt:components/g2-on-g5");
#[cfg(all(feature = "g2", feature = "g5", feature = "io"))]
bindings!("kv-adapt:components/g2-on-g5-io");
#[cfg(all(feature = "g2", feature = "g6", not(feature = "io")))]
bindings!("kv-adapt:components/g2-on-g6");
#[cfg(all(feature = "g2", feature = "g6", feature = "io"))]
bindings!("kv-adapt:components/g2-on-g6-io");
#[cfg(all(feature = "g3", feature = "g5", not(feature = "io")))]
bindings!("kv-adapt:components/g3-on-g5");
#[cfg(all(feature = "g3", feature = "g5", feature = "io"))]
bindings!("kv-adapt:components/g3-on-g5-io");
#[cfg(all(feature = "g3", feature = "g6", not(feature = "io")))]
bindings!("kv-adapt:components/g3-on-g6");
#[cfg(all(feature = "g3", feature = "g6", feature = "io"))]
bindings!("kv-adapt:components/g3-on-g6-io");
#[cfg(all(feature = "g4", feature = "g5", not(feature = "io")))]
bindings!("kv-adapt:components/g4-on-g5");
#[cfg(all(feature = "g4", feature = "g5", feature = "io"))]
bindings!("kv-adapt:components/g4-on-g5-io");
#[cfg(all(feature = "g4", feature = "g6", not(feature = "io")))]
bindings!("kv-adapt:components/g4-on-g6");
#[cfg(all(feature = "g4", feature = "g6", feature = "io"))]
bindings!("kv-adapt:components/g4-on-g6-io");

#[cfg(feature = "g5")]
use wasi::keyvalue0_2_0_draft as kv;
#[cfg(feature = "g6")]
use wasi::keyvalue0_2_0_draft2 as kv;

#[cfg(any(feature = "g3", feature = "g4"))]
mod eventual;
#[cfg(feature = "g2")]
mod g2;
#[cfg(target_arch = "wasm32")]
mod heap;
mod host;
#[cfg(feature = "io")]
mod io;

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

/// A host bucket, opened once for its name.
struct Opened {
    name: String,
    bucket: kv::store::Bucket,
}

struct State {
    opened: Vec<Opened>,
    /// Bodies of outgoing values, by G2 handle or by the handle a G3/G4 resource holds.
    outgoing: Bodies,
    encoding: Option<Encoding>,
    /// G2 bucket handle -> index in `opened`.
    #[cfg(feature = "g2")]
    buckets: slab::Slab<usize>,
    #[cfg(feature = "g2")]
    incoming: slab::Slab<g2::Incoming>,
    /// Trace texts of G2 error handles.
    #[cfg(feature = "g2")]
    errors: slab::Slab<String>,
}

struct Global(UnsafeCell<State>);

// SAFETY: wasm32 without threads, and the component model never re-enters a component,
// so exactly one export runs at a time.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(State {
    opened: Vec::new(),
    outgoing: Bodies::new(Kind::OutgoingValue),
    encoding: None,
    #[cfg(feature = "g2")]
    buckets: slab::Slab::new(Kind::Bucket),
    #[cfg(feature = "g2")]
    incoming: slab::Slab::new(Kind::IncomingValue),
    #[cfg(feature = "g2")]
    errors: slab::Slab::new(Kind::Error),
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

/// Remembers `trace`, an error the guest is about to receive, for `kv-adapt run` to report.
fn record_error(trace: &str) {
    // SAFETY: see `RecentErrors`; nothing else holds a reference into `RECENT` while an
    // export runs, and `recent_errors` only reads between exports.
    unsafe { (*RECENT.0.get()).record(trace) }
}

impl exports::kv_adapt::components::diagnostics::Guest for Adapter {
    fn recent_errors() -> Vec<String> {
        // SAFETY: as in `record_error`.
        unsafe { (*RECENT.0.get()).oldest_first() }
    }
}

/// Trace text of a host error on bucket `name`.
fn store_error(e: kv::store::Error, name: &str) -> String {
    let e = match &e {
        kv::store::Error::NoSuchStore => HostError::NoSuchStore,
        kv::store::Error::AccessDenied => HostError::AccessDenied,
        kv::store::Error::Other(text) => HostError::Other(text),
    };
    trace::host_error(e, name)
}

impl State {
    /// Index in `opened` of the host bucket called `name`, opening it the first time.
    fn open(&mut self, name: String) -> Result<usize, String> {
        if let Some(i) = self.opened.iter().position(|o| o.name == name) {
            return Ok(i);
        }
        let bucket = kv::store::open(&name).map_err(|e| store_error(e, &name))?;
        self.opened.push(Opened { name, bucket });
        Ok(self.opened.len() - 1)
    }

    /// A new outgoing value without a body. When the slab is full the handle is one that
    /// is never live, so every use of it is an error rather than a trap here.
    fn new_outgoing(&mut self) -> u32 {
        self.outgoing
            .insert(None)
            .unwrap_or_else(|_| slab::overflow(Kind::OutgoingValue))
    }

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
}
