//! The message layer (RFC 6455 §5.4, §5.5.1, §8.1): `MessageValidator` checks
//! what no single frame header shows, streaming, without buffering a message.

use crate::close::CloseCode;
use crate::config::Config;
use crate::decoder::Event;
use crate::error::Error;
use crate::header::{FrameHeader, Opcode, PendingHeader};
use crate::utf8::Utf8Validator;

/// What a frame completed, reported by [`MessageValidator::feed`] at
/// [`Event::FrameEnd`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome<'a> {
    /// A data message is complete (its final fragment ended). Its text, if
    /// text and not compressed, was valid UTF-8.
    Message {
        /// [`Opcode::Text`] or [`Opcode::Binary`].
        opcode: Opcode,
        /// The message's size: the sum of its fragments' payloads.
        len: u64,
        /// Whether RSV1 (permessage-deflate) marked it compressed: its UTF-8
        /// was then not checked, since only the inflated text can be.
        compressed: bool,
    },
    /// A Ping with its payload (answer it with a Pong carrying the same bytes).
    Ping(&'a [u8]),
    /// A Pong with its payload.
    Pong(&'a [u8]),
    /// A valid Close frame: its code (`None` for an empty body) and reason.
    Close {
        /// The status code, if the body had one.
        code: Option<CloseCode>,
        /// The reason (valid UTF-8, possibly empty).
        reason: &'a str,
    },
}

/// The data message in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct InProgress {
    opcode: Opcode,
    len: u64,
    compressed: bool,
}

impl InProgress {
    const fn checks_utf8(&self) -> bool {
        matches!(self.opcode, Opcode::Text) && !self.compressed
    }
}

/// The frame whose payload is arriving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Current {
    None,
    Data { fin: bool },
    Control(Opcode),
}

/// Checks the rules that span frames, as frames stream through, holding no
/// more than one control frame's payload (125 bytes).
///
/// Feed it the [`Event`]s of a [`Decoder`](crate::Decoder) (or build them
/// yourself from [`FrameHeader::parse`] and an [`Unmasker`](crate::Unmasker):
/// payload bytes must be unmasked). It enforces:
///
/// | rule | error | code |
/// |---|---|---|
/// | a continuation frame needs a fragmented message in progress | [`Error::UnexpectedContinuation`] | 1002 |
/// | a new Text or Binary frame cannot start inside a fragmented message | [`Error::ExpectedContinuation`] | 1002 |
/// | a message's size is at most [`Config::max_message_len`], checked at each header, before the payload | [`Error::MessageTooBig`] | 1009 |
/// | text is UTF-8, checked byte by byte across fragments and chunks; a code point cut off at the end of the message fails | [`Error::InvalidUtf8`] | 1007 |
/// | a Close body is empty or at least 2 bytes | [`Error::CloseBodyTooShort`] | 1002 |
/// | a Close code is one allowed on the wire | [`Error::InvalidCloseCode`] | 1002 |
/// | a Close reason is UTF-8 | [`Error::InvalidCloseReason`] | 1007 |
/// | with RSV1 allowed (permessage-deflate), RSV1 only on a message's first frame | [`Error::MisplacedCompressionBit`] | 1002 |
///
/// The rules of a header are judged at its [`Event::Header`], or earlier,
/// as soon as its length field is read, through
/// [`MessageValidator::check_header`] with the
/// [`Decoder::pending_header`](crate::Decoder::pending_header) of a header
/// cut before its masking key. Control frames between fragments pass
/// through without touching the message state (§5.4). A Close is reported
/// like any frame and the validator keeps no "closed" state: stopping there
/// is the endpoint's job, since after a Close a peer discards any further
/// data (RFC 6455 §1.4, §5.5.1). The first error is terminal: every later call
/// returns it until [`MessageValidator::reset`].
///
/// ```
/// use wsframe::{Config, Error, FrameHeader, MessageValidator, Opcode};
///
/// let mut v = MessageValidator::new(&Config::client());
/// let start = FrameHeader::new(false, 0, Opcode::Binary, None, 3)?;
/// assert_eq!(v.push_frame(&start, b"abc"), Ok(None));
/// // A new Binary frame inside a fragmented message: 1002.
/// let err = v.push_frame(&start, b"abc").unwrap_err();
/// assert_eq!(err, Error::ExpectedContinuation);
/// assert_eq!(err.close_code().as_u16(), 1002);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageValidator {
    max_message_len: u64,
    deflate: bool,
    message: Option<InProgress>,
    utf8: Utf8Validator,
    current: Current,
    control: heapless::Vec<u8, 125>,
    reason_utf8: Utf8Validator,
    failed: Option<Error>,
}

impl MessageValidator {
    /// A validator at the start of a connection, enforcing
    /// [`Config::max_message_len`] and, if [`Config::allowed_rsv`] has RSV1,
    /// the permessage-deflate rules.
    #[must_use]
    pub const fn new(config: &Config) -> Self {
        Self::with_limit(
            config.max_message_len(),
            config.allowed_rsv() & Config::RSV1 != 0,
        )
    }

    pub(crate) const fn with_limit(max_message_len: u64, deflate: bool) -> Self {
        MessageValidator {
            max_message_len,
            deflate,
            message: None,
            utf8: Utf8Validator::new(),
            current: Current::None,
            control: heapless::Vec::new(),
            reason_utf8: Utf8Validator::new(),
            failed: None,
        }
    }

    /// Back to the start of a connection, forgetting any error.
    pub fn reset(&mut self) {
        *self = Self::with_limit(self.max_message_len, self.deflate);
    }

    /// The error that stopped this validator, if any.
    #[must_use]
    pub const fn error(&self) -> Option<Error> {
        self.failed
    }

    /// Whether the frame whose payload is arriving is a control frame (its
    /// payload is held here, not part of a data message).
    ///
    /// ```
    /// use wsframe::{Config, Event, FrameHeader, MessageValidator, Opcode};
    /// let mut v = MessageValidator::new(&Config::client());
    /// v.feed(&Event::Header(FrameHeader::new(true, 0, Opcode::Ping, None, 1)?))?;
    /// assert!(v.in_control_frame());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn in_control_frame(&self) -> bool {
        matches!(self.current, Current::Control(_))
    }

    /// Stops the validator with `e` (for a caller that found an error the
    /// validator could not see, such as a full buffer).
    pub(crate) fn fail(&mut self, e: Error) -> Error {
        self.failed = Some(e);
        e
    }

    /// Whether a fragmented data message is in progress.
    #[must_use]
    pub const fn in_message(&self) -> bool {
        self.message.is_some()
    }

    /// The largest message accepted, in bytes.
    #[must_use]
    pub const fn max_message_len(&self) -> u64 {
        self.max_message_len
    }

    /// Checks the next event of the stream. Returns what a
    /// [`Event::FrameEnd`] completed: a message, a control frame, or nothing
    /// (the end of a non-final fragment; `Header` and `Payload` events).
    ///
    /// # Errors
    /// The first broken rule in the table above, with its close code; then
    /// the same error on every call until [`MessageValidator::reset`].
    /// See RFC 6455 [§5.4](https://www.rfc-editor.org/rfc/rfc6455#section-5.4),
    /// [§5.5.1](https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1),
    /// [§8.1](https://www.rfc-editor.org/rfc/rfc6455#section-8.1) and
    /// [§10.4](https://www.rfc-editor.org/rfc/rfc6455#section-10.4).
    pub fn feed(&mut self, event: &Event<'_>) -> Result<Option<Outcome<'_>>, Error> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let result = match event {
            Event::Header(header) => self.header(header).map(|()| None),
            Event::Payload(bytes) => self.payload(bytes).map(|()| None),
            Event::FrameEnd => self.frame_end(),
        };
        match result {
            Err(e) => {
                self.failed = Some(e);
                Err(e)
            }
            Ok(outcome) => Ok(outcome.map(|o| o.resolve(&self.control))),
        }
    }

    /// Checks a whole frame at once: `Header`, `Payload` (unmasked), `FrameEnd`.
    ///
    /// # Errors
    /// Those of [`MessageValidator::feed`].
    pub fn push_frame(
        &mut self,
        header: &FrameHeader,
        payload: &[u8],
    ) -> Result<Option<Outcome<'_>>, Error> {
        self.feed(&Event::Header(*header))?;
        self.feed(&Event::Payload(payload))?;
        self.feed(&Event::FrameEnd)
    }

    /// Checks the message rules of a header without taking its frame in:
    /// for a header whose masking key has not arrived yet
    /// ([`Decoder::pending_header`](crate::Decoder::pending_header)), so that
    /// a message over [`Config::max_message_len`] is refused as soon as the
    /// length field is read (1009, §10.4), and a continuation without a
    /// message, a new message inside one or a 1-byte Close body (1002) just
    /// as early. The [`Event::Header`] that follows runs the same checks and
    /// takes the frame in. Call it between frames (after the previous
    /// frame's [`Event::FrameEnd`]); an error is terminal, as in
    /// [`MessageValidator::feed`].
    ///
    /// ```
    /// use wsframe::{Config, Decoder, Error, MessageValidator};
    ///
    /// let config = Config::server().with_max_message_len(4);
    /// let (mut decoder, mut validator) = (Decoder::new(config), MessageValidator::new(&config));
    /// // A masked text fragment "abc", then a continuation announcing 2 more
    /// // bytes (5 > 4), cut before its masking key.
    /// let mut wire = [0x01, 0x83, 1, 2, 3, 4, 0x60, 0x60, 0x60, 0x80, 0x82, 9];
    /// let mut at = 0;
    /// while let (used, Some(event)) = decoder.decode(&mut wire[at..])? {
    ///     at += used;
    ///     validator.feed(&event)?;
    /// }
    /// let header = decoder.pending_header().unwrap();
    /// assert_eq!(validator.check_header(&header), Err(Error::MessageTooBig));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// The header rules of the table above: [`Error::MisplacedCompressionBit`],
    /// [`Error::CloseBodyTooShort`], [`Error::UnexpectedContinuation`],
    /// [`Error::ExpectedContinuation`], [`Error::MessageTooBig`]; or the
    /// error that stopped the validator before.
    pub fn check_header(&mut self, header: &PendingHeader) -> Result<(), Error> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        self.header_rules(header).map_err(|e| self.fail(e))
    }

    /// The rules a header decides, in the order they apply; changes nothing.
    fn header_rules(&self, header: &PendingHeader) -> Result<(), Error> {
        let opcode = header.opcode();
        let rsv1 = header.rsv() & Config::RSV1 != 0;
        if self.deflate && rsv1 && (opcode.is_control() || opcode == Opcode::Continuation) {
            return Err(Error::MisplacedCompressionBit);
        }
        let len = header.payload_len();
        match opcode {
            // The header already shows a 1-byte Close body (§5.5.1).
            Opcode::Close if len == 1 => Err(Error::CloseBodyTooShort),
            Opcode::Continuation => match self.message {
                None => Err(Error::UnexpectedContinuation),
                Some(message) => message
                    .len
                    .checked_add(len)
                    .filter(|&total| total <= self.max_message_len)
                    .map(|_| ())
                    .ok_or(Error::MessageTooBig),
            },
            Opcode::Text | Opcode::Binary if self.message.is_some() => {
                Err(Error::ExpectedContinuation)
            }
            Opcode::Text | Opcode::Binary if len > self.max_message_len => {
                Err(Error::MessageTooBig)
            }
            // Ping, Pong, a Close of 0 or 2+ bytes, a Text or Binary start.
            _ => Ok(()),
        }
    }

    fn header(&mut self, header: &FrameHeader) -> Result<(), Error> {
        self.header_rules(&PendingHeader::from(header))?;
        let opcode = header.opcode();
        match opcode {
            Opcode::Close | Opcode::Ping | Opcode::Pong => {
                self.control.clear();
                self.reason_utf8 = Utf8Validator::new();
                self.current = Current::Control(opcode);
                return Ok(());
            }
            Opcode::Continuation => {
                if let Some(message) = self.message.as_mut() {
                    // Within the limit: checked above.
                    message.len = message.len.saturating_add(header.payload_len());
                }
            }
            Opcode::Text | Opcode::Binary => {
                self.message = Some(InProgress {
                    opcode,
                    len: header.payload_len(),
                    compressed: self.deflate && header.rsv() & Config::RSV1 != 0,
                });
                self.utf8 = Utf8Validator::new();
            }
        }
        self.current = Current::Data { fin: header.fin() };
        Ok(())
    }

    fn payload(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match self.current {
            Current::None => Ok(()),
            Current::Data { .. } => match self.message {
                Some(message) if message.checks_utf8() => {
                    self.utf8.feed(bytes).map_err(|_| Error::InvalidUtf8)
                }
                _ => Ok(()),
            },
            Current::Control(opcode) => {
                let before = self.control.len();
                self.control
                    .extend_from_slice(bytes)
                    .map_err(|_| Error::ControlFrameTooLong)?;
                if opcode == Opcode::Close {
                    self.check_close_prefix(before)?;
                }
                Ok(())
            }
        }
    }

    /// Checks the Close body as far as it has arrived: the code once both of
    /// its bytes are in, the reason byte by byte after that.
    fn check_close_prefix(&mut self, before: usize) -> Result<(), Error> {
        let body = self.control.as_slice();
        if before < 2 {
            if let [hi, lo, ..] = *body {
                let code = u16::from_be_bytes([hi, lo]);
                if !CloseCode::new(code).is_some_and(CloseCode::is_allowed_on_wire) {
                    return Err(Error::InvalidCloseCode);
                }
            }
        }
        let reason_start = before.max(2);
        if let Some(new_reason) = body.get(reason_start..) {
            self.reason_utf8
                .feed(new_reason)
                .map_err(|_| Error::InvalidCloseReason)?;
        }
        Ok(())
    }

    fn frame_end(&mut self) -> Result<Option<Pending>, Error> {
        let current = core::mem::replace(&mut self.current, Current::None);
        match current {
            Current::None | Current::Data { fin: false } => Ok(None),
            Current::Data { fin: true } => {
                let Some(message) = self.message.take() else {
                    return Ok(None);
                };
                if message.checks_utf8() && !self.utf8.is_complete() {
                    return Err(Error::InvalidUtf8);
                }
                Ok(Some(Pending::Message(message)))
            }
            Current::Control(Opcode::Close) => match self.control.len() {
                0 => Ok(Some(Pending::Close)),
                1 => Err(Error::CloseBodyTooShort),
                _ if !self.reason_utf8.is_complete() => Err(Error::InvalidCloseReason),
                _ => Ok(Some(Pending::Close)),
            },
            Current::Control(Opcode::Ping) => Ok(Some(Pending::Ping)),
            Current::Control(_) => Ok(Some(Pending::Pong)),
        }
    }
}

/// An outcome before its payload is borrowed from the validator.
enum Pending {
    Message(InProgress),
    Ping,
    Pong,
    Close,
}

impl Pending {
    fn resolve(self, control: &[u8]) -> Outcome<'_> {
        match self {
            Pending::Message(m) => Outcome::Message {
                opcode: m.opcode,
                len: m.len,
                compressed: m.compressed,
            },
            Pending::Ping => Outcome::Ping(control),
            Pending::Pong => Outcome::Pong(control),
            Pending::Close => match control {
                [hi, lo, reason @ ..] => Outcome::Close {
                    code: CloseCode::new(u16::from_be_bytes([*hi, *lo])),
                    // Checked incrementally as it arrived.
                    reason: core::str::from_utf8(reason).unwrap_or(""),
                },
                _ => Outcome::Close {
                    code: None,
                    reason: "",
                },
            },
        }
    }
}
