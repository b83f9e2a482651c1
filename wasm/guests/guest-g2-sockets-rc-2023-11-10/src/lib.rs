//! A command of November 2023 on `wasi:sockets@0.2.0-rc-2023-11-10` and unversioned G2
//! key-value. It asks a TCP and a UDP socket of each address family for `ipv6-only` and
//! tries to set it both ways: functions 0.2.0 removed, so `kv-adapt plug` must shim them.
//! It prints one line per socket, then the number of runs so far (G2 `increment`).

wit_bindgen::generate!({
    path: concat!(env!("OUT_DIR"), "/wit"),
    world: "kv-adapt:guest-sockets-rc/guest",
    generate_all,
});

use exports::wasi::cli::run::Guest;
use wasi::keyvalue::{atomic, types, wasi_cloud_error};
use wasi::sockets::network::{ErrorCode, IpAddressFamily};
use wasi::sockets::{tcp_create_socket, udp_create_socket};

struct Command;

impl Guest for Command {
    fn run() -> Result<(), ()> {
        let mut out = String::new();
        for (name, family) in [("ipv4", IpAddressFamily::Ipv4), ("ipv6", IpAddressFamily::Ipv6)] {
            match tcp_create_socket::create_tcp_socket(family) {
                Ok(socket) => out.push_str(&format!(
                    "tcp {name}: ipv6-only {}; set true {}; set false {}\n",
                    shown(socket.ipv6_only()),
                    shown(socket.set_ipv6_only(true)),
                    shown(socket.set_ipv6_only(false)),
                )),
                Err(code) => out.push_str(&format!("tcp {name}: no socket: {}\n", code.name())),
            }
            match udp_create_socket::create_udp_socket(family) {
                Ok(socket) => out.push_str(&format!(
                    "udp {name}: ipv6-only {}; set true {}; set false {}\n",
                    shown(socket.ipv6_only()),
                    shown(socket.set_ipv6_only(true)),
                    shown(socket.set_ipv6_only(false)),
                )),
                Err(code) => out.push_str(&format!("udp {name}: no socket: {}\n", code.name())),
            }
        }
        let runs = count_run().map_err(|trace| out.push_str(&format!("key-value error: {trace}\n")));
        if let Ok(runs) = runs {
            out.push_str(&format!("run {runs}\n"));
        }
        let stdout = wasi::cli::stdout::get_stdout();
        for chunk in out.as_bytes().chunks(4096) {
            stdout.blocking_write_and_flush(chunk).map_err(|_| ())?;
        }
        runs.map(|_| ())
    }
}

export!(Command);

/// `ok(…)` or `err(<error-code name>)`, as the WIT spells them.
fn shown<T: std::fmt::Debug>(result: Result<T, ErrorCode>) -> String {
    match result {
        Ok(value) => format!("ok({value:?})"),
        Err(code) => format!("err({})", code.name()),
    }
}

fn count_run() -> Result<u64, String> {
    let trace = |error: wasi_cloud_error::Error| {
        let text = wasi_cloud_error::trace(error);
        wasi_cloud_error::drop_error(error);
        text
    };
    let bucket = types::open_bucket("").map_err(trace)?;
    let runs = atomic::increment(bucket, "runs", 1).map_err(trace);
    types::drop_bucket(bucket);
    runs
}
