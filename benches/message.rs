//! The message layer: a 64 KiB text message (mixed ASCII, 2-, 3- and 4-byte
//! UTF-8) in 1, 16 and 256 fragments, its UTF-8 checked as the fragments
//! arrive, against one-shot validators over the same bytes in one piece:
//! `simdutf8::basic`, `simdutf8::compat` and `core::str::from_utf8`.
//!
//! Fragments are cut at fixed byte offsets, so most boundaries split a code
//! point. Run with `--features std` for simdutf8's run-time CPU detection
//! (its SIMD path on a host); without it, a default x86-64 build falls back
//! to `core::str::from_utf8` in the library.

use core::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wsframe::{Config, FrameHeader, Message, MessageValidator, Opcode, Outcome, Reassembler};

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

/// The message as `n` fragments: headers (unmasked, as a client receives
/// them) and payloads.
fn fragments(text: &[u8], n: usize) -> Vec<(FrameHeader, &[u8])> {
    let size = text.len().div_ceil(n);
    let count = text.chunks(size).count();
    text.chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let opcode = if i == 0 {
                Opcode::Text
            } else {
                Opcode::Continuation
            };
            let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
            let Ok(header) = FrameHeader::new(i + 1 == count, 0, opcode, None, len) else {
                unreachable!("a valid data header")
            };
            (header, chunk)
        })
        .collect()
}

/// Feeds every fragment; returns the completed message's length.
fn validate(v: &mut MessageValidator, frames: &[(FrameHeader, &[u8])]) -> u64 {
    let mut done = 0;
    for (header, payload) in frames {
        match v.push_frame(header, payload) {
            Ok(Some(Outcome::Message { len, .. })) => done = len,
            Ok(_) => {}
            Err(e) => unreachable!("valid text rejected: {e}"),
        }
    }
    done
}

/// Feeds every fragment to a reassembler; returns the message's length.
fn reassemble<const N: usize>(r: &mut Reassembler<N>, frames: &[(FrameHeader, &[u8])]) -> usize {
    let mut done = 0;
    for (header, payload) in frames {
        match r.push_frame(header, payload) {
            Ok(Some(Message::Text(text))) => done = text.len(),
            Ok(_) => {}
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

    let mut reassembler: Box<Reassembler<LEN>> = Box::new(Reassembler::new(&config));
    for n in FRAGMENTS {
        let frames = fragments(&text, n);
        assert_eq!(frames.len(), n);
        let mut validator = MessageValidator::new(&config);
        assert_eq!(validate(&mut validator, &frames), LEN as u64);
        assert_eq!(reassemble(&mut reassembler, &frames), LEN);

        group.bench_with_input(
            BenchmarkId::new("wsframe_validator", n),
            &frames,
            |b, frames| {
                b.iter(|| validate(black_box(&mut validator), black_box(frames)));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("wsframe_reassembler", n),
            &frames,
            |b, frames| {
                b.iter(|| reassemble(black_box(&mut reassembler), black_box(frames)));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_message);
criterion_main!(benches);
