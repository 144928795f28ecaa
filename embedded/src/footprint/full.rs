//! The README's firmware loop (`wsframe_embedded::example::receive`):
//! `Receiver::read` with `reply` answering Ping, Close and protocol errors.
//! The figure the README quotes.
//!
//! The receiver has a 1 KiB message buffer (`Receiver<1024>`: whole
//! messages), so the figure and the no-panic proof cover the buffered path.
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
    let mut receiver: Receiver<1024> = opaque(Receiver::with_buffer(config));
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
