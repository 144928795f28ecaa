//! A client's opening handshake (feature `handshake`): `ClientRequest::encode`
//! and `Response::parse` of the server's answer, on bytes and a nonce the
//! optimiser cannot see.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::handshake::{ClientRequest, Response};
use wsframe::Config;
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 512];
    let mut tx = [0u8; 256];
    loop {
        let mut nonce = [0u8; 16];
        receive(&mut nonce);
        let request = ClientRequest::new(opaque("example.com"), opaque("/"), nonce);
        if let Ok(n) = request.encode(&mut tx) {
            send(tx.get(..n).unwrap_or_default());
        }
        let n = receive(&mut rx);
        match Response::parse(rx.get(..n).unwrap_or_default(), &request, opaque(512)) {
            Ok(status) => keep(status.complete().map(|(r, _)| r.config(Config::client()))),
            Err(e) => keep(e),
        }
    }
}
