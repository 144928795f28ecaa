//! `FrameHeader` and `Opcode`: the first 2 to 14 bytes of every frame (RFC 6455 §5.2).

use crate::config::Config;
use crate::copy::copy;
use crate::error::{EncodeError, Error};
use crate::mask::{unmask, MaskingKey};
use crate::status::Status;

/// A frame's opcode (RFC 6455 §5.2). Reserved values never get this far:
/// they are rejected with [`Error::ReservedOpcode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum Opcode {
    /// 0x0: a further fragment of a Text or Binary message.
    Continuation = 0x0,
    /// 0x1: the first (or only) frame of a text message.
    Text = 0x1,
    /// 0x2: the first (or only) frame of a binary message.
    Binary = 0x2,
    /// 0x8: Close (a control frame).
    Close = 0x8,
    /// 0x9: Ping (a control frame).
    Ping = 0x9,
    /// 0xA: Pong (a control frame).
    Pong = 0xA,
}

impl Opcode {
    /// Every opcode RFC 6455 defines, in wire-value order (the reserved
    /// values have no `Opcode`).
    ///
    /// ```
    /// use wsframe::Opcode;
    /// assert_eq!(Opcode::ALL.map(Opcode::as_u8), [0x0, 0x1, 0x2, 0x8, 0x9, 0xA]);
    /// ```
    pub const ALL: [Opcode; 6] = [
        Opcode::Continuation,
        Opcode::Text,
        Opcode::Binary,
        Opcode::Close,
        Opcode::Ping,
        Opcode::Pong,
    ];

    /// The opcode for a 4-bit value, or `None` for the reserved values
    /// 0x3–0x7 and 0xB–0xF (and anything above 0xF).
    ///
    /// ```
    /// use wsframe::Opcode;
    /// assert_eq!(Opcode::from_u8(0x9), Some(Opcode::Ping));
    /// assert_eq!(Opcode::from_u8(0x3), None);
    /// ```
    #[must_use]
    pub const fn from_u8(value: u8) -> Option<Self> {
        match value {
            0x0 => Some(Opcode::Continuation),
            0x1 => Some(Opcode::Text),
            0x2 => Some(Opcode::Binary),
            0x8 => Some(Opcode::Close),
            0x9 => Some(Opcode::Ping),
            0xA => Some(Opcode::Pong),
            _ => None,
        }
    }

    /// The 4-bit wire value.
    ///
    /// ```
    /// assert_eq!(wsframe::Opcode::Pong.as_u8(), 0xA);
    /// ```
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// Whether this is a control opcode (Close, Ping, Pong: 0x8 and up).
    ///
    /// ```
    /// assert!(wsframe::Opcode::Close.is_control());
    /// assert!(!wsframe::Opcode::Continuation.is_control());
    /// ```
    #[must_use]
    pub const fn is_control(self) -> bool {
        self.as_u8() & 0x8 != 0
    }
}

/// Bit masks of the first two header bytes.
mod field {
    pub const FIN: u8 = 0x80;
    pub const RSV_SHIFT: u32 = 4;
    pub const RSV: u8 = 0x70;
    pub const OPCODE: u8 = 0x0F;
    pub const MASK: u8 = 0x80;
    pub const LEN7: u8 = 0x7F;
}

/// The three wire forms of the payload length (RFC 6455 §5.2): the one
/// place that knows the length codes 126 and 127, how many bytes each form
/// adds and the smallest length each may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LengthForm {
    /// 0 to 125, in the 7-bit field itself.
    Short,
    /// Code 126: a 16-bit length follows.
    Len16,
    /// Code 127: a 64-bit length follows.
    Len64,
}

impl LengthForm {
    /// The form the 7-bit field announces.
    #[inline]
    const fn from_code(code: u8) -> Self {
        match code {
            126 => LengthForm::Len16,
            127 => LengthForm::Len64,
            _ => LengthForm::Short,
        }
    }

    /// The shortest form that holds `len`: the one an encoder must use.
    #[inline]
    const fn minimal(len: u64) -> Self {
        if len >= LengthForm::Len64.min_len() {
            LengthForm::Len64
        } else if len >= LengthForm::Len16.min_len() {
            LengthForm::Len16
        } else {
            LengthForm::Short
        }
    }

    /// The smallest length this form may carry (§5.2: "the minimal number
    /// of bytes MUST be used").
    #[inline]
    const fn min_len(self) -> u64 {
        match self {
            LengthForm::Short => 0,
            LengthForm::Len16 => 126,
            LengthForm::Len64 => 0x1_0000,
        }
    }

    /// The 7-bit field's value for `len` in this form.
    #[inline]
    const fn code(self, len: u64) -> u8 {
        match self {
            // Short: `len` < 126, so the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            LengthForm::Short => len as u8,
            LengthForm::Len16 => 126,
            LengthForm::Len64 => 127,
        }
    }

    /// Bytes of extended length after the first two header bytes.
    #[inline]
    const fn ext_len(self) -> usize {
        match self {
            LengthForm::Short => 0,
            LengthForm::Len16 => 2,
            LengthForm::Len64 => 8,
        }
    }
}

/// The frame rules of RFC 6455 §5, each written once. The parser runs them
/// in wire order as the bytes that decide them arrive; [`FrameHeader::new`]
/// runs the ones an encoder can break.
mod rules {
    use super::{FrameHeader, LengthForm, Opcode};
    use crate::config::{Config, Role};
    use crate::error::Error;

    /// §5.2: an RSV bit needs a negotiated extension.
    #[inline]
    pub(super) const fn rsv(rsv: u8, config: &Config) -> Result<(), Error> {
        if rsv & !config.allowed_rsv() != 0 {
            return Err(Error::ReservedBits);
        }
        Ok(())
    }

    /// §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved.
    #[inline]
    pub(super) const fn opcode(nibble: u8) -> Result<Opcode, Error> {
        match Opcode::from_u8(nibble) {
            Some(opcode) => Ok(opcode),
            None => Err(Error::ReservedOpcode),
        }
    }

    /// §5.5: a control frame is never fragmented.
    #[inline]
    pub(super) const fn control_fin(opcode: Opcode, fin: bool) -> Result<(), Error> {
        if opcode.is_control() && !fin {
            return Err(Error::FragmentedControlFrame);
        }
        Ok(())
    }

    /// §5.1: a client masks every frame, a server none.
    #[inline]
    pub(super) const fn mask(masked: bool, role: Role) -> Result<(), Error> {
        match (role, masked) {
            (Role::Server, false) => Err(Error::UnmaskedClientFrame),
            (Role::Client, true) => Err(Error::MaskedServerFrame),
            _ => Ok(()),
        }
    }

    /// §5.2: the most significant bit of a 64-bit length is 0.
    #[inline]
    pub(super) const fn high_bit(len: u64) -> Result<(), Error> {
        if len > FrameHeader::MAX_PAYLOAD_LEN {
            return Err(Error::LengthHighBitSet);
        }
        Ok(())
    }

    /// §5.5: a control frame carries at most 125 bytes.
    #[inline]
    pub(super) const fn control_len(opcode: Opcode, len: u64) -> Result<(), Error> {
        if opcode.is_control() && len > FrameHeader::MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlFrameTooLong);
        }
        Ok(())
    }

    /// §5.2: "the minimal number of bytes MUST be used to encode the length".
    #[inline]
    pub(super) const fn minimal(form: LengthForm, len: u64, config: &Config) -> Result<(), Error> {
        if config.strict_length() && len < form.min_len() {
            return Err(Error::NonMinimalLength);
        }
        Ok(())
    }

    /// §10.4: a frame over the configured limit, or one this target cannot
    /// address, is refused at its length field.
    #[inline]
    pub(super) const fn limit(len: u64, config: &Config) -> Result<(), Error> {
        if len > config.max_frame_payload() {
            return Err(Error::FrameTooBig);
        }
        if len > usize::MAX as u64 {
            return Err(Error::FrameTooBigForTarget);
        }
        Ok(())
    }
}

/// The fields of a header that the rules look at: all but the masking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Fields {
    pub(crate) payload_len: u64,
    pub(crate) opcode: Opcode,
    pub(crate) fin: bool,
    pub(crate) rsv: u8,
}

/// What [`parse_prefix`] found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// A whole header and its length in bytes.
    Header(FrameHeader, usize),
    /// `needed` more header bytes are needed (as far as the length field
    /// tells); `fields` once everything but the masking key is in.
    Partial {
        needed: usize,
        fields: Option<Fields>,
    },
}

/// Parses a header from the start of `buf`, running every frame rule in
/// wire order as soon as the bytes that decide it are there.
///
/// Inlined into every caller on hosts: where LLVM keeps it out of line (in
/// the codec's decode, measured with `benches/callgrind.sh`) a small frame
/// costs about 60 instructions more. Firmware (`target_os = "none"`) keeps
/// one copy: inlining it everywhere adds about 500 B of flash to the
/// receiver (`embedded/size.sh`).
#[cfg_attr(target_os = "none", inline)]
#[cfg_attr(not(target_os = "none"), inline(always))]
#[allow(clippy::inline_always)] // measured, as said above
pub(crate) fn parse_prefix(buf: &[u8], config: &Config) -> Result<Parsed, Error> {
    let partial = |needed: usize| Parsed::Partial {
        needed,
        fields: None,
    };
    let Some((&b0, rest)) = buf.split_first() else {
        return Ok(partial(FrameHeader::MIN_LEN));
    };
    let rsv = (b0 & field::RSV) >> field::RSV_SHIFT;
    rules::rsv(rsv, config)?;
    let opcode = rules::opcode(b0 & field::OPCODE)?;
    let fin = b0 & field::FIN != 0;
    rules::control_fin(opcode, fin)?;

    let Some((&b1, rest)) = rest.split_first() else {
        return Ok(partial(1));
    };
    let masked = b1 & field::MASK != 0;
    rules::mask(masked, config.role())?;
    let code = b1 & field::LEN7;
    let form = LengthForm::from_code(code);
    let key_len = if masked { 4 } else { 0 };
    let header_len = FrameHeader::MIN_LEN + form.ext_len() + key_len;
    let missing = header_len.saturating_sub(buf.len());
    let (payload_len, rest) = match form {
        LengthForm::Short => (u64::from(code), rest),
        LengthForm::Len16 => match rest.split_first_chunk::<2>() {
            Some((n, rest)) => (u64::from(u16::from_be_bytes(*n)), rest),
            None => return Ok(partial(missing)),
        },
        LengthForm::Len64 => match rest.split_first_chunk::<8>() {
            Some((n, rest)) => (u64::from_be_bytes(*n), rest),
            None => return Ok(partial(missing)),
        },
    };
    rules::high_bit(payload_len)?;
    rules::control_len(opcode, payload_len)?;
    rules::minimal(form, payload_len, config)?;
    rules::limit(payload_len, config)?;

    let fields = Fields {
        payload_len,
        opcode,
        fin,
        rsv,
    };
    let masking_key = if masked {
        match rest.first_chunk::<4>() {
            Some(key) => Some(MaskingKey::new(*key)),
            None => {
                return Ok(Parsed::Partial {
                    needed: missing,
                    fields: Some(fields),
                })
            }
        }
    } else {
        None
    };
    Ok(Parsed::Header(
        FrameHeader {
            fields,
            masking_key,
        },
        header_len,
    ))
}

/// A validated frame header (RFC 6455 §5.2).
///
/// Every `FrameHeader` is valid: [`FrameHeader::parse`] checks every framing
/// rule before it hands one out, and [`FrameHeader::new`] refuses headers
/// that would break one. The payload stays in the caller's buffer.
///
/// ```
/// use wsframe::{Config, FrameHeader, Opcode, Status};
///
/// // An unmasked "Hello" text frame, as a client receives it.
/// let bytes = [0x81, 0x05, b'H', b'e', b'l', b'l', b'o'];
/// let Status::Complete((header, used)) = FrameHeader::parse(&bytes, &Config::client())? else {
///     unreachable!()
/// };
/// assert_eq!((header.fin(), header.opcode(), header.payload_len(), used), (true, Opcode::Text, 5, 2));
/// # Ok::<(), wsframe::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FrameHeader {
    fields: Fields,
    masking_key: Option<MaskingKey>,
}

impl FrameHeader {
    /// The shortest header: 2 bytes.
    pub const MIN_LEN: usize = 2;
    /// The longest header: 2 + 8 (64-bit length) + 4 (masking key) bytes.
    pub const MAX_LEN: usize = 14;
    /// The largest payload a control frame may carry (RFC 6455 §5.5).
    pub const MAX_CONTROL_PAYLOAD: u64 = 125;
    /// The largest payload length the 64-bit length field can carry (its
    /// most significant bit must be 0).
    pub const MAX_PAYLOAD_LEN: u64 = i64::MAX as u64;
    /// The longest control frame: a masked header (6 bytes) and 125 bytes
    /// of payload. A buffer this long holds any Pong or Close this crate writes.
    pub const MAX_CONTROL_FRAME_LEN: usize = 2 + 4 + 125;

    /// Builds a header to encode. It runs the same rules as
    /// [`FrameHeader::parse`] for what an encoder chooses.
    ///
    /// `rsv` holds the three RSV bits (RSV1 = `0b100`).
    ///
    /// # Errors
    /// - [`EncodeError::InvalidRsv`] if `rsv` > 7;
    /// - [`EncodeError::FragmentedControlFrame`] for a control opcode with `fin` false;
    /// - [`EncodeError::ControlFrameTooLong`] for a control payload over 125 bytes;
    /// - [`EncodeError::PayloadTooLong`] for a length over [`FrameHeader::MAX_PAYLOAD_LEN`].
    ///
    /// ```
    /// use wsframe::{EncodeError, FrameHeader, Opcode};
    ///
    /// let h = FrameHeader::new(true, 0, Opcode::Binary, None, 70_000)?;
    /// assert_eq!(h.payload_len(), 70_000);
    /// assert_eq!(
    ///     FrameHeader::new(true, 0, Opcode::Ping, None, 126),
    ///     Err(EncodeError::ControlFrameTooLong),
    /// );
    /// # Ok::<(), EncodeError>(())
    /// ```
    pub const fn new(
        fin: bool,
        rsv: u8,
        opcode: Opcode,
        masking_key: Option<MaskingKey>,
        payload_len: u64,
    ) -> Result<Self, EncodeError> {
        if rsv > 0b111 {
            return Err(EncodeError::InvalidRsv);
        }
        let checked = match rules::control_fin(opcode, fin) {
            Ok(()) => match rules::control_len(opcode, payload_len) {
                Ok(()) => rules::high_bit(payload_len),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match checked {
            Ok(()) => Ok(FrameHeader {
                fields: Fields {
                    payload_len,
                    opcode,
                    fin,
                    rsv,
                },
                masking_key,
            }),
            Err(Error::FragmentedControlFrame) => Err(EncodeError::FragmentedControlFrame),
            Err(Error::ControlFrameTooLong) => Err(EncodeError::ControlFrameTooLong),
            Err(_) => Err(EncodeError::PayloadTooLong),
        }
    }

    /// Parses a frame header from the start of `buf` and checks every
    /// framing rule of RFC 6455 §5 against `config`.
    ///
    /// Returns the header and the number of header bytes it took (2 to 14);
    /// the payload follows in `buf`. If `buf` ends before the header does,
    /// returns [`Status::Partial`] with the number of header bytes still
    /// missing (nothing is consumed; call again with more bytes). A violation
    /// is reported as soon as the field that shows it is complete: a bad first
    /// or second byte on its own, and a length rule (including a length over
    /// the limit) once the whole length field is in, before the masking key
    /// arrives. So an error can come before `Partial`'s count is reached.
    ///
    /// # Errors
    /// Checked in wire order, the first that applies:
    /// 1. [`Error::ReservedBits`] – an RSV bit not in [`Config::allowed_rsv`]
    ///    ([§5.2](https://www.rfc-editor.org/rfc/rfc6455#section-5.2));
    /// 2. [`Error::ReservedOpcode`] – opcode 0x3–0x7 or 0xB–0xF (§5.2);
    /// 3. [`Error::FragmentedControlFrame`] – a control frame with FIN clear
    ///    ([§5.5](https://www.rfc-editor.org/rfc/rfc6455#section-5.5));
    /// 4. [`Error::UnmaskedClientFrame`] / [`Error::MaskedServerFrame`] – the
    ///    mask bit is wrong for the role
    ///    ([§5.1](https://www.rfc-editor.org/rfc/rfc6455#section-5.1));
    /// 5. [`Error::LengthHighBitSet`] – a 64-bit length with its top bit set (§5.2);
    /// 6. [`Error::ControlFrameTooLong`] – a control payload over 125 bytes (§5.5);
    /// 7. [`Error::NonMinimalLength`] – a length not minimally encoded, if
    ///    [`Config::strict_length`] (§5.2);
    /// 8. [`Error::FrameTooBig`] – a payload over [`Config::max_frame_payload`]
    ///    ([§10.4](https://www.rfc-editor.org/rfc/rfc6455#section-10.4));
    /// 9. [`Error::FrameTooBigForTarget`] – a payload length that does not fit `usize` (§10.4).
    ///
    /// ```
    /// use wsframe::{Config, Error, FrameHeader};
    ///
    /// // Opcode 0x3 is reserved: the first byte alone decides.
    /// assert_eq!(FrameHeader::parse(&[0x83], &Config::server()), Err(Error::ReservedOpcode));
    /// ```
    pub fn parse(buf: &[u8], config: &Config) -> Result<Status<(FrameHeader, usize)>, Error> {
        Ok(match parse_prefix(buf, config)? {
            Parsed::Header(header, len) => Status::Complete((header, len)),
            Parsed::Partial { needed, .. } => Status::partial(needed),
        })
    }

    /// The encoded length of this header: 2, 4, 6, 8, 10 or 14 bytes.
    ///
    /// ```
    /// use wsframe::{FrameHeader, Opcode};
    /// assert_eq!(FrameHeader::new(true, 0, Opcode::Text, None, 126)?.encoded_len(), 4);
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        let key_len = if self.masking_key.is_some() { 4 } else { 0 };
        Self::MIN_LEN + LengthForm::minimal(self.fields.payload_len).ext_len() + key_len
    }

    /// Writes this header to the start of `out`, with the minimal length
    /// encoding (RFC 6455 §5.2); returns the bytes written
    /// ([`FrameHeader::encoded_len`]).
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] if `out` is shorter than
    /// [`FrameHeader::encoded_len`]; nothing is written then.
    ///
    /// ```
    /// use wsframe::{FrameHeader, MaskingKey, Opcode};
    /// let h = FrameHeader::new(true, 0, Opcode::Text, Some(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d])), 5)?;
    /// let mut out = [0u8; 14];
    /// assert_eq!(h.encode(&mut out)?, 6);
    /// assert_eq!(out[..6], [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]); // RFC 6455 §5.7
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let needed = self.encoded_len();
        let available = out.len();
        let Some(out) = out.get_mut(..needed) else {
            return Err(EncodeError::BufferTooSmall { needed, available });
        };
        let f = &self.fields;
        let form = LengthForm::minimal(f.payload_len);
        let b0 = u8::from(f.fin) << 7 | f.rsv << field::RSV_SHIFT | f.opcode.as_u8();
        let mask_bit = if self.is_masked() { field::MASK } else { 0 };
        let len_bytes = f.payload_len.to_be_bytes();
        let ext = len_bytes
            .get(len_bytes.len() - form.ext_len()..)
            .unwrap_or(&[]);
        // `out` is exactly 2 + ext + key bytes long.
        if let Some(([o0, o1], rest)) = out.split_first_chunk_mut::<2>() {
            *o0 = b0;
            *o1 = mask_bit | form.code(f.payload_len);
            let (o_ext, o_key) = rest.split_at_mut(ext.len().min(rest.len()));
            copy(o_ext, ext);
            if let (Some(key), Ok(o_key)) = (self.masking_key, <&mut [u8; 4]>::try_from(o_key)) {
                *o_key = key.to_bytes();
            }
        }
        Ok(needed)
    }

    /// Whether this is the final fragment of its message.
    #[must_use]
    pub const fn fin(&self) -> bool {
        self.fields.fin
    }

    /// The three RSV bits, RSV1 highest (`0b100`), as 0–7.
    #[must_use]
    pub const fn rsv(&self) -> u8 {
        self.fields.rsv
    }

    /// The opcode.
    #[must_use]
    pub const fn opcode(&self) -> Opcode {
        self.fields.opcode
    }

    /// Whether the payload is masked.
    #[must_use]
    pub const fn is_masked(&self) -> bool {
        self.masking_key.is_some()
    }

    /// The masking key, if the payload is masked.
    #[must_use]
    pub const fn masking_key(&self) -> Option<MaskingKey> {
        self.masking_key
    }

    /// The payload length, in bytes.
    #[must_use]
    pub const fn payload_len(&self) -> u64 {
        self.fields.payload_len
    }

    /// The fields the message rules look at.
    pub(crate) const fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The same header with a different masking key (`None`: unmasked).
    ///
    /// ```
    /// use wsframe::{FrameHeader, MaskingKey, Opcode};
    /// let h = FrameHeader::new(true, 0, Opcode::Text, None, 5)?
    ///     .with_masking_key(Some(MaskingKey::new([1, 2, 3, 4])));
    /// assert_eq!(h.encoded_len(), 6);
    /// # Ok::<(), wsframe::EncodeError>(())
    /// ```
    #[must_use]
    pub const fn with_masking_key(mut self, masking_key: Option<MaskingKey>) -> Self {
        self.masking_key = masking_key;
        self
    }

    /// Unmasks `payload` in place if this frame is masked; does nothing
    /// otherwise. `payload` must start at the payload's first byte.
    ///
    /// ```
    /// use wsframe::{Config, FrameHeader, Status};
    /// let mut buf = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    /// if let Status::Complete((h, used)) = FrameHeader::parse(&buf, &Config::server())? {
    ///     h.unmask(&mut buf[used..]);
    ///     assert_eq!(&buf[used..], b"Hello");
    /// }
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    pub fn unmask(&self, payload: &mut [u8]) {
        if let Some(key) = self.masking_key {
            unmask(payload, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Role;

    fn parse(buf: &[u8], config: &Config) -> Result<Status<(FrameHeader, usize)>, Error> {
        FrameHeader::parse(buf, config)
    }

    #[test]
    fn the_longest_control_frame_fits_max_control_frame_len() {
        let key = Some(MaskingKey::new([1, 2, 3, 4]));
        let h = FrameHeader::new(true, 0, Opcode::Pong, key, 125).unwrap();
        assert_eq!(h.encoded_len() + 125, FrameHeader::MAX_CONTROL_FRAME_LEN);
        assert_eq!(FrameHeader::MAX_CONTROL_FRAME_LEN, 131);
        assert_eq!((FrameHeader::MIN_LEN, FrameHeader::MAX_LEN), (2, 2 + 8 + 4));
    }

    #[test]
    fn deconstruct_rfc_masked_hello() {
        let buf = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d];
        let (h, used) = parse(&buf, &Config::server()).unwrap().complete().unwrap();
        assert_eq!(used, 6);
        assert!(h.fin());
        assert_eq!(h.rsv(), 0);
        assert_eq!(h.opcode(), Opcode::Text);
        assert_eq!(h.payload_len(), 5);
        assert_eq!(
            h.masking_key(),
            Some(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]))
        );
        assert_eq!(h.encoded_len(), 6);
        let mut out = [0u8; 14];
        assert_eq!(h.encode(&mut out), Ok(6));
        assert_eq!(out[..6], buf);
    }

    #[test]
    fn partial_counts_are_whole_header_remainders() {
        let config = Config::new(Role::Any);
        assert_eq!(parse(&[], &config).unwrap().needed(), Some(2));
        assert_eq!(parse(&[0x82], &config).unwrap().needed(), Some(1));
        assert_eq!(parse(&[0x82, 0xFE], &config).unwrap().needed(), Some(6));
        assert_eq!(
            parse(&[0x82, 0xFE, 0x01], &config).unwrap().needed(),
            Some(5)
        );
        assert_eq!(
            parse(&[0x82, 0xFE, 0x01, 0x00], &config).unwrap().needed(),
            Some(4)
        );
        assert_eq!(parse(&[0x82, 0x7F], &config).unwrap().needed(), Some(8));
    }

    #[test]
    fn a_header_cut_in_its_key_has_its_fields() {
        let config = Config::server();
        let parsed = parse_prefix(&[0x02, 0xFE, 0x01, 0x2C, 0x11], &config).unwrap();
        assert_eq!(
            parsed,
            Parsed::Partial {
                needed: 3,
                fields: Some(Fields {
                    payload_len: 300,
                    opcode: Opcode::Binary,
                    fin: false,
                    rsv: 0
                })
            }
        );
        let parsed = parse_prefix(&[0x02, 0xFE, 0x01], &config).unwrap();
        assert_eq!(
            parsed,
            Parsed::Partial {
                needed: 5,
                fields: None
            }
        );
    }

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
            let back = parse(
                &out[..header_len],
                &Config::client().with_max_frame_payload(u64::MAX),
            );
            if usize::try_from(len).is_ok() {
                assert_eq!(back, Ok(Status::Complete((h, header_len))), "{len}");
            }
            let masked = h.with_masking_key(Some(MaskingKey::new([9; 4])));
            assert_eq!(masked.encode(&mut out), Ok(header_len + 4), "{len}");
            assert_eq!(out[1], 0x80 | code, "{len}");
            assert_eq!(out[header_len..header_len + 4], [9; 4], "{len}");
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
    fn new_refuses_what_parse_refuses() {
        assert_eq!(
            FrameHeader::new(true, 8, Opcode::Text, None, 0),
            Err(EncodeError::InvalidRsv)
        );
        assert_eq!(
            FrameHeader::new(false, 0, Opcode::Close, None, 0),
            Err(EncodeError::FragmentedControlFrame)
        );
        assert_eq!(
            FrameHeader::new(true, 0, Opcode::Pong, None, 126),
            Err(EncodeError::ControlFrameTooLong)
        );
        assert_eq!(
            FrameHeader::new(
                true,
                0,
                Opcode::Binary,
                None,
                FrameHeader::MAX_PAYLOAD_LEN + 1
            ),
            Err(EncodeError::PayloadTooLong)
        );
        assert!(FrameHeader::new(true, 7, Opcode::Pong, None, 125).is_ok());
    }

    #[test]
    fn opcode_values_roundtrip() {
        for v in 0..=0xFFu8 {
            if let Some(op) = Opcode::from_u8(v) {
                assert_eq!(op.as_u8(), v);
                assert_eq!(op.is_control(), v >= 8);
                assert!(Opcode::ALL.contains(&op));
            } else {
                assert!(matches!(v, 0x3..=0x7 | 0xB..));
            }
        }
    }
}
