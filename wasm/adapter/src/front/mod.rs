//! What the guest sees: one generation per file, exactly one compiled in per build.

#[cfg(any(feature = "front-g3", feature = "front-g4"))]
mod eventual;
#[cfg(feature = "front-g2")]
pub mod g2;
#[cfg(feature = "front-g5")]
mod g5;
#[cfg(feature = "front-g6")]
mod g6;
