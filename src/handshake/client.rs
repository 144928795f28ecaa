//! The client side: the upgrade request (RFC 6455 §4.1) and the check of the
//! server's answer.

use super::{
    accept_key, encode_key, extension_name, head_status, is_field_text, is_token, is_visible,
    lists, occurs, values, write_with, Fields, HeadLimit, Occurs, Request, ResponseError, Tokens,
    WriteError, Writer, KEY_LEN, PERMESSAGE_DEFLATE,
};
use crate::config::Config;
use crate::status::Status;

/// A client's upgrade request, to be written with
/// [`encode`](ClientRequest::encode) and to check the answer against with
/// [`Response::parse`].
///
/// ```
/// use wsframe::handshake::ClientRequest;
///
/// // The nonce comes from the caller's random source (RFC 6455 §4.1 item 7).
/// let request = ClientRequest::new("example.com", "/chat", [0x42; 16])
///     .with_subprotocols(&["mqtt"]);
/// let mut out = [0u8; 256];
/// let n = request.encode(&mut out).unwrap();
/// assert!(out[..n].starts_with(b"GET /chat HTTP/1.1\r\nHost: example.com\r\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientRequest<'a> {
    host: &'a str,
    path: &'a str,
    nonce: [u8; 16],
    origin: Option<&'a str>,
    subprotocols: &'a [&'a str],
    extensions: &'a [&'a str],
}

impl<'a> ClientRequest<'a> {
    /// A request for `path` (e.g. `"/chat?room=1"`) on `host` (e.g.
    /// `"example.com:8080"`), whose `Sec-WebSocket-Key` is made from `nonce`:
    /// 16 bytes from a strong random source, fresh for each connection.
    ///
    /// ```
    /// let r = wsframe::handshake::ClientRequest::new("h", "/", [1; 16]);
    /// assert_eq!(&r.key(), b"AQEBAQEBAQEBAQEBAQEBAQ==");
    /// ```
    #[must_use]
    pub const fn new(host: &'a str, path: &'a str, nonce: [u8; 16]) -> Self {
        ClientRequest {
            host,
            path,
            nonce,
            origin: None,
            subprotocols: &[],
            extensions: &[],
        }
    }

    /// Sends `Origin` (what a browser sends; RFC 6455 §4.1 item 8).
    ///
    /// ```
    /// let r = wsframe::handshake::ClientRequest::new("h", "/", [1; 16]).with_origin("https://h");
    /// let mut out = [0u8; 256];
    /// let n = r.encode(&mut out).unwrap();
    /// assert!(out[..n].windows(19).any(|w| w == b"Origin: https://h\r\n"));
    /// ```
    #[must_use]
    pub const fn with_origin(mut self, origin: &'a str) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Offers these subprotocols, most preferred first (tokens, §4.1 item 10).
    ///
    /// ```
    /// let r = wsframe::handshake::ClientRequest::new("h", "/", [1; 16]).with_subprotocols(&["a", "b"]);
    /// let mut out = [0u8; 256];
    /// let n = r.encode(&mut out).unwrap();
    /// assert!(out[..n].windows(30).any(|w| w == b"Sec-WebSocket-Protocol: a, b\r\n"));
    /// ```
    #[must_use]
    pub const fn with_subprotocols(mut self, subprotocols: &'a [&'a str]) -> Self {
        self.subprotocols = subprotocols;
        self
    }

    /// Offers these extensions, each with its parameters (§4.1 item 11, §9.1),
    /// e.g. `&["permessage-deflate; client_max_window_bits"]`.
    ///
    /// ```
    /// let r = wsframe::handshake::ClientRequest::new("h", "/", [1; 16])
    ///     .with_extensions(&["permessage-deflate"]);
    /// let mut out = [0u8; 256];
    /// let n = r.encode(&mut out).unwrap();
    /// assert!(out[..n].windows(20).any(|w| w == b": permessage-deflate"));
    /// ```
    #[must_use]
    pub const fn with_extensions(mut self, extensions: &'a [&'a str]) -> Self {
        self.extensions = extensions;
        self
    }

    /// The `Sec-WebSocket-Key` value sent: the nonce in base64.
    ///
    /// ```
    /// // RFC 6455 §1.3's key is the base64 of "the sample nonce".
    /// let r = wsframe::handshake::ClientRequest::new("h", "/", *b"the sample nonce");
    /// assert_eq!(&r.key(), b"dGhlIHNhbXBsZSBub25jZQ==");
    /// ```
    #[must_use]
    pub fn key(&self) -> [u8; KEY_LEN] {
        encode_key(&self.nonce)
    }

    /// Writes the upgrade request (RFC 6455 §4.1): `GET path HTTP/1.1`,
    /// `Host`, `Upgrade: websocket`, `Connection: Upgrade`,
    /// `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13`, and the origin,
    /// subprotocols and extensions if set. Returns the number of bytes written.
    ///
    /// # Errors
    /// - [`WriteError::InvalidField`] if the host, path or origin is empty or
    ///   holds a space or a control character, the path does not start with
    ///   `/`, a subprotocol is not a token, or an extension holds a control
    ///   character or a comma.
    /// - [`WriteError::BufferTooSmall`] if `out` cannot hold the request
    ///   (nothing is written).
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, WriteError};
    /// let bad = ClientRequest::new("h", "/a b", [1; 16]);
    /// assert_eq!(bad.encode(&mut [0u8; 256]), Err(WriteError::InvalidField));
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, WriteError> {
        let fields_ok = is_visible(self.host.as_bytes())
            && is_visible(self.path.as_bytes())
            && self.path.starts_with('/')
            && self.origin.is_none_or(|o| is_visible(o.as_bytes()))
            && self.subprotocols.iter().all(|p| is_token(p.as_bytes()))
            && self.extensions.iter().all(|e| {
                is_field_text(e.as_bytes())
                    && !e.contains(',')
                    && is_token(extension_name(e).as_bytes())
            });
        if !fields_ok {
            return Err(WriteError::InvalidField);
        }
        let key = self.key();
        write_with(out, |w: &mut Writer<'_>| {
            w.put(b"GET ");
            w.put(self.path.as_bytes());
            w.put(b" HTTP/1.1\r\nHost: ");
            w.put(self.host.as_bytes());
            w.put(b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
            w.put(&key);
            w.put(b"\r\nSec-WebSocket-Version: 13\r\n");
            if let Some(origin) = self.origin {
                w.put(b"Origin: ");
                w.put(origin.as_bytes());
                w.put(b"\r\n");
            }
            for (name, list) in [
                ("Sec-WebSocket-Protocol: ", self.subprotocols),
                ("Sec-WebSocket-Extensions: ", self.extensions),
            ] {
                let mut items = list.iter();
                if let Some(first) = items.next() {
                    w.put(name.as_bytes());
                    w.put(first.trim().as_bytes());
                    for item in items {
                        w.put(b", ");
                        w.put(item.trim().as_bytes());
                    }
                    w.put(b"\r\n");
                }
            }
            w.put(b"\r\n");
        })
    }

    /// Whether this request offers the extension called `name`.
    fn offers_extension(&self, name: &str) -> bool {
        self.extensions
            .iter()
            .any(|offer| extension_name(offer).eq_ignore_ascii_case(name))
    }
}

/// A server's `101 Switching Protocols` answer that passed every check of
/// RFC 6455 §4.1, borrowed from the caller's buffer.
///
/// ```
/// use wsframe::handshake::{ClientRequest, Response};
///
/// let request = ClientRequest::new("server.example.com", "/chat", *b"the sample nonce")
///     .with_subprotocols(&["chat", "superchat"]);
/// let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
///     Sec-WebSocket-Protocol: chat\r\n\r\n";
/// let (response, used) = Response::parse(answer, &request, 1024)?.complete().unwrap();
/// assert_eq!((response.subprotocol(), used), (Some("chat"), answer.len()));
/// # Ok::<(), wsframe::handshake::ResponseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Response<'a> {
    head: &'a [u8],
    subprotocol: Option<&'a str>,
}

impl<'a> Response<'a> {
    /// Parses and checks the server's answer to `request` at the start of
    /// `buf`, reading at most `max_head_len` bytes.
    ///
    /// Returns the response and the length of its head (the bytes after it
    /// are the start of the WebSocket stream), or [`Status::Partial`] with
    /// `needed` = 1 while the head is incomplete. At most
    /// [`Request::MAX_HEADERS`] header fields are read.
    ///
    /// The rules, checked in this order: HTTP/1.x syntax within the limits
    /// (`MalformedHead`, `HeadTooLarge`, `TooManyHeaders`), status 101
    /// (`NotSwitchingProtocols`), `Upgrade: websocket`
    /// (`UpgradeNotWebSocket`), `Connection` listing `Upgrade`
    /// (`ConnectionNotUpgrade`), one `Sec-WebSocket-Accept` matching the key
    /// (`MissingAccept`, `AcceptMismatch`), only offered extensions
    /// (`UnofferedExtension`) and at most one offered subprotocol
    /// (`UnofferedSubprotocol`).
    ///
    /// # Errors
    /// A [`ResponseError`] naming the first rule broken; the client then
    /// fails the connection (<https://www.rfc-editor.org/rfc/rfc6455#section-4.1>).
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response, ResponseError};
    ///
    /// let request = ClientRequest::new("h", "/", [9; 16]);
    /// let wrong = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    /// assert_eq!(Response::parse(wrong, &request, 1024), Err(ResponseError::AcceptMismatch));
    /// ```
    pub fn parse(
        buf: &'a [u8],
        request: &ClientRequest<'_>,
        max_head_len: usize,
    ) -> Result<Status<(Response<'a>, usize)>, ResponseError> {
        let input = buf.get(..max_head_len).unwrap_or(buf);
        let mut headers = [httparse::EMPTY_HEADER; Request::MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut headers);
        let verdict = parsed.parse(input);
        let len = match head_status(verdict, input.len(), max_head_len) {
            Ok(Some(len)) => len,
            Ok(None) => return Ok(Status::partial(1)),
            Err(HeadLimit::TooLarge) => return Err(ResponseError::HeadTooLarge),
            Err(HeadLimit::TooManyHeaders) => return Err(ResponseError::TooManyHeaders),
            Err(HeadLimit::Malformed) => return Err(ResponseError::MalformedHead),
        };
        if parsed.code != Some(101) {
            return Err(ResponseError::NotSwitchingProtocols);
        }
        let fields = || parsed.headers.iter().map(|h| (h.name.as_bytes(), h.value));
        // §4.1: the value must be "websocket", compared case-insensitively.
        let upgrade_ok = match occurs(fields(), "Upgrade") {
            Occurs::Once(value) => value.eq_ignore_ascii_case(b"websocket"),
            Occurs::Never | Occurs::Repeated => false,
        };
        if !upgrade_ok {
            return Err(ResponseError::UpgradeNotWebSocket);
        }
        if !lists(fields(), "Connection", "upgrade") {
            return Err(ResponseError::ConnectionNotUpgrade);
        }
        match occurs(fields(), "Sec-WebSocket-Accept") {
            Occurs::Once(value) if value == accept_key(&request.key()) => {}
            Occurs::Once(_) | Occurs::Repeated => return Err(ResponseError::AcceptMismatch),
            Occurs::Never => return Err(ResponseError::MissingAccept),
        }
        let head = buf.get(..len).unwrap_or_default();
        // Every answered extension must be one the client offered (§4.1,
        // §9.1). `Tokens` is the one reader of these lists: it skips empty
        // elements (RFC 7230 §7), so `;x` stays and names no offer.
        let extensions_ok = values(fields(), "Sec-WebSocket-Extensions").all(is_field_text)
            && Tokens::new(Fields::of(head), "Sec-WebSocket-Extensions")
                .all(|extension| request.offers_extension(extension_name(extension)));
        if !extensions_ok {
            return Err(ResponseError::UnofferedExtension);
        }
        let subprotocol = match occurs(fields(), "Sec-WebSocket-Protocol") {
            Occurs::Never => None,
            // Equal to an offered `&str`, so UTF-8.
            Occurs::Once(value) if request.subprotocols.iter().any(|p| p.as_bytes() == value) => {
                core::str::from_utf8(value).ok()
            }
            Occurs::Once(_) | Occurs::Repeated => return Err(ResponseError::UnofferedSubprotocol),
        };
        Ok(Status::Complete((Response { head, subprotocol }, len)))
    }

    /// The subprotocol the server chose, if any (one the client offered).
    ///
    /// ```
    /// # use wsframe::handshake::{ClientRequest, Response};
    /// # let request = ClientRequest::new("h", "/", *b"the sample nonce");
    /// # let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    /// # let (response, _) = Response::parse(answer, &request, 1024)?.complete().unwrap();
    /// assert_eq!(response.subprotocol(), None);
    /// # Ok::<(), wsframe::handshake::ResponseError>(())
    /// ```
    #[must_use]
    pub const fn subprotocol(&self) -> Option<&'a str> {
        self.subprotocol
    }

    /// The extensions the server accepted, each with its parameters.
    ///
    /// ```
    /// # use wsframe::handshake::{ClientRequest, Response};
    /// # let request = ClientRequest::new("h", "/", *b"the sample nonce").with_extensions(&["permessage-deflate"]);
    /// # let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n";
    /// # let (response, _) = Response::parse(answer, &request, 1024)?.complete().unwrap();
    /// assert!(response.extensions().eq(["permessage-deflate; server_no_context_takeover"]));
    /// # Ok::<(), wsframe::handshake::ResponseError>(())
    /// ```
    #[must_use]
    pub fn extensions(&self) -> Tokens<'a> {
        Tokens::new(Fields::of(self.head), "Sec-WebSocket-Extensions")
    }

    /// The value of the first header field called `name` (case-insensitive).
    ///
    /// ```
    /// # use wsframe::handshake::{ClientRequest, Response};
    /// # let request = ClientRequest::new("h", "/", *b"the sample nonce");
    /// # let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: x\r\n\r\n";
    /// # let (response, _) = Response::parse(answer, &request, 1024)?.complete().unwrap();
    /// assert_eq!(response.header("server"), Some(&b"x"[..]));
    /// # Ok::<(), wsframe::handshake::ResponseError>(())
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        Fields::of(self.head).find(name)
    }

    /// Whether the server accepted permessage-deflate (RFC 7692).
    ///
    /// ```
    /// # use wsframe::handshake::{ClientRequest, Response};
    /// # let request = ClientRequest::new("h", "/", *b"the sample nonce");
    /// # let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    /// # let (response, _) = Response::parse(answer, &request, 1024)?.complete().unwrap();
    /// assert!(!response.accepts_permessage_deflate());
    /// # Ok::<(), wsframe::handshake::ResponseError>(())
    /// ```
    #[must_use]
    pub fn accepts_permessage_deflate(&self) -> bool {
        self.extensions()
            .any(|e| extension_name(e).eq_ignore_ascii_case(PERMESSAGE_DEFLATE))
    }

    /// `config` with RSV1 allowed if the server accepted permessage-deflate
    /// (RFC 7692 §6); otherwise `config` unchanged.
    ///
    /// ```
    /// # use wsframe::handshake::{ClientRequest, Response};
    /// # use wsframe::Config;
    /// # let request = ClientRequest::new("h", "/", *b"the sample nonce").with_extensions(&["permessage-deflate"]);
    /// # let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    /// # let (response, _) = Response::parse(answer, &request, 1024)?.complete().unwrap();
    /// assert_eq!(response.config(Config::client()).allowed_rsv(), Config::RSV1);
    /// # Ok::<(), wsframe::handshake::ResponseError>(())
    /// ```
    #[must_use]
    pub fn config(&self, config: Config) -> Config {
        if self.accepts_permessage_deflate() {
            config.with_allowed_rsv(config.allowed_rsv() | Config::RSV1)
        } else {
            config
        }
    }
}
