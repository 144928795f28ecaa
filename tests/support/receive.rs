//! The receive loops the integration tests share (included with
//! `#[path = "support/receive.rs"] mod support;`, so that it is not a test
//! crate of its own): a wire fed to a [`Receiver`] in chunks, through
//! [`Receiver::read`] ([`run`]) or [`Receiver::read_slice`] ([`run_slice`]),
//! with what it delivered, owned, and the verdict with the wire offset at
//! which it came.
//!
//! A `Receiver<0>` hands out pieces: they are joined into the messages a
//! `Receiver<N>` hands out whole, so both give the same [`Outcome`]. Along
//! the way the loops assert what the API promises on every call:
//!
//! - `(n, None)` consumes the whole input; an event comes in the call that
//!   brings its last byte (the call after it, with no bytes, has nothing),
//!   except the event of a frame with no payload right after its own
//!   `Event::Header`;
//! - pieces: `first` on a message's first piece only, one opcode per
//!   message, text valid UTF-8 so far and whole at `last`;
//! - an error is terminal: the same error on the next call, `State::Failed`;
//! - `read_slice`: nothing complete before the bytes `Partial` asked for.

// Each test crate uses a part of this file; test code: a panic is a test
// failure.
#![allow(
    dead_code,
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use wsframe::{Error, Event, FrameHeader, Opcode, Receiver, State, Status};

/// What a receiver delivered, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// `Event::Header` (only with `Receiver::with_header_events`).
    Header(FrameHeader),
    Text(String),
    Binary(Vec<u8>),
    /// RSV1 under permessage-deflate: the bytes as received.
    Compressed(Opcode, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// The close code as a number, and the reason.
    Close(Option<u16>, String),
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The input was used up without an error.
    Ok,
    /// `read` (or `read_slice`) returned `error`; `offset` is the wire index
    /// of the last byte it had been given (fed byte by byte: the byte whose
    /// arrival showed the error).
    Err { error: Error, offset: usize },
}

/// What one run gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Messages (pieces joined), control frames and headers, in order.
    pub events: Vec<Seen>,
    pub verdict: Verdict,
    /// `Receiver::needed` at the end.
    pub needed: u64,
    /// `Receiver::state` at the end.
    pub state: State,
    /// Bytes `read_slice` left in its buffer (an incomplete frame); 0 for `read`.
    pub unread: usize,
    /// A data message begun and not finished, as the `Header` events show
    /// (false without header events).
    pub in_message: bool,
}

impl Outcome {
    /// The events without the headers.
    pub fn without_headers(&self) -> Self {
        Outcome {
            events: self
                .events
                .iter()
                .filter(|seen| !matches!(seen, Seen::Header(_)))
                .cloned()
                .collect(),
            in_message: false,
            ..self.clone()
        }
    }

    /// The error, if the run failed.
    pub fn error(&self) -> Option<Error> {
        match self.verdict {
            Verdict::Ok => None,
            Verdict::Err { error, .. } => Some(error),
        }
    }
}

/// Turns events into [`Seen`] values, joining pieces and checking them.
#[derive(Default)]
struct Collector {
    events: Vec<Seen>,
    /// The pieces of the message in progress.
    joined: Vec<u8>,
    /// Its opcode and compression, once a piece has come.
    piece: Option<(Opcode, bool)>,
    /// How much of `joined` is known to be whole UTF-8.
    checked: usize,
    /// The last event was a `Header` of a frame with no payload: its own
    /// event may come on a call with no bytes.
    empty_frame_due: bool,
    in_message: bool,
}

impl Collector {
    fn take(&mut self, event: Event<'_>) {
        self.empty_frame_due = false;
        let seen = match event {
            Event::Header(header) => {
                if !header.opcode().is_control() {
                    self.in_message = !header.fin();
                }
                self.empty_frame_due = header.payload_len() == 0;
                Seen::Header(header)
            }
            Event::Piece(piece) => {
                assert_eq!(
                    piece.first,
                    self.piece.is_none(),
                    "`first` on a message's first piece only"
                );
                let kind = (piece.opcode, piece.compressed);
                assert!(
                    matches!(piece.opcode, Opcode::Text | Opcode::Binary),
                    "{piece:?}"
                );
                assert_eq!(
                    *self.piece.get_or_insert(kind),
                    kind,
                    "one opcode a message"
                );
                self.joined.extend_from_slice(piece.payload);
                let checks_utf8 = piece.opcode == Opcode::Text && !piece.compressed;
                if checks_utf8 {
                    // From the last whole code point checked on.
                    match std::str::from_utf8(&self.joined[self.checked..]) {
                        Ok(_) => self.checked = self.joined.len(),
                        Err(e) => {
                            assert!(
                                e.error_len().is_none() && !piece.last,
                                "a text piece that no valid text continues: {:x?}",
                                self.joined
                            );
                            self.checked += e.valid_up_to();
                        }
                    }
                }
                if !piece.last {
                    return;
                }
                self.piece = None;
                self.checked = 0;
                let bytes = std::mem::take(&mut self.joined);
                match kind {
                    (opcode, true) => Seen::Compressed(opcode, bytes),
                    (Opcode::Text, false) => Seen::Text(String::from_utf8(bytes).unwrap()),
                    _ => Seen::Binary(bytes),
                }
            }
            Event::Text(t) => Seen::Text(t.to_string()),
            Event::Binary(b) => Seen::Binary(b.to_vec()),
            Event::Compressed { opcode, payload } => Seen::Compressed(opcode, payload.to_vec()),
            Event::Ping(p) => Seen::Ping(p.to_vec()),
            Event::Pong(p) => Seen::Pong(p.to_vec()),
            Event::Close { code, reason } => Seen::Close(code.map(u16::from), reason.to_string()),
            other => panic!("an event this file does not know: {other:?}"),
        };
        self.events.push(seen);
    }

    fn outcome<const N: usize>(self, rx: &Receiver<N>, verdict: Verdict, unread: usize) -> Outcome {
        Outcome {
            events: self.events,
            verdict,
            needed: rx.needed(),
            state: rx.state(),
            unread,
            in_message: self.in_message,
        }
    }
}

/// After an error: it is terminal, whatever comes next.
fn assert_terminal<const N: usize>(rx: &mut Receiver<N>, error: Error) {
    assert_eq!(rx.state(), State::Failed(error));
    assert_eq!(rx.needed(), 0);
    assert_eq!(rx.read(&mut [0x81, 0x00]), Err(error), "terminal");
    assert_eq!(rx.read(&mut []), Err(error), "terminal");
    assert_eq!(rx.read_slice(&mut [0x88, 0x00]), Err(error), "terminal");
}

/// Feeds `wire` to `rx` through [`Receiver::read`], `chunk` bytes at a time
/// (each chunk a fresh buffer, as from a socket).
pub fn run<const N: usize>(rx: &mut Receiver<N>, wire: &[u8], chunk: usize) -> Outcome {
    run_pieces(rx, wire.chunks(chunk.max(1)))
}

/// [`run`] with the wire cut at `at` (`0..=wire.len()`).
pub fn run_split<const N: usize>(rx: &mut Receiver<N>, wire: &[u8], at: usize) -> Outcome {
    let (a, b) = wire.split_at(at);
    run_pieces(rx, [a, b])
}

/// [`run`] over the wire in these pieces.
pub fn run_pieces<'w, const N: usize>(
    rx: &mut Receiver<N>,
    pieces: impl IntoIterator<Item = &'w [u8]>,
) -> Outcome {
    let mut seen = Collector::default();
    let mut fed = 0;
    for piece in pieces {
        fed += piece.len();
        let mut input = piece.to_vec();
        let len = input.len();
        let mut at = 0;
        loop {
            // Once the input is used up, one more call: it must have nothing
            // (an event is due in the call that brings its last byte), but
            // the event of an empty frame after its `Header` event.
            let spent = at == len;
            let may_have = seen.empty_frame_due;
            let (used, event) = match rx.read(&mut input[at..]) {
                Ok(step) => step,
                Err(error) => {
                    assert!(!spent || may_have, "an error on a call with no bytes");
                    assert_terminal(rx, error);
                    let verdict = Verdict::Err {
                        error,
                        offset: fed - 1,
                    };
                    return seen.outcome(rx, verdict, 0);
                }
            };
            at += used;
            assert!(at <= len);
            let Some(event) = event else {
                assert_eq!(at, len, "(n, None) consumes the whole input");
                break;
            };
            assert!(
                !spent || may_have,
                "{event:?} came on a call with no bytes, not with its last byte"
            );
            seen.take(event);
        }
    }
    seen.outcome(rx, Verdict::Ok, 0)
}

/// Feeds `wire` to `rx` through [`Receiver::read_slice`]: `chunk` bytes at a
/// time appended to a buffer, as a codec does, which drops what is consumed.
pub fn run_slice<const N: usize>(rx: &mut Receiver<N>, wire: &[u8], chunk: usize) -> Outcome {
    run_slice_pieces(rx, wire.chunks(chunk.max(1)))
}

/// [`run_slice`] with the wire cut at `at` (`0..=wire.len()`).
pub fn run_slice_split<const N: usize>(rx: &mut Receiver<N>, wire: &[u8], at: usize) -> Outcome {
    let (a, b) = wire.split_at(at);
    run_slice_pieces(rx, [a, b])
}

/// [`run_slice`] over the wire in these pieces.
pub fn run_slice_pieces<'w, const N: usize>(
    rx: &mut Receiver<N>,
    pieces: impl IntoIterator<Item = &'w [u8]>,
) -> Outcome {
    let mut seen = Collector::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    // The wire length `Partial` asked for: nothing completes before it.
    let mut promised: Option<usize> = None;
    let mut stalled = 0;
    for piece in pieces {
        fed += piece.len();
        buf.extend_from_slice(piece);
        loop {
            let have = buf.len();
            let result = rx.read_slice(&mut buf);
            let early = promised.is_some_and(|p| fed < p);
            match result {
                Err(error) => {
                    assert_terminal(rx, error);
                    let verdict = Verdict::Err {
                        error,
                        offset: fed - 1,
                    };
                    return seen.outcome(rx, verdict, have);
                }
                Ok(Status::Partial { needed }) => {
                    promised = Some(fed + needed.get());
                    break;
                }
                Ok(Status::Complete((used, event))) => {
                    assert!(!early, "complete before the bytes `Partial` asked for");
                    assert!(used <= have);
                    promised = None;
                    let done = event.is_none();
                    if let Some(event) = event {
                        seen.take(event);
                    }
                    // An empty non-final data frame after its `Header`
                    // event is read with no bytes and no event: at most once
                    // in a row.
                    if used == 0 && done && have > 0 {
                        stalled += 1;
                        assert!(stalled < 2, "no progress");
                    } else {
                        stalled = 0;
                    }
                    buf.drain(..used);
                    if done && buf.is_empty() {
                        break;
                    }
                }
            }
        }
    }
    let unread = buf.len();
    seen.outcome(rx, Verdict::Ok, unread)
}

/// The offset at which an error whose deciding byte is wire byte `at` comes
/// when the wire (`len` bytes) is fed `chunk` bytes at a time: the last byte
/// of the chunk that holds it.
pub fn chunk_end(at: usize, chunk: usize, len: usize) -> usize {
    ((at / chunk + 1) * chunk).min(len) - 1
}
