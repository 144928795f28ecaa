//! The one error type: a peer's violation of RFC 6455, and the close code it calls for.

use core::fmt;

use crate::close::CloseCode;

/// The error table: one row per variant, with everything said about it
/// (close code, layer, RFC section and link, description, cause, remedy,
/// name), written once. It expands to the enum and to one `match` per
/// field, so a firmware that only asks for the close code links no text.
macro_rules! errors {
    ($(
        $(#[$doc:meta])*
        $variant:ident {
            code: $code:ident,
            layer: $layer:ident,
            section: $section:expr,
            url: $url:expr,
            text: $text:expr,
            cause: $cause:expr,
            remedy: $remedy:expr,
            name: $name:expr,
        }
    )*) => {
        /// The peer broke RFC 6455 (or a configured limit): fail the WebSocket
        /// connection (RFC 6455 §7.1.7) after sending a Close frame with
        /// [`close_code()`](Error::close_code).
        ///
        /// Every variant knows the close code to send, the section of the RFC that
        /// was violated, a one-line description, the likely cause and the remedy, so
        /// a log line or an inspector can explain the failure without a lookup table.
        /// Variants carry no data; the error is `Copy` and one byte.
        ///
        /// ```
        /// use wsframe::{CloseCode, Error};
        ///
        /// let e = Error::ReservedOpcode;
        /// assert_eq!(e.close_code(), CloseCode::PROTOCOL_ERROR);
        /// assert_eq!(e.rfc_section(), "RFC 6455 §5.2");
        /// assert_eq!(e.to_string(), "reserved opcode 0x3-0x7 or 0xB-0xF");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[non_exhaustive]
        pub enum Error {
            $($(#[$doc])* $variant,)*
        }

        impl Error {
        /// Every variant, in declaration order.
        ///
        /// ```
        /// assert!(wsframe::Error::ALL.iter().all(|e| !e.as_str().is_empty()));
        /// ```
            pub const ALL: &'static [Error] = &[$(Error::$variant),*];

        /// The close code to send before closing (RFC 6455 §7.4.1): 1002, 1007 or 1009.
        ///
        /// ```
        /// assert_eq!(wsframe::Error::FrameTooBig.close_code().as_u16(), 1009);
        /// ```
            #[must_use]
            pub const fn close_code(self) -> CloseCode {
                match self {
                    $(Error::$variant => CloseCode::$code,)*
                }
            }

        /// The layer that found the error.
        ///
        /// ```
        /// use wsframe::{Error, Layer};
        /// assert_eq!(Error::ReservedBits.layer(), Layer::Frame);
        /// assert_eq!(Error::MessageTooBig.layer(), Layer::Message);
        /// ```
            #[must_use]
            pub const fn layer(self) -> Layer {
                match self {
                    $(Error::$variant => Layer::$layer,)*
                }
            }

        /// The RFC and section(s) that were violated, e.g. `"RFC 6455 §5.2"`;
        /// the last section named is the one [`rfc_url`](Error::rfc_url) links to.
        ///
        /// ```
        /// assert_eq!(wsframe::Error::InvalidUtf8.rfc_section(), "RFC 6455 §8.1");
        /// ```
            #[must_use]
            pub const fn rfc_section(self) -> &'static str {
                match self {
                    $(Error::$variant => $section,)*
                }
            }

        /// A link to the violated section on rfc-editor.org.
        ///
        /// ```
        /// assert_eq!(
        ///     wsframe::Error::ReservedBits.rfc_url(),
        ///     "https://www.rfc-editor.org/rfc/rfc6455#section-5.2",
        /// );
        /// ```
            #[must_use]
            pub const fn rfc_url(self) -> &'static str {
                match self {
                    $(Error::$variant => $url,)*
                }
            }

        /// One line, lowercase, no trailing period: the rule that was broken.
        ///
        /// ```
        /// assert_eq!(
        ///     wsframe::Error::ControlFrameTooLong.as_str(),
        ///     "control frame payload longer than 125 bytes",
        /// );
        /// ```
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Error::$variant => $text,)*
                }
            }

        /// The likely cause, in one line.
        ///
        /// ```
        /// assert!(wsframe::Error::MessageTooBig.cause().contains("limit"));
        /// ```
            #[must_use]
            pub const fn cause(self) -> &'static str {
                match self {
                    $(Error::$variant => $cause,)*
                }
            }

        /// What to do about it, in one line.
        ///
        /// ```
        /// assert_eq!(
        ///     wsframe::Error::FrameTooBig.remedy(),
        ///     "split the payload into smaller frames or raise the limit",
        /// );
        /// ```
            #[must_use]
            pub const fn remedy(self) -> &'static str {
                match self {
                    $(Error::$variant => $remedy,)*
                }
            }

        /// A stable `snake_case` name for machine-readable output, e.g. `"reserved_opcode"`.
        ///
        /// ```
        /// assert_eq!(wsframe::Error::InvalidUtf8.name(), "invalid_utf8");
        /// ```
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Error::$variant => $name,)*
                }
            }
        }
    };
}

errors! {
    // ---- frame layer: decided from one frame header ----
    /// RSV1, RSV2 or RSV3 is set but no negotiated extension allows it (1002, §5.2).
    ReservedBits {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.2",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.2",
        text: "reserved bit rsv1, rsv2 or rsv3 set without a negotiated extension",
        cause: "the peer uses an extension (such as permessage-deflate) that was not negotiated, or a proxy corrupts frames",
        remedy: "the peer or a proxy breaks RFC 6455 framing: negotiate the extension in the handshake (and allow its bits in the config), or inspect intermediaries",
        name: "reserved_bits",
    }
    /// The opcode is one of the reserved values 0x3–0x7 or 0xB–0xF (1002, §5.2).
    ReservedOpcode {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.2",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.2",
        text: "reserved opcode 0x3-0x7 or 0xB-0xF",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "reserved_opcode",
    }
    /// A Close, Ping or Pong frame has FIN clear; control frames cannot be fragmented (1002, §5.5).
    FragmentedControlFrame {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.5",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.5",
        text: "control frame with fin clear (control frames cannot be fragmented)",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "fragmented_control_frame",
    }
    /// A Close, Ping or Pong frame has a payload over 125 bytes (1002, §5.5).
    ControlFrameTooLong {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.5",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.5",
        text: "control frame payload longer than 125 bytes",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "control_frame_too_long",
    }
    /// A server received an unmasked frame; clients must mask every frame (1002, §5.1).
    UnmaskedClientFrame {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.1, §5.3",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.3",
        text: "unmasked frame from a client (a server only accepts masked frames)",
        cause: "a broken client that does not mask its frames, or a server talking to a server",
        remedy: REMEDY_1002,
        name: "unmasked_client_frame",
    }
    /// A client received a masked frame; servers must not mask (1002, §5.1).
    MaskedServerFrame {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.1",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.1",
        text: "masked frame from a server (a client only accepts unmasked frames)",
        cause: "a broken server that masks its frames, or a client talking to a client",
        remedy: REMEDY_1002,
        name: "masked_server_frame",
    }
    /// A 64-bit payload length has its most significant bit set (1002, §5.2).
    LengthHighBitSet {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.2",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.2",
        text: "64-bit payload length with the most significant bit set",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "length_high_bit_set",
    }
    /// The payload length is not in its minimal encoding (1002, §5.2); only
    /// reported when [`Config::strict_length`](crate::Config::strict_length) is on.
    NonMinimalLength {
        code: PROTOCOL_ERROR,
        layer: Frame,
        section: "RFC 6455 §5.2",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.2",
        text: "payload length not in its minimal encoding",
        cause: "a hand-rolled encoder that always uses the 16- or 64-bit length form",
        remedy: REMEDY_1002,
        name: "non_minimal_length",
    }
    /// The frame's payload length is over
    /// [`Config::max_frame_payload`](crate::Config::max_frame_payload) (1009, §10.4).
    FrameTooBig {
        code: MESSAGE_TOO_BIG,
        layer: Frame,
        section: "RFC 6455 §7.4.1, §10.4",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-10.4",
        text: "frame payload longer than the configured frame limit",
        cause: CAUSE_1009,
        remedy: REMEDY_1009,
        name: "frame_too_big",
    }
    /// The frame's payload length does not fit this target's `usize`, so it
    /// cannot be addressed in memory (1009, §10.4). Only 32-bit and 16-bit
    /// targets with a limit above `usize::MAX` can see it.
    FrameTooBigForTarget {
        code: MESSAGE_TOO_BIG,
        layer: Frame,
        section: "RFC 6455 §7.4.1, §10.4",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-10.4",
        text: "frame payload length does not fit this target's address space",
        cause: CAUSE_1009,
        remedy: REMEDY_1009,
        name: "frame_too_big_for_target",
    }
    // ---- message layer: decided across frames ----
    /// A continuation frame arrived with no fragmented message in progress (1002, §5.4).
    UnexpectedContinuation {
        code: PROTOCOL_ERROR,
        layer: Message,
        section: "RFC 6455 §5.4",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.4",
        text: "continuation frame with no fragmented message in progress",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "unexpected_continuation",
    }
    /// A new Text or Binary frame arrived while a fragmented message was in progress (1002, §5.4).
    ExpectedContinuation {
        code: PROTOCOL_ERROR,
        layer: Message,
        section: "RFC 6455 §5.4",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.4",
        text: "new data frame while a fragmented message is in progress",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "expected_continuation",
    }
    /// The message's total size is over the configured message limit (1009, §10.4).
    MessageTooBig {
        code: MESSAGE_TOO_BIG,
        layer: Message,
        section: "RFC 6455 §7.4.1, §10.4",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-10.4",
        text: "message longer than the configured message limit",
        cause: CAUSE_1009,
        remedy: REMEDY_1009,
        name: "message_too_big",
    }
    /// A text message is not valid UTF-8 (1007, §8.1).
    InvalidUtf8 {
        code: INVALID_PAYLOAD,
        layer: Message,
        section: "RFC 6455 §8.1",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-8.1",
        text: "text message is not valid utf-8",
        cause: CAUSE_1007,
        remedy: REMEDY_1007,
        name: "invalid_utf8",
    }
    /// A Close frame has a 1-byte payload; it must be empty or hold a 2-byte code (1002, §5.5.1).
    CloseBodyTooShort {
        code: PROTOCOL_ERROR,
        layer: Message,
        section: "RFC 6455 §5.5.1",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1",
        text: "close frame payload of 1 byte (must be empty or start with a 2-byte code)",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "close_body_too_short",
    }
    /// A Close frame carries a code that may not be sent on the wire (1002, §7.4).
    InvalidCloseCode {
        code: PROTOCOL_ERROR,
        layer: Message,
        section: "RFC 6455 §7.4",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-7.4",
        text: "close frame code that may not be sent on the wire",
        cause: CAUSE_1002,
        remedy: REMEDY_1002,
        name: "invalid_close_code",
    }
    /// A Close frame's reason is not valid UTF-8 (1007, §5.5.1).
    InvalidCloseReason {
        code: INVALID_PAYLOAD,
        layer: Message,
        section: "RFC 6455 §5.5.1",
        url: "https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1",
        text: "close frame reason is not valid utf-8",
        cause: CAUSE_1007,
        remedy: REMEDY_1007,
        name: "invalid_close_reason",
    }
    /// With permessage-deflate negotiated, RSV1 is set on a continuation or
    /// control frame (1002, RFC 7692 §6).
    MisplacedCompressionBit {
        code: PROTOCOL_ERROR,
        layer: Message,
        section: "RFC 7692 §6",
        url: "https://www.rfc-editor.org/rfc/rfc7692#section-6",
        text: "rsv1 (compressed) set on a continuation or control frame",
        cause: "a broken permessage-deflate implementation, or a proxy corrupting frames",
        remedy: REMEDY_1002,
        name: "misplaced_compression_bit",
    }
}

/// Which layer found an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Layer {
    /// One frame header was enough to decide (RFC 6455 §5.2, §5.5, §10.4).
    Frame,
    /// The message state across frames, or a payload's content, decided.
    Message,
}

impl Layer {
    /// `"frame"` or `"message"`.
    ///
    /// ```
    /// assert_eq!(wsframe::Error::InvalidUtf8.layer().as_str(), "message");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Layer::Frame => "frame",
            Layer::Message => "message",
        }
    }
}

const CAUSE_1002: &str = "a broken client or server, or a proxy or middlebox corrupting frames";
const REMEDY_1002: &str = "the peer or a proxy breaks RFC 6455 framing: make both ends follow RFC 6455 framing strictly and inspect intermediaries (proxies, load balancers)";
const CAUSE_1009: &str = "a payload over the configured frame or message limit, typical of large file uploads or huge JSON documents sent over WebSocket";
const REMEDY_1009: &str = "split the payload into smaller frames or raise the limit";
const CAUSE_1007: &str = "the peer sent bytes that are not UTF-8 as text: binary data in a text frame, or text in another encoding such as Latin-1";
const REMEDY_1007: &str = "send text as UTF-8 and binary data in Binary frames";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for Error {}

impl From<Error> for CloseCode {
    fn from(e: Error) -> CloseCode {
        e.close_code()
    }
}

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
    /// A message opcode other than Text or Binary given to the [`Fragmenter`](crate::Fragmenter).
    NotDataOpcode,
    /// A close code that may not be sent on the wire (RFC 6455 §7.4.1: 1005, 1006, 1015, …).
    InvalidCloseCode,
    /// A client's frame needs a masking key (RFC 6455 §5.3), and none was given.
    MissingMaskingKey,
    /// This side's Close was sent already, or the receiver failed (RFC 6455 §5.5.1).
    AlreadyClosed,
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
            EncodeError::MissingMaskingKey => "a client frame needs a masking key",
            EncodeError::AlreadyClosed => "this side's close frame was sent already",
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::string::ToString;

    #[test]
    fn every_variant_has_a_code_a_section_and_well_formed_text() {
        let mut names = HashSet::new();
        for &e in Error::ALL {
            let code = e.close_code().as_u16();
            assert!(matches!(code, 1002 | 1007 | 1009), "{e:?}: {code}");
            assert!(e.rfc_section().starts_with("RFC "), "{e:?}");
            assert!(
                e.rfc_url()
                    .starts_with("https://www.rfc-editor.org/rfc/rfc"),
                "{e:?}"
            );
            let section = e.rfc_section().rsplit('§').next().unwrap();
            assert!(
                e.rfc_url().ends_with(&std::format!("#section-{section}")),
                "{e:?}"
            );
            for text in [e.as_str(), e.cause(), e.remedy()] {
                assert!(!text.is_empty(), "{e:?}");
                assert!(!text.ends_with('.'), "{e:?}: {text}");
                assert!(!text.contains('\n'), "{e:?}: {text}");
            }
            let s = e.as_str();
            assert_eq!(
                s,
                s.to_lowercase()
                    .replace("0x3-0x7 or 0xb-0xf", "0x3-0x7 or 0xB-0xF")
            );
            assert_eq!(e.to_string(), s);
            assert!(names.insert(e.name()), "duplicate name {}", e.name());
            if code == 1009 {
                assert_eq!(
                    e.remedy(),
                    "split the payload into smaller frames or raise the limit"
                );
            }
            if code == 1002 {
                assert!(e
                    .remedy()
                    .starts_with("the peer or a proxy breaks RFC 6455 framing"));
            }
            assert_eq!(CloseCode::from(e), e.close_code());
        }
        assert_eq!(names.len(), Error::ALL.len());
        assert_eq!(core::mem::size_of::<Error>(), 1);
    }

    #[test]
    fn encode_errors_have_distinct_one_line_texts() {
        let all = [
            EncodeError::BufferTooSmall {
                needed: 14,
                available: 2,
            },
            EncodeError::ControlFrameTooLong,
            EncodeError::FragmentedControlFrame,
            EncodeError::PayloadTooLong,
            EncodeError::InvalidRsv,
            EncodeError::LengthMismatch,
            EncodeError::ZeroFragmentSize,
            EncodeError::NotDataOpcode,
            EncodeError::InvalidCloseCode,
            EncodeError::MissingMaskingKey,
            EncodeError::AlreadyClosed,
        ];
        let mut texts = HashSet::new();
        for e in all {
            let s = e.as_str();
            assert!(
                s.len() > 10 && !s.ends_with('.') && !s.contains('\n'),
                "{e:?}: {s}"
            );
            assert_eq!(s, s.to_lowercase(), "{e:?}");
            assert!(texts.insert(s), "{e:?}: {s} twice");
        }
        assert_eq!(EncodeError::InvalidRsv.as_str(), "rsv bits above 0b111");
        assert_eq!(
            EncodeError::MissingMaskingKey.to_string(),
            "a client frame needs a masking key"
        );
        assert_eq!(
            all[0].to_string(),
            "output buffer too small: 14 bytes needed, 2 available"
        );
    }

    #[test]
    fn layers_match_the_frame_and_message_tables() {
        let frame: usize = Error::ALL
            .iter()
            .filter(|e| e.layer() == Layer::Frame)
            .count();
        assert_eq!(frame, 10);
        assert_eq!(Error::ALL.len() - frame, 8);
    }
}
