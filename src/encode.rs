//! The other direction: headers, whole frames (masked with the caller's key),
//! the `Fragmenter`, and Close frames, including the one that answers an `Error`.
//!
//! The crate has no random source: RFC 6455 §5.3 wants a fresh key from a
//! strong source of entropy for every frame a client sends, and only the
//! caller has one, so every masking key is a parameter.

use core::num::NonZeroUsize;

use crate::close::CloseCode;
use crate::copy::copy;
use crate::error::{EncodeError, Error};
use crate::header::{FrameHeader, Opcode};
use crate::mask::{unmask, MaskingKey};

/// The length of a whole frame: header plus payload.
fn frame_len(header: &FrameHeader) -> Option<usize> {
    usize::try_from(header.payload_len())
        .ok()?
        .checked_add(header.encoded_len())
}

/// Writes a whole frame, `header` then `payload`, to the start of `out`,
/// masking the payload in `out` with the header's masking key if it has one.
/// Returns the bytes written.
///
/// # Errors
/// - [`EncodeError::LengthMismatch`] if `header.payload_len()` is not `payload.len()`;
/// - [`EncodeError::BufferTooSmall`] if `out` cannot hold the frame (nothing is written).
///
/// ```
/// use wsframe::{encode_frame, FrameHeader, MaskingKey, Opcode};
///
/// // RFC 6455 §5.7: a masked "Hello".
/// let key = MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]);
/// let header = FrameHeader::new(true, 0, Opcode::Text, Some(key), 5)?;
/// let mut out = [0u8; 16];
/// let n = encode_frame(&header, b"Hello", &mut out)?;
/// assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
pub fn encode_frame(
    header: &FrameHeader,
    payload: &[u8],
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    if u64::try_from(payload.len()).ok() != Some(header.payload_len()) {
        return Err(EncodeError::LengthMismatch);
    }
    let needed = frame_len(header).ok_or(EncodeError::PayloadTooLong)?;
    let available = out.len();
    let Some(out) = out.get_mut(..needed) else {
        return Err(EncodeError::BufferTooSmall { needed, available });
    };
    let (head, body) = out
        .split_at_mut_checked(header.encoded_len())
        .unwrap_or((&mut [], &mut []));
    header.encode(head)?;
    // `body` is `needed - header_len` = `payload.len()` bytes.
    copy(body, payload);
    if let Some(key) = header.masking_key() {
        unmask(body, key);
    }
    Ok(needed)
}

/// Splits a data message into frames of at most `max_fragment` payload
/// bytes: the first carries the opcode, the rest are continuations, the last
/// has FIN set. An empty message is one empty final frame. The number of
/// frames is bounded: `max(1, ceil(len / max_fragment))`.
///
/// The headers are unmasked; a client gives each one its own fresh key with
/// [`FrameHeader::with_masking_key`] before [`encode_frame`].
///
/// ```
/// use wsframe::{Fragmenter, Opcode};
///
/// let frames: Vec<_> = Fragmenter::new(Opcode::Text, b"Hello", 2)?.collect();
/// assert_eq!(frames.len(), 3);
/// assert_eq!((frames[0].0.opcode(), frames[0].0.fin(), frames[0].1), (Opcode::Text, false, &b"He"[..]));
/// assert_eq!((frames[2].0.opcode(), frames[2].0.fin(), frames[2].1), (Opcode::Continuation, true, &b"o"[..]));
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fragmenter<'p> {
    opcode: Opcode,
    rest: &'p [u8],
    max_fragment: NonZeroUsize,
    started: bool,
    done: bool,
}

impl<'p> Fragmenter<'p> {
    /// A fragmenter over `payload`.
    ///
    /// # Errors
    /// - [`EncodeError::ZeroFragmentSize`] if `max_fragment` is 0;
    /// - [`EncodeError::NotDataOpcode`] unless `opcode` is Text or Binary
    ///   (control frames cannot be fragmented, RFC 6455 §5.5).
    pub fn new(
        opcode: Opcode,
        payload: &'p [u8],
        max_fragment: usize,
    ) -> Result<Self, EncodeError> {
        let Some(max_fragment) = NonZeroUsize::new(max_fragment) else {
            return Err(EncodeError::ZeroFragmentSize);
        };
        if !matches!(opcode, Opcode::Text | Opcode::Binary) {
            return Err(EncodeError::NotDataOpcode);
        }
        Ok(Fragmenter {
            opcode,
            rest: payload,
            max_fragment,
            started: false,
            done: false,
        })
    }
}

impl<'p> Iterator for Fragmenter<'p> {
    type Item = (FrameHeader, &'p [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let take = self.max_fragment.get().min(self.rest.len());
        let (chunk, rest) = self.rest.split_at_checked(take).unwrap_or((self.rest, &[]));
        let fin = rest.is_empty();
        let opcode = if self.started {
            Opcode::Continuation
        } else {
            self.opcode
        };
        self.started = true;
        self.rest = rest;
        self.done = fin;
        // A data opcode and a slice length (< 2^63) always make a valid header.
        let header = FrameHeader::new(fin, 0, opcode, None, chunk.len() as u64).ok()?;
        Some((header, chunk))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = if self.done {
            0
        } else {
            // Division by a `NonZeroUsize` cannot panic.
            let len = self.rest.len();
            (len / self.max_fragment + usize::from(len % self.max_fragment != 0)).max(1)
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Fragmenter<'_> {}

/// The longest Close reason that fits a control frame: 125 − 2 code bytes.
const MAX_CLOSE_REASON: usize = 123;

/// `reason` cut at the last UTF-8 boundary at or before 123 bytes.
fn truncate_reason(reason: &str) -> &str {
    let mut end = reason.len().min(MAX_CLOSE_REASON);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason.get(..end).unwrap_or("")
}

/// The two parts of a Close body (§5.5.1), the encoders' one place for its
/// rules: the code's two bytes (none for `None`, and then no reason) and the
/// reason cut to fit; a code that may not be sent on the wire (§7.4.1) is
/// refused.
pub(crate) fn close_body(
    code: Option<CloseCode>,
    reason: &str,
) -> Result<(Option<[u8; 2]>, &[u8]), EncodeError> {
    match code {
        None => Ok((None, &[])),
        Some(code) if !code.is_allowed_on_wire() => Err(EncodeError::InvalidCloseCode),
        Some(code) => Ok((
            Some(code.as_u16().to_be_bytes()),
            truncate_reason(reason).as_bytes(),
        )),
    }
}

/// Writes a Close frame with `code` and `reason` (cut at a UTF-8 boundary to
/// fit the 125-byte control payload), masked with `masking_key` if given.
/// `code: None` writes an empty body (the reason is then dropped, as §5.5.1
/// allows a reason only after a code).
///
/// # Errors
/// - [`EncodeError::InvalidCloseCode`] for a code not allowed on the wire;
/// - [`EncodeError::BufferTooSmall`] if `out` cannot hold the frame.
///
/// ```
/// use wsframe::{encode_close, CloseCode};
///
/// let mut out = [0u8; 8];
/// let n = encode_close(Some(CloseCode::NORMAL), "bye", None, &mut out)?;
/// assert_eq!(&out[..n], &[0x88, 0x05, 0x03, 0xE8, b'b', b'y', b'e']);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
pub fn encode_close(
    code: Option<CloseCode>,
    reason: &str,
    masking_key: Option<MaskingKey>,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let mut body = [0u8; 125];
    let (code, reason) = close_body(code, reason)?;
    let len = match code {
        None => 0,
        Some([hi, lo]) => {
            for (d, s) in body.iter_mut().zip([hi, lo].iter().chain(reason)) {
                *d = *s;
            }
            2 + reason.len()
        }
    };
    let body = body.get(..len).unwrap_or(&[]);
    let header = FrameHeader::new(true, 0, Opcode::Close, masking_key, len as u64)?;
    encode_frame(&header, body, out)
}

impl Error {
    /// Writes the Close frame that answers this error: its
    /// [`close_code`](Error::close_code) (1002, 1007 or 1009) and
    /// [`as_str`](Error::as_str) as the reason. A server passes `None`; a
    /// client passes a fresh masking key. At most
    /// [`FrameHeader::MAX_CONTROL_FRAME_LEN`] bytes.
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] if `out` cannot hold the frame.
    ///
    /// ```
    /// use wsframe::{Config, FrameHeader};
    ///
    /// let err = FrameHeader::parse(&[0x83], &Config::server()).unwrap_err();
    /// let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
    /// let n = err.encode_close(None, &mut out)?;
    /// assert_eq!(&out[..4], &[0x88, (n - 2) as u8, 0x03, 0xEA]); // 0x03EA = 1002
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    pub fn encode_close(
        self,
        masking_key: Option<MaskingKey>,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        encode_close(Some(self.close_code()), self.as_str(), masking_key, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_close_reasons_on_char_boundaries() {
        let reason = "é".repeat(100); // 200 bytes, 2 per char
        assert_eq!(truncate_reason(&reason).len(), 122);
        assert_eq!(truncate_reason("short"), "short");
        let mut out = [0u8; 200];
        let n = encode_close(Some(CloseCode::NORMAL), &reason, None, &mut out).unwrap();
        assert_eq!(n, 2 + 2 + 122);
        assert_eq!(
            encode_close(CloseCode::new(1005), "", None, &mut out),
            Err(EncodeError::InvalidCloseCode)
        );
    }

    #[test]
    fn fragmenter_rejects_zero_and_control() {
        assert_eq!(
            Fragmenter::new(Opcode::Text, b"x", 0).err(),
            Some(EncodeError::ZeroFragmentSize)
        );
        assert_eq!(
            Fragmenter::new(Opcode::Ping, b"x", 1).err(),
            Some(EncodeError::NotDataOpcode)
        );
        let empty: std::vec::Vec<_> = Fragmenter::new(Opcode::Binary, b"", 4).unwrap().collect();
        assert_eq!(empty.len(), 1);
        assert!(empty[0].0.fin());
        let f = Fragmenter::new(Opcode::Binary, &[0; 10], 3).unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f.count(), 4);
    }
}
