//! The encoders for any [`bytes::BufMut`] (feature `bytes`): headers, whole
//! frames and Close frames written straight into the caller's buffer, with
//! no zero-filled space to encode into and no temporary copy of the payload.
//!
//! The rules are those of [`encode_frame`](crate::encode_frame) and
//! [`encode_close`](crate::encode_close): the header comes from
//! [`FrameHeader::new`], which judges it once; these functions only lay
//! the bytes out. A masked payload is masked as it is written, eight bytes
//! at a time.

use bytes::BufMut;

use crate::close::CloseCode;
use crate::encode::close_body;
use crate::error::{EncodeError, Error};
use crate::header::{FrameHeader, Opcode};
use crate::mask::MaskingKey;

/// The payload length that needs a 16-bit extended length field.
const LEN_16: u64 = 126;
/// The payload length that needs a 64-bit extended length field.
const LEN_64: u64 = 0x1_0000;

/// Checks that `out` can take `needed` more bytes.
fn room(out: &impl BufMut, needed: usize) -> Result<(), EncodeError> {
    let available = out.remaining_mut();
    if available < needed {
        return Err(EncodeError::BufferTooSmall { needed, available });
    }
    Ok(())
}

#[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
impl FrameHeader {
    /// Writes the header to `out`, as [`FrameHeader::encode`] does (minimal
    /// length encoding), and returns its length.
    ///
    /// ```
    /// use wsframe::{FrameHeader, MaskingKey, Opcode};
    /// let h = FrameHeader::new(true, 0, Opcode::Text, Some(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d])), 5)?;
    /// let mut out = Vec::new();
    /// assert_eq!(h.put(&mut out)?, 6);
    /// assert_eq!(out, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]); // RFC 6455 §5.7
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] if `out` has less room than
    /// [`FrameHeader::encoded_len`]; nothing is written then.
    pub fn put(&self, out: &mut impl BufMut) -> Result<usize, EncodeError> {
        let needed = self.encoded_len();
        room(out, needed)?;
        out.put_u8(u8::from(self.fin()) << 7 | self.rsv() << 4 | self.opcode().as_u8());
        let mask_bit = if self.is_masked() { 0x80 } else { 0 };
        let len = self.payload_len();
        if len < LEN_16 {
            // < 126: fits the 7-bit field.
            out.put_u8(mask_bit | u8::try_from(len).unwrap_or(0));
        } else if let Ok(len) = u16::try_from(len) {
            out.put_u8(mask_bit | 0x7E);
            out.put_u16(len);
        } else {
            debug_assert!(len >= LEN_64);
            out.put_u8(mask_bit | 0x7F);
            out.put_u64(len);
        }
        if let Some(key) = self.masking_key() {
            out.put_slice(&key.to_bytes());
        }
        Ok(needed)
    }
}

/// Writes `parts` one after the other, masked with `key` if there is one;
/// the key's phase runs on across the parts.
fn put_masked(out: &mut impl BufMut, key: Option<MaskingKey>, parts: &[&[u8]]) {
    let Some(key) = key else {
        for part in parts {
            out.put_slice(part);
        }
        return;
    };
    let mut key = key.to_bytes();
    for part in parts {
        // The key repeated in memory order, as one word.
        let mut word = [0u8; 8];
        for (d, s) in word.iter_mut().zip(key.iter().cycle()) {
            *d = *s;
        }
        let word = u64::from_ne_bytes(word);
        let (words, tail) = part.as_chunks::<8>();
        for chunk in words {
            out.put_u64_ne(u64::from_ne_bytes(*chunk) ^ word);
        }
        for (byte, k) in tail.iter().zip(key.iter().cycle()) {
            out.put_u8(byte ^ k);
        }
        key.rotate_left(tail.len() % 4);
    }
}

/// Writes a whole frame, `header` then `payload` (masked with the header's
/// key if it has one), to `out`; returns the bytes written. The same frame
/// as [`encode_frame`](crate::encode_frame).
///
/// ```
/// use wsframe::{put_frame, FrameHeader, MaskingKey, Opcode};
///
/// // RFC 6455 §5.7: a masked "Hello".
/// let key = MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]);
/// let header = FrameHeader::new(true, 0, Opcode::Text, Some(key), 5)?;
/// let mut out = bytes::BytesMut::new();
/// assert_eq!(put_frame(&header, b"Hello", &mut out)?, 11);
/// assert_eq!(out[..], [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
///
/// # Errors
/// - [`EncodeError::LengthMismatch`] if `header.payload_len()` is not `payload.len()`;
/// - [`EncodeError::BufferTooSmall`] if `out` has no room for the frame (nothing is written).
pub fn put_frame(
    header: &FrameHeader,
    payload: &[u8],
    out: &mut impl BufMut,
) -> Result<usize, EncodeError> {
    if u64::try_from(payload.len()).ok() != Some(header.payload_len()) {
        return Err(EncodeError::LengthMismatch);
    }
    let needed = header
        .encoded_len()
        .checked_add(payload.len())
        .ok_or(EncodeError::PayloadTooLong)?;
    room(out, needed)?;
    header.put(out)?;
    put_masked(out, header.masking_key(), &[payload]);
    Ok(needed)
}

/// Writes a Close frame with `code` and `reason` (cut at a UTF-8 boundary
/// to fit the 125-byte control payload) to `out`, masked with
/// `masking_key` if given: the frame of [`encode_close`](crate::encode_close).
///
/// ```
/// use wsframe::{put_close, CloseCode};
///
/// let mut out = Vec::new();
/// put_close(Some(CloseCode::NORMAL), "bye", None, &mut out)?;
/// assert_eq!(out, [0x88, 0x05, 0x03, 0xE8, b'b', b'y', b'e']);
/// # Ok::<(), wsframe::EncodeError>(())
/// ```
///
/// # Errors
/// - [`EncodeError::InvalidCloseCode`] for a code not allowed on the wire;
/// - [`EncodeError::BufferTooSmall`] if `out` has no room for the frame.
pub fn put_close(
    code: Option<CloseCode>,
    reason: &str,
    masking_key: Option<MaskingKey>,
    out: &mut impl BufMut,
) -> Result<usize, EncodeError> {
    let (code, reason) = close_body(code, reason)?;
    let code = code.as_ref().map_or(&[][..], |c| &c[..]);
    let len = code.len() + reason.len();
    let header = FrameHeader::new(true, 0, Opcode::Close, masking_key, len as u64)?;
    let needed = header.encoded_len() + len;
    room(out, needed)?;
    header.put(out)?;
    put_masked(out, masking_key, &[code, reason]);
    Ok(needed)
}

#[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
impl Error {
    /// Writes the Close frame that answers this error to `out`: the frame
    /// of [`Error::encode_close`].
    ///
    /// ```
    /// let mut out = Vec::new();
    /// wsframe::Error::InvalidUtf8.put_close(None, &mut out)?;
    /// assert_eq!(out[2..4], [0x03, 0xEF]); // 1007
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] if `out` has no room for the frame.
    pub fn put_close(
        self,
        masking_key: Option<MaskingKey>,
        out: &mut impl BufMut,
    ) -> Result<usize, EncodeError> {
        put_close(Some(self.close_code()), self.as_str(), masking_key, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{encode_close, encode_frame};
    use std::vec::Vec;

    /// The same bytes as the slice encoders, for every length form, with
    /// and without a key, every RSV bit and data opcode, in a buffer that
    /// is never zero-filled.
    #[test]
    fn the_same_bytes_as_the_slice_encoders() {
        let payload: Vec<u8> = (0..70_000u32)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        let lens = [0, 1, 3, 7, 8, 9, 125, 126, 127, 65_535, 65_536, 70_000];
        for (i, len) in lens.into_iter().enumerate() {
            let rsv = u8::try_from(i % 8).unwrap();
            let opcode = [Opcode::Binary, Opcode::Text, Opcode::Continuation][i % 3];
            for key in [None, Some(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]))] {
                let body = &payload[..len];
                let h = FrameHeader::new(len % 2 == 0, rsv, opcode, key, len as u64).unwrap();
                let mut a = std::vec![0u8; len + 14];
                let n = encode_frame(&h, body, &mut a).unwrap();
                let mut b = Vec::new();
                assert_eq!(put_frame(&h, body, &mut b), Ok(n));
                assert_eq!(a[..n], b[..], "{len} {key:?}");
            }
        }
    }

    #[test]
    fn close_frames_match_and_mask_across_code_and_reason() {
        for key in [None, Some(MaskingKey::new([1, 2, 3, 4]))] {
            for (code, reason) in [
                (None, ""),
                (Some(CloseCode::NORMAL), ""),
                (Some(CloseCode::NORMAL), "a"),
                (
                    Some(CloseCode::GOING_AWAY),
                    "héllo wörld, a reason of some length",
                ),
            ] {
                let mut a = [0u8; 131];
                let n = encode_close(code, reason, key, &mut a).unwrap();
                let mut b = Vec::new();
                assert_eq!(put_close(code, reason, key, &mut b), Ok(n));
                assert_eq!(a[..n], b[..], "{code:?} {reason:?} {key:?}");
            }
        }
        assert_eq!(
            put_close(CloseCode::new(1005), "", None, &mut Vec::new()),
            Err(EncodeError::InvalidCloseCode)
        );
    }

    #[test]
    fn a_full_buffer_gets_nothing() {
        let h = FrameHeader::new(true, 0, Opcode::Binary, None, 10).unwrap();
        let mut space = [0u8; 11];
        let mut out = &mut space[..];
        assert_eq!(
            put_frame(&h, &[1; 10], &mut out),
            Err(EncodeError::BufferTooSmall {
                needed: 12,
                available: 11
            })
        );
        assert_eq!(out.len(), 11, "nothing written");
        // Exactly the room needed is enough.
        let mut space = [0u8; 12];
        let mut out = &mut space[..];
        assert_eq!(put_frame(&h, &[1; 10], &mut out), Ok(12));
        assert_eq!(space[..2], [0x82, 10]);
        assert_eq!(
            put_frame(&h, &[1; 9], &mut Vec::new()),
            Err(EncodeError::LengthMismatch)
        );
        let mut out = &mut space[..3];
        assert!(matches!(
            Error::MessageTooBig.put_close(None, &mut out),
            Err(EncodeError::BufferTooSmall { .. })
        ));
    }
}
