//! The `raw` subcommand: today's `examples/inspect` (raw bytes of one
//! direction of a connection, after the HTTP handshake), with the same
//! options and the same text and JSON records, which scripts drive.
//!
//! ```text
//! wsframe-inspect raw [OPTIONS] [FILE]
//!
//! FILE               raw bytes of one direction of a connection (after the
//!                    HTTP handshake); `-` or no FILE reads stdin
//! --hex              the input is hex text (ASCII whitespace ignored)
//! --role R           server | client | any (default server: frames must be masked)
//! --max-frame N      largest frame payload (default 65536; N up to 2^63-1)
//! --max-message N    largest message (default 65536; N up to 2^63-1)
//! --lenient-length   accept non-minimal length encodings
//! --frames-only      frame layer only: no message state, does not stop at a Close
//! --chunk K          feed the input K bytes at a time (the output does not change)
//! --json             one JSON object per line
//! --payload-hex      include payloads (unmasked) as hex
//! ```
//!
//! With `--json`, one object per line:
//!
//! - `{"type":"frame","offset":O,"fin":B,"rsv":R,"opcode":N,"masked":B,"payload_len":N}`
//!   (plus `"payload_hex"` with `--payload-hex`) once a frame has passed every
//!   check in use; `offset` is where the frame starts in the input;
//! - `{"type":"message","opcode":1|2,"payload_len":N}` (plus `"payload_hex"`)
//!   when a data message completes (message layer);
//! - `{"type":"close","code":N|null,"reason":"…"}` for a valid Close frame;
//!   the input after it is ignored, and the last record is
//!   `{"type":"end","status":"closed","ignored_bytes":N}`;
//! - otherwise the last record is `{"type":"end","status":"complete"}` (the
//!   input ends at a frame boundary), `{"type":"end","status":"incomplete","needed":N}`
//!   (it ends inside a frame: N more bytes are needed to finish the current
//!   header, as far as its length is known, or the current payload), or
//!   `{"type":"error","offset":O,"close_code":C,"kind":"…","layer":"frame"|"message","rfc":"…","description":"…","remedy":"…"}`
//!   where `offset` is the start of the frame in which the error was found.
//!
//! The exit status is 0 whatever the verdict, and 2 for a usage or I/O error.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use wsframe::{CloseCode, Config, Error, Event, Frame, FrameHeader, Receiver, Role, Status};

/// The `raw` subcommand's options (the command line of `examples/inspect`).
#[derive(Debug, Clone, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // one per flag
pub struct RawArgs {
    /// Raw bytes of one direction of a connection (after the HTTP
    /// handshake); `-` or none reads stdin.
    pub file: Option<PathBuf>,
    /// The input is hex text (ASCII whitespace ignored).
    #[arg(long)]
    pub hex: bool,
    /// server (frames must be masked), client (must not be) or any.
    #[arg(long, default_value = "server", value_parser = ["server", "client", "any"])]
    pub role: String,
    /// Largest frame payload (N up to 2^63-1).
    #[arg(long, value_name = "N", default_value = "65536", value_parser = limit)]
    pub max_frame: u64,
    /// Largest message (N up to 2^63-1).
    #[arg(long, value_name = "N", default_value = "65536", value_parser = limit)]
    pub max_message: u64,
    /// Accept non-minimal length encodings.
    #[arg(long)]
    pub lenient_length: bool,
    /// Frame layer only: no message state, does not stop at a Close.
    #[arg(long)]
    pub frames_only: bool,
    /// Feed the input K bytes at a time (the output does not change).
    #[arg(long, value_name = "K", value_parser = chunk)]
    pub chunk: Option<usize>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Include payloads (unmasked) as hex.
    #[arg(long)]
    pub payload_hex: bool,
}

/// The parsed command line.
#[allow(clippy::struct_excessive_bools)] // one per flag
struct Options {
    config: Config,
    frames_only: bool,
    chunk: Option<usize>,
}

/// `text` if it is all ASCII digits (no sign, no spaces).
fn digits(text: &str) -> Option<&str> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

/// A limit: an integer from 0 to 2^63-1.
///
/// # Errors
/// A message for the user.
pub fn limit(text: &str) -> Result<u64, String> {
    digits(text)
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|&n| n <= FrameHeader::MAX_PAYLOAD_LEN)
        .ok_or_else(|| format!("expected an integer from 0 to 2^63-1, got {text:?}"))
}

fn chunk(text: &str) -> Result<usize, String> {
    let k: usize = digits(text)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| "not a positive integer".to_string())?;
    if k == 0 {
        return Err("must be at least 1".into());
    }
    Ok(k)
}

fn decode_hex(text: &[u8]) -> Result<Vec<u8>, String> {
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

/// Runs the `raw` subcommand.
#[must_use]
pub fn run(args: &RawArgs) -> ExitCode {
    let role = match args.role.as_str() {
        "client" => Role::Client,
        "any" => Role::Any,
        _ => Role::Server,
    };
    let config = Config::server()
        .with_role(role)
        .with_max_frame_payload(args.max_frame)
        .with_max_message_len(args.max_message)
        .with_strict_length(!args.lenient_length);
    let options = Options {
        config,
        frames_only: args.frames_only,
        chunk: args.chunk,
    };
    let input = args.file.as_ref().filter(|p| p.as_os_str() != "-");
    let mut raw = Vec::new();
    let read = match input {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut raw)),
        None => std::io::stdin().read_to_end(&mut raw),
    };
    if let Err(e) = read {
        let from = input.map_or_else(|| "stdin".into(), |p| p.display().to_string());
        eprintln!("wsframe-inspect raw: cannot read {from}: {e}");
        return ExitCode::from(2);
    }
    let input = if args.hex {
        match decode_hex(&raw) {
            Ok(bytes) => bytes,
            Err(msg) => {
                eprintln!("wsframe-inspect raw: {msg}");
                return ExitCode::from(2);
            }
        }
    } else {
        raw
    };
    let mut printer = Printer {
        json: args.json,
        payload_hex: args.payload_hex,
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let verdict = inspect(&input, &options, &mut printer);
    printer.verdict(&verdict);
    let _ = printer.out.flush();
    ExitCode::SUCCESS
}
