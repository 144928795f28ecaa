//! `receiver`: the whole receive path on arbitrary bytes, cut at arbitrary
//! points, under a chosen configuration, through a `Receiver<0>` (pieces
//! joined into messages) and a buffered `Receiver<N>` (whole messages,
//! limit the smaller of `N` and the configured one):
//! - every split (whole, at the cut points, byte by byte) gives the same
//!   events and the same verdict: the error variant, reported in the call
//!   that holds the byte that decides it (byte by byte: that very byte);
//! - that verdict and those events are the byte-at-a-time reference
//!   decoder's (`src/reference.rs`), frames included with header events;
//! - `read_slice` (the codec form, whole frames only) agrees;
//! - errors are terminal; nothing is read after the peer's Close;
//! - after each event (and error) `reply()` writes what is due, which
//!   parses back in the opposite role as the Pong with the Ping's payload,
//!   the Close echoing the peer's code, or the Close with the error's code;
//!   not calling `reply()` changes no event;
//! - nothing panics.
//!
//! Input: byte 0 = role (`% 3`: server, client, any) in bits 0-1, bit 2
//! RSV1 allowed (permessage-deflate), bit 3 lenient lengths, bit 4 header
//! events, bit 5 the buffer (64 or 1024 bytes); byte 1 = frame limit (low
//! nibble) and message limit (high nibble), indexes into small and large
//! limits; byte 2 = a count `k` (`% 16`), then `k` piece lengths, then the
//! stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::{Config, Role};
use wsframe_fuzz::{cut, limited, reference, run, run_slice, Options, Trace};

const LIMITS: [u64; 16] = [
    0,
    1,
    2,
    5,
    125,
    126,
    127,
    200,
    300,
    1023,
    1024,
    1025,
    0xFFFF,
    Config::DEFAULT_MAX_FRAME_PAYLOAD,
    0x1_0001,
    u64::MAX,
];

fn config_from(b0: u8, b1: u8) -> Config {
    let role = match (b0 & 0b11) % 3 {
        0 => Role::Server,
        1 => Role::Client,
        _ => Role::Any,
    };
    Config::new(role)
        .with_allowed_rsv(if b0 & 0b100 != 0 { Config::RSV1 } else { 0 })
        .with_strict_length(b0 & 0b1000 == 0)
        .with_max_frame_payload(LIMITS[usize::from(b1 & 0xF)])
        .with_max_message_len(LIMITS[usize::from(b1 >> 4)])
}

/// A buffered receiver of `N` bytes against the reference with its limit.
fn buffered<const N: usize>(config: &Config, chunks: &[&[u8]], stream: &[u8], headers: bool) {
    let lim = limited::<N>(config);
    let theirs = reference::decode(&lim, stream);
    let opts = Options {
        header_events: headers,
        replies: true,
    };
    let exact = run::<N>(config, stream.chunks(1), opts);
    if headers {
        check_headers(&exact, &theirs);
    }
    exact.messages().assert_agrees(
        &theirs.messages(),
        "Receiver<N> bytes (left), reference (right)",
    );
    let cut = run::<N>(config, chunks.iter().copied(), opts);
    cut.assert_agrees(&exact, "Receiver<N> cut (left), bytes (right)");
    let quiet = run::<N>(
        config,
        chunks.iter().copied(),
        Options {
            replies: false,
            ..opts
        },
    );
    quiet.assert_agrees(&exact, "Receiver<N> without replies (left), with (right)");
    let slice = run_slice::<N>(config, chunks.iter().copied(), opts);
    slice.assert_slice_agrees(&exact, "Receiver<N>::read_slice (left), read (right)");
    if headers {
        check_headers(&slice, &theirs);
    }
}

/// A buffered receiver's headers are the reference's frames, and at most
/// one more: a header is handed out before its payload is in.
fn check_headers(ours: &Trace, theirs: &Trace) {
    let (a, b) = (ours.headers(), theirs.headers());
    assert!(
        a.starts_with(&b) && a.len() <= b.len() + 1,
        "headers: {a:?}, reference frames {b:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let b0 = data.first().copied().unwrap_or(0);
    let b1 = data.get(1).copied().unwrap_or(0);
    let rest = data.get(2..).unwrap_or(&[]);
    let k = usize::from(rest.first().copied().unwrap_or(0) % 16);
    let lens = rest.get(1..1 + k).unwrap_or(&[]);
    let stream = rest.get(1 + k..).unwrap_or(&[]);
    let config = config_from(b0, b1);
    let headers = b0 & 0b1_0000 != 0;
    let chunks = cut(stream, lens);

    // Without a buffer: pieces joined, against the reference.
    let theirs = reference::decode(&config, stream);
    let theirs = if headers { theirs } else { theirs.messages() };
    let opts = Options {
        header_events: headers,
        replies: true,
    };
    let exact = run::<0>(&config, stream.chunks(1), opts);
    exact.assert_agrees(&theirs, "Receiver<0> bytes (left), reference (right)");
    let whole = run::<0>(&config, [stream], opts);
    whole.assert_agrees(&exact, "Receiver<0> whole (left), bytes (right)");
    let pieces = run::<0>(&config, chunks.iter().copied(), opts);
    pieces.assert_agrees(
        &exact,
        &format!("Receiver<0> cut at {lens:?} (left), bytes (right)"),
    );
    let slice = run_slice::<0>(&config, chunks.iter().copied(), opts);
    slice.assert_slice_agrees(&exact, "Receiver<0>::read_slice (left), read (right)");

    // With one: whole messages.
    if b0 & 0b10_0000 == 0 {
        buffered::<64>(&config, &chunks, stream, headers);
    } else {
        buffered::<1024>(&config, &chunks, stream, headers);
    }
});
