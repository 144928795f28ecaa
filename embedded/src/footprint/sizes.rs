//! Prints `size_of` of the crate's state types on the target (32-bit
//! `usize`), via semihosting under QEMU; `size.sh` runs it.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::mem::size_of;

use cortex_m_semihosting::{debug, hprintln};
use wsframe::{
    Config, Decoder, Error, Event, Frame, FrameHeader, MessageValidator, Reassembler, Unmasker,
};

#[cortex_m_rt::entry]
fn main() -> ! {
    hprintln!("size_of Config {}", size_of::<Config>());
    hprintln!("size_of FrameHeader {}", size_of::<FrameHeader>());
    hprintln!("size_of Frame {}", size_of::<Frame<'_>>());
    hprintln!("size_of Unmasker {}", size_of::<Unmasker>());
    hprintln!("size_of Decoder {}", size_of::<Decoder>());
    hprintln!("size_of Event {}", size_of::<Event<'_>>());
    hprintln!("size_of MessageValidator {}", size_of::<MessageValidator>());
    hprintln!("size_of Reassembler<0> {}", size_of::<Reassembler<0>>());
    hprintln!(
        "size_of Reassembler<1024> {}",
        size_of::<Reassembler<1024>>()
    );
    hprintln!("size_of Error {}", size_of::<Error>());
    debug::exit(debug::EXIT_SUCCESS);
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
