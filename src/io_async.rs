//! A WebSocket endpoint over any [`embedded_io_async`] `Read + Write`
//! (feature `embedded-io-async`): `no_std`, no allocation, with the buffers
//! the caller supplies.
//!
//! [`WebSocket::receive`] runs the crate's one receive path
//! ([`Receiver::read`]) over the bytes the socket gives, and hands out the
//! next message borrowed from the caller's receive buffer: a message that
//! arrives as one frame in one read stays where it was read; the pieces of
//! any other are moved to the front of the buffer as they arrive, so a
//! message can be as long as the buffer (less one byte). Pings are answered
//! and the peer's Close is echoed as they arrive (each can be turned off); a
//! broken rule is answered with its Close before the error is returned.
//!
//! Sending needs a transmit buffer only in the Client role (to mask a
//! copy); a server writes a frame's header and payload straight from the
//! caller's slice when they do not fit the buffer together.
//!
//! ```
//! use wsframe::io_async::{Message, WebSocket};
//! use wsframe::Config;
//! # use embedded_io_adapters::tokio_1::FromTokio;
//! # use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (socket, mut peer) = tokio::io::duplex(1024);
//! # let socket = FromTokio::new(socket);
//! # // A masked "Hello" (RFC 6455 §5.7), then a Close 1000.
//! # peer.write_all(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]).await?;
//! # peer.write_all(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8]).await?;
//!
//! // `socket` (any embedded_io_async Read + Write) has done the opening
//! // handshake as a server.
//! let (mut rx_buf, mut tx_buf) = ([0u8; 1024], [0u8; 256]);
//! let mut ws = WebSocket::server(socket, Config::server(), &mut rx_buf, &mut tx_buf);
//! let mut echo = [0u8; 1024];
//! loop {
//!     match ws.receive().await? {
//!         Message::Text(text) => {
//!             // `text` borrows the endpoint's buffer: copy it out to send it.
//!             let echo = &mut echo[..text.len()];
//!             echo.copy_from_slice(text.as_bytes());
//!             ws.send_binary(echo).await?;
//!         }
//!         Message::Close { .. } => break, // the echo of the Close was sent
//!         _ => {}                         // Pings were answered
//!     }
//! }
//! # let mut out = [0u8; 11];
//! # peer.read_exact(&mut out).await?;
//! # assert_eq!(out, *b"\x82\x05Hello\x88\x02\x03\xe8");
//! # Ok(())
//! # }
//! ```

use core::fmt;

use embedded_io_async::{Read, Write};

use crate::close::CloseCode;
use crate::config::{Config, Role};
use crate::copy::copy;
use crate::encode::{encode_frame, Fragmenter};
use crate::error::EncodeError;
use crate::handshake::{
    AcceptOptions, ClientRequest, Request, RequestError, Response, ResponseError, WriteError,
};
use crate::header::{FrameHeader, Opcode};
use crate::mask::{KeySource, MaskingKey, Unmasker};
use crate::receiver::{Event, Receiver, State};
use crate::status::Status;
use crate::utf8::checked_str;

/// What went wrong on a [`WebSocket`]: kept apart by who is at fault.
///
/// ```
/// use wsframe::io_async::Error;
/// let e: Error<()> = Error::Protocol(wsframe::Error::MessageTooBig);
/// assert_eq!(e.to_string(), "message longer than the configured message limit (1009)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E> {
    /// The socket failed.
    Io(E),
    /// The peer broke RFC 6455 (or a limit); the Close with
    /// [`close_code`](crate::Error::close_code) has been sent (unless the
    /// socket failed meanwhile). Close the socket (§7.1.7).
    Protocol(crate::Error),
    /// A frame this side asked for could not be encoded (a control payload
    /// over 125 bytes, a close code that may not be sent, a transmit buffer
    /// too small for a control frame, a second Close).
    Encode(EncodeError),
    /// The peer ended the stream at a frame boundary, without a Close.
    ConnectionClosed,
    /// The peer ended the stream inside a frame or a fragmented message.
    UnexpectedEof,
    /// The socket accepted no bytes (`write` returned 0).
    WriteZero,
    /// The connection is closed (both Close frames were exchanged, or an
    /// error was returned before): nothing more is read.
    Closed,
    /// The client's opening handshake broke a rule (RFC 6455 §4.2.1); its
    /// HTTP answer ([`RequestError::status_code`]: 400, 426 or 431) has
    /// been sent. Close the socket.
    Request(RequestError),
    /// The server's answer to the opening handshake broke a rule (RFC 6455
    /// §4.1): fail the connection.
    Response(ResponseError),
    /// This side's handshake message could not be written: a transmit
    /// buffer too small for it, or a subprotocol or extension to accept
    /// that the client did not offer.
    Handshake(WriteError),
}

impl<E> Error<E> {
    /// The close code sent for this error: the protocol error's (1002,
    /// 1007 or 1009), else `None`.
    ///
    /// ```
    /// use wsframe::io_async::Error;
    /// let e: Error<()> = Error::Protocol(wsframe::Error::InvalidUtf8);
    /// assert_eq!(e.close_code().map(|c| c.as_u16()), Some(1007));
    /// assert_eq!(Error::<()>::UnexpectedEof.close_code(), None);
    /// ```
    #[must_use]
    pub fn close_code(&self) -> Option<CloseCode> {
        match self {
            Error::Protocol(e) => Some(e.close_code()),
            _ => None,
        }
    }
}

impl<E> From<EncodeError> for Error<E> {
    fn from(e: EncodeError) -> Self {
        Error::Encode(e)
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "i/o error: {e:?}"),
            Error::Protocol(e) => write!(f, "{} ({})", e, e.close_code().as_u16()),
            Error::Encode(e) => write!(f, "cannot encode: {}", e.as_str()),
            Error::ConnectionClosed => f.write_str("the peer ended the stream without a close"),
            Error::UnexpectedEof => f.write_str("the stream ended inside a frame"),
            Error::WriteZero => f.write_str("the socket accepted no bytes"),
            Error::Closed => f.write_str("the connection is closed"),
            Error::Request(e) => write!(
                f,
                "bad handshake request: {} ({})",
                e.as_str(),
                e.status_code()
            ),
            Error::Response(e) => write!(f, "bad handshake response: {}", e.as_str()),
            Error::Handshake(e) => write!(f, "cannot write the handshake: {}", e.as_str()),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// A message from [`WebSocket::receive`], borrowed from the receive buffer
/// (data) or from the endpoint (control payloads).
///
/// ```
/// use wsframe::io_async::Message;
/// let m = Message::Close { code: wsframe::CloseCode::new(1000), reason: "bye" };
/// assert!(matches!(m, Message::Close { reason: "bye", .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Message<'a> {
    /// A text message, valid UTF-8.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
    /// A Ping; the Pong was sent unless answering was turned off
    /// ([`WebSocket::with_auto_pong`]).
    Ping(&'a [u8]),
    /// A Pong.
    Pong(&'a [u8]),
    /// The peer's Close; the echo was sent unless turned off
    /// ([`WebSocket::with_auto_close`]), and the connection is then closed.
    Close {
        /// Its code, if the body had one.
        code: Option<CloseCode>,
        /// Its reason (valid UTF-8).
        reason: &'a str,
    },
}

/// A server's key source: a server never masks, so it is never asked.
///
/// ```
/// use wsframe::{io_async::NoKeys, KeySource, MaskingKey};
/// assert_eq!(NoKeys.masking_key(), MaskingKey::new([0; 4]));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKeys;

impl KeySource for NoKeys {
    fn masking_key(&mut self) -> MaskingKey {
        MaskingKey::new([0; 4])
    }
}

/// What a read found, with the places of its bytes (not borrowed).
#[derive(Clone, Copy)]
enum Ready {
    Data {
        start: usize,
        len: usize,
        text: bool,
    },
    Ping,
    Pong,
    Close(Option<CloseCode>),
}

/// A WebSocket connection over `socket`, after the opening handshake, with
/// the caller's receive and transmit buffers.
///
/// The receive buffer bounds the message size: the limit is the smaller of
/// [`Config::max_message_len`] and the buffer's length less one (a longer
/// message fails with 1009 at its length field). The transmit buffer holds
/// the frames this side writes when they fit ([`FrameHeader::MAX_CONTROL_FRAME_LEN`]
/// = 131 bytes is enough for every control frame; a client's data frames are
/// masked through it in pieces, so any size of at least 15 bytes works).
///
/// ```
/// use wsframe::{io_async::WebSocket, Config, MaskingKey};
/// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
/// // Client: a fresh key per frame from the caller's RNG (here a stand-in).
/// let ws = WebSocket::client(socket, Config::client(), &mut rx, &mut tx, || MaskingKey::new([1, 2, 3, 4]));
/// assert_eq!(ws.message_limit(), 511);
/// ```
pub struct WebSocket<'b, S, K = NoKeys> {
    socket: S,
    rx: Receiver,
    keys: K,
    rx_buf: &'b mut [u8],
    tx_buf: &'b mut [u8],
    /// The message gathered so far: `rx_buf[..gathered]`.
    gathered: usize,
    /// Bytes read and not yet given to the receiver: `rx_buf[start..end]`.
    start: usize,
    end: usize,
    /// The payload of the last control frame (Ping, Pong, the Close reason).
    control: [u8; 125],
    control_len: u8,
    auto_pong: bool,
    auto_close: bool,
}

impl<S, K> fmt::Debug for WebSocket<'_, S, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocket")
            .field("state", &self.rx.state())
            .field("rx_buf", &self.rx_buf.len())
            .field("tx_buf", &self.tx_buf.len())
            .field("gathered", &self.gathered)
            .field("unread", &(self.end - self.start))
            .finish_non_exhaustive()
    }
}

impl<'b, S: Read + Write> WebSocket<'b, S, NoKeys> {
    /// Runs the server side of the opening handshake (RFC 6455 §4.2) over
    /// `socket`, then returns the endpoint: reads the client's request into
    /// `rx_buf` (at most its length), answers `101 Switching Protocols`
    /// through `tx_buf` with `options` (a subprotocol, extensions), and
    /// keeps any bytes read after the request as the first frame bytes.
    /// A bad request gets its HTTP answer (400, 426 or 431) before the error
    /// is returned.
    ///
    /// The endpoint speaks no extension: frames with RSV bits set fail with
    /// 1002 whatever `options` answered, so accept none.
    ///
    /// ```
    /// use wsframe::handshake::AcceptOptions;
    /// use wsframe::io_async::{Message, WebSocket};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # // RFC 6455 §1.3's request, then a masked Ping in the same write.
    /// # peer.write_all(b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
    /// #     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    /// #     Sec-WebSocket-Version: 13\r\n\r\n\x89\x80\0\0\0\0").await?;
    /// let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
    /// let mut ws = WebSocket::accept(socket, wsframe::Config::server(), &AcceptOptions::new(), &mut rx, &mut tx).await?;
    /// assert!(matches!(ws.receive().await?, Message::Ping(b"")));
    /// # let mut answer = [0u8; 131];
    /// # peer.read_exact(&mut answer).await?;
    /// # assert!(answer.ends_with(b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x8a\x00"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Request`] for a request that breaks RFC 6455 §4.2.1 (or is
    /// longer than `rx_buf`); [`Error::Handshake`] if `tx_buf` cannot hold
    /// the answer or `options` accept what the client did not offer;
    /// [`Error::Io`], [`Error::ConnectionClosed`] and
    /// [`Error::UnexpectedEof`] (the stream ended before or inside the
    /// request), [`Error::WriteZero`].
    pub async fn accept(
        mut socket: S,
        config: Config,
        options: &AcceptOptions<'_>,
        rx_buf: &'b mut [u8],
        tx_buf: &'b mut [u8],
    ) -> Result<Self, Error<S::Error>> {
        let mut filled = 0;
        let (used, n) = loop {
            filled = read_more(&mut socket, rx_buf, filled).await?;
            let head = rx_buf.get(..filled).unwrap_or(&[]);
            match Request::parse(head, rx_buf.len()) {
                Ok(Status::Partial { .. }) => {}
                Ok(Status::Complete((request, used))) => {
                    break (
                        used,
                        request.accept(options, tx_buf).map_err(Error::Handshake)?,
                    );
                }
                Err(e) => {
                    if let Ok(n) = e.encode_response(tx_buf) {
                        let _ = write_all(&mut socket, tx_buf.get(..n).unwrap_or(&[])).await;
                        let _ = socket.flush().await;
                    }
                    return Err(Error::Request(e));
                }
            }
        };
        write_all(&mut socket, tx_buf.get(..n).unwrap_or(&[])).await?;
        socket.flush().await.map_err(Error::Io)?;
        // The bytes after the request are the first frames.
        let unread = filled.saturating_sub(used);
        move_back(rx_buf, used, unread, 0);
        let config = options.config(config);
        Ok(Self::server(socket, config, rx_buf, tx_buf).with_unread(unread))
    }

    /// The server side of a connection whose opening handshake is done.
    /// `config`'s role becomes [`Role::Server`].
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 512], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// assert_eq!(ws.state(), wsframe::State::Open);
    /// ```
    pub fn server(socket: S, config: Config, rx_buf: &'b mut [u8], tx_buf: &'b mut [u8]) -> Self {
        Self::new(
            socket,
            config.with_role(Role::Server),
            rx_buf,
            tx_buf,
            NoKeys,
        )
    }
}

impl<'b, S: Read + Write, K: KeySource> WebSocket<'b, S, K> {
    /// The client side of a connection whose opening handshake is done:
    /// every frame it sends is masked with a fresh key from `keys` (RFC 6455
    /// §5.3). `config`'s role becomes [`Role::Client`].
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// use wsframe::{io_async::WebSocket, Config, MaskingKey, Role};
    /// let (mut rx, mut tx) = ([0u8; 512], [0u8; 131]);
    /// let ws = WebSocket::client(socket, Config::server(), &mut rx, &mut tx, || MaskingKey::new([7; 4]));
    /// assert_eq!(ws.config().role(), Role::Client);
    /// ```
    pub fn client(
        socket: S,
        config: Config,
        rx_buf: &'b mut [u8],
        tx_buf: &'b mut [u8],
        keys: K,
    ) -> Self {
        Self::new(socket, config.with_role(Role::Client), rx_buf, tx_buf, keys)
    }

    /// Runs the client side of the opening handshake (RFC 6455 §4.1) over
    /// `socket`, then returns the client endpoint: writes `request` through
    /// `tx_buf`, reads the answer into `rx_buf` (at most its length) and
    /// checks it against the request, keeping any bytes read after it as
    /// the first frame bytes. Frames are masked with keys from `keys`.
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    /// use wsframe::io_async::{Message, WebSocket};
    /// use wsframe::MaskingKey;
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # // The server's answer to the key of RFC 6455 §1.3's nonce, then "hi".
    /// # peer.write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    /// #     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi").await?;
    /// // The nonce: 16 bytes from a strong random source (RFC 6455 §4.1).
    /// let nonce = *b"the sample nonce";
    /// let request = ClientRequest::new("server.example.com", "/chat", nonce);
    /// let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
    /// let keys = || MaskingKey::new([1, 2, 3, 4]); // in firmware: the RNG
    /// let mut ws = WebSocket::connect(socket, wsframe::Config::client(), &request, &mut rx, &mut tx, keys).await?;
    /// assert!(matches!(ws.receive().await?, Message::Text("hi")));
    /// # let mut head = [0u8; 4];
    /// # peer.read_exact(&mut head).await?;
    /// # assert_eq!(&head, b"GET ");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Response`] for an answer that breaks RFC 6455 §4.1 (or is
    /// longer than `rx_buf`); [`Error::Handshake`] if `tx_buf` cannot hold
    /// the request; [`Error::Io`], [`Error::ConnectionClosed`],
    /// [`Error::UnexpectedEof`], [`Error::WriteZero`].
    pub async fn connect(
        mut socket: S,
        config: Config,
        request: &ClientRequest<'_>,
        rx_buf: &'b mut [u8],
        tx_buf: &'b mut [u8],
        keys: K,
    ) -> Result<Self, Error<S::Error>> {
        let n = request.encode(tx_buf).map_err(Error::Handshake)?;
        write_all(&mut socket, tx_buf.get(..n).unwrap_or(&[])).await?;
        socket.flush().await.map_err(Error::Io)?;
        let mut filled = 0;
        let (used, config) = loop {
            filled = read_more(&mut socket, rx_buf, filled).await?;
            let head = rx_buf.get(..filled).unwrap_or(&[]);
            match Response::parse(head, request, rx_buf.len()) {
                Ok(Status::Partial { .. }) => {}
                Ok(Status::Complete((response, used))) => break (used, response.config(config)),
                Err(e) => return Err(Error::Response(e)),
            }
        };
        let unread = filled.saturating_sub(used);
        move_back(rx_buf, used, unread, 0);
        Ok(Self::client(socket, config, rx_buf, tx_buf, keys).with_unread(unread))
    }

    fn new(socket: S, config: Config, rx_buf: &'b mut [u8], tx_buf: &'b mut [u8], keys: K) -> Self {
        let room = rx_buf.len().saturating_sub(1) as u64;
        let limit = if config.max_message_len() < room {
            config.max_message_len()
        } else {
            room
        };
        WebSocket {
            socket,
            rx: Receiver::new(config.with_max_message_len(limit).with_allowed_rsv(0)),
            keys,
            rx_buf,
            tx_buf,
            gathered: 0,
            start: 0,
            end: 0,
            control: [0; 125],
            control_len: 0,
            auto_pong: true,
            auto_close: true,
        }
    }

    /// The same endpoint, with the first `len` bytes of the receive buffer
    /// taken as already read from the socket: the bytes that came after the
    /// opening handshake's request or response, in the same read, when the
    /// caller did the handshake in this buffer (a frame sent right behind a
    /// request must not be lost). `len` is cut to the buffer's length.
    ///
    /// ```
    /// use wsframe::io_async::{Message, WebSocket};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// // A request head was parsed from `rx`; an unmasked "hi" (from a server) followed it.
    /// rx[..4].copy_from_slice(b"\x81\x02hi");
    /// let mut ws = WebSocket::client(socket, wsframe::Config::client(), &mut rx, &mut tx, || wsframe::MaskingKey::new([1; 4]))
    ///     .with_unread(4);
    /// assert!(matches!(ws.receive().await, Ok(Message::Text("hi"))));
    /// # }
    /// ```
    #[must_use]
    pub fn with_unread(mut self, len: usize) -> Self {
        self.start = 0;
        self.end = len.min(self.rx_buf.len());
        self
    }

    /// Whether Pings are answered as they arrive (on by default). Off, the
    /// Pong is the caller's to send ([`WebSocket::send_pong`]).
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx)
    ///     .with_auto_pong(false);
    /// # let _ = ws;
    /// ```
    #[must_use]
    pub fn with_auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Whether the peer's Close is echoed as it arrives (on by default).
    /// Off, the answer is the caller's ([`WebSocket::close`], with a code
    /// of its choosing).
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx)
    ///     .with_auto_close(false);
    /// # let _ = ws;
    /// ```
    #[must_use]
    pub fn with_auto_close(mut self, on: bool) -> Self {
        self.auto_close = on;
        self
    }

    /// The configuration received frames are judged by (its message limit
    /// lowered to fit the receive buffer).
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::client(), &mut rx, &mut tx);
    /// assert_eq!(ws.config().role(), wsframe::Role::Server);
    /// ```
    #[must_use]
    pub fn config(&self) -> &Config {
        self.rx.config()
    }

    /// The largest message accepted: [`Config::max_message_len`], at most
    /// the receive buffer's length less one.
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// assert_eq!(ws.message_limit(), 63);
    /// ```
    #[must_use]
    pub fn message_limit(&self) -> u64 {
        self.rx.message_limit()
    }

    /// Where the connection stands.
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// assert_eq!(ws.state(), wsframe::State::Open);
    /// ```
    #[must_use]
    pub fn state(&self) -> State {
        self.rx.state()
    }

    /// The socket, for the caller to close once the connection is done.
    ///
    /// ```
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(tokio::io::duplex(64).0);
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// let _socket = ws.into_inner();
    /// ```
    pub fn into_inner(self) -> S {
        self.socket
    }

    /// Receives the next message, borrowed from the receive buffer.
    ///
    /// Bytes read past the message stay in the buffer for the next call.
    /// A Ping is answered and the peer's Close echoed before they are
    /// handed out (unless turned off).
    ///
    /// ```
    /// use wsframe::io_async::{Message, WebSocket};
    /// # use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// // A masked Ping "p", then a masked text frame with a bad UTF-8 byte.
    /// peer.write_all(&[0x89, 0x81, 0, 0, 0, 0, b'p', 0x81, 0x81, 0, 0, 0, 0, 0xFF]).await?;
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// assert!(matches!(ws.receive().await, Ok(Message::Ping(b"p")))); // the Pong was sent
    /// let e = ws.receive().await.unwrap_err(); // the Close 1007 was sent
    /// assert_eq!(e.close_code(), Some(wsframe::CloseCode::INVALID_PAYLOAD));
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// # assert!(wire.starts_with(b"\x8a\x01p\x88"));
    /// # assert_eq!(wire[5..7], [0x03, 0xEF]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// - [`Error::Protocol`] for the first rule the peer breaks (RFC 6455
    ///   §5, §8.1, §10.4), after its Close (1002, 1007 or 1009) was sent;
    /// - [`Error::Io`] if the socket fails; [`Error::UnexpectedEof`] if the
    ///   stream ends inside a frame or message, [`Error::ConnectionClosed`]
    ///   if it ends between frames;
    /// - [`Error::Closed`] after the peer's Close was received, or after an error;
    /// - [`Error::Encode`] if the transmit buffer cannot hold the Pong or
    ///   Close to send (less than 131 bytes), [`Error::WriteZero`].
    pub async fn receive(&mut self) -> Result<Message<'_>, Error<S::Error>> {
        let ready = self.next_ready().await?;
        let control = self
            .control
            .get(..usize::from(self.control_len))
            .unwrap_or(&[]);
        Ok(match ready {
            Ready::Data { start, len, text } => {
                let bytes = self.rx_buf.get(start..start + len).unwrap_or(&[]);
                if text {
                    Message::Text(checked_str(bytes))
                } else {
                    Message::Binary(bytes)
                }
            }
            Ready::Ping => Message::Ping(control),
            Ready::Pong => Message::Pong(control),
            Ready::Close(code) => Message::Close {
                code,
                reason: checked_str(control),
            },
        })
    }

    /// Reads until a message is ready; where its bytes are.
    async fn next_ready(&mut self) -> Result<Ready, Error<S::Error>> {
        match self.rx.state() {
            State::Open | State::CloseSent => {}
            State::CloseReceived(_) | State::Closed | State::Failed(_) => {
                return Err(Error::Closed)
            }
        }
        loop {
            if self.start == self.end {
                self.fill().await?;
            }
            let input = self.rx_buf.get_mut(self.start..self.end).unwrap_or(&mut []);
            let at = self.start;
            let base = input.as_ptr() as usize;
            let (used, event) = match self.rx.read(input) {
                Ok(read) => read,
                Err(e) => {
                    // The Close for the error first; the protocol error is
                    // the one to report even if the socket fails now.
                    let _ = self.send_reply().await;
                    return Err(Error::Protocol(e));
                }
            };
            // Where the event's bytes are, before the borrow ends.
            let mut piece = None;
            let mut control = None;
            let mut ready = None;
            match event {
                Some(Event::Piece(p)) => {
                    // The piece lies in `input`, unmasked in place.
                    let offset = (p.payload.as_ptr() as usize).wrapping_sub(base);
                    piece = Some((
                        at.wrapping_add(offset),
                        p.payload.len(),
                        p.opcode == Opcode::Text,
                        p.first,
                        p.last,
                    ));
                }
                Some(Event::Ping(p)) => {
                    control = Some(p);
                    ready = Some(Ready::Ping);
                }
                Some(Event::Pong(p)) => {
                    control = Some(p);
                    ready = Some(Ready::Pong);
                }
                Some(Event::Close { code, reason }) => {
                    control = Some(reason.as_bytes());
                    ready = Some(Ready::Close(code));
                }
                // None, or what never comes here: header events are off,
                // there is no message buffer and RSV1 is not allowed.
                _ => {}
            }
            if let Some(payload) = control {
                let n = payload.len().min(125);
                if let (Some(dst), Some(src)) = (self.control.get_mut(..n), payload.get(..n)) {
                    copy(dst, src);
                }
                self.control_len = u8::try_from(n).unwrap_or(125);
            }
            self.start += used;
            if let Some((pos, len, text, first, last)) = piece {
                if first && last && self.gathered == 0 {
                    // The whole message in place.
                    return Ok(Ready::Data {
                        start: pos,
                        len,
                        text,
                    });
                }
                if first {
                    self.gathered = 0;
                }
                // Move the piece to the end of the message so far (it
                // never lies before it: bytes are only ever moved back).
                move_back(self.rx_buf, pos, len, self.gathered);
                self.gathered += len;
                if last {
                    let len = self.gathered;
                    self.gathered = 0;
                    return Ok(Ready::Data {
                        start: 0,
                        len,
                        text,
                    });
                }
            }
            if let Some(ready) = ready {
                let due = match ready {
                    Ready::Ping => self.auto_pong,
                    Ready::Close(_) => self.auto_close,
                    _ => false,
                };
                if due {
                    self.send_reply().await?;
                }
                return Ok(ready);
            }
        }
    }

    /// Reads more bytes after the message gathered so far.
    async fn fill(&mut self) -> Result<(), Error<S::Error>> {
        // Nothing is unread: the free space starts after the message.
        self.start = self.gathered;
        self.end = self.gathered;
        let free = self.rx_buf.get_mut(self.gathered..).unwrap_or(&mut []);
        if free.is_empty() {
            // Cannot happen: the message limit is the buffer less one byte.
            return Err(Error::Protocol(crate::Error::MessageTooBig));
        }
        match self.socket.read(free).await {
            Ok(0) if self.rx.needed() > 0 || self.gathered > 0 || self.in_message() => {
                Err(Error::UnexpectedEof)
            }
            Ok(0) => Err(Error::ConnectionClosed),
            Ok(n) => {
                self.end = self.gathered + n.min(free_len(self.rx_buf.len(), self.gathered));
                Ok(())
            }
            Err(e) => Err(Error::Io(e)),
        }
    }

    /// Whether a message is in progress.
    fn in_message(&self) -> bool {
        self.gathered > 0 || self.rx.in_message()
    }

    /// Writes what the receiver has due (a Pong, the Close echo, the Close
    /// for an error).
    async fn send_reply(&mut self) -> Result<(), Error<S::Error>> {
        let key = self.key();
        let n = self.rx.reply(key, self.tx_buf)?;
        if n > 0 {
            let frame = self.tx_buf.get(..n).unwrap_or(&[]);
            write_all(&mut self.socket, frame).await?;
            self.socket.flush().await.map_err(Error::Io)?;
        }
        Ok(())
    }

    /// A fresh key in the Client role.
    fn key(&mut self) -> Option<MaskingKey> {
        match self.rx.config().role() {
            Role::Client => Some(self.keys.masking_key()),
            Role::Server | Role::Any => None,
        }
    }

    /// Sends a text message as one frame.
    ///
    /// ```
    /// # use tokio::io::AsyncReadExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// ws.send_text("hi").await?;
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// assert_eq!(wire, b"\x81\x02hi");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::WriteZero`]; [`Error::Closed`] once this
    /// side's Close was sent or the connection failed.
    pub async fn send_text(&mut self, text: &str) -> Result<(), Error<S::Error>> {
        self.send_frame(true, Opcode::Text, text.as_bytes()).await
    }

    /// Sends a binary message as one frame.
    ///
    /// ```
    /// # use tokio::io::AsyncReadExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// ws.send_binary(&[1, 2]).await?;
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// assert_eq!(wire, [0x82, 0x02, 1, 2]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`WebSocket::send_text`].
    pub async fn send_binary(&mut self, payload: &[u8]) -> Result<(), Error<S::Error>> {
        self.send_frame(true, Opcode::Binary, payload).await
    }

    /// Sends a Text or Binary message in fragments of at most
    /// `fragment_size` payload bytes.
    ///
    /// ```
    /// # use tokio::io::AsyncReadExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// ws.send_fragmented(wsframe::Opcode::Text, b"abc", 2).await?;
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// assert_eq!(wire, b"\x01\x02ab\x80\x01c");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`WebSocket::send_text`]; [`Error::Encode`] with
    /// [`EncodeError::ZeroFragmentSize`] or [`EncodeError::NotDataOpcode`].
    pub async fn send_fragmented(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        fragment_size: usize,
    ) -> Result<(), Error<S::Error>> {
        for (header, chunk) in Fragmenter::new(opcode, payload, fragment_size)? {
            self.send_frame(header.fin(), header.opcode(), chunk)
                .await?;
        }
        Ok(())
    }

    /// Sends a Ping (at most 125 bytes of payload).
    ///
    /// ```
    /// # use tokio::io::AsyncReadExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// ws.send_ping(b"p").await?;
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// assert_eq!(wire, b"\x89\x01p");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`WebSocket::send_text`]; [`Error::Encode`] with
    /// [`EncodeError::ControlFrameTooLong`] over 125 bytes.
    pub async fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<S::Error>> {
        self.send_frame(true, Opcode::Ping, payload).await
    }

    /// Sends a Pong (at most 125 bytes of payload), for a caller that
    /// answers Pings itself or sends unsolicited Pongs (§5.5.3).
    ///
    /// ```
    /// # use tokio::io::AsyncReadExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// ws.send_pong(b"p").await?;
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// assert_eq!(wire, b"\x8a\x01p");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`WebSocket::send_ping`].
    pub async fn send_pong(&mut self, payload: &[u8]) -> Result<(), Error<S::Error>> {
        self.send_frame(true, Opcode::Pong, payload).await
    }

    /// Sends a Close with `code` and `reason` (cut to 123 bytes): starts the
    /// closing handshake, or answers the peer's Close when echoing is off.
    /// Then keep calling [`WebSocket::receive`] until the peer's Close.
    ///
    /// ```
    /// # use tokio::io::AsyncReadExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let (socket, mut peer) = tokio::io::duplex(1024);
    /// # let socket = embedded_io_adapters::tokio_1::FromTokio::new(socket);
    /// # let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
    /// let mut ws = wsframe::io_async::WebSocket::server(socket, wsframe::Config::server(), &mut rx, &mut tx);
    /// ws.close(Some(wsframe::CloseCode::NORMAL), "bye").await?;
    /// # drop(ws);
    /// # let mut wire = Vec::new();
    /// # peer.read_to_end(&mut wire).await?;
    /// assert_eq!(wire, b"\x88\x05\x03\xe8bye");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Encode`] with [`EncodeError::InvalidCloseCode`],
    /// [`EncodeError::AlreadyClosed`] (a second Close), or
    /// [`EncodeError::BufferTooSmall`] (a transmit buffer under the frame's
    /// length); [`Error::Io`], [`Error::WriteZero`].
    pub async fn close(
        &mut self,
        code: Option<CloseCode>,
        reason: &str,
    ) -> Result<(), Error<S::Error>> {
        let key = self.key();
        let n = self.rx.close(code, reason, key, self.tx_buf)?;
        let frame = self.tx_buf.get(..n).unwrap_or(&[]);
        write_all(&mut self.socket, frame).await?;
        self.socket.flush().await.map_err(Error::Io)
    }

    /// One frame: through the transmit buffer when it fits (one write);
    /// else a server writes the header and then the payload as it is, and
    /// a client masks the payload through the buffer in pieces.
    async fn send_frame(
        &mut self,
        fin: bool,
        opcode: Opcode,
        payload: &[u8],
    ) -> Result<(), Error<S::Error>> {
        if matches!(
            self.rx.state(),
            State::CloseSent | State::Closed | State::Failed(_)
        ) {
            return Err(Error::Closed);
        }
        let key = self.key();
        let header = FrameHeader::new(fin, 0, opcode, key, payload.len() as u64)?;
        if let Ok(n) = encode_frame(&header, payload, self.tx_buf) {
            let frame = self.tx_buf.get(..n).unwrap_or(&[]);
            write_all(&mut self.socket, frame).await?;
            return self.socket.flush().await.map_err(Error::Io);
        }
        let head_len = header.encode(self.tx_buf)?;
        let head = self.tx_buf.get(..head_len).unwrap_or(&[]);
        write_all(&mut self.socket, head).await?;
        match key {
            None => write_all(&mut self.socket, payload).await?,
            Some(key) => {
                let mut unmasker = Unmasker::new(key);
                for chunk in payload.chunks(self.tx_buf.len().max(1)) {
                    let out = self.tx_buf.get_mut(..chunk.len()).unwrap_or(&mut []);
                    copy(out, chunk);
                    unmasker.apply(out);
                    write_all(&mut self.socket, out).await?;
                }
            }
        }
        self.socket.flush().await.map_err(Error::Io)
    }
}

/// The bytes free after `used` in a buffer of `len`.
fn free_len(len: usize, used: usize) -> usize {
    len.saturating_sub(used)
}

/// Moves `buf[from..from + len]` back to `to` (`to <= from`), in steps of
/// at most the distance, so that no step overlaps itself; copies with zip
/// loops (no length check to panic), which compile to `memcpy`. Out of
/// bounds, it moves what is in bounds.
fn move_back(buf: &mut [u8], from: usize, len: usize, to: usize) {
    let distance = from.saturating_sub(to);
    if distance == 0 {
        return;
    }
    let mut done = 0;
    while done < len {
        let step = distance.min(len - done);
        let at = to + done;
        let Some((left, right)) = buf.split_at_mut_checked(at + distance) else {
            return;
        };
        let dst = left.get_mut(at..).unwrap_or_default();
        copy(dst, right.get(..step.min(right.len())).unwrap_or_default());
        done += step;
    }
}

/// Reads more of a handshake head into `buf[filled..]`; the new fill.
/// A full buffer reads nothing (the head parser then says it is too large).
async fn read_more<S: Read>(
    socket: &mut S,
    buf: &mut [u8],
    filled: usize,
) -> Result<usize, Error<S::Error>> {
    let free = buf.get_mut(filled..).unwrap_or_default();
    if free.is_empty() {
        return Ok(filled);
    }
    match socket.read(free).await {
        Ok(0) if filled == 0 => Err(Error::ConnectionClosed),
        Ok(0) => Err(Error::UnexpectedEof),
        Ok(n) => Ok(filled + n.min(free.len())),
        Err(e) => Err(Error::Io(e)),
    }
}

/// `Write::write_all` without its panic on `Ok(0)`.
async fn write_all<S: Write>(socket: &mut S, mut buf: &[u8]) -> Result<(), Error<S::Error>> {
    while !buf.is_empty() {
        match socket.write(buf).await {
            Ok(0) => return Err(Error::WriteZero),
            Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encode_close;
    use std::vec::Vec;

    /// An in-memory socket: reads hand out `input` in `chunk`-byte pieces
    /// (then end of stream, or `fail`), writes are kept.
    struct Mem {
        input: Vec<u8>,
        at: usize,
        chunk: usize,
        fail: bool,
        output: Vec<u8>,
        write_zero: bool,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Broken;

    impl core::fmt::Display for Broken {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("broken")
        }
    }
    impl core::error::Error for Broken {}
    impl embedded_io_async::Error for Broken {
        fn kind(&self) -> embedded_io_async::ErrorKind {
            embedded_io_async::ErrorKind::BrokenPipe
        }
    }
    impl embedded_io_async::ErrorType for Mem {
        type Error = Broken;
    }
    impl Read for Mem {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Broken> {
            let n = self.chunk.min(buf.len()).min(self.input.len() - self.at);
            if n == 0 && self.fail {
                return Err(Broken);
            }
            buf[..n].copy_from_slice(&self.input[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }
    impl Write for Mem {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, Broken> {
            if self.write_zero {
                return Ok(0);
            }
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        async fn flush(&mut self) -> Result<(), Broken> {
            Ok(())
        }
    }

    fn mem(input: Vec<u8>, chunk: usize) -> Mem {
        Mem {
            input,
            at: 0,
            chunk,
            fail: false,
            output: Vec::new(),
            write_zero: false,
        }
    }

    fn frame(fin: bool, opcode: Opcode, key: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
        let h = FrameHeader::new(
            fin,
            0,
            opcode,
            key.map(MaskingKey::new),
            payload.len() as u64,
        )
        .unwrap();
        let mut out = std::vec![0u8; payload.len() + 14];
        let n = encode_frame(&h, payload, &mut out).unwrap();
        out.truncate(n);
        out
    }

    const K: Option<[u8; 4]> = Some([0x37, 0xfa, 0x21, 0x3d]);

    /// What the server side receives, one line per message, then the end.
    async fn run(wire: &[u8], chunk: usize, rx_len: usize) -> (Vec<std::string::String>, Vec<u8>) {
        let (mut rx, mut tx) = (std::vec![0u8; rx_len], [0u8; 131]);
        let mut ws = WebSocket::server(
            mem(wire.to_vec(), chunk),
            Config::server(),
            &mut rx,
            &mut tx,
        );
        let mut seen = Vec::new();
        loop {
            match ws.receive().await {
                Ok(m) => seen.push(std::format!("{m:?}")),
                Err(e) => {
                    seen.push(std::format!("{e:?}"));
                    break;
                }
            }
        }
        (seen, ws.into_inner().output)
    }

    #[tokio::test]
    async fn messages_at_any_split_with_replies() {
        let mut wire = Vec::new();
        wire.extend(frame(false, Opcode::Text, K, "héllo ".as_bytes()));
        wire.extend(frame(true, Opcode::Ping, K, b"p"));
        wire.extend(frame(false, Opcode::Continuation, K, b""));
        wire.extend(frame(true, Opcode::Continuation, K, "wörld".as_bytes()));
        wire.extend(frame(true, Opcode::Binary, K, &[1, 2, 3]));
        wire.extend(frame(true, Opcode::Pong, K, b""));
        wire.extend(frame(true, Opcode::Text, K, b""));
        wire.extend(frame(true, Opcode::Close, K, b"\x03\xe8ok"));
        let expected = [
            "Ping([112])",
            "Text(\"héllo wörld\")",
            "Binary([1, 2, 3])",
            "Pong([])",
            "Text(\"\")",
            "Close { code: Some(CloseCode(1000)), reason: \"ok\" }",
            "Closed",
        ];
        // The Pong, then the Close echoed.
        let replies = [&b"\x8a\x01p"[..], b"\x88\x02\x03\xe8"].concat();
        for chunk in 1..=wire.len() {
            for rx_len in [14, 64] {
                let (seen, out) = run(&wire, chunk, rx_len).await;
                assert_eq!(seen, expected, "chunk {chunk}, buffer {rx_len}");
                assert_eq!(out, replies, "chunk {chunk}");
            }
        }
    }

    #[tokio::test]
    async fn a_one_frame_message_stays_where_it_was_read() {
        let wire = frame(true, Opcode::Binary, K, b"abc");
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
        let start = rx.as_ptr() as usize;
        let mut ws = WebSocket::server(mem(wire, 64), Config::server(), &mut rx, &mut tx);
        let Ok(Message::Binary(b)) = ws.receive().await else {
            panic!()
        };
        assert_eq!((b.as_ptr() as usize - start, b), (6, &b"abc"[..]));
    }

    /// Each error: the close code sent for it (a protocol error's only) and
    /// its text, which names the layer it came from.
    #[test]
    fn errors_know_their_close_code_and_text() {
        use std::string::ToString;
        let utf8 = crate::Error::InvalidUtf8;
        let big = crate::Error::MessageTooBig;
        let encode = EncodeError::AlreadyClosed;
        let request = RequestError::HeadTooLarge;
        let response = ResponseError::MalformedHead;
        let write = WriteError::NotOffered;
        let cases: [(Error<Broken>, Option<u16>, std::string::String); 11] = [
            (Error::Io(Broken), None, "i/o error: Broken".into()),
            (
                Error::Protocol(utf8),
                Some(1007),
                std::format!("{utf8} (1007)"),
            ),
            (
                Error::Protocol(big),
                Some(1009),
                std::format!("{big} (1009)"),
            ),
            (
                Error::Encode(encode),
                None,
                std::format!("cannot encode: {}", encode.as_str()),
            ),
            (
                Error::ConnectionClosed,
                None,
                "the peer ended the stream without a close".into(),
            ),
            (
                Error::UnexpectedEof,
                None,
                "the stream ended inside a frame".into(),
            ),
            (
                Error::WriteZero,
                None,
                "the socket accepted no bytes".into(),
            ),
            (Error::Closed, None, "the connection is closed".into()),
            (
                Error::Request(request),
                None,
                std::format!("bad handshake request: {} (431)", request.as_str()),
            ),
            (
                Error::Response(response),
                None,
                std::format!("bad handshake response: {}", response.as_str()),
            ),
            (
                Error::Handshake(write),
                None,
                std::format!("cannot write the handshake: {}", write.as_str()),
            ),
        ];
        for (error, code, text) in cases {
            assert_eq!(error.close_code().map(CloseCode::as_u16), code, "{error:?}");
            assert_eq!(error.to_string(), text);
        }
    }

    /// `Debug` shows where the connection stands and what is buffered;
    /// `message_limit` is the configured one, or the receive buffer's.
    #[tokio::test]
    async fn a_websocket_shows_its_state_buffers_and_limit() {
        let mut wire = frame(true, Opcode::Text, K, b"one");
        wire.extend(frame(true, Opcode::Binary, K, b"two!"));
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
        let mut ws = WebSocket::server(mem(wire, 64), Config::server(), &mut rx, &mut tx);
        assert_eq!(ws.message_limit(), 63);
        assert!(matches!(ws.receive().await, Ok(Message::Text("one"))));
        // The second frame (6 + 4 bytes) was read with the first.
        assert_eq!(
            std::format!("{ws:?}"),
            "WebSocket { state: Open, rx_buf: 64, tx_buf: 131, gathered: 0, unread: 10, .. }"
        );
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
        let config = Config::server().with_max_message_len(10);
        let ws = WebSocket::server(mem(Vec::new(), 1), config, &mut rx, &mut tx);
        assert_eq!(ws.message_limit(), 10);
    }

    /// Each broken rule: its Close is written, then the error returned.
    #[tokio::test]
    async fn errors_send_their_close_first() {
        let long = std::vec![b'a'; 64];
        let cases: [(Vec<u8>, crate::Error); 5] = [
            (
                frame(true, Opcode::Text, None, b"x"),
                crate::Error::UnmaskedClientFrame,
            ),
            (
                std::vec![0x83, 0x80, 0, 0, 0, 0],
                crate::Error::ReservedOpcode,
            ),
            (
                frame(true, Opcode::Text, K, b"\xff"),
                crate::Error::InvalidUtf8,
            ),
            (
                frame(true, Opcode::Close, K, b"\x03"),
                crate::Error::CloseBodyTooShort,
            ),
            // 64 bytes into a 64-byte buffer: over the limit of 63, at its length field.
            (
                frame(true, Opcode::Binary, K, &long)[..2].to_vec(),
                crate::Error::MessageTooBig,
            ),
        ];
        for (wire, error) in cases {
            for chunk in [1, 100] {
                let (seen, out) = run(&wire, chunk, 64).await;
                assert_eq!(
                    seen,
                    [std::format!("{:?}", Error::<Broken>::Protocol(error))]
                );
                let mut close = [0u8; 131];
                let n = error.encode_close(None, &mut close).unwrap();
                assert_eq!(out, close[..n], "{error:?}");
                assert_eq!(out[2..4], error.close_code().as_u16().to_be_bytes());
            }
        }
    }

    #[tokio::test]
    async fn the_end_of_the_stream_and_socket_errors() {
        let wire = frame(true, Opcode::Binary, K, b"abcdef");
        for cut in 1..wire.len() {
            let (seen, _) = run(&wire[..cut], 3, 64).await;
            assert_eq!(seen, ["UnexpectedEof"], "cut at {cut}");
        }
        // Inside a fragmented message, between its frames.
        let (seen, _) = run(&frame(false, Opcode::Binary, K, b""), 64, 64).await;
        assert_eq!(seen, ["UnexpectedEof"]);
        let (seen, _) = run(&wire, 64, 64).await;
        assert_eq!(
            seen,
            ["Binary([97, 98, 99, 100, 101, 102])", "ConnectionClosed"]
        );
        // A failing socket.
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
        let mut socket = mem(Vec::new(), 1);
        socket.fail = true;
        let mut ws = WebSocket::server(socket, Config::server(), &mut rx, &mut tx);
        assert_eq!(ws.receive().await, Err(Error::Io(Broken)));
        // A socket that takes nothing.
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
        let mut socket = mem(Vec::new(), 1);
        socket.write_zero = true;
        let mut ws = WebSocket::server(socket, Config::server(), &mut rx, &mut tx);
        assert_eq!(ws.send_text("x").await, Err(Error::WriteZero));
    }

    #[tokio::test]
    async fn a_client_masks_with_its_keys_through_a_small_buffer() {
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 16]);
        let mut n = 0u8;
        let keys = move || {
            n += 1;
            MaskingKey::new([n, 2, 3, 4])
        };
        let mut ws =
            WebSocket::client(mem(Vec::new(), 1), Config::client(), &mut rx, &mut tx, keys);
        let long: Vec<u8> = (0..1000u32)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        ws.send_binary(&long).await.unwrap();
        ws.send_fragmented(Opcode::Text, "héllo".as_bytes(), 2)
            .await
            .unwrap();
        ws.send_ping(b"p").await.unwrap();
        ws.send_pong(b"q").await.unwrap();
        assert_eq!(
            ws.send_ping(&[0; 126]).await,
            Err(Error::Encode(EncodeError::ControlFrameTooLong))
        );
        assert_eq!(
            ws.send_fragmented(Opcode::Ping, b"x", 1).await,
            Err(Error::Encode(EncodeError::NotDataOpcode))
        );
        ws.close(Some(CloseCode::NORMAL), "bye").await.unwrap();
        assert_eq!(
            ws.close(None, "").await,
            Err(Error::Encode(EncodeError::AlreadyClosed))
        );
        assert_eq!(ws.send_text("late").await, Err(Error::Closed));
        let mut out = ws.into_inner().output;
        // A server reads it all back.
        let mut server = Receiver::<2048>::with_buffer(Config::server());
        let mut events = Vec::new();
        let mut at = 0;
        while at < out.len() {
            let (used, event) = server.read(&mut out[at..]).unwrap();
            at += used;
            if let Some(e) = event {
                events.push(
                    std::format!("{e:?}")
                        .chars()
                        .take(40)
                        .collect::<std::string::String>(),
                );
            }
        }
        assert_eq!(
            events,
            [
                std::format!("{:?}", Event::Binary(&long))
                    .chars()
                    .take(40)
                    .collect::<std::string::String>(),
                "Text(\"héllo\")".into(),
                "Ping([112])".into(),
                "Pong([113])".into(),
                "Close { code: Some(CloseCode(1000)), rea".into(),
            ]
        );
        // Every frame has a key of its own, drawn in order; the last frame
        // is the Close, masked with the last key.
        let mut keys = Vec::new();
        let mut at = 0;
        while at < out.len() {
            let Ok(Status::Complete((h, n))) = FrameHeader::parse(&out[at..], &Config::server())
            else {
                panic!("a frame at {at}")
            };
            keys.push(h.masking_key().unwrap().to_bytes());
            at += n + usize::try_from(h.payload_len()).unwrap();
        }
        assert_eq!(keys.len(), 7, "binary, 3 text fragments, ping, pong, close");
        assert!(keys.windows(2).all(|k| k[0][0] < k[1][0]), "{keys:?}");
        let last = *keys.last().unwrap();
        assert_eq!(last[1..], [2, 3, 4]);
        let mut close = [0u8; 16];
        let n = encode_close(
            Some(CloseCode::NORMAL),
            "bye",
            Some(MaskingKey::new(last)),
            &mut close,
        )
        .unwrap();
        // The server's reads unmasked `out` in place.
        crate::mask::unmask(&mut close[6..n], MaskingKey::new(last));
        assert_eq!(out[out.len() - n..], close[..n]);
        assert_eq!(
            close[..n],
            [0x88, 0x85, last[0], 2, 3, 4, 0x03, 0xe8, b'b', b'y', b'e']
        );
    }

    #[tokio::test]
    async fn replies_can_be_left_to_the_caller() {
        let mut wire = frame(true, Opcode::Ping, K, b"p");
        wire.extend(frame(true, Opcode::Close, K, b"\x03\xe9"));
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 131]);
        let mut ws = WebSocket::server(mem(wire, 64), Config::server(), &mut rx, &mut tx)
            .with_auto_pong(false)
            .with_auto_close(false);
        assert_eq!(ws.receive().await, Ok(Message::Ping(b"p")));
        assert_eq!(
            ws.receive().await,
            Ok(Message::Close {
                code: CloseCode::new(1001),
                reason: ""
            })
        );
        assert_eq!(ws.state(), State::CloseReceived(CloseCode::new(1001)));
        ws.close(Some(CloseCode::NORMAL), "").await.unwrap();
        assert_eq!(ws.state(), State::Closed);
        assert_eq!(ws.receive().await, Err(Error::Closed));
        assert_eq!(ws.into_inner().output, b"\x88\x02\x03\xe8");
    }

    const REQUEST: &[u8] =
        b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    async fn accept(
        input: Vec<u8>,
        chunk: usize,
        rx_len: usize,
    ) -> (Result<std::string::String, Error<Broken>>, Vec<u8>) {
        let (mut rx, mut tx) = (std::vec![0u8; rx_len], [0u8; 256]);
        let options = AcceptOptions::new();
        match WebSocket::accept(
            mem(input, chunk),
            Config::server(),
            &options,
            &mut rx,
            &mut tx,
        )
        .await
        {
            Ok(mut ws) => {
                let got = ws.receive().await.map(|m| std::format!("{m:?}"));
                (got, ws.into_inner().output)
            }
            Err(e) => (Err(e), Vec::new()),
        }
    }

    #[tokio::test]
    async fn accept_answers_and_keeps_the_frames_behind_the_request() {
        let mut input = REQUEST.to_vec();
        input.extend(frame(true, Opcode::Text, K, b"early"));
        for chunk in [1, 7, input.len()] {
            let (got, out) = accept(input.clone(), chunk, 512).await;
            assert_eq!(got, Ok("Text(\"early\")".into()), "chunk {chunk}");
            let out = std::string::String::from_utf8(out).unwrap();
            assert!(
                out.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
                "{out}"
            );
            assert!(
                out.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
                "{out}"
            );
        }
    }

    #[tokio::test]
    async fn accept_refuses_bad_requests_with_their_http_answer() {
        let old = std::string::String::from_utf8(REQUEST.to_vec())
            .unwrap()
            .replace("Version: 13", "Version: 8");
        let cases: [(Vec<u8>, usize, RequestError, &str); 3] = [
            (
                old.into_bytes(),
                512,
                RequestError::UnsupportedVersion,
                "HTTP/1.1 426 ",
            ),
            (
                REQUEST.to_vec(),
                64,
                RequestError::HeadTooLarge,
                "HTTP/1.1 431 ",
            ),
            (
                b"GET / HTTP/1.1\r\nHost: h\r\n\r\n".to_vec(),
                512,
                RequestError::MissingUpgrade,
                "HTTP/1.1 400 ",
            ),
        ];
        for (input, rx_len, error, status) in cases {
            let (mut rx, mut tx) = (std::vec![0u8; rx_len], [0u8; 256]);
            let options = AcceptOptions::new();
            let mut socket = mem(input, 16);
            let got =
                WebSocket::accept(&mut socket, Config::server(), &options, &mut rx, &mut tx).await;
            assert_eq!(got.err(), Some(Error::Request(error)));
            let out = std::string::String::from_utf8(socket.output).unwrap();
            assert!(out.starts_with(status), "{error:?}: {out}");
        }
        // The stream ends before or inside the request.
        assert_eq!(
            accept(Vec::new(), 1, 512).await.0,
            Err(Error::ConnectionClosed)
        );
        assert_eq!(
            accept(REQUEST[..20].to_vec(), 1, 512).await.0,
            Err(Error::UnexpectedEof)
        );
        // A subprotocol the client did not offer cannot be accepted.
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
        let options = AcceptOptions::new().with_subprotocol("chat");
        let got = WebSocket::accept(
            mem(REQUEST.to_vec(), 512),
            Config::server(),
            &options,
            &mut rx,
            &mut tx,
        )
        .await;
        assert_eq!(got.err(), Some(Error::Handshake(WriteError::NotOffered)));
    }

    #[tokio::test]
    async fn connect_checks_the_answer_and_masks() {
        let request = ClientRequest::new("server.example.com", "/chat", *b"the sample nonce");
        let answer =
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        let mut input = answer.to_vec();
        input.extend(frame(true, Opcode::Text, None, b"hi"));
        for chunk in [1, input.len()] {
            let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
            let keys = || MaskingKey::new([1, 2, 3, 4]);
            let mut ws = WebSocket::connect(
                mem(input.clone(), chunk),
                Config::client(),
                &request,
                &mut rx,
                &mut tx,
                keys,
            )
            .await
            .unwrap();
            assert_eq!(ws.receive().await, Ok(Message::Text("hi")));
            ws.send_text("yo").await.unwrap();
            let out = ws.into_inner().output;
            assert!(out.starts_with(b"GET /chat HTTP/1.1\r\n"));
            assert!(out.ends_with(&[0x81, 0x82, 1, 2, 3, 4, b'y' ^ 1, b'o' ^ 2]));
        }
        // A wrong accept key.
        let wrong = std::string::String::from_utf8(answer.to_vec())
            .unwrap()
            .replace("xOo=", "xOp=");
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
        let got = WebSocket::connect(
            mem(wrong.into_bytes(), 512),
            Config::client(),
            &request,
            &mut rx,
            &mut tx,
            || MaskingKey::new([0; 4]),
        )
        .await;
        assert_eq!(
            got.err(),
            Some(Error::Response(ResponseError::AcceptMismatch))
        );
        // A transmit buffer too small for the request.
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 16]);
        let got = WebSocket::connect(
            mem(Vec::new(), 1),
            Config::client(),
            &request,
            &mut rx,
            &mut tx,
            || MaskingKey::new([0; 4]),
        )
        .await;
        assert!(matches!(
            got.err(),
            Some(Error::Handshake(WriteError::BufferTooSmall { .. }))
        ));
    }

    /// Mutated streams, read whole and a few bytes at a time: never a
    /// panic, the same messages, replies and verdict.
    #[tokio::test]
    async fn mutated_streams_give_the_same_verdict_at_any_chunking() {
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % 1_000_003).unwrap()
        };
        let (mut failed, mut clean) = (0, 0);
        for _ in 0..1500 {
            let mut wire = Vec::new();
            for _ in 0..next() % 5 {
                let len = next() % 200;
                let (fin, op) = match next() % 5 {
                    0 => (true, Opcode::Text),
                    1 => (true, Opcode::Binary),
                    2 => (false, Opcode::Binary),
                    3 => (true, Opcode::Continuation),
                    _ => (true, Opcode::Ping),
                };
                let len = if op == Opcode::Ping { len % 126 } else { len };
                let payload: Vec<u8> = (0..len)
                    .map(|i| b'a' + u8::try_from(i % 26).unwrap())
                    .collect();
                wire.extend(frame(fin, op, K, &payload));
            }
            for _ in 0..next() % 3 {
                if !wire.is_empty() {
                    let at = next() % wire.len();
                    wire[at] = u8::try_from(next() % 256).unwrap();
                }
            }
            let whole = run(&wire, wire.len().max(1), 160).await;
            let chunk = next() % 16 + 1;
            assert_eq!(
                run(&wire, chunk, 160).await,
                whole,
                "chunk {chunk}: {wire:?}"
            );
            let verdict = whole.0.last().map_or("", std::string::String::as_str);
            failed += usize::from(verdict.starts_with("Protocol("));
            clean += usize::from(verdict == "ConnectionClosed");
        }
        assert!(
            failed > 150 && clean > 150,
            "{failed} failed, {clean} clean"
        );
    }
}
