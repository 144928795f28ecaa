//! The README's "Using it in firmware" loop. `qemu-tests` runs it over a
//! fixed buffer on the emulated Cortex-M4 and `footprint` measures it.

// README example start
use wsframe::{Config, Event, FrameHeader, Receiver, State};

/// RFC 6455 §5.7's masked "Hello" as a server receives it, then a masked
/// Close with code 1000.
pub const WIRE: [u8; 19] = [
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, // Text "Hello"
    0x88, 0x82, 0x11, 0x22, 0x33, 0x44, 0x12, 0xca, // Close 1000
];

/// A server's receive loop over a fixed buffer, 8 bytes at a time as from a
/// UART. Returns the number of "Hello" texts; the frames it answers with go
/// to `send`.
pub fn run_fixed_buffer(mut send: impl FnMut(&[u8])) -> usize {
    let mut receiver: Receiver<256> = Receiver::with_buffer(Config::server());
    let mut texts = 0;
    for piece in WIRE.chunks(8) {
        let mut rx = [0u8; 8];
        let rx = &mut rx[..piece.len()];
        rx.copy_from_slice(piece); // in firmware: `let n = uart.read(&mut rx);`
        let on_event = |event: Event<'_>| {
            if let Event::Text(text) = event {
                texts += usize::from(text == "Hello");
            }
        };
        if !receive(&mut receiver, rx, on_event, &mut send) {
            break; // closed
        }
    }
    texts
}

/// Feeds the bytes just received to the receiver (payloads are unmasked in
/// place in `rx`, every rule is judged at the byte that decides it), hands
/// each event to `on_event` (whole messages, with a buffer), and sends what
/// is due: the Pong for a Ping, the Close echoing the peer's, or the Close
/// that a protocol error calls for. Returns `false` once the connection is
/// closed.
pub fn receive<const N: usize>(
    receiver: &mut Receiver<N>,
    rx: &mut [u8],
    mut on_event: impl FnMut(Event<'_>),
    mut send: impl FnMut(&[u8]),
) -> bool {
    let mut tx = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
    let mut at = 0;
    while let Some(rest) = rx.get_mut(at..).filter(|rest| !rest.is_empty()) {
        // An error stays in the receiver (`State::Failed`): `reply` answers it.
        if let Ok((used, Some(event))) = receiver.read(rest) {
            at += used;
            on_event(event);
        } else {
            at = rx.len(); // all used, or failed
        }
        if let Ok(n @ 1..) = receiver.reply(None, &mut tx) {
            send(tx.get(..n).unwrap_or_default());
        }
        if !matches!(receiver.state(), State::Open | State::CloseSent) {
            return false; // closed, or failed (RFC 6455 §7.1.7): close the connection
        }
    }
    true
}
// README example end
