//! Shared code of the wsframe fuzz targets: the configuration taken from the
//! first input bytes, the trace of a stream through a `Receiver` (`read` in
//! pieces, or `read_slice` as a codec does), and the byte-at-a-time
//! reference decoder.

pub mod reference;

use wsframe::{
    CloseCode, Config, Error, Event, FrameHeader, MaskingKey, Opcode, Receiver, Role, State, Status,
};

/// Limits at the edges of the length encodings and of the defaults.
const LIMITS: [u64; 16] = [
    u64::MAX,
    Config::DEFAULT_MAX_FRAME_PAYLOAD,
    0,
    1,
    2,
    5,
    125,
    126,
    127,
    200,
    0xFFFF,
    0x1_0000,
    0x1_0001,
    1 << 32,
    FrameHeader::MAX_PAYLOAD_LEN,
    300,
];

/// The configuration encoded in the first two bytes, and the rest of `data`.
///
/// Byte 0: role (`% 3`: server, client, any), bit 2 set = lenient lengths,
/// bits 3-5 = allowed RSV bits. Byte 1: low nibble = frame limit, high
/// nibble = message limit (indexes into `LIMITS`). Missing bytes count as 0.
#[must_use]
pub fn config_from(data: &[u8]) -> (Config, &[u8]) {
    let b0 = data.first().copied().unwrap_or(0);
    let b1 = data.get(1).copied().unwrap_or(0);
    let role = match b0 % 3 {
        0 => Role::Server,
        1 => Role::Client,
        _ => Role::Any,
    };
    let config = Config::new(role)
        .with_strict_length(b0 & 0b100 == 0)
        .with_allowed_rsv((b0 >> 3) & 0b111)
        .with_max_frame_payload(LIMITS[usize::from(b1 & 0xF)])
        .with_max_message_len(LIMITS[usize::from(b1 >> 4)]);
    (config, data.get(2..).unwrap_or(&[]))
}

/// `config` with the message limit a `Receiver<N>` applies (the smaller of
/// `N` and the configured limit, for `N > 0`), for the sides it is compared with.
#[must_use]
pub fn limited<const N: usize>(config: &Config) -> Config {
    config.with_max_message_len(Receiver::<N>::with_buffer(*config).message_limit())
}

/// A frame's header fields, as plain values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub key: Option<[u8; 4]>,
    pub len: u64,
}

impl From<&FrameHeader> for Fields {
    fn from(h: &FrameHeader) -> Self {
        Fields {
            fin: h.fin(),
            rsv: h.rsv(),
            opcode: h.opcode().as_u8(),
            key: h.masking_key().map(|k| k.to_bytes()),
            len: h.payload_len(),
        }
    }
}

/// Something the stream produced, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A complete frame with its unmasked payload (the reference, and a
    /// `Receiver<0>` with header events, whose pieces split at frames).
    Frame(Fields, Vec<u8>),
    /// A frame header (a `Receiver<N>`, `N > 0`, with header events: its
    /// data payload is not seen frame by frame).
    Header(Fields),
    /// A complete data message: its opcode, RSV1 under permessage-deflate,
    /// and its bytes (pieces joined).
    Message {
        opcode: u8,
        compressed: bool,
        payload: Vec<u8>,
    },
    /// A Ping and its payload.
    Ping(Vec<u8>),
    /// A Pong and its payload.
    Pong(Vec<u8>),
    /// A valid Close: code and reason bytes.
    Close { code: Option<u16>, reason: Vec<u8> },
}

/// How the stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The first error; terminal. The byte that decides it is in
    /// `stream[at..upto]`: the input of the call that reported it (the
    /// reference and a byte-at-a-time run know the byte: `upto == at + 1`).
    Failed {
        error: Error,
        at: usize,
        upto: usize,
    },
    /// The input ran out: bytes still needed for the current header or
    /// payload (0 at a frame boundary) and, where it is seen, the frame in
    /// progress with its data payload so far (a control frame's payload is
    /// only seen whole: empty here).
    Open {
        needed: u64,
        partial: Option<(Fields, Vec<u8>)>,
    },
    /// The peer's Close arrived; what followed was ignored.
    Closed,
}

/// Everything a stream produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub records: Vec<Record>,
    pub end: End,
}

impl Trace {
    /// The frame-layer records: headers and frames.
    #[must_use]
    pub fn frames(&self) -> Vec<Record> {
        self.records
            .iter()
            .filter(|r| matches!(r, Record::Frame(..)))
            .cloned()
            .collect()
    }

    /// The header fields of every frame (from `Frame` or `Header` records).
    #[must_use]
    pub fn headers(&self) -> Vec<Fields> {
        self.records
            .iter()
            .filter_map(|r| match r {
                Record::Frame(f, _) | Record::Header(f) => Some(*f),
                _ => None,
            })
            .collect()
    }

    /// What every receiver shows: messages, control frames and the verdict,
    /// without frame records and the partial frame.
    #[must_use]
    pub fn messages(&self) -> Trace {
        Trace {
            records: self
                .records
                .iter()
                .filter(|r| !matches!(r, Record::Frame(..) | Record::Header(..)))
                .cloned()
                .collect(),
            end: match &self.end {
                End::Open { needed, .. } => End::Open {
                    needed: *needed,
                    partial: None,
                },
                other => other.clone(),
            },
        }
    }

    /// Asserts that `self` and `other` are the same stream's trace: the same
    /// records and end, and for an error the same variant, reported in calls
    /// whose inputs both hold the deciding byte (compare with a run that knows
    /// the byte to check the byte).
    ///
    /// # Panics
    /// If they differ.
    pub fn assert_agrees(&self, other: &Trace, what: &str) {
        assert_eq!(self.records, other.records, "records: {what}");
        match (&self.end, &other.end) {
            (
                End::Failed {
                    error: a,
                    at: a0,
                    upto: a1,
                },
                End::Failed {
                    error: b,
                    at: b0,
                    upto: b1,
                },
            ) => {
                assert_eq!(a, b, "error: {what}");
                assert!(
                    a0.max(b0) < a1.min(b1),
                    "{a:?} reported at bytes {a0}..{a1} and {b0}..{b1}: {what}"
                );
            }
            (a, b) => assert_eq!(a, b, "end: {what}"),
        }
    }
}

impl Trace {
    /// Asserts that `self`, from `read_slice`, agrees with `read`'s trace of
    /// the same stream (both without frame records: see [`Trace::messages`]).
    /// `read_slice` consumes whole frames only, so a payload rule (UTF-8, a
    /// Close code or reason) is judged once its frame is whole: where the
    /// stream ends inside that frame, `read` has the error and `read_slice`
    /// still waits for the rest.
    ///
    /// # Panics
    /// If they differ otherwise.
    pub fn assert_slice_agrees(&self, read: &Trace, what: &str) {
        let (slice, read) = (self.messages(), read.messages());
        if let (
            End::Open { needed, .. },
            End::Failed {
                error: Error::InvalidUtf8 | Error::InvalidCloseCode | Error::InvalidCloseReason,
                ..
            },
        ) = (&slice.end, &read.end)
        {
            assert!(*needed > 0, "read_slice at a frame boundary: {what}");
            assert_eq!(slice.records, read.records, "records: {what}");
            return;
        }
        slice.assert_agrees(&read, what);
    }
}

/// How a receiver is driven.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `with_header_events()`: `Header` events, and with `N = 0` frame records.
    pub header_events: bool,
    /// Call `reply()` after every event and error, and check what it writes.
    pub replies: bool,
}

impl Options {
    pub const PLAIN: Options = Options {
        header_events: false,
        replies: false,
    };
    pub const HEADERS: Options = Options {
        header_events: true,
        replies: false,
    };
}

/// With header events, the event of a frame with an empty payload (an
/// empty final data frame's piece or message, an empty Ping, Pong or Close)
/// is not handed out in the call that brings its last byte: that call
/// returns the `Header` event with every byte used, so the documented loop
/// (`while at < input.len()`) ends and the event waits for the next call;
/// so does an error the frame's end decides (an empty final fragment after
/// text cut inside a code point: 1007 at the header's last byte).
/// `tests/regressions.rs::empty_*_after_its_header_event` shows it. It is
/// the documented contract now (`Receiver::with_header_events`: read until
/// `None`), so the driver reads once more with an empty input after each
/// input piece, which hands the event out.
pub const DRAIN_AFTER_HEADER_EVENTS: bool = true;

/// The masking key the driver passes to `reply` in the Client and Any roles.
const REPLY_KEY: [u8; 4] = [0xA5, 0x01, 0x7E, 0xC3];

/// Turns events into records and checks each event on its own.
struct Collector<const N: usize> {
    opts: Options,
    limit: u64,
    records: Vec<Record>,
    /// The frame in progress (only `N = 0` with header events).
    frame: Option<(Fields, Vec<u8>)>,
    /// The data message in progress (only `N = 0`).
    message: Option<(Opcode, bool, Vec<u8>)>,
    closed: bool,
}

/// Whether `bytes` can still be completed to valid UTF-8.
#[must_use]
pub fn utf8_prefix_ok(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

impl<const N: usize> Collector<N> {
    fn new(config: &Config, opts: Options) -> Self {
        Collector {
            opts,
            limit: Receiver::<N>::with_buffer(*config).message_limit(),
            records: Vec::new(),
            frame: None,
            message: None,
            closed: false,
        }
    }

    fn push_message(&mut self, opcode: Opcode, compressed: bool, payload: &[u8]) {
        assert!(
            matches!(opcode, Opcode::Text | Opcode::Binary),
            "{opcode:?}"
        );
        assert!(payload.len() as u64 <= self.limit, "message over the limit");
        if opcode == Opcode::Text && !compressed {
            assert!(std::str::from_utf8(payload).is_ok(), "invalid text");
        }
        self.records.push(Record::Message {
            opcode: opcode.as_u8(),
            compressed,
            payload: payload.to_vec(),
        });
    }

    /// A control frame's payload completes the frame in progress.
    fn control(&mut self, opcode: Opcode, payload: &[u8]) {
        assert!(payload.len() <= 125);
        if !(self.opts.header_events && N == 0) {
            return;
        }
        match self.frame.take() {
            Some((f, _)) => {
                assert_eq!(f.opcode, opcode.as_u8(), "control event of another frame");
                assert_eq!(f.len, payload.len() as u64, "control payload length");
                self.records.push(Record::Frame(f, payload.to_vec()));
            }
            None => panic!("control event without a header"),
        }
    }

    fn event(&mut self, event: &Event<'_>) {
        assert!(!self.closed, "event after the peer's Close");
        match *event {
            Event::Header(h) => {
                assert!(self.opts.header_events, "header event not asked for");
                assert!(self.frame.is_none(), "header inside a frame");
                let f = Fields::from(&h);
                if N > 0 {
                    self.records.push(Record::Header(f));
                } else if f.len == 0 && f.opcode < 8 && !f.fin {
                    // No event follows an empty non-final data frame.
                    self.records.push(Record::Frame(f, Vec::new()));
                } else {
                    // Its piece or control event completes it (an empty
                    // final fragment may still fail the message).
                    self.frame = Some((f, Vec::new()));
                }
            }
            Event::Piece(p) => {
                assert_eq!(N, 0, "piece from a buffered receiver");
                assert!(!p.payload.is_empty() || p.last, "empty piece");
                if self.opts.header_events {
                    let complete = match self.frame.as_mut() {
                        Some((f, bytes)) => {
                            assert!(f.opcode < 8, "piece inside a control frame");
                            bytes.extend_from_slice(p.payload);
                            assert!(bytes.len() as u64 <= f.len, "payload overrun");
                            bytes.len() as u64 == f.len
                        }
                        None => panic!("piece outside a frame"),
                    };
                    if complete {
                        let (f, bytes) = self.frame.take().unwrap();
                        assert_eq!(f.fin, p.last, "last piece and FIN differ");
                        self.records.push(Record::Frame(f, bytes));
                    } else if self.frame.is_some() {
                        assert!(!p.last, "last piece inside a frame");
                    }
                }
                if p.first {
                    assert!(self.message.is_none(), "first piece inside a message");
                    self.message = Some((p.opcode, p.compressed, Vec::new()));
                }
                let Some((opcode, compressed, bytes)) = self.message.as_mut() else {
                    panic!("piece without a first piece");
                };
                assert_eq!((p.opcode, p.compressed), (*opcode, *compressed));
                bytes.extend_from_slice(p.payload);
                assert!(bytes.len() as u64 <= self.limit, "message over the limit");
                if *opcode == Opcode::Text && !*compressed {
                    assert!(utf8_prefix_ok(bytes), "invalid UTF-8 handed out");
                }
                if p.last {
                    let (opcode, compressed, bytes) = self.message.take().unwrap();
                    self.push_message(opcode, compressed, &bytes);
                }
            }
            Event::Text(t) => {
                assert!(N > 0);
                self.push_message(Opcode::Text, false, t.as_bytes());
            }
            Event::Binary(b) => {
                assert!(N > 0);
                self.push_message(Opcode::Binary, false, b);
            }
            Event::Compressed { opcode, payload } => {
                assert!(N > 0);
                self.push_message(opcode, true, payload);
            }
            Event::Ping(p) => {
                self.control(Opcode::Ping, p);
                self.records.push(Record::Ping(p.to_vec()));
            }
            Event::Pong(p) => {
                self.control(Opcode::Pong, p);
                self.records.push(Record::Pong(p.to_vec()));
            }
            Event::Close { code, reason } => {
                let mut body = code.map_or(Vec::new(), |c| c.as_u16().to_be_bytes().to_vec());
                body.extend_from_slice(reason.as_bytes());
                self.control(Opcode::Close, &body);
                if let Some(c) = code {
                    assert!(c.is_allowed_on_wire(), "Close {c:?} accepted");
                } else {
                    assert!(reason.is_empty());
                }
                self.records.push(Record::Close {
                    code: code.map(CloseCode::as_u16),
                    reason: reason.as_bytes().to_vec(),
                });
                self.closed = true;
            }
            _ => panic!("unknown event {event:?}"),
        }
    }

    fn open_end(self, needed: u64) -> Trace {
        let end = if self.closed {
            assert_eq!(needed, 0);
            End::Closed
        } else {
            End::Open {
                needed,
                partial: self.frame,
            }
        };
        Trace {
            records: self.records,
            end,
        }
    }
}

/// The frame `reply` wrote, parsed back as the peer (the opposite role)
/// reads it: opcode and unmasked payload.
fn parse_reply(config: &Config, out: &[u8]) -> (Opcode, Vec<u8>) {
    let peer = match config.role() {
        Role::Server => Config::client(),
        Role::Client => Config::server(),
        Role::Any => Config::new(Role::Any),
    };
    let Ok(Status::Complete((h, used))) = FrameHeader::parse(out, &peer) else {
        panic!("reply {out:02x?} does not parse as {:?}", peer.role());
    };
    assert!(h.fin() && h.rsv() == 0, "reply {h:?}");
    assert_eq!(
        used as u64 + h.payload_len(),
        out.len() as u64,
        "reply length"
    );
    // Server: never masked. Client and Any (given a key): masked with it.
    let key = (config.role() != Role::Server).then(|| MaskingKey::new(REPLY_KEY));
    assert_eq!(h.masking_key(), key, "reply masking key");
    let mut payload = out[used..].to_vec();
    h.unmask(&mut payload);
    (h.opcode(), payload)
}

/// Calls `reply` and checks that it writes what `event` made due.
fn check_reply<const N: usize>(rx: &mut Receiver<N>, config: &Config, due: Option<&Record>) {
    let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
    let key = Some(MaskingKey::new(REPLY_KEY));
    let n = rx.reply(key, &mut out).expect("reply");
    match due {
        Some(Record::Ping(p)) => {
            assert_eq!(parse_reply(config, &out[..n]), (Opcode::Pong, p.clone()));
        }
        Some(Record::Close { code, .. }) => {
            let body = code.map_or(Vec::new(), |c| c.to_be_bytes().to_vec());
            assert_eq!(parse_reply(config, &out[..n]), (Opcode::Close, body));
            assert_eq!(rx.state(), State::Closed);
        }
        _ => assert_eq!(n, 0, "reply {:02x?} with nothing due", &out[..n]),
    }
    assert_eq!(rx.reply(key, &mut out), Ok(0), "a second reply");
}

/// Checks that `e` is terminal in `rx`, and its reply.
fn check_failed<const N: usize>(rx: &mut Receiver<N>, config: &Config, e: Error, opts: Options) {
    check_error(e);
    assert_eq!(rx.state(), State::Failed(e));
    assert_eq!(rx.needed(), 0);
    assert_eq!(rx.read(&mut [0x81, 0x80, 0, 0, 0, 0]), Err(e));
    assert_eq!(rx.read(&mut []), Err(e));
    assert_eq!(rx.read_slice(&mut [0x88, 0x00]), Err(e));
    if opts.replies {
        let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        let key = Some(MaskingKey::new(REPLY_KEY));
        let n = rx.reply(key, &mut out).expect("reply to an error");
        let (opcode, body) = parse_reply(config, &out[..n]);
        assert_eq!(opcode, Opcode::Close);
        assert_eq!(body[..2], e.close_code().as_u16().to_be_bytes());
        assert!(std::str::from_utf8(&body[2..]).is_ok());
        assert_eq!(rx.reply(key, &mut out), Ok(0), "an error answered twice");
        assert_eq!(rx.read(&mut [0x82, 0x00]), Err(e));
    }
}

fn new_receiver<const N: usize>(config: &Config, opts: Options) -> Receiver<N> {
    let rx = Receiver::<N>::with_buffer(*config);
    if opts.header_events {
        rx.with_header_events()
    } else {
        rx
    }
}

/// Runs `chunks` (one stream, cut anywhere) through a `Receiver<N>` with
/// the documented `read` loop, checking each event, that errors are
/// terminal, that the receiver never claims more bytes than it was given,
/// that a piece is the caller's own bytes, and (`opts.replies`) what
/// `reply` writes.
///
/// # Panics
/// On a broken property.
#[must_use]
pub fn run<'c, const N: usize>(
    config: &Config,
    chunks: impl IntoIterator<Item = &'c [u8]>,
    opts: Options,
) -> Trace {
    let mut rx = new_receiver::<N>(config, opts);
    let mut c = Collector::<N>::new(config, opts);
    let mut offset = 0;
    // Where the header event of an empty frame's header ended, in the call
    // just before.
    let mut held: Option<usize> = None;
    for chunk in chunks {
        let mut buf = chunk.to_vec();
        let mut at = 0;
        let mut calls = 0usize;
        // The documented loop, then (see `DRAIN_AFTER_HEADER_EVENTS`) one
        // more call with an empty input while it still hands out events.
        loop {
            let drain = at == buf.len();
            if drain && !(opts.header_events && DRAIN_AFTER_HEADER_EVENTS) {
                break;
            }
            calls += 1;
            assert!(calls <= 2 * buf.len() + 8, "receiver makes no progress");
            let rest = &mut buf[at..];
            let (base, rest_len) = (rest.as_ptr() as usize, rest.len());
            let (used, event) = match rx.read(rest) {
                Ok(v) => v,
                Err(e) => {
                    check_failed(&mut rx, config, e, opts);
                    // After an empty frame's header event, the next call
                    // reports what the frame's end (the header's last byte)
                    // decided (see `DRAIN_AFTER_HEADER_EVENTS`).
                    let (at, upto) = match held {
                        Some(end) => (end - 1, end),
                        None => (offset + at, offset + buf.len()),
                    };
                    return Trace {
                        records: c.records,
                        end: End::Failed { error: e, at, upto },
                    };
                }
            };
            assert!(used <= rest_len, "consumed {used} of {rest_len}");
            at += used;
            held = match &event {
                Some(Event::Header(h))
                    if h.payload_len() == 0 && (h.fin() || h.opcode().is_control()) =>
                {
                    Some(offset + at)
                }
                _ => None,
            };
            let Some(event) = event else {
                assert_eq!(at, buf.len(), "None before the input was used up");
                break;
            };
            if drain {
                assert_eq!(used, 0);
            }
            if let Event::Piece(p) = &event {
                // Zero-copy: the piece is the caller's input, unmasked in place.
                let start = p.payload.as_ptr() as usize;
                assert!(
                    p.payload.is_empty()
                        || (start >= base && start + p.payload.len() <= base + rest_len),
                    "piece outside the input"
                );
            }
            let before = c.records.len();
            c.event(&event);
            if opts.replies {
                let due = c.records.last().filter(|_| c.records.len() > before);
                check_reply(&mut rx, config, due);
            }
            if c.closed {
                // Nothing after the Close is read.
                let mut tail = buf[at..].to_vec();
                let len = tail.len();
                assert_eq!(rx.read(&mut tail), Ok((len, None)));
                assert_eq!(rx.needed(), 0);
            }
        }
        offset += buf.len();
    }
    let needed = rx.needed();
    match rx.state() {
        State::Open => assert!(!c.closed),
        State::CloseReceived(code) => {
            assert!(c.closed && !opts.replies);
            assert!(
                matches!(c.records.last(), Some(Record::Close { code: c, .. }) if *c == code.map(CloseCode::as_u16))
            );
        }
        State::Closed => assert!(c.closed && opts.replies),
        other => panic!("state {other:?} at the end"),
    }
    c.open_end(needed)
}

/// `read_slice` judges a header's message rules (1009 over the message
/// limit, 1002 for a continuation without a message, a new message inside
/// one, a 1-byte Close body, RSV1 misplaced) only while the header is cut
/// before its end: once the whole header is in, it answers `Partial` for
/// the payload and the error waits until the whole frame has arrived (a
/// codec buffers all of an oversized frame before rejecting it). See
/// `tests/regressions.rs::read_slice_*`. Fixed in `read_slice`; when set,
/// the driver takes, on a `Partial`, the error that `read` gives on the same
/// bytes when it is one of those rules and the header is whole (a payload
/// rule, judged once the frame is whole, is not a finding). Set to `false`
/// to see the finding.
pub const READ_SLICE_HEADER_RULES_WORKAROUND: bool = false;

/// The header rule `read` reports where `read_slice` said `Partial` (see
/// [`READ_SLICE_HEADER_RULES_WORKAROUND`]).
fn header_rule_held_back<const N: usize>(rx: &Receiver<N>, buf: &[u8]) -> Option<Error> {
    if !READ_SLICE_HEADER_RULES_WORKAROUND {
        return None;
    }
    let mut probe = rx.clone();
    let mut copy = buf.to_vec();
    let mut at = 0;
    while at < copy.len() {
        match probe.read(&mut copy[at..]) {
            Ok((used, _)) => at += used,
            Err(
                e @ (Error::MessageTooBig
                | Error::UnexpectedContinuation
                | Error::ExpectedContinuation
                | Error::CloseBodyTooShort
                | Error::MisplacedCompressionBit),
            ) => {
                // Only the frame at the start, whole header, payload not in.
                let Ok(Status::Complete((h, n))) = FrameHeader::parse(buf, rx.config()) else {
                    panic!("{e:?} from read where read_slice is Partial on {buf:02x?}");
                };
                assert!(at <= n && (n as u64 + h.payload_len()) > buf.len() as u64);
                return Some(e);
            }
            Err(_) => return None,
        }
    }
    None
}

/// Runs the same stream through `read_slice` as a codec does: each chunk is
/// appended to a buffer, whole frames are consumed from its front, the rest
/// waits for more. Returns the trace; an error's range is the buffer of
/// the call that reported it (a payload rule is reported once the frame
/// is whole, so the deciding byte may come before the last one received).
///
/// # Panics
/// On a broken property.
#[must_use]
pub fn run_slice<'c, const N: usize>(
    config: &Config,
    chunks: impl IntoIterator<Item = &'c [u8]>,
    opts: Options,
) -> Trace {
    let mut rx = new_receiver::<N>(config, opts);
    let mut c = Collector::<N>::new(config, opts);
    let mut buf: Vec<u8> = Vec::new();
    let mut consumed = 0;
    let mut needed = 0;
    let mut held: Option<usize> = None;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        // At most two calls a frame (its header event, then the rest), and
        // a frame has at least 2 bytes.
        let bound = buf.len() + 8;
        let mut calls = 0usize;
        loop {
            calls += 1;
            assert!(calls <= bound, "read_slice makes no progress");
            let len = buf.len();
            let before = c.records.len();
            let used = match rx.read_slice(&mut buf) {
                Err(e) => {
                    check_failed(&mut rx, config, e, opts);
                    // As in `run`: after an empty frame's header event.
                    let (at, upto) = match held {
                        Some(end) => (end - 1, end),
                        None => (consumed, consumed + len),
                    };
                    return Trace {
                        records: c.records,
                        end: End::Failed { error: e, at, upto },
                    };
                }
                Ok(Status::Partial { needed: n }) => {
                    if let Some(e) = header_rule_held_back(&rx, &buf) {
                        return Trace {
                            records: c.records,
                            end: End::Failed {
                                error: e,
                                at: consumed,
                                upto: consumed + len,
                            },
                        };
                    }
                    // An empty buffer is at a frame boundary.
                    needed = if len == 0 { 0 } else { n.get() as u64 };
                    break;
                }
                Ok(Status::Complete((used, event))) => {
                    assert!(used <= len, "consumed {used} of {len}");
                    held = match &event {
                        Some(Event::Header(h))
                            if h.payload_len() == 0 && (h.fin() || h.opcode().is_control()) =>
                        {
                            Some(consumed + used)
                        }
                        _ => None,
                    };
                    if let Some(event) = &event {
                        c.event(event);
                    } else if used == 0 && !matches!(rx.state(), State::Open | State::CloseSent) {
                        // Closed: every call is (0, None) on an empty buffer.
                        break;
                    }
                    // Open, (0, None) took an empty non-final frame's payload
                    // (after its header event): call again.
                    used
                }
            };
            buf.drain(..used);
            consumed += used;
            needed = 0;
            if opts.replies {
                let due = c.records.last().filter(|_| c.records.len() > before);
                check_reply(&mut rx, config, due);
            }
        }
    }
    if c.closed {
        return Trace {
            records: c.records,
            end: End::Closed,
        };
    }
    Trace {
        records: c.records,
        end: End::Open {
            needed,
            partial: None,
        },
    }
}

/// Cuts `data` into pieces whose lengths cycle through `lens` (a length of
/// 0 gives an empty piece); a cycle that makes no progress ends with the
/// rest in one piece.
#[must_use]
pub fn cut<'d>(data: &'d [u8], lens: &[u8]) -> Vec<&'d [u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    if lens.is_empty() || lens.iter().all(|&l| l == 0) {
        pieces.extend(lens.iter().map(|_| &data[..0]));
        pieces.push(data);
        return pieces;
    }
    for &len in lens.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(usize::from(len).min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// Every error is one of the three close codes a peer fault can call for.
///
/// # Panics
/// If not.
pub fn check_error(e: Error) {
    let code = e.close_code().as_u16();
    assert!(
        matches!(code, 1002 | 1007 | 1009),
        "{e:?} has close code {code}"
    );
    assert!(!e.as_str().is_empty() && !e.rfc_section().is_empty() && !e.name().is_empty());
}
