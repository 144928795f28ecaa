//! The other direction: `FrameHeader::encode` and the local `EncodeError`.

use core::fmt;

use crate::header::FrameHeader;
use crate::mask::MaskingKey;

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
