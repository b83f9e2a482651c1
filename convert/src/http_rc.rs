//! wasi:http rc-2023-11-10 onto 0.2.0: the two conversions its changed functions need.
//!
//! rc-2023-11-10's request-options timeouts were in milliseconds (wasmtime 15 read them
//! with `Duration::from_millis`); 0.2.0's are a `duration` in nanoseconds.
//! rc-2023-11-10's `future-trailers.get` had no way to say "already taken"; 0.2.0 says it
//! with an outer `err`, which the old caller gets as an `internal-error` carrying
//! [`TRAILERS_TAKEN`] instead.

const NANOS_PER_MILLI: u64 = 1_000_000;

/// The message of the error an rc-2023-11-10 caller gets from a second `get`.
pub const TRAILERS_TAKEN: &str =
    "future-trailers.get: the trailers were already taken by an earlier get (wasi:http 0.2.0 hands them out once)";

/// A timeout set in milliseconds, as 0.2.0 takes it; `Err` when it does not fit in a u64 of
/// nanoseconds (about 584 years), which the setter reports as its plain error.
pub fn timeout_ms_to_ns(ms: Option<u64>) -> Result<Option<u64>, ()> {
    match ms {
        None => Ok(None),
        Some(ms) => ms.checked_mul(NANOS_PER_MILLI).map(Some).ok_or(()),
    }
}

/// A timeout read back in milliseconds, rounded down; only a value set in nanoseconds by
/// someone else can lose its sub-millisecond part.
pub fn timeout_ns_to_ms(ns: Option<u64>) -> Option<u64> {
    ns.map(|ns| ns / NANOS_PER_MILLI)
}

/// What an rc-2023-11-10 `future-trailers.get` returns for 0.2.0's answer, with `taken`
/// making the error for a second call.
pub fn trailers_once<T, E>(
    answer: Option<Result<Result<T, E>, ()>>,
    taken: impl FnOnce() -> E,
) -> Option<Result<T, E>> {
    match answer {
        None => None,
        Some(Ok(inner)) => Some(inner),
        Some(Err(())) => Some(Err(taken())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_become_nanoseconds_and_back() {
        assert_eq!(timeout_ms_to_ns(None), Ok(None));
        assert_eq!(timeout_ms_to_ns(Some(0)), Ok(Some(0)));
        assert_eq!(timeout_ms_to_ns(Some(1_500)), Ok(Some(1_500_000_000)));
        assert_eq!(timeout_ns_to_ms(Some(1_500_000_000)), Some(1_500));
        assert_eq!(timeout_ns_to_ms(None), None);
        let largest = u64::MAX / NANOS_PER_MILLI;
        assert_eq!(timeout_ns_to_ms(timeout_ms_to_ns(Some(largest)).unwrap()), Some(largest));
    }

    #[test]
    fn a_timeout_too_long_for_nanoseconds_is_the_setters_error() {
        assert_eq!(timeout_ms_to_ns(Some(u64::MAX / NANOS_PER_MILLI + 1)), Err(()));
        assert_eq!(timeout_ms_to_ns(Some(u64::MAX)), Err(()));
    }

    #[test]
    fn sub_millisecond_nanoseconds_round_down() {
        assert_eq!(timeout_ns_to_ms(Some(1_999_999)), Some(1));
        assert_eq!(timeout_ns_to_ms(Some(999_999)), Some(0));
    }

    #[test]
    fn trailers_lose_one_result_level_and_a_second_get_is_an_error() {
        let taken = || "taken";
        assert_eq!(trailers_once::<Option<u32>, &str>(None, taken), None);
        assert_eq!(trailers_once(Some(Ok(Ok(Some(7u32)))), taken), Some(Ok(Some(7))));
        assert_eq!(trailers_once(Some(Ok(Ok(None::<u32>))), taken), Some(Ok(None)));
        assert_eq!(trailers_once::<Option<u32>, &str>(Some(Ok(Err("reset"))), taken), Some(Err("reset")));
        assert_eq!(trailers_once::<Option<u32>, &str>(Some(Err(())), taken), Some(Err("taken")));
    }
}
