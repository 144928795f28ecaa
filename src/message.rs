//! The message rules of RFC 6455 (§5.4 fragmentation, §5.5.1 Close bodies,
//! §8.1 UTF-8, §10.4 message size; RFC 7692 §6 for RSV1), each written
//! once. The [`Receiver`](crate::Receiver) calls them at the byte that
//! decides each: a header's rules at its length field, text and Close
//! reasons byte by byte.

use crate::close::CloseCode;
use crate::config::Config;
use crate::error::Error;
use crate::header::{Fields, Opcode};
use crate::utf8::Utf8Validator;

/// The data message in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct InProgress {
    /// [`Opcode::Text`] or [`Opcode::Binary`].
    pub(crate) opcode: Opcode,
    /// The sum of the payload lengths its headers announced so far.
    pub(crate) len: u64,
    /// RSV1 under permessage-deflate: the payload is compressed, so its
    /// UTF-8 can only be checked after inflating.
    pub(crate) compressed: bool,
}

impl InProgress {
    const fn checks_utf8(&self) -> bool {
        matches!(self.opcode, Opcode::Text) && !self.compressed
    }
}

/// The state the message rules need across frames: the message in
/// progress (flat, so that it takes 16 bytes) and the UTF-8 carry of its
/// text, or of a Close reason: a Close ends the reading, so a text message
/// cut by one never needs its carry again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct MessageState {
    /// The opcode of the data message in progress; `None` between messages.
    opcode: Option<Opcode>,
    compressed: bool,
    len: u64,
    utf8: Utf8Validator,
}

impl MessageState {
    pub(crate) const fn new() -> Self {
        MessageState {
            opcode: None,
            compressed: false,
            len: 0,
            utf8: Utf8Validator::new(),
        }
    }

    /// The data message in progress, if any.
    pub(crate) const fn message(&self) -> Option<InProgress> {
        match self.opcode {
            Some(opcode) => Some(InProgress {
                opcode,
                len: self.len,
                compressed: self.compressed,
            }),
            None => None,
        }
    }

    /// The rules a header decides, in the order they apply; changes
    /// nothing, so it can run on a header whose masking key has not arrived.
    pub(crate) fn check_header(
        &self,
        f: &Fields,
        config: &Config,
        limit: u64,
    ) -> Result<(), Error> {
        let deflate = config.allowed_rsv() & Config::RSV1 != 0;
        let rsv1 = f.rsv & Config::RSV1 != 0;
        if deflate && rsv1 && (f.opcode.is_control() || f.opcode == Opcode::Continuation) {
            return Err(Error::MisplacedCompressionBit);
        }
        match f.opcode {
            // The header already shows a 1-byte Close body (§5.5.1).
            Opcode::Close if f.payload_len == 1 => Err(Error::CloseBodyTooShort),
            Opcode::Continuation => match self.opcode {
                None => Err(Error::UnexpectedContinuation),
                Some(_) => match self.len.checked_add(f.payload_len) {
                    Some(total) if total <= limit => Ok(()),
                    _ => Err(Error::MessageTooBig),
                },
            },
            Opcode::Text | Opcode::Binary if self.opcode.is_some() => {
                Err(Error::ExpectedContinuation)
            }
            Opcode::Text | Opcode::Binary if f.payload_len > limit => Err(Error::MessageTooBig),
            // Ping, Pong, a Close of 0 or 2+ bytes, a Text or Binary start.
            _ => Ok(()),
        }
    }

    /// Takes in a header that passed [`MessageState::check_header`].
    pub(crate) fn begin_frame(&mut self, f: &Fields, config: &Config) {
        match f.opcode {
            Opcode::Close => self.utf8 = Utf8Validator::new(),
            Opcode::Ping | Opcode::Pong => {}
            // Within the limit: checked by `check_header`.
            Opcode::Continuation => self.len = self.len.saturating_add(f.payload_len),
            Opcode::Text | Opcode::Binary => {
                self.opcode = Some(f.opcode);
                self.len = f.payload_len;
                self.compressed =
                    config.allowed_rsv() & Config::RSV1 != 0 && f.rsv & Config::RSV1 != 0;
                self.utf8 = Utf8Validator::new();
            }
        }
    }

    /// The next unmasked bytes of a data frame: text is checked as it comes.
    #[inline]
    pub(crate) fn data(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.opcode == Some(Opcode::Text) && !self.compressed {
            return self.utf8.feed(bytes).map_err(|_| Error::InvalidUtf8);
        }
        Ok(())
    }

    /// The final fragment ended: a code point cut off at the end of a text
    /// message fails (§8.1). Returns the finished message.
    #[inline]
    pub(crate) fn end_message(&mut self) -> Result<Option<InProgress>, Error> {
        let message = self.message();
        self.opcode = None;
        match message {
            Some(m) if m.checks_utf8() && !self.utf8.is_complete() => Err(Error::InvalidUtf8),
            _ => Ok(message),
        }
    }

    /// Checks a Close body as far as it has arrived (`body`), of which
    /// `body[..before]` was checked already: the code once both of its bytes
    /// are in (§7.4), the reason's UTF-8 byte by byte after that (§5.5.1).
    pub(crate) fn close_body(&mut self, body: &[u8], before: usize) -> Result<(), Error> {
        if before < 2 {
            if let [hi, lo, ..] = *body {
                let code = u16::from_be_bytes([hi, lo]);
                if !CloseCode::new(code).is_some_and(CloseCode::is_allowed_on_wire) {
                    return Err(Error::InvalidCloseCode);
                }
            }
        }
        if let Some(new_reason) = body.get(before.max(2)..) {
            self.utf8
                .feed(new_reason)
                .map_err(|_| Error::InvalidCloseReason)?;
        }
        Ok(())
    }

    /// The whole Close body is in: its reason must not end inside a code
    /// point (§5.5.1).
    pub(crate) fn end_close(&self) -> Result<(), Error> {
        if !self.utf8.is_complete() {
            return Err(Error::InvalidCloseReason);
        }
        Ok(())
    }
}
