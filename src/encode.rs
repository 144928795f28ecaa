//! The other direction: headers, whole frames (masked with the caller's key),
//! the `Fragmenter`, and Close frames, including the one that answers an `Error`.
//!
//! The crate has no random source: RFC 6455 §5.3 wants a fresh key from a
//! strong source of entropy for every frame a client sends, and only the
//! caller has one, so every masking key is a parameter.

use core::fmt;
use core::num::NonZeroUsize;

use crate::close::CloseCode;
use crate::error::Error;
use crate::header::{FrameHeader, Opcode};
use crate::mask::{unmask, MaskingKey};

/// A local mistake while building or encoding a frame. Not the peer's fault,
/// so it has no close code (compare [`Error`](crate::Error)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes the output needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// A control frame (Close, Ping, Pong) with a payload over 125 bytes (RFC 6455 §5.5).
    ControlFrameTooLong,
    /// A control frame with FIN clear (RFC 6455 §5.5).
    FragmentedControlFrame,
    /// A payload length over 2^63 − 1, which the 64-bit length field cannot carry (RFC 6455 §5.2).
    PayloadTooLong,
    /// RSV bits above 0b111.
    InvalidRsv,
    /// The header's payload length differs from the payload given.
    LengthMismatch,
    /// A fragment size of 0, which could never make progress.
    ZeroFragmentSize,
    /// A message opcode other than Text or Binary given to the [`Fragmenter`].
    NotDataOpcode,
    /// A close code that may not be sent on the wire (RFC 6455 §7.4.1: 1005, 1006, 1015, …).
    InvalidCloseCode,
}

impl EncodeError {
    /// One line, lowercase, no trailing period.
    ///
    /// ```
    /// assert_eq!(wsframe::EncodeError::InvalidRsv.as_str(), "rsv bits above 0b111");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            EncodeError::BufferTooSmall { .. } => "output buffer too small",
            EncodeError::ControlFrameTooLong => "control frame payload longer than 125 bytes",
            EncodeError::FragmentedControlFrame => "control frame with fin clear",
            EncodeError::PayloadTooLong => "payload longer than 2^63 - 1 bytes",
            EncodeError::InvalidRsv => "rsv bits above 0b111",
            EncodeError::LengthMismatch => "header payload length differs from the payload",
            EncodeError::ZeroFragmentSize => "fragment size of 0",
            EncodeError::NotDataOpcode => "message opcode is not text or binary",
            EncodeError::InvalidCloseCode => "close code that may not be sent on the wire",
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BufferTooSmall { needed, available } => write!(
                f,
                "output buffer too small: {needed} bytes needed, {available} available"
            ),
            other => f.write_str(other.as_str()),
        }
    }
}

impl core::error::Error for EncodeError {}

impl FrameHeader {
    /// The longest control frame (Close, Ping, Pong): a 2-byte header, a
    /// 4-byte masking key and 125 payload bytes. A buffer this long holds any
    /// frame [`encode_close`] or [`Error::encode_close`] writes.
    pub const MAX_CONTROL_FRAME_LEN: usize = 2 + 4 + 125;

    /// Writes this header to the start of `out`, with the minimal length
    /// encoding (RFC 6455 §5.2), and returns the number of bytes written
    /// ([`FrameHeader::encoded_len`]).
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] if `out` is shorter than
    /// [`FrameHeader::encoded_len`]; nothing is written then.
    ///
    /// ```
    /// use wsframe::{FrameHeader, MaskingKey, Opcode};
    ///
    /// let h = FrameHeader::new(true, 0, Opcode::Text, Some(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d])), 5)?;
    /// let mut out = [0u8; 14];
    /// let n = h.encode(&mut out)?;
    /// assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]);
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let needed = self.encoded_len();
        let Some(out) = out.get_mut(..needed) else {
            return Err(EncodeError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        };
        let b0 = u8::from(self.fin()) << 7 | self.rsv() << 4 | self.opcode().as_u8();
        let mask_bit = if self.is_masked() { 0x80 } else { 0 };
        let len = self.payload_len();
        let len_bytes = len.to_be_bytes();
        let (code, ext) = match len {
            // `len` <= 125 here, so the conversion cannot fail.
            0..=125 => (u8::try_from(len).unwrap_or(0), &[][..]),
            126..=0xFFFF => (126, len_bytes.get(6..).unwrap_or(&[])),
            _ => (127, &len_bytes[..]),
        };
        let key = self.masking_key().map(MaskingKey::to_bytes);
        let key: &[u8] = match &key {
            Some(key) => key,
            None => &[],
        };
        let bytes = [b0, mask_bit | code];
        for (d, s) in out.iter_mut().zip(bytes.iter().chain(ext).chain(key)) {
            *d = *s;
        }
        Ok(needed)
    }
}

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
    let header_len = header.encode(out)?;
    let body = out.get_mut(header_len..).unwrap_or(&mut []);
    for (d, s) in body.iter_mut().zip(payload) {
        *d = *s;
    }
    if let Some(key) = header.masking_key() {
        unmask(body, key);
    }
    Ok(needed)
}

/// Appends a whole frame to a `heapless::Vec`; see [`encode_frame`].
///
/// # Errors
/// Those of [`encode_frame`]; `BufferTooSmall` counts the vector's free space.
///
/// ```
/// use wsframe::{encode_frame_vec, FrameHeader, Opcode};
///
/// let mut out: heapless::Vec<u8, 16> = heapless::Vec::new();
/// encode_frame_vec(&FrameHeader::new(true, 0, Opcode::Ping, None, 2)?, b"hi", &mut out)?;
/// assert_eq!(&out[..], &[0x89, 0x02, b'h', b'i']);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
pub fn encode_frame_vec<const N: usize>(
    header: &FrameHeader,
    payload: &[u8],
    out: &mut heapless::Vec<u8, N>,
) -> Result<usize, EncodeError> {
    let start = out.len();
    let needed = frame_len(header).ok_or(EncodeError::PayloadTooLong)?;
    let available = N - start;
    if needed > available {
        return Err(EncodeError::BufferTooSmall { needed, available });
    }
    // `needed` fits, so the resize succeeds.
    let _ = out.resize(start + needed, 0);
    let result = encode_frame(header, payload, out.get_mut(start..).unwrap_or(&mut []));
    if result.is_err() {
        out.truncate(start);
    }
    result
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
    let len = match code {
        None => 0,
        Some(code) if !code.is_allowed_on_wire() => return Err(EncodeError::InvalidCloseCode),
        Some(code) => {
            let reason = truncate_reason(reason).as_bytes();
            let [hi, lo] = code.as_u16().to_be_bytes();
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

/// Appends a Close frame to a `heapless::Vec`; see [`encode_close`].
///
/// # Errors
/// Those of [`encode_close`].
///
/// ```
/// let mut out: heapless::Vec<u8, 127> = heapless::Vec::new();
/// wsframe::encode_close_vec(Some(wsframe::CloseCode::GOING_AWAY), "", None, &mut out)?;
/// assert_eq!(&out[..], &[0x88, 0x02, 0x03, 0xE9]);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
pub fn encode_close_vec<const N: usize>(
    code: Option<CloseCode>,
    reason: &str,
    masking_key: Option<MaskingKey>,
    out: &mut heapless::Vec<u8, N>,
) -> Result<usize, EncodeError> {
    let mut frame = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
    let n = encode_close(code, reason, masking_key, &mut frame)?;
    let available = N - out.len();
    out.extend_from_slice(frame.get(..n).unwrap_or(&[]))
        .map_err(|_| EncodeError::BufferTooSmall {
            needed: n,
            available,
        })?;
    Ok(n)
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
    fn minimal_length_forms_at_the_boundaries() {
        for (len, header_len, code) in [
            (0u64, 2, 0u8),
            (125, 2, 125),
            (126, 4, 126),
            (65535, 4, 126),
            (65536, 10, 127),
            (FrameHeader::MAX_PAYLOAD_LEN, 10, 127),
        ] {
            let h = FrameHeader::new(true, 0, Opcode::Binary, None, len).unwrap();
            let mut out = [0u8; 14];
            assert_eq!(h.encode(&mut out), Ok(header_len), "{len}");
            assert_eq!(out[1], code, "{len}");
            let masked = h.with_masking_key(Some(MaskingKey::new([9; 4])));
            assert_eq!(masked.encode(&mut out), Ok(header_len + 4), "{len}");
            assert_eq!(out[1], 0x80 | code, "{len}");
            assert_eq!(
                h.encode(&mut out[..header_len - 1]),
                Err(EncodeError::BufferTooSmall {
                    needed: header_len,
                    available: header_len - 1
                })
            );
        }
    }

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
