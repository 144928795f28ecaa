//! The message layer: a 64 KiB text message (mixed ASCII, 2-, 3- and 4-byte
//! UTF-8) in 1, 16 and 256 fragments, read by a `Receiver` (its UTF-8 checked as
//! the fragments arrive; whole in a buffer, or as pieces without one), against one-shot validators over the same bytes in one piece:
//! `simdutf8::basic`, `simdutf8::compat` and `core::str::from_utf8`.
//!
//! Fragments are cut at fixed byte offsets, so most boundaries split a code
//! point. Run with `--features std` for simdutf8's run-time CPU detection
//! (its SIMD path on a host); without it, a default x86-64 build falls back
//! to `core::str::from_utf8` in the library.

use core::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wsframe::{encode_frame, Config, Event, FrameHeader, Opcode, Receiver};

/// The message size: 64 KiB.
const LEN: usize = 64 << 10;

/// Fragment counts of issue 6.
const FRAGMENTS: [usize; 3] = [1, 16, 256];

/// 64 KiB of text: a mixed-script paragraph repeated, padded with ASCII.
fn text() -> Vec<u8> {
    const PARAGRAPH: &str = "WebSocket frames carry text: Grüße aus Köln, ça va, \
        naïve café; Ελληνικά κείμενα; Русский текст; 日本語のテキストと漢字; \
        한국어 문장; emoji 🦀🚀🎉 and math ∑∫√∞ — plain ASCII fills the rest of the line.\n";
    let mut out = String::with_capacity(LEN);
    while out.len() + PARAGRAPH.len() <= LEN {
        out.push_str(PARAGRAPH);
    }
    while out.len() < LEN {
        out.push('.');
    }
    out.into_bytes()
}

/// The message as `n` unmasked fragments on the wire, as a client receives them.
fn fragments(text: &[u8], n: usize) -> Vec<u8> {
    let size = text.len().div_ceil(n);
    let count = text.chunks(size).count();
    let mut wire = Vec::new();
    for (i, chunk) in text.chunks(size).enumerate() {
        let opcode = if i == 0 {
            Opcode::Text
        } else {
            Opcode::Continuation
        };
        let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        let Ok(header) = FrameHeader::new(i + 1 == count, 0, opcode, None, len) else {
            unreachable!("a valid data header")
        };
        let start = wire.len();
        wire.resize(start + header.encoded_len() + chunk.len(), 0);
        let Ok(_) = encode_frame(&header, chunk, wire.get_mut(start..).unwrap_or_default()) else {
            unreachable!("sized")
        };
    }
    wire
}

/// Reads the wire through a receiver; returns the message bytes delivered.
fn receive<const N: usize>(rx: &mut Receiver<N>, wire: &mut [u8]) -> usize {
    rx.reset();
    let mut done = 0;
    let mut at = 0;
    while at < wire.len() {
        match rx.read(wire.get_mut(at..).unwrap_or_default()) {
            Ok((used, event)) => {
                at += used;
                done += match event {
                    Some(Event::Piece(p)) => p.payload.len(),
                    Some(Event::Text(t)) => t.len(),
                    _ => 0,
                };
            }
            Err(e) => unreachable!("valid text rejected: {e}"),
        }
    }
    done
}

fn bench_message(c: &mut Criterion) {
    let text = text();
    assert_eq!(text.len(), LEN);
    assert!(core::str::from_utf8(&text).is_ok());
    let config = Config::client();
    let mut group = c.benchmark_group("message");
    group.throughput(Throughput::Bytes(LEN as u64));

    group.bench_function("core_from_utf8", |b| {
        b.iter(|| core::str::from_utf8(black_box(&text)).is_ok());
    });
    group.bench_function("simdutf8_basic", |b| {
        b.iter(|| simdutf8::basic::from_utf8(black_box(&text)).is_ok());
    });
    group.bench_function("simdutf8_compat", |b| {
        b.iter(|| simdutf8::compat::from_utf8(black_box(&text)).is_ok());
    });

    let mut buffered: Box<Receiver<LEN>> = Box::new(Receiver::with_buffer(config));
    let mut streaming = Receiver::new(config);
    for n in FRAGMENTS {
        let mut wire = fragments(&text, n);
        assert_eq!(receive(&mut streaming, &mut wire), LEN);
        assert_eq!(receive(&mut buffered, &mut wire), LEN);

        group.bench_with_input(BenchmarkId::new("wsframe_receiver", n), &n, |b, _| {
            b.iter(|| receive(black_box(&mut streaming), black_box(&mut wire)));
        });
        group.bench_with_input(
            BenchmarkId::new("wsframe_receiver_buffered", n),
            &n,
            |b, _| {
                b.iter(|| receive(black_box(&mut buffered), black_box(&mut wire)));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_message);
criterion_main!(benches);
