//! kv-adapt: run components built against one generation of `wasi:keyvalue` on hosts that
//! speak another, by composing them with a shipped adapter component.
//!
//! For a wasmtime embedder, one call before `Component::new`:
//!
//! ```no_run
//! # fn f(bytes: Vec<u8>) -> Result<(), kv_adapt::Error> {
//! let adapted = kv_adapt::plug(&bytes, &kv_adapt::PlugOptions::default())?;
//! # Ok(()) }
//! ```
//!
//! The crate's three jobs are its folders, and a plug's data goes through them top down:
//! - [`mod@plan`]: reading a component ([`plan::surface`]) and deciding what to do with it
//!   ([`plan()`], a pure function of the surface and the options);
//! - [`link`]: carrying the plan out (composing or fusing the adapter, moving WASI names,
//!   upgrading 2023 binaries);
//! - [`host`]: running the result (`run`, `serve`, `notify` and kv-adapt's own hosts) over a
//!   [`store`]; [`check`]: comparing and judging hosts (`diff`, `conformance`).
//!
//! Beneath them: [`generation`] (the vocabulary), [`artifacts`] (the components this build
//! embeds) and the errors. No module uses one above it.

pub mod artifacts;
pub mod check;
mod error;
pub mod generation;
pub mod host;
pub mod link;
pub mod plan;
pub mod store;

pub use artifacts::{Bodies, Wrapped, DIAGNOSTICS, ERROR_SINK};
pub use error::{one_line, Error, Result};
pub use generation::Generation;
pub use kv_adapt_convert::counter::Encoding as CounterEncoding;
pub use link::{attach_store, configure, configure_with, plug, plug_named, rewire_rc_wasi, Plugged};
pub use plan::surface::{surface, Surface};
pub use plan::{plan, Linking, Plan, PlugOptions};
