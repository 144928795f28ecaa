//! Regression tests: every crash or property failure the fuzz targets
//! (`fuzz/`, issue 5) found, minimised, as one named row with its bytes
//! inline and the verdict and close code RFC 6455 calls for.
//!
//! Each row names the entry point it runs (`header`: `FrameHeader::parse`;
//! `header_events`: a `Receiver<0>` with header events, read with the
//! documented loop; `read_slice`: one `Receiver<0>::read_slice` call) and
//! the verdict it expects.

use wsframe::{Config, Error, FrameHeader, Receiver, Role};

/// What the RFC calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// `FrameHeader::parse`: `Partial` asking for this many more bytes.
    Partial(usize),
    /// The first error and its close code.
    Fails(Error, u16),
    /// The last event handed out, in its `Debug` form.
    LastEvent(&'static str),
}

fn header(config: &Config, bytes: &[u8], expected: Expect) {
    let got = FrameHeader::parse(bytes, config);
    match expected {
        Expect::Partial(n) => assert_eq!(got.map(|s| s.needed()), Ok(Some(n)), "{bytes:02x?}"),
        Expect::Fails(e, code) => {
            assert_eq!(got, Err(e), "{bytes:02x?}");
            assert_eq!(e.close_code().as_u16(), code);
        }
        Expect::LastEvent(_) => unreachable!("a header row expects a verdict"),
    }
}

/// One `read_slice` call on `bytes` (a `Receiver<0>`): its first error.
fn read_slice(config: &Config, bytes: &[u8], expected: Expect) {
    let mut rx = Receiver::new(*config);
    let mut buf = bytes.to_vec();
    match expected {
        Expect::Fails(e, code) => {
            assert_eq!(rx.read_slice(&mut buf).err(), Some(e), "{bytes:02x?}");
            assert_eq!(e.close_code().as_u16(), code);
        }
        other => unreachable!("a read_slice row expects an error, not {other:?}"),
    }
}

/// The documented loop for header events (read until `read` returns
/// `None`: a frame's header and its own event can be due at the same byte)
/// over `bytes` in one piece, through a `Receiver<0>` with header events.
fn header_events(config: &Config, bytes: &[u8], expected: Expect) {
    let mut rx = Receiver::new(*config).with_header_events();
    let mut input = bytes.to_vec();
    let mut at = 0;
    let mut last = String::new();
    let mut error = None;
    loop {
        match rx.read(input.get_mut(at..).unwrap_or_default()) {
            Ok((used, event)) => {
                at += used;
                let Some(event) = event else { break };
                last = format!("{event:?}");
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    match expected {
        Expect::LastEvent(e) => assert_eq!((error, last.as_str()), (None, e), "{bytes:02x?}"),
        Expect::Fails(e, code) => {
            assert_eq!(error, Some(e), "{bytes:02x?}");
            assert_eq!(e.close_code().as_u16(), code);
        }
        Expect::Partial(_) => unreachable!("a header_events row expects an event or an error"),
    }
}

macro_rules! regressions {
    ($($(#[$doc:meta])* $kind:ident $name:ident: $config:expr, $bytes:expr => $expected:expr;)*) => {
        $(
            $(#[$doc])*
            #[test]
            fn $name() {
                $kind(&$config, &$bytes, $expected);
            }
        )*
    };
}

regressions! {
    /// `parse` found (first property run): `Partial { needed }` counts the
    /// bytes that complete the header, not the bytes before any verdict. The
    /// empty input asks for 2, yet one byte with a reserved RSV bit is
    /// already a 1002 (§5.2), as `FrameHeader::parse` documents ("a bad
    /// first byte is rejected on its own"). `Status::Partial`'s doc said
    /// "certainly needed before the call can return anything other than
    /// `Partial`", which an error breaks.
    header partial_counts_header_bytes_on_empty_input: Config::server(), [] => Expect::Partial(2);
    /// The same: one byte with RSV1 set, no extension negotiated: 1002 (§5.2).
    header error_comes_before_the_bytes_partial_asked_for: Config::server(), [0xC1]
        => Expect::Fails(Error::ReservedBits, 1002);
    /// The same for the length: the header asks for 6 more bytes (16-bit
    /// length and masking key), but a length over the limit is a 1009 (§10.4)
    /// as soon as the length field is in, before the masking key.
    header frame_limit_before_the_masking_key: Config::server().with_max_frame_payload(125),
        [0x82, 0xFE, 0x00, 0x7E] => Expect::Fails(Error::FrameTooBig, 1009);
    /// The count itself: after `82 FE` a masked 16-bit-length header needs 6 more.
    header partial_counts_the_rest_of_the_header: Config::new(Role::Server), [0x82, 0xFE]
        => Expect::Partial(6);
    /// `differential` found (after the port to 0.2): with header events,
    /// the event of a frame with an empty payload that ends the input is not
    /// handed out. The call that reads the header's last byte returns
    /// `Event::Header` with every byte used, so the documented loop ends;
    /// the Close (and the state `CloseReceived`) only comes on a further call
    /// (`read(&mut [])` gives it). `Receiver::read` documents "an event is
    /// handed out in the call that brings its last byte". Resolved: with
    /// header events a frame's header and its own event can be due at the
    /// same byte, and `Receiver::with_header_events` documents the loop for
    /// them, read until `None` (this runner's). Here a masked empty Close as
    /// a server reads it (§5.5.1: a valid Close, no code).
    header_events empty_close_after_its_header_event: Config::server(),
        [0x88, 0x80, 0x37, 0xfa, 0x21, 0x3d]
        => Expect::LastEvent("Close { code: None, reason: \"\" }");
    /// The same for an empty final Text frame: its message (the empty text)
    /// is not handed out.
    header_events empty_text_after_its_header_event: Config::client(), [0x81, 0x00]
        => Expect::LastEvent("Piece(Piece { opcode: Text, compressed: false, first: true, last: true, payload: [] })");
    /// The same for an error the frame's end decides: text cut inside a
    /// code point (`C3`) and then an empty final fragment is a 1007 at that
    /// fragment's last header byte (§8.1); the call that reads it returns the
    /// `Header` event, and the error comes only on a further call (found by
    /// `receiver` once its driver read on after header events).
    header_events empty_final_fragment_fails_in_the_call_with_its_header:
        Config::client(), [0x01, 0x01, 0xC3, 0x80, 0x00]
        => Expect::Fails(Error::InvalidUtf8, 1007);
    /// `receiver` found (first run, from its seeds): `read_slice` judges a
    /// header's message rules only while the header is cut before its end.
    /// An unmasked Text frame (FIN clear) announcing 1 byte, under a message
    /// limit of 0, is a 1009 at its length byte (§10.4), as `read` says;
    /// `read_slice` answers `Partial { needed: 1 }` and reports the error
    /// only once the payload is in. With a real limit that makes a codec
    /// buffer the whole oversized frame before rejecting it.
    read_slice read_slice_judges_a_whole_header_over_the_limit:
        Config::client().with_max_message_len(0), [0x01, 0x01]
        => Expect::Fails(Error::MessageTooBig, 1009);
    /// The same verdict flips as bytes are added: cut before its masking key
    /// this header is a 1009 (`82 FE 01 2C`), with the key it was `Partial`.
    read_slice read_slice_keeps_the_verdict_once_the_key_is_in:
        Config::server().with_max_message_len(299), [0x82, 0xFE, 0x01, 0x2C, 0x37, 0xFA, 0x21, 0x3D]
        => Expect::Fails(Error::MessageTooBig, 1009);
    /// And a continuation without a message (§5.4: 1002) waits for its payload.
    read_slice read_slice_judges_an_unexpected_continuation_at_its_header:
        Config::client(), [0x00, 0x05] => Expect::Fails(Error::UnexpectedContinuation, 1002);
}
