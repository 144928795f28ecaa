//! The README's "Using it in firmware" loop. `qemu-tests` runs it over a
//! fixed buffer on the emulated Cortex-M4 and `footprint` measures it.

// README example start
use wsframe::{
    encode_close, encode_frame, CloseCode, Config, Decoder, FrameHeader, Message, Opcode,
    Reassembler,
};

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
    const CONFIG: Config = Config::server().with_max_message_len(256);
    let mut decoder = Decoder::new(CONFIG);
    let mut reassembler: Reassembler<256> = Reassembler::new(&CONFIG);
    let mut texts = 0;
    for piece in WIRE.chunks(8) {
        let mut rx = [0u8; 8];
        let rx = &mut rx[..piece.len()];
        rx.copy_from_slice(piece); // in firmware: `let n = uart.read(&mut rx);`
        let on_message = |message: Message<'_>| {
            if let Message::Text(text) = message {
                texts += usize::from(text == "Hello");
            }
        };
        if !receive(&mut decoder, &mut reassembler, rx, on_message, &mut send) {
            break; // closed
        }
    }
    texts
}

/// Feeds the bytes just received through the frame and message layers
/// (payloads are unmasked in place in `rx`), hands each complete message to
/// `on_message`, answers Ping and Close, and fails the connection with the
/// close code that a protocol error calls for. Returns `false` once the
/// connection is closed.
pub fn receive<const N: usize>(
    decoder: &mut Decoder,
    reassembler: &mut Reassembler<N>,
    rx: &mut [u8],
    mut on_message: impl FnMut(Message<'_>),
    mut send: impl FnMut(&[u8]),
) -> bool {
    let mut tx = [0u8; 2 + 125]; // an unmasked control frame, as a server sends it
    let mut at = 0;
    while let Some(rest) = rx.get_mut(at..) {
        let outcome = match decoder.decode(rest) {
            Ok((used, Some(event))) => {
                at += used;
                reassembler.feed(&event)
            }
            // All of `rx` is used: wait for more bytes. A header cut before
            // its masking key already shows its message rules (1009 for a
            // message over the limit): judge them now.
            Ok((_, None)) => {
                let pending = decoder.pending_header();
                match pending.map(|header| reassembler.check_header(&header)) {
                    Some(Err(e)) => Err(e),
                    _ => return true,
                }
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(None) => {}
            Ok(Some(Message::Ping(payload))) => {
                let pong = FrameHeader::new(true, 0, Opcode::Pong, None, payload.len() as u64);
                if let Ok(n) = pong.and_then(|pong| encode_frame(&pong, payload, &mut tx)) {
                    send(tx.get(..n).unwrap_or_default());
                }
            }
            // Echo the code (RFC 6455 §5.5.1).
            Ok(Some(Message::Close { code, .. })) => return close(code, &mut tx, &mut send),
            Ok(Some(message)) => on_message(message),
            Err(e) => return close(Some(e.close_code()), &mut tx, &mut send),
        }
    }
    true
}

/// Sends a Close frame: the answer to the peer's, or the one that fails the
/// connection (RFC 6455 §7.1.7). Returns `false`: the connection is closed.
fn close(code: Option<CloseCode>, tx: &mut [u8], send: &mut impl FnMut(&[u8])) -> bool {
    if let Ok(n) = encode_close(code, "", None, tx) {
        send(tx.get(..n).unwrap_or_default());
    }
    false
}
// README example end
