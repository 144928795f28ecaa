//! Writes a large made-up pcap of WebSocket traffic, streamed, for the memory
//! and speed measurements (`inspect/bench.sh`).
//!
//! ```text
//! cargo run --release -p wsframe-inspect --example gen_capture -- OUT.pcap MEGABYTES [CONNECTIONS]
//! ```
//!
//! `CONNECTIONS` connections (default 8) run interleaved, each with a full
//! handshake: the client sends masked text and binary messages of 16 B to
//! 60 KiB (some fragmented, with Pings between fragments), the server echoes
//! them unmasked, in TCP segments of at most 16 KiB; each ends with Close
//! 1000 both ways. Deterministic: the same arguments give the same file.

// A generator: a slice index past its end is a bug in it, not bad input.
#![allow(clippy::indexing_slicing, clippy::too_many_lines)]

use std::fs::File;
use std::io::{BufWriter, Write};

use wsframe_inspect::synth::{ws_frame, Flags, Flow, Link, PcapWriter, REQUEST, RESPONSE};

const SEGMENT: usize = 16 * 1024;

struct Conn {
    flow: Flow,
    sent: u64,
    n: u64,
}

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: gen_capture OUT.pcap MEGABYTES [CONNECTIONS]";
    let out = args.next().ok_or(usage)?;
    let megabytes: u64 = args.next().ok_or(usage)?.parse()?;
    let conns: u16 = args.next().map_or(Ok(8), |c| c.parse())?;
    let budget = megabytes << 20;
    let mut w = PcapWriter::new(BufWriter::new(File::create(&out)?), Link::Ethernet)?;
    let mut time = 1_700_000_000_000_000u64;
    let mut written = 24u64;
    let syn = Flags {
        syn: true,
        ..Flags::default()
    };
    let data = Flags::default();
    let fin = Flags {
        fin: true,
        ..Flags::default()
    };
    let mut all: Vec<Conn> = (0..conns)
        .map(|i| Conn {
            flow: Flow::new(40_000 + i, 9001),
            sent: 0,
            n: 0,
        })
        .collect();
    let mut put = |w: &mut PcapWriter<_>,
                   seg: &wsframe_inspect::synth::SegmentSpec<'_>|
     -> std::io::Result<u64> {
        time += 7;
        let packet = seg.build(Link::Ethernet);
        w.record(time, &packet)?;
        Ok(16 + packet.len() as u64)
    };
    for c in &mut all {
        written += put(&mut w, &c.flow.send(0, &[], syn))?;
        written += put(&mut w, &c.flow.send(1, &[], syn))?;
        written += put(&mut w, &c.flow.send(0, REQUEST, data))?;
        written += put(&mut w, &c.flow.send(1, RESPONSE, data))?;
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut payload = Vec::new();
    let mut i = 0usize;
    while written < budget {
        let count = all.len();
        let c = &mut all[i % count];
        i += 1;
        let len = 16usize << (rand() % 13); // 16 B to 64 KiB
        let len = (len + usize::try_from(rand() % 97)?).min(60 * 1024);
        payload.clear();
        let text = rand() % 2 == 0;
        let byte = |n: usize| u8::try_from(n % 256).unwrap_or(0);
        payload.extend((0..len).map(|k| {
            if text {
                b'a' + byte(k % 26)
            } else {
                byte(k * 31 + 7)
            }
        }));
        let opcode = if text { 1 } else { 2 };
        let key = Some(u32::try_from(rand() & 0xffff_ffff)?.to_be_bytes());
        // Client → server: one frame, or three fragments with a Ping between.
        let mut wire = Vec::with_capacity(len + 64);
        if rand() % 4 == 0 && len >= 3 {
            let third = len / 3;
            wire.extend(ws_frame(opcode, false, &payload[..third], key));
            wire.extend(ws_frame(9, true, b"ping", key));
            wire.extend(ws_frame(0, false, &payload[third..2 * third], key));
            wire.extend(ws_frame(0, true, &payload[2 * third..], key));
        } else {
            wire.extend(ws_frame(opcode, true, &payload, key));
        }
        for piece in wire.chunks(SEGMENT) {
            written += put(&mut w, &c.flow.send(0, piece, data))?;
        }
        // Server → client: the echo, and the Pong if there was a Ping.
        let echo = ws_frame(opcode, true, &payload, None);
        for piece in echo.chunks(SEGMENT) {
            written += put(&mut w, &c.flow.send(1, piece, data))?;
        }
        c.sent += len as u64;
        c.n += 1;
    }
    for c in &mut all {
        let close = 1000u16.to_be_bytes();
        written += put(
            &mut w,
            &c.flow
                .send(0, &ws_frame(8, true, &close, Some([9, 8, 7, 6])), data),
        )?;
        written += put(
            &mut w,
            &c.flow.send(1, &ws_frame(8, true, &close, None), data),
        )?;
        written += put(&mut w, &c.flow.send(1, &[], fin))?;
        written += put(&mut w, &c.flow.send(0, &[], fin))?;
    }
    w.into_inner().flush()?;
    let messages: u64 = all.iter().map(|c| c.n).sum();
    let bytes: u64 = all.iter().map(|c| c.sent).sum();
    eprintln!("gen_capture: {out}: {written} bytes, {conns} connections, {messages} messages of {bytes} payload bytes each way");
    Ok(())
}
