//! The opening handshake of RFC 6455 §4, server and client side: no alloc,
//! nothing consumed on [`Status::Partial`](crate::Status::Partial), never a panic.
//!
//! - A **server** parses the client's upgrade request with [`Request::parse`],
//!   which checks every rule of RFC 6455 §4.2.1, then writes the `101
//!   Switching Protocols` answer with [`Request::accept`]; a bad request is a
//!   [`RequestError`] that knows its HTTP status (400, 426 or 431) and writes
//!   that response with [`RequestError::encode_response`].
//! - A **client** writes its request with [`ClientRequest::encode`] (the key
//!   made from 16 random bytes the caller supplies: the crate has no random
//!   source) and checks the server's answer with [`Response::parse`] (RFC 6455
//!   §4.1); a bad answer is a [`ResponseError`] naming the rule it broke.
//! - [`accept_key`] is the `Sec-WebSocket-Accept` computation on its own, for
//!   tools that only check a captured handshake.
//!
//! ```
//! use wsframe::handshake::{AcceptOptions, Request};
//! use wsframe::{Config, Status};
//!
//! // RFC 6455 §1.3: the client's handshake, as the server reads it.
//! let request = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
//!     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!     Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
//!     Sec-WebSocket-Version: 13\r\n\r\n";
//! let Status::Complete((req, used)) = Request::parse(request, 8192)? else {
//!     return Ok(()); // Partial: read more bytes and parse again
//! };
//! assert_eq!((req.path(), used), ("/chat", request.len()));
//!
//! let options = AcceptOptions::new().with_subprotocol("chat");
//! let mut out = [0u8; 256];
//! let n = req.accept(&options, &mut out).unwrap();
//! assert!(out[..n].starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
//! let config: Config = options.config(Config::server()); // frames from here on
//! # let _ = config;
//! # Ok::<(), wsframe::handshake::RequestError>(())
//! ```
//!
//! # Why these crates
//!
//! The HTTP/1.1 head is read by [`httparse`](https://docs.rs/httparse) (the
//! parser under hyper; `no_std` with default features off), `Sec-WebSocket-Accept`
//! is computed with the RustCrypto project's [`sha1`](https://docs.rs/sha1) and
//! [`base64`](https://docs.rs/base64) (both `no_std`, no alloc). None of their
//! types appears in this API. Header values are read as RFC 7230 lists:
//! case-insensitive tokens, separated by commas, over one or more header lines.

mod client;
mod error;
mod server;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha1::{Digest as _, Sha1};

use crate::copy::copy;

pub use client::{ClientRequest, Response};
pub use error::{RequestError, ResponseError, WriteError};
pub use server::{AcceptOptions, Request};

/// The GUID that RFC 6455 §1.3 appends to `Sec-WebSocket-Key` before hashing.
///
/// ```
/// assert_eq!(wsframe::handshake::GUID.len(), 36);
/// ```
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Length of a `Sec-WebSocket-Key` value: 16 bytes in base64.
///
/// ```
/// assert_eq!(wsframe::handshake::encode_key(&[0; 16]).len(), wsframe::handshake::KEY_LEN);
/// ```
pub const KEY_LEN: usize = 24;

/// Length of a `Sec-WebSocket-Accept` value: a 20-byte SHA-1 in base64.
///
/// ```
/// assert_eq!(wsframe::handshake::accept_key(b"").len(), wsframe::handshake::ACCEPT_LEN);
/// ```
pub const ACCEPT_LEN: usize = 28;

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key` value, as
/// RFC 6455 §4.2.2 computes it: base64(SHA-1(key + [`GUID`])). `key` is the
/// header value as sent (base64 text, surrounding whitespace removed).
///
/// ```
/// // RFC 6455 §1.3's example.
/// let accept = wsframe::handshake::accept_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(&accept, b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[must_use]
pub fn accept_key(key: &[u8]) -> [u8; ACCEPT_LEN] {
    let digest = Sha1::new()
        .chain_update(key)
        .chain_update(GUID.as_bytes())
        .finalize();
    let mut out = [0u8; ACCEPT_LEN];
    // 20 bytes are exactly 28 base64 characters, padding included.
    let _ = BASE64.encode_slice(digest.as_slice(), &mut out);
    out
}

/// The `Sec-WebSocket-Key` value for 16 random bytes (RFC 6455 §4.1: a nonce
/// chosen at random for each connection; only the caller has a random source).
///
/// ```
/// // RFC 6455 §4.1's example nonce: the bytes 1 to 16.
/// let nonce = core::array::from_fn(|i| i as u8 + 1);
/// assert_eq!(&wsframe::handshake::encode_key(&nonce), b"AQIDBAUGBwgJCgsMDQ4PEA==");
/// ```
#[must_use]
pub fn encode_key(nonce: &[u8; 16]) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    // 16 bytes are exactly 24 base64 characters, padding included.
    let _ = BASE64.encode_slice(nonce, &mut out);
    out
}

/// Whether `key` is the base64 encoding of exactly 16 bytes (RFC 6455 §4.1,
/// §4.2.1 item 5), with canonical padding.
fn is_valid_key(key: &[u8]) -> bool {
    // Fixed sizes let the optimiser drop the decoder's bounds checks; 18: what
    // the decoder may want for 24 characters before it sees the padding.
    let Ok(key) = <&[u8; KEY_LEN]>::try_from(key) else {
        return false;
    };
    let mut nonce = [0u8; 18];
    BASE64.decode_slice(key, &mut nonce) == Ok(16)
}

/// The elements of comma-separated header values (RFC 7230 §7), over every
/// header line of one name, with the spaces around each removed and empty
/// elements skipped: the offered subprotocols, or the extensions (each with
/// its parameters, e.g. `"permessage-deflate; client_max_window_bits"`).
///
/// ```
/// use wsframe::handshake::Request;
///
/// let head = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     Sec-WebSocket-Protocol: chat ,, superchat\r\nSec-WebSocket-Protocol: v2\r\n\r\n";
/// let (req, _) = Request::parse(head, 1024)?.complete().unwrap();
/// assert!(req.subprotocols().eq(["chat", "superchat", "v2"]));
/// # Ok::<(), wsframe::handshake::RequestError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    fields: Fields<'a>,
    name: &'static str,
    rest: Option<&'a [u8]>,
}

impl<'a> Tokens<'a> {
    fn new(fields: Fields<'a>, name: &'static str) -> Self {
        Tokens {
            fields,
            name,
            rest: None,
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            if let Some(rest) = self.rest {
                let (item, tail) = split_once(rest, b',');
                self.rest = tail;
                // Values were checked to be ASCII when the head was parsed.
                match core::str::from_utf8(item.trim_ascii()) {
                    Ok(item) if !item.is_empty() => return Some(item),
                    _ => continue,
                }
            }
            let (name, value) = self.fields.next()?;
            if name.eq_ignore_ascii_case(self.name.as_bytes()) {
                self.rest = Some(value);
            }
        }
    }
}

/// `bytes` up to the first `sep`, and what follows it (`None` without one).
fn split_once(bytes: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match bytes.iter().position(|&b| b == sep) {
        Some(i) => (
            bytes.get(..i).unwrap_or_default(),
            bytes.get(i.saturating_add(1)..),
        ),
        None => (bytes, None),
    }
}

/// The header fields of a head that httparse has accepted, as `(name, value)`
/// with the value's surrounding spaces removed. httparse has checked the
/// syntax (token names right before the colon, no folded lines); this only
/// finds the lines again, so the lists can be read without storing them.
#[derive(Debug, Clone)]
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The fields of `head`, skipping its start line.
    fn of(head: &'a [u8]) -> Self {
        Fields {
            rest: split_once(head, b'\n').1.unwrap_or_default(),
        }
    }

    /// The first value of the field `name` (case-insensitive).
    fn find(self, name: &str) -> Option<&'a [u8]> {
        values(self, name).next()
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.rest.is_empty() {
            let (line, tail) = split_once(self.rest, b'\n');
            self.rest = tail.unwrap_or_default();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                self.rest = &[]; // the empty line ends the head
                return None;
            }
            if let (name, Some(value)) = split_once(line, b':') {
                return Some((name, value.trim_ascii()));
            }
        }
        None
    }
}

/// The values of every field called `name` (case-insensitive).
fn values<'a, 'n, I>(fields: I, name: &'n str) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n, I>
where
    I: Iterator<Item = (&'a [u8], &'a [u8])>,
{
    fields
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| v)
}

/// How often a field that may appear only once appears.
enum Occurs<'a> {
    /// Once, with this value.
    Once(&'a [u8]),
    /// Not at all.
    Never,
    /// More than once.
    Repeated,
}

/// How often the field `name` appears, and its value if once.
fn occurs<'a>(fields: impl Iterator<Item = (&'a [u8], &'a [u8])>, name: &str) -> Occurs<'a> {
    let mut found = values(fields, name);
    match (found.next(), found.next()) {
        (Some(value), None) => Occurs::Once(value),
        (None, _) => Occurs::Never,
        (Some(_), Some(_)) => Occurs::Repeated,
    }
}

/// Whether any field called `name` lists `token` (case-insensitive).
fn lists<'a>(fields: impl Iterator<Item = (&'a [u8], &'a [u8])>, name: &str, token: &str) -> bool {
    values(fields, name).any(|value| {
        value
            .split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// The name of one extension offer or answer: the part before its first `;`.
fn extension_name(extension: &str) -> &str {
    // `split_once` and `trim_ascii`: no char-boundary slicing, so no panic
    // path for the optimiser to keep.
    extension
        .split_once(';')
        .map_or(extension, |(name, _)| name)
        .trim_ascii()
}

/// The name permessage-deflate (RFC 7692) is negotiated under.
const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// Whether `s` is a non-empty RFC 7230 token (what a subprotocol must be,
/// RFC 6455 §4.1 item 10).
fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `s` holds only visible ASCII, spaces and tabs: safe to put in a
/// header value (no line break can sneak in).
fn is_field_text(s: &[u8]) -> bool {
    s.iter().all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// Whether `s` is non-empty visible ASCII without spaces (a host, a path).
fn is_visible(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// Writes into a caller's buffer; see [`write_with`].
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    /// Appends `bytes` where they fit; counts them either way.
    fn put(&mut self, bytes: &[u8]) {
        let Some(end) = self.len.checked_add(bytes.len()) else {
            self.len = usize::MAX;
            return;
        };
        if let Some(dst) = self.out.get_mut(self.len..end) {
            copy(dst, bytes);
        }
        self.len = end;
    }

    /// Appends `n` in decimal.
    fn put_decimal(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut used = 0;
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
            n /= 10;
            used += 1;
            if n == 0 {
                break;
            }
        }
        let start = digits.len().saturating_sub(used);
        self.put(digits.get(start..).unwrap_or_default());
    }
}

/// Runs `emit` once to measure, then, if `out` is large enough, once to
/// write: on an error, nothing is written.
fn write_with(out: &mut [u8], emit: impl Fn(&mut Writer<'_>)) -> Result<usize, WriteError> {
    let mut measure = Writer {
        out: &mut [],
        len: 0,
    };
    emit(&mut measure);
    if measure.len > out.len() {
        return Err(WriteError::BufferTooSmall {
            needed: measure.len,
            available: out.len(),
        });
    }
    let mut writer = Writer { out, len: 0 };
    emit(&mut writer);
    Ok(writer.len)
}

/// How [`Request::parse`] and [`Response::parse`] read a head: at most
/// `max_head_len` bytes; `Ok(None)` while it is incomplete.
enum HeadLimit {
    /// More header fields than [`Request::MAX_HEADERS`].
    TooManyHeaders,
    /// No complete head within `max_head_len` bytes.
    TooLarge,
    /// Not HTTP/1.x syntax.
    Malformed,
}

/// Maps httparse's verdict on the first `max_head_len` bytes of `input`
/// (`input.len()` of them given to it) to a head length, `None` for an
/// incomplete head, or the reason it cannot be one.
fn head_status(
    verdict: Result<httparse::Status<usize>, httparse::Error>,
    given: usize,
    max_head_len: usize,
) -> Result<Option<usize>, HeadLimit> {
    match verdict {
        Ok(httparse::Status::Complete(len)) => Ok(Some(len)),
        Ok(httparse::Status::Partial) if given >= max_head_len => Err(HeadLimit::TooLarge),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(HeadLimit::TooManyHeaders),
        Err(_) => Err(HeadLimit::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_again_with_either_line_end() {
        let head = b"GET / HTTP/1.1\nA: 1\r\nb:  two words \n\nC: after";
        let fields: std::vec::Vec<_> = Fields::of(head).collect();
        assert_eq!(fields, [(&b"A"[..], &b"1"[..]), (b"b", b"two words")]);
    }

    #[test]
    fn decimal_and_measure() {
        let mut out = [0u8; 8];
        let n = write_with(&mut out, |w| {
            w.put_decimal(0);
            w.put(b"/");
            w.put_decimal(1234);
        })
        .unwrap();
        assert_eq!(&out[..n], b"0/1234");
        let err = write_with(&mut out[..3], |w| w.put_decimal(usize::MAX)).unwrap_err();
        assert_eq!(
            err,
            WriteError::BufferTooSmall {
                needed: usize::MAX.to_string().len(),
                available: 3
            }
        );
        assert_eq!(&out[..3], b"0/1", "nothing written on an error");
    }

    #[test]
    fn keys_must_be_16_bytes_in_canonical_base64() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        for bad in [
            &b"dGhlIHNhbXBsZSBub25jZQ"[..],      // no padding
            b"dGhlIHNhbXBsZSBub25jZR==",         // non-zero trailing bits
            b"dGhlIHNhbXBsZSBub25jZXg=",         // 17 bytes
            b"dGhlIHNhbXBsZSBub25j",             // 15 bytes
            b"dGhlIHNhbXBsZSBub25jZQ==dGhlIHNh", // too long
            b"dGhlIHNhbXBsZSBub25jZQ=!",
        ] {
            assert!(!is_valid_key(bad), "{:?}", core::str::from_utf8(bad));
        }
    }

    use std::string::ToString;
}
