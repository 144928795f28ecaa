//! The structured-fuzzing generators of the `arbitrary` feature keep their
//! promises. The `roundtrip` fuzz target trusts them (an `ArbitraryFrame`'s
//! predicted verdict, its defect, its length encodings), and a generator
//! that stopped producing a boundary or a defect would make the fuzzer
//! weaker without any test failing; so these tests drive each generator
//! with many deterministic inputs and check what it produced: every value
//! valid, every predicted verdict the parser's, every boundary, range and
//! defect reached.

#![cfg(feature = "arbitrary")]
// Test code: a panic is a test failure.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::std_instead_of_core,
    clippy::cast_possible_truncation
)]

#[path = "support/receive.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Arbitrary, Unstructured};
use support::run;
use wsframe::{
    unmask, ArbitraryFrame, CloseCode, Config, Error, FrameHeader, MaskingKey, Opcode, Receiver,
    Role, Status,
};

/// Inputs of 0 to 511 bytes from a fixed seed (splitmix64): half of them
/// random bytes, half up to 15 random bytes followed by UTF-8 text with
/// multi-byte characters, so that some generated strings are long enough to
/// be cut at their limits (from random bytes they are a few bytes long).
fn inputs(count: usize) -> Vec<Vec<u8>> {
    const PIECES: [&str; 5] = ["a", " ", "é", "€", "😀"];
    let mut state = 0x5EED_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..count)
        .map(|i| {
            let len = (next() % 512) as usize;
            let mut bytes: Vec<u8> = Vec::with_capacity(len + 4);
            let random = if i % 2 == 0 {
                len
            } else {
                len.min((next() % 16) as usize)
            };
            while bytes.len() < random {
                bytes.push(next() as u8);
            }
            while bytes.len() < len {
                bytes.extend_from_slice(PIECES[(next() % 5) as usize].as_bytes());
            }
            bytes
        })
        .collect()
}

/// `T` generated from `input`, and how many bytes it took.
fn generate<T: for<'a> Arbitrary<'a>>(input: &[u8]) -> (arbitrary::Result<T>, usize) {
    let mut u = Unstructured::new(input);
    let value = T::arbitrary(&mut u);
    (value, input.len() - u.len())
}

/// The payload length the header at the start of `wire` announces.
fn announced_len(wire: &[u8]) -> u64 {
    match wire[1] & 0x7F {
        126 => u64::from(u16::from_be_bytes([wire[2], wire[3]])),
        127 => u64::from_be_bytes(wire[2..10].try_into().unwrap()),
        n => u64::from(n),
    }
}

/// Every frame rule on, nothing over a limit: a frame's verdict is its defect.
const STRICT: Config = Config::new(Role::Any)
    .with_max_frame_payload(u64::MAX)
    .with_max_message_len(u64::MAX);

#[test]
fn config_limits_reach_every_boundary_and_values_between() {
    let boundaries = [
        0,
        1,
        2,
        125,
        126,
        127,
        0xFFFF,
        0x1_0000,
        Config::DEFAULT_MAX_FRAME_PAYLOAD,
        0xFFFF_FFFF,
        0x1_0000_0000,
        FrameHeader::MAX_PAYLOAD_LEN,
        FrameHeader::MAX_PAYLOAD_LEN + 1,
        u64::MAX,
    ];
    let (mut frame, mut message) = (BTreeSet::new(), BTreeSet::new());
    let (mut roles, mut rsv, mut strict) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for input in inputs(4000) {
        let config: Config = generate(&input).0.unwrap();
        frame.insert(config.max_frame_payload());
        message.insert(config.max_message_len());
        roles.insert(format!("{:?}", config.role()));
        rsv.insert(config.allowed_rsv());
        strict.insert(config.strict_length());
    }
    for limits in [&frame, &message] {
        for b in boundaries {
            assert!(limits.contains(&b), "{b} never generated");
        }
        assert!(
            limits.iter().filter(|l| !boundaries.contains(l)).count() > 100,
            "too few limits between the boundaries"
        );
    }
    assert_eq!(roles.len(), 3, "{roles:?}");
    assert_eq!(rsv, (0..=0b111).collect());
    assert_eq!(strict, [false, true].into());
}

#[test]
fn frame_headers_are_valid_and_their_lengths_reach_each_encoding() {
    let (mut opcodes, mut rsv, mut lens) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let (mut fragments, mut masked, mut unmasked) = (0, 0, 0);
    for input in inputs(4000) {
        // Data runs out for short inputs: the generator still gives a header.
        let header: FrameHeader = generate(&input).0.unwrap();
        let opcode = header.opcode();
        opcodes.insert(opcode.as_u8());
        rsv.insert(header.rsv());
        if opcode.is_control() {
            assert!(header.fin(), "{header:?}");
            assert!(header.payload_len() <= 125, "{header:?}");
        } else {
            lens.insert(header.payload_len());
            fragments += usize::from(!header.fin());
        }
        assert!(header.payload_len() <= FrameHeader::MAX_PAYLOAD_LEN);
        if header.masking_key().is_some() {
            masked += 1;
        } else {
            unmasked += 1;
        }
    }
    assert_eq!(opcodes.len(), 6);
    assert_eq!(rsv, (0..=0b111).collect());
    assert!(fragments > 100 && masked > 100 && unmasked > 100);
    // The boundaries of the length encodings and the largest length...
    for b in [
        126,
        0xFFFF,
        0x1_0000,
        0xFFFF_FFFF,
        0x1_0000_0000,
        FrameHeader::MAX_PAYLOAD_LEN,
    ] {
        assert!(lens.contains(&b), "{b} never generated");
    }
    // ... many short lengths, and lengths anywhere in the 64-bit range.
    assert!(lens.range(..=300).count() > 200);
    assert!(
        lens.range(0x1_0000_0001..FrameHeader::MAX_PAYLOAD_LEN)
            .count()
            > 100
    );
}

#[test]
fn close_codes_come_from_each_range() {
    let (mut total, mut registered, mut private, mut other) = (0, 0, 0, 0);
    for input in inputs(4000) {
        let Ok(code) = generate::<CloseCode>(&input).0 else {
            continue;
        };
        total += 1;
        match code.as_u16() {
            1000..=1015 => registered += 1,
            3000..=4999 => private += 1,
            _ => other += 1,
        }
    }
    // About half in 1000-1015, a quarter in 3000-4999, the rest anywhere.
    assert!(total > 3900, "{total}");
    assert!(registered * 100 > total * 40, "{registered} of {total}");
    assert!(private * 100 > total * 15, "{private} of {total}");
    assert!(other * 100 > total * 15, "{other} of {total}");
}

#[test]
fn size_hints_bound_the_bytes_taken() {
    fn check<T: for<'a> Arbitrary<'a>>(input: &[u8]) -> usize {
        let (lo, hi) = T::size_hint(0);
        let (value, taken) = generate::<T>(input);
        assert!(value.is_ok());
        assert!(lo <= taken && taken <= hi.unwrap(), "{lo} {taken} {hi:?}");
        taken
    }
    for input in inputs(500).iter().filter(|i| i.len() >= 8) {
        check::<Role>(input);
        check::<Opcode>(input);
        assert_eq!(check::<MaskingKey>(input), 4);
    }
}

/// Configurations that turn each frame rule on or off.
fn configs() -> Vec<Config> {
    let mut all = Vec::new();
    for role in [Role::Server, Role::Client, Role::Any] {
        for rsv in [0, 0b111] {
            for strict in [true, false] {
                for max in [u64::MAX, Config::DEFAULT_MAX_FRAME_PAYLOAD, 125] {
                    all.push(
                        Config::new(role)
                            .with_allowed_rsv(rsv)
                            .with_strict_length(strict)
                            .with_max_frame_payload(max),
                    );
                }
            }
        }
    }
    all
}

#[test]
fn generated_frames_get_the_verdicts_they_predict() {
    let configs = configs();
    for input in inputs(6000) {
        let frame: ArbitraryFrame = generate(&input).0.unwrap();
        let wire = frame.wire();
        assert_eq!(frame.clone().into_wire(), wire);
        assert!((2..=14).contains(&frame.header_len()), "{frame:?}");
        // The payload is there, masked with the header's key, unless it is
        // over 64 KiB, or over 1,000 bytes in an over-long control frame.
        let len = announced_len(wire);
        let body = &wire[frame.header_len()..];
        let left_out = frame.defect() == Some(Error::ControlFrameTooLong) && len > 1000;
        if len <= 0x1_0000 && !left_out {
            assert_eq!(body.len() as u64, len, "{frame:?}");
        } else {
            assert!(body.is_empty(), "{frame:?}");
        }
        let mut unmasked = body.to_vec();
        if wire[1] & 0x80 != 0 {
            let key = &wire[frame.header_len() - 4..frame.header_len()];
            unmask(&mut unmasked, MaskingKey::new(key.try_into().unwrap()));
        }
        assert_eq!(unmasked, frame.payload());
        for config in &configs {
            let expected = frame.expected(config);
            match FrameHeader::parse(wire, config) {
                Ok(Status::Complete((header, used))) => {
                    assert_eq!(Ok(header), expected, "{frame:?} {config:?}");
                    assert_eq!(used, frame.header_len());
                    assert_eq!(header.payload_len(), len);
                }
                Ok(Status::Partial { .. }) => panic!("a whole header is partial: {frame:?}"),
                Err(error) => assert_eq!(Err(error), expected, "{frame:?} {config:?}"),
            }
        }
    }
}

/// The frame-layer defects: `FrameHeader::parse` reports them.
const FRAME_DEFECTS: [Error; 6] = [
    Error::ReservedBits,
    Error::ReservedOpcode,
    Error::FragmentedControlFrame,
    Error::ControlFrameTooLong,
    Error::LengthHighBitSet,
    Error::NonMinimalLength,
];

#[test]
fn every_defect_is_generated_and_breaks_its_rule_alone() {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad_codes = BTreeSet::new();
    let (mut empty_close, mut close_with_body, mut long_binary, mut long_text) = (0, 0, 0, 0);
    let (mut non_minimal_close, mut wide_text) = (0, 0);
    let (mut wide_control, mut largest_control) = (0, 0);
    let lenient = STRICT.with_strict_length(false);
    for input in inputs(20_000) {
        let frame: ArbitraryFrame = generate(&input).0.unwrap();
        let defect = frame.defect();
        *count.entry(format!("{defect:?}")).or_default() += 1;
        let expected = frame.expected(&STRICT);
        if let Some(d) = defect.filter(|d| FRAME_DEFECTS.contains(d)) {
            assert_eq!(expected, Err(d), "{frame:?}");
            if d == Error::ControlFrameTooLong {
                match announced_len(frame.wire()) {
                    FrameHeader::MAX_PAYLOAD_LEN => largest_control += 1,
                    0x1_0000.. => wide_control += 1,
                    _ => {}
                }
            }
            if d == Error::ReservedBits {
                assert!(frame.expected(&STRICT.with_allowed_rsv(0b111)).is_ok());
            }
            if d != Error::NonMinimalLength {
                continue;
            }
        }
        // What is left is a valid header; under the lenient length rule
        // also the non-minimal ones.
        let header = frame.expected(&lenient).unwrap();
        if frame.payload().len() as u64 != header.payload_len() {
            continue; // the payload was left out
        }
        let outcome = run(&mut Receiver::<0>::new(lenient), frame.wire(), 64);
        let opcode = header.opcode();
        match defect {
            None | Some(Error::NonMinimalLength) if opcode == Opcode::Continuation => {
                assert_eq!(outcome.error(), Some(Error::UnexpectedContinuation));
            }
            None | Some(Error::NonMinimalLength) => {
                assert_eq!(outcome.error(), None, "{frame:?}");
            }
            Some(d) => assert_eq!(outcome.error(), Some(d), "{frame:?}"),
        }
        let payload = frame.payload();
        match (defect, opcode) {
            (None, Opcode::Close) if payload.is_empty() => empty_close += 1,
            (None, Opcode::Close) => close_with_body += 1,
            (None, Opcode::Binary) if [126, 127, 0xFFFF, 0x1_0000].contains(&payload.len()) => {
                long_binary += 1;
            }
            (None, Opcode::Text) if payload.len() > 100 => {
                long_text += 1;
                wide_text += usize::from(payload.iter().any(|b| *b >= 0x80));
            }
            (Some(Error::NonMinimalLength), Opcode::Close) if payload.len() >= 2 => {
                non_minimal_close += 1;
            }
            (Some(Error::InvalidCloseCode), _) => {
                bad_codes.insert(match u16::from_be_bytes([payload[0], payload[1]]) {
                    0..=999 => "0-999",
                    1004..=1006 | 1015 => "reserved",
                    1016..=2999 => "1016-2999",
                    5000.. => "5000-",
                    _ => panic!("an allowed code: {frame:?}"),
                });
            }
            _ => {}
        }
    }
    // Half well formed; each defect in about one frame of twenty.
    assert!(count["None"] > 9000, "{count:?}");
    assert_eq!(count.len(), 11, "{count:?}");
    assert!(count.values().all(|n| *n > 500), "{count:?}");
    assert_eq!(bad_codes.len(), 4, "{bad_codes:?}");
    for (what, n) in [
        ("empty Close", empty_close),
        ("Close with a body", close_with_body),
        ("Binary at a length boundary", long_binary),
        ("long Text", long_text),
        ("Text with multi-byte characters", wide_text),
        ("non-minimal Close with a body", non_minimal_close),
        ("control frame announcing a 64-bit length", wide_control),
        ("control frame announcing 2^63 - 1 bytes", largest_control),
    ] {
        assert!(n > 5, "{what}: {n}");
    }
}
