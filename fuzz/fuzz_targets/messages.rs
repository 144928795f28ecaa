//! `messages`: arbitrary frame sequences (single frames, and messages cut
//! into fragments at arbitrary bytes, so code points straddle fragments,
//! with control frames in between), encoded (masked as the role calls for)
//! and read in pieces cut at arbitrary points. A `Receiver<0>` (pieces
//! joined), a `Receiver<N>` (whole messages) and `read_slice` (both) must
//! agree: the same messages and control frames, the same error, reported
//! in a call that holds the byte that shows it; errors are terminal; no
//! message is over the limit (the smaller of `N` and the configured one);
//! every message delivered holds exactly the bytes of its fragments; every
//! text message (and Close reason) is valid UTF-8 and every rejected one is
//! not, rejected at the first byte no valid text continues with;
//! fragmentation follows §5.4; Close codes follow §7.4; nothing is read
//! after a Close.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::{
    encode_frame, CloseCode, Config, Error, FrameHeader, Layer, MaskingKey, Opcode, Role,
};
use wsframe_fuzz::{cut, limited, run, run_slice, utf8_prefix_ok, End, Options, Record};

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
    key: [u8; 4],
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

/// The wire bytes of `frames`, masked as `role` calls for (Any: every other
/// frame), and where each frame's header and payload end.
fn encode(
    frames: &[(FrameHeader, Vec<u8>)],
    role: Role,
    key: [u8; 4],
) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut wire = Vec::new();
    let mut spans = Vec::new();
    for (i, (h, payload)) in frames.iter().enumerate() {
        let masked = match role {
            Role::Server => true,
            Role::Client => false,
            Role::Any => i % 2 == 0,
        };
        let key = masked.then(|| MaskingKey::new([key[0], key[1], key[2], key[3] ^ i as u8]));
        let h = h.with_masking_key(key);
        let start = wire.len();
        wire.resize(start + h.encoded_len() + payload.len(), 0);
        encode_frame(&h, payload, &mut wire[start..]).unwrap();
        spans.push((start + h.encoded_len(), wire.len()));
    }
    (wire, spans)
}

fuzz_target!(|input: Input| {
    let Input {
        config,
        key,
        pieces,
        steps,
    } = input;
    let frames = frames(steps);
    let (wire, spans) = encode(&frames, config.role(), key);

    // The receivers agree; the byte-by-byte run knows the failing byte.
    let lim = limited::<N>(&config);
    let limit = lim.max_message_len();
    let exact = run::<0>(&lim, wire.chunks(1), Options::PLAIN);
    let chunks = cut(&wire, &pieces);
    let pieces0 = run::<0>(&lim, chunks.iter().copied(), Options::PLAIN);
    pieces0.assert_agrees(&exact, "Receiver<0> cut (left), byte by byte (right)");
    let whole = run::<N>(&config, chunks.iter().copied(), Options::PLAIN);
    whole.assert_agrees(
        &exact,
        "Receiver<N> cut (left), Receiver<0> byte by byte (right)",
    );
    let slice = run_slice::<N>(&config, chunks.iter().copied(), Options::PLAIN);
    slice.assert_slice_agrees(
        &exact,
        "Receiver<N>::read_slice (left), Receiver<0> (right)",
    );
    let slice0 = run_slice::<0>(&lim, chunks.iter().copied(), Options::PLAIN);
    slice0.assert_slice_agrees(
        &exact,
        "Receiver<0>::read_slice (left), Receiver<0>::read (right)",
    );

    // The model: the frames the receiver accepted, and the one it failed at.
    let failed = match exact.end {
        End::Failed { error, at, .. } => {
            let i = spans
                .iter()
                .position(|&(_, end)| at < end)
                .expect("error after the input");
            Some((error, at, i))
        }
        End::Closed => None,
        End::Open { needed, .. } => {
            assert_eq!(needed, 0, "complete frames, yet bytes needed");
            None
        }
    };
    let deflate = config.allowed_rsv() & Config::RSV1 != 0;
    let mut model: Option<(Opcode, bool, Vec<u8>)> = None;
    let mut expected = Vec::new();
    for (i, (header, payload)) in frames.iter().enumerate() {
        let opcode = header.opcode();
        let rsv1 = header.rsv() & Config::RSV1 != 0;
        let so_far = model.as_ref().map_or(0, |m| m.2.len() as u64);
        if let Some((e, at, _)) = failed.filter(|f| f.2 == i) {
            let (header_end, _) = spans[i];
            // The payload bytes up to the one that showed the error.
            let k = (at + 1).saturating_sub(header_end);
            let in_header = at < header_end;
            match e {
                _ if e.layer() == Layer::Frame => assert!(in_header, "{e:?} in the payload"),
                Error::UnexpectedContinuation => {
                    assert!(in_header && opcode == Opcode::Continuation && model.is_none());
                }
                Error::ExpectedContinuation => {
                    assert!(in_header && !opcode.is_control() && opcode != Opcode::Continuation);
                    assert!(model.is_some());
                }
                Error::MessageTooBig => {
                    assert!(in_header && so_far + header.payload_len() > limit);
                }
                Error::CloseBodyTooShort => assert!(in_header && payload.len() == 1),
                Error::MisplacedCompressionBit => {
                    assert!(in_header && deflate && rsv1);
                    assert!(opcode.is_control() || opcode == Opcode::Continuation);
                }
                Error::InvalidUtf8 => {
                    // This frame's message: the one in progress, or the
                    // one it starts.
                    let (op, compressed, bytes) = match opcode {
                        Opcode::Continuation => model.clone().expect("no message"),
                        _ => (opcode, deflate && rsv1, Vec::new()),
                    };
                    assert!(op == Opcode::Text && !compressed);
                    let mut text = bytes;
                    text.extend_from_slice(&payload[..k]);
                    let ends = k == payload.len() && header.fin();
                    let before = &text[..text.len() - usize::from(k > 0)];
                    assert!(utf8_prefix_ok(before), "rejected after the byte");
                    assert!(
                        !utf8_prefix_ok(&text) || (ends && std::str::from_utf8(&text).is_err()),
                        "valid UTF-8 rejected"
                    );
                }
                Error::InvalidCloseCode => {
                    assert!(opcode == Opcode::Close && k == 2);
                    let code = u16::from_be_bytes([payload[0], payload[1]]);
                    assert!(!CloseCode::new(code).is_some_and(CloseCode::is_allowed_on_wire));
                }
                Error::InvalidCloseReason => {
                    assert!(opcode == Opcode::Close && k > 2);
                    let reason = &payload[2..k];
                    assert!(utf8_prefix_ok(&reason[..reason.len() - 1]));
                    assert!(
                        !utf8_prefix_ok(reason)
                            || (k == payload.len() && std::str::from_utf8(reason).is_err())
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
            break;
        }
        // Accepted: it follows every rule.
        match opcode {
            Opcode::Ping => expected.push(Record::Ping(payload.clone())),
            Opcode::Pong => expected.push(Record::Pong(payload.clone())),
            Opcode::Close => {
                assert_ne!(payload.len(), 1, "1-byte Close body accepted");
                let code =
                    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                if let Some(code) = code {
                    assert!(CloseCode::new(code).is_some_and(CloseCode::is_allowed_on_wire));
                    assert!(std::str::from_utf8(&payload[2..]).is_ok());
                }
                expected.push(Record::Close {
                    code,
                    reason: payload.get(2..).unwrap_or(&[]).to_vec(),
                });
                assert_eq!(exact.end, End::Closed, "read on after a Close");
                break;
            }
            _ => {
                if opcode == Opcode::Continuation {
                    assert!(model.is_some(), "continuation accepted outside a message");
                    assert!(!(deflate && rsv1), "RSV1 accepted on a continuation");
                } else {
                    assert!(model.is_none(), "new message accepted inside a message");
                    model = Some((opcode, deflate && rsv1, Vec::new()));
                }
                assert!(
                    so_far + header.payload_len() <= limit,
                    "message over the limit accepted"
                );
                let (op, compressed, bytes) = model.as_mut().unwrap();
                bytes.extend_from_slice(payload);
                if *op == Opcode::Text && !*compressed {
                    assert!(utf8_prefix_ok(bytes), "invalid UTF-8 accepted");
                }
                if header.fin() {
                    let (op, compressed, bytes) = model.take().unwrap();
                    if op == Opcode::Text && !compressed {
                        assert!(
                            std::str::from_utf8(&bytes).is_ok(),
                            "invalid text delivered"
                        );
                    }
                    expected.push(Record::Message {
                        opcode: op.as_u8(),
                        compressed,
                        payload: bytes,
                    });
                }
            }
        }
    }
    // The messages delivered are exactly their fragments' bytes.
    assert_eq!(exact.records, expected, "receiver (left), model (right)");
});
