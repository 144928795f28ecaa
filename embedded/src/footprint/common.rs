//! Shared by every footprint firmware: the panic handler.
//!
//! With the `panic-never` feature the handler calls a function that exists
//! nowhere, so the firmware links only if the optimiser removed every path to
//! a panic: a link-time proof that the code it calls cannot panic.

#[cfg(feature = "panic-never")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // Declared, never defined: referencing it is a link error.
    #[allow(unsafe_code)]
    unsafe extern "C" {
        safe fn wsframe_has_a_panic_path() -> !;
    }
    wsframe_has_a_panic_path()
}

#[cfg(not(feature = "panic-never"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m::asm::udf() // a fault: the firmware stops
}
