//! Crash safety of the filesystem store: `kv-adapt run` killed with SIGKILL at random moments
//! while a guest writes values of 1 byte to 1 MiB in a loop, on one store directory, again and
//! again. Half the runs write through the store component (`--host g5`), half through the
//! strict G2 host's side of the same protocol (`--host g2`: the G5 guest through
//! adapter-g5-on-g2, written by `src/store/dir.rs`).
//!
//! After every kill the test reads the files on disk: every key must hold a whole value
//! (`guest_support::whole`) and exactly the one it last finished writing to that key or the one
//! it was writing when killed (the guest prints both), and at most what one killed writer can
//! leave (its lock, naming its own pid, and two temp files) may be there: what earlier kills
//! left must be gone, cleaned up by the next run. After every second kill a reader guest
//! (another `kv-adapt run`, alternately through both hosts) lists and reads the bucket: it must
//! see exactly the keys and values on disk, never a temp or lock file, even when asked for one
//! by name, and the directory must then hold nothing but keys.
//!
//! `KV_ADAPT_CRASH_KILLS=N` sets the number of kills (default 200, the figure);
//! `KV_ADAPT_CRASH_SEED=S` another seed for the kill times and the writers.

use guest_support::whole;
use kv_adapt_convert::{filename, lock};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WRITER: &str = concat!(kv_adapt_test_programs::dir!(), "/guest-g5-crash-writer.wasm");
const KEYS: [&str; 4] = ["k0", "k1", "k2", "k3"];
/// Longest wait after the writer's first finished write before the kill.
const MAX_KILL_DELAY_MS: u64 = 300;
/// What one killed writer can leave: the owner file it was linking as the lock, and the temp
/// file of the value it was writing.
const MAX_TEMPS_PER_KILL: usize = 2;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A value a key may hold: `(length, seed)` of the write that made it.
type Written = (usize, u64);

/// `kv-adapt run` of the writer guest on `store`, compiled once into `cache`; `--quiet`
/// unless asked for its summary line.
fn kv_adapt_run(store: &Path, cache: &Path, host: &str, summary: bool, args: &[String]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kv-adapt"));
    command.args(["run", WRITER, "--store", store.to_str().unwrap(), "--host", host, "--compile-cache", cache.to_str().unwrap()]);
    if !summary {
        command.arg("--quiet");
    }
    command.arg("--").args(args);
    command
}

/// What is in the bucket's directory.
#[derive(Default)]
struct OnDisk {
    keys: BTreeMap<String, Vec<u8>>,
    lock: Option<Vec<u8>>,
    temps: Vec<String>,
    others: Vec<String>,
}

fn on_disk(bucket_dir: &Path) -> OnDisk {
    let mut disk = OnDisk::default();
    let Ok(entries) = std::fs::read_dir(bucket_dir) else {
        return disk;
    };
    for entry in entries {
        let name = entry.unwrap().file_name().into_string().unwrap();
        // A file can go between listing and reading only if a writer is still running.
        let bytes = || std::fs::read(bucket_dir.join(&name)).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        if name == filename::LOCK_NAME {
            disk.lock = Some(bytes());
        } else if lock::is_temp(&name) {
            disk.temps.push(name);
        } else if let Some(key) = filename::decode(&name) {
            disk.keys.insert(key, bytes());
        } else {
            disk.others.push(name);
        }
    }
    disk.temps.sort();
    disk
}

/// Which of `allowed` `bytes` is, if any.
fn which(bytes: &[u8], allowed: &[Option<Written>]) -> Option<Written> {
    allowed.iter().flatten().copied().find(|&(len, seed)| len == bytes.len() && whole::value(len, seed) == bytes)
}

#[test]
fn sigkill_during_writes_leaves_only_whole_values_and_the_next_run_cleans_up() {
    let kills = env_u64("KV_ADAPT_CRASH_KILLS", 200);
    let mut rng = whole::Rng(env_u64("KV_ADAPT_CRASH_SEED", 12));
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("store");
    let cache = work.path().join("compile-cache");
    let bucket_dir = store.join("crash");
    let stderr_file = work.path().join("writer-stderr");
    let started = Instant::now();

    // What each key may hold: `None` for absent. One value after every check of the disk.
    let mut state: BTreeMap<&str, Vec<Option<Written>>> = KEYS.iter().map(|&k| (k, vec![None])).collect();
    let mut failures: Vec<String> = Vec::new();
    let (mut writes, mut torn, mut left_locks, mut left_temps, mut max_temps) = (0u64, 0u64, 0u64, 0usize, 0usize);
    let (mut readers, mut cleaned_by_readers) = (0u64, 0usize);
    let mut sizes = (usize::MAX, 0usize);

    for kill in 0..kills {
        let host = if kill % 2 == 0 { "g5" } else { "g2" };
        let mut child = kv_adapt_run(&store, &cache, host, false, &["write".into(), rng.next().to_string()])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_file).unwrap())
            .spawn()
            .expect("start kv-adapt run");
        let pid = child.id();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line.clone());
                lines.push(line);
            }
            lines
        });
        // Writing has started once a first write finished; then kill at a random moment.
        let first = lines_rx.iter().find(|line| line.starts_with("wrote "));
        if first.is_none() {
            let status = child.wait().unwrap();
            panic!("writer {kill} ({host}) ended before writing ({status}): {}", std::fs::read_to_string(&stderr_file).unwrap());
        }
        std::thread::sleep(Duration::from_millis(rng.next() % (MAX_KILL_DELAY_MS + 1)));
        child.kill().unwrap();
        child.wait().unwrap();
        let lines = reader.join().unwrap();

        // Which values each key may hold now: the last one finished, or the one in flight.
        let mut pending: Option<(String, Written)> = None;
        for line in &lines {
            let words: Vec<&str> = line.split(' ').collect();
            match words.as_slice() {
                ["writing", key, len, seed] => {
                    let written = (len.parse().unwrap(), seed.parse().unwrap());
                    sizes = (sizes.0.min(written.0), sizes.1.max(written.0));
                    pending = Some((key.to_string(), written));
                }
                ["wrote", key] => {
                    let (pending_key, written) = pending.take().expect("wrote without writing");
                    assert_eq!(&pending_key, key);
                    state.insert(KEYS.iter().find(|k| *k == key).unwrap(), vec![Some(written)]);
                    writes += 1;
                }
                _ => panic!("writer {kill} printed {line:?}"),
            }
        }
        if let Some((key, written)) = pending {
            state.get_mut(key.as_str()).unwrap().push(Some(written));
        }

        // The disk right after the kill.
        let disk = on_disk(&bucket_dir);
        let what = format!("after kill {kill} ({host}, pid {pid})");
        for (&key, allowed) in state.iter_mut() {
            let now = match disk.keys.get(key) {
                None if allowed.contains(&None) => None,
                None => {
                    failures.push(format!("{what}: {key} is gone"));
                    None
                }
                Some(bytes) => {
                    if let Err(why) = whole::check(bytes) {
                        torn += 1;
                        failures.push(format!("{what}: {key} is torn: {why}"));
                    }
                    let found = which(bytes, allowed);
                    if found.is_none() {
                        failures.push(format!("{what}: {key} holds {} bytes that are neither its old nor its new value", bytes.len()));
                    }
                    found
                }
            };
            *allowed = vec![now];
        }
        for key in disk.keys.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            failures.push(format!("{what}: a key {key:?} that no writer wrote"));
        }
        if !disk.others.is_empty() {
            failures.push(format!("{what}: unexpected files {:?}", disk.others));
        }
        if let Some(record) = &disk.lock {
            left_locks += 1;
            // Its own, naming it: the lock an earlier killed writer left was cleaned up.
            let owner = lock::parse_owner(record).map(|o| o.pid);
            if owner != Some(pid) {
                failures.push(format!("{what}: the lock file names pid {owner:?}, not the writer just killed"));
            }
        }
        left_temps += disk.temps.len();
        max_temps = max_temps.max(disk.temps.len());
        if disk.temps.len() > MAX_TEMPS_PER_KILL {
            failures.push(format!("{what}: {} temp files, more than one killed writer leaves: {:?}", disk.temps.len(), disk.temps));
        }

        // Every second kill, another guest reads: first it cleans up, then lists and reads.
        if kill % 2 == 1 {
            readers += 1;
            let reader_host = if kill % 4 == 1 { "g5" } else { "g2" };
            let mut args = vec!["verify".to_string()];
            args.extend(disk.temps.iter().cloned());
            args.push(filename::LOCK_NAME.into());
            let output = kv_adapt_run(&store, &cache, reader_host, true, &args).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() {
                failures.push(format!("{what}: the reader ({reader_host}) failed: {stderr}"));
                continue;
            }
            let seen: BTreeMap<String, (usize, String)> = String::from_utf8_lossy(&output.stdout)
                .lines()
                .map(|line| match line.split(' ').collect::<Vec<_>>().as_slice() {
                    ["key", key, len, seed] => (key.to_string(), (len.parse().unwrap(), seed.to_string())),
                    _ => panic!("the reader printed {line:?}"),
                })
                .collect();
            let expected: BTreeMap<String, (usize, String)> = state
                .iter()
                .filter_map(|(key, now)| {
                    let (len, seed) = now[0]?;
                    Some((key.to_string(), (len, if len < whole::HEADER { "-".into() } else { seed.to_string() })))
                })
                .collect();
            if seen != expected {
                failures.push(format!("{what}: the reader ({reader_host}) saw {seen:?}, the disk holds {expected:?}"));
            }
            // "cleaned up after killed writers first: N lock file(s) of dead processes, M temp file(s)"
            if let Some(temps) = stderr.split(" lock file(s) of dead processes, ").nth(1).and_then(|rest| rest.split(' ').next()) {
                cleaned_by_readers += temps.parse::<usize>().unwrap();
            }
            let after = on_disk(&bucket_dir);
            if after.lock.is_some() || !after.temps.is_empty() {
                failures.push(format!(
                    "{what}: after the reader's run the lock is {}there and temp files {:?} are left",
                    if after.lock.is_some() { "" } else { "not " },
                    after.temps
                ));
            }
        }
    }

    let elapsed = started.elapsed();
    println!(
        "{kills} SIGKILL runs ({} through the store component, {} through the strict G2 host), {writes} writes finished \
         (values of {} to {} bytes): {torn} torn values, {} failures; {left_locks} kills left a lock, {left_temps} temp files \
         left (at most {max_temps} at once), {readers} reader runs each found only whole values and removed what was left \
         ({cleaned_by_readers} temp files); {:.0} s",
        kills.div_ceil(2),
        kills / 2,
        sizes.0,
        sizes.1,
        failures.len(),
        elapsed.as_secs_f64()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(torn, 0);
    assert!(writes > kills, "the writers must have written: {writes} writes in {kills} runs");
}
