//! The host's wasi:io@0.2.0 as the fused forwarding flavour (feature `forward`) imports
//! it: every stream, pollable and error handle the adapter did not issue is the host's
//! (`kv_adapt_convert::slab::issued_by_adapter`) and its call goes here unchanged. The
//! adapter module sits in the guest's component, so the guest, the adapter and the host's
//! other WASI (cli, clocks, filesystem, http, sockets) share one handle table: a host
//! handle needs no wrapping, whichever interface made it.
//!
//! Lists the host returns for the guest (`read`, `poll`, `to-debug-string`) are allocated
//! straight in the guest's allocator (`cabi_import_realloc` while [`for_guest`] runs), so
//! a forwarded read costs what a direct host call costs: no second copy.

use core::alloc::Layout;
use core::sync::atomic::{AtomicBool, Ordering};

// Core signatures as the canonical ABI lowers each function: a result of more than one
// flat value goes through a return area (`ret`).
#[link(wasm_import_module = "wasi:io/error@0.2.0")]
extern "C" {
    #[link_name = "[resource-drop]error"]
    pub fn drop_error(h: u32);
    #[link_name = "[method]error.to-debug-string"]
    pub fn to_debug_string(h: u32, ret: *mut u8);
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[resource-drop]pollable"]
    pub fn drop_pollable(h: u32);
    #[link_name = "[method]pollable.ready"]
    pub fn ready(h: u32) -> u32;
    #[link_name = "[method]pollable.block"]
    pub fn block(h: u32);
    #[link_name = "poll"]
    pub fn poll(ptr: *const u8, n: usize, ret: *mut u8);
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[resource-drop]input-stream"]
    pub fn drop_input_stream(h: u32);
    #[link_name = "[method]input-stream.read"]
    pub fn read(h: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]input-stream.blocking-read"]
    pub fn blocking_read(h: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]input-stream.skip"]
    pub fn skip(h: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]input-stream.blocking-skip"]
    pub fn blocking_skip(h: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]input-stream.subscribe"]
    pub fn input_subscribe(h: u32) -> u32;
    #[link_name = "[resource-drop]output-stream"]
    pub fn drop_output_stream(h: u32);
    #[link_name = "[method]output-stream.check-write"]
    pub fn check_write(h: u32, ret: *mut u8);
    #[link_name = "[method]output-stream.write"]
    pub fn write(h: u32, ptr: *const u8, len: usize, ret: *mut u8);
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    pub fn blocking_write_and_flush(h: u32, ptr: *const u8, len: usize, ret: *mut u8);
    #[link_name = "[method]output-stream.flush"]
    pub fn flush(h: u32, ret: *mut u8);
    #[link_name = "[method]output-stream.blocking-flush"]
    pub fn blocking_flush(h: u32, ret: *mut u8);
    #[link_name = "[method]output-stream.subscribe"]
    pub fn output_subscribe(h: u32) -> u32;
    #[link_name = "[method]output-stream.write-zeroes"]
    pub fn write_zeroes(h: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]output-stream.blocking-write-zeroes-and-flush"]
    pub fn blocking_write_zeroes_and_flush(h: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]output-stream.splice"]
    pub fn splice(h: u32, src: u32, len: u64, ret: *mut u8);
    #[link_name = "[method]output-stream.blocking-splice"]
    pub fn blocking_splice(h: u32, src: u32, len: u64, ret: *mut u8);
}

/// Set while a forwarded call's result list belongs to the guest.
static FOR_GUEST: AtomicBool = AtomicBool::new(false);

/// Runs `call` (a forwarded host call) with the lists it returns allocated by the guest.
pub fn for_guest<T>(call: impl FnOnce() -> T) -> T {
    FOR_GUEST.store(true, Ordering::Relaxed);
    let r = call();
    FOR_GUEST.store(false, Ordering::Relaxed);
    r
}

/// The allocator wit-component gives the host's lowering of every import of this module:
/// the guest's own for a forwarded result, else this module's heap, as wit-bindgen's
/// `cabi_realloc` would (its bindings free those blocks with the same layout).
#[no_mangle]
unsafe extern "C" fn cabi_import_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    if FOR_GUEST.load(Ordering::Relaxed) {
        // SAFETY: the canonical ABI's realloc contract, passed on to the guest's.
        return unsafe { super::main_realloc(old, old_len, align, new_len) };
    }
    // SAFETY: the canonical ABI passes a power-of-two `align` and, for `old`, the block
    // and size this function returned.
    let p = unsafe {
        if old_len == 0 {
            if new_len == 0 {
                return align as *mut u8;
            }
            alloc::alloc::alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            alloc::alloc::realloc(old, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    };
    if p.is_null() {
        // The host's lowering cannot be told "no memory": a broken invariant of this module.
        core::arch::wasm32::unreachable()
    }
    p
}

/// A host `result<list<u8>, stream-error>` in return area `ret`, decoded: the bytes (in
/// this module's heap) or the stream error (`Some(error handle)` for `last-operation-failed`,
/// `None` for `closed`).
pub unsafe fn read_result(ret: *const u8) -> Result<alloc::vec::Vec<u8>, Option<u32>> {
    // SAFETY: `ret` was filled by the host's lowering of a read: tag at 0, then the list
    // (pointer, length) or the stream-error (tag at 4, handle at 8).
    unsafe {
        if *ret == 0 {
            let p = *(ret.add(4) as *const u32) as *mut u8;
            let n = *(ret.add(8) as *const u32) as usize;
            // A block of `n` bytes from `cabi_import_realloc` outside `for_guest`: this
            // module's heap, with the layout wit-bindgen would free it with.
            Ok(if n == 0 { alloc::vec::Vec::new() } else { alloc::vec::Vec::from_raw_parts(p, n, n) })
        } else {
            Err((*ret.add(4) == 0).then(|| *(ret.add(8) as *const u32)))
        }
    }
}

/// A host `result<_, stream-error>` in return area `ret` with its payload at `at`: `Ok`
/// with the payload area, or the stream error as in [`read_result`].
pub unsafe fn status(ret: *const u8, at: usize) -> Result<*const u8, Option<u32>> {
    // SAFETY: per the caller, a result the host wrote; the error payload starts at `at`.
    unsafe {
        if *ret == 0 {
            Ok(ret.add(at))
        } else {
            Err((*ret.add(at) == 0).then(|| *(ret.add(at + 4) as *const u32)))
        }
    }
}
