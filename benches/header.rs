//! Header parsing alone: every header size (unmasked 2, 4 and 10 bytes;
//! masked 6, 8 and 14 bytes), complete and one byte short, with
//! tungstenite's `FrameHeader::parse` over a `Cursor` on the same bytes in
//! the same group.

use core::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wsframe::{Config, FrameHeader, MaskingKey, Opcode, Role, Status};

/// (payload length, masked): one case per header size.
const CASES: [(u64, bool); 6] = [
    (5, false),      // 2 bytes
    (300, false),    // 4 bytes
    (70_000, false), // 10 bytes
    (5, true),       // 6 bytes
    (300, true),     // 8 bytes
    (70_000, true),  // 14 bytes
];

fn encoded(len: u64, masked: bool) -> Vec<u8> {
    let key = masked.then(|| MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]));
    let Ok(header) = FrameHeader::new(true, 0, Opcode::Binary, key, len) else {
        unreachable!("a valid header")
    };
    let mut out = [0u8; FrameHeader::MAX_LEN];
    let Ok(n) = header.encode(&mut out) else {
        unreachable!("14 bytes hold any header")
    };
    out.get(..n).unwrap_or(&[]).to_vec()
}

fn tungstenite_parse(buf: &[u8]) -> Option<u64> {
    use tungstenite::protocol::frame::FrameHeader as TFrameHeader;
    let mut cursor = Cursor::new(buf);
    match TFrameHeader::parse(&mut cursor) {
        Ok(Some((_, len))) => Some(len),
        _ => None,
    }
}

fn bench_header(c: &mut Criterion) {
    let config = Config::new(Role::Any).with_max_frame_payload(1 << 20);
    let mut group = c.benchmark_group("header");
    group.throughput(Throughput::Elements(1));
    for (len, masked) in CASES {
        let bytes = encoded(len, masked);
        let size = bytes.len();
        let name = format!("{size}B_{}", if masked { "masked" } else { "unmasked" });
        let short = bytes.get(..size - 1).unwrap_or(&[]);

        // Both parsers agree on every case.
        assert!(matches!(
            FrameHeader::parse(&bytes, &config),
            Ok(Status::Complete((h, used))) if used == size && h.payload_len() == len
        ));
        assert!(matches!(
            FrameHeader::parse(short, &config),
            Ok(Status::Partial { .. })
        ));
        assert_eq!(tungstenite_parse(&bytes), Some(len));
        assert_eq!(tungstenite_parse(short), None);

        for (state, input) in [("complete", &bytes[..]), ("short", short)] {
            group.bench_with_input(
                BenchmarkId::new(format!("wsframe_{state}"), &name),
                input,
                |b, input| b.iter(|| FrameHeader::parse(black_box(input), black_box(&config))),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("tungstenite_{state}"), &name),
                input,
                |b, input| b.iter(|| tungstenite_parse(black_box(input))),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_header);
criterion_main!(benches);
