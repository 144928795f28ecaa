//! Unmasking in place at 0 B to 1 MiB, against the references in the same
//! group at each size:
//! - `memcpy`: `copy_from_slice` of the same number of bytes, the physical
//!   limit (it reads and writes each byte once, as unmasking does);
//! - `fastwebsockets`: `fastwebsockets::unmask`;
//! - `byte_loop`: a plain byte-at-a-time XOR, `buf[i] ^= key[i % 4]`.
//!
//! Each buffer is unmasked in place again and again: XOR is its own inverse,
//! so the bytes only flip between two states. Under 64 bytes, one iteration
//! handles a batch of 64 separate buffers (see `batch`), so that a few
//! cycles of work are not lost in the measurement loop; the ratios compare
//! like with like.

use core::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wsframe::{MaskingKey, Unmasker};

/// The sizes of issue 6: 0, 3, 4, 16, 125, 1 KiB, 16 KiB, 64 KiB, 1 MiB.
const SIZES: [usize; 9] = [0, 3, 4, 16, 125, 1 << 10, 16 << 10, 64 << 10, 1 << 20];

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// The reference: one byte at a time, written as byte loops usually are
/// (embedded-websocket's reader, fastwebsockets' tail).
#[allow(
    clippy::indexing_slicing,
    reason = "`i % 4` < 4 = key.len(): the plain indexed loop is the reference"
)]
fn byte_loop(buf: &mut [u8], key: [u8; 4]) {
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// Buffers per iteration: under 64 bytes the work is a few cycles, as small
/// as criterion's own per-iteration overhead, so a batch of buffers is
/// unmasked per iteration (the same batch for every contender).
fn batch(size: usize) -> usize {
    if size < 64 {
        BATCH
    } else {
        1
    }
}

const BATCH: usize = 64;

fn bench_unmask(c: &mut Criterion) {
    let mut group = c.benchmark_group("unmask");
    for size in SIZES {
        let src: Vec<u8> = (0..size).map(|i| i.to_le_bytes()[0]).collect();
        let mut bufs: Vec<Vec<u8>> = vec![src.clone(); batch(size)];
        let bytes = size * batch(size);
        group.throughput(Throughput::Bytes(u64::try_from(bytes).unwrap_or(u64::MAX)));

        // All three give the same bytes.
        let mut a = src.clone();
        let mut b = src.clone();
        let mut d = src.clone();
        wsframe::unmask(&mut a, MaskingKey::new(KEY));
        fastwebsockets::unmask(&mut b, KEY);
        byte_loop(&mut d, KEY);
        assert!(a == b && b == d, "unmask outputs differ at {size} B");

        group.bench_with_input(BenchmarkId::new("wsframe", size), &size, |bench, _| {
            bench.iter(|| {
                for buf in &mut bufs {
                    wsframe::unmask(black_box(buf), black_box(MaskingKey::new(KEY)));
                }
            });
        });
        group.bench_with_input(
            BenchmarkId::new("wsframe_unmasker", size),
            &size,
            |bench, _| {
                bench.iter(|| {
                    for buf in &mut bufs {
                        let mut unmasker = Unmasker::new(black_box(MaskingKey::new(KEY)));
                        unmasker.apply(black_box(buf));
                        black_box(unmasker);
                    }
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("fastwebsockets", size),
            &size,
            |bench, _| {
                bench.iter(|| {
                    for buf in &mut bufs {
                        fastwebsockets::unmask(black_box(buf), black_box(KEY));
                    }
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("byte_loop", size), &size, |bench, _| {
            bench.iter(|| {
                for buf in &mut bufs {
                    byte_loop(black_box(buf), black_box(KEY));
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("memcpy", size), &size, |bench, _| {
            bench.iter(|| {
                for buf in &mut bufs {
                    black_box(&mut buf[..]).copy_from_slice(black_box(&src[..]));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_unmask);
criterion_main!(benches);
