//! The echo suite (tests/support/echo_suite.rs: tungstenite against an echo
//! server, over loopback TCP) against an echo server on
//! `wsframe::io_async::WebSocket`, the no_std endpoint, driven on the host
//! over tokio's `TcpStream` through `embedded-io-adapters`
//! (tests/support/tokio_echo.rs).

#![cfg(feature = "embedded-io-async")]
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
