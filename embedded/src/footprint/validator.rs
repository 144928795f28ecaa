//! The streaming message layer without a message buffer: `Decoder` +
//! `MessageValidator::feed` (fragmentation, sizes, UTF-8, Close bodies).
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, Decoder, MessageValidator};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let config: Config = opaque(Config::server());
    let mut decoder = opaque(Decoder::new(config));
    let mut validator = opaque(MessageValidator::new(&config));
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let input = rx.get_mut(..n).unwrap_or_default();
        let mut at = 0;
        while let Some(rest) = input.get_mut(at..) {
            match decoder.decode(rest) {
                Ok((used, Some(event))) => {
                    at += used;
                    match validator.feed(&event) {
                        Ok(outcome) => {
                            keep(outcome);
                        }
                        Err(e) => {
                            keep(e.close_code());
                            validator.reset();
                        }
                    }
                }
                Ok((_, None)) => break,
                Err(e) => {
                    keep(e.close_code());
                    decoder.reset();
                    break;
                }
            }
        }
        send(&rx);
    }
}
