//! `split`: the same stream fed whole, at fuzzer-chosen cut points, and one
//! byte at a time through a `Receiver<0>` with header events gives the same
//! frames (pieces joined per frame), messages, control frames and verdict,
//! the error reported in the call that holds the byte that shows it: the
//! mask phase, the UTF-8 carry and a header cut anywhere survive every
//! boundary. The frame layer also agrees with a `Frame::parse_in_place`
//! loop over the whole buffer, up to where the receiver stopped (a message
//! rule or a Close).
//!
//! Input: 2 config bytes, a count byte `k` (`% 16`), `k` piece lengths,
//! then the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::{Frame, Layer, Status};
use wsframe_fuzz::{config_from, cut, run, End, Fields, Options, Record};

fuzz_target!(|data: &[u8]| {
    let (config, rest) = config_from(data);
    let k = usize::from(rest.first().copied().unwrap_or(0) % 16);
    let lens = rest.get(1..1 + k).unwrap_or(&[]);
    let stream = rest.get(1 + k..).unwrap_or(&[]);

    let bytes = run::<0>(&config, stream.chunks(1), Options::HEADERS);
    let whole = run::<0>(&config, [stream], Options::HEADERS);
    whole.assert_agrees(&bytes, "whole (left) and byte by byte (right)");
    let pieces = run::<0>(&config, cut(stream, lens), Options::HEADERS);
    pieces.assert_agrees(&bytes, &format!("cut at {lens:?} (left), bytes (right)"));

    // The frame layer: the receiver's frames against a Frame::parse_in_place loop.
    let mut buf = stream.to_vec();
    let mut at = 0;
    let mut parsed = Vec::new();
    let end = loop {
        if at == stream.len() {
            break End::Open {
                needed: 0,
                partial: None,
            };
        }
        match Frame::parse_in_place(&mut buf[at..], &config) {
            Err(e) => {
                break End::Failed {
                    error: e,
                    at,
                    upto: stream.len(),
                }
            }
            Ok(Status::Partial { needed }) => {
                break End::Open {
                    needed: needed.get() as u64,
                    partial: None,
                }
            }
            Ok(Status::Complete((frame, used))) => {
                assert!(used >= 2 && at + used <= stream.len());
                parsed.push(Record::Frame(
                    Fields::from(frame.header()),
                    frame.payload().to_vec(),
                ));
                at += used;
            }
        }
    };
    let frames = bytes.frames();
    assert!(
        parsed.starts_with(&frames),
        "Receiver (left) and Frame::parse (right): {frames:?} {parsed:?}"
    );
    match (&bytes.end, &end) {
        // A frame rule: the same frames, then the same error.
        (End::Failed { error: a, .. }, End::Failed { error: b, .. })
            if a.layer() == Layer::Frame =>
        {
            assert_eq!((a, frames.len()), (b, parsed.len()));
        }
        // A message rule or a Close stopped the receiver early.
        (End::Failed { error, .. }, _) => assert_eq!(error.layer(), Layer::Message),
        (End::Closed, _) => {}
        (End::Open { needed: a, .. }, End::Open { needed: b, .. }) => {
            assert_eq!(frames.len(), parsed.len());
            assert_eq!(
                a, b,
                "bytes still needed: Receiver (left), Frame::parse (right)"
            );
        }
        (a, b) => panic!("Receiver ended {a:?}, Frame::parse ended {b:?}"),
    }
});
