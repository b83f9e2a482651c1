//! A `wasi:keyvalue` store over `wasi:filesystem`: G5 (`@0.2.0-draft`, feature `g5`) or
//! G6 (`@0.2.0-draft2`, feature `g6`) exported on top of the directory preopened at
//! `/kv-data` (`wasmtime run --dir HOSTDIR::/kv-data`). In the spirit of the wash
//! keyvalue-filesystem plugin: values are plain files a person can read and edit.
//!
//! Layout: `/kv-data/<bucket>/<key>`, one directory per bucket, one file per key, both
//! names encoded by `kv_adapt_convert::filename` (plain `[A-Za-z0-9._-]` names stay as
//! they are, everything else is `%XX`-escaped; names whose encoding exceeds 255 bytes are
//! refused with `error::other`). Files whose names that encoding never produces (temp
//! files, hand-made files such as `a b`) and subdirectories are not keys and are skipped.
//!
//! Choices and what is lossy:
//! - Every identifier opens. `open` only checks that `/kv-data` is there; a bucket's
//!   directory is made by its first write, so reading a bucket never written is an empty
//!   bucket and a read-only preopen serves reads.
//! - Writes go to a temp file (`.kv-tmp-N`, made with create-new; N starts at the pid of
//!   the owner record below, shifted left 32 bits, or at 0) renamed over the key's file, so
//!   a reader sees the old or the new value, never a torn one. No fsync: a host
//!   crash may lose the latest writes (the rename's durability is the host's).
//! - `list-keys` pages 1000 keys in byte order of the keys. G5's u64 cursor is the index
//!   of the next key (a key inserted or deleted before it between pages shifts the page);
//!   G6's string cursor is `after:` + the last key returned, so pages resume after that
//!   key whatever changed meanwhile. A cursor this store cannot have made is an error.
//! - `increment` reads the counter in the layout `kv-adapt:components/config` names
//!   (asked once per instance); a value not in that layout, or a sum that overflows
//!   (u64 in G5, s64 in G6), is an error and leaves the value unchanged. G6 stores
//!   negative counters as two's complement (le64/be64) or with a leading `-` (decimal).
//! - Writers take turns: every write (`set`, `delete`, `increment`, `swap`, and each batch
//!   as a whole) holds the bucket's lock file `.kv-lock`, made with create-new (WASI 0.2
//!   has no file locks) and removed when done; kv-adapt's host side follows the same
//!   protocol. So `increment` is atomic against every writer of the directory, in this or
//!   another process. A writer that waits `LOCK_WAIT_SECS` (60 s) for a live lock gives up
//!   with an error naming the lock file. Readers take no lock (rename already gives them
//!   the old or the new value).
//! - After a crash: the lock file holds the owner record (`kv_adapt_convert::lock`) that
//!   `kv-adapt run` passes in the WASI environment variable `KV_ADAPT_LOCK_OWNER` (none
//!   under plain `wasmtime run`: the lock is then empty). The record is written into a temp
//!   file (the owner file) that is hard-linked as the lock, so the lock never exists without
//!   it; a waiting writer keeps its owner file between attempts. This store cannot see processes,
//!   so it never judges owners: `kv-adapt run`, on the host side, takes over the locks of
//!   dead owners before the guest starts (`src/store/dir.rs`, `recover`). Here, a lock older
//!   than `LOCK_STALE_SECS` (10 s) was left by a writer that died: the next writer renames
//!   it away (only one can), takes the lock, and removes the bucket's temp files, which a
//!   killed writer may have left and which are never keys (list-keys and reads skip them).
//!   Every temp file is made under the lock, so once the lock is held after a takeover
//!   none of them belongs to a write in flight.
//! - G6 `cas`: `new` snapshots the value (or its absence), `current` returns that
//!   snapshot, `swap` re-reads the file under the lock and writes only if it still equals
//!   the snapshot, else returns `cas-failed` with a handle on the value it found: atomic
//!   against every writer of the directory.
//! - `set-many` and `delete-many` stop at the first failure; earlier keys stay written.

#[cfg(all(feature = "g5", feature = "g6"))]
compile_error!("store-fs: enable exactly one of the features `g5` and `g6`");
#[cfg(not(any(feature = "g5", feature = "g6")))]
compile_error!("store-fs: enable one of the features `g5` or `g6`");

#[cfg(feature = "g5")]
wit_bindgen::generate!({
    path: "../../wit/kv-adapt",
    world: "kv-adapt:components/store-g5",
});

#[cfg(all(feature = "g6", not(feature = "g5")))]
wit_bindgen::generate!({
    path: "../../wit/kv-adapt",
    world: "kv-adapt:components/store-g6",
});

use std::cell::Cell;
use std::fs;
use std::io::{self, ErrorKind, Write};
use std::sync::OnceLock;

// wit-bindgen puts the version in the module name because the WIT path holds several
// generations of wasi:keyvalue.
#[cfg(feature = "g5")]
use exports::wasi::keyvalue0_2_0_draft as kv;
#[cfg(all(feature = "g6", not(feature = "g5")))]
use exports::wasi::keyvalue0_2_0_draft2 as kv;
use kv::atomics;
use kv::batch;
use kv::store::{self, BucketBorrow, Error, KeyResponse};
use kv_adapt::components::config::{self, CounterEncoding};
use kv_adapt_convert::counter::Encoding;
use kv_adapt_convert::filename::{self, EncodeError, MAX_NAME_LEN};
use kv_adapt_convert::lock;
use kv_adapt_convert::paging;

const ROOT: &str = "/kv-data";
/// Temp names tried before giving up; each clash means another writer's temp file.
const TEMP_ATTEMPTS: u32 = 64;
/// Longest stretch of a key or bucket name quoted in an error message.
const QUOTE_MAX: usize = 100;

struct Component;
export!(Component);

fn encoding() -> Encoding {
    static ENCODING: OnceLock<Encoding> = OnceLock::new();
    *ENCODING.get_or_init(|| match config::encoding() {
        CounterEncoding::Decimal => Encoding::Decimal,
        CounterEncoding::Le64 => Encoding::Le64,
        CounterEncoding::Be64 => Encoding::Be64,
    })
}

/// Error text built by appending, to keep `format!` out of the hot paths.
struct Msg(String);

impl Msg {
    fn new(s: &str) -> Msg {
        Msg(String::from(s))
    }
    fn s(mut self, s: &str) -> Msg {
        self.0.push_str(s);
        self
    }
    /// `s` in double quotes, cut at QUOTE_MAX bytes so a huge key cannot bloat the message.
    fn q(mut self, s: &str) -> Msg {
        self.0.push('"');
        if s.len() <= QUOTE_MAX {
            self.0.push_str(s);
        } else {
            let mut end = QUOTE_MAX;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.0.push_str(&s[..end]);
            self.0.push_str("...");
        }
        self.0.push('"');
        self
    }
    fn n(self, n: u64) -> Msg {
        let digits = Encoding::Decimal.encode(n);
        self.s(std::str::from_utf8(&digits).unwrap_or("?"))
    }
    #[cfg(feature = "g6")]
    fn i(self, n: i64) -> Msg {
        let digits = kv_adapt_convert::counter_s64::encode(Encoding::Decimal, n);
        self.s(std::str::from_utf8(&digits).unwrap_or("?"))
    }
    fn io(self, e: &io::Error) -> Msg {
        let text = e.to_string();
        self.s(&text)
    }
    fn err(self) -> Error {
        Error::Other(self.0)
    }
}

fn root_error(e: &io::Error) -> Error {
    Msg::new("the store's root directory ")
        .q(ROOT)
        .s(" is not accessible (")
        .io(e)
        .s("); preopen a host directory there, e.g. `wasmtime run --dir HOSTDIR::/kv-data`")
        .err()
}

fn too_long(prefix: Msg, what: &str, name: &str, len: usize) -> Error {
    prefix
        .s(what)
        .s(" ")
        .q(name)
        .s(" is too long to be a file name: encoded it takes ")
        .n(len as u64)
        .s(" bytes, the limit is ")
        .n(MAX_NAME_LEN as u64)
        .err()
}

pub struct Bucket {
    name: String,
    /// `/kv-data/<encoded name>`.
    dir: String,
}

/// One key of one bucket, resolved to its file.
struct Entry<'a> {
    bucket: &'a Bucket,
    key: &'a str,
    path: String,
}

impl Bucket {
    fn entry<'a>(&'a self, op: &str, key: &'a str) -> Result<Entry<'a>, Error> {
        let file = filename::encode(key).map_err(|e| match e {
            EncodeError::TooLong(len) => too_long(
                Msg::new(op).s(" in bucket ").q(&self.name).s(": "),
                "key",
                key,
                len,
            ),
        })?;
        let mut path = String::with_capacity(self.dir.len() + 1 + file.len());
        path.push_str(&self.dir);
        path.push('/');
        path.push_str(&file);
        Ok(Entry {
            bucket: self,
            key,
            path,
        })
    }

    fn fail(&self, op: &str, e: &io::Error) -> Error {
        Msg::new(op)
            .s(" in bucket ")
            .q(&self.name)
            .s(": ")
            .io(e)
            .err()
    }

    /// Every key in the bucket, in byte order.
    fn sorted_keys(&self) -> Result<Vec<String>, Error> {
        let dir = match fs::read_dir(&self.dir) {
            Ok(dir) => dir,
            // Never written: empty (see the header).
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.fail("list-keys", &e)),
        };
        let mut keys = Vec::new();
        for entry in dir {
            let entry = entry.map_err(|e| self.fail("list-keys", &e))?;
            let is_dir = entry
                .file_type()
                .map_err(|e| self.fail("list-keys", &e))?
                .is_dir();
            if is_dir {
                continue;
            }
            let name = entry.file_name();
            if let Some(key) = name.to_str().and_then(filename::decode) {
                keys.push(key);
            }
        }
        keys.sort_unstable();
        Ok(keys)
    }
}

impl Entry<'_> {
    fn fail(&self, op: &str, e: &io::Error) -> Error {
        Msg::new(op)
            .s(" key ")
            .q(self.key)
            .s(" in bucket ")
            .q(&self.bucket.name)
            .s(": ")
            .io(e)
            .err()
    }

    fn read(&self, op: &str) -> Result<Option<Vec<u8>>, Error> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.fail(op, &e)),
        }
    }

    fn write(&self, op: &str, value: &[u8]) -> Result<(), Error> {
        write_atomic(&self.bucket.dir, &self.path, value).map_err(|e| self.fail(op, &e))
    }

    fn delete(&self, op: &str) -> Result<(), Error> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.fail(op, &e)),
        }
    }

    fn exists(&self) -> Result<bool, Error> {
        match fs::metadata(&self.path) {
            // A directory under a key's name is not a key (list-keys skips it too).
            Ok(meta) => Ok(!meta.is_dir()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.fail("exists", &e)),
        }
    }
}

/// A file removed when dropped: the bucket's lock file (see
/// `kv_adapt_convert::filename::LOCK_NAME`) while held, or a waiter's owner file.
struct Lock {
    path: String,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // If this fails the lock goes stale and the next writer takes it over after
        // LOCK_STALE_SECS; the write itself already happened or failed on its own.
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether the lock at `path` is older than LOCK_STALE_SECS (a writer died holding it).
fn stale(path: &str) -> bool {
    let modified = match fs::metadata(path).and_then(|m| m.modified()) {
        Ok(t) => t,
        Err(_) => return false,
    };
    std::time::SystemTime::now()
        .duration_since(modified)
        .is_ok_and(|age| age.as_secs() >= filename::LOCK_STALE_SECS)
}

/// The owner record `kv-adapt run` hands this instance (`kv_adapt_convert::lock`), written
/// into every lock file it makes; empty (an ownerless lock) when run elsewhere.
fn owner_record() -> &'static [u8] {
    static RECORD: OnceLock<String> = OnceLock::new();
    RECORD.get_or_init(|| std::env::var(lock::OWNER_ENV).unwrap_or_default()).as_bytes()
}

impl Bucket {
    /// Takes the bucket's write lock, so that writers in other instances and processes on the
    /// same directory (WASI 0.2 has no file locks) take turns: create-new of the lock file,
    /// retried until it is free; a stale one is renamed away first, so only one writer can
    /// take it over, and the temp files its writer left are then removed.
    fn lock(&self, op: &str) -> Result<Lock, Error> {
        let mut path = String::with_capacity(self.dir.len() + 1 + filename::LOCK_NAME.len());
        path.push_str(&self.dir);
        path.push('/');
        path.push_str(filename::LOCK_NAME);
        let started = std::time::Instant::now();
        let mut checked_at = 0;
        let mut took_over = false;
        let mut owner_file = None;
        loop {
            match self.try_lock(&path, &mut owner_file) {
                Ok(true) => {
                    let held = Lock { path };
                    if took_over {
                        self.sweep_temps();
                    }
                    return Ok(held);
                }
                Ok(false) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => match fs::create_dir(&self.dir) {
                    Ok(()) => continue,
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(self.fail(op, &e)),
                },
                Err(e) => return Err(self.fail(op, &e)),
            }
            // Staleness costs two clock reads and a stat: look only once a second of waiting.
            // (Whether the owner is dead only the host can tell: this store sees no processes.)
            let waited = started.elapsed();
            if waited.as_secs() > checked_at && stale(&path) {
                let mut away = String::with_capacity(self.dir.len() + 30);
                away.push_str(&self.dir);
                away.push('/');
                away.push_str(&filename::temp_name(next_temp()));
                if fs::rename(&path, &away).is_ok() {
                    let _ = fs::remove_file(&away);
                    took_over = true;
                }
                continue;
            }
            if waited.as_secs() >= filename::LOCK_WAIT_SECS {
                return Err(Msg::new(op)
                    .s(" in bucket ")
                    .q(&self.name)
                    .s(": another writer has held the bucket's lock file ")
                    .q(&path)
                    .s(" for over ")
                    .n(filename::LOCK_WAIT_SECS)
                    .s(" s; if no other process writes this store, delete that file")
                    .err());
            }
            checked_at = waited.as_secs();
            // Yield the core to the holder: on a small machine spinning only slows it down.
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }

    /// One attempt at the lock file `path`: true when taken, false while another writer
    /// holds it. With an owner record, the lock is a hard link (create-new) to a temp file
    /// holding it, kept in `owner_file` between attempts, so the lock file never exists
    /// without its record; without one, an empty file made with create-new.
    fn try_lock(&self, path: &str, owner_file: &mut Option<Lock>) -> io::Result<bool> {
        let record = owner_record();
        if record.is_empty() {
            return match fs::OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e),
            };
        }
        let made = match owner_file.take() {
            Some(made) => made,
            None => {
                let mut attempts = 0;
                let (temp, mut file) = loop {
                    attempts += 1;
                    let mut temp = String::with_capacity(self.dir.len() + 30);
                    temp.push_str(&self.dir);
                    temp.push('/');
                    temp.push_str(&filename::temp_name(next_temp()));
                    match fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
                        Ok(file) => break (temp, file),
                        // Another writer's temp file: take the next number.
                        Err(e) if e.kind() == ErrorKind::AlreadyExists && attempts < TEMP_ATTEMPTS => {}
                        Err(e) => return Err(e),
                    }
                };
                // Removed on drop, like a lock.
                let made = Lock { path: temp };
                file.write_all(record)?;
                made
            }
        };
        match fs::hard_link(&made.path, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                *owner_file = Some(made);
                Ok(false)
            }
            // NotFound: a writer that took a lock over removed it with the other temp files
            // (or the bucket is new); the next attempt makes it again.
            Err(e) => Err(e),
        }
    }

    /// Removes the bucket's temp files, best effort. Only with its lock held after a
    /// takeover: value temp files are made only under the lock, so none belongs to a write
    /// in flight; the owner file of a writer waiting for the lock may go too, and that
    /// writer makes it again.
    fn sweep_temps(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_str().is_some_and(lock::is_temp) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Temp file numbers: under `kv-adapt run` the pid in the owner record keeps processes
/// apart (as on the host side), the counter one instance's writes.
fn next_temp() -> u64 {
    thread_local!(static NEXT: Cell<Option<u64>> = const { Cell::new(None) });
    NEXT.with(|n| {
        let v = n.get().unwrap_or_else(|| {
            let record = lock::parse_owner(owner_record());
            record.map_or(0, |owner| u64::from(owner.pid) << 32)
        });
        n.set(Some(v.wrapping_add(1)));
        v
    })
}

/// Writes `value` to a fresh temp file in `dir` and renames it over `path`.
fn write_atomic(dir: &str, path: &str, value: &[u8]) -> io::Result<()> {
    let mut made_dir = false;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut temp = String::with_capacity(dir.len() + 30);
        temp.push_str(dir);
        temp.push('/');
        temp.push_str(&filename::temp_name(next_temp()));
        let mut file = match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => file,
            // Another writer's temp file (or a stale one): take the next number.
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempts < TEMP_ATTEMPTS => continue,
            // The bucket's first write makes its directory.
            Err(e) if e.kind() == ErrorKind::NotFound && !made_dir => {
                made_dir = true;
                match fs::create_dir(dir) {
                    Ok(()) => continue,
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let written = file.write_all(value).and_then(|()| fs::rename(&temp, path));
        drop(file);
        if written.is_err() {
            // Best effort: the write already failed and that error is the one to report.
            let _ = fs::remove_file(&temp);
        }
        return written;
    }
}

impl store::Guest for Component {
    type Bucket = Bucket;

    fn open(identifier: String) -> Result<store::Bucket, Error> {
        match fs::metadata(ROOT) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(Msg::new("the store's root ")
                    .q(ROOT)
                    .s(" is not a directory; preopen a host directory there, e.g. `wasmtime run --dir HOSTDIR::/kv-data`")
                    .err())
            }
            Err(e) => return Err(root_error(&e)),
        }
        let encoded = filename::encode(&identifier).map_err(|e| match e {
            EncodeError::TooLong(len) => {
                too_long(Msg::new("open: "), "bucket name", &identifier, len)
            }
        })?;
        let mut dir = String::with_capacity(ROOT.len() + 1 + encoded.len());
        dir.push_str(ROOT);
        dir.push('/');
        dir.push_str(&encoded);
        Ok(store::Bucket::new(Bucket {
            name: identifier,
            dir,
        }))
    }
}

impl store::GuestBucket for Bucket {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.entry("get", &key)?.read("get")
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        let entry = self.entry("set", &key)?;
        let _lock = self.lock("set")?;
        entry.write("set", &value)
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        let entry = self.entry("delete", &key)?;
        if cfg!(feature = "deliberately-broken") {
            return Ok(());
        }
        let _lock = self.lock("delete")?;
        entry.delete("delete")
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        self.entry("exists", &key)?.exists()
    }

    #[cfg(feature = "g5")]
    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let mut keys = self.sorted_keys()?;
        let total = keys.len();
        let Some(start) = paging::index_start(total, cursor) else {
            return Err(Msg::new("list-keys in bucket ")
                .q(&self.name)
                .s(": cursor ")
                .n(cursor.unwrap_or_default())
                .s(" is past the end of the bucket's ")
                .n(total as u64)
                .s(" keys (keys deleted since the last page, or a cursor from elsewhere); list again without a cursor")
                .err());
        };
        let more = paging::cut_page(&mut keys, start);
        let cursor = more.then(|| (start + keys.len()) as u64);
        Ok(KeyResponse { keys, cursor })
    }

    #[cfg(feature = "g6")]
    fn list_keys(&self, cursor: Option<String>) -> Result<KeyResponse, Error> {
        let mut keys = self.sorted_keys()?;
        let Some(start) = paging::after_start(&keys, cursor.as_deref()) else {
            return Err(Msg::new("list-keys in bucket ")
                .q(&self.name)
                .s(": cursor ")
                .q(cursor.as_deref().unwrap_or_default())
                .s(" was not made by this store (its cursors start with \"after:\"); list again without a cursor")
                .err());
        };
        let more = paging::cut_page(&mut keys, start);
        let cursor = match keys.last() {
            Some(last) if more => {
                let mut c = String::with_capacity(paging::AFTER_PREFIX.len() + last.len());
                c.push_str(paging::AFTER_PREFIX);
                c.push_str(last);
                Some(c)
            }
            Some(_) | None => None,
        };
        Ok(KeyResponse { keys, cursor })
    }
}

fn not_a_counter(entry: &Entry<'_>, reason: &str) -> Error {
    Msg::new("increment: key ")
        .q(entry.key)
        .s(" in bucket ")
        .q(&entry.bucket.name)
        .s(" holds a value that is not a ")
        .s(encoding().name())
        .s(" counter (")
        .s(reason)
        .s("); the value was left unchanged")
        .err()
}

#[cfg(feature = "g5")]
impl atomics::Guest for Component {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        let entry = bucket.get::<Bucket>().entry("increment", &key)?;
        let _lock = entry.bucket.lock("increment")?;
        let enc = encoding();
        let old = match entry.read("increment")? {
            None => 0,
            Some(bytes) => enc
                .decode(&bytes)
                .map_err(|e| not_a_counter(&entry, e.reason()))?,
        };
        let Some(new) = old.checked_add(delta) else {
            return Err(Msg::new("increment: key ")
                .q(entry.key)
                .s(" in bucket ")
                .q(&entry.bucket.name)
                .s(": ")
                .n(old)
                .s(" + ")
                .n(delta)
                .s(" overflows u64; the value was left unchanged")
                .err());
        };
        entry.write("increment", &enc.encode(new))?;
        Ok(new)
    }
}

#[cfg(feature = "g6")]
pub struct Cas {
    bucket: Bucket,
    key: String,
    /// The value when this handle was made; `None` when the key was absent.
    seen: Option<Vec<u8>>,
}

#[cfg(feature = "g6")]
impl atomics::GuestCas for Cas {
    fn new(bucket: BucketBorrow<'_>, key: String) -> Result<atomics::Cas, Error> {
        let b = bucket.get::<Bucket>();
        let seen = b.entry("cas", &key)?.read("cas")?;
        let bucket = Bucket {
            name: b.name.clone(),
            dir: b.dir.clone(),
        };
        Ok(atomics::Cas::new(Cas { bucket, key, seen }))
    }

    fn current(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.seen.clone())
    }
}

#[cfg(feature = "g6")]
impl atomics::Guest for Component {
    type Cas = Cas;

    fn increment(bucket: BucketBorrow<'_>, key: String, delta: i64) -> Result<i64, Error> {
        use kv_adapt_convert::counter_s64;
        let entry = bucket.get::<Bucket>().entry("increment", &key)?;
        let _lock = entry.bucket.lock("increment")?;
        let enc = encoding();
        let old = match entry.read("increment")? {
            None => 0,
            Some(bytes) => {
                counter_s64::decode(enc, &bytes).map_err(|e| not_a_counter(&entry, e.reason()))?
            }
        };
        let Some(new) = old.checked_add(delta) else {
            return Err(Msg::new("increment: key ")
                .q(entry.key)
                .s(" in bucket ")
                .q(&entry.bucket.name)
                .s(": ")
                .i(old)
                .s(" + ")
                .i(delta)
                .s(" overflows s64; the value was left unchanged")
                .err());
        };
        entry.write("increment", &counter_s64::encode(enc, new))?;
        Ok(new)
    }

    fn swap(cas: atomics::Cas, value: Vec<u8>) -> Result<(), atomics::CasError> {
        let cas: Cas = cas.into_inner();
        let now = {
            let entry = cas
                .bucket
                .entry("swap", &cas.key)
                .map_err(atomics::CasError::StoreError)?;
            let _lock = cas.bucket.lock("swap").map_err(atomics::CasError::StoreError)?;
            let now = entry.read("swap").map_err(atomics::CasError::StoreError)?;
            if now == cas.seen {
                return entry
                    .write("swap", &value)
                    .map_err(atomics::CasError::StoreError);
            }
            now
        };
        Err(atomics::CasError::CasFailed(atomics::Cas::new(Cas {
            seen: now,
            ..cas
        })))
    }
}

impl batch::Guest for Component {
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        let b = bucket.get::<Bucket>();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let value = b.entry("get-many", &key)?.read("get-many")?;
            out.push(value.map(|v| (key, v)));
        }
        Ok(out)
    }

    fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        let b = bucket.get::<Bucket>();
        let _lock = b.lock("set-many")?;
        for (key, value) in &key_values {
            b.entry("set-many", key)?.write("set-many", value)?;
        }
        Ok(())
    }

    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        let b = bucket.get::<Bucket>();
        let _lock = b.lock("delete-many")?;
        for key in &keys {
            b.entry("delete-many", key)?.delete("delete-many")?;
        }
        Ok(())
    }
}
