//! The fused flavour's value-body streams (feature `io` with `fused`, G2/G3/G4 fronts): the
//! guest's `wasi:io` imports of `error`, `poll` and `streams` are renamed by `kv-adapt plug`
//! to module `kv-adapt`, field `wasi:io/<interface>|<function>` without the version (the
//! guest's 0.2 release, whichever it is), and served here from memory as the composed `io`
//! flavour serves them (`src/io.rs`): an output stream appends to its outgoing value's body,
//! an input stream reads the bytes `get` fetched, every pollable is ready at once.
//!
//! Without feature `forward`, plug fuses this flavour only for a guest whose wasi:io is
//! nothing but value bodies (no other WASI import): there is no host stream to forward to.
//! With it (G3/G4), every handle the adapter did not issue is the host's, and its call is
//! the host's wasi:io@0.2.0 call, unchanged (`host_io`): the guest's other WASI (cli,
//! clocks, filesystem, http, sockets) shares one handle table with the adapter, so nothing
//! is wrapped. `poll` over memory and host pollables gives the memory ones (always ready)
//! and the host ones the host says are ready; a splice between a memory and a host stream
//! moves the bytes through this module.
//!
//! Differs from the composed flavour: a stream handle that is not live is a failed
//! operation whose error says so (`last-operation-failed`), where a composition's canonical
//! ABI would trap; `subscribe` of one still gives a (ready) pollable. Pollables carry no
//! state, so every one is the same handle and dropping it does nothing.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

use kv_adapt_convert::slab::{self, Kind, Slab};
use kv_adapt_convert::trace;

use super::{bytes, give, main_realloc, put_either, put_list};
use crate::state;

/// What `check-write` allows per write, as in the composed flavour.
const WRITE_BUDGET: u64 = 1 << 20;

/// The one handle every (always ready) pollable has.
const READY: u32 = slab::ALWAYS_READY;

#[cfg(feature = "forward")]
use super::host_io as host;

/// Whether `h` is the host's, so that its call is forwarded (feature `forward`).
#[inline]
fn is_host(h: u32) -> bool {
    cfg!(feature = "forward") && !slab::issued_by_adapter(h)
}

struct Streams {
    /// A value body being read: the bytes and the position.
    inputs: Slab<(Vec<u8>, usize)>,
    /// The outgoing value each output stream appends to.
    outputs: Slab<u32>,
    /// Texts of `wasi:io/error` handles.
    errors: Slab<String>,
}

struct Global(UnsafeCell<Streams>);

// SAFETY: as for the adapter's `State`: one thread, one export at a time.
unsafe impl Sync for Global {}

static STREAMS: Global = Global(UnsafeCell::new(Streams {
    inputs: Slab::new(Kind::InputStream),
    outputs: Slab::new(Kind::OutputStream),
    errors: Slab::new(Kind::Error),
}));

fn streams() -> &'static mut Streams {
    // SAFETY: see `Global`; exports do not call each other.
    unsafe { &mut *STREAMS.0.get() }
}

/// A new output stream appending to outgoing value `value`.
pub(super) fn new_output(value: u32) -> Result<u32, String> {
    streams().outputs.insert(value).map_err(|_| trace::too_many(Kind::OutputStream))
}

/// A new input stream over `bytes`.
pub(super) fn new_input(bytes: Vec<u8>) -> Result<u32, String> {
    streams().inputs.insert((bytes, 0)).map_err(|_| trace::too_many(Kind::InputStream))
}

/// `stream-error`.
enum StreamError {
    Failed(String),
    /// `last-operation-failed` with the host's own error handle (a mixed splice).
    #[cfg(feature = "forward")]
    HostFailed(u32),
    Closed,
}

fn failed(text: &str) -> StreamError {
    StreamError::Failed(String::from(text))
}

/// Writes `stream-error` at `at`: the case, then the error handle at 4.
unsafe fn put_error(at: *mut u8, e: StreamError) {
    // SAFETY: `at` is the payload slot of a result in the guest's return area.
    unsafe {
        match e {
            StreamError::Failed(text) => {
                // A full slab leaves the handle one that is never live; its text says so.
                let h = streams().errors.insert(text).unwrap_or_else(|_| kv_adapt_convert::slab::overflow(Kind::Error));
                at.write(0);
                (at.add(4) as *mut u32).write(h);
            }
            #[cfg(feature = "forward")]
            StreamError::HostFailed(h) => {
                at.write(0);
                (at.add(4) as *mut u32).write(h);
            }
            StreamError::Closed => at.write(1),
        }
    }
}

/// `result<T, stream-error>` with the payload at `offset`.
unsafe fn put<T>(ret: *mut u8, offset: usize, r: Result<T, StreamError>, ok: impl FnOnce(*mut u8, T)) {
    // SAFETY: per `put_either`.
    unsafe { put_either(ret, offset, r, ok, |at, e| put_error(at, e)) }
}

unsafe fn put_count(ret: *mut u8, r: Result<u64, StreamError>) {
    // result<u64, stream-error>: the payload is 8-aligned.
    unsafe { put(ret, 8, r, |at, n| (at as *mut u64).write(n)) }
}

unsafe fn put_unit(ret: *mut u8, r: Result<(), StreamError>) {
    unsafe { put(ret, 4, r, |_, ()| {}) }
}

fn not_live(kind: Kind, h: u32, miss: kv_adapt_convert::slab::Miss) -> StreamError {
    StreamError::Failed(trace::bad_handle(kind, h, miss))
}

/// Up to `len` bytes of input stream `h`, in place, consumed; `closed` once all were read.
fn take(h: u32, len: u64) -> Result<&'static [u8], StreamError> {
    let (all, at) = streams().inputs.get_mut(h).map_err(|m| not_live(Kind::InputStream, h, m))?;
    let rest = all.len() - *at;
    if rest == 0 {
        return Err(StreamError::Closed);
    }
    let n = usize::try_from(len).map_or(rest, |l| l.min(rest));
    *at += n;
    Ok(&all[*at - n..*at])
}

/// [`take`], owned: for a splice between two value bodies, whose append needs the streams again.
fn read(h: u32, len: u64) -> Result<Vec<u8>, StreamError> {
    take(h, len).map(<[u8]>::to_vec)
}

fn skip(h: u32, len: u64) -> Result<u64, StreamError> {
    take(h, len).map(|bytes| bytes.len() as u64)
}

/// Runs `f` on the body output stream `h` appends to; `closed` once its value was dropped.
fn with_body<T>(h: u32, f: impl FnOnce(&mut Vec<u8>) -> Result<T, StreamError>) -> Result<T, StreamError> {
    let value = *streams().outputs.get(h).map_err(|m| not_live(Kind::OutputStream, h, m))?;
    match state().outgoing.get_mut(value) {
        Ok(Some(body)) => f(body),
        Ok(None) | Err(_) => Err(StreamError::Closed),
    }
}

/// Room for `more` bytes, or a failed write: the guest's memory is this body's memory.
fn grow(body: &mut Vec<u8>, more: usize) -> Result<(), StreamError> {
    body.try_reserve(more)
        .map_err(|_| failed("write: the adapter's memory cannot hold a larger body (wasm32 linear memory is at most 4 GiB)"))
}

fn append(h: u32, contents: &[u8]) -> Result<(), StreamError> {
    with_body(h, |body| {
        grow(body, contents.len())?;
        body.extend_from_slice(contents);
        Ok(())
    })
}

fn zeroes(h: u32, len: u64) -> Result<(), StreamError> {
    // Refused past the budget so that a huge count cannot exhaust memory.
    if len > WRITE_BUDGET {
        return Err(failed("write-zeroes: more bytes than check-write allows"));
    }
    with_body(h, |body| {
        grow(body, len as usize)?;
        body.resize(body.len() + len as usize, 0);
        Ok(())
    })
}

fn splice(dst: u32, src: u32, len: u64, blocking: bool) -> Result<u64, StreamError> {
    with_body(dst, |_| Ok(()))?;
    #[cfg(feature = "forward")]
    if is_host(src) {
        // A host stream into a value body: the host's bytes, then appended.
        // SAFETY: a return area for `result<list<u8>, stream-error>`.
        let bytes = unsafe {
            let mut ret = [0u64; 2];
            if blocking {
                host::blocking_read(src, len, ret.as_mut_ptr() as *mut u8);
            } else {
                host::read(src, len, ret.as_mut_ptr() as *mut u8);
            }
            host::read_result(ret.as_ptr() as *const u8)
        };
        let bytes = bytes.map_err(host_stream_error)?;
        append(dst, &bytes)?;
        return Ok(bytes.len() as u64);
    }
    // Memory to memory: nothing waits either way.
    let _ = blocking;
    let bytes = read(src, len)?;
    append(dst, &bytes)?;
    Ok(bytes.len() as u64)
}

#[cfg(feature = "forward")]
fn host_stream_error(e: Option<u32>) -> StreamError {
    match e {
        Some(h) => StreamError::HostFailed(h),
        None => StreamError::Closed,
    }
}

/// A value body into a host stream: as many bytes as the host takes now (`splice`), or
/// up to 4096 written and flushed (`blocking-splice`, as `blocking-write-and-flush` allows).
#[cfg(feature = "forward")]
fn splice_into_host(dst: u32, src: u32, len: u64, blocking: bool) -> Result<u64, StreamError> {
    const BLOCKING_CHUNK: u64 = 4096;
    let room = if blocking {
        BLOCKING_CHUNK
    } else {
        // SAFETY: a return area for `result<u64, stream-error>`.
        unsafe {
            let mut ret = [0u64; 2];
            host::check_write(dst, ret.as_mut_ptr() as *mut u8);
            let at = host::status(ret.as_ptr() as *const u8, 8).map_err(host_stream_error)?;
            *(at as *const u64)
        }
    };
    let bytes = take(src, len.min(room))?;
    // SAFETY: a return area for `result<_, stream-error>`; the bytes are the body's, in this
    // module's memory, and the host call touches no stream of ours.
    unsafe {
        let mut ret = [0u64; 2];
        let out = ret.as_mut_ptr() as *mut u8;
        if blocking {
            host::blocking_write_and_flush(dst, bytes.as_ptr(), bytes.len(), out);
        } else {
            host::write(dst, bytes.as_ptr(), bytes.len(), out);
        }
        host::status(out, 4).map_err(host_stream_error)?;
    }
    Ok(bytes.len() as u64)
}

/// Forwards the call to the host when `$h` is the host's handle, results in the guest's
/// memory; otherwise the code after it serves the adapter's own.
macro_rules! forward {
    ($h:expr, $call:expr) => {
        #[cfg(feature = "forward")]
        if is_host($h) {
            // SAFETY: the guest's arguments and return area, handed on as the host's
            // lowering expects them (one memory).
            return host::for_guest(|| unsafe { $call });
        }
        // Every handle is the adapter's.
        #[cfg(not(feature = "forward"))]
        let _ = $h;
    };
}

// --- wasi:io/error

#[export_name = "wasi:io/error|[resource-drop]error"]
extern "C" fn drop_error(h: u32) {
    forward!(h, host::drop_error(h));
    streams().errors.remove(h);
}

#[export_name = "wasi:io/error|[method]error.to-debug-string"]
unsafe extern "C" fn to_debug_string(h: u32, ret: *mut u8) {
    forward!(h, host::to_debug_string(h, ret));
    let text = match streams().errors.get(h) {
        Ok(t) => give(t.as_bytes()),
        Err(_) => give(trace::dead_error(h).as_bytes()),
    };
    unsafe { put_list(ret, text) }
}

// --- wasi:io/poll: the adapter's pollables are always ready

#[export_name = "wasi:io/poll|[resource-drop]pollable"]
extern "C" fn drop_pollable(h: u32) {
    forward!(h, host::drop_pollable(h));
}

#[export_name = "wasi:io/poll|[method]pollable.ready"]
extern "C" fn ready(h: u32) -> u32 {
    forward!(h, host::ready(h));
    1
}

#[export_name = "wasi:io/poll|[method]pollable.block"]
extern "C" fn block(h: u32) {
    forward!(h, host::block(h));
}

#[export_name = "wasi:io/poll|poll"]
unsafe extern "C" fn poll(ptr: *const u8, n: usize, ret: *mut u8) {
    // SAFETY: the guest's list of `n` handles.
    let handles = unsafe { core::slice::from_raw_parts(ptr as *const u32, n) };
    // Only host pollables: the host waits for them.
    if n > 0 && handles.iter().all(|h| is_host(*h)) {
        forward!(handles[0], host::poll(ptr, n, ret));
    }
    // One of the adapter's is ready now, so nothing waits: those, and the host's that are.
    // SAFETY: a fresh block of `n` indices, filled before the guest sees it.
    unsafe {
        let block = main_realloc(null_mut(), 0, 4, n * 4) as *mut u32;
        let mut count = 0;
        for (i, h) in handles.iter().enumerate() {
            if !is_host(*h) || host_ready(*h) {
                block.add(count).write(i as u32);
                count += 1;
            }
        }
        put_list(ret, (block as u32, count as u32))
    }
}

#[cfg(feature = "forward")]
fn host_ready(h: u32) -> bool {
    // SAFETY: a host pollable handle of the guest's.
    unsafe { host::ready(h) != 0 }
}

#[cfg(not(feature = "forward"))]
fn host_ready(_h: u32) -> bool {
    false
}

// --- wasi:io/streams: input streams

#[export_name = "wasi:io/streams|[resource-drop]input-stream"]
extern "C" fn drop_input_stream(h: u32) {
    forward!(h, host::drop_input_stream(h));
    streams().inputs.remove(h);
}

unsafe fn put_read(ret: *mut u8, r: Result<&[u8], StreamError>) {
    // result<list<u8>, stream-error>: the payload at 4, copied once into the guest's block.
    unsafe { put(ret, 4, r, |at, data| put_list(at, give(data))) }
}

#[export_name = "wasi:io/streams|[method]input-stream.read"]
unsafe extern "C" fn input_read(h: u32, len: u64, ret: *mut u8) {
    forward!(h, host::read(h, len, ret));
    unsafe { put_read(ret, take(h, len)) }
}

// Nothing here waits: the whole body is already in memory.
#[export_name = "wasi:io/streams|[method]input-stream.blocking-read"]
unsafe extern "C" fn input_blocking_read(h: u32, len: u64, ret: *mut u8) {
    forward!(h, host::blocking_read(h, len, ret));
    unsafe { put_read(ret, take(h, len)) }
}

#[export_name = "wasi:io/streams|[method]input-stream.skip"]
unsafe extern "C" fn input_skip(h: u32, len: u64, ret: *mut u8) {
    forward!(h, host::skip(h, len, ret));
    unsafe { put_count(ret, skip(h, len)) }
}

#[export_name = "wasi:io/streams|[method]input-stream.blocking-skip"]
unsafe extern "C" fn input_blocking_skip(h: u32, len: u64, ret: *mut u8) {
    forward!(h, host::blocking_skip(h, len, ret));
    unsafe { put_count(ret, skip(h, len)) }
}

#[export_name = "wasi:io/streams|[method]input-stream.subscribe"]
extern "C" fn input_subscribe(h: u32) -> u32 {
    forward!(h, host::input_subscribe(h));
    READY
}

// --- wasi:io/streams: output streams

#[export_name = "wasi:io/streams|[resource-drop]output-stream"]
extern "C" fn drop_output_stream(h: u32) {
    forward!(h, host::drop_output_stream(h));
    streams().outputs.remove(h);
}

#[export_name = "wasi:io/streams|[method]output-stream.check-write"]
unsafe extern "C" fn output_check_write(h: u32, ret: *mut u8) {
    forward!(h, host::check_write(h, ret));
    unsafe { put_count(ret, with_body(h, |_| Ok(WRITE_BUDGET))) }
}

#[export_name = "wasi:io/streams|[method]output-stream.write"]
unsafe extern "C" fn output_write(h: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    forward!(h, host::write(h, ptr, len, ret));
    // SAFETY: the guest's buffer argument, appended straight from its memory.
    unsafe { put_unit(ret, append(h, bytes(ptr, len))) }
}

#[export_name = "wasi:io/streams|[method]output-stream.blocking-write-and-flush"]
unsafe extern "C" fn output_blocking_write_and_flush(h: u32, ptr: *const u8, len: usize, ret: *mut u8) {
    forward!(h, host::blocking_write_and_flush(h, ptr, len, ret));
    unsafe { put_unit(ret, append(h, bytes(ptr, len))) }
}

#[export_name = "wasi:io/streams|[method]output-stream.flush"]
unsafe extern "C" fn output_flush(h: u32, ret: *mut u8) {
    forward!(h, host::flush(h, ret));
    unsafe { put_unit(ret, with_body(h, |_| Ok(()))) }
}

#[export_name = "wasi:io/streams|[method]output-stream.blocking-flush"]
unsafe extern "C" fn output_blocking_flush(h: u32, ret: *mut u8) {
    forward!(h, host::blocking_flush(h, ret));
    unsafe { put_unit(ret, with_body(h, |_| Ok(()))) }
}

#[export_name = "wasi:io/streams|[method]output-stream.subscribe"]
extern "C" fn output_subscribe(h: u32) -> u32 {
    forward!(h, host::output_subscribe(h));
    READY
}

#[export_name = "wasi:io/streams|[method]output-stream.write-zeroes"]
unsafe extern "C" fn output_write_zeroes(h: u32, len: u64, ret: *mut u8) {
    forward!(h, host::write_zeroes(h, len, ret));
    unsafe { put_unit(ret, zeroes(h, len)) }
}

#[export_name = "wasi:io/streams|[method]output-stream.blocking-write-zeroes-and-flush"]
unsafe extern "C" fn output_blocking_write_zeroes_and_flush(h: u32, len: u64, ret: *mut u8) {
    forward!(h, host::blocking_write_zeroes_and_flush(h, len, ret));
    unsafe { put_unit(ret, zeroes(h, len)) }
}

#[export_name = "wasi:io/streams|[method]output-stream.splice"]
unsafe extern "C" fn output_splice(h: u32, src: u32, len: u64, ret: *mut u8) {
    unsafe { any_splice(h, src, len, false, ret) }
}

#[export_name = "wasi:io/streams|[method]output-stream.blocking-splice"]
unsafe extern "C" fn output_blocking_splice(h: u32, src: u32, len: u64, ret: *mut u8) {
    unsafe { any_splice(h, src, len, true, ret) }
}

/// `splice` or `blocking-splice` from `src` into `h`, each the adapter's or the host's.
unsafe fn any_splice(h: u32, src: u32, len: u64, blocking: bool, ret: *mut u8) {
    // Both the host's: the host moves the bytes itself.
    if is_host(src) {
        forward!(h, if blocking { host::blocking_splice(h, src, len, ret) } else { host::splice(h, src, len, ret) });
    }
    #[cfg(feature = "forward")]
    if is_host(h) {
        return unsafe { put_count(ret, splice_into_host(h, src, len, blocking)) };
    }
    unsafe { put_count(ret, splice(h, src, len, blocking)) }
}
