//! The README's firmware loop (`wsframe_embedded::example::receive`):
//! `Decoder` + `Reassembler<1024>` + the encoder answering Ping, Close and
//! protocol errors. The figure the README quotes.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, Decoder, Reassembler};
use wsframe_embedded::{example, keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let config: Config = opaque(Config::server());
    let mut decoder = opaque(Decoder::new(config));
    let mut reassembler: Reassembler<1024> = opaque(Reassembler::new(&config));
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let open = example::receive(
            &mut decoder,
            &mut reassembler,
            rx.get_mut(..n).unwrap_or_default(),
            |message| {
                keep(message);
            },
            send,
        );
        if !open {
            decoder.reset();
            reassembler.reset();
        }
    }
}
