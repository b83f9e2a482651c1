//! The exports the fused G1 and G2 fronts share word for word: G1 named G2's functions by
//! plain interface names, so `u32_handle_exports!` is expanded in `g1.rs` with no prefix and
//! in `g2.rs` with `wasi:keyvalue/`, where `types`, `readwrite`, `atomic`, `batch` and
//! `wasi_cloud_error` name that front's bindings. Each file keeps what differs: bodies
//! (G1's streams, G2's sync and async writes), `consume-async` and `set-many`.

/// The guest's string at `ptr`; not UTF-8 is an error handle naming `what`.
pub(super) unsafe fn text(ptr: *const u8, len: usize, what: &str) -> Result<alloc::string::String, u32> {
    // SAFETY: per the caller.
    unsafe { super::text(ptr, len, what) }.or_else(|t| crate::front::u32_handles::run(|_| Err(t)))
}

/// A `list<string>` argument; a key that is not UTF-8 is an error handle.
pub(super) unsafe fn texts(ptr: *const u8, n: usize) -> Result<alloc::vec::Vec<alloc::string::String>, u32> {
    // SAFETY: per the caller.
    unsafe { super::texts(ptr, n) }.or_else(|t| crate::front::u32_handles::run(|_| Err(t)))
}

/// A `list<u32>` copied into a block of the guest's allocator: (pointer, length).
pub(super) fn give_u32s(items: &[u32]) -> (u32, u32) {
    // SAFETY: a fresh block of `items.len()` u32s, filled before the guest sees it.
    unsafe {
        let block = super::main_realloc(core::ptr::null_mut(), 0, 4, items.len() * 4) as *mut u32;
        core::ptr::copy_nonoverlapping(items.as_ptr(), block, items.len());
        (block as u32, items.len() as u32)
    }
}

macro_rules! u32_handle_exports {
    ($ns:literal) => {
        use $crate::fused::u32_handles::{give_u32s, text, texts};

        #[export_name = concat!($ns, "types|drop-bucket")]
        extern "C" fn drop_bucket(bucket: u32) {
            <Adapter as types::Guest>::drop_bucket(bucket)
        }

        #[export_name = concat!($ns, "types|open-bucket")]
        unsafe extern "C" fn open_bucket(ptr: *const u8, len: usize, ret: *mut u8) {
            unsafe { put_u32(ret, text(ptr, len, "bucket name").and_then(<Adapter as types::Guest>::open_bucket)) }
        }

        #[export_name = concat!($ns, "types|drop-outgoing-value")]
        extern "C" fn drop_outgoing_value(value: u32) {
            <Adapter as types::Guest>::drop_outgoing_value(value)
        }

        #[export_name = concat!($ns, "types|new-outgoing-value")]
        extern "C" fn new_outgoing_value() -> u32 {
            <Adapter as types::Guest>::new_outgoing_value()
        }

        #[export_name = concat!($ns, "types|drop-incoming-value")]
        extern "C" fn drop_incoming_value(value: u32) {
            <Adapter as types::Guest>::drop_incoming_value(value)
        }

        #[export_name = concat!($ns, "types|incoming-value-consume-sync")]
        unsafe extern "C" fn incoming_value_consume_sync(value: u32, ret: *mut u8) {
            let r = <Adapter as types::Guest>::incoming_value_consume_sync(value);
            unsafe { put_result(ret, 4, r, |at, v| put_list(at, give(&v))) }
        }

        #[export_name = concat!($ns, "types|size")]
        extern "C" fn size(value: u32) -> u64 {
            <Adapter as types::Guest>::size(value)
        }

        #[export_name = concat!($ns, "readwrite|get")]
        unsafe extern "C" fn get(bucket: u32, ptr: *const u8, len: usize, ret: *mut u8) {
            unsafe { put_u32(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::get(bucket, k))) }
        }

        #[export_name = concat!($ns, "readwrite|set")]
        unsafe extern "C" fn set(bucket: u32, ptr: *const u8, len: usize, value: u32, ret: *mut u8) {
            unsafe { put_unit(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::set(bucket, k, value))) }
        }

        #[export_name = concat!($ns, "readwrite|delete")]
        unsafe extern "C" fn delete(bucket: u32, ptr: *const u8, len: usize, ret: *mut u8) {
            unsafe { put_unit(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::delete(bucket, k))) }
        }

        #[export_name = concat!($ns, "readwrite|exists")]
        unsafe extern "C" fn exists(bucket: u32, ptr: *const u8, len: usize, ret: *mut u8) {
            unsafe { put_bool(ret, text(ptr, len, "key").and_then(|k| <Adapter as readwrite::Guest>::exists(bucket, k))) }
        }

        #[export_name = concat!($ns, "atomic|increment")]
        unsafe extern "C" fn increment(bucket: u32, ptr: *const u8, len: usize, delta: u64, ret: *mut u8) {
            let r = unsafe { text(ptr, len, "key") }.and_then(|k| <Adapter as atomic::Guest>::increment(bucket, k, delta));
            // result<u64, error>: the payload is 8-aligned.
            unsafe { put_result(ret, 8, r, |at, v| (at as *mut u64).write(v)) }
        }

        #[export_name = concat!($ns, "atomic|compare-and-swap")]
        unsafe extern "C" fn compare_and_swap(bucket: u32, ptr: *const u8, len: usize, old: u64, new: u64, ret: *mut u8) {
            let r = unsafe { text(ptr, len, "key") }.and_then(|k| <Adapter as atomic::Guest>::compare_and_swap(bucket, k, old, new));
            unsafe { put_bool(ret, r) }
        }

        #[export_name = concat!($ns, "batch|get-many")]
        unsafe extern "C" fn get_many(bucket: u32, ptr: *const u8, n: usize, ret: *mut u8) {
            let r = unsafe { texts(ptr, n) }.and_then(|keys| <Adapter as batch::Guest>::get_many(bucket, keys));
            unsafe { put_result(ret, 4, r, |at, handles| put_list(at, give_u32s(&handles))) }
        }

        #[export_name = concat!($ns, "batch|get-keys")]
        unsafe extern "C" fn get_keys(bucket: u32, ret: *mut u8) {
            unsafe { put_list(ret, give_strings(&<Adapter as batch::Guest>::get_keys(bucket))) }
        }

        #[export_name = concat!($ns, "batch|delete-many")]
        unsafe extern "C" fn delete_many(bucket: u32, ptr: *const u8, n: usize, ret: *mut u8) {
            let r = unsafe { texts(ptr, n) }.and_then(|keys| <Adapter as batch::Guest>::delete_many(bucket, keys));
            unsafe { put_unit(ret, r) }
        }

        #[export_name = concat!($ns, "wasi-cloud-error|drop-error")]
        extern "C" fn drop_error(error: u32) {
            <Adapter as wasi_cloud_error::Guest>::drop_error(error)
        }

        #[export_name = concat!($ns, "wasi-cloud-error|trace")]
        unsafe extern "C" fn trace_of(error: u32, ret: *mut u8) {
            let text = <Adapter as wasi_cloud_error::Guest>::trace(error);
            unsafe { put_list(ret, give(text.as_bytes())) }
        }
    };
}
