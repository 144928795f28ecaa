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

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio_util::codec::Decoder;
use wsframe::codec::{Codec, Message};
use wsframe::{Config, Receiver};

fn config() -> Config {
    Config::server()
        .with_max_frame_payload(1 << 20)
        .with_max_message_len(1 << 20)
}

/// The codec over `wire`, as `Framed` drives it; the data bytes seen.
fn codec(wire: &[u8]) -> usize {
    let mut codec = Codec::server(config());
    let mut buf = BytesMut::with_capacity(peers::READ);
    let mut seen = 0;
    for piece in wire.chunks(peers::READ) {
        buf.reserve(piece.len());
        buf.extend_from_slice(piece);
        while let Ok(Some(message)) = codec.decode(&mut buf) {
            seen += match message {
                Message::Text(t) => t.as_bytes().len(),
                Message::Binary(b) => b.len(),
                _ => 0,
            };
        }
    }
    seen
}

fn bench(c: &mut Criterion) {
    for (name, (wire, expected)) in [("small", peers::small()), ("text", peers::text())] {
        // Every contender must see every data byte.
        assert_eq!(
            peers::receive(&mut Receiver::new(config()), &wire),
            expected
        );
        assert_eq!(codec(&wire), expected);
        assert_eq!(peers::tokio_websockets(&wire), expected);
        assert_eq!(peers::tungstenite(&wire), expected);
        let mut group = c.benchmark_group(format!("codec_{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function("receiver", |b| {
            b.iter(|| peers::receive(&mut Receiver::new(config()), black_box(&wire)));
        });
        group.bench_function("codec", |b| b.iter(|| codec(black_box(&wire))));
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
