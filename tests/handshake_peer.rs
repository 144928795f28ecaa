//! The crate's client handshake against a server no one here wrote:
//! tungstenite's, on loopback TCP, started and stopped by each test.
//!
//! The request comes from `ClientRequest::encode`, the answer is checked by
//! `Response::parse`, and then one frame goes each way, so the connection is
//! known to be a WebSocket and not just a 101.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    // tungstenite's callback type returns its large `ErrorResponse` by value.
    clippy::result_large_err
)]

use core::time::Duration;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};

use tungstenite::handshake::server::{
    ErrorResponse, Request as HttpRequest, Response as HttpResponse,
};
use tungstenite::http::{HeaderValue, StatusCode};
use wsframe::handshake::{ClientRequest, Response, ResponseError};
use wsframe::{encode_frame, Config, Frame, FrameHeader, MaskingKey, Opcode, Status};

const TIMEOUT: Duration = Duration::from_secs(10);

/// What the tungstenite server does with the request it reads.
#[derive(Clone, Copy)]
enum Server {
    /// Accept, choosing the second subprotocol offered, then echo one message.
    ChooseSecondSubprotocol,
    /// Refuse with 403 Forbidden.
    Refuse,
}

/// Starts a tungstenite server for one connection on 127.0.0.1:0; returns a
/// stream connected to it and the server thread (which returns the
/// subprotocols it saw offered).
fn start(server: Server) -> (TcpStream, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut offered = Vec::new();
        let callback = |request: &HttpRequest, mut response: HttpResponse| {
            offered = request
                .headers()
                .get_all("Sec-WebSocket-Protocol")
                .iter()
                .flat_map(|v| v.to_str().unwrap().split(','))
                .map(|p| p.trim().to_owned())
                .collect();
            match server {
                Server::ChooseSecondSubprotocol => {
                    let chosen = HeaderValue::from_str(&offered[1]).unwrap();
                    response
                        .headers_mut()
                        .insert("Sec-WebSocket-Protocol", chosen);
                    Ok(response)
                }
                Server::Refuse => {
                    let mut refusal = ErrorResponse::new(Some("no".into()));
                    *refusal.status_mut() = StatusCode::FORBIDDEN;
                    Err(refusal)
                }
            }
        };
        match tungstenite::accept_hdr(stream, callback) {
            Ok(mut ws) => {
                let message = ws.read().unwrap();
                ws.send(message).unwrap();
                let _ = ws.close(None);
                let _ = ws.flush();
            }
            Err(e) => assert!(matches!(server, Server::Refuse), "{e}"),
        }
        offered
    });
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    (stream, handle)
}

/// Reads until `Response::parse` decides; returns its verdict and the bytes
/// read after the head.
fn read_response(
    stream: &mut TcpStream,
    request: &ClientRequest<'_>,
) -> Result<(Option<String>, Vec<u8>), ResponseError> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        match Response::parse(&buf, request, 8192)? {
            Status::Complete((response, used)) => {
                let protocol = response.subprotocol().map(str::to_owned);
                return Ok((protocol, buf[used..].to_vec()));
            }
            Status::Partial { .. } => {
                let n = stream.read(&mut chunk).unwrap();
                assert!(n > 0, "closed before the end of the head: {buf:?}");
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

#[test]
fn tungstenite_server_accepts_the_crate_request_and_echoes_a_frame() {
    let (mut stream, server) = start(Server::ChooseSecondSubprotocol);
    let request = ClientRequest::new("127.0.0.1", "/echo?x=1", *b"0123456789abcdef")
        .with_subprotocols(&["chat", "superchat"]);
    let mut out = [0u8; 512];
    let n = request.encode(&mut out).unwrap();
    stream.write_all(&out[..n]).unwrap();

    let (protocol, mut rest) = read_response(&mut stream, &request).unwrap();
    assert_eq!(protocol.as_deref(), Some("superchat"));

    // One masked text frame out; its echo back, unmasked, as a client reads it.
    let header = FrameHeader::new(
        true,
        0,
        Opcode::Text,
        Some(MaskingKey::new([1, 2, 3, 4])),
        5,
    )
    .unwrap();
    let mut frame = [0u8; 16];
    let len = encode_frame(&header, b"hello", &mut frame).unwrap();
    stream.write_all(&frame[..len]).unwrap();
    let mut chunk = [0u8; 64];
    let echoed = loop {
        if let Status::Complete((frame, _)) = Frame::parse(&rest, &Config::client()).unwrap() {
            break (frame.header().opcode(), frame.payload().to_vec());
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the echo");
        rest.extend_from_slice(&chunk[..n]);
    };
    assert_eq!(echoed, (Opcode::Text, b"hello".to_vec()));
    drop(stream);
    assert_eq!(server.join().unwrap(), ["chat", "superchat"]);
}

#[test]
fn tungstenite_refusal_is_not_switching_protocols() {
    let (mut stream, server) = start(Server::Refuse);
    let request = ClientRequest::new("127.0.0.1", "/", [0x5a; 16]).with_subprotocols(&["a", "b"]);
    let mut out = [0u8; 512];
    let n = request.encode(&mut out).unwrap();
    stream.write_all(&out[..n]).unwrap();
    assert_eq!(
        read_response(&mut stream, &request),
        Err(ResponseError::NotSwitchingProtocols)
    );
    drop(stream);
    server.join().unwrap();
}

#[test]
fn a_wrong_key_in_tungstenites_answer_is_caught() {
    // The answer tungstenite gives to one key, checked against another: the
    // accept check is what stands between the two.
    let (mut stream, server) = start(Server::ChooseSecondSubprotocol);
    let sent = ClientRequest::new("127.0.0.1", "/", [1; 16]).with_subprotocols(&["a", "b"]);
    let mut out = [0u8; 512];
    let n = sent.encode(&mut out).unwrap();
    stream.write_all(&out[..n]).unwrap();
    let other = ClientRequest::new("127.0.0.1", "/", [2; 16]).with_subprotocols(&["a", "b"]);
    assert_eq!(
        read_response(&mut stream, &other),
        Err(ResponseError::AcceptMismatch)
    );
    drop(stream);
    let _ = server.join();
}
