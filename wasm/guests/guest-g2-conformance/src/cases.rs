//! The cases. Each starts from an empty store, uses bucket "" (the one every host opens)
//! unless it is about bucket names, and returns the first failed expectation.

use crate::kv::*;
use crate::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};

pub const ALL: &[Case] = &[
    ("set-then-get-round-trips", set_then_get_round_trips),
    ("unusual-keys-round-trip", unusual_keys_round_trip),
    ("get-missing-key-is-error", get_missing_key_is_error),
    ("delete-missing-key-is-error", delete_missing_key_is_error),
    ("delete-removes-key", delete_removes_key),
    ("exists-reports-presence", exists_reports_presence),
    ("set-overwrites", set_overwrites),
    ("size-reports-length", size_reports_length),
    ("consume-twice-is-error", consume_twice_is_error),
    ("set-without-body-is-error", set_without_body_is_error),
    ("write-body-twice-is-error", write_body_twice_is_error),
    ("outgoing-value-reusable-for-two-sets", outgoing_value_reusable_for_two_sets),
    ("get-many-returns-values-in-order", get_many_returns_values_in_order),
    ("get-many-missing-key-is-error", get_many_missing_key_is_error),
    ("get-keys-returns-every-key", get_keys_returns_every_key),
    ("set-many-writes-all", set_many_writes_all),
    ("set-many-with-bad-value-writes-nothing", set_many_with_bad_value_writes_nothing),
    ("delete-many-skips-missing", delete_many_skips_missing),
    ("increment-creates-and-adds", increment_creates_and_adds),
    ("increment-on-non-counter-is-error", increment_on_non_counter_is_error),
    ("compare-and-swap-swaps-when-equal", compare_and_swap_swaps_when_equal),
    ("compare-and-swap-refuses-when-different", compare_and_swap_refuses_when_different),
    ("compare-and-swap-missing-key-is-error", compare_and_swap_missing_key_is_error),
    ("compare-and-swap-on-non-counter-is-error", compare_and_swap_on_non_counter_is_error),
    ("open-unknown-bucket-is-error", open_unknown_bucket_is_error),
    ("two-opens-share-data", two_opens_share_data),
    ("dropped-bucket-handle-is-error", dropped_bucket_handle_is_error),
    ("wrong-kind-handle-is-error", wrong_kind_handle_is_error),
    ("unknown-handle-is-error", unknown_handle_is_error),
    ("trace-of-bad-error-handle-does-not-trap", trace_of_bad_error_handle_does_not_trap),
    ("drop-everything-does-not-trap", drop_everything_does_not_trap),
    ("async-body-round-trip", async_body_round_trip),
    ("async-body-unsupported-reports-why", async_body_unsupported_reports_why),
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

    let all_bytes: Vec<u8> = (0..=255u8).collect();
    set(b, "all-bytes", &all_bytes)?;
    expect_value(b, "all-bytes", &all_bytes)?;

    let large = pattern(64 * 1024, 3);
    set(b, "large", &large)?;
    expect_value(b, "large", &large)?;

    set(b, "empty", b"")?;
    expect_value(b, "empty", b"")?;
    expect_exists(b, "empty", true)?;

    // The first value is still intact after the others were written.
    expect_value(b, "greeting", b"hello, world")
}

/// Keys are arbitrary strings: nothing in them may be read as a path, an escape or a
/// case-insensitive name by the store underneath.
fn unusual_keys_round_trip() -> Outcome {
    let b = bucket()?;
    let unusual = [
        "",
        ".",
        "..",
        "../escape",
        "a/b",
        "a/b/",
        "/absolute",
        "a\\b",
        "with space",
        "Upper",
        "upper",
        "ключ",
        "emoji 🗝",
        "percent %2F and tilde ~",
        "nul\u{0}inside",
        "con",
    ];
    for (i, key) in unusual.iter().enumerate() {
        set(b, key, format!("value {i}").as_bytes())?;
    }
    for (i, key) in unusual.iter().enumerate() {
        expect_value(b, key, format!("value {i}").as_bytes())?;
    }
    let mut want = keys(&unusual);
    want.sort();
    eq("get-keys after writing the unusual keys (sorted)", sorted_keys(b), want)
}

fn get_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    let trace = err("get(bucket, \"missing\")", readwrite::get(b, "missing"), NOT_FOUND)?;
    if !trace.contains("missing") {
        return Err(format!("get(bucket, \"missing\"): the trace {trace:?} does not name the key"));
    }
    // A failed get creates nothing.
    expect_exists(b, "missing", false)
}

fn delete_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    err("delete(bucket, \"missing\") on an empty bucket", readwrite::delete(b, "missing"), NOT_FOUND)?;
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
    err("delete(bucket, \"doomed\") a second time", readwrite::delete(b, "doomed"), NOT_FOUND)?;
    expect_value(b, "kept", b"y")?;
    eq("get-keys after delete", sorted_keys(b), keys(&["kept"]))
}

fn exists_reports_presence() -> Outcome {
    let b = bucket()?;
    expect_exists(b, "k", false)?;
    set(b, "k", b"v")?;
    expect_exists(b, "k", true)?;
    expect_exists(b, "K", false)?;
    expect_exists(b, "k2", false)
}

fn set_overwrites() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"a longer first value")?;
    set(b, "k", b"short")?;
    expect_value(b, "k", b"short")?;
    set(b, "k", b"and a longer third value")?;
    expect_value(b, "k", b"and a longer third value")?;
    eq("get-keys after overwriting one key three times", sorted_keys(b), keys(&["k"]))
}

fn size_reports_length() -> Outcome {
    let b = bucket()?;
    let body = pattern(1234, 1);
    set(b, "k", &body)?;
    let incoming = ok("get(bucket, \"k\")", readwrite::get(b, "k"))?;
    eq("size of a 1234-byte value", types::size(incoming), 1234)?;
    // size does not consume the value.
    let got = ok("incoming-value-consume-sync after size", types::incoming_value_consume_sync(incoming))?;
    eq_bytes("body consumed after size", &got, &body)?;
    types::drop_incoming_value(incoming);

    set(b, "empty", b"")?;
    let incoming = ok("get(bucket, \"empty\")", readwrite::get(b, "empty"))?;
    eq("size of an empty value", types::size(incoming), 0)?;
    types::drop_incoming_value(incoming);
    Ok(())
}

fn consume_twice_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"once")?;
    let incoming = ok("get(bucket, \"k\")", readwrite::get(b, "k"))?;
    let first = ok("first incoming-value-consume-sync", types::incoming_value_consume_sync(incoming))?;
    eq_bytes("first consume", &first, b"once")?;
    err(
        "second incoming-value-consume-sync of the same incoming-value",
        types::incoming_value_consume_sync(incoming),
        BAD_HANDLE,
    )?;
    types::drop_incoming_value(incoming);
    // The stored value is untouched; a fresh get reads it again.
    expect_value(b, "k", b"once")
}

fn set_without_body_is_error() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    err("set(bucket, \"k\", outgoing-value without a body)", readwrite::set(b, "k", value), BAD_HANDLE)?;
    expect_exists(b, "k", false)?;
    // The value is still usable once it has a body.
    ok("outgoing-value-write-body-sync after the failed set", types::outgoing_value_write_body_sync(value, b"late"))?;
    ok("set after giving the value a body", readwrite::set(b, "k", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "k", b"late")
}

fn write_body_twice_is_error() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    ok("first outgoing-value-write-body-sync", types::outgoing_value_write_body_sync(value, b"first"))?;
    err(
        "second outgoing-value-write-body-sync on the same outgoing-value",
        types::outgoing_value_write_body_sync(value, b"second"),
        ANY,
    )?;
    // An async body after a sync one is refused as well (in every flavour).
    err("outgoing-value-write-body-async after a sync body", types::outgoing_value_write_body_async(value), ANY)?;
    // The first body is the one that counts.
    ok("set with the value whose second body was refused", readwrite::set(b, "k", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "k", b"first")
}

fn outgoing_value_reusable_for_two_sets() -> Outcome {
    let b = bucket()?;
    let value = value(b"shared body")?;
    ok("set(bucket, \"one\", value)", readwrite::set(b, "one", value))?;
    ok("set(bucket, \"two\", same value)", readwrite::set(b, "two", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "one", b"shared body")?;
    expect_value(b, "two", b"shared body")
}

fn get_many_returns_values_in_order() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"value of a")?;
    set(b, "b", b"value of b")?;
    set(b, "c", b"value of c")?;
    set(b, "unasked", b"not requested")?;
    let asked = keys(&["c", "a", "b"]);
    let values = ok("get-many(bucket, [c, a, b])", batch::get_many(b, &asked))?;
    eq("number of values from get-many([c, a, b])", values.len(), 3)?;
    for (key, incoming) in asked.iter().zip(&values) {
        let body = ok(
            &format!("incoming-value-consume-sync of get-many's value for {key:?}"),
            types::incoming_value_consume_sync(*incoming),
        )?;
        eq_bytes(&format!("get-many's value for {key:?}"), &body, format!("value of {key}").as_bytes())?;
    }
    for incoming in values {
        types::drop_incoming_value(incoming);
    }
    let none = ok("get-many(bucket, [])", batch::get_many(b, &[]))?;
    eq("number of values from get-many([])", none.len(), 0)
}

fn get_many_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"x")?;
    let trace = err("get-many(bucket, [a, missing])", batch::get_many(b, &keys(&["a", "missing"])), NOT_FOUND)?;
    if !trace.contains("missing") {
        return Err(format!("get-many(bucket, [a, missing]): the trace {trace:?} does not name the missing key"));
    }
    expect_value(b, "a", b"x")
}

/// Enough keys that a host listing keys page by page has to hand out several pages.
fn get_keys_returns_every_key() -> Outcome {
    let b = bucket()?;
    eq("get-keys on an empty bucket", batch::get_keys(b), Vec::<String>::new())?;
    let count = 2500;
    let mut want: Vec<String> = (0..count).map(|i| format!("key-{i:04}")).collect();
    for key in &want {
        set(b, key, key.as_bytes())?;
    }
    let got = batch::get_keys(b);
    let total = got.len();
    let mut sorted = got;
    sorted.sort();
    sorted.dedup();
    if sorted.len() != total {
        return Err(format!("get-keys after {count} sets: {} of the {total} keys are repeats", total - sorted.len()));
    }
    want.sort();
    if sorted != want {
        let missing: Vec<&String> = want.iter().filter(|k| sorted.binary_search(k).is_err()).take(5).collect();
        let extra: Vec<&String> = sorted.iter().filter(|k| want.binary_search(k).is_err()).take(5).collect();
        return Err(format!(
            "get-keys after {count} sets: expected {count} keys, got {total}; first missing {missing:?}, first unexpected {extra:?}"
        ));
    }
    Ok(())
}

fn set_many_writes_all() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"old a")?;
    let pairs = vec![
        ("a".to_string(), value(b"new a")?),
        ("b".to_string(), value(b"new b")?),
        ("c".to_string(), value(b"")?),
    ];
    ok("set-many(bucket, [a, b, c])", batch::set_many(b, &pairs))?;
    for (_, value) in &pairs {
        types::drop_outgoing_value(*value);
    }
    expect_value(b, "a", b"new a")?;
    expect_value(b, "b", b"new b")?;
    expect_value(b, "c", b"")?;
    ok("set-many(bucket, [])", batch::set_many(b, &[]))?;
    eq("get-keys after set-many", sorted_keys(b), keys(&["a", "b", "c"]))
}

fn set_many_with_bad_value_writes_nothing() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"before")?;
    let good = value(b"after")?;
    let bodiless = types::new_outgoing_value();
    let pairs = vec![("a".to_string(), good), ("b".to_string(), bodiless)];
    err("set-many(bucket, [a: good value, b: value without a body])", batch::set_many(b, &pairs), BAD_HANDLE)?;
    expect_value(b, "a", b"before")?;
    expect_exists(b, "b", false)?;

    let pairs = vec![("c".to_string(), good), ("d".to_string(), UNKNOWN)];
    err("set-many(bucket, [c: good value, d: unknown handle])", batch::set_many(b, &pairs), BAD_HANDLE)?;
    expect_exists(b, "c", false)?;
    expect_exists(b, "d", false)?;
    types::drop_outgoing_value(good);
    types::drop_outgoing_value(bodiless);
    eq("get-keys after the refused set-many calls", sorted_keys(b), keys(&["a"]))
}

fn delete_many_skips_missing() -> Outcome {
    let b = bucket()?;
    set(b, "a", b"1")?;
    set(b, "b", b"2")?;
    set(b, "kept", b"3")?;
    ok("delete-many(bucket, [a, missing, b])", batch::delete_many(b, &keys(&["a", "missing", "b"])))?;
    expect_exists(b, "a", false)?;
    expect_exists(b, "b", false)?;
    expect_exists(b, "missing", false)?;
    expect_value(b, "kept", b"3")?;
    ok("delete-many(bucket, [only, missing])", batch::delete_many(b, &keys(&["only", "missing"])))?;
    ok("delete-many(bucket, [])", batch::delete_many(b, &[]))?;
    eq("get-keys after delete-many", sorted_keys(b), keys(&["kept"]))
}

fn increment_creates_and_adds() -> Outcome {
    let b = bucket()?;
    expect_exists(b, "c", false)?;
    eq("increment of a missing key by 5", increment(b, "c", 5)?, 5)?;
    expect_exists(b, "c", true)?;
    eq("increment by 3", increment(b, "c", 3)?, 8)?;
    eq("increment by 0", increment(b, "c", 0)?, 8)?;
    eq("increment of another missing key by 0", increment(b, "zero", 0)?, 0)?;
    expect_exists(b, "zero", true)?;
    // Counters past 32 bits survive the round trip through the store.
    eq("increment by 2^40", increment(b, "c", 1 << 40)?, (1 << 40) + 8)?;
    eq("increment by 1 after 2^40", increment(b, "c", 1)?, (1 << 40) + 9)?;
    let mut keys = batch::get_keys(b);
    keys.sort();
    eq("get-keys after incrementing two counters", keys, crate::kv::keys(&["c", "zero"]))
}

fn increment_on_non_counter_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "text", b"not a number")?;
    err("increment(bucket, \"text\", 1) where the value is \"not a number\"", atomic::increment(b, "text", 1), ANY)?;
    // Nothing the guest wrote is changed by the refused increment.
    expect_value(b, "text", b"not a number")
}

fn compare_and_swap_swaps_when_equal() -> Outcome {
    let b = bucket()?;
    eq("increment creating the counter", increment(b, "c", 10)?, 10)?;
    eq("compare-and-swap(c, old 10, new 20) on counter 10", compare_and_swap(b, "c", 10, 20)?, true)?;
    eq("increment by 0 after the swap", increment(b, "c", 0)?, 20)?;
    eq("compare-and-swap(c, old 20, new 0)", compare_and_swap(b, "c", 20, 0)?, true)?;
    eq("increment by 1 after swapping to 0", increment(b, "c", 1)?, 1)?;
    eq("compare-and-swap(c, old 1, new u64::MAX)", compare_and_swap(b, "c", 1, u64::MAX)?, true)?;
    eq("compare-and-swap(c, old u64::MAX, new 7)", compare_and_swap(b, "c", u64::MAX, 7)?, true)?;
    eq("increment by 0 at the end", increment(b, "c", 0)?, 7)
}

fn compare_and_swap_refuses_when_different() -> Outcome {
    let b = bucket()?;
    eq("increment creating the counter", increment(b, "c", 10)?, 10)?;
    eq("compare-and-swap(c, old 11, new 30) on counter 10", compare_and_swap(b, "c", 11, 30)?, false)?;
    eq("compare-and-swap(c, old 9, new 30) on counter 10", compare_and_swap(b, "c", 9, 30)?, false)?;
    eq("increment by 0 after the refused swaps", increment(b, "c", 0)?, 10)
}

fn compare_and_swap_missing_key_is_error() -> Outcome {
    let b = bucket()?;
    err("compare-and-swap(bucket, \"missing\", 0, 1)", atomic::compare_and_swap(b, "missing", 0, 1), NOT_FOUND)?;
    expect_exists(b, "missing", false)
}

fn compare_and_swap_on_non_counter_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "text", b"not a number")?;
    err(
        "compare-and-swap(bucket, \"text\", 0, 1) where the value is \"not a number\"",
        atomic::compare_and_swap(b, "text", 0, 1),
        BAD_VALUE,
    )?;
    expect_value(b, "text", b"not a number")
}

fn open_unknown_bucket_is_error() -> Outcome {
    let trace = err("open-bucket(\"no-such-bucket\")", types::open_bucket("no-such-bucket"), NO_SUCH_STORE)?;
    if !trace.contains("no-such-bucket") {
        return Err(format!("open-bucket(\"no-such-bucket\"): the trace {trace:?} does not name the bucket"));
    }
    // The refusal does not spoil the bucket that does exist.
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
    set(first, "k", b"written through the first handle")?;
    expect_value(second, "k", b"written through the first handle")?;
    eq("counter created through the first handle", increment(first, "c", 2)?, 2)?;
    eq("same counter incremented through the second handle", increment(second, "c", 3)?, 5)?;
    ok("delete(second handle, \"k\")", readwrite::delete(second, "k"))?;
    expect_exists(first, "k", false)?;
    types::drop_bucket(second);
    // The first handle still works after the second is dropped.
    expect_exists(first, "c", true)
}

fn dropped_bucket_handle_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"v")?;
    types::drop_bucket(b);
    err("get with a dropped bucket handle", readwrite::get(b, "k"), BAD_HANDLE)?;
    err("set with a dropped bucket handle", readwrite::set(b, "k", value(b"x")?), BAD_HANDLE)?;
    err("exists with a dropped bucket handle", readwrite::exists(b, "k"), BAD_HANDLE)?;
    err("delete with a dropped bucket handle", readwrite::delete(b, "k"), BAD_HANDLE)?;
    err("increment with a dropped bucket handle", atomic::increment(b, "c", 1), BAD_HANDLE)?;
    // The data outlives the handle.
    let again = bucket()?;
    expect_value(again, "k", b"v")?;
    expect_exists(again, "c", false)
}

fn wrong_kind_handle_is_error() -> Outcome {
    let b = bucket()?;
    set(b, "k", b"v")?;
    let incoming = ok("get(bucket, \"k\")", readwrite::get(b, "k"))?;
    let error = match readwrite::get(b, "missing") {
        Ok(value) => return Err(format!("get(bucket, \"missing\"): expected an error, got incoming-value {value}")),
        Err(error) => error,
    };
    let outgoing = value(b"body")?;
    for (kind, handle) in [("incoming-value", incoming), ("error", error), ("outgoing-value", outgoing)] {
        if handle == b {
            return Err(format!(
                "the {kind} handle has the same number ({handle}) as the open bucket, so a wrong-kind use cannot be told apart; handles of different kinds must not share numbers"
            ));
        }
    }
    err(
        &format!("get with incoming-value handle {incoming} as the bucket"),
        readwrite::get(incoming, "k"),
        BAD_HANDLE,
    )?;
    err(&format!("exists with error handle {error} as the bucket"), readwrite::exists(error, "k"), BAD_HANDLE)?;
    err(
        &format!("set with outgoing-value handle {outgoing} as the bucket"),
        readwrite::set(outgoing, "k", outgoing),
        BAD_HANDLE,
    )?;
    err(
        &format!("incoming-value-consume-sync of bucket handle {b}"),
        types::incoming_value_consume_sync(b),
        BAD_HANDLE,
    )?;
    err(
        &format!("outgoing-value-write-body-sync into incoming-value handle {incoming}"),
        types::outgoing_value_write_body_sync(incoming, b"x"),
        BAD_HANDLE,
    )?;
    err(
        &format!("set(bucket, \"other\", incoming-value handle {incoming} as the value)"),
        readwrite::set(b, "other", incoming),
        BAD_HANDLE,
    )?;
    expect_exists(b, "other", false)?;
    // The misused handles still work for what they are.
    let body = ok("consume-sync of the misused incoming-value", types::incoming_value_consume_sync(incoming))?;
    eq_bytes("body of the misused incoming-value", &body, b"v")?;
    let trace = take_error(error);
    if !trace.starts_with("not-found:") {
        return Err(format!("trace of the misused error handle: expected it to start with \"not-found:\", got {trace:?}"));
    }
    ok("set with the misused outgoing-value", readwrite::set(b, "k2", outgoing))?;
    expect_value(b, "k2", b"body")?;
    types::drop_incoming_value(incoming);
    types::drop_outgoing_value(outgoing);
    Ok(())
}

fn unknown_handle_is_error() -> Outcome {
    let b = bucket()?;
    let u = UNKNOWN;
    err("get(unknown bucket handle)", readwrite::get(u, "k"), BAD_HANDLE)?;
    err("set(unknown bucket handle)", readwrite::set(u, "k", value(b"x")?), BAD_HANDLE)?;
    err("delete(unknown bucket handle)", readwrite::delete(u, "k"), BAD_HANDLE)?;
    err("exists(unknown bucket handle)", readwrite::exists(u, "k"), BAD_HANDLE)?;
    err("increment(unknown bucket handle)", atomic::increment(u, "c", 1), BAD_HANDLE)?;
    err("compare-and-swap(unknown bucket handle)", atomic::compare_and_swap(u, "c", 0, 1), BAD_HANDLE)?;
    err("get-many(unknown bucket handle)", batch::get_many(u, &keys(&["k"])), BAD_HANDLE)?;
    err("set-many(unknown bucket handle)", batch::set_many(u, &[("k".to_string(), value(b"x")?)]), BAD_HANDLE)?;
    err("delete-many(unknown bucket handle)", batch::delete_many(u, &keys(&["k"])), BAD_HANDLE)?;
    err("set(bucket, \"k\", unknown outgoing-value handle)", readwrite::set(b, "k", u), BAD_HANDLE)?;
    err("outgoing-value-write-body-sync(unknown handle)", types::outgoing_value_write_body_sync(u, b"x"), BAD_HANDLE)?;
    // Either refusal is fine here: the pass-through flavour refuses every async body.
    err("outgoing-value-write-body-async(unknown handle)", types::outgoing_value_write_body_async(u), ANY)?;
    err("incoming-value-consume-sync(unknown handle)", types::incoming_value_consume_sync(u), BAD_HANDLE)?;
    err("incoming-value-consume-async(unknown handle)", types::incoming_value_consume_async(u), ANY)?;
    expect_exists(b, "k", false)?;
    eq("get-keys after all the refused calls", batch::get_keys(b), Vec::<String>::new())?;

    // The two functions without an error channel answer "nothing" instead of trapping, and
    // do not fall back to some other bucket or value.
    set(b, "real", b"12345")?;
    eq("get-keys(unknown bucket handle)", batch::get_keys(u), Vec::<String>::new())?;
    eq("size(unknown incoming-value handle)", types::size(u), 0)
}

fn trace_of_bad_error_handle_does_not_trap() -> Outcome {
    let trace = wasi_cloud_error::trace(UNKNOWN);
    if !trace.starts_with("bad-handle:") {
        return Err(format!("trace(unknown error handle): expected a trace starting with \"bad-handle:\", got {trace:?}"));
    }
    let b = bucket()?;
    let trace = wasi_cloud_error::trace(b);
    if !trace.starts_with("bad-handle:") {
        return Err(format!("trace(bucket handle {b}): expected a trace starting with \"bad-handle:\", got {trace:?}"));
    }
    let error = match readwrite::get(b, "missing") {
        Ok(value) => return Err(format!("get(bucket, \"missing\"): expected an error, got incoming-value {value}")),
        Err(error) => error,
    };
    wasi_cloud_error::drop_error(error);
    let trace = wasi_cloud_error::trace(error);
    if !trace.starts_with("bad-handle:") {
        return Err(format!("trace(dropped error handle {error}): expected a trace starting with \"bad-handle:\", got {trace:?}"));
    }
    Ok(())
}

/// Every kind of handle, in every state, is freed with its drop function (and some twice);
/// then the data is checked through a fresh bucket handle (dropping handles deletes nothing).
fn drop_everything_does_not_trap() -> Outcome {
    let b = bucket()?;
    let other = bucket()?;
    set(b, "a", b"1")?;
    set(b, "b", b"2")?;

    let bodiless = types::new_outgoing_value();
    let with_body = value(b"unused body")?;
    let used = value(b"3")?;
    ok("set(bucket, \"c\", value)", readwrite::set(b, "c", used))?;

    let unconsumed = ok("get(bucket, \"a\")", readwrite::get(b, "a"))?;
    let consumed = ok("get(bucket, \"b\")", readwrite::get(b, "b"))?;
    ok("consume-sync", types::incoming_value_consume_sync(consumed))?;
    let many = ok("get-many(bucket, [a, b, c])", batch::get_many(b, &keys(&["a", "b", "c"])))?;

    let error_read = match readwrite::get(b, "missing") {
        Ok(value) => return Err(format!("get(bucket, \"missing\"): expected an error, got incoming-value {value}")),
        Err(error) => error,
    };
    wasi_cloud_error::trace(error_read);
    let error_unread = match readwrite::delete(b, "missing") {
        Ok(()) => return Err("delete(bucket, \"missing\"): expected an error, got ok".into()),
        Err(error) => error,
    };

    types::drop_outgoing_value(bodiless);
    types::drop_outgoing_value(with_body);
    types::drop_outgoing_value(used);
    types::drop_incoming_value(unconsumed);
    types::drop_incoming_value(consumed);
    for incoming in many {
        types::drop_incoming_value(incoming);
    }
    wasi_cloud_error::drop_error(error_read);
    wasi_cloud_error::drop_error(error_unread);
    types::drop_bucket(other);
    types::drop_bucket(b);

    // Drops have no error channel: dropping twice, or a handle never issued, is ignored.
    types::drop_outgoing_value(used);
    types::drop_incoming_value(consumed);
    wasi_cloud_error::drop_error(error_read);
    types::drop_bucket(b);
    types::drop_outgoing_value(UNKNOWN);
    types::drop_incoming_value(UNKNOWN);
    wasi_cloud_error::drop_error(UNKNOWN);
    types::drop_bucket(UNKNOWN);

    let again = bucket()?;
    expect_value(again, "a", b"1")?;
    expect_value(again, "b", b"2")?;
    expect_value(again, "c", b"3")?;
    eq("get-keys after dropping every handle", sorted_keys(again), keys(&["a", "b", "c"]))?;
    types::drop_bucket(again);
    Ok(())
}

/// Needs the flavour of adapter that serves wasi:io itself.
fn async_body_round_trip() -> Outcome {
    let b = bucket()?;
    let body = pattern(100_000, 5);

    let value = types::new_outgoing_value();
    write_async(value, &body)?;
    ok("set(bucket, \"streamed\", value with an async body)", readwrite::set(b, "streamed", value))?;
    types::drop_outgoing_value(value);

    let incoming = ok("get(bucket, \"streamed\")", readwrite::get(b, "streamed"))?;
    eq("size of the streamed value", types::size(incoming), body.len() as u64)?;
    let got = read_async(incoming, body.len())?;
    types::drop_incoming_value(incoming);
    eq_bytes("streamed value read back through consume-async", &got, &body)?;
    expect_value(b, "streamed", &body)?;

    // A value written with a sync body reads the same through a stream.
    set(b, "sync", b"written in one piece")?;
    let incoming = ok("get(bucket, \"sync\")", readwrite::get(b, "sync"))?;
    let got = read_async(incoming, 64)?;
    types::drop_incoming_value(incoming);
    eq_bytes("sync-written value read through consume-async", &got, b"written in one piece")?;

    // An async body that receives no bytes is an empty value.
    let value = types::new_outgoing_value();
    write_async(value, b"")?;
    ok("set(bucket, \"empty\", value with an empty async body)", readwrite::set(b, "empty", value))?;
    types::drop_outgoing_value(value);
    expect_value(b, "empty", b"")?;
    let incoming = ok("get(bucket, \"empty\")", readwrite::get(b, "empty"))?;
    let got = read_async(incoming, 0)?;
    types::drop_incoming_value(incoming);
    eq_bytes("empty value read through consume-async", &got, b"")
}

/// Needs the pass-through flavour, which leaves wasi:io to the host and so cannot
/// serve value bodies as streams.
fn async_body_unsupported_reports_why() -> Outcome {
    let b = bucket()?;
    let value = types::new_outgoing_value();
    err("outgoing-value-write-body-async", types::outgoing_value_write_body_async(value), UNSUPPORTED)?;
    // The value can still get a sync body.
    ok("outgoing-value-write-body-sync after the refused async body", types::outgoing_value_write_body_sync(value, b"sync body"))?;
    ok("set(bucket, \"k\", value)", readwrite::set(b, "k", value))?;
    types::drop_outgoing_value(value);

    let incoming = ok("get(bucket, \"k\")", readwrite::get(b, "k"))?;
    err("incoming-value-consume-async", types::incoming_value_consume_async(incoming), UNSUPPORTED)?;
    let body = ok(
        "incoming-value-consume-sync after the refused consume-async",
        types::incoming_value_consume_sync(incoming),
    )?;
    types::drop_incoming_value(incoming);
    eq_bytes("value consumed with consume-sync after the refused consume-async", &body, b"sync body")
}
