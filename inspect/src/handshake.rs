//! The opening handshake (RFC 6455 §4): the client's HTTP/1.1 Upgrade
//! request and the server's 101 response, read with `httparse`.

use base64::Engine as _;
use sha1::{Digest as _, Sha1};

/// The longest request or response head read before giving up.
pub const MAX_HEAD: usize = 16 * 1024;

/// The GUID that RFC 6455 §4.2.2 appends to `Sec-WebSocket-Key`.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// What a head turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head<T> {
    /// Complete: its length in bytes and what it says.
    Complete(usize, T),
    /// More bytes are needed.
    Partial,
    /// Not HTTP, or longer than [`MAX_HEAD`]: the reason.
    Invalid(String),
}

/// The client's request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The method and path, e.g. `GET /chat`.
    pub method: String,
    /// The path.
    pub path: String,
    /// `Upgrade: websocket` and `Connection: Upgrade` present.
    pub upgrade: bool,
    /// `Sec-WebSocket-Key`.
    pub key: Option<String>,
    /// `Sec-WebSocket-Protocol` offered.
    pub protocols: Option<String>,
    /// `Sec-WebSocket-Extensions` offered.
    pub extensions: Option<String>,
}

/// The server's response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// `Upgrade: websocket` present.
    pub upgrade: bool,
    /// `Sec-WebSocket-Accept`.
    pub accept: Option<String>,
    /// `Sec-WebSocket-Protocol` chosen.
    pub protocol: Option<String>,
    /// `Sec-WebSocket-Extensions` agreed.
    pub extensions: Option<String>,
}

fn header(headers: &[httparse::Header<'_>], name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn has_token(value: Option<&String>, token: &str) -> bool {
    value.is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

fn too_long<T>(buf: &[u8], what: &str) -> Head<T> {
    if buf.len() > MAX_HEAD {
        Head::Invalid(format!("no end of the {what} head within {MAX_HEAD} bytes"))
    } else {
        Head::Partial
    }
}

/// Reads a request head from the start of `buf`.
#[must_use]
pub fn request(buf: &[u8]) -> Head<Request> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => {
            let h = &*req.headers;
            let method = req.method.unwrap_or("").to_string();
            let path = req.path.unwrap_or("").to_string();
            let upgrade = has_token(header(h, "upgrade").as_ref(), "websocket")
                && has_token(header(h, "connection").as_ref(), "upgrade");
            Head::Complete(
                n,
                Request {
                    method,
                    path,
                    upgrade,
                    key: header(h, "sec-websocket-key"),
                    protocols: header(h, "sec-websocket-protocol"),
                    extensions: header(h, "sec-websocket-extensions"),
                },
            )
        }
        Ok(httparse::Status::Partial) => too_long(buf, "request"),
        Err(e) => Head::Invalid(format!("not an HTTP request ({e})")),
    }
}

/// Reads a response head from the start of `buf`.
#[must_use]
pub fn response(buf: &[u8]) -> Head<Response> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut res = httparse::Response::new(&mut headers);
    match res.parse(buf) {
        Ok(httparse::Status::Complete(n)) => {
            let h = &*res.headers;
            Head::Complete(
                n,
                Response {
                    status: res.code.unwrap_or(0),
                    upgrade: has_token(header(h, "upgrade").as_ref(), "websocket"),
                    accept: header(h, "sec-websocket-accept"),
                    protocol: header(h, "sec-websocket-protocol"),
                    extensions: header(h, "sec-websocket-extensions"),
                },
            )
        }
        Ok(httparse::Status::Partial) => too_long(buf, "response"),
        Err(e) => Head::Invalid(format!("not an HTTP response ({e})")),
    }
}

/// The `Sec-WebSocket-Accept` a server must send for `key` (§4.2.2).
#[must_use]
pub fn accept_for(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.trim().as_bytes());
    sha.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// Whether the agreed extensions include permessage-deflate (RFC 7692),
/// which allows RSV1 on a message's first frame.
#[must_use]
pub fn deflate(extensions: Option<&str>) -> bool {
    extensions.is_some_and(|e| {
        e.split(',').any(|ext| {
            ext.split(';')
                .next()
                .is_some_and(|name| name.trim().eq_ignore_ascii_case("permessage-deflate"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_accept() {
        // RFC 6455 §1.3.
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn heads() {
        let req = b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: k\r\n\r\nrest";
        let Head::Complete(n, r) = request(req) else {
            unreachable!()
        };
        assert_eq!(
            (n, r.upgrade, r.key.as_deref()),
            (req.len() - 4, true, Some("k"))
        );
        assert_eq!(request(b"GET / HTTP/1.1\r\nHost"), Head::Partial);
        assert!(matches!(request(b"\x16\x03\x01"), Head::Invalid(_)));
        assert!(deflate(Some("permessage-deflate; client_max_window_bits")));
        assert!(!deflate(Some("x-webkit-deflate-frame")));
    }
}
