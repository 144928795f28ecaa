//! The encoder: minimal length forms at the boundaries, encode → parse over
//! the whole header space, the fragmenter through the message layer, and the
//! Close frame that answers each error.

// Test code: a panic is a test failure, and the fixtures are small.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

use wsframe::{
    encode_close, encode_close_vec, encode_frame, encode_frame_vec, CloseCode, Config, Decoder,
    EncodeError, Error, Event, Fragmenter, Frame, FrameHeader, MaskingKey, Message, Opcode,
    Reassembler, Role, Status,
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
        let payload: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ (bits as u8))
            .collect();
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
        // Streaming, in random chunks.
        let mut d = Decoder::new(permissive());
        let mut got = Vec::new();
        let mut header = None;
        let mut at = 0;
        let step = 1 + (rng.next() % 97) as usize;
        let mut ended = false;
        while !ended {
            let end = (at + step).min(wire.len());
            let mut chunk = wire[at..end].to_vec();
            let mut pos = 0;
            while let (used, Some(ev)) = d.decode(&mut chunk[pos..]).unwrap() {
                pos += used;
                match ev {
                    Event::Header(x) => header = Some(x),
                    Event::Payload(p) => got.extend_from_slice(p),
                    Event::FrameEnd => ended = true,
                }
            }
            at = end;
        }
        assert_eq!((header, got), (Some(h), payload));
    }
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
    let mut v: heapless::Vec<u8, 8> = heapless::Vec::new();
    assert_eq!(encode_frame_vec(&h, b"Hello", &mut v), Ok(7));
    assert_eq!(
        encode_frame_vec(&h, b"Hello", &mut v),
        Err(EncodeError::BufferTooSmall {
            needed: 7,
            available: 1
        })
    );
    assert_eq!(v.len(), 7, "a failed append leaves the vector as it was");
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
            let mut r: Reassembler<4096> = Reassembler::new(&config);
            let mut rest = &mut wire[..];
            let mut messages = 0;
            while !rest.is_empty() {
                let (frame, used) = Frame::parse_in_place(rest, &config)
                    .unwrap()
                    .complete()
                    .unwrap();
                match r.push_frame(frame.header(), frame.payload()).unwrap() {
                    Some(Message::Text(t)) => {
                        assert_eq!(t.as_bytes(), payload);
                        messages += 1;
                    }
                    Some(Message::Binary(b)) => {
                        assert_eq!(b, payload);
                        messages += 1;
                    }
                    None => {}
                    Some(other) => panic!("{other:?}"),
                }
                rest = &mut rest[used..];
            }
            assert_eq!(messages, 1, "{opcode:?} k={k}");
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
            let mut r: Reassembler<0> = Reassembler::new(&config);
            let (frame, used) = Frame::parse_in_place(&mut out[..n], &config)
                .unwrap()
                .complete()
                .unwrap();
            assert_eq!(used, n);
            assert_eq!(
                r.push_frame(frame.header(), frame.payload()),
                Ok(Some(Message::Close {
                    code: Some(e.close_code()),
                    reason: e.as_str()
                }))
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
    let mut v: heapless::Vec<u8, 4> = heapless::Vec::new();
    assert_eq!(encode_close_vec(None, "ignored", None, &mut v), Ok(2));
    assert_eq!(&v[..], &[0x88, 0x00]);
}
