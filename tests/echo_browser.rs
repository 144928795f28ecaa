//! The echo servers against a real browser (the example's, and the one on
//! the codec of feature `tokio-util`):
//! headless Chromium loads the server's test page, whose script echoes text
//! and binary messages through the browser's own `WebSocket` and then sends
//! one message over the limit. The test reads the page's result and asserts
//! that every echo matched and that the browser's `CloseEvent.code` was 1009.
//!
//! Ignored by default because it needs Chromium; run it with
//!
//! ```text
//! apt-get install chromium   # Debian; or set WSFRAME_CHROMIUM=/path/to/chrome
//! cargo test --features handshake --test echo_browser -- --ignored
//! ```
//!
//! Without Chromium the test fails (it never passes silently).
//!
//! `--dump-dom` cannot be used to read the result: it dumps at the page's load
//! event, and `--virtual-time-budget` fast-forwards timers without waiting for
//! WebSocket traffic. So the test starts Chromium with
//! `--remote-debugging-port=0` and polls the page's `<pre id="result">` over
//! Chromium's remote debugging protocol, CDP (itself a WebSocket, spoken here with tungstenite),
//! which also takes the screenshot: it is written to the target directory,
//! and to the path in `WSFRAME_SCREENSHOT` if that is set
//! (`docs/echo_page.png` was made that way). Everything stays on loopback.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod server;

#[path = "support/browser.rs"]
mod browser;

#[test]
#[ignore = "needs chromium: run with --ignored after apt-get install chromium"]
fn chromium_echoes_through_wsframe_and_sees_close_1009() {
    let options = server::Options::default();
    let limit = options.single_frame_limit();
    let addr = server::start("127.0.0.1:0", options).expect("bind 127.0.0.1:0");
    browser::check_page(addr, limit);
}

/// The same page against the echo server on `Framed<TcpStream, Codec>`.
#[cfg(feature = "tokio-util")]
#[test]
#[ignore = "needs chromium: run with --ignored after apt-get install chromium"]
fn chromium_echoes_through_the_codec_and_sees_close_1009() {
    #[path = "support/tokio_echo.rs"]
    mod tokio_echo;
    let limits = tokio_echo::Limits {
        limit: 64 * 1024,
        fragment: 16 * 1024,
    };
    let addr = tokio_echo::start_codec_server(limits);
    browser::check_page(addr, limits.limit as u64);
}
