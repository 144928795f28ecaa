//! `Reassembler<N>`: whole messages out of fragments, in a fixed `N`-byte buffer.

use crate::close::CloseCode;
use crate::config::Config;
use crate::decoder::Event;
use crate::error::Error;
use crate::header::{FrameHeader, Opcode, PendingHeader};
use crate::message::{MessageValidator, Outcome};

/// A complete message or control frame, borrowed from the [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// A text message (valid UTF-8).
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
    /// A message compressed by permessage-deflate (RSV1 set on its first
    /// frame); inflate it, then check text for UTF-8 yourself.
    Compressed {
        /// [`Opcode::Text`] or [`Opcode::Binary`].
        opcode: Opcode,
        /// The compressed bytes.
        payload: &'a [u8],
    },
    /// A Ping and its payload.
    Ping(&'a [u8]),
    /// A Pong and its payload.
    Pong(&'a [u8]),
    /// A Close frame: its code (`None` for an empty body) and reason.
    Close {
        /// The status code, if any.
        code: Option<CloseCode>,
        /// The reason (valid UTF-8, possibly empty).
        reason: &'a str,
    },
}

/// Reassembles fragmented messages into a fixed buffer of `N` bytes,
/// checking every rule of [`MessageValidator`] on the way. `N` also bounds
/// the message size: the limit is the smaller of `N` and
/// [`Config::max_message_len`], and a longer message is refused with
/// [`Error::MessageTooBig`] (1009) at the header that would overflow it,
/// before its payload is copied.
///
/// `new` is a `const fn`, so a reassembler can live in a `static`:
///
/// ```
/// use wsframe::{Config, FrameHeader, Message, Opcode, Reassembler};
///
/// static CONFIG: Config = Config::client();
/// let mut r: Reassembler<64> = Reassembler::new(&CONFIG);
/// let first = FrameHeader::new(false, 0, Opcode::Text, None, 3)?;
/// let last = FrameHeader::new(true, 0, Opcode::Continuation, None, 2)?;
/// assert_eq!(r.push_frame(&first, b"Hel"), Ok(None));
/// assert_eq!(r.push_frame(&last, b"lo"), Ok(Some(Message::Text("Hello"))));
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reassembler<const N: usize> {
    validator: MessageValidator,
    /// `buf[..len]` is the message so far. A plain array rather than a
    /// `heapless::Vec`: heapless 0.9's `extend_from_slice` copies one byte at
    /// a time (2–3 GB/s measured), while this copy loop becomes `memcpy`.
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Reassembler<N> {
    /// An empty reassembler with the limits of `config`, capped at `N` bytes.
    #[must_use]
    pub const fn new(config: &Config) -> Self {
        let cap = N as u64;
        let limit = if config.max_message_len() < cap {
            config.max_message_len()
        } else {
            cap
        };
        Reassembler {
            validator: MessageValidator::with_limit(
                limit,
                config.allowed_rsv() & Config::RSV1 != 0,
            ),
            buf: [0; N],
            len: 0,
        }
    }

    /// Back to the start of a connection, forgetting any error.
    pub fn reset(&mut self) {
        self.validator.reset();
        self.len = 0;
    }

    /// The error that stopped this reassembler, if any.
    #[must_use]
    pub const fn error(&self) -> Option<Error> {
        self.validator.error()
    }

    /// Feeds the next event of the stream (payload unmasked); returns a
    /// message or control frame when one completes.
    ///
    /// # Errors
    /// Those of [`MessageValidator::feed`], terminal in the same way.
    pub fn feed(&mut self, event: &Event<'_>) -> Result<Option<Message<'_>>, Error> {
        if let Event::Header(header) = event {
            if matches!(header.opcode(), Opcode::Text | Opcode::Binary) {
                self.len = 0;
            }
        }
        if let Event::Payload(bytes) = event {
            if !self.validator.in_control_frame() {
                self.validator.feed(event)?;
                // The validator checked the message size against a limit of
                // at most N, so this cannot overflow; if it ever did, refuse
                // the message rather than truncate it.
                let end = self.len.saturating_add(bytes.len());
                let Some(dst) = self.buf.get_mut(self.len..end) else {
                    return Err(self.validator.fail(Error::MessageTooBig));
                };
                for (d, s) in dst.iter_mut().zip(bytes.iter()) {
                    *d = *s;
                }
                self.len = end;
                return Ok(None);
            }
        }
        let outcome = self.validator.feed(event)?;
        let message = self.buf.get(..self.len).unwrap_or(&[]);
        Ok(outcome.map(|outcome| match outcome {
            Outcome::Message {
                opcode,
                compressed: true,
                ..
            } => Message::Compressed {
                opcode,
                payload: message,
            },
            Outcome::Message {
                opcode: Opcode::Text,
                ..
            } => Message::Text(core::str::from_utf8(message).unwrap_or("")),
            Outcome::Message { .. } => Message::Binary(message),
            Outcome::Ping(p) => Message::Ping(p),
            Outcome::Pong(p) => Message::Pong(p),
            Outcome::Close { code, reason } => Message::Close { code, reason },
        }))
    }

    /// Checks the message rules of a header whose masking key has not
    /// arrived yet, as [`MessageValidator::check_header`] does (with this
    /// reassembler's limit, at most `N`): a message too big for it is
    /// refused as soon as the length field is read.
    ///
    /// ```
    /// use wsframe::{Config, Decoder, Error, Reassembler};
    ///
    /// let config = Config::server();
    /// let (mut decoder, mut messages) = (Decoder::new(config), Reassembler::<64>::new(&config));
    /// // A masked Text frame announcing 100 bytes, cut before its masking key.
    /// let mut chunk = [0x81, 0xE4];
    /// assert_eq!(decoder.decode(&mut chunk)?, (2, None));
    /// let header = decoder.pending_header().unwrap();
    /// assert_eq!(messages.check_header(&header), Err(Error::MessageTooBig));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`MessageValidator::check_header`].
    pub fn check_header(&mut self, header: &PendingHeader) -> Result<(), Error> {
        self.validator.check_header(header)
    }

    /// Feeds a whole frame: `Header`, `Payload` (unmasked), `FrameEnd`.
    ///
    /// # Errors
    /// Those of [`MessageValidator::feed`].
    pub fn push_frame(
        &mut self,
        header: &FrameHeader,
        payload: &[u8],
    ) -> Result<Option<Message<'_>>, Error> {
        self.feed(&Event::Header(*header))?;
        self.feed(&Event::Payload(payload))?;
        self.feed(&Event::FrameEnd)
    }
}
