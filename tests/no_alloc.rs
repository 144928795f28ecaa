//! The crate never allocates: a counting global allocator watches parsing
//! (`FrameHeader::parse`, `Frame::parse`, `Frame::parse_in_place`),
//! unmasking (`unmask`, `Unmasker`), the `Receiver` (`read`, `read_slice`,
//! `reply`, `close`, with and without a message buffer), encoding
//! (`encode_frame`, `Fragmenter`, `encode_close`, `Error::encode_close`) and,
//! with the `handshake` feature, the opening handshake (both sides) do real
//! work, and finds zero allocations.
//!
//! The count is per thread, so the test harness's own threads cannot disturb
//! it, and a sanity test checks that the counter does see a `Vec`.
//!
//! A `GlobalAlloc` impl is `unsafe` by definition: this file is the one
//! place that allows it (the library itself forbids `unsafe` in `lib.rs`).
//!
//! That is why `Cargo.toml` `[lints.rust]` has `unsafe_code = "deny"` (a
//! package-wide `forbid` could not be lifted for one test file) while
//! `src/lib.rs` has `#![forbid(unsafe_code)]`.
#![allow(
    unsafe_code,
    reason = "a counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`"
)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::hint::black_box;
use core::num::NonZeroUsize;
use std::alloc::System;

use wsframe::{
    encode_close, encode_frame, unmask, CloseCode, Config, Error, Event, Fragmenter, Frame,
    FrameHeader, MaskingKey, Opcode, Receiver, State, Status, Unmasker,
};

/// Counts the allocations (and reallocations) of the current thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the thread-local may be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded to `System` unchanged; counting touches
// only a const-initialized thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns what it returned and the allocations it made on
/// this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    let after = ALLOCATIONS.with(Cell::get);
    (value, after - before)
}

const KEY: MaskingKey = MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]);

/// RFC 6455 §5.7: a masked "Hello", as a server receives it.
const MASKED_HELLO: [u8; 11] = [
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];

#[test]
fn the_counter_counts() {
    let (len, n) = allocations(|| {
        let v: Vec<u8> = black_box(Vec::with_capacity(64));
        v.capacity()
    });
    assert!(len >= 64);
    assert_eq!(n, 1, "a Vec::with_capacity must count as one allocation");
    let (_, n) = allocations(|| {
        let mut v: Vec<u8> = Vec::with_capacity(1);
        v.extend_from_slice(black_box(&[0; 100]));
        black_box(v)
    });
    assert_eq!(n, 2, "growing a Vec must count its reallocation");
}

#[test]
fn parsing_does_not_allocate() {
    let server = Config::server();
    let client = Config::client();
    let ((), n) = allocations(|| {
        // FrameHeader::parse: complete, partial and an error.
        let Ok(Status::Complete((header, used))) =
            FrameHeader::parse(black_box(&MASKED_HELLO), &server)
        else {
            panic!("the RFC example must parse");
        };
        assert_eq!((used, header.payload_len()), (6, 5));
        assert_eq!(
            FrameHeader::parse(black_box(&MASKED_HELLO[..3]), &server),
            Ok(Status::Partial {
                needed: NonZeroUsize::new(3).unwrap()
            })
        );
        assert_eq!(
            FrameHeader::parse(black_box(&[0x83, 0x80]), &server),
            Err(Error::ReservedOpcode)
        );
        // A 64-bit length, unmasked, as a client receives it.
        let long = [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0];
        let big = client.with_max_frame_payload(u64::MAX >> 1);
        let Ok(Status::Complete((h, 10))) = FrameHeader::parse(black_box(&long), &big) else {
            panic!("a 64-bit length must parse");
        };
        assert_eq!(h.payload_len(), 0x1_0000);

        // Frame::parse over a buffer of two frames.
        let two = [0x01, 0x03, b'H', b'e', b'l', 0x80, 0x02, b'l', b'o'];
        let mut rest = black_box(&two[..]);
        let mut text = [0u8; 5];
        let mut at = 0;
        while let Ok(Status::Complete((frame, used))) = Frame::parse(rest, &client) {
            text[at..at + frame.payload().len()].copy_from_slice(frame.payload());
            at += frame.payload().len();
            rest = &rest[used..];
        }
        assert_eq!(&text, b"Hello");

        // Frame::parse_in_place.
        let mut buf = MASKED_HELLO;
        let Ok(Status::Complete((frame, 11))) = Frame::parse_in_place(black_box(&mut buf), &server)
        else {
            panic!("the RFC example must parse in place");
        };
        assert_eq!(frame.payload(), b"Hello");
    });
    assert_eq!(n, 0, "parsing allocated");
}

#[test]
fn receiving_does_not_allocate() {
    let server = Config::server();
    let ((), n) = allocations(|| {
        // Two masked frames 3 bytes at a time, with header events.
        let mut wire = [0u8; 22];
        wire[..11].copy_from_slice(&MASKED_HELLO);
        wire[11..].copy_from_slice(&MASKED_HELLO);
        let mut rx = Receiver::new(server).with_header_events();
        let (mut headers, mut payload, mut messages) = (0, 0, 0);
        for chunk in black_box(&mut wire).chunks_mut(3) {
            let mut at = 0;
            while at < chunk.len() {
                let (used, event) = rx.read(&mut chunk[at..]).unwrap();
                at += used;
                match event {
                    Some(Event::Header(_)) => headers += 1,
                    Some(Event::Piece(piece)) => {
                        payload += piece.payload.len();
                        messages += usize::from(piece.last);
                    }
                    _ => {}
                }
            }
        }
        assert_eq!((headers, payload, messages), (2, 10, 2));
        assert_eq!(rx.needed(), 0);

        // read_slice, a Receiver<N>, the same bytes.
        let mut buffered: Receiver<16> = Receiver::with_buffer(server);
        let mut one = MASKED_HELLO;
        assert_eq!(
            buffered.read_slice(black_box(&mut one[..7])),
            Ok(Status::Partial {
                needed: NonZeroUsize::new(4).unwrap()
            })
        );
        assert_eq!(
            buffered.read_slice(black_box(&mut one)),
            Ok(Status::Complete((11, Some(Event::Text("Hello")))))
        );
    });
    assert_eq!(n, 0, "receiving allocated");
}

#[test]
fn unmasking_does_not_allocate() {
    let ((), n) = allocations(|| {
        let mut payload = [0u8; 1000];
        for (i, b) in payload.iter_mut().enumerate() {
            *b = i.to_le_bytes()[0];
        }
        let original = payload;
        unmask(black_box(&mut payload), KEY);
        assert_ne!(payload, original);
        let mut unmasker = Unmasker::new(KEY);
        for chunk in black_box(&mut payload).chunks_mut(7) {
            unmasker.apply(chunk);
        }
        assert_eq!(payload, original);
    });
    assert_eq!(n, 0, "unmasking allocated");
}

#[test]
fn message_rules_and_replies_do_not_allocate() {
    let config = Config::client();
    // "Grüße 🦀" in fragments that split code points, a Ping in between,
    // then a Close with a reason.
    let text = "Grüße 🦀, and some more text".as_bytes();
    let mut wire = [0u8; 64];
    let mut len = 0;
    let pieces = [&text[..3], &text[3..9], &text[9..]];
    for (i, piece) in pieces.iter().enumerate() {
        let opcode = if i == 0 {
            Opcode::Text
        } else {
            Opcode::Continuation
        };
        let header =
            FrameHeader::new(i + 1 == pieces.len(), 0, opcode, None, piece.len() as u64).unwrap();
        len += encode_frame(&header, piece, &mut wire[len..]).unwrap();
        if i == 0 {
            wire[len..len + 4].copy_from_slice(&[0x89, 0x02, b'h', b'i']);
            len += 4;
        }
    }
    wire[len..len + 7].copy_from_slice(&[0x88, 0x05, 0x03, 0xE8, b'b', b'y', b'e']);
    len += 7;
    let key = Some(KEY);
    let ((), n) = allocations(|| {
        let mut pieces_rx = Receiver::new(config);
        let mut whole_rx: Receiver<64> = Receiver::with_buffer(config);
        let mut joined = [0u8; 64];
        let mut at_joined = 0;
        let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        for chunk in wire[..len].chunks(5) {
            let mut a = [0u8; 5];
            let mut b = [0u8; 5];
            a[..chunk.len()].copy_from_slice(chunk);
            b[..chunk.len()].copy_from_slice(chunk);
            let mut at = 0;
            while at < chunk.len() {
                let (used, event) = pieces_rx.read(black_box(&mut a[at..chunk.len()])).unwrap();
                at += used;
                match event {
                    Some(Event::Piece(p)) => {
                        joined[at_joined..at_joined + p.payload.len()].copy_from_slice(p.payload);
                        at_joined += p.payload.len();
                    }
                    Some(Event::Ping(p)) => {
                        assert_eq!(p, b"hi");
                        assert_eq!(pieces_rx.reply(key, &mut out), Ok(8));
                    }
                    Some(Event::Close { code, reason }) => {
                        assert_eq!((code, reason), (Some(CloseCode::NORMAL), "bye"));
                        assert_eq!(pieces_rx.reply(key, &mut out), Ok(8));
                    }
                    _ => {}
                }
            }
            let mut at = 0;
            while at < chunk.len() {
                let (used, event) = whole_rx.read(black_box(&mut b[at..chunk.len()])).unwrap();
                at += used;
                if let Some(Event::Text(t)) = event {
                    assert_eq!(t, "Grüße 🦀, and some more text");
                }
            }
        }
        assert_eq!(&joined[..at_joined], text);
        assert_eq!(pieces_rx.state(), State::Closed);
        assert_eq!(
            whole_rx.state(),
            State::CloseReceived(Some(CloseCode::NORMAL))
        );
        // Invalid UTF-8 is an error, the error is terminal and answered by
        // its Close: still no allocation.
        let mut rx = Receiver::new(config);
        assert_eq!(
            rx.read(black_box(&mut [0x81, 0x02, 0xC0, 0x80])),
            Err(Error::InvalidUtf8)
        );
        assert_eq!(rx.read(&mut [0x81, 0x00]), Err(Error::InvalidUtf8));
        assert!(rx.reply(key, &mut out).unwrap() > 8);
        let mut rx = Receiver::new(config);
        assert_eq!(
            rx.close(Some(CloseCode::NORMAL), "bye", key, &mut out),
            Ok(11)
        );
    });
    assert_eq!(n, 0, "message rules and replies allocated");
}

#[test]
fn encoding_does_not_allocate() {
    let ((), n) = allocations(|| {
        // encode_frame, masked: the RFC example.
        let header = FrameHeader::new(true, 0, Opcode::Text, Some(KEY), 5).unwrap();
        let mut out = [0u8; 64];
        let used = encode_frame(&header, black_box(b"Hello"), &mut out).unwrap();
        assert_eq!(&out[..used], &MASKED_HELLO);

        // Fragmenter: 10 bytes in frames of 4, each encoded.
        let message = [7u8; 10];
        let mut written = 0;
        let mut frames = 0;
        for (header, payload) in Fragmenter::new(Opcode::Binary, black_box(&message), 4).unwrap() {
            written += encode_frame(&header, payload, &mut out[written..]).unwrap();
            frames += 1;
        }
        assert_eq!((frames, written), (3, 3 * 2 + 10));

        // encode_close, and the close frame that answers an error.
        let used = encode_close(Some(CloseCode::NORMAL), black_box("bye"), None, &mut out).unwrap();
        assert_eq!(&out[..used], &[0x88, 0x05, 0x03, 0xE8, b'b', b'y', b'e']);
        let mut close = [0u8; 131];
        let used = Error::ReservedOpcode
            .encode_close(Some(KEY), black_box(&mut close))
            .unwrap();
        assert!(used > 8);
    });
    assert_eq!(n, 0, "encoding allocated");
}

#[cfg(feature = "handshake")]
#[test]
fn the_opening_handshake_does_not_allocate() {
    use wsframe::handshake::{
        accept_key, AcceptOptions, ClientRequest, Request, RequestError, Response,
    };

    let client = ClientRequest::new("example.com", "/chat", *b"the sample nonce")
        .with_subprotocols(&["chat", "superchat"])
        .with_extensions(&["permessage-deflate"]);
    let ((subprotocol, deflate, refusal), n) = allocations(|| {
        let mut request = [0u8; 512];
        let len = client.encode(&mut request).unwrap();
        let (parsed, _) = Request::parse(black_box(&request[..len]), 4096)
            .unwrap()
            .complete()
            .unwrap();
        let offered = parsed.subprotocols().count() + parsed.extensions().count();
        let options = AcceptOptions::new()
            .with_subprotocol("superchat")
            .with_extensions("permessage-deflate");
        let mut answer = [0u8; 512];
        let len = parsed.accept(&options, &mut answer).unwrap();
        let (response, _) = Response::parse(black_box(&answer[..len]), &client, 4096)
            .unwrap()
            .complete()
            .unwrap();
        black_box((offered, accept_key(parsed.key().as_bytes())));
        let mut refusal = [0u8; 256];
        let refused = RequestError::UnsupportedVersion
            .encode_response(&mut refusal)
            .unwrap();
        (
            response.subprotocol() == Some("superchat"),
            response.accepts_permessage_deflate(),
            refused,
        )
    });
    assert!(subprotocol && deflate && refusal > 0);
    assert_eq!(n, 0, "the handshake allocated");
}
