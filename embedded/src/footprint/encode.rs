//! The encoder: `FrameHeader::new`/`encode`, `encode_frame` (masking) and
//! `encode_close`, on opaque input.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{encode_close, encode_frame, CloseCode, FrameHeader, MaskingKey, Opcode};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 270];
    loop {
        let n = receive(&mut rx);
        let payload = rx.get(..n).unwrap_or_default();
        let key = opaque(Some(MaskingKey::new([1, 2, 3, 4])));
        let opcode = opaque(Opcode::Binary);
        if let Ok(header) =
            FrameHeader::new(opaque(true), opaque(0), opcode, key, payload.len() as u64)
        {
            keep(header.encode(&mut tx));
            keep(encode_frame(&header, payload, &mut tx));
        }
        let reason: &str = opaque("going away");
        let code = CloseCode::new(opaque(1000));
        keep(encode_close(code, reason, key, &mut tx));
        send(&tx);
    }
}
