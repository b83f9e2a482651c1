//! The fused flavour of G2 on G5 or G6: the same adapter, linked by wit-component *inside*
//! the guest's component as an adapter module (as wasmtime's preview1 adapter is), so a
//! guest's call is a core call into this module and values never cross a component
//! boundary between guest and adapter.
//!
//! The guest's G2 imports are renamed by `kv-adapt plug` to module `kv-adapt`, field
//! `<interface>|<function>` (`[resource-drop]`-style names repeat across interfaces, so the
//! interface stays in the field); each export below is the canonical ABI's *lowered* form
//! of that import, reading and writing the guest's memory, which this module shares.
//! Every export calls the composed flavour's own trait implementation, so results and
//! traces are the same by construction.
//!
//! Differs from the composed flavour:
//! - a key or bucket name that is not UTF-8 is a `bad-value` error here; a composition's
//!   canonical ABI traps on it before the adapter sees it;
//! - lists handed to the guest are allocated with the guest's own `cabi_realloc` and filled
//!   with one copy, as a host's lowering would.
//!
//! Not fused (plug composes instead): async bodies served from memory (`io`), and guests
//! that export `handle-watch`, whose types must stay a component import.

use alloc::string::String;
use alloc::vec::Vec;
use core::ptr::null_mut;

use kv_adapt_convert::trace;

use crate::exports::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};
use crate::front::u32_handles::run;
use crate::Adapter;

#[link(wasm_import_module = "__main_module__")]
extern "C" {
    /// The guest's allocator: lists the guest receives are the guest's to free.
    #[link_name = "cabi_realloc"]
    pub(crate) fn main_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8;
}

/// The guest's bytes at `ptr`, `len` long.
///
/// # Safety
/// `ptr..ptr + len` is memory the guest handed over for this call.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: per the caller; the guest's memory is this module's memory.
    unsafe { core::slice::from_raw_parts(ptr, len) }
}

/// The guest's string at `ptr`, owned; not UTF-8 is an error handle naming `what`.
unsafe fn text(ptr: *const u8, len: usize, what: &str) -> Result<String, u32> {
    // SAFETY: per the caller.
    match core::str::from_utf8(unsafe { bytes(ptr, len) }) {
        Ok(s) => Ok(String::from(s)),
        Err(_) => run(|_| Err(trace::not_utf8(what))),
    }
}

/// A `list<string>` argument: `n` (pointer, length) pairs at `ptr`.
unsafe fn texts(ptr: *const u8, n: usize) -> Result<Vec<String>, u32> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // SAFETY: the guest's list is `n` 8-byte (pointer, length) entries at `ptr`.
        let (p, l) = unsafe { pair(ptr.add(i * 8)) };
        out.push(unsafe { text(p as *const u8, l, "key")? });
    }
    Ok(out)
}

/// The two 32-bit words at `at`.
unsafe fn pair(at: *const u8) -> (usize, usize) {
    // SAFETY: per the caller; the canonical ABI aligns list entries to 4.
    unsafe { (*(at as *const u32) as usize, *(at.add(4) as *const u32) as usize) }
}

/// Bytes `data` copied into a block of the guest's allocator: (pointer, length).
fn give(data: &[u8]) -> (u32, u32) {
    // SAFETY: a fresh block of `data.len()` bytes, filled before the guest sees it.
    unsafe {
        let p = main_realloc(null_mut(), 0, 1, data.len());
        core::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
        (p as u32, data.len() as u32)
    }
}

/// Writes a `list<u8>`- or `string`-shaped value (pointer, length) at `at`.
unsafe fn put_list(at: *mut u8, (p, l): (u32, u32)) {
    // SAFETY: `at` is a 4-aligned return slot of the guest.
    unsafe {
        (at as *mut u32).write(p);
        (at.add(4) as *mut u32).write(l);
    }
}

/// A `result<T, error>` whose payload sits at `offset`: the tag, then `ok` or the error.
unsafe fn put_result<T>(ret: *mut u8, offset: usize, r: Result<T, u32>, ok: impl FnOnce(*mut u8, T)) {
    // SAFETY: `ret` is the guest's return area for this function's result type.
    unsafe {
        match r {
            Ok(v) => {
                ret.write(0);
                ok(ret.add(offset), v);
            }
            Err(e) => {
                ret.write(1);
                (ret.add(offset) as *mut u32).write(e);
            }
        }
    }
}

unsafe fn put_u32(ret: *mut u8, r: Result<u32, u32>) {
    // SAFETY: per `put_result`.
    unsafe { put_result(ret, 4, r, |at, v| (at as *mut u32).write(v)) }
}

unsafe fn put_unit(ret: *mut u8, r: Result<(), u32>) {
    // SAFETY: per `put_result`.
    unsafe { put_result(ret, 4, r, |_, ()| {}) }
}

unsafe fn put_bool(ret: *mut u8, r: Result<bool, u32>) {
    // SAFETY: per `put_result`.
    unsafe { put_result(ret, 4, r, |at, v| at.write(v as u8)) }
}

// --- wasi:keyvalue/types

#[export_name = "wasi:keyvalue/types|drop-bucket"]
extern "C" fn drop_bucket(bucket: u32) {
    <Adapter as types::Guest>::drop_bucket(bucket)
}

#[export_name = "wasi:keyvalue/types|open-bucket"]
unsafe extern "C" fn open_bucket(ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe {
        let r = text(ptr, len, "bucket name").and_then(<Adapter as types::Guest>::open_bucket);
        put_u32(ret, r)
    }
}

#[export_name = "wasi:keyvalue/types|drop-outgoing-value"]
extern "C" fn drop_outgoing_value(value: u32) {
    <Adapter as types::Guest>::drop_outgoing_value(value)
}

#[export_name = "wasi:keyvalue/types|new-outgoing-value"]
extern "C" fn new_outgoing_value() -> u32 {
    <Adapter as types::Guest>::new_outgoing_value()
}

#[export_name = "wasi:keyvalue/types|outgoing-value-write-body-async"]
unsafe extern "C" fn outgoing_value_write_body_async(value: u32, ret: *mut u8) {
    // The stream would be the host's wasi:io, whose handle table the guest shares.
    let r = <Adapter as types::Guest>::outgoing_value_write_body_async(value).map(|s| s.take_handle());
    unsafe { put_u32(ret, r) }
}

#[export_name = "wasi:keyvalue/types|outgoing-value-write-body-sync"]
unsafe extern "C" fn outgoing_value_write_body_sync(value: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe {
        let body = Vec::from(bytes(ptr, len));
        put_unit(ret, <Adapter as types::Guest>::outgoing_value_write_body_sync(value, body))
    }
}

#[export_name = "wasi:keyvalue/types|drop-incoming-value"]
extern "C" fn drop_incoming_value(value: u32) {
    <Adapter as types::Guest>::drop_incoming_value(value)
}

#[export_name = "wasi:keyvalue/types|incoming-value-consume-sync"]
unsafe extern "C" fn incoming_value_consume_sync(value: u32, ret: *mut u8) {
    let r = <Adapter as types::Guest>::incoming_value_consume_sync(value);
    unsafe { put_result(ret, 4, r, |at, v| put_list(at, give(&v))) }
}

#[export_name = "wasi:keyvalue/types|incoming-value-consume-async"]
unsafe extern "C" fn incoming_value_consume_async(value: u32, ret: *mut u8) {
    let r = <Adapter as types::Guest>::incoming_value_consume_async(value).map(|s| s.take_handle());
    unsafe { put_u32(ret, r) }
}

#[export_name = "wasi:keyvalue/types|size"]
extern "C" fn size(value: u32) -> u64 {
    <Adapter as types::Guest>::size(value)
}

// --- wasi:keyvalue/readwrite

#[export_name = "wasi:keyvalue/readwrite|get"]
unsafe extern "C" fn get(bucket: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe { put_u32(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::get(bucket, k))) }
}

#[export_name = "wasi:keyvalue/readwrite|set"]
unsafe extern "C" fn set(bucket: u32, ptr: *const u8, len: usize, value: u32, ret: *mut u8) {
    unsafe { put_unit(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::set(bucket, k, value))) }
}

#[export_name = "wasi:keyvalue/readwrite|delete"]
unsafe extern "C" fn delete(bucket: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe { put_unit(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::delete(bucket, k))) }
}

#[export_name = "wasi:keyvalue/readwrite|exists"]
unsafe extern "C" fn exists(bucket: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    unsafe { put_bool(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::exists(bucket, k))) }
}

// --- wasi:keyvalue/atomic

#[export_name = "wasi:keyvalue/atomic|increment"]
unsafe extern "C" fn increment(bucket: u32, ptr: *const u8, len: usize, delta: u64, ret: *mut u8) {
    let r = unsafe { text(ptr, len, "key") }.and_then(|k| <Adapter as atomic::Guest>::increment(bucket, k, delta));
    // result<u64, error>: the payload is 8-aligned.
    unsafe { put_result(ret, 8, r, |at, v| (at as *mut u64).write(v)) }
}

#[export_name = "wasi:keyvalue/atomic|compare-and-swap"]
unsafe extern "C" fn compare_and_swap(bucket: u32, ptr: *const u8, len: usize, old: u64, new: u64, ret: *mut u8) {
    let r = unsafe { text(ptr, len, "key") }
        .and_then(|k| <Adapter as atomic::Guest>::compare_and_swap(bucket, k, old, new));
    unsafe { put_bool(ret, r) }
}

// --- wasi:keyvalue/batch

#[export_name = "wasi:keyvalue/batch|get-many"]
unsafe extern "C" fn get_many(bucket: u32, ptr: *const u8, n: usize, ret: *mut u8) {
    let r = unsafe { texts(ptr, n) }.and_then(|keys| <Adapter as batch::Guest>::get_many(bucket, keys));
    unsafe {
        put_result(ret, 4, r, |at, handles| {
            // Written straight into the guest's block: one copy of the handle list.
            let block = main_realloc(null_mut(), 0, 4, handles.len() * 4) as *mut u32;
            for (i, h) in handles.iter().enumerate() {
                block.add(i).write(*h);
            }
            put_list(at, (block as u32, handles.len() as u32))
        })
    }
}

#[export_name = "wasi:keyvalue/batch|get-keys"]
unsafe extern "C" fn get_keys(bucket: u32, ret: *mut u8) {
    let keys = <Adapter as batch::Guest>::get_keys(bucket);
    // SAFETY: a fresh block of (pointer, length) entries, filled before the guest sees it.
    unsafe {
        let block = main_realloc(null_mut(), 0, 4, keys.len() * 8) as *mut u32;
        for (i, key) in keys.iter().enumerate() {
            let (p, l) = give(key.as_bytes());
            block.add(2 * i).write(p);
            block.add(2 * i + 1).write(l);
        }
        put_list(ret, (block as u32, keys.len() as u32))
    }
}

#[export_name = "wasi:keyvalue/batch|set-many"]
unsafe extern "C" fn set_many(bucket: u32, ptr: *const u8, n: usize, ret: *mut u8) {
    let mut pairs = Vec::with_capacity(n);
    let mut bad = None;
    for i in 0..n {
        // SAFETY: `n` 12-byte (key pointer, key length, outgoing-value) entries at `ptr`.
        let entry = unsafe { ptr.add(i * 12) };
        let (p, l) = unsafe { pair(entry) };
        let value = unsafe { *(entry.add(8) as *const u32) };
        match unsafe { text(p as *const u8, l, "key") } {
            Ok(key) => pairs.push((key, value)),
            Err(e) => {
                bad = Some(e);
                break;
            }
        }
    }
    let r = match bad {
        Some(e) => Err(e),
        None => <Adapter as batch::Guest>::set_many(bucket, pairs),
    };
    unsafe { put_unit(ret, r) }
}

#[export_name = "wasi:keyvalue/batch|delete-many"]
unsafe extern "C" fn delete_many(bucket: u32, ptr: *const u8, n: usize, ret: *mut u8) {
    let r = unsafe { texts(ptr, n) }.and_then(|keys| <Adapter as batch::Guest>::delete_many(bucket, keys));
    unsafe { put_unit(ret, r) }
}

// --- wasi:keyvalue/wasi-cloud-error

#[export_name = "wasi:keyvalue/wasi-cloud-error|drop-error"]
extern "C" fn drop_error(error: u32) {
    <Adapter as wasi_cloud_error::Guest>::drop_error(error)
}

#[export_name = "wasi:keyvalue/wasi-cloud-error|trace"]
unsafe extern "C" fn trace_of(error: u32, ret: *mut u8) {
    let text = <Adapter as wasi_cloud_error::Guest>::trace(error);
    unsafe { put_list(ret, give(text.as_bytes())) }
}
