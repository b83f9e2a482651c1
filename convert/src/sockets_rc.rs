//! wasi:sockets rc-2023-11-10 onto 0.2.0: `ipv6-only` and `set-ipv6-only`, which 0.2.0
//! removed because its IPv6 sockets are always IPv6-only (it refuses IPv4-mapped
//! addresses). Answered from the socket's address family, as rc-2023-11-10 documents them:
//! `not-supported` on an IPv4 socket, and for turning IPv6-only off, which a host without
//! dual-stack sockets may refuse.

/// What `ipv6-only` answers for a socket of this family; `Err` is `not-supported`.
pub fn ipv6_only(is_ipv6: bool) -> Result<bool, ()> {
    match is_ipv6 {
        true => Ok(true),
        false => Err(()),
    }
}

/// What `set-ipv6-only(value)` answers for a socket of this family; `Err` is
/// `not-supported`. Setting what is already so succeeds, bound or not: nothing changes.
pub fn set_ipv6_only(is_ipv6: bool, value: bool) -> Result<(), ()> {
    match (is_ipv6, value) {
        (true, true) => Ok(()),
        (true, false) | (false, _) => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_socket_is_ipv6_only_and_stays_so() {
        assert_eq!(ipv6_only(true), Ok(true));
        assert_eq!(set_ipv6_only(true, true), Ok(()));
        assert_eq!(set_ipv6_only(true, false), Err(()));
    }

    #[test]
    fn an_ipv4_socket_has_no_ipv6_only_setting() {
        assert_eq!(ipv6_only(false), Err(()));
        assert_eq!(set_ipv6_only(false, true), Err(()));
        assert_eq!(set_ipv6_only(false, false), Err(()));
    }
}
