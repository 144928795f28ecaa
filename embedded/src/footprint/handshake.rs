//! A server's opening handshake (feature `handshake`): `Request::parse` of
//! the client's request, then the `101` answer (`Request::accept`, with
//! SHA-1 and base64) or the refusal (`RequestError::encode_response`), on
//! bytes the optimiser cannot see.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::handshake::{AcceptOptions, Request};
use wsframe::{Config, Status};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 512];
    let mut tx = [0u8; 256];
    let options = opaque(AcceptOptions::new());
    loop {
        let n = receive(&mut rx);
        let written = match Request::parse(rx.get(..n).unwrap_or_default(), opaque(512)) {
            Ok(Status::Complete((request, _))) => {
                keep(options.config(Config::server()));
                request.accept(&options, &mut tx)
            }
            Ok(Status::Partial { .. }) => continue,
            Err(e) => e.encode_response(&mut tx),
        };
        if let Ok(n) = written {
            send(tx.get(..n).unwrap_or_default());
        }
    }
}
