//! The report of the raw-bytes inspector: decodes one direction of a
//! connection through the crate's `Receiver` and prints every frame, message
//! and the verdict, as text or JSON records (the stable contract of
//! `wsframe-inspect raw` and `examples/inspect`, which both use this file:
//! the example includes it by path, so the two cannot drift apart).

use std::fmt::Write as _;
use std::io::Write;

use wsframe::{CloseCode, Config, Error, Event, Frame, FrameHeader, Receiver, Status};

/// What the report judges: the receiver's configuration, the frame layer
/// alone or not, and the piece size the input is fed in.
#[allow(clippy::struct_excessive_bools)] // one per flag
pub(crate) struct Options {
    pub(crate) config: Config,
    pub(crate) frames_only: bool,
    pub(crate) chunk: Option<usize>,
}

pub(crate) fn decode_hex(text: &[u8]) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text
        .iter()
        .copied()
        // `is_ascii_whitespace` leaves out the vertical tab.
        .filter(|&b| !(b.is_ascii_whitespace() || b == 0x0b))
        .collect();
    if !digits.len().is_multiple_of(2) {
        return Err("--hex: odd number of hex digits".into());
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| {
                    format!("--hex: not a hex byte: {:?}", String::from_utf8_lossy(pair))
                })
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Every other control character (C0, DEL, C1), and the two
            // characters some line readers split at: one record per line.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn opcode_name(op: u8) -> &'static str {
    match op {
        0x0 => "continuation",
        0x1 => "text",
        0x2 => "binary",
        0x8 => "close",
        0x9 => "ping",
        0xA => "pong",
        _ => "reserved",
    }
}

fn code_name(code: u16) -> &'static str {
    match code {
        1002 => "Protocol Error",
        1007 => "Invalid Frame Payload Data",
        1009 => "Message Too Big",
        _ => "",
    }
}

/// How the input ended.
enum Verdict {
    Complete,
    Incomplete(u64),
    Closed { ignored: usize },
    Failed { offset: usize, error: Error },
}

/// Prints records as the stream is decoded.
struct Printer {
    json: bool,
    payload_hex: bool,
    out: std::io::BufWriter<std::io::Stdout>,
}

impl Printer {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    fn frame(&mut self, offset: usize, h: &FrameHeader, payload: &[u8]) {
        let op = h.opcode().as_u8();
        if self.json {
            let mut s = format!(
                "{{\"type\":\"frame\",\"offset\":{offset},\"fin\":{},\"rsv\":{},\"opcode\":{op},\"masked\":{},\"payload_len\":{}",
                h.fin(),
                h.rsv(),
                h.is_masked(),
                h.payload_len()
            );
            if self.payload_hex {
                let _ = write!(s, ",\"payload_hex\":\"{}\"", hex(payload));
            }
            s.push('}');
            self.line(&s);
        } else {
            let mut s = format!(
                "frame    @{offset:<6} {:<12} fin={} rsv={} masked={} len={}",
                opcode_name(op),
                u8::from(h.fin()),
                h.rsv(),
                u8::from(h.is_masked()),
                h.payload_len()
            );
            if self.payload_hex {
                let _ = write!(s, " payload={}", hex(payload));
            }
            self.line(&s);
        }
    }

    fn message(&mut self, opcode: u8, payload: &[u8]) {
        if self.json {
            let mut s = format!(
                "{{\"type\":\"message\",\"opcode\":{opcode},\"payload_len\":{}",
                payload.len()
            );
            if self.payload_hex {
                let _ = write!(s, ",\"payload_hex\":\"{}\"", hex(payload));
            }
            s.push('}');
            self.line(&s);
        } else {
            let mut s = format!("message  {:<20} len={}", opcode_name(opcode), payload.len());
            if self.payload_hex {
                let _ = write!(s, " payload={}", hex(payload));
            } else if opcode == 1 && payload.len() <= 60 {
                let _ = write!(s, " {:?}", String::from_utf8_lossy(payload));
            }
            self.line(&s);
        }
    }

    fn close(&mut self, code: Option<u16>, reason: &str) {
        if self.json {
            let code = code.map_or_else(|| "null".to_string(), |c| c.to_string());
            self.line(&format!(
                "{{\"type\":\"close\",\"code\":{code},\"reason\":{}}}",
                json_string(reason)
            ));
        } else {
            let code = code.map_or_else(|| "none".to_string(), |c| c.to_string());
            self.line(&format!("close    code={code} reason={reason:?}"));
        }
    }

    fn verdict(&mut self, verdict: &Verdict) {
        match (self.json, verdict) {
            (true, Verdict::Complete) => self.line("{\"type\":\"end\",\"status\":\"complete\"}"),
            (true, Verdict::Incomplete(n)) => {
                self.line(&format!("{{\"type\":\"end\",\"status\":\"incomplete\",\"needed\":{n}}}"));
            }
            (true, Verdict::Closed { ignored }) => self.line(&format!(
                "{{\"type\":\"end\",\"status\":\"closed\",\"ignored_bytes\":{ignored}}}"
            )),
            (true, Verdict::Failed { offset, error: e }) => self.line(&format!(
                "{{\"type\":\"error\",\"offset\":{offset},\"close_code\":{},\"kind\":\"{}\",\"layer\":\"{}\",\"rfc\":{},\"description\":{},\"remedy\":{}}}",
                e.close_code().as_u16(),
                e.name(),
                e.layer().as_str(),
                json_string(e.rfc_section()),
                json_string(e.as_str()),
                json_string(e.remedy())
            )),
            (false, Verdict::Complete) => self.line("end      complete: the input ends at a frame boundary"),
            (false, Verdict::Incomplete(n)) => {
                self.line(&format!("end      incomplete: {n} more byte(s) needed"));
            }
            (false, Verdict::Closed { ignored }) => {
                self.line(&format!("end      closed: {ignored} byte(s) after the Close frame ignored"));
            }
            (false, Verdict::Failed { offset, error: e }) => {
                let code = e.close_code().as_u16();
                self.line(&format!(
                    "error    @{offset}: close with {code} {} ({} layer)",
                    code_name(code),
                    e.layer().as_str()
                ));
                self.line(&format!("  rule:   {} ({}, {})", e.as_str(), e.rfc_section(), e.rfc_url()));
                self.line(&format!("  cause:  {}", e.cause()));
                self.line(&format!("  remedy: {}", e.remedy()));
            }
        }
    }
}

/// Decodes `input` fed `chunk` bytes at a time, printing as it goes.
fn inspect(input: &[u8], o: &Options, p: &mut Printer) -> Verdict {
    if o.frames_only {
        return frames_only(input, &o.config, p);
    }
    // N = 0: data messages come as pieces, which are the frames' payloads.
    let mut rx = Receiver::new(o.config).with_header_events();
    let mut frame_start = 0usize;
    let mut header: Option<FrameHeader> = None;
    let mut frame_payload: Vec<u8> = Vec::new();
    let mut message: Vec<u8> = Vec::new();
    let mut pos = 0usize; // absolute offset of the next unconsumed byte
    let chunk = o.chunk.unwrap_or(usize::MAX).min(input.len()).max(1);
    let mut buf = vec![0u8; chunk];
    for piece in input.chunks(chunk) {
        let buf = &mut buf[..piece.len()];
        buf.copy_from_slice(piece);
        let mut at = 0;
        // Until `None`, even once the piece is used up: after a header
        // event, the event of an empty payload needs no more bytes.
        loop {
            let (used, event) = match rx.read(&mut buf[at..]) {
                Ok(step) => step,
                Err(error) => {
                    return Verdict::Failed {
                        offset: frame_start,
                        error,
                    }
                }
            };
            at += used;
            pos += used;
            let Some(event) = event else { break };
            let mut message_end = None;
            let mut close = None;
            match event {
                Event::Header(h) => {
                    header = Some(h);
                    frame_payload.clear();
                    // An empty data frame that ends no message brings no
                    // other event: it ends here. Any other frame ends with
                    // the event that brings its last payload byte.
                    if h.payload_len() > 0 || h.fin() || h.opcode().is_control() {
                        continue;
                    }
                }
                Event::Piece(piece) => {
                    frame_payload.extend_from_slice(piece.payload);
                    message.extend_from_slice(piece.payload);
                    if piece.last {
                        message_end = Some(piece.opcode);
                    }
                }
                Event::Ping(bytes) | Event::Pong(bytes) => frame_payload.extend_from_slice(bytes),
                Event::Close { code, reason } => {
                    // The body as on the wire, unmasked: the code, then the reason.
                    let code = code.map(CloseCode::as_u16);
                    if let Some(code) = code {
                        frame_payload.extend_from_slice(&code.to_be_bytes());
                    }
                    frame_payload.extend_from_slice(reason.as_bytes());
                    close = Some((code, reason.to_string()));
                }
                // Whole messages come only from a receiver with a buffer.
                _ => {}
            }
            let Some(h) = header.filter(|h| frame_payload.len() as u64 == h.payload_len()) else {
                continue; // the frame's payload goes on
            };
            header = None;
            p.frame(frame_start, &h, &frame_payload);
            frame_start = pos;
            if let Some(opcode) = message_end {
                p.message(opcode.as_u8(), &message);
                message.clear();
            }
            if let Some((code, reason)) = close {
                p.close(code, &reason);
                return Verdict::Closed {
                    ignored: input.len() - pos,
                };
            }
        }
    }
    match rx.needed() {
        0 => Verdict::Complete,
        n => Verdict::Incomplete(n),
    }
}

/// The frame layer alone (`--frames-only`): every frame of the whole input,
/// without message rules or close handshake. Chunking cannot change what the
/// frame rules decide, so the input is read whole.
fn frames_only(input: &[u8], config: &Config, p: &mut Printer) -> Verdict {
    let mut rest = input.to_vec();
    let mut offset = 0usize;
    while offset < input.len() {
        match Frame::parse_in_place(&mut rest[offset..], config) {
            Err(error) => return Verdict::Failed { offset, error },
            Ok(Status::Partial { needed }) => return Verdict::Incomplete(needed.get() as u64),
            Ok(Status::Complete((frame, used))) => {
                p.frame(offset, frame.header(), frame.payload());
                offset += used;
            }
        }
    }
    Verdict::Complete
}

/// Decodes `input` and prints its records and verdict to stdout.
pub(crate) fn print_report(input: &[u8], options: &Options, json: bool, payload_hex: bool) {
    let mut printer = Printer {
        json,
        payload_hex,
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let verdict = inspect(input, options, &mut printer);
    printer.verdict(&verdict);
    let _ = printer.out.flush();
}
