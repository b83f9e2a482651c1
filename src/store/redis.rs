//! A small synchronous Redis client (RESP2 over `std::net::TcpStream`, std only) and the
//! bucket layer the host's wasi:keyvalue implementation stores through.
//!
//! KEY MAPPING. Under `?buckets=prefix` (the default) the Redis key of (bucket, key) is
//! `namespace + escaped(bucket) + ":" + key`, where `escaped` replaces `%` with `%25` and `:`
//! with `%3A` and nothing else: the first `:` after the namespace always ends the bucket, so no
//! two (bucket, key) pairs share a Redis key. The key itself is stored raw (its UTF-8 bytes);
//! bucket "" is prefix ":" (key "x" is Redis key ":x"). Under `?buckets=ignore` the Redis key is
//! `namespace + key` and every bucket name sees the same keys: buckets are NOT kept apart there.
//! That is what wasmCloud's and Spin's Redis providers do, so data those hosts wrote is readable.
//! The namespace is empty unless a caller asks for one (tests do); it should end in `:` so that
//! no namespace is a prefix of another.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Redis's own limit for a string; a larger length can only come from a corrupt reply.
const MAX_BULK: u64 = 512 << 20;
const MAX_LINE: u64 = 64 << 10;
/// Our replies nest two deep at most (SCAN, EXEC); deeper nesting is a corrupt reply, and
/// bounding it keeps a hostile server from overflowing the stack.
const MAX_DEPTH: usize = 8;
const MAX_ATTEMPTS: usize = 10_000;
/// Keys per MGET/DEL, so one command never carries an unbounded argument list.
const CHUNK: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout { Prefix, Ignore }

/// Where and how: parsed from `redis://[:PASSWORD@]HOST[:PORT][/DB][?buckets=prefix|ignore]`
/// (PORT defaults to 6379, DB to 0, buckets to prefix). Also accepts `redis://user:pass@host`;
/// user and password may be %-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl { pub host: String, pub port: u16, pub db: u32, pub user: Option<String>, pub password: Option<String>, pub layout: Layout }

impl RedisUrl {
    pub fn parse(url: &str) -> Result<RedisUrl, String> {
        parse_url(url).map_err(|why| format!("other: bad Redis URL {:?}: {why}", redact(url)))
    }
}

fn parse_url(url: &str) -> Result<RedisUrl, String> {
    let rest = match url.split_once("://") {
        Some((s, rest)) if s.eq_ignore_ascii_case("redis") => rest,
        Some((s, _)) if s.eq_ignore_ascii_case("rediss") => return Err("TLS (rediss://) is not supported, use redis://".into()),
        _ => return Err("it must start with redis://".into()),
    };
    // The last '@' ends the user info, so an unencoded '@' or '/' in a password still works.
    let (userinfo, rest) = match rest.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(a, q)| (a, Some(q)));
    let (hostport, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or("an IPv6 host needs a closing ]")?;
        if after.is_empty() { (h, None) } else { (h, Some(after.strip_prefix(':').ok_or_else(|| format!("unexpected {after:?} after the host"))?)) }
    } else {
        hostport.split_once(':').map_or((hostport, None), |(h, p)| (h, Some(p)))
    };
    if host.is_empty() {
        return Err("the host is missing (e.g. redis://127.0.0.1:6379)".into());
    }
    let port = port.map_or(Some(6379), |p| p.parse::<u16>().ok().filter(|&p| p != 0))
        .ok_or_else(|| format!("the port {:?} is not a number from 1 to 65535", port.unwrap_or_default()))?;
    let db = path.filter(|d| !d.is_empty()).map_or(Ok(0), str::parse::<u32>)
        .map_err(|_| format!("the database {:?} is not a number (redis://host/0 selects database 0)", path.unwrap_or_default()))?;
    let mut layout = Layout::Prefix;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("buckets", "prefix")) => layout = Layout::Prefix,
            Some(("buckets", "ignore")) => layout = Layout::Ignore,
            Some(("buckets", v)) => return Err(format!("buckets={v:?} is neither prefix nor ignore")),
            _ => return Err(format!("unknown parameter {pair:?} (only buckets=prefix|ignore is known)")),
        }
    }
    let (user, password) = match userinfo {
        None => (None, None),
        Some(info) => match info.split_once(':') {
            Some((u, p)) => (Some(percent_decode(u)?).filter(|u| !u.is_empty()), Some(percent_decode(p)?).filter(|p| !p.is_empty())),
            None => return Err("a user name needs a password: redis://user:password@host or redis://:password@host".into()),
        },
    };
    Ok(RedisUrl { host: host.to_owned(), port, db, user, password, layout })
}

fn percent_decode(s: &str) -> Result<String, String> {
    let (mut out, mut i) = (Vec::with_capacity(s.len()), 0);
    while let Some(&b) = s.as_bytes().get(i) {
        let hex = s.get(i + 1..i + 3).filter(|h| b == b'%' && h.bytes().all(|c| c.is_ascii_hexdigit()));
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => (out.push(byte), i += 3),
            None if b == b'%' => return Err("a % in the user or password must be followed by two hex digits".into()),
            None => (out.push(b), i += 1),
        };
    }
    String::from_utf8(out).map_err(|_| "the user or password is not UTF-8 once %-decoded".into())
}

/// Error messages quote the URL the user wrote; the password must not end up in logs.
fn redact(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let Some(at) = url[start..].rfind('@') else { return url.to_owned() };
    let (head, info, tail) = (&url[..start], &url[start..start + at], &url[start + at..]);
    let user = info.find(':').map_or("", |c| &info[..=c]);
    format!("{head}{user}***{tail}")
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("redis://")?;
        match (&self.user, &self.password) {
            (Some(u), Some(_)) => write!(f, "{u}:***@")?,
            (None, Some(_)) => f.write_str(":***@")?,
            (Some(u), None) => write!(f, "{u}@")?,
            (None, None) => {}
        }
        if self.host.contains(':') { write!(f, "[{}]", self.host)? } else { f.write_str(&self.host)? }
        write!(f, ":{}/{}", self.port, self.db)?;
        if self.layout == Layout::Ignore { f.write_str("?buckets=ignore") } else { Ok(()) }
    }
}

/// Debug goes through Display so that the password never shows.
impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({self})")
    }
}

#[derive(Debug, PartialEq)]
enum Reply { Simple(Vec<u8>), Error(String), Int(i64), Bulk(Option<Vec<u8>>), Array(Option<Vec<Reply>>) }

enum Fail {
    /// The stream can no longer be trusted (I/O error, EOF, timeout, nonsense reply).
    Io(String),
    /// The server answered `-ERR ...`; the connection is still fine.
    Server(String),
    /// The caller's own error from `update`, passed back unchanged.
    User(String),
}

fn io_fail(e: std::io::Error) -> Fail {
    Fail::Io(match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => "timed out after 30 s waiting for the server".into(),
        ErrorKind::UnexpectedEof => "the server closed the connection".into(),
        _ => e.to_string(),
    })
}

fn malformed(what: String) -> Fail {
    Fail::Io(format!("malformed reply from the server: {what}"))
}

fn cut(s: &str, max: usize) -> &str {
    let end = (0..=s.len().min(max)).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
    &s[..end]
}

/// A name quoted for an error message, cut to 100 bytes.
fn q(s: &str) -> String {
    if s.len() <= 100 { format!("{s:?}") } else { format!("{:?}...", cut(s, 100)) }
}

fn unexpected(command: &str, r: &Reply) -> Fail {
    match r {
        Reply::Error(e) => Fail::Server(e.clone()),
        _ => malformed(format!("unexpected answer to {command}: {}", cut(&format!("{r:?}"), 100))),
    }
}

fn read_line(r: &mut impl BufRead) -> Result<Vec<u8>, Fail> {
    let mut line = Vec::new();
    Read::take(&mut *r, MAX_LINE).read_until(b'\n', &mut line).map_err(io_fail)?;
    if line.ends_with(b"\r\n") {
        line.truncate(line.len() - 2);
        Ok(line)
    } else if line.is_empty() {
        Err(Fail::Io("the server closed the connection".into()))
    } else if line.len() as u64 >= MAX_LINE {
        Err(malformed(format!("a line longer than {MAX_LINE} bytes")))
    } else {
        Err(Fail::Io("the server closed the connection in the middle of a reply".into()))
    }
}

fn number(body: &[u8]) -> Result<i64, Fail> {
    std::str::from_utf8(body).ok().and_then(|s| s.parse().ok())
        .ok_or_else(|| malformed(format!("{:?} is not a number", String::from_utf8_lossy(body))))
}

fn read_reply(r: &mut impl BufRead, depth: usize) -> Result<Reply, Fail> {
    let line = read_line(r)?;
    let Some((&kind, body)) = line.split_first() else { return Err(malformed("an empty line".into())) };
    match kind {
        b'+' => Ok(Reply::Simple(body.to_vec())),
        b'-' => Ok(Reply::Error(String::from_utf8_lossy(body).into_owned())),
        b':' => Ok(Reply::Int(number(body)?)),
        b'$' => match number(body)? {
            -1 => Ok(Reply::Bulk(None)),
            n if n < 0 || n as u64 > MAX_BULK => Err(malformed(format!("a string length of {n}"))),
            n => {
                // Read what arrives rather than allocating the announced length up front.
                let mut buf = Vec::new();
                Read::take(&mut *r, n as u64 + 2).read_to_end(&mut buf).map_err(io_fail)?;
                if buf.len() as u64 != n as u64 + 2 {
                    return Err(Fail::Io("the server closed the connection in the middle of a reply".into()));
                }
                if !buf.ends_with(b"\r\n") { return Err(malformed("a string not followed by CRLF".into())) }
                buf.truncate(n as usize);
                Ok(Reply::Bulk(Some(buf)))
            }
        },
        b'*' => match number(body)? {
            -1 => Ok(Reply::Array(None)),
            n if n < 0 => Err(malformed(format!("an array length of {n}"))),
            _ if depth >= MAX_DEPTH => Err(malformed(format!("arrays nested more than {MAX_DEPTH} deep"))),
            n => {
                let items: Result<Vec<Reply>, Fail> = (0..n).map(|_| read_reply(r, depth + 1)).collect();
                Ok(Reply::Array(Some(items?)))
            }
        },
        _ => Err(malformed(format!("unknown reply type {:?}", kind as char))),
    }
}

struct Conn {
    stream: BufReader<TcpStream>,
    /// Set on any I/O or protocol failure: the stream may be mid-reply, so it is dropped.
    broken: bool,
}

impl Conn {
    fn open(url: &RedisUrl) -> Result<Conn, String> {
        let addrs = (url.host.as_str(), url.port).to_socket_addrs().map_err(|e| format!("cannot resolve host {:?}: {e}", url.host))?;
        let mut last = format!("host {:?} resolved to no address", url.host);
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
                Ok(s) => return Conn::handshake(s, url),
                Err(e) if e.kind() == ErrorKind::TimedOut => last = format!("no answer from {addr} within 5 s"),
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        Err(last)
    }

    fn handshake(s: TcpStream, url: &RedisUrl) -> Result<Conn, String> {
        let timeout = Some(Duration::from_secs(30));
        s.set_read_timeout(timeout).and_then(|_| s.set_write_timeout(timeout)).map_err(|e| e.to_string())?;
        let _ = s.set_nodelay(true); // only latency; failing is harmless
        let mut c = Conn { stream: BufReader::new(s), broken: false };
        let step = |name: &str, (Fail::Io(e) | Fail::Server(e) | Fail::User(e))| format!("{name}: {e}");
        if let Some(pw) = &url.password {
            let auth = match &url.user { Some(u) => c.call(&[b"AUTH", u.as_bytes(), pw.as_bytes()]), None => c.call(&[b"AUTH", pw.as_bytes()]) };
            auth.map_err(|f| step("AUTH", f))?;
        }
        if url.db != 0 { c.call(&[b"SELECT", url.db.to_string().as_bytes()]).map_err(|f| step("SELECT", f))?; }
        match c.call(&[b"PING"]).map_err(|f| step("PING", f))? {
            Reply::Simple(s) if s == b"PONG" => Ok(c),
            r => Err(format!("PING answered {}", cut(&format!("{r:?}"), 100))),
        }
    }

    /// Sends all commands in one write, then reads one reply per command, so a pipeline
    /// costs one round trip and the stream stays in step even when a reply is an error.
    fn pipeline(&mut self, cmds: &[&[&[u8]]]) -> Result<Vec<Reply>, Fail> {
        let mut out = Vec::new();
        for args in cmds {
            out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
            for a in *args {
                out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                out.extend_from_slice(a);
                out.extend_from_slice(b"\r\n");
            }
        }
        let result = self.stream.get_mut().write_all(&out).map_err(io_fail)
            .and_then(|()| cmds.iter().map(|_| read_reply(&mut self.stream, 0)).collect());
        self.broken |= result.is_err();
        result
    }

    fn call(&mut self, args: &[&[u8]]) -> Result<Reply, Fail> {
        match self.pipeline(&[args])?.pop() {
            Some(Reply::Error(e)) => Err(Fail::Server(e)),
            Some(r) => Ok(r),
            None => Err(malformed("no reply".into())),
        }
    }
}

fn expect_ok(command: &str, r: Reply) -> Result<(), Fail> {
    if r == Reply::Simple(b"OK".to_vec()) { Ok(()) } else { Err(unexpected(command, &r)) }
}

fn escape(bucket: &str) -> String {
    bucket.replace('%', "%25").replace(':', "%3A")
}

/// Only what `escape` can have produced maps back, so the mapping stays injective.
fn unescape(s: &str) -> Option<String> {
    let b = s.replace("%3A", ":").replace("%25", "%");
    (escape(&b) == s).then_some(b)
}

fn glob_escape(prefix: &[u8]) -> Vec<u8> {
    prefix.iter().flat_map(|&b| [(b"*?[]\\".contains(&b)).then_some(b'\\'), Some(b)]).flatten().collect()
}

/// One full SCAN pass over the keys starting with `prefix`; the set drops the duplicates
/// SCAN may return while Redis rehashes, and sorts by bytes.
fn scan(c: &mut Conn, prefix: &[u8]) -> Result<BTreeSet<Vec<u8>>, Fail> {
    let mut pattern = glob_escape(prefix);
    pattern.push(b'*');
    let (mut cursor, mut found) = (b"0".to_vec(), BTreeSet::new());
    loop {
        let reply = c.call(&[b"SCAN", &cursor, b"MATCH", &pattern, b"COUNT", b"1000"])?;
        let Reply::Array(Some(page)) = reply else { return Err(unexpected("SCAN", &reply)) };
        let Ok([Reply::Bulk(Some(next)), Reply::Array(Some(keys))]) = <[Reply; 2]>::try_from(page) else {
            return Err(malformed("SCAN did not answer [cursor, [keys]]".into()));
        };
        for k in keys {
            match k {
                Reply::Bulk(Some(k)) if k.starts_with(prefix) => drop(found.insert(k)),
                Reply::Bulk(Some(_)) => {}
                r => return Err(unexpected("SCAN", &r)),
            }
        }
        if next == b"0" { return Ok(found) }
        cursor = next;
    }
}

/// One connection plus a key namespace. All methods take &self: the connection sits in a
/// std::sync::Mutex (the struct is Send + Sync).
pub struct RedisStore {
    url: RedisUrl,
    namespace: String,
    /// None after a broken connection: the next call reconnects.
    conn: Mutex<Option<Conn>>,
}

/// Hosts share one store between wasmtime instances and threads; fail the build, not the host.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RedisStore>();
};

pub enum Update<T> { Keep(T), Write(Vec<u8>, T) }

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisStore({}, namespace {:?})", self.url, self.namespace)
    }
}

fn about(op: &str, bucket: &str, key: &str) -> String {
    format!("{op} of key {} in bucket {}", q(key), q(bucket))
}

impl RedisStore {
    /// Connects (TCP connect timeout 5 s, read/write timeouts 30 s), sends AUTH if a password
    /// is given, SELECT db, then PING.
    pub fn connect(url: &RedisUrl) -> Result<RedisStore, String> {
        RedisStore::open(url.clone(), String::new())
    }

    fn open(url: RedisUrl, namespace: String) -> Result<RedisStore, String> {
        let conn = Conn::open(&url).map_err(|e| format!("other: connecting to {url} failed: {e}"))?;
        Ok(RedisStore { url, namespace, conn: Mutex::new(Some(conn)) })
    }

    /// The same server and layout, keys under `namespace` (a string prepended to every Redis
    /// key; it replaces this store's namespace, it does not nest). Opens a NEW connection.
    pub fn with_namespace(&self, namespace: &str) -> Result<RedisStore, String> {
        RedisStore::open(self.url.clone(), namespace.to_owned())
    }

    /// The prefix of every Redis key this store touches ("" for a user's store).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn url(&self) -> &RedisUrl { &self.url }

    fn lock(&self) -> MutexGuard<'_, Option<Conn>> {
        match self.conn.lock() {
            Ok(g) => g,
            Err(poisoned) => {
                // A panic (in an update closure, say) may have left the connection mid-WATCH.
                let mut g = poisoned.into_inner();
                *g = None;
                self.conn.clear_poison();
                g
            }
        }
    }

    /// Runs `op` on the connection, reconnecting first if the last one broke, and turns
    /// failures into the `other: ...` messages the guest sees.
    fn run<R>(&self, what: String, op: impl FnOnce(&mut Conn) -> Result<R, Fail>) -> Result<R, String> {
        let mut slot = self.lock();
        let conn = match slot.take() {
            Some(c) => c,
            None => Conn::open(&self.url).map_err(|e| format!("other: {what} on {} failed: reconnecting: {e}", self.url))?,
        };
        let conn = slot.insert(conn);
        let result = op(conn);
        if conn.broken || matches!(result, Err(Fail::Io(_))) { *slot = None }
        result.map_err(|f| match f {
            Fail::User(e) => e,
            Fail::Io(e) | Fail::Server(e) => format!("other: {what} on {} failed: {e}", self.url),
        })
    }

    fn bucket_prefix(&self, bucket: &str) -> Vec<u8> {
        let mut k = self.namespace.as_bytes().to_vec();
        if self.url.layout == Layout::Prefix {
            k.extend_from_slice(escape(bucket).as_bytes());
            k.push(b':');
        }
        k
    }

    fn redis_key(&self, bucket: &str, key: &str) -> Vec<u8> {
        let mut k = self.bucket_prefix(bucket);
        k.extend_from_slice(key.as_bytes());
        k
    }

    /// The (bucket, key) a Redis key under the namespace stands for, if the mapping made it.
    fn unmap(&self, redis_key: &[u8]) -> Option<(String, String)> {
        let rest = std::str::from_utf8(redis_key.strip_prefix(self.namespace.as_bytes())?).ok()?;
        match self.url.layout {
            Layout::Ignore => Some((String::new(), rest.to_owned())),
            Layout::Prefix => rest.split_once(':').and_then(|(b, k)| Some((unescape(b)?, k.to_owned()))),
        }
    }

    /// One command on one Redis key; `read` picks the answer out of the reply or hands it back.
    fn keyed<R>(&self, op: &str, (bucket, key): (&str, &str), cmd: &str, value: Option<&[u8]>, read: fn(Reply) -> Result<R, Reply>) -> Result<R, String> {
        let k = self.redis_key(bucket, key);
        let mut args: Vec<&[u8]> = vec![cmd.as_bytes(), &k];
        args.extend(value);
        self.run(about(op, bucket, key), |c| read(c.call(&args)?).map_err(|r| unexpected(cmd, &r)))
    }

    pub fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.keyed("get", (bucket, key), "GET", None, |r| match r { Reply::Bulk(v) => Ok(v), r => Err(r) })
    }

    pub fn set(&self, bucket: &str, key: &str, value: &[u8]) -> Result<(), String> {
        self.keyed("set", (bucket, key), "SET", Some(value), |r| if r == Reply::Simple(b"OK".to_vec()) { Ok(()) } else { Err(r) })
    }

    /// A missing key is no error.
    pub fn delete(&self, bucket: &str, key: &str) -> Result<(), String> {
        self.keyed("delete", (bucket, key), "DEL", None, |r| match r { Reply::Int(_) => Ok(()), r => Err(r) })
    }

    pub fn exists(&self, bucket: &str, key: &str) -> Result<bool, String> {
        self.keyed("exists", (bucket, key), "EXISTS", None, |r| match r { Reply::Int(n) => Ok(n > 0), r => Err(r) })
    }

    /// Every key of `bucket`, sorted by bytes, no duplicates: one full SCAN pass (MATCH
    /// `<glob-escaped prefix>*`, COUNT 1000) deduplicated. Redis keys that are not UTF-8 are skipped.
    pub fn keys(&self, bucket: &str) -> Result<Vec<String>, String> {
        let prefix = self.bucket_prefix(bucket);
        let found = self.run(format!("listing bucket {}", q(bucket)), |c| scan(c, &prefix))?;
        Ok(found.into_iter().filter_map(|k| String::from_utf8(k[prefix.len()..].to_vec()).ok()).collect())
    }

    /// Read-modify-write under optimistic locking: WATCH the key, GET it, call `f(current)`;
    /// `Update::Keep(t)` -> UNWATCH, Ok(t); `Update::Write(bytes, t)` -> MULTI, SET, EXEC; if
    /// EXEC answers nil (another client wrote the key meanwhile) start over, up to 10_000
    /// attempts. An Err from `f` -> UNWATCH and return it unchanged. `f` runs while this store's
    /// connection is locked, so it must not use this store.
    pub fn update<T>(&self, bucket: &str, key: &str, mut f: impl FnMut(Option<&[u8]>) -> Result<Update<T>, String>) -> Result<T, String> {
        let k = self.redis_key(bucket, key);
        self.run(about("update", bucket, key), |c| {
            for _ in 0..MAX_ATTEMPTS {
                match attempt(c, &k, &mut f) {
                    Ok(None) => {} // EXEC aborted: someone else wrote the key
                    Ok(Some(t)) => return Ok(t),
                    Err(Fail::Io(e)) => return Err(Fail::Io(e)),
                    // Only cleanup: if UNWATCH fails, `broken` is set and the WATCH dies with the connection.
                    Err(other) => { let _ = c.call(&[b"UNWATCH"]); return Err(other) }
                }
            }
            Err(Fail::Server(format!("another client changed the key during each of {MAX_ATTEMPTS} attempts (WATCH/MULTI/EXEC); giving up")))
        })
    }

    /// Every (bucket, key, value) under this store's namespace, sorted by (bucket, key). Under
    /// Layout::Ignore the bucket is always "". Redis keys the mapping cannot have made, and
    /// non-string values, are skipped.
    pub fn entries(&self) -> Result<Vec<(String, String, Vec<u8>)>, String> {
        self.run(format!("listing the entries under namespace {}", q(&self.namespace)), |c| {
            let named: Vec<(Vec<u8>, (String, String))> =
                scan(c, self.namespace.as_bytes())?.into_iter().filter_map(|rk| self.unmap(&rk).map(|bk| (rk, bk))).collect();
            let mut out = Vec::with_capacity(named.len());
            for chunk in named.chunks(CHUNK) {
                let args: Vec<&[u8]> = std::iter::once(&b"MGET"[..]).chain(chunk.iter().map(|(rk, _)| rk.as_slice())).collect();
                // MGET answers nil for a key that is gone or holds a non-string type: both are skipped.
                let reply = c.call(&args)?;
                let Reply::Array(Some(values)) = reply else { return Err(unexpected("MGET", &reply)) };
                if values.len() != chunk.len() { return Err(malformed("MGET answered the wrong number of values".into())) }
                for ((_, (b, k)), v) in chunk.iter().zip(values) {
                    match v {
                        Reply::Bulk(Some(v)) => out.push((b.clone(), k.clone(), v)),
                        Reply::Bulk(None) => {}
                        r => return Err(unexpected("MGET", &r)),
                    }
                }
            }
            out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            Ok(out)
        })
    }

    /// Deletes every Redis key under this store's namespace (SCAN + DEL in chunks) and returns
    /// how many went. Refuses when the namespace is empty, so it can never wipe a user's database.
    pub fn clear_namespace(&self) -> Result<usize, String> {
        if self.namespace.is_empty() {
            return Err(format!("other: clearing the namespace on {} refused: this store has no namespace, so it would delete the whole database", self.url));
        }
        self.run(format!("clearing namespace {}", q(&self.namespace)), |c| {
            let keys: Vec<Vec<u8>> = scan(c, self.namespace.as_bytes())?.into_iter().collect();
            let mut deleted = 0;
            for chunk in keys.chunks(CHUNK) {
                let args: Vec<&[u8]> = std::iter::once(&b"DEL"[..]).chain(chunk.iter().map(Vec::as_slice)).collect();
                match c.call(&args)? {
                    Reply::Int(n) => deleted += usize::try_from(n).unwrap_or(0),
                    r => return Err(unexpected("DEL", &r)),
                }
            }
            Ok(deleted)
        })
    }
}

/// One WATCH/GET/f/EXEC round; Ok(None) means EXEC was aborted and the caller should retry.
fn attempt<T>(c: &mut Conn, k: &[u8], f: &mut impl FnMut(Option<&[u8]>) -> Result<Update<T>, String>) -> Result<Option<T>, Fail> {
    let Ok([watched, current]) = <[Reply; 2]>::try_from(c.pipeline(&[&[b"WATCH", k], &[b"GET", k]])?) else {
        return Err(malformed("WATCH/GET did not answer twice".into()));
    };
    expect_ok("WATCH", watched)?;
    let Reply::Bulk(current) = current else { return Err(unexpected("GET", &current)) };
    match f(current.as_deref()).map_err(Fail::User)? {
        Update::Keep(t) => {
            let _ = c.call(&[b"UNWATCH"]); // cleanup only; a failure marks the connection broken
            Ok(Some(t))
        }
        Update::Write(value, t) => {
            // Pipelined for one round trip; MULTI can only fail if an ACL forbids it.
            let replies = c.pipeline(&[&[b"MULTI"], &[b"SET", k, &value], &[b"EXEC"]])?;
            let Ok([multi, queued, exec]) = <[Reply; 3]>::try_from(replies) else {
                return Err(malformed("MULTI/SET/EXEC did not answer three times".into()));
            };
            expect_ok("MULTI", multi)?;
            if queued != Reply::Simple(b"QUEUED".to_vec()) {
                // EXEC has answered EXECABORT and ended the transaction; report why SET was refused.
                return Err(unexpected("SET", &queued));
            }
            match exec {
                Reply::Array(None) => Ok(None),
                Reply::Array(Some(results)) => match results.into_iter().next() {
                    Some(r) => expect_ok("SET", r).map(|()| Some(t)),
                    None => Err(malformed("EXEC answered no result".into())),
                },
                r => Err(unexpected("EXEC", &r)),
            }
        }
    }
}

/// A real redis-server for tests, this module's and the crate's integration tests.
#[doc(hidden)]
pub mod test_server {
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    pub struct TestServer { pub port: u16 }

    impl TestServer {
        pub fn url(&self) -> String { format!("redis://127.0.0.1:{}", self.port) }
    }

    /// One redis-server for the whole test process, started on first use on a free loopback
    /// port (`--save "" --appendonly no`: nothing on disk) and waited for until PING answers
    /// (10 s max). A shell watchdog kills it once this process is gone.
    pub fn shared() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        SERVER.get_or_init(start)
    }

    #[allow(clippy::zombie_processes)] // the watchdog shell outlives its handle on purpose
    fn start() -> TestServer {
        let found = std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("redis-server").is_file()));
        if !found {
            panic!("redis-server not found on PATH: install it (Debian: apt-get install redis-server); the Redis tests need a real server");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free loopback port for redis-server: {e}"));
        let script = format!(
            "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no & r=$!; \
             while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; kill $r; wait $r",
            pid = std::process::id()
        );
        Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()
            .unwrap_or_else(|e| panic!("starting redis-server through sh failed: {e}"));
        let url = super::RedisUrl { host: "127.0.0.1".into(), port, db: 0, user: None, password: None, layout: super::Layout::Prefix };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match super::RedisStore::connect(&url) {
                Ok(_) => return TestServer { port },
                Err(e) if Instant::now() > deadline => panic!("redis-server on port {port} did not answer PING within 10 s: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// A namespace no other test uses (pid + counter + nanos), e.g. "kv-adapt-test-1234-7-5551:".
    pub fn fresh_namespace() -> String {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        format!("kv-adapt-test-{}-{}-{nanos}:", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::test_server::{fresh_namespace, shared};
    use super::*;

    fn store_with(layout: Layout) -> RedisStore {
        let mut url = RedisUrl::parse(&shared().url()).unwrap();
        url.layout = layout;
        RedisStore::connect(&url).unwrap().with_namespace(&fresh_namespace()).unwrap()
    }

    fn store() -> RedisStore { store_with(Layout::Prefix) }

    /// A raw command on the store's connection, for what the bucket layer cannot write.
    fn raw(s: &RedisStore, args: &[&[u8]]) -> Reply {
        s.run("raw".into(), |c| c.call(args)).unwrap()
    }

    fn ns_key(s: &RedisStore, rest: &[u8]) -> Vec<u8> { [s.namespace.as_bytes(), rest].concat() }

    #[test]
    fn round_trip_binary_empty_and_big_values() {
        let s = store();
        assert_eq!(s.get("b", "k").unwrap(), None);
        assert!(!s.exists("b", "k").unwrap());
        let every: Vec<u8> = (0..=255).collect();
        s.set("b", "k", &every).unwrap();
        assert_eq!(s.get("b", "k").unwrap(), Some(every));
        assert!(s.exists("b", "k").unwrap());
        s.set("b", "empty", b"").unwrap();
        assert_eq!(s.get("b", "empty").unwrap(), Some(vec![]));
        assert!(s.exists("b", "empty").unwrap());
        s.delete("b", "k").unwrap();
        s.delete("b", "k").unwrap();
        assert_eq!(s.get("b", "k").unwrap(), None);
        let big: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 % 251) as u8).collect();
        s.set("b", "big", &big).unwrap();
        assert_eq!(s.get("b", "big").unwrap().as_deref(), Some(&big[..]));
    }

    #[test]
    fn names_with_colons_percents_and_unicode_stay_apart() {
        let s = store();
        let pairs = [("a:b", "c"), ("a", "b:c"), ("a%3Ab", "c"), ("a%b", "c"), ("a", "b%3Ac"), ("", "a:b"), ("ü:ñ", "日本:語"), ("ü", "ñ:日本:語")];
        for (i, (b, k)) in pairs.iter().enumerate() { s.set(b, k, i.to_string().as_bytes()).unwrap(); }
        for (i, (b, k)) in pairs.iter().enumerate() {
            assert_eq!(s.get(b, k).unwrap(), Some(i.to_string().into_bytes()), "{b:?} {k:?}");
        }
        assert_eq!(s.keys("a").unwrap(), ["b%3Ac", "b:c"]);
        assert_eq!(s.keys("a:b").unwrap(), ["c"]);
        assert_eq!(s.keys("").unwrap(), ["a:b"]);
        assert_eq!(raw(&s, &[b"GET", &ns_key(&s, b":a:b")]), Reply::Bulk(Some(b"5".to_vec())));
        assert_eq!(raw(&s, &[b"GET", &ns_key(&s, b"a%3Ab:c")]), Reply::Bulk(Some(b"0".to_vec())));
        let mut want: Vec<_> = pairs.iter().enumerate().map(|(i, (b, k))| (b.to_string(), k.to_string(), i.to_string().into_bytes())).collect();
        want.sort();
        assert_eq!(s.entries().unwrap(), want);
    }

    #[test]
    fn keys_lists_2500_keys_once_sorted() {
        let s = store();
        let mut want: Vec<String> = (0..2500).map(|i| format!("k{i}")).collect();
        for k in &want { s.set("b", k, b"v").unwrap(); }
        want.sort();
        assert_eq!(s.keys("b").unwrap(), want);
    }

    #[test]
    fn keys_skips_other_buckets_namespaces_and_non_utf8() {
        let s = store();
        let other = s.with_namespace(&fresh_namespace()).unwrap();
        for b in ["b", "bb", "b*", "b?", "[b]", "b\\", "x"] { s.set(b, "mine", b.as_bytes()).unwrap(); }
        other.set("b", "theirs", b"v").unwrap();
        raw(&s, &[b"SET", &ns_key(&s, b"b:\xff"), b"v"]);
        for b in ["b", "b*", "b?", "[b]", "b\\"] { assert_eq!(s.keys(b).unwrap(), ["mine"], "{b:?}"); }
        assert_eq!(s.keys("none").unwrap(), Vec::<String>::new());
        assert_eq!(other.keys("b").unwrap(), ["theirs"]);
    }

    #[test]
    fn update_keeps_writes_and_passes_errors_back() {
        let s = store();
        assert_eq!(s.update("b", "k", |cur| { assert_eq!(cur, None); Ok(Update::Keep(7)) }).unwrap(), 7);
        assert_eq!(s.get("b", "k").unwrap(), None);
        s.update("b", "k", |_| Ok(Update::Write(b"v1".to_vec(), ()))).unwrap();
        assert_eq!(s.update("b", "k", |cur| Ok(Update::Keep(cur.map(<[u8]>::to_vec)))).unwrap(), Some(b"v1".to_vec()));
        assert_eq!(s.update::<()>("b", "k", |_| Err("bad-value: mine".into())).unwrap_err(), "bad-value: mine");
        s.set("b", "other", b"x").unwrap(); // the connection is still in step
        assert_eq!(s.get("b", "k").unwrap(), Some(b"v1".to_vec()));
        raw(&s, &[b"RPUSH", &ns_key(&s, b"b:list"), b"x"]);
        let e = s.update("b", "list", |_| Ok(Update::Keep(()))).unwrap_err();
        assert!(e.starts_with("other: update of key \"list\" in bucket \"b\" on redis://127.0.0.1:") && e.contains("WRONGTYPE"), "{e}");
    }

    #[test]
    fn update_under_contention_loses_nothing() {
        let base = store();
        let increment = |cur: Option<&[u8]>| {
            let n: u64 = cur.map_or(0, |c| std::str::from_utf8(c).unwrap().parse().unwrap());
            Ok(Update::Write((n + 1).to_string().into_bytes(), ()))
        };
        let threads: Vec<_> = (0..4)
            .map(|_| base.with_namespace(&base.namespace).unwrap())
            .map(|s| std::thread::spawn(move || (0..500).for_each(|_| s.update("b", "n", increment).unwrap())))
            .collect();
        for t in threads { t.join().unwrap(); }
        assert_eq!(base.get("b", "n").unwrap(), Some(b"2000".to_vec()));
    }

    #[test]
    fn entries_and_clear_namespace() {
        let s = store();
        let other = s.with_namespace(&fresh_namespace()).unwrap();
        other.set("b1", "a", b"other").unwrap();
        for (b, k, v) in [("b2", "k", "2"), ("b1", "z", "1"), ("b1", "a", "0"), ("", "e", "")] {
            s.set(b, k, v.as_bytes()).unwrap();
        }
        for junk in [&b"nocolon"[..], b"%zz:k", b"a%3ab:k", b"b:\xff"] { raw(&s, &[b"SET", &ns_key(&s, junk), b"junk"]); }
        raw(&s, &[b"RPUSH", &ns_key(&s, b"list:k"), b"x"]);
        let e = s.get("list", "k").unwrap_err();
        assert!(e.starts_with("other: get of key \"k\" in bucket \"list\" on ") && e.contains("WRONGTYPE"), "{e}");
        let want: Vec<_> = [("", "e", ""), ("b1", "a", "0"), ("b1", "z", "1"), ("b2", "k", "2")]
            .map(|(b, k, v)| (b.to_string(), k.to_string(), v.as_bytes().to_vec())).to_vec();
        assert_eq!(s.entries().unwrap(), want);
        assert_eq!(s.clear_namespace().unwrap(), 9);
        assert_eq!(s.entries().unwrap(), []);
        assert_eq!(other.get("b1", "a").unwrap(), Some(b"other".to_vec()));
        let root = RedisStore::connect(s.url()).unwrap();
        let e = root.clear_namespace().unwrap_err();
        assert!(e.starts_with("other: clearing the namespace on redis://127.0.0.1:") && e.contains("refused"), "{e}");
        assert!(root.exists("", "x").is_ok());
    }

    #[test]
    fn ignore_layout_shares_keys_across_buckets() {
        let s = store_with(Layout::Ignore);
        s.set("one", "k:1", b"v").unwrap();
        assert_eq!(s.get("two", "k:1").unwrap(), Some(b"v".to_vec()));
        assert_eq!(raw(&s, &[b"GET", &ns_key(&s, b"k:1")]), Reply::Bulk(Some(b"v".to_vec())));
        assert_eq!(s.keys("three").unwrap(), ["k:1"]);
        assert_eq!(s.entries().unwrap(), [(String::new(), "k:1".to_string(), b"v".to_vec())]);
        assert_eq!(s.url().to_string(), format!("redis://127.0.0.1:{}/0?buckets=ignore", shared().port));
    }

    #[test]
    fn url_parsing() {
        let u = RedisUrl::parse("redis://localhost").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.db, u.user, u.password, u.layout), ("localhost", 6379, 0, None, None, Layout::Prefix));
        let u = RedisUrl::parse("redis://:s3cret@h:7000/3?buckets=ignore").unwrap();
        assert_eq!((u.port, u.db, u.user.as_deref(), u.password.as_deref(), u.layout), (7000, 3, None, Some("s3cret"), Layout::Ignore));
        assert_eq!(u.to_string(), "redis://:***@h:7000/3?buckets=ignore");
        assert_eq!(format!("{u:?}"), "RedisUrl(redis://:***@h:7000/3?buckets=ignore)");
        let u = RedisUrl::parse("redis://user:p%40ss@h/?buckets=prefix").unwrap();
        assert_eq!((u.user.as_deref(), u.password.as_deref()), (Some("user"), Some("p@ss")));
        assert_eq!(u.to_string(), "redis://user:***@h:6379/0");
        let u = RedisUrl::parse("redis://[::1]:6380").unwrap();
        assert_eq!((u.host.as_str(), u.to_string()), ("::1", "redis://[::1]:6380/0".to_string()));
        for bad in ["http://x", "redis://host:notaport", "redis://h/notadb", "redis://h?buckets=wat", "redis://", "redis://h:0", "redis://h?x=1", "rediss://h", "redis://[::1"] {
            let e = RedisUrl::parse(bad).unwrap_err();
            assert!(e.starts_with(&format!("other: bad Redis URL {bad:?}: ")) && !e.contains('\n'), "{e}");
        }
        for secret in ["redis://:hunter2@h:bad", "redis://me:hunter2@h/x", "redis://hunter2@h"] {
            let e = RedisUrl::parse(secret).unwrap_err();
            assert!(!e.contains("hunter2") && e.contains("***"), "{e}");
        }
    }

    #[test]
    fn closed_port_is_a_connect_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = RedisStore::connect(&RedisUrl::parse(&format!("redis://127.0.0.1:{port}")).unwrap()).unwrap_err();
        assert!(e.starts_with(&format!("other: connecting to redis://127.0.0.1:{port}/0 failed: ")), "{e}");
        let e = RedisStore::connect(&RedisUrl::parse(&format!("redis://:nope@127.0.0.1:{}", shared().port)).unwrap()).unwrap_err();
        assert!(e.starts_with("other: connecting to redis://:***@127.0.0.1:") && e.contains("AUTH: ERR") && !e.contains("nope"), "{e}");
        let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = http.local_addr().unwrap().port();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut c, mut buf) = (http.accept().unwrap().0, [0; 64]);
            let _ = c.read(&mut buf).and_then(|_| c.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n"));
            std::thread::sleep(Duration::from_millis(500)); // closing with unread data would reset the connection
        });
        let e = RedisStore::connect(&RedisUrl::parse(&format!("redis://127.0.0.1:{port}")).unwrap()).unwrap_err();
        assert!(e.contains("PING: malformed reply from the server: unknown reply type 'H'"), "{e}");
    }

    #[test]
    fn reconnects_after_the_connection_breaks() {
        let s = store();
        s.set("b", "k", b"v").unwrap();
        let Reply::Int(id) = raw(&s, &[b"CLIENT", b"ID"]) else { panic!("CLIENT ID") };
        raw(&store(), &[b"CLIENT", b"KILL", b"ID", id.to_string().as_bytes()]);
        if let Err(e) = s.get("b", "k") {
            assert!(e.starts_with("other: get of key \"k\" in bucket \"b\" on redis://127.0.0.1:"), "{e}");
        }
        assert_eq!(s.get("b", "k").unwrap(), Some(b"v".to_vec()));
    }

    #[test]
    fn malformed_replies_are_errors_not_panics() {
        let deep = "*1\r\n".repeat(100) + ":1\r\n";
        for bad in ["", "+OK", "?x\r\n", "\r\n", "$5\r\nab\r\n", "$999999999999\r\n", "$-2\r\n", ":x\r\n", "*2\r\n:1\r\n", "$2\r\nabcd", "*-5\r\n", "*999999999999999\r\n:1\r\n", &deep] {
            assert!(read_reply(&mut bad.as_bytes(), 0).is_err(), "{bad:?}");
        }
        let scan = read_reply(&mut &b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$-1\r\n"[..], 0).ok();
        let page = vec![Reply::Bulk(Some(b"0".to_vec())), Reply::Array(Some(vec![Reply::Bulk(Some(b"a".to_vec())), Reply::Bulk(None)]))];
        assert_eq!(scan, Some(Reply::Array(Some(page))));
        assert_eq!(read_reply(&mut &b"*-1\r\n"[..], 0).ok(), Some(Reply::Array(None)));
        assert_eq!(read_reply(&mut &b"-ERR no\r\n"[..], 0).ok(), Some(Reply::Error("ERR no".into())));
    }
}
