//! `FrameHeader` and `Opcode`: the first 2 to 14 bytes of every frame (RFC 6455 §5.2).

use crate::config::Config;
use crate::encode::EncodeError;
use crate::error::Error;
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

/// Bit masks and length-code values of the first two header bytes.
mod field {
    pub const FIN: u8 = 0x80;
    pub const RSV_SHIFT: u32 = 4;
    pub const RSV: u8 = 0x70;
    pub const OPCODE: u8 = 0x0F;
    pub const MASK: u8 = 0x80;
    pub const LEN7: u8 = 0x7F;
    pub const LEN16_CODE: u8 = 126;
    pub const LEN64_CODE: u8 = 127;
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
    payload_len: u64,
    masking_key: Option<MaskingKey>,
    opcode: Opcode,
    fin: bool,
    rsv: u8,
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

    /// Builds a header to encode.
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
        if opcode.is_control() && !fin {
            return Err(EncodeError::FragmentedControlFrame);
        }
        if opcode.is_control() && payload_len > Self::MAX_CONTROL_PAYLOAD {
            return Err(EncodeError::ControlFrameTooLong);
        }
        if payload_len > Self::MAX_PAYLOAD_LEN {
            return Err(EncodeError::PayloadTooLong);
        }
        Ok(FrameHeader {
            payload_len,
            masking_key,
            opcode,
            fin,
            rsv,
        })
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
        parse::header(buf, config)
    }

    /// The header whose first `seen` bytes are `buf[..seen]`, once they
    /// hold its length field but not all of its masking key. `None` before
    /// the length field is complete and once the header is whole. The bytes
    /// of `buf` after `seen` are anything (they stand in for the key, which
    /// carries no rule); `buf[..seen]` must be a prefix that
    /// [`FrameHeader::parse`] found `Partial`.
    pub(crate) fn parse_pending(buf: &[u8], seen: usize, config: &Config) -> Option<PendingHeader> {
        parse::pending(buf, seen, config)
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
        let len = match self.payload_len {
            0..=125 => 2,
            126..=0xFFFF => 4,
            _ => 10,
        };
        if self.masking_key.is_some() {
            len + 4
        } else {
            len
        }
    }

    /// Whether this is the final fragment of its message.
    #[must_use]
    pub const fn fin(&self) -> bool {
        self.fin
    }

    /// The three RSV bits, RSV1 highest (`0b100`), as 0–7.
    #[must_use]
    pub const fn rsv(&self) -> u8 {
        self.rsv
    }

    /// The opcode.
    #[must_use]
    pub const fn opcode(&self) -> Opcode {
        self.opcode
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
        self.payload_len
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

/// A masked frame's header whose length field is in but whose masking key
/// is not yet: every field the frame and message rules look at, and it has
/// passed every frame-layer rule (the key carries none). Given by
/// [`Decoder::pending_header`](crate::Decoder::pending_header), so that
/// [`MessageValidator::check_header`](crate::MessageValidator::check_header)
/// can judge a header's message rules as soon as its length is read.
///
/// It is not a [`FrameHeader`]: without its key, it cannot unmask a payload.
///
/// ```
/// use wsframe::{Config, Decoder, Opcode};
///
/// // A masked Binary frame announcing 300 bytes, cut before its masking key.
/// let mut decoder = Decoder::new(Config::server());
/// assert_eq!(decoder.decode(&mut [0x82, 0xFE, 0x01, 0x2C, 0x11])?, (5, None));
/// let pending = decoder.pending_header().unwrap();
/// assert_eq!((pending.fin(), pending.opcode(), pending.payload_len()), (true, Opcode::Binary, 300));
/// # Ok::<(), wsframe::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PendingHeader {
    payload_len: u64,
    opcode: Opcode,
    fin: bool,
    rsv: u8,
}

impl PendingHeader {
    /// Whether this is the final fragment of its message.
    #[must_use]
    pub const fn fin(&self) -> bool {
        self.fin
    }

    /// The three RSV bits, RSV1 highest (`0b100`), as 0–7.
    #[must_use]
    pub const fn rsv(&self) -> u8 {
        self.rsv
    }

    /// The opcode.
    #[must_use]
    pub const fn opcode(&self) -> Opcode {
        self.opcode
    }

    /// The payload length, in bytes.
    #[must_use]
    pub const fn payload_len(&self) -> u64 {
        self.payload_len
    }
}

impl From<&FrameHeader> for PendingHeader {
    /// The fields the message rules look at (the masking key dropped).
    fn from(header: &FrameHeader) -> Self {
        PendingHeader {
            payload_len: header.payload_len,
            opcode: header.opcode,
            fin: header.fin,
            rsv: header.rsv,
        }
    }
}

/// All nom code of the crate. Nothing from nom leaves this module.
///
/// Two paths, one set of rules. `streaming` is the whole parser: it walks
/// the header field by field with nom's streaming `take`, reports each
/// violation as soon as the bytes that show it are present, in wire order,
/// and otherwise returns the exact `Partial` count. `header` is the hot path
/// in front of it for the usual frame: a whole header with a 7-bit length
/// (payloads up to 125 bytes, and every control frame) that breaks no rule,
/// tested as one combined condition. Anything else (a short buffer, a 16- or
/// 64-bit length, any violation) goes to `streaming`, which decides it from
/// scratch, so the hot path never has to know which rule fails first.
///
/// The numbers that justify the hot path (callgrind instructions per frame,
/// `FrameHeader::parse` alone over the 1,000 small masked frames of
/// `benches/stream.rs`, loop included): one nom `be_u8`/`be_u16`/`be_u64`/
/// `be_u32` per field, 125; one length check up front and `take` into arrays,
/// 103; the combined check for 7-bit lengths, 72. tungstenite's
/// `FrameHeader::parse` takes 147 to 196 (depending on how it is inlined).
/// The two paths were checked against the previous single-path parser for
/// every first two bytes, 24 tails, every prefix length and 288
/// configurations: identical results.
mod parse {
    use super::{field, FrameHeader, Opcode, PendingHeader};
    use crate::config::{Config, Role};
    use crate::error::Error;
    use crate::mask::MaskingKey;
    use crate::status::Status;
    use nom::bytes::streaming::take;
    use nom::{IResult, Parser};

    type Header = Status<(FrameHeader, usize)>;

    /// `N` bytes as an array: nom's streaming `take`, so a short input is
    /// `Incomplete`, never a panic.
    #[inline]
    fn array<const N: usize>(input: &[u8]) -> IResult<&[u8], [u8; N], ()> {
        take(N)
            .map_opt(|bytes: &[u8]| <[u8; N]>::try_from(bytes).ok())
            .parse(input)
    }

    /// Runs a nom parser whose input length was checked beforehand, so that
    /// `Incomplete` cannot happen; still maps it to `Partial`, never a panic.
    #[inline]
    fn run<O>(
        result: IResult<&[u8], O, ()>,
        total_needed: usize,
        have: usize,
    ) -> Result<(&[u8], O), Header> {
        result.map_err(|_| Status::partial(total_needed.saturating_sub(have)))
    }

    /// The checks of byte 0 (FIN, RSV1-3, opcode), in wire order.
    #[inline]
    fn first_byte(b0: u8, config: &Config) -> Result<(bool, u8, Opcode), Error> {
        let rsv = (b0 & field::RSV) >> field::RSV_SHIFT;
        if rsv & !config.allowed_rsv() != 0 {
            return Err(Error::ReservedBits);
        }
        let Some(opcode) = Opcode::from_u8(b0 & field::OPCODE) else {
            return Err(Error::ReservedOpcode);
        };
        let fin = b0 & field::FIN != 0;
        if opcode.is_control() && !fin {
            return Err(Error::FragmentedControlFrame);
        }
        Ok((fin, rsv, opcode))
    }

    /// The mask rule of byte 1 (§5.1); returns whether the frame is masked.
    #[inline]
    fn mask_bit(b1: u8, config: &Config) -> Result<bool, Error> {
        let masked = b1 & field::MASK != 0;
        match (config.role(), masked) {
            (Role::Server, false) => Err(Error::UnmaskedClientFrame),
            (Role::Client, true) => Err(Error::MaskedServerFrame),
            _ => Ok(masked),
        }
    }

    /// The header length that byte 1 announces: 2 + extended length + key.
    #[inline]
    const fn header_len(b1: u8) -> usize {
        let ext_len = match b1 & field::LEN7 {
            field::LEN16_CODE => 2,
            field::LEN64_CODE => 8,
            _ => 0,
        };
        let key_len = if b1 & field::MASK != 0 { 4 } else { 0 };
        FrameHeader::MIN_LEN + ext_len + key_len
    }

    /// See [`FrameHeader::parse_pending`]: the whole header parsed with
    /// whatever bytes follow `seen` as its masking key, which is then dropped.
    pub(super) fn pending(buf: &[u8], seen: usize, config: &Config) -> Option<PendingHeader> {
        if seen < FrameHeader::MIN_LEN {
            return None;
        }
        let b1 = *buf.get(1)?;
        let header_len = header_len(b1);
        let key_len = if b1 & field::MASK != 0 { 4 } else { 0 };
        if seen < header_len - key_len || seen >= header_len {
            return None;
        }
        match streaming(buf.get(..header_len)?, config) {
            Ok(Status::Complete((header, _))) => Some(PendingHeader::from(&header)),
            _ => None,
        }
    }

    /// Parses a header from the start of `buf`.
    ///
    /// The hot path takes a whole header with a 7-bit length (payloads up to
    /// 125 bytes: most frames, and every control frame) that breaks no rule.
    /// Everything else, a longer length, a short `buf` or any violation, goes
    /// to `streaming`, which decides it from scratch, so the hot path only
    /// needs to know that *some* rule may fail, not which one comes first.
    #[inline]
    pub(super) fn header(buf: &[u8], config: &Config) -> Result<Header, Error> {
        let Ok((rest, [b0, b1])) = array::<2>(buf) else {
            return streaming(buf, config);
        };
        let code = b1 & field::LEN7;
        let masked = b1 & field::MASK != 0;
        let rsv = (b0 & field::RSV) >> field::RSV_SHIFT;
        let fin = b0 & field::FIN != 0;
        let mask_ok = match config.role() {
            Role::Server => masked,
            Role::Client => !masked,
            Role::Any => true,
        };
        let payload_len = u64::from(code);
        // A control frame's FIN is set; a 7-bit length is always minimal and
        // within 125, and fits `usize`; what is left is the configured limit.
        if code >= field::LEN16_CODE
            || rsv & !config.allowed_rsv() != 0
            || b0 & (field::FIN | 0x08) == 0x08
            || !mask_ok
            || payload_len > config.max_frame_payload()
        {
            return streaming(buf, config);
        }
        let Some(opcode) = Opcode::from_u8(b0 & field::OPCODE) else {
            return streaming(buf, config);
        };
        let (masking_key, header_len) = if masked {
            match array::<4>(rest) {
                Ok((_, key)) => (Some(MaskingKey::new(key)), FrameHeader::MIN_LEN + 4),
                Err(_) => return streaming(buf, config),
            }
        } else {
            (None, FrameHeader::MIN_LEN)
        };
        let header = FrameHeader {
            payload_len,
            masking_key,
            opcode,
            fin,
            rsv,
        };
        Ok(Status::Complete((header, header_len)))
    }

    /// The header field by field, for a `buf` that may end anywhere in it:
    /// each violation as soon as the bytes that show it are present, else
    /// `Partial` with the count of missing header bytes.
    #[inline(never)]
    fn streaming(buf: &[u8], config: &Config) -> Result<Header, Error> {
        let have = buf.len();
        // Byte 0: FIN, RSV1-3, opcode.
        let (rest, [b0]) = match run(array::<1>(buf), FrameHeader::MIN_LEN, have) {
            Ok(v) => v,
            Err(partial) => return Ok(partial),
        };
        let (fin, rsv, opcode) = first_byte(b0, config)?;

        // Byte 1: MASK, 7-bit length code.
        let (rest, [b1]) = match run(array::<1>(rest), FrameHeader::MIN_LEN, have) {
            Ok(v) => v,
            Err(partial) => return Ok(partial),
        };
        let masked = mask_bit(b1, config)?;
        let code = b1 & field::LEN7;
        let header_len = header_len(b1);

        // The extended length, checked as soon as it is complete (before the
        // masking key), so that 1009 comes before any further byte is needed.
        let (rest, payload_len) = match code {
            field::LEN16_CODE => match run(array::<2>(rest), header_len, have) {
                Ok((rest, n)) => (rest, u64::from(u16::from_be_bytes(n))),
                Err(partial) => return Ok(partial),
            },
            field::LEN64_CODE => match run(array::<8>(rest), header_len, have) {
                Ok((rest, n)) => (rest, u64::from_be_bytes(n)),
                Err(partial) => return Ok(partial),
            },
            short => (rest, u64::from(short)),
        };
        check_length(opcode, code, payload_len, config)?;

        let masking_key = if masked {
            match run(array::<4>(rest), header_len, have) {
                Ok((_, key)) => Some(MaskingKey::new(key)),
                Err(partial) => return Ok(partial),
            }
        } else {
            None
        };

        let header = FrameHeader {
            payload_len,
            masking_key,
            opcode,
            fin,
            rsv,
        };
        Ok(Status::Complete((header, header_len)))
    }

    /// The length rules of §5.2, §5.5 and §10.4, in wire order of the bits
    /// that decide them.
    #[inline]
    fn check_length(opcode: Opcode, code: u8, len: u64, config: &Config) -> Result<(), Error> {
        if code == field::LEN64_CODE && len > FrameHeader::MAX_PAYLOAD_LEN {
            return Err(Error::LengthHighBitSet);
        }
        if opcode.is_control() && len > FrameHeader::MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlFrameTooLong);
        }
        let minimal = match code {
            field::LEN16_CODE => len > 125,
            field::LEN64_CODE => len > 0xFFFF,
            _ => true,
        };
        if config.strict_length() && !minimal {
            return Err(Error::NonMinimalLength);
        }
        if len > config.max_frame_payload() {
            return Err(Error::FrameTooBig);
        }
        if usize::try_from(len).is_err() {
            return Err(Error::FrameTooBigForTarget);
        }
        Ok(())
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
