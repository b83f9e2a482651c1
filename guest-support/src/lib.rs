//! What every conformance guest needs whatever generation it speaks: outcomes as
//! `Result<(), String>` with a message naming the call, trace-kind checks, byte comparisons
//! and case dispatch. The generation-specific wrappers (how to read a trace, how to open a
//! bucket) stay in each guest. Also the self-checking values of the crash test ([`whole`]),
//! shared by its writer guest and the test that reads the files.

/// The differential fuzzing wire format (ops in, outcomes out).
pub mod fuzz;

pub type Outcome = Result<(), String>;

/// A named case of a conformance guest.
pub type Case = (&'static str, fn() -> Outcome);

/// Error kinds of the shared trace convention (`<kind>: <details>`).
pub const NOT_FOUND: &str = "not-found";
pub const NO_SUCH_STORE: &str = "no-such-store";
pub const BAD_HANDLE: &str = "bad-handle";
pub const BAD_VALUE: &str = "bad-value";
pub const UNSUPPORTED: &str = "unsupported";
/// Every kind word a trace may start with.
pub const KINDS: &[&str] = &[NOT_FOUND, BAD_HANDLE, BAD_VALUE, NO_SUCH_STORE, "access-denied", UNSUPPORTED, "other"];
/// Any error will do: the spec only says "returns an error".
pub const ANY: &str = "";

/// Runs the case called `name`, or says which cases there are.
pub fn run_case(cases: &[Case], name: &str) -> Outcome {
    match cases.iter().find(|(case, _)| *case == name) {
        Some((_, run)) => run(),
        None => {
            let names: Vec<&str> = cases.iter().map(|(case, _)| *case).collect();
            Err(format!("unknown case {name:?}; known cases: {}", names.join(", ")))
        }
    }
}

pub fn has_kind(trace: &str, kind: &str) -> bool {
    trace.starts_with(kind) && trace[kind.len()..].starts_with(':')
}

/// Checks the trace of an error that `what` returned: it must be non-empty and start with
/// `kind` (any kind when `kind` is empty). Returns the trace.
pub fn expect_kind(what: &str, trace: String, kind: &str) -> Result<String, String> {
    if trace.is_empty() {
        return Err(format!("{what}: expected {}, got an error with an empty trace", expected_error(kind)));
    }
    if kind.is_empty() || has_kind(&trace, kind) {
        Ok(trace)
    } else {
        Err(format!("{what}: expected {}, got error {trace:?}", expected_error(kind)))
    }
}

/// The message for a call that succeeded where an error was expected.
pub fn unexpected_ok<T: core::fmt::Debug>(what: &str, value: T, kind: &str) -> String {
    format!("{what}: expected {}, got ok({value:?})", expected_error(kind))
}

fn expected_error(kind: &str) -> String {
    if kind.is_empty() {
        "an error".into()
    } else {
        format!("an error whose trace starts with \"{kind}:\"")
    }
}

/// Expects `trace` (of `what`) to contain `needle`.
pub fn mentions(what: &str, trace: &str, needle: &str) -> Outcome {
    if trace.contains(needle) {
        Ok(())
    } else {
        Err(format!("{what}: the trace {trace:?} does not mention {needle:?}"))
    }
}

/// Expects `got == want`.
pub fn eq<T: PartialEq + core::fmt::Debug>(what: &str, got: T, want: T) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

/// Like `eq` for value bodies, which may be too long to print.
pub fn eq_bytes(what: &str, got: &[u8], want: &[u8]) -> Outcome {
    if got == want {
        return Ok(());
    }
    if got.len() <= 64 && want.len() <= 64 {
        return Err(format!(
            "{what}: expected {:?}, got {:?}",
            String::from_utf8_lossy(want),
            String::from_utf8_lossy(got)
        ));
    }
    let first_difference = got.iter().zip(want).position(|(g, w)| g != w);
    Err(format!(
        "{what}: expected {} bytes, got {} bytes (first differing byte at index {})",
        want.len(),
        got.len(),
        match first_difference {
            Some(i) => i.to_string(),
            None => format!("{} where one ends", got.len().min(want.len())),
        }
    ))
}

/// Bytes that differ from position to position, so a shifted or truncated copy shows.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| ((i % 251) as u8).wrapping_mul(7).wrapping_add(seed)).collect()
}

/// Defines, in the calling module, the guest-side drivers of wasi:io streams used by
/// async value bodies: `write_stream`, `read_stream` and `stream_error`. The stream types
/// are generated per wasi:io release (rc-2023-11-10 for G2, 0.2.0 for G3/G4), so the code is
/// written once here and instantiated over the guest's own `streams` module.
#[macro_export]
macro_rules! stream_helpers {
    ($($streams:ident)::+) => {
        use $($streams)::+::{InputStream as __In, OutputStream as __Out, StreamError};

        fn stream_error(what: &str, error: StreamError) -> String {
            match error {
                StreamError::Closed => format!("{what}: the stream is closed"),
                StreamError::LastOperationFailed(e) => format!("{what}: failed: {}", e.to_debug_string()),
            }
        }

        /// How often a stream may report "not ready" before the case gives up instead of
        /// spinning forever on a stream that never makes progress.
        const MAX_WAITS: u32 = 1000;

        /// Writes `body` to `stream`: the first half with the flow-controlled `check-write` +
        /// `write` + `flush`, the rest with `blocking-write-and-flush` (4096 bytes per call,
        /// the wasi:io limit). The stream is dropped at the end, which finishes the body.
        fn write_stream(stream: __Out, body: &[u8]) -> $crate::Outcome {
            let half = body.len() / 2;
            let mut offset = 0;
            let mut waits = 0;
            while offset < half {
                let budget = stream.check_write().map_err(|e| stream_error("output-stream.check-write", e))?;
                if budget == 0 {
                    waits += 1;
                    if waits > MAX_WAITS {
                        return Err(format!("output-stream.check-write: still 0 after {MAX_WAITS} waits on subscribe"));
                    }
                    stream.subscribe().block();
                    continue;
                }
                let end = half.min(offset.saturating_add(budget as usize));
                stream
                    .write(&body[offset..end])
                    .map_err(|e| stream_error(&format!("output-stream.write({} bytes)", end - offset), e))?;
                offset = end;
            }
            stream.flush().map_err(|e| stream_error("output-stream.flush", e))?;
            stream.subscribe().block();
            for chunk in body[half..].chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(|e| stream_error(&format!("output-stream.blocking-write-and-flush({} bytes)", chunk.len()), e))?;
            }
            stream.flush().map_err(|e| stream_error("output-stream.flush (after blocking writes)", e))?;
            stream.subscribe().block();
            drop(stream);
            Ok(())
        }

        /// Reads `stream` until it says it is closed; `limit` guards against a stream that
        /// never closes.
        fn read_stream(stream: __In, limit: usize) -> Result<Vec<u8>, String> {
            let mut body = Vec::new();
            let mut waits = 0;
            loop {
                match stream.read(8192) {
                    Ok(bytes) if bytes.is_empty() => {
                        waits += 1;
                        if waits > MAX_WAITS {
                            return Err(format!(
                                "input-stream.read: no data and not closed after {MAX_WAITS} waits ({} bytes read so far)",
                                body.len()
                            ));
                        }
                        stream.subscribe().block();
                    }
                    Ok(bytes) => {
                        body.extend_from_slice(&bytes);
                        if body.len() > limit {
                            return Err(format!("input-stream.read: more than {limit} bytes and still not closed"));
                        }
                    }
                    Err(StreamError::Closed) => break,
                    Err(e) => return Err(stream_error(&format!("input-stream.read after {} bytes", body.len()), e)),
                }
            }
            Ok(body)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_only_as_a_whole_word_before_the_colon() {
        assert!(has_kind("not-found: key \"k\"", NOT_FOUND));
        assert!(!has_kind("not-foundish: x", NOT_FOUND));
        assert!(expect_kind("get", "bad-value: x".into(), NOT_FOUND).is_err());
        assert!(expect_kind("get", String::new(), ANY).is_err());
        assert_eq!(expect_kind("get", "other: x".into(), ANY).unwrap(), "other: x");
    }

    #[test]
    fn byte_mismatches_say_where() {
        let want = pattern(100, 1);
        let mut got = want.clone();
        got[70] ^= 1;
        assert!(eq_bytes("v", &got, &want).unwrap_err().contains("index 70"));
        assert!(eq_bytes("v", &want, &want).is_ok());
    }
}

pub mod whole;
