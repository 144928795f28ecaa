//! The `embedded-io-async` endpoint (`wsframe::io_async::WebSocket`) as
//! firmware on the emulated Cortex-M4 (`qemu-system-arm -machine
//! mps2-an386`): `accept` and `connect` over an in-memory socket that hands
//! out its bytes a few at a time, messages and replies, the Close for an
//! error, and the end of the stream inside a frame. Polled by a minimal
//! executor (a no-op waker: the socket is always ready). Results go out
//! through semihosting; a failed check, a panic or a hard fault fails the run.
//!
//! Kept apart from `qemu_tests.rs` (its own binary, `qemu-io-async`) so that
//! the two can change independently. Run: `cargo run --bin qemu-io-async`
//! (and `--release`) from `embedded/`.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::fmt::Debug;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use embedded_io_async::{ErrorKind, ErrorType, Read, Write};
use wsframe::handshake::{AcceptOptions, ClientRequest};
use wsframe::io_async::{Error, Message, WebSocket};
use wsframe::{CloseCode, Config, MaskingKey, Opcode, State};

/// Counts checks; prints every failure with what was expected.
struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn eq<T: Debug + PartialEq>(&mut self, what: &str, got: T, want: T) {
        if got == want {
            self.passed += 1;
        } else {
            self.failed += 1;
            hprintln!(
                "  FAIL {}\n       got  {:?}\n       want {:?}",
                what,
                got,
                want
            );
        }
    }
}

/// An in-memory socket: reads hand out `input` `chunk` bytes at a time,
/// then the end of the stream; writes go to `out`.
struct Mem<'a> {
    input: &'a [u8],
    chunk: usize,
    out: [u8; 512],
    out_len: usize,
}

impl<'a> Mem<'a> {
    fn new(input: &'a [u8], chunk: usize) -> Self {
        Mem {
            input,
            chunk,
            out: [0; 512],
            out_len: 0,
        }
    }

    fn written(&self) -> &[u8] {
        self.out.get(..self.out_len).unwrap_or_default()
    }
}

impl ErrorType for Mem<'_> {
    type Error = ErrorKind;
}

impl Read for Mem<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = self.chunk.min(buf.len()).min(self.input.len());
        let (now, rest) = self.input.split_at(n);
        for (d, s) in buf.iter_mut().zip(now) {
            *d = *s;
        }
        self.input = rest;
        Ok(n)
    }
}

impl Write for Mem<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        let free = self.out.get_mut(self.out_len..).unwrap_or_default();
        let n = free.len().min(buf.len());
        for (d, s) in free.iter_mut().zip(buf) {
            *d = *s;
        }
        self.out_len += n;
        Ok(n)
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

const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// A server session: the request, then (masked with a zero key) "Hello",
/// a Ping "p" between two fragments of "ab", and a Close 1001.
fn server_session(t: &mut Tally, chunk: usize) {
    let mut input = [0u8; 256];
    let frames: &[u8] = &[
        0x81, 0x85, 0, 0, 0, 0, b'H', b'e', b'l', b'l', b'o', //
        0x01, 0x81, 0, 0, 0, 0, b'a', //
        0x89, 0x81, 0, 0, 0, 0, b'p', //
        0x80, 0x81, 0, 0, 0, 0, b'b', //
        0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE9,
    ];
    let len = REQUEST.len() + frames.len();
    for (d, s) in input.iter_mut().zip(REQUEST.iter().chain(frames)) {
        *d = *s;
    }
    let mut socket = Mem::new(input.get(..len).unwrap_or_default(), chunk);
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 160]);
    block_on(async {
        let options = AcceptOptions::new();
        let accepted = WebSocket::accept(&mut socket, Config::server(), &options, &mut rx, &mut tx);
        let Ok(mut ws) = accepted.await else {
            t.eq("accept", false, true);
            return;
        };
        let mut seen = [0u8; 3];
        for slot in &mut seen {
            *slot = match ws.receive().await {
                Ok(Message::Text("Hello")) => 1,
                Ok(Message::Ping(b"p")) => 2,
                Ok(Message::Text("ab")) => 3,
                _ => 0,
            };
        }
        t.eq("Hello, the Ping, then ab", seen, [1, 2, 3]);
        let close = ws.receive().await;
        t.eq(
            "the peer's Close",
            close,
            Ok(Message::Close {
                code: CloseCode::new(1001),
                reason: "",
            }),
        );
        t.eq("state after the echo", ws.state(), State::Closed);
        t.eq("nothing after", ws.receive().await, Err(Error::Closed));
    });
    let out = socket.written();
    t.eq(
        "101 sent",
        out.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"),
        true,
    );
    t.eq(
        "the Pong, then the Close echoed",
        out.ends_with(b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x8a\x01p\x88\x02\x03\xe9"),
        true,
    );
}

/// A text frame that is not UTF-8: the Close 1007 goes out first.
fn invalid_utf8(t: &mut Tally) {
    let mut socket = Mem::new(&[0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28], 3);
    let (mut rx, mut tx) = ([0u8; 64], [0u8; 160]);
    let got = block_on(async {
        let mut ws = WebSocket::server(&mut socket, Config::server(), &mut rx, &mut tx);
        ws.receive().await.map(|_| ())
    });
    t.eq(
        "the error",
        got,
        Err(Error::Protocol(wsframe::Error::InvalidUtf8)),
    );
    t.eq(
        "its Close: 1007",
        socket.written().get(..4),
        Some(&[0x88, 0x21, 0x03, 0xEF][..]),
    );
}

/// The stream ends inside a frame, or between frames.
fn end_of_stream(t: &mut Tally) {
    let frame = [0x82, 0x83, 0, 0, 0, 0, 1, 2, 3];
    for cut in 1..frame.len() {
        let mut socket = Mem::new(frame.get(..cut).unwrap_or_default(), 2);
        let (mut rx, mut tx) = ([0u8; 64], [0u8; 160]);
        let got = block_on(async {
            let mut ws = WebSocket::server(&mut socket, Config::server(), &mut rx, &mut tx);
            ws.receive().await.map(|_| ())
        });
        t.eq("cut inside the frame", got, Err(Error::UnexpectedEof));
    }
    let mut socket = Mem::new(&frame, 4);
    let (mut rx, mut tx) = ([0u8; 64], [0u8; 160]);
    let got = block_on(async {
        let mut ws = WebSocket::server(&mut socket, Config::server(), &mut rx, &mut tx);
        let first = ws.receive().await == Ok(Message::Binary(&[1, 2, 3]));
        (first, ws.receive().await.map(|_| ()))
    });
    t.eq(
        "then between frames",
        got,
        (true, Err(Error::ConnectionClosed)),
    );
}

/// A client: its request, the answer checked, frames masked with its keys.
fn client(t: &mut Tally) {
    let answer: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi";
    let mut socket = Mem::new(answer, 5);
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    let request = ClientRequest::new("server.example.com", "/chat", *b"the sample nonce");
    let mut n = 0u8;
    let keys = move || {
        n += 1;
        MaskingKey::new([n, 0, 0, 0])
    };
    block_on(async {
        let connected = WebSocket::connect(
            &mut socket,
            Config::client(),
            &request,
            &mut rx,
            &mut tx,
            keys,
        );
        let Ok(mut ws) = connected.await else {
            t.eq("connect", false, true);
            return;
        };
        t.eq(
            "the frame behind the answer",
            ws.receive().await,
            Ok(Message::Text("hi")),
        );
        t.eq(
            "send in fragments",
            ws.send_fragmented(Opcode::Binary, &[7, 7, 7], 2).await,
            Ok(()),
        );
    });
    let out = socket.written();
    t.eq(
        "request sent",
        out.starts_with(b"GET /chat HTTP/1.1\r\n"),
        true,
    );
    t.eq(
        "two masked fragments, a fresh key each",
        out.ends_with(&[0x02, 0x82, 1, 0, 0, 0, 6, 7, 0x80, 0x81, 2, 0, 0, 0, 5]),
        true,
    );
}

#[entry]
fn main() -> ! {
    let mut t = Tally {
        passed: 0,
        failed: 0,
    };
    hprintln!("wsframe io_async on thumbv7em-none-eabihf, qemu mps2-an386");
    for chunk in [1, 3, 7, 64, 256] {
        server_session(&mut t, chunk);
    }
    invalid_utf8(&mut t);
    end_of_stream(&mut t);
    client(&mut t);
    hprintln!("qemu io_async: {} passed, {} failed", t.passed, t.failed);
    if t.failed == 0 {
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        debug::exit(debug::EXIT_FAILURE);
    }
    loop {
        cortex_m::asm::bkpt();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("PANIC: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}

// cortex-m-rt requires a hard fault handler to be an `unsafe fn`.
#[allow(unsafe_code)]
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("HARD FAULT: {:?}", frame);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}
