//! Conformance: the Autobahn test suite's `fuzzingclient` cases 1.x–7.x (and
//! 9.x-style limits) and the RFC 6455 §5, §7 and §8 rules behind them, as one
//! table.
//!
//! Each row names its Autobahn case and/or RFC section, builds its wire bytes
//! with [`Wire`], picks a [`Config`], and states what a strict endpoint must
//! see: the messages and control frames delivered, in order, and how the
//! stream ends (clean, inside a message, waiting for bytes, or failed with an
//! error and its close code). A failing row also names the wire byte whose
//! arrival must show the error (fail fast: a 1009 when the length field is
//! read, a 1007 at the first byte no valid UTF-8 can continue with).
//!
//! Every row runs through `Receiver::read` (a `Receiver<0>` whose pieces
//! are joined into messages, the same with header events, and, unless its
//! message limit is above the buffer, a `Receiver<N>` with whole messages)
//! and through `Receiver::read_slice`: with the whole input at once, byte by
//! byte (where the failing byte is checked), and in a few other chunk sizes.
//! All runs must agree with the row. The loops are `tests/support/receive.rs`.
//!
//! Frames after a Close: the receiver reports the Close and then consumes
//! and ignores everything (RFC 6455 §1.4); the `7.1.x` rows pin that down,
//! even for bytes that would break a rule.

// Test code: a panic is a test failure, and the fixtures are small.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

#[path = "support/receive.rs"]
mod support;

use support::{chunk_end, run, run_slice, Outcome, Seen, Verdict};
use wsframe::{Config, Error, FrameHeader, Opcode, Receiver, Role, State};

const FIN: u8 = 0x80;
const CONT: u8 = 0x0;
const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// The RSV field of byte 0 for Autobahn's `rsv` value 1–7 (4 is RSV1).
const fn rsv(value: u8) -> u8 {
    (value & 0b111) << 4
}

/// The message buffer of the `Reassembler` runs; rows with a larger message
/// limit are validator-only.
const REASSEMBLER_N: usize = 1 << 17;

// ---------------------------------------------------------------------------
// Wire bytes

/// How the payload length is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The shortest form, as RFC 6455 §5.2 requires.
    Minimal,
    /// The 16-bit form (code 126), whatever the value.
    L16,
    /// The 64-bit form (code 127), whatever the value.
    L64,
}

/// Frames written by hand, masked (what a server receives) or not (what a
/// client receives), with marks for the byte that must show an error.
#[derive(Debug, Clone)]
struct Wire {
    masked: bool,
    bytes: Vec<u8>,
    frames: usize,
    /// The current frame's masking key and the mask phase of its next byte.
    key: Option<[u8; 4]>,
    phase: usize,
    header_start: usize,
    payload_start: usize,
    /// The last frame's masking key length: 4, or 0 (unmasked, or `raw`).
    key_len: usize,
    /// The end of the last frame as its header announced it.
    frame_end: usize,
    fail_at: Option<usize>,
    fail_rule: Option<Rule>,
}

/// What decides a row's error, for `read_slice` (which reads whole frames).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// A header's bytes: judged as the header comes, as `read` does.
    Header,
    /// A payload byte of the frame that ends at `end`: judged once the
    /// whole frame is in.
    Frame { end: usize },
}

/// A wire of masked frames, as a server receives them.
fn masked() -> Wire {
    Wire::new(true)
}

/// A wire of unmasked frames, as a client receives them.
fn unmasked() -> Wire {
    Wire::new(false)
}

impl Wire {
    fn new(masked: bool) -> Self {
        Wire {
            masked,
            bytes: Vec::new(),
            frames: 0,
            key: None,
            phase: 0,
            header_start: 0,
            payload_start: 0,
            key_len: 0,
            frame_end: 0,
            fail_at: None,
            fail_rule: None,
        }
    }

    /// A masking key that changes from frame to frame.
    fn next_key(&self) -> [u8; 4] {
        let n = self.frames as u8;
        [0x37 ^ n, 0xFA, 0x21_u8.wrapping_add(n), 0x3D]
    }

    /// A header only, with `len` written in `form`, masked if this wire is.
    fn header(mut self, b0: u8, form: Form, len: u64) -> Self {
        let mask_bit = if self.masked { 0x80 } else { 0 };
        self.header_start = self.bytes.len();
        self.bytes.push(b0);
        let form = match form {
            Form::Minimal if len <= 125 => None,
            Form::Minimal if len <= 0xFFFF => Some(Form::L16),
            Form::Minimal => Some(Form::L64),
            other => Some(other),
        };
        match form {
            None => self.bytes.push(mask_bit | len as u8),
            Some(Form::L16) => {
                self.bytes.push(mask_bit | 0x7E);
                self.bytes.extend_from_slice(&(len as u16).to_be_bytes());
            }
            Some(_) => {
                self.bytes.push(mask_bit | 0x7F);
                self.bytes.extend_from_slice(&len.to_be_bytes());
            }
        }
        self.key = self.masked.then(|| self.next_key());
        self.key_len = 0;
        if let Some(key) = self.key {
            self.bytes.extend_from_slice(&key);
            self.key_len = key.len();
        }
        self.phase = 0;
        self.frames += 1;
        self.payload_start = self.bytes.len();
        self.frame_end = self.payload_start.saturating_add(len as usize);
        self
    }

    /// Whether the frames that follow are masked (for `Role::Any` rows).
    fn masking(mut self, on: bool) -> Self {
        self.masked = on;
        self
    }

    /// Payload bytes of the current frame (masked with its key).
    fn payload(mut self, payload: &[u8]) -> Self {
        for &byte in payload {
            let k = self.key.map_or(0, |key| key[self.phase % 4]);
            self.bytes.push(byte ^ k);
            self.phase += 1;
        }
        self
    }

    /// One whole frame with the minimal length encoding.
    fn frame(self, b0: u8, payload: &[u8]) -> Self {
        self.header(b0, Form::Minimal, payload.len() as u64)
            .payload(payload)
    }

    /// Bytes as they are, for hand-made headers.
    fn raw(mut self, bytes: &[u8]) -> Self {
        self.header_start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.payload_start = self.bytes.len();
        self.frame_end = self.payload_start;
        self.key_len = 0;
        self
    }

    /// The error must show at byte `i` of the last frame's header.
    fn fail_at_header(mut self, i: usize) -> Self {
        self.fail_at = Some(self.header_start + i);
        self.fail_rule = Some(Rule::Header);
        self
    }

    /// The error must show at the last byte of the last frame's length
    /// field (a message-layer rule of the header: decided once the length
    /// is read, before the masking key, which carries no rule).
    fn fail_at_length_end(mut self) -> Self {
        self.fail_at = Some(self.payload_start - 1 - self.key_len);
        self.fail_rule = Some(Rule::Header);
        self
    }

    /// The error must show at byte `i` of the last frame's payload.
    fn fail_at_payload(mut self, i: usize) -> Self {
        self.fail_at = Some(self.payload_start + i);
        self.fail_rule = Some(Rule::Frame {
            end: self.frame_end,
        });
        self
    }

    /// The error must show at the last byte of the wire so far (the end of
    /// the last frame: a rule decided when the frame is complete).
    fn fail_at_end(mut self) -> Self {
        self.fail_at = Some(self.bytes.len() - 1);
        self.fail_rule = Some(Rule::Frame {
            end: self.frame_end,
        });
        self
    }
}

// ---------------------------------------------------------------------------
// What an endpoint sees

fn text(s: &str) -> Seen {
    Seen::Text(s.to_string())
}

fn binary(b: &[u8]) -> Seen {
    Seen::Binary(b.to_vec())
}

fn ping(b: &[u8]) -> Seen {
    Seen::Ping(b.to_vec())
}

fn pong(b: &[u8]) -> Seen {
    Seen::Pong(b.to_vec())
}

fn close(code: Option<u16>, reason: &str) -> Seen {
    Seen::Close(code, reason.to_string())
}

/// How the stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// No error, at a frame boundary, no fragmented message open.
    Clean,
    /// No error, at a frame boundary inside a fragmented message.
    InMessage,
    /// No error, inside a frame: this many more bytes are needed.
    Needs(u64),
    /// The peer's Close was read (`State::CloseReceived`): whatever follows
    /// it is consumed and ignored (§1.4, §5.5.1).
    Closed,
    /// `read_slice` only: no error, an incomplete frame left unread in the
    /// buffer (where `read` would end `Needs`, or fail inside the payload).
    Unread,
    /// Fail the connection (RFC 6455 §7.1.7) with this error and close code.
    Fail(Error, u16),
}

/// One row of the table.
#[derive(Debug, Clone)]
struct Case {
    name: String,
    config: Config,
    wire: Vec<u8>,
    seen: Vec<Seen>,
    end: End,
    /// For a failure: the index of the wire byte whose arrival shows it.
    at: Option<usize>,
    /// For a failure: the index of the wire byte whose arrival shows it to
    /// `read_slice`, which reads a frame once it is whole (its header is
    /// judged as it comes); `None` when that frame never is.
    slice_at: Option<usize>,
    reassemble: bool,
}

fn case(name: &str, config: Config, wire: Wire) -> Case {
    let slice_at = match wire.fail_rule {
        Some(Rule::Header) => wire.fail_at,
        Some(Rule::Frame { end }) => (end <= wire.bytes.len()).then(|| end - 1),
        None => None,
    };
    Case {
        name: name.to_string(),
        reassemble: config.max_message_len() <= REASSEMBLER_N as u64,
        config,
        at: wire.fail_at,
        slice_at,
        wire: wire.bytes,
        seen: Vec::new(),
        end: End::Clean,
    }
}

impl Case {
    /// What the row delivers; a row that delivers a Close ends `Closed`.
    fn sees(mut self, seen: impl IntoIterator<Item = Seen>) -> Self {
        self.seen = seen.into_iter().collect();
        if self.end == End::Clean && self.seen.iter().any(|s| matches!(s, Seen::Close(..))) {
            self.end = End::Closed;
        }
        self
    }

    fn ends(mut self, end: End) -> Self {
        self.end = end;
        self
    }

    fn fails(self, error: Error, code: u16) -> Self {
        self.ends(End::Fail(error, code))
    }
}

// ---------------------------------------------------------------------------
// Driving the Receiver (the loops are tests/support/receive.rs)

/// What one run saw.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    seen: Vec<Seen>,
    end: End,
    /// The index of the last byte fed when the error came.
    at: Option<usize>,
}

/// A run's outcome as a row states it. Without header events a run cannot
/// tell `InMessage` from `Clean` (`in_message` is `None`).
fn judge(outcome: &Outcome, in_message: Option<bool>) -> Run {
    let (end, at) = match outcome.verdict {
        Verdict::Err { error, offset } => {
            (End::Fail(error, error.close_code().as_u16()), Some(offset))
        }
        Verdict::Ok => {
            let end = match outcome.state {
                State::CloseReceived(_) | State::Closed => End::Closed,
                _ if outcome.needed > 0 => End::Needs(outcome.needed),
                _ if outcome.unread > 0 => End::Unread,
                _ if in_message == Some(true) => End::InMessage,
                _ => End::Clean,
            };
            (end, None)
        }
    };
    Run {
        seen: outcome.without_headers().events,
        end,
        at,
    }
}

/// Which receive calls a table test drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// `Receiver::read`.
    Read,
    /// `Receiver::read_slice`, the codec form.
    Slice,
}

/// The runs of one row at one chunk size through `path`: a `Receiver<0>`
/// (for `read`, with and without header events) and a `Receiver<N>`.
fn runs(case: &Case, chunk: usize, path: Path) -> Vec<(&'static str, Run)> {
    let (config, wire) = (case.config, &case.wire[..]);
    let mut runs = Vec::new();
    match path {
        Path::Read => {
            let plain = run(&mut Receiver::new(config), wire, chunk);
            runs.push(("read, Receiver<0>", judge(&plain, None)));
            let headers = run(&mut Receiver::new(config).with_header_events(), wire, chunk);
            check_headers(&headers, wire, &config);
            runs.push((
                "read, Receiver<0> with header events",
                judge(&headers, Some(headers.in_message)),
            ));
        }
        Path::Slice => {
            let sliced = run_slice(&mut Receiver::new(config).with_header_events(), wire, chunk);
            check_headers(&sliced, wire, &config);
            runs.push((
                "read_slice, Receiver<0> with header events",
                judge(&sliced, Some(sliced.in_message)),
            ));
        }
    }
    if case.reassemble {
        let mut rx: Box<Receiver<REASSEMBLER_N>> = Box::new(Receiver::with_buffer(config));
        let outcome = match path {
            Path::Read => ("read, Receiver<N>", run(&mut rx, wire, chunk)),
            Path::Slice => ("read_slice, Receiver<N>", run_slice(&mut rx, wire, chunk)),
        };
        runs.push((outcome.0, judge(&outcome.1, None)));
    }
    runs
}

/// The header events are the wire's headers, in order, as
/// `FrameHeader::parse` reads them where each frame starts.
fn check_headers(outcome: &Outcome, wire: &[u8], config: &Config) {
    let mut at = 0;
    for seen in &outcome.events {
        if let Seen::Header(h) = seen {
            let (parsed, n) = FrameHeader::parse(&wire[at..], config)
                .unwrap()
                .complete()
                .unwrap();
            assert_eq!(*h, parsed, "header at {at}");
            at += n + h.payload_len() as usize;
        }
    }
}

/// Runs one row whole, byte by byte and in a few other chunk sizes, through
/// `path`; returns the first disagreement with the row.
fn check(case: &Case, path: Path) -> Result<(), String> {
    if let End::Fail(error, code) = case.end {
        if error.close_code().as_u16() != code {
            return Err(format!("{}: {error:?} is not {code}", case.name));
        }
        if case.at.is_none() {
            return Err(format!("{}: a failing row must say where", case.name));
        }
    }
    let len = case.wire.len();
    for chunk in [len.max(1), 1, 2, 3, 7, 64, 997] {
        // In chunks, the error comes with the last byte of the chunk that
        // holds the failing byte.
        let expected = Run {
            seen: case.seen.clone(),
            end: case.end,
            at: case.at.map(|at| chunk_end(at, chunk, len)),
        };
        // `read_slice` waits for a whole frame: where `read` ends inside
        // one, it leaves it unread; a rule decided in a payload shows when
        // its frame is whole.
        let slice_expected = match case.end {
            End::Needs(_) => Run {
                end: End::Unread,
                ..expected.clone()
            },
            End::Fail(..) if case.slice_at.is_none() => Run {
                end: End::Unread,
                at: None,
                ..expected.clone()
            },
            End::Fail(..) => Run {
                at: case.slice_at.map(|at| chunk_end(at, chunk, len)),
                ..expected.clone()
            },
            _ => expected.clone(),
        };
        let expected = match path {
            Path::Read => &expected,
            Path::Slice => &slice_expected,
        };
        for (name, mut run) in runs(case, chunk, path) {
            // Without header events `InMessage` cannot show: the run with
            // them checks it.
            if expected.end == End::InMessage && run.end == End::Clean && !name.contains("header") {
                run.end = End::InMessage;
            }
            if run != *expected {
                return Err(format!(
                    "{}: {name}, chunks of {chunk}: got {:?} / {:?} at {:?}, expected {:?} / {:?} at {:?}",
                    case.name,
                    abbreviate(&run.seen),
                    run.end,
                    run.at,
                    abbreviate(&expected.seen),
                    expected.end,
                    expected.at
                ));
            }
        }
    }
    Ok(())
}

/// `Seen` values with long payloads shortened, for failure messages.
fn abbreviate(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| {
            let text = format!("{s:?}");
            if text.len() > 120 {
                format!("{}… ({} chars)", &text[..100], text.len())
            } else {
                text
            }
        })
        .collect()
}

/// Runs every row of `cases` through `read`.
fn run_table(cases: &[Case]) {
    run_table_through(cases, Path::Read);
}

fn run_table_through(cases: &[Case], path: Path) {
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c, path).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Configurations

/// A server with the defaults (64 KiB frame and message limits, strict).
fn server() -> Config {
    Config::server()
}

/// A client with the defaults.
fn client() -> Config {
    Config::client()
}

/// A server with raised limits (128 KiB: the reassembler's buffer).
fn raised() -> Config {
    Config::server()
        .with_max_frame_payload(REASSEMBLER_N as u64)
        .with_max_message_len(REASSEMBLER_N as u64)
}

/// κόσμε (11 bytes), Autobahn's UTF-8 sample.
const KOSME: &[u8] = b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

// ---------------------------------------------------------------------------
// The table, section by section
//
// Rows that differ only in values (an opcode, a flag, a payload, a limit) are
// written once, as a loop over a table of those values; such tables are laid
// out one row a line (`#[rustfmt::skip]`), as tables are in
// embedded/src/bin/qemu_tests.rs.

/// What a strict endpoint delivers for an unfragmented frame, or a whole
/// fragmented message, with opcode `op`: the payload as sent.
fn delivered(op: u8, payload: &[u8]) -> Seen {
    match op {
        TEXT => text(std::str::from_utf8(payload).unwrap()),
        BINARY => binary(payload),
        PING => ping(payload),
        PONG => pong(payload),
        _ => unreachable!("no row delivers opcode {op} as sent"),
    }
}

/// A message's payload, fragment by fragment.
type Parts<'a> = &'a [&'a [u8]];

/// A message in fragments: `op` on the first frame, continuations after it,
/// FIN on the last (one part: an unfragmented frame).
fn fragments(mut wire: Wire, op: u8, parts: Parts) -> Wire {
    for (i, part) in parts.iter().enumerate() {
        let op = if i == 0 { op } else { CONT };
        let fin = if i + 1 == parts.len() { FIN } else { 0 };
        wire = wire.frame(fin | op, part);
    }
    wire
}

/// A message in two fragments with a control frame between them, at a
/// server: the control frame is delivered at once, the message when it ends
/// (§5.4: control frames MAY be injected in the middle of a fragmented
/// message).
fn interleaved(name: &str, op: u8, first: &[u8], control: (u8, &[u8]), last: &[u8]) -> Case {
    let (control_op, control_payload) = control;
    let wire = masked()
        .frame(op, first)
        .frame(FIN | control_op, control_payload)
        .frame(FIN | CONT, last);
    let message = concat(&[first, last]);
    case(name, server(), wire).sees([
        delivered(control_op, control_payload),
        delivered(op, &message),
    ])
}

/// 1.x: text and binary messages of 0 to 65536 bytes in one frame.
fn framing_1() -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, len) in [0_usize, 125, 126, 127, 128, 65535, 65536]
        .into_iter()
        .enumerate()
    {
        for (id, kind, op, byte) in [("1.1", "text", TEXT, b'*'), ("1.2", "binary", BINARY, 0xFE)] {
            let payload = vec![byte; len];
            let name = format!("{id}.{} {kind}, {len} bytes (§5.2, §5.6)", i + 1);
            let wire = masked().frame(FIN | op, &payload);
            cases.push(case(&name, raised(), wire).sees([delivered(op, &payload)]));
        }
    }
    let b = vec![0xFE; 65536];
    cases.push(
        case(
            "1.2.8-like binary 65536 bytes as a client receives it, default limits",
            client(),
            unmasked().frame(FIN | BINARY, &b),
        )
        .sees([binary(&b)]),
    );
    cases
}

/// 2.x: Ping and Pong (§5.5.2, §5.5.3).
fn pings_2() -> Vec<Case> {
    let bin = [0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF];
    // One control frame at a server, delivered as sent.
    #[rustfmt::skip]
    let one_frame: [(&str, u8, &[u8]); 6] = [
        ("2.1 ping, empty payload",           PING, b""),
        ("2.2 ping, text payload",            PING, b"Hello, world!"),
        ("2.3 ping, binary payload",          PING, &bin),
        ("2.4 ping, 125-byte payload",        PING, &[0xFE; 125]),
        ("2.7 unsolicited pong, empty",       PONG, b""),
        ("2.8 unsolicited pong with payload", PONG, b"unsolicited pong payload"),
    ];
    let mut cases = Vec::new();
    for (name, op, payload) in one_frame {
        let wire = masked().frame(FIN | op, payload);
        cases.push(case(name, server(), wire).sees([delivered(op, payload)]));
    }
    let mut ten = masked();
    let mut ten_seen = Vec::new();
    for i in 0..10 {
        let p = format!("payload-{i}");
        ten = ten.frame(FIN | PING, p.as_bytes());
        ten_seen.push(ping(p.as_bytes()));
    }
    cases.extend([
        case(
            "2.5 ping, 126-byte payload (§5.5: at most 125), at the length field",
            server(),
            masked().frame(FIN | PING, &[0xFE; 126]).fail_at_header(3),
        )
        .fails(Error::ControlFrameTooLong, 1002),
        case(
            "2.5-like pong, 126-byte payload",
            client(),
            unmasked().frame(FIN | PONG, &[0xFE; 126]).fail_at_header(3),
        )
        .fails(Error::ControlFrameTooLong, 1002),
        case(
            "2.9 unsolicited pong, then ping",
            server(),
            masked()
                .frame(FIN | PONG, b"unsolicited pong payload")
                .frame(FIN | PING, b"ping payload"),
        )
        .sees([pong(b"unsolicited pong payload"), ping(b"ping payload")]),
        case("2.10/2.11 ten pings", server(), ten).sees(ten_seen),
        case(
            "§5.5 ping and pong as a client receives them",
            client(),
            unmasked().frame(FIN | PING, b"a").frame(FIN | PONG, b"b"),
        )
        .sees([ping(b"a"), pong(b"b")]),
    ]);
    cases
}

/// 3.x: RSV bits (§5.2: "MUST be 0 unless an extension is negotiated"),
/// refused at the first byte.
fn reserved_bits_3() -> Vec<Case> {
    let hello = b"Hello, world!";
    let mut cases = Vec::new();
    let one_frame: [(&str, u8, &[u8]); 4] = [
        ("3.1 text, rsv=1", rsv(1) | TEXT, hello),
        ("3.5 binary, rsv=5", rsv(5) | BINARY, &[0xFF; 8]),
        ("3.6 ping, rsv=6", rsv(6) | PING, hello),
        ("3.7 close, rsv=7", rsv(7) | CLOSE, b""),
    ];
    for (name, b0, payload) in one_frame {
        let wire = masked().frame(FIN | b0, payload).fail_at_header(0);
        cases.push(case(name, server(), wire).fails(Error::ReservedBits, 1002));
    }
    for (id, value) in [("3.2", 2), ("3.3", 3), ("3.4", 4)] {
        let wire = masked()
            .frame(FIN | TEXT, hello)
            .frame(FIN | rsv(value) | TEXT, hello)
            .fail_at_header(0)
            .frame(FIN | PING, b"");
        let name = format!("{id} text, text with rsv={value}, ping");
        cases.push(
            case(&name, server(), wire)
                .sees([text("Hello, world!")])
                .fails(Error::ReservedBits, 1002),
        );
    }
    for value in 1..=7 {
        for (kind, op) in [
            ("text", TEXT),
            ("binary", BINARY),
            ("ping", PING),
            ("close", CLOSE),
        ] {
            for (side, config, wire) in
                [("", server(), masked()), (", client", client(), unmasked())]
            {
                let name = format!("3.x {kind}, rsv={value}, no extension{side}");
                let wire = wire.frame(FIN | rsv(value) | op, b"").fail_at_header(0);
                cases.push(case(&name, config, wire).fails(Error::ReservedBits, 1002));
            }
        }
    }
    cases.extend(reserved_bits_negotiated());
    cases
}

/// 3.x with an extension negotiated: the allowed bits pass; RSV1 means
/// permessage-deflate (RFC 7692 §6: only on a message's first frame).
fn reserved_bits_negotiated() -> Vec<Case> {
    let all = server().with_allowed_rsv(0b111);
    let rsv2 = server().with_allowed_rsv(Config::RSV2);
    let deflate = server().with_allowed_rsv(Config::RSV1);
    let compressed = |op, payload: &[u8]| Seen::Compressed(op, payload.to_vec());
    // One frame, accepted.
    #[rustfmt::skip]
    let accepted: [(&str, Config, u8, &[u8], Seen); 6] = [
        ("3.x text rsv=1, all bits negotiated",   all,  rsv(1) | TEXT,   b"ok", text("ok")),
        ("3.x text rsv=2, all bits negotiated",   all,  rsv(2) | TEXT,   b"ok", text("ok")),
        ("3.x binary rsv=5, all bits negotiated", all,  rsv(5) | BINARY, b"zz", compressed(Opcode::Binary, b"zz")),
        ("3.x ping rsv=2, all bits negotiated",   all,  rsv(2) | PING,   b"p",  ping(b"p")),
        ("3.x close rsv=3, all bits negotiated",  all,  rsv(3) | CLOSE,  b"",   close(None, "")),
        ("3.x ping rsv=2 with RSV2 negotiated",   rsv2, rsv(2) | PING,   b"",   ping(b"")),
    ];
    let mut cases = Vec::new();
    for (name, config, b0, payload, seen) in accepted {
        let wire = masked().frame(FIN | b0, payload);
        cases.push(case(name, config, wire).sees([seen]));
    }
    // RSV1 on a control frame (RFC 7692 §6): refused when the length is read.
    #[rustfmt::skip]
    let control: [(&str, u8, &[u8]); 2] = [
        ("3.x ping rsv=6 with deflate: RSV1 on a control frame (RFC 7692 §6)", rsv(6) | PING,  b"p"),
        ("3.x close rsv=7 with deflate: RSV1 on a control frame",              rsv(7) | CLOSE, b""),
    ];
    for (name, b0, payload) in control {
        let wire = masked().frame(FIN | b0, payload).fail_at_length_end();
        cases.push(case(name, all, wire).fails(Error::MisplacedCompressionBit, 1002));
    }
    // A bit that is not negotiated: refused at the first byte.
    for (name, config, value) in [
        ("3.x text rsv=2 with only RSV1 negotiated", deflate, 2),
        ("3.x text rsv=4 with only RSV2 negotiated", rsv2, 4),
    ] {
        let wire = masked()
            .frame(FIN | rsv(value) | TEXT, b"ok")
            .fail_at_header(0);
        cases.push(case(name, config, wire).fails(Error::ReservedBits, 1002));
    }
    cases.extend([
        case(
            "3.x text rsv=4 (RSV1), deflate: compressed, UTF-8 not checked",
            all,
            masked().frame(FIN | rsv(4) | TEXT, b"\xFF\x00"),
        )
        .sees([compressed(Opcode::Text, b"\xFF\x00")]),
        case(
            "3.x continuation with RSV1 under deflate",
            deflate,
            masked()
                .frame(rsv(4) | TEXT, b"a")
                .frame(FIN | rsv(4) | CONT, b"b")
                .fail_at_length_end(),
        )
        .fails(Error::MisplacedCompressionBit, 1002),
        case(
            "3.x fragmented compressed text, RSV1 on the first frame only",
            deflate,
            masked().frame(rsv(4) | TEXT, b"a").frame(FIN | CONT, b"b"),
        )
        .sees([compressed(Opcode::Text, b"ab")]),
    ]);
    cases
}

/// 4.x: reserved opcodes 3–7 and 11–15 (§5.2: "MUST _Fail the WebSocket
/// Connection_" on an unknown opcode, §10.7), refused at the first byte of
/// the frame that carries one.
fn reserved_opcodes_4() -> Vec<Case> {
    let payload = b"reserved opcode payload";
    let reserved = |wire: Wire, b0: u8, payload: &[u8]| wire.frame(b0, payload).fail_at_header(0);
    let mut cases = Vec::new();
    for op in (3..=7).chain(11..=15) {
        let section = if op < 8 { "4.1" } else { "4.2" };
        let hello = masked().frame(FIN | TEXT, b"Hello, world!");
        let fragment = masked().frame(TEXT, b"frag");
        for (name, config, wire, seen) in [
            (
                format!("{section}.1 opcode {op}, empty"),
                server(),
                reserved(masked(), FIN | op, b""),
                None,
            ),
            (
                format!("{section}.2 opcode {op}, with payload"),
                server(),
                reserved(masked(), FIN | op, payload),
                None,
            ),
            (
                format!("{section}.3-5 text, opcode {op}, ping"),
                server(),
                reserved(hello, FIN | op, payload).frame(FIN | PING, b""),
                Some(text("Hello, world!")),
            ),
            (
                format!("{section}.x opcode {op}, FIN clear, client"),
                client(),
                reserved(unmasked(), op, b""),
                None,
            ),
            (
                format!("{section}.x opcode {op} inside a fragmented text"),
                server(),
                reserved(fragment, FIN | op, b""),
                None,
            ),
        ] {
            cases.push(
                case(&name, config, wire)
                    .sees(seen)
                    .fails(Error::ReservedOpcode, 1002),
            );
        }
    }
    cases
}

/// 5.x: fragmentation (§5.4) and control frames between fragments (§5.5).
fn fragmentation_5() -> Vec<Case> {
    let mut cases = Vec::new();
    // §5.5: control frames MUST NOT be fragmented; refused at the first byte.
    #[rustfmt::skip]
    let fragmented = [
        ("5.1 ping fragmented into 2 frames (§5.5: control frames MUST NOT be fragmented)", PING),
        ("5.2 pong fragmented into 2 frames",                                              PONG),
    ];
    for (name, op) in fragmented {
        let wire = masked()
            .frame(op, b"fragment1")
            .fail_at_header(0)
            .frame(FIN | CONT, b"fragment2");
        cases.push(case(name, server(), wire).fails(Error::FragmentedControlFrame, 1002));
    }
    // A message in fragments, delivered whole.
    #[rustfmt::skip]
    let whole: [(&str, u8, Parts); 4] = [
        ("5.3-5.5 text in 2 fragments",                     TEXT,   &[b"fragment1", b"fragment2"]),
        ("6.1.2 text in 3 empty fragments",                 TEXT,   &[b"", b"", b""]),
        ("6.1.3 text in 3 fragments, first and last empty", TEXT,   &[b"", b"middle frame payload", b""]),
        ("5.x binary in 3 fragments, the last empty",       BINARY, &[&[1], &[2], b""]),
    ];
    for (name, op, parts) in whole {
        let wire = fragments(masked(), op, parts);
        cases.push(case(name, server(), wire).sees([delivered(op, &parts.concat())]));
    }
    cases.extend([
        case(
            "5.x close with FIN clear",
            client(),
            unmasked().frame(CLOSE, b"").fail_at_header(0),
        )
        .fails(Error::FragmentedControlFrame, 1002),
        interleaved(
            "5.6-5.8 text in 2 fragments, ping in between",
            TEXT,
            b"fragment1",
            (PING, b"ping payload"),
            b"fragment2",
        ),
        interleaved(
            "5.x binary in 2 fragments, pong in between",
            BINARY,
            &[1, 2],
            (PONG, b"pong"),
            &[3],
        ),
        case(
            "5.19/5.20 text in 5 fragments, 2 pings in between",
            server(),
            masked()
                .frame(TEXT, b"fragment1")
                .frame(CONT, b"fragment2")
                .frame(FIN | PING, b"pongme 1!")
                .frame(CONT, b"fragment3")
                .frame(CONT, b"fragment4")
                .frame(FIN | PING, b"pongme 2!")
                .frame(FIN | CONT, b"fragment5"),
        )
        .sees([
            ping(b"pongme 1!"),
            ping(b"pongme 2!"),
            text("fragment1fragment2fragment3fragment4fragment5"),
        ]),
        case(
            "5.x stream ends inside a fragmented message",
            server(),
            masked().frame(TEXT, b"fragment1").frame(FIN | PING, b""),
        )
        .sees([ping(b"")])
        .ends(End::InMessage),
    ]);
    cases.extend(fragmentation_5_refused());
    cases
}

/// 5.x, continued: a continuation with nothing to continue, and a new
/// message inside a fragmented one (§5.4), refused when the length is read.
fn fragmentation_5_refused() -> Vec<Case> {
    let mut cases = Vec::new();
    // A continuation with nothing to continue, FIN set or clear, then text.
    #[rustfmt::skip]
    let then_text = [
        ("5.9-5.11 continuation (FIN set) with nothing to continue, then text",    FIN),
        ("5.12-5.14 continuation (FIN clear) with nothing to continue, then text", 0),
    ];
    for (name, fin) in then_text {
        let wire = masked()
            .frame(fin | CONT, b"non-continuation payload")
            .fail_at_length_end()
            .frame(FIN | TEXT, b"Hello, world!");
        cases.push(case(name, server(), wire).fails(Error::UnexpectedContinuation, 1002));
    }
    // The same, then a continuation and a text.
    #[rustfmt::skip]
    let twice = [
        ("5.16 (continuation, continuation FIN, text) twice",     0),
        ("5.17 (continuation FIN, continuation FIN, text) twice", FIN),
    ];
    for (name, fin) in twice {
        let wire = masked()
            .frame(fin | CONT, b"fragment1")
            .fail_at_length_end()
            .frame(FIN | CONT, b"fragment2")
            .frame(FIN | TEXT, b"fragment3");
        cases.push(case(name, server(), wire).fails(Error::UnexpectedContinuation, 1002));
    }
    // A new data frame inside a fragmented text.
    #[rustfmt::skip]
    let new_message: [(&str, u8, &[u8]); 2] = [
        ("5.18 text in 2 fragments, both with opcode text", TEXT,   b"fragment2"),
        ("5.x binary frame inside a fragmented text",       BINARY, b"x"),
    ];
    for (name, op, payload) in new_message {
        let wire = masked()
            .frame(TEXT, b"fragment1")
            .frame(FIN | op, payload)
            .fail_at_length_end();
        cases.push(case(name, server(), wire).fails(Error::ExpectedContinuation, 1002));
    }
    cases.extend([
        case(
            "5.15 text in 2 fragments, continuation with nothing to continue, text",
            server(),
            masked()
                .frame(TEXT, b"fragment1")
                .frame(FIN | CONT, b"fragment2")
                .frame(CONT, b"fragment3")
                .fail_at_length_end()
                .frame(FIN | TEXT, b"fragment4"),
        )
        .sees([text("fragment1fragment2")])
        .fails(Error::UnexpectedContinuation, 1002),
        case(
            "5.x continuation after a finished message",
            server(),
            masked()
                .frame(FIN | TEXT, b"a")
                .frame(FIN | CONT, b"b")
                .fail_at_length_end(),
        )
        .sees([text("a")])
        .fails(Error::UnexpectedContinuation, 1002),
    ]);
    cases
}

/// How a UTF-8 sample must end (§8.1: "MUST _Fail the WebSocket Connection_"
/// with 1007; Autobahn 6.x: fail fast, at the first byte that cannot be valid).
#[derive(Debug, Clone, Copy)]
enum Utf8 {
    Valid,
    /// Invalid from the payload byte at this index on.
    BadAt(usize),
    /// A valid prefix cut off at the end of the message.
    Truncated,
}

/// The UTF-8 samples of 6.x (and a few more), with their verdict.
#[rustfmt::skip]
fn utf8_samples() -> Vec<(&'static str, Vec<u8>, Utf8)> {
    use Utf8::{BadAt, Truncated, Valid};
    let s = |b: &[u8]| b.to_vec();
    vec![
        ("6.1.1 empty",                              s(b""),                                      Valid),
        ("6.2.1 Hello-µ@ßöäüàá-UTF-8!!",             s("Hello-µ@ßöäüàá-UTF-8!!".as_bytes()),      Valid),
        ("6.5.1 κόσμε",                              s(KOSME),                                    Valid),
        ("6.x mixed 1-4 byte code points",           s("héllo wörld €𝄞 ✓".as_bytes()),            Valid),
        ("6.3.1 κόσμε + surrogate + edited",         concat(&[KOSME, b"\xED\xA0\x80edited"]),     BadAt(12)),
        ("6.4.x κόσμε + U+110000 + edited",          concat(&[KOSME, b"\xF4\x90\x80\x80edited"]), BadAt(12)),
        ("6.6.x κόσμε cut after 1 byte",             s(&KOSME[..1]),                              Truncated),
        ("6.6.x κόσμε cut after 3 bytes",            s(&KOSME[..3]),                              Truncated),
        ("6.6.x κόσμε cut after 4 bytes",            s(&KOSME[..4]),                              Truncated),
        ("6.6.x κόσμε cut after 10 bytes",           s(&KOSME[..10]),                             Truncated),
        ("6.7.1 U+0000",                             s(b"\x00"),                                  Valid),
        ("6.7.2 U+0080",                             s(b"\xC2\x80"),                              Valid),
        ("6.7.3 U+0800",                             s(b"\xE0\xA0\x80"),                          Valid),
        ("6.7.4 U+10000",                            s(b"\xF0\x90\x80\x80"),                      Valid),
        ("6.8.1 5-byte form F8",                     s(b"\xF8\x88\x80\x80\x80"),                  BadAt(0)),
        ("6.8.2 6-byte form FC",                     s(b"\xFC\x84\x80\x80\x80\x80"),              BadAt(0)),
        ("6.9.1 U+007F",                             s(b"\x7F"),                                  Valid),
        ("6.9.2 U+07FF",                             s(b"\xDF\xBF"),                              Valid),
        ("6.9.3 U+FFFF",                             s(b"\xEF\xBF\xBF"),                          Valid),
        ("6.9.4 U+10FFFF",                           s(b"\xF4\x8F\xBF\xBF"),                      Valid),
        ("6.10.1 F7 BF BF BF (> U+10FFFF)",          s(b"\xF7\xBF\xBF\xBF"),                      BadAt(0)),
        ("6.10.2 5-byte FB",                         s(b"\xFB\xBF\xBF\xBF\xBF"),                  BadAt(0)),
        ("6.10.3 6-byte FD",                         s(b"\xFD\xBF\xBF\xBF\xBF\xBF"),              BadAt(0)),
        ("6.11.1 U+D7FF",                            s(b"\xED\x9F\xBF"),                          Valid),
        ("6.11.2 U+E000",                            s(b"\xEE\x80\x80"),                          Valid),
        ("6.11.3 U+FFFD",                            s(b"\xEF\xBF\xBD"),                          Valid),
        ("6.11.5 U+110000",                          s(b"\xF4\x90\x80\x80"),                      BadAt(1)),
        ("6.12.1 lone continuation 80",              s(b"\x80"),                                  BadAt(0)),
        ("6.12.2 lone continuation BF",              s(b"\xBF"),                                  BadAt(0)),
        ("6.12.3 80 BF",                             s(b"\x80\xBF"),                              BadAt(0)),
        ("6.12.x text then continuation",            s(b"ab\x80"),                                BadAt(2)),
        ("6.13.1 C0 then space",                     s(b"\xC0\x20"),                              BadAt(0)),
        ("6.13.1 C2 then space",                     s(b"\xC2\x20"),                              BadAt(1)),
        ("6.13.2 E0 then space",                     s(b"\xE0\x20"),                              BadAt(1)),
        ("6.13.3 F0 then space",                     s(b"\xF0\x20"),                              BadAt(1)),
        ("6.13.4 F8 then space",                     s(b"\xF8\x20"),                              BadAt(0)),
        ("6.13.5 FC then space",                     s(b"\xFC\x20"),                              BadAt(0)),
        ("6.14.1 C0 alone",                          s(b"\xC0"),                                  BadAt(0)),
        ("6.14.2 E0 80",                             s(b"\xE0\x80"),                              BadAt(1)),
        ("6.14.3 F0 80 80",                          s(b"\xF0\x80\x80"),                          BadAt(1)),
        ("6.14.6 DF alone at the end",               s(b"\xDF"),                                  Truncated),
        ("6.14.7 EF BF at the end",                  s(b"\xEF\xBF"),                              Truncated),
        ("6.14.8 F4 8F BF at the end",               s(b"\xF4\x8F\xBF"),                          Truncated),
        ("6.15.1 concatenated incomplete sequences", s(b"\xC0\xE0\x80\xF0\x80\x80\xDF"),          BadAt(0)),
        ("6.16.1 FE",                                s(b"\xFE"),                                  BadAt(0)),
        ("6.16.2 FF",                                s(b"\xFF"),                                  BadAt(0)),
        ("6.16.3 FE FE FF FF",                       s(b"\xFE\xFE\xFF\xFF"),                      BadAt(0)),
        ("6.17.1 overlong / C0 AF",                  s(b"\xC0\xAF"),                              BadAt(0)),
        ("6.17.2 overlong / E0 80 AF",               s(b"\xE0\x80\xAF"),                          BadAt(1)),
        ("6.17.3 overlong / F0 80 80 AF",            s(b"\xF0\x80\x80\xAF"),                      BadAt(1)),
        ("6.17.4 overlong / F8 ...",                 s(b"\xF8\x80\x80\x80\xAF"),                  BadAt(0)),
        ("6.17.5 overlong / FC ...",                 s(b"\xFC\x80\x80\x80\x80\xAF"),              BadAt(0)),
        ("6.18.1 max overlong C1 BF",                s(b"\xC1\xBF"),                              BadAt(0)),
        ("6.18.2 max overlong E0 9F BF",             s(b"\xE0\x9F\xBF"),                          BadAt(1)),
        ("6.18.3 max overlong F0 8F BF BF",          s(b"\xF0\x8F\xBF\xBF"),                      BadAt(1)),
        ("6.19.1 overlong NUL C0 80",                s(b"\xC0\x80"),                              BadAt(0)),
        ("6.19.2 overlong NUL E0 80 80",             s(b"\xE0\x80\x80"),                          BadAt(1)),
        ("6.19.3 overlong NUL F0 80 80 80",          s(b"\xF0\x80\x80\x80"),                      BadAt(1)),
        ("6.20.1 surrogate U+D800",                  s(b"\xED\xA0\x80"),                          BadAt(1)),
        ("6.20.4 surrogate U+DB7F",                  s(b"\xED\xAD\xBF"),                          BadAt(1)),
        ("6.20.7 surrogate U+DFFF",                  s(b"\xED\xBF\xBF"),                          BadAt(1)),
        ("6.21.1 surrogate pair D800 DC00",          s(b"\xED\xA0\x80\xED\xB0\x80"),              BadAt(1)),
        ("6.21.8 surrogate pair DBFF DFFF",          s(b"\xED\xAF\xBF\xED\xBF\xBF"),              BadAt(1)),
        ("6.22.1 noncharacter U+FFFE",               s(b"\xEF\xBF\xBE"),                          Valid),
        ("6.22.x noncharacter U+FDD0",               s(b"\xEF\xB7\x90"),                          Valid),
        ("6.22.x noncharacter U+10FFFE",             s(b"\xF4\x8F\xBF\xBE"),                      Valid),
        ("6.23.1 U+FFFD",                            s(b"\xEF\xBF\xBD"),                          Valid),
        ("6.x invalid byte mid-text",                s(b"ab\xFFcd"),                              BadAt(2)),
        ("6.x missing continuation E2 82 41",        s(b"\xE2\x82\x41"),                          BadAt(2)),
        ("6.x valid text then a cut €",              s(b"\xE2\x82\xAC\xE2"),                      Truncated),
    ]
}

/// 6.x: each sample in one frame, in one fragment per byte (code points
/// split across frames), and in a frame that announces 10 more bytes than
/// the wire holds (fail fast inside a partial frame).
fn utf8_6() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, bytes, verdict) in utf8_samples() {
        let valid = String::from_utf8(bytes.clone()).ok();
        // One frame.
        let wire = masked().frame(FIN | TEXT, &bytes);
        let one = case(&format!("{name}: one frame"), server(), mark(wire, verdict));
        cases.push(expect_utf8(one, valid.as_deref(), verdict));
        // One fragment per byte.
        if !bytes.is_empty() {
            let mut wire = masked();
            for (i, &byte) in bytes.iter().enumerate() {
                let b0 = match (i == 0, i + 1 == bytes.len()) {
                    (true, true) => FIN | TEXT,
                    (true, false) => TEXT,
                    (false, true) => FIN | CONT,
                    (false, false) => CONT,
                };
                wire = wire.frame(b0, &[byte]);
                if matches!(verdict, Utf8::BadAt(at) if at == i) {
                    wire = wire.fail_at_payload(0);
                }
            }
            if matches!(verdict, Utf8::Truncated) {
                wire = wire.fail_at_end();
            }
            let split = case(&format!("{name}: one fragment per byte"), server(), wire);
            cases.push(expect_utf8(split, valid.as_deref(), verdict));
        }
        // A partial frame: the stream stops inside it.
        let wire = masked()
            .header(FIN | TEXT, Form::Minimal, bytes.len() as u64 + 10)
            .payload(&bytes);
        let wire = match verdict {
            Utf8::BadAt(i) => wire.fail_at_payload(i),
            // A cut-off code point may still be completed by the bytes to come.
            Utf8::Valid | Utf8::Truncated => wire,
        };
        let partial = case(&format!("{name}: partial frame"), server(), wire);
        cases.push(match verdict {
            Utf8::BadAt(_) => partial.fails(Error::InvalidUtf8, 1007),
            Utf8::Valid | Utf8::Truncated => partial.ends(End::Needs(10)),
        });
    }
    cases.extend(utf8_across_frames());
    cases
}

/// Marks the failing byte of a one-frame sample.
fn mark(wire: Wire, verdict: Utf8) -> Wire {
    match verdict {
        Utf8::BadAt(i) => wire.fail_at_payload(i),
        Utf8::Truncated => wire.fail_at_end(),
        Utf8::Valid => wire,
    }
}

fn expect_utf8(case: Case, valid: Option<&str>, verdict: Utf8) -> Case {
    match (verdict, valid) {
        // A sample marked valid must be UTF-8.
        (Utf8::Valid, _) => case.sees([text(valid.unwrap())]),
        (Utf8::BadAt(_) | Utf8::Truncated, _) => case.fails(Error::InvalidUtf8, 1007),
    }
}

/// 6.x: code points split across fragments, with control frames in between,
/// and invalid text found in a middle fragment (6.4.1/6.4.2).
fn utf8_across_frames() -> Vec<Case> {
    let mut cases = vec![
        case(
            "6.2.2-like € split 1+2 across fragments",
            server(),
            masked().frame(TEXT, b"\xE2").frame(FIN | CONT, b"\x82\xAC"),
        )
        .sees([text("€")]),
        interleaved(
            "6.2.x 𝄞 split 2+2, ping in between",
            TEXT,
            b"\xF0\x9D",
            (PING, b""),
            b"\x84\x9E",
        ),
        case(
            "6.x split code point broken in the next fragment",
            server(),
            masked()
                .frame(TEXT, b"\xF0\x9D")
                .frame(FIN | CONT, b"\x41")
                .fail_at_payload(0),
        )
        .fails(Error::InvalidUtf8, 1007),
        case(
            "6.x split code point, message ends unfinished",
            server(),
            masked()
                .frame(TEXT, b"ok\xF0")
                .frame(FIN | CONT, b"\x9D")
                .fail_at_end(),
        )
        .fails(Error::InvalidUtf8, 1007),
        case(
            "6.x binary messages are not checked",
            server(),
            masked().frame(FIN | BINARY, b"\xFF\xC0\x80"),
        )
        .sees([binary(b"\xFF\xC0\x80")]),
    ];
    // κόσμε, U+110000 split across the first two of 3 fragments, "edited":
    // fails at byte `at` of the 2nd fragment.
    let split = concat(&[KOSME, b"\xF4"]);
    #[rustfmt::skip]
    let middle: [(&str, &[u8], &[u8], usize); 2] = [
        ("6.4.1 κόσμε | U+110000 | edited in 3 fragments: fails in the 2nd",            KOSME,  b"\xF4\x90\x80\x80", 1),
        ("6.4.2 κόσμε F4 | 90 80 80 | edited: fails at the 2nd fragment's first byte", &split, b"\x90\x80\x80",     0),
    ];
    for (name, first, second, at) in middle {
        let wire = masked()
            .frame(TEXT, first)
            .frame(CONT, second)
            .fail_at_payload(at)
            .frame(FIN | CONT, b"edited");
        cases.push(case(name, server(), wire).fails(Error::InvalidUtf8, 1007));
    }
    cases
}

/// A Close body: the code, then the reason.
fn body(code: u16, reason: &[u8]) -> Vec<u8> {
    concat(&[&code.to_be_bytes(), reason])
}

/// 7.1.x: the closing handshake, and frames after a Close: the receiver
/// reports the Close and then consumes and ignores whatever follows, even
/// bytes that would break a rule (§1.4: "after receiving a control frame
/// indicating the connection should be closed, a peer discards any further
/// data received").
fn close_7_1() -> Vec<Case> {
    let c1000 = body(1000, b"");
    let closed = || masked().frame(FIN | CLOSE, &c1000);
    // A Close, then one more frame: ignored.
    #[rustfmt::skip]
    let after_close: [(&str, u8, &[u8]); 3] = [
        ("7.1.2 close, close: the second is ignored", CLOSE, &c1000),
        ("7.1.3 close, then ping: ignored",           PING,  b"ping"),
        ("7.1.4 close, then text: ignored",           TEXT,  b"Hello World!"),
    ];
    let mut cases = Vec::new();
    for (name, op, payload) in after_close {
        let wire = closed().frame(FIN | op, payload);
        cases.push(case(name, server(), wire).sees([close(Some(1000), "")]));
    }
    cases.extend([
        case(
            "7.1.1 text, then close 1000",
            server(),
            masked()
                .frame(FIN | TEXT, b"Hello World!")
                .frame(FIN | CLOSE, &c1000),
        )
        .sees([text("Hello World!"), close(Some(1000), "")]),
        case(
            "7.1.5 text fragment, close, continuation: the message never completes",
            server(),
            masked()
                .frame(TEXT, b"fragment1")
                .frame(FIN | CLOSE, &c1000)
                .frame(FIN | CONT, b"fragment2"),
        )
        .sees([close(Some(1000), "")]),
        case(
            "7.1.6-like 4 KiB binary, close, ping: the ping is ignored",
            server(),
            masked()
                .frame(FIN | BINARY, &[0xFE; 4096])
                .frame(FIN | CLOSE, &c1000)
                .frame(FIN | PING, b""),
        )
        .sees([binary(&[0xFE; 4096]), close(Some(1000), "")]),
        case(
            "7.1.x after close, a reserved opcode is ignored",
            server(),
            closed().frame(FIN | 0x3, b""),
        )
        .sees([close(Some(1000), "")]),
        case(
            "7.1.x after close, an unmasked frame at a server is ignored",
            server(),
            closed().masking(false).frame(FIN | TEXT, b"x"),
        )
        .sees([close(Some(1000), "")]),
        case(
            "7.1.x after close, a stray continuation is ignored",
            client(),
            unmasked().frame(FIN | CLOSE, b"").frame(FIN | CONT, b"x"),
        )
        .sees([close(None, "")]),
        case(
            "7.1.x after close, a truncated frame is ignored: nothing is needed",
            client(),
            unmasked()
                .frame(FIN | CLOSE, b"")
                .header(FIN | BINARY, Form::Minimal, 100),
        )
        .sees([close(None, "")]),
    ]);
    cases
}

/// 7.3.x–7.13.x: Close bodies (§5.5.1), codes (§7.4, IANA registry) and
/// reasons (§5.5.1: UTF-8).
fn close_7() -> Vec<Case> {
    let mut cases = close_7_1();
    let star = |n: usize| "*".repeat(n);
    let reason_123 = star(123);
    // Close 1000 with a reason of 0 to 123 bytes (125 in all).
    #[rustfmt::skip]
    let reasons = [
        ("7.3.3 close 1000, no reason",                           ""),
        ("7.3.4 close 1000 with a reason",                        "Hello World!"),
        ("7.3.5 close 1000 with a 123-byte reason (125 in all)", &reason_123),
    ];
    for (name, reason) in reasons {
        let wire = masked().frame(FIN | CLOSE, &body(1000, reason.as_bytes()));
        cases.push(case(name, server(), wire).sees([close(Some(1000), reason)]));
    }
    // A reason that is not UTF-8 (§5.5.1: 1007), failing as a 6.x sample
    // does; the payload index counts the 2-byte code.
    let bad_reasons = [
        (
            "7.5.1 close 1000, reason κόσμε + surrogate + edited (§5.5.1 → 1007)",
            concat(&[KOSME, b"\xED\xA0\x80edited"]),
            Utf8::BadAt(2 + 12),
        ),
        (
            "7.5.x close 1000, reason with FF",
            b"\xFFok".to_vec(),
            Utf8::BadAt(2),
        ),
        (
            "7.5.x close 1000, reason cut in a code point",
            b"ok\xE2\x82".to_vec(),
            Utf8::Truncated,
        ),
    ];
    for (name, reason, verdict) in bad_reasons {
        let wire = mark(masked().frame(FIN | CLOSE, &body(1000, &reason)), verdict);
        cases.push(case(name, server(), wire).fails(Error::InvalidCloseReason, 1007));
    }
    cases.extend([
        case(
            "7.3.1 close, empty body",
            server(),
            masked().frame(FIN | CLOSE, b""),
        )
        .sees([close(None, "")]),
        case(
            "7.3.2 close, 1-byte body (§5.5.1)",
            server(),
            masked().frame(FIN | CLOSE, b"\x03").fail_at_length_end(),
        )
        .fails(Error::CloseBodyTooShort, 1002),
        case(
            "7.3.6 close 1000 with a 124-byte reason (126 in all: §5.5)",
            server(),
            masked()
                .frame(FIN | CLOSE, &body(1000, star(124).as_bytes()))
                .fail_at_header(3),
        )
        .fails(Error::ControlFrameTooLong, 1002),
        case(
            "7.x invalid code and invalid reason: the code decides (1002)",
            server(),
            masked()
                .frame(FIN | CLOSE, &body(1005, b"\xFF"))
                .fail_at_payload(1),
        )
        .fails(Error::InvalidCloseCode, 1002),
    ]);
    cases.extend(close_partial_7());
    cases.extend(close_codes_7());
    cases
}

/// 7.x: a Close body is checked as it arrives (fail fast inside a partial
/// frame): a Close header announcing `len` bytes, and fewer on the wire.
fn close_partial_7() -> Vec<Case> {
    let partial = |len, body: &[u8]| {
        masked()
            .header(FIN | CLOSE, Form::Minimal, len)
            .payload(body)
    };
    vec![
        case(
            "7.x partial close: an invalid code shows before the frame ends",
            server(),
            partial(10, &body(1005, b"")).fail_at_payload(1),
        )
        .fails(Error::InvalidCloseCode, 1002),
        case(
            "7.x partial close: an invalid reason byte shows before the frame ends",
            server(),
            partial(20, &body(1000, b"ok\xFF")).fail_at_payload(4),
        )
        .fails(Error::InvalidCloseReason, 1007),
        case(
            "7.x partial close: valid so far, waiting",
            server(),
            partial(20, &body(1000, b"ok\xE2\x82")),
        )
        .ends(End::Needs(14)),
    ]
}

/// 7.7.x and 7.9.x/7.13.x: close codes.
fn close_codes_7() -> Vec<Case> {
    let mut cases = Vec::new();
    // 7.7.x: codes a peer may send (§7.4.1; 1012–1014 from the IANA
    // registry; 3000–4999 for libraries and applications, §7.4.2).
    let valid = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000,
        4999,
    ];
    for code in valid {
        for (side, config, wire, reason) in [
            ("", server(), masked(), ""),
            (
                " with a reason, client",
                client(),
                unmasked(),
                "au revoir ✓",
            ),
        ] {
            let name = format!("7.7.x close {code}{side}");
            let wire = wire.frame(FIN | CLOSE, &body(code, reason.as_bytes()));
            cases.push(case(&name, config, wire).sees([close(Some(code), reason)]));
        }
    }
    // 7.9.x / 7.13.x: codes a peer may not send: 0–999 unused, 1004–1006
    // and 1015 reserved ("MUST NOT be set as a status code in a Close control
    // frame by an endpoint", §7.4.1), 1016–2999 unassigned, 5000+ undefined.
    let invalid = [
        0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ];
    for code in invalid {
        let wire = masked()
            .frame(FIN | CLOSE, &body(code, b""))
            .fail_at_payload(1);
        let name = format!("7.9.x close {code}");
        cases.push(case(&name, server(), wire).fails(Error::InvalidCloseCode, 1002));
    }
    cases
}

/// 9.x-style limits (§7.4.1 1009, §10.4): refused when the length is read,
/// before any payload byte. The frame limit is a frame-layer rule (decided
/// at the length field, before the masking key); the message limit is a
/// message-layer rule (decided at the header, after the masking key).
fn limits_9() -> Vec<Case> {
    let frame_100 = server().with_max_frame_payload(100);
    let frame_1000 = server().with_max_frame_payload(1000);
    let msg_1000 = server().with_max_message_len(1000);
    let frame_100_msg_50 = frame_100.with_max_message_len(50);
    let frame_1000_msg_1500 = frame_1000.with_max_message_len(1500);
    // A message (`op`, then its fragments) whose last frame is over the frame
    // limit: 1009 at byte `at` of that frame's header, the length field's
    // last.
    #[rustfmt::skip]
    let frame_too_big: [(&str, Config, u8, usize, Parts); 6] = [
        ("9.x frame over the limit, 7-bit length",                 frame_100,        TEXT,   1, &[&[b'*'; 101]]),
        ("9.x frame over the limit, 16-bit length",                frame_1000,       BINARY, 3, &[&[0; 1001]]),
        ("9.x frame over the default 64 KiB limit, 64-bit length", server(),         BINARY, 9, &[&vec![0; 65537]]),
        ("9.x fragment over the frame limit inside a message",     frame_100,        TEXT,   1, &[&[b'a'; 100], &[b'b'; 101]]),
        ("9.x both limits broken: the frame layer reports first",  frame_100_msg_50, BINARY, 1, &[&[0; 101]]),
        ("9.x continuation without a message, over the frame limit: wire order, 1009 first",
                                                                   frame_100,        CONT,   3, &[&[0; 200]]),
    ];
    let mut cases = Vec::new();
    for (name, config, op, at, parts) in frame_too_big {
        let wire = fragments(masked(), op, parts).fail_at_header(at);
        cases.push(case(name, config, wire).fails(Error::FrameTooBig, 1009));
    }
    // A message whose last frame takes it over the message limit: 1009 when
    // that frame's length is read.
    #[rustfmt::skip]
    let message_too_big: [(&str, Config, u8, Parts); 5] = [
        ("9.x message over the limit in one frame",                      msg_1000,            BINARY, &[&[0; 1001]]),
        ("9.x message over the limit across fragments",                  msg_1000,            BINARY, &[&[0; 600], &[0; 401]]),
        ("9.x message limit over frame limit: 1000 + 600 > 1500",        frame_1000_msg_1500, BINARY, &[&[0; 1000], &[0; 600]]),
        ("9.x text over the message limit: 1009 before any UTF-8 byte", msg_1000,            TEXT,   &[&[0xFF; 1001]]),
        ("9.x one byte over the raised message limit",                   raised(),            BINARY, &[&vec![1; 65536], &vec![2; 65537]]),
    ];
    for (name, config, op, parts) in message_too_big {
        let wire = fragments(masked(), op, parts).fail_at_length_end();
        cases.push(case(name, config, wire).fails(Error::MessageTooBig, 1009));
    }
    let quarters = [1, 2, 3, 4].map(|byte| vec![byte; 32768]);
    cases.extend([
        case(
            "9.x README: a 1 MiB frame announced, header only, before the masking key",
            server().with_max_frame_payload(1024),
            masked()
                .raw(&[0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0])
                .fail_at_header(9),
        )
        .fails(Error::FrameTooBig, 1009),
        case(
            "9.x frame exactly at the limit",
            frame_1000,
            masked().frame(FIN | BINARY, &[7; 1000]),
        )
        .sees([binary(&[7; 1000])]),
        case(
            "9.x message exactly at the limit across fragments, with a ping",
            msg_1000,
            masked()
                .frame(BINARY, &[1; 600])
                .frame(FIN | PING, &[2; 125])
                .frame(FIN | CONT, &[3; 400]),
        )
        .sees([ping(&[2; 125]), binary(&concat(&[&[1; 600], &[3; 400]]))]),
        case(
            "9.x new text inside a message, over the message limit: 1002 first",
            msg_1000,
            masked()
                .frame(TEXT, b"a")
                .frame(FIN | TEXT, &[b'b'; 1001])
                .fail_at_length_end(),
        )
        .fails(Error::ExpectedContinuation, 1002),
        case(
            "9.2.x-like 128 KiB binary in 4 fragments, raised limits",
            raised(),
            masked()
                .frame(BINARY, &quarters[0])
                .frame(CONT, &quarters[1])
                .frame(CONT, &quarters[2])
                .frame(FIN | CONT, &quarters[3]),
        )
        .sees([binary(&quarters.concat())]),
    ]);
    cases
}

/// §5.1, §5.3: a server rejects unmasked frames, a client masked ones;
/// `Role::Any` (documented: proxies, inspectors) takes both.
fn roles() -> Vec<Case> {
    let any = Config::new(Role::Any);
    let bye = body(1000, b"");
    // One frame masked wrong for the role: refused at the mask bit.
    #[rustfmt::skip]
    let wrong_mask = [
        ("§5.1 server, unmasked text",  server(), unmasked(), TEXT,  &b"Hello"[..], Error::UnmaskedClientFrame),
        ("§5.1 server, unmasked close", server(), unmasked(), CLOSE, b"",           Error::UnmaskedClientFrame),
        ("§5.1 client, masked text",    client(), masked(),   TEXT,  b"Hello",      Error::MaskedServerFrame),
        ("§5.1 client, masked close",   client(), masked(),   CLOSE, &bye,          Error::MaskedServerFrame),
    ];
    let mut cases = Vec::new();
    for (name, config, wire, op, payload, error) in wrong_mask {
        let wire = wire.frame(FIN | op, payload).fail_at_header(1);
        cases.push(case(name, config, wire).fails(error, 1002));
    }
    cases.extend([
        case(
            "§5.1 server, masked text then an unmasked ping",
            server(),
            masked()
                .frame(FIN | TEXT, b"a")
                .masking(false)
                .frame(FIN | PING, b"")
                .fail_at_header(1),
        )
        .sees([text("a")])
        .fails(Error::UnmaskedClientFrame, 1002),
        case(
            "§5.7 server, RFC example: masked Hello",
            server(),
            masked().raw(&[
                0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58,
            ]),
        )
        .sees([text("Hello")]),
        case(
            "§5.3 server, all-zero masking key",
            server(),
            masked().raw(&[0x81, 0x82, 0, 0, 0, 0, b'h', b'i']),
        )
        .sees([text("hi")]),
        case(
            "Role::Any: masked and unmasked frames mixed",
            any,
            masked()
                .frame(TEXT, b"mas")
                .masking(false)
                .frame(FIN | PING, b"p")
                .frame(CONT, b"ked+")
                .masking(true)
                .frame(FIN | CONT, b"un")
                .masking(false)
                .frame(FIN | CLOSE, &body(1000, b"bye")),
        )
        .sees([ping(b"p"), text("masked+un"), close(Some(1000), "bye")]),
    ]);
    cases
}

/// §5.2: "the minimal number of bytes MUST be used to encode the length";
/// the 64-bit length's "most significant bit MUST be 0". Lenient length
/// encoding is an opt-in for broken peers (`with_strict_length(false)`).
fn lengths() -> Vec<Case> {
    let lenient = server().with_strict_length(false);
    let mut cases = Vec::new();
    // A length in a longer form than needed: refused at the length field's
    // last byte, unless lenient.
    #[rustfmt::skip]
    let non_minimal = [
        ("16-bit form for 5",       TEXT, Form::L16, &[b'x'; 5][..]),
        ("16-bit form for 125",     TEXT, Form::L16, &[b'x'; 125]),
        ("64-bit form for 5",       TEXT, Form::L64, &[b'x'; 5]),
        ("64-bit form for 65535",   TEXT, Form::L64, &vec![b'x'; 65535]),
        ("ping, 16-bit form for 5", PING, Form::L16, b"abcde"),
    ];
    for (name, op, form, payload) in non_minimal {
        let at = if form == Form::L16 { 3 } else { 9 };
        let wire = masked()
            .header(FIN | op, form, payload.len() as u64)
            .payload(payload);
        let strict = wire.clone().fail_at_header(at);
        cases.extend([
            case(&format!("§5.2 strict: {name}"), server(), strict)
                .fails(Error::NonMinimalLength, 1002),
            case(&format!("§5.2 lenient: {name}"), lenient, wire).sees([delivered(op, payload)]),
        ]);
    }
    // The shortest form for the length, whichever it is.
    #[rustfmt::skip]
    let minimal: [(&str, Config, u8, Form, &[u8]); 2] = [
        ("§5.2 16-bit form for 126 is minimal",   server(), TEXT,   Form::L16, &[b'x'; 126]),
        ("§5.2 64-bit form for 65536 is minimal", raised(), BINARY, Form::L64, &vec![9; 65536]),
    ];
    for (name, config, op, form, payload) in minimal {
        let wire = masked()
            .header(FIN | op, form, payload.len() as u64)
            .payload(payload);
        cases.push(case(name, config, wire).sees([delivered(op, payload)]));
    }
    cases.extend([
        case(
            "§5.2 lenient: close, 16-bit form for 2",
            lenient,
            masked()
                .header(FIN | CLOSE, Form::L16, 2)
                .payload(&body(1000, b"")),
        )
        .sees([close(Some(1000), "")]),
        case(
            "§5.5 lenient: ping, 64-bit form for 126",
            lenient,
            masked()
                .header(FIN | PING, Form::L64, 126)
                .payload(&[0; 126])
                .fail_at_header(9),
        )
        .fails(Error::ControlFrameTooLong, 1002),
    ]);
    cases.extend(lengths_64());
    cases
}

/// §5.2 and §10.4: 64-bit lengths (MSB set, 2^32 and more) and incomplete headers.
fn lengths_64() -> Vec<Case> {
    let lenient = server().with_strict_length(false);
    let no_limits = |config: Config| {
        config
            .with_max_frame_payload(u64::MAX)
            .with_max_message_len(u64::MAX)
    };
    // A 64-bit length with its MSB set (§5.2): refused at its last byte.
    let high_bit: [(&str, Config, Wire, [u8; 10]); 3] = [
        (
            "§5.2 64-bit length with its MSB set",
            server(),
            masked(),
            [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "§5.2 64-bit length 2^64-1, lenient, no frame limit: still 1002",
            lenient.with_max_frame_payload(u64::MAX),
            masked(),
            [0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        ),
        (
            "§5.2 64-bit length 2^63+5 on a ping",
            client(),
            unmasked(),
            [0x89, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 5],
        ),
    ];
    let mut cases = Vec::new();
    for (name, config, wire, header) in high_bit {
        let wire = wire.raw(&header).fail_at_header(9);
        cases.push(case(name, config, wire).fails(Error::LengthHighBitSet, 1002));
    }
    cases.extend([
        case(
            "§10.4 64-bit length 2^32, default limits",
            server(),
            masked()
                .header(FIN | BINARY, Form::L64, 1 << 32)
                .payload(b"abc")
                .fail_at_header(9),
        )
        .fails(Error::FrameTooBig, 1009),
        case(
            "§10.4 64-bit length 2^32+5, client",
            client(),
            unmasked()
                .header(FIN | BINARY, Form::L64, (1 << 32) + 5)
                .fail_at_header(9),
        )
        .fails(Error::FrameTooBig, 1009),
        case(
            "§10.4 64-bit length 2^32, frame limit raised only: message limit 1009",
            server().with_max_frame_payload(u64::MAX),
            masked()
                .header(FIN | BINARY, Form::L64, 1 << 32)
                .payload(b"abc")
                .fail_at_length_end(),
        )
        .fails(Error::MessageTooBig, 1009),
        case(
            "§5.2 64-bit length 2^32, no limits: accepted, waiting for the payload",
            no_limits(server()),
            masked()
                .header(FIN | BINARY, Form::L64, 1 << 32)
                .payload(b"abc"),
        )
        .ends(End::Needs((1 << 32) - 3)),
        case(
            "§5.2 64-bit length 2^63-1, no limits: accepted",
            no_limits(client()),
            unmasked().header(FIN | TEXT, Form::L64, i64::MAX as u64),
        )
        .ends(End::Needs(i64::MAX as u64)),
        case(
            "§5.2 incomplete header: 1 byte",
            server(),
            masked().raw(&[0x81]),
        )
        .ends(End::Needs(1)),
        case(
            "§5.2 incomplete header: masked 16-bit form",
            server(),
            masked().raw(&[0x81, 0xFE]),
        )
        .ends(End::Needs(6)),
        case("§5.2 nothing at all", server(), masked()),
    ]);
    cases
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn autobahn_1_framing() {
    run_table(&framing_1());
}

#[test]
fn autobahn_2_pings() {
    run_table(&pings_2());
}

#[test]
fn autobahn_3_reserved_bits() {
    run_table(&reserved_bits_3());
}

#[test]
fn autobahn_4_reserved_opcodes() {
    run_table(&reserved_opcodes_4());
}

#[test]
fn autobahn_5_fragmentation() {
    run_table(&fragmentation_5());
}

#[test]
fn autobahn_6_utf8() {
    run_table(&utf8_6());
}

#[test]
fn autobahn_7_close() {
    run_table(&close_7());
}

#[test]
fn autobahn_9_limits() {
    run_table(&limits_9());
}

#[test]
fn rfc_5_1_roles() {
    run_table(&roles());
}

#[test]
fn rfc_5_2_lengths() {
    run_table(&lengths());
}

/// Every close code, whole and byte by byte: allowed exactly when RFC 6455
/// §7.4.1/§7.4.2 and the IANA registry allow a peer to send it.
#[test]
fn close_code_sweep() {
    for code in 0..=u16::MAX {
        let allowed = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
        let wire = masked()
            .frame(FIN | CLOSE, &body(code, b"r"))
            .fail_at_payload(1);
        let row = case(&format!("close {code}"), server(), wire);
        let row = if allowed {
            Case { at: None, ..row }.sees([close(Some(code), "r")])
        } else {
            row.fails(Error::InvalidCloseCode, 1002)
        };
        let expected = Run {
            seen: row.seen.clone(),
            end: row.end,
            at: row.at,
        };
        let bytewise = run(&mut Receiver::new(row.config), &row.wire, 1);
        assert_eq!(judge(&bytewise, None), expected, "{}", row.name);
        let whole = run(&mut Receiver::new(row.config), &row.wire, row.wire.len());
        let whole = judge(&whole, None);
        assert_eq!(
            (whole.seen, whole.end),
            (expected.seen, expected.end),
            "{}",
            row.name
        );
    }
}

/// Every row of the table.
fn all_rows() -> Vec<Case> {
    [
        framing_1(),
        pings_2(),
        reserved_bits_3(),
        reserved_opcodes_4(),
        fragmentation_5(),
        utf8_6(),
        close_7(),
        limits_9(),
        roles(),
        lengths(),
    ]
    .concat()
}

/// Every row through `read_slice`, the codec form: the same messages and
/// verdicts as `read`; a rule a header decides shows at the same byte, a rule
/// a payload decides once its frame is whole.
#[test]
fn every_row_through_read_slice() {
    run_table_through(&all_rows(), Path::Slice);
}

/// The number of rows, so a refactor cannot drop a section unnoticed.
#[test]
fn row_count() {
    let total = all_rows().len();
    println!("conformance rows: {total}");
    assert!(total >= 400, "{total}");
}

/// Row names are unique (rows generated in loops included), so a failure
/// names exactly one row.
#[test]
fn row_names_are_unique() {
    let rows = all_rows();
    let mut names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
    names.sort_unstable();
    let repeated: Vec<&str> = names
        .windows(2)
        .filter(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
        .collect();
    assert!(repeated.is_empty(), "rows named twice: {repeated:?}");
}
