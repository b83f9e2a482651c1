//! The stores kv-adapt's own hosts keep data in: a directory in the filesystem store's
//! layout ([`dir`]) or a Redis server ([`redis`]), behind one [`backend::Backend`], so that
//! guests of every generation, and the shipped store components, share one store.

pub mod backend;
pub mod dir;
pub mod redis;
