//! A reference decoder written from RFC 6455 (and RFC 7692 §6 for RSV1),
//! for the `differential` target: one byte at a time, no fast paths, no
//! shared code with wsframe except the `Config` it reads its settings from
//! and the `Error` names it reports.
//!
//! Each rule is checked at the byte that completes the field it is about:
//! byte 0 (RSV bits, opcode, FIN of a control frame), byte 1 (the mask bit
//! for the role), the last length byte (the 64-bit top bit, control length,
//! minimal encoding, frame limit, then the message rules of a header:
//! fragmentation §5.4, message size §10.4, RSV1 placement, a 1-byte Close
//! body §5.5.1; the masking key carries no rule), each
//! payload byte (UTF-8 §8.1 and the Close code and reason §5.5.1, §7.4) and
//! the last payload byte (a message's UTF-8 must end on a code point, a Close
//! body is not 1 byte). After a valid Close nothing more is read (§5.5.1:
//! the peer sends nothing after it; the endpoint closes).

use crate::{End, Fields, Record, Trace};
use wsframe::{Config, Error, Role};

/// The settings the reference honours, copied out of a `Config`.
#[derive(Debug, Clone, Copy)]
struct Settings {
    role: Role,
    allowed_rsv: u8,
    strict: bool,
    max_frame: u64,
    max_message: u64,
    deflate: bool,
}

/// The message in progress.
#[derive(Debug, Clone)]
struct Message {
    opcode: u8,
    len: u64,
    compressed: bool,
    /// The unmasked bytes so far.
    bytes: Vec<u8>,
    /// `bytes[..checked]` is known to be valid UTF-8 and ends on a code point
    /// (only for uncompressed text).
    checked: usize,
}

#[derive(Debug, Clone)]
struct Decoder {
    s: Settings,
    records: Vec<Record>,
    header: Vec<u8>,
    /// The whole header's length once byte 1 is in.
    header_len: Option<usize>,
    /// The frame whose payload is arriving.
    frame: Option<(Fields, Vec<u8>)>,
    message: Option<Message>,
    /// A valid Close arrived.
    closed: bool,
}

/// Close codes a peer may send (RFC 6455 §7.4.1 and §7.4.2, and the IANA
/// "WebSocket Close Code Number Registry" for 1012–1014).
fn close_code_allowed(code: u16) -> bool {
    matches!(
        code,
        1000 | 1001 | 1002 | 1003 | 1007 | 1008 | 1009 | 1010 | 1011
    ) || matches!(code, 1012 | 1013 | 1014)
        || (3000..=4999).contains(&code)
}

/// Whether `bytes` is a valid UTF-8 prefix that can still be completed.
/// `None`: it cannot (a byte that no valid UTF-8 has at that place).
/// Returns the length of the longest prefix that ends on a code point.
fn utf8_prefix(bytes: &[u8]) -> Option<usize> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Some(bytes.len()),
        Err(e) if e.error_len().is_some() => None,
        Err(e) => Some(e.valid_up_to()),
    }
}

impl Decoder {
    fn byte(&mut self, b: u8) -> Result<(), Error> {
        if let Some((fields, payload)) = self.frame.as_mut() {
            let i = payload.len();
            let plain = match fields.key {
                Some(key) => b ^ key[i % 4],
                None => b,
            };
            payload.push(plain);
            let opcode = fields.opcode;
            let done = payload.len() as u64 == fields.len;
            self.payload_byte(opcode, plain)?;
            if done {
                self.frame_end()?;
            }
            return Ok(());
        }
        self.header.push(b);
        self.header_byte()
    }

    fn header_byte(&mut self) -> Result<(), Error> {
        let h = &self.header;
        let n = h.len();
        let b0 = h[0];
        let fin = b0 & 0x80 != 0;
        let rsv = (b0 >> 4) & 0b111;
        let opcode = b0 & 0x0F;
        let control = opcode >= 8;
        if n == 1 {
            if rsv & !self.s.allowed_rsv != 0 {
                return Err(Error::ReservedBits);
            }
            if !matches!(opcode, 0x0 | 0x1 | 0x2 | 0x8 | 0x9 | 0xA) {
                return Err(Error::ReservedOpcode);
            }
            if control && !fin {
                return Err(Error::FragmentedControlFrame);
            }
            return Ok(());
        }
        let b1 = h[1];
        let masked = b1 & 0x80 != 0;
        let code = b1 & 0x7F;
        let ext = match code {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        if n == 2 {
            match (self.s.role, masked) {
                (Role::Server, false) => return Err(Error::UnmaskedClientFrame),
                (Role::Client, true) => return Err(Error::MaskedServerFrame),
                _ => {}
            }
            self.header_len = Some(2 + ext + if masked { 4 } else { 0 });
        }
        let len = if ext == 0 {
            u64::from(code)
        } else {
            h.iter()
                .skip(2)
                .take(ext)
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
        };
        if n == 2 + ext {
            if code == 127 && len >> 63 != 0 {
                return Err(Error::LengthHighBitSet);
            }
            if control && len > 125 {
                return Err(Error::ControlFrameTooLong);
            }
            let minimal = match code {
                126 => len >= 126,
                127 => len >= 0x1_0000,
                _ => true,
            };
            if self.s.strict && !minimal {
                return Err(Error::NonMinimalLength);
            }
            if len > self.s.max_frame {
                return Err(Error::FrameTooBig);
            }
            // Every field but the masking key is in: the message rules of
            // the header are decided too.
            self.message_rules(rsv, opcode, len)?;
        }
        if Some(n) != self.header_len {
            return Ok(());
        }
        // The header is complete.
        let key = if masked {
            let k = &h[2 + ext..];
            Some([k[0], k[1], k[2], k[3]])
        } else {
            None
        };
        let fields = Fields {
            fin,
            rsv,
            opcode,
            key,
            len,
        };
        self.header.clear();
        self.header_len = None;
        self.message_header(&fields);
        self.frame = Some((fields, Vec::new()));
        if len == 0 {
            self.frame_end()?;
        }
        Ok(())
    }

    /// The rules a header decides across frames, judged once its length
    /// field is in (the masking key carries no rule).
    fn message_rules(&self, rsv: u8, opcode: u8, len: u64) -> Result<(), Error> {
        let rsv1 = rsv & 0b100 != 0;
        let control = opcode >= 8;
        if self.s.deflate && rsv1 && (control || opcode == 0) {
            return Err(Error::MisplacedCompressionBit);
        }
        // A 1-byte Close body (§5.5.1) is shown by the length field.
        if opcode == 0x8 && len == 1 {
            return Err(Error::CloseBodyTooShort);
        }
        if control {
            return Ok(());
        }
        if opcode == 0 {
            let Some(m) = self.message.as_ref() else {
                return Err(Error::UnexpectedContinuation);
            };
            if u128::from(m.len) + u128::from(len) > u128::from(self.s.max_message) {
                return Err(Error::MessageTooBig);
            }
            return Ok(());
        }
        if self.message.is_some() {
            return Err(Error::ExpectedContinuation);
        }
        if len > self.s.max_message {
            return Err(Error::MessageTooBig);
        }
        Ok(())
    }

    /// Takes a whole header in (its rules passed at the length field).
    fn message_header(&mut self, f: &Fields) {
        if f.opcode >= 8 {
            return;
        }
        if f.opcode == 0 {
            if let Some(m) = self.message.as_mut() {
                m.len += f.len;
            }
            return;
        }
        self.message = Some(Message {
            opcode: f.opcode,
            len: f.len,
            compressed: self.s.deflate && f.rsv & 0b100 != 0,
            bytes: Vec::new(),
            checked: 0,
        });
    }

    fn payload_byte(&mut self, opcode: u8, b: u8) -> Result<(), Error> {
        if opcode == 0x8 {
            let body = &self.frame.as_ref().map_or(&[][..], |(_, p)| p);
            if body.len() == 2 && !close_code_allowed(u16::from_be_bytes([body[0], body[1]])) {
                return Err(Error::InvalidCloseCode);
            }
            if body.len() > 2 && utf8_prefix(&body[2..]).is_none() {
                return Err(Error::InvalidCloseReason);
            }
            return Ok(());
        }
        if opcode >= 8 {
            return Ok(());
        }
        if let Some(m) = self.message.as_mut() {
            m.bytes.push(b);
            if m.opcode == 0x1 && !m.compressed {
                let valid = utf8_prefix(&m.bytes[m.checked..]).ok_or(Error::InvalidUtf8)?;
                m.checked += valid;
            }
        }
        Ok(())
    }

    fn frame_end(&mut self) -> Result<(), Error> {
        let (fields, payload) = self.frame.take().expect("frame end outside a frame");
        // A frame is recorded once its last byte passed the rules it decides
        // (a receiver hands nothing out of a frame that fails at its end).
        let frame = Record::Frame(fields, payload.clone());
        match fields.opcode {
            0x8 => {
                if payload.len() == 1 {
                    return Err(Error::CloseBodyTooShort);
                }
                if payload.len() >= 2 && std::str::from_utf8(&payload[2..]).is_err() {
                    return Err(Error::InvalidCloseReason);
                }
                self.records.push(frame);
                self.records.push(Record::Close {
                    code: (payload.len() >= 2)
                        .then(|| u16::from_be_bytes([payload[0], payload[1]])),
                    reason: payload.get(2..).unwrap_or(&[]).to_vec(),
                });
                self.closed = true;
            }
            0x9 => self.records.extend([frame, Record::Ping(payload)]),
            0xA => self.records.extend([frame, Record::Pong(payload)]),
            _ if fields.fin => {
                let m = self.message.take().expect("data frame without a message");
                if m.opcode == 0x1 && !m.compressed && std::str::from_utf8(&m.bytes).is_err() {
                    return Err(Error::InvalidUtf8);
                }
                assert_eq!(m.bytes.len() as u64, m.len);
                self.records.push(frame);
                self.records.push(Record::Message {
                    opcode: m.opcode,
                    compressed: m.compressed,
                    payload: m.bytes,
                });
            }
            _ => self.records.push(frame),
        }
        Ok(())
    }

    fn needed(&self) -> u64 {
        if let Some((fields, payload)) = &self.frame {
            return fields.len - payload.len() as u64;
        }
        match (self.header.len(), self.header_len) {
            (0, _) => 0,
            (n, Some(total)) => (total - n) as u64,
            (n, None) => (2 - n) as u64,
        }
    }
}

/// Decodes `input` under `config`, one byte at a time: the frames, messages
/// and control frames, and the first error and the index of the byte that
/// shows it, or what the input still lacks (the frame in progress with the
/// payload so far; a control frame's payload left out, as a receiver only
/// shows it whole), or that a Close ended the reading.
#[must_use]
pub fn decode(config: &Config, input: &[u8]) -> Trace {
    let mut d = Decoder {
        s: Settings {
            role: config.role(),
            allowed_rsv: config.allowed_rsv(),
            strict: config.strict_length(),
            max_frame: config.max_frame_payload(),
            max_message: config.max_message_len(),
            deflate: config.allowed_rsv() & 0b100 != 0,
        },
        records: Vec::new(),
        header: Vec::new(),
        header_len: None,
        frame: None,
        message: None,
        closed: false,
    };
    for (i, &b) in input.iter().enumerate() {
        if d.closed {
            break;
        }
        if let Err(error) = d.byte(b) {
            return Trace {
                records: d.records,
                end: End::Failed {
                    error,
                    at: i,
                    upto: i + 1,
                },
            };
        }
    }
    if d.closed {
        return Trace {
            records: d.records,
            end: End::Closed,
        };
    }
    let needed = d.needed();
    let partial = d.frame.map(|(f, payload)| {
        let seen = if f.opcode >= 8 { Vec::new() } else { payload };
        (f, seen)
    });
    Trace {
        records: d.records,
        end: End::Open { needed, partial },
    }
}
