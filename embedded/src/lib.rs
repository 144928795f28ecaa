//! Shared code of the embedded proof firmware: the example receive loop that
//! the README shows (compiled and run here, so it cannot rot), and opaque
//! input/output for the footprint and no-panic builds.
#![no_std]
#![forbid(unsafe_code)]

pub mod example;

use core::hint::black_box;

/// Fills `buf` with bytes the optimiser cannot know (a stand-in for a UART or
/// a network stack) and returns how many of them are valid.
#[inline(never)]
pub fn receive(buf: &mut [u8]) -> usize {
    let buf = black_box(buf);
    black_box(buf.len()).min(buf.len())
}

/// Hands `bytes` to something the optimiser cannot see (a stand-in for a
/// transmit queue), so the code that produced them is kept.
#[inline(never)]
pub fn send(bytes: &[u8]) {
    black_box(bytes);
}

/// A value the optimiser cannot know.
pub fn opaque<T>(value: T) -> T {
    black_box(value)
}

/// Keeps `value` (and the code that computed it) alive.
pub fn keep<T>(value: T) {
    black_box(value);
}
