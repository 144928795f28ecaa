//! Echo servers on the adapters, for the echo suite (`tests/support/echo_suite.rs`):
//! one on `Framed<TcpStream, wsframe::codec::Codec>`, one on
//! `wsframe::io_async::WebSocket` over tokio's `TcpStream` through
//! `embedded-io-adapters`; and the opening handshake both sides of them
//! need, on tokio. Each server runs on its own thread and runtime, started
//! by the test binary that includes this file, on an ephemeral loopback
//! port, and ends with the process.
//!
//! Like the example server: a plain `GET /` gets the test page (for the
//! browser test), any other plain GET a 404; after a Close (sent or
//! received) the server stops writing and reads until the client closes
//! (at most [`LINGER`]), so that unread bytes never turn the end of the
//! stream into a reset.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use core::net::SocketAddr;
use core::time::Duration;
use std::io;
use std::thread;

use base64::Engine as _;
use bytes::BytesMut;
use futures_util::{SinkExt, StreamExt};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{Framed, FramedParts};

/// The test page of the example server.
const PAGE: &str = include_str!("../../examples/echo_page.html");

/// The longest request or response head read.
const MAX_HEAD: usize = 8 * 1024;

/// How long a server reads after the closing handshake before it drops
/// the connection.
pub const LINGER: Duration = Duration::from_secs(2);

/// The limits of a server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest frame payload and message.
    pub limit: usize,
    /// Replies longer than this go in fragments of this size.
    pub fragment: usize,
}

/// Reads a request or response head; returns it and the bytes read after it.
async fn read_head(stream: &mut TcpStream) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2).
fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

async fn respond(stream: &mut TcpStream, status: &str, extra: &str, body: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// The server's side of the opening handshake: `Some(bytes read after the
/// request)` once the 101 is sent; `None` after a page, a 404 or a refusal.
pub async fn accept(stream: &mut TcpStream, limits: Limits) -> io::Result<Option<Vec<u8>>> {
    let (head, rest) = read_head(stream).await?;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(&head), Ok(httparse::Status::Complete(_))) {
        respond(stream, "400 Bad Request", "", "bad request\n").await?;
        return Ok(None);
    }
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    let Some(key) = header("sec-websocket-key") else {
        if request.path == Some("/") {
            let page = PAGE
                .replace("{{LIMIT}}", &limits.limit.to_string())
                .replace("{{FRAGMENT}}", &limits.fragment.to_string());
            respond(
                stream,
                "200 OK",
                "Content-Type: text/html; charset=utf-8\r\n",
                &page,
            )
            .await?;
        } else {
            respond(stream, "404 Not Found", "", "not found\n").await?;
        }
        return Ok(None);
    };
    if header("sec-websocket-version") != Some(b"13") {
        respond(
            stream,
            "426 Upgrade Required",
            "Sec-WebSocket-Version: 13\r\n",
            "",
        )
        .await?;
        return Ok(None);
    }
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    );
    stream.write_all(answer.as_bytes()).await?;
    Ok(Some(rest))
}

/// The client's side of the opening handshake to `addr`: the stream and
/// the bytes read after the 101 response.
pub async fn connect(addr: SocketAddr) -> io::Result<(TcpStream, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let (head, rest) = read_head(&mut stream).await?;
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    let expected = format!("sec-websocket-accept: {}", accept_key(key.as_bytes()));
    assert!(
        head.to_ascii_lowercase()
            .contains(&expected.to_ascii_lowercase()),
        "{head}"
    );
    Ok((stream, rest))
}

/// After the closing handshake: no more writes; read until the client
/// closes (or [`LINGER`] passes), then drop.
pub async fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = vec![0u8; 16 * 1024];
    let _ = tokio::time::timeout(LINGER, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// Serves each connection with `serve` on a runtime of its own thread.
fn start<F, Fut>(limits: Limits, serve: F) -> SocketAddr
where
    F: Fn(TcpStream, Vec<u8>, Limits) -> Fut + Send + Copy + 'static,
    Fut: core::future::Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        runtime.block_on(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    if let Ok(Some(rest)) = accept(&mut stream, limits).await {
                        serve(stream, rest, limits).await;
                    }
                });
            }
        });
    });
    addr
}

/// The echo server on `Framed<TcpStream, Codec>`.
pub fn start_codec_server(limits: Limits) -> SocketAddr {
    start(limits, serve_codec)
}

async fn serve_codec(stream: TcpStream, rest: Vec<u8>, limits: Limits) {
    use wsframe::codec::{Codec, Message};
    let config = wsframe::Config::server()
        .with_max_frame_payload(limits.limit as u64)
        .with_max_message_len(limits.limit as u64);
    let codec = Codec::server(config).with_fragment_size(limits.fragment);
    let mut parts = FramedParts::<_, _>::new::<Message>(stream, codec);
    parts.read_buf = BytesMut::from(&rest[..]);
    let mut ws = Framed::from_parts(parts);
    while let Some(message) = ws.next().await {
        let sent = match message {
            Ok(Message::Ping(payload)) => ws.send(Message::Pong(payload)).await,
            Ok(Message::Pong(_)) => Ok(()),
            Ok(Message::Close { code, .. }) => {
                let _ = ws.send(Message::close(code, "")).await;
                break;
            }
            Ok(data) => ws.send(data).await,
            Err(e) => {
                if let Some(close) = e.close_message() {
                    let _ = ws.send(close).await;
                }
                break;
            }
        };
        if sent.is_err() {
            break;
        }
    }
    linger(ws.into_inner()).await;
}

/// The echo server on `io_async::WebSocket` over `FromTokio<TcpStream>`,
/// with a receive buffer one byte over the message limit.
pub fn start_io_async_server(limits: Limits) -> SocketAddr {
    start(limits, serve_io_async)
}

async fn serve_io_async(stream: TcpStream, rest: Vec<u8>, limits: Limits) {
    use embedded_io_adapters::tokio_1::FromTokio;
    use wsframe::io_async::{Message, WebSocket};
    use wsframe::Opcode;
    let config = wsframe::Config::server()
        .with_max_frame_payload(limits.limit as u64)
        .with_max_message_len(limits.limit as u64);
    let mut rx = vec![0u8; limits.limit + 1];
    rx[..rest.len()].copy_from_slice(&rest);
    let mut tx = vec![0u8; 4096];
    let mut echo = vec![0u8; limits.limit];
    let mut ws =
        WebSocket::server(FromTokio::new(stream), config, &mut rx, &mut tx).with_unread(rest.len());
    loop {
        let (opcode, len) = match ws.receive().await {
            Ok(Message::Text(text)) => {
                echo[..text.len()].copy_from_slice(text.as_bytes());
                (Opcode::Text, text.len())
            }
            Ok(Message::Binary(bytes)) => {
                echo[..bytes.len()].copy_from_slice(bytes);
                (Opcode::Binary, bytes.len())
            }
            // Pings were answered.
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            // The echo of a Close, or a protocol error's Close, was sent;
            // nothing to send otherwise.
            Ok(_) | Err(_) => break,
        };
        if ws
            .send_fragmented(opcode, &echo[..len], limits.fragment)
            .await
            .is_err()
        {
            break;
        }
    }
    linger(ws.into_inner().into_inner()).await;
}
