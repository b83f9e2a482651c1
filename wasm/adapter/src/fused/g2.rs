//! The fused G2 front on G5 or G6 (see `fused`): one core export per G2 function, over
//! the u32-handle front (`front/u32_handles.rs`), whose handles G2 already names itself.

use alloc::vec::Vec;
use core::ptr::null_mut;

use super::{bytes, give, main_realloc, pair, put_bool, put_list, put_result, put_u32, put_unit};
use crate::exports::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};
use crate::front::u32_handles::run;
use crate::Adapter;

/// The guest's string at `ptr`; not UTF-8 is an error handle naming `what`.
unsafe fn text(ptr: *const u8, len: usize, what: &str) -> Result<alloc::string::String, u32> {
    // SAFETY: per the caller.
    unsafe { super::text(ptr, len, what) }.or_else(|t| run(|_| Err(t)))
}

/// A `list<string>` argument; a key that is not UTF-8 is an error handle.
unsafe fn texts(ptr: *const u8, n: usize) -> Result<Vec<alloc::string::String>, u32> {
    // SAFETY: per the caller.
    unsafe { super::texts(ptr, n) }.or_else(|t| run(|_| Err(t)))
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

/// With `io`: an output stream that appends to the value's body (`fused/io.rs`).
#[cfg(feature = "io")]
#[export_name = "wasi:keyvalue/types|outgoing-value-write-body-async"]
unsafe extern "C" fn outgoing_value_write_body_async(value: u32, ret: *mut u8) {
    let r = run(|st| st.start_body(value, Vec::new())).and_then(|()| run(|_| super::io::new_output(value)));
    unsafe { put_u32(ret, r) }
}

#[cfg(not(feature = "io"))]
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

/// With `io`: an input stream over the value's bytes (`fused/io.rs`).
#[cfg(feature = "io")]
#[export_name = "wasi:keyvalue/types|incoming-value-consume-async"]
unsafe extern "C" fn incoming_value_consume_async(value: u32, ret: *mut u8) {
    let r = run(|st| st.consume(value)).and_then(|bytes| run(|_| super::io::new_input(bytes)));
    unsafe { put_u32(ret, r) }
}

#[cfg(not(feature = "io"))]
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
