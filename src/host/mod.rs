//! Running a component: [`run`] (commands), [`serve`] (HTTP handlers) and [`notify`] (watch
//! handlers), each after `link` plugged it onto the chosen host, and the hosts kv-adapt
//! serves itself: wasmtime host implementations (component bindgen) that follow each
//! generation's documentation. The strict hosts ([`g2`], [`eventual`] for G3/G4) serve
//! generations no installable host speaks any more; [`today`] serves G5/G6 where the store
//! component cannot (Redis). All of them keep data in a [`crate::store`].

pub mod eventual;
pub mod g2;
pub mod notify;
pub mod run;
pub mod serve;
pub mod spin;
pub mod today;
pub mod spin3;
pub mod wasmcloud;
