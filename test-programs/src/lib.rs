//! The test guests of kv-adapt, built by this crate's build script; `dir!()` is the literal
//! path of their directory, for `concat!` in the tests' constants.

include!(concat!(env!("OUT_DIR"), "/dir.rs"));
