//! The components kv-adapt ships, built from `wasm/` by build.rs and embedded here. Each is
//! described by data (generations, flavour) so that choosing one is a table lookup and new
//! generations add rows, not code.

use crate::generation::Generation;
use crate::CounterEncoding;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
}

/// Who serves the wasi:io streams that a legacy generation's value bodies use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bodies {
    /// The adapter exports wasi:io itself and serves async bodies from memory; chosen when the
    /// guest uses wasi:io for nothing else.
    Adapter,
    /// wasi:io comes from the host; async body calls return an error saying why.
    Host,
}

impl Bodies {
    pub fn name(self) -> &'static str {
        match self {
            Bodies::Adapter => "adapter-io",
            Bodies::Host => "host-io",
        }
    }
}

pub struct Adapter {
    pub source: Generation,
    pub target: Generation,
    pub bodies: Bodies,
    /// The adapter before a config component is plugged into it.
    pub bytes: &'static [u8],
}

impl Adapter {
    /// File name stem, e.g. `adapter-g2-on-g5-io`.
    pub fn name(&self) -> String {
        let io = match self.bodies {
            Bodies::Adapter => "-io",
            Bodies::Host => "",
        };
        format!("adapter-{}-on-{}{io}", self.source.id().to_lowercase(), self.target.id().to_lowercase())
    }
}

pub const ADAPTERS: &[Adapter] = &[
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Host, bytes: generated::ADAPTER_G2_ON_G5 },
    Adapter { source: Generation::G2, target: Generation::G5, bodies: Bodies::Adapter, bytes: generated::ADAPTER_G2_ON_G5_IO },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Host, bytes: generated::ADAPTER_G2_ON_G6 },
    Adapter { source: Generation::G2, target: Generation::G6, bodies: Bodies::Adapter, bytes: generated::ADAPTER_G2_ON_G6_IO },
];

/// Generations a guest can be adapted from, for error messages.
pub const SUPPORTED_SOURCES: &str = "G2 (wasi:keyvalue 2023-11)";

pub fn adapter(source: Generation, target: Generation, bodies: Bodies) -> Option<&'static Adapter> {
    ADAPTERS.iter().find(|a| a.source == source && a.target == target && a.bodies == bodies)
}

pub fn adapters_from(source: Generation) -> impl Iterator<Item = &'static Adapter> {
    ADAPTERS.iter().filter(move |a| a.source == source)
}

pub struct Store {
    pub target: Generation,
    pub bytes: &'static [u8],
}

impl Store {
    pub fn name(&self) -> String {
        format!("store-fs-{}", self.target.id().to_lowercase())
    }
}

pub const STORES: &[Store] = &[
    Store { target: Generation::G5, bytes: generated::STORE_G5 },
    Store { target: Generation::G6, bytes: generated::STORE_G6 },
];

pub fn store(target: Generation) -> Option<&'static Store> {
    STORES.iter().find(|s| s.target == target)
}

/// The component that answers `kv-adapt:components/config` with `encoding`.
pub fn config(encoding: CounterEncoding) -> &'static [u8] {
    match encoding {
        CounterEncoding::Decimal => generated::CONFIG_DECIMAL,
        CounterEncoding::Le64 => generated::CONFIG_LE64,
        CounterEncoding::Be64 => generated::CONFIG_BE64,
    }
}

pub const CONFIG_IMPORT: &str = "kv-adapt:components/config";
