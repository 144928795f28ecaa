//! `Fragmenter` (iteration and `ExactSizeIterator::len`) on opaque input,
//! the `Fragmenter` itself opaque too.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{encode_frame, Fragmenter, Opcode};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 270];
    loop {
        let n = receive(&mut rx);
        let payload = rx.get(..n).unwrap_or_default();
        if let Ok(fragments) = Fragmenter::new(opaque(Opcode::Text), payload, opaque(64)) {
            // Opaque, so nothing learnt in `new` (such as a non-zero fragment
            // size) carries over: as when a Fragmenter is passed around.
            let fragments = opaque(fragments);
            keep(fragments.len());
            for (header, chunk) in fragments {
                if let Ok(n) = encode_frame(&header, chunk, &mut tx) {
                    send(tx.get(..n).unwrap_or_default());
                }
            }
        }
    }
}
