//! An RFC 6455 echo server on `std::net`, with all framing done by wsframe.
//!
//! ```text
//! cargo run --example echo_server --features handshake -- [--addr 127.0.0.1:9001] [--max-frame N] [--max-message N] [--fragment K]
//! ```
//!
//! Every connection gets its own thread. A request with an `Upgrade:
//! websocket` header gets the opening handshake of RFC 6455 §4 from
//! [`wsframe::handshake`] (a bad one gets the 400, 426 or 431 answer its
//! [`RequestError`] writes); everything after it goes through wsframe:
//! a [`Receiver`] parses and unmasks the frames, enforces the message size,
//! fragmentation and UTF-8 rules and writes the Pongs and Close frames
//! ([`Receiver::reply`]), and the echoes are built with
//! [`FrameHeader::encode`] and the [`Fragmenter`].
//!
//! - Text and binary messages are echoed with the same opcode; a reply longer
//!   than `--fragment` bytes is split into frames of that size.
//! - A Ping is answered with a Pong carrying its payload.
//! - A Close is answered with a Close carrying the same code (§5.5.1).
//! - Any [`wsframe::Error`] is answered with the Close frame that
//!   [`Error::encode_close`] builds (1002, 1007 or 1009, with the rule as the
//!   reason); then the server shuts down its side and drains the socket for a
//!   moment before closing it, so the peer reads the Close frame instead of a
//!   connection reset.
//!
//! `GET /` without an `Upgrade` header serves a test page
//! (`examples/echo_page.html`) whose script echoes text and binary messages
//! through the browser's own `WebSocket`, then sends one message over the
//! limit and shows the close code the browser saw.

use core::net::SocketAddr;
use core::time::Duration;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use wsframe::handshake::{self, AcceptOptions, RequestError};
use wsframe::{Config, Error, Event, Fragmenter, FrameHeader, Opcode, Receiver, Status};

/// The test page served on `GET /`.
const PAGE: &str = include_str!("echo_page.html");

/// The longest request head accepted before the handshake.
const MAX_REQUEST_HEAD: usize = 8 * 1024;

/// How long the server keeps reading (and discarding) after it sent its
/// Close frame, waiting for the peer to close.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// The limits and reply fragmentation of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The largest accepted frame payload, in bytes (`--max-frame`).
    pub max_frame: u64,
    /// The largest accepted message, in bytes (`--max-message`).
    pub max_message: u64,
    /// Replies longer than this many bytes are sent in frames of this size
    /// (`--fragment`); at least 1.
    pub fragment: usize,
}

impl Default for Options {
    /// wsframe's default limits (64 KiB each); replies over 16 KiB fragmented.
    fn default() -> Self {
        Options {
            max_frame: Config::DEFAULT_MAX_FRAME_PAYLOAD,
            max_message: Config::DEFAULT_MAX_MESSAGE_LEN,
            fragment: 16 * 1024,
        }
    }
}

impl Options {
    /// The wsframe configuration of a server with these limits.
    #[must_use]
    pub const fn config(&self) -> Config {
        Config::server()
            .with_max_frame_payload(self.max_frame)
            .with_max_message_len(self.max_message)
    }

    /// The largest message a browser can send in one frame without a 1009.
    #[must_use]
    pub fn single_frame_limit(&self) -> u64 {
        self.max_frame.min(self.max_message)
    }
}

const USAGE: &str = "usage: echo_server [--addr HOST:PORT] [--max-frame BYTES] [--max-message BYTES] [--fragment BYTES]

  --addr         address to listen on (default 127.0.0.1:9001)
  --max-frame    largest frame payload accepted, else Close 1009 (default 65536)
  --max-message  largest message accepted, else Close 1009 (default 65536)
  --fragment     replies longer than this are sent in frames of this size (default 16384)";

/// Parses the command line (without the program name) into an address and
/// the options.
///
/// # Errors
/// A message for the user on an unknown flag, a missing value or a bad number.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<(String, Options), String> {
    let mut addr = String::from("127.0.0.1:9001");
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_owned());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        let number = || -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--addr" => addr.clone_from(&value),
            "--max-frame" => options.max_frame = number()?,
            "--max-message" => options.max_message = number()?,
            "--fragment" => {
                options.fragment = usize::try_from(number()?)
                    .ok()
                    .filter(|&k| k > 0)
                    .ok_or_else(|| format!("--fragment {value}: must be at least 1"))?;
            }
            _ => return Err(format!("unknown flag {flag}\n\n{USAGE}")),
        }
    }
    Ok((addr, options))
}

/// Binds `addr` and serves it on a background thread; returns the bound
/// address (useful with port 0).
///
/// # Errors
/// Those of [`TcpListener::bind`].
pub fn start(addr: &str, options: Options) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    thread::spawn(move || serve(&listener, options));
    Ok(local)
}

/// Accepts connections forever, one thread each.
pub fn serve(listener: &TcpListener, options: Options) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                thread::spawn(move || {
                    let peer = stream.peer_addr().ok();
                    if let Err(e) = handle(stream, options) {
                        eprintln!("echo_server: {peer:?}: {e}");
                    }
                });
            }
            Err(e) => eprintln!("echo_server: accept: {e}"),
        }
    }
}

/// What a request asks for.
enum Request {
    /// A valid WebSocket opening handshake: the `101` answer to send.
    Upgrade(Vec<u8>),
    /// A plain HTTP GET (no `Upgrade` field) of this path.
    Get(String),
    /// A request to refuse with the answer this error writes.
    Bad(RequestError),
}

/// Reads the request head; returns what it asks for and the bytes that
/// followed it (the start of the WebSocket stream, if the client did not
/// wait for the handshake response).
fn read_request(stream: &mut TcpStream) -> io::Result<Option<(Request, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = match stream.read(&mut chunk) {
            // Closed, or idle (a browser's speculative connection), before
            // a request: nothing to answer.
            Ok(0) => return Ok(None),
            Err(e) if buf.is_empty() && is_timeout(&e) => return Ok(None),
            Err(e) => return Err(e),
            Ok(n) => n,
        };
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let (request, head_len) = match handshake::Request::parse(&buf, MAX_REQUEST_HEAD) {
            Ok(Status::Partial { .. }) => continue,
            Ok(Status::Complete((request, head_len))) => {
                let mut answer = vec![0u8; 256];
                let len = request
                    .accept(&AcceptOptions::new(), &mut answer)
                    .map_err(|e| io::Error::other(e.to_string()))?;
                answer.truncate(len);
                (Request::Upgrade(answer), head_len)
            }
            // A complete GET without `Upgrade`: the test page.
            Err(RequestError::MissingUpgrade) if buf.starts_with(b"GET ") => {
                (Request::Get(request_target(&buf)), buf.len())
            }
            Err(e) => (Request::Bad(e), buf.len()),
        };
        let rest = buf.get(head_len..).unwrap_or_default().to_vec();
        return Ok(Some((request, rest)));
    }
}

/// The request target of a plain GET (whose head `handshake::Request::parse`
/// has read): the second word of its first line.
fn request_target(head: &[u8]) -> String {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let target = line.split(|&b| b == b' ').nth(1).unwrap_or(b"/");
    String::from_utf8_lossy(target).into_owned()
}

/// Whether a read failed because its timeout passed.
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Serves one connection: the HTTP request, then (after a handshake) the
/// WebSocket stream.
fn handle(mut stream: TcpStream, options: Options) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some((request, rest)) = read_request(&mut stream)? else {
        return Ok(());
    };
    match request {
        Request::Upgrade(answer) => {
            stream.write_all(&answer)?;
            // A WebSocket may idle; the peer's Close or FIN ends it.
            stream.set_read_timeout(None)?;
            echo(stream, rest, options)
        }
        Request::Get(path) if path == "/" || path.starts_with("/?") => {
            let page = PAGE
                .replace("{{LIMIT}}", &options.single_frame_limit().to_string())
                .replace("{{FRAGMENT}}", &options.fragment.to_string());
            respond(stream, "200 OK", "text/html; charset=utf-8", &page)
        }
        Request::Get(_) => respond(stream, "404 Not Found", "text/plain", "not found\n"),
        Request::Bad(err) => {
            eprintln!(
                "echo_server: {:?}: {err} ({}): answering {}",
                stream.peer_addr().ok(),
                err.rfc_section(),
                err.status_code()
            );
            let mut answer = [0u8; 256];
            let len = err.encode_response(&mut answer).unwrap_or(0);
            stream.write_all(answer.get(..len).unwrap_or_default())?;
            close_gracefully(&mut stream);
            Ok(())
        }
    }
}

/// Sends a plain HTTP response and closes the connection.
fn respond(mut stream: TcpStream, status: &str, content_type: &str, body: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    close_gracefully(&mut stream);
    Ok(())
}

/// Shuts down the sending side (the peer reads everything sent so far, then
/// EOF), reads and discards what the peer still sends until it closes or
/// [`DRAIN_TIME`] passes, then closes. Closing with unread bytes in the
/// receive buffer would make the kernel send a reset, and a peer that gets
/// a reset may never read the Close frame sent before it.
fn close_gracefully(stream: &mut TcpStream) {
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + DRAIN_TIME;
    let mut sink = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// Appends one unmasked frame to `out`.
fn push_frame(out: &mut Vec<u8>, header: &FrameHeader, payload: &[u8]) {
    let mut head = [0u8; FrameHeader::MAX_LEN];
    // MAX_LEN bytes always hold an encoded header.
    let n = header.encode(&mut head).unwrap_or(0);
    out.extend_from_slice(head.get(..n).unwrap_or_default());
    out.extend_from_slice(payload);
}

/// Writes a data message, in frames of at most `fragment` bytes when it is
/// longer than that.
fn send_message(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    opcode: Opcode,
    payload: &[u8],
    fragment: usize,
) -> io::Result<()> {
    out.clear();
    // One frame up to `fragment` bytes (the Fragmenter then yields one final
    // frame), frames of `fragment` bytes beyond.
    let size = if payload.len() > fragment {
        fragment
    } else {
        payload.len().max(1)
    };
    let frames =
        Fragmenter::new(opcode, payload, size).map_err(|e| io::Error::other(e.to_string()))?;
    for (header, chunk) in frames {
        push_frame(out, &header, chunk);
    }
    stream.write_all(out)
}

/// What to do after a chunk of the stream.
enum Flow {
    /// Read more.
    Continue,
    /// The peer sent a Close frame and it was answered: close.
    Closed,
}

/// The WebSocket part of a connection: decode, validate, echo; on a
/// wsframe error, send its Close frame and close.
fn echo(mut stream: TcpStream, mut rest: Vec<u8>, options: Options) -> io::Result<()> {
    let peer = stream.peer_addr()?;
    let config = options.config();
    let mut conn = Connection {
        receiver: Receiver::new(config),
        message: Vec::new(),
        out: Vec::new(),
        fragment: options.fragment,
    };
    // Frames the client sent right behind its request come first.
    let mut result = conn.process(&mut stream, &mut rest);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match result {
            Ok(Flow::Continue) => {}
            Ok(Flow::Closed) => {
                close_gracefully(&mut stream);
                return Ok(());
            }
            Err(Failure::Io(e)) => return Err(e),
            Err(Failure::Protocol(err)) => {
                eprintln!(
                    "echo_server: {peer}: {err} ({}): sending Close {}",
                    err.rfc_section(),
                    err.close_code().as_u16()
                );
                // The Close for the error (`Error::encode_close`).
                conn.reply(&mut stream)?;
                close_gracefully(&mut stream);
                return Ok(());
            }
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            eprintln!("echo_server: {peer}: closed without a Close frame");
            return Ok(());
        }
        result = conn.process(&mut stream, buf.get_mut(..n).unwrap_or_default());
    }
}

/// Why processing stopped.
enum Failure {
    /// The socket failed.
    Io(io::Error),
    /// The peer broke RFC 6455.
    Protocol(Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Protocol(e)
    }
}

/// The wsframe state of one WebSocket connection.
struct Connection {
    /// Frames, messages and the close handshake (no message buffer: data
    /// messages come as pieces, gathered in `message`).
    receiver: Receiver,
    /// The data message being received.
    message: Vec<u8>,
    /// Reused output buffer.
    out: Vec<u8>,
    fragment: usize,
}

impl Connection {
    /// Runs one chunk of the stream through the receiver, answering each
    /// message, Ping and Close as it completes.
    fn process(&mut self, stream: &mut TcpStream, chunk: &mut [u8]) -> Result<Flow, Failure> {
        let mut at = 0;
        while at < chunk.len() {
            let rest = chunk.get_mut(at..).unwrap_or_default();
            // Every rule is judged here, at the byte that shows it (1009 for
            // a message over the limit at its header's length field).
            let (used, event) = self.receiver.read(rest)?;
            at += used;
            match event {
                Some(Event::Piece(piece)) => {
                    self.message.extend_from_slice(piece.payload);
                    if piece.last {
                        let opcode = piece.opcode;
                        send_message(stream, &mut self.out, opcode, &self.message, self.fragment)?;
                        self.message.clear();
                    }
                }
                // The Pong, with the Ping's payload.
                Some(Event::Ping(_)) => self.reply(stream)?,
                // The Close echoing the peer's code; nothing after it is read.
                Some(Event::Close { .. }) => {
                    self.reply(stream)?;
                    return Ok(Flow::Closed);
                }
                _ => {}
            }
        }
        Ok(Flow::Continue)
    }

    /// Writes what the receiver says is due: a Pong, the Close answering
    /// the peer's, or the Close for an error.
    fn reply(&mut self, stream: &mut TcpStream) -> io::Result<()> {
        let mut frame = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        let len = self
            .receiver
            .reply(None, &mut frame)
            .map_err(|e| io::Error::other(e.to_string()))?;
        stream.write_all(frame.get(..len).unwrap_or_default())
    }
}

fn main() -> ExitCode {
    let (addr, options) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) if message == USAGE => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("echo_server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a.to_string());
    println!(
        "wsframe echo server on ws://{local}/ (max frame {} B, max message {} B, replies fragmented above {} B)",
        options.max_frame, options.max_message, options.fragment
    );
    println!("open http://{local}/ in a browser for the test page");
    serve(&listener, options);
    ExitCode::SUCCESS
}
