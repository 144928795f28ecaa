//! The receive path without a message buffer: `Receiver<0>::read` (frame
//! and message rules, unmasking, UTF-8, Close bodies; data messages as
//! pieces), `needed` and `reset`, over opaque chunks. No replies: those are
//! in `fp-full`.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use wsframe::{Config, Receiver};
use wsframe_embedded::{keep, opaque, receive, send};

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut receiver = opaque(Receiver::new(opaque(Config::server())));
    let mut rx = [0u8; 256];
    loop {
        let n = receive(&mut rx);
        let input = rx.get_mut(..n).unwrap_or_default();
        let mut at = 0;
        while let Some(rest) = input.get_mut(at..).filter(|rest| !rest.is_empty()) {
            match receiver.read(rest) {
                Ok((used, event)) => {
                    at += used;
                    keep(event);
                }
                Err(e) => {
                    keep(e);
                    receiver.reset();
                    break;
                }
            }
        }
        keep(receiver.needed());
        send(&rx);
    }
}
