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

use bytes::BytesMut;
use futures_util::{SinkExt, StreamExt};
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

/// Reads a request or response head: `parse` says when it is whole (the
/// head's length) or that it is broken; returns the bytes and the length.
async fn read_head<E>(
    stream: &mut TcpStream,
    parse: impl Fn(&[u8]) -> Result<Option<usize>, E>,
) -> io::Result<(Vec<u8>, Result<usize, E>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match parse(&buf) {
            Ok(Some(used)) => return Ok((buf, Ok(used))),
            Ok(None) => {}
            Err(e) => return Ok((buf, Err(e))),
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
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

/// The server's side of the opening handshake, with the crate's
/// `handshake::Request`: `Some(bytes read after the request)` once the 101
/// is sent; `None` after the page, a 404 or a refusal.
pub async fn accept(stream: &mut TcpStream, limits: Limits) -> io::Result<Option<Vec<u8>>> {
    use wsframe::handshake::{AcceptOptions, Request, RequestError};
    let (head, parsed) = read_head(stream, |buf| {
        Request::parse(buf, MAX_HEAD).map(|s| s.complete().map(|(_, used)| used))
    })
    .await?;
    let used = match parsed {
        Ok(used) => used,
        Err(RequestError::MissingUpgrade) => {
            // Plain HTTP: the page on `GET /`, else 404.
            if head.starts_with(b"GET / ") {
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
        }
        Err(e) => {
            let mut out = [0u8; 512];
            let n = e.encode_response(&mut out).unwrap();
            stream.write_all(&out[..n]).await?;
            stream.shutdown().await?;
            return Ok(None);
        }
    };
    let Ok(wsframe::Status::Complete((request, _))) = Request::parse(&head, MAX_HEAD) else {
        unreachable!("parsed above")
    };
    let mut out = [0u8; 512];
    let n = request.accept(&AcceptOptions::new(), &mut out).unwrap();
    stream.write_all(&out[..n]).await?;
    Ok(Some(head[used..].to_vec()))
}

/// The client's side of the opening handshake to `addr`, with the crate's
/// `handshake::ClientRequest` and `Response`: the stream and the bytes read
/// after the 101 response.
pub async fn connect(addr: SocketAddr) -> io::Result<(TcpStream, Vec<u8>)> {
    use wsframe::handshake::{ClientRequest, Response};
    let mut stream = TcpStream::connect(addr).await?;
    let host = addr.to_string();
    let request = ClientRequest::new(&host, "/", *b"a test nonce 16B");
    let mut out = [0u8; 512];
    let n = request.encode(&mut out).unwrap();
    stream.write_all(&out[..n]).await?;
    let (head, parsed) = read_head(&mut stream, |buf| {
        Response::parse(buf, &request, MAX_HEAD).map(|s| s.complete().map(|(_, used)| used))
    })
    .await?;
    let used = parsed.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.as_str()))?;
    Ok((stream, head[used..].to_vec()))
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

/// A runtime for a server's thread and a listener on an ephemeral loopback port.
fn bind() -> (tokio::runtime::Runtime, TcpListener, SocketAddr) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    (runtime, listener, addr)
}

/// Serves each connection with `serve` on a runtime of its own thread.
fn start<F, Fut>(limits: Limits, serve: F) -> SocketAddr
where
    F: Fn(TcpStream, Vec<u8>, Limits) -> Fut + Send + Copy + 'static,
    Fut: core::future::Future<Output = ()> + Send + 'static,
{
    let (runtime, listener, addr) = bind();
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
/// with a receive buffer one byte over the message limit; its opening
/// handshake is `WebSocket::accept`'s.
#[cfg(feature = "embedded-io-async")]
pub fn start_io_async_server(limits: Limits) -> SocketAddr {
    let (runtime, listener, addr) = bind();
    thread::spawn(move || {
        runtime.block_on(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(serve_io_async(stream, limits));
            }
        });
    });
    addr
}

#[cfg(feature = "embedded-io-async")]
async fn serve_io_async(stream: TcpStream, limits: Limits) {
    use embedded_io_adapters::tokio_1::FromTokio;
    use wsframe::io_async::{Message, WebSocket};
    use wsframe::Opcode;
    let config = wsframe::Config::server()
        .with_max_frame_payload(limits.limit as u64)
        .with_max_message_len(limits.limit as u64);
    let mut rx = vec![0u8; limits.limit + 1];
    let mut tx = vec![0u8; 4096];
    let mut echo = vec![0u8; limits.limit];
    let options = wsframe::handshake::AcceptOptions::new();
    let accepted =
        WebSocket::accept(FromTokio::new(stream), config, &options, &mut rx, &mut tx).await;
    let Ok(mut ws) = accepted else {
        return; // its HTTP answer was sent
    };
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
