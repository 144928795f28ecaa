//! The echo server of `examples/echo_server.rs` against a WebSocket client
//! that no one here wrote: tungstenite, over real sockets on loopback. The
//! suite it shares with the adapters' echo servers is
//! `tests/support/echo_suite.rs`; here are the example's own tests (its page,
//! its HTTP answers), and the codec's Client role against it.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod server;

#[path = "support/echo_suite.rs"]
mod suite;

use core::net::SocketAddr;
use std::io::{ErrorKind, Read, Write};
use std::sync::OnceLock;

use suite::{tcp, FRAGMENT, LIMIT};

/// One server for the whole test binary, on an ephemeral loopback port.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let options = server::Options {
            max_frame: LIMIT as u64,
            max_message: LIMIT as u64,
            fragment: FRAGMENT,
        };
        server::start("127.0.0.1:0", options).expect("bind 127.0.0.1:0")
    })
}

#[test]
fn accept_key_matches_rfc6455_section_1_3() {
    assert_eq!(
        &wsframe::handshake::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
        b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn plain_http_gets_the_page_and_a_bad_handshake_is_refused() {
    let get = |request: &str| {
        let mut stream = tcp();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        match stream.read_to_string(&mut response) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => panic!("reset"),
            Err(e) => panic!("{e}"),
        }
        response
    };
    let page = get("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("new WebSocket("));
    assert!(page.contains(&format!("Number(\"{LIMIT}\")")));
    let missing = get("GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(missing.starts_with("HTTP/1.1 404 "), "{missing}");
    let old = get(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
    );
    assert!(old.starts_with("HTTP/1.1 426 "), "{old}");
    assert!(old.contains("Sec-WebSocket-Version: 13\r\n"), "{old}");
}

/// The codec in the Client role against the example server: masked frames
/// out (the server refuses unmasked ones with 1002), unmasked frames in,
/// fragmented replies gathered, Ping answered, the closing handshake.
#[cfg(feature = "tokio-util")]
#[test]
fn a_codec_client_talks_to_the_echo_server() {
    #[path = "support/tokio_echo.rs"]
    mod tokio_echo;
    use bytes::{Bytes, BytesMut};
    use futures_util::{SinkExt, StreamExt};
    use tokio_util::codec::{Framed, FramedParts};
    use wsframe::codec::{Codec, Message};
    use wsframe::{CloseCode, Config, MaskingKey};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (stream, rest) = tokio_echo::connect(server()).await.unwrap();
        let mut state = 0x2545_f491_u32;
        let keys = move || {
            // xorshift: a stand-in for a strong source in this test.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            MaskingKey::new(state.to_le_bytes())
        };
        let config = Config::client()
            .with_max_frame_payload(LIMIT as u64)
            .with_max_message_len(LIMIT as u64);
        let mut parts = FramedParts::new::<Message>(stream, Codec::client(config, keys));
        parts.read_buf = BytesMut::from(&rest[..]);
        let mut ws = Framed::from_parts(parts);
        let big: Bytes = suite::bytes_of(FRAGMENT * 2 + 3).into();
        let messages = [
            Message::text("hello 🦀"),
            Message::binary(Bytes::new()),
            Message::Binary(big),
            Message::text(suite::text_of(70_000)),
        ];
        for m in messages {
            ws.send(m.clone()).await.unwrap();
            assert_eq!(ws.next().await.unwrap().unwrap(), m);
        }
        ws.send(Message::Ping(Bytes::from_static(b"are you there")))
            .await
            .unwrap();
        assert_eq!(
            ws.next().await.unwrap().unwrap(),
            Message::Pong(Bytes::from_static(b"are you there"))
        );
        ws.send(Message::close(Some(CloseCode::GOING_AWAY), "bye"))
            .await
            .unwrap();
        let Message::Close { code, .. } = ws.next().await.unwrap().unwrap() else {
            panic!("expected the Close echo")
        };
        assert_eq!(code, Some(CloseCode::GOING_AWAY));
        assert_eq!(ws.codec().state(), wsframe::State::Closed);
        // The server then closes the stream.
        assert!(ws.next().await.is_none());
    });
}
