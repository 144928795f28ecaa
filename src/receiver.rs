//! `Receiver`: the one receive path. Bytes in, in pieces of any size; events
//! out; every frame and message rule judged inside the same call, at the
//! byte that decides it; the close handshake and the replies it calls for.

use crate::close::CloseCode;
use crate::config::Config;
use crate::copy::copy;
use crate::encode::{encode_close, encode_frame};
use crate::error::{EncodeError, Error};
use crate::header::{parse_prefix, Fields, FrameHeader, Opcode, Parsed};
use crate::mask::{MaskingKey, Unmasker};
use crate::message::MessageState;
use crate::status::Status;
use crate::utf8::checked_str;

/// What [`Receiver::read`] found.
///
/// A [`Receiver`] with a message buffer (`N > 0`) hands out whole messages
/// ([`Event::Text`], [`Event::Binary`], [`Event::Compressed`]); one without
/// (`N = 0`, the default) hands out each message as validated
/// [`Event::Piece`]s as the bytes arrive. Control frames come whole either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event<'a> {
    /// A frame header that passed every frame and message rule its fields
    /// decide; its payload follows. Only with [`Receiver::with_header_events`]
    /// (for tools that list frames).
    Header(FrameHeader),
    /// The next bytes of a data message, unmasked and checked (text: valid
    /// UTF-8 so far; a code point may continue in the next piece). Only from
    /// a `Receiver<0>`.
    Piece(Piece<'a>),
    /// A whole text message, valid UTF-8. Only from a `Receiver<N>`, `N > 0`.
    Text(&'a str),
    /// A whole binary message. Only from a `Receiver<N>`, `N > 0`.
    Binary(&'a [u8]),
    /// A whole message with RSV1 set under permessage-deflate (RFC 7692):
    /// inflate it, then check text for UTF-8. Only from a `Receiver<N>`, `N > 0`.
    Compressed {
        /// [`Opcode::Text`] or [`Opcode::Binary`].
        opcode: Opcode,
        /// The compressed payload.
        payload: &'a [u8],
    },
    /// A Ping and its payload. A Pong is now due: [`Receiver::reply`] writes
    /// it. Call `reply` before the next `read`: the next control frame's
    /// payload takes the Ping's place, and the Pong is then no longer due.
    Ping(&'a [u8]),
    /// A Pong and its payload.
    Pong(&'a [u8]),
    /// The peer's Close, valid: its code (`None` for an empty body) and
    /// reason. Unless this receiver sent its Close first, the answering Close
    /// is now due ([`Receiver::reply`]); then close the connection. Nothing
    /// after it is read.
    Close {
        /// The status code, if the body had one.
        code: Option<CloseCode>,
        /// The reason (valid UTF-8, possibly empty).
        reason: &'a str,
    },
}

/// A piece of a data message from a [`Receiver`] without a message buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Piece<'a> {
    /// [`Opcode::Text`] or [`Opcode::Binary`]: the message's opcode.
    pub opcode: Opcode,
    /// RSV1 under permessage-deflate: the bytes are compressed (and their
    /// UTF-8 not checked).
    pub compressed: bool,
    /// The message's first piece.
    pub first: bool,
    /// The message's last piece: the message is complete and valid.
    pub last: bool,
    /// The bytes, unmasked in place in the caller's input.
    pub payload: &'a [u8],
}

/// Where the connection stands (RFC 6455 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// Frames flow both ways.
    Open,
    /// This endpoint sent its Close ([`Receiver::close`]); frames are still
    /// read until the peer's Close.
    CloseSent,
    /// The peer's Close arrived with this code: send the reply
    /// ([`Receiver::reply`]), then close the connection. Nothing more is read.
    CloseReceived(Option<CloseCode>),
    /// Both Close frames have been sent: close the connection.
    Closed,
    /// The peer broke a rule: send the Close for the error
    /// ([`Receiver::reply`]), then close the connection (§7.1.7). Every
    /// read returns the error until [`Receiver::reset`].
    Failed(Error),
}

/// [`State`] as stored: the peer's close code as its two wire bytes
/// (`[0, 0]` for none), so that it takes 3 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Phase {
    Open,
    CloseSent,
    CloseReceived([u8; 2]),
    Closed,
    Failed(Error),
}

impl Phase {
    const fn state(self) -> State {
        match self {
            Phase::Open => State::Open,
            Phase::CloseSent => State::CloseSent,
            Phase::CloseReceived(code) => {
                State::CloseReceived(CloseCode::new(u16::from_be_bytes(code)))
            }
            Phase::Closed => State::Closed,
            Phase::Failed(e) => State::Failed(e),
        }
    }
}

/// Bits of `Receiver::flags`.
mod flag {
    /// A Ping's Pong is due; its payload is in `control`.
    pub const PONG_DUE: u8 = 1;
    /// The Close for the error has been written.
    pub const FAILURE_ANSWERED: u8 = 2;
    /// Hand out `Event::Header`.
    pub const HEADER_EVENTS: u8 = 4;
    /// The next message piece is its message's first.
    pub const FIRST_PIECE: u8 = 8;
}

/// Where the receiver is in the current frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Frame {
    /// Between frames or inside a header: `header[..filled]` holds its bytes so far.
    Header { filled: u8 },
    /// Inside a data frame's payload.
    Data {
        remaining: u64,
        unmasker: Option<Unmasker>,
        fin: bool,
    },
    /// Inside a control frame's payload, gathered in `control`.
    Control {
        remaining: u8,
        unmasker: Option<Unmasker>,
        opcode: Opcode,
    },
}

/// How far one step went.
#[derive(Clone, Copy)]
enum Step {
    /// Used this many bytes; the next frame may follow.
    Continue(usize),
    /// Used this many bytes, and the input is used up.
    Stop(usize),
    /// Used this many bytes, and found an event.
    Found(usize, Found),
}

impl Step {
    /// `used` bytes of a payload: an event, or the input used up with
    /// `more` of the frame to come, or the frame done.
    const fn of(used: usize, more: bool, found: Option<Found>) -> Self {
        match found {
            Some(found) => Step::Found(used, found),
            None if more => Step::Stop(used),
            None => Step::Continue(used),
        }
    }
}

/// What a step found, before it is borrowed from the input or the receiver.
#[derive(Clone, Copy)]
enum Found {
    Header(FrameHeader),
    Piece {
        start: usize,
        end: usize,
        last: bool,
        first: bool,
        opcode: Opcode,
        compressed: bool,
    },
    Whole {
        /// In the input at these bounds, else in the message buffer.
        input: Option<(usize, usize)>,
        len: usize,
        opcode: Opcode,
        compressed: bool,
    },
    Control(Opcode),
}

impl Found {
    /// The same, with input bounds moved `at` bytes further.
    fn after(mut self, at: usize) -> Self {
        match &mut self {
            Found::Piece { start, end, .. }
            | Found::Whole {
                input: Some((start, end)),
                ..
            } => {
                *start += at;
                *end += at;
            }
            _ => {}
        }
        self
    }
}

/// The receive side of a WebSocket connection, sans I/O: feed it the bytes
/// that arrive, in pieces of any size, and take the events.
///
/// - It owns the frame state, the message state and the close handshake,
///   and judges every RFC 6455 rule inside [`Receiver::read`], at the byte
///   that decides it: a rule of the first two header bytes at that byte; a
///   length rule once the length field is whole; a message rule (a message
///   over the limit: 1009; a continuation without a message: 1002) at the
///   header's length field, before its masking key; a UTF-8 error at the
///   first byte no valid text can continue with. An event is handed out
///   in the call that brings its last byte.
/// - `N` is the size of its message buffer. With `N = 0` (the default,
///   about 200 bytes of state) messages come as [`Event::Piece`]s, zero-copy
///   from the caller's input. With `N > 0` they come whole: zero-copy when a
///   message is one frame that is all in one input, else copied once into
///   the buffer; the message limit is then the smaller of `N` and
///   [`Config::max_message_len`].
/// - [`Receiver::reply`] writes what is due: the Pong for a Ping, the Close
///   answering the peer's Close, or the Close for an error.
/// - Errors are terminal until [`Receiver::reset`].
///
/// The same input split at any points gives the same events (pieces split
/// where the input is) and the same verdict.
///
/// ```
/// use wsframe::{Config, Event, Receiver};
///
/// // RFC 6455 §5.7: a masked "Hello" and a masked Ping "Hello", as a server
/// // receives them, arriving 5 bytes at a time.
/// let wire = [
///     0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
///     0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
/// ];
/// let mut rx: Receiver<64> = Receiver::with_buffer(Config::server());
/// let (mut texts, mut tx) = (Vec::new(), [0u8; 131]);
/// for piece in wire.chunks(5) {
///     let mut input = piece.to_vec(); // in firmware: the bytes the socket gave
///     let mut at = 0;
///     while at < input.len() {
///         let (used, event) = rx.read(&mut input[at..])?;
///         at += used;
///         match event {
///             Some(Event::Text(text)) => texts.push(text.to_owned()),
///             Some(Event::Ping(_)) => {
///                 let n = rx.reply(None, &mut tx).unwrap(); // the Pong
///                 assert_eq!(&tx[..n], b"\x8a\x05Hello");
///             }
///             _ => {}
///         }
///     }
/// }
/// assert_eq!(texts, ["Hello"]);
/// # Ok::<(), wsframe::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Receiver<const N: usize = 0> {
    config: Config,
    frame: Frame,
    messages: MessageState,
    state: Phase,
    /// The bytes of a header split across reads.
    header: [u8; FrameHeader::MAX_LEN],
    /// The payload of the current (or last) control frame.
    control: [u8; 125],
    control_len: u8,
    /// The bits of [`flag`].
    flags: u8,
    buf: [u8; N],
}

impl Receiver {
    /// A receiver without a message buffer: messages come as
    /// [`Event::Piece`]s.
    ///
    /// ```
    /// use wsframe::{Config, Event, Receiver};
    ///
    /// let mut rx = Receiver::new(Config::client());
    /// let mut frame = *b"\x81\x05Hello"; // unmasked, as a client receives it
    /// let (used, event) = rx.read(&mut frame)?;
    /// let Some(Event::Piece(piece)) = event else { panic!() };
    /// assert_eq!((used, piece.payload, piece.first, piece.last), (7, &b"Hello"[..], true, true));
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    #[must_use]
    pub const fn new(config: Config) -> Self {
        Self::with_buffer(config)
    }
}

impl<const N: usize> Receiver<N> {
    /// A receiver with an `N`-byte message buffer (`N = 0`: none, as
    /// [`Receiver::new`]). Being `const`, it can initialise a `static`.
    ///
    /// ```
    /// use wsframe::{Config, Receiver};
    /// static RX: Receiver<1024> = Receiver::with_buffer(Config::server());
    /// assert_eq!(RX.message_limit(), 1024);
    /// ```
    #[must_use]
    pub const fn with_buffer(config: Config) -> Self {
        Receiver {
            config,
            frame: Frame::Header { filled: 0 },
            messages: MessageState::new(),
            state: Phase::Open,
            header: [0; FrameHeader::MAX_LEN],
            control: [0; 125],
            control_len: 0,
            flags: flag::FIRST_PIECE,
            buf: [0; N],
        }
    }

    /// The same receiver, also handing out an [`Event::Header`] for every
    /// frame (for tools that list frames, such as `wsframe-inspect`).
    ///
    /// A frame's header and its own event are then due at the same byte
    /// when its payload is empty (an empty Ping, Close or final fragment),
    /// so with header events read until [`Receiver::read`] returns `None`
    /// (`while let (used, Some(event)) = rx.read(&mut input[at..])?`), not
    /// only while input is left.
    #[must_use]
    pub const fn with_header_events(mut self) -> Self {
        self.flags |= flag::HEADER_EVENTS;
        self
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// The largest message accepted: [`Config::max_message_len`], and at
    /// most `N` when there is a message buffer.
    #[must_use]
    pub const fn message_limit(&self) -> u64 {
        let max = self.config.max_message_len();
        if N > 0 && (N as u64) < max {
            N as u64
        } else {
            max
        }
    }

    /// Where the connection stands.
    #[must_use]
    pub const fn state(&self) -> State {
        self.state.state()
    }

    /// Whether a data message has begun and not ended: its first frame
    /// (or part of it) was read, its final frame's end not yet. A stream
    /// that ends now ends inside a message.
    ///
    /// ```
    /// use wsframe::{Config, Receiver};
    /// let mut rx = Receiver::new(Config::client());
    /// rx.read(&mut [0x01, 0x00])?; // an empty first fragment of a text message
    /// assert!(rx.in_message());
    /// rx.read(&mut [0x80, 0x00])?; // its empty final fragment
    /// assert!(!rx.in_message());
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    #[must_use]
    pub fn in_message(&self) -> bool {
        self.messages.message().is_some()
    }

    /// Back to the start of a connection, forgetting any error and any
    /// Close.
    pub fn reset(&mut self) {
        let header_events = self.flags & flag::HEADER_EVENTS;
        *self = Self::with_buffer(self.config);
        self.flags |= header_events;
    }

    /// The bytes still needed to finish the current header or payload: 0 at
    /// a frame boundary (and once closed or failed). While a header is
    /// incomplete, the count of its missing bytes as far as they are known.
    ///
    /// ```
    /// use wsframe::{Config, Receiver};
    /// let mut rx = Receiver::new(Config::server());
    /// rx.read(&mut [0x82, 0xFE, 0x01])?; // a 16-bit length, 1 byte of it in
    /// assert_eq!(rx.needed(), 5); // 1 length byte and the 4-byte key
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    #[must_use]
    pub fn needed(&self) -> u64 {
        if !matches!(self.state, Phase::Open | Phase::CloseSent) {
            return 0;
        }
        match self.frame {
            Frame::Header { filled: 0 } => 0,
            Frame::Header { filled } => {
                let seen = self.header.get(..usize::from(filled)).unwrap_or(&[]);
                match parse_prefix(seen, &self.config) {
                    Ok(Parsed::Partial { needed, .. }) => needed as u64,
                    _ => 0,
                }
            }
            Frame::Data { remaining, .. } => remaining,
            Frame::Control { remaining, .. } => u64::from(remaining),
        }
    }

    /// Reads from the start of `input`: returns the bytes consumed and at
    /// most one event. `(n, None)` means all of `input` was consumed (what
    /// it held is in the receiver) and more is needed; otherwise call again
    /// with the rest of `input`. Payload bytes are unmasked in place.
    ///
    /// After the peer's Close (and once [`State::Closed`]) the input is
    /// consumed and ignored: `(input.len(), None)`.
    ///
    /// # Errors
    /// The first rule the input breaks, as soon as the byte that shows it is
    /// read: the frame rules of [`FrameHeader::parse`], and the message rules
    /// [`Error::UnexpectedContinuation`], [`Error::ExpectedContinuation`],
    /// [`Error::MessageTooBig`] (at the length field, against
    /// [`Receiver::message_limit`]), [`Error::InvalidUtf8`],
    /// [`Error::CloseBodyTooShort`], [`Error::InvalidCloseCode`],
    /// [`Error::InvalidCloseReason`] and [`Error::MisplacedCompressionBit`];
    /// see RFC 6455 [§5](https://www.rfc-editor.org/rfc/rfc6455#section-5),
    /// [§8.1](https://www.rfc-editor.org/rfc/rfc6455#section-8.1) and
    /// [§10.4](https://www.rfc-editor.org/rfc/rfc6455#section-10.4). Then
    /// the same error on every call until [`Receiver::reset`].
    pub fn read<'a>(
        &'a mut self,
        input: &'a mut [u8],
    ) -> Result<(usize, Option<Event<'a>>), Error> {
        match self.state {
            Phase::Failed(e) => return Err(e),
            Phase::CloseReceived(_) | Phase::Closed => return Ok((input.len(), None)),
            Phase::Open | Phase::CloseSent => {}
        }
        match self.step(input) {
            Ok((used, None)) => Ok((used, None)),
            Ok((used, Some(found))) => Ok((used, Some(self.event(found, input)))),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Writes the frame that is due into `out` and returns its length, or
    /// `Ok(0)` when nothing is due: the Close answering an error (once; its
    /// code and description as the reason), else the Close answering the
    /// peer's (its code echoed, RFC 6455 §5.5.1), else the Pong for the last
    /// Ping (§5.5.3). The Client role masks it with `masking_key` (a fresh
    /// one from a strong source, §5.3); the Server role ignores the key.
    ///
    /// ```
    /// use wsframe::{CloseCode, Config, Receiver, State};
    ///
    /// let mut rx = Receiver::new(Config::client());
    /// rx.read(&mut [0x88, 0x02, 0x03, 0xE8])?; // the server's Close, 1000
    /// assert_eq!(rx.state(), State::CloseReceived(Some(CloseCode::NORMAL)));
    /// let mut out = [0u8; 8];
    /// let key = wsframe::MaskingKey::new([1, 2, 3, 4]);
    /// assert_eq!(rx.reply(Some(key), &mut out), Ok(8));
    /// assert_eq!(out[..2], [0x88, 0x82]); // a masked Close with 2 bytes: 1000
    /// assert_eq!(rx.state(), State::Closed);
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] if `out` cannot hold the frame (at
    /// most [`FrameHeader::MAX_CONTROL_FRAME_LEN`] bytes); the reply stays
    /// due. [`EncodeError::MissingMaskingKey`] in the Client role without a key.
    pub fn reply(
        &mut self,
        masking_key: Option<MaskingKey>,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let due = match self.state {
            Phase::Failed(_) => self.flags & flag::FAILURE_ANSWERED == 0,
            Phase::CloseReceived(_) => true,
            Phase::Open | Phase::CloseSent => self.flags & flag::PONG_DUE != 0,
            Phase::Closed => false,
        };
        if !due {
            return Ok(0);
        }
        let key = self.reply_key(masking_key)?;
        match self.state {
            Phase::Failed(e) if self.flags & flag::FAILURE_ANSWERED == 0 => {
                let n = e.encode_close(key, out)?;
                self.flags |= flag::FAILURE_ANSWERED;
                Ok(n)
            }
            Phase::CloseReceived(code) => {
                let code = CloseCode::new(u16::from_be_bytes(code));
                let n = encode_close(code, "", key, out)?;
                self.state = Phase::Closed;
                Ok(n)
            }
            Phase::Open | Phase::CloseSent if self.flags & flag::PONG_DUE != 0 => {
                let payload = self
                    .control
                    .get(..usize::from(self.control_len))
                    .unwrap_or(&[]);
                let header = FrameHeader::new(true, 0, Opcode::Pong, key, payload.len() as u64)?;
                let n = encode_frame(&header, payload, out)?;
                self.flags &= !flag::PONG_DUE;
                Ok(n)
            }
            _ => Ok(0),
        }
    }

    /// Starts the closing handshake from this side, or answers the peer's
    /// Close with a code of the caller's choosing: writes a Close frame with
    /// `code` and `reason` (cut to 123 bytes on a character boundary) into
    /// `out`, masked in the Client role. Frames are still read until the
    /// peer's Close ([`State::CloseSent`]).
    ///
    /// ```
    /// use wsframe::{CloseCode, Config, Receiver, State};
    /// let mut rx = Receiver::new(Config::server());
    /// let mut out = [0u8; 16];
    /// let n = rx.close(Some(CloseCode::GOING_AWAY), "bye", None, &mut out).unwrap();
    /// assert_eq!(&out[..n], b"\x88\x05\x03\xe9bye");
    /// assert_eq!(rx.state(), State::CloseSent);
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::InvalidCloseCode`] for a code that may not be sent,
    /// [`EncodeError::BufferTooSmall`], [`EncodeError::MissingMaskingKey`];
    /// [`EncodeError::AlreadyClosed`] once this side's Close was sent or the
    /// receiver failed.
    pub fn close(
        &mut self,
        code: Option<CloseCode>,
        reason: &str,
        masking_key: Option<MaskingKey>,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        let next = match self.state {
            Phase::Open => Phase::CloseSent,
            Phase::CloseReceived(_) => Phase::Closed,
            Phase::CloseSent | Phase::Closed | Phase::Failed(_) => {
                return Err(EncodeError::AlreadyClosed)
            }
        };
        let key = self.reply_key(masking_key)?;
        let n = encode_close(code, reason, key, out)?;
        self.state = next;
        Ok(n)
    }

    /// Stops the receiver with `e`. After this side's Close, the Close for
    /// the error is not due: one Close per side (§5.5.1, §7.1.2).
    fn fail(&mut self, e: Error) -> Error {
        if self.state == Phase::CloseSent {
            self.flags |= flag::FAILURE_ANSWERED;
        }
        self.state = Phase::Failed(e);
        e
    }

    /// The key a reply is masked with: the Client role's, or none.
    fn reply_key(&self, key: Option<MaskingKey>) -> Result<Option<MaskingKey>, EncodeError> {
        match self.config.role() {
            crate::config::Role::Server => Ok(None),
            crate::config::Role::Client => key.map(Some).ok_or(EncodeError::MissingMaskingKey),
            crate::config::Role::Any => Ok(key),
        }
    }

    /// Runs the input through the frame and message rules until an event
    /// is due or the input is used up. Between frames, a frame that is
    /// whole in the input goes through [`Receiver::whole`] in one pass; a
    /// frame split across inputs goes byte range by byte range.
    fn step(&mut self, input: &mut [u8]) -> Result<(usize, Option<Found>), Error> {
        let mut at = 0;
        loop {
            let rest = input.get_mut(at..).unwrap_or(&mut []);
            let step = match self.frame {
                Frame::Header { filled: 0 } if self.flags & flag::HEADER_EVENTS == 0 => {
                    match self.whole(rest)? {
                        Some(step) => step,
                        None => self.header(rest, 0)?,
                    }
                }
                Frame::Header { filled } => self.header(rest, filled)?,
                Frame::Control {
                    remaining,
                    mut unmasker,
                    opcode,
                } => {
                    let take = usize::from(remaining).min(rest.len());
                    let chunk = rest.get_mut(..take).unwrap_or(&mut []);
                    if let Some(u) = unmasker.as_mut() {
                        u.apply(chunk);
                    }
                    // `take` <= `remaining` <= 125.
                    let left = remaining - u8::try_from(take).unwrap_or(remaining);
                    let found = self.gather_control(chunk, opcode, left)?;
                    self.frame = match left {
                        0 => Frame::Header { filled: 0 },
                        _ => Frame::Control {
                            remaining: left,
                            unmasker,
                            opcode,
                        },
                    };
                    Step::of(take, left > 0, found)
                }
                Frame::Data {
                    remaining,
                    mut unmasker,
                    fin,
                } => {
                    let take = usize::try_from(remaining).map_or(rest.len(), |r| r.min(rest.len()));
                    let chunk = rest.get_mut(..take).unwrap_or(&mut []);
                    if let Some(u) = unmasker.as_mut() {
                        u.apply(chunk);
                    }
                    let left = remaining - take as u64;
                    self.frame = match left {
                        0 => Frame::Header { filled: 0 },
                        _ => Frame::Data {
                            remaining: left,
                            unmasker,
                            fin,
                        },
                    };
                    let found = self.deliver(chunk, remaining, left, fin)?;
                    Step::of(take, left > 0, found)
                }
            };
            match step {
                Step::Continue(used) => at += used,
                Step::Stop(used) => return Ok((at + used, None)),
                Step::Found(used, found) => return Ok((at + used, Some(found.after(at)))),
            }
        }
    }

    /// The usual case between frames: a whole frame at the start of
    /// `input`, judged, unmasked and delivered in one pass. `None` if the
    /// frame is not whole in `input` (nothing is changed then).
    #[inline]
    fn whole(&mut self, input: &mut [u8]) -> Result<Option<Step>, Error> {
        let Parsed::Header(header, header_len) = parse_prefix(input, &self.config)? else {
            return Ok(None);
        };
        let fields = *header.fields();
        let end = usize::try_from(fields.payload_len)
            .ok()
            .and_then(|len| len.checked_add(header_len));
        let Some(frame) = end.and_then(|end| input.get_mut(..end)) else {
            return Ok(None);
        };
        self.take_header(&fields)?;
        let (_, payload) = frame.split_at_mut(header_len.min(frame.len()));
        header.unmask(payload);
        let found = if fields.opcode.is_control() {
            self.gather_control(payload, fields.opcode, 0)?
        } else {
            self.deliver(payload, fields.payload_len, 0, fields.fin)?
        };
        let used = header_len + payload.len();
        Ok(Some(match found {
            Some(found) => Step::Found(used, found.after(header_len)),
            None => Step::Continue(used),
        }))
    }

    /// The next bytes (`chunk`, unmasked) of a control frame's payload,
    /// gathered in `control`; `left` bytes are still to come. The control
    /// frame once it is whole.
    fn gather_control(
        &mut self,
        chunk: &[u8],
        opcode: Opcode,
        left: u8,
    ) -> Result<Option<Found>, Error> {
        let before = usize::from(self.control_len);
        let end = before + chunk.len();
        let dst = self
            .control
            .get_mut(before..)
            .and_then(|d| d.get_mut(..chunk.len()));
        let Some(dst) = dst else {
            return Err(Error::ControlFrameTooLong); // cannot happen: at most 125 in all
        };
        copy(dst, chunk);
        self.control_len = u8::try_from(end).unwrap_or(125);
        if opcode == Opcode::Close {
            let body = self.control.get(..end).unwrap_or(&[]);
            self.messages.close_body(body, before)?;
            if left == 0 {
                self.messages.end_close()?;
            }
        }
        Ok((left == 0).then_some(Found::Control(opcode)))
    }

    /// The next bytes (`chunk`, unmasked) of a data frame whose payload had
    /// `remaining` bytes to come before them and has `left` after: checked,
    /// then handed out as a piece (`N = 0`) or gathered into a whole message.
    /// Input bounds in what it finds are relative to `chunk`.
    fn deliver(
        &mut self,
        chunk: &[u8],
        remaining: u64,
        left: u64,
        fin: bool,
    ) -> Result<Option<Found>, Error> {
        self.messages.data(chunk)?;
        let last = left == 0 && fin;
        let Some(message) = self.messages.message() else {
            return Err(Error::UnexpectedContinuation); // cannot happen: checked at the header
        };
        if last {
            self.messages.end_message()?;
        }
        let take = chunk.len();
        if N == 0 {
            if take == 0 && !last {
                return Ok(None);
            }
            let first = self.flags & flag::FIRST_PIECE != 0;
            if !last {
                self.flags &= !flag::FIRST_PIECE;
            }
            return Ok(Some(Found::Piece {
                start: 0,
                end: take,
                last,
                first,
                opcode: message.opcode,
                compressed: message.compressed,
            }));
        }
        // All of the message in this chunk: zero-copy.
        let whole_here = last && message.len == take as u64;
        if !whole_here {
            // Received before this chunk: announced so far minus what this
            // frame still had to bring.
            let offset = message.len - remaining;
            let dst = usize::try_from(offset)
                .ok()
                .and_then(|o| self.buf.get_mut(o..))
                .and_then(|d| d.get_mut(..take));
            let Some(dst) = dst else {
                return Err(Error::MessageTooBig); // cannot happen: the limit is at most N
            };
            copy(dst, chunk);
        }
        Ok(last.then(|| Found::Whole {
            input: whole_here.then_some((0, take)),
            len: usize::try_from(message.len).unwrap_or(0),
            opcode: message.opcode,
            compressed: message.compressed,
        }))
    }

    /// Takes in a whole header: its message rules, then the message state.
    #[inline]
    fn take_header(&mut self, fields: &Fields) -> Result<(), Error> {
        self.messages
            .check_header(fields, &self.config, self.message_limit())?;
        self.messages.begin_frame(fields, &self.config);
        if fields.opcode.is_control() {
            // `control` is about to hold this frame's payload, so a Pong
            // still due for an earlier Ping loses its payload and is dropped:
            // a later Ping replaces it (§5.5.3), after a Close none is due
            // (§5.5.2); for a Pong frame in between, the Ping goes
            // unanswered, which is why `reply` is called after every event.
            self.control_len = 0;
            self.flags &= !flag::PONG_DUE;
        } else if fields.opcode != Opcode::Continuation {
            self.flags |= flag::FIRST_PIECE;
        }
        Ok(())
    }

    /// Reads a header from `rest` after the `filled` bytes held from earlier
    /// reads. Runs the message rules as soon as the length field is in (the
    /// masking key carries none), and takes a whole header in.
    fn header(&mut self, rest: &[u8], filled: u8) -> Result<Step, Error> {
        let filled = usize::from(filled);
        let free = self.header.get_mut(filled..).unwrap_or(&mut []);
        let copied = free.len().min(rest.len());
        copy(free, rest);
        let seen = self.header.get(..filled + copied).unwrap_or(&[]);
        match parse_prefix(seen, &self.config)? {
            Parsed::Partial { fields, .. } => {
                if let Some(fields) = fields {
                    self.messages
                        .check_header(&fields, &self.config, self.message_limit())?;
                }
                // Fewer than 14 bytes in all, or parse would have completed.
                self.frame = Frame::Header {
                    filled: u8::try_from(filled + copied).unwrap_or(0),
                };
                Ok(Step::Stop(copied))
            }
            Parsed::Header(header, header_len) => {
                let fields = *header.fields();
                self.take_header(&fields)?;
                let unmasker = header.masking_key().map(Unmasker::new);
                self.frame = if fields.opcode.is_control() {
                    Frame::Control {
                        // At most 125: a frame rule.
                        remaining: u8::try_from(fields.payload_len).unwrap_or(125),
                        unmasker,
                        opcode: fields.opcode,
                    }
                } else {
                    Frame::Data {
                        remaining: fields.payload_len,
                        unmasker,
                        fin: fields.fin,
                    }
                };
                let used = header_len - filled;
                Ok(if self.flags & flag::HEADER_EVENTS != 0 {
                    Step::Found(used, Found::Header(header))
                } else {
                    Step::Continue(used)
                })
            }
        }
    }

    /// The event for what a step found, borrowed from `input` or the receiver.
    fn event<'a>(&'a mut self, found: Found, input: &'a [u8]) -> Event<'a> {
        match found {
            Found::Header(header) => Event::Header(header),
            Found::Piece {
                start,
                end,
                last,
                first,
                opcode,
                compressed,
            } => Event::Piece(Piece {
                opcode,
                compressed,
                first,
                last,
                payload: input.get(start..end).unwrap_or(&[]),
            }),
            Found::Whole {
                input: bounds,
                len,
                opcode,
                compressed,
            } => {
                let payload = match bounds {
                    Some((start, end)) => input.get(start..end),
                    None => self.buf.get(..len),
                }
                .unwrap_or(&[]);
                match opcode {
                    _ if compressed => Event::Compressed { opcode, payload },
                    // Checked as it arrived; this only turns it into a `str`.
                    Opcode::Text => Event::Text(checked_str(payload)),
                    _ => Event::Binary(payload),
                }
            }
            Found::Control(opcode) => {
                let payload = self
                    .control
                    .get(..usize::from(self.control_len))
                    .unwrap_or(&[]);
                match opcode {
                    Opcode::Ping => {
                        self.flags |= flag::PONG_DUE;
                        Event::Ping(payload)
                    }
                    Opcode::Close => {
                        // The body was checked as it arrived.
                        let code = match payload {
                            [hi, lo, ..] => CloseCode::new(u16::from_be_bytes([*hi, *lo])),
                            _ => None,
                        };
                        self.state = match self.state {
                            Phase::CloseSent => Phase::Closed,
                            _ => Phase::CloseReceived(
                                code.map_or([0, 0], |c| c.as_u16().to_be_bytes()),
                            ),
                        };
                        self.flags &= !flag::PONG_DUE;
                        let reason = payload.get(2..).unwrap_or(&[]);
                        Event::Close {
                            code,
                            reason: checked_str(reason),
                        }
                    }
                    _ => Event::Pong(payload),
                }
            }
        }
    }
}

impl<const N: usize> Receiver<N> {
    /// Reads one whole frame from a buffer that holds the start of the
    /// stream, for codecs: like [`Receiver::read`], but nothing is consumed
    /// until an event is complete ([`Status::Partial`] says how many more
    /// bytes are needed, as far as known), so the caller keeps its buffer
    /// as it is and calls again once more bytes are appended.
    ///
    /// The verdicts are those of [`Receiver::read`] on the same bytes. A
    /// header's rules come as early as in `read` (at its length field, even
    /// before its masking key); a payload's (UTF-8, a Close body) once the
    /// frame is whole in `buf`, since nothing of it is consumed before.
    ///
    /// ```
    /// use wsframe::{Config, Event, Receiver, Status};
    ///
    /// let mut rx: Receiver<64> = Receiver::with_buffer(Config::client());
    /// let mut buf = *b"\x81\x05Hel";
    /// assert_eq!(rx.read_slice(&mut buf)?, Status::Partial { needed: 2.try_into().unwrap() });
    /// let mut buf = *b"\x81\x05Hello";
    /// assert_eq!(rx.read_slice(&mut buf)?, Status::Complete((7, Some(Event::Text("Hello")))));
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Receiver::read`].
    pub fn read_slice<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> Result<Status<(usize, Option<Event<'a>>)>, Error> {
        // A frame (or the rest of one) must be whole in `buf` before
        // anything is consumed; a header is judged as far as it goes, so its
        // errors come as early as in `read`.
        let open = matches!(self.state, Phase::Open | Phase::CloseSent);
        let whole = match self.frame {
            _ if !open => buf.len(),
            Frame::Header { filled: 0 } => match self.peek(buf) {
                Ok(Ok(total)) => total,
                Ok(Err(needed)) => return Ok(Status::partial(needed)),
                Err(e) => return Err(self.fail(e)),
            },
            Frame::Header { .. } => buf.len(),
            Frame::Data { remaining, .. } => usize::try_from(remaining).unwrap_or(usize::MAX),
            Frame::Control { remaining, .. } => usize::from(remaining),
        };
        let have = buf.len();
        let Some(frame) = buf.get_mut(..whole) else {
            return Ok(Status::partial(whole.saturating_sub(have)));
        };
        self.read(frame).map(Status::Complete)
    }

    /// The length of the frame at the start of `buf` (`Ok(total)`), or how
    /// many more bytes its header needs (`Err(needed)`); the frame and
    /// message rules its header shows so far are judged.
    fn peek(&self, buf: &[u8]) -> Result<Result<usize, usize>, Error> {
        let (fields, whole) = match parse_prefix(buf, &self.config)? {
            Parsed::Partial { needed, fields } => (fields, Err(needed)),
            Parsed::Header(header, header_len) => (
                Some(*header.fields()),
                Ok(usize::try_from(header.payload_len())
                    .ok()
                    .and_then(|len| len.checked_add(header_len))
                    .unwrap_or(usize::MAX)),
            ),
        };
        if let Some(fields) = fields {
            self.messages
                .check_header(&fields, &self.config, self.message_limit())?;
        }
        Ok(whole)
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use crate::config::Role;
    use std::string::String;
    use std::vec::Vec;

    /// What a whole input gave, as text: one line per event, then the verdict.
    fn run<const N: usize>(rx: &mut Receiver<N>, wire: &[u8], chunk: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut text = Vec::new();
        for piece in wire.chunks(chunk.max(1)) {
            let mut input = piece.to_vec();
            let mut at = 0;
            while at < input.len() {
                match rx.read(&mut input[at..]) {
                    Err(e) => {
                        out.push(std::format!("error {}", e.close_code().as_u16()));
                        return out;
                    }
                    Ok((used, event)) => {
                        at += used;
                        match event {
                            None => assert_eq!(at, input.len()),
                            // Pieces split where the input does: join them.
                            Some(Event::Piece(p)) => {
                                text.extend_from_slice(p.payload);
                                if p.last {
                                    out.push(std::format!("{:?} {:?}", p.opcode, text));
                                    text.clear();
                                }
                            }
                            Some(Event::Text(t)) => {
                                out.push(std::format!("Text {:?}", t.as_bytes()));
                            }
                            Some(Event::Binary(b)) => out.push(std::format!("Binary {b:?}")),
                            Some(e) => out.push(std::format!("{e:?}")),
                        }
                    }
                }
            }
        }
        out.push(std::format!("needed {}", rx.needed()));
        out
    }

    fn masked(b0: u8, payload: &[u8]) -> Vec<u8> {
        let key = MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]);
        let op = Opcode::from_u8(b0 & 0x0F).unwrap();
        let h = FrameHeader::new(b0 & 0x80 != 0, 0, op, Some(key), payload.len() as u64).unwrap();
        let mut out = std::vec![0u8; 14 + payload.len()];
        let n = encode_frame(&h, payload, &mut out).unwrap();
        out.truncate(n);
        out
    }

    fn session() -> Vec<u8> {
        let mut wire = Vec::new();
        wire.extend(masked(0x01, "héllo ".as_bytes()));
        wire.extend(masked(0x89, b"ping"));
        wire.extend(masked(0x00, &[]));
        wire.extend(masked(0x80, "wörld".as_bytes()));
        wire.extend(masked(0x82, &[1, 2, 3]));
        wire.extend(masked(0x8A, b""));
        wire.extend(masked(0x81, &[0xE2, 0x82, 0xAC]));
        wire.extend(masked(0x88, &[0x03, 0xE8, b'o', b'k']));
        wire.extend(masked(0x81, b"after close"));
        wire
    }

    #[test]
    fn every_split_gives_the_same_events() {
        let wire = session();
        let whole: Vec<String> = run(&mut Receiver::new(Config::server()), &wire, wire.len());
        assert_eq!(whole.len(), 7, "{whole:?}");
        assert!(whole[0].starts_with("Ping("));
        assert_eq!(
            whole[5],
            "Close { code: Some(CloseCode(1000)), reason: \"ok\" }"
        );
        for chunk in 1..wire.len() {
            assert_eq!(
                run(&mut Receiver::new(Config::server()), &wire, chunk),
                whole,
                "{chunk}"
            );
        }
        let buffered = run(
            &mut Receiver::<64>::with_buffer(Config::server()),
            &wire,
            wire.len(),
        );
        for chunk in 1..wire.len() {
            let mut rx = Receiver::<64>::with_buffer(Config::server());
            assert_eq!(run(&mut rx, &wire, chunk), buffered, "{chunk}");
        }
        // The same messages either way.
        assert_eq!(
            buffered[1],
            std::format!("Text {:?}", "héllo wörld".as_bytes())
        );
        assert_eq!(
            whole[1],
            std::format!("Text {:?}", "héllo wörld".as_bytes())
        );
    }

    #[test]
    fn a_message_over_the_limit_fails_at_its_length_field() {
        // A masked Binary header announcing 300 bytes, cut before its key.
        let mut rx = Receiver::new(Config::server().with_max_message_len(299));
        assert_eq!(rx.read(&mut [0x82, 0xFE, 0x01]), Ok((3, None)));
        assert_eq!(rx.read(&mut [0x2C]), Err(Error::MessageTooBig));
        assert_eq!(rx.state(), State::Failed(Error::MessageTooBig));
        assert_eq!(rx.read(&mut [0x00]), Err(Error::MessageTooBig));
        let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        let n = rx.reply(None, &mut out).unwrap();
        assert_eq!(out[..4], [0x88, (n - 2) as u8, 0x03, 0xF1]);
        assert_eq!(rx.reply(None, &mut out), Ok(0), "answered once");
        // A buffer smaller than the limit lowers it.
        let mut rx = Receiver::<299>::with_buffer(Config::server());
        assert_eq!(
            rx.read(&mut [0x82, 0xFE, 0x01, 0x2C]),
            Err(Error::MessageTooBig)
        );
        rx.reset();
        assert_eq!(rx.state(), State::Open);
    }

    #[test]
    fn the_close_handshake() {
        // Peer closes first: the reply echoes its code, then nothing is read.
        let mut rx = Receiver::new(Config::server());
        let mut close = masked(0x88, &[0x03, 0xE9]);
        assert!(matches!(
            rx.read(&mut close),
            Ok((8, Some(Event::Close { .. })))
        ));
        assert_eq!(rx.state(), State::CloseReceived(CloseCode::new(1001)));
        assert_eq!(rx.read(&mut [0xFF, 0xFF]), Ok((2, None)), "ignored");
        let mut out = [0u8; 8];
        assert_eq!(rx.reply(None, &mut out), Ok(4));
        assert_eq!(out[..4], [0x88, 0x02, 0x03, 0xE9]);
        assert_eq!(rx.state(), State::Closed);
        assert_eq!(rx.reply(None, &mut out), Ok(0));
        // We close first: data still flows until the peer's Close.
        let mut rx = Receiver::new(Config::client());
        assert_eq!(
            rx.close(
                Some(CloseCode::NORMAL),
                "",
                Some(MaskingKey::new([1; 4])),
                &mut out
            ),
            Ok(8)
        );
        assert_eq!(rx.state(), State::CloseSent);
        assert_eq!(
            rx.close(None, "", Some(MaskingKey::new([1; 4])), &mut out),
            Err(EncodeError::AlreadyClosed)
        );
        assert!(matches!(
            rx.read(&mut b"\x81\x01a".clone()),
            Ok((3, Some(Event::Piece(_))))
        ));
        assert!(matches!(
            rx.read(&mut b"\x88\x00".clone()),
            Ok((2, Some(Event::Close { code: None, .. })))
        ));
        assert_eq!(rx.state(), State::Closed);
        assert_eq!(rx.reply(Some(MaskingKey::new([1; 4])), &mut out), Ok(0));
        // A client cannot answer without a key.
        let mut rx = Receiver::new(Config::client());
        assert!(rx.read(&mut b"\x89\x01x".clone()).is_ok());
        assert_eq!(
            rx.reply(None, &mut out),
            Err(EncodeError::MissingMaskingKey)
        );
        assert_eq!(rx.reply(Some(MaskingKey::new([0; 4])), &mut out), Ok(7));
        assert_eq!(out[..7], [0x8A, 0x81, 0, 0, 0, 0, b'x']);
    }

    #[test]
    fn one_close_per_side_and_no_key_needed_when_nothing_is_due() {
        let mut rx = Receiver::new(Config::server());
        let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        assert_eq!(rx.close(Some(CloseCode::NORMAL), "", None, &mut out), Ok(4));
        // The peer answers with a Close code that may not be sent (1005):
        // an error, but this side's Close is already out.
        let mut bad = masked(0x88, &[0x03, 0xED]);
        assert_eq!(rx.read(&mut bad), Err(Error::InvalidCloseCode));
        assert_eq!(rx.state(), State::Failed(Error::InvalidCloseCode));
        assert_eq!(rx.reply(None, &mut out), Ok(0));
        // A client with nothing due needs no key; with a Close due it does.
        let mut rx = Receiver::new(Config::client());
        assert_eq!(rx.reply(None, &mut out), Ok(0));
        assert!(rx.read(&mut b"\x83\x00".clone()).is_err());
        assert_eq!(
            rx.reply(None, &mut out),
            Err(EncodeError::MissingMaskingKey)
        );
        assert_eq!(
            rx.close(None, "", None, &mut out),
            Err(EncodeError::AlreadyClosed)
        );
    }

    #[test]
    fn the_split_path_unmasks_control_payloads_in_place_too() {
        let wire = masked(0x89, b"ping");
        let mut whole = wire.clone();
        Receiver::new(Config::server()).read(&mut whole).unwrap();
        let mut rx = Receiver::new(Config::server());
        let mut split = wire.clone();
        let (head, tail) = split.split_at_mut(8);
        assert_eq!(rx.read(head), Ok((8, None)));
        assert!(matches!(rx.read(tail), Ok((2, Some(Event::Ping(b"ping"))))));
        assert_eq!(split, whole);
        assert_eq!(&split[6..], b"ping");
    }

    #[test]
    fn a_later_control_frame_replaces_an_unanswered_ping() {
        let mut rx = Receiver::new(Config::client());
        let mut out = [0u8; 16];
        assert!(matches!(
            rx.read(&mut b"\x89\x01a".clone()),
            Ok((3, Some(Event::Ping(_))))
        ));
        // A Pong arrives before the Ping was answered: no Pong carrying its payload.
        assert!(matches!(
            rx.read(&mut b"\x8a\x01b".clone()),
            Ok((3, Some(Event::Pong(_))))
        ));
        assert_eq!(rx.reply(Some(MaskingKey::new([0; 4])), &mut out), Ok(0));
        // A later Ping is answered with its own payload.
        assert!(matches!(
            rx.read(&mut b"\x89\x01a".clone()),
            Ok((3, Some(Event::Ping(_))))
        ));
        assert!(matches!(
            rx.read(&mut b"\x89\x01c".clone()),
            Ok((3, Some(Event::Ping(_))))
        ));
        assert_eq!(rx.reply(Some(MaskingKey::new([0; 4])), &mut out), Ok(7));
        assert_eq!(out[..7], [0x8A, 0x81, 0, 0, 0, 0, b'c']);
    }

    #[test]
    fn read_slice_consumes_whole_frames_only() {
        let wire = session();
        let mut rx = Receiver::<64>::with_buffer(Config::server());
        let mut events = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        for &byte in &wire {
            buf.push(byte);
            loop {
                match rx.read_slice(&mut buf).unwrap() {
                    Status::Partial { needed } => {
                        assert!(needed.get() >= 1);
                        break;
                    }
                    Status::Complete((used, event)) => {
                        if let Some(e) = event {
                            events.push(std::format!("{e:?}"));
                        }
                        buf.drain(..used);
                        if buf.is_empty() {
                            break;
                        }
                    }
                }
            }
        }
        assert_eq!(events.len(), 6, "{events:?}");
        assert_eq!(events[1], "Text(\"héllo wörld\")");
        // A header cut before its key is judged, as in `read`.
        let mut rx = Receiver::new(Config::server().with_max_message_len(10));
        assert_eq!(
            rx.read_slice(&mut [0x82, 0x8B, 1]),
            Err(Error::MessageTooBig)
        );
    }

    #[test]
    fn zero_copy_when_a_message_is_one_frame_in_one_input() {
        let mut rx = Receiver::<16>::with_buffer(Config::new(Role::Any));
        let mut input = *b"\x82\x03abc";
        let ptr = input.as_ptr();
        let (_, event) = rx.read(&mut input).unwrap();
        let Some(Event::Binary(payload)) = event else {
            panic!()
        };
        assert_eq!(payload.as_ptr(), ptr.wrapping_add(2));
    }

    /// The peer's Close drops a Pong still due and nothing else: `reset()`
    /// after it keeps the header events as they were set.
    #[test]
    fn reset_after_the_peers_close_keeps_header_events_as_set() {
        for header_events in [false, true] {
            let mut rx = Receiver::new(Config::new(Role::Any));
            if header_events {
                rx = rx.with_header_events();
            }
            // A Ping (its Pong due), then a Close.
            let mut input = *b"\x89\x00\x88\x02\x03\xe8";
            let mut at = 0;
            while at < input.len() {
                at += rx.read(&mut input[at..]).unwrap().0;
            }
            assert_eq!(rx.state(), State::CloseReceived(Some(CloseCode::NORMAL)));
            let mut out = [0u8; 16];
            // The Close is echoed; no Pong after the peer's Close.
            assert_eq!(rx.reply(None, &mut out), Ok(4));
            assert_eq!(out[..4], *b"\x88\x02\x03\xe8");
            assert_eq!(rx.reply(None, &mut out), Ok(0));
            rx.reset();
            let mut next = [0x82, 0x01, b'x'];
            let (_, event) = rx.read(&mut next).unwrap();
            assert_eq!(
                matches!(event, Some(Event::Header(_))),
                header_events,
                "{event:?}"
            );
        }
    }

    #[test]
    fn state_is_small_without_a_buffer() {
        let size = core::mem::size_of::<Receiver>();
        assert!(size <= 200, "{size}");
    }
}
