//! WASI rc-2023-11-10 → 0.2.0: the functions 0.2.0 changed or removed, as freestanding
//! exports with exactly their rc-2023-11-10 types, which `kv_adapt::wasi_shim` hands to the
//! component in place of the host's. One build per group (feature):
//! - `http-request-options`: wasi:http's six request-options timeouts, in milliseconds;
//! - `http-future-trailers`: wasi:http's `future-trailers.get`;
//! - `sockets-tcp`, `sockets-udp`: wasi:sockets' `ipv6-only` and `set-ipv6-only`.
//!
//! Nothing is wrapped: the resources are the host's, and every other function goes to the
//! host untouched.
//!
//! Lossy: a timeout read back is rounded down to whole milliseconds (only one set in
//! nanoseconds by someone else has a remainder); a timeout too long for 0.2.0's u64 of
//! nanoseconds is the setter's plain error. A second `future-trailers.get`, which 0.2.0
//! answers with an outer `err` rc-2023-11-10 cannot express, is an `internal-error` that
//! says so. `ipv6-only` is answered from the address family (0.2.0's IPv6 sockets are
//! always IPv6-only), and turning it off is `not-supported`, as rc-2023-11-10 allowed a
//! host without dual-stack sockets to say.

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

#[cfg(feature = "http-request-options")]
mod http_request_options {
    use kv_adapt_convert::http_rc::{timeout_ms_to_ns, timeout_ns_to_ms};

    wit_bindgen::generate!({
        path: concat!(env!("OUT_DIR"), "/wit"),
        world: "kv-adapt:rc-shims/http-request-options-shim",
        generate_all,
    });

    use exports::kv_adapt::rc_shims::http_request_options::Guest;
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

#[cfg(feature = "http-future-trailers")]
mod http_future_trailers {
    use kv_adapt_convert::http_rc::{trailers_once, TRAILERS_TAKEN};
    use alloc::string::ToString;

    wit_bindgen::generate!({
        path: concat!(env!("OUT_DIR"), "/wit"),
        world: "kv-adapt:rc-shims/http-future-trailers-shim",
        generate_all,
    });

    use exports::kv_adapt::rc_shims::http_future_trailers::Guest;
    use wasi::http::types::{ErrorCode, FutureTrailers, Trailers};

    struct Shim;

    impl Guest for Shim {
        fn get(trailers: &FutureTrailers) -> Option<Result<Option<Trailers>, ErrorCode>> {
            trailers_once(trailers.get(), || ErrorCode::InternalError(Some(TRAILERS_TAKEN.to_string())))
        }
    }

    export!(Shim);
}

/// One socket kind's `ipv6-only` pair over its 0.2.0 `address-family`.
macro_rules! ipv6_only_shim {
    ($feature:literal, $module:ident, $world:literal, $interface:ident, $family:path) => {
        #[cfg(feature = $feature)]
        mod $module {
            use kv_adapt_convert::sockets_rc;

            wit_bindgen::generate!({
                path: concat!(env!("OUT_DIR"), "/wit"),
                world: $world,
                generate_all,
            });

            use exports::kv_adapt::rc_shims::$interface::Guest;
            use wasi::sockets::network::{ErrorCode, IpAddressFamily};
            use $family as Socket;

            fn is_ipv6(socket: &Socket) -> bool {
                match socket.address_family() {
                    IpAddressFamily::Ipv6 => true,
                    IpAddressFamily::Ipv4 => false,
                }
            }

            struct Shim;

            impl Guest for Shim {
                fn ipv6_only(socket: &Socket) -> Result<bool, ErrorCode> {
                    sockets_rc::ipv6_only(is_ipv6(socket)).map_err(|()| ErrorCode::NotSupported)
                }
                fn set_ipv6_only(socket: &Socket, value: bool) -> Result<(), ErrorCode> {
                    sockets_rc::set_ipv6_only(is_ipv6(socket), value).map_err(|()| ErrorCode::NotSupported)
                }
            }

            export!(Shim);
        }
    };
}

ipv6_only_shim!("sockets-tcp", sockets_tcp, "kv-adapt:rc-shims/sockets-tcp-shim", sockets_tcp, wasi::sockets::tcp::TcpSocket);
ipv6_only_shim!("sockets-udp", sockets_udp, "kv-adapt:rc-shims/sockets-udp-shim", sockets_udp, wasi::sockets::udp::UdpSocket);
