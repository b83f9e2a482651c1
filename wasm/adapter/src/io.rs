//! wasi:io served from memory, for the `io` flavour of every front: value bodies as
//! streams when the guest imports no other WASI, so nothing else needs the host's wasi:io.
//! The version is the one the source generation names its streams from: G2 uses
//! `@0.2.0-rc-2023-11-10`, G3/G4 `@0.2.0`. The two are the same interfaces type for type,
//! so this one source serves whichever the world exports (see `wio` below).
//!
//! Lossy: none of this waits. A pollable is always ready; an output stream appends to its
//! outgoing value's buffer at once; an input stream reads from the bytes already fetched.
//! Writes to a stream whose outgoing value was dropped report `closed`; a write the
//! adapter's memory cannot hold fails with an error saying so.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

#[cfg(feature = "front-g2")]
use crate::exports::wasi::io0_2_0_rc_2023_11_10 as wio;
#[cfg(any(feature = "front-g3", feature = "front-g4"))]
use crate::exports::wasi::io0_2_0 as wio;

use crate::{state, Adapter};
use wio::{error, poll, streams};
use streams::StreamError;

/// What `check-write` allows per write; writes are appended to memory, so it is generous.
const WRITE_BUDGET: u64 = 1 << 20;

pub fn output_stream(outgoing_value: u32) -> streams::OutputStream {
    streams::OutputStream::new(Out {
        value: outgoing_value,
    })
}

pub fn input_stream(bytes: Vec<u8>) -> streams::InputStream {
    streams::InputStream::new(In {
        bytes: Cell::new(bytes),
        pos: Cell::new(0),
    })
}

pub struct IoError(&'static str);

/// Makes room for `more` bytes in a body, or says the adapter's memory is exhausted: a
/// write has an error channel, so a body too big for the adapter's linear memory is a
/// failed write rather than an abort.
fn grow(body: &mut Vec<u8>, more: usize) -> Result<(), StreamError> {
    body.try_reserve(more).map_err(|_| {
        StreamError::LastOperationFailed(error::Error::new(IoError(
            "write: the adapter's memory cannot hold a larger body (wasm32 linear memory is at most 4 GiB)",
        )))
    })
}

impl error::GuestError for IoError {
    fn to_debug_string(&self) -> String {
        String::from(self.0)
    }
}

pub struct Ready;

impl poll::GuestPollable for Ready {
    fn ready(&self) -> bool {
        true
    }

    fn block(&self) {}
}

pub struct In {
    bytes: Cell<Vec<u8>>,
    pos: Cell<usize>,
}

impl In {
    /// Up to `len` bytes from the current position; `closed` once all were read.
    fn take(&self, len: u64) -> Result<Vec<u8>, StreamError> {
        let mut bytes = self.bytes.take();
        let pos = self.pos.get();
        let rest = bytes.len() - pos;
        let out = if rest == 0 {
            Err(StreamError::Closed)
        } else {
            let n = usize::try_from(len).map_or(rest, |l| l.min(rest));
            if pos == 0 && n == bytes.len() {
                // The whole body in one read: hand over the buffer, no copy.
                Ok(core::mem::take(&mut bytes))
            } else {
                self.pos.set(pos + n);
                Ok(bytes[pos..pos + n].to_vec())
            }
        };
        self.bytes.set(bytes);
        out
    }

    fn skip_up_to(&self, len: u64) -> Result<u64, StreamError> {
        let bytes = self.bytes.take();
        let pos = self.pos.get();
        let rest = bytes.len() - pos;
        self.bytes.set(bytes);
        if rest == 0 {
            return Err(StreamError::Closed);
        }
        let n = usize::try_from(len).map_or(rest, |l| l.min(rest));
        self.pos.set(pos + n);
        Ok(n as u64)
    }
}

impl streams::GuestInputStream for In {
    fn read(&self, len: u64) -> Result<Vec<u8>, StreamError> {
        self.take(len)
    }

    fn blocking_read(&self, len: u64) -> Result<Vec<u8>, StreamError> {
        self.take(len)
    }

    fn skip(&self, len: u64) -> Result<u64, StreamError> {
        self.skip_up_to(len)
    }

    fn blocking_skip(&self, len: u64) -> Result<u64, StreamError> {
        self.skip_up_to(len)
    }

    fn subscribe(&self) -> poll::Pollable {
        poll::Pollable::new(Ready)
    }
}

pub struct Out {
    value: u32,
}

impl Out {
    /// Runs `f` on the outgoing value's buffer; `closed` once the value was dropped.
    fn with_body<T>(&self, f: impl FnOnce(&mut Vec<u8>) -> T) -> Result<T, StreamError> {
        match state().outgoing.get_mut(self.value) {
            Ok(Some(body)) => Ok(f(body)),
            Ok(None) | Err(_) => Err(StreamError::Closed),
        }
    }

    fn append(&self, contents: Vec<u8>) -> Result<(), StreamError> {
        self.with_body(|body| {
            if body.is_empty() {
                *body = contents;
                return Ok(());
            }
            grow(body, contents.len())?;
            body.extend_from_slice(&contents);
            Ok(())
        })?
    }

    fn zeroes(&self, len: u64) -> Result<(), StreamError> {
        // Refused past the budget so that a huge count cannot exhaust memory.
        if len > WRITE_BUDGET {
            return Err(StreamError::LastOperationFailed(error::Error::new(
                IoError("write-zeroes: more bytes than check-write allows"),
            )));
        }
        self.with_body(|body| {
            grow(body, len as usize)?;
            body.resize(body.len() + len as usize, 0);
            Ok(())
        })?
    }

    fn splice_from(
        &self,
        src: streams::InputStreamBorrow<'_>,
        len: u64,
    ) -> Result<u64, StreamError> {
        self.with_body(|_| ())?;
        let bytes = src.get::<In>().take(len)?;
        let n = bytes.len() as u64;
        self.append(bytes)?;
        Ok(n)
    }
}

impl streams::GuestOutputStream for Out {
    fn check_write(&self) -> Result<u64, StreamError> {
        self.with_body(|_| WRITE_BUDGET)
    }

    fn write(&self, contents: Vec<u8>) -> Result<(), StreamError> {
        self.append(contents)
    }

    fn blocking_write_and_flush(&self, contents: Vec<u8>) -> Result<(), StreamError> {
        self.append(contents)
    }

    fn flush(&self) -> Result<(), StreamError> {
        self.with_body(|_| ())
    }

    fn blocking_flush(&self) -> Result<(), StreamError> {
        self.with_body(|_| ())
    }

    fn subscribe(&self) -> poll::Pollable {
        poll::Pollable::new(Ready)
    }

    fn write_zeroes(&self, len: u64) -> Result<(), StreamError> {
        self.zeroes(len)
    }

    fn blocking_write_zeroes_and_flush(&self, len: u64) -> Result<(), StreamError> {
        self.zeroes(len)
    }

    fn splice(&self, src: streams::InputStreamBorrow<'_>, len: u64) -> Result<u64, StreamError> {
        self.splice_from(src, len)
    }

    fn blocking_splice(
        &self,
        src: streams::InputStreamBorrow<'_>,
        len: u64,
    ) -> Result<u64, StreamError> {
        self.splice_from(src, len)
    }
}

impl error::Guest for Adapter {
    type Error = IoError;
}

impl poll::Guest for Adapter {
    type Pollable = Ready;

    fn poll(in_: Vec<poll::PollableBorrow<'_>>) -> Vec<u32> {
        (0..in_.len() as u32).collect()
    }
}

impl streams::Guest for Adapter {
    type InputStream = In;
    type OutputStream = Out;
}
