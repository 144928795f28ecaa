//! `arbitrary::Arbitrary` implementations for structured fuzzing (feature `arbitrary`).
//!
//! Every input type of the crate can be generated: [`Role`], [`Config`],
//! [`Opcode`], [`MaskingKey`], [`CloseCode`] and [`FrameHeader`] (always a
//! valid one, built with [`FrameHeader::new`]). [`ArbitraryFrame`] goes a
//! step further and produces the wire bytes of one frame, either well formed
//! or with one deliberate defect, together with the verdict that
//! [`FrameHeader::parse`] must give on them.
//!
//! The `arbitrary` crate needs `std`, so this feature is for hosts only, and
//! [`ArbitraryFrame`] holds its bytes in an `alloc::vec::Vec`. The rest of
//! the crate stays allocation-free with or without the feature.

extern crate alloc;

use alloc::vec::Vec;

use ::arbitrary::{Arbitrary, Result, Unstructured};

use crate::close::CloseCode;
use crate::config::{Config, Role};
use crate::error::Error;
use crate::header::{FrameHeader, Opcode};
use crate::mask::{unmask, MaskingKey};

/// Lengths and limits at the edges of the length encodings and of the
/// default limits.
const BOUNDARIES: [u64; 14] = [
    0,
    1,
    2,
    125,
    126,
    127,
    0xFFFF,
    0x1_0000,
    Config::DEFAULT_MAX_FRAME_PAYLOAD,
    0xFFFF_FFFF,
    0x1_0000_0000,
    FrameHeader::MAX_PAYLOAD_LEN,
    FrameHeader::MAX_PAYLOAD_LEN + 1,
    u64::MAX,
];

/// A limit for [`Config`]: mostly a boundary value, sometimes any `u64`.
fn limit(u: &mut Unstructured<'_>) -> Result<u64> {
    if u.ratio(1, 4)? {
        u.arbitrary()
    } else {
        Ok(*u.choose(&BOUNDARIES)?)
    }
}

/// A data-frame payload length: mostly small or a boundary, sometimes any
/// length the 64-bit field can carry.
fn data_len(u: &mut Unstructured<'_>) -> Result<u64> {
    match u.int_in_range(0u8..=3)? {
        0 => u.int_in_range(0..=FrameHeader::MAX_PAYLOAD_LEN),
        1 => Ok((*u.choose(&BOUNDARIES)?).min(FrameHeader::MAX_PAYLOAD_LEN)),
        _ => u.int_in_range(0..=300),
    }
}

impl<'a> Arbitrary<'a> for Role {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(*u.choose(&[Role::Server, Role::Client, Role::Any])?)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(4))
    }
}

impl<'a> Arbitrary<'a> for Config {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Config::new(u.arbitrary()?)
            .with_allowed_rsv(u.int_in_range(0..=0b111)?)
            .with_strict_length(u.ratio(3, 4)?)
            .with_max_frame_payload(limit(u)?)
            .with_max_message_len(limit(u)?))
    }
}

impl<'a> Arbitrary<'a> for Opcode {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(*u.choose(&Opcode::ALL)?)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(4))
    }
}

impl<'a> Arbitrary<'a> for MaskingKey {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(MaskingKey::new(u.arbitrary()?))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (4, Some(4))
    }
}

impl<'a> Arbitrary<'a> for CloseCode {
    /// Mostly codes allowed on the wire (1000–1003, 1007–1014, 3000–4999),
    /// sometimes any non-zero `u16`.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let code = match u.int_in_range(0u8..=3)? {
            0 => u.int_in_range(1..=u16::MAX)?,
            1 => u.int_in_range(3000..=4999)?,
            _ => u.int_in_range(1000..=1015)?,
        };
        CloseCode::new(code).ok_or(::arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for FrameHeader {
    /// Only valid headers, as every `FrameHeader` is: control frames have FIN
    /// set and at most 125 payload bytes, and no length is over
    /// [`FrameHeader::MAX_PAYLOAD_LEN`].
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let opcode: Opcode = u.arbitrary()?;
        let fin = opcode.is_control() || u.arbitrary()?;
        let rsv = u.int_in_range(0..=0b111)?;
        let masking_key = u.arbitrary()?;
        let payload_len = if opcode.is_control() {
            u.int_in_range(0..=FrameHeader::MAX_CONTROL_PAYLOAD)?
        } else {
            data_len(u)?
        };
        FrameHeader::new(fin, rsv, opcode, masking_key, payload_len)
            .map_err(|_| ::arbitrary::Error::IncorrectFormat)
    }
}

/// How the payload length is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum LenForm {
    /// In the 7-bit field (0–125).
    Short,
    /// Code 126 and a 16-bit length.
    Medium,
    /// Code 127 and a 64-bit length.
    Long,
}

impl LenForm {
    /// The minimal form for `len` (RFC 6455 §5.2).
    const fn minimal(len: u64) -> Self {
        match len {
            0..=125 => LenForm::Short,
            126..=0xFFFF => LenForm::Medium,
            _ => LenForm::Long,
        }
    }
}

/// Payloads longer than this are not generated: the frame's bytes stop after
/// its header.
const MAX_GENERATED_PAYLOAD: u64 = 0x1_0000;

/// Byte sequences that are not UTF-8: overlong forms, a surrogate, a code
/// point above U+10FFFF, bytes that never occur, a lone continuation byte,
/// and a lead byte followed by ASCII.
const INVALID_UTF8: [&[u8]; 8] = [
    b"\xC0\x80",
    b"\xE0\x80\x80",
    b"\xED\xA0\x80",
    b"\xF4\x90\x80\x80",
    b"\xFF",
    b"\xF5",
    b"\x80",
    b"\xE2\x82A",
];

/// The deliberate defects: the error each one provokes.
const DEFECTS: [Error; 10] = [
    Error::ReservedBits,
    Error::ReservedOpcode,
    Error::FragmentedControlFrame,
    Error::ControlFrameTooLong,
    Error::LengthHighBitSet,
    Error::NonMinimalLength,
    Error::InvalidUtf8,
    Error::CloseBodyTooShort,
    Error::InvalidCloseCode,
    Error::InvalidCloseReason,
];

/// The wire bytes of one frame, well formed or with one deliberate defect,
/// for harnesses that want structured valid and invalid input rather than
/// random bytes (feature `arbitrary`).
///
/// About half of the generated frames are well formed; the others break
/// exactly one rule of RFC 6455, named by [`ArbitraryFrame::defect`]: a
/// reserved RSV bit or opcode, a fragmented or over-long control frame, a
/// 64-bit length with its top bit set, a non-minimal length, invalid UTF-8 in
/// a final text frame, or a bad Close body. The mask bit, the masking key and
/// the RSV bits vary freely, so the verdict also depends on the [`Config`]:
/// [`ArbitraryFrame::expected`] gives the one [`FrameHeader::parse`] must
/// return under a given configuration.
///
/// A frame says nothing about its place in a stream: a Continuation frame
/// needs a fragmented message in progress, and a non-final text fragment is
/// only checked as part of its message (RFC 6455 §5.4).
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use wsframe::{ArbitraryFrame, Config, FrameHeader, Role};
///
/// let seed = [7u8; 64];
/// let frame = ArbitraryFrame::arbitrary(&mut Unstructured::new(&seed))?;
/// let config = Config::new(Role::Any);
/// let verdict = FrameHeader::parse(frame.wire(), &config).map(|s| s.complete().map(|(h, _)| h));
/// assert_eq!(verdict, frame.expected(&config).map(Some));
/// # Ok::<(), arbitrary::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArbitraryFrame {
    wire: Vec<u8>,
    header_len: usize,
    payload: Vec<u8>,
    fin: bool,
    rsv: u8,
    opcode: u8,
    masking_key: Option<MaskingKey>,
    len: u64,
    form: LenForm,
    defect: Option<Error>,
}

impl ArbitraryFrame {
    /// The frame's bytes: its header, then its payload, masked if the mask
    /// bit is set. A payload longer than 64 KiB, one announced by a length
    /// with its top bit set, and an over-long control frame's payload of
    /// more than 1,000 bytes are left out (only the header is there).
    #[must_use]
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// The frame's bytes, as an owned vector.
    #[must_use]
    pub fn into_wire(self) -> Vec<u8> {
        self.wire
    }

    /// The length of the header at the start of [`ArbitraryFrame::wire`]: 2 to 14 bytes.
    #[must_use]
    pub const fn header_len(&self) -> usize {
        self.header_len
    }

    /// The payload, unmasked: what follows the header in
    /// [`ArbitraryFrame::wire`] once unmasked (empty if it was left out).
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The rule deliberately broken, as the error it provokes, or `None`
    /// for a well-formed frame.
    ///
    /// Whether the parser reports it depends on the configuration for
    /// [`Error::ReservedBits`] (the RSV bits set may be allowed) and
    /// [`Error::NonMinimalLength`] (only in strict mode), and a configuration
    /// can add its own errors (role, limits); see [`ArbitraryFrame::expected`].
    /// [`Error::InvalidUtf8`], [`Error::CloseBodyTooShort`],
    /// [`Error::InvalidCloseCode`] and [`Error::InvalidCloseReason`] are
    /// message-layer defects: the header is valid, the payload is not.
    #[must_use]
    pub const fn defect(&self) -> Option<Error> {
        self.defect
    }

    /// The verdict [`FrameHeader::parse`] must give on
    /// [`ArbitraryFrame::wire`] under `config`: the header, or the first
    /// frame-layer error in the order it documents.
    ///
    /// # Errors
    /// The frame-layer [`Error`] the header provokes under `config`: its
    /// defect, or one that `config` adds (RSV bits, role, limits).
    pub fn expected(&self, config: &Config) -> core::result::Result<FrameHeader, Error> {
        if self.rsv & !config.allowed_rsv() != 0 {
            return Err(Error::ReservedBits);
        }
        let opcode = Opcode::from_u8(self.opcode).ok_or(Error::ReservedOpcode)?;
        if opcode.is_control() && !self.fin {
            return Err(Error::FragmentedControlFrame);
        }
        match (config.role(), self.masking_key.is_some()) {
            (Role::Server, false) => return Err(Error::UnmaskedClientFrame),
            (Role::Client, true) => return Err(Error::MaskedServerFrame),
            _ => {}
        }
        if self.len > FrameHeader::MAX_PAYLOAD_LEN {
            return Err(Error::LengthHighBitSet);
        }
        if opcode.is_control() && self.len > FrameHeader::MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlFrameTooLong);
        }
        if config.strict_length() && self.form != LenForm::minimal(self.len) {
            return Err(Error::NonMinimalLength);
        }
        if self.len > config.max_frame_payload() {
            return Err(Error::FrameTooBig);
        }
        if usize::try_from(self.len).is_err() {
            return Err(Error::FrameTooBigForTarget);
        }
        // Every rule of `FrameHeader::new` was checked above, so it succeeds.
        FrameHeader::new(self.fin, self.rsv, opcode, self.masking_key, self.len)
            .map_err(|_| Error::ControlFrameTooLong)
    }

    /// Writes the header and the (masked) payload into `wire`.
    fn encode(&mut self) {
        let b0 = u8::from(self.fin) << 7 | self.rsv << 4 | self.opcode;
        let mask_bit = if self.masking_key.is_some() { 0x80 } else { 0 };
        let len_bytes = self.len.to_be_bytes();
        let (code, ext): (u8, &[u8]) = match self.form {
            LenForm::Short => (u8::try_from(self.len).unwrap_or(0), &[]),
            LenForm::Medium => (126, len_bytes.get(6..).unwrap_or(&[])),
            LenForm::Long => (127, &len_bytes),
        };
        self.wire.clear();
        self.wire.extend_from_slice(&[b0, mask_bit | code]);
        self.wire.extend_from_slice(ext);
        if let Some(key) = self.masking_key {
            self.wire.extend_from_slice(&key.to_bytes());
        }
        self.header_len = self.wire.len();
        let start = self.wire.len();
        self.wire.extend_from_slice(&self.payload);
        if let (Some(key), Some(body)) = (self.masking_key, self.wire.get_mut(start..)) {
            unmask(body, key);
        }
    }
}

/// `len` bytes: the fuzzer's, then zeros.
fn filled(u: &mut Unstructured<'_>, len: u64) -> Result<Vec<u8>> {
    let len = usize::try_from(len).map_err(|_| ::arbitrary::Error::IncorrectFormat)?;
    let take = len.min(u.len());
    let mut bytes = u.bytes(take)?.to_vec();
    bytes.resize(len, 0);
    Ok(bytes)
}

/// Up to `max` bytes of valid UTF-8 (cut at a character boundary).
fn text(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let s: &str = u.arbitrary()?;
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(s.as_bytes().get(..end).unwrap_or(&[]).to_vec())
}

/// A Close body: a code and a reason (or nothing).
fn close_body(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut body = code.to_be_bytes().to_vec();
    body.extend_from_slice(reason);
    body
}

/// A well-formed payload for `opcode`: UTF-8 text, a valid Close body, a
/// control payload of at most 125 bytes, or any data (rarely at the length
/// boundaries 126, 127, 65535 and 65536).
fn valid_payload(u: &mut Unstructured<'_>, opcode: Opcode) -> Result<Vec<u8>> {
    match opcode {
        Opcode::Text => text(u, 300),
        Opcode::Close if u.ratio(1, 4)? => Ok(Vec::new()),
        Opcode::Close => {
            let code: CloseCode = u.arbitrary()?;
            let code = if code.is_allowed_on_wire() {
                code
            } else {
                CloseCode::NORMAL
            };
            let reason = text(u, 123)?;
            Ok(close_body(code.as_u16(), &reason))
        }
        Opcode::Ping | Opcode::Pong => {
            let n = u.int_in_range(0..=FrameHeader::MAX_CONTROL_PAYLOAD)?;
            filled(u, n)
        }
        Opcode::Binary | Opcode::Continuation => {
            let n = if u.ratio(1, 16)? {
                *u.choose(&[126, 127, 0xFFFF, 0x1_0000])?
            } else {
                u.int_in_range(0..=300)?
            };
            filled(u, n)
        }
    }
}

/// A well-formed payload for `opcode` and a length form longer than needed.
fn non_minimal(u: &mut Unstructured<'_>, opcode: Opcode) -> Result<(Vec<u8>, LenForm)> {
    let (n, form) = if opcode.is_control() || u.ratio(1, 2)? {
        let n = if opcode.is_control() {
            u.int_in_range(0..=FrameHeader::MAX_CONTROL_PAYLOAD)?
        } else {
            u.int_in_range(0..=300)?
        };
        let form = if n <= 125 && u.ratio(1, 2)? {
            LenForm::Medium
        } else {
            LenForm::Long
        };
        (n, form)
    } else {
        (u.int_in_range(0..=0xFFFF)?, LenForm::Long)
    };
    let body = match opcode {
        Opcode::Text => text(u, usize::try_from(n).unwrap_or(0))?,
        Opcode::Close if n >= 2 => {
            let mut body = close_body(1000, &[]);
            body.resize(usize::try_from(n).unwrap_or(2), b' ');
            body
        }
        Opcode::Close => Vec::new(),
        _ => filled(u, n)?,
    };
    Ok((body, form))
}

/// A Close body with a code not allowed on the wire (`bad_code`), or with
/// an allowed code and a reason that is not UTF-8.
fn bad_close(u: &mut Unstructured<'_>, bad_code: bool) -> Result<Vec<u8>> {
    if bad_code {
        let code = match u.int_in_range(0u8..=3)? {
            0 => u.int_in_range(0..=999)?,
            1 => *u.choose(&[1004, 1005, 1006, 1015])?,
            2 => u.int_in_range(1016..=2999)?,
            _ => u.int_in_range(5000..=u16::MAX)?,
        };
        let reason = text(u, 123)?;
        return Ok(close_body(code, &reason));
    }
    let code: CloseCode = u.arbitrary()?;
    let code = if code.is_allowed_on_wire() {
        code
    } else {
        CloseCode::NORMAL
    };
    let mut reason = text(u, 60)?;
    reason.extend_from_slice(u.choose(&INVALID_UTF8)?);
    reason.extend(text(u, 55)?);
    Ok(close_body(code.as_u16(), &reason))
}

impl<'a> Arbitrary<'a> for ArbitraryFrame {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let defect = if u.ratio(1, 2)? {
            None
        } else {
            Some(*u.choose(&DEFECTS)?)
        };
        let mut opcode: Opcode = u.arbitrary()?;
        let mut fin = opcode.is_control() || u.arbitrary()?;
        let mut rsv = 0;
        let masking_key: Option<MaskingKey> = u.arbitrary()?;
        let mut raw_opcode = None;
        let mut form = None;
        let mut len = None;
        let payload = match defect {
            None | Some(Error::ReservedBits) => {
                if defect.is_some() {
                    rsv = u.int_in_range(1..=0b111)?;
                }
                valid_payload(u, opcode)?
            }
            Some(Error::ReservedOpcode) => {
                raw_opcode = Some(*u.choose(&[3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])?);
                let n = u.int_in_range(0..=130)?;
                filled(u, n)?
            }
            Some(Error::FragmentedControlFrame) => {
                opcode = *u.choose(&[Opcode::Close, Opcode::Ping, Opcode::Pong])?;
                fin = false;
                let n = u.int_in_range(0..=FrameHeader::MAX_CONTROL_PAYLOAD)?;
                filled(u, n)?
            }
            Some(Error::ControlFrameTooLong) => {
                opcode = *u.choose(&[Opcode::Close, Opcode::Ping, Opcode::Pong])?;
                // Mostly the 16-bit form; sometimes the 64-bit one, now and
                // then at the largest length (one more has the top bit set:
                // LengthHighBitSet instead).
                let n = match u.int_in_range(0u8..=15)? {
                    0 | 1 => u.int_in_range(0x1_0000..=FrameHeader::MAX_PAYLOAD_LEN)?,
                    2 => FrameHeader::MAX_PAYLOAD_LEN,
                    _ => u.int_in_range(126..=0xFFFF)?,
                };
                len = Some(n);
                if n <= 1000 {
                    filled(u, n)?
                } else {
                    Vec::new()
                }
            }
            Some(Error::LengthHighBitSet) => {
                len = Some(u.int_in_range(FrameHeader::MAX_PAYLOAD_LEN + 1..=u64::MAX)?);
                form = Some(LenForm::Long);
                Vec::new()
            }
            Some(Error::NonMinimalLength) => {
                let (body, f) = non_minimal(u, opcode)?;
                form = Some(f);
                body
            }
            Some(Error::InvalidUtf8) => {
                opcode = Opcode::Text;
                fin = true;
                let mut body = text(u, 100)?;
                body.extend_from_slice(u.choose(&INVALID_UTF8)?);
                body.extend(text(u, 100)?);
                body
            }
            Some(Error::CloseBodyTooShort) => {
                opcode = Opcode::Close;
                filled(u, 1)?
            }
            Some(_) => {
                // InvalidCloseCode or InvalidCloseReason.
                opcode = Opcode::Close;
                bad_close(u, defect == Some(Error::InvalidCloseCode))?
            }
        };
        if defect.is_some_and(|d| d != Error::FragmentedControlFrame) && opcode.is_control() {
            fin = true;
        }
        let len = len.unwrap_or_else(|| u64::try_from(payload.len()).unwrap_or(0));
        let payload = if len <= MAX_GENERATED_PAYLOAD {
            payload
        } else {
            Vec::new()
        };
        let mut frame = ArbitraryFrame {
            wire: Vec::new(),
            header_len: 0,
            payload,
            fin,
            rsv,
            opcode: raw_opcode.unwrap_or(opcode.as_u8()),
            masking_key,
            len,
            form: form.unwrap_or(LenForm::minimal(len)),
            defect,
        };
        frame.encode();
        Ok(frame)
    }
}
