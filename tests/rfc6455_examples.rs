//! The examples of RFC 6455 §5.7, parsed in both roles and through every API.

// Test code: a panic is a test failure, and the fixtures are small.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

use wsframe::{
    Config, Decoder, Error, Event, Frame, FrameHeader, MaskingKey, Message, Opcode, Reassembler,
    Role, Status,
};

/// A single-frame unmasked text message ("Hello").
const HELLO_UNMASKED: &[u8] = &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
/// A single-frame masked text message ("Hello").
const HELLO_MASKED: &[u8] = &[
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];
/// A fragmented unmasked text message: "Hel" then "lo".
const FRAGMENTED: &[u8] = &[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
/// An unmasked Ping ("Hello").
const PING_UNMASKED: &[u8] = &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
/// A masked Pong ("Hello").
const PONG_MASKED: &[u8] = &[
    0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];

/// 256 bytes of binary data in a single unmasked frame (16-bit length).
fn binary_256() -> Vec<u8> {
    let mut v = vec![0x82, 0x7E, 0x01, 0x00];
    v.extend((0..=255u8).collect::<Vec<_>>());
    v
}

/// 64 KiB of binary data in a single unmasked frame (64-bit length).
fn binary_64k() -> Vec<u8> {
    let mut v = vec![0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00];
    v.extend(std::iter::repeat_n(0xAB, 65536));
    v
}

fn whole(buf: &[u8], config: &Config) -> Result<Status<(FrameHeader, Vec<u8>, usize)>, Error> {
    let mut owned = buf.to_vec();
    Ok(Frame::parse_in_place(&mut owned, config)?
        .map(|(frame, used)| (*frame.header(), frame.payload().to_vec(), used)))
}

#[test]
fn single_frame_unmasked_text_as_a_client_receives_it() {
    let (h, payload, used) = whole(HELLO_UNMASKED, &Config::client())
        .unwrap()
        .complete()
        .unwrap();
    assert!(h.fin());
    assert_eq!(h.opcode(), Opcode::Text);
    assert!(!h.is_masked());
    assert_eq!((payload.as_slice(), used), (&b"Hello"[..], 7));
}

#[test]
fn single_frame_masked_text_as_a_server_receives_it() {
    let (h, payload, used) = whole(HELLO_MASKED, &Config::server())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        h.masking_key(),
        Some(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]))
    );
    assert_eq!((payload.as_slice(), used), (&b"Hello"[..], 11));
    // Frame::parse leaves the payload as it is on the wire.
    let (frame, _) = Frame::parse(HELLO_MASKED, &Config::server())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(frame.payload(), &HELLO_MASKED[6..]);
}

#[test]
fn masking_rule_in_the_wrong_role_is_1002() {
    for (bytes, config, error) in [
        (HELLO_UNMASKED, Config::server(), Error::UnmaskedClientFrame),
        (PING_UNMASKED, Config::server(), Error::UnmaskedClientFrame),
        (HELLO_MASKED, Config::client(), Error::MaskedServerFrame),
        (PONG_MASKED, Config::client(), Error::MaskedServerFrame),
    ] {
        let got = FrameHeader::parse(bytes, &config).unwrap_err();
        assert_eq!(got, error);
        assert_eq!(got.close_code().as_u16(), 1002);
        // The whole-frame and streaming paths agree.
        assert_eq!(Frame::parse(bytes, &config).unwrap_err(), error);
        let mut d = Decoder::new(config);
        assert_eq!(d.decode(&mut bytes.to_vec()).unwrap_err(), error);
    }
}

#[test]
fn role_any_accepts_both() {
    let any = Config::new(Role::Any);
    for bytes in [HELLO_UNMASKED, HELLO_MASKED, PING_UNMASKED, PONG_MASKED] {
        let (_, payload, _) = whole(bytes, &any).unwrap().complete().unwrap();
        assert_eq!(payload, b"Hello");
    }
}

#[test]
fn fragmented_text_reassembles_to_hello() {
    let config = Config::client();
    let mut r: Reassembler<16> = Reassembler::new(&config);
    let mut rest = FRAGMENTED;
    let mut messages = Vec::new();
    while let Status::Complete((frame, used)) = Frame::parse(rest, &config).unwrap() {
        if let Some(Message::Text(t)) = r.push_frame(frame.header(), frame.payload()).unwrap() {
            messages.push(t.to_string());
        }
        rest = &rest[used..];
    }
    assert!(rest.is_empty());
    assert_eq!(messages, ["Hello"]);
}

#[test]
fn ping_and_pong() {
    let (h, payload, _) = whole(PING_UNMASKED, &Config::client())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        (h.opcode(), payload.as_slice()),
        (Opcode::Ping, &b"Hello"[..])
    );
    let (h, payload, _) = whole(PONG_MASKED, &Config::server())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        (h.opcode(), payload.as_slice()),
        (Opcode::Pong, &b"Hello"[..])
    );
}

#[test]
fn binary_256_bytes_uses_the_16_bit_length() {
    let bytes = binary_256();
    let (h, used) = FrameHeader::parse(&bytes, &Config::client())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!((h.payload_len(), used), (256, 4));
    let (_, payload, total) = whole(&bytes, &Config::client())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(payload, (0..=255u8).collect::<Vec<_>>());
    assert_eq!(total, 260);
}

#[test]
fn binary_64k_uses_the_64_bit_length_and_meets_the_default_limit_exactly() {
    let bytes = binary_64k();
    let (h, used) = FrameHeader::parse(&bytes, &Config::client())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!((h.payload_len(), used), (65536, 10));
    assert_eq!(Config::DEFAULT_MAX_FRAME_PAYLOAD, 65536);
    let lower = Config::client().with_max_frame_payload(65535);
    assert_eq!(FrameHeader::parse(&bytes, &lower), Err(Error::FrameTooBig));
}

#[test]
fn every_example_through_the_streaming_decoder_byte_by_byte() {
    for (bytes, config, expected) in [
        (HELLO_UNMASKED, Config::client(), &b"Hello"[..]),
        (HELLO_MASKED, Config::server(), b"Hello"),
        (FRAGMENTED, Config::client(), b"Hello"),
        (PING_UNMASKED, Config::client(), b"Hello"),
        (PONG_MASKED, Config::server(), b"Hello"),
    ] {
        let mut d = Decoder::new(config);
        let mut payload = Vec::new();
        let mut ends = 0;
        for &b in bytes {
            let mut one = [b];
            let mut at = 0;
            while let (used, Some(event)) = d.decode(&mut one[at..]).unwrap() {
                at += used;
                match event {
                    Event::Payload(p) => payload.extend_from_slice(p),
                    Event::FrameEnd => ends += 1,
                    Event::Header(_) => {}
                }
            }
        }
        // A frame whose last byte was just fed still owes its FrameEnd.
        if let (0, Some(Event::FrameEnd)) = d.decode(&mut []).unwrap() {
            ends += 1;
        }
        assert_eq!(payload, expected);
        assert_eq!(ends, if bytes == FRAGMENTED { 2 } else { 1 });
        assert_eq!(d.needed(), 0);
    }
}
