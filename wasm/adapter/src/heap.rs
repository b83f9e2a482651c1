//! The adapter's memory allocator. std's dlmalloc is about 8 KB of code, a sixth of the
//! adapter; this one is a few hundred bytes: power-of-two size classes from 16 bytes up,
//! one free list per class, blocks carved from memory grown at the end of linear memory.
//!
//! Lossy (in memory, not in data): a block is up to twice the size asked for, and freed
//! blocks are only reused for their own class, so the heap keeps the peak use of each
//! class. Requests aligned beyond 16 bytes (none are made here) are never reused.

use core::alloc::{GlobalAlloc, Layout};
#[cfg(not(feature = "fused"))]
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65536;
/// Smallest block: 16 bytes, which also keeps every block 16-byte aligned.
const MIN_SHIFT: u32 = 4;
const MAX_ALIGN: usize = 1 << MIN_SHIFT;

struct Heap {
    /// Head of the free list of blocks of `1 << k` bytes; a free block stores the next.
    free: [*mut u8; usize::BITS as usize],
    /// The unused tail of the last memory grown: `[next, end)`.
    next: usize,
    end: usize,
}

pub struct Allocator(UnsafeCell<Heap>);

// SAFETY: wasm32 without threads.
unsafe impl Sync for Allocator {}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(Heap {
    free: [null_mut(); usize::BITS as usize],
    next: 0,
    end: 0,
}));

/// The class `k` of blocks of `1 << k` bytes that hold `size`; `None` beyond 2 GiB.
fn class(size: usize) -> Option<u32> {
    let block = size.max(MAX_ALIGN).checked_next_power_of_two()?;
    Some(block.trailing_zeros())
}

/// `pages` fresh pages' worth of memory: the start address, or `None` when there is none.
/// The composed adapter owns its memory and grows it; the fused one shares the guest's, so
/// it asks the guest's allocator rather than take pages from under it.
fn fresh(pages: usize) -> Option<usize> {
    #[cfg(not(feature = "fused"))]
    {
        let prev = wasm32::memory_grow(0, pages);
        (prev != usize::MAX).then(|| prev * PAGE)
    }
    #[cfg(feature = "fused")]
    {
        // SAFETY: the guest's `cabi_realloc` with no old block allocates `pages * PAGE` bytes.
        let p = unsafe { crate::fused::main_realloc(null_mut(), 0, MAX_ALIGN, pages * PAGE) };
        (!p.is_null()).then_some(p as usize)
    }
}

impl Heap {
    /// `size` fresh bytes, 16-byte aligned when `size` is a multiple of 16.
    fn carve(&mut self, size: usize) -> *mut u8 {
        if self.end - self.next < size {
            let short = size - (self.end - self.next);
            let pages = short.div_ceil(PAGE);
            let Some(start) = fresh(pages) else {
                return null_mut();
            };
            if start == self.end {
                self.end += pages * PAGE;
            } else {
                // First growth, or not right after our tail (memory grown by someone else,
                // or a block of the guest's allocator): a new region, the old tail abandoned.
                let need = size.div_ceil(PAGE);
                let (start, have) = if pages >= need {
                    (start, pages)
                } else {
                    match fresh(need) {
                        Some(s) => (s, need),
                        None => return null_mut(),
                    }
                };
                self.next = start;
                self.end = start + have * PAGE;
            }
        }
        let p = self.next;
        self.next += size;
        p as *mut u8
    }
}

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded, and nothing here re-enters the allocator.
        let heap = unsafe { &mut *self.0.get() };
        if layout.align() > MAX_ALIGN {
            let size = layout.size().next_multiple_of(MAX_ALIGN);
            let p = heap.carve(size + layout.align());
            if p.is_null() {
                return p;
            }
            return (p as usize).next_multiple_of(layout.align()) as *mut u8;
        }
        let Some(k) = class(layout.size()) else {
            return null_mut();
        };
        let head = heap.free[k as usize];
        if head.is_null() {
            return heap.carve(1 << k);
        }
        // SAFETY: a free block's first word holds the next free block of its class.
        heap.free[k as usize] = unsafe { *(head as *mut *mut u8) };
        head
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() > MAX_ALIGN {
            return;
        }
        let Some(k) = class(layout.size()) else {
            return;
        };
        // SAFETY: single-threaded; `ptr` is a block of class `k` that is no longer used.
        unsafe {
            let heap = &mut *self.0.get();
            *(ptr as *mut *mut u8) = heap.free[k as usize];
            heap.free[k as usize] = ptr;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MAX_ALIGN {
            if let (Some(old), Some(new)) = (class(layout.size()), class(new_size)) {
                if old == new {
                    return ptr;
                }
            }
        }
        // SAFETY: as `GlobalAlloc::realloc` requires of the caller.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
