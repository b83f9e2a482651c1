//! wasi:io served from memory, for the `io` flavour of every front: value bodies as
//! streams when the guest imports no other WASI, so nothing else needs the host's wasi:io.
//! The version is the one the source generation names its streams from: G2 uses
//! `@0.2.0-rc-2023-11-10`, G3/G4 `@0.2.0`. The two are the same interfaces type for type,
//! so this one source serves whichever the world exports (see `wio` below).
//!
//! In the wrapping flavours (features `wasi-*`) each stream, pollable and error is either the
//! adapter's own (a value body in memory) or a wrapped host one, which every call is
//! forwarded to: `src/host_wasi.rs` wraps what the host's stdio, clocks and files return.
//! `poll` over a mix answers at once with the memory pollables (always ready) and any host
//! pollable already ready; over host pollables only it waits in the host's `poll`.
//! `splice` between a memory and a host stream reads from one and writes to the other.
//!
//! Lossy: none of the memory side waits. A memory pollable is always ready; an output
//! stream appends to its outgoing value's buffer at once; an input stream reads from the
//! bytes already fetched. Writes to a stream whose outgoing value was dropped report
//! `closed`; a write the adapter's memory cannot hold fails with an error saying so.

// With the clock alone wrapped, no host stream is ever made: the stream side of the host
// variants is then unused, and that is expected.
#![cfg_attr(all(host_streams, not(any(feature = "wasi-stdio", feature = "wasi-files"))), allow(dead_code))]

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

#[cfg(feature = "front-g2")]
use crate::exports::wasi::io0_2_0_rc_2023_11_10 as wio;
#[cfg(any(feature = "front-g3", feature = "front-g4"))]
use crate::exports::wasi::io0_2_0 as wio;
/// The host's wasi:io, whose streams the wrapping flavours wrap (the front's release).
#[cfg(all(host_streams, feature = "front-g2"))]
use crate::wasi::io0_2_0_rc_2023_11_10 as hio;
#[cfg(all(host_streams, any(feature = "front-g3", feature = "front-g4")))]
use crate::wasi::io0_2_0 as hio;

use crate::{state, Adapter};
use wio::{error, poll, streams};
use streams::StreamError;

/// What `check-write` allows per write; writes are appended to memory, so it is generous.
const WRITE_BUDGET: u64 = 1 << 20;

/// What one host `blocking-write-and-flush` may carry (wasi:io's documented limit).
#[cfg(host_streams)]
const HOST_BLOCKING_WRITE: usize = 4096;

pub fn output_stream(outgoing_value: u32) -> streams::OutputStream {
    streams::OutputStream::new(Out::Body { value: outgoing_value })
}

pub fn input_stream(bytes: Vec<u8>) -> streams::InputStream {
    streams::InputStream::new(In::Memory { bytes: Cell::new(bytes), pos: Cell::new(0) })
}

/// The guest's handle for a host input stream.
#[cfg(host_streams)]
pub fn host_input(stream: hio::streams::InputStream) -> streams::InputStream {
    streams::InputStream::new(In::Host(stream))
}

/// The guest's handle for a host output stream.
#[cfg(host_streams)]
pub fn host_output(stream: hio::streams::OutputStream) -> streams::OutputStream {
    streams::OutputStream::new(Out::Host(stream))
}

/// The guest's handle for a host pollable.
#[cfg(host_streams)]
pub fn host_pollable(pollable: hio::poll::Pollable) -> poll::Pollable {
    poll::Pollable::new(Wait::Host(pollable))
}

/// The host error behind a guest's `error` handle, if it wraps one (for
/// `filesystem-error-code`, which only the host can answer).
#[cfg(feature = "wasi-files")]
pub fn host_error<'a>(e: &'a error::ErrorBorrow<'_>) -> Option<&'a hio::error::Error> {
    match e.get::<IoError>() {
        IoError::Text(_) => None,
        IoError::Host(host) => Some(host),
    }
}

pub enum IoError {
    Text(&'static str),
    #[cfg(host_streams)]
    Host(hio::error::Error),
}

/// A host stream error as the guest's own.
#[cfg(host_streams)]
fn from_host(e: hio::streams::StreamError) -> StreamError {
    match e {
        hio::streams::StreamError::LastOperationFailed(e) => StreamError::LastOperationFailed(error::Error::new(IoError::Host(e))),
        hio::streams::StreamError::Closed => StreamError::Closed,
    }
}

/// Makes room for `more` bytes in a body, or says the adapter's memory is exhausted: a
/// write has an error channel, so a body too big for the adapter's linear memory is a
/// failed write rather than an abort.
fn grow(body: &mut Vec<u8>, more: usize) -> Result<(), StreamError> {
    body.try_reserve(more).map_err(|_| {
        StreamError::LastOperationFailed(error::Error::new(IoError::Text(
            "write: the adapter's memory cannot hold a larger body (wasm32 linear memory is at most 4 GiB)",
        )))
    })
}

impl error::GuestError for IoError {
    fn to_debug_string(&self) -> String {
        match self {
            IoError::Text(text) => String::from(*text),
            #[cfg(host_streams)]
            IoError::Host(e) => e.to_debug_string(),
        }
    }
}

/// A pollable: a memory stream's, always ready, or a host one.
pub enum Wait {
    Ready,
    #[cfg(host_streams)]
    Host(hio::poll::Pollable),
}

impl poll::GuestPollable for Wait {
    fn ready(&self) -> bool {
        match self {
            Wait::Ready => true,
            #[cfg(host_streams)]
            Wait::Host(p) => p.ready(),
        }
    }

    fn block(&self) {
        match self {
            Wait::Ready => {}
            #[cfg(host_streams)]
            Wait::Host(p) => p.block(),
        }
    }
}

pub enum In {
    /// A value body already fetched, read from `pos`.
    Memory { bytes: Cell<Vec<u8>>, pos: Cell<usize> },
    #[cfg(host_streams)]
    Host(hio::streams::InputStream),
}

/// Up to `len` bytes of a memory body from `pos`; `closed` once all were read.
fn take(bytes: &Cell<Vec<u8>>, pos: &Cell<usize>, len: u64) -> Result<Vec<u8>, StreamError> {
    let mut all = bytes.take();
    let at = pos.get();
    let rest = all.len() - at;
    let out = if rest == 0 {
        Err(StreamError::Closed)
    } else {
        let n = usize::try_from(len).map_or(rest, |l| l.min(rest));
        if at == 0 && n == all.len() {
            // The whole body in one read: hand over the buffer, no copy.
            Ok(core::mem::take(&mut all))
        } else {
            pos.set(at + n);
            Ok(all[at..at + n].to_vec())
        }
    };
    bytes.set(all);
    out
}

fn skip_up_to(bytes: &Cell<Vec<u8>>, pos: &Cell<usize>, len: u64) -> Result<u64, StreamError> {
    let all = bytes.take();
    let at = pos.get();
    let rest = all.len() - at;
    bytes.set(all);
    if rest == 0 {
        return Err(StreamError::Closed);
    }
    let n = usize::try_from(len).map_or(rest, |l| l.min(rest));
    pos.set(at + n);
    Ok(n as u64)
}

impl In {
    // Only a host stream tells blocking from non-blocking calls.
    #[cfg_attr(not(host_streams), allow(unused_variables))]
    fn read_up_to(&self, len: u64, blocking: bool) -> Result<Vec<u8>, StreamError> {
        match self {
            In::Memory { bytes, pos } => take(bytes, pos, len),
            #[cfg(host_streams)]
            In::Host(s) if blocking => s.blocking_read(len).map_err(from_host),
            #[cfg(host_streams)]
            In::Host(s) => s.read(len).map_err(from_host),
        }
    }

    // Only a host stream tells blocking from non-blocking calls.
    #[cfg_attr(not(host_streams), allow(unused_variables))]
    fn skip(&self, len: u64, blocking: bool) -> Result<u64, StreamError> {
        match self {
            In::Memory { bytes, pos } => skip_up_to(bytes, pos, len),
            #[cfg(host_streams)]
            In::Host(s) if blocking => s.blocking_skip(len).map_err(from_host),
            #[cfg(host_streams)]
            In::Host(s) => s.skip(len).map_err(from_host),
        }
    }
}

impl streams::GuestInputStream for In {
    fn read(&self, len: u64) -> Result<Vec<u8>, StreamError> {
        self.read_up_to(len, false)
    }

    fn blocking_read(&self, len: u64) -> Result<Vec<u8>, StreamError> {
        self.read_up_to(len, true)
    }

    fn skip(&self, len: u64) -> Result<u64, StreamError> {
        In::skip(self, len, false)
    }

    fn blocking_skip(&self, len: u64) -> Result<u64, StreamError> {
        In::skip(self, len, true)
    }

    fn subscribe(&self) -> poll::Pollable {
        match self {
            In::Memory { .. } => poll::Pollable::new(Wait::Ready),
            #[cfg(host_streams)]
            In::Host(s) => host_pollable(s.subscribe()),
        }
    }
}

pub enum Out {
    /// Appends to the body of outgoing value `value`.
    Body { value: u32 },
    #[cfg(host_streams)]
    Host(hio::streams::OutputStream),
}

/// Runs `f` on outgoing value `value`'s buffer; `closed` once the value was dropped.
fn with_body<T>(value: u32, f: impl FnOnce(&mut Vec<u8>) -> T) -> Result<T, StreamError> {
    match state().outgoing.get_mut(value) {
        Ok(Some(body)) => Ok(f(body)),
        Ok(None) | Err(_) => Err(StreamError::Closed),
    }
}

fn append(value: u32, contents: Vec<u8>) -> Result<(), StreamError> {
    with_body(value, |body| {
        if body.is_empty() {
            *body = contents;
            return Ok(());
        }
        grow(body, contents.len())?;
        body.extend_from_slice(&contents);
        Ok(())
    })?
}

fn zeroes(value: u32, len: u64) -> Result<(), StreamError> {
    // Refused past the budget so that a huge count cannot exhaust memory.
    if len > WRITE_BUDGET {
        return Err(StreamError::LastOperationFailed(error::Error::new(IoError::Text(
            "write-zeroes: more bytes than check-write allows",
        ))));
    }
    with_body(value, |body| {
        grow(body, len as usize)?;
        body.resize(body.len() + len as usize, 0);
        Ok(())
    })?
}

impl Out {
    // Only a host stream tells blocking from non-blocking calls.
    #[cfg_attr(not(host_streams), allow(unused_variables))]
    fn write_bytes(&self, contents: Vec<u8>, blocking: bool) -> Result<(), StreamError> {
        match self {
            Out::Body { value } => append(*value, contents),
            #[cfg(host_streams)]
            Out::Host(s) if blocking => s.blocking_write_and_flush(&contents).map_err(from_host),
            #[cfg(host_streams)]
            Out::Host(s) => s.write(&contents).map_err(from_host),
        }
    }

    // Only a host stream tells blocking from non-blocking calls.
    #[cfg_attr(not(host_streams), allow(unused_variables))]
    fn flush(&self, blocking: bool) -> Result<(), StreamError> {
        match self {
            Out::Body { value } => with_body(*value, |_| ()),
            #[cfg(host_streams)]
            Out::Host(s) if blocking => s.blocking_flush().map_err(from_host),
            #[cfg(host_streams)]
            Out::Host(s) => s.flush().map_err(from_host),
        }
    }

    // Only a host stream tells blocking from non-blocking calls.
    #[cfg_attr(not(host_streams), allow(unused_variables))]
    fn write_zeroes(&self, len: u64, blocking: bool) -> Result<(), StreamError> {
        match self {
            Out::Body { value } => zeroes(*value, len),
            #[cfg(host_streams)]
            Out::Host(s) if blocking => s.blocking_write_zeroes_and_flush(len).map_err(from_host),
            #[cfg(host_streams)]
            Out::Host(s) => s.write_zeroes(len).map_err(from_host),
        }
    }

    fn splice_from(&self, src: streams::InputStreamBorrow<'_>, len: u64, blocking: bool) -> Result<u64, StreamError> {
        let src = src.get::<In>();
        match (self, src) {
            // Host to host: the host moves the bytes itself.
            #[cfg(host_streams)]
            (Out::Host(dst), In::Host(from)) if blocking => dst.blocking_splice(from, len).map_err(from_host),
            #[cfg(host_streams)]
            (Out::Host(dst), In::Host(from)) => dst.splice(from, len).map_err(from_host),
            (Out::Body { value }, _) => {
                with_body(*value, |_| ())?;
                let bytes = src.read_up_to(len, blocking)?;
                let n = bytes.len() as u64;
                append(*value, bytes)?;
                Ok(n)
            }
            // Memory into a host stream: no more than the host takes now (or, blocking, in
            // pieces of what one blocking write may carry).
            #[cfg(host_streams)]
            (Out::Host(dst), In::Memory { .. }) => {
                let room = if blocking { len } else { len.min(dst.check_write().map_err(from_host)?) };
                let bytes = src.read_up_to(room, blocking)?;
                if blocking {
                    for piece in bytes.chunks(HOST_BLOCKING_WRITE) {
                        dst.blocking_write_and_flush(piece).map_err(from_host)?;
                    }
                } else {
                    dst.write(&bytes).map_err(from_host)?;
                }
                Ok(bytes.len() as u64)
            }
        }
    }
}

impl streams::GuestOutputStream for Out {
    fn check_write(&self) -> Result<u64, StreamError> {
        match self {
            Out::Body { value } => with_body(*value, |_| WRITE_BUDGET),
            #[cfg(host_streams)]
            Out::Host(s) => s.check_write().map_err(from_host),
        }
    }

    fn write(&self, contents: Vec<u8>) -> Result<(), StreamError> {
        self.write_bytes(contents, false)
    }

    fn blocking_write_and_flush(&self, contents: Vec<u8>) -> Result<(), StreamError> {
        self.write_bytes(contents, true)
    }

    fn flush(&self) -> Result<(), StreamError> {
        Out::flush(self, false)
    }

    fn blocking_flush(&self) -> Result<(), StreamError> {
        Out::flush(self, true)
    }

    fn subscribe(&self) -> poll::Pollable {
        match self {
            Out::Body { .. } => poll::Pollable::new(Wait::Ready),
            #[cfg(host_streams)]
            Out::Host(s) => host_pollable(s.subscribe()),
        }
    }

    fn write_zeroes(&self, len: u64) -> Result<(), StreamError> {
        Out::write_zeroes(self, len, false)
    }

    fn blocking_write_zeroes_and_flush(&self, len: u64) -> Result<(), StreamError> {
        Out::write_zeroes(self, len, true)
    }

    fn splice(&self, src: streams::InputStreamBorrow<'_>, len: u64) -> Result<u64, StreamError> {
        self.splice_from(src, len, false)
    }

    fn blocking_splice(&self, src: streams::InputStreamBorrow<'_>, len: u64) -> Result<u64, StreamError> {
        self.splice_from(src, len, true)
    }
}

impl error::Guest for Adapter {
    type Error = IoError;
}

impl poll::Guest for Adapter {
    type Pollable = Wait;

    /// Memory pollables are always ready, so with any of them in the list the answer is
    /// immediate (host pollables join it when already ready); otherwise the host waits.
    fn poll(in_: Vec<poll::PollableBorrow<'_>>) -> Vec<u32> {
        let waits: Vec<&Wait> = in_.iter().map(|p| p.get::<Wait>()).collect();
        let any_memory = waits.iter().any(|w| matches!(w, Wait::Ready));
        if any_memory {
            return (0..waits.len() as u32).filter(|i| poll::GuestPollable::ready(waits[*i as usize])).collect();
        }
        host_poll(&waits)
    }
}

/// `poll` over host pollables only (a list without memory ones).
#[cfg(host_streams)]
fn host_poll(waits: &[&Wait]) -> Vec<u32> {
    // Every entry is a host one, so indices stay those of the guest's list.
    let host: Vec<&hio::poll::Pollable> = waits
        .iter()
        .filter_map(|w| match w {
            Wait::Host(p) => Some(p),
            Wait::Ready => None,
        })
        .collect();
    hio::poll::poll(&host)
}

/// Without host pollables every list is memory pollables (or empty, which wasi:io does not
/// allow): all ready.
#[cfg(not(host_streams))]
fn host_poll(waits: &[&Wait]) -> Vec<u32> {
    (0..waits.len() as u32).collect()
}

impl streams::Guest for Adapter {
    type InputStream = In;
    type OutputStream = Out;
}
