//! The footprint baseline: the same receive/send loop as the other
//! footprint firmwares, without wsframe. Their size minus this one is the
//! flash that wsframe (and the glue that calls it) takes.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe_embedded::{receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        send(rx.get(..n).unwrap_or_default());
    }
}
