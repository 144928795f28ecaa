//! `roundtrip`: structured frames (the crate's `arbitrary` feature).
//! - A header (any valid `FrameHeader`) encodes to its minimal form and
//!   parses back to itself; a whole frame (header + payload, masked with its
//!   key) parses back to the same header and payload, and a buffer one byte
//!   short gives `BufferTooSmall` with the right counts.
//! - An `ArbitraryFrame` (valid, or with one deliberate defect) gets exactly
//!   the verdict it predicts under an arbitrary `Config`, and its message-
//!   layer defect (bad UTF-8, bad Close body) is a `Receiver`'s verdict.
//! - The `Fragmenter`'s frames, masked with arbitrary keys and read as a
//!   stream by a `Receiver<N>` (one whole message) and a `Receiver<0>`
//!   (pieces joined), give back the original message.
//! - `encode_close` and `Error::encode_close` give Close frames that parse
//!   back to their code and (cut) reason, and a `Receiver` reads them so.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::{
    encode_close, encode_frame, ArbitraryFrame, CloseCode, Config, EncodeError, Error, Event,
    Frame, FrameHeader, MaskingKey, Opcode, Receiver, Role, Status,
};

const N: usize = 4096;

#[derive(Debug, Arbitrary)]
enum Input {
    Header(FrameHeader),
    Frame(FrameHeader, Vec<u8>),
    Wire(Config, ArbitraryFrame),
    Fragments {
        text: bool,
        body: String,
        bytes: Vec<u8>,
        max_fragment: u16,
        keys: Vec<Option<MaskingKey>>,
    },
    Close(CloseCode, String, Option<MaskingKey>),
}

/// Accepts every valid header.
const ANY: Config = Config::new(Role::Any)
    .with_allowed_rsv(0b111)
    .with_max_frame_payload(u64::MAX)
    .with_max_message_len(u64::MAX);

fn header_roundtrip(h: &FrameHeader) {
    let mut out = [0u8; FrameHeader::MAX_LEN];
    let n = h.encode(&mut out).unwrap();
    assert_eq!(n, h.encoded_len());
    assert_eq!(
        FrameHeader::parse(&out[..n], &ANY),
        Ok(Status::Complete((*h, n)))
    );
    assert_eq!(
        h.encode(&mut out[..n - 1]),
        Err(EncodeError::BufferTooSmall {
            needed: n,
            available: n - 1
        })
    );
}

fn frame_roundtrip(h: FrameHeader, mut payload: Vec<u8>) {
    if h.opcode().is_control() {
        payload.truncate(125);
    }
    let h = FrameHeader::new(
        h.fin(),
        h.rsv(),
        h.opcode(),
        h.masking_key(),
        payload.len() as u64,
    )
    .unwrap();
    header_roundtrip(&h);
    let total = h.encoded_len() + payload.len();
    let mut out = vec![0u8; total + 3];
    assert_eq!(encode_frame(&h, &payload, &mut out), Ok(total));
    out.truncate(total);
    let Ok(Status::Complete((frame, used))) = Frame::parse(&out, &ANY) else {
        panic!("encoded frame does not parse");
    };
    assert_eq!((*frame.header(), used), (h, total));
    let mut wire_payload = payload.clone();
    h.unmask(&mut wire_payload);
    assert_eq!(frame.payload(), &wire_payload[..]);
    let mut copy = out.clone();
    let Ok(Status::Complete((frame, _))) = Frame::parse_in_place(&mut copy, &ANY) else {
        panic!("encoded frame does not parse in place");
    };
    assert_eq!(frame.payload(), &payload[..]);
    let mut short = vec![0u8; total - 1];
    assert_eq!(
        encode_frame(&h, &payload, &mut short),
        Err(EncodeError::BufferTooSmall {
            needed: total,
            available: total - 1
        })
    );
}

fn wire(config: &Config, frame: &ArbitraryFrame) {
    let expected = frame.expected(config);
    let got = FrameHeader::parse(frame.wire(), config);
    match (&got, &expected) {
        (Ok(Status::Complete((h, used))), Ok(e)) => {
            assert_eq!((h, *used), (e, frame.header_len()));
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "defect {:?}", frame.defect()),
        (a, b) => panic!(
            "parse gave {a:?}, expected {b:?} (defect {:?})",
            frame.defect()
        ),
    }
    let Ok(header) = expected else { return };
    if frame.payload().len() as u64 != header.payload_len() {
        return; // the payload was left out
    }
    let mut bytes = frame.wire().to_vec();
    let Ok(Status::Complete((parsed, used))) = Frame::parse_in_place(&mut bytes, config) else {
        panic!("complete frame does not parse");
    };
    assert_eq!(
        (parsed.payload(), used),
        (frame.payload(), frame.wire().len())
    );
    // A receiver, on this frame alone: its frame rules passed, so its
    // verdict is the message layer's.
    let message_defect = frame.defect().filter(|d| {
        matches!(
            d,
            Error::InvalidUtf8
                | Error::CloseBodyTooShort
                | Error::InvalidCloseCode
                | Error::InvalidCloseReason
        )
    });
    let deflate = config.allowed_rsv() & Config::RSV1 != 0;
    let rsv1 = header.rsv() & Config::RSV1 != 0;
    let opcode = header.opcode();
    let expected = if deflate && rsv1 && (opcode.is_control() || opcode == Opcode::Continuation) {
        Some(Error::MisplacedCompressionBit)
    } else if opcode == Opcode::Continuation {
        Some(Error::UnexpectedContinuation)
    } else if !opcode.is_control() && header.payload_len() > config.max_message_len() {
        Some(Error::MessageTooBig)
    } else if message_defect == Some(Error::InvalidUtf8) && deflate && rsv1 {
        None // compressed: its UTF-8 is not checked
    } else {
        message_defect
    };
    let mut rx = Receiver::new(*config);
    let mut bytes = frame.wire().to_vec();
    let mut at = 0;
    let verdict = loop {
        if at == bytes.len() {
            break Ok(());
        }
        match rx.read(&mut bytes[at..]) {
            Ok((used, _)) => at += used,
            Err(e) => break Err(e),
        }
    };
    assert_eq!(
        verdict.err(),
        expected,
        "message layer, defect {:?}",
        frame.defect()
    );
}

fn fragments(text: bool, body: String, bytes: Vec<u8>, max: u16, keys: &[Option<MaskingKey>]) {
    let (opcode, mut payload) = if text {
        let mut end = body.len().min(N);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        (Opcode::Text, body[..end].as_bytes().to_vec())
    } else {
        (Opcode::Binary, bytes)
    };
    payload.truncate(N);
    let max = usize::from(max.max(1));
    let frames: Vec<_> = wsframe::Fragmenter::new(opcode, &payload, max)
        .unwrap()
        .collect();
    assert_eq!(frames.len(), payload.len().div_ceil(max).max(1));
    let mut wire = Vec::new();
    for (i, (h, chunk)) in frames.iter().enumerate() {
        assert!(chunk.len() <= max);
        assert_eq!(h.fin(), i == frames.len() - 1);
        let want = if i == 0 { opcode } else { Opcode::Continuation };
        assert_eq!(h.opcode(), want);
        let h = h.with_masking_key(keys.get(i % keys.len().max(1)).copied().flatten());
        let start = wire.len();
        wire.resize(start + h.encoded_len() + chunk.len(), 0);
        encode_frame(&h, chunk, &mut wire[start..]).unwrap();
    }
    let config = Config::new(Role::Any).with_max_message_len(N as u64);
    // Whole, from a receiver with a buffer of exactly the message limit.
    let mut rx: Receiver<N> = Receiver::with_buffer(config);
    let mut input = wire.clone();
    let mut delivered = 0;
    let mut at = 0;
    while at < input.len() {
        let (used, event) = rx.read(&mut input[at..]).unwrap();
        at += used;
        match event {
            Some(Event::Text(s)) => {
                assert!(text && s.as_bytes() == payload);
                delivered += 1;
            }
            Some(Event::Binary(b)) => {
                assert!(!text && b == payload);
                delivered += 1;
            }
            None => {}
            other => panic!("fragmenter output gave {other:?}"),
        }
    }
    assert_eq!((delivered, at), (1, wire.len()));
    // In pieces, from a receiver without one.
    let mut rx = Receiver::new(config);
    let mut input = wire.clone();
    let (mut joined, mut last) = (Vec::new(), false);
    let mut at = 0;
    while at < input.len() {
        let (used, event) = rx.read(&mut input[at..]).unwrap();
        at += used;
        match event {
            Some(Event::Piece(p)) => {
                assert!(!last, "a piece after the last");
                assert_eq!(p.opcode, opcode);
                assert_eq!(p.first, joined.is_empty() && !last);
                joined.extend_from_slice(p.payload);
                last = p.last;
            }
            None => {}
            other => panic!("fragmenter output gave {other:?}"),
        }
    }
    assert!(last);
    assert_eq!(joined, payload);
}

fn close(code: CloseCode, reason: &str, key: Option<MaskingKey>) {
    let mut out = [0u8; 2 + 4 + 125];
    let n = match encode_close(Some(code), reason, key, &mut out) {
        Err(EncodeError::InvalidCloseCode) => {
            assert!(!code.is_allowed_on_wire());
            return;
        }
        other => other.unwrap(),
    };
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let config = Config::new(Role::Any);
    let mut wire = out[..n].to_vec();
    let Ok(Status::Complete((frame, used))) = Frame::parse_in_place(&mut out[..n], &config) else {
        panic!("close frame does not parse");
    };
    assert_eq!(used, n);
    assert_eq!(frame.payload()[..2], code.as_u16().to_be_bytes());
    assert_eq!(&frame.payload()[2..], reason[..end].as_bytes());
    let mut rx: Receiver<16> = Receiver::with_buffer(config);
    assert_eq!(
        rx.read(&mut wire),
        Ok((
            n,
            Some(Event::Close {
                code: Some(code),
                reason: &reason[..end]
            })
        ))
    );
}

fuzz_target!(|input: Input| {
    match input {
        Input::Header(h) => header_roundtrip(&h),
        Input::Frame(h, payload) => frame_roundtrip(h, payload),
        Input::Wire(config, frame) => wire(&config, &frame),
        Input::Fragments {
            text,
            body,
            bytes,
            max_fragment,
            keys,
        } => fragments(text, body, bytes, max_fragment, &keys),
        Input::Close(code, reason, key) => close(code, &reason, key),
    }
    // Every error answers with a Close frame that carries its code.
    for &e in Error::ALL {
        let mut out = [0u8; 131];
        let n = e.encode_close(None, &mut out).unwrap();
        let Ok(Status::Complete((frame, _))) = Frame::parse(&out[..n], &Config::client()) else {
            panic!("close frame for {e:?} does not parse");
        };
        assert_eq!(frame.payload()[..2], e.close_code().as_u16().to_be_bytes());
    }
});
