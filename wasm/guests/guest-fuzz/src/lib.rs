//! The guest side of differential fuzzing (`tests/differential.rs`): it runs a sequence of
//! operations handed to it in one generation's calls and answers what each gave, so the
//! host can compare the answers with its model of that generation. One source, six
//! builds: the feature `g1` .. `g6` picks the world. `g2.rs` speaks the u32 handles of
//! G2 and G1 (and makes every handle mistake an op asks for), `eventual.rs` G3/G4 and `today.rs`
//! G5/G6.
//!
//! Nothing here interprets the answers: errors are reported by kind (the trace's first
//! word in G2-G4, the variant in G5/G6), values as bytes, and the host decides.

#[cfg(feature = "g1")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g1-fuzz-guest", generate_all });
#[cfg(feature = "g2")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g2-fuzz-guest", generate_all });
#[cfg(feature = "g3")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g3-fuzz-guest", generate_all });
#[cfg(feature = "g4")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g4-fuzz-guest", generate_all });
#[cfg(feature = "g5")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g5-fuzz-guest", generate_all });
#[cfg(feature = "g6")]
wit_bindgen::generate!({ path: "../../../wit/kv-adapt", world: "kv-adapt:components/g6-fuzz-guest", generate_all });

#[cfg(any(feature = "g1", feature = "g2"))]
mod g2;
#[cfg(any(feature = "g1", feature = "g2"))]
use g2 as generation;

#[cfg(feature = "g3")]
use wasi::keyvalue0_1_0 as keyvalue;
#[cfg(feature = "g4")]
use wasi::keyvalue0_2_0_draft as keyvalue;
#[cfg(any(feature = "g3", feature = "g4"))]
mod eventual;
#[cfg(any(feature = "g3", feature = "g4"))]
use eventual as generation;

#[cfg(feature = "g5")]
use wasi::keyvalue0_2_0_draft as keyvalue;
#[cfg(feature = "g6")]
use wasi::keyvalue0_2_0_draft2 as keyvalue;
#[cfg(any(feature = "g5", feature = "g6"))]
mod today;
#[cfg(any(feature = "g5", feature = "g6"))]
use today as generation;

use guest_support::fuzz::{decode_ops, encode_outcomes, Outcome};

/// Resources a G3-G6 guest holds, by slot (buckets; G6's cas handles too). A failed open
/// still takes its slot, empty, so that later slots keep the numbers the harness gave them.
#[cfg(not(any(feature = "g1", feature = "g2")))]
pub struct Slots<T>(Vec<Option<T>>);

#[cfg(not(any(feature = "g1", feature = "g2")))]
impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots(Vec::new())
    }
}

#[cfg(not(any(feature = "g1", feature = "g2")))]
impl<T> Slots<T> {
    pub fn get(&self, slot: u32) -> Option<&T> {
        self.0.get(slot as usize).and_then(Option::as_ref)
    }

    /// Gives the slot's resource away (to drop it or hand it over), leaving the slot empty.
    pub fn take(&mut self, slot: u32) -> Option<T> {
        self.0.get_mut(slot as usize).and_then(Option::take)
    }

    pub fn put(&mut self, slot: u32, value: T) {
        if let Some(s) = self.0.get_mut(slot as usize) {
            *s = Some(value);
        }
    }

    /// Keeps what an open gave in the next slot.
    pub fn keep<E>(&mut self, opened: Result<T, E>, error: impl FnOnce(E) -> Outcome) -> Outcome {
        match opened {
            Ok(value) => {
                self.0.push(Some(value));
                Outcome::Handle
            }
            Err(e) => {
                self.0.push(None);
                error(e)
            }
        }
    }

    /// Drops the slot's resource: `Gone` when there was none.
    pub fn drop_slot(&mut self, slot: u32) -> Outcome {
        self.take(slot).map_or(Outcome::Gone, |_| Outcome::Unit)
    }
}

struct Fuzz;

impl exports::kv_adapt::components::fuzz::Guest for Fuzz {
    fn run(ops: Vec<u8>) -> Vec<u8> {
        let Some(ops) = decode_ops(&ops) else {
            return encode_outcomes(&[Outcome::Malformed]);
        };
        let mut guest = generation::Guest::default();
        let outcomes: Vec<Outcome> = ops.into_iter().map(|op| guest.run(op)).collect();
        encode_outcomes(&outcomes)
    }
}

export!(Fuzz);
