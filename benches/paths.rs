//! The receive paths of issue 12, on the same bytes, for instruction counts
//! (`benches/callgrind.sh` runs this under `valgrind --tool=callgrind`).
//!
//! `paths PATH REPS` builds the input, then runs `PATH` over it `REPS`
//! times; the script counts a run with `REPS` = 0 (the set-up alone) and
//! one with `REPS` > 0, and divides the difference. Without arguments (as
//! `cargo test --benches` runs it) every path runs once and is checked to
//! see every frame or byte.
//!
//! Inputs:
//! - `small`: 1,000 masked frames of 2 to 125 bytes (Text, Binary, one in
//!   eight a Ping or Pong), as a server receives them, read 4 KiB at a time
//!   into a 4 KiB receive buffer by [`socket_read`], which stands for the
//!   kernel's copy: the script leaves it out of the count (`--toggle-collect`)
//!   for every path, tungstenite's included;
//! - `text`: 16 text messages of 64 KiB (mixed ASCII and 2-, 3-, 4-byte
//!   UTF-8), each in 16 masked fragments, read the same way.

use std::io::{Cursor, Read, Write};

use wsframe::{encode_frame, Config, Event, FrameHeader, MaskingKey, Opcode, Receiver, Status};

const SMALL_FRAMES: usize = 1_000;
const TEXT_LEN: usize = 64 << 10;
const TEXT_MESSAGES: usize = 16;
const FRAGMENTS: usize = 16;
const READ: usize = 4096;

/// A deterministic xorshift64 generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn key(&mut self) -> MaskingKey {
        let [a, b, c, d, ..] = self.next().to_le_bytes();
        MaskingKey::new([a, b, c, d])
    }
}

fn push_frame(out: &mut Vec<u8>, fin: bool, opcode: Opcode, key: MaskingKey, payload: &[u8]) {
    let len = u64::try_from(payload.len()).unwrap_or(u64::MAX);
    let header = FrameHeader::new(fin, 0, opcode, Some(key), len).expect("valid header");
    let start = out.len();
    out.resize(start + header.encoded_len() + payload.len(), 0);
    encode_frame(&header, payload, &mut out[start..]).expect("sized");
}

/// 1,000 small masked frames; returns the stream and its payload bytes.
fn small() -> (Vec<u8>, usize) {
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
        total += len;
    }
    (out, total)
}

/// 16 text messages of 64 KiB in 16 fragments each.
fn text() -> (Vec<u8>, usize) {
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
fn socket_read(dst: &mut [u8], src: &[u8]) {
    dst.copy_from_slice(src);
}

/// Feeds `wire` to `rx` 4 KiB at a time through a receive buffer; answers
/// Pings; returns the payload bytes seen (data and control).
fn receive<const N: usize>(rx: &mut Receiver<N>, wire: &[u8]) -> usize {
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
                Some(Event::Binary(b) | Event::Pong(b)) => b.len(),
                Some(Event::Ping(p)) => {
                    let n = p.len();
                    let pong = rx.reply(None, &mut tx).expect("room for a Pong");
                    std::hint::black_box(&tx[..pong]);
                    n
                }
                _ => 0,
            };
        }
    }
    seen
}

/// `FrameHeader::parse` + `unmask` over the whole stream at once: no
/// message rules, no chunking (the one-shot reference).
fn parse_unmask(wire: &mut [u8]) -> usize {
    let config = Config::server();
    let mut rest = wire;
    let mut seen = 0;
    while let Ok(Status::Complete((header, used))) = FrameHeader::parse(rest, &config) {
        let len = usize::try_from(header.payload_len()).unwrap_or(usize::MAX);
        let (frame, tail) = rest.split_at_mut(used + len);
        header.unmask(&mut frame[used..]);
        seen += len;
        rest = tail;
    }
    seen
}

/// An in-memory socket for tungstenite: reads `READ` bytes at most per
/// call from the stream, discards what is written (the Pongs).
struct Socket<'a>(Cursor<&'a [u8]>);

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
        Ok(std::hint::black_box(buf).len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// tungstenite's whole protocol: `WebSocket::read` until the input ends.
fn tungstenite(wire: &[u8]) -> usize {
    use tungstenite::protocol::{Message, Role, WebSocket, WebSocketConfig};
    let config = WebSocketConfig::default()
        .max_message_size(Some(1 << 20))
        .max_frame_size(Some(1 << 20));
    let mut ws = WebSocket::from_raw_socket(Socket(Cursor::new(wire)), Role::Server, Some(config));
    let mut seen = 0;
    while let Ok(message) = ws.read() {
        seen += match message {
            Message::Text(t) => t.len(),
            Message::Binary(b) | Message::Ping(b) | Message::Pong(b) => b.len(),
            _ => 0,
        };
    }
    seen
}

/// Runs `path` once over `wire` (a fresh copy of the masked input each
/// time, since the receive paths unmask in place).
fn run(path: &str, wire: &[u8]) -> usize {
    let config = Config::server()
        .with_max_message_len(1 << 20)
        .with_max_frame_payload(1 << 20);
    match path {
        "parse_unmask" => {
            let mut copy = vec![0; wire.len()];
            socket_read(&mut copy, wire);
            parse_unmask(&mut copy)
        }
        "receiver" => receive(&mut Receiver::new(config), wire),
        "receiver_buffered" => {
            // One receiver for all runs: the cost of a message, not of
            // zeroing a 64 KiB buffer.
            thread_local! {
                static RX: std::cell::RefCell<Box<Receiver<TEXT_LEN>>> =
                    std::cell::RefCell::new(Box::new(Receiver::with_buffer(Config::server())));
            }
            RX.with(|rx| {
                let mut rx = rx.borrow_mut();
                **rx = Receiver::with_buffer(config);
                receive(&mut **rx, wire)
            })
        }
        "tungstenite" => tungstenite(wire),
        other => panic!("unknown path {other}"),
    }
}

const PATHS: [&str; 4] = [
    "parse_unmask",
    "receiver",
    "receiver_buffered",
    "tungstenite",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [input, path, reps] => {
            let (wire, _) = if input == "small" { small() } else { text() };
            let reps: usize = reps.parse().expect("REPS is a number");
            let mut seen = 0;
            for _ in 0..reps {
                seen += run(path, std::hint::black_box(&wire));
            }
            std::hint::black_box(seen);
        }
        // `cargo test --benches` and `cargo bench` pass flags: check every path.
        _ => {
            for (name, (wire, total)) in [("small", small()), ("text", text())] {
                for path in PATHS {
                    if name == "text" && path == "parse_unmask" {
                        continue;
                    }
                    assert_eq!(run(path, &wire), total, "{path} over {name}");
                }
            }
            println!("paths: every path sees every payload byte");
        }
    }
}
