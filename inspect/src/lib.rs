//! `wsframe-inspect`: reads a pcap or pcapng capture, follows every TCP
//! connection, finds the WebSocket (RFC 6455) opening handshakes and parses
//! every frame of both directions with [`wsframe::Receiver`], then says what
//! happened: frames, messages, Close frames, every rule a side broke (with
//! the RFC section, cause and remedy of the crate's [`wsframe::Error`]), what
//! the other side did about it, and a summary.
//!
//! ```text
//! cargo install --path inspect
//! wsframe-inspect capture.pcap                 # text
//! wsframe-inspect --json capture.pcapng        # one JSON record per line
//! wsframe-inspect --server-port 9001 mid.pcap  # a capture that starts mid-connection
//! wsframe-inspect raw --hex frames.hex         # raw bytes of one direction (examples/inspect)
//! ```
//!
//! # How a capture is read
//!
//! - Streamed, one packet record at a time (pcap-parser), so memory is bounded
//!   by the open connections' buffers, never by the file: each direction keeps
//!   at most [`tcp::MAX_QUEUED`] bytes waiting behind a hole, a 16 KiB HTTP
//!   head, and 14 bytes of the last frame header.
//! - Link types: Ethernet, Linux cooked (SLL, SLL2), BSD loopback (NULL,
//!   LOOP), raw IPv4/IPv6 (etherparse; SLL2's 20-byte header is read here).
//! - TCP: both directions are put in order by sequence number; retransmitted
//!   and overlapping bytes are delivered once; a hole is reported as a `gap`
//!   record, never glued over (when the receiver acknowledges bytes that are
//!   not in the capture, when the snap length cut a packet, or when the
//!   stream ends with segments still waiting).
//! - The handshake: the client's `GET` with `Upgrade: websocket`, the
//!   server's `101` (httparse); `Sec-WebSocket-Accept` is checked; with
//!   permessage-deflate agreed, RSV1 is allowed on a message's first frame.
//! - Frames: client → server in the Server role (frames must be masked),
//!   judged against `--max-frame`/`--max-message` (the server's limits,
//!   default 65536 as in wsframe's [`wsframe::Config`]); server → client in
//!   the Client role, without limits. After a violation the offending frame
//!   is skipped (its length is in its header) and parsing goes on with a
//!   fresh receiver, so the other side's reaction and later frames are seen.
//! - Offsets are byte offsets in that direction's TCP stream (0 is the first
//!   byte after the SYN, or the first byte seen if the capture starts
//!   mid-connection); they include the HTTP handshake.
//!
//! # JSON records (`--json`)
//!
//! One object per line; `type` says which. This schema is stable: fields may
//! be added, never renamed or removed. `conn` numbers connections from 1 in
//! order of their first packet; `t` is seconds since the connection's first
//! packet; `dir` is `"c2s"` (client to server) or `"s2c"`.
//!
//! | `type` | fields |
//! |---|---|
//! | `connection` | `conn`, `client`, `server` (`"ip:port"`), `start` (RFC 3339), `start_epoch`, `handshake` (`ok`, `bad-accept`, `assumed`, `missing`, `refused`, `no-upgrade`, `not-http`, `no-data`), `request` (`"GET /path"` or null), `status` (null or the response status), `subprotocol`, `extensions` (null or the server's header), `deflate` |
//! | `frame` | `conn`, `t`, `dir`, `offset`, `fin`, `rsv`, `opcode`, `masked`, `payload_len` |
//! | `message` | `conn`, `t`, `dir`, `opcode` (1 or 2), `payload_len`, `frames`, `compressed`, `preview` (absent with `--preview 0`: text as text, else hex, `…` when cut) |
//! | `close` | `conn`, `t`, `dir`, `offset`, `code` (null: empty body), `reason` |
//! | `violation` | `conn`, `t`, `dir`, `by` (`client`/`server`), `offset`, `frame` (null or `{fin, rsv, opcode, masked, payload_len}` as sent), `kind` ([`wsframe::Error::name`], e.g. `frame_too_big`), `close_code`, `layer`, `rfc`, `rfc_url`, `description`, `cause`, `remedy` |
//! | `gap` | `conn`, `t`, `dir`, `offset`, `len` (null: unknown), `reason`, `resynced` |
//! | `note` | `conn`, `t`, `dir` (or null), `kind` (`mid-connection`, `not-websocket`, `no-upgrade`, `refused`, `bad-accept`, `bytes-after-close`, `held-too-long`), `text` |
//! | `verdict` | `conn`, `duration`, `frames` (`[c2s, s2c]`), `messages`, `closed_by`, `close_code`, `close_reason`, `answer_code`, `outcome`, `as_rfc`, `tcp_closed_first`, `text` |
//! | `summary` | `packets`, `bytes`, `connections`, `websocket_connections`, `frames`, `messages`, `closes` (by code), `violations` (by kind), `gaps`, `cut_packets`, `skipped` (by reason), `duplicate_bytes`, `capture_error` |
//!
//! Each connection's first record is its `connection`, its last its
//! `verdict`; the last line is the `summary`. `outcome` is one of `clean`
//! (a Close answered by a Close), `close-unanswered`, `violation-answered`
//! (the other side sent the close code the rule calls for), `violation-wrong-code`,
//! `violation-unanswered`, `no-close` (TCP closed without a Close frame),
//! `open` (still open at the end of the capture), `not-websocket`,
//! `no-handshake`; `as_rfc` says whether that is what RFC 6455 §5.5.1 and
//! §7 ask.
//!
//! # Exit status
//!
//! See [`exit`]: 0 nothing wrong, 1 a rule was broken or bytes are missing,
//! 2 usage, 3 I/O error, 4 not a capture, 5 truncated or corrupt capture,
//! 6 no packet of a supported link type, 7 no WebSocket connection found.

// A host tool: the no-panic-by-indexing and core-only lints are for the
// no_std library (as in examples/inspect.rs); indexing here is by direction
// (0 or 1) or after a length check.
#![allow(clippy::indexing_slicing, clippy::std_instead_of_core)]

pub mod analyze;
pub mod capture;
pub mod handshake;
pub mod raw;
mod raw_report;
pub mod record;
pub mod synth;
pub mod tcp;

use std::io::{Read, Write};

pub use analyze::{Analyzer, Options};
pub use capture::InputError;
pub use record::{Output, Record, Summary};

/// Exit codes of the capture analysis.
pub mod exit {
    /// The capture was read; no rule broken, nothing missing.
    pub const OK: u8 = 0;
    /// The capture was read; a side broke an RFC 6455 rule, or bytes of a
    /// stream are missing (a gap, a packet cut by the snap length).
    pub const FINDINGS: u8 = 1;
    /// Bad command line (clap's code).
    pub const USAGE: u8 = 2;
    /// The file cannot be opened or read, or the output cannot be written.
    pub const IO: u8 = 3;
    /// Not a pcap or pcapng file.
    pub const NOT_A_CAPTURE: u8 = 4;
    /// The capture is truncated or corrupt (what came before is reported).
    pub const BAD_CAPTURE: u8 = 5;
    /// No packet has a supported link type.
    pub const LINK_TYPE: u8 = 6;
    /// No WebSocket connection: TCP that is not WebSocket, HTTP that never
    /// upgrades, or handshakes not in the capture (see `--server-port`).
    pub const NO_WEBSOCKET: u8 = 7;
}

/// What [`analyze()`] found, for the exit status.
#[derive(Debug)]
pub struct Outcome {
    /// The totals (also written as the `summary` record).
    pub summary: Summary,
    /// Why reading stopped early.
    pub error: Option<InputError>,
    /// Packets of a supported link type.
    pub decodable_packets: u64,
    /// Writing the output failed.
    pub output_error: Option<std::io::Error>,
}

impl Outcome {
    /// The exit status ([`exit`]).
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        let s = &self.summary;
        match &self.error {
            Some(InputError::Io(_)) => return exit::IO,
            Some(InputError::NotACapture | InputError::Empty) => return exit::NOT_A_CAPTURE,
            Some(InputError::Truncated { .. } | InputError::Corrupt { .. }) => {
                return exit::BAD_CAPTURE
            }
            None => {}
        }
        if self.output_error.is_some() {
            exit::IO
        } else if s.packets > 0 && self.decodable_packets == 0 {
            exit::LINK_TYPE
        } else if s.websocket_connections == 0 {
            exit::NO_WEBSOCKET
        } else if !s.violations.is_empty() || s.gaps > 0 || s.cut_packets > 0 {
            exit::FINDINGS
        } else {
            exit::OK
        }
    }
}

/// Reads the capture from `reader` and writes the records to `out`.
pub fn analyze<R: Read + Send, W: Write>(reader: R, opts: Options, out: Output<W>) -> Outcome {
    let mut analyzer = Analyzer::new(opts, out);
    let mut decodable = 0u64;
    let read = capture::read_packets(reader, |packet| {
        analyzer.summary.packets += 1;
        analyzer.summary.bytes += packet.data.len() as u64;
        if capture::linktype_supported(packet.linktype) {
            decodable += 1;
        }
        match capture::tcp_segment(packet) {
            Ok(seg) => analyzer.segment(&seg, packet.time),
            Err(why) => analyzer.skipped(why),
        }
    });
    analyzer.finish_all();
    let error = match read {
        Ok(_) => None,
        Err(e) => {
            analyzer.summary.capture_error = Some(e.to_string());
            Some(e)
        }
    };
    let summary = analyzer.summary.clone();
    // Nothing was read: the error message says it all.
    if !matches!(
        error,
        Some(InputError::NotACapture | InputError::Empty | InputError::Io(_))
    ) {
        analyzer.emit_summary();
    }
    let output_error = analyzer.io_error.take();
    let mut out = analyzer.out;
    let output_error = output_error.or_else(|| out.flush().err());
    Outcome {
        summary,
        error,
        decodable_packets: decodable,
        output_error,
    }
}
