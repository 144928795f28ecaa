//! The frame layer, one row per RFC 6455 rule: each row asserts the variant
//! and its close code through every entry point (header, whole frame, and
//! the `Receiver` fed whole, byte by byte and in chunks, at the same byte).

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

use support::{run, run_slice, run_split, Outcome, Seen, Verdict};
use wsframe::{Config, Error, Frame, FrameHeader, Receiver, Role, Status};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn server() -> Config {
    Config::server()
}
fn client() -> Config {
    Config::client()
}
fn any() -> Config {
    Config::new(Role::Any)
}

/// Runs `bytes` through every entry point and checks they agree on `error`,
/// and that the receiver shows it at the byte where `FrameHeader::parse`
/// first shows it (whole, byte by byte, chunked; `read` and `read_slice`;
/// with and without a message buffer).
fn check(config: Config, bytes: &[u8], error: Error, code: u16) {
    assert_eq!(error.close_code().as_u16(), code, "{error:?}");
    assert_eq!(
        FrameHeader::parse(bytes, &config),
        Err(error),
        "header {bytes:x?}"
    );
    assert_eq!(
        Frame::parse(bytes, &config).map(|_| ()),
        Err(error),
        "frame {bytes:x?}"
    );
    assert_eq!(
        Frame::parse_in_place(&mut bytes.to_vec(), &config).map(|_| ()),
        Err(error)
    );
    let at = (1..=bytes.len())
        .find(|&k| FrameHeader::parse(&bytes[..k], &config).is_err())
        .unwrap()
        - 1;
    for chunk in [bytes.len().max(1), 1, 2, 3] {
        let expected = Verdict::Err {
            error,
            offset: support::chunk_end(at, chunk, bytes.len()),
        };
        let runs = [
            ("read", run(&mut Receiver::new(config), bytes, chunk)),
            (
                "read, headers",
                run(
                    &mut Receiver::new(config).with_header_events(),
                    bytes,
                    chunk,
                ),
            ),
            (
                "read, buffer",
                run(&mut Receiver::<64>::with_buffer(config), bytes, chunk),
            ),
            (
                "read_slice",
                run_slice(&mut Receiver::new(config), bytes, chunk),
            ),
        ];
        for (path, outcome) in runs {
            assert_eq!(
                outcome.verdict, expected,
                "{path}, chunks of {chunk}: {bytes:x?}"
            );
            assert_eq!(outcome.events, [], "{path}");
        }
    }
}

/// The frames a receiver with header events saw: (header, payload) pairs
/// (pieces joined per message, so a data frame's payload is the part of its
/// message it brought) and the verdict.
type Decoded = (Vec<(FrameHeader, Vec<u8>)>, Option<Error>);

/// The frames of `bytes` fed `chunk` bytes at a time, from the header events
/// and the events that follow them.
fn decode_all(config: Config, bytes: &[u8], chunk: usize) -> Decoded {
    frames_of(&run(
        &mut Receiver::new(config).with_header_events(),
        bytes,
        chunk,
    ))
}

/// Pairs each header with its payload: a control frame's from its event, a
/// data frame's cut from its message's bytes by the payload lengths.
fn frames_of(outcome: &Outcome) -> Decoded {
    let mut frames: Vec<(FrameHeader, Vec<u8>)> = Vec::new();
    let mut data_frames = Vec::new();
    for seen in &outcome.events {
        match seen {
            Seen::Header(h) => {
                if !h.opcode().is_control() {
                    data_frames.push(frames.len());
                }
                frames.push((*h, Vec::new()));
            }
            Seen::Ping(p) | Seen::Pong(p) => frames.last_mut().unwrap().1.clone_from(p),
            Seen::Text(_) | Seen::Binary(_) => {
                let bytes = match seen {
                    Seen::Text(t) => t.as_bytes(),
                    Seen::Binary(b) => b,
                    _ => unreachable!(),
                };
                let mut rest = bytes;
                for i in data_frames.drain(..) {
                    let len = frames[i].0.payload_len() as usize;
                    frames[i].1 = rest[..len].to_vec();
                    rest = &rest[len..];
                }
                assert!(rest.is_empty());
            }
            other => panic!("not in these streams: {other:?}"),
        }
    }
    (frames, outcome.error())
}

macro_rules! rejects {
    ($($name:ident: $config:expr, $bytes:expr => $error:ident, $code:literal;)*) => {
        $(
            #[test]
            fn $name() {
                check($config, &$bytes, Error::$error, $code);
            }
        )*
    };
}

rejects! {
    // §5.2: RSV bits need a negotiated extension.
    rsv1_without_extension: server(), [0xC1, 0x80] => ReservedBits, 1002;
    rsv2_without_extension: server(), [0xA1, 0x80] => ReservedBits, 1002;
    rsv3_without_extension: server(), [0x91, 0x80] => ReservedBits, 1002;
    rsv2_with_only_rsv1_allowed: server().with_allowed_rsv(Config::RSV1), [0xA2, 0x80] => ReservedBits, 1002;
    rsv_decided_by_the_first_byte_alone: server(), [0xF1] => ReservedBits, 1002;
    // §5.2: reserved opcodes.
    opcode_0x3: server(), [0x83, 0x80] => ReservedOpcode, 1002;
    opcode_0x7: server(), [0x87] => ReservedOpcode, 1002;
    opcode_0xb: client(), [0x8B, 0x00] => ReservedOpcode, 1002;
    opcode_0xf: any(), [0x8F] => ReservedOpcode, 1002;
    reserved_bits_come_before_the_opcode: server(), [0xC3] => ReservedBits, 1002;
    // §5.5: control frames are never fragmented.
    close_without_fin: server(), [0x08, 0x80] => FragmentedControlFrame, 1002;
    ping_without_fin: client(), [0x09] => FragmentedControlFrame, 1002;
    pong_without_fin: any(), [0x0A, 0x00] => FragmentedControlFrame, 1002;
    // §5.5: control payloads are at most 125 bytes, in any length form.
    ping_126_in_16_bits: server(), [0x89, 0xFE, 0x00, 0x7E] => ControlFrameTooLong, 1002;
    close_65535_in_16_bits: client(), [0x88, 0x7E, 0xFF, 0xFF] => ControlFrameTooLong, 1002;
    pong_200_in_64_bits: any(), [0x8A, 0x7F, 0, 0, 0, 0, 0, 0, 0, 200] => ControlFrameTooLong, 1002;
    control_too_long_even_when_lenient: client().with_strict_length(false), [0x89, 0x7E, 0x00, 0x7E] => ControlFrameTooLong, 1002;
    // §5.1/§5.3: masking follows the role.
    unmasked_frame_to_a_server: server(), [0x81, 0x05] => UnmaskedClientFrame, 1002;
    masked_frame_to_a_client: client(), [0x82, 0x80] => MaskedServerFrame, 1002;
    // §5.2: the 64-bit length's most significant bit must be 0.
    length_msb_set: any(), [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0] => LengthHighBitSet, 1002;
    length_msb_set_even_with_a_huge_limit: any().with_max_frame_payload(u64::MAX), [0x82, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] => LengthHighBitSet, 1002;
    // §5.2: minimal length encoding.
    length_125_in_16_bits: client(), [0x82, 0x7E, 0x00, 0x7D] => NonMinimalLength, 1002;
    length_0_in_16_bits: client(), [0x82, 0x7E, 0x00, 0x00] => NonMinimalLength, 1002;
    length_65535_in_64_bits: client(), [0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] => NonMinimalLength, 1002;
    length_5_in_64_bits: client(), [0x81, 0x7F, 0, 0, 0, 0, 0, 0, 0, 5] => NonMinimalLength, 1002;
    ping_5_in_16_bits: client(), [0x89, 0x7E, 0x00, 0x05] => NonMinimalLength, 1002;
    // §7.4.1/§10.4: over the configured frame limit, decided before the masking key arrives.
    over_the_frame_limit_16_bits: server().with_max_frame_payload(1000), [0x82, 0xFE, 0x03, 0xE9] => FrameTooBig, 1009;
    over_the_frame_limit_7_bits: server().with_max_frame_payload(4), [0x81, 0x85] => FrameTooBig, 1009;
    length_2_pow_32_default_limit: server(), [0x82, 0xFF, 0, 0, 0, 0x01, 0, 0, 0, 0] => FrameTooBig, 1009;
    length_2_pow_63_minus_1_default_limit: any(), [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] => FrameTooBig, 1009;
    zero_limit_rejects_one_byte: client().with_max_frame_payload(0), [0x82, 0x01] => FrameTooBig, 1009;
}

#[test]
fn allowed_rsv_bits_pass() {
    let config = server().with_allowed_rsv(0b111);
    let (h, _) = FrameHeader::parse(&[0xF1, 0x80, 1, 2, 3, 4], &config)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(h.rsv(), 0b111);
}

#[test]
fn non_minimal_lengths_pass_when_lenient() {
    let lenient = client().with_strict_length(false);
    for (bytes, len, used) in [
        (&[0x82, 0x7E, 0x00, 0x7D][..], 125, 4),
        (&[0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF][..], 65535, 10),
        (&[0x89, 0x7E, 0x00, 0x05][..], 5, 4),
    ] {
        let (h, n) = FrameHeader::parse(bytes, &lenient)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!((h.payload_len(), n), (len, used));
    }
}

#[test]
fn the_limit_itself_is_accepted() {
    let config = server().with_max_frame_payload(1000);
    let (h, used) = FrameHeader::parse(&[0x82, 0xFE, 0x03, 0xE8, 1, 2, 3, 4], &config)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!((h.payload_len(), used), (1000, 8));
}

#[test]
fn length_2_pow_32_with_a_raised_limit_fits_usize_only_on_64_bit_targets() {
    // Compared as u64, never truncated: 2^32 as a u32 would be 0.
    let config = any().with_max_frame_payload(FrameHeader::MAX_PAYLOAD_LEN);
    let bytes = [0x82, 0x7F, 0, 0, 0, 0x01, 0, 0, 0, 0];
    let result = FrameHeader::parse(&bytes, &config);
    if cfg!(target_pointer_width = "64") {
        let (h, _) = result.unwrap().complete().unwrap();
        assert_eq!(h.payload_len(), 1 << 32);
        // A whole frame cannot be in memory yet: Partial, asking for the payload.
        let needed = Frame::parse(&bytes, &config).unwrap().needed().unwrap();
        assert_eq!(needed as u64, 1 << 32);
    } else {
        // 32-bit usize (run under `cargo miri test --target i686-unknown-linux-gnu`
        // and on the Cortex-M firmware): the length cannot be addressed.
        assert_eq!(result, Err(Error::FrameTooBigForTarget));
        assert_eq!(Error::FrameTooBigForTarget.close_code().as_u16(), 1009);
    }
}

/// Valid frames of every header form (length form × masked), as (bytes, config).
fn valid_frames() -> Vec<(Vec<u8>, Config)> {
    let mut out = Vec::new();
    for len in [0usize, 1, 125, 126, 1000, 65535, 65536, 70000] {
        for masked in [false, true] {
            let mut bytes = vec![0x82];
            let mask_bit = if masked { 0x80 } else { 0 };
            match len {
                0..=125 => bytes.push(mask_bit | len as u8),
                126..=65535 => {
                    bytes.push(mask_bit | 0x7E);
                    bytes.extend_from_slice(&(len as u16).to_be_bytes());
                }
                _ => {
                    bytes.push(mask_bit | 0x7F);
                    bytes.extend_from_slice(&(len as u64).to_be_bytes());
                }
            }
            if masked {
                bytes.extend_from_slice(&KEY);
            }
            bytes.extend((0..len).map(|i| i as u8));
            let config = if masked { server() } else { client() }.with_max_frame_payload(1 << 20);
            out.push((bytes, config));
        }
    }
    out
}

#[test]
fn every_prefix_of_a_valid_frame_is_partial_with_the_exact_count() {
    for (bytes, config) in valid_frames() {
        let (h, header_len) = FrameHeader::parse(&bytes, &config)
            .unwrap()
            .complete()
            .unwrap();
        let total = bytes.len();
        assert_eq!(header_len + h.payload_len() as usize, total);
        for k in 0..total {
            let prefix = &bytes[..k];
            let header = FrameHeader::parse(prefix, &config).unwrap();
            let frame = Frame::parse(prefix, &config).unwrap();
            if k < header_len {
                let expected = if k < 2 { 2 - k } else { header_len - k };
                assert_eq!(
                    header.needed(),
                    Some(expected),
                    "header prefix {k} of {total}"
                );
                assert_eq!(
                    frame.needed(),
                    Some(expected),
                    "frame prefix {k} of {total}"
                );
            } else {
                assert!(header.is_complete());
                assert_eq!(
                    frame.needed(),
                    Some(total - k),
                    "frame prefix {k} of {total}"
                );
            }
        }
        assert!(Frame::parse(&bytes, &config).unwrap().is_complete());
    }
}

/// A stream of several frames (masked, for a server) ending in `tail`.
fn stream(tail: &[u8]) -> Vec<u8> {
    let mut s = Vec::new();
    for (b0, payload) in [
        (0x01u8, &b"Hel"[..]),
        (0x89, b"ping"),
        (0x80, b"lo"),
        (0x82, &[7u8; 300][..]),
        (0x8A, b""),
    ] {
        s.push(b0);
        if payload.len() < 126 {
            s.push(0x80 | payload.len() as u8);
        } else {
            s.push(0xFE);
            s.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        }
        s.extend_from_slice(&KEY);
        s.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
    }
    s.extend_from_slice(tail);
    s
}

#[test]
fn splitting_at_any_point_gives_the_same_frames_and_verdict() {
    let tails: [&[u8]; 5] = [
        &[],                                   // clean end
        &[0x83, 0x80, 1, 2, 3, 4],             // reserved opcode
        &[0x81, 0x05, b'H'],                   // unmasked
        &[0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0], // 1009
        &[0x82, 0x85, 1, 2],                   // truncated header: no verdict yet
    ];
    for tail in tails {
        let bytes = stream(tail);
        let config = server();
        let reference = decode_all(config, &bytes, bytes.len());
        // The whole-frame API agrees with the decoder.
        let mut rest = &bytes[..];
        let mut frames = Vec::new();
        let verdict = loop {
            match Frame::parse_in_place(&mut rest.to_vec(), &config) {
                Err(e) => break Some(e),
                Ok(Status::Partial { .. }) => break None,
                Ok(Status::Complete((f, used))) => {
                    frames.push((*f.header(), f.payload().to_vec()));
                    rest = &rest[used..];
                }
            }
        };
        assert_eq!((frames, verdict), reference.clone());
        for chunk in 1..=16 {
            assert_eq!(
                decode_all(config, &bytes, chunk),
                reference,
                "chunk {chunk}"
            );
        }
        // Cut at any point: the same frames (the last one possibly still
        // in progress) and verdict, through `read` and `read_slice`.
        for split in 0..=bytes.len() {
            let cut = run_split(
                &mut Receiver::new(config).with_header_events(),
                &bytes,
                split,
            );
            assert_eq!(frames_of(&cut), reference, "split {split}");
            let whole = run(&mut Receiver::new(config), &bytes, bytes.len());
            let sliced = support::run_slice_split(&mut Receiver::new(config), &bytes, split);
            assert_eq!(sliced.events, whole.events, "read_slice, split {split}");
            assert_eq!(sliced.error(), whole.error(), "read_slice, split {split}");
        }
    }
}

#[test]
fn a_length_over_the_limit_is_reported_before_the_masking_key() {
    // 10 bytes: no masking key yet, but the length already says 1009.
    let bytes = [0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0];
    assert_eq!(
        FrameHeader::parse(&bytes, &server()),
        Err(Error::FrameTooBig)
    );
    // The same frame within the limit waits for the key.
    let ok = server().with_max_frame_payload(1 << 20);
    assert_eq!(FrameHeader::parse(&bytes, &ok).unwrap().needed(), Some(4));
}

#[test]
fn errors_are_terminal_until_reset() {
    let mut rx = Receiver::new(server()).with_header_events();
    assert_eq!(rx.read(&mut [0x83]), Err(Error::ReservedOpcode));
    assert_eq!(
        rx.read(&mut [0x81, 0x80, 1, 2, 3, 4]),
        Err(Error::ReservedOpcode)
    );
    assert_eq!(
        rx.read_slice(&mut [0x81, 0x80, 1, 2, 3, 4]),
        Err(Error::ReservedOpcode)
    );
    rx.reset();
    let mut frame = [0x81, 0x80, 1, 2, 3, 4];
    let (used, ev) = rx.read(&mut frame).unwrap();
    assert_eq!(used, 6);
    assert!(matches!(ev, Some(wsframe::Event::Header(_))), "{ev:?}");
}
