//! wasi:sockets at 0.2.0 (our WIT as written) and at rc-2023-11-10, derived from it when a
//! build or test needs it, so the project keeps one text of wasi:sockets.
//!
//! rc-2023-11-10 differs from 0.2.0 only in its version strings and in `ipv6-only` /
//! `set-ipv6-only` on `tcp-socket` and `udp-socket`, which 0.2.0 removed (its IPv6 sockets
//! are always IPv6-only). Each edit below must apply exactly once, so a change to the source
//! WIT cannot slip past them.

use std::path::Path;

/// `wasi:sockets@0.2.0`, on `wasi:io` and `wasi:clocks` 0.2.0.
pub fn sockets_0_2_0(wit: &Path) -> String {
    let file = wit.join("sockets-0.2.0/sockets.wit");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()))
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once in the wasi:sockets 0.2.0 WIT");
    text.replacen(from, to, 1)
}

/// `wasi:sockets@0.2.0-rc-2023-11-10`, on `wasi:io` and `wasi:clocks` rc-2023-11-10.
pub fn sockets_rc_2023_11_10(wit: &Path) -> String {
    let text = sockets_0_2_0(wit);
    // The package line and the five uses of wasi:io and wasi:clocks; nothing else names a version.
    assert_eq!(text.matches("@0.2.0").count(), 6, "the wasi:sockets 0.2.0 WIT names other versions than expected");
    let mut text = text.replace("@0.2.0", "@0.2.0-rc-2023-11-10");
    for socket in ["tcp-socket", "udp-socket"] {
        text = replace_once(
            &text,
            &format!("    resource {socket} {{\n"),
            &format!(
                "    resource {socket} {{\n        \
                 /// IPV6_V6ONLY; dropped in 0.2.0, where an IPv6 socket is always IPv6-only.\n        \
                 ipv6-only: func() -> result<bool, error-code>;\n        \
                 set-ipv6-only: func(value: bool) -> result<_, error-code>;\n"
            ),
        );
    }
    text
}
