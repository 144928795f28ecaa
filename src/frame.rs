//! `Frame`: a whole frame in one buffer, payload borrowed (zero-copy).

use crate::config::Config;
use crate::error::Error;
use crate::header::FrameHeader;
use crate::status::Status;

/// A complete frame whose payload is borrowed from the input buffer.
///
/// ```
/// use wsframe::{Config, Frame, Status};
///
/// // Two unmasked frames in one buffer, as a client receives them:
/// // "Hel" (FIN clear) then a continuation "lo".
/// let buf = [0x01, 0x03, b'H', b'e', b'l', 0x80, 0x02, b'l', b'o'];
/// let mut rest = &buf[..];
/// let mut text = Vec::new();
/// while let Status::Complete((frame, used)) = Frame::parse(rest, &Config::client())? {
///     text.extend_from_slice(frame.payload());
///     rest = &rest[used..];
/// }
/// assert_eq!(text, b"Hello");
/// # Ok::<(), wsframe::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Frame<'a> {
    header: FrameHeader,
    payload: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Parses one whole frame from the start of `buf`.
    ///
    /// Returns the frame, with its payload borrowed from `buf` exactly as it
    /// is on the wire (still masked, if masked: see
    /// [`FrameHeader::masking_key`]), and the number of bytes the frame takes
    /// (header and payload), so the caller can continue after it. Returns
    /// [`Status::Partial`] with the number of missing bytes if `buf` ends
    /// before the frame does; while the header itself is incomplete, that is
    /// the number of missing header bytes.
    ///
    /// # Errors
    /// Those of [`FrameHeader::parse`], all decided from the header. Also
    /// [`Error::FrameTooBigForTarget`] if header and payload together do not
    /// fit `usize`.
    pub fn parse(buf: &'a [u8], config: &Config) -> Result<Status<(Frame<'a>, usize)>, Error> {
        let (header, header_len) = match FrameHeader::parse(buf, config)? {
            Status::Complete(v) => v,
            Status::Partial { needed } => return Ok(Status::Partial { needed }),
        };
        let total = frame_len(&header, header_len)?;
        match buf.get(header_len..total) {
            Some(payload) => Ok(Status::Complete((Frame { header, payload }, total))),
            None => Ok(Status::partial(total.saturating_sub(buf.len()))),
        }
    }

    /// Parses one whole frame from the start of `buf` and unmasks its payload
    /// in place.
    ///
    /// Like [`Frame::parse`], except that the returned payload is plaintext
    /// (the header still reports the masking key it had). Nothing is changed
    /// in `buf` unless the result is `Complete`.
    ///
    /// # Errors
    /// Those of [`Frame::parse`].
    ///
    /// ```
    /// use wsframe::{Config, Frame, Status};
    ///
    /// // RFC 6455 §5.7: a masked "Hello" as a server receives it.
    /// let mut buf = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    /// let Status::Complete((frame, used)) = Frame::parse_in_place(&mut buf, &Config::server())? else {
    ///     unreachable!()
    /// };
    /// assert_eq!((frame.payload(), used), (&b"Hello"[..], 11));
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    pub fn parse_in_place(
        buf: &'a mut [u8],
        config: &Config,
    ) -> Result<Status<(Frame<'a>, usize)>, Error> {
        let (header, header_len) = match FrameHeader::parse(buf, config)? {
            Status::Complete(v) => v,
            Status::Partial { needed } => return Ok(Status::Partial { needed }),
        };
        let total = frame_len(&header, header_len)?;
        let available = buf.len();
        match buf.get_mut(header_len..total) {
            Some(payload) => {
                header.unmask(payload);
                Ok(Status::Complete((
                    Frame {
                        header,
                        payload: &*payload,
                    },
                    total,
                )))
            }
            None => Ok(Status::partial(total.saturating_sub(available))),
        }
    }

    /// The frame's header.
    #[must_use]
    pub const fn header(&self) -> &FrameHeader {
        &self.header
    }

    /// The payload bytes (see [`Frame::parse`] and [`Frame::parse_in_place`]
    /// for whether they are still masked).
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

/// Header plus payload length, in `usize`.
fn frame_len(header: &FrameHeader, header_len: usize) -> Result<usize, Error> {
    usize::try_from(header.payload_len())
        .ok()
        .and_then(|len| len.checked_add(header_len))
        .ok_or(Error::FrameTooBigForTarget)
}
