//! `split`: the same stream fed whole, at fuzzer-chosen cut points, and one
//! byte at a time through `Decoder` + `MessageValidator` gives the same
//! frames (payload pieces joined per frame), messages, control frames and
//! verdict: the mask phase and the UTF-8 carry survive every boundary. The
//! frame layer alone also agrees with a `Frame::parse_in_place` loop over
//! the whole buffer.
//!
//! Input: 2 config bytes, a count byte `k` (`% 16`), `k` piece lengths,
//! then the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::{Frame, Status};
use wsframe_fuzz::{config_from, cut, run_wsframe, End, Fields, Record};

fuzz_target!(|data: &[u8]| {
    let (config, rest) = config_from(data);
    let k = usize::from(rest.first().copied().unwrap_or(0) % 16);
    let lens = rest.get(1..1 + k).unwrap_or(&[]);
    let stream = rest.get(1 + k..).unwrap_or(&[]);

    let whole = run_wsframe(&config, [stream], true);
    let pieces = run_wsframe(&config, cut(stream, lens), true);
    assert_eq!(whole, pieces, "whole (left) and cut at {lens:?} (right)");
    let bytes = run_wsframe(&config, stream.chunks(1), true);
    assert_eq!(whole, bytes, "whole (left) and byte by byte (right)");

    // The frame layer: Decoder against a Frame::parse_in_place loop.
    let frames = run_wsframe(&config, cut(stream, lens), false);
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
            Err(e) => break End::Failed(e),
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
    assert_eq!(
        frames.records, parsed,
        "Decoder (left) and Frame::parse (right)"
    );
    match (&frames.end, &end) {
        (End::Failed(a), End::Failed(b)) => assert_eq!(a, b),
        (End::Open { needed: a, .. }, End::Open { needed: b, .. }) => {
            assert_eq!(
                a, b,
                "bytes still needed: Decoder (left), Frame::parse (right)"
            );
        }
        (a, b) => panic!("Decoder ended {a:?}, Frame::parse ended {b:?}"),
    }
});
