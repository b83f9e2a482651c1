//! The fused G3 (`@0.1.0`) / G4 (`@0.2.0-draft`) front on G5 or G6 (see `fused`): one core
//! export per function of the eventual shape, over the same operations as the composed
//! front (`front::eventual::ops`).
//!
//! In a composition the canonical ABI keeps the guest's resource handles; fused, there is
//! no component boundary, so this module hands them out itself: buckets, incoming values
//! and errors from slabs of their own (u32 handles with kind and generation bits, see
//! `kv_adapt_convert::slab`), outgoing values straight from the slab of bodies the
//! composed front also uses.
//!
//! Differs from the composed flavour (besides what `fused` says for every front):
//! - a dropped, unknown or wrong-kind handle is a `bad-handle` error where the function has
//!   an error channel, where a composition's canonical ABI would trap; `trace` of an error
//!   handle that is not live says so, and the `[resource-drop]`s of handles that are not
//!   live do nothing. Bindings generated for the guest never pass such a handle.
//! - Async bodies: with feature `io` the streams are this module's too (`fused/io.rs`), as
//!   in the composed `-io` adapter; without it they are refused with the pass-through
//!   flavour's `unsupported` errors, as in the composed adapter without `io`.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

use kv_adapt_convert::slab::{self, Kind, Slab};
use kv_adapt_convert::trace;

use super::{bytes, give, give_strings, main_realloc, pair, put_bool, put_list, put_result, put_u32, put_unit};
use crate::front::eventual::ops;
use crate::state;

/// The core export name of `function` of `interface` at this front's version: the field
/// `kv-adapt plug` renames the guest's import to.
#[cfg(feature = "front-g3")]
macro_rules! named {
    ($interface:literal, $function:literal) => {
        concat!("wasi:keyvalue/", $interface, "@0.1.0|", $function)
    };
}
#[cfg(feature = "front-g4")]
macro_rules! named {
    ($interface:literal, $function:literal) => {
        concat!("wasi:keyvalue/", $interface, "@0.2.0-draft|", $function)
    };
}

/// The handles a component boundary would have kept.
struct Handles {
    /// Bucket handle -> index in `opened`.
    buckets: Slab<usize>,
    incoming: Slab<Vec<u8>>,
    /// Error handle -> its trace.
    errors: Slab<String>,
}

struct Global(UnsafeCell<Handles>);

// SAFETY: as for the adapter's `State`: one thread, one export at a time.
unsafe impl Sync for Global {}

static HANDLES: Global = Global(UnsafeCell::new(Handles {
    buckets: Slab::new(Kind::Bucket),
    incoming: Slab::new(Kind::IncomingValue),
    errors: Slab::new(Kind::Error),
}));

/// Called once per export and never while an earlier result is alive.
fn handles() -> &'static mut Handles {
    // SAFETY: see `Global`; exports do not call each other.
    unsafe { &mut *HANDLES.0.get() }
}

/// A new error handle for `trace`, which is recorded for the diagnostics as the composed
/// front's errors are. When the slab is full the handle is one that is never live, whose
/// `trace` says so.
fn fail(trace: String) -> u32 {
    crate::record_error(&trace);
    handles().errors.insert(trace).unwrap_or_else(|_| slab::overflow(Kind::Error))
}

fn bucket(h: u32) -> Result<usize, String> {
    handles().buckets.get(h).copied().map_err(|m| trace::bad_handle(Kind::Bucket, h, m))
}

/// A new incoming-value handle holding `bytes`.
fn incoming(bytes: Vec<u8>) -> Result<u32, String> {
    handles().incoming.insert(bytes).map_err(|_| trace::too_many(Kind::IncomingValue))
}

/// `bucket` and the key at (`ptr`, `len`), both checked, then `f`; errors become handles.
unsafe fn keyed<T>(h: u32, ptr: *const u8, len: usize, f: impl FnOnce(usize, &str) -> Result<T, String>) -> Result<T, u32> {
    let b = bucket(h).map_err(fail)?;
    // SAFETY: per the caller.
    let key = unsafe { super::text(ptr, len, "key") }.map_err(fail)?;
    f(b, &key).map_err(fail)
}

// --- types: bucket

#[export_name = named!("types", "[resource-drop]bucket")]
extern "C" fn drop_bucket(h: u32) {
    handles().buckets.remove(h);
}

#[export_name = named!("types", "[static]bucket.open-bucket")]
unsafe extern "C" fn open_bucket(ptr: *const u8, len: usize, ret: *mut u8) {
    // SAFETY: the guest's name argument.
    let r = unsafe { super::text(ptr, len, "bucket name") }
        .and_then(ops::open_bucket)
        .and_then(|i| handles().buckets.insert(i).map_err(|_| trace::too_many(Kind::Bucket)))
        .map_err(fail);
    unsafe { put_u32(ret, r) }
}

// --- types: outgoing-value, whose handle is its slot in the slab of bodies

#[export_name = named!("types", "[resource-drop]outgoing-value")]
extern "C" fn drop_outgoing_value(h: u32) {
    state().outgoing.remove(h);
}

#[export_name = named!("types", "[static]outgoing-value.new-outgoing-value")]
extern "C" fn new_outgoing_value() -> u32 {
    state().new_outgoing()
}

#[cfg(not(feature = "io"))]
#[export_name = named!("types", "[method]outgoing-value.outgoing-value-write-body-async")]
unsafe extern "C" fn outgoing_value_write_body_async(_h: u32, ret: *mut u8) {
    unsafe { put_u32(ret, Err(fail(String::from(trace::UNSUPPORTED_ASYNC_BODY_RESOURCE)))) }
}

/// With `io`: an output stream that appends to the value's body (`fused/io.rs`).
#[cfg(feature = "io")]
#[export_name = named!("types", "[method]outgoing-value.outgoing-value-write-body-async")]
unsafe extern "C" fn outgoing_value_write_body_async(h: u32, ret: *mut u8) {
    let r = ops::start_async_body(h).and_then(|()| super::io::new_output(h)).map_err(fail);
    unsafe { put_u32(ret, r) }
}

#[export_name = named!("types", "[method]outgoing-value.outgoing-value-write-body-sync")]
unsafe extern "C" fn outgoing_value_write_body_sync(h: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    // SAFETY: the guest's body argument.
    let body = Vec::from(unsafe { bytes(ptr, len) });
    unsafe { put_unit(ret, ops::write_body_sync(h, body).map_err(fail)) }
}

// --- types: incoming-value

#[export_name = named!("types", "[resource-drop]incoming-value")]
extern "C" fn drop_incoming_value(h: u32) {
    handles().incoming.remove(h);
}

/// Takes incoming value `h` out of its slab: the consume functions own it.
fn take_incoming(h: u32) -> Result<Vec<u8>, String> {
    let values = &mut handles().incoming;
    values.get(h).map_err(|m| trace::bad_handle(Kind::IncomingValue, h, m))?;
    Ok(values.remove(h).unwrap_or_default())
}

#[export_name = named!("types", "[static]incoming-value.incoming-value-consume-sync")]
unsafe extern "C" fn incoming_value_consume_sync(h: u32, ret: *mut u8) {
    let r = take_incoming(h).map_err(fail);
    unsafe { put_result(ret, 4, r, |at, v| put_list(at, give(&v))) }
}

// The value is owned by the call and gone after it, as in the composed flavour.
#[cfg(not(feature = "io"))]
#[export_name = named!("types", "[static]incoming-value.incoming-value-consume-async")]
unsafe extern "C" fn incoming_value_consume_async(h: u32, ret: *mut u8) {
    let r = take_incoming(h).and_then(|_| Err(String::from(trace::UNSUPPORTED_ASYNC_CONSUME_RESOURCE)));
    unsafe { put_u32(ret, r.map_err(fail)) }
}

/// With `io`: an input stream over the value's bytes (`fused/io.rs`).
#[cfg(feature = "io")]
#[export_name = named!("types", "[static]incoming-value.incoming-value-consume-async")]
unsafe extern "C" fn incoming_value_consume_async(h: u32, ret: *mut u8) {
    let r = take_incoming(h).and_then(super::io::new_input).map_err(fail);
    unsafe { put_u32(ret, r) }
}

#[export_name = named!("types", "[method]incoming-value.incoming-value-size")]
unsafe extern "C" fn incoming_value_size(h: u32, ret: *mut u8) {
    let r = handles()
        .incoming
        .get(h)
        .map(|v| v.len() as u64)
        .map_err(|m| fail(trace::bad_handle(Kind::IncomingValue, h, m)));
    // result<u64, error>: the payload is 8-aligned.
    unsafe { put_result(ret, 8, r, |at, v| (at as *mut u64).write(v)) }
}

// --- wasi-keyvalue-error

#[export_name = named!("wasi-keyvalue-error", "[resource-drop]error")]
extern "C" fn drop_error(h: u32) {
    handles().errors.remove(h);
}

#[export_name = named!("wasi-keyvalue-error", "[method]error.trace")]
unsafe extern "C" fn error_trace(h: u32, ret: *mut u8) {
    let errors = &handles().errors;
    let text = match errors.get(h) {
        Ok(t) => give(t.as_bytes()),
        Err(_) if h == slab::overflow(Kind::Error) => give(trace::TOO_MANY_ERRORS.as_bytes()),
        Err(_) => give(trace::dead_error(h).as_bytes()),
    };
    unsafe { put_list(ret, text) }
}

// --- eventual

/// `result<option<incoming-value>, error>`: the option's tag at 4, the handle at 8.
unsafe fn put_found(ret: *mut u8, r: Result<Option<u32>, u32>) {
    unsafe {
        put_result(ret, 4, r, |at, found| match found {
            Some(h) => {
                at.write(1);
                (at.add(4) as *mut u32).write(h);
            }
            None => at.write(0),
        })
    }
}

#[export_name = named!("eventual", "get")]
unsafe extern "C" fn get(b: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    let r = unsafe { keyed(b, ptr, len, |b, key| ops::get(b, key)?.map(incoming).transpose()) };
    unsafe { put_found(ret, r) }
}

#[export_name = named!("eventual", "set")]
unsafe extern "C" fn set(b: u32, ptr: *const u8, len: usize, value: u32, ret: *mut u8) {
    unsafe { put_unit(ret, keyed(b, ptr, len, |b, key| ops::set(b, key, value))) }
}

#[export_name = named!("eventual", "delete")]
unsafe extern "C" fn delete(b: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe { put_unit(ret, keyed(b, ptr, len, ops::delete)) }
}

#[export_name = named!("eventual", "exists")]
unsafe extern "C" fn exists(b: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe { put_bool(ret, keyed(b, ptr, len, ops::exists)) }
}

// --- atomic

#[export_name = named!("atomic", "increment")]
unsafe extern "C" fn increment(b: u32, ptr: *const u8, len: usize, delta: u64, ret: *mut u8) {
    let r = unsafe { keyed(b, ptr, len, |b, key| ops::increment(b, key, delta)) };
    // result<u64, error>: the payload is 8-aligned.
    unsafe { put_result(ret, 8, r, |at, v| (at as *mut u64).write(v)) }
}

#[export_name = named!("atomic", "compare-and-swap")]
unsafe extern "C" fn compare_and_swap(b: u32, ptr: *const u8, len: usize, old: u64, new: u64, ret: *mut u8) {
    unsafe { put_bool(ret, keyed(b, ptr, len, |b, key| ops::compare_and_swap(b, key, old, new))) }
}

// --- eventual-batch

#[export_name = named!("eventual-batch", "get-many")]
unsafe extern "C" fn get_many(b: u32, ptr: *const u8, n: usize, ret: *mut u8) {
    let r = bucket(b)
        .and_then(|b| Ok((b, unsafe { super::texts(ptr, n) }?)))
        .and_then(|(b, keys)| ops::get_many(b, &keys))
        .and_then(|found| {
            // Handles first, so a full slab fails the call before the guest gets a block.
            let mut out = Vec::with_capacity(found.len());
            for value in found {
                out.push(value.map(incoming).transpose()?);
            }
            Ok(out)
        })
        .map_err(fail);
    unsafe {
        put_result(ret, 4, r, |at, found| {
            // list<option<incoming-value>>: 8-byte entries, the tag at 0, the handle at 4.
            let block = main_realloc(null_mut(), 0, 4, found.len() * 8);
            for (i, entry) in found.iter().enumerate() {
                let slot = block.add(i * 8);
                match entry {
                    Some(h) => {
                        slot.write(1);
                        (slot.add(4) as *mut u32).write(*h);
                    }
                    None => slot.write(0),
                }
            }
            put_list(at, (block as u32, found.len() as u32))
        })
    }
}

#[export_name = named!("eventual-batch", "keys")]
unsafe extern "C" fn keys(b: u32, ret: *mut u8) {
    let r = bucket(b).and_then(ops::keys).map_err(fail);
    unsafe { put_result(ret, 4, r, |at, keys| put_list(at, give_strings(&keys))) }
}

#[export_name = named!("eventual-batch", "set-many")]
unsafe extern "C" fn set_many(b: u32, ptr: *const u8, n: usize, ret: *mut u8) {
    let read = || -> Result<Vec<(String, u32)>, String> {
        let mut pairs = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: `n` 12-byte (key pointer, key length, outgoing-value) entries at `ptr`.
            let entry = unsafe { ptr.add(i * 12) };
            let (p, l) = unsafe { pair(entry) };
            let value = unsafe { *(entry.add(8) as *const u32) };
            pairs.push((unsafe { super::text(p as *const u8, l, "key") }?, value));
        }
        Ok(pairs)
    };
    let r = bucket(b).and_then(|b| ops::set_many(b, read()?)).map_err(fail);
    unsafe { put_unit(ret, r) }
}

#[export_name = named!("eventual-batch", "delete-many")]
unsafe extern "C" fn delete_many(b: u32, ptr: *const u8, n: usize, ret: *mut u8) {
    let r = bucket(b)
        .and_then(|b| ops::delete_many(b, &unsafe { super::texts(ptr, n) }?))
        .map_err(fail);
    unsafe { put_unit(ret, r) }
}
