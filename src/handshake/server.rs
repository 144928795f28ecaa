//! The server side: the client's upgrade request, checked (RFC 6455 §4.2.1),
//! and the `101 Switching Protocols` answer (§4.2.2).

use super::{
    accept_key, extension_name, head_status, is_field_text, is_token, is_valid_key, lists, occurs,
    values, write_with, Fields, HeadLimit, Occurs, RequestError, Tokens, WriteError, Writer,
    PERMESSAGE_DEFLATE,
};
use crate::config::Config;
use crate::status::Status;

/// A client's upgrade request that passed every check of RFC 6455 §4.2.1,
/// borrowed from the caller's buffer.
///
/// ```
/// use wsframe::handshake::Request;
///
/// let head = b"GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
///     Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
/// let (req, used) = Request::parse(head, 1024)?.complete().unwrap();
/// assert_eq!((req.path(), req.host(), used), ("/chat?room=1", "example.com", head.len()));
/// assert!(req.offers_permessage_deflate());
/// # Ok::<(), wsframe::handshake::RequestError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Request<'a> {
    head: &'a [u8],
    path: &'a str,
    host: &'a str,
    key: &'a str,
}

impl<'a> Request<'a> {
    /// The most header fields a head may have; one more is
    /// [`RequestError::TooManyHeaders`] (431). Browsers send 10 to 20. The
    /// parser keeps this many field references on the stack while it runs
    /// (16 bytes each on a 32-bit target).
    ///
    /// ```
    /// use wsframe::handshake::{Request, RequestError};
    /// let many = "X: 1\r\n".repeat(Request::MAX_HEADERS + 1);
    /// let head = format!("GET / HTTP/1.1\r\n{many}\r\n");
    /// assert_eq!(Request::parse(head.as_bytes(), 4096), Err(RequestError::TooManyHeaders));
    /// ```
    pub const MAX_HEADERS: usize = 32;

    /// Parses and checks a client's upgrade request at the start of `buf`.
    ///
    /// Returns the request and the length of its head: the bytes after it
    /// (if the client did not wait for the answer) are the start of the
    /// WebSocket stream. While the head is incomplete, returns
    /// [`Status::Partial`] with `needed` = 1 (an HTTP head does not say how
    /// long it is): read more and call again with the same bytes and more.
    /// At most `max_head_len` bytes are read, so a client can never make a
    /// server buffer more.
    ///
    /// The rules, checked in this order (each with its variant):
    /// HTTP/1.x syntax (`MalformedHead`), a head within `max_head_len` bytes
    /// (`HeadTooLarge`) and [`MAX_HEADERS`](Request::MAX_HEADERS) fields
    /// (`TooManyHeaders`), an `Upgrade` field (`MissingUpgrade`: first, so
    /// that a server which also serves plain HTTP can tell such a request
    /// apart whatever its method or version), method `GET` (`NotGet`),
    /// HTTP/1.1 (`OldHttpVersion`), one `Host` (`InvalidHost`), `Upgrade`
    /// listing `websocket` (`UpgradeNotWebSocket`), a `Connection` field that
    /// lists `Upgrade` (`ConnectionNotUpgrade`), one `Sec-WebSocket-Version:
    /// 13` (`UnsupportedVersion`), one `Sec-WebSocket-Key` (`MissingKey`,
    /// `DuplicateKey`) that is 16 bytes in base64 (`InvalidKey`), and
    /// well-formed `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`
    /// lists (`InvalidSubprotocol`, `InvalidExtensions`). Field names and the
    /// tokens `websocket` and `Upgrade` are matched case-insensitively, as
    /// elements of comma-separated lists.
    ///
    /// # Errors
    /// A [`RequestError`] naming the first rule broken, as listed above; see
    /// <https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1>.
    ///
    /// ```
    /// use wsframe::handshake::{Request, RequestError};
    ///
    /// let head = b"GET / HTTP/1.1\r\nHost: h\r\n";
    /// assert_eq!(Request::parse(head, 1024)?.needed(), Some(1)); // no empty line yet
    /// assert_eq!(Request::parse(head, 20), Err(RequestError::HeadTooLarge));
    /// # Ok::<(), RequestError>(())
    /// ```
    pub fn parse(
        buf: &'a [u8],
        max_head_len: usize,
    ) -> Result<Status<(Request<'a>, usize)>, RequestError> {
        let input = buf.get(..max_head_len).unwrap_or(buf);
        let mut headers = [httparse::EMPTY_HEADER; Self::MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        let verdict = parsed.parse(input);
        let len = match head_status(verdict, input.len(), max_head_len) {
            Ok(Some(len)) => len,
            Ok(None) => return Ok(Status::partial(1)),
            Err(HeadLimit::TooLarge) => return Err(RequestError::HeadTooLarge),
            Err(HeadLimit::TooManyHeaders) => return Err(RequestError::TooManyHeaders),
            Err(HeadLimit::Malformed) => return Err(RequestError::MalformedHead),
        };
        let fields = || parsed.headers.iter().map(|h| (h.name.as_bytes(), h.value));
        // First: whether this is a handshake at all. Without `Upgrade` it is
        // plain HTTP (of any method or version), for the caller to serve.
        if values(fields(), "Upgrade").next().is_none() {
            return Err(RequestError::MissingUpgrade);
        }
        if parsed.method != Some("GET") {
            return Err(RequestError::NotGet);
        }
        if parsed.version != Some(1) {
            return Err(RequestError::OldHttpVersion);
        }
        let path = parsed.path.unwrap_or_default();
        let host = match occurs(fields(), "Host") {
            Occurs::Once(host) => core::str::from_utf8(host).ok(),
            Occurs::Never | Occurs::Repeated => None,
        };
        let host = host.ok_or(RequestError::InvalidHost)?;
        if !lists(fields(), "Upgrade", "websocket") {
            return Err(RequestError::UpgradeNotWebSocket);
        }
        if !lists(fields(), "Connection", "upgrade") {
            return Err(RequestError::ConnectionNotUpgrade);
        }
        match occurs(fields(), "Sec-WebSocket-Version") {
            Occurs::Once(b"13") => {}
            _ => return Err(RequestError::UnsupportedVersion),
        }
        let key = match occurs(fields(), "Sec-WebSocket-Key") {
            Occurs::Once(key) if is_valid_key(key) => key,
            Occurs::Once(_) => return Err(RequestError::InvalidKey),
            Occurs::Never => return Err(RequestError::MissingKey),
            Occurs::Repeated => return Err(RequestError::DuplicateKey),
        };
        // Valid base64 is ASCII.
        let key = core::str::from_utf8(key).map_err(|_| RequestError::InvalidKey)?;
        let protocols_ok = values(fields(), "Sec-WebSocket-Protocol").all(|value| {
            value
                .split(|&b| b == b',')
                .map(<[u8]>::trim_ascii)
                .all(|p| p.is_empty() || is_token(p))
        });
        if !protocols_ok {
            return Err(RequestError::InvalidSubprotocol);
        }
        if !values(fields(), "Sec-WebSocket-Extensions").all(is_field_text) {
            return Err(RequestError::InvalidExtensions);
        }
        let head = buf.get(..len).unwrap_or_default();
        let request = Request {
            head,
            path,
            host,
            key,
        };
        Ok(Status::Complete((request, len)))
    }

    /// The request target, e.g. `"/chat?room=1"` (RFC 6455 §4.1: the
    /// resource name).
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert_eq!(req.path(), "/x");
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub const fn path(&self) -> &'a str {
        self.path
    }

    /// The `Host` field's value.
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h:80\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert_eq!(req.host(), "h:80");
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub const fn host(&self) -> &'a str {
        self.host
    }

    /// The `Sec-WebSocket-Key` field's value (checked: 16 bytes in base64).
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert_eq!(req.key(), "dGhlIHNhbXBsZSBub25jZQ==");
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub const fn key(&self) -> &'a str {
        self.key
    }

    /// The `Origin` field's value, if any: a browser always sends it, and a
    /// server that serves browsers should check it (RFC 6455 §4.2.1 item 7, §10.2).
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://h\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert_eq!(req.origin(), Some(&b"https://h"[..]));
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub fn origin(&self) -> Option<&'a [u8]> {
        self.header("Origin")
    }

    /// The value of the first header field called `name` (case-insensitive),
    /// with surrounding spaces removed: for `Cookie`, `Authorization` and the like.
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: id=1\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert_eq!(req.header("cookie"), Some(&b"id=1"[..]));
    /// assert_eq!(req.header("Authorization"), None);
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        Fields::of(self.head).find(name)
    }

    /// The subprotocols the client offers, in its order of preference
    /// (`Sec-WebSocket-Protocol`, RFC 6455 §4.1 item 10).
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt, wamp\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert_eq!(req.subprotocols().next(), Some("mqtt"));
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub fn subprotocols(&self) -> Tokens<'a> {
        Tokens::new(Fields::of(self.head), "Sec-WebSocket-Protocol")
    }

    /// The extensions the client offers, each with its parameters
    /// (`Sec-WebSocket-Extensions`, RFC 6455 §9.1), e.g.
    /// `"permessage-deflate; client_max_window_bits"`.
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert!(req.extensions().eq(["permessage-deflate; client_max_window_bits"]));
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub fn extensions(&self) -> Tokens<'a> {
        Tokens::new(Fields::of(self.head), "Sec-WebSocket-Extensions")
    }

    /// Whether the client offers permessage-deflate (RFC 7692).
    ///
    /// ```
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// # let (req, _) = wsframe::handshake::Request::parse(head, 1024)?.complete().unwrap();
    /// assert!(!req.offers_permessage_deflate());
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    #[must_use]
    pub fn offers_permessage_deflate(&self) -> bool {
        self.offers_extension(PERMESSAGE_DEFLATE)
    }

    /// Whether the client offers the extension `name` (case-insensitive).
    fn offers_extension(&self, name: &str) -> bool {
        self.extensions()
            .any(|offer| extension_name(offer).eq_ignore_ascii_case(name))
    }

    /// Writes the `101 Switching Protocols` answer (RFC 6455 §4.2.2):
    /// `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, and the subprotocol
    /// and extensions that `options` accept. Returns the number of bytes
    /// written; frames follow it on the connection, parsed with
    /// [`AcceptOptions::config`].
    ///
    /// # Errors
    /// - [`WriteError::NotOffered`] if the subprotocol or an extension was not
    ///   offered by the client (§4.2.2 item 5: the server picks from the
    ///   client's offers).
    /// - [`WriteError::InvalidField`] if the subprotocol is not a token, or
    ///   the extensions hold a line break or a control character.
    /// - [`WriteError::BufferTooSmall`] if `out` cannot hold the answer
    ///   (nothing is written); 160 bytes plus the subprotocol and extensions
    ///   always suffice.
    ///
    /// ```
    /// use wsframe::handshake::{AcceptOptions, Request};
    ///
    /// # let head = b"GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// # let (req, _) = Request::parse(head, 1024)?.complete().unwrap();
    /// let mut out = [0u8; 160];
    /// let n = req.accept(&AcceptOptions::new(), &mut out).unwrap();
    /// assert_eq!(
    ///     &out[..n],
    ///     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///       Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    /// );
    /// # Ok::<(), wsframe::handshake::RequestError>(())
    /// ```
    pub fn accept(&self, options: &AcceptOptions<'_>, out: &mut [u8]) -> Result<usize, WriteError> {
        if let Some(protocol) = options.subprotocol {
            if !is_token(protocol.as_bytes()) {
                return Err(WriteError::InvalidField);
            }
            if !self.subprotocols().any(|offer| offer == protocol) {
                return Err(WriteError::NotOffered);
            }
        }
        if let Some(extensions) = options.extensions {
            if !is_field_text(extensions.as_bytes()) {
                return Err(WriteError::InvalidField);
            }
            for extension in extensions.split(',') {
                let name = extension_name(extension);
                if !is_token(name.as_bytes()) {
                    return Err(WriteError::InvalidField);
                }
                if !self.offers_extension(name) {
                    return Err(WriteError::NotOffered);
                }
            }
        }
        let accept = accept_key(self.key.as_bytes());
        write_with(out, |w: &mut Writer<'_>| {
            w.put(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
            w.put(&accept);
            if let Some(protocol) = options.subprotocol {
                w.put(b"\r\nSec-WebSocket-Protocol: ");
                w.put(protocol.as_bytes());
            }
            if let Some(extensions) = options.extensions {
                w.put(b"\r\nSec-WebSocket-Extensions: ");
                w.put(extensions.trim().as_bytes());
            }
            w.put(b"\r\n\r\n");
        })
    }
}

/// What a server accepts of a client's offers: at most one subprotocol, and
/// the extensions it answers with (RFC 6455 §4.2.2 item 5). By default none.
///
/// `extensions` is the whole `Sec-WebSocket-Extensions` value of the answer,
/// parameters included, because only the extension's implementation knows
/// them: permessage-deflate, for one, must repeat some of the client's
/// parameters (RFC 7692 §7). The crate does not compress; accepting
/// permessage-deflate makes [`config`](AcceptOptions::config) allow RSV1, and
/// the caller inflates the messages.
///
/// ```
/// use wsframe::handshake::AcceptOptions;
/// use wsframe::Config;
///
/// let options = AcceptOptions::new().with_extensions("permessage-deflate; server_no_context_takeover");
/// assert_eq!(options.config(Config::server()).allowed_rsv(), Config::RSV1);
/// assert_eq!(AcceptOptions::new().config(Config::server()).allowed_rsv(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AcceptOptions<'o> {
    subprotocol: Option<&'o str>,
    extensions: Option<&'o str>,
}

impl<'o> AcceptOptions<'o> {
    /// No subprotocol, no extension.
    ///
    /// ```
    /// assert_eq!(wsframe::handshake::AcceptOptions::new().subprotocol(), None);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        AcceptOptions {
            subprotocol: None,
            extensions: None,
        }
    }

    /// Accepts the subprotocol `protocol`, which must be one the client offered.
    ///
    /// ```
    /// let o = wsframe::handshake::AcceptOptions::new().with_subprotocol("mqtt");
    /// assert_eq!(o.subprotocol(), Some("mqtt"));
    /// ```
    #[must_use]
    pub const fn with_subprotocol(mut self, protocol: &'o str) -> Self {
        self.subprotocol = Some(protocol);
        self
    }

    /// Answers with these extensions (the `Sec-WebSocket-Extensions` value);
    /// each must be one the client offered.
    ///
    /// ```
    /// let o = wsframe::handshake::AcceptOptions::new().with_extensions("permessage-deflate");
    /// assert_eq!(o.extensions(), Some("permessage-deflate"));
    /// ```
    #[must_use]
    pub const fn with_extensions(mut self, extensions: &'o str) -> Self {
        self.extensions = Some(extensions);
        self
    }

    /// The subprotocol accepted, if any.
    ///
    /// ```
    /// assert_eq!(wsframe::handshake::AcceptOptions::default().subprotocol(), None);
    /// ```
    #[must_use]
    pub const fn subprotocol(&self) -> Option<&'o str> {
        self.subprotocol
    }

    /// The extensions answered, if any.
    ///
    /// ```
    /// assert_eq!(wsframe::handshake::AcceptOptions::default().extensions(), None);
    /// ```
    #[must_use]
    pub const fn extensions(&self) -> Option<&'o str> {
        self.extensions
    }

    /// `config` with RSV1 allowed if permessage-deflate is among the
    /// extensions (RFC 7692 §6); otherwise `config` unchanged. Other
    /// extensions' bits are the caller's to allow
    /// ([`Config::with_allowed_rsv`]).
    ///
    /// ```
    /// use wsframe::{handshake::AcceptOptions, Config};
    /// let o = AcceptOptions::new().with_extensions("permessage-deflate");
    /// assert_eq!(o.config(Config::server()).allowed_rsv(), Config::RSV1);
    /// ```
    #[must_use]
    pub fn config(&self, config: Config) -> Config {
        let deflate = self.extensions.is_some_and(|extensions| {
            extensions
                .split(',')
                .any(|e| extension_name(e).eq_ignore_ascii_case(PERMESSAGE_DEFLATE))
        });
        if deflate {
            config.with_allowed_rsv(config.allowed_rsv() | Config::RSV1)
        } else {
            config
        }
    }
}
