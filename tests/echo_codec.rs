//! The echo suite (`tests/support/echo_suite.rs`: tungstenite against an echo
//! server, over loopback TCP) against an echo server on
//! `Framed<TcpStream, wsframe::codec::Codec>` (`tests/support/tokio_echo.rs`).

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
        tokio_echo::start_codec_server(tokio_echo::Limits {
            limit: suite::LIMIT,
            fragment: suite::FRAGMENT,
        })
    })
}

/// Bad input from a real peer, seen from the codec server's side: garbage
/// is a protocol error with its close code, a stall mid-frame is waited
/// out, a TCP close mid-frame is an I/O error (`UnexpectedEof`), and a
/// header over the limit fails before its payload is buffered.
#[tokio::test]
async fn bad_peers_get_the_right_error() {
    use futures_util::StreamExt;
    use std::io::ErrorKind;
    use tokio::io::AsyncWriteExt;
    use tokio::net::{TcpListener, TcpStream};
    use tokio_util::codec::Framed;
    use wsframe::codec::{Codec, CodecError, Message};

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = wsframe::Config::server()
        .with_max_frame_payload(u64::MAX)
        .with_max_message_len(1 << 16);
    // Each case: what the client writes (a pause at each split), and
    // whether it then closes its side.
    let frame = suite::masked(0x82, &[7; 300]);
    let cases: [(&str, Vec<Vec<u8>>); 4] = [
        ("garbage", vec![b"GET / HTTP/1.1\r\n\r\n".to_vec()]),
        ("closed mid-frame", vec![frame[..100].to_vec()]),
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
        });
        let (stream, _) = listener.accept().await.unwrap();
        let mut ws = Framed::new(stream, Codec::server(config));
        let got = ws.next().await.unwrap();
        match name {
            "garbage" => {
                let e = got.unwrap_err();
                assert!(
                    matches!(e, CodecError::Protocol(wsframe::Error::ReservedBits)),
                    "{e}"
                );
                assert_eq!(e.close_code(), Some(wsframe::CloseCode::PROTOCOL_ERROR));
            }
            "closed mid-frame" => {
                let e = got.unwrap_err();
                assert!(
                    matches!(&e, CodecError::Io(io) if io.kind() == ErrorKind::UnexpectedEof),
                    "{e}"
                );
                assert_eq!(e.close_code(), None);
            }
            "stalled mid-frame" => {
                assert_eq!(got.unwrap(), Message::binary(vec![7; 300]));
                assert!(ws.next().await.is_none(), "then a clean end");
            }
            _ => {
                let e = got.unwrap_err();
                assert!(
                    matches!(e, CodecError::Protocol(wsframe::Error::MessageTooBig)),
                    "{e}"
                );
                assert_eq!(e.close_code(), Some(wsframe::CloseCode::MESSAGE_TOO_BIG));
                assert!(
                    ws.read_buffer().capacity() < 64 * 1024,
                    "buffered past the limit"
                );
            }
        }
        client.await.unwrap();
    }
}
