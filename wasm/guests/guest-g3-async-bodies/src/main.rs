//! An early-2024 G3 command (`wasi:keyvalue@0.1.0`) in Rust std for wasm32-wasip2 that
//! writes and reads values through async bodies (wasi:io streams) while std prints, reads
//! the environment, the clocks and a preopened file through the same wasi:io. The guest's
//! one wasi:io must therefore serve value bodies and the host's streams alike: what the
//! adapter's `-io-wasi` flavour does.
//!
//! It writes `GREETING` (a default when unset) in two writes through an async body, sets
//! it as "greeting", polls the read body's pollable together with a host clock's, reads the
//! body back in 7-byte reads, splices a second read of it straight into the host's stdout,
//! polls a host clock alone, checks the clocks, stores and reads back the file `READ_FILE`
//! names (when set) the same way, writes and lists a file in `WRITE_DIR` (when set), echoes
//! a line of stdin (when `ECHO_STDIN` is set) and increments "runs". For the benchmark,
//! `READ_TIMES` reads the file that many times more and `STDOUT_LINES` prints that many
//! lines of 64 bytes. Every step prints a
//! line; any failure goes to stderr and ends the run with exit code 1.

wit_bindgen::generate!({
    path: "../../../wit/kv-adapt",
    world: "kv-adapt:components/g3-async-bodies",
    generate_all,
});

use std::io::{BufRead, Write};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use wasi::cli0_2_0::stdout::get_stdout;
use wasi::clocks0_2_0::monotonic_clock;
use wasi::io0_2_0::poll::poll;
use wasi::io0_2_0::streams::{InputStream, StreamError};
use wasi::keyvalue0_1_0::types::{Bucket, IncomingValue, OutgoingValue};
use wasi::keyvalue0_1_0::{atomic, eventual, wasi_keyvalue_error::Error};

const DEFAULT_GREETING: &str = "hello from a G3 async body";
/// 2020-01-01 in seconds since the Unix epoch.
const YEAR_2020: u64 = 1_577_836_800;

fn main() {
    if let Err(message) = run() {
        eprintln!("guest-g3-async-bodies: {message}");
        std::process::exit(1);
    }
}

fn trace(what: &str) -> impl FnOnce(Error) -> String + '_ {
    move |e| format!("{what}: {}", e.trace())
}

fn run() -> Result<(), String> {
    let started = Instant::now();
    let bucket = Bucket::open_bucket("").map_err(trace("open-bucket(\"\")"))?;

    let greeting = std::env::var("GREETING").unwrap_or_else(|_| DEFAULT_GREETING.to_string());
    let written = write_async(&bucket, "greeting", greeting.as_bytes())?;
    println!("wrote {written} bytes through an async body");

    let body = consume_async(&bucket, "greeting")?;
    // A memory body is ready at once; a clock an hour away is not: only index 0 is.
    let later = monotonic_clock::subscribe_duration(3_600_000_000_000);
    let ready = poll(&[&body.subscribe(), &later]);
    println!("poll: ready {ready:?}");
    let read = read_all(&body, "greeting")?;
    if read != greeting.as_bytes() {
        return Err(format!("greeting read back as {:?}, expected {greeting:?}", String::from_utf8_lossy(&read)));
    }
    println!("read back: {greeting}");

    // A memory body into a host stream, in one call: std's own buffered line goes first.
    let again = consume_async(&bucket, "greeting")?;
    print!("spliced: ");
    std::io::stdout().flush().map_err(|e| format!("flushing stdout: {e}"))?;
    let spliced = get_stdout().blocking_splice(&again, 1 << 16).map_err(|e| format!("splice into stdout: {e:?}"))?;
    println!(" ({spliced} bytes)");
    // A host pollable alone: the host waits (not at all, for a zero duration).
    let now = monotonic_clock::subscribe_duration(0);
    println!("poll: host clock alone ready {:?}", poll(&[&now]));

    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| format!("wall clock: {e}"))?;
    println!("clock: wall clock after 2020: {}", wall.as_secs() > YEAR_2020);
    println!("clock: monotonic time advances: {}", Instant::now() >= started);

    if let Ok(path) = std::env::var("READ_FILE") {
        // For the benchmark: the file read again and again through the host's streams.
        let times: usize = std::env::var("READ_TIMES").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
        let mut total = 0;
        for _ in 0..times {
            total += std::fs::read(&path).map_err(|e| format!("reading {path}: {e}"))?.len();
        }
        if times > 0 {
            println!("read {path} {times} times: {total} bytes");
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
        write_async(&bucket, "file", text.as_bytes())?;
        let stored = read_all(&consume_async(&bucket, "file")?, "file")?;
        let stored = String::from_utf8(stored).map_err(|e| format!("file value is not UTF-8: {e}"))?;
        println!("file {path}: {}", stored.trim_end());
    }

    // For the benchmark: lines of 64 bytes through std's stdout.
    let lines: usize = std::env::var("STDOUT_LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    for i in 0..lines {
        println!("{i:063}");
    }

    if let Ok(dir) = std::env::var("WRITE_DIR") {
        let path = format!("{dir}/written.txt");
        std::fs::write(&path, &greeting).map_err(|e| format!("writing {path}: {e}"))?;
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("listing {dir}: {e}"))?
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("listing {dir}: {e}"))?;
        names.sort();
        println!("dir {dir}: {}", names.join(", "));
    }

    if std::env::var("ECHO_STDIN").is_ok() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("reading stdin: {e}"))?;
        println!("stdin: {}", line.trim_end());
    }

    let runs = atomic::increment(&bucket, "runs", 1).map_err(trace("increment runs"))?;
    println!("runs: {runs}");
    Ok(())
}

/// Sets `key` to `bytes`, written in two halves through the value's async body.
fn write_async(bucket: &Bucket, key: &str, bytes: &[u8]) -> Result<usize, String> {
    let value = OutgoingValue::new_outgoing_value();
    let stream = value.outgoing_value_write_body_async().map_err(trace("outgoing-value-write-body-async"))?;
    let (first, second) = bytes.split_at(bytes.len() / 2);
    for half in [first, second] {
        let room = stream.check_write().map_err(|e| format!("check-write: {e:?}"))?;
        if room < half.len() as u64 {
            return Err(format!("check-write allows {room} bytes, {} needed", half.len()));
        }
        stream.write(half).map_err(|e| format!("write: {e:?}"))?;
    }
    stream.blocking_flush().map_err(|e| format!("blocking-flush: {e:?}"))?;
    drop(stream);
    eventual::set(bucket, key, &value).map_err(trace("set"))?;
    Ok(bytes.len())
}

fn consume_async(bucket: &Bucket, key: &str) -> Result<InputStream, String> {
    let incoming = eventual::get(bucket, key).map_err(trace("get"))?.ok_or(format!("get {key}: the key just set is missing"))?;
    IncomingValue::incoming_value_consume_async(incoming).map_err(trace("incoming-value-consume-async"))
}

/// The whole body, in reads of at most 7 bytes, until the stream says `closed`.
fn read_all(body: &InputStream, key: &str) -> Result<Vec<u8>, String> {
    let mut all = Vec::new();
    loop {
        match body.blocking_read(7) {
            Ok(piece) => all.extend_from_slice(&piece),
            Err(StreamError::Closed) => return Ok(all),
            Err(StreamError::LastOperationFailed(e)) => return Err(format!("reading {key}: {}", e.to_debug_string())),
        }
    }
}
