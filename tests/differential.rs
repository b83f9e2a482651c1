//! Differential fuzzing: long random sequences of operations, guest mistakes included, run
//! by a fuzz guest of each generation (`wasm/guests/guest-fuzz`) through kv-adapt's adapter
//! onto a real host of another generation (or natively, as the baseline), and compared op
//! by op with the reference model of the guest's generation (`differential/model.rs`).
//! A trap anywhere is a failure, whatever the op.
//!
//! Every pair runs `KV_ADAPT_FUZZ_OPS` operations (default 20,000) from
//! `KV_ADAPT_FUZZ_SEED` (default fixed), in sequences of 20-300 ops, each on a fresh
//! instance and an empty store. A divergence is minimized (ops removed while it still
//! diverges) and printed as Rust, ready to become a case of `REGRESSIONS` below.
//!
//! ```sh
//! KV_ADAPT_FUZZ_OPS=1000000 cargo test --release --test differential -- --nocapture
//! ```

mod common;
#[path = "differential/model.rs"]
mod model;

use common::{Bodies, CounterEncoding, Host, Setup};
use guest_support::fuzz::{decode_outcomes, encode_ops, Op, Outcome, MADE_UP_HANDLE};
use kv_adapt::Generation;
use model::{agrees, Model, LONG_KEY};

/// SplitMix64: small, seedable, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(1000) < percent * 10
    }
    fn permille(&mut self, n: u64) -> bool {
        self.below(1000) < n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Bucket names: plain, empty, and names that look like paths.
const BUCKETS: &[&str] = &["b", "", "other", "a/b", "..", "日本"];

/// Keys: plain ones (so that they collide often), and the hostile names of the directory
/// stores' encoding (separators, dots, NUL, the temp-file and lock-file names).
const KEYS: &[&str] = &[
    "a", "b", "c", "k1", "k2", "k3", "counter", "n", "", ".", "..", "a/b", "/", "x y", "é", "日本", "\0", "%41",
    ".kv-tmp-0", ".kv-lock", "CON", "a:b", "-", "~",
];

/// What one sequence is for: which generation the guest speaks and which the host.
struct Generator {
    rng: Rng,
    front: Generation,
}

impl Generator {
    fn key(&mut self) -> String {
        if self.rng.permille(15) {
            // Too long for a file name: the host's own error.
            let mut k = "L".repeat(LONG_KEY);
            k.push_str(&self.rng.below(10).to_string());
            return k;
        }
        if self.rng.chance(10) {
            return format!("k{}", self.rng.below(200));
        }
        (*self.rng.pick(KEYS)).to_string()
    }

    /// A key for a batch: never too long, so a batch either fails before writing or not at all.
    fn batch_key(&mut self) -> String {
        loop {
            let k = self.key();
            if k.len() < LONG_KEY {
                return k;
            }
        }
    }

    fn counter_value(&mut self) -> Vec<u8> {
        let n: i128 = match self.rng.below(10) {
            0..=5 => self.rng.below(1000) as i128,
            6 => (u64::MAX - self.rng.below(5)) as i128,
            7 => (i64::MAX as u64 - self.rng.below(5)) as i128,
            8 if self.front == Generation::G6 => -(self.rng.below(1000) as i128),
            8 => (i64::MAX as u64 + self.rng.below(5)) as i128,
            _ if self.front == Generation::G6 => i64::MIN as i128 + self.rng.below(5) as i128,
            _ => self.rng.below(100) as i128,
        };
        n.to_string().into_bytes()
    }

    /// Values: counters now and then, otherwise bytes that cannot read as one (the first
    /// byte is never a digit or `-`), from empty to 1 MiB.
    fn value(&mut self) -> Vec<u8> {
        if self.rng.chance(12) {
            return self.counter_value();
        }
        let len = match self.rng.below(1000) {
            0..=99 => 0,
            100..=399 => self.rng.range(1, 8),
            400..=849 => self.rng.range(9, 256),
            850..=979 => self.rng.range(257, 16 << 10),
            980..=998 => self.rng.range(16 << 10, 256 << 10),
            _ => self.rng.range(256 << 10, 1 << 20),
        } as usize;
        let mut v = Vec::with_capacity(len);
        let mut word = 0u64;
        for i in 0..len {
            if i % 8 == 0 {
                word = self.rng.next();
            }
            v.push((word >> ((i % 8) * 8)) as u8);
        }
        if let Some(first) = v.first_mut() {
            if first.is_ascii_digit() || *first == b'-' {
                *first = b'v';
            }
        }
        v
    }

    fn delta(&mut self) -> u64 {
        match self.rng.below(20) {
            0..=13 => self.rng.below(10),
            14..=16 => self.rng.below(1000),
            17 => u64::MAX - self.rng.below(3),
            18 => (1 << 63) + self.rng.below(3),
            _ if self.front == Generation::G6 => (-(self.rng.range(1, 100) as i64)) as u64,
            _ => 1,
        }
    }

    /// A slot of the wanted kind if there is one live, else any slot, sometimes made up.
    fn g2_ref(&mut self, model: &Model, kind: char) -> u32 {
        let slots = model.g2_slots();
        let live: Vec<u32> =
            slots.iter().enumerate().filter(|(_, (k, l))| *k == kind && *l).map(|(i, _)| i as u32).collect();
        match self.rng.below(20) {
            0..=15 if !live.is_empty() => *self.rng.pick(&live),
            0..=17 if !slots.is_empty() => self.rng.below(slots.len() as u64) as u32,
            _ => MADE_UP_HANDLE + self.rng.below(1 << 16) as u32,
        }
    }

    /// A bucket slot: almost always an open one.
    fn bucket(&mut self, model: &Model) -> u32 {
        if matches!(self.front, Generation::G1 | Generation::G2) {
            return self.g2_ref(model, 'b');
        }
        let slots = model.bucket_slots();
        let open: Vec<u32> = slots.iter().enumerate().filter(|(_, o)| **o).map(|(i, _)| i as u32).collect();
        if open.is_empty() || self.rng.chance(2) {
            self.rng.below(slots.len().max(1) as u64) as u32
        } else {
            *self.rng.pick(&open)
        }
    }

    fn cas_slot(&mut self, model: &Model) -> u32 {
        let slots = model.cas_slots();
        let held: Vec<u32> = slots.iter().enumerate().filter(|(_, h)| **h).map(|(i, _)| i as u32).collect();
        if held.is_empty() || self.rng.chance(5) {
            self.rng.below(slots.len().max(1) as u64) as u32
        } else {
            *self.rng.pick(&held)
        }
    }

    fn keys(&mut self, n: u64) -> Vec<String> {
        (0..self.rng.below(n + 1)).map(|_| self.batch_key()).collect()
    }

    fn op(&mut self, model: &Model) -> Op {
        let g = self.front;
        let b = self.bucket(model);
        loop {
            let roll = self.rng.below(100);
            let op = match roll {
                0..=2 => Op::Open { name: (*self.rng.pick(BUCKETS)).to_string() },
                3 => Op::DropBucket { b },
                4..=17 => Op::Get { b, key: self.key() },
                18..=31 => Op::Set { b, key: self.key(), value: self.value() },
                32..=35 => Op::Delete { b, key: self.key() },
                36..=39 => Op::Exists { b, key: self.key() },
                40..=46 => Op::Increment { b, key: self.key(), delta: self.delta() },
                47..=50 => Op::GetMany { b, keys: self.keys(6) },
                51..=54 => {
                    let pairs = if self.rng.permille(4) {
                        // Enough keys for more than one list-keys page (1000).
                        (0..self.rng.range(1001, 1300)).map(|i| (format!("m{i}"), self.value())).collect()
                    } else {
                        (0..self.rng.below(6)).map(|_| (self.batch_key(), self.value())).collect()
                    };
                    Op::SetMany { b, pairs }
                }
                55..=56 => Op::DeleteMany { b, keys: self.keys(6) },
                57..=60 => Op::ListAll { b },
                61..=65 if matches!(g, Generation::G1 | Generation::G2 | Generation::G3 | Generation::G4) => {
                    let key = self.key();
                    let old = match model.stored(b, &key).and_then(|v| String::from_utf8(v).ok()?.parse().ok()) {
                        Some(current) if self.rng.chance(60) => current,
                        _ => self.rng.below(20),
                    };
                    Op::CompareAndSwap { b, key, old, new: self.rng.below(1000) }
                }
                66..=67 if matches!(g, Generation::G5 | Generation::G6) => {
                    Op::ListMadeUpCursor { b, cursor: (1 << 63) + self.rng.below(1 << 20) }
                }
                66..=99 if matches!(g, Generation::G1 | Generation::G2) => match roll {
                    66..=69 => Op::NewOutgoing,
                    70..=73 => Op::WriteBody { o: self.g2_ref(model, 'o'), value: self.value() },
                    74..=77 => Op::SetOutgoing { b, key: self.key(), o: self.g2_ref(model, 'o') },
                    78..=79 => Op::DropOutgoing { o: self.g2_ref(model, 'o') },
                    80..=83 => Op::GetIncoming { b, key: self.key() },
                    84..=87 => Op::Consume { i: self.g2_ref(model, 'i') },
                    88..=89 => Op::Size { i: self.g2_ref(model, 'i') },
                    90..=91 => Op::DropIncoming { i: self.g2_ref(model, 'i') },
                    92..=94 => Op::Trace { e: self.g2_ref(model, 'e') },
                    95..=96 => Op::DropError { e: self.g2_ref(model, 'e') },
                    _ => {
                        let n = self.rng.below(4);
                        let pairs = (0..n).map(|_| (self.batch_key(), self.g2_ref(model, 'o'))).collect();
                        Op::SetManyOutgoing { b, pairs }
                    }
                },
                66..=99 if matches!(g, Generation::G3 | Generation::G4) => match roll {
                    66..=67 => Op::SetWithoutBody { b, key: self.key() },
                    68..=71 => Op::SetWritingTwice { b, key: self.key(), first: self.value(), second: self.value() },
                    72..=76 => Op::SizeThenConsume { b, key: self.key() },
                    _ => continue,
                },
                68..=99 if g == Generation::G6 => match roll {
                    68..=73 => Op::CasNew { b, key: self.key() },
                    74..=76 => Op::CasCurrent { c: self.cas_slot(model) },
                    77..=83 => {
                        let c = self.cas_slot(model);
                        Op::CasSwap { c, value: self.value() }
                    }
                    84..=85 => Op::CasDrop { c: self.cas_slot(model) },
                    _ => continue,
                },
                _ => continue,
            };
            return op;
        }
    }
}

/// One guest generation through one host: what is fuzzed.
#[derive(Clone, Copy, Debug)]
struct Pair {
    front: Generation,
    host: Host,
    /// For G2-G4 guests, which adapter flavour: `Adapter` (`-io`, the one `plug` picks for
    /// a guest without WASI of its own), `Host` (the pass-through one) or `Wrapping` (G3/G4).
    bodies: Bodies,
}

impl Pair {
    fn guest(self) -> String {
        let n = match self.front {
            Generation::G1 => 1,
            Generation::G2 => 2,
            Generation::G3 => 3,
            Generation::G4 => 4,
            Generation::G5 => 5,
            Generation::G6 => 6,
            Generation::Spin2 | Generation::Spin1 | Generation::SpinDraft2 | Generation::Spin3 | Generation::Wasmcloud2 => {
                panic!("no fuzz guest speaks {:?}", self.front)
            }
        };
        format!("{}/guest-g{n}-fuzz.wasm", kv_adapt_test_programs::dir!())
    }

    fn setup(self) -> Setup {
        Setup { host: self.host, bodies: self.bodies, counter: CounterEncoding::Decimal, strict_atomics: false }
    }

    fn name(self) -> String {
        match (self.front, self.bodies) {
            (Generation::G2 | Generation::G3 | Generation::G4, Bodies::Host) => {
                format!("{:?} on {:?} (pass-through flavour)", self.front, self.host)
            }
            (_, Bodies::Wrapping(_)) => format!("{:?} on {:?} (wrapping flavour)", self.front, self.host),
            _ => format!("{:?} on {:?}", self.front, self.host),
        }
    }
}

/// What running a sequence showed.
#[derive(Debug)]
enum Finding {
    /// Op `at` answered `actual`; the model says `expected`.
    Diverged { at: usize, expected: Outcome, actual: Outcome },
    /// The call trapped (the adapter, the host or the guest).
    Trapped(String),
    /// Fewer or more answers than ops, or answers that do not decode.
    BadAnswer(String),
}

impl Finding {
    fn describe(&self) -> String {
        match self {
            Finding::Diverged { at, expected, actual } => {
                format!("op {at} answered {actual:?}; the model of the generation says {expected:?}")
            }
            Finding::Trapped(trap) => format!("trapped: {trap}"),
            Finding::BadAnswer(what) => format!("bad answer: {what}"),
        }
    }
}

/// How often each kind of answer came back, so a run shows what it exercised.
#[derive(Default)]
struct Tally {
    errors: u64,
    values: u64,
    missing: u64,
    handles: u64,
    lists: u64,
    other: u64,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Error(_) | Outcome::CasFailed => self.errors += 1,
            Outcome::Bytes(_) | Outcome::Number(_) | Outcome::Bool(_) | Outcome::Trace(_) => self.values += 1,
            Outcome::Missing | Outcome::Gone => self.missing += 1,
            Outcome::Handle => self.handles += 1,
            Outcome::Keys(_) | Outcome::Entries(_) | Outcome::Page { .. } => self.lists += 1,
            Outcome::Pair(a, b) => {
                self.add(a);
                self.add(b);
            }
            Outcome::Unit | Outcome::NotInThisGeneration | Outcome::Malformed => self.other += 1,
        }
    }
}

/// Runs `ops` on a fresh instance of `pair` and checks every answer against the model.
fn check(pair: Pair, ops: &[Op]) -> Option<Finding> {
    let mut model = Model::new(pair.front, pair.host.generation());
    let expected: Vec<Outcome> = ops.iter().map(|op| model.apply(op)).collect();
    check_against(pair, ops, &expected, &mut Tally::default())
}

/// [`check`] with the model's answers already known (the generator computed them).
fn check_against(pair: Pair, ops: &[Op], expected: &[Outcome], tally: &mut Tally) -> Option<Finding> {
    let (mut store, instance) = common::instantiate(&pair.guest(), pair.setup());
    let iface = instance.get_export_index(&mut store, None, "kv-adapt:components/fuzz").expect("guest exports fuzz");
    let func = instance.get_export_index(&mut store, Some(&iface), "run").expect("fuzz.run");
    let run = instance.get_typed_func::<(Vec<u8>,), (Vec<u8>,)>(&mut store, &func).expect("fuzz.run type");
    let answer = match run.call(&mut store, (encode_ops(ops),)) {
        Ok((answer,)) => answer,
        Err(trap) => return Some(Finding::Trapped(format!("{trap:?}"))),
    };
    let Some(actual) = decode_outcomes(&answer) else {
        return Some(Finding::BadAnswer("the answers do not decode".into()));
    };
    for (at, (want, got)) in expected.iter().zip(&actual).enumerate() {
        tally.add(got);
        if !agrees(want, got) {
            return Some(Finding::Diverged { at, expected: want.clone(), actual: got.clone() });
        }
    }
    if actual.len() != ops.len() {
        return Some(Finding::BadAnswer(format!("{} answers to {} ops", actual.len(), ops.len())));
    }
    None
}

/// `op` naming bucket slot `b` instead of its own; `None` for an op without a bucket.
fn with_bucket(op: &Op, b: u32) -> Option<Op> {
    let mut op = op.clone();
    match &mut op {
        Op::DropBucket { b: slot }
        | Op::Get { b: slot, .. }
        | Op::Set { b: slot, .. }
        | Op::Delete { b: slot, .. }
        | Op::Exists { b: slot, .. }
        | Op::Increment { b: slot, .. }
        | Op::CompareAndSwap { b: slot, .. }
        | Op::GetMany { b: slot, .. }
        | Op::SetMany { b: slot, .. }
        | Op::DeleteMany { b: slot, .. }
        | Op::ListAll { b: slot }
        | Op::ListMadeUpCursor { b: slot, .. }
        | Op::SetOutgoing { b: slot, .. }
        | Op::GetIncoming { b: slot, .. }
        | Op::SetManyOutgoing { b: slot, .. }
        | Op::SetWithoutBody { b: slot, .. }
        | Op::SetWritingTwice { b: slot, .. }
        | Op::SizeThenConsume { b: slot, .. }
        | Op::CasNew { b: slot, .. } => {
            if *slot == b {
                return None;
            }
            *slot = b;
        }
        Op::Open { .. }
        | Op::NewOutgoing
        | Op::WriteBody { .. }
        | Op::DropOutgoing { .. }
        | Op::Consume { .. }
        | Op::Size { .. }
        | Op::DropIncoming { .. }
        | Op::Trace { .. }
        | Op::DropError { .. }
        | Op::CasCurrent { .. }
        | Op::CasSwap { .. }
        | Op::CasDrop { .. } => return None,
    }
    Some(op)
}

/// The shortest sequence found (removing chunks, then single ops, and pointing ops at the
/// first bucket so that the opens before it can go too) that still gives a finding.
fn minimize(pair: Pair, ops: Vec<Op>) -> Vec<Op> {
    let mut ops = ops;
    let mut chunk = ops.len().div_ceil(2).max(1);
    let mut budget: u32 = 400;
    loop {
        let mut removed = false;
        let mut start = 0;
        while start < ops.len() && budget > 0 {
            let end = (start + chunk).min(ops.len());
            let mut shorter = ops.clone();
            shorter.drain(start..end);
            budget -= 1;
            if !shorter.is_empty() && check(pair, &shorter).is_some() {
                ops = shorter;
                removed = true;
            } else {
                start = end;
            }
        }
        if chunk == 1 && !removed {
            // Slots shift when an open goes: try the first bucket for every op, all at
            // once, then one by one.
            let mut moved = false;
            let all: Vec<Op> = ops.iter().map(|op| with_bucket(op, 0).unwrap_or_else(|| op.clone())).collect();
            if all != ops {
                budget = budget.saturating_sub(1);
                if check(pair, &all).is_some() {
                    ops = all;
                    moved = true;
                }
            }
            for i in 0..ops.len() {
                if let Some(op) = with_bucket(&ops[i], 0) {
                    let mut other = ops.clone();
                    other[i] = op;
                    budget = budget.saturating_sub(1);
                    if check(pair, &other).is_some() {
                        ops = other;
                        moved = true;
                    }
                }
            }
            if !moved || budget == 0 {
                return ops;
            }
            removed = true;
        }
        if budget == 0 {
            return ops;
        }
        if !removed {
            chunk = chunk.div_ceil(2);
        }
    }
}

/// A value for printing: long ones elided, so a minimized case stays readable.
fn short(op: &Op) -> String {
    let text = format!("{op:?}");
    if text.len() > 300 {
        format!("{}...", &text[..300])
    } else {
        text
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// What fuzzing one pair found.
struct Run {
    ran: u64,
    sequences: u64,
    traps: u64,
    divergences: u64,
    tally: Tally,
    /// The first few findings, minimized: what happened and the ops that make it happen.
    minimized: Vec<(String, Vec<Op>)>,
}

/// The number a flavour adds to a pair's seed (the enum's order before it carried data, so
/// that the seeds of earlier runs still replay).
fn bodies_seed(bodies: Bodies) -> u64 {
    match bodies {
        Bodies::Adapter => 0,
        Bodies::Host => 1,
        Bodies::Wrapping(_) => 2,
    }
}

/// Runs `total` random ops on `pair` from `seed`, stopping early once `stop_after`
/// findings are in.
fn fuzz_run(pair: Pair, total: u64, seed: u64, stop_after: usize) -> Run {
    // Each pair its own stream, so that one pair's failure replays alone.
    let pair_seed = seed
        ^ (pair.front as u64).wrapping_mul(0x1000_0001)
        ^ (pair.host as u64).wrapping_mul(0x3_0000_0007)
        ^ bodies_seed(pair.bodies).wrapping_mul(0x50_0000_0011);
    let mut generator = Generator { rng: Rng(pair_seed), front: pair.front };
    let mut run = Run { ran: 0, sequences: 0, traps: 0, divergences: 0, tally: Tally::default(), minimized: Vec::new() };
    while run.ran < total && run.minimized.len() < stop_after {
        let len = generator.rng.range(20, 300).min(total - run.ran);
        let mut model = Model::new(pair.front, pair.host.generation());
        let mut ops = vec![Op::Open { name: (*generator.rng.pick(BUCKETS)).to_string() }];
        let mut expected = vec![model.apply(&ops[0])];
        while (ops.len() as u64) < len.max(1) {
            let op = generator.op(&model);
            expected.push(model.apply(&op));
            ops.push(op);
        }
        run.ran += ops.len() as u64;
        run.sequences += 1;
        if let Some(finding) = check_against(pair, &ops, &expected, &mut run.tally) {
            match finding {
                Finding::Trapped(_) => run.traps += 1,
                Finding::Diverged { .. } | Finding::BadAnswer(_) => run.divergences += 1,
            }
            if run.minimized.len() < 3 {
                let small = minimize(pair, ops);
                let what = check(pair, &small).map_or_else(|| "(no longer reproduces alone)".into(), |f| f.describe());
                run.minimized.push((what, small));
            }
        }
    }
    run
}

/// Fuzzes `pair` for `KV_ADAPT_FUZZ_OPS` ops; panics with the minimized findings.
fn fuzz(pair: Pair) {
    let total = env_u64("KV_ADAPT_FUZZ_OPS", 20_000);
    let seed = env_u64("KV_ADAPT_FUZZ_SEED", 0x6b76_2d61_6461_7074);
    let started = std::time::Instant::now();
    let run = fuzz_run(pair, total, seed, usize::MAX);
    let t = &run.tally;
    eprintln!(
        "differential: {}: {} ops in {} sequences, {} divergences, {} traps, {:.1} s \
         (answers: {} errors, {} values, {} none/gone, {} handles, {} lists, {} unit)",
        pair.name(),
        run.ran,
        run.sequences,
        run.divergences,
        run.traps,
        started.elapsed().as_secs_f64(),
        t.errors,
        t.values,
        t.missing,
        t.handles,
        t.lists,
        t.other
    );
    let reports: Vec<String> = run
        .minimized
        .iter()
        .map(|(what, ops)| {
            let listing: Vec<String> = ops.iter().map(short).collect();
            format!("{what}\n    ops:\n      {}", listing.join(",\n      "))
        })
        .collect();
    assert!(
        reports.is_empty(),
        "{}: {} divergences, {} traps in {} sequences; minimized:\n{}",
        pair.name(),
        run.divergences,
        run.traps,
        run.sequences,
        reports.join("\n\n")
    );
}

/// The harness can fail: a store whose `delete` removes nothing is caught within a few
/// thousand ops and minimized to a handful that show it.
#[test]
fn a_store_whose_delete_removes_nothing_is_caught_and_minimized() {
    let pair = Pair { front: Generation::G5, host: Host::BrokenFsStoreDraft, bodies: Bodies::Host };
    let run = fuzz_run(pair, 5_000, 1, 1);
    let (what, ops) = run.minimized.first().unwrap_or_else(|| panic!("{} ops ran and nothing was caught", run.ran));
    let listing: Vec<String> = ops.iter().map(short).collect();
    assert!(ops.len() <= 4, "minimized to {} ops: {listing:?}", ops.len());
    assert!(
        ops.iter().any(|op| matches!(op, Op::Delete { .. } | Op::DeleteMany { .. })),
        "the minimized case must delete something: {what}: {listing:?}"
    );
}

macro_rules! pairs {
    ($($test:ident => $front:ident on $host:ident $(with $bodies:ident)?),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                fuzz(pairs!(@pair $front $host $($bodies)?));
            }
        )*
        /// Every pair above, for the regression cases.
        const PAIRS: &[Pair] = &[$(pairs!(@pair $front $host $($bodies)?)),*];
    };
    (@pair $front:ident $host:ident) => {
        Pair {
            front: Generation::$front,
            host: Host::$host,
            // A G2-G4 guest with no WASI of its own gets the adapter that serves streams itself.
            // G1's adapter serves G1's own streams, in its one (adapter-bodies) flavour.
            bodies: match Generation::$front {
                Generation::G1 | Generation::G2 | Generation::G3 | Generation::G4 => Bodies::Adapter,
                Generation::G5
                | Generation::G6
                | Generation::Spin2
                | Generation::Spin1
                | Generation::SpinDraft2
                | Generation::Spin3
                | Generation::Wasmcloud2 => Bodies::Host,
            },
        }
    };
    // The wrapping flavour with every group, forced onto the fuzz guest (which imports
    // none of them): its value bodies must answer as `-io`'s do.
    (@pair $front:ident $host:ident Wrapping) => {
        Pair { front: Generation::$front, host: Host::$host, bodies: Bodies::Wrapping(kv_adapt::Wrapped { stdio: true, clock: true, files: true }) }
    };
    (@pair $front:ident $host:ident $bodies:ident) => {
        Pair { front: Generation::$front, host: Host::$host, bodies: Bodies::$bodies }
    };
}

// Every shipped adapter (all twenty-two: both flavours of the G2-G4 fronts), the wrapping
// flavour with every group for G2 and G4 (onto G6) and G3 (onto G5), and every native baseline
// kv-adapt has a host for.
pairs! {
    g1_through_adapter_g1_on_g5 => G1 on DirDraft,
    g1_through_adapter_g1_on_g6 => G1 on DirDraft2,
    g2_natively_on_the_strict_g2_host => G2 on StrictG2,
    g2_through_adapter_g2_on_g5_io => G2 on DirDraft,
    g2_through_adapter_g2_on_g6_io => G2 on DirDraft2,
    g2_through_adapter_g2_on_g5 => G2 on DirDraft with Host,
    g2_through_adapter_g2_on_g6 => G2 on DirDraft2 with Host,
    g2_through_adapter_g2_on_g6_io_wasi_stdio_clock_files => G2 on DirDraft2 with Wrapping,
    g3_natively_on_the_strict_g3_host => G3 on StrictG3,
    g3_through_adapter_g3_on_g5_io => G3 on DirDraft,
    g3_through_adapter_g3_on_g6_io => G3 on DirDraft2,
    g3_through_adapter_g3_on_g5 => G3 on DirDraft with Host,
    g3_through_adapter_g3_on_g6 => G3 on DirDraft2 with Host,
    g3_through_adapter_g3_on_g5_io_wasi_stdio_clock_files => G3 on DirDraft with Wrapping,
    g4_natively_on_the_strict_g4_host => G4 on StrictG4,
    g4_through_adapter_g4_on_g5_io => G4 on DirDraft,
    g4_through_adapter_g4_on_g6_io => G4 on DirDraft2,
    g4_through_adapter_g4_on_g5 => G4 on DirDraft with Host,
    g4_through_adapter_g4_on_g6 => G4 on DirDraft2 with Host,
    g4_through_adapter_g4_on_g6_io_wasi_stdio_clock_files => G4 on DirDraft2 with Wrapping,
    g5_natively_on_the_g5_host => G5 on DirDraft,
    g5_natively_on_the_g5_store_component => G5 on FsStoreDraft,
    g5_through_adapter_g5_on_g6 => G5 on DirDraft2,
    g5_through_adapter_g5_on_g2 => G5 on StrictG2,
    g5_through_adapter_g5_on_g3 => G5 on StrictG3,
    g5_through_adapter_g5_on_g4 => G5 on StrictG4,
    g6_natively_on_the_g6_host => G6 on DirDraft2,
    g6_natively_on_the_g6_store_component => G6 on FsStoreDraft2,
    g6_through_adapter_g6_on_g5 => G6 on DirDraft,
    g6_through_adapter_g6_on_g2 => G6 on StrictG2,
    g6_through_adapter_g6_on_g3 => G6 on StrictG3,
    g6_through_adapter_g6_on_g4 => G6 on StrictG4,
}

/// Divergences the fuzzer found, minimized, each run on every pair of its generation.
fn regressions() -> Vec<(Generation, &'static str, Vec<Op>)> {
    let key = || "k".to_string();
    vec![
        (
            Generation::G2,
            "get-many of no keys in a bucket that was never opened is a bad-handle error \
             (the strict G2 host answered an empty list)",
            vec![Op::GetMany { b: 0, keys: vec![] }],
        ),
        (
            Generation::G2,
            "size of a consumed incoming value is still its size (the strict G2 host said 0)",
            vec![
                Op::Open { name: "b".into() },
                Op::Set { b: 0, key: key(), value: b"v1234567".to_vec() },
                Op::GetIncoming { b: 0, key: key() },
                Op::Consume { i: 1 },
                Op::Size { i: 1 },
            ],
        ),
    ]
}

#[test]
fn found_divergences_stay_fixed() {
    for (front, what, ops) in regressions() {
        for pair in PAIRS.iter().filter(|p| p.front == front) {
            if let Some(finding) = check(*pair, &ops) {
                panic!("{what}, on {}: {}", pair.name(), finding.describe());
            }
        }
    }
}
