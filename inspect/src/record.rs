//! The records the capture analysis writes: one JSON object per line with
//! `--json` (the schema is in the crate docs and pinned by tests), else one
//! or more lines of text each.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

/// A direction: `"c2s"` (client to server) or `"s2c"`.
pub type Dir = &'static str;

/// One record. `type` names the variant.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// A TCP connection, once it is known what it is (first record of `conn`).
    Connection(Connection),
    /// A frame that passed every rule in use.
    Frame(Frame),
    /// A data message that completed.
    Message(Message),
    /// A valid Close frame.
    Close(Close),
    /// A rule the sender broke.
    Violation(Violation),
    /// Bytes of a stream missing from the capture.
    Gap(Gap),
    /// Something else worth knowing about a connection.
    Note(Note),
    /// How the connection went (last record of `conn`).
    Verdict(Verdict),
    /// The whole capture (the last record).
    Summary(Summary),
}

/// `{"type":"connection",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    /// Connection number, from 1 in order of first packet.
    pub conn: u64,
    /// Client address and port (a guess when `handshake` is `missing`).
    pub client: String,
    /// Server address and port (a guess when `handshake` is `missing`).
    pub server: String,
    /// First packet's time, RFC 3339 UTC.
    pub start: String,
    /// The same, seconds since the Unix epoch.
    pub start_epoch: f64,
    /// `ok`, `bad-accept`, `assumed`, `missing`, `refused`, `no-upgrade`,
    /// `not-http`, `no-data`.
    pub handshake: &'static str,
    /// Request method and path (`GET /chat`), when the request was read.
    pub request: Option<String>,
    /// Response status, when the response was read.
    pub status: Option<u16>,
    /// Negotiated subprotocol.
    pub subprotocol: Option<String>,
    /// Negotiated extensions, as the server sent them.
    pub extensions: Option<String>,
    /// permessage-deflate agreed (RSV1 allowed on a message's first frame).
    pub deflate: bool,
}

/// `{"type":"frame",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    /// Connection number.
    pub conn: u64,
    /// Seconds since the connection's first packet (when its last byte arrived).
    pub t: f64,
    /// Direction.
    pub dir: Dir,
    /// Offset of its first byte in the direction's TCP stream.
    pub offset: u64,
    /// FIN bit.
    pub fin: bool,
    /// RSV1-3 as a number (RSV1 = 4).
    pub rsv: u8,
    /// Opcode.
    pub opcode: u8,
    /// MASK bit.
    pub masked: bool,
    /// Payload length.
    pub payload_len: u64,
}

/// `{"type":"message",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// Connection number.
    pub conn: u64,
    /// Seconds since the connection's first packet, at its last byte.
    pub t: f64,
    /// Direction.
    pub dir: Dir,
    /// 1 text, 2 binary.
    pub opcode: u8,
    /// Total payload length.
    pub payload_len: u64,
    /// Number of frames.
    pub frames: u64,
    /// RSV1 under permessage-deflate (the payload is compressed).
    pub compressed: bool,
    /// The first `--preview` bytes: text as text, binary as hex (absent when 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

/// `{"type":"close",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Close {
    /// Connection number.
    pub conn: u64,
    /// Seconds since the connection's first packet.
    pub t: f64,
    /// Direction.
    pub dir: Dir,
    /// Offset of the Close frame in the stream.
    pub offset: u64,
    /// Status code (`null`: empty body).
    pub code: Option<u16>,
    /// Reason.
    pub reason: String,
}

/// The header fields of a frame as sent (decoded without judging them).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct RawFrame {
    /// FIN bit.
    pub fin: bool,
    /// RSV bits.
    pub rsv: u8,
    /// Opcode.
    pub opcode: u8,
    /// MASK bit.
    pub masked: bool,
    /// Payload length (`null` if the header is cut short).
    pub payload_len: Option<u64>,
}

/// `{"type":"violation",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// Connection number.
    pub conn: u64,
    /// Seconds since the connection's first packet, when the byte that
    /// breaks the rule arrived.
    pub t: f64,
    /// Direction.
    pub dir: Dir,
    /// `client` or `server`: who broke the rule.
    pub by: &'static str,
    /// Offset of the offending frame in the stream.
    pub offset: u64,
    /// The offending frame's header, if its first two bytes are in the capture.
    pub frame: Option<RawFrame>,
    /// `Error::name`, e.g. `frame_too_big`.
    pub kind: &'static str,
    /// The close code the other side should send.
    pub close_code: u16,
    /// `frame` or `message`.
    pub layer: &'static str,
    /// RFC section.
    pub rfc: &'static str,
    /// Link to it.
    pub rfc_url: &'static str,
    /// The rule.
    pub description: &'static str,
    /// Typical cause.
    pub cause: &'static str,
    /// Remedy.
    pub remedy: &'static str,
}

/// `{"type":"gap",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    /// Connection number.
    pub conn: u64,
    /// Seconds since the connection's first packet.
    pub t: f64,
    /// Direction.
    pub dir: Dir,
    /// Where the missing bytes start in the stream.
    pub offset: u64,
    /// How many (`null`: unknown).
    pub len: Option<u64>,
    /// Why they are missing.
    pub reason: &'static str,
    /// Whether frames after the gap are still listed (the gap fell inside
    /// a frame whose end was known).
    pub resynced: bool,
}

/// `{"type":"note",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    /// Connection number.
    pub conn: u64,
    /// Seconds since the connection's first packet.
    pub t: f64,
    /// Direction, if the note is about one.
    pub dir: Option<Dir>,
    /// A stable key, e.g. `mid-connection`, `bytes-after-close`.
    pub kind: &'static str,
    /// What happened, in a sentence.
    pub text: String,
}

/// `{"type":"verdict",...}`.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Connection number.
    pub conn: u64,
    /// Seconds from the first to the last packet.
    pub duration: f64,
    /// Frames listed client to server and server to client.
    pub frames: [u64; 2],
    /// Messages, both directions.
    pub messages: u64,
    /// Who sent the first Close frame or broke the first rule.
    pub closed_by: Option<&'static str>,
    /// That Close's code, or the code the rule calls for.
    pub close_code: Option<u16>,
    /// That Close's reason.
    pub close_reason: Option<String>,
    /// The other side's Close code, if it sent one after.
    pub answer_code: Option<u16>,
    /// A stable key: `clean`, `close-unanswered`, `violation-answered`,
    /// `violation-wrong-code`, `violation-unanswered`, `no-close`, `open`,
    /// `not-websocket`, `no-handshake`, `lost`.
    pub outcome: &'static str,
    /// Whether the outcome is what RFC 6455 §7 asks of both sides.
    pub as_rfc: bool,
    /// Who closed the TCP connection first (`null`: neither, or unknown).
    pub tcp_closed_first: Option<&'static str>,
    /// The verdict in sentences.
    pub text: String,
}

/// `{"type":"summary",...}`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    /// Packet records read.
    pub packets: u64,
    /// Packet bytes read.
    pub bytes: u64,
    /// TCP connections.
    pub connections: u64,
    /// Connections parsed as WebSocket.
    pub websocket_connections: u64,
    /// Frames listed.
    pub frames: u64,
    /// Messages completed.
    pub messages: u64,
    /// Close frames by code (`"none"`: empty body).
    pub closes: BTreeMap<String, u64>,
    /// Rule violations by kind.
    pub violations: BTreeMap<String, u64>,
    /// Gaps.
    pub gaps: u64,
    /// Packets the snap length cut.
    pub cut_packets: u64,
    /// Packets skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Retransmitted or overlapping TCP payload bytes ignored.
    pub duplicate_bytes: u64,
    /// Why reading stopped early (truncated or corrupt capture).
    pub capture_error: Option<String>,
}

/// Writes records as JSON lines or text.
#[derive(Debug)]
pub struct Output<W: Write> {
    out: W,
    json: bool,
    /// Frame and message records are written (not with `--brief`).
    pub list: bool,
    line: String,
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

fn arrow(dir: Dir) -> &'static str {
    if dir == "c2s" {
        "c→s"
    } else {
        "s→c"
    }
}

impl<W: Write> Output<W> {
    /// Output to `out`.
    pub fn new(out: W, json: bool, list: bool) -> Self {
        Output {
            out,
            json,
            list,
            line: String::new(),
        }
    }

    /// The writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes one record.
    ///
    /// # Errors
    /// The writer's.
    pub fn write(&mut self, r: &Record) -> io::Result<()> {
        if !self.list && matches!(r, Record::Frame(_) | Record::Message(_)) {
            return Ok(());
        }
        if self.json {
            serde_json::to_writer(&mut self.out, r)?;
            return self.out.write_all(b"\n");
        }
        self.line.clear();
        text(&mut self.line, r);
        self.out.write_all(self.line.as_bytes())
    }

    /// Flushes.
    ///
    /// # Errors
    /// The writer's.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `1234567` as `1,234,567`.
#[must_use]
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[allow(clippy::too_many_lines)] // one arm per record
fn text(s: &mut String, r: &Record) {
    match r {
        Record::Connection(c) => {
            let _ = write!(
                s,
                "\n#{} {} → {}  {}  handshake: {}",
                c.conn, c.client, c.server, c.start, c.handshake
            );
            if let Some(req) = &c.request {
                let _ = write!(s, "  {req}");
            }
            if let Some(st) = c.status {
                let _ = write!(s, " → {st}");
            }
            if matches!(c.handshake, "ok" | "bad-accept" | "assumed") {
                let _ = write!(
                    s,
                    "\n   subprotocol: {}  extensions: {}",
                    c.subprotocol.as_deref().unwrap_or("none"),
                    c.extensions.as_deref().unwrap_or("none")
                );
            }
            s.push('\n');
        }
        Record::Frame(f) => {
            let _ = writeln!(
                s,
                "#{:<3} {:>10.6} {} @{:<8} {:<12} fin={} rsv={} masked={} len={}",
                f.conn,
                f.t,
                arrow(f.dir),
                f.offset,
                opcode_name(f.opcode),
                u8::from(f.fin),
                f.rsv,
                u8::from(f.masked),
                f.payload_len
            );
        }
        Record::Message(m) => {
            let _ = write!(
                s,
                "#{:<3} {:>10.6} {} message {} len={} frames={}{}",
                m.conn,
                m.t,
                arrow(m.dir),
                opcode_name(m.opcode),
                m.payload_len,
                m.frames,
                if m.compressed { " compressed" } else { "" }
            );
            if let Some(p) = &m.preview {
                let _ = write!(s, " {p:?}");
            }
            s.push('\n');
        }
        Record::Close(c) => {
            let code = c.code.map_or_else(|| "none".to_string(), |c| c.to_string());
            let _ = writeln!(
                s,
                "#{:<3} {:>10.6} {} @{:<8} CLOSE code={code} reason={:?}",
                c.conn,
                c.t,
                arrow(c.dir),
                c.offset,
                c.reason
            );
        }
        Record::Violation(v) => {
            let _ = write!(
                s,
                "#{:<3} {:>10.6} {} @{:<8} VIOLATION by the {}: {} (close code {})",
                v.conn,
                v.t,
                arrow(v.dir),
                v.offset,
                v.by,
                v.kind,
                v.close_code
            );
            if let Some(f) = v.frame {
                let len = f
                    .payload_len
                    .map_or_else(|| "?".to_string(), |l| l.to_string());
                let _ = write!(
                    s,
                    "\n       frame:  {} fin={} rsv={} masked={} len={len}",
                    opcode_name(f.opcode),
                    u8::from(f.fin),
                    f.rsv,
                    u8::from(f.masked)
                );
            }
            let _ = writeln!(
                s,
                "\n       rule:   {} ({}, {})\n       cause:  {}\n       remedy: {}",
                v.description, v.rfc, v.rfc_url, v.cause, v.remedy
            );
        }
        Record::Gap(g) => {
            let len = g
                .len
                .map_or_else(|| "an unknown number of".to_string(), thousands);
            let _ = writeln!(
                s,
                "#{:<3} {:>10.6} {} @{:<8} GAP: {len} byte(s) {}; {}",
                g.conn,
                g.t,
                arrow(g.dir),
                g.offset,
                g.reason,
                if g.resynced {
                    "the frame they fell in is skipped, frames after it are listed"
                } else {
                    "frames after it in this direction cannot be listed"
                }
            );
        }
        Record::Note(n) => {
            let dir = n.dir.map_or("   ", arrow);
            let _ = writeln!(s, "#{:<3} {:>10.6} {dir} note: {}", n.conn, n.t, n.text);
        }
        Record::Verdict(v) => {
            let _ = writeln!(
                s,
                "#{} verdict ({}, {:.3} s, frames c→s {} s→c {}, {} message(s)): {}",
                v.conn, v.outcome, v.duration, v.frames[0], v.frames[1], v.messages, v.text
            );
        }
        Record::Summary(m) => {
            let _ = writeln!(
                s,
                "\nsummary: {} packet(s), {} byte(s); {} TCP connection(s), {} WebSocket; {} frame(s), {} message(s); {} gap(s)",
                m.packets,
                thousands(m.bytes),
                m.connections,
                m.websocket_connections,
                m.frames,
                m.messages,
                m.gaps
            );
            let join = |map: &BTreeMap<String, u64>| {
                if map.is_empty() {
                    "none".to_string()
                } else {
                    map.iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let _ = writeln!(s, "  closes by code:     {}", join(&m.closes));
            let _ = writeln!(s, "  violations by kind: {}", join(&m.violations));
            if !m.skipped.is_empty() {
                let _ = writeln!(s, "  packets skipped:    {}", join(&m.skipped));
            }
            if m.cut_packets > 0 {
                let _ = writeln!(
                    s,
                    "  packets cut by the snap length: {} (record with `tcpdump -s 0`)",
                    m.cut_packets
                );
            }
            if m.duplicate_bytes > 0 {
                let _ = writeln!(
                    s,
                    "  retransmitted or overlapping bytes ignored: {}",
                    thousands(m.duplicate_bytes)
                );
            }
            if let Some(e) = &m.capture_error {
                let _ = writeln!(s, "  capture error: {e}");
            }
        }
    }
}
