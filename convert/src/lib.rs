//! Pure conversions shared by the adapters and the filesystem store, kept free of
//! wit-bindgen so that they are unit-tested on the host (`cargo test --workspace`).
//!
//! Nothing here allocates except where a value must be produced as bytes.
#![no_std]
extern crate alloc;

pub mod counter;
pub mod counter_s64;
pub mod cursors;
pub mod filename;
pub mod g1;
pub mod http_rc;
pub mod sockets_rc;
pub mod lock;
pub mod atomic;
pub mod batch;
pub mod cas_version;
pub mod bodies;
pub mod paging;
pub mod recent;
pub mod slab;
pub mod trace;
