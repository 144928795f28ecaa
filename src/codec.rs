//! A [`tokio_util::codec`] [`Decoder`] and [`Encoder`] of WebSocket messages
//! over `BytesMut` (feature `tokio-util`), for both roles.
//!
//! Decoding runs the crate's one receive path ([`Receiver::read`], which
//! unmasks in place): every rule is judged there, at the byte that decides
//! it, and a frame or message over its limit fails at its length field,
//! before its payload is read, so no buffer grows past the configured limits
//! (plus one read). A message that is one frame is handed out as a
//! [`Bytes`] that points into the read buffer (no copy), and so is a Ping or
//! Pong unless its payload began in an earlier read (then it is copied, at
//! most 125 bytes); a fragmented message is gathered once.
//!
//! ```no_run
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::Framed;
//! use wsframe::codec::{Codec, Message};
//! use wsframe::Config;
//!
//! # #[allow(dead_code)]
//! # async fn echo(tcp: tokio::net::TcpStream) -> Result<(), wsframe::codec::CodecError> {
//! // `tcp` has done the opening handshake (RFC 6455 §4) as a server.
//! let mut ws = Framed::new(tcp, Codec::server(Config::server()));
//! while let Some(message) = ws.next().await {
//!     match message {
//!         Ok(Message::Ping(payload)) => ws.send(Message::Pong(payload)).await?,
//!         Ok(Message::Close { code, .. }) => {
//!             ws.send(Message::close(code, "")).await?; // echo the code
//!             break;
//!         }
//!         Ok(data) => ws.send(data).await?, // Text, Binary: echo
//!         Err(e) => {
//!             if let Some(close) = e.close_message() {
//!                 ws.send(close).await?; // 1002, 1007 or 1009, in one call
//!             }
//!             return Err(e);
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use core::fmt;
use std::boxed::Box;
use std::io;

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::bufmut::{put_close, put_frame};
use crate::close::CloseCode;
use crate::config::{Config, Role};
use crate::encode::Fragmenter;
use crate::error::{EncodeError, Error};
use crate::header::{FrameHeader, Opcode};
use crate::mask::{KeySource, MaskingKey};
use crate::receiver::{Event, Receiver, State};
use crate::utf8::checked_str;

/// Text, known to be valid UTF-8: the bytes of a text message, as the
/// receiver checked them while they arrived.
///
/// Only this crate makes one from received bytes (or from a `String`), so
/// the bytes are always valid UTF-8. [`Utf8Bytes::as_bytes`] and
/// [`Utf8Bytes::into_bytes`] hand them out as they are; [`Utf8Bytes::as_str`]
/// makes a `&str`, which safe Rust (this crate forbids `unsafe`) can only
/// do with one more check: a SIMD pass (simdutf8) that costs under one
/// instruction a byte, not a second validator.
///
/// ```
/// let text = wsframe::codec::Utf8Bytes::from("héllo");
/// assert_eq!(text.as_str(), "héllo");
/// assert_eq!(text.as_bytes().len(), 6);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Utf8Bytes(Bytes);

impl Utf8Bytes {
    /// The text.
    ///
    /// ```
    /// assert_eq!(wsframe::codec::Utf8Bytes::from("a").as_str(), "a");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        checked_str(&self.0)
    }

    /// The UTF-8 bytes, without a check.
    ///
    /// ```
    /// assert_eq!(wsframe::codec::Utf8Bytes::from("a").as_bytes(), b"a");
    /// ```
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The UTF-8 bytes as [`Bytes`], without a copy or a check.
    ///
    /// ```
    /// let b = wsframe::codec::Utf8Bytes::from("a").into_bytes();
    /// assert_eq!(b, "a");
    /// ```
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl From<&str> for Utf8Bytes {
    fn from(text: &str) -> Self {
        Utf8Bytes(Bytes::copy_from_slice(text.as_bytes()))
    }
}

impl From<std::string::String> for Utf8Bytes {
    fn from(text: std::string::String) -> Self {
        Utf8Bytes(Bytes::from(text))
    }
}

impl TryFrom<Bytes> for Utf8Bytes {
    type Error = Error;

    /// Checks `bytes` once.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use wsframe::codec::Utf8Bytes;
    /// assert!(Utf8Bytes::try_from(Bytes::from_static(b"ok")).is_ok());
    /// assert_eq!(Utf8Bytes::try_from(Bytes::from_static(b"\xff")), Err(wsframe::Error::InvalidUtf8));
    /// ```
    fn try_from(bytes: Bytes) -> Result<Self, Error> {
        match simdutf8::basic::from_utf8(&bytes) {
            Ok(_) => Ok(Utf8Bytes(bytes)),
            Err(_) => Err(Error::InvalidUtf8),
        }
    }
}

impl fmt::Debug for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A WebSocket message, as the [`Codec`] decodes and encodes it.
///
/// ```
/// use wsframe::codec::Message;
/// let m = Message::text("hi");
/// assert!(matches!(m, Message::Text(ref t) if t.as_str() == "hi"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A text message (valid UTF-8).
    Text(Utf8Bytes),
    /// A binary message.
    Binary(Bytes),
    /// A Ping and its payload (at most 125 bytes). Answer it with a
    /// [`Message::Pong`] of the same payload (RFC 6455 §5.5.2).
    Ping(Bytes),
    /// A Pong and its payload (at most 125 bytes).
    Pong(Bytes),
    /// A Close: its code (`None` for an empty body) and reason. After the
    /// peer's, send one back (its code echoed) and end the connection.
    Close {
        /// The status code, if any.
        code: Option<CloseCode>,
        /// The reason (empty without a code).
        reason: Utf8Bytes,
    },
}

impl Message {
    /// A text message.
    ///
    /// ```
    /// assert_eq!(wsframe::codec::Message::text("a"), wsframe::codec::Message::Text("a".into()));
    /// ```
    #[must_use]
    pub fn text(text: impl Into<Utf8Bytes>) -> Self {
        Message::Text(text.into())
    }

    /// A binary message.
    ///
    /// ```
    /// let m = wsframe::codec::Message::binary(vec![1, 2]);
    /// assert_eq!(m, wsframe::codec::Message::Binary(bytes::Bytes::from_static(&[1, 2])));
    /// ```
    #[must_use]
    pub fn binary(payload: impl Into<Bytes>) -> Self {
        Message::Binary(payload.into())
    }

    /// A Close with `code` and `reason` (cut to 123 bytes when encoded).
    ///
    /// ```
    /// use wsframe::{codec::Message, CloseCode};
    /// let m = Message::close(Some(CloseCode::NORMAL), "bye");
    /// assert!(matches!(m, Message::Close { code: Some(CloseCode::NORMAL), .. }));
    /// ```
    #[must_use]
    pub fn close(code: Option<CloseCode>, reason: &str) -> Self {
        Message::Close {
            code,
            reason: reason.into(),
        }
    }
}

/// What went wrong in a [`Codec`]: the peer broke a rule (with the close
/// code to send), a message could not be encoded, or the I/O failed.
///
/// ```
/// use wsframe::codec::CodecError;
/// let e = CodecError::from(wsframe::Error::InvalidUtf8);
/// assert_eq!(e.close_code().map(|c| c.as_u16()), Some(1007));
/// let io: std::io::Error = e.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CodecError {
    /// The peer broke RFC 6455 (or a limit): send
    /// [`CodecError::close_message`], then end the connection (§7.1.7).
    Protocol(Error),
    /// A message this side gave could not be encoded (a control payload
    /// over 125 bytes, a close code that may not be sent, a second Close).
    Encode(EncodeError),
    /// The transport failed, or ended inside a frame
    /// ([`io::ErrorKind::UnexpectedEof`]).
    Io(io::Error),
}

impl CodecError {
    /// The close code to send for this error: the protocol error's (1002,
    /// 1007 or 1009); `None` for an encode or I/O error, where no Close is
    /// due (an I/O error is 1006, which is never sent).
    ///
    /// ```
    /// use wsframe::codec::CodecError;
    /// assert_eq!(CodecError::from(wsframe::Error::MessageTooBig).close_code().map(|c| c.as_u16()), Some(1009));
    /// assert_eq!(CodecError::from(std::io::Error::other("x")).close_code(), None);
    /// ```
    #[must_use]
    pub fn close_code(&self) -> Option<CloseCode> {
        match self {
            CodecError::Protocol(e) => Some(e.close_code()),
            CodecError::Encode(_) | CodecError::Io(_) => None,
        }
    }

    /// The Close to send for this error, if one is due: its close code and
    /// the broken rule as the reason. Send it with the same codec (in the
    /// Client role it is masked).
    ///
    /// ```
    /// use wsframe::{codec::{CodecError, Message}, CloseCode};
    /// let close = CodecError::from(wsframe::Error::ReservedOpcode).close_message();
    /// assert!(matches!(close, Some(Message::Close { code: Some(CloseCode::PROTOCOL_ERROR), .. })));
    /// ```
    #[must_use]
    pub fn close_message(&self) -> Option<Message> {
        match self {
            CodecError::Protocol(e) => Some(Message::close(Some(e.close_code()), e.as_str())),
            CodecError::Encode(_) | CodecError::Io(_) => None,
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Protocol(e) => write!(f, "{} ({})", e, e.close_code().as_u16()),
            CodecError::Encode(e) => write!(f, "cannot encode: {}", e.as_str()),
            CodecError::Io(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            CodecError::Protocol(e) => Some(e),
            CodecError::Encode(e) => Some(e),
            CodecError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for CodecError {
    fn from(e: io::Error) -> Self {
        CodecError::Io(e)
    }
}

impl From<Error> for CodecError {
    fn from(e: Error) -> Self {
        CodecError::Protocol(e)
    }
}

impl From<EncodeError> for CodecError {
    fn from(e: EncodeError) -> Self {
        CodecError::Encode(e)
    }
}

impl From<CodecError> for io::Error {
    /// A protocol error becomes [`io::ErrorKind::InvalidData`], an encode
    /// error [`io::ErrorKind::InvalidInput`]; the wsframe error is the source.
    fn from(e: CodecError) -> Self {
        match e {
            CodecError::Protocol(e) => io::Error::new(io::ErrorKind::InvalidData, e),
            CodecError::Encode(e) => io::Error::new(io::ErrorKind::InvalidInput, e),
            CodecError::Io(e) => e,
        }
    }
}

/// The message being gathered from its fragments.
#[derive(Debug, Default)]
struct Gathering {
    text: bool,
    bytes: BytesMut,
}

/// A WebSocket [`Decoder`] and [`Encoder`] of [`Message`]s, for one role.
///
/// Received messages are judged by the crate's [`Receiver`] with its
/// [`Config`] (the role is the codec's; RSV bits are not allowed, as the
/// codec speaks no extension). Sent messages are one frame each, or
/// fragments of [`Codec::with_fragment_size`] bytes; in the Client role
/// every frame is masked with a fresh key from the [`KeySource`].
///
/// ```
/// use bytes::BytesMut;
/// use tokio_util::codec::{Decoder, Encoder};
/// use wsframe::codec::{Codec, Message};
/// use wsframe::{Config, MaskingKey};
///
/// let mut client = Codec::client(Config::client(), || MaskingKey::new([1, 2, 3, 4]));
/// let mut server = Codec::server(Config::server());
/// let mut wire = BytesMut::new();
/// client.encode(Message::text("Hello"), &mut wire)?;
/// assert_eq!(wire[1], 0x85); // masked, 5 bytes
/// assert_eq!(server.decode(&mut wire)?, Some(Message::text("Hello")));
/// # Ok::<(), wsframe::codec::CodecError>(())
/// ```
pub struct Codec {
    rx: Receiver,
    keys: Option<Box<dyn KeySource + Send>>,
    fragment: usize,
    /// A fragmented message being gathered.
    gathering: Option<Gathering>,
    /// The payload so far of a message's first frame, at the front of the
    /// read buffer (unmasked in place).
    kept: usize,
    /// Whether that message is text.
    text: bool,
    /// The length of the last fragmented message: the next one's first
    /// capacity.
    gather_hint: usize,
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Codec")
            .field("rx", &self.rx)
            .field("keys", &self.keys.as_ref().map(|_| "KeySource"))
            .field("fragment", &self.fragment)
            .field("gathering", &self.gathering)
            .field("kept", &self.kept)
            .finish_non_exhaustive()
    }
}

impl Codec {
    /// A server's codec: it receives masked frames and sends unmasked ones.
    /// `config`'s limits and length rule apply; its role becomes
    /// [`Role::Server`].
    ///
    /// ```
    /// let codec = wsframe::codec::Codec::server(wsframe::Config::server().with_max_message_len(1 << 20));
    /// assert_eq!(codec.config().max_message_len(), 1 << 20);
    /// ```
    #[must_use]
    pub fn server(config: Config) -> Self {
        Self::new(config.with_role(Role::Server), None)
    }

    /// A client's codec: it receives unmasked frames and masks each frame
    /// it sends with a fresh key from `keys` (RFC 6455 §5.3).
    ///
    /// ```
    /// use wsframe::{codec::Codec, Config, MaskingKey, Role};
    /// let codec = Codec::client(Config::client(), || MaskingKey::new([9; 4]));
    /// assert_eq!(codec.config().role(), Role::Client);
    /// ```
    #[must_use]
    pub fn client(config: Config, keys: impl KeySource + Send + 'static) -> Self {
        Self::new(config.with_role(Role::Client), Some(Box::new(keys)))
    }

    fn new(config: Config, keys: Option<Box<dyn KeySource + Send>>) -> Self {
        Codec {
            rx: Receiver::new(config.with_allowed_rsv(0)),
            keys,
            fragment: usize::MAX,
            gathering: None,
            kept: 0,
            text: false,
            gather_hint: 0,
        }
    }

    /// The same codec, sending Text and Binary messages in fragments of at
    /// most `bytes` payload bytes (0: one frame each, the default).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use tokio_util::codec::Encoder;
    /// use wsframe::{codec::{Codec, Message}, Config};
    /// let mut codec = Codec::server(Config::server()).with_fragment_size(2);
    /// let mut out = BytesMut::new();
    /// codec.encode(Message::text("abc"), &mut out)?;
    /// assert_eq!(out[..], *b"\x01\x02ab\x80\x01c");
    /// # Ok::<(), wsframe::codec::CodecError>(())
    /// ```
    #[must_use]
    pub fn with_fragment_size(mut self, bytes: usize) -> Self {
        self.fragment = if bytes == 0 { usize::MAX } else { bytes };
        self
    }

    /// The configuration received frames are judged by.
    ///
    /// ```
    /// let codec = wsframe::codec::Codec::server(wsframe::Config::client());
    /// assert_eq!(codec.config().role(), wsframe::Role::Server);
    /// ```
    #[must_use]
    pub fn config(&self) -> &Config {
        self.rx.config()
    }

    /// Where the connection stands (the close handshake, or the error).
    ///
    /// ```
    /// let codec = wsframe::codec::Codec::server(wsframe::Config::server());
    /// assert_eq!(codec.state(), wsframe::State::Open);
    /// ```
    #[must_use]
    pub fn state(&self) -> State {
        self.rx.state()
    }

    /// The key for the next frame: the Client role's, none for a server.
    fn key(&mut self) -> Option<MaskingKey> {
        self.keys.as_mut().map(|keys| keys.masking_key())
    }

    /// A data message, one frame or in fragments.
    fn put_data(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        dst: &mut BytesMut,
    ) -> Result<(), EncodeError> {
        if payload.len() <= self.fragment {
            let header = FrameHeader::new(true, 0, opcode, self.key(), payload.len() as u64)?;
            dst.reserve(header.encoded_len() + payload.len());
            put_frame(&header, payload, dst)?;
            return Ok(());
        }
        for (header, chunk) in Fragmenter::new(opcode, payload, self.fragment)? {
            let header = header.with_masking_key(self.key());
            put_frame(&header, chunk, dst)?;
        }
        Ok(())
    }

    /// A Close: this side's (starting the handshake or answering the
    /// peer's), or the one answering an error.
    fn put_close(
        &mut self,
        code: Option<CloseCode>,
        reason: &str,
        dst: &mut BytesMut,
    ) -> Result<(), EncodeError> {
        let key = self.key();
        let mut frame = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        let n = match self.rx.close(code, reason, key, &mut frame) {
            Ok(n) => n,
            // After an error the Close is the error's answer.
            Err(EncodeError::AlreadyClosed) if matches!(self.rx.state(), State::Failed(_)) => {
                return put_close(code, reason, key, dst).map(drop);
            }
            Err(e) => return Err(e),
        };
        dst.extend_from_slice(frame.get(..n).unwrap_or(&[]));
        Ok(())
    }
}

/// Where a piece of a data message is, in the input given to `read`.
#[derive(Clone, Copy)]
struct PieceAt {
    text: bool,
    first: bool,
    last: bool,
    /// Where the piece starts in the input given to `read`.
    offset: usize,
    len: usize,
}

/// What one event is, taken out of the borrow of the buffer.
enum Took {
    Nothing,
    Piece(PieceAt),
    Message(Message),
    /// A Ping or Pong whose whole frame was in the input given to `read`:
    /// its payload is the last `len` bytes consumed, unmasked in place.
    InPlace {
        ping: bool,
        len: usize,
    },
}

impl Codec {
    /// The first frame of the message so far (`src[..kept]`, unmasked)
    /// turns out not to be its only frame: gather it.
    fn gather_kept(&mut self, src: &mut BytesMut, text: bool) {
        // Sized as the last fragmented message was, so that a stream of
        // similar messages is gathered without growing the buffer.
        let hint = self.gather_hint;
        let gathering = self.gathering.get_or_insert_with(|| Gathering {
            text,
            bytes: BytesMut::with_capacity(hint),
        });
        gathering
            .bytes
            .extend_from_slice(src.get(..self.kept).unwrap_or(&[]));
        src.advance(self.kept);
        self.kept = 0;
    }

    /// A piece of a message that is not a one-frame message whole in
    /// `src` (`used` bytes consumed): kept at the front of `src` while it
    /// may still be one, else gathered; the message once it is whole.
    fn piece(&mut self, src: &mut BytesMut, used: usize, p: PieceAt) -> Option<Message> {
        let PieceAt {
            text,
            first,
            last,
            offset,
            len,
        } = p;
        if self.gathering.is_none() {
            // The message's first frame: its payload so far
            // stays at the front of `src`.
            if first {
                self.text = text;
            }
            // Drop the header bytes before the piece.
            let header = offset;
            if header > 0 {
                if self.kept > 0 {
                    let text = self.text;
                    self.gather_kept(src, text);
                    src.advance(header);
                    let payload = src.get(..len).unwrap_or(&[]);
                    if let Some(g) = self.gathering.as_mut() {
                        g.bytes.extend_from_slice(payload);
                    }
                    src.advance(len);
                } else {
                    src.advance(header);
                    self.kept = len;
                }
            } else {
                self.kept += len;
            }
            if last && self.gathering.is_none() {
                let payload = src.split_to(self.kept).freeze();
                self.kept = 0;
                return Some(Self::data(self.text, payload));
            }
            if !last && self.rx.needed() == 0 && self.kept > 0 {
                // The frame ended and the message goes on.
                let text = self.text;
                self.gather_kept(src, text);
            }
        } else {
            let start = self.kept + offset;
            let payload = src.get(start..start + len).unwrap_or(&[]);
            if let Some(g) = self.gathering.as_mut() {
                g.bytes.extend_from_slice(payload);
            }
            src.advance(self.kept + used);
            self.kept = 0;
        }
        if last {
            let Gathering { text, bytes } = self.gathering.take().unwrap_or_default();
            self.gather_hint = bytes.len();
            return Some(Self::data(text, bytes.freeze()));
        }
        None
    }

    /// A whole data message.
    fn data(text: bool, payload: Bytes) -> Message {
        if text {
            // Checked by the receiver as it arrived.
            Message::Text(Utf8Bytes(payload))
        } else {
            Message::Binary(payload)
        }
    }
}

impl Decoder for Codec {
    type Item = Message;
    type Error = CodecError;

    /// Reads the next message from `src`. A message's first frame stays in
    /// `src`, unmasked in place, until it is whole (then it is handed out
    /// without a copy if it was the message's only frame); the frames of a
    /// fragmented message are gathered once. `src` holds at most a frame
    /// (at most [`Config::max_frame_payload`]) and a read.
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Message>, CodecError> {
        loop {
            let input = src.get_mut(self.kept..).unwrap_or(&mut []);
            if input.is_empty() {
                // Room for the rest of the frame (bounded: a header over the
                // limits failed at its length field).
                let needed = usize::try_from(self.rx.needed()).unwrap_or(0);
                src.reserve(needed);
                return Ok(None);
            }
            let base = input.as_ptr() as usize;
            let (used, took) = match self.rx.read(input) {
                Ok((used, event)) => (used, took(event, base, used)),
                Err(e) => return Err(e.into()),
            };
            match took {
                Took::Nothing | Took::Message(_) | Took::InPlace { .. } => {
                    if self.kept > 0 {
                        // Cannot happen: inside a data frame every byte is
                        // a piece. Keep the order anyway.
                        let text = self.gathering.as_ref().is_some_and(|g| g.text);
                        self.gather_kept(src, text);
                    }
                    match took {
                        Took::Message(message) => {
                            src.advance(used);
                            return Ok(Some(message));
                        }
                        Took::InPlace { ping, len } => {
                            // Handed out without a copy, as data payloads are.
                            let mut payload = src.split_to(used).freeze();
                            payload.advance(used.saturating_sub(len));
                            return Ok(Some(if ping {
                                Message::Ping(payload)
                            } else {
                                Message::Pong(payload)
                            }));
                        }
                        _ => src.advance(used),
                    }
                }
                Took::Piece(p)
                    if p.first && p.last && self.kept == 0 && self.gathering.is_none() =>
                {
                    // The usual case: a one-frame message whole in `src`,
                    // handed out without a copy.
                    let mut payload = src.split_to(p.offset + p.len).freeze();
                    payload.advance(p.offset);
                    return Ok(Some(Self::data(p.text, payload)));
                }
                Took::Piece(p) => {
                    if let Some(message) = self.piece(src, used, p) {
                        return Ok(Some(message));
                    }
                }
            }
        }
    }

    /// At the end of the stream: what [`Decoder::decode`] finds, and an
    /// [`io::ErrorKind::UnexpectedEof`] error if the stream ended inside a
    /// frame or a message.
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, CodecError> {
        if let Some(message) = self.decode(buf)? {
            return Ok(Some(message));
        }
        let open = matches!(self.rx.state(), State::Open | State::CloseSent);
        if open && (self.rx.needed() > 0 || self.rx.in_message()) {
            return Err(CodecError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the stream ended inside a frame",
            )));
        }
        Ok(None)
    }
}

/// The event as owned data: data pieces as their place in the input that
/// starts at address `base`. A control event ends its frame, so its payload
/// is the last bytes of the `used` the call consumed, unmasked in place,
/// unless the frame's payload began in an earlier input (`used` is then
/// shorter than it): a Ping or Pong is its length, or else a copy (at most
/// 125 bytes).
fn took(event: Option<Event<'_>>, base: usize, used: usize) -> Took {
    match event {
        Some(Event::Piece(p)) => Took::Piece(PieceAt {
            text: p.opcode == Opcode::Text,
            first: p.first,
            last: p.last,
            offset: (p.payload.as_ptr() as usize).wrapping_sub(base),
            len: p.payload.len(),
        }),
        Some(Event::Ping(p)) if p.len() <= used => Took::InPlace {
            ping: true,
            len: p.len(),
        },
        Some(Event::Pong(p)) if p.len() <= used => Took::InPlace {
            ping: false,
            len: p.len(),
        },
        Some(Event::Ping(p)) => Took::Message(Message::Ping(Bytes::copy_from_slice(p))),
        Some(Event::Pong(p)) => Took::Message(Message::Pong(Bytes::copy_from_slice(p))),
        Some(Event::Close { code, reason }) => Took::Message(Message::Close {
            code,
            reason: reason.into(),
        }),
        // None, or (never here) a header event, a whole message or a
        // compressed one: header events are off, there is no message
        // buffer, and RSV1 is not allowed.
        _ => Took::Nothing,
    }
}

impl Encoder<Message> for Codec {
    type Error = CodecError;

    fn encode(&mut self, message: Message, dst: &mut BytesMut) -> Result<(), CodecError> {
        match message {
            Message::Text(text) => self.put_data(Opcode::Text, text.as_bytes(), dst)?,
            Message::Binary(payload) => self.put_data(Opcode::Binary, &payload, dst)?,
            Message::Ping(payload) => {
                let header =
                    FrameHeader::new(true, 0, Opcode::Ping, self.key(), payload.len() as u64)?;
                put_frame(&header, &payload, dst)?;
            }
            Message::Pong(payload) => {
                let header =
                    FrameHeader::new(true, 0, Opcode::Pong, self.key(), payload.len() as u64)?;
                put_frame(&header, &payload, dst)?;
            }
            Message::Close { code, reason } => self.put_close(code, reason.as_str(), dst)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    fn key() -> MaskingKey {
        MaskingKey::new([0x37, 0xfa, 0x21, 0x3d])
    }

    /// Frames as a client sends them, through the client codec.
    fn client_wire(messages: &[Message], fragment: usize) -> BytesMut {
        let mut client = Codec::client(Config::client(), key).with_fragment_size(fragment);
        let mut wire = BytesMut::new();
        for m in messages {
            client.encode(m.clone(), &mut wire).unwrap();
        }
        wire
    }

    fn decode_all(codec: &mut Codec, wire: &[u8], chunk: usize) -> Vec<Message> {
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for piece in wire.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Some(m) = codec.decode(&mut buf).unwrap() {
                out.push(m);
            }
        }
        assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
        out
    }

    #[test]
    fn messages_survive_any_split_and_fragmentation() {
        let messages = [
            Message::text("héllo wörld 🦀"),
            Message::binary(std::vec![7u8; 300]),
            // Cut inside its payload by the small chunks: copied then.
            Message::Ping(Bytes::from_static(b"ping payload")),
            Message::text(""),
            Message::binary(Vec::new()),
            Message::Pong(Bytes::new()),
            Message::close(Some(CloseCode::NORMAL), "bye"),
        ];
        for fragment in [0, 1, 3, 200] {
            let wire = client_wire(&messages, fragment);
            for chunk in [1, 2, 7, wire.len()] {
                let got = decode_all(&mut Codec::server(Config::server()), &wire, chunk);
                assert_eq!(got, messages, "fragment {fragment}, chunk {chunk}");
            }
        }
    }

    #[test]
    fn control_frames_between_fragments_come_first() {
        let mut wire = BytesMut::new();
        let k = Some(key());
        for (fin, op, payload) in [
            (false, Opcode::Text, &b"ab"[..]),
            (true, Opcode::Ping, b"x"),
            (true, Opcode::Continuation, b"c"),
        ] {
            let h = FrameHeader::new(fin, 0, op, k, payload.len() as u64).unwrap();
            put_frame(&h, payload, &mut wire).unwrap();
        }
        let got = decode_all(&mut Codec::server(Config::server()), &wire, wire.len());
        assert_eq!(
            got,
            [
                Message::Ping(Bytes::from_static(b"x")),
                Message::text("abc")
            ]
        );
    }

    /// Where a message's payload is in memory.
    fn payload_at(message: &Message) -> usize {
        match message {
            Message::Text(t) => t.as_bytes().as_ptr() as usize,
            Message::Binary(b) | Message::Ping(b) | Message::Pong(b) => b.as_ptr() as usize,
            Message::Close { reason, .. } => reason.as_bytes().as_ptr() as usize,
        }
    }

    #[test]
    fn a_frame_whole_in_the_buffer_is_handed_out_without_a_copy() {
        let wire = b"\x82\x03abc\x81\x02hi\x89\x02pi\x8a\x03pon\x8a\x00";
        let mut buf = BytesMut::from(&wire[..]);
        let start = buf.as_ptr() as usize;
        let mut codec = Codec::client(Config::client(), key);
        // Each message, and where its payload starts in `wire`.
        for (expected, at) in [
            (Message::binary(Bytes::from_static(b"abc")), 2),
            (Message::text("hi"), 7),
            (Message::Ping(Bytes::from_static(b"pi")), 11),
            (Message::Pong(Bytes::from_static(b"pon")), 15),
        ] {
            let got = codec.decode(&mut buf).unwrap().unwrap();
            assert_eq!(got, expected);
            assert_eq!(payload_at(&got) - start, at, "{expected:?}");
        }
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Message::Pong(Bytes::new()))
        );
        assert!(buf.is_empty());
        // A Ping or Pong whose payload began in an earlier read: its start
        // is gone from the buffer, so the rest is gathered by the receiver
        // and copied.
        for (opcode, expected) in [
            (0x89, Message::Ping(Bytes::from_static(b"ping"))),
            (0x8a, Message::Pong(Bytes::from_static(b"ping"))),
        ] {
            let mut buf = BytesMut::from(&[opcode, 0x04, b'p', b'i'][..]);
            assert_eq!(codec.decode(&mut buf).unwrap(), None);
            buf.extend_from_slice(b"ng");
            assert_eq!(codec.decode(&mut buf).unwrap(), Some(expected));
        }
    }

    /// A one-frame message whose payload comes in several reads stays at
    /// the front of the read buffer as it arrives: handed out without a
    /// copy too, as long as the buffer did not have to grow.
    #[test]
    fn a_frame_read_in_pieces_is_kept_in_place() {
        let wire = b"\x82\x06abcdef";
        for cuts in [[3, 5], [2, 4], [4, 7]] {
            let mut buf = BytesMut::with_capacity(64);
            let start = buf.as_ptr() as usize;
            let mut codec = Codec::client(Config::client(), key);
            let mut at = 0;
            for cut in cuts {
                buf.extend_from_slice(&wire[at..cut]);
                at = cut;
                assert_eq!(codec.decode(&mut buf).unwrap(), None);
            }
            buf.extend_from_slice(&wire[at..]);
            let got = codec.decode(&mut buf).unwrap().unwrap();
            assert_eq!(got, Message::binary(&b"abcdef"[..]));
            assert_eq!(payload_at(&got) - start, 2, "{cuts:?}");
        }
        // A message whose first frame is empty: the receiver reports no
        // piece for it, so its last frame is handed out in place as a
        // one-frame message is.
        let mut buf = BytesMut::from(&b"\x02\x00\x80\x03abc"[..]);
        let start = buf.as_ptr() as usize;
        let mut codec = Codec::client(Config::client(), key);
        let got = codec.decode(&mut buf).unwrap().unwrap();
        assert_eq!(got, Message::binary(&b"abc"[..]));
        assert_eq!(payload_at(&got) - start, 4);
    }

    #[test]
    fn utf8_bytes_converts_checks_and_prints_its_text() {
        let owned = Utf8Bytes::from(String::from("héllo"));
        assert_eq!(owned, Utf8Bytes::from("héllo"));
        assert_eq!(owned.as_str(), "héllo");
        assert_eq!(owned.clone().into_bytes(), "héllo".as_bytes());
        assert_eq!(std::format!("{owned}"), "héllo");
        assert_eq!(std::format!("{owned:?}"), "\"héllo\"");
        let checked = Utf8Bytes::try_from(Bytes::from_static("héllo".as_bytes()));
        assert_eq!(checked, Ok(owned));
        assert_eq!(
            Utf8Bytes::try_from(Bytes::from_static(b"h\xc3")),
            Err(Error::InvalidUtf8)
        );
    }

    #[test]
    fn a_codec_error_s_source_is_the_error_inside() {
        use core::error::Error as _;
        use std::string::ToString;
        let errors = [
            CodecError::Protocol(Error::ReservedOpcode),
            CodecError::Encode(EncodeError::AlreadyClosed),
            CodecError::Io(io::Error::new(io::ErrorKind::UnexpectedEof, "cut")),
        ];
        let inner = [
            Error::ReservedOpcode.to_string(),
            EncodeError::AlreadyClosed.to_string(),
            String::from("cut"),
        ];
        for (e, text) in errors.iter().zip(inner) {
            assert_eq!(e.source().map(ToString::to_string), Some(text));
        }
    }

    #[test]
    fn a_codec_shows_its_config_and_state() {
        let config = Config::server().with_max_frame_payload(1234);
        let codec = Codec::server(config).with_fragment_size(99);
        assert_eq!(codec.config().max_frame_payload(), 1234);
        assert_eq!(codec.config().role(), Role::Server);
        let shown = std::format!("{codec:?}");
        assert!(shown.starts_with("Codec { rx: Receiver"), "{shown}");
        assert!(shown.contains("keys: None, fragment: 99"), "{shown}");
        let client = Codec::client(Config::client(), key);
        assert!(std::format!("{client:?}").contains("keys: Some(\"KeySource\")"));
    }

    /// Each broken rule: the error, its close code, and the Close to send.
    #[test]
    fn errors_carry_their_close_code() {
        let cases: [(&[u8], Error, u16); 4] = [
            (b"\x83\x80\0\0\0\0", Error::ReservedOpcode, 1002),
            (b"\x81\x00", Error::UnmaskedClientFrame, 1002),
            (b"\x81\x81\0\0\0\0\xff", Error::InvalidUtf8, 1007),
            // 2 MiB announced: judged at the length field, nothing buffered.
            (b"\x82\xff\0\0\0\0\0\x20\0\0", Error::MessageTooBig, 1009),
        ];
        for (wire, error, code) in cases {
            let mut codec = Codec::server(Config::server().with_max_frame_payload(u64::MAX));
            let mut buf = BytesMut::from(wire);
            let e = codec.decode(&mut buf).unwrap_err();
            assert!(matches!(e, CodecError::Protocol(x) if x == error), "{e}");
            assert_eq!(e.close_code().map(CloseCode::as_u16), Some(code));
            assert!(buf.capacity() < 64, "the buffer did not grow");
            // The Close for it, in one call; then nothing more is sent.
            let mut out = BytesMut::new();
            codec.encode(e.close_message().unwrap(), &mut out).unwrap();
            assert_eq!(out[2..4], code.to_be_bytes());
            assert_eq!(&out[4..], error.as_str().as_bytes());
            let io: io::Error = e.into();
            assert_eq!(io.kind(), io::ErrorKind::InvalidData);
            // Poisoned.
            assert!(codec.decode(&mut BytesMut::from(&b"\x81"[..])).is_err());
        }
    }

    #[test]
    fn the_stream_ending_inside_a_frame_is_an_io_error() {
        let wire = client_wire(&[Message::text("hello")], 0);
        for cut in 1..wire.len() {
            let mut codec = Codec::server(Config::server());
            let mut buf = BytesMut::from(&wire[..cut]);
            assert_eq!(codec.decode(&mut buf).unwrap(), None);
            let e = codec.decode_eof(&mut buf).unwrap_err();
            assert_eq!(e.close_code(), None);
            let CodecError::Io(io) = e else { panic!() };
            assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        }
    }

    #[test]
    fn the_close_handshake_and_encode_errors() {
        let mut server = Codec::server(Config::server());
        let mut buf = client_wire(&[Message::close(Some(CloseCode::GOING_AWAY), "")], 0);
        let Some(Message::Close { code, .. }) = server.decode(&mut buf).unwrap() else {
            panic!()
        };
        assert_eq!(server.state(), State::CloseReceived(code));
        let mut out = BytesMut::new();
        server.encode(Message::close(code, ""), &mut out).unwrap();
        assert_eq!(out[..], [0x88, 0x02, 0x03, 0xE9]);
        assert_eq!(server.state(), State::Closed);
        let e = server
            .encode(Message::close(None, ""), &mut out)
            .unwrap_err();
        assert!(matches!(e, CodecError::Encode(EncodeError::AlreadyClosed)));
        assert_eq!(io::Error::from(e).kind(), io::ErrorKind::InvalidInput);
        let e = server
            .encode(Message::Ping(Bytes::from(std::vec![0; 126])), &mut out)
            .unwrap_err();
        assert!(matches!(
            e,
            CodecError::Encode(EncodeError::ControlFrameTooLong)
        ));
        let e = server
            .encode(Message::close(CloseCode::new(1005), ""), &mut out)
            .unwrap_err();
        assert!(matches!(e, CodecError::Encode(_)), "{e}");
    }

    #[test]
    fn a_client_masks_and_reads_unmasked_frames() {
        let mut server = Codec::server(Config::server());
        let mut client = Codec::client(Config::client(), key);
        let mut wire = BytesMut::new();
        server
            .encode(Message::text("to client"), &mut wire)
            .unwrap();
        assert_eq!(wire[1], 9, "unmasked");
        assert_eq!(
            client.decode(&mut wire).unwrap(),
            Some(Message::text("to client"))
        );
        client
            .encode(Message::binary(&b"up"[..]), &mut wire)
            .unwrap();
        assert_eq!(wire[1], 0x82, "masked");
        assert_eq!(wire[2..6], key().to_bytes());
        // A masked frame to a client is a protocol error.
        let mut masked = client_wire(&[Message::text("x")], 0);
        let e = Codec::client(Config::client(), key)
            .decode(&mut masked)
            .unwrap_err();
        assert_eq!(e.close_code(), Some(CloseCode::PROTOCOL_ERROR));
    }

    /// Mutated streams (valid messages with random bytes overwritten), fed
    /// whole and in random pieces: never a panic, the same messages and the
    /// same verdict whatever the pieces, and the read buffer never holds
    /// more than a frame under the limit plus a piece.
    #[test]
    fn mutated_streams_give_the_same_verdict_at_any_split() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let limit = 4096u64;
        let config = Config::server()
            .with_max_frame_payload(limit)
            .with_max_message_len(limit);
        let (mut failed, mut clean) = (0, 0);
        for _ in 0..3000 {
            let mut messages = Vec::new();
            for _ in 0..(next() % 5) {
                let len = usize::try_from(next() % 300).unwrap();
                messages.push(match next() % 3 {
                    0 => Message::text("é".repeat(len / 2)),
                    1 => Message::binary(std::vec![7u8; len]),
                    _ => Message::Ping(Bytes::from(std::vec![1u8; len % 126])),
                });
            }
            if next() % 2 == 0 {
                messages.push(Message::close(Some(CloseCode::NORMAL), "r"));
            }
            let fragment = usize::try_from(next() % 200).unwrap();
            let mut wire = client_wire(&messages, fragment).to_vec();
            for _ in 0..(next() % 4) {
                if !wire.is_empty() {
                    let at = usize::try_from(next()).unwrap() % wire.len();
                    wire[at] = u8::try_from(next() % 256).unwrap();
                }
            }
            let run = |pieces: &mut dyn FnMut() -> usize| {
                let mut codec = Codec::server(config);
                let mut buf = BytesMut::new();
                let mut out = Vec::new();
                let mut at = 0;
                while at < wire.len() {
                    let n = pieces().min(wire.len() - at);
                    buf.extend_from_slice(&wire[at..at + n]);
                    at += n;
                    loop {
                        match codec.decode(&mut buf) {
                            Ok(Some(m)) => out.push(std::format!("{m:?}")),
                            Ok(None) => break,
                            Err(e) => {
                                out.push(std::format!("{e}"));
                                return out;
                            }
                        }
                    }
                    assert!(buf.len() as u64 <= limit + 14 + 64, "{}", buf.len());
                }
                match codec.decode_eof(&mut buf) {
                    Ok(m) => out.push(std::format!("{m:?}")),
                    Err(e) => out.push(std::format!("eof: {}", e.close_code().is_none())),
                }
                out
            };
            let whole = run(&mut || usize::MAX);
            let mut piece = || usize::try_from(next() % 64).unwrap() + 1;
            assert_eq!(run(&mut piece), whole, "{wire:?}");
            let verdict = whole.last().map_or("", String::as_str);
            failed += usize::from(verdict.ends_with(')') && verdict.contains(" (10"));
            clean += usize::from(verdict == "None");
        }
        // Neither vacuous nor all broken.
        assert!(
            failed > 300 && clean > 300,
            "{failed} failed, {clean} clean"
        );
    }
}
