//! `FrameHeader::parse` alone, on bytes and a config the optimiser cannot see.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, FrameHeader};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let config: Config = opaque(Config::server());
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        keep(FrameHeader::parse(rx.get(..n).unwrap_or_default(), &config));
        send(&rx);
    }
}
