//! The cases. Each starts from an empty store and uses bucket "" (the one every host
//! opens) unless it is about bucket names, and returns the first failed expectation.

use crate::kv::*;
use crate::{atomic, batch, readwrite, streams, types, wasi_cloud_error};

pub const ALL: &[Case] = &[
    ("set-then-get-round-trips", set_then_get_round_trips),
    ("get-missing-key-is-error", get_missing_key_is_error),
    ("delete-missing-key-is-error", delete_missing_key_is_error),
    ("delete-removes-key", delete_removes_key),
    ("exists-reports-presence", exists_reports_presence),
    ("size-reports-length", size_reports_length),
    ("consume-twice-is-error", consume_twice_is_error),
    ("set-without-body-is-error", set_without_body_is_error),
    ("write-body-twice-is-error", write_body_twice_is_error),
    ("stream-read-reports-the-end", stream_read_reports_the_end),
    ("stream-skip-passes-bytes-over", stream_skip_passes_bytes_over),
    ("write-repeated-appends-copies", write_repeated_appends_copies),
    ("splice-and-forward-copy-a-value", splice_and_forward_copy_a_value),
    ("bad-stream-handles-are-refused", bad_stream_handles_are_refused),
    ("write-after-the-value-is-dropped-is-refused", write_after_the_value_is_dropped_is_refused),
    ("get-many-returns-values-in-order", get_many_returns_values_in_order),
    ("get-many-missing-key-is-error", get_many_missing_key_is_error),
    ("get-keys-returns-every-key", get_keys_returns_every_key),
    ("set-many-writes-all", set_many_writes_all),
    ("set-many-keys-must-agree", set_many_keys_must_agree),
    ("set-many-with-bad-value-writes-nothing", set_many_with_bad_value_writes_nothing),
    ("delete-many-skips-missing", delete_many_skips_missing),
    ("increment-creates-and-adds", increment_creates_and_adds),
    ("compare-and-swap-swaps-when-equal", compare_and_swap_swaps_when_equal),
    ("compare-and-swap-missing-key-is-error", compare_and_swap_missing_key_is_error),
    ("counter-ops-on-non-counter-are-errors", counter_ops_on_non_counter_are_errors),
    ("open-unknown-bucket-is-error", open_unknown_bucket_is_error),
    ("two-opens-share-data", two_opens_share_data),
    ("bad-handles-are-errors", bad_handles_are_errors),
    ("drop-everything-does-not-trap", drop_everything_does_not_trap),
];

/// A handle number no implementation hands out this early.
const UNKNOWN: u32 = 0xdead_beef;

fn bucket() -> Result<Bucket, String> {
    open("")
}

fn set_then_get_round_trips() -> Outcome {
    let b = bucket()?;
    set(b, "greeting", b"hello, world")?;
    expect_value(b, "greeting", b"hello, world")?;
    let large = pattern(64 * 1024, 3);
    set(b, "large", &large)?;
    expect_value(b, "large", &large)?;
    // Read back through a stream as well, in odd-sized pieces.
    let incoming = ok("get(bucket, \"large\")", readwrite::get(b, "large"))?;
    let stream = ok("incoming-value-consume-async", types::incoming_value_consume_async(incoming))?;
    eq_bytes("\"large\" read through streams.read 999 bytes at a time", &read_all(stream, 999)?, &large)?;
    types::drop_incoming_value(incoming);
    // A body stream written with nothing is an empty value, not a missing one.
    set(b, "empty", b"")?;
    expect_value(b, "empty", b"")?;
    expect_exists(b, "empty", true)?;
    expect_value(b, "greeting", b"hello, world")
}

fn get_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    let trace = err("get(bucket, \"missing\")", readwrite::get(b, "missing"), NOT_FOUND)?;
    mentions("get(bucket, \"missing\")", &trace, "missing")?;
    expect_exists(b, "missing", false)
}

fn delete_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    err("delete(bucket, \"missing\")", readwrite::delete(b, "missing"), NOT_FOUND)?;
    set(b, "present", b"x")?;
    err("delete(bucket, \"missing\") next to another key", readwrite::delete(b, "missing"), NOT_FOUND)?;
    expect_value(b, "present", b"x")
}

fn delete_removes_key() -> Outcome {
    let b = bucket()?;
    set(b, "doomed", b"x")?;
    set(b, "kept", b"y")?;
    ok("delete(bucket, \"doomed\")", readwrite::delete(b, "doomed"))?;
    expect_exists(b, "doomed", false)?;
    err("get(bucket, \"doomed\") after delete", readwrite::get(b, "doomed"), NOT_FOUND)?;
    expect_value(b, "kept", b"y")
}

fn exists_reports_presence() -> Outcome {
    let b = bucket()?;
    expect_exists(b, "k", false)?;
    set(b, "k", b"v")?;
    expect_exists(b, "k", true)?;
    // `exists` reads nothing and creates nothing.
    expect_exists(b, "other", false)?;
    eq("get-keys", sorted_keys(b), keys(&["k"]))
}

fn size_reports_length() -> Outcome {
    let b = bucket()?;
    set(b, "k", &pattern(1234, 1))?;
    let incoming = ok("get(bucket, \"k\")", readwrite::get(b, "k"))?;
    eq("size of a 1234-byte value", types::size(incoming), 1234)?;
    let body = ok("consume-sync after size", types::incoming_value_consume_sync(incoming))?;
    eq("bytes after size", body.len(), 1234)?;
    eq("size after consuming", types::size(incoming), 1234)?;
    types::drop_incoming_value(incoming);
    eq("size of a dropped incoming-value", types::size(incoming), 0)
}

fn consume_twice_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"v")?;
    let incoming = ok("get(bucket, \"k\")", readwrite::get(b, "k"))?;
    ok("first consume-sync", types::incoming_value_consume_sync(incoming))?;
    err("second consume-sync", types::incoming_value_consume_sync(incoming), ANY)?;
    err("consume-async after consume-sync", types::incoming_value_consume_async(incoming), ANY)?;
    types::drop_incoming_value(incoming);
    Ok(())
}

fn set_without_body_is_error() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    let trace = err("set of an outgoing-value whose body was never written", readwrite::set(b, "k", value), BAD_HANDLE)?;
    mentions("set without a body", &trace, "outgoing-value-write-body")?;
    expect_exists(b, "k", false)?;
    // The value can still be given a body and used.
    write_all(body_stream(value)?, b"late")?;
    ok("set after writing the body", readwrite::set(b, "k", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "k", b"late")
}

fn write_body_twice_is_error() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    let first = body_stream(value)?;
    stream_err("a second outgoing-value-write-body", types::outgoing_value_write_body(value))?;
    // The first stream still writes the one body.
    write_all(first, b"first")?;
    ok("set", readwrite::set(b, "k", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "k", b"first")
}

fn stream_read_reports_the_end() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"0123456789")?;
    let incoming = ok("get", readwrite::get(b, "k"))?;
    let s = ok("consume-async", types::incoming_value_consume_async(incoming))?;
    eq("read(0) at the start", stream_ok("read(0)", streams::read(s, 0))?, (vec![], false))?;
    eq("read(4)", stream_ok("read(4)", streams::read(s, 4))?, (b"0123".to_vec(), false))?;
    eq("read(6), the rest", stream_ok("read(6)", streams::read(s, 6))?, (b"456789".to_vec(), true))?;
    // Once at the end, every later read reports the end again.
    eq("read(5) at the end", stream_ok("read(5)", streams::read(s, 5))?, (vec![], true))?;
    eq("skip(5) at the end", stream_ok("skip(5)", streams::skip(s, 5))?, (0, true))?;
    streams::drop_input_stream(s);
    types::drop_incoming_value(incoming);
    // A read longer than the value gives all of it and the end at once.
    let incoming = ok("get again", readwrite::get(b, "k"))?;
    let s = ok("consume-async again", types::incoming_value_consume_async(incoming))?;
    eq("read(1000)", stream_ok("read(1000)", streams::read(s, 1000))?, (b"0123456789".to_vec(), true))?;
    streams::drop_input_stream(s);
    types::drop_incoming_value(incoming);
    Ok(())
}

fn stream_skip_passes_bytes_over() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"abcdefgh")?;
    let incoming = ok("get", readwrite::get(b, "k"))?;
    let s = ok("consume-async", types::incoming_value_consume_async(incoming))?;
    eq("skip(3)", stream_ok("skip(3)", streams::skip(s, 3))?, (3, false))?;
    eq("read(2) after skip(3)", stream_ok("read(2)", streams::read(s, 2))?, (b"de".to_vec(), false))?;
    eq("skip(100), the rest", stream_ok("skip(100)", streams::skip(s, 100))?, (3, true))?;
    streams::drop_input_stream(s);
    types::drop_incoming_value(incoming);
    Ok(())
}

fn write_repeated_appends_copies() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    let s = body_stream(value)?;
    stream_ok("write(\"ab\")", streams::write(s, b"ab"))?;
    eq("write-repeated(b'x', 5)", stream_ok("write-repeated", streams::write_repeated(s, b'x', 5))?, 5)?;
    eq("write-repeated(b'y', 0)", stream_ok("write-repeated 0", streams::write_repeated(s, b'y', 0))?, 0)?;
    stream_ok("write(\"!\")", streams::write(s, b"!"))?;
    streams::drop_output_stream(s);
    ok("set", readwrite::set(b, "k", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "k", b"abxxxxx!")
}

fn splice_and_forward_copy_a_value() -> Outcome {
    let b = bucket()?;
    let original = pattern(5000, 9);
    set(b, "from", &original)?;
    let incoming = ok("get(\"from\")", readwrite::get(b, "from"))?;
    let src = ok("consume-async", types::incoming_value_consume_async(incoming))?;
    let value = types::new_outgoing_value();
    let dst = body_stream(value)?;
    eq("splice(dst, src, 1000)", stream_ok("splice", streams::splice(dst, src, 1000))?, (1000, false))?;
    eq("forward(dst, src), the rest", stream_ok("forward", streams::forward(dst, src))?, 4000)?;
    eq("forward at the end", stream_ok("forward again", streams::forward(dst, src))?, 0)?;
    eq("splice at the end", stream_ok("splice again", streams::splice(dst, src, 10))?, (0, true))?;
    streams::drop_input_stream(src);
    streams::drop_output_stream(dst);
    types::drop_incoming_value(incoming);
    ok("set(\"to\")", readwrite::set(b, "to", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "to", &original)
}

fn bad_stream_handles_are_refused() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"v")?;
    let incoming = ok("get", readwrite::get(b, "k"))?;
    let input = ok("consume-async", types::incoming_value_consume_async(incoming))?;
    let value = types::new_outgoing_value();
    let output = body_stream(value)?;
    stream_err("read(unknown stream)", streams::read(UNKNOWN, 1))?;
    stream_err("skip(unknown stream)", streams::skip(UNKNOWN, 1))?;
    stream_err("write(unknown stream)", streams::write(UNKNOWN, b"x"))?;
    stream_err("write-repeated(unknown stream)", streams::write_repeated(UNKNOWN, 1, 1))?;
    // Each kind of stream used as the other, and other handles used as streams.
    stream_err("read of an output stream", streams::read(output, 1))?;
    stream_err("write to an input stream", streams::write(input, b"x"))?;
    stream_err("write to a bucket handle", streams::write(b, b"x"))?;
    stream_err("splice into an unknown stream", streams::splice(UNKNOWN, input, 1))?;
    // A refused splice consumes nothing of its source.
    eq("read after the refused splice", stream_ok("read", streams::read(input, 10))?, (b"v".to_vec(), true))?;
    stream_err("forward from an unknown stream", streams::forward(output, UNKNOWN))?;
    streams::drop_input_stream(input);
    stream_err("read of a dropped input stream", streams::read(input, 1))?;
    write_all(output, b"still fine")?;
    stream_err("write to a dropped output stream", streams::write(output, b"x"))?;
    ok("set", readwrite::set(b, "k2", value))?;
    streams::drop_input_stream(UNKNOWN);
    streams::drop_output_stream(UNKNOWN);
    types::drop_outgoing_value(value);
    types::drop_incoming_value(incoming);
    expect_value(b, "k2", b"still fine")
}

fn write_after_the_value_is_dropped_is_refused() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    let s = body_stream(value)?;
    stream_ok("write before the drop", streams::write(s, b"abc"))?;
    types::drop_outgoing_value(value);
    stream_err("write after drop-outgoing-value", streams::write(s, b"def"))?;
    streams::drop_output_stream(s);
    err("set of the dropped value", readwrite::set(b, "k", value), BAD_HANDLE)?;
    expect_exists(b, "k", false)
}

fn get_many_returns_values_in_order() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"1")?;
    set(b, "b", b"22")?;
    set(b, "c", b"333")?;
    let values = ok("get-many(bucket, [c, a, b])", batch::get_many(b, &keys(&["c", "a", "b"])))?;
    eq("number of values", values.len(), 3)?;
    for (incoming, want) in values.iter().zip([&b"333"[..], b"1", b"22"]) {
        let body = ok("consume-sync of a get-many value", types::incoming_value_consume_sync(*incoming))?;
        eq_bytes("get-many value", &body, want)?;
        types::drop_incoming_value(*incoming);
    }
    eq("get-many(bucket, [])", ok("get-many []", batch::get_many(b, &[]))?, vec![])
}

fn get_many_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"1")?;
    let trace = err("get-many(bucket, [a, missing])", batch::get_many(b, &keys(&["a", "missing"])), NOT_FOUND)?;
    mentions("get-many with a missing key", &trace, "missing")
}

fn get_keys_returns_every_key() -> Outcome {
    let b = bucket()?;
    eq("get-keys of an empty bucket", batch::get_keys(b), Vec::<String>::new())?;
    let names: Vec<String> = (0..150).map(|i| format!("key-{i:03}")).collect();
    for name in &names {
        set(b, name, b"x")?;
    }
    eq("get-keys of 150 keys (sorted)", sorted_keys(b), names)
}

fn set_many_writes_all() -> Outcome {
    let b = bucket()?;
    set(b, "b", b"old b")?;
    let pairs = vec![("a".to_string(), value(b"new a")?), ("b".to_string(), value(b"new b")?), ("c".to_string(), value(b"")?)];
    ok("set-many(bucket, [a, b, c], [a, b, c])", batch::set_many(b, &keys(&["a", "b", "c"]), &pairs))?;
    for (_, v) in &pairs {
        types::drop_outgoing_value(*v);
    }
    expect_value(b, "a", b"new a")?;
    expect_value(b, "b", b"new b")?;
    expect_value(b, "c", b"")?;
    ok("set-many(bucket, [], [])", batch::set_many(b, &[], &[]))?;
    eq("get-keys after set-many", sorted_keys(b), keys(&["a", "b", "c"]))
}

fn set_many_keys_must_agree() -> Outcome {
    let b = bucket()?;
    let pairs = vec![("a".to_string(), value(b"1")?), ("b".to_string(), value(b"2")?)];
    let trace = err("set-many with `keys` [b, a] against values [a, b]", batch::set_many(b, &keys(&["b", "a"]), &pairs), BAD_VALUE)?;
    mentions("set-many with disagreeing keys", &trace, "nothing was written")?;
    err("set-many with `keys` [a] against values [a, b]", batch::set_many(b, &keys(&["a"]), &pairs), BAD_VALUE)?;
    eq("get-keys after the refused set-many calls", sorted_keys(b), Vec::<String>::new())?;
    for (_, v) in &pairs {
        types::drop_outgoing_value(*v);
    }
    Ok(())
}

fn set_many_with_bad_value_writes_nothing() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"before")?;
    let good = value(b"after")?;
    let bodiless = types::new_outgoing_value();
    let pairs = vec![("a".to_string(), good), ("b".to_string(), bodiless)];
    err("set-many(bucket, [a: good, b: no body])", batch::set_many(b, &keys(&["a", "b"]), &pairs), BAD_HANDLE)?;
    let pairs = vec![("c".to_string(), good), ("d".to_string(), UNKNOWN)];
    err("set-many(bucket, [c: good, d: unknown handle])", batch::set_many(b, &keys(&["c", "d"]), &pairs), BAD_HANDLE)?;
    types::drop_outgoing_value(good);
    types::drop_outgoing_value(bodiless);
    expect_value(b, "a", b"before")?;
    eq("get-keys after the refused set-many calls", sorted_keys(b), keys(&["a"]))
}

fn delete_many_skips_missing() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"1")?;
    set(b, "b", b"2")?;
    set(b, "kept", b"3")?;
    ok("delete-many(bucket, [a, missing, b])", batch::delete_many(b, &keys(&["a", "missing", "b"])))?;
    ok("delete-many(bucket, [])", batch::delete_many(b, &[]))?;
    eq("get-keys after delete-many", sorted_keys(b), keys(&["kept"]))
}

fn increment_creates_and_adds() -> Outcome {
    let b = bucket()?;
    eq("increment of a missing key by 5", increment(b, "c", 5)?, 5)?;
    eq("increment by 3", increment(b, "c", 3)?, 8)?;
    eq("increment by 0", increment(b, "c", 0)?, 8)?;
    eq("increment of another key by 0", increment(b, "zero", 0)?, 0)?;
    eq("get-keys after incrementing two counters", sorted_keys(b), keys(&["c", "zero"]))
}

fn compare_and_swap_swaps_when_equal() -> Outcome {
    let b = bucket()?;
    increment(b, "c", 7)?;
    let cas = |old, new| ok(&format!("compare-and-swap(c, {old}, {new})"), atomic::compare_and_swap(b, "c", old, new));
    eq("compare-and-swap(c, 7, 10) where c is 7", cas(7, 10)?, true)?;
    eq("compare-and-swap(c, 7, 20) where c is 10", cas(7, 20)?, false)?;
    eq("increment after the swaps", increment(b, "c", 1)?, 11)
}

fn compare_and_swap_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    err("compare-and-swap of a missing key", atomic::compare_and_swap(b, "missing", 0, 1), NOT_FOUND)?;
    expect_exists(b, "missing", false)
}

fn counter_ops_on_non_counter_are_errors() -> Outcome {
    let b = bucket()?;
    set(b, "text", b"not a number")?;
    // The host does the increment, so the error is the host's own, of whatever kind.
    err("increment of a non-counter", atomic::increment(b, "text", 1), ANY)?;
    err("compare-and-swap of a non-counter", atomic::compare_and_swap(b, "text", 0, 1), BAD_VALUE)?;
    expect_value(b, "text", b"not a number")
}

fn open_unknown_bucket_is_error() -> Outcome {
    let trace = err("open-bucket(\"no-such-bucket\")", types::open_bucket("no-such-bucket"), NO_SUCH_STORE)?;
    mentions("open-bucket(\"no-such-bucket\")", &trace, "no-such-bucket")?;
    let b = bucket()?;
    set(b, "k", b"v")?;
    expect_value(b, "k", b"v")
}

fn two_opens_share_data() -> Outcome {
    let first = bucket()?;
    let second = bucket()?;
    if first == second {
        return Err(format!("open-bucket(\"\") twice: expected two handles, got {first} both times"));
    }
    set(first, "k", b"through the first")?;
    expect_value(second, "k", b"through the first")?;
    types::drop_bucket(second);
    expect_exists(first, "k", true)
}

fn bad_handles_are_errors() -> Outcome {
    let b = bucket()?;
    let u = UNKNOWN;
    err("get(unknown bucket)", readwrite::get(u, "k"), BAD_HANDLE)?;
    err("set(unknown bucket)", readwrite::set(u, "k", value(b"x")?), BAD_HANDLE)?;
    err("delete(unknown bucket)", readwrite::delete(u, "k"), BAD_HANDLE)?;
    err("exists(unknown bucket)", readwrite::exists(u, "k"), BAD_HANDLE)?;
    err("increment(unknown bucket)", atomic::increment(u, "c", 1), BAD_HANDLE)?;
    err("compare-and-swap(unknown bucket)", atomic::compare_and_swap(u, "c", 0, 1), BAD_HANDLE)?;
    err("get-many(unknown bucket)", batch::get_many(u, &keys(&["k"])), BAD_HANDLE)?;
    err("delete-many(unknown bucket)", batch::delete_many(u, &keys(&["k"])), BAD_HANDLE)?;
    err("set(bucket, k, unknown outgoing-value)", readwrite::set(b, "k", u), BAD_HANDLE)?;
    stream_err("outgoing-value-write-body(unknown)", types::outgoing_value_write_body(u))?;
    err("consume-sync(unknown)", types::incoming_value_consume_sync(u), BAD_HANDLE)?;
    err("consume-async(unknown)", types::incoming_value_consume_async(u), BAD_HANDLE)?;
    eq("get-keys(unknown bucket)", batch::get_keys(u), Vec::<String>::new())?;
    // A handle of one kind used as another.
    set(b, "k", b"v")?;
    let incoming = ok("get", readwrite::get(b, "k"))?;
    err("get with an incoming-value as the bucket", readwrite::get(incoming, "k"), BAD_HANDLE)?;
    err("consume-sync of a bucket handle", types::incoming_value_consume_sync(b), BAD_HANDLE)?;
    stream_err("outgoing-value-write-body of an incoming-value", types::outgoing_value_write_body(incoming))?;
    let trace = wasi_cloud_error::trace(u);
    if !trace.starts_with("bad-handle:") {
        return Err(format!("trace(unknown error handle): expected \"bad-handle:...\", got {trace:?}"));
    }
    eq_bytes("the misused incoming-value still reads", &ok("consume-sync", types::incoming_value_consume_sync(incoming))?, b"v")?;
    types::drop_incoming_value(incoming);
    Ok(())
}

fn drop_everything_does_not_trap() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"1")?;
    let value = value(b"x")?;
    let incoming = ok("get", readwrite::get(b, "a"))?;
    let input = ok("consume-async", types::incoming_value_consume_async(incoming))?;
    let error = match readwrite::get(b, "missing") {
        Ok(v) => return Err(format!("get(missing): expected an error, got {v}")),
        Err(e) => e,
    };
    for _ in 0..2 {
        streams::drop_input_stream(input);
        types::drop_incoming_value(incoming);
        types::drop_outgoing_value(value);
        wasi_cloud_error::drop_error(error);
        types::drop_bucket(b);
    }
    types::drop_bucket(UNKNOWN);
    types::drop_incoming_value(UNKNOWN);
    types::drop_outgoing_value(UNKNOWN);
    wasi_cloud_error::drop_error(UNKNOWN);
    let again = bucket()?;
    expect_value(again, "a", b"1")
}
