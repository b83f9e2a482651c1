//! The fused flavour: the same adapter, linked by wit-component *inside* the guest's
//! component as an adapter module (as wasmtime's preview1 adapter is), so a guest's call is
//! a core call into this module and values never cross a component boundary between guest
//! and adapter.
//!
//! The guest's legacy imports are renamed by `kv-adapt plug` to module `kv-adapt`, field
//! `<interface>|<function>` (`[resource-drop]`-style names repeat across interfaces, so the
//! interface stays in the field); each export of the front's file is the canonical ABI's
//! *lowered* form of that import, reading and writing the guest's memory, which this module
//! shares. Every export calls the composed flavour's own code, so results and traces are
//! the same by construction. One file per front: `g1` and `g2` (u32 handles; G1 with its
//! own streams) and `eventual` (G3 and G4, resources, whose handles this module hands out
//! itself).
//!
//! Differs from the composed flavour in every front:
//! - a key or bucket name that is not UTF-8 is a `bad-value` error here; a composition's
//!   canonical ABI traps on it before the adapter sees it;
//! - lists handed to the guest are allocated with the guest's own `cabi_realloc` and filled
//!   with one copy, as a host's lowering would.
//!
//! With feature `io` (G2, G3, G4) the value-body streams are served here too (`io`), for
//! guests whose wasi:io is nothing but value bodies; G1's streams are its own interface and
//! always fused. With `forward` (G3, G4) every other stream, pollable and error goes to the
//! host's wasi:io (`host_io`), which is this flavour's form of the wrapping ones. Not fused
//! (plug composes instead): guests that export `handle-watch`, whose types must stay a
//! component import.

use alloc::string::String;
use alloc::vec::Vec;
use core::ptr::null_mut;

use kv_adapt_convert::trace;

#[cfg(any(feature = "front-g1", feature = "front-g2"))]
#[macro_use]
mod u32_handles;
#[cfg(feature = "front-g1")]
mod g1;
#[cfg(feature = "front-g2")]
mod g2;
#[cfg(any(feature = "front-g3", feature = "front-g4"))]
mod eventual;
#[cfg(feature = "io")]
mod io;
#[cfg(feature = "forward")]
mod host_io;

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
pub(super) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: per the caller; the guest's memory is this module's memory.
    unsafe { core::slice::from_raw_parts(ptr, len) }
}

/// The guest's string at `ptr`, owned; not UTF-8 is the trace of an error naming `what`.
pub(super) unsafe fn text(ptr: *const u8, len: usize, what: &str) -> Result<String, String> {
    // SAFETY: per the caller.
    match core::str::from_utf8(unsafe { bytes(ptr, len) }) {
        Ok(s) => Ok(String::from(s)),
        Err(_) => Err(trace::not_utf8(what)),
    }
}

/// A `list<string>` argument: `n` (pointer, length) pairs at `ptr`.
pub(super) unsafe fn texts(ptr: *const u8, n: usize) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // SAFETY: the guest's list is `n` 8-byte (pointer, length) entries at `ptr`.
        let (p, l) = unsafe { pair(ptr.add(i * 8)) };
        out.push(unsafe { text(p as *const u8, l, "key")? });
    }
    Ok(out)
}

/// The two 32-bit words at `at`.
pub(super) unsafe fn pair(at: *const u8) -> (usize, usize) {
    // SAFETY: per the caller; the canonical ABI aligns list entries to 4.
    unsafe { (*(at as *const u32) as usize, *(at.add(4) as *const u32) as usize) }
}

/// Bytes `data` copied into a block of the guest's allocator: (pointer, length).
pub(super) fn give(data: &[u8]) -> (u32, u32) {
    // SAFETY: a fresh block of `data.len()` bytes, filled before the guest sees it.
    unsafe {
        let p = main_realloc(null_mut(), 0, 1, data.len());
        core::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
        (p as u32, data.len() as u32)
    }
}

/// A `list<string>` for the guest: each string and the (pointer, length) block in blocks of
/// its allocator.
pub(super) fn give_strings(items: &[String]) -> (u32, u32) {
    // SAFETY: a fresh block of (pointer, length) entries, filled before the guest sees it.
    unsafe {
        let block = main_realloc(null_mut(), 0, 4, items.len() * 8) as *mut u32;
        for (i, item) in items.iter().enumerate() {
            let (p, l) = give(item.as_bytes());
            block.add(2 * i).write(p);
            block.add(2 * i + 1).write(l);
        }
        (block as u32, items.len() as u32)
    }
}

/// Writes a `list<u8>`- or `string`-shaped value (pointer, length) at `at`.
pub(super) unsafe fn put_list(at: *mut u8, (p, l): (u32, u32)) {
    // SAFETY: `at` is a 4-aligned return slot of the guest.
    unsafe {
        (at as *mut u32).write(p);
        (at.add(4) as *mut u32).write(l);
    }
}

/// A `result<T, E>` whose payload sits at `offset`: the tag, then `ok` or `err` writes it.
pub(super) unsafe fn put_either<T, E>(
    ret: *mut u8,
    offset: usize,
    r: Result<T, E>,
    ok: impl FnOnce(*mut u8, T),
    err: impl FnOnce(*mut u8, E),
) {
    // SAFETY: `ret` is the guest's return area for this function's result type.
    unsafe {
        match r {
            Ok(v) => {
                ret.write(0);
                ok(ret.add(offset), v);
            }
            Err(e) => {
                ret.write(1);
                err(ret.add(offset), e);
            }
        }
    }
}

/// A `result<T, error>` whose payload sits at `offset`: the tag, then `ok` or the error.
pub(super) unsafe fn put_result<T>(ret: *mut u8, offset: usize, r: Result<T, u32>, ok: impl FnOnce(*mut u8, T)) {
    // SAFETY: per `put_either`; an error handle is a u32.
    unsafe { put_either(ret, offset, r, ok, |at, e| (at as *mut u32).write(e)) }
}

pub(super) unsafe fn put_u32(ret: *mut u8, r: Result<u32, u32>) {
    // SAFETY: per `put_result`.
    unsafe { put_result(ret, 4, r, |at, v| (at as *mut u32).write(v)) }
}

pub(super) unsafe fn put_unit(ret: *mut u8, r: Result<(), u32>) {
    // SAFETY: per `put_result`.
    unsafe { put_result(ret, 4, r, |_, ()| {}) }
}

pub(super) unsafe fn put_bool(ret: *mut u8, r: Result<bool, u32>) {
    // SAFETY: per `put_result`.
    unsafe { put_result(ret, 4, r, |at, v| at.write(v as u8)) }
}

