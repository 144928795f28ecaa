//! The echo suite (`tests/support/echo_suite.rs`: tungstenite against an echo
//! server, over loopback TCP) against an echo server on
//! `wsframe::io_async::WebSocket`, the `no_std` endpoint, driven on the host
//! over tokio's `TcpStream` through `embedded-io-adapters`
//! (`tests/support/tokio_echo.rs`).

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/echo_suite.rs"]
mod suite;
#[path = "support/tokio_echo.rs"]
mod tokio_echo;

use core::net::SocketAddr;
use std::sync::OnceLock;

/// One server for the whole test binary.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        tokio_echo::start_io_async_server(tokio_echo::Limits {
            limit: suite::LIMIT,
            fragment: suite::FRAGMENT,
        })
    })
}

/// Bad input from a real peer, seen from the endpoint's side: garbage is a
/// protocol error (its Close sent first), a stall mid-frame is waited out,
/// a TCP close mid-frame is `UnexpectedEof`, a close between frames is
/// `ConnectionClosed`, and a header over the limit fails at once.
#[tokio::test]
async fn bad_peers_get_the_right_error() {
    use embedded_io_adapters::tokio_1::FromTokio;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use wsframe::io_async::{Error, WebSocket};

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let frame = suite::masked(0x82, &[7; 300]);
    let cases: [(&str, Vec<Vec<u8>>); 5] = [
        ("garbage", vec![b"GET / HTTP/1.1\r\n\r\n".to_vec()]),
        ("closed mid-frame", vec![frame[..100].to_vec()]),
        ("closed between frames", vec![frame.clone()]),
        (
            "stalled mid-frame",
            vec![frame[..3].to_vec(), frame[3..].to_vec()],
        ),
        (
            "over the limit",
            vec![vec![0x82, 0xFF, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]],
        ),
    ];
    for (name, writes) in cases {
        let client = tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            for write in writes {
                stream.write_all(&write).await.unwrap();
                tokio::time::sleep(core::time::Duration::from_millis(200)).await;
            }
            stream.shutdown().await.unwrap();
            // What the server sent back.
            let mut back = Vec::new();
            stream.read_to_end(&mut back).await.unwrap();
            back
        });
        let (stream, _) = listener.accept().await.unwrap();
        let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
        let mut ws = WebSocket::server(
            FromTokio::new(stream),
            wsframe::Config::server().with_max_frame_payload(u64::MAX),
            &mut rx,
            &mut tx,
        );
        let got = ws
            .receive()
            .await
            .map(|m| format!("{m:?}"))
            .map_err(|e| format!("{e:?}"));
        let expected_close: Option<wsframe::Error> = match name {
            "garbage" => {
                assert_eq!(
                    got,
                    Err(format!(
                        "{:?}",
                        Error::<()>::Protocol(wsframe::Error::ReservedBits)
                    ))
                );
                Some(wsframe::Error::ReservedBits)
            }
            "closed mid-frame" => {
                assert_eq!(got, Err("UnexpectedEof".into()));
                None
            }
            "closed between frames" | "stalled mid-frame" => {
                assert!(
                    matches!(got.as_deref(), Ok(m) if m.starts_with("Binary([7, 7")),
                    "{got:?}"
                );
                let end = ws.receive().await.map(|m| format!("{m:?}"));
                assert_eq!(
                    end.map_err(|e| format!("{e:?}")),
                    Err("ConnectionClosed".into())
                );
                None
            }
            _ => {
                // The limit is the 1 KiB buffer less one byte.
                assert_eq!(
                    got,
                    Err(format!(
                        "{:?}",
                        Error::<()>::Protocol(wsframe::Error::MessageTooBig)
                    ))
                );
                Some(wsframe::Error::MessageTooBig)
            }
        };
        drop(ws);
        let back = client.await.unwrap();
        match expected_close {
            Some(e) => {
                assert_eq!(back[0], 0x88, "{name}: a Close");
                assert_eq!(back[2..4], e.close_code().as_u16().to_be_bytes(), "{name}");
            }
            None => assert!(back.is_empty(), "{name}: {back:?}"),
        }
    }
}
