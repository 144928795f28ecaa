//! Close status codes (RFC 6455 §7.4).

use core::fmt;
use core::num::NonZeroU16;

/// A WebSocket close status code (RFC 6455 §7.4), as carried in the first two
/// bytes of a Close frame's payload.
///
/// Any non-zero `u16` can be held; [`CloseCode::is_allowed_on_wire`] tells
/// whether a peer may send it. `Option<CloseCode>` is two bytes.
///
/// ```
/// use wsframe::CloseCode;
///
/// assert_eq!(CloseCode::PROTOCOL_ERROR.as_u16(), 1002);
/// assert_eq!(CloseCode::try_from(1009), Ok(CloseCode::MESSAGE_TOO_BIG));
/// assert!(!CloseCode::NO_STATUS_RECEIVED.is_allowed_on_wire());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseCode(NonZeroU16);

macro_rules! close_codes {
    ($($(#[$doc:meta])* $name:ident = $value:literal;)*) => {
        impl CloseCode {
            $(
                $(#[$doc])*
                pub const $name: CloseCode = match NonZeroU16::new($value) {
                    Some(code) => CloseCode(code),
                    None => unreachable_zero(),
                };
            )*
        }
    };
}

/// Never called: every named constant is non-zero (checked at compile time,
/// since the constants are evaluated in a `const` context).
const fn unreachable_zero() -> CloseCode {
    CloseCode(NonZeroU16::MAX)
}

close_codes! {
    /// 1000: normal closure; the purpose of the connection was fulfilled.
    NORMAL = 1000;
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    GOING_AWAY = 1001;
    /// 1002: the peer broke the protocol (RFC 6455 framing).
    PROTOCOL_ERROR = 1002;
    /// 1003: the endpoint received a data type it cannot accept.
    UNSUPPORTED_DATA = 1003;
    /// 1005: reserved; means "no status code was present". Never sent on the wire.
    NO_STATUS_RECEIVED = 1005;
    /// 1006: reserved; means "closed without a Close frame". Never sent on the wire.
    ABNORMAL_CLOSURE = 1006;
    /// 1007: a message's data did not match its type (invalid UTF-8 in text).
    INVALID_PAYLOAD = 1007;
    /// 1008: the message violates the endpoint's policy.
    POLICY_VIOLATION = 1008;
    /// 1009: a frame or message is too big to process.
    MESSAGE_TOO_BIG = 1009;
    /// 1010: the client expected the server to negotiate an extension.
    MANDATORY_EXTENSION = 1010;
    /// 1011: the server met an unexpected condition.
    INTERNAL_ERROR = 1011;
    /// 1012: the service is restarting (IANA registry).
    SERVICE_RESTART = 1012;
    /// 1013: try again later (IANA registry).
    TRY_AGAIN_LATER = 1013;
    /// 1014: the server, acting as a gateway, got an invalid response (IANA registry).
    BAD_GATEWAY = 1014;
    /// 1015: reserved; means "the TLS handshake failed". Never sent on the wire.
    TLS_HANDSHAKE = 1015;
}

impl CloseCode {
    /// Wraps a raw code; `None` for 0, which no close code uses.
    ///
    /// ```
    /// assert_eq!(wsframe::CloseCode::new(1000), Some(wsframe::CloseCode::NORMAL));
    /// assert_eq!(wsframe::CloseCode::new(0), None);
    /// ```
    #[must_use]
    pub const fn new(code: u16) -> Option<Self> {
        match NonZeroU16::new(code) {
            Some(code) => Some(CloseCode(code)),
            None => None,
        }
    }

    /// The code as a number.
    ///
    /// ```
    /// assert_eq!(wsframe::CloseCode::NORMAL.as_u16(), 1000);
    /// ```
    #[must_use]
    pub const fn as_u16(self) -> u16 {
        self.0.get()
    }

    /// Whether a peer may put this code in a Close frame (RFC 6455 §7.4.1,
    /// §7.4.2 and the IANA registry): 1000–1003, 1007–1014 and 3000–4999.
    ///
    /// 1004, 1005, 1006 and 1015 are reserved, 1016–2999 are unassigned
    /// protocol codes, and 0–999 and 5000 upward are not used. A Close frame
    /// carrying any of those is a protocol error (1002).
    ///
    /// ```
    /// use wsframe::CloseCode;
    /// assert!(CloseCode::NORMAL.is_allowed_on_wire());
    /// assert!(CloseCode::new(4000).unwrap().is_allowed_on_wire());
    /// assert!(!CloseCode::new(1004).unwrap().is_allowed_on_wire());
    /// assert!(!CloseCode::new(2999).unwrap().is_allowed_on_wire());
    /// ```
    #[must_use]
    pub const fn is_allowed_on_wire(self) -> bool {
        matches!(self.0.get(), 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> u16 {
        code.as_u16()
    }
}

/// The error of `CloseCode::try_from(0)`: zero is not a close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ZeroCloseCode;

impl fmt::Display for ZeroCloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0 is not a close code")
    }
}

impl core::error::Error for ZeroCloseCode {}

impl TryFrom<u16> for CloseCode {
    type Error = ZeroCloseCode;

    fn try_from(code: u16) -> Result<Self, ZeroCloseCode> {
        CloseCode::new(code).ok_or(ZeroCloseCode)
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_ranges_follow_rfc6455_section_7_4() {
        let allowed = |c: u16| CloseCode::new(c).is_some_and(CloseCode::is_allowed_on_wire);
        for c in 0..=u16::MAX {
            let expected = matches!(c, 1000..=1003 | 1007..=1014 | 3000..=4999);
            assert_eq!(allowed(c), expected, "code {c}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(u16::from(CloseCode::MESSAGE_TOO_BIG), 1009);
        assert_eq!(CloseCode::try_from(0), Err(ZeroCloseCode));
        assert_eq!(CloseCode::try_from(1007), Ok(CloseCode::INVALID_PAYLOAD));
        assert_eq!(core::mem::size_of::<Option<CloseCode>>(), 2);
    }

    #[test]
    fn display() {
        assert_eq!(std::format!("{}", CloseCode::PROTOCOL_ERROR), "1002");
        assert_eq!(std::format!("{:>6}", CloseCode::NORMAL), "  1000");
        assert_eq!(std::format!("{ZeroCloseCode}"), "0 is not a close code");
    }
}
