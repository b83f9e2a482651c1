//! Thin wrappers over the G5/G6 imports that turn every outcome into `Result<_, String>`
//! with a message naming the call, so a case reads as a list of expectations.

use crate::keyvalue::{batch, store};

pub use guest_support::*;
pub use store::{Bucket, Error};

/// An error as text: its variant, and its text for `other`.
pub fn describe(e: &Error) -> String {
    match e {
        Error::NoSuchStore => "no-such-store".into(),
        Error::AccessDenied => "access-denied".into(),
        Error::Other(text) => format!("other: {text}"),
    }
}

/// Expects success; an error becomes a message with the call and the error.
pub fn ok<T>(what: &str, result: Result<T, Error>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: expected success, got error {:?}", describe(&e)))
}

/// Expects an error (any variant: the documentation only says "returns an error") and
/// returns it as text.
pub fn err<T: core::fmt::Debug>(what: &str, result: Result<T, Error>) -> Result<String, String> {
    match result {
        Ok(value) => Err(unexpected_ok(what, value, ANY)),
        Err(e) => Ok(describe(&e)),
    }
}

pub fn open(name: &str) -> Result<Bucket, String> {
    ok(&format!("open({name:?})"), store::open(name))
}

/// Bucket `""`, the one every host opens.
pub fn bucket() -> Result<Bucket, String> {
    open("")
}

pub fn set(bucket: &Bucket, key: &str, value: &[u8]) -> Outcome {
    ok(&format!("set({key:?}, {} bytes)", value.len()), bucket.set(key, value))
}

pub fn get(bucket: &Bucket, key: &str) -> Result<Option<Vec<u8>>, String> {
    ok(&format!("get({key:?})"), bucket.get(key))
}

pub fn expect_value(bucket: &Bucket, key: &str, want: &[u8]) -> Outcome {
    match get(bucket, key)? {
        Some(got) => eq_bytes(&format!("value of {key:?} read back with get"), &got, want),
        None => Err(format!("get({key:?}): expected a value of {} bytes, got none", want.len())),
    }
}

/// `get` gives `none`, and `exists` agrees.
pub fn expect_missing(bucket: &Bucket, key: &str) -> Outcome {
    if let Some(value) = get(bucket, key)? {
        return Err(format!("get({key:?}): expected none, got a value of {} bytes", value.len()));
    }
    expect_exists(bucket, key, false)
}

pub fn expect_exists(bucket: &Bucket, key: &str, want: bool) -> Outcome {
    let got = ok(&format!("exists({key:?})"), bucket.exists(key))?;
    eq(&format!("exists({key:?})"), got, want)
}

pub fn delete(bucket: &Bucket, key: &str) -> Outcome {
    ok(&format!("delete({key:?})"), bucket.delete(key))
}

pub fn set_many(bucket: &Bucket, pairs: &[(&str, &[u8])]) -> Outcome {
    let owned: Vec<(String, Vec<u8>)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_vec())).collect();
    ok(&format!("set-many({} pairs)", owned.len()), batch::set_many(bucket, &owned))
}

pub fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| k.to_string()).collect()
}
