//! `differential`: wsframe's `Receiver` against the byte-at-a-time reference
//! decoder of `src/reference.rs`, written from the RFC. Same frames (header
//! fields and unmasked payload, from a `Receiver<0>` with header events),
//! same messages (bytes included) and control frames, same first error
//! (variant, hence close code) reported in the call that reads the byte the
//! reference fails at (fed whole, and byte by byte: exactly that byte), and,
//! when the input runs out, the same bytes still needed and the same
//! partial frame; after a valid Close both stop reading.
//!
//! Deliberate differences, left out of the comparison:
//! - `Error::FrameTooBigForTarget` (1009, §10.4) is not modelled: a length
//!   is at most 2^63 - 1, which always fits a 64-bit host's `usize`, so it
//!   cannot occur where the fuzzer runs.
//! - Close codes 1012-1014 are accepted by both: RFC 6455 §7.4.2 reserves
//!   1000-2999 for the protocol and the IANA registry it set up assigned
//!   them later; the reference cites that registry rather than §7.4.1 alone.
//! - The order of checks inside one byte (RSV before opcode before FIN of a
//!   control frame; top bit before control length before minimality before
//!   the limit) is wsframe's documented wire order, which the RFC does not
//!   fix; both sides use it, so the error variants are compared, not only
//!   the close codes.
//! - A control frame's payload is only seen whole from a `Receiver`, so a
//!   partial control frame is compared without its payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe_fuzz::{config_from, reference, run, Options};

fuzz_target!(|data: &[u8]| {
    let (config, stream) = config_from(data);
    let theirs = reference::decode(&config, stream);
    let whole = run::<0>(&config, [stream], Options::HEADERS);
    whole.assert_agrees(&theirs, "wsframe whole (left), the reference (right)");
    let bytes = run::<0>(&config, stream.chunks(1), Options::HEADERS);
    bytes.assert_agrees(
        &theirs,
        "wsframe byte by byte (left), the reference (right)",
    );
});
