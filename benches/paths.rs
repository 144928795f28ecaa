//! The receive paths of issue 12, on the same bytes, for instruction counts
//! (`benches/callgrind.sh` runs this under `valgrind --tool=callgrind`).
//!
//! `paths PATH REPS` builds the input, then runs `PATH` over it `REPS`
//! times; the script counts a run with `REPS` = 0 (the set-up alone) and
//! one with `REPS` > 0, and divides the difference. Without arguments (as
//! `cargo test --benches` runs it) every path runs once and is checked to
//! see every frame or byte.
//!
//! The inputs and paths are in `benches/support/peers.rs`.

// Bench code: a failed expect or a bad index is a failed run.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]

#[path = "support/peers.rs"]
mod peers;

use peers::{
    fastwebsockets, parse_unmask, receive, small, socket_read, text, tungstenite, TEXT_LEN,
};
use wsframe::{Config, Receiver};

/// Runs `path` once over `wire` (a fresh copy of the masked input each
/// time, since the receive paths unmask in place).
fn run(path: &str, wire: &[u8]) -> usize {
    let config = Config::server()
        .with_max_message_len(1 << 20)
        .with_max_frame_payload(1 << 20);
    match path {
        "parse_unmask" => {
            let mut copy = vec![0; wire.len()];
            socket_read(&mut copy, wire);
            parse_unmask(&mut copy)
        }
        "receiver" => receive(&mut Receiver::new(config), wire),
        "receiver_buffered" => {
            // One receiver for all runs: the cost of a message, not of
            // zeroing a 64 KiB buffer.
            thread_local! {
                static RX: core::cell::RefCell<Box<Receiver<TEXT_LEN>>> =
                    core::cell::RefCell::new(Box::new(Receiver::with_buffer(Config::server())));
            }
            RX.with(|rx| {
                let mut rx = rx.borrow_mut();
                **rx = Receiver::with_buffer(config);
                receive(&mut **rx, wire)
            })
        }
        "tungstenite" => tungstenite(wire),
        "fastwebsockets" => fastwebsockets(wire),
        "tokio_websockets" => peers::tokio_websockets(wire),
        #[cfg(feature = "tokio-util")]
        "codec" => peers::codec(wire, config),
        other => panic!("unknown path {other}"),
    }
}

const PATHS: [&str; 6] = [
    "parse_unmask",
    "receiver",
    "receiver_buffered",
    "tungstenite",
    "fastwebsockets",
    "tokio_websockets",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [input, path, reps] = args.as_slice() {
        let (wire, _) = if input == "small" { small() } else { text() };
        let reps: usize = reps.parse().expect("REPS is a number");
        let mut seen = 0;
        for _ in 0..reps {
            seen += run(path, core::hint::black_box(&wire));
        }
        core::hint::black_box(seen);
    } else {
        // `cargo test --benches` and `cargo bench` pass flags: check every path.
        for (name, (wire, total)) in [("small", small()), ("text", text())] {
            for path in PATHS {
                if name == "text" && path == "parse_unmask" {
                    continue;
                }
                assert_eq!(run(path, &wire), total, "{path} over {name}");
            }
        }
        println!("paths: every path sees every data payload byte");
    }
}
