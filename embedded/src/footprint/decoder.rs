//! The streaming frame layer: `Decoder::decode` (header parse + unmasking)
//! and `Decoder::needed`, over opaque chunks.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, Decoder};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut decoder = opaque(Decoder::new(opaque(Config::server())));
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let input = rx.get_mut(..n).unwrap_or_default();
        let mut at = 0;
        while let Some(rest) = input.get_mut(at..) {
            match decoder.decode(rest) {
                Ok((used, Some(event))) => {
                    at += used;
                    keep(event);
                }
                Ok((_, None)) => break,
                Err(e) => {
                    keep(e);
                    decoder.reset();
                    break;
                }
            }
        }
        keep(decoder.needed());
        send(&rx);
    }
}
