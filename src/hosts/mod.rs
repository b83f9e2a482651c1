//! Hosts kv-adapt serves itself, for generations no installable host speaks any more:
//! wasmtime host implementations (component bindgen) that follow each generation's
//! documentation, over the filesystem store's directory layout (`dir`), so that guests of
//! every generation can share one store directory.

pub mod dir;
pub mod eventual;
pub mod g2;
