//! The workloads, by name. Names are what the host passes to `setup` and `run`:
//! `get-16`, `get-1k`, `get-64k`, `set-*` (same sizes), `get-async-*`, `set-async-*`,
//! `exists`, `increment`, `cas`, `get-many-100`, `set-many-100`, `list-keys-10000`.
//! One operation is one logical call of the workload (one value read, one batch of 100,
//! one listing of every key).

use crate::Kv;

/// Keys per batch in `get-many-100` / `set-many-100`.
const BATCH: usize = 100;
/// Keys seeded for `list-keys-10000`; the host gives that workload a fresh, empty bucket.
const LIST_KEYS: usize = 10_000;
/// Value size of batch and listing entries.
const SMALL: usize = 16;

#[derive(Clone, Copy)]
pub enum Workload {
    Get { size: usize, stream: bool },
    Set { size: usize, stream: bool },
    Exists,
    Increment,
    Cas,
    GetMany,
    SetMany,
    ListKeys,
}

fn size(name: &str) -> Option<usize> {
    match name {
        "16" => Some(16),
        "1k" => Some(1024),
        "64k" => Some(64 * 1024),
        _ => None,
    }
}

/// Deterministic bytes, different per size so a mixed-up key shows as a wrong value.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31).wrapping_add(len)) as u8).collect()
}

fn batch_keys(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:05}")).collect()
}

fn value_key(size: usize) -> String {
    format!("value-{size}")
}

impl Workload {
    pub fn parse(name: &str) -> Result<Workload, String> {
        let sized = |rest: &str, make: fn(usize) -> Workload| size(rest).map(make);
        let w = match name {
            "exists" => Some(Workload::Exists),
            "increment" => Some(Workload::Increment),
            "cas" => Some(Workload::Cas),
            "get-many-100" => Some(Workload::GetMany),
            "set-many-100" => Some(Workload::SetMany),
            "list-keys-10000" => Some(Workload::ListKeys),
            _ => {
                if let Some(rest) = name.strip_prefix("get-async-") {
                    sized(rest, |size| Workload::Get { size, stream: true })
                } else if let Some(rest) = name.strip_prefix("set-async-") {
                    sized(rest, |size| Workload::Set { size, stream: true })
                } else if let Some(rest) = name.strip_prefix("get-") {
                    sized(rest, |size| Workload::Get { size, stream: false })
                } else if let Some(rest) = name.strip_prefix("set-") {
                    sized(rest, |size| Workload::Set { size, stream: false })
                } else {
                    None
                }
            }
        };
        w.ok_or_else(|| format!("unknown workload {name:?}"))
    }

    pub fn setup(self, kv: &impl Kv) -> Result<(), String> {
        match self {
            // `set` too, so that the timed sets overwrite, like the reads read, a present key.
            Workload::Get { size, .. } | Workload::Set { size, .. } => kv.set(&value_key(size), &pattern(size)),
            Workload::Exists => kv.set("exists", b"x"),
            // Created through `increment`, so the counter is in the host's own encoding.
            Workload::Increment => kv.increment("counter", 1).map(drop),
            Workload::Cas => kv.increment("cas", 1).map(drop),
            Workload::GetMany | Workload::SetMany => kv.set_many(&pairs("batch", BATCH)),
            Workload::ListKeys => {
                for chunk in 0..LIST_KEYS / 1000 {
                    let pairs: Vec<(String, Vec<u8>)> =
                        (0..1000).map(|i| (format!("list-{:05}", chunk * 1000 + i), pattern(SMALL))).collect();
                    kv.set_many(&pairs)?;
                }
                Ok(())
            }
        }
    }

    pub fn run(self, kv: &impl Kv, iterations: u32) -> Result<u64, String> {
        let mut sum = 0u64;
        match self {
            Workload::Get { size, stream } => {
                let key = value_key(size);
                for _ in 0..iterations {
                    let v = if stream { kv.get_async(&key)? } else { kv.get(&key)? };
                    if v.len() != size {
                        return Err(format!("get {key:?}: expected {size} bytes, got {}", v.len()));
                    }
                    sum = sum.wrapping_add(v.len() as u64 + v[0] as u64 + v[size - 1] as u64);
                }
            }
            Workload::Set { size, stream } => {
                let key = value_key(size);
                let mut value = pattern(size);
                for i in 0..iterations {
                    // A different value each time, so no layer could skip an unchanged write.
                    value[0] = i as u8;
                    if stream {
                        kv.set_async(&key, &value)?
                    } else {
                        kv.set(&key, &value)?
                    }
                    sum = sum.wrapping_add(value[0] as u64 + 1);
                }
            }
            Workload::Exists => {
                for _ in 0..iterations {
                    if !kv.exists("exists")? {
                        return Err("exists \"exists\": false, but setup wrote it".into());
                    }
                    sum += 1;
                }
            }
            Workload::Increment => {
                for _ in 0..iterations {
                    sum = kv.increment("counter", 1)?;
                }
            }
            Workload::Cas => {
                let mut current = kv.increment("cas", 0)?;
                for _ in 0..iterations {
                    if !kv.compare_and_swap("cas", current, current + 1)? {
                        return Err(format!("compare-and-swap \"cas\" {current} -> {}: refused", current + 1));
                    }
                    current += 1;
                }
                sum = current;
            }
            Workload::GetMany => {
                let keys = batch_keys("batch", BATCH);
                for _ in 0..iterations {
                    let values = kv.get_many(&keys)?;
                    if values.len() != BATCH {
                        return Err(format!("get-many: expected {BATCH} values, got {}", values.len()));
                    }
                    sum = sum.wrapping_add(values.iter().map(|v| v.len() as u64).sum::<u64>());
                }
            }
            Workload::SetMany => {
                let mut pairs = pairs("batch", BATCH);
                for i in 0..iterations {
                    pairs[0].1[0] = i as u8;
                    kv.set_many(&pairs)?;
                    sum = sum.wrapping_add(BATCH as u64);
                }
            }
            Workload::ListKeys => {
                for _ in 0..iterations {
                    let keys = kv.list_keys()?;
                    if keys.len() != LIST_KEYS {
                        return Err(format!("list-keys: expected {LIST_KEYS} keys, got {}", keys.len()));
                    }
                    sum = sum.wrapping_add(keys.iter().map(|k| k.len() as u64).sum::<u64>());
                }
            }
        }
        Ok(sum)
    }
}

fn pairs(prefix: &str, n: usize) -> Vec<(String, Vec<u8>)> {
    batch_keys(prefix, n).into_iter().map(|k| (k, pattern(SMALL))).collect()
}
