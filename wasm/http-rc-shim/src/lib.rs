//! wasi:http rc-2023-11-10 → 0.2.0: the seven `types` functions 0.2.0 changed, as
//! freestanding exports that `kv_adapt::wasi_shim` re-exports under their rc method names
//! next to the host's own resources and functions. Nothing is wrapped: the resources are
//! the host's, and every other function goes to the host untouched.
//!
//! Lossy: a timeout read back is rounded down to whole milliseconds (only one set in
//! nanoseconds by someone else has a remainder); a timeout too long for 0.2.0's u64 of
//! nanoseconds is the setter's plain error. A second `future-trailers.get`, which 0.2.0
//! answers with an outer `err` rc-2023-11-10 cannot express, is an `internal-error` that
//! says so.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

#[cfg(target_arch = "wasm32")]
#[path = "../../adapter/src/heap.rs"]
mod heap;

/// No input of the guest is checked here, so a panic is a broken invariant: a bare trap.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

use kv_adapt_convert::http_rc;

#[cfg(feature = "request-options")]
mod request_options {
    use super::http_rc::{timeout_ms_to_ns, timeout_ns_to_ms};

    wit_bindgen::generate!({
        path: concat!(env!("OUT_DIR"), "/wit"),
        world: "kv-adapt:http-rc-shim/request-options",
        generate_all,
    });

    use exports::kv_adapt::http_rc_shim::request_options_ms::Guest;
    use wasi::http::types::RequestOptions;

    struct Shim;

    impl Guest for Shim {
        fn connect_timeout_ms(options: &RequestOptions) -> Option<u64> {
            timeout_ns_to_ms(options.connect_timeout())
        }
        fn set_connect_timeout_ms(options: &RequestOptions, ms: Option<u64>) -> Result<(), ()> {
            options.set_connect_timeout(timeout_ms_to_ns(ms)?)
        }
        fn first_byte_timeout_ms(options: &RequestOptions) -> Option<u64> {
            timeout_ns_to_ms(options.first_byte_timeout())
        }
        fn set_first_byte_timeout_ms(options: &RequestOptions, ms: Option<u64>) -> Result<(), ()> {
            options.set_first_byte_timeout(timeout_ms_to_ns(ms)?)
        }
        fn between_bytes_timeout_ms(options: &RequestOptions) -> Option<u64> {
            timeout_ns_to_ms(options.between_bytes_timeout())
        }
        fn set_between_bytes_timeout_ms(options: &RequestOptions, ms: Option<u64>) -> Result<(), ()> {
            options.set_between_bytes_timeout(timeout_ms_to_ns(ms)?)
        }
    }

    export!(Shim);
}

#[cfg(feature = "future-trailers")]
mod future_trailers {
    use super::http_rc::{trailers_once, TRAILERS_TAKEN};
    use alloc::string::ToString;

    wit_bindgen::generate!({
        path: concat!(env!("OUT_DIR"), "/wit"),
        world: "kv-adapt:http-rc-shim/future-trailers",
        generate_all,
    });

    use exports::kv_adapt::http_rc_shim::future_trailers_get::Guest;
    use wasi::http::types::{ErrorCode, FutureTrailers, Trailers};

    struct Shim;

    impl Guest for Shim {
        fn get(trailers: &FutureTrailers) -> Option<Result<Option<Trailers>, ErrorCode>> {
            trailers_once(trailers.get(), || ErrorCode::InternalError(Some(TRAILERS_TAKEN.to_string())))
        }
    }

    export!(Shim);
}
