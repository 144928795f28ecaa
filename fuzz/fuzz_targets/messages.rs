//! `messages`: arbitrary frame sequences (single frames, and messages cut
//! into fragments at arbitrary bytes, so code points straddle fragments,
//! with control frames in between) through the message layer, the payload
//! itself cut at arbitrary points. `MessageValidator` and `Reassembler`
//! must agree event by event; errors are terminal; no message is over the
//! limit; every message delivered holds exactly the bytes of its fragments;
//! every text message (and Close reason) is valid UTF-8 and every rejected
//! one is not; fragmentation follows §5.4; Close codes follow §7.4.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::{
    CloseCode, Config, Error, Event, FrameHeader, Message, MessageValidator, Opcode, Outcome,
    Reassembler,
};
use wsframe_fuzz::{check_error, cut};

const N: usize = 1024;

#[derive(Debug, Arbitrary)]
enum Payload {
    Text(String),
    Bytes(Vec<u8>),
    Close(Option<(CloseCode, String)>),
}

#[derive(Debug, Arbitrary)]
enum Step {
    Frame {
        opcode: Opcode,
        fin: bool,
        rsv: u8,
        payload: Payload,
    },
    Message {
        text: bool,
        body: String,
        junk: Vec<u8>,
        cuts: Vec<u8>,
        rsv: u8,
        pings: bool,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    config: Config,
    pieces: Vec<u8>,
    steps: Vec<Step>,
}

fn header(fin: bool, rsv: u8, opcode: Opcode, len: usize) -> FrameHeader {
    FrameHeader::new(
        fin || opcode.is_control(),
        rsv & 0b111,
        opcode,
        None,
        len as u64,
    )
    .unwrap()
}

fn frames(steps: Vec<Step>) -> Vec<(FrameHeader, Vec<u8>)> {
    let mut out = Vec::new();
    for step in steps {
        match step {
            Step::Frame {
                opcode,
                fin,
                rsv,
                payload,
            } => {
                let mut bytes = match payload {
                    Payload::Text(s) => s.into_bytes(),
                    Payload::Bytes(b) => b,
                    Payload::Close(None) => Vec::new(),
                    Payload::Close(Some((code, reason))) => {
                        let mut b = code.as_u16().to_be_bytes().to_vec();
                        b.extend_from_slice(reason.as_bytes());
                        b
                    }
                };
                if opcode.is_control() {
                    bytes.truncate(125);
                }
                out.push((header(fin, rsv, opcode, bytes.len()), bytes));
            }
            Step::Message {
                text,
                body,
                junk,
                cuts,
                rsv,
                pings,
            } => {
                let mut bytes = body.into_bytes();
                bytes.extend_from_slice(&junk);
                let parts = cut(&bytes, &cuts);
                let last = parts.len().saturating_sub(1);
                for (i, part) in parts.iter().enumerate() {
                    let opcode = match (i, text) {
                        (0, true) => Opcode::Text,
                        (0, false) => Opcode::Binary,
                        _ => Opcode::Continuation,
                    };
                    let rsv = if i == 0 { rsv } else { 0 };
                    out.push((header(i == last, rsv, opcode, part.len()), part.to_vec()));
                    if pings && i != last {
                        out.push((header(true, 0, Opcode::Ping, 1), vec![i as u8]));
                    }
                }
            }
        }
    }
    out
}

/// Whether `bytes` can still be completed to valid UTF-8.
fn utf8_prefix_ok(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// The same outcome, from the validator and from the reassembler.
fn agree(v: &Outcome<'_>, r: &Message<'_>) {
    match (*v, *r) {
        (
            Outcome::Message {
                opcode,
                len,
                compressed: true,
            },
            Message::Compressed { opcode: o, payload },
        ) => assert_eq!((opcode, len), (o, payload.len() as u64)),
        (
            Outcome::Message {
                opcode: Opcode::Text,
                len,
                compressed: false,
            },
            Message::Text(s),
        ) => assert_eq!(len, s.len() as u64, "text message delivered short"),
        (
            Outcome::Message {
                opcode: Opcode::Binary,
                len,
                compressed: false,
            },
            Message::Binary(b),
        ) => assert_eq!(len, b.len() as u64),
        (Outcome::Ping(a), Message::Ping(b)) | (Outcome::Pong(a), Message::Pong(b)) => {
            assert_eq!(a, b);
        }
        (Outcome::Close { code, reason }, Message::Close { code: c, reason: r }) => {
            assert_eq!((code, reason), (c, r));
        }
        (a, b) => panic!("validator {a:?}, reassembler {b:?}"),
    }
}

fuzz_target!(|input: Input| {
    let Input {
        config,
        pieces,
        steps,
    } = input;
    let limit = config.max_message_len().min(N as u64);
    let deflate = config.allowed_rsv() & Config::RSV1 != 0;
    let mut validator = MessageValidator::new(&config.with_max_message_len(limit));
    let mut reassembler: Reassembler<N> = Reassembler::new(&config);
    // The model: the message in progress (opcode, compressed, bytes so far).
    let mut model: Option<(Opcode, bool, Vec<u8>)> = None;

    for (header, payload) in frames(steps) {
        let mut events = vec![Event::Header(header)];
        events.extend(cut(&payload, &pieces).into_iter().map(Event::Payload));
        events.push(Event::FrameEnd);
        let opcode = header.opcode();
        let rsv1 = header.rsv() & Config::RSV1 != 0;
        let mut seen = 0;
        for event in &events {
            let v = validator.feed(event);
            let r = reassembler.feed(event);
            let error = match (&v, &r) {
                (Err(a), Err(b)) => {
                    assert_eq!(a, b);
                    Some(*a)
                }
                (Ok(None), Ok(None)) => None,
                (Ok(Some(a)), Ok(Some(b))) => {
                    agree(a, b);
                    None
                }
                (a, b) => panic!("validator {a:?}, reassembler {b:?} on {event:?}"),
            };
            if let Some(e) = error {
                check_error(e);
                // Terminal, whatever comes next.
                for next in [Event::FrameEnd, Event::Header(header), Event::Payload(b"x")] {
                    assert_eq!(validator.feed(&next), Err(e));
                    assert_eq!(reassembler.feed(&next).err(), Some(e));
                }
                assert_eq!(validator.error(), Some(e));
                // Rejections the model can confirm.
                match (e, event) {
                    (Error::UnexpectedContinuation, Event::Header(_)) => assert!(model.is_none()),
                    (Error::ExpectedContinuation, Event::Header(_)) => assert!(model.is_some()),
                    (Error::InvalidUtf8, Event::Payload(p)) => {
                        let (_, _, bytes) = model.as_mut().unwrap();
                        bytes.extend_from_slice(p);
                        assert!(!utf8_prefix_ok(bytes), "valid UTF-8 rejected");
                    }
                    (Error::InvalidUtf8, Event::FrameEnd) => {
                        let (_, _, bytes) = model.as_ref().unwrap();
                        assert!(std::str::from_utf8(bytes).is_err(), "valid UTF-8 rejected");
                    }
                    (Error::CloseBodyTooShort, _) => assert_eq!(payload.len(), 1),
                    (Error::InvalidCloseCode, _) => {
                        let code = u16::from_be_bytes([payload[0], payload[1]]);
                        assert!(!CloseCode::new(code).is_some_and(CloseCode::is_allowed_on_wire));
                    }
                    (Error::MisplacedCompressionBit, _) => {
                        assert!(
                            deflate
                                && rsv1
                                && (opcode.is_control() || opcode == Opcode::Continuation)
                        );
                    }
                    (Error::MessageTooBig, Event::Header(_)) => {
                        let so_far = model.as_ref().map_or(0, |m| m.2.len() as u64);
                        assert!(so_far + header.payload_len() > limit);
                    }
                    _ => {}
                }
                return;
            }
            match event {
                Event::Header(h) if !opcode.is_control() => {
                    if opcode == Opcode::Continuation {
                        assert!(model.is_some(), "continuation accepted outside a message");
                    } else {
                        assert!(model.is_none(), "new message accepted inside a message");
                        model = Some((opcode, deflate && rsv1, Vec::new()));
                    }
                    let so_far = model.as_ref().map_or(0, |m| m.2.len() as u64);
                    assert!(
                        so_far + h.payload_len() <= limit,
                        "message over the limit accepted"
                    );
                }
                Event::Payload(p) if !opcode.is_control() => {
                    let (op, compressed, bytes) = model.as_mut().unwrap();
                    bytes.extend_from_slice(p);
                    if *op == Opcode::Text && !*compressed {
                        assert!(utf8_prefix_ok(bytes), "invalid UTF-8 accepted");
                    }
                    seen += p.len();
                }
                Event::Payload(p) => seen += p.len(),
                Event::FrameEnd => {
                    assert_eq!(seen, payload.len());
                    if opcode == Opcode::Close && payload.len() >= 2 {
                        let code = u16::from_be_bytes([payload[0], payload[1]]);
                        assert!(CloseCode::new(code).is_some_and(CloseCode::is_allowed_on_wire));
                        assert!(std::str::from_utf8(&payload[2..]).is_ok());
                    }
                    if !opcode.is_control() && header.fin() {
                        let (op, compressed, bytes) = model.take().unwrap();
                        if op == Opcode::Text && !compressed {
                            assert!(
                                std::str::from_utf8(&bytes).is_ok(),
                                "invalid text delivered"
                            );
                        }
                        assert!(bytes.len() as u64 <= limit);
                        // The delivered message holds exactly the fragments' bytes.
                        match (&r, op, compressed) {
                            (Ok(Some(Message::Text(s))), Opcode::Text, false) => {
                                assert_eq!(s.as_bytes(), &bytes[..]);
                            }
                            (Ok(Some(Message::Binary(b))), Opcode::Binary, false) => {
                                assert_eq!(*b, &bytes[..]);
                            }
                            (Ok(Some(Message::Compressed { payload: b, .. })), _, true) => {
                                assert_eq!(*b, &bytes[..]);
                            }
                            (other, _, _) => panic!("message end gave {other:?}"),
                        }
                    }
                }
                _ => {}
            }
        }
        assert_eq!(validator.in_message(), model.is_some());
    }
});
