//! A stream of 1,000 mixed small masked frames (2–125 byte payloads), as a
//! server receives them: parse every header and unmask every payload in place.
//!
//! Peers in the same group, on the same bytes:
//! - `tungstenite`: `tungstenite::protocol::frame::FrameHeader::parse` over a
//!   `Cursor`, then the payload unmasked in place with `wsframe::unmask` (the
//!   same unmask as ours, so the difference is the header parser alone);
//! - `embedded_websocket`: `WebSocketServer::read`, its frame reader, which
//!   unmasks each payload into a second buffer (its only way to read a frame).
//!
//! The `*_headers_only` pair parses the same headers and skips the payloads
//! without unmasking them: the header parsers alone.
//!
//! XOR is its own inverse, so the payloads flip between masked and plaintext
//! from one iteration to the next without a copy; the headers never change.

#[path = "support/peers.rs"]
mod peers;

use core::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wsframe::{Config, Frame, FrameHeader, MaskingKey, Opcode, Receiver, Status};

/// Frames in the stream.
const FRAMES: usize = 1_000;

/// A deterministic xorshift64 generator, so every run sees the same stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// 1,000 masked frames with payloads of 2 to 125 bytes: mostly final Text
/// and Binary frames, one in eight a Ping or a Pong.
fn stream() -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    let mut frame = [0u8; 2 + 4 + 125];
    let mut payload = [0u8; 125];
    for _ in 0..FRAMES {
        let len = rng.range(2, 125);
        let opcode = match rng.next() % 8 {
            0 => Opcode::Ping,
            1 => Opcode::Pong,
            2..=4 => Opcode::Binary,
            _ => Opcode::Text,
        };
        let [k0, k1, k2, k3, ..] = rng.next().to_le_bytes();
        let key = MaskingKey::new([k0, k1, k2, k3]);
        for (i, b) in payload.iter_mut().enumerate() {
            *b = b'a' + (i % 26).to_le_bytes()[0];
        }
        let Ok(header) = FrameHeader::new(true, 0, opcode, Some(key), len) else {
            unreachable!("valid header")
        };
        let body = payload.get(..header_payload_len(&header)).unwrap_or(&[]);
        let Ok(n) = wsframe::encode_frame(&header, body, &mut frame) else {
            unreachable!("the frame fits")
        };
        out.extend_from_slice(frame.get(..n).unwrap_or(&[]));
    }
    out
}

fn header_payload_len(header: &FrameHeader) -> usize {
    usize::try_from(header.payload_len()).unwrap_or(0)
}

/// `Frame::parse_in_place` over the whole stream; returns the payload bytes seen.
fn wsframe_parse_in_place(mut buf: &mut [u8], config: &Config) -> usize {
    let mut payload = 0;
    while let Ok(Status::Complete((frame, used))) = Frame::parse_in_place(buf, config) {
        payload += frame.payload().len();
        buf = buf.get_mut(used..).unwrap_or(&mut []);
    }
    payload
}

/// `FrameHeader::parse` then `FrameHeader::unmask` on the payload.
fn wsframe_header_unmask(mut buf: &mut [u8], config: &Config) -> usize {
    let mut payload = 0;
    while let Ok(Status::Complete((header, used))) = FrameHeader::parse(buf, config) {
        let end = used + header_payload_len(&header);
        let Some(body) = buf.get_mut(used..end) else {
            break;
        };
        header.unmask(body);
        payload += body.len();
        buf = buf.get_mut(end..).unwrap_or(&mut []);
    }
    payload
}

/// `FrameHeader::parse` alone, skipping the payloads.
fn wsframe_headers_only(mut buf: &[u8], config: &Config) -> usize {
    let mut payload = 0;
    while let Ok(Status::Complete((header, used))) = FrameHeader::parse(buf, config) {
        let len = header_payload_len(&header);
        payload += len;
        buf = buf.get(used + len..).unwrap_or(&[]);
    }
    payload
}

/// tungstenite's `FrameHeader::parse` alone, skipping the payloads.
fn tungstenite_headers_only(mut buf: &[u8]) -> usize {
    use tungstenite::protocol::frame::FrameHeader as TFrameHeader;
    let mut payload = 0;
    loop {
        let mut cursor = Cursor::new(buf);
        let Ok(Some((_, len))) = TFrameHeader::parse(&mut cursor) else {
            break;
        };
        let used = usize::try_from(cursor.position()).unwrap_or(usize::MAX);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        payload += len;
        buf = buf.get(used.saturating_add(len)..).unwrap_or(&[]);
    }
    payload
}

/// tungstenite's header parser, then the payload unmasked in place.
fn tungstenite_parse(mut buf: &mut [u8]) -> usize {
    use tungstenite::protocol::frame::FrameHeader as TFrameHeader;
    let mut payload = 0;
    loop {
        let mut cursor = Cursor::new(&*buf);
        let Ok(Some((header, len))) = TFrameHeader::parse(&mut cursor) else {
            break;
        };
        let used = usize::try_from(cursor.position()).unwrap_or(usize::MAX);
        let end = used.saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
        let Some(body) = buf.get_mut(used..end) else {
            break;
        };
        if let Some(mask) = header.mask {
            wsframe::unmask(body, MaskingKey::new(mask));
        }
        payload += body.len();
        buf = buf.get_mut(end..).unwrap_or(&mut []);
    }
    payload
}

/// embedded-websocket's frame reader: unmasks each payload into `to`.
fn embedded_websocket_read(mut buf: &[u8], to: &mut [u8]) -> usize {
    use embedded_websocket::{WebSocketServer, WebSocketState};
    let mut ws = WebSocketServer::new_server();
    ws.state = WebSocketState::Open; // after the opening handshake
    let mut payload = 0;
    while !buf.is_empty() {
        let Ok(read) = ws.read(buf, to) else {
            break;
        };
        payload += read.len_to;
        buf = buf.get(read.len_from..).unwrap_or(&[]);
    }
    payload
}

fn bench_stream(c: &mut Criterion) {
    let pristine = stream();
    let expected: usize = {
        let mut copy = pristine.clone();
        wsframe_parse_in_place(&mut copy, &Config::server())
    };
    let config = Config::server();
    // Every contender must see every frame, or the comparison means nothing.
    let mut check = pristine.clone();
    let mut to = [0u8; 125];
    assert_eq!(wsframe_header_unmask(&mut check, &config), expected);
    assert_eq!(tungstenite_parse(&mut check), expected);
    assert_eq!(embedded_websocket_read(&pristine, &mut to), expected);
    assert_eq!(wsframe_headers_only(&pristine, &config), expected);
    assert_eq!(tungstenite_headers_only(&pristine), expected);

    let mut group = c.benchmark_group("stream");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let mut buf = pristine.clone();
    group.bench_function("wsframe_parse_in_place", |b| {
        b.iter(|| wsframe_parse_in_place(black_box(&mut buf), black_box(&config)));
    });
    group.bench_function("wsframe_header_unmask", |b| {
        b.iter(|| wsframe_header_unmask(black_box(&mut buf), black_box(&config)));
    });
    group.bench_function("tungstenite", |b| {
        b.iter(|| tungstenite_parse(black_box(&mut buf)));
    });
    group.bench_function("embedded_websocket", |b| {
        b.iter(|| embedded_websocket_read(black_box(&pristine), black_box(&mut to)));
    });
    group.bench_function("wsframe_headers_only", |b| {
        b.iter(|| wsframe_headers_only(black_box(&pristine), black_box(&config)));
    });
    group.bench_function("tungstenite_headers_only", |b| {
        b.iter(|| tungstenite_headers_only(black_box(&pristine)));
    });
    group.finish();
}

/// The whole receive paths on `peers::small()`, read 4 KiB at a time from
/// an in-memory socket: every rule, messages delivered, Pings answered.
fn bench_receive(c: &mut Criterion) {
    let (wire, total) = peers::small();
    let config = Config::server();
    assert_eq!(peers::receive(&mut Receiver::new(config), &wire), total);
    assert_eq!(peers::tungstenite(&wire), total);
    assert_eq!(peers::fastwebsockets(&wire), total);
    let mut group = c.benchmark_group("receive");
    group.throughput(Throughput::Elements(peers::SMALL_FRAMES as u64));
    group.bench_function("wsframe_receiver", |b| {
        b.iter(|| peers::receive(&mut Receiver::new(config), black_box(&wire)));
    });
    group.bench_function("tungstenite", |b| {
        b.iter(|| peers::tungstenite(black_box(&wire)));
    });
    group.bench_function("fastwebsockets", |b| {
        b.iter(|| peers::fastwebsockets(black_box(&wire)));
    });
    group.finish();
}

criterion_group!(benches, bench_stream, bench_receive);
criterion_main!(benches);
