//! The cases. Each starts from an empty store, uses bucket "" (the one every host opens)
//! unless it is about bucket names, and returns the first failed expectation.
//!
//! Resources replace G2's u32 handles here, so the handle-misuse cases of the G2 guest
//! have no counterpart: the type system rules them out.

use crate::keyvalue::{atomic, eventual, eventual_batch};
use crate::kv::*;

pub const ALL: &[Case] = &[
    ("set-then-get-round-trips", set_then_get_round_trips),
    ("unusual-keys-round-trip", unusual_keys_round_trip),
    ("get-missing-key-is-none", get_missing_key_is_none),
    ("delete-missing-key-succeeds", delete_missing_key_succeeds),
    ("delete-removes-key", delete_removes_key),
    ("exists-reports-presence", exists_reports_presence),
    ("set-overwrites", set_overwrites),
    ("incoming-value-size-reports-length", incoming_value_size_reports_length),
    ("consume-sync-takes-ownership", consume_sync_takes_ownership),
    ("set-without-body-is-error", set_without_body_is_error),
    ("write-body-twice-is-error", write_body_twice_is_error),
    ("outgoing-value-reusable-for-two-sets", outgoing_value_reusable_for_two_sets),
    ("get-many-gives-none-for-missing", get_many_gives_none_for_missing),
    ("keys-returns-every-key", keys_returns_every_key),
    ("set-many-writes-all", set_many_writes_all),
    ("set-many-with-bodyless-value-writes-nothing", set_many_with_bodyless_value_writes_nothing),
    ("delete-many-skips-missing", delete_many_skips_missing),
    ("increment-creates-and-adds", increment_creates_and_adds),
    ("increment-on-non-counter-is-error", increment_on_non_counter_is_error),
    ("compare-and-swap-swaps-when-equal", compare_and_swap_swaps_when_equal),
    ("compare-and-swap-refuses-when-different", compare_and_swap_refuses_when_different),
    ("compare-and-swap-missing-key-is-false", compare_and_swap_missing_key_is_false),
    ("compare-and-swap-on-non-counter-is-error", compare_and_swap_on_non_counter_is_error),
    ("open-unknown-bucket-is-error", open_unknown_bucket_is_error),
    ("two-opens-share-data", two_opens_share_data),
    ("error-trace-is-readable", error_trace_is_readable),
    ("resources-outlive-their-bucket", resources_outlive_their_bucket),
    ("async-body-round-trip", async_body_round_trip),
    ("async-body-unsupported-reports-why", async_body_unsupported_reports_why),
];

fn bucket() -> Result<Bucket, String> {
    open("")
}

fn set_then_get_round_trips() -> Outcome {
    let b = bucket()?;
    set(&b, "greeting", b"hello, world")?;
    expect_value(&b, "greeting", b"hello, world")?;

    let all_bytes: Vec<u8> = (0..=255u8).collect();
    set(&b, "all-bytes", &all_bytes)?;
    expect_value(&b, "all-bytes", &all_bytes)?;

    let large = pattern(64 * 1024, 3);
    set(&b, "large", &large)?;
    expect_value(&b, "large", &large)?;

    // An empty value is a value, not a missing key.
    set(&b, "empty", b"")?;
    expect_value(&b, "empty", b"")?;
    expect_exists(&b, "empty", true)?;

    // The first value is still intact after the others were written.
    expect_value(&b, "greeting", b"hello, world")
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
        set(&b, key, format!("value {i}").as_bytes())?;
    }
    for (i, key) in unusual.iter().enumerate() {
        expect_value(&b, key, format!("value {i}").as_bytes())?;
    }
    let mut want = keys(&unusual);
    want.sort();
    eq("keys after writing the unusual keys (sorted)", sorted_keys(&b)?, want)
}

fn get_missing_key_is_none() -> Outcome {
    let b = bucket()?;
    expect_missing(&b, "missing")?;
    set(&b, "present", b"x")?;
    expect_missing(&b, "missing")?;
    // A get of a missing key creates nothing.
    eq("keys after gets of a missing key", sorted_keys(&b)?, keys(&["present"]))
}

fn delete_missing_key_succeeds() -> Outcome {
    let b = bucket()?;
    delete(&b, "missing")?;
    set(&b, "present", b"x")?;
    delete(&b, "missing")?;
    expect_missing(&b, "missing")?;
    expect_value(&b, "present", b"x")
}

fn delete_removes_key() -> Outcome {
    let b = bucket()?;
    set(&b, "doomed", b"x")?;
    set(&b, "kept", b"y")?;
    delete(&b, "doomed")?;
    expect_missing(&b, "doomed")?;
    // Deleting it again is deleting a missing key.
    delete(&b, "doomed")?;
    expect_value(&b, "kept", b"y")?;
    eq("keys after delete", sorted_keys(&b)?, keys(&["kept"]))
}

fn exists_reports_presence() -> Outcome {
    let b = bucket()?;
    expect_exists(&b, "k", false)?;
    set(&b, "k", b"v")?;
    expect_exists(&b, "k", true)?;
    expect_exists(&b, "K", false)?;
    expect_exists(&b, "k2", false)?;
    delete(&b, "k")?;
    expect_exists(&b, "k", false)
}

fn set_overwrites() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"a longer first value")?;
    set(&b, "k", b"short")?;
    expect_value(&b, "k", b"short")?;
    set(&b, "k", b"and a longer third value")?;
    expect_value(&b, "k", b"and a longer third value")?;
    eq("keys after overwriting one key three times", sorted_keys(&b)?, keys(&["k"]))
}

fn incoming_value_size_reports_length() -> Outcome {
    let b = bucket()?;
    let body = pattern(1234, 1);
    set(&b, "k", &body)?;
    let incoming = present(&b, "k")?;
    eq("incoming-value-size of a 1234-byte value", ok("incoming-value-size", incoming.incoming_value_size())?, 1234)?;
    // Asking twice gives the same answer, and does not consume the value.
    eq("incoming-value-size asked again", ok("incoming-value-size", incoming.incoming_value_size())?, 1234)?;
    eq_bytes("body consumed after size", &consume("k", incoming)?, &body)?;

    set(&b, "empty", b"")?;
    let incoming = present(&b, "empty")?;
    eq("incoming-value-size of an empty value", ok("incoming-value-size", incoming.incoming_value_size())?, 0)?;
    eq_bytes("empty body consumed after size", &consume("empty", incoming)?, b"")
}

/// `get` expecting a value.
fn present(b: &Bucket, key: &str) -> Result<IncomingValue, String> {
    match ok(&format!("get(bucket, {key:?})"), eventual::get(b, key))? {
        Some(incoming) => Ok(incoming),
        None => Err(format!("get(bucket, {key:?}): expected a value, got none")),
    }
}

/// `consume-sync` takes the incoming-value, so consuming it twice does not compile; what
/// is left to check is that each `get` hands out its own value with the whole body, and
/// that consuming one leaves the stored value and the other values alone.
fn consume_sync_takes_ownership() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"once")?;
    let first = present(&b, "k")?;
    let second = present(&b, "k")?;
    eq_bytes("first incoming-value consumed", &consume("k", first)?, b"once")?;
    eq("incoming-value-size of the second value after the first was consumed",
        ok("incoming-value-size", second.incoming_value_size())?, 4)?;
    eq_bytes("second incoming-value of the same key consumed", &consume("k", second)?, b"once")?;
    expect_value(&b, "k", b"once")
}

fn set_without_body_is_error() -> Outcome {
    let b = bucket()?;
    let value = OutgoingValue::new_outgoing_value();
    let trace = err("set(bucket, \"k\", outgoing-value without a body)", eventual::set(&b, "k", &value), BAD_HANDLE)?;
    mentions("set of an outgoing-value without a body", &trace, "no body")?;
    expect_missing(&b, "k")?;
    // The value is still usable once it has a body.
    ok("outgoing-value-write-body-sync after the failed set", value.outgoing_value_write_body_sync(b"late"))?;
    ok("set after giving the value a body", eventual::set(&b, "k", &value))?;
    expect_value(&b, "k", b"late")
}

fn write_body_twice_is_error() -> Outcome {
    let b = bucket()?;
    let value = OutgoingValue::new_outgoing_value();
    ok("first outgoing-value-write-body-sync", value.outgoing_value_write_body_sync(b"first"))?;
    err(
        "second outgoing-value-write-body-sync on the same outgoing-value",
        value.outgoing_value_write_body_sync(b"second"),
        BAD_HANDLE,
    )?;
    // An async body after a sync one is refused as well (in every flavour).
    err("outgoing-value-write-body-async after a sync body", value.outgoing_value_write_body_async(), ANY)?;
    // The first body is the one that counts.
    ok("set with the value whose second body was refused", eventual::set(&b, "k", &value))?;
    expect_value(&b, "k", b"first")
}

fn outgoing_value_reusable_for_two_sets() -> Outcome {
    let b = bucket()?;
    let value = value(b"shared body")?;
    ok("set(bucket, \"one\", value)", eventual::set(&b, "one", &value))?;
    ok("set(bucket, \"two\", same value)", eventual::set(&b, "two", &value))?;
    drop(value);
    expect_value(&b, "one", b"shared body")?;
    expect_value(&b, "two", b"shared body")
}

fn get_many_gives_none_for_missing() -> Outcome {
    let b = bucket()?;
    set(&b, "a", b"value of a")?;
    set(&b, "b", b"value of b")?;
    set(&b, "c", b"value of c")?;
    set(&b, "unasked", b"not requested")?;
    let asked = keys(&["c", "missing", "a", "b", "also-missing", "a"]);
    let values = ok("get-many(bucket, [c, missing, a, b, also-missing, a])", eventual_batch::get_many(&b, &asked))?;
    eq("number of values from get-many", values.len(), asked.len())?;
    for (key, incoming) in asked.iter().zip(values) {
        let what = format!("get-many's entry for {key:?}");
        match (key.contains("missing"), incoming) {
            (true, None) => {}
            (true, Some(incoming)) => {
                let body = consume(key, incoming)?;
                return Err(format!("{what}: expected none for a missing key, got a value of {} bytes", body.len()));
            }
            (false, Some(incoming)) => eq_bytes(&what, &consume(key, incoming)?, format!("value of {key}").as_bytes())?,
            (false, None) => return Err(format!("{what}: expected a value, got none")),
        }
    }
    let none = ok("get-many(bucket, [])", eventual_batch::get_many(&b, &[]))?;
    eq("number of values from get-many([])", none.len(), 0)?;
    // Missing keys asked for are not created.
    expect_exists(&b, "missing", false)
}

/// Enough keys that a host listing keys page by page has to hand out several pages.
fn keys_returns_every_key() -> Outcome {
    let b = bucket()?;
    eq("keys on an empty bucket", sorted_keys(&b)?, Vec::<String>::new())?;
    let count = 2500;
    let mut want: Vec<String> = (0..count).map(|i| format!("key-{i:04}")).collect();
    for key in &want {
        set(&b, key, key.as_bytes())?;
    }
    let got = ok("keys(bucket)", eventual_batch::keys(&b))?;
    let total = got.len();
    let mut sorted = got;
    sorted.sort();
    sorted.dedup();
    if sorted.len() != total {
        return Err(format!("keys after {count} sets: {} of the {total} keys are repeats", total - sorted.len()));
    }
    want.sort();
    if sorted != want {
        let missing: Vec<&String> = want.iter().filter(|k| sorted.binary_search(k).is_err()).take(5).collect();
        let extra: Vec<&String> = sorted.iter().filter(|k| want.binary_search(k).is_err()).take(5).collect();
        return Err(format!(
            "keys after {count} sets: expected {count} keys, got {total}; first missing {missing:?}, first unexpected {extra:?}"
        ));
    }
    Ok(())
}

fn set_many_writes_all() -> Outcome {
    let b = bucket()?;
    set(&b, "a", b"old a")?;
    let new_a = value(b"new a")?;
    let new_b = value(b"new b")?;
    let empty = value(b"")?;
    let pairs = [("a".to_string(), &new_a), ("b".to_string(), &new_b), ("c".to_string(), &empty), ("d".to_string(), &new_b)];
    ok("set-many(bucket, [a, b, c, d])", eventual_batch::set_many(&b, &pairs))?;
    expect_value(&b, "a", b"new a")?;
    expect_value(&b, "b", b"new b")?;
    expect_value(&b, "c", b"")?;
    expect_value(&b, "d", b"new b")?;
    ok("set-many(bucket, [])", eventual_batch::set_many(&b, &[]))?;
    eq("keys after set-many", sorted_keys(&b)?, keys(&["a", "b", "c", "d"]))
}

fn set_many_with_bodyless_value_writes_nothing() -> Outcome {
    let b = bucket()?;
    set(&b, "a", b"before")?;
    let good = value(b"after")?;
    let bodiless = OutgoingValue::new_outgoing_value();
    let pairs = [("a".to_string(), &good), ("b".to_string(), &bodiless), ("c".to_string(), &good)];
    let trace = err(
        "set-many(bucket, [a: good value, b: value without a body, c: good value])",
        eventual_batch::set_many(&b, &pairs),
        BAD_HANDLE,
    )?;
    mentions("set-many with a value without a body", &trace, "no body")?;
    expect_value(&b, "a", b"before")?;
    expect_exists(&b, "b", false)?;
    expect_exists(&b, "c", false)?;
    eq("keys after the refused set-many", sorted_keys(&b)?, keys(&["a"]))?;
    // The same values work once the bodiless one has a body.
    ok("outgoing-value-write-body-sync after the refused set-many", bodiless.outgoing_value_write_body_sync(b"late"))?;
    ok("set-many after giving every value a body", eventual_batch::set_many(&b, &pairs))?;
    expect_value(&b, "a", b"after")?;
    expect_value(&b, "b", b"late")?;
    expect_value(&b, "c", b"after")
}

fn delete_many_skips_missing() -> Outcome {
    let b = bucket()?;
    set(&b, "a", b"1")?;
    set(&b, "b", b"2")?;
    set(&b, "kept", b"3")?;
    ok("delete-many(bucket, [a, missing, b])", eventual_batch::delete_many(&b, &keys(&["a", "missing", "b"])))?;
    expect_missing(&b, "a")?;
    expect_missing(&b, "b")?;
    expect_missing(&b, "missing")?;
    expect_value(&b, "kept", b"3")?;
    ok("delete-many(bucket, [only, missing])", eventual_batch::delete_many(&b, &keys(&["only", "missing"])))?;
    ok("delete-many(bucket, [])", eventual_batch::delete_many(&b, &[]))?;
    eq("keys after delete-many", sorted_keys(&b)?, keys(&["kept"]))
}

fn increment_creates_and_adds() -> Outcome {
    let b = bucket()?;
    expect_exists(&b, "c", false)?;
    eq("increment of a missing key by 5", increment(&b, "c", 5)?, 5)?;
    expect_exists(&b, "c", true)?;
    eq("increment by 3", increment(&b, "c", 3)?, 8)?;
    eq("increment by 0", increment(&b, "c", 0)?, 8)?;
    eq("increment of another missing key by 0", increment(&b, "zero", 0)?, 0)?;
    expect_exists(&b, "zero", true)?;
    // Counters past 32 bits survive the round trip through the store.
    eq("increment by 2^40", increment(&b, "c", 1 << 40)?, (1 << 40) + 8)?;
    eq("increment by 1 after 2^40", increment(&b, "c", 1)?, (1 << 40) + 9)?;
    eq("keys after incrementing two counters", sorted_keys(&b)?, keys(&["c", "zero"]))
}

fn increment_on_non_counter_is_error() -> Outcome {
    let b = bucket()?;
    set(&b, "text", b"not a number")?;
    // The host may refuse in its own words, so any error will do.
    err("increment(bucket, \"text\", 1) where the value is \"not a number\"", atomic::increment(&b, "text", 1), ANY)?;
    // Nothing the guest wrote is changed by the refused increment.
    expect_value(&b, "text", b"not a number")
}

fn compare_and_swap_swaps_when_equal() -> Outcome {
    let b = bucket()?;
    eq("increment creating the counter", increment(&b, "c", 10)?, 10)?;
    eq("compare-and-swap(c, old 10, new 20) on counter 10", compare_and_swap(&b, "c", 10, 20)?, true)?;
    eq("increment by 0 after the swap", increment(&b, "c", 0)?, 20)?;
    eq("compare-and-swap(c, old 20, new 0)", compare_and_swap(&b, "c", 20, 0)?, true)?;
    eq("increment by 1 after swapping to 0", increment(&b, "c", 1)?, 1)?;
    eq("compare-and-swap(c, old 1, new u64::MAX)", compare_and_swap(&b, "c", 1, u64::MAX)?, true)?;
    eq("compare-and-swap(c, old u64::MAX, new 7)", compare_and_swap(&b, "c", u64::MAX, 7)?, true)?;
    eq("increment by 0 at the end", increment(&b, "c", 0)?, 7)
}

fn compare_and_swap_refuses_when_different() -> Outcome {
    let b = bucket()?;
    eq("increment creating the counter", increment(&b, "c", 10)?, 10)?;
    eq("compare-and-swap(c, old 11, new 30) on counter 10", compare_and_swap(&b, "c", 11, 30)?, false)?;
    eq("compare-and-swap(c, old 9, new 30) on counter 10", compare_and_swap(&b, "c", 9, 30)?, false)?;
    eq("increment by 0 after the refused swaps", increment(&b, "c", 0)?, 10)
}

fn compare_and_swap_missing_key_is_false() -> Outcome {
    let b = bucket()?;
    eq("compare-and-swap(bucket, \"missing\", old 0, new 1)", compare_and_swap(&b, "missing", 0, 1)?, false)?;
    // A refused swap creates nothing, not even a zero counter.
    expect_missing(&b, "missing")?;
    eq("keys after the refused swap", sorted_keys(&b)?, Vec::<String>::new())
}

fn compare_and_swap_on_non_counter_is_error() -> Outcome {
    let b = bucket()?;
    set(&b, "text", b"not a number")?;
    let trace = err(
        "compare-and-swap(bucket, \"text\", 0, 1) where the value is \"not a number\"",
        atomic::compare_and_swap(&b, "text", 0, 1),
        BAD_VALUE,
    )?;
    mentions("compare-and-swap on a non-counter", &trace, "\"text\"")?;
    expect_value(&b, "text", b"not a number")
}

/// Only for hosts that refuse unknown bucket names (wasmtime opens only "").
fn open_unknown_bucket_is_error() -> Outcome {
    let trace = err("open-bucket(\"no-such-bucket\")", Bucket::open_bucket("no-such-bucket"), NO_SUCH_STORE)?;
    mentions("open-bucket(\"no-such-bucket\")", &trace, "no-such-bucket")?;
    // The refusal does not spoil the bucket that does exist.
    let b = bucket()?;
    set(&b, "k", b"v")?;
    expect_value(&b, "k", b"v")
}

fn two_opens_share_data() -> Outcome {
    let first = bucket()?;
    let second = bucket()?;
    set(&first, "k", b"written through the first bucket")?;
    expect_value(&second, "k", b"written through the first bucket")?;
    eq("counter created through the first bucket", increment(&first, "c", 2)?, 2)?;
    eq("same counter incremented through the second bucket", increment(&second, "c", 3)?, 5)?;
    eq("compare-and-swap through the first bucket", compare_and_swap(&first, "c", 5, 6)?, true)?;
    eq("increment by 0 through the second bucket", increment(&second, "c", 0)?, 6)?;
    delete(&second, "k")?;
    expect_exists(&first, "k", false)?;
    drop(second);
    // The first bucket still works after the second is dropped, and a third open sees it all.
    expect_exists(&first, "c", true)?;
    set(&first, "after", b"x")?;
    eq("keys through a third open", sorted_keys(&bucket()?)?, keys(&["after", "c"]))
}

/// An error is a resource: its trace can be read more than once, stays the same while
/// other calls happen, and follows the `<kind>: <details>` convention.
fn error_trace_is_readable() -> Outcome {
    let b = bucket()?;
    let bodiless = OutgoingValue::new_outgoing_value();
    let no_body = match eventual::set(&b, "k", &bodiless) {
        Ok(()) => return Err("set(bucket, \"k\", outgoing-value without a body): expected an error, got ok".into()),
        Err(e) => e,
    };
    set(&b, "text", b"not a number")?;
    let not_counter = match atomic::compare_and_swap(&b, "text", 0, 1) {
        Ok(swapped) => return Err(format!("compare-and-swap on a non-counter: expected an error, got ok({swapped})")),
        Err(e) => e,
    };
    let first = no_body.trace();
    let second = not_counter.trace();
    for (what, trace) in [("set without a body", &first), ("compare-and-swap on a non-counter", &second)] {
        let Some((kind, details)) = trace.split_once(": ") else {
            return Err(format!("trace of {what}: expected \"<kind>: <details>\", got {trace:?}"));
        };
        if !KINDS.contains(&kind) {
            return Err(format!("trace of {what}: {kind:?} is not one of the kinds {KINDS:?} (trace {trace:?})"));
        }
        if details.trim().is_empty() {
            return Err(format!("trace of {what}: no details after the kind (trace {trace:?})"));
        }
    }
    if first == second {
        return Err(format!("two different failures gave the same trace {first:?}"));
    }
    // Reading again, after more calls and after the bucket is gone, gives the same text.
    set(&b, "other", b"y")?;
    drop(b);
    eq("trace of the set-without-body error read a second time", no_body.trace(), first)?;
    eq("trace of the compare-and-swap error read a second time", not_counter.trace(), second)
}

/// Values and errors are resources of their own, not children of a bucket: they stay
/// usable after the bucket they came from is dropped, and dropping resources deletes nothing.
fn resources_outlive_their_bucket() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"stored")?;
    let incoming = present(&b, "k")?;
    let outgoing = value(b"written later")?;
    drop(b);
    eq("incoming-value-size after its bucket was dropped", ok("incoming-value-size", incoming.incoming_value_size())?, 6)?;
    eq_bytes("value consumed after its bucket was dropped", &consume("k", incoming)?, b"stored")?;
    let again = bucket()?;
    ok("set with an outgoing-value made before the bucket was reopened", eventual::set(&again, "later", &outgoing))?;
    drop(outgoing);
    // An incoming-value dropped without being consumed leaves the stored value alone.
    drop(present(&again, "later")?);
    drop(again);
    let third = bucket()?;
    expect_value(&third, "k", b"stored")?;
    expect_value(&third, "later", b"written later")?;
    eq("keys after dropping every resource", sorted_keys(&third)?, keys(&["k", "later"]))
}

/// Needs the flavour of adapter that serves wasi:io itself.
fn async_body_round_trip() -> Outcome {
    let b = bucket()?;
    let body = pattern(100_000, 5);

    let value = OutgoingValue::new_outgoing_value();
    write_async(&value, &body)?;
    // The async body is the value's one body.
    err("outgoing-value-write-body-sync after an async body", value.outgoing_value_write_body_sync(b"other"), ANY)?;
    ok("set(bucket, \"streamed\", value with an async body)", eventual::set(&b, "streamed", &value))?;
    drop(value);

    let incoming = present(&b, "streamed")?;
    eq("incoming-value-size of the streamed value", ok("incoming-value-size", incoming.incoming_value_size())?, body.len() as u64)?;
    let got = read_async(incoming, body.len())?;
    eq_bytes("streamed value read back through consume-async", &got, &body)?;
    expect_value(&b, "streamed", &body)?;

    // A value written with a sync body reads the same through a stream.
    set(&b, "sync", b"written in one piece")?;
    let got = read_async(present(&b, "sync")?, 64)?;
    eq_bytes("sync-written value read through consume-async", &got, b"written in one piece")?;

    // An async body that receives no bytes is an empty value.
    let value = OutgoingValue::new_outgoing_value();
    write_async(&value, b"")?;
    ok("set(bucket, \"empty\", value with an empty async body)", eventual::set(&b, "empty", &value))?;
    drop(value);
    expect_value(&b, "empty", b"")?;
    let got = read_async(present(&b, "empty")?, 0)?;
    eq_bytes("empty value read through consume-async", &got, b"")
}

/// Needs the pass-through flavour, which leaves wasi:io to the host and so cannot serve
/// value bodies as streams.
fn async_body_unsupported_reports_why() -> Outcome {
    let b = bucket()?;
    let value = OutgoingValue::new_outgoing_value();
    let trace = err("outgoing-value-write-body-async", value.outgoing_value_write_body_async(), UNSUPPORTED)?;
    mentions("outgoing-value-write-body-async", &trace, "outgoing-value-write-body-sync")?;
    // The value can still get a sync body.
    ok("outgoing-value-write-body-sync after the refused async body", value.outgoing_value_write_body_sync(b"sync body"))?;
    ok("set(bucket, \"k\", value)", eventual::set(&b, "k", &value))?;

    let incoming = present(&b, "k")?;
    let trace = err("incoming-value-consume-async", IncomingValue::incoming_value_consume_async(incoming), UNSUPPORTED)?;
    mentions("incoming-value-consume-async", &trace, "incoming-value-consume-sync")?;
    // consume-async took that incoming-value; the stored value is untouched.
    expect_value(&b, "k", b"sync body")
}
