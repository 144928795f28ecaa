//! The README's firmware loop (`wsframe_embedded::example::receive`):
//! `Receiver::read` with `reply` answering Ping, Close and protocol errors.
//! The figure the README quotes.
//!
//! The receiver has no message buffer (`Receiver<0>`: messages as pieces).
//! With one (`Receiver<N>`, N > 0) the loop is about 460 B larger at "z",
//! and at "z" two `copy_from_slice` length checks in `Receiver::read` (they
//! cannot fail) are not optimised out, so no-panic.sh could not prove it.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, Receiver};
use wsframe_embedded::{example, keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let config: Config = opaque(Config::server());
    let mut receiver: Receiver = opaque(Receiver::new(config));
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let open = example::receive(
            &mut receiver,
            rx.get_mut(..n).unwrap_or_default(),
            |event| {
                keep(event);
            },
            send,
        );
        if !open {
            receiver.reset();
        }
    }
}
