//! The opening handshake (RFC 6455 §4, feature `handshake`): every rule of the
//! server's check (§4.2.1) and of the client's (§4.1) with the error and HTTP
//! status it must give, the RFC's key example, heads split at every byte, the
//! head limit, and the exact bytes of every message the crate writes.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::fmt::Debug;

use wsframe::handshake::{
    accept_key, encode_key, AcceptOptions, ClientRequest, Request, RequestError, Response,
    ResponseError, WriteError,
};
use wsframe::{Config, Status};

/// RFC 6455 §1.2's client handshake.
const REQUEST: &str = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// RFC 6455 §1.2's server handshake, answering [`REQUEST`].
const RESPONSE: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    Sec-WebSocket-Protocol: chat\r\n\r\n";

const LIMIT: usize = 4096;

/// The client whose request is [`REQUEST`]: "the sample nonce" is the 16 bytes
/// whose base64 is RFC 6455's example key.
fn client() -> ClientRequest<'static> {
    ClientRequest::new("server.example.com", "/chat", *b"the sample nonce")
        .with_origin("http://example.com")
        .with_subprotocols(&["chat", "superchat"])
}

/// `base` with the first `from` replaced by `to`; `from` must be there, so a
/// row can never test the unchanged message by mistake.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "{from:?} is not in the message");
    base.replacen(from, to, 1)
}

/// Feeds every prefix of `input` to `parse`: each is `Partial` until the
/// verdict, which never changes as bytes are added, and is the verdict on the
/// whole input. Returns that verdict.
fn at_every_split<'a, T: PartialEq + Debug, E: PartialEq + Debug>(
    input: &'a [u8],
    parse: impl Fn(&'a [u8]) -> Result<Status<T>, E>,
) -> Result<Status<T>, E> {
    let whole = parse(input);
    let mut decided = false;
    for end in 0..=input.len() {
        let verdict = parse(&input[..end]);
        match &verdict {
            Ok(Status::Partial { needed }) => {
                assert!(!decided, "Partial after a verdict at {end}");
                assert_eq!(needed.get(), 1);
            }
            _ if matches!(whole, Ok(Status::Complete(_))) => {
                // A complete head: the same value from its last byte on.
                assert_eq!(verdict, whole, "at {end}");
                decided = true;
            }
            _ => {
                assert_eq!(verdict, whole, "split at {end}");
                decided = true;
            }
        }
    }
    assert!(decided, "no verdict on the whole input");
    whole
}

fn parse_request(input: &str) -> Result<(Request<'_>, usize), RequestError> {
    at_every_split(input.as_bytes(), |b| Request::parse(b, LIMIT))
        .map(|s| s.complete().expect("complete"))
}

fn parse_response(input: &str) -> Result<(Response<'_>, usize), ResponseError> {
    let request = client();
    at_every_split(input.as_bytes(), |b| Response::parse(b, &request, LIMIT))
        .map(|s| s.complete().expect("complete"))
}

#[test]
fn rfc_6455_example_key_and_accept() {
    assert_eq!(
        &accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
        b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert_eq!(
        &encode_key(b"the sample nonce"),
        b"dGhlIHNhbXBsZSBub25jZQ=="
    );
    assert_eq!(&client().key(), b"dGhlIHNhbXBsZSBub25jZQ==");
}

#[test]
fn rfc_6455_example_request_is_accepted_with_its_fields() {
    let (req, used) = parse_request(REQUEST).unwrap();
    assert_eq!(used, REQUEST.len());
    assert_eq!(req.path(), "/chat");
    assert_eq!(req.host(), "server.example.com");
    assert_eq!(req.key(), "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(req.origin(), Some(&b"http://example.com"[..]));
    assert_eq!(
        req.subprotocols().collect::<Vec<_>>(),
        ["chat", "superchat"]
    );
    assert_eq!(req.extensions().count(), 0);
    assert!(!req.offers_permessage_deflate());
}

#[test]
fn rfc_6455_example_response_is_written_exactly() {
    let (req, _) = parse_request(REQUEST).unwrap();
    let mut out = [0u8; 512];
    let options = AcceptOptions::new().with_subprotocol("chat");
    let n = req.accept(&options, &mut out).unwrap();
    assert_eq!(core::str::from_utf8(&out[..n]).unwrap(), RESPONSE);
    // The exact length is enough; one byte less writes nothing.
    let mut exact = vec![0u8; n];
    assert_eq!(req.accept(&options, &mut exact), Ok(n));
    let mut short = vec![0u8; n - 1];
    assert_eq!(
        req.accept(&options, &mut short),
        Err(WriteError::BufferTooSmall {
            needed: n,
            available: n - 1
        })
    );
    assert!(short.iter().all(|&b| b == 0), "nothing written");
}

#[test]
fn the_bytes_after_the_head_are_not_consumed() {
    let with_frame = format!("{REQUEST}\u{81}\u{05}");
    let (_, used) = Request::parse(with_frame.as_bytes(), LIMIT)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, REQUEST.len());
    let with_frame = format!("{RESPONSE}\u{1}");
    let (_, used) = Response::parse(with_frame.as_bytes(), &client(), LIMIT)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, RESPONSE.len());
}

/// One test per row: a request that breaks one rule of RFC 6455 §4.2.1 (or a
/// limit), the error it must give and that error's HTTP status, at every split.
macro_rules! request_rules {
    ($($name:ident: $request:expr => $error:ident, $status:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let request: String = $request;
                assert_eq!(parse_request(&request).map(|_| ()), Err(RequestError::$error));
                assert_eq!(RequestError::$error.status_code(), $status);
            }
        )*
        /// Every variant has at least one row.
        const REQUEST_ROWS: &[RequestError] = &[$(RequestError::$error),*];
    };
}

request_rules! {
    malformed_request_line: edit(REQUEST, "GET /chat HTTP/1.1", "GET /chat HTTP/1.1 extra") => MalformedHead, 400;
    malformed_header_line: edit(REQUEST, "Host: server", "Host server") => MalformedHead, 400;
    tls_on_a_plain_port: "\u{16}\u{3}\u{1}\u{2}\u{0}\u{1}".into() => MalformedHead, 400;
    head_over_the_limit: edit(REQUEST, "Origin", &format!("Cookie: {}\r\nOrigin", "x".repeat(LIMIT))) => HeadTooLarge, 431;
    too_many_header_fields: edit(REQUEST, "Origin", &"X-A: 1\r\n".repeat(Request::MAX_HEADERS)) => TooManyHeaders, 431;
    method_post: edit(REQUEST, "GET", "POST") => NotGet, 400;
    method_lowercase_get: edit(REQUEST, "GET", "get") => NotGet, 400;
    http_1_0: edit(REQUEST, "HTTP/1.1", "HTTP/1.0") => OldHttpVersion, 400;
    host_missing: edit(REQUEST, "Host: server.example.com\r\n", "") => InvalidHost, 400;
    host_repeated: edit(REQUEST, "Host: server.example.com\r\n", "Host: a\r\nHost: b\r\n") => InvalidHost, 400;
    upgrade_missing: edit(REQUEST, "Upgrade: websocket\r\n", "") => MissingUpgrade, 400;
    // Plain HTTP of any method, version or Host is told apart first.
    plain_http_post: "POST /form HTTP/1.0\r\nContent-Length: 0\r\n\r\n".into() => MissingUpgrade, 400;
    upgrade_h2c: edit(REQUEST, "Upgrade: websocket", "Upgrade: h2c") => UpgradeNotWebSocket, 400;
    upgrade_websocket_as_part_of_a_token: edit(REQUEST, "Upgrade: websocket", "Upgrade: websockets") => UpgradeNotWebSocket, 400;
    connection_missing: edit(REQUEST, "Connection: Upgrade\r\n", "") => ConnectionNotUpgrade, 400;
    connection_keep_alive_only: edit(REQUEST, "Connection: Upgrade", "Connection: keep-alive") => ConnectionNotUpgrade, 400;
    version_8: edit(REQUEST, "Version: 13", "Version: 8") => UnsupportedVersion, 426;
    version_missing: edit(REQUEST, "Sec-WebSocket-Version: 13\r\n", "") => UnsupportedVersion, 426;
    version_repeated: edit(REQUEST, "Version: 13\r\n", "Version: 13\r\nSec-WebSocket-Version: 13\r\n") => UnsupportedVersion, 426;
    version_list: edit(REQUEST, "Version: 13", "Version: 13, 8") => UnsupportedVersion, 426;
    key_missing: edit(REQUEST, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "") => MissingKey, 400;
    key_repeated: edit(REQUEST, "Origin", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin") => DuplicateKey, 400;
    key_of_15_bytes: edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25j") => InvalidKey, 400;
    key_of_17_bytes: edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZXg=") => InvalidKey, 400;
    key_without_padding: edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ") => InvalidKey, 400;
    key_not_base64: edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZ!==") => InvalidKey, 400;
    key_empty: edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "") => InvalidKey, 400;
    subprotocol_with_a_space: edit(REQUEST, "chat, superchat", "chat, super chat") => InvalidSubprotocol, 400;
    subprotocol_with_a_slash: edit(REQUEST, "chat, superchat", "chat/1") => InvalidSubprotocol, 400;
    extensions_not_ascii: edit(REQUEST, "Origin", "Sec-WebSocket-Extensions: d\u{e9}flate\r\nOrigin") => InvalidExtensions, 400;
}

#[test]
fn every_request_error_has_a_row() {
    for e in RequestError::ALL {
        assert!(REQUEST_ROWS.contains(e), "no row for {e:?}");
    }
}

#[test]
fn field_values_are_case_insensitive_token_lists() {
    let requests = [
        edit(
            REQUEST,
            "Connection: Upgrade",
            "Connection: keep-alive, Upgrade",
        ),
        edit(
            REQUEST,
            "Connection: Upgrade",
            "Connection: keep-alive\r\nConnection: upgrade",
        ),
        edit(
            REQUEST,
            "Connection: Upgrade",
            "connection:UPGRADE ,keep-alive",
        ),
        edit(REQUEST, "Upgrade: websocket", "UPGRADE: foo/2, WebSocket"),
        edit(REQUEST, "Sec-WebSocket-Key", "sec-websocket-key"),
        edit(
            REQUEST,
            "Sec-WebSocket-Version: 13",
            "SEC-WEBSOCKET-VERSION:13",
        ),
        REQUEST.replace("\r\n", "\n"),
        // Optional whitespace around a value is not part of it (RFC 7230 §3.2):
        // httparse drops it, and these rows fail if it ever stops.
        edit(
            REQUEST,
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Version: \t13 \t",
        ),
        edit(
            REQUEST,
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Key:  dGhlIHNhbXBsZSBub25jZQ== ",
        ),
    ];
    for request in &requests {
        let (req, used) = parse_request(request).unwrap_or_else(|e| panic!("{e}: {request:?}"));
        assert_eq!(
            (req.key(), used),
            ("dGhlIHNhbXBsZSBub25jZQ==", request.len())
        );
    }
}

/// A list field may have empty elements, which a recipient ignores (RFC 7230
/// §7): they are not offered subprotocols or extensions, and the list goes
/// on across repeated fields.
#[test]
fn empty_list_elements_are_skipped() {
    let request = edit(
        REQUEST,
        "Sec-WebSocket-Protocol: chat, superchat",
        "Sec-WebSocket-Protocol: , chat,, superchat ,\r\nSec-WebSocket-Protocol: ,\r\n\
         Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: ,x-a, ,",
    );
    let (req, _) = parse_request(&request).unwrap();
    assert_eq!(
        req.subprotocols().collect::<Vec<_>>(),
        ["chat", "superchat", "mqtt"]
    );
    assert_eq!(req.extensions().collect::<Vec<_>>(), ["x-a"]);
}

#[test]
fn head_limit_is_exact() {
    let bytes = REQUEST.as_bytes();
    let len = bytes.len();
    assert!(Request::parse(bytes, len).unwrap().is_complete());
    assert_eq!(
        Request::parse(bytes, len - 1),
        Err(RequestError::HeadTooLarge)
    );
    // Incomplete and shorter than the limit: wait; as long as the limit: refuse.
    assert!(Request::parse(&bytes[..len - 1], len).unwrap().is_partial());
    assert_eq!(
        Request::parse(&bytes[..len - 1], len - 1),
        Err(RequestError::HeadTooLarge)
    );
    assert_eq!(Request::parse(b"", 0), Err(RequestError::HeadTooLarge));
    let never_ends = b"GET / HTTP/1.1\r\nX: ".repeat(1000);
    assert_eq!(
        Request::parse(&never_ends, LIMIT),
        Err(RequestError::TooManyHeaders)
    );
    let one_long_field = [&b"GET / HTTP/1.1\r\nX: "[..], &[b'y'; 10_000]].concat();
    assert_eq!(
        Request::parse(&one_long_field, LIMIT),
        Err(RequestError::HeadTooLarge)
    );
    let mut response = RESPONSE.as_bytes().to_vec();
    response.truncate(response.len() - 1);
    assert_eq!(
        Response::parse(&response, &client(), response.len()),
        Err(ResponseError::HeadTooLarge)
    );
}

#[test]
fn refusals_are_written_exactly() {
    let mut out = [0u8; 256];
    let cases = [
        (
            RequestError::NotGet,
            "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: 26\r\n\r\n\
             request method is not get\n",
        ),
        (
            RequestError::UnsupportedVersion,
            "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Connection: Upgrade, close\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 50\r\n\r\nsec-websocket-version missing, repeated or not 13\n",
        ),
        (
            RequestError::HeadTooLarge,
            "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Length: 44\r\n\r\n\
             request head longer than the server's limit\n",
        ),
    ];
    for (err, expected) in cases {
        let n = err.encode_response(&mut out).unwrap();
        assert_eq!(core::str::from_utf8(&out[..n]).unwrap(), expected);
    }
    for &err in RequestError::ALL {
        let n = err.encode_response(&mut out).unwrap();
        let mut short = vec![0u8; n - 1];
        assert_eq!(
            err.encode_response(&mut short),
            Err(WriteError::BufferTooSmall {
                needed: n,
                available: n - 1
            })
        );
    }
}

#[test]
fn accept_takes_only_what_the_client_offered() {
    let request = edit(
        REQUEST,
        "Origin",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-other\r\nOrigin",
    );
    let (req, _) = parse_request(&request).unwrap();
    assert!(req.offers_permessage_deflate());
    assert_eq!(
        req.extensions().collect::<Vec<_>>(),
        ["permessage-deflate; client_max_window_bits", "x-other"]
    );
    let mut out = [0u8; 512];
    let cases = [
        (
            AcceptOptions::new().with_subprotocol("mqtt"),
            WriteError::NotOffered,
        ),
        (
            AcceptOptions::new().with_subprotocol("Chat"),
            WriteError::NotOffered,
        ),
        (
            AcceptOptions::new().with_subprotocol("chat\r\nX: 1"),
            WriteError::InvalidField,
        ),
        (
            AcceptOptions::new().with_extensions("x-unknown"),
            WriteError::NotOffered,
        ),
        (
            AcceptOptions::new().with_extensions("permessage-deflate\r\nX: 1"),
            WriteError::InvalidField,
        ),
    ];
    for (options, err) in cases {
        assert_eq!(req.accept(&options, &mut out), Err(err), "{options:?}");
    }
    let options = AcceptOptions::new()
        .with_subprotocol("superchat")
        .with_extensions("permessage-deflate; client_max_window_bits=10");
    let n = req.accept(&options, &mut out).unwrap();
    assert_eq!(
        core::str::from_utf8(&out[..n]).unwrap(),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: superchat\r\n\
         Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n\r\n"
    );
    assert_eq!(options.config(Config::server()).allowed_rsv(), Config::RSV1);
    let plain = AcceptOptions::new().with_extensions("x-other");
    assert_eq!(plain.config(Config::server()).allowed_rsv(), 0);
}

#[test]
fn client_request_is_written_exactly_and_accepted_by_the_server() {
    let mut out = [0u8; 512];
    let n = client().encode(&mut out).unwrap();
    let written = core::str::from_utf8(&out[..n]).unwrap();
    assert_eq!(
        written,
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\
         Sec-WebSocket-Protocol: chat, superchat\r\n\r\n"
    );
    let (req, _) = parse_request(written).unwrap();
    let mut answer = [0u8; 512];
    let options = AcceptOptions::new().with_subprotocol("superchat");
    let m = req.accept(&options, &mut answer).unwrap();
    let answer = core::str::from_utf8(&answer[..m]).unwrap();
    let (response, used) = parse_response(answer).unwrap();
    assert_eq!((response.subprotocol(), used), (Some("superchat"), m));
    assert_eq!(
        client().encode(&mut out[..n - 1]),
        Err(WriteError::BufferTooSmall {
            needed: n,
            available: n - 1
        })
    );
}

#[test]
fn client_request_refuses_values_a_header_cannot_carry() {
    let nonce = [3; 16];
    let bad = [
        ClientRequest::new("", "/", nonce),
        ClientRequest::new("h h", "/", nonce),
        ClientRequest::new("h", "", nonce),
        ClientRequest::new("h", "chat", nonce),
        ClientRequest::new("h", "/\r\nX: 1", nonce),
        ClientRequest::new("h", "/", nonce).with_origin("a\nb"),
        ClientRequest::new("h", "/", nonce).with_subprotocols(&["a b"]),
        ClientRequest::new("h", "/", nonce).with_subprotocols(&[""]),
        ClientRequest::new("h", "/", nonce).with_extensions(&["a, b"]),
        ClientRequest::new("h", "/", nonce).with_extensions(&["x\r\n"]),
    ];
    for request in bad {
        assert_eq!(
            request.encode(&mut [0u8; 512]),
            Err(WriteError::InvalidField),
            "{request:?}"
        );
    }
}

#[test]
fn permessage_deflate_negotiated_end_to_end_allows_rsv1() {
    let offer = ["permessage-deflate; client_max_window_bits"];
    let request = ClientRequest::new("h", "/", [5; 16]).with_extensions(&offer);
    let mut out = [0u8; 512];
    let n = request.encode(&mut out).unwrap();
    let (req, _) = Request::parse(&out[..n], LIMIT)
        .unwrap()
        .complete()
        .unwrap();
    assert!(req.offers_permessage_deflate());
    let options = AcceptOptions::new().with_extensions("permessage-deflate");
    let mut answer = [0u8; 512];
    let m = req.accept(&options, &mut answer).unwrap();
    let (response, _) = Response::parse(&answer[..m], &request, LIMIT)
        .unwrap()
        .complete()
        .unwrap();
    assert!(response.accepts_permessage_deflate());
    assert_eq!(
        response.config(Config::client()).allowed_rsv(),
        Config::RSV1
    );
}

/// RSV1 is added to what the caller already allows, never toggled: a
/// configuration that allows RSV1 (or RSV2) keeps it once deflate is agreed.
#[test]
fn agreed_permessage_deflate_adds_rsv1_to_the_allowed_bits() {
    let both = Config::RSV1 | Config::RSV2;
    let request = ClientRequest::new("h", "/", [5; 16]).with_extensions(&["permessage-deflate"]);
    let answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: mtrmuZY3BxRKBPnydQEtsPLgJiA=\r\n\
        Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    let (response, _) = Response::parse(answer.as_bytes(), &request, LIMIT)
        .unwrap()
        .complete()
        .unwrap();
    let options = AcceptOptions::new().with_extensions("permessage-deflate");
    for (allowed, expected) in [
        (0, Config::RSV1),
        (Config::RSV1, Config::RSV1),
        (Config::RSV2, both),
        (both, both),
    ] {
        let client = response.config(Config::client().with_allowed_rsv(allowed));
        let server = options.config(Config::server().with_allowed_rsv(allowed));
        assert_eq!(
            (client.allowed_rsv(), server.allowed_rsv()),
            (expected, expected),
            "{allowed:#x}"
        );
    }
}

#[test]
fn accept_options_return_what_they_were_given() {
    let options = AcceptOptions::new();
    assert_eq!((options.subprotocol(), options.extensions()), (None, None));
    let options = options
        .with_subprotocol("superchat")
        .with_extensions("permessage-deflate; server_no_context_takeover");
    assert_eq!(
        (options.subprotocol(), options.extensions()),
        (
            Some("superchat"),
            Some("permessage-deflate; server_no_context_takeover")
        )
    );
}

#[test]
fn response_header_finds_a_field_by_name_in_any_case() {
    let with_server = edit(
        RESPONSE,
        "Sec-WebSocket-Protocol",
        "Server: x/1\r\nSec-WebSocket-Protocol",
    );
    let (response, _) = parse_response(&with_server).unwrap();
    assert_eq!(response.header("SERVER"), Some(&b"x/1"[..]));
    assert_eq!(
        response.header("sec-websocket-protocol"),
        Some(&b"chat"[..])
    );
    assert_eq!(response.header("Set-Cookie"), None);
}

#[test]
fn write_errors_say_what_went_wrong() {
    let cases = [
        (
            WriteError::BufferTooSmall {
                needed: 90,
                available: 12,
            },
            "output buffer too small",
            "output buffer too small: 90 bytes needed, 12 available",
        ),
        (
            WriteError::NotOffered,
            "subprotocol or extension the client did not offer",
            "subprotocol or extension the client did not offer",
        ),
        (
            WriteError::InvalidField,
            "value that a header field cannot carry",
            "value that a header field cannot carry",
        ),
    ];
    for (error, line, shown) in cases {
        assert_eq!((error.as_str(), error.to_string().as_str()), (line, shown));
    }
}

/// One test per row: an answer that breaks one rule of RFC 6455 §4.1, and the
/// error it must give, at every split.
macro_rules! response_rules {
    ($($name:ident: $response:expr => $error:ident;)*) => {
        $(
            #[test]
            fn $name() {
                let response: String = $response;
                assert_eq!(parse_response(&response).map(|_| ()), Err(ResponseError::$error));
            }
        )*
        /// Every variant has at least one row.
        const RESPONSE_ROWS: &[ResponseError] = &[$(ResponseError::$error),*];
    };
}

response_rules! {
    response_malformed: edit(RESPONSE, "HTTP/1.1 101", "HTTP/1.1 1O1") => MalformedHead;
    response_over_the_limit: edit(RESPONSE, "Upgrade:", &format!("Set-Cookie: {}\r\nUpgrade:", "x".repeat(LIMIT))) => HeadTooLarge;
    response_with_too_many_fields: edit(RESPONSE, "Upgrade:", &format!("{}Upgrade:", "X-A: 1\r\n".repeat(40))) => TooManyHeaders;
    response_403: edit(RESPONSE, "101 Switching Protocols", "403 Forbidden") => NotSwitchingProtocols;
    response_200: edit(RESPONSE, "101 Switching Protocols", "200 OK") => NotSwitchingProtocols;
    response_upgrade_missing: edit(RESPONSE, "Upgrade: websocket\r\n", "") => UpgradeNotWebSocket;
    response_upgrade_other: edit(RESPONSE, "Upgrade: websocket", "Upgrade: h2c") => UpgradeNotWebSocket;
    response_connection_missing: edit(RESPONSE, "Connection: Upgrade\r\n", "") => ConnectionNotUpgrade;
    response_connection_close: edit(RESPONSE, "Connection: Upgrade", "Connection: close") => ConnectionNotUpgrade;
    response_accept_missing: edit(RESPONSE, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "") => MissingAccept;
    response_accept_wrong: edit(RESPONSE, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "s3pPLMBiTxaQ9kYGzzhZRbK+xOp=") => AcceptMismatch;
    response_accept_of_the_key_itself: edit(RESPONSE, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "dGhlIHNhbXBsZSBub25jZQ==") => AcceptMismatch;
    response_accept_repeated: edit(RESPONSE, "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol") => AcceptMismatch;
    response_unoffered_extension: edit(RESPONSE, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n") => UnofferedExtension;
    // Found by the `handshake` fuzz target: an element with parameters but no
    // name (`;x`) was skipped like an empty one, so the client accepted it.
    response_extension_without_a_name: edit(RESPONSE, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: , ;permessage-deflate\r\n\r\n") => UnofferedExtension;
    response_unoffered_subprotocol: edit(RESPONSE, "Protocol: chat", "Protocol: mqtt") => UnofferedSubprotocol;
    response_two_subprotocols: edit(RESPONSE, "Protocol: chat", "Protocol: chat, superchat") => UnofferedSubprotocol;
    response_subprotocol_repeated: edit(RESPONSE, "Protocol: chat", "Protocol: chat\r\nSec-WebSocket-Protocol: chat") => UnofferedSubprotocol;
}

#[test]
fn every_response_error_has_a_row() {
    for e in ResponseError::ALL {
        assert!(RESPONSE_ROWS.contains(e), "no row for {e:?}");
    }
}

#[test]
fn rfc_6455_example_response_is_accepted() {
    let (response, used) = parse_response(RESPONSE).unwrap();
    assert_eq!(
        (response.subprotocol(), used),
        (Some("chat"), RESPONSE.len())
    );
    assert!(!response.accepts_permessage_deflate());
    assert_eq!(response.config(Config::client()), Config::client());
    // No subprotocol chosen is fine, and the tokens are case-insensitive.
    let plain = edit(RESPONSE, "Sec-WebSocket-Protocol: chat\r\n", "");
    let plain = edit(&plain, "Upgrade: websocket", "upgrade: WebSocket");
    let plain = edit(
        &plain,
        "Connection: Upgrade",
        "CONNECTION: keep-alive, upgrade",
    );
    assert_eq!(parse_response(&plain).unwrap().0.subprotocol(), None);
}
