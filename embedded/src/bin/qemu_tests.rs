//! The crate's core checks, run as firmware on an emulated Cortex-M4
//! (`qemu-system-arm -machine mps2-an386`, 32-bit `usize`). Results go out
//! through semihosting; any failed check (or a panic, or a hard fault) ends
//! the run with a failing exit status, so it fails CI.
//!
//! Run: `cargo run --bin qemu-tests` (and `--release`) from `embedded/`.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use core::cell::RefCell;
use core::fmt::Debug;

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use critical_section::Mutex;
use wsframe::handshake::{
    accept_key, AcceptOptions, ClientRequest, Request, RequestError, Response, ResponseError,
};
use wsframe::{
    encode_close, encode_frame, unmask, CloseCode, Config, Error, Event, Fragmenter, Frame,
    FrameHeader, MaskingKey, Opcode, Receiver, Role, State, Status, Unmasker,
};
use wsframe_embedded::example;

// ---------------------------------------------------------------- harness

/// Counts checks; prints every failure with what was expected.
struct Tally {
    passed: u32,
    failed: u32,
    group_failed: u32,
    group_checks: u32,
}

impl Tally {
    fn check(&mut self, what: &str, ok: bool) {
        self.group_checks += 1;
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            self.group_failed += 1;
            hprintln!("  FAIL {}", what);
        }
    }

    fn eq<T: Debug + PartialEq>(&mut self, what: &str, got: T, want: T) {
        let ok = got == want;
        self.check(what, ok);
        if !ok {
            hprintln!("       got  {:?}", got);
            hprintln!("       want {:?}", want);
        }
    }

    fn group(&mut self, name: &str, body: impl FnOnce(&mut Tally)) {
        self.group_failed = 0;
        self.group_checks = 0;
        body(self);
        let verdict = if self.group_failed == 0 {
            "ok  "
        } else {
            "FAIL"
        };
        hprintln!("{} {} ({} checks)", verdict, name, self.group_checks);
    }
}

#[entry]
fn main() -> ! {
    let mut t = Tally {
        passed: 0,
        failed: 0,
        group_failed: 0,
        group_checks: 0,
    };
    hprintln!(
        "wsframe on {} (usize: {} bits)",
        "thumbv7em-none-eabihf, qemu mps2-an386",
        usize::BITS
    );
    t.group("target has a 32-bit usize", |t| {
        t.eq("usize::BITS", usize::BITS, 32)
    });
    t.group("rfc 6455 5.7 examples", rfc_examples);
    t.group("one case per error kind, with its close code", error_kinds);
    t.group("64-bit lengths >= 2^32 on a 32-bit target", big_lengths);
    t.group("unmasking across chunks", chunked_unmasking);
    t.group(
        "64 KiB frame streamed through a 256-byte buffer",
        streamed_64k,
    );
    t.group("fragmented message: message rules", fragmented_messages);
    t.group(
        "fragmented message: Receiver<256> in a static",
        fragmented_static_receiver,
    );
    t.group("encode -> parse roundtrips", roundtrips);
    t.group("README firmware loop over a fixed buffer", readme_loop);
    t.group("opening handshake (RFC 6455 §4)", opening_handshake);
    hprintln!("qemu: {} passed, {} failed", t.passed, t.failed);
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

// ---------------------------------------------------------------- stream runner

/// What a stream of frames produced, summarised so that runs with different
/// chunkings can be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Trace {
    headers: u32,
    frame_ends: u32,
    payload_bytes: u32,
    /// FNV-1a over every (unmasked) payload byte.
    digest: u32,
    messages: u32,
    message_bytes: u64,
    pings: u32,
    pongs: u32,
    close: Option<(Option<u16>, usize)>,
    error: Option<Error>,
}

fn fnv(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

/// Runs `wire` through a `Receiver` without a message buffer (with header
/// events, so that frames can be counted), `chunk` bytes at a time (each
/// chunk copied into a scratch buffer, as from a UART).
fn run(config: &Config, wire: &[u8], chunk: usize) -> Trace {
    let mut trace = Trace {
        digest: 0x811c_9dc5,
        ..Trace::default()
    };
    let mut receiver = Receiver::new(*config).with_header_events();
    // The payload bytes the current frame still has to bring, once its
    // header is in.
    let mut frame_left: Option<u64> = None;
    let mut scratch = [0u8; 512];
    for piece in wire.chunks(chunk.max(1)) {
        let buf = &mut scratch[..piece.len()];
        buf.copy_from_slice(piece);
        let mut at = 0;
        // Until `None`, even once the chunk is used up: after a header
        // event, the event of an empty payload needs no more bytes.
        loop {
            let (used, event) = match receiver.read(&mut buf[at..]) {
                Ok((used, Some(event))) => (used, event),
                Ok((_, None)) => break,
                Err(e) => {
                    // How many bytes of the failing message came out as
                    // pieces before the error depends on the chunking:
                    // compare the rest.
                    trace.error = Some(e);
                    trace.payload_bytes = 0;
                    trace.message_bytes = 0;
                    trace.digest = 0;
                    return trace;
                }
            };
            at += used;
            let mut payload_len = 0;
            let mut add = |trace: &mut Trace, bytes: &[u8]| {
                trace.payload_bytes += bytes.len() as u32;
                trace.digest = fnv(trace.digest, bytes);
                payload_len += bytes.len() as u64;
            };
            match event {
                Event::Header(h) => {
                    trace.headers += 1;
                    frame_left = Some(h.payload_len());
                    // An empty data frame that ends no message brings no
                    // other event: it ends here.
                    if h.payload_len() > 0 || h.fin() || h.opcode().is_control() {
                        continue;
                    }
                }
                Event::Piece(p) => {
                    add(&mut trace, p.payload);
                    trace.message_bytes += p.payload.len() as u64;
                    trace.messages += u32::from(p.last);
                }
                Event::Ping(p) => {
                    add(&mut trace, p);
                    trace.pings += 1;
                }
                Event::Pong(p) => {
                    add(&mut trace, p);
                    trace.pongs += 1;
                }
                Event::Close { code, reason } => {
                    let code = code.map(CloseCode::as_u16);
                    if let Some(code) = code {
                        add(&mut trace, &code.to_be_bytes());
                    }
                    add(&mut trace, reason.as_bytes());
                    trace.close = Some((code, reason.len()));
                }
                _ => {}
            }
            if let Some(left) = frame_left.as_mut() {
                *left = left.saturating_sub(payload_len);
                if *left == 0 {
                    trace.frame_ends += 1;
                    frame_left = None;
                }
            }
        }
    }
    trace
}

/// `run` at every chunk size from 1 to the whole input: all must agree with
/// the whole-input run, which is returned.
fn run_every_chunking(t: &mut Tally, what: &str, config: &Config, wire: &[u8]) -> Trace {
    let whole = run(config, wire, wire.len());
    let mut same = true;
    for chunk in 1..wire.len() {
        let got = run(config, wire, chunk);
        if got != whole {
            hprintln!("  chunk {}: {:?}", chunk, got);
            same = false;
        }
    }
    t.check(what, same);
    whole
}

// ---------------------------------------------------------------- RFC 6455 §5.7

const HELLO_UNMASKED: [u8; 7] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
const HELLO_MASKED: [u8; 11] = [
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];
const HEL_LO_UNMASKED: [u8; 9] = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
const PING_UNMASKED: [u8; 7] = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
const PONG_MASKED: [u8; 11] = [
    0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];
const KEY: MaskingKey = MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]);

fn rfc_examples(t: &mut Tally) {
    let client = Config::client();
    let server = Config::server();

    // A single-frame unmasked text message, as a client receives it.
    match FrameHeader::parse(&HELLO_UNMASKED, &client) {
        Ok(Status::Complete((h, used))) => {
            t.eq(
                "unmasked hello: header",
                (h.fin(), h.opcode(), h.is_masked(), h.payload_len(), used),
                (true, Opcode::Text, false, 5, 2),
            );
        }
        other => t.eq("unmasked hello parses", other.is_ok(), false),
    }
    match Frame::parse(&HELLO_UNMASKED, &client) {
        Ok(Status::Complete((f, used))) => t.eq(
            "unmasked hello: frame",
            (f.payload(), used),
            (&b"Hello"[..], 7),
        ),
        _ => t.check("unmasked hello: Frame::parse", false),
    }
    t.eq(
        "unmasked hello: a server refuses it",
        FrameHeader::parse(&HELLO_UNMASKED, &server),
        Err(Error::UnmaskedClientFrame),
    );

    // A single-frame masked text message, as a server receives it.
    let mut buf = HELLO_MASKED;
    match Frame::parse_in_place(&mut buf, &server) {
        Ok(Status::Complete((f, used))) => {
            t.eq(
                "masked hello: unmasked in place",
                (f.payload(), used),
                (&b"Hello"[..], 11),
            );
            t.eq("masked hello: key", f.header().masking_key(), Some(KEY));
        }
        _ => t.check("masked hello: Frame::parse_in_place", false),
    }
    t.eq(
        "masked hello: a client refuses it",
        FrameHeader::parse(&HELLO_MASKED, &client),
        Err(Error::MaskedServerFrame),
    );
    let mut header_only = [0u8; 6];
    header_only.copy_from_slice(&HELLO_MASKED[..6]);
    if let Ok(Status::Complete((h, 6))) = FrameHeader::parse(&header_only, &server) {
        let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
        h.unmask(&mut payload);
        t.eq("masked hello: FrameHeader::unmask", &payload, b"Hello");
    } else {
        t.check("masked hello: header alone", false);
    }

    // Every prefix of a frame is Partial, never an error, and asks for the
    // rest of the header first.
    for cut in 0..HELLO_MASKED.len() {
        let st = Frame::parse(&HELLO_MASKED[..cut], &server);
        let want = if cut < 2 {
            2 - cut
        } else if cut < 6 {
            6 - cut
        } else {
            11 - cut
        };
        t.eq(
            "masked hello prefix: Partial with the right count",
            st.map(|s| s.needed()),
            Ok(Some(want)),
        );
    }

    // A fragmented unmasked text message: "Hel" then "lo".
    let trace = run_every_chunking(
        t,
        "fragmented hello: same at every chunking",
        &client,
        &HEL_LO_UNMASKED,
    );
    t.eq(
        "fragmented hello: 2 frames, 1 message of 5 bytes",
        (
            trace.headers,
            trace.frame_ends,
            trace.messages,
            trace.message_bytes,
            trace.error,
        ),
        (2, 2, 1, 5, None),
    );
    t.eq(
        "fragmented hello: payload digest",
        trace.digest,
        fnv(0x811c_9dc5, b"Hello"),
    );

    // Unmasked Ping and masked Pong, each with body "Hello".
    let ping = run_every_chunking(t, "ping: same at every chunking", &client, &PING_UNMASKED);
    t.eq(
        "ping: one ping",
        (ping.pings, ping.payload_bytes, ping.error),
        (1, 5, None),
    );
    let pong = run_every_chunking(t, "pong: same at every chunking", &server, &PONG_MASKED);
    t.eq(
        "pong: one pong, unmasked",
        (pong.pongs, pong.digest, pong.error),
        (1, fnv(0x811c_9dc5, b"Hello"), None),
    );

    // 256 bytes of binary data in a single unmasked frame (16-bit length).
    let mut wire = [0u8; 4 + 256];
    wire[..4].copy_from_slice(&[0x82, 0x7E, 0x01, 0x00]);
    for (i, b) in wire[4..].iter_mut().enumerate() {
        *b = i as u8;
    }
    let trace = run_every_chunking(t, "256-byte binary: same at every chunking", &client, &wire);
    t.eq(
        "256-byte binary: one message",
        (trace.messages, trace.message_bytes, trace.error),
        (1, 256, None),
    );

    // 64 KiB binary in a single unmasked frame (64-bit length): the header.
    let header = [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00];
    match FrameHeader::parse(&header, &client) {
        Ok(Status::Complete((h, 10))) => t.eq("64 KiB binary: length", h.payload_len(), 65536),
        other => t.eq("64 KiB binary: header", other.is_ok(), false),
    }
    t.eq(
        "64 KiB binary: Partial until the payload is in",
        Frame::parse(&header, &client).map(|s| s.needed()),
        Ok(Some(65536)),
    );
}

// ---------------------------------------------------------------- error kinds

/// One wire that triggers each error kind, and the close code it must carry
/// (written out here, not taken from the crate).
struct Case {
    error: Error,
    code: u16,
    config: Config,
    wire: &'static [u8],
}

const RSV1_ALLOWED: Config = Config::client().with_allowed_rsv(Config::RSV1);
const SMALL_MESSAGES: Config = Config::client().with_max_message_len(4);
const HUGE_FRAMES: Config = Config::client().with_max_frame_payload(1 << 40);

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { error: Error::ReservedBits, code: 1002, config: Config::server(), wire: &[0xC1, 0x80, 1, 2, 3, 4] },
    Case { error: Error::ReservedOpcode, code: 1002, config: Config::server(), wire: &[0x83] },
    Case { error: Error::FragmentedControlFrame, code: 1002, config: Config::server(), wire: &[0x09, 0x80, 1, 2, 3, 4] },
    Case { error: Error::ControlFrameTooLong, code: 1002, config: Config::server(), wire: &[0x89, 0xFE, 0x00, 0x7E] },
    Case { error: Error::UnmaskedClientFrame, code: 1002, config: Config::server(), wire: &[0x81, 0x05, b'H', b'e', b'l', b'l', b'o'] },
    Case { error: Error::MaskedServerFrame, code: 1002, config: Config::client(), wire: &HELLO_MASKED },
    Case { error: Error::LengthHighBitSet, code: 1002, config: Config::server(), wire: &[0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0] },
    Case { error: Error::NonMinimalLength, code: 1002, config: Config::server(), wire: &[0x82, 0xFE, 0x00, 0x05] },
    Case { error: Error::FrameTooBig, code: 1009, config: Config::client(), wire: &[0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0] },
    Case { error: Error::FrameTooBigForTarget, code: 1009, config: HUGE_FRAMES, wire: &[0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0] },
    Case { error: Error::UnexpectedContinuation, code: 1002, config: Config::client(), wire: &[0x80, 0x02, b'l', b'o'] },
    Case { error: Error::ExpectedContinuation, code: 1002, config: Config::client(), wire: &[0x01, 0x01, b'a', 0x82, 0x01, b'b'] },
    Case { error: Error::MessageTooBig, code: 1009, config: SMALL_MESSAGES, wire: &[0x01, 0x03, b'H', b'e', b'l', 0x80, 0x02, b'l', b'o'] },
    Case { error: Error::InvalidUtf8, code: 1007, config: Config::client(), wire: &[0x01, 0x02, b'a', 0xF0, 0x80, 0x02, 0x9F, 0x41] },
    Case { error: Error::CloseBodyTooShort, code: 1002, config: Config::client(), wire: &[0x88, 0x01, 0x03] },
    Case { error: Error::InvalidCloseCode, code: 1002, config: Config::client(), wire: &[0x88, 0x02, 0x03, 0xED] },
    Case { error: Error::InvalidCloseReason, code: 1007, config: Config::client(), wire: &[0x88, 0x04, 0x03, 0xE8, b'a', 0xFF] },
    Case { error: Error::MisplacedCompressionBit, code: 1002, config: RSV1_ALLOWED, wire: &[0x41, 0x01, b'a', 0xC0, 0x01, b'b'] },
];

fn error_kinds(t: &mut Tally) {
    for &e in Error::ALL {
        let Some(case) = CASES.iter().find(|c| c.error == e) else {
            t.check(e.name(), false);
            hprintln!("       no case for {:?}", e);
            continue;
        };
        let trace = run_every_chunking(t, e.name(), &case.config, case.wire);
        t.eq(e.name(), trace.error, Some(e));
        t.eq(e.name(), e.close_code().as_u16(), case.code);
        t.check(
            e.name(),
            !e.rfc_section().is_empty() && !e.as_str().is_empty(),
        );
        // The error is terminal, and `reply` answers it once with its Close
        // (masked in the Client role).
        let mut receiver = Receiver::new(case.config);
        let mut buf = [0u8; 16];
        let wire = &mut buf[..case.wire.len()];
        wire.copy_from_slice(case.wire);
        let mut first = None;
        let mut at = 0;
        while at < wire.len() {
            match receiver.read(&mut wire[at..]) {
                Ok((used, _)) => at += used,
                Err(e) => {
                    first = Some(e);
                    break;
                }
            }
        }
        t.eq(e.name(), first, Some(e));
        t.eq("receiver stays failed", receiver.read(&mut []), Err(e));
        t.eq("state: Failed", receiver.state(), State::Failed(e));
        let mut out = [0u8; FrameHeader::MAX_CONTROL_FRAME_LEN];
        let sent = receiver.reply(Some(KEY), &mut out).unwrap_or(0);
        let any = Config::new(Role::Any);
        match Frame::parse_in_place(&mut out[..sent], &any) {
            Ok(Status::Complete((f, _))) => t.eq(
                "reply: its Close, code and description",
                (f.payload().get(..2), f.payload().get(2..)),
                (
                    Some(&case.code.to_be_bytes()[..]),
                    Some(e.as_str().as_bytes()),
                ),
            ),
            _ => t.check("reply: a Close frame", false),
        }
        t.eq("reply: once", receiver.reply(Some(KEY), &mut out), Ok(0));
    }
    t.eq("a case for every kind", CASES.len(), Error::ALL.len());
}

// ---------------------------------------------------------------- 64-bit lengths

fn big_lengths(t: &mut Tally) {
    let at_2_32 = [0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0];
    t.eq(
        "2^32, default limits: FrameTooBig",
        FrameHeader::parse(&at_2_32, &Config::client()),
        Err(Error::FrameTooBig),
    );
    t.eq(
        "2^32, default limits: 1009",
        Error::FrameTooBig.close_code().as_u16(),
        1009,
    );
    let above_usize = Config::client().with_max_frame_payload(u64::from(u32::MAX) * 2);
    t.eq(
        "2^32, limit above usize::MAX: FrameTooBigForTarget",
        FrameHeader::parse(&at_2_32, &above_usize),
        Err(Error::FrameTooBigForTarget),
    );
    t.eq(
        "FrameTooBigForTarget: 1009",
        Error::FrameTooBigForTarget.close_code().as_u16(),
        1009,
    );
    let max_63 = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
    t.eq(
        "2^63-1, no limit: FrameTooBigForTarget",
        FrameHeader::parse(&max_63, &Config::client().with_max_frame_payload(u64::MAX)),
        Err(Error::FrameTooBigForTarget),
    );
    // usize::MAX itself fits usize, but header + payload does not.
    let usize_max = [0x82, 0x7F, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
    t.check(
        "usize::MAX: the header parses",
        matches!(
            FrameHeader::parse(&usize_max, &above_usize),
            Ok(Status::Complete(_))
        ),
    );
    t.eq(
        "usize::MAX: a whole frame cannot be addressed",
        Frame::parse(&usize_max, &above_usize),
        Err(Error::FrameTooBigForTarget),
    );
    // Just under 2^32 with limits of 2^32: the receiver counts in u64.
    let mut receiver =
        Receiver::new(above_usize.with_max_message_len(1 << 32)).with_header_events();
    let mut header = [0x82, 0x7F, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFE];
    t.check(
        "2^32-2: the receiver takes the header",
        matches!(receiver.read(&mut header), Ok((10, Some(Event::Header(_))))),
    );
    t.eq("2^32-2: needed", receiver.needed(), 0xFFFF_FFFE);
}

// ---------------------------------------------------------------- unmasking

fn chunked_unmasking(t: &mut Tally) {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let mut plain = [0u8; 67];
    for (i, b) in plain.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(7);
    }
    let mut reference = plain;
    for (i, b) in reference.iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
    let mut one_shot = plain;
    unmask(&mut one_shot, MaskingKey::new(key));
    t.eq("unmask: one shot", &one_shot[..], &reference[..]);
    for chunk in 1..=17 {
        for start in 0..4 {
            let mut buf = plain;
            let mut u = Unmasker::new(MaskingKey::new(key));
            let (head, tail) = buf.split_at_mut(start);
            u.apply(head);
            for piece in tail.chunks_mut(chunk) {
                u.apply(piece);
            }
            t.eq(
                "unmasker: chunked equals byte reference",
                &buf[..],
                &reference[..],
            );
        }
    }
    // RFC 6455 §5.7 "Hello", split 3 + 2.
    let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
    let (a, b) = payload.split_at_mut(3);
    let mut u = Unmasker::new(KEY);
    u.apply(a);
    u.apply(b);
    t.eq("unmasker: hello 3+2", &payload, b"Hello");
    // Through the receiver, the masked frame at every chunking.
    let trace = run_every_chunking(
        t,
        "receiver: masked hello at every chunking",
        &Config::server(),
        &HELLO_MASKED,
    );
    t.eq(
        "receiver: masked hello digest",
        trace.digest,
        fnv(0x811c_9dc5, b"Hello"),
    );
}

/// A 64 KiB (exactly the default limit) masked binary frame through a
/// 256-byte receive buffer, as pieces, then one byte more than the limit.
fn streamed_64k(t: &mut Tally) {
    let config = Config::server();
    let mut receiver = Receiver::new(config);
    let mut header = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 0xA1, 0xB2, 0xC3, 0xD4];
    t.eq("64 KiB: header", receiver.read(&mut header), Ok((14, None)));
    let mut masker = Unmasker::new(MaskingKey::new([0xA1, 0xB2, 0xC3, 0xD4]));
    let mut rx = [0u8; 256];
    let mut pos = 0u32;
    let mut good = true;
    let mut pieces = 0;
    let mut outcome = None;
    for _ in 0..256 {
        for (i, b) in rx.iter_mut().enumerate() {
            *b = (pos as usize + i) as u8;
        }
        masker.apply(&mut rx);
        let mut at = 0;
        while at < rx.len() {
            match receiver.read(&mut rx[at..]) {
                Ok((used, event)) => {
                    at += used;
                    if let Some(Event::Piece(p)) = event {
                        pieces += 1;
                        for &b in p.payload {
                            good &= b == pos as u8;
                            pos += 1;
                        }
                        if p.last {
                            outcome = Some((p.opcode, pos));
                        }
                    }
                }
                Err(e) => {
                    t.eq("64 KiB: receiver", Err::<(), _>(e), Ok(()));
                    return;
                }
            }
        }
    }
    t.check("64 KiB: every byte unmasked right", good);
    t.eq(
        "64 KiB: all bytes seen, one piece a chunk",
        (pos, pieces),
        (65536, 256),
    );
    t.eq(
        "64 KiB: one binary message",
        outcome,
        Some((Opcode::Binary, 65536)),
    );
    t.eq("64 KiB: at a frame boundary", receiver.needed(), 0);
    let mut over = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 1];
    t.eq(
        "64 KiB + 1: FrameTooBig",
        Receiver::new(config).read(&mut over),
        Err(Error::FrameTooBig),
    );
}

// ---------------------------------------------------------------- message layer

fn fragmented_messages(t: &mut Tally) {
    // "Hel" [Ping "Hello"] "lo": the ping passes through mid-message.
    let mut wire = [0u8; 16];
    wire[..5].copy_from_slice(&HEL_LO_UNMASKED[..5]);
    wire[5..12].copy_from_slice(&PING_UNMASKED);
    wire[12..16].copy_from_slice(&HEL_LO_UNMASKED[5..]);
    let trace = run_every_chunking(
        t,
        "text with an interleaved ping: every chunking",
        &Config::client(),
        &wire,
    );
    t.eq(
        "text with an interleaved ping",
        (
            trace.messages,
            trace.message_bytes,
            trace.pings,
            trace.error,
        ),
        (1, 5, 1, None),
    );
    // A 4-byte code point split across fragments: F0 | 9F 98 80.
    let split_cp = [0x01, 0x02, b'a', 0xF0, 0x80, 0x03, 0x9F, 0x98, 0x80];
    let trace = run_every_chunking(
        t,
        "4-byte code point across fragments: every chunking",
        &Config::client(),
        &split_cp,
    );
    t.eq(
        "4-byte code point across fragments",
        (trace.messages, trace.error),
        (1, None),
    );
    // Truncated at the end of the message: 1007 at FIN.
    let truncated = [0x01, 0x02, b'a', 0xF0, 0x80, 0x02, 0x9F, 0x98];
    let trace = run_every_chunking(
        t,
        "truncated code point: every chunking",
        &Config::client(),
        &truncated,
    );
    t.eq(
        "truncated code point: 1007",
        trace.error.map(|e| e.close_code().as_u16()),
        Some(1007),
    );
    // [binary fin=0][ping][text] fails with 1002.
    let mut wire = [0u8; 13];
    wire[..3].copy_from_slice(&[0x02, 0x01, 0xAA]);
    wire[3..10].copy_from_slice(&PING_UNMASKED);
    wire[10..].copy_from_slice(&[0x81, 0x01, b'x']);
    let trace = run(&Config::client(), &wire, wire.len());
    t.eq(
        "binary, ping, text: ExpectedContinuation",
        trace.error,
        Some(Error::ExpectedContinuation),
    );
    // A message of exactly the limit is accepted.
    let exact = [0x01, 0x02, b'a', b'b', 0x80, 0x02, b'c', b'd'];
    t.eq(
        "exactly the limit",
        run(&SMALL_MESSAGES, &exact, 3).error,
        None,
    );
    // A Close with a code and a reason.
    let close = [0x88, 0x05, 0x03, 0xE8, b'b', b'y', b'e'];
    let trace = run_every_chunking(t, "close: every chunking", &Config::client(), &close);
    t.eq("close 1000 'bye'", trace.close, Some((Some(1000), 3)));
}

/// A receiver in a `static`: `Receiver::with_buffer` is a `const fn`, and
/// the critical-section mutex gives `&mut` access without `unsafe`.
static RECEIVER: Mutex<RefCell<Receiver<256>>> =
    Mutex::new(RefCell::new(Receiver::with_buffer(Config::client())));

/// Reads all of `wire` into `rx`: the length of the last whole text message
/// it gave (copied into `text`), and the first error.
fn read_all<const N: usize>(
    rx: &mut Receiver<N>,
    wire: &[u8],
    text: &mut [u8; 16],
) -> (usize, Option<Error>) {
    let mut buf = [0u8; 32];
    let buf = &mut buf[..wire.len()];
    buf.copy_from_slice(wire);
    let mut text_len = 0;
    let mut at = 0;
    while at < buf.len() {
        match rx.read(&mut buf[at..]) {
            Ok((used, event)) => {
                at += used;
                if let Some(Event::Text(s)) = event {
                    text[..s.len()].copy_from_slice(s.as_bytes());
                    text_len = s.len();
                }
            }
            Err(e) => return (text_len, Some(e)),
        }
    }
    (text_len, None)
}

fn fragmented_static_receiver(t: &mut Tally) {
    // "Hé" (FIN clear), a Ping "hi", then "llo!" and a lone 0xF0: 1007 at FIN.
    const FIRST: [u8; 5] = [0x01, 0x03, b'H', 0xC3, 0xA9];
    const PING: [u8; 4] = [0x89, 0x02, b'h', b'i'];
    const BAD_LAST: [u8; 7] = [0x80, 0x05, b'l', b'l', b'o', b'!', 0xF0];
    const LAST: [u8; 7] = [0x80, 0x05, b'l', b'l', b'o', b'!', b'!'];
    critical_section::with(|cs| {
        let mut r = RECEIVER.borrow_ref_mut(cs);
        let mut text = [0u8; 16];
        t.eq(
            "first fragment",
            read_all(&mut r, &FIRST, &mut text),
            (0, None),
        );
        let mut ping = PING;
        t.eq(
            "ping in between",
            r.read(&mut ping),
            Ok((4, Some(Event::Ping(b"hi")))),
        );
        t.eq(
            "last fragment: truncated code point",
            read_all(&mut r, &BAD_LAST, &mut text).1,
            Some(Error::InvalidUtf8),
        );
        t.eq(
            "the error is terminal",
            read_all(&mut r, &PING, &mut text).1,
            Some(Error::InvalidUtf8),
        );
        r.reset();
        t.eq(
            "after reset: first",
            read_all(&mut r, &FIRST, &mut text),
            (0, None),
        );
        let (len, error) = read_all(&mut r, &LAST, &mut text);
        t.eq(
            "after reset: last",
            (core::str::from_utf8(&text[..len]), error),
            (Ok("Héllo!!"), None),
        );
    });
    // Streamed from the wire: the §5.7 fragments, masked, at every chunking.
    let wire = [
        0x01, 0x83, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, // "Hel"
        0x80, 0x82, 0x37, 0xfa, 0x21, 0x3d, 0x5b, 0x95, // "lo"
    ];
    let mut all_same = true;
    for chunk in 1..=wire.len() {
        let mut r: Receiver<256> = Receiver::with_buffer(Config::server());
        let mut text = [0u8; 16];
        let mut text_len = 0;
        for piece in wire.chunks(chunk) {
            let (len, error) = read_all(&mut r, piece, &mut text);
            text_len = text_len.max(len);
            all_same &= error.is_none();
        }
        all_same &= &text[..text_len] == b"Hello";
    }
    t.check(
        "masked fragments from the wire, every chunking: Text(\"Hello\")",
        all_same,
    );
    // The buffer bounds the message: 1009 at the header that overflows it.
    let mut small: Receiver<4> = Receiver::with_buffer(Config::client());
    t.eq("Receiver<4>: limit", small.message_limit(), 4);
    t.eq(
        "Receiver<4>: 5 bytes is MessageTooBig at the length",
        small.read(&mut [0x82, 0x05]),
        Err(Error::MessageTooBig),
    );
}

// ---------------------------------------------------------------- roundtrips

fn roundtrips(t: &mut Tally) {
    let any = Config::new(Role::Any)
        .with_allowed_rsv(0b111)
        .with_max_frame_payload(u64::MAX);
    let lens = [
        0u64,
        1,
        5,
        125,
        126,
        127,
        1000,
        65535,
        65536,
        1 << 20,
        (1 << 31) - 1,
    ];
    let mut n = 0;
    for &len in &lens {
        for opcode in Opcode::ALL {
            for fin in [false, true] {
                for rsv in [0, 0b100, 0b111] {
                    for key in [None, Some(KEY)] {
                        let Ok(h) = FrameHeader::new(fin, rsv, opcode, key, len) else {
                            t.check(
                                "FrameHeader::new refuses only invalid control frames",
                                opcode.is_control() && (!fin || len > 125),
                            );
                            continue;
                        };
                        let mut out = [0u8; FrameHeader::MAX_LEN];
                        let Ok(used) = h.encode(&mut out) else {
                            t.check("encode into 14 bytes", false);
                            continue;
                        };
                        t.eq("encoded_len", used, h.encoded_len());
                        t.eq(
                            "parse(encode(h)) == h",
                            FrameHeader::parse(&out[..used], &any),
                            Ok(Status::Complete((h, used))),
                        );
                        n += 1;
                    }
                }
            }
        }
    }
    t.check("roundtripped at least 300 headers", n >= 300);
    // A length that does not fit a 32-bit usize encodes, and parses as 1009.
    if let Ok(h) = FrameHeader::new(true, 0, Opcode::Binary, None, 1 << 32) {
        let mut out = [0u8; 14];
        let used = h.encode(&mut out).unwrap_or(0);
        t.eq(
            "2^32 encodes then parses as FrameTooBigForTarget",
            FrameHeader::parse(&out[..used], &any),
            Err(Error::FrameTooBigForTarget),
        );
    }
    // Whole frames: encode_frame (masking) then parse_in_place (unmasking).
    let mut payload = [0u8; 300];
    for (i, b) in payload.iter_mut().enumerate() {
        *b = (i * 7) as u8;
    }
    for len in [0, 1, 3, 4, 7, 8, 9, 125, 126, 300] {
        for key in [None, Some(KEY)] {
            let Ok(h) = FrameHeader::new(true, 0, Opcode::Binary, key, len as u64) else {
                continue;
            };
            let mut out = [0u8; 314];
            match encode_frame(&h, &payload[..len], &mut out) {
                Ok(n) => match Frame::parse_in_place(&mut out[..n], &any) {
                    Ok(Status::Complete((f, used))) => {
                        t.eq("frame roundtrip: payload", f.payload(), &payload[..len]);
                        t.eq("frame roundtrip: header", (*f.header(), used), (h, n));
                    }
                    other => t.eq("frame roundtrip: parse", other.is_ok(), false),
                },
                Err(e) => t.eq("encode_frame", Err(e), Ok(0)),
            }
        }
    }
    // The Fragmenter, each fragment masked with its own key, then a
    // Receiver with a buffer (server side).
    let text = "Hello, wörld: ein Grüß aus dem Emulator ✓";
    let mut wire = [0u8; 256];
    let mut end = 0;
    if let Ok(fragments) = Fragmenter::new(Opcode::Text, text.as_bytes(), 3) {
        for (i, (h, chunk)) in fragments.enumerate() {
            let h = h.with_masking_key(Some(MaskingKey::new([i as u8, 0x5A, 0xA5, !(i as u8)])));
            match encode_frame(&h, chunk, &mut wire[end..]) {
                Ok(n) => end += n,
                Err(e) => t.eq("encode a fragment", Err(e), Ok(0)),
            }
        }
    }
    let mut r: Receiver<128> = Receiver::with_buffer(Config::server());
    let mut got = false;
    let mut at = 0;
    while let Ok((used, event)) = r.read(&mut wire[at..end]) {
        at += used;
        if let Some(event) = event {
            t.eq("fragmenter -> receiver", event, Event::Text(text));
            got = true;
        }
        if at == end {
            break;
        }
    }
    t.check("the fragmented message completed", got && at == end);
    // Close frames: encode_close, then the receiver reads code and reason.
    let mut out = [0u8; 131];
    if let Ok(n) = encode_close(Some(CloseCode::GOING_AWAY), "bye", Some(KEY), &mut out) {
        let trace = run(&Config::server(), &out[..n], n);
        t.eq(
            "encode_close -> receiver",
            trace.close,
            Some((Some(1001), 3)),
        );
    }
    // The Close frame that answers each error: code and reason come back.
    for &e in Error::ALL {
        let mut out = [0u8; 131];
        match e.encode_close(None, &mut out) {
            Ok(n) => match Frame::parse(&out[..n], &Config::client()) {
                Ok(Status::Complete((f, _))) => {
                    let p = f.payload();
                    t.eq(
                        e.name(),
                        u16::from_be_bytes([p[0], p[1]]),
                        e.close_code().as_u16(),
                    );
                    t.eq(e.name(), &p[2..], e.as_str().as_bytes());
                }
                other => t.eq(e.name(), other.is_ok(), false),
            },
            Err(err) => t.eq(e.name(), Err(err), Ok(0)),
        }
    }
}

// ---------------------------------------------------------------- README loop

/// The README's firmware loop (`wsframe_embedded::example::receive`) over a
/// fixed buffer, as a server: masked "Hello", masked Ping, the masked
/// fragmented "Hel"+"lo", and a Close 1000, fed at every chunk size.
fn readme_loop(t: &mut Tally) {
    const WIRE: [u8; 47] = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, // text "Hello"
        0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, // ping "Hello"
        0x01, 0x83, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, // text "Hel", FIN clear
        0x80, 0x82, 0x37, 0xfa, 0x21, 0x3d, 0x5b, 0x95, // continuation "lo"
        0x88, 0x82, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, // close 1000
    ];
    const PONG: [u8; 7] = [0x8a, 0x05, b'H', b'e', b'l', b'l', b'o'];
    const CLOSE_1000: [u8; 4] = [0x88, 0x02, 0x03, 0xe8];
    let mut all_ok = true;
    for chunk in 1..=WIRE.len() {
        let mut receiver: Receiver<64> = Receiver::with_buffer(Config::server());
        let mut texts = 0;
        let mut sent = [0u8; 16];
        let mut sent_len = 0;
        let mut open = true;
        for piece in WIRE.chunks(chunk) {
            let mut rx = [0u8; 47];
            let rx = &mut rx[..piece.len()];
            rx.copy_from_slice(piece);
            open = example::receive(
                &mut receiver,
                rx,
                |e| texts += u32::from(e == Event::Text("Hello")),
                |frame| {
                    if let Some(dst) = sent.get_mut(sent_len..sent_len + frame.len()) {
                        dst.copy_from_slice(frame);
                    }
                    sent_len += frame.len();
                },
            );
            if !open {
                break;
            }
        }
        let ok =
            texts == 2 && !open && sent_len == 11 && sent[..7] == PONG && sent[7..11] == CLOSE_1000;
        if !ok {
            hprintln!(
                "  chunk {}: texts {} open {} sent {:x?}",
                chunk,
                texts,
                open,
                &sent[..sent_len.min(16)]
            );
        }
        all_ok &= ok;
    }
    let mut sent = [0u8; 8];
    let mut sent_len = 0;
    let texts = example::run_fixed_buffer(|frame| {
        if let Some(dst) = sent.get_mut(sent_len..sent_len + frame.len()) {
            dst.copy_from_slice(frame);
        }
        sent_len += frame.len();
    });
    t.eq(
        "README fixed buffer: one text, then the close echo",
        (texts, &sent[..sent_len]),
        (1, &[0x88, 0x02, 0x03, 0xe8][..]),
    );
    t.check(
        "two texts, a pong and the close echo, at every chunk size",
        all_ok,
    );
    // A reserved opcode: the loop answers with its Close (1002 and the
    // rule, from `reply`) and stops.
    t.eq(
        "reserved opcode: Close 1002 sent",
        answer(&mut [0x83, 0x80, 0, 0, 0, 0]),
        (false, 1002, Error::ReservedOpcode.as_str()),
    );
    // Invalid UTF-8: Close 1007.
    t.eq(
        "invalid utf-8: Close 1007 sent",
        answer(&mut [0x81, 0x81, 0, 0, 0, 0, 0xFF]),
        (false, 1007, Error::InvalidUtf8.as_str()),
    );
    // A 100-byte text for a 64-byte receiver, cut before its masking key:
    // Close 1009 as soon as the length is read.
    t.eq(
        "message over the limit: Close 1009 sent at its length field",
        answer(&mut [0x81, 0xE4]),
        (false, 1009, Error::MessageTooBig.as_str()),
    );
}

/// Runs `rx` through the README loop (a fresh server state) and returns
/// whether the connection stays open, and the code and reason of the Close
/// frame it sent (0 and "" if it sent none).
fn answer(rx: &mut [u8]) -> (bool, u16, &'static str) {
    let mut sent = (0, "");
    let open = example::receive(
        &mut Receiver::<64>::with_buffer(Config::server()),
        rx,
        |_| {},
        |frame| {
            if let Ok(Status::Complete((f, _))) = Frame::parse(frame, &Config::client()) {
                if let ([hi, lo, reason @ ..], Opcode::Close) = (f.payload(), f.header().opcode()) {
                    let code = u16::from_be_bytes([*hi, *lo]);
                    // The reason is an error's description: find it.
                    let text = Error::ALL
                        .iter()
                        .map(|e| e.as_str())
                        .find(|text| text.as_bytes() == reason)
                        .unwrap_or("?");
                    sent = (code, text);
                }
            }
        },
    );
    (open, sent.0, sent.1)
}

// ---------------------------------------------------------------- handshake

/// RFC 6455 §1.2's client handshake.
const HANDSHAKE_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n\
    Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// RFC 6455 §1.2's server handshake, answering [`HANDSHAKE_REQUEST`].
const HANDSHAKE_RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    Sec-WebSocket-Protocol: chat\r\n\r\n";

fn opening_handshake(t: &mut Tally) {
    t.eq(
        "accept_key of RFC 6455's example key",
        &accept_key(b"dGhlIHNhbXBsZSBub25jZQ==")[..],
        &b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="[..],
    );
    let parsed = Request::parse(HANDSHAKE_REQUEST, 1024);
    let Ok(Status::Complete((request, used))) = parsed else {
        t.check("RFC 6455's request parses", false);
        return;
    };
    t.eq(
        "request: path, host, key, head length",
        (request.path(), request.host(), request.key(), used),
        (
            "/chat",
            "server.example.com",
            "dGhlIHNhbXBsZSBub25jZQ==",
            HANDSHAKE_REQUEST.len(),
        ),
    );
    let mut protocols = request.subprotocols();
    t.eq(
        "request: subprotocols",
        (protocols.next(), protocols.next(), protocols.next()),
        (Some("chat"), Some("superchat"), None),
    );
    let mut out = [0u8; 256];
    let options = AcceptOptions::new().with_subprotocol("chat");
    let written = request.accept(&options, &mut out);
    t.eq(
        "101 answer is RFC 6455's, byte for byte",
        written.map(|n| &out[..n]),
        Ok(HANDSHAKE_RESPONSE),
    );
    // Every prefix is Partial with nothing consumed; the whole is complete.
    let mut partial = true;
    for end in 0..HANDSHAKE_REQUEST.len() {
        partial &=
            Request::parse(&HANDSHAKE_REQUEST[..end], 1024).is_ok_and(|s| s.needed() == Some(1));
    }
    t.check("request: every prefix is Partial", partial);
    t.eq(
        "request: head over the limit is 431",
        Request::parse(HANDSHAKE_REQUEST, 100).map_err(RequestError::status_code),
        Err(431),
    );
    // Version 8: 426 with the version to use.
    let mut old = [0u8; 256];
    let old = &mut old[..HANDSHAKE_REQUEST.len() - 1];
    let at = HANDSHAKE_REQUEST.len() - 6; // the "13\r\n\r\n" at the end
    old[..at].copy_from_slice(&HANDSHAKE_REQUEST[..at]);
    old[at] = b'8';
    old[at + 1..].copy_from_slice(&HANDSHAKE_REQUEST[at + 2..]);
    let err = Request::parse(old, 1024);
    t.eq(
        "version 8: UnsupportedVersion",
        err.map(|_| ()),
        Err(RequestError::UnsupportedVersion),
    );
    if let Err(err) = err {
        let n = err.encode_response(&mut out).unwrap_or(0);
        let answer = &out[..n];
        t.check(
            "426 answer names version 13",
            answer.starts_with(b"HTTP/1.1 426 Upgrade Required\r\n")
                && answer
                    .windows(27)
                    .any(|w| w == b"Sec-WebSocket-Version: 13\r\n"),
        );
    }
    // The client side: RFC 6455's request, written by the crate, and the
    // answer checked against it.
    let client = ClientRequest::new("server.example.com", "/chat", *b"the sample nonce")
        .with_origin("http://example.com")
        .with_subprotocols(&["chat", "superchat"]);
    let written = client.encode(&mut out).map(|n| &out[..n]);
    t.check(
        "client request parses as a server request",
        written.is_ok_and(|bytes| Request::parse(bytes, 1024).is_ok_and(|s| s.is_complete())),
    );
    t.eq(
        "client: RFC 6455's answer accepted, subprotocol chat",
        Response::parse(HANDSHAKE_RESPONSE, &client, 1024)
            .map(|s| s.complete().map(|(r, used)| (r.subprotocol(), used))),
        Ok(Some((Some("chat"), HANDSHAKE_RESPONSE.len()))),
    );
    let other =
        ClientRequest::new("server.example.com", "/chat", [0; 16]).with_subprotocols(&["chat"]);
    t.eq(
        "client: another key's answer is AcceptMismatch",
        Response::parse(HANDSHAKE_RESPONSE, &other, 1024).map(|_| ()),
        Err(ResponseError::AcceptMismatch),
    );
}
