//! The echo server of `examples/echo_server.rs` against a WebSocket client
//! that no one here wrote: tungstenite, over real sockets on loopback.
//!
//! Valid traffic (0 B … 1 MiB, fragmented, Ping/Pong, the closing handshake)
//! must be echoed exactly; each broken rule must reach the client as a Close
//! frame with the code wsframe assigns (1002, 1007 or 1009) and the rule as
//! its reason, followed by a clean end of stream, never a reset.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod server;

use core::net::SocketAddr;
use core::time::Duration;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::thread;

use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::{Message, WebSocket};

const MIB: usize = 1 << 20;
/// The server's frame and message limit in these tests.
const LIMIT: usize = MIB;
/// Replies longer than this are fragmented by the server.
const FRAGMENT: usize = 64 * 1024;
/// No read or write may block longer than this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One server for the whole test binary, on an ephemeral loopback port.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let options = server::Options {
            max_frame: LIMIT as u64,
            max_message: LIMIT as u64,
            fragment: FRAGMENT,
        };
        server::start("127.0.0.1:0", options).expect("bind 127.0.0.1:0")
    })
}

fn tcp() -> TcpStream {
    let stream = TcpStream::connect(server()).expect("connect to the echo server");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// A tungstenite client after a successful opening handshake.
fn connect() -> WebSocket<TcpStream> {
    let url = format!("ws://{}/", server());
    let (ws, response) = tungstenite::client(url, tcp()).expect("handshake");
    assert_eq!(response.status(), 101);
    ws
}

/// A string of exactly `n` UTF-8 bytes that mixes 1- to 4-byte characters,
/// so that fragment boundaries fall inside code points.
fn text_of(n: usize) -> String {
    let mut s = String::with_capacity(n);
    for c in ['a', 'é', '✓', '🦀'].into_iter().cycle() {
        if s.len() + c.len_utf8() > n {
            break;
        }
        s.push(c);
    }
    while s.len() < n {
        s.push('a');
    }
    s
}

fn bytes_of(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| i.wrapping_mul(31).wrapping_add(7).to_le_bytes()[0])
        .collect()
}

/// A raw frame as a client must send it: masked, with the all-zero key so
/// that the payload bytes appear as they are (a zero key is still a key).
fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![first];
    match payload.len() {
        n @ 0..=125 => out.push(0x80 | u8::try_from(n).unwrap()),
        n @ 126..=0xFFFF => {
            out.push(0x80 | 0x7E);
            out.extend_from_slice(&u16::try_from(n).unwrap().to_be_bytes());
        }
        n => {
            out.push(0x80 | 0x7F);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(payload);
    out
}

/// Reads until the server's Close frame; returns its code and reason, and
/// checks that the stream then ends cleanly (tungstenite answered the Close,
/// the server closed its side), not with a reset.
fn expect_close(ws: &mut WebSocket<TcpStream>) -> (u16, String) {
    let frame = loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => break frame,
            Ok(Message::Close(None)) => panic!("Close frame without a code"),
            Ok(_) => {}
            Err(e) => panic!("expected a Close frame, got {e}"),
        }
    };
    match ws.read() {
        Err(tungstenite::Error::ConnectionClosed) => {}
        other => panic!("expected a clean end of stream after Close, got {other:?}"),
    }
    (u16::from(frame.code), frame.reason.as_str().to_owned())
}

/// Writes raw bytes after the handshake and returns the Close the client sees.
fn close_after_raw(bytes: &[u8]) -> (u16, String) {
    let mut ws = connect();
    ws.get_mut().write_all(bytes).unwrap();
    expect_close(&mut ws)
}

/// Sends frames through tungstenite (which masks them) and returns the Close.
fn close_after_frames(frames: Vec<Frame>) -> (u16, String) {
    let mut ws = connect();
    for frame in frames {
        ws.send(Message::Frame(frame)).unwrap();
    }
    expect_close(&mut ws)
}

fn data(payload: impl Into<Vec<u8>>, opcode: Data, fin: bool) -> Frame {
    Frame::message(payload.into(), OpCode::Data(opcode), fin)
}

#[test]
fn accept_key_matches_rfc6455_section_1_3() {
    assert_eq!(
        &wsframe::handshake::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
        b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn echoes_text_and_binary_from_0_b_to_1_mib() {
    let mut ws = connect();
    let sizes = [
        0,
        1,
        125,
        126,
        127,
        65535,
        65536,
        65537,
        FRAGMENT * 3 + 1,
        LIMIT - 1,
        LIMIT,
    ];
    for n in sizes {
        let text = text_of(n);
        ws.send(Message::text(text.clone())).unwrap();
        match ws.read().unwrap() {
            Message::Text(echo) => assert!(echo.as_str() == text, "text of {n} B differs"),
            other => panic!("text of {n} B: got {other:?}"),
        }
        let bin = bytes_of(n);
        ws.send(Message::binary(bin.clone())).unwrap();
        match ws.read().unwrap() {
            Message::Binary(echo) => assert!(echo[..] == bin[..], "binary of {n} B differs"),
            other => panic!("binary of {n} B: got {other:?}"),
        }
    }
    ws.close(None).unwrap();
}

#[test]
fn replies_longer_than_the_fragment_size_arrive_fragmented() {
    // Read the reply's frame headers with tungstenite's own parser.
    let mut ws = connect();
    let n = FRAGMENT * 2 + 5;
    ws.send(Message::binary(bytes_of(n))).unwrap();
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut frames: Vec<(bool, OpCode, u64)> = Vec::new();
    let mut at = 0u64;
    while frames.last().is_none_or(|&(fin, _, _)| !fin) {
        let got = ws.get_mut().read(&mut buf).unwrap();
        assert!(got > 0, "connection closed mid-reply");
        raw.extend_from_slice(&buf[..got]);
        loop {
            let mut cursor = std::io::Cursor::new(&raw[usize::try_from(at).unwrap()..]);
            let Some((header, len)) =
                tungstenite::protocol::frame::FrameHeader::parse(&mut cursor).unwrap()
            else {
                break;
            };
            let end = at + cursor.position() + len;
            if end > raw.len() as u64 {
                break;
            }
            assert!(header.mask.is_none(), "a server must not mask");
            frames.push((header.is_final, header.opcode, len));
            at = end;
        }
    }
    let expected = [
        (false, OpCode::Data(Data::Binary), FRAGMENT as u64),
        (false, OpCode::Data(Data::Continue), FRAGMENT as u64),
        (true, OpCode::Data(Data::Continue), 5),
    ];
    assert_eq!(frames, expected);
}

#[test]
fn reassembles_fragmented_messages_with_control_frames_between() {
    let mut ws = connect();
    // "Hello 🦀" in three fragments, the crab split between two of them, a
    // Ping in the middle, and an empty final fragment.
    let crab = "🦀".as_bytes();
    ws.send(Message::Frame(data(*b"Hello ", Data::Text, false)))
        .unwrap();
    ws.send(Message::Frame(data(&crab[..2], Data::Continue, false)))
        .unwrap();
    ws.send(Message::Ping(b"between".to_vec().into())).unwrap();
    ws.send(Message::Frame(data(&crab[2..], Data::Continue, false)))
        .unwrap();
    ws.send(Message::Frame(data(Vec::new(), Data::Continue, true)))
        .unwrap();
    assert_eq!(
        ws.read().unwrap(),
        Message::Pong(b"between".to_vec().into())
    );
    assert_eq!(ws.read().unwrap(), Message::text("Hello 🦀"));

    // 1 MiB of binary in 16 fragments: exactly the message limit.
    let bin = bytes_of(LIMIT);
    let chunks: Vec<&[u8]> = bin.chunks(LIMIT / 16).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let opcode = if i == 0 { Data::Binary } else { Data::Continue };
        ws.send(Message::Frame(data(*chunk, opcode, i == chunks.len() - 1)))
            .unwrap();
    }
    match ws.read().unwrap() {
        Message::Binary(echo) => assert!(echo[..] == bin[..], "fragmented 1 MiB differs"),
        other => panic!("got {other:?}"),
    }
    ws.close(None).unwrap();
}

#[test]
fn answers_ping_with_pong() {
    let mut ws = connect();
    for payload in [Vec::new(), b"ping".to_vec(), bytes_of(125)] {
        ws.send(Message::Ping(payload.clone().into())).unwrap();
        assert_eq!(ws.read().unwrap(), Message::Pong(payload.into()));
    }
    ws.close(None).unwrap();
}

#[test]
fn answers_close_with_the_same_code() {
    for code in [1000u16, 1001, 3000, 4999] {
        let mut ws = connect();
        ws.close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: "bye".into(),
        }))
        .unwrap();
        assert_eq!(expect_close(&mut ws).0, code);
    }
    // An empty Close is answered with an empty Close.
    let mut ws = connect();
    ws.close(None).unwrap();
    assert_eq!(ws.read().unwrap(), Message::Close(None));
}

#[test]
fn oversize_messages_receive_close_1009() {
    // One frame one byte over the frame limit: refused at its header.
    let mut ws = connect();
    ws.send(Message::binary(bytes_of(LIMIT + 1))).unwrap();
    let (code, reason) = expect_close(&mut ws);
    assert_eq!(code, 1009, "{reason}");
    assert_eq!(reason, wsframe::Error::FrameTooBig.as_str());

    // Same for text.
    let mut ws = connect();
    ws.send(Message::text(text_of(LIMIT + 1))).unwrap();
    assert_eq!(expect_close(&mut ws).0, 1009);

    // Fragments each under the frame limit, together over the message limit.
    let half = bytes_of(LIMIT / 2 + 1);
    let (code, reason) = close_after_frames(vec![
        data(half.clone(), Data::Binary, false),
        data(half, Data::Continue, true),
    ]);
    assert_eq!(code, 1009, "{reason}");
    assert_eq!(reason, wsframe::Error::MessageTooBig.as_str());
}

#[test]
fn invalid_utf8_receives_close_1007() {
    let cases: [(&str, Vec<Frame>); 4] = [
        (
            "invalid byte",
            vec![data(*b"caf\xC3\x28", Data::Text, true)],
        ),
        (
            "truncated at the end of the message",
            vec![data(*b"\xE2\x82", Data::Text, true)],
        ),
        (
            "invalid across fragments",
            vec![
                data(*b"ok \xF0\x9F", Data::Text, false),
                data(*b"\x41", Data::Continue, true),
            ],
        ),
        (
            // Fails at the first bad byte, before the message ends.
            "invalid in an unfinished message",
            vec![data(*b"\xFF", Data::Text, false)],
        ),
    ];
    for (name, frames) in cases {
        let (code, reason) = close_after_frames(frames);
        assert_eq!(code, 1007, "{name}: {reason}");
        assert_eq!(reason, wsframe::Error::InvalidUtf8.as_str(), "{name}");
    }
    // A Close reason must be UTF-8 too (§5.5.1).
    let (code, _) = close_after_raw(&masked(0x88, b"\x03\xE8\xFF"));
    assert_eq!(code, 1007);
}

#[test]
fn malformed_bytes_receive_close_1002() {
    use wsframe::Error as E;
    let z = [0u8; 4];
    let cat = |parts: &[&[u8]]| parts.concat();
    let cases: Vec<(&str, Vec<u8>, E)> = vec![
        ("reserved opcode 0x3", masked(0x83, b""), E::ReservedOpcode),
        ("reserved opcode 0x7", masked(0x87, b"x"), E::ReservedOpcode),
        ("reserved opcode 0xB", masked(0x8B, b""), E::ReservedOpcode),
        ("reserved opcode 0xF", masked(0x8F, b""), E::ReservedOpcode),
        (
            "unmasked client frame",
            vec![0x81, 0x02, b'h', b'i'],
            E::UnmaskedClientFrame,
        ),
        ("rsv1 set", masked(0xC1, b"hi"), E::ReservedBits),
        ("rsv2 set", masked(0xA2, b"hi"), E::ReservedBits),
        ("rsv3 set", masked(0x91, b"hi"), E::ReservedBits),
        (
            "64-bit length with the most significant bit set",
            cat(&[&[0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], &z]),
            E::LengthHighBitSet,
        ),
        (
            "16-bit length for 5 bytes",
            cat(&[&[0x82, 0xFE, 0x00, 0x05], &z, b"hello"]),
            E::NonMinimalLength,
        ),
        (
            "ping of 126 bytes",
            cat(&[&[0x89, 0xFE, 0x00, 0x7E], &z, &[0; 126]]),
            E::ControlFrameTooLong,
        ),
        (
            "ping with fin clear",
            masked(0x09, b""),
            E::FragmentedControlFrame,
        ),
        (
            "continuation with nothing to continue",
            masked(0x80, b"x"),
            E::UnexpectedContinuation,
        ),
        (
            "text frame inside a fragmented message",
            cat(&[&masked(0x01, b"a"), &masked(0x81, b"b")]),
            E::ExpectedContinuation,
        ),
        (
            "close body of 1 byte",
            masked(0x88, b"\x03"),
            E::CloseBodyTooShort,
        ),
        (
            "close code 1005 on the wire",
            masked(0x88, b"\x03\xED"),
            E::InvalidCloseCode,
        ),
    ];
    for (name, bytes, error) in cases {
        let (code, reason) = close_after_raw(&bytes);
        assert_eq!(code, 1002, "{name}: {reason}");
        assert_eq!(code, error.close_code().as_u16(), "{name}");
        assert_eq!(reason, error.as_str(), "{name}");
    }
}

#[test]
fn a_header_split_across_writes_is_still_a_frame() {
    // The 64-bit length arrives one byte at a time: the decoder waits.
    let mut ws = connect();
    let frame = masked(0x82, &bytes_of(70_000));
    let (head, body) = frame.split_at(14);
    for b in head {
        ws.get_mut().write_all(&[*b]).unwrap();
        ws.get_mut().flush().unwrap();
        thread::sleep(Duration::from_millis(2));
    }
    ws.get_mut().write_all(body).unwrap();
    match ws.read().unwrap() {
        Message::Binary(echo) => assert!(echo[..] == bytes_of(70_000)[..]),
        other => panic!("got {other:?}"),
    }
    ws.close(None).unwrap();
}

#[test]
fn frames_sent_along_with_the_handshake_are_not_lost() {
    // A client that does not wait for the 101 response: the frame in the
    // same write as the request must still be decoded.
    let mut stream = tcp();
    let request = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
                   Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                   Sec-WebSocket-Version: 13\r\n\r\n";
    let mut bytes = request.as_bytes().to_vec();
    bytes.extend_from_slice(&masked(0x81, b"early"));
    stream.write_all(&bytes).unwrap();
    let mut got = Vec::new();
    let expected_tail = [0x81, 0x05, b'e', b'a', b'r', b'l', b'y'];
    let mut buf = [0u8; 1024];
    while !got.ends_with(&expected_tail) {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 101 "), "{text}");
    assert!(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
}

#[test]
fn plain_http_gets_the_page_and_a_bad_handshake_is_refused() {
    let get = |request: &str| {
        let mut stream = tcp();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        match stream.read_to_string(&mut response) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => panic!("reset"),
            Err(e) => panic!("{e}"),
        }
        response
    };
    let page = get("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("new WebSocket("));
    assert!(page.contains(&format!("Number(\"{LIMIT}\")")));
    let missing = get("GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(missing.starts_with("HTTP/1.1 404 "), "{missing}");
    let old = get(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
    );
    assert!(old.starts_with("HTTP/1.1 426 "), "{old}");
    assert!(old.contains("Sec-WebSocket-Version: 13\r\n"), "{old}");
}

#[test]
fn serves_clients_concurrently() {
    let workers: Vec<_> = (0..8)
        .map(|t| {
            thread::spawn(move || {
                let mut ws = connect();
                for i in 0..50 {
                    let msg = format!("client {t} message {i}");
                    ws.send(Message::text(msg.clone())).unwrap();
                    assert_eq!(ws.read().unwrap(), Message::text(msg));
                }
                ws.close(None).unwrap();
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}
