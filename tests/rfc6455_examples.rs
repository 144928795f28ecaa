//! The examples of RFC 6455 §5.7, parsed in both roles and through every API
//! (`FrameHeader`, `Frame`, and the `Receiver` with and without a buffer).

// Test code: a panic is a test failure, and the fixtures are small.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

#[path = "support/receive.rs"]
mod support;

use support::{run, run_slice, Seen, Verdict};
use wsframe::{
    Config, Error, Frame, FrameHeader, MaskingKey, Opcode, Receiver, Role, State, Status,
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
        let mut rx = Receiver::new(config);
        assert_eq!(rx.read(&mut bytes.to_vec()).unwrap_err(), error);
        assert_eq!(rx.state(), State::Failed(error));
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
    let mut rx: Receiver<16> = Receiver::with_buffer(config);
    let mut input = FRAGMENTED.to_vec();
    let mut at = 0;
    let mut messages = Vec::new();
    while at < input.len() {
        let (used, event) = rx.read(&mut input[at..]).unwrap();
        at += used;
        if let Some(wsframe::Event::Text(t)) = event {
            messages.push(t.to_string());
        }
    }
    assert_eq!(messages, ["Hello"]);
    // A Receiver<0> hands out the two fragments as pieces of one message.
    let mut rx = Receiver::new(config);
    let mut input = FRAGMENTED.to_vec();
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let (used, event) = rx.read(&mut input[at..]).unwrap();
        at += used;
        if let Some(wsframe::Event::Piece(p)) = event {
            pieces.push((p.payload.to_vec(), p.first, p.last));
        }
    }
    assert_eq!(
        pieces,
        [
            (b"Hel".to_vec(), true, false),
            (b"lo".to_vec(), false, true)
        ]
    );
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
fn every_example_through_the_receiver_whole_and_byte_by_byte() {
    for (bytes, config, expected) in [
        (HELLO_UNMASKED, Config::client(), Seen::Text("Hello".into())),
        (HELLO_MASKED, Config::server(), Seen::Text("Hello".into())),
        (FRAGMENTED, Config::client(), Seen::Text("Hello".into())),
        (
            PING_UNMASKED,
            Config::client(),
            Seen::Ping(b"Hello".to_vec()),
        ),
        (PONG_MASKED, Config::server(), Seen::Pong(b"Hello".to_vec())),
    ] {
        for chunk in [bytes.len(), 1] {
            for got in [
                run(&mut Receiver::new(config), bytes, chunk),
                run(&mut Receiver::<8>::with_buffer(config), bytes, chunk),
                run_slice(&mut Receiver::new(config), bytes, chunk),
            ] {
                assert_eq!(got.events, std::slice::from_ref(&expected), "{bytes:x?}");
                assert_eq!((got.verdict, got.needed, got.unread), (Verdict::Ok, 0, 0));
            }
        }
    }
    // §5.7's 256-byte and 64 KiB binary frames.
    let big = Config::client();
    let got = run(&mut Receiver::new(big), &binary_256(), 100);
    assert_eq!(got.events, [Seen::Binary((0..=255u8).collect())]);
    let got = run(&mut Receiver::new(big), &binary_64k(), 4096);
    assert_eq!(got.events, [Seen::Binary(vec![0xAB; 65536])]);
    let lower = Config::client().with_max_frame_payload(65535);
    assert_eq!(
        run(&mut Receiver::new(lower), &binary_64k(), 1).verdict,
        Verdict::Err {
            error: Error::FrameTooBig,
            offset: 9
        }
    );
}
