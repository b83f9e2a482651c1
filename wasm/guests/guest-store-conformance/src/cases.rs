//! The cases. Each starts from an empty store and uses bucket `""` (the one every host
//! opens) unless it is about bucket names, and returns the first failed expectation.

use crate::keyvalue::{atomics, batch, store};
use crate::kv::*;

pub const ALL: &[Case] = &[
    ("set-then-get-round-trips", set_then_get_round_trips),
    ("unusual-keys-round-trip", unusual_keys_round_trip),
    ("get-missing-key-is-none", get_missing_key_is_none),
    ("delete-missing-key-succeeds", delete_missing_key_succeeds),
    ("delete-removes-key", delete_removes_key),
    ("exists-reports-presence", exists_reports_presence),
    ("set-overwrites", set_overwrites),
    ("list-keys-on-empty-bucket-is-empty", list_keys_on_empty_bucket_is_empty),
    ("list-keys-pages-through-every-key", list_keys_pages_through_every_key),
    ("list-keys-unknown-cursor-is-error", list_keys_unknown_cursor_is_error),
    ("increment-creates-and-adds", increment_creates_and_adds),
    ("increment-on-non-counter-is-error", increment_on_non_counter_is_error),
    ("get-many-gives-none-for-missing", get_many_gives_none_for_missing),
    ("set-many-writes-all", set_many_writes_all),
    ("delete-many-removes-and-skips-missing", delete_many_removes_and_skips_missing),
    ("open-unknown-bucket-is-error", open_unknown_bucket_is_error),
    ("two-opens-share-data", two_opens_share_data),
    ("bucket-outlives-nothing", bucket_outlives_nothing),
    #[cfg(feature = "g5")]
    ("increment-huge-delta", increment_huge_delta),
    #[cfg(feature = "g5")]
    ("increment-huge-delta-is-error", increment_huge_delta_is_error),
    #[cfg(feature = "g6")]
    ("increment-negative-delta-decrements", increment_negative_delta_decrements),
    #[cfg(feature = "g6")]
    ("increment-negative-delta-is-error", increment_negative_delta_is_error),
    #[cfg(feature = "g6")]
    ("increment-below-zero-goes-negative", increment_below_zero_goes_negative),
    #[cfg(feature = "g6")]
    ("increment-below-zero-is-error", increment_below_zero_is_error),
    #[cfg(feature = "g6")]
    ("decrement-on-non-counter-is-error", decrement_on_non_counter_is_error),
    #[cfg(feature = "g6")]
    ("cas-is-refused", cas_is_refused),
    #[cfg(feature = "g6")]
    ("cas-swaps-when-unchanged", cas_swaps_when_unchanged),
    #[cfg(feature = "g6")]
    ("cas-on-missing-key-sees-none-and-creates", cas_on_missing_key_sees_none_and_creates),
    #[cfg(feature = "g6")]
    ("cas-fails-after-another-write", cas_fails_after_another_write),
    #[cfg(feature = "g6")]
    ("cas-on-non-counter-bytes-is-fine", cas_on_non_counter_bytes_is_fine),
];

/// This generation's `list-keys` cursor.
#[cfg(feature = "g5")]
type Cursor = u64;
#[cfg(feature = "g6")]
type Cursor = String;

/// This generation's counter.
#[cfg(feature = "g5")]
type Counter = u64;
#[cfg(feature = "g6")]
type Counter = i64;

fn set_then_get_round_trips() -> Outcome {
    let b = bucket()?;
    set(&b, "greeting", b"hello, world")?;
    expect_value(&b, "greeting", b"hello, world")?;
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    set(&b, "all-bytes", &all_bytes)?;
    expect_value(&b, "all-bytes", &all_bytes)?;
    let large = pattern(64 * 1024, 5);
    set(&b, "large", &large)?;
    expect_value(&b, "large", &large)?;
    // An empty value is a value, not a missing key.
    set(&b, "empty", b"")?;
    expect_value(&b, "empty", b"")?;
    expect_exists(&b, "empty", true)
}

fn unusual_keys_round_trip() -> Outcome {
    let b = bucket()?;
    let long = "k".repeat(200);
    let keys = ["ünïcödé ✓", "a/b/c", "..", ".hidden", "with space", "100%", "CON", &long];
    for (i, key) in keys.iter().enumerate() {
        let value = pattern(10 + i, i as u8);
        set(&b, key, &value)?;
        expect_value(&b, key, &value)?;
        expect_exists(&b, key, true)?;
    }
    Ok(())
}

fn get_missing_key_is_none() -> Outcome {
    let b = bucket()?;
    expect_missing(&b, "never-written")
}

fn delete_missing_key_succeeds() -> Outcome {
    let b = bucket()?;
    delete(&b, "never-written")?;
    expect_missing(&b, "never-written")
}

fn delete_removes_key() -> Outcome {
    let b = bucket()?;
    set(&b, "doomed", b"x")?;
    delete(&b, "doomed")?;
    expect_missing(&b, "doomed")
}

fn exists_reports_presence() -> Outcome {
    let b = bucket()?;
    expect_exists(&b, "k", false)?;
    set(&b, "k", b"v")?;
    expect_exists(&b, "k", true)
}

fn set_overwrites() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"first, and longer")?;
    set(&b, "k", b"second")?;
    expect_value(&b, "k", b"second")
}

/// One `list-keys` page from `cursor`.
fn list_page(b: &Bucket, cursor: Option<&Cursor>) -> Result<store::KeyResponse, Error> {
    #[cfg(feature = "g5")]
    return b.list_keys(cursor.copied());
    #[cfg(feature = "g6")]
    return b.list_keys(cursor.map(String::as_str));
}

/// Every key of `b`, following cursors to the end; fails on a cursor handed back twice in
/// a row (paging would never end) or on far more pages than keys.
fn list_all(b: &Bucket) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    let mut cursor: Option<Cursor> = None;
    for _ in 0..10_000 {
        let what = format!("list-keys({cursor:?})");
        let page = ok(&what, list_page(b, cursor.as_ref()))?;
        keys.extend(page.keys);
        match page.cursor {
            None => return Ok(keys),
            Some(next) if Some(&next) == cursor.as_ref() => {
                return Err(format!("{what}: handed back the same cursor {next:?}; paging would never end"))
            }
            Some(next) => cursor = Some(next),
        }
    }
    Err("list-keys: still handing out cursors after 10,000 pages".into())
}

fn list_keys_on_empty_bucket_is_empty() -> Outcome {
    let b = bucket()?;
    let page = ok("list-keys(none)", b.list_keys(None))?;
    eq("keys of an empty bucket", page.keys, Vec::<String>::new())?;
    eq("cursor of an empty bucket", page.cursor, None)
}

fn list_keys_pages_through_every_key() -> Outcome {
    let b = bucket()?;
    let mut want: Vec<String> = (0..2500).map(|i| format!("key-{i:05}")).collect();
    // In batches, to keep the setup fast; each value names its key.
    for chunk in want.chunks(500) {
        let pairs: Vec<(String, Vec<u8>)> = chunk.iter().map(|k| (k.clone(), k.as_bytes().to_vec())).collect();
        ok(&format!("set-many({} pairs)", pairs.len()), batch::set_many(&b, &pairs))?;
    }
    let mut got = list_all(&b)?;
    let listed = got.len();
    got.sort();
    got.dedup();
    eq("keys listed more than once", listed - got.len(), 0)?;
    want.sort();
    if got != want {
        let missing = want.iter().filter(|k| !got.contains(k)).count();
        let extra = got.iter().filter(|k| !want.contains(k)).count();
        return Err(format!("list-keys paged to the end: {missing} keys missing, {extra} extra, of {}", want.len()));
    }
    Ok(())
}

fn list_keys_unknown_cursor_is_error() -> Outcome {
    let b = bucket()?;
    set_many(&b, &[("a", b"1"), ("b", b"2"), ("c", b"3")])?;
    #[cfg(feature = "g5")]
    let made_up: Cursor = u64::MAX - 7;
    #[cfg(feature = "g6")]
    let made_up: Cursor = "not-a-cursor-kv-adapt-made".into();
    err(&format!("list-keys({made_up:?}), a cursor no page handed out"), list_page(&b, Some(&made_up))).map(drop)
}

fn increment(b: &Bucket, key: &str, delta: Counter) -> Result<Counter, String> {
    ok(&format!("increment({key:?}, {delta})"), atomics::increment(b, key, delta))
}

fn increment_creates_and_adds() -> Outcome {
    let b = bucket()?;
    eq("increment of a missing key by 5", increment(&b, "counter", 5)?, 5)?;
    eq("then by 3", increment(&b, "counter", 3)?, 8)?;
    expect_exists(&b, "counter", true)
}

fn increment_on_non_counter_is_error() -> Outcome {
    let b = bucket()?;
    set(&b, "text", b"not a number at all")?;
    err("increment(\"text\", 1) on a value that is no counter", atomics::increment(&b, "text", 1))?;
    expect_value(&b, "text", b"not a number at all")
}

fn get_many_gives_none_for_missing() -> Outcome {
    let b = bucket()?;
    set_many(&b, &[("a", b"alpha"), ("b", b"beta")])?;
    let got = ok("get-many([a, missing, b])", batch::get_many(&b, &strings(&["a", "missing", "b"])))?;
    let want = vec![Some(("a".to_string(), b"alpha".to_vec())), None, Some(("b".to_string(), b"beta".to_vec()))];
    eq("get-many([a, missing, b])", got, want)
}

fn set_many_writes_all() -> Outcome {
    let b = bucket()?;
    let big = pattern(4096, 9);
    set_many(&b, &[("one", b"1"), ("two", b"22"), ("big", &big)])?;
    expect_value(&b, "one", b"1")?;
    expect_value(&b, "two", b"22")?;
    expect_value(&b, "big", &big)
}

fn delete_many_removes_and_skips_missing() -> Outcome {
    let b = bucket()?;
    set_many(&b, &[("a", b"1"), ("b", b"2"), ("keep", b"3")])?;
    ok("delete-many([a, never-there, b])", batch::delete_many(&b, &strings(&["a", "never-there", "b"])))?;
    expect_missing(&b, "a")?;
    expect_missing(&b, "b")?;
    expect_value(&b, "keep", b"3")
}

fn open_unknown_bucket_is_error() -> Outcome {
    err("open(\"kv-adapt-no-such-bucket\")", store::open("kv-adapt-no-such-bucket")).map(drop)
}

fn two_opens_share_data() -> Outcome {
    let first = bucket()?;
    let second = bucket()?;
    set(&first, "shared", b"written through the first")?;
    expect_value(&second, "shared", b"written through the first")
}

fn bucket_outlives_nothing() -> Outcome {
    let b = bucket()?;
    set(&b, "kept", b"still here")?;
    drop(b);
    let again = bucket()?;
    expect_value(&again, "kept", b"still here")
}

#[cfg(feature = "g5")]
fn increment_huge_delta() -> Outcome {
    let b = bucket()?;
    eq("increment of a missing key by u64::MAX - 1", increment(&b, "big", u64::MAX - 1)?, u64::MAX - 1)
}

/// A G5 delta a signed 64-bit host cannot take: refused, and nothing written.
#[cfg(feature = "g5")]
fn increment_huge_delta_is_error() -> Outcome {
    let b = bucket()?;
    let delta = i64::MAX as u64 + 1;
    err(&format!("increment(\"big\", {delta})"), atomics::increment(&b, "big", delta))?;
    expect_exists(&b, "big", false)
}

#[cfg(feature = "g6")]
fn increment_negative_delta_decrements() -> Outcome {
    let b = bucket()?;
    eq("increment by 10", increment(&b, "c", 10)?, 10)?;
    eq("then by -3", increment(&b, "c", -3)?, 7)?;
    eq("then by -7", increment(&b, "c", -7)?, 0)
}

/// A negative delta refused (`--strict-atomics` on a host whose counters only count up):
/// the error says why, and nothing changed.
#[cfg(feature = "g6")]
fn increment_negative_delta_is_error() -> Outcome {
    let b = bucket()?;
    eq("increment by 10", increment(&b, "c", 10)?, 10)?;
    let why = err("increment(\"c\", -3)", atomics::increment(&b, "c", -3))?;
    mentions("the refusal", &why, "--strict-atomics")?;
    eq("increment by 0 after the refusal", increment(&b, "c", 0)?, 10)
}

/// G6 counters are s64: a decrement past zero gives a negative counter.
#[cfg(feature = "g6")]
fn increment_below_zero_goes_negative() -> Outcome {
    let b = bucket()?;
    eq("increment by 10", increment(&b, "c", 10)?, 10)?;
    eq("then by -15", increment(&b, "c", -15)?, -5)?;
    eq("then by 5", increment(&b, "c", 5)?, 0)?;
    eq("a missing key by -2", increment(&b, "fresh", -2)?, -2)
}

/// On a host whose counters are u64, a decrement past zero cannot be stored: refused with
/// a reason, and the counter keeps its value; a missing key stays missing.
#[cfg(feature = "g6")]
fn increment_below_zero_is_error() -> Outcome {
    let b = bucket()?;
    eq("increment by 10", increment(&b, "c", 10)?, 10)?;
    let why = err("increment(\"c\", -15)", atomics::increment(&b, "c", -15))?;
    mentions("the refusal", &why, "below zero")?;
    eq("increment by 0 after the refusal", increment(&b, "c", 0)?, 10)?;
    err("increment(\"fresh\", -2)", atomics::increment(&b, "fresh", -2))?;
    expect_exists(&b, "fresh", false)
}

#[cfg(feature = "g6")]
fn decrement_on_non_counter_is_error() -> Outcome {
    let b = bucket()?;
    set(&b, "text", b"not a number at all")?;
    err("increment(\"text\", -1) on a value that is no counter", atomics::increment(&b, "text", -1))?;
    expect_value(&b, "text", b"not a number at all")
}

/// `--strict-atomics` on a host without compare-and-swap: `cas.new` is refused with a
/// reason, and the value is untouched.
#[cfg(feature = "g6")]
fn cas_is_refused() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"v1")?;
    let why = err("cas.new(\"k\")", atomics::Cas::new(&b, "k"))?;
    mentions("the refusal", &why, "--strict-atomics")?;
    expect_value(&b, "k", b"v1")
}

#[cfg(feature = "g6")]
fn new_cas(b: &Bucket, key: &str) -> Result<atomics::Cas, String> {
    ok(&format!("cas.new({key:?})"), atomics::Cas::new(b, key))
}

#[cfg(feature = "g6")]
fn expect_current(cas: &atomics::Cas, want: Option<&[u8]>) -> Outcome {
    let got = ok("cas.current()", cas.current())?;
    eq("cas.current()", got.as_deref(), want)
}

#[cfg(feature = "g6")]
fn swap(cas: atomics::Cas, value: &[u8]) -> Result<Result<(), atomics::Cas>, String> {
    match atomics::swap(cas, value) {
        Ok(()) => Ok(Ok(())),
        Err(atomics::CasError::CasFailed(again)) => Ok(Err(again)),
        Err(atomics::CasError::StoreError(e)) => Err(format!("swap: expected success or cas-failed, got store-error {:?}", describe(&e))),
    }
}

#[cfg(feature = "g6")]
fn cas_swaps_when_unchanged() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"one")?;
    let cas = new_cas(&b, "k")?;
    expect_current(&cas, Some(b"one"))?;
    if swap(cas, b"two")?.is_err() {
        return Err("swap(\"two\") on an unchanged key: expected success, got cas-failed".into());
    }
    expect_value(&b, "k", b"two")
}

#[cfg(feature = "g6")]
fn cas_on_missing_key_sees_none_and_creates() -> Outcome {
    let b = bucket()?;
    let cas = new_cas(&b, "fresh")?;
    expect_current(&cas, None)?;
    if swap(cas, b"x")?.is_err() {
        return Err("swap(\"x\") on a key still missing: expected success, got cas-failed".into());
    }
    expect_value(&b, "fresh", b"x")
}

#[cfg(feature = "g6")]
fn cas_fails_after_another_write() -> Outcome {
    let b = bucket()?;
    set(&b, "k", b"one")?;
    let cas = new_cas(&b, "k")?;
    set(&b, "k", b"other")?;
    let again = match swap(cas, b"two")? {
        Ok(()) => return Err("swap(\"two\") after another write: expected cas-failed, got success".into()),
        Err(again) => again,
    };
    expect_value(&b, "k", b"other")?;
    // The handle cas-failed returns is brought up to date, as the documentation requires.
    expect_current(&again, Some(b"other"))?;
    if swap(again, b"three")?.is_err() {
        return Err("swap(\"three\") with the handle cas-failed returned: expected success, got cas-failed".into());
    }
    expect_value(&b, "k", b"three")
}

#[cfg(feature = "g6")]
fn cas_on_non_counter_bytes_is_fine() -> Outcome {
    let b = bucket()?;
    let before = pattern(300, 1);
    let after = pattern(300, 2);
    set(&b, "blob", &before)?;
    let cas = new_cas(&b, "blob")?;
    expect_current(&cas, Some(&before))?;
    if swap(cas, &after)?.is_err() {
        return Err("swap of arbitrary bytes: expected success, got cas-failed".into());
    }
    expect_value(&b, "blob", &after)
}
