//! `Unmasker::apply`, `unmask` and `FrameHeader::unmask` on opaque input.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{unmask, FrameHeader, MaskingKey, Opcode, Unmasker};
use wsframe_embedded::{opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut unmasker = Unmasker::new(opaque(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d])));
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let chunk = rx.get_mut(..n).unwrap_or_default();
        unmasker.apply(chunk);
        unmask(chunk, opaque(MaskingKey::new([1, 2, 3, 4])));
        let key = opaque(Some(MaskingKey::new([5, 6, 7, 8])));
        if let Ok(header) = FrameHeader::new(true, 0, Opcode::Binary, key, chunk.len() as u64) {
            header.unmask(chunk);
        }
        send(chunk);
    }
}
