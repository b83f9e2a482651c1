//! G1's own `types` and `streams` (the stream-based draft of February 2023, plain import
//! names), over a G5 or G6 host; its `readwrite`, `atomic`, `batch` and `wasi-cloud-error`
//! are G2's functions under other names (`u32_handles.rs`). The host knows nothing of
//! streams, so every stream is served from the adapter's memory: the composed component
//! imports only the host's key-value interfaces.
//!
//! Lossy or differing from a native G1 host:
//! - An output stream appends at once to its outgoing value's body; `set` takes the body
//!   as written so far. Writing to a stream whose outgoing value was dropped fails.
//! - An outgoing value whose body stream was never asked for has no body: `set` of it is
//!   an error (a G2-style `bad-handle` trace), rather than an empty value.
//! - `outgoing-value-write-body` a second time fails; the first stream keeps writing.
//! - An input stream holds the whole value, fetched by `get`; nothing waits.
//! - Stream functions have no error payload (`stream-error` is an empty record), so their
//!   failures (a bad handle, a stream of the wrong kind, a body too big for the adapter's
//!   memory) say why only in the adapter's diagnostics, which `kv-adapt run` prints.

use alloc::string::String;
use alloc::vec::Vec;

use kv_adapt_convert::g1::span;
use kv_adapt_convert::slab::Kind;
use kv_adapt_convert::{bodies, trace};

use super::u32_handles::run;
use crate::exports::{streams, types};
use crate::{record_error, state, Adapter, State};

/// The body of an incoming value being read through an input stream.
pub struct Input {
    bytes: Vec<u8>,
    pos: usize,
}

/// A stream failure: recorded for diagnostics, `Err(())` for the guest.
fn failed<T>(trace: String) -> Result<T, ()> {
    record_error(&trace);
    Err(())
}

impl State {
    fn input(&mut self, h: u32) -> Result<&mut Input, String> {
        self.inputs.get_mut(h).map_err(|m| trace::bad_handle(Kind::InputStream, h, m))
    }

    /// The body that output stream `h` appends to.
    fn output(&mut self, h: u32) -> Result<&mut Vec<u8>, String> {
        let value = *self.outputs.get(h).map_err(|m| trace::bad_handle(Kind::OutputStream, h, m))?;
        match self.outgoing.get_mut(value) {
            Ok(Some(body)) => Ok(body),
            // The stream is created with the body, so a value without one is not its value.
            Ok(None) | Err(_) => Err(stream_of_dropped_value(h)),
        }
    }

    /// Up to `want` bytes from input stream `h`, and whether its end is reached.
    fn read(&mut self, h: u32, want: u64) -> Result<(Vec<u8>, bool), String> {
        let input = self.input(h)?;
        let (start, end, at_end) = span(input.bytes.len(), input.pos, want);
        input.pos = end;
        // The whole body in one read: hand over the buffer, no copy. `span` clamps the
        // position to the (now empty) buffer, so later reads still report the end.
        let bytes = if start == 0 && at_end { core::mem::take(&mut input.bytes) } else { input.bytes[start..end].to_vec() };
        Ok((bytes, at_end))
    }

    fn write(&mut self, h: u32, buf: &[u8]) -> Result<u64, String> {
        let body = self.output(h)?;
        body.try_reserve(buf.len()).map_err(|_| String::from(TOO_BIG))?;
        body.extend_from_slice(buf);
        Ok(buf.len() as u64)
    }
}

const TOO_BIG: &str = "other: write: the adapter's memory cannot hold a larger body (wasm32 linear memory is at most 4 GiB)";

fn stream_of_dropped_value(h: u32) -> String {
    let mut t = String::from("bad-handle: output-stream ");
    trace::push_u64(&mut t, h.into());
    t.push_str(" writes to an outgoing-value that was dropped");
    t
}

impl types::Guest for Adapter {
    fn drop_bucket(bucket: u32) {
        state().buckets.remove(bucket);
    }

    fn open_bucket(name: String) -> Result<u32, u32> {
        super::u32_handles::open_bucket(name)
    }

    fn drop_outgoing_value(outgoing_value: u32) {
        state().outgoing.remove(outgoing_value);
    }

    fn new_outgoing_value() -> u32 {
        state().new_outgoing()
    }

    fn outgoing_value_write_body(h: u32) -> Result<u32, ()> {
        let st = state();
        if let Err(e) = bodies::start(&mut st.outgoing, h, Vec::new()) {
            return failed(trace::g1_body_error(h, e));
        }
        match st.outputs.insert(h) {
            Ok(stream) => Ok(stream),
            Err(_) => {
                // Leave the value as it was, so that a later attempt can succeed.
                if let Ok(body) = st.outgoing.get_mut(h) {
                    *body = None;
                }
                failed(trace::too_many(Kind::OutputStream))
            }
        }
    }

    fn drop_incoming_value(incoming_value: u32) {
        state().incoming.remove(incoming_value);
    }

    fn incoming_value_consume_sync(h: u32) -> Result<Vec<u8>, u32> {
        run(|st| st.consume(h))
    }

    fn incoming_value_consume_async(h: u32) -> Result<u32, u32> {
        run(|st| {
            let bytes = st.consume(h)?;
            st.inputs.insert(Input { bytes, pos: 0 }).map_err(|_| trace::too_many(Kind::InputStream))
        })
    }

    fn size(incoming_value: u32) -> u64 {
        state().incoming.get(incoming_value).map_or(0, |v| v.len)
    }
}

impl streams::Guest for Adapter {
    fn read(src: u32, len: u64) -> Result<(Vec<u8>, bool), ()> {
        state().read(src, len).or_else(failed)
    }

    fn skip(src: u32, len: u64) -> Result<(u64, bool), ()> {
        let skipped = state().input(src).map(|input| {
            let (start, end, at_end) = span(input.bytes.len(), input.pos, len);
            input.pos = end;
            ((end - start) as u64, at_end)
        });
        skipped.or_else(failed)
    }

    fn write(dst: u32, buf: Vec<u8>) -> Result<u64, ()> {
        state().write(dst, &buf).or_else(failed)
    }

    fn write_repeated(dst: u32, byte: u8, len: u64) -> Result<u64, ()> {
        let written = state().output(dst).and_then(|body| {
            let n = usize::try_from(len).map_err(|_| String::from(TOO_BIG))?;
            body.try_reserve(n).map_err(|_| String::from(TOO_BIG))?;
            body.resize(body.len() + n, byte);
            Ok(len)
        });
        written.or_else(failed)
    }

    fn splice(dst: u32, src: u32, len: u64) -> Result<(u64, bool), ()> {
        let st = state();
        // Check the destination first, so that a bad one consumes nothing of the source.
        if let Err(t) = st.output(dst) {
            return failed(t);
        }
        let moved = st.read(src, len).and_then(|(bytes, at_end)| Ok((st.write(dst, &bytes)?, at_end)));
        moved.or_else(failed)
    }

    fn forward(dst: u32, src: u32) -> Result<u64, ()> {
        Self::splice(dst, src, u64::MAX).map(|(n, _)| n)
    }

    fn drop_input_stream(f: u32) {
        state().inputs.remove(f);
    }

    fn drop_output_stream(f: u32) {
        state().outputs.remove(f);
    }
}
