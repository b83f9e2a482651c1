//! Hosts kv-adapt serves itself: wasmtime host implementations (component bindgen) that
//! follow each generation's documentation. The strict hosts (G2, G3/G4) serve generations
//! no installable host speaks any more; `today` serves G5/G6 where the store component
//! cannot (Redis). All of them go through `backend`, a directory in the filesystem store's
//! layout (`dir`) or a Redis server (`redis`), so guests of every generation share one store.

pub mod backend;
pub mod dir;
pub mod eventual;
pub mod g2;
pub mod redis;
pub mod today;
