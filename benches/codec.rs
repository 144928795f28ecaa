//! The codec's decode path (feature `tokio-util`) against the bare
//! `Receiver` under it and against the read paths of tokio-websockets
//! (`WebSocketStream`, itself a tokio-util codec) and tungstenite
//! (`WebSocket::read`), on the bytes of `benches/support/peers.rs` (those of
//! `benches/stream.rs` and `benches/paths.rs`), in memory, 4 KiB a read:
//!
//! - `small`: 1,000 masked frames of 2 to 125 bytes;
//! - `text`: 16 text messages of 64 KiB in 16 fragments each.
//!
//! The codec is fed the way `Framed` feeds it: each read appended to one
//! `BytesMut`, then `decode` until it wants more. Its goal (issue 14): at
//! most 1.2 times the bare receiver's time.
//!
//! `cargo bench --bench codec --features tokio-util`

#[path = "support/peers.rs"]
mod peers;

use core::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wsframe::{Config, Receiver};

fn config() -> Config {
    Config::server()
        .with_max_frame_payload(1 << 20)
        .with_max_message_len(1 << 20)
}

fn bench(c: &mut Criterion) {
    for (name, (wire, expected)) in [("small", peers::small()), ("text", peers::text())] {
        // Every contender must see every data byte.
        assert_eq!(
            peers::receive(&mut Receiver::new(config()), &wire),
            expected
        );
        assert_eq!(peers::codec(&wire, config()), expected);
        assert_eq!(peers::tokio_websockets(&wire), expected);
        assert_eq!(peers::tungstenite(&wire), expected);
        let mut group = c.benchmark_group(format!("codec_{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function("receiver", |b| {
            b.iter(|| peers::receive(&mut Receiver::new(config()), black_box(&wire)));
        });
        group.bench_function("codec", |b| {
            b.iter(|| peers::codec(black_box(&wire), config()));
        });
        group.bench_function("tokio_websockets", |b| {
            b.iter(|| peers::tokio_websockets(black_box(&wire)));
        });
        group.bench_function("tungstenite", |b| {
            b.iter(|| peers::tungstenite(black_box(&wire)));
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
