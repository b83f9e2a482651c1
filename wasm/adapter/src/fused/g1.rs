//! The fused G1 front on G5 or G6 (see `fused`): one core export per function of G1's
//! plain-named interfaces, over the composed front's own functions (`front/u32_handles.rs`,
//! `front/g1.rs`). G1's streams are its own interface, served from the adapter's memory in
//! every flavour, so unlike the later fronts the fused G1 front keeps its value bodies.

use alloc::string::String;
use alloc::vec::Vec;

use super::{bytes, give, give_strings, pair, put_bool, put_either, put_list, put_result, put_u32, put_unit};
use crate::exports::{atomic, batch, readwrite, streams, types, wasi_cloud_error};
use crate::Adapter;

u32_handle_exports!("");

/// A stream function's `result<T>`, which has no error payload: the tag, then `ok` at
/// `offset`.
unsafe fn put_stream<T>(ret: *mut u8, offset: usize, r: Result<T, ()>, ok: impl FnOnce(*mut u8, T)) {
    // SAFETY: per `put_either`.
    unsafe { put_either(ret, offset, r, ok, |_, ()| {}) }
}

/// `result<tuple<u64, bool>>`: the u64 at 8, the flag at 16.
unsafe fn put_count_and_end(ret: *mut u8, r: Result<(u64, bool), ()>) {
    unsafe {
        put_stream(ret, 8, r, |at, (n, end)| {
            (at as *mut u64).write(n);
            at.add(8).write(end as u8);
        })
    }
}

/// `result<u64>`: the u64 at 8.
unsafe fn put_count(ret: *mut u8, r: Result<u64, ()>) {
    unsafe { put_stream(ret, 8, r, |at, n| (at as *mut u64).write(n)) }
}

// --- streams

#[export_name = "streams|read"]
unsafe extern "C" fn read(src: u32, len: u64, ret: *mut u8) {
    let r = <Adapter as streams::Guest>::read(src, len);
    // result<tuple<list<u8>, bool>>: the list at 4, the flag at 12.
    unsafe {
        put_stream(ret, 4, r, |at, (data, end)| {
            put_list(at, give(&data));
            at.add(8).write(end as u8);
        })
    }
}

#[export_name = "streams|skip"]
unsafe extern "C" fn skip(src: u32, len: u64, ret: *mut u8) {
    unsafe { put_count_and_end(ret, <Adapter as streams::Guest>::skip(src, len)) }
}

#[export_name = "streams|write"]
unsafe extern "C" fn write(dst: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    // SAFETY: the guest's buffer argument.
    let buf = Vec::from(unsafe { bytes(ptr, len) });
    unsafe { put_count(ret, <Adapter as streams::Guest>::write(dst, buf)) }
}

#[export_name = "streams|write-repeated"]
unsafe extern "C" fn write_repeated(dst: u32, byte: u32, len: u64, ret: *mut u8) {
    // A `u8` argument arrives as an i32; the canonical ABI keeps its low byte.
    unsafe { put_count(ret, <Adapter as streams::Guest>::write_repeated(dst, byte as u8, len)) }
}

#[export_name = "streams|splice"]
unsafe extern "C" fn splice(dst: u32, src: u32, len: u64, ret: *mut u8) {
    unsafe { put_count_and_end(ret, <Adapter as streams::Guest>::splice(dst, src, len)) }
}

#[export_name = "streams|forward"]
unsafe extern "C" fn forward(dst: u32, src: u32, ret: *mut u8) {
    unsafe { put_count(ret, <Adapter as streams::Guest>::forward(dst, src)) }
}

#[export_name = "streams|drop-input-stream"]
extern "C" fn drop_input_stream(f: u32) {
    <Adapter as streams::Guest>::drop_input_stream(f)
}

#[export_name = "streams|drop-output-stream"]
extern "C" fn drop_output_stream(f: u32) {
    <Adapter as streams::Guest>::drop_output_stream(f)
}

// --- types

#[export_name = "types|outgoing-value-write-body"]
unsafe extern "C" fn outgoing_value_write_body(value: u32, ret: *mut u8) {
    let r = <Adapter as types::Guest>::outgoing_value_write_body(value);
    unsafe { put_stream(ret, 4, r, |at, stream| (at as *mut u32).write(stream)) }
}

#[export_name = "types|incoming-value-consume-async"]
unsafe extern "C" fn incoming_value_consume_async(value: u32, ret: *mut u8) {
    unsafe { put_u32(ret, <Adapter as types::Guest>::incoming_value_consume_async(value)) }
}

// --- batch

/// G1 names the keys twice: `keys`, and the key of each (key, outgoing-value) pair.
#[export_name = "batch|set-many"]
unsafe extern "C" fn set_many(bucket: u32, keys_ptr: *const u8, keys_n: usize, ptr: *const u8, n: usize, ret: *mut u8) {
    let read_pairs = || -> Result<Vec<(String, u32)>, u32> {
        let mut pairs = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: `n` 12-byte (key pointer, key length, outgoing-value) entries at `ptr`.
            let entry = unsafe { ptr.add(i * 12) };
            let (p, l) = unsafe { pair(entry) };
            let value = unsafe { *(entry.add(8) as *const u32) };
            pairs.push((unsafe { text(p as *const u8, l, "key") }?, value));
        }
        Ok(pairs)
    };
    let r = unsafe { texts(keys_ptr, keys_n) }
        .and_then(|keys| Ok((keys, read_pairs()?)))
        .and_then(|(keys, pairs)| <Adapter as batch::Guest>::set_many(bucket, keys, pairs));
    unsafe { put_unit(ret, r) }
}

