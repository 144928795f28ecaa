//! The `embedded-io-async` endpoint (`wsframe::io_async::WebSocket`, server
//! role) over a socket whose reads the optimiser cannot see: `receive` with
//! its automatic Pong and Close replies and the Close for an error, and
//! every send (`send_text`, `send_binary`, `send_fragmented`, `send_ping`,
//! `send_pong`, `close`). Polled by a minimal executor (a no-op waker: the
//! socket is always ready), so no executor code is counted.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "common.rs"]
mod common;

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embedded_io_async::{ErrorKind, ErrorType, Read, Write};
use wsframe::io_async::{Message, WebSocket};
use wsframe::{CloseCode, Config, Opcode};
use wsframe_embedded::{keep, opaque, receive, send};

/// A socket over the opaque `receive` and `send`.
struct Socket;

impl ErrorType for Socket {
    type Error = ErrorKind;
}

impl Read for Socket {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        Ok(receive(buf))
    }
}

impl Write for Socket {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        send(buf);
        Ok(opaque(buf.len()))
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

/// Polls `future` until it is ready.
fn block_on<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let mut rx = [0u8; 512];
    let mut tx = [0u8; 160];
    let mut ws = WebSocket::server(Socket, opaque(Config::server()), &mut rx, &mut tx);
    block_on(async {
        loop {
            let mut echo = [0u8; 64];
            let len = match ws.receive().await {
                Ok(Message::Text(text)) => {
                    let bytes = text.as_bytes().get(..64).unwrap_or_default();
                    for (d, s) in echo.iter_mut().zip(bytes) {
                        *d = *s;
                    }
                    bytes.len()
                }
                Ok(message) => {
                    keep(message);
                    0
                }
                Err(e) => {
                    keep(e);
                    0
                }
            };
            let echo = echo.get(..len).unwrap_or_default();
            keep(ws.send_binary(echo).await);
            keep(ws.send_text(opaque("ok")).await);
            keep(
                ws.send_fragmented(opaque(Opcode::Text), echo, opaque(16))
                    .await,
            );
            keep(ws.send_ping(echo).await);
            keep(ws.send_pong(echo).await);
            keep(
                ws.close(opaque(Some(CloseCode::NORMAL)), opaque("bye"))
                    .await,
            );
        }
    })
}
