//! The receive paths measured by `benches/paths.rs` (instruction counts)
//! and `benches/stream.rs` (criterion), on the same bytes: the inputs, the
//! in-memory socket, and each path.
//!
//! Inputs:
//! - `small`: 1,000 masked frames of 2 to 125 bytes (Text, Binary, one in
//!   eight a Ping or Pong), as a server receives them, read 4 KiB at a time
//!   into a 4 KiB receive buffer by [`socket_read`], which stands for the
//!   kernel's copy (`benches/callgrind.sh` leaves it out of the count for
//!   every path, tungstenite's and fastwebsockets' included);
//! - `text`: 16 text messages of 64 KiB (mixed ASCII and 2-, 3-, 4-byte
//!   UTF-8), each in 16 masked fragments, read the same way.

// Bench code: a failed expect or a bad index is a failed run.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]
#![allow(dead_code)] // each bench uses its part

use std::io::{Cursor, Read, Write};

use wsframe::{encode_frame, Config, Event, FrameHeader, MaskingKey, Opcode, Receiver, Status};

pub const SMALL_FRAMES: usize = 1_000;
pub const TEXT_LEN: usize = 64 << 10;
pub const TEXT_MESSAGES: usize = 16;
pub const FRAGMENTS: usize = 16;
pub const READ: usize = 4096;

/// A deterministic xorshift64 generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn key(&mut self) -> MaskingKey {
        let [a, b, c, d, ..] = self.next().to_le_bytes();
        MaskingKey::new([a, b, c, d])
    }
}

pub fn push_frame(out: &mut Vec<u8>, fin: bool, opcode: Opcode, key: MaskingKey, payload: &[u8]) {
    let len = u64::try_from(payload.len()).unwrap_or(u64::MAX);
    let header = FrameHeader::new(fin, 0, opcode, Some(key), len).expect("valid header");
    let start = out.len();
    out.resize(start + header.encoded_len() + payload.len(), 0);
    encode_frame(&header, payload, &mut out[start..]).expect("sized");
}

/// 1,000 small masked frames; returns the stream and its data payload
/// bytes (Text and Binary).
pub fn small() -> (Vec<u8>, usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    let mut total = 0;
    let payload: Vec<u8> = (0..125u8).map(|i| b'a' + i % 26).collect();
    for _ in 0..SMALL_FRAMES {
        let len = 2 + usize::try_from(rng.next() % 124).unwrap_or(0);
        let opcode = match rng.next() % 8 {
            0 => Opcode::Ping,
            1 => Opcode::Pong,
            2..=4 => Opcode::Binary,
            _ => Opcode::Text,
        };
        let key = rng.key();
        push_frame(&mut out, true, opcode, key, &payload[..len]);
        if !opcode.is_control() {
            total += len;
        }
    }
    (out, total)
}

/// 16 text messages of 64 KiB in 16 fragments each.
pub fn text() -> (Vec<u8>, usize) {
    const PARAGRAPH: &str = "WebSocket frames carry text: Grüße aus Köln, ça va, \
        naïve café; Ελληνικά κείμενα; Русский текст; 日本語のテキストと漢字; \
        한국어 문장; emoji 🦀🚀🎉 and math ∑∫√∞ — plain ASCII fills the rest of the line.\n";
    let mut message = String::with_capacity(TEXT_LEN);
    while message.len() + PARAGRAPH.len() <= TEXT_LEN {
        message.push_str(PARAGRAPH);
    }
    while message.len() < TEXT_LEN {
        message.push('.');
    }
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::new();
    let size = TEXT_LEN / FRAGMENTS;
    for _ in 0..TEXT_MESSAGES {
        for (i, chunk) in message.as_bytes().chunks(size).enumerate() {
            let opcode = if i == 0 {
                Opcode::Text
            } else {
                Opcode::Continuation
            };
            push_frame(&mut out, i + 1 == FRAGMENTS, opcode, rng.key(), chunk);
        }
    }
    (out, TEXT_LEN * TEXT_MESSAGES)
}

/// The socket's read: copies `src` into `dst`. Not counted: the script
/// toggles collection off inside it, as a kernel copy would not show.
#[inline(never)]
pub fn socket_read(dst: &mut [u8], src: &[u8]) {
    dst.copy_from_slice(src);
}

/// Feeds `wire` to `rx` 4 KiB at a time through a receive buffer; answers
/// Pings; returns the data payload bytes seen (Text and Binary: the peers
/// answer Pings themselves and do not hand them out).
pub fn receive<const N: usize>(rx: &mut Receiver<N>, wire: &[u8]) -> usize {
    let mut buf = [0u8; READ];
    let mut tx = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
    let mut seen = 0;
    for piece in wire.chunks(READ) {
        let input = &mut buf[..piece.len()];
        socket_read(input, piece);
        let mut at = 0;
        while at < input.len() {
            let (used, event) = rx.read(&mut input[at..]).expect("a valid stream");
            at += used;
            seen += match event {
                Some(Event::Piece(p)) => p.payload.len(),
                Some(Event::Text(t)) => t.len(),
                Some(Event::Binary(b)) => b.len(),
                Some(Event::Ping(_)) => {
                    let pong = rx.reply(None, &mut tx).expect("room for a Pong");
                    core::hint::black_box(&tx[..pong]);
                    0
                }
                _ => 0,
            };
        }
    }
    seen
}

/// `FrameHeader::parse` + `unmask` over the whole stream at once: no
/// message rules, no chunking (the one-shot reference).
pub fn parse_unmask(wire: &mut [u8]) -> usize {
    let config = Config::server();
    let mut rest = wire;
    let mut seen = 0;
    while let Ok(Status::Complete((header, used))) = FrameHeader::parse(rest, &config) {
        let len = usize::try_from(header.payload_len()).unwrap_or(usize::MAX);
        let (frame, tail) = rest.split_at_mut(used + len);
        header.unmask(&mut frame[used..]);
        if !header.opcode().is_control() {
            seen += len;
        }
        rest = tail;
    }
    seen
}

/// An in-memory socket for tungstenite: reads `READ` bytes at most per
/// call from the stream, discards what is written (the Pongs).
pub struct Socket<'a>(Cursor<&'a [u8]>);

impl Read for Socket<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let at = usize::try_from(self.0.position()).unwrap_or(usize::MAX);
        let rest = self.0.get_ref().get(at..).unwrap_or(&[]);
        let n = buf.len().min(READ).min(rest.len());
        socket_read(&mut buf[..n], &rest[..n]);
        self.0.set_position((at + n) as u64);
        Ok(n)
    }
}

impl Write for Socket<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(core::hint::black_box(buf).len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// tungstenite's whole protocol: `WebSocket::read` until the input ends.
pub fn tungstenite(wire: &[u8]) -> usize {
    use tungstenite::protocol::{Message, Role, WebSocket, WebSocketConfig};
    let config = WebSocketConfig::default()
        .max_message_size(Some(1 << 20))
        .max_frame_size(Some(1 << 20));
    let mut ws = WebSocket::from_raw_socket(Socket(Cursor::new(wire)), Role::Server, Some(config));
    let mut seen = 0;
    while let Ok(message) = ws.read() {
        seen += match message {
            Message::Text(t) => t.len(),
            Message::Binary(b) => b.len(),
            _ => 0,
        };
    }
    seen
}

/// The same in-memory socket for fastwebsockets, as tokio's async traits
/// (always ready: a future over it completes in one poll).
pub struct AsyncSocket<'a>(Socket<'a>);

impl tokio::io::AsyncRead for AsyncSocket<'_> {
    fn poll_read(
        mut self: core::pin::Pin<&mut Self>,
        _: &mut core::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> core::task::Poll<std::io::Result<()>> {
        let n = self.0.read(buf.initialize_unfilled());
        if let Ok(n) = n {
            buf.advance(n);
        }
        core::task::Poll::Ready(n.map(|_| ()))
    }
}

impl tokio::io::AsyncWrite for AsyncSocket<'_> {
    fn poll_write(
        self: core::pin::Pin<&mut Self>,
        _: &mut core::task::Context<'_>,
        buf: &[u8],
    ) -> core::task::Poll<std::io::Result<usize>> {
        core::task::Poll::Ready(Ok(core::hint::black_box(buf).len()))
    }
    fn poll_flush(
        self: core::pin::Pin<&mut Self>,
        _: &mut core::task::Context<'_>,
    ) -> core::task::Poll<std::io::Result<()>> {
        core::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: core::pin::Pin<&mut Self>,
        _: &mut core::task::Context<'_>,
    ) -> core::task::Poll<std::io::Result<()>> {
        core::task::Poll::Ready(Ok(()))
    }
}

impl<'a> AsyncSocket<'a> {
    /// The always-ready socket over `wire` (`READ` bytes a read).
    pub fn new(wire: &'a [u8]) -> Self {
        AsyncSocket(Socket(Cursor::new(wire)))
    }
}

/// Polls a future over an always-ready socket to completion.
pub fn ready<T>(future: impl core::future::Future<Output = T>) -> T {
    let mut future = core::pin::pin!(future);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    loop {
        if let core::task::Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// fastwebsockets' whole protocol: `FragmentCollector::read_frame` (whole
/// messages, UTF-8 checked, Pings answered) until the input ends.
pub fn fastwebsockets(wire: &[u8]) -> usize {
    use fastwebsockets::{FragmentCollector, OpCode, Role, WebSocket};
    let mut ws = WebSocket::after_handshake(AsyncSocket(Socket(Cursor::new(wire))), Role::Server);
    ws.set_max_message_size(1 << 20);
    let mut ws = FragmentCollector::new(ws);
    let mut seen = 0;
    while let Ok(frame) = ready(ws.read_frame()) {
        seen += match frame.opcode {
            OpCode::Text | OpCode::Binary => frame.payload.len(),
            _ => 0,
        };
    }
    seen
}

/// tokio-websockets' read path: `WebSocketStream::next` until the input ends.
pub fn tokio_websockets(wire: &[u8]) -> usize {
    use futures_util::StreamExt;
    let limits = tokio_websockets::Limits::default().max_payload_len(Some(1 << 20));
    let mut ws = tokio_websockets::ServerBuilder::new()
        .limits(limits)
        .serve(AsyncSocket::new(wire));
    let mut seen = 0;
    while let Some(Ok(message)) = ready(ws.next()) {
        if message.is_text() || message.is_binary() {
            seen += message.as_payload().len();
        }
    }
    seen
}

/// The `tokio-util` codec over `wire`, fed as `Framed` feeds it: each 4 KiB
/// read appended to one `BytesMut`, then `decode` until it wants more; the
/// data bytes seen (`benches/codec.rs`, and `benches/paths.rs` with
/// `FEATURES="std tokio-util" bash benches/callgrind.sh`).
#[cfg(feature = "tokio-util")]
pub fn codec(wire: &[u8], config: Config) -> usize {
    use tokio_util::codec::Decoder as _;
    use wsframe::codec::{Codec, Message};
    let mut codec = Codec::server(config);
    let mut buf = bytes::BytesMut::with_capacity(READ);
    let mut seen = 0;
    for piece in wire.chunks(READ) {
        // `Framed` reserves room (counted), then the socket fills it (the
        // copy is not counted, as `socket_read`'s is not for the others).
        buf.reserve(piece.len());
        socket_read_bytes(&mut buf, piece);
        while let Ok(Some(message)) = codec.decode(&mut buf) {
            seen += match message {
                Message::Text(t) => t.as_bytes().len(),
                Message::Binary(b) => b.len(),
                _ => 0,
            };
        }
    }
    seen
}

/// The socket's read into a `BytesMut` with room for it (see
/// [`socket_read`]: not counted by `benches/callgrind.sh`).
#[cfg(feature = "tokio-util")]
#[inline(never)]
pub fn socket_read_bytes(buf: &mut bytes::BytesMut, src: &[u8]) {
    buf.extend_from_slice(src);
}
