//! Shared code of the wsframe fuzz targets: the configuration taken from the
//! first input bytes, the trace of a stream through `Decoder` and
//! `MessageValidator`, and the byte-at-a-time reference decoder.

pub mod reference;

use wsframe::{
    Config, Decoder, Error, Event, FrameHeader, MessageValidator, Outcome, PendingHeader, Role,
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
    /// A complete frame (frame layer) with its unmasked payload.
    Frame(Fields, Vec<u8>),
    /// A complete data message (message layer).
    Message {
        opcode: u8,
        len: u64,
        compressed: bool,
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
    /// The first error; terminal.
    Failed(Error),
    /// The input ran out: bytes still needed for the current header or
    /// payload (0 at a frame boundary) and the frame in progress, with the
    /// payload bytes seen so far.
    Open {
        needed: u64,
        partial: Option<(Fields, Vec<u8>)>,
    },
}

/// Everything a stream produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub records: Vec<Record>,
    pub end: End,
}

impl Trace {
    /// Only the frame-layer records.
    #[must_use]
    pub fn frames(&self) -> Vec<Record> {
        self.records
            .iter()
            .filter(|r| matches!(r, Record::Frame(..)))
            .cloned()
            .collect()
    }
}

fn outcome_record(o: &Outcome<'_>) -> Record {
    match *o {
        Outcome::Message {
            opcode,
            len,
            compressed,
        } => Record::Message {
            opcode: opcode.as_u8(),
            len,
            compressed,
        },
        Outcome::Ping(p) => Record::Ping(p.to_vec()),
        Outcome::Pong(p) => Record::Pong(p.to_vec()),
        Outcome::Close { code, reason } => Record::Close {
            code: code.map(|c| c.as_u16()),
            reason: reason.as_bytes().to_vec(),
        },
    }
}

/// Runs `chunks` (one stream, cut anywhere) through a `Decoder` and, if
/// `messages`, a `MessageValidator`, checking on the way that errors are
/// terminal and that the decoder never claims more bytes than it was given.
///
/// # Panics
/// On a broken property.
#[must_use]
pub fn run_wsframe<'c>(
    config: &Config,
    chunks: impl IntoIterator<Item = &'c [u8]>,
    messages: bool,
) -> Trace {
    let mut decoder = Decoder::new(*config);
    let mut validator = MessageValidator::new(config);
    let mut records = Vec::new();
    let mut current: Option<(Fields, Vec<u8>)> = None;
    // What `Decoder::pending_header` said at the end of the last chunk.
    let mut pending: Option<PendingHeader> = None;
    for chunk in chunks {
        let mut buf = chunk.to_vec();
        let mut at = 0;
        let mut calls = 0usize;
        loop {
            calls += 1;
            assert!(calls <= 2 * buf.len() + 8, "decoder makes no progress");
            let rest = &mut buf[at..];
            let rest_len = rest.len();
            let result = decoder.decode(rest);
            let (used, event) = match result {
                Ok(v) => v,
                Err(e) => {
                    // Terminal: the same error again, whatever comes next.
                    assert_eq!(decoder.decode(&mut [0x81, 0x80, 0, 0, 0, 0]), Err(e));
                    assert_eq!(decoder.needed(), 0);
                    return Trace {
                        records,
                        end: End::Failed(e),
                    };
                }
            };
            assert!(used <= rest_len, "consumed {used} of {rest_len}");
            at += used;
            let Some(event) = event else {
                assert_eq!(at, buf.len(), "None before the input was used up");
                // A header cut before its masking key: its message rules
                // are judged now, as a real endpoint's loop does.
                pending = decoder.pending_header();
                if let (true, Some(h)) = (messages, pending) {
                    assert!(current.is_none(), "pending header inside a frame");
                    if let Err(e) = validator.check_header(&h) {
                        assert_eq!(validator.feed(&Event::FrameEnd), Err(e));
                        assert_eq!(validator.error(), Some(e));
                        return Trace {
                            records,
                            end: End::Failed(e),
                        };
                    }
                }
                break;
            };
            match &event {
                Event::Header(h) => {
                    assert!(current.is_none(), "header inside a frame");
                    // A pending header is the header that then completes.
                    if let Some(p) = pending.take() {
                        assert_eq!(p, PendingHeader::from(h), "pending header changed");
                    }
                    current = Some((Fields::from(h), Vec::new()));
                }
                Event::Payload(p) => {
                    let (fields, payload) = current.as_mut().expect("payload outside a frame");
                    payload.extend_from_slice(p);
                    assert!(payload.len() as u64 <= fields.len, "payload overrun");
                }
                Event::FrameEnd => {
                    let (fields, payload) = current.take().expect("frame end outside a frame");
                    assert_eq!(payload.len() as u64, fields.len, "short payload");
                    records.push(Record::Frame(fields, payload));
                }
            }
            if messages {
                match validator.feed(&event) {
                    Ok(Some(o)) => records.push(outcome_record(&o)),
                    Ok(None) => {}
                    Err(e) => {
                        assert_eq!(validator.feed(&Event::FrameEnd), Err(e));
                        assert_eq!(validator.error(), Some(e));
                        return Trace {
                            records,
                            end: End::Failed(e),
                        };
                    }
                }
            }
        }
    }
    Trace {
        records,
        end: End::Open {
            needed: decoder.needed(),
            partial: current,
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
