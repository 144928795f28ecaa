//! Prints `size_of` of the crate's public types on the target (32-bit
//! `usize`), via semihosting under QEMU; `size.sh` runs it.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::mem::size_of;

use cortex_m_semihosting::{debug, hprintln};
use wsframe::{
    CloseCode, Config, Error, Event, Frame, FrameHeader, MaskingKey, Piece, Receiver, State,
    Unmasker,
};

#[cortex_m_rt::entry]
fn main() -> ! {
    hprintln!("size_of Config {}", size_of::<Config>());
    hprintln!("size_of FrameHeader {}", size_of::<FrameHeader>());
    hprintln!("size_of Frame {}", size_of::<Frame<'_>>());
    hprintln!("size_of MaskingKey {}", size_of::<MaskingKey>());
    hprintln!("size_of Unmasker {}", size_of::<Unmasker>());
    hprintln!("size_of Receiver {}", size_of::<Receiver>());
    hprintln!("size_of Receiver<256> {}", size_of::<Receiver<256>>());
    hprintln!("size_of Event {}", size_of::<Event<'_>>());
    hprintln!("size_of Piece {}", size_of::<Piece<'_>>());
    hprintln!("size_of State {}", size_of::<State>());
    hprintln!("size_of CloseCode {}", size_of::<CloseCode>());
    hprintln!("size_of Error {}", size_of::<Error>());
    // The receiver without a buffer is meant to fit 200 bytes.
    if size_of::<Receiver>() > 200 {
        hprintln!("size_of Receiver is over 200 bytes");
        debug::exit(debug::EXIT_FAILURE);
    } else {
        debug::exit(debug::EXIT_SUCCESS);
    }
    loop {
        cortex_m::asm::bkpt();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}
