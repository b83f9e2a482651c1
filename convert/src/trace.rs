//! Trace texts of the errors the adapters raise: G2 `wasi-cloud-error` handles and the
//! G3/G4 `error` resource share one convention, a kind word, a colon and a space, then
//! details (see the project notes). Built by pushing pieces into a `String`, without
//! `format!`, to keep the adapters small. G2 texts name the u32 handle; G3/G4 values are
//! resources whose number means nothing to the guest, so their texts name none.
//!
//! Lossy: G5/G6 store errors carry only `no-such-store`, `access-denied` or `other(text)`;
//! the text keeps that word, the bucket name and the host's own text, nothing more.

use alloc::string::String;

use crate::bodies::BodyError;
use crate::counter::{DecodeError, Encoding};
use crate::slab::{Kind, Miss};

/// A G5/G6 `store.error`, borrowed from whichever generation produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostError<'a> {
    NoSuchStore,
    AccessDenied,
    Other(&'a str),
}

/// Appends `value` in decimal.
pub fn push_u64(out: &mut String, mut value: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &b in &buf[at..] {
        out.push(b as char);
    }
}

fn quoted(out: &mut String, text: &str) {
    out.push('"');
    out.push_str(text);
    out.push('"');
}

fn key_in_bucket(out: &mut String, key: &str, bucket: &str) {
    out.push_str("key ");
    quoted(out, key);
    out.push_str(" in bucket ");
    quoted(out, bucket);
}

fn with_article(out: &mut String, kind: Kind) {
    out.push_str(match kind {
        Kind::Bucket => "a ",
        Kind::OutgoingValue | Kind::IncomingValue | Kind::Error | Kind::InputStream | Kind::OutputStream => "an ",
    });
    out.push_str(kind.name());
}

/// A host error on `bucket`: `no-such-store: bucket "x"`, `access-denied: bucket "x"`,
/// `other: <host text>`.
pub fn host_error(err: HostError<'_>, bucket: &str) -> String {
    let mut t = String::new();
    match err {
        HostError::NoSuchStore => t.push_str("no-such-store: bucket "),
        HostError::AccessDenied => t.push_str("access-denied: bucket "),
        HostError::Other(text) => {
            t.push_str("other: ");
            t.push_str(text);
            return t;
        }
    }
    quoted(&mut t, bucket);
    t
}

/// `not-found: key "k" in bucket "b"`.
pub fn not_found(key: &str, bucket: &str) -> String {
    let mut t = String::from("not-found: ");
    key_in_bucket(&mut t, key, bucket);
    t
}

/// A handle of `expected` kind that did not resolve, e.g. `bad-handle: bucket 7 is not
/// open` or `bad-handle: 2147483649 is an error handle, not a bucket`.
pub fn bad_handle(expected: Kind, handle: u32, miss: Miss) -> String {
    let mut t = String::from("bad-handle: ");
    match miss {
        Miss::NotLive => {
            t.push_str(expected.name());
            t.push(' ');
            push_u64(&mut t, handle.into());
            t.push_str(match expected {
                Kind::Bucket => " is not open (never opened, or dropped)",
                Kind::OutgoingValue | Kind::IncomingValue | Kind::Error | Kind::InputStream | Kind::OutputStream => {
                    " is not live (never issued, or dropped)"
                }
            });
        }
        Miss::WrongKind(actual) => {
            push_u64(&mut t, handle.into());
            t.push_str(" is ");
            with_article(&mut t, actual);
            t.push_str(" handle, not ");
            with_article(&mut t, expected);
        }
    }
    t
}

/// What `trace` says for an error handle that does not resolve: `bad-handle: error N is
/// not live`.
pub fn dead_error(handle: u32) -> String {
    let mut t = String::from("bad-handle: error ");
    push_u64(&mut t, handle.into());
    t.push_str(" is not live");
    t
}

/// Trace of the one error handle handed out when the error slab is full.
pub const TOO_MANY_ERRORS: &str =
    "other: too many live error handles; drop-error the ones already read";

/// A slab of `kind` is full, e.g. `other: too many live incoming-value handles; drop ...`.
pub fn too_many(kind: Kind) -> String {
    let mut t = String::from("other: too many live ");
    t.push_str(kind.name());
    t.push_str(" handles; drop-");
    t.push_str(kind.name());
    t.push_str(" the ones no longer needed");
    t
}

fn outgoing(handle: u32, rest: &str) -> String {
    let mut t = String::from("bad-handle: outgoing-value ");
    push_u64(&mut t, handle.into());
    t.push_str(rest);
    t
}

/// `set`/`set-many` of an outgoing value whose body was never written.
pub fn no_body(handle: u32) -> String {
    outgoing(
        handle,
        " has no body; write one with outgoing-value-write-body-sync or -async first",
    )
}

/// A second body write to one outgoing value; the first body stays.
pub fn body_already_written(handle: u32) -> String {
    outgoing(
        handle,
        " already has a body; use a new outgoing-value for another body",
    )
}

/// A G2 outgoing value that cannot be used or written (see [`BodyError`]).
pub fn body_error(handle: u32, e: BodyError) -> String {
    match e {
        BodyError::Handle(m) => bad_handle(Kind::OutgoingValue, handle, m),
        BodyError::NoBody => no_body(handle),
        BodyError::AlreadyWritten => body_already_written(handle),
    }
}

/// A G1 outgoing value that cannot be used: as [`body_error`], in G1's words (its only
/// body writer is `outgoing-value-write-body`, which gives a stream).
pub fn g1_body_error(handle: u32, e: BodyError) -> String {
    match e {
        BodyError::NoBody => outgoing(
            handle,
            " has no body; call outgoing-value-write-body and write to its stream first",
        ),
        BodyError::Handle(_) | BodyError::AlreadyWritten => body_error(handle, e),
    }
}

/// G1 `set-many` whose `keys` do not name, pair for pair, the keys of its `values`.
/// `at` is the first index where they differ; `None` stands for a missing entry.
pub fn g1_keys_disagree(at: usize, in_keys: Option<&str>, in_values: Option<&str>) -> String {
    let mut t = String::from("bad-value: set-many names its keys twice and they must agree; item ");
    push_u64(&mut t, at as u64);
    t.push_str(" is ");
    let name = |t: &mut String, k: Option<&str>| match k {
        Some(k) => quoted(t, k),
        None => t.push_str("missing"),
    };
    name(&mut t, in_keys);
    t.push_str(" in `keys` but ");
    name(&mut t, in_values);
    t.push_str(" in `values`; nothing was written");
    t
}

/// G3/G4 `set`/`set-many` of an outgoing value whose body was never written.
pub const NO_BODY: &str =
    "bad-handle: outgoing-value has no body; call outgoing-value-write-body-sync first";

/// G3/G4: a second body write to one outgoing value.
pub const BODY_ALREADY_WRITTEN: &str = "bad-handle: outgoing-value already has a body; the \
first body stays; use a new outgoing-value for another body";

/// G3/G4: an outgoing value made while the adapter's table of values was full; it never
/// holds a body.
pub const NO_SLOT: &str = "other: too many live outgoing-values; drop the ones no longer \
needed and make this one again";

/// A G3/G4 outgoing value (a resource) that cannot be used or written. Its handle is
/// always live except when it never got a slot.
pub fn resource_body_error(e: BodyError) -> &'static str {
    match e {
        BodyError::Handle(_) => NO_SLOT,
        BodyError::NoBody => NO_BODY,
        BodyError::AlreadyWritten => BODY_ALREADY_WRITTEN,
    }
}

/// A second consume of one incoming value.
pub fn already_consumed(handle: u32) -> String {
    let mut t = String::from("bad-handle: incoming-value ");
    push_u64(&mut t, handle.into());
    t.push_str(" was already consumed; get the key again to read it again");
    t
}

/// The way out every `unsupported` async-body trace ends with (a macro, so that `concat!`
/// can put it into the constants below).
macro_rules! or_plug_wrapping {
    () => {
        ", or plug with `--bodies wrapping` (the flavour that also wraps the host's stdio, clocks \
         and files; it cannot stand beside wasi:sockets or wasi:http)"
    };
}

/// Why the pass-through (non-io) flavour cannot give a body stream.
pub const UNSUPPORTED_ASYNC_BODY: &str = concat!("unsupported: async value bodies need wasi:io served by \
the adapter; this guest imports other WASI, so kv-adapt chose the pass-through flavour that \
leaves wasi:io to the host; write the body with outgoing-value-write-body-sync", or_plug_wrapping!());

/// Same, for reading.
pub const UNSUPPORTED_ASYNC_CONSUME: &str = concat!("unsupported: async value bodies need wasi:io served \
by the adapter; this guest imports other WASI, so kv-adapt chose the pass-through flavour that \
leaves wasi:io to the host; the value is not consumed, read it with incoming-value-consume-sync", or_plug_wrapping!());

/// G3/G4 pass-through flavour: why `outgoing-value-write-body-async` gives no stream.
pub const UNSUPPORTED_ASYNC_BODY_RESOURCE: &str = concat!("unsupported: async value bodies need an \
output-stream of wasi:io, which belongs to the host in this pass-through flavour (the guest \
uses the host's wasi:io for other things) and the adapter cannot make a host stream; write \
the body with outgoing-value-write-body-sync", or_plug_wrapping!());

/// G3/G4 pass-through flavour: why `incoming-value-consume-async` gives no stream. The
/// call took ownership of the value, so it is gone.
pub const UNSUPPORTED_ASYNC_CONSUME_RESOURCE: &str = concat!("unsupported: async value bodies need an \
input-stream of wasi:io, which belongs to the host in this pass-through flavour (the guest \
uses the host's wasi:io for other things) and the adapter cannot make a host stream; this \
call took ownership of the incoming-value, so get the key again and read it with \
incoming-value-consume-sync", or_plug_wrapping!());

/// A string argument that is not UTF-8. Only the fused flavour can see one: it reads the
/// guest's memory itself, where a composition's canonical ABI would have trapped.
pub fn not_utf8(what: &str) -> String {
    let mut t = String::from("bad-value: the ");
    t.push_str(what);
    t.push_str(" is not valid UTF-8; keys and bucket names are strings, so encode them as UTF-8 before the call");
    t
}

/// A host whose `list-keys` handed back the cursor it was sent; paging again would never
/// end.
pub fn cursor_repeated(bucket: &str) -> String {
    let mut t = String::from("other: the host repeated a list-keys cursor for bucket ");
    quoted(&mut t, bucket);
    t.push_str("; paging would never end, so keys gives up");
    t
}

/// Stored bytes that are not a counter in the configured encoding, e.g. `bad-value: key
/// "c" in bucket "b" is not a decimal counter (value is not ASCII decimal digits)`.
pub fn not_a_counter(key: &str, bucket: &str, enc: Encoding, why: DecodeError) -> String {
    let mut t = String::from("bad-value: ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" is not a ");
    t.push_str(enc.name());
    t.push_str(" counter (");
    t.push_str(why.reason());
    t.push(')');
    t
}

/// A G2 delta beyond what a signed 64-bit G6 counter accepts.
pub fn delta_too_large(key: &str, bucket: &str, delta: u64) -> String {
    let mut t = String::from("bad-value: delta ");
    push_u64(&mut t, delta);
    t.push_str(" for ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(
        " exceeds 9223372036854775807; the host speaks wasi:keyvalue@0.2.0-draft2, whose \
         counters are signed 64-bit",
    );
    t
}

/// A G6 counter that came back negative, which the guest's u64 cannot carry.
pub fn negative_counter(key: &str, bucket: &str) -> String {
    let mut t = String::from("bad-value: ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(
        " holds a negative counter; the host speaks wasi:keyvalue@0.2.0-draft2, whose \
         counters are signed 64-bit, and this guest's counters are unsigned",
    );
    t
}

/// A G5 cursor token the adapter never issued or no longer keeps (see `cursors`).
pub fn unknown_cursor_token(token: u64, bucket: &str) -> String {
    let mut t = String::from("bad-value: list-keys cursor ");
    push_u64(&mut t, token);
    t.push_str(" for bucket ");
    quoted(&mut t, bucket);
    t.push_str(
        " is not one kv-adapt handed out, or is older than the newest 64 it keeps; \
         start again from no cursor",
    );
    t
}

/// A G6 cursor that is not the decimal text of a G5 cursor, so no G5 host made it.
pub fn unknown_cursor_text(cursor: &str, bucket: &str) -> String {
    let mut t = String::from("bad-value: list-keys cursor ");
    quoted(&mut t, cursor);
    t.push_str(" for bucket ");
    quoted(&mut t, bucket);
    t.push_str(" was not handed out by this host; pass back a cursor a page returned, or none");
    t
}

/// A negative G6 delta under `--strict-atomics`: a G5 host (unsigned counters, no
/// decrement) cannot apply it atomically, and emulating it was ruled out.
pub fn negative_delta(key: &str, bucket: &str, delta: i64, host: &str) -> String {
    let mut t = String::from("bad-value: delta -");
    push_u64(&mut t, delta.unsigned_abs());
    t.push_str(" for ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" is negative; the host speaks ");
    t.push_str(host);
    t.push_str(
        ", whose counters are unsigned and only count up, and --strict-atomics forbids a \
         decrement by read and write; nothing was written",
    );
    t
}

/// A negative G6 delta that would take an unsigned host counter below zero.
pub fn below_zero(key: &str, bucket: &str, delta: i64, current: u64, host: &str) -> String {
    let mut t = String::from("bad-value: delta -");
    push_u64(&mut t, delta.unsigned_abs());
    t.push_str(" would take ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" from ");
    push_u64(&mut t, current);
    t.push_str(" below zero; the host speaks ");
    t.push_str(host);
    t.push_str(", whose counters are unsigned; nothing was written");
    t
}

/// A decrement whose result a G6 guest's s64 cannot carry, refused before writing.
pub fn decrement_too_large(key: &str, bucket: &str, value: u64, host: &str) -> String {
    let mut t = String::from("bad-value: ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" would hold ");
    push_u64(&mut t, value);
    t.push_str(", above 9223372036854775807; the host speaks ");
    t.push_str(host);
    t.push_str(", whose counters are unsigned, and this guest's are signed 64-bit; nothing was written");
    t
}

/// A compare-and-swap under `--strict-atomics` on a host that has none.
pub fn strict_cas(key: &str, bucket: &str, host: &str) -> String {
    let mut t = String::from("bad-value: compare-and-swap of ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" is refused: the host speaks ");
    t.push_str(host);
    t.push_str(
        ", which has no compare-and-swap, and --strict-atomics forbids emulating one by read \
         and write; nothing was written",
    );
    t
}

/// A wasmCloud `set` with `ttl-ms` on a host that cannot expire entries: refused, as the
/// WIT says a TTL must never be dropped silently.
pub fn ttl_refused(key: &str, bucket: &str, ttl_ms: u64, host: &str) -> String {
    let mut t = String::from("bad-value: set of ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" with ttl-ms ");
    push_u64(&mut t, ttl_ms);
    t.push_str(" is refused: the host speaks ");
    t.push_str(host);
    t.push_str(", which cannot expire entries; nothing was written; set it without ttl-ms and delete it when it is due");
    t
}

/// A wasmCloud `set` with `if-not-exists` under `--strict-atomics` on a host with no
/// compare-and-swap.
pub fn strict_if_not_exists(key: &str, bucket: &str, host: &str) -> String {
    let mut t = String::from("bad-value: set of ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" with if-not-exists is refused: the host speaks ");
    t.push_str(host);
    t.push_str(
        ", which has no conditional write, and --strict-atomics forbids emulating one by a read \
         and a write; nothing was written",
    );
    t
}

/// A G5 counter past `i64::MAX`, which a G6 guest's s64 cannot carry. The host has
/// already applied the increment.
pub fn counter_too_large(key: &str, bucket: &str, value: u64, host: &str) -> String {
    let mut t = String::from("bad-value: ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" now holds ");
    push_u64(&mut t, value);
    t.push_str(", above 9223372036854775807; the host speaks ");
    t.push_str(host);
    t.push_str(", whose counters are unsigned, and this guest's are signed 64-bit; the increment was applied");
    t
}

/// An `increment` under `--strict-atomics` on a host with no counters at all (Spin 4's
/// `spin:key-value@3.0.0`): every increment there would be a read and a write.
pub fn strict_increment(key: &str, bucket: &str, host: &str) -> String {
    let mut t = String::from("bad-value: increment of ");
    key_in_bucket(&mut t, key, bucket);
    t.push_str(" is refused: the host speaks ");
    t.push_str(host);
    t.push_str(
        ", which has no atomic increment, and --strict-atomics forbids emulating one by a read \
         and a write; nothing was written",
    );
    t
}

/// A host error case the guest's generation has no variant for, handed over as `other`
/// (or as the nearest case) with this text: `timeout: bucket "b": the host speaks
/// wasmcloud:keyvalue@0.2.0, which says the host or its backend gave up waiting`.
pub fn host_case(case: &str, bucket: &str, host: &str, meaning: &str) -> String {
    let mut t = String::from(case);
    t.push_str(": bucket ");
    quoted(&mut t, bucket);
    t.push_str(": the host speaks ");
    t.push_str(host);
    t.push_str(", which says ");
    t.push_str(meaning);
    t
}

/// A `list-keys` cursor on a host whose listing this adapter hands over in one page, so
/// that it never gave a cursor out.
pub fn cursor_never_given(cursor: &str, bucket: &str, host: &str) -> String {
    let mut t = String::from("invalid-argument: list-keys cursor ");
    quoted(&mut t, cursor);
    t.push_str(" for bucket ");
    quoted(&mut t, bucket);
    t.push_str(" was never handed out: the host speaks ");
    t.push_str(host);
    t.push_str(", whose listing comes whole, so every answer is one page with no cursor; pass none");
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slab::{encode, overflow};

    #[test]
    fn not_utf8_names_the_argument_and_the_fix() {
        let t = not_utf8("key");
        assert!(t.starts_with("bad-value: the key is not valid UTF-8"), "{t}");
        assert!(t.contains("encode them as UTF-8"), "{t}");
    }

    fn dec(v: u64) -> String {
        let mut s = String::new();
        push_u64(&mut s, v);
        s
    }

    #[test]
    fn decimal_helper_matches_core_formatting() {
        for v in [0u64, 7, 10, 99, 100, 4294967295, u64::MAX] {
            assert_eq!(dec(v), alloc::format!("{v}"));
        }
    }

    #[test]
    fn host_errors_name_the_kind_and_bucket() {
        assert_eq!(
            host_error(HostError::NoSuchStore, "x"),
            "no-such-store: bucket \"x\""
        );
        assert_eq!(
            host_error(HostError::AccessDenied, "y"),
            "access-denied: bucket \"y\""
        );
        assert_eq!(
            host_error(HostError::Other("disk full"), "z"),
            "other: disk full"
        );
        assert_eq!(not_found("k", "b"), "not-found: key \"k\" in bucket \"b\"");
    }

    #[test]
    fn bad_handles_say_whether_dead_or_of_another_kind() {
        assert_eq!(
            bad_handle(Kind::Bucket, 7, Miss::NotLive),
            "bad-handle: bucket 7 is not open (never opened, or dropped)"
        );
        assert_eq!(
            bad_handle(Kind::IncomingValue, 3, Miss::NotLive),
            "bad-handle: incoming-value 3 is not live (never issued, or dropped)"
        );
        let e = encode(Kind::Error, 0, 0);
        let t = bad_handle(Kind::Bucket, e, Miss::WrongKind(Kind::Error));
        assert_eq!(
            t,
            alloc::format!("bad-handle: {e} is an error handle, not a bucket")
        );
        let t = bad_handle(Kind::OutgoingValue, 9, Miss::WrongKind(Kind::Bucket));
        assert_eq!(t, "bad-handle: 9 is a bucket handle, not an outgoing-value");
        let o = overflow(Kind::Error);
        assert_eq!(
            dead_error(o),
            alloc::format!("bad-handle: error {o} is not live")
        );
        assert_eq!(dead_error(5), "bad-handle: error 5 is not live");
    }

    #[test]
    fn value_errors_name_key_bucket_and_reason() {
        assert_eq!(
            not_a_counter("c", "b", Encoding::Decimal, DecodeError::NotDecimal),
            "bad-value: key \"c\" in bucket \"b\" is not a decimal counter (value is not ASCII decimal digits)"
        );
        let t = not_a_counter("c", "", Encoding::Le64, DecodeError::WrongLength(3));
        assert!(
            t.starts_with("bad-value: key \"c\" in bucket \"\" is not a le64 counter ("),
            "{t}"
        );
        let t = delta_too_large("c", "b", u64::MAX);
        assert!(
            t.starts_with("bad-value: delta 18446744073709551615 for key \"c\""),
            "{t}"
        );
        assert!(t.contains("signed 64-bit"), "{t}");
        assert!(negative_counter("c", "b").contains("signed 64-bit"));
    }

    #[test]
    fn every_trace_starts_with_a_kind_word() {
        let all = [
            no_body(1),
            body_already_written(1),
            already_consumed(1),
            too_many(Kind::IncomingValue),
            String::from(TOO_MANY_ERRORS),
            String::from(UNSUPPORTED_ASYNC_BODY),
            String::from(UNSUPPORTED_ASYNC_CONSUME),
            String::from(UNSUPPORTED_ASYNC_BODY_RESOURCE),
            String::from(UNSUPPORTED_ASYNC_CONSUME_RESOURCE),
            String::from(NO_BODY),
            String::from(BODY_ALREADY_WRITTEN),
            String::from(NO_SLOT),
            cursor_repeated("b"),
        ];
        for t in all {
            let (word, rest) = t.split_once(": ").unwrap();
            assert!(
                ["bad-handle", "other", "unsupported"].contains(&word),
                "{t}"
            );
            assert!(!rest.is_empty());
        }
        assert!(UNSUPPORTED_ASYNC_BODY.contains("outgoing-value-write-body-sync"));
        assert!(UNSUPPORTED_ASYNC_BODY_RESOURCE.contains("outgoing-value-write-body-sync"));
        assert!(UNSUPPORTED_ASYNC_CONSUME_RESOURCE.contains("incoming-value-consume-sync"));
        assert!(UNSUPPORTED_ASYNC_CONSUME_RESOURCE.contains("get the key again"));
        assert!(UNSUPPORTED_ASYNC_CONSUME.contains("incoming-value-consume-sync"));
    }

    #[test]
    fn body_errors_read_per_front() {
        use crate::bodies::BodyError;
        assert_eq!(body_error(3, BodyError::NoBody), no_body(3));
        assert_eq!(
            body_error(3, BodyError::AlreadyWritten),
            body_already_written(3)
        );
        assert_eq!(
            body_error(3, BodyError::Handle(Miss::NotLive)),
            bad_handle(Kind::OutgoingValue, 3, Miss::NotLive)
        );
        assert_eq!(resource_body_error(BodyError::NoBody), NO_BODY);
        assert_eq!(
            resource_body_error(BodyError::AlreadyWritten),
            BODY_ALREADY_WRITTEN
        );
        assert_eq!(
            resource_body_error(BodyError::Handle(Miss::NotLive)),
            NO_SLOT
        );
        assert!(NO_BODY.starts_with("bad-handle: outgoing-value has no body"));
        assert_eq!(
            cursor_repeated("b"),
            "other: the host repeated a list-keys cursor for bucket \"b\"; paging would never end, so keys gives up"
        );
    }

    #[test]
    fn sideways_errors_name_the_value_and_the_fix() {
        assert_eq!(
            negative_delta("c", "b", -3, "wasi:keyvalue@0.2.0-draft"),
            "bad-value: delta -3 for key \"c\" in bucket \"b\" is negative; the host speaks \
             wasi:keyvalue@0.2.0-draft, whose counters are unsigned and only count up, and \
             --strict-atomics forbids a decrement by read and write; nothing was written"
        );
        assert_eq!(
            below_zero("c", "b", -5, 3, "wasi:keyvalue@0.2.0-draft"),
            "bad-value: delta -5 would take key \"c\" in bucket \"b\" from 3 below zero; the host \
             speaks wasi:keyvalue@0.2.0-draft, whose counters are unsigned; nothing was written"
        );
        assert!(decrement_too_large("c", "b", u64::MAX - 1, "h").contains("would hold 18446744073709551614"));
        assert!(strict_cas("c", "b", "h").contains("--strict-atomics forbids emulating one"));
        assert!(negative_delta("c", "b", i64::MIN, "h").starts_with("bad-value: delta -9223372036854775808 "));
        assert!(unknown_cursor_token(7, "b").starts_with("bad-value: list-keys cursor 7 for bucket \"b\" is not"));
        assert!(unknown_cursor_text("x", "b").starts_with("bad-value: list-keys cursor \"x\" for bucket \"b\""));
        assert!(counter_too_large("c", "b", u64::MAX, "h").contains("now holds 18446744073709551615"));
    }

    #[test]
    fn a_host_case_names_itself_the_bucket_and_what_the_host_meant() {
        assert_eq!(
            host_case("timeout", "b", "wasmcloud:keyvalue@0.2.0", "the host or its backend gave up waiting"),
            "timeout: bucket \"b\": the host speaks wasmcloud:keyvalue@0.2.0, which says the host or its backend gave up waiting"
        );
    }

    #[test]
    fn a_cursor_never_given_says_to_pass_none() {
        let t = cursor_never_given("c1", "b", "spin:key-value@3.0.0");
        assert!(t.starts_with("invalid-argument: list-keys cursor \"c1\" for bucket \"b\""), "{t}");
        assert!(t.ends_with("pass none"), "{t}");
    }
}
