//! The opt-in cost of the error texts: `as_str`, `cause`, `remedy`,
//! `rfc_section`, `rfc_url`, `name`, and `Error::encode_close` (which sends
//! `as_str` as the Close reason). Nothing else in the crate pulls them in.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::Error;
use wsframe_embedded::{opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 131];
    loop {
        let n = receive(&mut rx);
        let e = Error::ALL
            .get(n % Error::ALL.len())
            .copied()
            .unwrap_or(Error::InvalidUtf8);
        for text in [
            e.as_str(),
            e.cause(),
            e.remedy(),
            e.rfc_section(),
            e.rfc_url(),
            e.name(),
        ] {
            send(text.as_bytes());
        }
        if let Ok(n) = opaque(e).encode_close(None, &mut tx) {
            send(tx.get(..n).unwrap_or_default());
        }
    }
}
