//! Following every TCP connection of a capture: reassembly ([`crate::tcp`]),
//! the opening handshake ([`crate::handshake`]), then each direction's frames
//! through a [`wsframe::Receiver`] (client → server in the Server role, so
//! frames must be masked; server → client in the Client role), and at the
//! end of each connection a verdict.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::net::SocketAddr;

use wsframe::{Config, Error, Event, FrameHeader, Opcode, Receiver};

use crate::capture::{Nanos, Segment, Skip};
use crate::handshake::{self, Head};
use crate::record::{self, thousands, Output, RawFrame, Record};
use crate::tcp::{Accept, Gap, Stream};

/// How to analyse.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The server's frame limit, applied to client → server frames.
    pub max_frame: u64,
    /// The server's message limit, applied to client → server messages.
    pub max_message: u64,
    /// Ports of WebSocket servers: a connection to one whose handshake is
    /// not in the capture is parsed as WebSocket from its first byte.
    pub server_ports: Vec<u16>,
    /// For such connections: permessage-deflate was agreed.
    pub deflate: bool,
    /// Bytes of each message to show (0: none).
    pub preview: usize,
}

/// Bytes a client may send after its request before the response arrives.
const MAX_HELD: usize = 1 << 20;

const C2S: usize = 0;
const S2C: usize = 1;
const DIRS: [&str; 2] = ["c2s", "s2c"];
const ROLES: [&str; 2] = ["client", "server"];

/// A message being received.
#[derive(Debug)]
struct Msg {
    opcode: u8,
    frames: u64,
    len: u64,
    compressed: bool,
    preview: Vec<u8>,
}

/// Where a direction's frame parsing stands.
#[derive(Debug)]
enum Sync {
    /// The receiver reads every byte.
    Reading,
    /// After a violation: skipping the offending frame to its end, then a
    /// fresh receiver.
    SkipTo(u64),
    /// After a violation whose frame header is not whole yet: its bytes so far.
    Head { start: u64, bytes: Vec<u8> },
    /// Frame boundaries are lost (a gap, or a header that cannot be skipped).
    Lost,
}

/// A direction in the frames phase.
#[derive(Debug)]
struct Frames {
    config: Config,
    rx: Receiver,
    sync: Sync,
    /// Stream offset of the next byte the receiver reads.
    pos: u64,
    /// Where the current frame starts.
    frame_start: u64,
    /// The current frame's header and end, once its header passed.
    cur: Option<(FrameHeader, u64)>,
    /// Where the frame of the last header event starts (its Close, Ping or
    /// last piece may come after it is listed).
    header_start: u64,
    msg: Option<Msg>,
    /// The last bytes before the current chunk (a failed header's start).
    tail: Vec<u8>,
    closed: bool,
    after_close: u64,
}

impl Frames {
    fn new(config: Config, pos: u64) -> Self {
        Frames {
            config,
            rx: Receiver::new(config).with_header_events(),
            sync: Sync::Reading,
            pos,
            frame_start: pos,
            cur: None,
            header_start: pos,
            msg: None,
            tail: Vec::new(),
            closed: false,
            after_close: 0,
        }
    }
}

/// What a direction's bytes are.
#[derive(Debug)]
enum Phase {
    /// Roles not known yet.
    Unknown,
    /// The client's request head, so far.
    Request(Vec<u8>),
    /// The server's response head, so far.
    Response(Vec<u8>),
    /// The client's bytes after its request, waiting for the response.
    Held(Vec<u8>, u64),
    /// WebSocket frames.
    Frames(Box<Frames>),
    /// Not parsed (not WebSocket, or lost).
    Ignored,
}

/// The first violation of a direction, for the verdict.
#[derive(Debug, Clone, Copy)]
struct Broke {
    time: Nanos,
    error: Error,
    frame: Option<RawFrame>,
}

/// One direction of a connection (index 0: client → server).
#[derive(Debug)]
struct Side {
    addr: SocketAddr,
    tcp: Stream,
    phase: Phase,
    frames: u64,
    messages: u64,
    /// The first valid Close: time, code, reason.
    close: Option<(Nanos, Option<u16>, String)>,
    broke: Option<Broke>,
    fin: Option<Nanos>,
    rst: Option<Nanos>,
    last_frame: Option<Nanos>,
}

impl Side {
    fn new(addr: SocketAddr) -> Self {
        Side {
            addr,
            tcp: Stream::default(),
            phase: Phase::Unknown,
            frames: 0,
            messages: 0,
            close: None,
            broke: None,
            fin: None,
            rst: None,
            last_frame: None,
        }
    }

    fn ended(&self) -> Option<Nanos> {
        match (self.fin, self.rst) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// One TCP connection.
#[derive(Debug)]
struct Conn {
    id: u64,
    start: Nanos,
    last: Nanos,
    /// `sides[0]` sends client → server, once `roles_known`.
    sides: [Side; 2],
    roles_known: bool,
    reported: bool,
    handshake: &'static str,
    request: Option<handshake::Request>,
    websocket: bool,
    /// Gaps in either direction.
    gaps: u64,
}

/// The analysis of a whole capture, fed one packet at a time.
#[derive(Debug)]
pub struct Analyzer<W: Write> {
    opts: Options,
    /// Records go here.
    pub out: Output<W>,
    conns: HashMap<(SocketAddr, SocketAddr), Conn>,
    next_id: u64,
    /// Totals so far.
    pub summary: record::Summary,
    scratch: Vec<u8>,
    /// A write to the output failed: stop.
    pub io_error: Option<std::io::Error>,
}

fn secs(n: Nanos) -> f64 {
    // Seconds as a float: precision is not the point here.
    #[allow(clippy::cast_precision_loss)]
    let s = n as f64 / 1e9;
    s
}

/// RFC 3339 UTC for a time since the Unix epoch (microseconds).
#[must_use]
pub fn rfc3339(t: Nanos) -> String {
    let secs = t.div_euclid(1_000_000_000);
    let micros = t.rem_euclid(1_000_000_000) / 1000;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Days to a civil date (proleptic Gregorian), era by era of 400 years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// The header fields of the frame at the start of `bytes`, decoded without
/// judging them, and its total length (header and payload) if the header is
/// whole and its length usable.
fn raw_frame(bytes: &[u8]) -> Option<(RawFrame, Option<u64>)> {
    let (&b0, &b1) = (bytes.first()?, bytes.get(1)?);
    let masked = b1 & 0x80 != 0;
    let (ext, len) = match b1 & 0x7f {
        126 => (
            2,
            bytes
                .get(2..4)
                .map(|b| u64::from(u16::from_be_bytes([b[0], b[1]]))),
        ),
        127 => (
            8,
            bytes
                .get(2..10)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes),
        ),
        n => (0, Some(u64::from(n))),
    };
    let header = 2 + ext + if masked { 4 } else { 0 };
    let frame = RawFrame {
        fin: b0 & 0x80 != 0,
        rsv: (b0 >> 4) & 7,
        opcode: b0 & 0x0f,
        masked,
        payload_len: len,
    };
    let total = len
        .filter(|&l| l <= FrameHeader::MAX_PAYLOAD_LEN)
        .map(|l| l + header);
    Some((frame, total))
}

impl<W: Write> Analyzer<W> {
    /// An analyzer writing to `out`.
    pub fn new(opts: Options, out: Output<W>) -> Self {
        Analyzer {
            opts,
            out,
            conns: HashMap::new(),
            next_id: 1,
            summary: record::Summary::default(),
            scratch: Vec::new(),
            io_error: None,
        }
    }

    fn emit(&mut self, r: &Record) {
        if self.io_error.is_none() {
            if let Err(e) = self.out.write(r) {
                self.io_error = Some(e);
            }
        }
    }

    /// Writes the `summary` record.
    pub fn emit_summary(&mut self) {
        let r = Record::Summary(self.summary.clone());
        self.emit(&r);
    }

    /// Counts a packet that is not a usable TCP segment.
    pub fn skipped(&mut self, why: Skip) {
        *self.summary.skipped.entry(why.key()).or_default() += 1;
    }

    /// Takes one TCP segment.
    pub fn segment(&mut self, seg: &Segment<'_>, time: Nanos) {
        let key = if seg.src <= seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        if !self.conns.contains_key(&key) {
            // Only a SYN or data opens a connection: a late ACK, FIN or RST
            // of a finished one does not.
            if !seg.syn && seg.payload.is_empty() {
                return;
            }
            let id = self.next_id;
            self.next_id += 1;
            self.summary.connections += 1;
            let mut conn = Conn {
                id,
                start: time,
                last: time,
                sides: [Side::new(seg.src), Side::new(seg.dst)],
                roles_known: false,
                reported: false,
                handshake: "no-data",
                request: None,
                websocket: false,
                gaps: 0,
            };
            // The SYN's sender is the client; a SYN-ACK's receiver is.
            if seg.syn {
                if seg.ack {
                    conn.sides.swap(0, 1);
                }
                conn.roles_known = true;
                conn.sides[C2S].phase = Phase::Request(Vec::new());
                conn.sides[S2C].phase = Phase::Response(Vec::new());
            }
            self.conns.insert(key, conn);
        }
        let Some(mut conn) = self.conns.remove(&key) else {
            return;
        };
        conn.last = time;
        if !conn.roles_known && !seg.payload.is_empty() {
            let d = usize::from(conn.sides[C2S].addr != seg.src);
            self.decide_roles(&mut conn, d, seg.payload, time);
        }
        let d = usize::from(conn.sides[C2S].addr != seg.src);
        if seg.cut > 0 {
            self.summary.cut_packets += 1;
        }
        let accept = conn.sides[d]
            .tcp
            .segment(seg.syn, seg.seq, seg.payload, time);
        if let Accept::Deliver { skip, offset } = accept {
            let bytes = seg.payload.get(skip..).unwrap_or(&[]);
            self.data(&mut conn, d, offset, bytes, time);
            if seg.cut > 0 {
                // The snap length cut the rest of this segment.
                let gap = conn.sides[d].tcp.skip_cut(u64::from(seg.cut));
                self.gap(&mut conn, d, gap, time, "cut by the snap length");
            }
        }
        self.drain(&mut conn, d, time);
        if conn.sides[d].tcp.over_bound() {
            if let Some(gap) = conn.sides[d].tcp.force_gap() {
                self.gap(
                    &mut conn,
                    d,
                    gap,
                    time,
                    "not in the capture (too many segments waited behind the hole)",
                );
                self.drain(&mut conn, d, time);
            }
        }
        if seg.ack {
            if let Some(gap) = conn.sides[1 - d].tcp.acknowledged(seg.ack_no) {
                self.gap(
                    &mut conn,
                    1 - d,
                    gap,
                    time,
                    "not in the capture (the receiver acknowledged them)",
                );
                self.drain(&mut conn, 1 - d, time);
            }
        }
        if seg.fin && conn.sides[d].fin.is_none() {
            conn.sides[d].fin = Some(time);
        }
        if seg.rst && conn.sides[d].rst.is_none() {
            conn.sides[d].rst = Some(time);
        }
        let done = seg.rst || (conn.sides[0].fin.is_some() && conn.sides[1].fin.is_some());
        if done {
            self.finish(conn);
        } else {
            self.conns.insert(key, conn);
        }
    }

    /// Delivers queued segments that are now in order.
    fn drain(&mut self, conn: &mut Conn, d: usize, time: Nanos) {
        while let Some((offset, bytes, _)) = conn.sides[d].tcp.pop_ready() {
            self.data(conn, d, offset, &bytes, time);
        }
    }

    /// Ends the capture: every open connection gets its verdict.
    pub fn finish_all(&mut self) {
        let mut open: Vec<Conn> = self.conns.drain().map(|(_, c)| c).collect();
        open.sort_by_key(|c| c.id);
        for conn in open {
            self.finish(conn);
        }
    }

    fn rel(conn: &Conn, time: Nanos) -> f64 {
        secs(time - conn.start)
    }

    fn report(
        &mut self,
        conn: &mut Conn,
        status: Option<u16>,
        response: Option<&handshake::Response>,
    ) {
        if conn.reported {
            return;
        }
        conn.reported = true;
        let extensions = response.and_then(|r| r.extensions.clone());
        let deflate = if conn.handshake == "assumed" {
            self.opts.deflate
        } else {
            handshake::deflate(extensions.as_deref())
        };
        let r = Record::Connection(record::Connection {
            conn: conn.id,
            client: conn.sides[C2S].addr.to_string(),
            server: conn.sides[S2C].addr.to_string(),
            start: rfc3339(conn.start),
            start_epoch: secs(conn.start),
            handshake: conn.handshake,
            request: conn
                .request
                .as_ref()
                .map(|r| format!("{} {}", r.method, r.path)),
            status,
            subprotocol: response.and_then(|r| r.protocol.clone()),
            extensions,
            deflate,
        });
        self.emit(&r);
    }

    fn note(
        &mut self,
        conn: &Conn,
        d: Option<usize>,
        time: Nanos,
        kind: &'static str,
        text: String,
    ) {
        let r = Record::Note(record::Note {
            conn: conn.id,
            t: Self::rel(conn, time),
            dir: d.map(|d| DIRS[d]),
            kind,
            text,
        });
        self.emit(&r);
    }

    /// Roles from the first data when no SYN was seen.
    fn decide_roles(&mut self, conn: &mut Conn, d: usize, bytes: &[u8], time: Nanos) {
        conn.roles_known = true;
        let looks_like_request = [b"GET ".as_slice(), b"POST ", b"HEAD ", b"PUT ", b"OPTIONS "]
            .iter()
            .any(|m| bytes.starts_with(m));
        if looks_like_request {
            if d == S2C {
                conn.sides.swap(0, 1);
            }
            conn.sides[C2S].phase = Phase::Request(Vec::new());
            conn.sides[S2C].phase = Phase::Response(Vec::new());
            return;
        }
        let ports = [conn.sides[0].addr.port(), conn.sides[1].addr.port()];
        let named = ports
            .iter()
            .position(|p| self.opts.server_ports.contains(p));
        // The server: the named port, else (a guess) the lower port.
        let server = named.unwrap_or(usize::from(ports[1] < ports[0]));
        if server == C2S {
            conn.sides.swap(0, 1);
        }
        if named.is_some() {
            conn.handshake = "assumed";
            conn.websocket = true;
            self.summary.websocket_connections += 1;
            self.report(conn, None, None);
            self.note(
                conn,
                None,
                time,
                "mid-connection",
                "the capture starts mid-connection: no handshake; parsed as WebSocket from the first byte seen because of --server-port (a frame cut at the start shows as a violation)".into(),
            );
            let rsv = if self.opts.deflate { Config::RSV1 } else { 0 };
            // Roles are decided at the first data, before any is delivered.
            for dir in [C2S, S2C] {
                let config = self.config(dir, rsv);
                conn.sides[dir].phase = Phase::Frames(Box::new(Frames::new(config, 0)));
            }
        } else {
            conn.handshake = "missing";
            self.report(conn, None, None);
            self.note(
                conn,
                None,
                time,
                "mid-connection",
                format!(
                    "the capture starts mid-connection: the opening handshake is not in it, so this is not known to be WebSocket; pass --server-port {} to parse it as WebSocket",
                    conn.sides[S2C].addr.port()
                ),
            );
            conn.sides[C2S].phase = Phase::Ignored;
            conn.sides[S2C].phase = Phase::Ignored;
        }
    }

    fn config(&self, d: usize, rsv: u8) -> Config {
        if d == C2S {
            Config::server()
                .with_max_frame_payload(self.opts.max_frame)
                .with_max_message_len(self.opts.max_message)
                .with_allowed_rsv(rsv)
        } else {
            Config::client()
                .with_max_frame_payload(FrameHeader::MAX_PAYLOAD_LEN)
                .with_max_message_len(FrameHeader::MAX_PAYLOAD_LEN)
                .with_allowed_rsv(rsv)
        }
    }

    /// In-order bytes of direction `d` at stream offset `offset`.
    fn data(&mut self, conn: &mut Conn, d: usize, offset: u64, bytes: &[u8], time: Nanos) {
        if bytes.is_empty() {
            return;
        }
        let phase = std::mem::replace(&mut conn.sides[d].phase, Phase::Ignored);
        conn.sides[d].phase = match phase {
            Phase::Unknown | Phase::Ignored => Phase::Ignored,
            Phase::Request(mut buf) => {
                buf.extend_from_slice(bytes);
                self.request(conn, buf, time)
            }
            Phase::Response(mut buf) => {
                buf.extend_from_slice(bytes);
                self.response(conn, buf, time)
            }
            Phase::Held(mut buf, start) => {
                if buf.len() + bytes.len() > MAX_HELD {
                    self.note(conn, Some(d), time, "held-too-long", "the client sent more than 1 MiB after its request without a response in the capture; its bytes are not parsed".into());
                    Phase::Ignored
                } else {
                    buf.extend_from_slice(bytes);
                    Phase::Held(buf, start)
                }
            }
            Phase::Frames(mut f) => {
                self.frames(conn, d, &mut f, offset, bytes, time);
                Phase::Frames(f)
            }
        };
    }

    fn request(&mut self, conn: &mut Conn, buf: Vec<u8>, time: Nanos) -> Phase {
        match handshake::request(&buf) {
            Head::Partial => Phase::Request(buf),
            Head::Invalid(why) => {
                conn.handshake = "not-http";
                self.report(conn, None, None);
                self.note(
                    conn,
                    Some(C2S),
                    time,
                    "not-websocket",
                    format!("not WebSocket: the client's first bytes are {why}"),
                );
                conn.sides[S2C].phase = Phase::Ignored;
                Phase::Ignored
            }
            Head::Complete(n, req) => {
                let upgrade = req.upgrade;
                let what = format!("{} {}", req.method, req.path);
                conn.request = Some(req);
                if upgrade {
                    // The response decides what the bytes after the request are.
                    Phase::Held(buf.get(n..).unwrap_or(&[]).to_vec(), n as u64)
                } else {
                    conn.handshake = "no-upgrade";
                    self.report(conn, None, None);
                    self.note(conn, Some(C2S), time, "no-upgrade", format!("plain HTTP: the request {what} asks for no WebSocket upgrade (no `Upgrade: websocket` and `Connection: Upgrade`)"));
                    conn.sides[S2C].phase = Phase::Ignored;
                    Phase::Ignored
                }
            }
        }
    }

    fn response(&mut self, conn: &mut Conn, buf: Vec<u8>, time: Nanos) -> Phase {
        match handshake::response(&buf) {
            Head::Partial => Phase::Response(buf),
            Head::Invalid(why) => {
                if conn.handshake == "no-data" {
                    conn.handshake = "not-http";
                }
                self.report(conn, None, None);
                self.note(
                    conn,
                    Some(S2C),
                    time,
                    "not-websocket",
                    format!("not WebSocket: the server's first bytes are {why}"),
                );
                conn.sides[C2S].phase = Phase::Ignored;
                Phase::Ignored
            }
            Head::Complete(n, res) => {
                let held = std::mem::replace(&mut conn.sides[C2S].phase, Phase::Ignored);
                let key = conn.request.as_ref().and_then(|r| r.key.clone());
                if res.status != 101 || !res.upgrade || !matches!(held, Phase::Held(..)) {
                    if conn.request.is_some() && conn.handshake == "no-data" {
                        conn.handshake = "refused";
                    } else if conn.handshake == "no-data" {
                        conn.handshake = "missing";
                    }
                    self.report(conn, Some(res.status), Some(&res));
                    if conn.handshake == "refused" {
                        self.note(conn, Some(S2C), time, "refused", format!("the server did not upgrade: status {} (a WebSocket upgrade needs 101 with `Upgrade: websocket`)", res.status));
                    }
                    return Phase::Ignored;
                }
                let expected = key.as_deref().map(handshake::accept_for);
                let accept_ok = expected.is_some() && expected == res.accept;
                conn.handshake = if accept_ok { "ok" } else { "bad-accept" };
                conn.websocket = true;
                self.summary.websocket_connections += 1;
                self.report(conn, Some(101), Some(&res));
                if !accept_ok {
                    self.note(conn, Some(S2C), time, "bad-accept", format!(
                        "the server's Sec-WebSocket-Accept is {:?}, not {:?} (RFC 6455 §4.2.2); a client must fail the connection (§4.1); its frames are parsed anyway",
                        res.accept.as_deref().unwrap_or(""),
                        expected.as_deref().unwrap_or("?")
                    ));
                }
                let rsv = if handshake::deflate(res.extensions.as_deref()) {
                    Config::RSV1
                } else {
                    0
                };
                // Server → client frames start after the response head.
                let s_start = n as u64;
                let mut s = Box::new(Frames::new(self.config(S2C, rsv), s_start));
                let rest = buf.get(n..).unwrap_or(&[]).to_vec();
                if !rest.is_empty() {
                    self.frames(conn, S2C, &mut s, s_start, &rest, time);
                }
                if let Phase::Held(bytes, start) = held {
                    let mut c = Box::new(Frames::new(self.config(C2S, rsv), start));
                    if !bytes.is_empty() {
                        self.frames(conn, C2S, &mut c, start, &bytes, time);
                    }
                    conn.sides[C2S].phase = Phase::Frames(c);
                }
                Phase::Frames(s)
            }
        }
    }

    /// A gap in direction `d`.
    fn gap(&mut self, conn: &mut Conn, d: usize, gap: Gap, time: Nanos, reason: &'static str) {
        self.summary.gaps += 1;
        conn.gaps += 1;
        let end = gap.len.map(|l| gap.offset + l);
        let resynced = match &mut conn.sides[d].phase {
            Phase::Frames(f) => match f.sync {
                Sync::SkipTo(until) if end.is_some_and(|e| e <= until) => true,
                // Inside a frame whose end is known: skip to it; a fresh
                // receiver takes the next frame (a message in progress is
                // dropped).
                Sync::Reading if f.cur.is_some_and(|(_, fe)| end.is_some_and(|e| e <= fe)) => {
                    let fe = f.cur.map_or(0, |(_, fe)| fe);
                    f.sync = Sync::SkipTo(fe);
                    f.cur = None;
                    f.msg = None;
                    true
                }
                _ => {
                    f.sync = Sync::Lost;
                    false
                }
            },
            Phase::Held(..) | Phase::Request(_) | Phase::Response(_) | Phase::Unknown => {
                conn.sides[d].phase = Phase::Ignored;
                false
            }
            Phase::Ignored => false,
        };
        let r = Record::Gap(record::Gap {
            conn: conn.id,
            t: Self::rel(conn, time),
            dir: DIRS[d],
            offset: gap.offset,
            len: gap.len,
            reason,
            resynced,
        });
        self.emit(&r);
    }

    /// Bytes for a direction in the frames phase.
    fn frames(
        &mut self,
        conn: &mut Conn,
        d: usize,
        f: &mut Frames,
        base: u64,
        bytes: &[u8],
        time: Nanos,
    ) {
        let mut chunk = std::mem::take(&mut self.scratch);
        chunk.clear();
        chunk.extend_from_slice(bytes);
        let mut i = 0usize;
        let len = chunk.len();
        while i < len {
            let abs = base + i as u64;
            match std::mem::replace(&mut f.sync, Sync::Lost) {
                Sync::Lost => break,
                Sync::SkipTo(until) => {
                    let n = usize::try_from(until.saturating_sub(abs))
                        .map_or(len - i, |n| n.min(len - i));
                    i += n;
                    if base + i as u64 == until {
                        f.rx = Receiver::new(f.config).with_header_events();
                        f.pos = until;
                        f.frame_start = until;
                        f.cur = None;
                        f.msg = None;
                        f.sync = Sync::Reading;
                    } else {
                        f.sync = Sync::SkipTo(until);
                    }
                }
                Sync::Head {
                    start,
                    bytes: mut head,
                } => {
                    let k =
                        (FrameHeader::MAX_LEN - head.len().min(FrameHeader::MAX_LEN)).min(len - i);
                    head.extend_from_slice(chunk.get(i..i + k).unwrap_or(&[]));
                    i += k;
                    f.sync = match raw_frame(&head) {
                        Some((_, Some(total))) => {
                            let until = start + total;
                            // Took bytes past the frame's end: go back to it.
                            if base + (i as u64) > until {
                                i = usize::try_from(until.saturating_sub(base)).unwrap_or(i);
                            }
                            Sync::SkipTo(until)
                        }
                        _ if head.len() >= FrameHeader::MAX_LEN => Sync::Lost,
                        _ => Sync::Head { start, bytes: head },
                    };
                }
                Sync::Reading => {
                    f.sync = Sync::Reading;
                    if f.closed {
                        f.after_close += (len - i) as u64;
                        break;
                    }
                    i = self.read_frames(conn, d, f, &mut chunk, base, i, time);
                }
            }
        }
        // Keep the stream's last bytes: a header that fails may have
        // started in this chunk.
        f.tail.extend_from_slice(&chunk);
        let cut = f.tail.len().saturating_sub(FrameHeader::MAX_LEN);
        f.tail.drain(..cut);
        self.scratch = chunk;
    }

    /// Runs the receiver over `chunk[i..]` until it needs more bytes or
    /// fails; returns where reading stopped.
    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    #[allow(clippy::many_single_char_names)]
    fn read_frames(
        &mut self,
        conn: &mut Conn,
        d: usize,
        f: &mut Frames,
        chunk: &mut [u8],
        base: u64,
        mut i: usize,
        time: Nanos,
    ) -> usize {
        let t = Self::rel(conn, time);
        let dir = DIRS[d];
        let preview = self.opts.preview;
        loop {
            let was_closed = f.closed;
            let result = f.rx.read(chunk.get_mut(i..).unwrap_or(&mut []));
            let (used, event) = match result {
                Ok(step) => step,
                Err(error) => {
                    self.violation(conn, d, f, error, chunk, base, time);
                    // Skipping starts where this read started; a header
                    // still being gathered has taken the whole chunk.
                    return match f.sync {
                        Sync::SkipTo(_) => i,
                        _ => chunk.len(),
                    };
                }
            };
            i += used;
            f.pos += used as u64;
            if was_closed {
                f.after_close += used as u64;
            }
            let Some(event) = event else {
                self.frame_done(conn, d, f, time);
                return i;
            };
            let mut record = None;
            match event {
                Event::Header(h) => {
                    let end = f.frame_start + h.encoded_len() as u64 + h.payload_len();
                    f.cur = Some((h, end));
                    f.header_start = f.frame_start;
                    match h.opcode() {
                        Opcode::Text | Opcode::Binary => {
                            f.msg = Some(Msg {
                                opcode: h.opcode().as_u8(),
                                frames: 1,
                                len: 0,
                                compressed: h.rsv() & Config::RSV1 != 0,
                                preview: Vec::new(),
                            });
                        }
                        Opcode::Continuation => {
                            if let Some(m) = f.msg.as_mut() {
                                m.frames += 1;
                            }
                        }
                        _ => {}
                    }
                }
                Event::Piece(p) => {
                    if let Some(m) = f.msg.as_mut() {
                        m.len += p.payload.len() as u64;
                        let room = preview.saturating_sub(m.preview.len());
                        m.preview.extend_from_slice(
                            p.payload.get(..room.min(p.payload.len())).unwrap_or(&[]),
                        );
                    }
                    if p.last {
                        if let Some(m) = f.msg.take() {
                            record = Some(Record::Message(record::Message {
                                conn: conn.id,
                                t,
                                dir,
                                opcode: m.opcode,
                                payload_len: m.len,
                                frames: m.frames,
                                compressed: m.compressed,
                                preview: (preview > 0)
                                    .then(|| show(m.opcode, m.compressed, &m.preview, m.len)),
                            }));
                        }
                    }
                }
                Event::Close { code, reason } => {
                    let code = code.map(wsframe::CloseCode::as_u16);
                    f.closed = true;
                    let key = code.map_or_else(|| "none".to_string(), |c| c.to_string());
                    *self.summary.closes.entry(key).or_default() += 1;
                    if conn.sides[d].close.is_none() {
                        conn.sides[d].close = Some((time, code, reason.to_string()));
                    }
                    record = Some(Record::Close(record::Close {
                        conn: conn.id,
                        t,
                        dir,
                        offset: f.header_start,
                        code,
                        reason: reason.to_string(),
                    }));
                }
                _ => {}
            }
            // The frame first, then what it completed.
            let close_first = matches!(record, Some(Record::Close(_)));
            if close_first {
                if let Some(r) = record.take() {
                    self.frame_done(conn, d, f, time);
                    self.emit(&r);
                }
            } else {
                self.frame_done(conn, d, f, time);
            }
            if let Some(r) = record {
                if matches!(r, Record::Message(_)) {
                    conn.sides[d].messages += 1;
                    self.summary.messages += 1;
                }
                self.emit(&r);
            }
        }
    }

    /// Lists the current frame if all its bytes are read.
    fn frame_done(&mut self, conn: &mut Conn, d: usize, f: &mut Frames, time: Nanos) {
        let Some((h, end)) = f.cur else { return };
        if f.pos < end {
            return;
        }
        let r = Record::Frame(record::Frame {
            conn: conn.id,
            t: Self::rel(conn, time),
            dir: DIRS[d],
            offset: f.frame_start,
            fin: h.fin(),
            rsv: h.rsv(),
            opcode: h.opcode().as_u8(),
            masked: h.is_masked(),
            payload_len: h.payload_len(),
        });
        f.cur = None;
        f.frame_start = end;
        conn.sides[d].frames += 1;
        conn.sides[d].last_frame = Some(time);
        self.summary.frames += 1;
        self.emit(&r);
    }

    #[allow(clippy::too_many_arguments)]
    fn violation(
        &mut self,
        conn: &mut Conn,
        d: usize,
        f: &mut Frames,
        error: Error,
        chunk: &[u8],
        base: u64,
        time: Nanos,
    ) {
        // The offending frame's header: as it passed, or from its bytes.
        let mut head: Vec<u8> = Vec::new();
        let raw = if let Some((h, end)) = f.cur {
            f.sync = Sync::SkipTo(end);
            Some(RawFrame {
                fin: h.fin(),
                rsv: h.rsv(),
                opcode: h.opcode().as_u8(),
                masked: h.is_masked(),
                payload_len: Some(h.payload_len()),
            })
        } else {
            let tail_start = base.saturating_sub(f.tail.len() as u64);
            if let Some(from) = f
                .frame_start
                .checked_sub(tail_start)
                .and_then(|x| usize::try_from(x).ok())
            {
                head.extend_from_slice(&f.tail);
                head.extend_from_slice(chunk);
                head.drain(..from.min(head.len()));
                head.truncate(FrameHeader::MAX_LEN);
            }
            match raw_frame(&head) {
                Some((raw, Some(total))) => {
                    f.sync = Sync::SkipTo(f.frame_start + total);
                    Some(raw)
                }
                Some((raw, None))
                    if head.len() < FrameHeader::MAX_LEN && raw.payload_len.is_none() =>
                {
                    f.sync = Sync::Head {
                        start: f.frame_start,
                        bytes: head.clone(),
                    };
                    Some(raw)
                }
                Some((raw, _)) => {
                    f.sync = Sync::Lost;
                    Some(raw)
                }
                None if head.len() < 2 => {
                    f.sync = Sync::Head {
                        start: f.frame_start,
                        bytes: head.clone(),
                    };
                    None
                }
                None => {
                    f.sync = Sync::Lost;
                    None
                }
            }
        };
        // In the Head state the bytes taken are already in `head`: skip them.
        f.msg = None;
        f.cur = None;
        *self
            .summary
            .violations
            .entry(error.name().to_string())
            .or_default() += 1;
        let side = &mut conn.sides[d];
        if side.broke.is_none() && side.close.is_none() {
            side.broke = Some(Broke {
                time,
                error,
                frame: raw,
            });
        }
        let r = Record::Violation(record::Violation {
            conn: conn.id,
            t: Self::rel(conn, time),
            dir: DIRS[d],
            by: ROLES[d],
            offset: f.frame_start,
            frame: raw,
            kind: error.name(),
            close_code: error.close_code().as_u16(),
            layer: error.layer().as_str(),
            rfc: error.rfc_section(),
            rfc_url: error.rfc_url(),
            description: error.as_str(),
            cause: error.cause(),
            remedy: error.remedy(),
        });
        self.emit(&r);
    }

    /// The end of a connection: queued bytes, then the verdict.
    fn finish(&mut self, mut conn: Conn) {
        let end = conn.last;
        for d in [C2S, S2C] {
            while let Some(gap) = conn.sides[d].tcp.force_gap() {
                self.gap(
                    &mut conn,
                    d,
                    gap,
                    end,
                    "not in the capture (the stream ends with segments waiting behind it)",
                );
                self.drain(&mut conn, d, end);
            }
            self.summary.duplicate_bytes += conn.sides[d].tcp.duplicate_bytes;
            if let Phase::Frames(f) = &conn.sides[d].phase {
                if f.after_close > 0 {
                    let text = format!("{} byte(s) after its Close frame were not read (RFC 6455 §5.5.1: nothing follows a Close)", thousands(f.after_close));
                    self.note(&conn, Some(d), end, "bytes-after-close", text);
                }
            }
        }
        if !conn.reported {
            if conn.handshake == "no-data" && conn.request.is_some() {
                conn.handshake = "missing";
            }
            self.report(&mut conn, None, None);
        }
        let mut v = verdict(&conn, &self.opts);
        if conn.gaps > 0 {
            let _ = write!(
                v.text,
                " {} gap(s): bytes of this connection are missing from the capture (see the gap records), so what was in them is not judged.",
                conn.gaps
            );
        }
        self.emit(&Record::Verdict(v));
    }
}

/// A message's first bytes: text as text, binary (or compressed) as hex.
fn show(opcode: u8, compressed: bool, bytes: &[u8], len: u64) -> String {
    let more = if (bytes.len() as u64) < len {
        "…"
    } else {
        ""
    };
    if opcode == 1 && !compressed {
        // Cut at the last whole character (the message itself is valid).
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
        };
        format!("{text}{more}")
    } else {
        let hex = bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        format!("{hex}{more}")
    }
}

fn code_text(code: Option<u16>) -> String {
    code.map_or_else(
        || "an empty Close (no status code)".to_string(),
        |c| format!("Close {c}"),
    )
}

/// What the violation was, in a sentence.
fn broke_text(by: &str, b: &Broke, opts: &Options) -> String {
    let e = b.error;
    let len = b.frame.and_then(|f| f.payload_len);
    match (e, len) {
        (Error::FrameTooBig, Some(n)) => format!(
            "the {by} sent a {}-byte frame over the {}-byte frame limit (--max-frame)",
            thousands(n),
            thousands(opts.max_frame)
        ),
        (Error::MessageTooBig, Some(n)) => format!(
            "the {by} sent a {}-byte frame that makes a message over the {}-byte message limit (--max-message)",
            thousands(n),
            thousands(opts.max_message)
        ),
        _ => format!(
            "the {by} broke {} ({}): {}",
            e.rfc_section(),
            e.name(),
            e.as_str()
        ),
    }
}

/// How a connection went.
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
fn verdict(conn: &Conn, opts: &Options) -> record::Verdict {
    let [c, s] = &conn.sides;
    let tcp_closed_first = match (c.ended(), s.ended()) {
        (Some(a), Some(b)) => Some(if a < b { "client" } else { "server" }),
        (Some(_), None) => Some("client"),
        (None, Some(_)) => Some("server"),
        (None, None) => None,
    };
    let mut v = record::Verdict {
        conn: conn.id,
        duration: secs(conn.last - conn.start),
        frames: [c.frames, s.frames],
        messages: c.messages + s.messages,
        closed_by: None,
        close_code: None,
        close_reason: None,
        answer_code: None,
        outcome: "open",
        as_rfc: true,
        tcp_closed_first,
        text: String::new(),
    };
    if !conn.websocket {
        v.outcome = if conn.handshake == "missing" {
            "no-handshake"
        } else {
            "not-websocket"
        };
        v.text = match conn.handshake {
            "missing" => "the opening handshake is not in the capture; its frames are not listed (use --server-port)".into(),
            "no-upgrade" => "plain HTTP, never upgraded to WebSocket".into(),
            "refused" => "the server refused the WebSocket upgrade".into(),
            "not-http" => "not HTTP: not WebSocket".into(),
            "no-data" => "no data was sent".into(),
            _ => "not WebSocket".into(),
        };
        return v;
    }
    // The first event that starts the end: a Close or a violation.
    let mut first: Option<(Nanos, usize, bool)> = None; // time, side, is_violation
    for (i, side) in conn.sides.iter().enumerate() {
        if let Some((t, ..)) = side.close {
            if first.is_none_or(|(ft, ..)| t < ft) {
                first = Some((t, i, false));
            }
        }
        if let Some(b) = side.broke {
            if first.is_none_or(|(ft, ..)| b.time < ft) {
                first = Some((b.time, i, true));
            }
        }
    }
    let tcp = match tcp_closed_first {
        Some(who) => format!(" The {who} closed the TCP connection first."),
        None => " The TCP connection was still open at the end of the capture.".to_string(),
    };
    let Some((t, x, violation)) = first else {
        let ended: Vec<&str> = [c, s]
            .iter()
            .zip(ROLES)
            .filter(|(side, _)| side.ended().is_some())
            .map(|(_, r)| r)
            .collect();
        if let Some(who) = ended.first() {
            v.outcome = "no-close";
            v.as_rfc = false;
            v.text = format!(
                "no Close frame either way: the {who} closed the TCP connection without one, so the peer sees 1006 (abnormal closure); RFC 6455 §7.1.1 closes with a Close frame first"
            );
        } else {
            v.text = "still open at the end of the capture; no Close frame either way".into();
        }
        return v;
    };
    let y = 1 - x;
    let (xr, yr) = (ROLES[x], ROLES[y]);
    let other = &conn.sides[y];
    let answer = other.close.as_ref().filter(|(at, ..)| *at >= t);
    v.closed_by = Some(xr);
    v.answer_code = answer.and_then(|(_, code, _)| *code);
    let gone = other.ended().filter(|&e| e >= t);
    if violation {
        let Some(b) = conn.sides[x].broke else {
            return v;
        };
        let want = b.error.close_code().as_u16();
        v.close_code = Some(want);
        let what = broke_text(xr, &b, opts);
        match answer {
            Some((_, Some(code), _)) if *code == want => {
                v.outcome = "violation-answered";
                v.text = format!("{what}; the {yr} answered {code}, as it should.");
            }
            Some((_, code, _)) => {
                v.outcome = "violation-wrong-code";
                v.as_rfc = false;
                v.text = format!(
                    "{what}; the {yr} answered with {} but it should send {want} (RFC 6455 §7.4.1).",
                    code_text(*code)
                );
            }
            None => {
                v.outcome = "violation-unanswered";
                v.as_rfc = false;
                v.text = if gone.is_some() {
                    format!("{what}; the {yr} closed the connection without a Close frame; it should send {want} (RFC 6455 §7.1.7).")
                } else if other.last_frame.is_some_and(|lf| lf > t) {
                    format!("{what}; the {yr} went on sending frames and sent no Close; it should fail the connection with {want} (RFC 6455 §7.1.7).")
                } else {
                    format!("{what}; the {yr} sent no Close by the end of the capture; it should send {want} (RFC 6455 §7.1.7).")
                };
            }
        }
        // And what the offender did with the answer.
        if let (Some((at, ..)), Some((bt, code, _))) = (answer, conn.sides[x].close.as_ref()) {
            if bt >= at {
                let _ = write!(
                    v.text,
                    " The {xr} answered that Close with {}.",
                    code_text(*code)
                );
            }
        }
    } else {
        let Some((_, code, reason)) = conn.sides[x].close.as_ref() else {
            return v;
        };
        v.close_code = *code;
        v.close_reason = Some(reason.clone());
        let why = if reason.is_empty() {
            String::new()
        } else {
            format!(" {reason:?}")
        };
        let what = format!("the {xr} closed with {}{why}", code_text(*code));
        #[allow(clippy::single_match_else)] // two outcomes, side by side
        match answer {
            Some((_, acode, _)) => {
                v.outcome = "clean";
                let echo = if acode == code {
                    String::new()
                } else {
                    " (a Close usually echoes the code it answers)".to_string()
                };
                v.text = format!(
                    "{what}; the {yr} answered with {}, as RFC 6455 §5.5.1 says{echo}.",
                    code_text(*acode)
                );
            }
            None => {
                v.outcome = "close-unanswered";
                v.as_rfc = false;
                v.text = if let Some(b) = other.broke.filter(|b| b.time >= t) {
                    format!("{what}; the {yr} then broke a rule ({}) instead of answering; it must send a Close back (RFC 6455 §5.5.1).", b.error.name())
                } else if gone.is_some() {
                    format!("{what}; the {yr} closed the TCP connection without answering; it must send a Close back (RFC 6455 §5.5.1).")
                } else {
                    format!("{what}; the {yr} had not answered by the end of the capture; it must send a Close back (RFC 6455 §5.5.1).")
                };
            }
        }
    }
    v.text.push_str(&tcp);
    v
}
