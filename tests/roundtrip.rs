//! The encoder: minimal length forms at the boundaries, encode → parse over
//! the whole header space (and through the `Receiver`), the fragmenter
//! through the `Receiver`, and the Close frame that answers each error.

// Test code: a panic is a test failure, and the fixtures are small.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

#[path = "support/receive.rs"]
mod support;

use support::{run, Seen, Verdict};
use wsframe::{
    encode_close, encode_frame, CloseCode, Config, EncodeError, Error, Fragmenter, Frame,
    FrameHeader, MaskingKey, Opcode, Receiver, Role, Status,
};

/// Accepts every valid header: any role, all RSV bits, no limit.
fn permissive() -> Config {
    Config::new(Role::Any)
        .with_allowed_rsv(0b111)
        .with_max_frame_payload(u64::MAX)
}

#[test]
fn boundaries_use_the_minimal_length_form() {
    for (len, expected) in [
        (0u64, vec![0x82, 0x00]),
        (125, vec![0x82, 0x7D]),
        (126, vec![0x82, 0x7E, 0x00, 0x7E]),
        (65535, vec![0x82, 0x7E, 0xFF, 0xFF]),
        (65536, vec![0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]),
    ] {
        let h = FrameHeader::new(true, 0, Opcode::Binary, None, len).unwrap();
        let mut out = [0u8; 14];
        let n = h.encode(&mut out).unwrap();
        assert_eq!(&out[..n], expected.as_slice(), "{len}");
        assert_eq!(n, h.encoded_len());
        // Strict parsing (the default) accepts what we write.
        let strict = Config::client().with_max_frame_payload(u64::MAX);
        assert_eq!(
            FrameHeader::parse(&out[..n], &strict),
            Ok(Status::Complete((h, n)))
        );
    }
}

/// Every combination of FIN, RSV, opcode, mask and length class.
#[test]
fn encode_then_parse_is_the_identity_over_the_header_space() {
    let lengths = [
        0u64,
        1,
        125,
        126,
        127,
        65535,
        65536,
        1 << 32,
        FrameHeader::MAX_PAYLOAD_LEN,
    ];
    let keys = [
        None,
        Some(MaskingKey::new([0, 0, 0, 0])),
        Some(MaskingKey::new([0xFF, 1, 0x80, 7])),
    ];
    let mut checked = 0;
    for fin in [false, true] {
        for rsv in 0..8 {
            for opcode in Opcode::ALL {
                for key in keys {
                    for len in lengths {
                        let Ok(h) = FrameHeader::new(fin, rsv, opcode, key, len) else {
                            assert!(opcode.is_control() && (!fin || len > 125));
                            continue;
                        };
                        let mut out = [0u8; 14];
                        let n = h.encode(&mut out).unwrap();
                        // A length that does not fit this target's usize (2^32 and
                        // up on 32-bit, as under Miri on i686) is refused, not cut.
                        let expected = if usize::try_from(len).is_ok() {
                            Ok(Status::Complete((h, n)))
                        } else {
                            Err(Error::FrameTooBigForTarget)
                        };
                        assert_eq!(
                            FrameHeader::parse(&out[..n], &permissive()),
                            expected,
                            "{h:?}"
                        );
                        // Every shorter buffer is refused without writing.
                        let mut short = [0xEEu8; 14];
                        assert_eq!(
                            h.encode(&mut short[..n - 1]),
                            Err(EncodeError::BufferTooSmall {
                                needed: n,
                                available: n - 1
                            })
                        );
                        assert!(short.iter().all(|&b| b == 0xEE));
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 700, "{checked}");
}

/// A small deterministic PRNG (xorshift64*), so the property test is repeatable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_whole_frames_roundtrip_through_every_parser() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let bits = rng.next();
        let opcode = Opcode::ALL[(bits % 6) as usize];
        let control = opcode.is_control();
        let fin = control || bits & 0x10 != 0;
        let rsv = ((bits >> 8) & 7) as u8;
        let len = match ((bits >> 16) % 4, control) {
            (1, false) => 126 + (bits >> 24) % 2000,
            (2, false) => 65530 + (bits >> 24) % 20,
            _ => (bits >> 24) % 126,
        } as usize;
        let key =
            (bits & 0x20 != 0).then(|| MaskingKey::new(((rng.next() >> 7) as u32).to_be_bytes()));
        // ASCII, so that text is valid UTF-8; a Close body of 2 or more
        // bytes starts with code 1000: the frame meets the message rules
        // but those its header decides.
        let mut payload: Vec<u8> = (0..len)
            .map(|i| ((i as u8).wrapping_mul(31) ^ (bits as u8)) & 0x7F)
            .collect();
        if opcode == Opcode::Close && len >= 2 {
            payload[..2].copy_from_slice(&[0x03, 0xE8]);
        }
        let h = FrameHeader::new(fin, rsv, opcode, key, len as u64).unwrap();
        let mut wire = vec![0u8; h.encoded_len() + len];
        let n = encode_frame(&h, &payload, &mut wire).unwrap();
        assert_eq!(n, wire.len());
        // Whole frame, unmasked in place.
        let mut copy = wire.clone();
        let (frame, used) = Frame::parse_in_place(&mut copy, &permissive())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(
            (*frame.header(), frame.payload(), used),
            (h, payload.as_slice(), n)
        );
        receive_in_a_message(&h, &wire, &payload, 1 + (rng.next() % 97) as usize);
    }
}

/// Through a `Receiver` with header events, in chunks of `step`: the frame
/// (`wire`) inside a message (a continuation after an empty Binary start, a
/// non-final frame before an empty final continuation) gives back its header
/// and payload, or the error of a message rule its header breaks.
fn receive_in_a_message(h: &FrameHeader, wire: &[u8], payload: &[u8], step: usize) {
    let start = FrameHeader::new(false, 0, Opcode::Binary, None, 0).unwrap();
    let end = FrameHeader::new(true, 0, Opcode::Continuation, None, 0).unwrap();
    let data = !h.opcode().is_control();
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    if h.opcode() == Opcode::Continuation {
        stream.extend_from_slice(&[0x02, 0x00]);
        expected.push(Seen::Header(start));
    }
    stream.extend_from_slice(wire);
    if data && !h.fin() {
        stream.extend_from_slice(&[0x80, 0x00]);
    }
    let rsv1 = h.rsv() & 0b100 != 0;
    let error = match h.opcode() {
        _ if rsv1 && (!data || h.opcode() == Opcode::Continuation) => {
            Some(Error::MisplacedCompressionBit)
        }
        Opcode::Close if payload.len() == 1 => Some(Error::CloseBodyTooShort),
        _ => None,
    };
    if error.is_none() {
        expected.push(Seen::Header(*h));
        if data && !h.fin() {
            expected.push(Seen::Header(end));
        }
        let bytes = payload.to_vec();
        expected.push(match h.opcode() {
            Opcode::Ping => Seen::Ping(bytes),
            Opcode::Pong => Seen::Pong(bytes),
            Opcode::Close if bytes.is_empty() => Seen::Close(None, String::new()),
            Opcode::Close => {
                Seen::Close(Some(1000), String::from_utf8(bytes[2..].to_vec()).unwrap())
            }
            op if rsv1 => Seen::Compressed(op, bytes),
            Opcode::Text => Seen::Text(String::from_utf8(bytes).unwrap()),
            _ => Seen::Binary(bytes),
        });
    }
    let got = run(
        &mut Receiver::new(permissive().with_max_message_len(u64::MAX)).with_header_events(),
        &stream,
        step,
    );
    assert_eq!(got.events, expected, "{h:?}");
    assert_eq!(got.error(), error, "{h:?}");
}

#[test]
fn control_frames_over_125_bytes_are_refused() {
    for opcode in [Opcode::Close, Opcode::Ping, Opcode::Pong] {
        assert_eq!(
            FrameHeader::new(true, 0, opcode, None, 126),
            Err(EncodeError::ControlFrameTooLong)
        );
        assert_eq!(
            FrameHeader::new(false, 0, opcode, None, 1),
            Err(EncodeError::FragmentedControlFrame)
        );
        assert!(FrameHeader::new(true, 0, opcode, None, 125).is_ok());
    }
    assert_eq!(
        FrameHeader::new(
            true,
            0,
            Opcode::Binary,
            None,
            FrameHeader::MAX_PAYLOAD_LEN + 1
        ),
        Err(EncodeError::PayloadTooLong)
    );
    assert_eq!(
        FrameHeader::new(true, 8, Opcode::Binary, None, 0),
        Err(EncodeError::InvalidRsv)
    );
}

#[test]
fn encode_frame_checks_length_and_room() {
    let h = FrameHeader::new(true, 0, Opcode::Text, None, 5).unwrap();
    let mut out = [0u8; 6];
    assert_eq!(
        encode_frame(&h, b"Hell", &mut out),
        Err(EncodeError::LengthMismatch)
    );
    assert_eq!(
        encode_frame(&h, b"Hello", &mut out),
        Err(EncodeError::BufferTooSmall {
            needed: 7,
            available: 6
        })
    );
    let mut room = [0u8; 8];
    assert_eq!(encode_frame(&h, b"Hello", &mut room), Ok(7));
    assert_eq!(&room[..7], b"\x81\x05Hello");
    assert_eq!(
        encode_frame(&h, b"Hello", &mut room[7..]),
        Err(EncodeError::BufferTooSmall {
            needed: 7,
            available: 1
        })
    );
}

#[test]
fn fragmenter_output_reassembles_to_the_original_message() {
    let text = "fragmented ✓ message, with a 𝄞 that may be cut in two ".repeat(20);
    let binary: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    for (opcode, payload) in [
        (Opcode::Text, text.as_bytes()),
        (Opcode::Binary, binary.as_slice()),
        (Opcode::Text, &b""[..]),
    ] {
        for k in [1usize, 2, 3, 7, 125, 126, 1000, 4096, 100_000] {
            let fragments = Fragmenter::new(opcode, payload, k).unwrap();
            let expected_count = payload.len().div_ceil(k).max(1);
            assert_eq!(fragments.len(), expected_count);
            // Encode as a client would (each frame with its own key), parse as a server.
            let mut wire = Vec::new();
            for (i, (h, chunk)) in fragments.enumerate() {
                assert!(chunk.len() <= k);
                let h = h.with_masking_key(Some(MaskingKey::new((i as u32).to_be_bytes())));
                let mut out = vec![0u8; h.encoded_len() + chunk.len()];
                encode_frame(&h, chunk, &mut out).unwrap();
                wire.extend(out);
            }
            let config = Config::server()
                .with_max_frame_payload(1 << 20)
                .with_max_message_len(1 << 20);
            let expected = match opcode {
                Opcode::Text => Seen::Text(String::from_utf8(payload.to_vec()).unwrap()),
                _ => Seen::Binary(payload.to_vec()),
            };
            for chunk in [wire.len(), 61] {
                for got in [
                    run(&mut Receiver::new(config), &wire, chunk),
                    run(&mut Receiver::<4096>::with_buffer(config), &wire, chunk),
                ] {
                    assert_eq!(
                        (got.events, got.verdict),
                        (vec![expected.clone()], Verdict::Ok),
                        "{opcode:?} k={k}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_close_frame_for_each_error_reparses_to_its_code() {
    for &e in Error::ALL {
        for key in [None, Some(MaskingKey::new([1, 2, 3, 4]))] {
            let mut out = [0u8; 131];
            let n = e.encode_close(key, &mut out).unwrap();
            let config = if key.is_some() {
                Config::server()
            } else {
                Config::client()
            };
            let got = run(&mut Receiver::new(config), &out[..n], n);
            assert_eq!(
                (got.events, got.verdict),
                (
                    vec![Seen::Close(
                        Some(e.close_code().as_u16()),
                        e.as_str().to_string()
                    )],
                    Verdict::Ok
                ),
                "{e:?}"
            );
        }
    }
}

#[test]
fn close_frames_cut_long_reasons_at_a_char_boundary() {
    let reason = "ü".repeat(200);
    let mut out = [0u8; 200];
    let n = encode_close(Some(CloseCode::GOING_AWAY), &reason, None, &mut out).unwrap();
    assert_eq!(
        n,
        2 + 125 - 1,
        "123 bytes of reason do not hold a whole number of 'ü'"
    );
    let (frame, _) = Frame::parse(&out[..n], &Config::client())
        .unwrap()
        .complete()
        .unwrap();
    assert!(core::str::from_utf8(&frame.payload()[2..]).is_ok());
    // No code: an empty body, the reason ignored.
    let mut small = [0u8; 4];
    assert_eq!(encode_close(None, "ignored", None, &mut small), Ok(2));
    assert_eq!(small[..2], [0x88, 0x00]);
}
