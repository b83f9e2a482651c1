//! The fused G2 front on G5 or G6 (see `fused`): one core export per G2 function, over
//! the u32-handle front (`front/u32_handles.rs`), whose handles G2 already names itself.

use alloc::vec::Vec;

use super::{bytes, give, give_strings, pair, put_bool, put_list, put_result, put_u32, put_unit};
use crate::exports::wasi::keyvalue::{atomic, batch, readwrite, types, wasi_cloud_error};
#[cfg(feature = "io")]
use crate::front::u32_handles::run;
use crate::Adapter;

u32_handle_exports!("wasi:keyvalue/");

// --- wasi:keyvalue/types

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

// --- wasi:keyvalue/batch

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

