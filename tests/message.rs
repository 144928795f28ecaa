//! The message layer, one row per rule with its close code, plus the
//! fragmentation, UTF-8 and chunking cases of RFC 6455 §5.4, §5.5.1 and §8.1.

// Test code: a panic is a test failure, and the fixtures are small.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

use std::sync::Mutex;

use wsframe::{
    CloseCode, Config, Decoder, Error, Event, FrameHeader, Message, MessageValidator, Opcode,
    Outcome, PendingHeader, Reassembler, Role,
};

const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CONT: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const FIN: u8 = 0x80;
const RSV1: u8 = 0x40;

/// An unmasked frame (as a client receives it), written by hand.
fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![b0];
    match payload.len() {
        n @ 0..=125 => v.push(n as u8),
        n @ 126..=0xFFFF => {
            v.push(0x7E);
            v.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            v.push(0x7F);
            v.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    v.extend_from_slice(payload);
    v
}

fn frames(list: &[(u8, &[u8])]) -> Vec<u8> {
    list.iter().flat_map(|(b0, p)| frame(*b0, p)).collect()
}

/// What the validator reported, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Message(Opcode, u64, bool),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
}

impl From<Outcome<'_>> for Seen {
    fn from(outcome: Outcome<'_>) -> Seen {
        match outcome {
            Outcome::Message {
                opcode,
                len,
                compressed,
            } => Seen::Message(opcode, len, compressed),
            Outcome::Ping(p) => Seen::Ping(p.to_vec()),
            Outcome::Pong(p) => Seen::Pong(p.to_vec()),
            Outcome::Close { code, reason } => Seen::Close(code.map(u16::from), reason.to_string()),
        }
    }
}

fn client(max_message: u64) -> Config {
    Config::new(Role::Client).with_max_message_len(max_message)
}

/// `Decoder` + `MessageValidator` over `bytes` fed `chunk` at a time: what was
/// seen, the first error, and how many input bytes had been fed when it came.
fn validate(config: Config, bytes: &[u8], chunk: usize) -> (Vec<Seen>, Option<(Error, usize)>) {
    let mut d = Decoder::new(config);
    let mut v = MessageValidator::new(&config);
    let mut seen = Vec::new();
    let mut fed = 0;
    for piece in bytes.chunks(chunk) {
        fed += piece.len();
        let mut buf = piece.to_vec();
        let mut at = 0;
        loop {
            let (used, event) = match d.decode(&mut buf[at..]) {
                Ok(step) => step,
                Err(e) => return (seen, Some((e, fed))),
            };
            at += used;
            let Some(event) = event else {
                // The piece is used up: a header cut before its masking key
                // already shows its message rules.
                if let Some(header) = d.pending_header() {
                    if let Err(e) = v.check_header(&header) {
                        assert_eq!(v.feed(&Event::FrameEnd), Err(e), "terminal");
                        return (seen, Some((e, fed)));
                    }
                }
                break;
            };
            match v.feed(&event) {
                Err(e) => {
                    assert_eq!(v.feed(&Event::FrameEnd), Err(e), "terminal");
                    return (seen, Some((e, fed)));
                }
                Ok(Some(outcome)) => seen.push(Seen::from(outcome)),
                Ok(None) => {}
            }
        }
    }
    // The loop above also took the FrameEnd owed for the last frame (the
    // decoder gives it on the call with the empty rest of the input).
    assert_eq!(d.decode(&mut []), Ok((0, None)));
    (seen, None)
}

/// Asserts `bytes` fails with `error` (and `code`), the same for every chunking.
fn rejects(config: Config, bytes: &[u8], error: Error, code: u16) {
    assert_eq!(error.close_code().as_u16(), code);
    let (_, whole) = validate(config, bytes, bytes.len().max(1));
    assert_eq!(whole.map(|(e, _)| e), Some(error), "{bytes:x?}");
    for chunk in 1..=bytes.len().min(24) {
        let (_, got) = validate(config, bytes, chunk);
        assert_eq!(got.map(|(e, _)| e), Some(error), "chunk {chunk}");
    }
    // The reassembler agrees.
    let mut r: Reassembler<4096> = Reassembler::new(&config);
    assert_eq!(reassemble(&mut r, config, bytes).1, Some(error));
}

fn reassemble<const N: usize>(
    r: &mut Reassembler<N>,
    config: Config,
    bytes: &[u8],
) -> (Vec<String>, Option<Error>) {
    let mut d = Decoder::new(config);
    let mut out = Vec::new();
    let mut buf = bytes.to_vec();
    let mut at = 0;
    loop {
        let (used, event) = match d.decode(&mut buf[at..]) {
            Ok(step) => step,
            Err(e) => return (out, Some(e)),
        };
        at += used;
        let Some(event) = event else {
            if let Some(header) = d.pending_header() {
                if let Err(e) = r.check_header(&header) {
                    return (out, Some(e));
                }
            }
            break;
        };
        match r.feed(&event) {
            Err(e) => return (out, Some(e)),
            Ok(Some(Message::Text(t))) => out.push(format!("text:{t}")),
            Ok(Some(Message::Binary(b))) => out.push(format!("binary:{b:?}")),
            Ok(Some(Message::Ping(p))) => out.push(format!("ping:{p:?}")),
            Ok(Some(Message::Pong(p))) => out.push(format!("pong:{p:?}")),
            Ok(Some(Message::Close { code, reason })) => {
                out.push(format!("close:{:?}:{reason}", code.map(u16::from)));
            }
            Ok(Some(Message::Compressed { opcode, payload })) => {
                out.push(format!("compressed:{}:{payload:?}", opcode.as_u8()));
            }
            Ok(None) => {}
        }
    }
    (out, None)
}

macro_rules! rejects {
    ($($name:ident: $config:expr, $bytes:expr => $error:ident, $code:literal;)*) => {
        $(
            #[test]
            fn $name() {
                rejects($config, &$bytes, Error::$error, $code);
            }
        )*
    };
}

rejects! {
    // §5.4: fragmentation.
    continuation_without_a_message: client(100), frame(FIN | CONT, b"x") => UnexpectedContinuation, 1002;
    continuation_after_a_finished_message: client(100), frames(&[(FIN | TEXT, b"a"), (FIN | CONT, b"b")]) => UnexpectedContinuation, 1002;
    text_inside_a_fragmented_message: client(100), frames(&[(TEXT, b"a"), (FIN | TEXT, b"b")]) => ExpectedContinuation, 1002;
    binary_ping_text: client(100), frames(&[(BINARY, b"a"), (FIN | PING, b"p"), (FIN | TEXT, b"b")]) => ExpectedContinuation, 1002;
    // §7.4.1/§10.4: message size.
    message_over_the_limit_in_one_frame: client(10), frame(FIN | BINARY, &[0; 11]) => MessageTooBig, 1009;
    message_over_the_limit_across_fragments: client(10), frames(&[(BINARY, &[0; 6]), (FIN | CONT, &[0; 5])]) => MessageTooBig, 1009;
    // §8.1: UTF-8.
    invalid_utf8_in_one_frame: client(100), frame(FIN | TEXT, b"ab\xFFcd") => InvalidUtf8, 1007;
    invalid_utf8_across_fragments: client(100), frames(&[(TEXT, b"\xE2\x82"), (FIN | CONT, b"\x41")]) => InvalidUtf8, 1007;
    truncated_utf8_at_the_end: client(100), frame(FIN | TEXT, b"ok\xE2\x82") => InvalidUtf8, 1007;
    truncated_utf8_at_the_end_of_fragments: client(100), frames(&[(TEXT, b"ok"), (FIN | CONT, b"\xF0\x9D\x84")]) => InvalidUtf8, 1007;
    overlong_nul: client(100), frame(FIN | TEXT, b"\xC0\x80") => InvalidUtf8, 1007;
    surrogate: client(100), frame(FIN | TEXT, b"\xED\xA0\x80") => InvalidUtf8, 1007;
    above_u10ffff: client(100), frame(FIN | TEXT, b"\xF4\x90\x80\x80") => InvalidUtf8, 1007;
    // §5.5.1: Close bodies.
    close_body_of_one_byte: client(100), frame(FIN | CLOSE, &[0x03]) => CloseBodyTooShort, 1002;
    close_code_0: client(100), frame(FIN | CLOSE, &[0x00, 0x00]) => InvalidCloseCode, 1002;
    close_code_999: client(100), frame(FIN | CLOSE, &999u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_1004: client(100), frame(FIN | CLOSE, &1004u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_1005: client(100), frame(FIN | CLOSE, &1005u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_1006: client(100), frame(FIN | CLOSE, &1006u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_1015: client(100), frame(FIN | CLOSE, &1015u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_1016: client(100), frame(FIN | CLOSE, &1016u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_2999: client(100), frame(FIN | CLOSE, &2999u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_code_5000: client(100), frame(FIN | CLOSE, &5000u16.to_be_bytes()) => InvalidCloseCode, 1002;
    close_reason_not_utf8: client(100), frame(FIN | CLOSE, b"\x03\xE8bad\xFF") => InvalidCloseReason, 1007;
    close_reason_truncated_utf8: client(100), frame(FIN | CLOSE, b"\x03\xE8\xE2\x82") => InvalidCloseReason, 1007;
    // RFC 7692 §6: with permessage-deflate, RSV1 only on a message's first frame.
    rsv1_on_a_continuation: client(100).with_allowed_rsv(Config::RSV1), frames(&[(RSV1 | TEXT, b"a"), (FIN | RSV1 | CONT, b"b")]) => MisplacedCompressionBit, 1002;
    rsv1_on_a_ping: client(100).with_allowed_rsv(Config::RSV1), frame(FIN | RSV1 | PING, b"p") => MisplacedCompressionBit, 1002;
    rsv1_on_a_close: client(100).with_allowed_rsv(Config::RSV1), frame(FIN | RSV1 | CLOSE, b"") => MisplacedCompressionBit, 1002;
}

#[test]
fn every_allowed_close_code_passes_with_its_reason() {
    for code in [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999,
    ] {
        let mut body = code.to_be_bytes().to_vec();
        body.extend_from_slice("au revoir ✓".as_bytes());
        let (seen, err) = validate(client(100), &frame(FIN | CLOSE, &body), 3);
        assert_eq!(err, None, "{code}");
        assert_eq!(seen, [Seen::Close(Some(code), "au revoir ✓".into())]);
    }
    let (seen, err) = validate(client(100), &frame(FIN | CLOSE, b""), 1);
    assert_eq!((seen, err), (vec![Seen::Close(None, String::new())], None));
}

#[test]
fn a_ping_inside_a_fragmented_message_passes_through() {
    let bytes = frames(&[
        (TEXT, b"Hel"),
        (FIN | PING, b"are you there"),
        (FIN | CONT, b"lo"),
    ]);
    for chunk in 1..=bytes.len() {
        let (seen, err) = validate(client(100), &bytes, chunk);
        assert_eq!(err, None);
        assert_eq!(
            seen,
            [
                Seen::Ping(b"are you there".to_vec()),
                Seen::Message(Opcode::Text, 5, false)
            ]
        );
    }
    let mut r: Reassembler<16> = Reassembler::new(&client(100));
    let (out, err) = reassemble(&mut r, client(100), &bytes);
    assert_eq!(err, None);
    assert_eq!(
        out,
        [
            format!("ping:{:?}", b"are you there"),
            "text:Hello".to_string()
        ]
    );
}

#[test]
fn a_four_byte_code_point_split_across_fragments_and_chunks_is_accepted() {
    let clef = "𝄞".as_bytes(); // F0 9D 84 9E
    for split in 1..4 {
        let bytes = frames(&[
            (TEXT, &[b"a", &clef[..split]].concat()),
            (FIN | CONT, &[&clef[split..], b"z"].concat()),
        ]);
        for chunk in 1..=bytes.len() {
            let (seen, err) = validate(client(100), &bytes, chunk);
            assert_eq!(err, None, "split {split} chunk {chunk}");
            assert_eq!(seen, [Seen::Message(Opcode::Text, 6, false)]);
        }
        let mut r: Reassembler<16> = Reassembler::new(&client(100));
        assert_eq!(
            reassemble(&mut r, client(100), &bytes),
            (vec!["text:a𝄞z".to_string()], None)
        );
    }
}

#[test]
fn invalid_utf8_fails_at_the_exact_byte_even_mid_frame() {
    // (payload, index in the payload of the first byte no valid UTF-8 can continue with)
    let cases: [(&[u8], usize); 7] = [
        (b"ok\xC0\x80", 2),         // overlong 2-byte
        (b"ok\xE0\x80\xAF", 3),     // overlong 3-byte '/'
        (b"ok\xF0\x82\x82\xAC", 3), // overlong 4-byte
        (b"ok\xED\xA0\x80", 3),     // high surrogate U+D800
        (b"ok\xED\xBF\xBF", 3),     // low surrogate U+DFFF
        (b"ok\xF4\x90\x80\x80", 3), // U+110000
        (b"ok\xF8\x88\x80\x80\x80", 2),
    ];
    for (payload, bad) in cases {
        // Announce a longer frame than we send: the error must not wait for the rest.
        let mut padded = payload.to_vec();
        padded.extend_from_slice(&[b'x'; 20]);
        let bytes = frame(FIN | TEXT, &padded);
        let header_len = 2;
        let prefix = &bytes[..header_len + payload.len()];
        let (_, err) = validate(client(100), prefix, 1);
        assert_eq!(
            err,
            Some((Error::InvalidUtf8, header_len + bad + 1)),
            "{payload:x?}"
        );
        // Same within a fragmented message, in the second fragment.
        let mut two = frame(TEXT, b"ab");
        let offset = two.len() + 2;
        two.extend(frame(FIN | CONT, &padded));
        let (_, err) = validate(client(100), &two[..offset + payload.len()], 1);
        assert_eq!(
            err,
            Some((Error::InvalidUtf8, offset + bad + 1)),
            "{payload:x?}"
        );
    }
}

#[test]
fn the_limit_is_exact_in_one_frame_and_across_fragments() {
    let n = 1000u64;
    for bytes in [
        frame(FIN | BINARY, &[1; 1000]),
        frames(&[
            (BINARY, &[1; 400]),
            (CONT, &[1; 400]),
            (FIN | CONT, &[1; 200]),
        ]),
    ] {
        let (seen, err) = validate(client(n), &bytes, 7);
        assert_eq!(
            (seen, err),
            (vec![Seen::Message(Opcode::Binary, 1000, false)], None)
        );
    }
    for bytes in [
        frame(FIN | BINARY, &[1; 1001]),
        frames(&[
            (BINARY, &[1; 400]),
            (CONT, &[1; 400]),
            (FIN | CONT, &[1; 201]),
        ]),
    ] {
        rejects(client(n), &bytes, Error::MessageTooBig, 1009);
    }
}

#[test]
fn message_too_big_is_reported_at_the_header_before_the_payload() {
    let bytes = frames(&[(BINARY, &[1; 8]), (FIN | CONT, &[1; 8])]);
    // Only the second header, none of its payload.
    let prefix = &bytes[..10 + 2];
    let (_, err) = validate(client(12), prefix, 1);
    assert_eq!(err, Some((Error::MessageTooBig, 12)));
}

/// A masked frame (as a server receives it), key 01 02 03 04.
fn masked(b0: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = frame(b0, payload);
    v.truncate(v.len() - payload.len()); // the header alone
    v[1] |= 0x80;
    let key = [1, 2, 3, 4];
    v.extend_from_slice(&key);
    v.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
    v
}

fn server(max_message: u64) -> Config {
    Config::new(Role::Server).with_max_message_len(max_message)
}

#[test]
fn message_rules_are_judged_when_the_length_field_is_read_not_the_masking_key() {
    let started = masked(BINARY, &[7; 6]); // 12 bytes: a fragment in progress
    let cases: [(&str, Config, Vec<u8>, Error, usize); 6] = [
        // 1009 (§10.4): a continuation that takes the message over the limit;
        // its length field ends at byte 12 + 2.
        (
            "continuation over the limit",
            server(10),
            [started.clone(), masked(FIN | CONT, &[7; 5])].concat(),
            Error::MessageTooBig,
            14,
        ),
        // The same with a 16-bit length field, which ends at byte 4.
        (
            "one frame over the limit",
            server(200),
            masked(FIN | TEXT, &[b'a'; 300]),
            Error::MessageTooBig,
            4,
        ),
        // 1002 (§5.4).
        (
            "continuation without a message",
            server(100),
            masked(FIN | CONT, b"x"),
            Error::UnexpectedContinuation,
            2,
        ),
        (
            "text inside a fragmented message",
            server(100),
            [started.clone(), masked(FIN | TEXT, b"x")].concat(),
            Error::ExpectedContinuation,
            14,
        ),
        // 1002 (§5.5.1): a 1-byte Close body.
        (
            "close body of one byte",
            server(100),
            masked(FIN | CLOSE, &[3]),
            Error::CloseBodyTooShort,
            2,
        ),
        // 1002 (RFC 7692 §6): RSV1 on a continuation under permessage-deflate.
        (
            "rsv1 on a continuation",
            server(100).with_allowed_rsv(Config::RSV1),
            [masked(RSV1 | TEXT, b"a"), masked(FIN | RSV1 | CONT, b"b")].concat(),
            Error::MisplacedCompressionBit,
            9,
        ),
    ];
    for (name, config, bytes, error, at) in cases {
        // Byte by byte: the error comes with the last byte of the length
        // field, 4 bytes before the header (with its masking key) is whole.
        assert_eq!(validate(config, &bytes, 1).1, Some((error, at)), "{name}");
        // Cut right after the length field: reported without the key.
        assert_eq!(
            validate(config, &bytes[..at], bytes.len()).1,
            Some((error, at)),
            "{name}"
        );
        // One byte earlier: not yet.
        assert_eq!(validate(config, &bytes[..at - 1], 1).1, None, "{name}");
        // Every chunking and the reassembler agree.
        rejects(config, &bytes, error, error.close_code().as_u16());
    }
}

#[test]
fn pending_header_is_the_header_between_its_length_field_and_its_masking_key() {
    let bytes = masked(FIN | BINARY, &[5; 300]); // 2 + 2 + 4 header bytes
    for cut in 1..8 {
        let mut d = Decoder::new(server(1000));
        let mut prefix = bytes[..cut].to_vec();
        assert_eq!(d.decode(&mut prefix), Ok((cut, None)));
        let pending = d.pending_header();
        if cut < 4 {
            assert_eq!(pending, None, "cut {cut}: the length field is not in");
        } else {
            let h = pending.unwrap();
            assert_eq!(
                (h.fin(), h.rsv(), h.opcode(), h.payload_len()),
                (true, 0, Opcode::Binary, 300),
                "cut {cut}"
            );
        }
    }
    // It is the header that then completes.
    let mut d = Decoder::new(server(1000));
    let mut buf = bytes[..5].to_vec();
    assert_eq!(d.decode(&mut buf), Ok((5, None)));
    let pending = d.pending_header().unwrap();
    let mut rest = bytes[5..10].to_vec();
    let Ok((3, Some(Event::Header(h)))) = d.decode(&mut rest) else {
        panic!("no header")
    };
    assert_eq!(PendingHeader::from(&h), pending);
    // Whole header: it is an event, not pending; nor inside the payload.
    let mut d = Decoder::new(server(1000));
    let mut buf = bytes[..10].to_vec();
    assert!(matches!(
        d.decode(&mut buf),
        Ok((8, Some(Event::Header(_))))
    ));
    assert_eq!(d.pending_header(), None);
    assert!(matches!(
        d.decode(&mut buf[8..]),
        Ok((2, Some(Event::Payload(_))))
    ));
    assert_eq!(d.pending_header(), None);
    // An unmasked header is whole once its length field is: never pending.
    let mut d = Decoder::new(client(1000));
    assert_eq!(d.decode(&mut [0x82, 0x7E, 0x01]), Ok((3, None)));
    assert_eq!(d.pending_header(), None);
    // After an error.
    let mut d = Decoder::new(server(1000));
    assert_eq!(d.decode(&mut [0x82, 0x05]), Err(Error::UnmaskedClientFrame));
    assert_eq!(d.pending_header(), None);
}

#[test]
fn every_chunking_gives_the_same_result() {
    let inputs = [
        frames(&[
            (TEXT, "héllo ".as_bytes()),
            (FIN | PING, b""),
            (FIN | CONT, "wörld 𝄞".as_bytes()),
            (FIN | BINARY, &[9; 300]),
            (FIN | CLOSE, b"\x03\xE8done"),
        ]),
        frames(&[
            (TEXT, "ab".as_bytes()),
            (FIN | CONT, b"c\xE2\x82"),
            (FIN | TEXT, b"x"),
        ]),
        frames(&[(FIN | TEXT, "ok".as_bytes()), (FIN | CLOSE, b"\x03")]),
    ];
    for bytes in inputs {
        let (seen, err) = validate(client(1000), &bytes, bytes.len());
        for chunk in 1..=bytes.len() {
            let (s, e) = validate(client(1000), &bytes, chunk);
            assert_eq!(
                (&s, e.map(|(e, _)| e)),
                (&seen, err.map(|(e, _)| e)),
                "chunk {chunk}"
            );
        }
    }
}

#[test]
fn compressed_messages_skip_utf8_and_reach_the_reassembler_as_compressed() {
    let config = client(100).with_allowed_rsv(Config::RSV1);
    let bytes = frames(&[(RSV1 | TEXT, b"\xFF\x00"), (FIN | CONT, b"\x01")]);
    let (seen, err) = validate(config, &bytes, 1);
    assert_eq!(
        (seen, err),
        (vec![Seen::Message(Opcode::Text, 3, true)], None)
    );
    let mut r: Reassembler<16> = Reassembler::new(&config);
    assert_eq!(
        reassemble(&mut r, config, &bytes),
        (vec![format!("compressed:1:{:?}", b"\xFF\x00\x01")], None)
    );
    // Without RSV1 negotiated, the frame layer refuses the bit.
    assert_eq!(
        validate(client(100), &bytes, 1).1.map(|(e, _)| e),
        Some(Error::ReservedBits)
    );
}

#[test]
fn the_reassembler_capacity_bounds_the_message() {
    let config = client(1_000_000);
    let mut r: Reassembler<8> = Reassembler::new(&config);
    let (out, err) = reassemble(&mut r, config, &frame(FIN | BINARY, &[1; 8]));
    assert_eq!((out.len(), err), (1, None));
    let mut r: Reassembler<8> = Reassembler::new(&config);
    let (_, err) = reassemble(
        &mut r,
        config,
        &frames(&[(BINARY, &[1; 5]), (FIN | CONT, &[1; 4])]),
    );
    assert_eq!(err, Some(Error::MessageTooBig));
}

static CONFIG: Config = Config::client();
static REASSEMBLER: Mutex<Reassembler<64>> = Mutex::new(Reassembler::new(&CONFIG));

#[test]
fn a_reassembler_lives_in_a_static() {
    let mut r = REASSEMBLER.lock().unwrap();
    let bytes = frames(&[(TEXT, b"from a "), (FIN | CONT, b"static")]);
    assert_eq!(
        reassemble(&mut r, CONFIG, &bytes),
        (vec!["text:from a static".to_string()], None)
    );
}

#[test]
fn errors_are_terminal_until_reset() {
    let mut v = MessageValidator::new(&client(100));
    let cont = FrameHeader::new(true, 0, Opcode::Continuation, None, 1).unwrap();
    let text = FrameHeader::new(true, 0, Opcode::Text, None, 2).unwrap();
    assert_eq!(
        v.push_frame(&cont, b"x"),
        Err(Error::UnexpectedContinuation)
    );
    assert_eq!(
        v.push_frame(&text, b"ok"),
        Err(Error::UnexpectedContinuation)
    );
    assert_eq!(v.error(), Some(Error::UnexpectedContinuation));
    v.reset();
    assert_eq!(
        v.push_frame(&text, b"ok"),
        Ok(Some(Outcome::Message {
            opcode: Opcode::Text,
            len: 2,
            compressed: false
        }))
    );
    let mut r: Reassembler<8> = Reassembler::new(&client(100));
    assert_eq!(
        r.push_frame(&cont, b"x"),
        Err(Error::UnexpectedContinuation)
    );
    assert_eq!(
        r.push_frame(&text, b"ok"),
        Err(Error::UnexpectedContinuation)
    );
    r.reset();
    assert_eq!(r.push_frame(&text, b"ok"), Ok(Some(Message::Text("ok"))));
}

#[test]
fn message_size_arithmetic_cannot_overflow() {
    let mut v = MessageValidator::new(&client(u64::MAX));
    let max = FrameHeader::MAX_PAYLOAD_LEN;
    let first = FrameHeader::new(false, 0, Opcode::Binary, None, max).unwrap();
    let more = FrameHeader::new(false, 0, Opcode::Continuation, None, max).unwrap();
    assert_eq!(v.feed(&Event::Header(first)), Ok(None));
    assert_eq!(v.feed(&Event::FrameEnd), Ok(None));
    assert_eq!(v.feed(&Event::Header(more)), Ok(None)); // 2^64 - 2 so far
    assert_eq!(v.feed(&Event::FrameEnd), Ok(None));
    assert_eq!(v.feed(&Event::Header(more)), Err(Error::MessageTooBig));
}

#[test]
fn close_code_conversions() {
    assert_eq!(
        CloseCode::from(Error::InvalidUtf8),
        CloseCode::INVALID_PAYLOAD
    );
}
