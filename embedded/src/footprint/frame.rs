//! `Frame::parse` and `Frame::parse_in_place` on opaque input.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, Frame};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let config: Config = opaque(Config::server());
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let input = rx.get_mut(..n).unwrap_or_default();
        keep(Frame::parse(input, &config));
        keep(Frame::parse_in_place(input, &config));
        send(&rx);
    }
}
