//! The handshake's errors: the client's faults a server answers with an HTTP
//! status ([`RequestError`]), the server's faults a client fails on
//! ([`ResponseError`]), and local mistakes ([`WriteError`]).
//!
//! Every text of a variant sits in one row of one `match`, built by the
//! `row!` macro: its HTTP answer, stable name, rule, RFC section (the link is
//! made from the same section number), likely cause and remedy. Adding a
//! variant means writing one row, and the compiler asks for it.

use core::fmt;

use super::{write_with, Writer};

/// All the texts of one variant, and the answer it calls for.
struct Row<A> {
    answer: A,
    name: &'static str,
    rule: &'static str,
    section: &'static str,
    url: &'static str,
    cause: &'static str,
    remedy: &'static str,
}

/// One [`Row`]: `row!(answer, name, rfc, section, rule, cause, remedy)`.
macro_rules! row {
    ($answer:expr, $name:literal, $rfc:literal, $section:literal, $rule:literal, $cause:expr, $remedy:expr $(,)?) => {
        Row {
            answer: $answer,
            name: $name,
            rule: $rule,
            section: concat!("RFC ", $rfc, " §", $section),
            url: concat!(
                "https://www.rfc-editor.org/rfc/rfc",
                $rfc,
                "#section-",
                $section
            ),
            cause: $cause,
            remedy: $remedy,
        }
    };
}

/// The accessors every error with [`Row`]s has.
macro_rules! texts {
    ($ty:ident) => {
        impl $ty {
            /// A stable `snake_case` name for machine-readable output.
            ///
            /// ```
            #[doc = concat!("use wsframe::handshake::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::ALL.iter().all(|e| !e.name().contains(' ')));")]
            /// ```
            #[must_use]
            pub const fn name(self) -> &'static str {
                self.row().name
            }

            /// The rule that was broken: one line, lowercase, no trailing period.
            ///
            /// ```
            #[doc = concat!("use wsframe::handshake::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::ALL.iter().all(|e| !e.as_str().ends_with('.')));")]
            /// ```
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                self.row().rule
            }

            /// The RFC and section that state the rule, e.g. `"RFC 6455 §4.2.1"`.
            ///
            /// ```
            #[doc = concat!("use wsframe::handshake::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::ALL.iter().all(|e| e.rfc_section().starts_with(\"RFC \")));")]
            /// ```
            #[must_use]
            pub const fn rfc_section(self) -> &'static str {
                self.row().section
            }

            /// A link to that section on rfc-editor.org.
            ///
            /// ```
            #[doc = concat!("use wsframe::handshake::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::ALL.iter().all(|e| e.rfc_url().starts_with(\"https://www.rfc-editor.org/rfc/rfc\")));")]
            /// ```
            #[must_use]
            pub const fn rfc_url(self) -> &'static str {
                self.row().url
            }

            /// The likely cause, in one line.
            ///
            /// ```
            #[doc = concat!("use wsframe::handshake::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::ALL.iter().all(|e| !e.cause().is_empty()));")]
            /// ```
            #[must_use]
            pub const fn cause(self) -> &'static str {
                self.row().cause
            }

            /// What to do about it, in one line.
            ///
            /// ```
            #[doc = concat!("use wsframe::handshake::", stringify!($ty), ";")]
            #[doc = concat!("assert!(", stringify!($ty), "::ALL.iter().all(|e| !e.remedy().is_empty()));")]
            /// ```
            #[must_use]
            pub const fn remedy(self) -> &'static str {
                self.row().remedy
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl core::error::Error for $ty {}
    };
}

const CAUSE_NOT_WEBSOCKET: &str = "the peer is not a WebSocket client (a browser or crawler fetching the URL, a scanner, TLS sent to a plain port) or a proxy dropped the hop-by-hop Upgrade and Connection fields";
const REMEDY_NOT_WEBSOCKET: &str = "connect with a WebSocket client (ws:// to a plain port, wss:// through TLS) and make proxies forward Upgrade and Connection";
const CAUSE_BROKEN_CLIENT: &str =
    "a hand-written or broken client, or a proxy rewriting the request";
const REMEDY_BROKEN_CLIENT: &str =
    "send the handshake exactly as RFC 6455 §4.1 describes it, or use a maintained client library";
const CAUSE_BIG_HEAD: &str =
    "large cookies or many header fields from a browser, or a client that never ends its head";
const REMEDY_BIG_HEAD: &str =
    "send fewer or shorter header fields (cookies), or raise the server's head limit";
const CAUSE_BROKEN_SERVER: &str = "a broken server, or a proxy or cache answering in its place";
const REMEDY_BROKEN_SERVER: &str = "make the server answer as RFC 6455 §4.2.2 describes, or connect past the proxy (wss:// usually does)";

/// A client's upgrade request breaks RFC 6455 §4 (or the server's limits):
/// answer it with [`encode_response`](RequestError::encode_response) (its
/// [`status_code`](RequestError::status_code): 400, 426 or 431) and close the
/// connection.
///
/// Variants carry no data; the error is `Copy` and one byte. Each knows its
/// rule, RFC section, likely cause and remedy.
///
/// ```
/// use wsframe::handshake::{Request, RequestError};
///
/// let old = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
/// let err = Request::parse(old, 1024).unwrap_err();
/// assert_eq!(err, RequestError::UnsupportedVersion);
/// assert_eq!(err.status_code(), 426);
/// assert_eq!(err.rfc_section(), "RFC 6455 §4.4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestError {
    /// The head is not HTTP/1.x syntax (400, RFC 7230 §3).
    MalformedHead,
    /// No complete head within the caller's `max_head_len` bytes (431, RFC 6585 §5).
    HeadTooLarge,
    /// More header fields than [`Request::MAX_HEADERS`](super::Request::MAX_HEADERS) (431, RFC 6585 §5).
    TooManyHeaders,
    /// The method is not `GET` (400, RFC 6455 §4.2.1 item 1).
    NotGet,
    /// The request is HTTP/1.0; the handshake needs HTTP/1.1 (400, §4.2.1 item 1).
    OldHttpVersion,
    /// `Host` is missing or repeated (400, §4.2.1 item 2; RFC 7230 §5.4).
    InvalidHost,
    /// No `Upgrade` field: a plain HTTP request, not a handshake (400, §4.2.1 item 3).
    /// Checked first, right after the head is read, so a server that also
    /// serves plain HTTP can answer these itself, whatever their method.
    MissingUpgrade,
    /// `Upgrade` does not list `websocket` (400, §4.2.1 item 3).
    UpgradeNotWebSocket,
    /// `Connection` is missing or does not list `Upgrade` (400, §4.2.1 item 4).
    ConnectionNotUpgrade,
    /// `Sec-WebSocket-Version` is missing, repeated or not 13 (426 with
    /// `Sec-WebSocket-Version: 13`, §4.4). Checked before the key, so that a
    /// client of another version learns the version to use.
    UnsupportedVersion,
    /// No `Sec-WebSocket-Key` (400, §4.2.1 item 5).
    MissingKey,
    /// `Sec-WebSocket-Key` appears more than once (400, §11.3.1).
    DuplicateKey,
    /// `Sec-WebSocket-Key` is not the base64 encoding of 16 bytes (400, §4.2.1 item 5).
    InvalidKey,
    /// A `Sec-WebSocket-Protocol` element is not a token (400, §4.1 item 10).
    InvalidSubprotocol,
    /// `Sec-WebSocket-Extensions` holds bytes other than visible ASCII, space
    /// and tab (400, §9.1).
    InvalidExtensions,
}

impl RequestError {
    /// Every variant, in declaration order.
    ///
    /// ```
    /// use wsframe::handshake::RequestError;
    /// assert!(RequestError::ALL.iter().all(|e| matches!(e.status_code(), 400 | 426 | 431)));
    /// ```
    pub const ALL: &'static [RequestError] = &[
        RequestError::MalformedHead,
        RequestError::HeadTooLarge,
        RequestError::TooManyHeaders,
        RequestError::NotGet,
        RequestError::OldHttpVersion,
        RequestError::InvalidHost,
        RequestError::MissingUpgrade,
        RequestError::UpgradeNotWebSocket,
        RequestError::ConnectionNotUpgrade,
        RequestError::UnsupportedVersion,
        RequestError::MissingKey,
        RequestError::DuplicateKey,
        RequestError::InvalidKey,
        RequestError::InvalidSubprotocol,
        RequestError::InvalidExtensions,
    ];

    /// Every text of the variant, and its HTTP status: the one table.
    // Inlined into each accessor, so that firmware keeps only the texts of
    // the fields it reads (as_str alone: about 3 KB less flash).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    const fn row(self) -> Row<u16> {
        match self {
            RequestError::MalformedHead => row!(400, "malformed_head", "7230", "3",
                "request head is not http/1.x syntax",
                CAUSE_NOT_WEBSOCKET, REMEDY_NOT_WEBSOCKET),
            RequestError::HeadTooLarge => row!(431, "head_too_large", "6585", "5",
                "request head longer than the server's limit",
                CAUSE_BIG_HEAD, REMEDY_BIG_HEAD),
            RequestError::TooManyHeaders => row!(431, "too_many_headers", "6585", "5",
                "more header fields than the server holds (32)",
                CAUSE_BIG_HEAD, "send fewer header fields"),
            RequestError::NotGet => row!(400, "not_get", "6455", "4.2.1",
                "request method is not get",
                "a form post or an api call sent to the WebSocket URL",
                "open the WebSocket with a GET request (every WebSocket client does)"),
            RequestError::OldHttpVersion => row!(400, "old_http_version", "6455", "4.2.1",
                "request is http/1.0 (the handshake needs http/1.1)",
                "an HTTP/1.0 client or proxy (some load balancers downgrade requests)",
                "send HTTP/1.1, and configure proxies to pass WebSocket upgrades through"),
            RequestError::InvalidHost => row!(400, "invalid_host", "6455", "4.2.1",
                "host header field missing or repeated",
                CAUSE_BROKEN_CLIENT, "send exactly one Host field with the server's name"),
            RequestError::MissingUpgrade => row!(400, "missing_upgrade", "6455", "4.2.1",
                "no upgrade header field (a plain http request, not a websocket handshake)",
                CAUSE_NOT_WEBSOCKET, REMEDY_NOT_WEBSOCKET),
            RequestError::UpgradeNotWebSocket => row!(400, "upgrade_not_websocket", "6455", "4.2.1",
                "upgrade header field does not list websocket",
                "a client asking for another protocol (h2c, TLS) on the WebSocket URL",
                "send Upgrade: websocket"),
            RequestError::ConnectionNotUpgrade => row!(400, "connection_not_upgrade", "6455", "4.2.1",
                "connection header field missing or without the upgrade token",
                "a proxy that rewrites Connection (to keep-alive or close), or a broken client",
                "send Connection: Upgrade and make proxies forward it"),
            RequestError::UnsupportedVersion => row!(426, "unsupported_version", "6455", "4.4",
                "sec-websocket-version missing, repeated or not 13",
                "a client of a draft protocol (hybi-08 sends 8) or a hand-written client",
                "speak RFC 6455: send Sec-WebSocket-Version: 13, as the 426 response says"),
            RequestError::MissingKey => row!(400, "missing_key", "6455", "4.2.1",
                "no sec-websocket-key header field",
                CAUSE_BROKEN_CLIENT, REMEDY_BROKEN_CLIENT),
            RequestError::DuplicateKey => row!(400, "duplicate_key", "6455", "11.3.1",
                "sec-websocket-key header field repeated",
                CAUSE_BROKEN_CLIENT, "send one Sec-WebSocket-Key field"),
            RequestError::InvalidKey => row!(400, "invalid_key", "6455", "4.2.1",
                "sec-websocket-key is not the base64 encoding of 16 bytes",
                "a client that sends a fixed string, a hex or unpadded key, or a nonce of the wrong length",
                "send 16 random bytes in standard base64 with padding (24 characters)"),
            RequestError::InvalidSubprotocol => row!(400, "invalid_subprotocol", "6455", "4.1",
                "sec-websocket-protocol element that is not a token",
                "a subprotocol name with spaces, quotes, slashes or non-ASCII characters",
                "name subprotocols with RFC 7230 token characters only"),
            RequestError::InvalidExtensions => row!(400, "invalid_extensions", "6455", "9.1",
                "sec-websocket-extensions holds bytes that are not printable ascii",
                CAUSE_BROKEN_CLIENT, "send extension offers in the ASCII syntax of RFC 6455 §9.1"),
        }
    }

    /// The HTTP status code to answer with: 400, 426 or 431.
    ///
    /// ```
    /// assert_eq!(wsframe::handshake::RequestError::HeadTooLarge.status_code(), 431);
    /// ```
    #[must_use]
    pub const fn status_code(self) -> u16 {
        self.row().answer
    }

    /// The reason phrase of [`status_code`](RequestError::status_code), e.g.
    /// `"Upgrade Required"`.
    ///
    /// ```
    /// use wsframe::handshake::RequestError;
    /// assert_eq!(RequestError::NotGet.reason_phrase(), "Bad Request");
    /// ```
    #[must_use]
    pub const fn reason_phrase(self) -> &'static str {
        match self.status_code() {
            426 => "Upgrade Required",
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        }
    }

    /// Writes the whole HTTP response that refuses the request: the status
    /// line, `Upgrade: websocket` and `Sec-WebSocket-Version: 13` for a 426
    /// (RFC 6455 §4.4, RFC 7231 §6.5.15), `Connection: close`, and the rule
    /// as a one-line `text/plain` body. Returns the number of bytes written;
    /// then close the connection. 256 bytes always suffice.
    ///
    /// # Errors
    /// [`WriteError::BufferTooSmall`] if `out` cannot hold it (nothing is written).
    ///
    /// ```
    /// use wsframe::handshake::RequestError;
    ///
    /// let mut out = [0u8; 256];
    /// let n = RequestError::UnsupportedVersion.encode_response(&mut out).unwrap();
    /// let text = core::str::from_utf8(&out[..n]).unwrap();
    /// assert!(text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
    /// assert!(text.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    /// ```
    pub fn encode_response(self, out: &mut [u8]) -> Result<usize, WriteError> {
        let rule = self.as_str();
        write_with(out, |w: &mut Writer<'_>| {
            w.put(b"HTTP/1.1 ");
            w.put_decimal(usize::from(self.status_code()));
            w.put(b" ");
            w.put(self.reason_phrase().as_bytes());
            if self.status_code() == 426 {
                w.put(b"\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nConnection: Upgrade, close");
            } else {
                w.put(b"\r\nConnection: close");
            }
            w.put(b"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
            w.put_decimal(rule.len().saturating_add(1));
            w.put(b"\r\n\r\n");
            w.put(rule.as_bytes());
            w.put(b"\n");
        })
    }
}

texts!(RequestError);

/// A server's answer to the client's upgrade request breaks RFC 6455 §4.1:
/// the client fails the WebSocket connection (closes it; no Close frame,
/// since no WebSocket was opened).
///
/// ```
/// use wsframe::handshake::{ClientRequest, Response, ResponseError};
///
/// let request = ClientRequest::new("example.com", "/chat", [7; 16]);
/// let err = Response::parse(b"HTTP/1.1 403 Forbidden\r\n\r\n", &request, 1024).unwrap_err();
/// assert_eq!(err, ResponseError::NotSwitchingProtocols);
/// assert_eq!(err.rfc_section(), "RFC 6455 §4.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ResponseError {
    /// The head is not HTTP/1.x syntax (RFC 7230 §3).
    MalformedHead,
    /// No complete head within the caller's `max_head_len` bytes.
    HeadTooLarge,
    /// More header fields than [`Request::MAX_HEADERS`](super::Request::MAX_HEADERS).
    TooManyHeaders,
    /// The status code is not 101 Switching Protocols (§4.1).
    NotSwitchingProtocols,
    /// `Upgrade` is missing or not `websocket` (§4.1).
    UpgradeNotWebSocket,
    /// `Connection` is missing or does not list `Upgrade` (§4.1).
    ConnectionNotUpgrade,
    /// No `Sec-WebSocket-Accept` (§4.1).
    MissingAccept,
    /// `Sec-WebSocket-Accept` is repeated or is not the value the key calls for (§4.1).
    AcceptMismatch,
    /// `Sec-WebSocket-Extensions` names an extension the client did not offer (§4.1).
    UnofferedExtension,
    /// `Sec-WebSocket-Protocol` is not exactly one of the offered subprotocols (§4.1).
    UnofferedSubprotocol,
}

impl ResponseError {
    /// Every variant, in declaration order.
    ///
    /// ```
    /// assert_eq!(wsframe::handshake::ResponseError::ALL.len(), 10);
    /// ```
    pub const ALL: &'static [ResponseError] = &[
        ResponseError::MalformedHead,
        ResponseError::HeadTooLarge,
        ResponseError::TooManyHeaders,
        ResponseError::NotSwitchingProtocols,
        ResponseError::UpgradeNotWebSocket,
        ResponseError::ConnectionNotUpgrade,
        ResponseError::MissingAccept,
        ResponseError::AcceptMismatch,
        ResponseError::UnofferedExtension,
        ResponseError::UnofferedSubprotocol,
    ];

    /// Every text of the variant: the one table (a client answers nothing).
    // Inlined into each accessor, so that firmware keeps only the texts of
    // the fields it reads (as_str alone: about 3 KB less flash).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    const fn row(self) -> Row<()> {
        match self {
            ResponseError::MalformedHead => row!((), "malformed_head", "7230", "3",
                "response head is not http/1.x syntax",
                "the server does not speak HTTP on this port (TLS expected: use wss://), or a broken server",
                "check the URL's scheme and port"),
            ResponseError::HeadTooLarge => row!((), "head_too_large", "7230", "3",
                "response head longer than the client's limit",
                "a server or proxy sending large cookies or many header fields",
                "raise the client's head limit"),
            ResponseError::TooManyHeaders => row!((), "too_many_headers", "7230", "3",
                "more header fields than the client holds (32)",
                "a server or proxy sending many header fields",
                "make the server send fewer header fields"),
            ResponseError::NotSwitchingProtocols => row!((), "not_switching_protocols", "6455", "4.1",
                "status code is not 101 switching protocols",
                "the server refused the handshake (a wrong path, a missing login, a refused Origin) or does not serve WebSockets there",
                "read the server's status and body; check the URL, credentials and Origin"),
            ResponseError::UpgradeNotWebSocket => row!((), "upgrade_not_websocket", "6455", "4.1",
                "upgrade header field missing or not websocket",
                CAUSE_BROKEN_SERVER, REMEDY_BROKEN_SERVER),
            ResponseError::ConnectionNotUpgrade => row!((), "connection_not_upgrade", "6455", "4.1",
                "connection header field missing or without the upgrade token",
                CAUSE_BROKEN_SERVER, REMEDY_BROKEN_SERVER),
            ResponseError::MissingAccept => row!((), "missing_accept", "6455", "4.1",
                "no sec-websocket-accept header field",
                CAUSE_BROKEN_SERVER, REMEDY_BROKEN_SERVER),
            ResponseError::AcceptMismatch => row!((), "accept_mismatch", "6455", "4.1",
                "sec-websocket-accept does not match the key sent",
                "a server that hashes the key wrongly, or a proxy or cache replaying another connection's answer",
                REMEDY_BROKEN_SERVER),
            ResponseError::UnofferedExtension => row!((), "unoffered_extension", "6455", "4.1",
                "sec-websocket-extensions names an extension the client did not offer",
                "a server that enables an extension (often permessage-deflate) without being asked",
                "make the server answer only the extensions offered, or offer the extension"),
            ResponseError::UnofferedSubprotocol => row!((), "unoffered_subprotocol", "6455", "4.1",
                "sec-websocket-protocol is not one of the offered subprotocols",
                "a server that picks a subprotocol the client did not offer, or lists several",
                "make the server choose one offered subprotocol or none"),
        }
    }
}

texts!(ResponseError);

/// A local mistake while writing a handshake message: not the peer's fault.
///
/// ```
/// use wsframe::handshake::{RequestError, WriteError};
///
/// let err = RequestError::NotGet.encode_response(&mut [0u8; 8]).unwrap_err();
/// assert!(matches!(err, WriteError::BufferTooSmall { available: 8, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WriteError {
    /// The output buffer is too small; nothing was written.
    BufferTooSmall {
        /// Bytes the message needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// The subprotocol or an extension to accept was not offered by the
    /// client (RFC 6455 §4.2.2 item 5).
    NotOffered,
    /// A value to write is empty where it may not be, or holds bytes a header
    /// field cannot carry (a line break, a control character; a space or
    /// separator in a token).
    InvalidField,
}

impl WriteError {
    /// One line, lowercase, no trailing period.
    ///
    /// ```
    /// assert_eq!(wsframe::handshake::WriteError::NotOffered.as_str(),
    ///     "subprotocol or extension the client did not offer");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            WriteError::BufferTooSmall { .. } => "output buffer too small",
            WriteError::NotOffered => "subprotocol or extension the client did not offer",
            WriteError::InvalidField => "value that a header field cannot carry",
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::BufferTooSmall { needed, available } => write!(
                f,
                "output buffer too small: {needed} bytes needed, {available} available"
            ),
            other => f.write_str(other.as_str()),
        }
    }
}

impl core::error::Error for WriteError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::string::ToString;

    fn check_texts(
        name: &str,
        section: &str,
        url: &str,
        texts: [&str; 3],
        names: &mut HashSet<std::string::String>,
    ) {
        assert!(names.insert(name.into()), "duplicate name {name}");
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        let number = section.rsplit('§').next().unwrap();
        assert!(section.starts_with("RFC "), "{section}");
        assert!(url.ends_with(&std::format!("#section-{number}")), "{url}");
        for text in texts {
            assert!(!text.is_empty() && !text.ends_with('.') && !text.contains('\n'));
        }
        assert_eq!(texts[0], texts[0].to_lowercase(), "rule text is lowercase");
    }

    #[test]
    fn every_request_error_has_one_row_of_texts() {
        let mut names = HashSet::new();
        for &e in RequestError::ALL {
            assert!(matches!(e.status_code(), 400 | 426 | 431), "{e:?}");
            check_texts(
                e.name(),
                e.rfc_section(),
                e.rfc_url(),
                [e.as_str(), e.cause(), e.remedy()],
                &mut names,
            );
            assert_eq!(e.to_string(), e.as_str());
            let mut out = [0u8; 256];
            let n = e.encode_response(&mut out).unwrap();
            let text = core::str::from_utf8(&out[..n]).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert_eq!(body, std::format!("{}\n", e.as_str()));
            assert!(head.contains(&std::format!("\r\nContent-Length: {}", body.len())));
            assert_eq!(
                head.contains("Sec-WebSocket-Version: 13"),
                e.status_code() == 426
            );
        }
        assert_eq!(names.len(), RequestError::ALL.len());
        assert_eq!(core::mem::size_of::<RequestError>(), 1);
    }

    #[test]
    fn every_response_error_has_one_row_of_texts() {
        let mut names = HashSet::new();
        for &e in ResponseError::ALL {
            check_texts(
                e.name(),
                e.rfc_section(),
                e.rfc_url(),
                [e.as_str(), e.cause(), e.remedy()],
                &mut names,
            );
            assert_eq!(e.to_string(), e.as_str());
        }
        assert_eq!(names.len(), ResponseError::ALL.len());
    }
}
