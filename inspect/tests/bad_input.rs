//! Made-up captures (written with `wsframe_inspect::synth`): TCP reassembly
//! (out of order, retransmitted, overlapping, missing), every link type, and
//! bad input, each with its message and exit status. Random and mutated
//! bytes never panic.

#![allow(
    clippy::vec_init_then_push, // packets listed in the order they are sent
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use wsframe_inspect::synth::{ws_frame, Flags, Flow, Link, PcapWriter, REQUEST, RESPONSE};
use wsframe_inspect::{analyze, exit, Options, Output};

const KEY: Option<[u8; 4]> = Some([1, 2, 3, 4]);

fn flags(syn: bool, fin: bool) -> Flags {
    Flags {
        syn,
        fin,
        ..Flags::default()
    }
}

fn opts() -> Options {
    Options {
        max_frame: 65_536,
        max_message: 65_536,
        preview: 0,
        ..Options::default()
    }
}

/// The packets (link-level bytes) of a whole session: handshake, a 3000-byte
/// binary message from the client in three segments, its echo, Close 1000
/// both ways, FIN both ways.
fn session(link: Link) -> Vec<Vec<u8>> {
    let mut f = Flow::new(50_000, 9001);
    let mut p = Vec::new();
    p.push(f.send(0, &[], flags(true, false)).build(link));
    p.push(f.send(1, &[], flags(true, false)).build(link));
    p.push(f.send(0, REQUEST, flags(false, false)).build(link));
    p.push(f.send(1, RESPONSE, flags(false, false)).build(link));
    let payload: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let frame = ws_frame(2, true, &payload, KEY);
    for piece in frame.chunks(1100) {
        p.push(f.send(0, piece, flags(false, false)).build(link));
    }
    p.push(
        f.send(1, &ws_frame(2, true, &payload, None), flags(false, false))
            .build(link),
    );
    p.push(
        f.send(
            0,
            &ws_frame(8, true, &[0x03, 0xe8], KEY),
            flags(false, false),
        )
        .build(link),
    );
    p.push(
        f.send(
            1,
            &ws_frame(8, true, &[0x03, 0xe8], None),
            flags(false, false),
        )
        .build(link),
    );
    p.push(f.send(1, &[], flags(false, true)).build(link));
    p.push(f.send(0, &[], flags(false, true)).build(link));
    p
}

fn pcap(link: Link, packets: &[Vec<u8>]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), link).unwrap();
    for (i, p) in packets.iter().enumerate() {
        w.record(1_700_000_000_000_000 + i as u64 * 1000, p)
            .unwrap();
    }
    w.into_inner()
}

/// Analyses in-process: (exit status, records).
fn run(bytes: &[u8], opts: Options) -> (u8, Vec<Value>) {
    let mut out = Vec::new();
    let outcome = analyze(bytes, opts, Output::new(&mut out, true, true));
    let recs = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (outcome.exit_code(), recs)
}

fn of_type<'a>(recs: &'a [Value], t: &str) -> Vec<&'a Value> {
    recs.iter().filter(|r| r["type"] == t).collect()
}

/// `(dir, opcode, payload_len)` of every frame.
fn frames(recs: &[Value]) -> Vec<(String, u64, u64)> {
    of_type(recs, "frame")
        .iter()
        .map(|f| {
            (
                f["dir"].as_str().unwrap().to_string(),
                f["opcode"].as_u64().unwrap(),
                f["payload_len"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn expected_frames() -> Vec<(String, u64, u64)> {
    vec![
        ("c2s".into(), 2, 3000),
        ("s2c".into(), 2, 3000),
        ("c2s".into(), 8, 2),
        ("s2c".into(), 8, 2),
    ]
}

/// Runs the binary on `bytes` written to a file: (exit status, stdout, stderr).
fn run_bin(name: &str, bytes: &[u8], args: &[&str]) -> (i32, String, String) {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wsframe-inspect"))
        .args(args)
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_link_type_gives_the_same_frames() {
    for link in [Link::Ethernet, Link::Sll, Link::Sll2, Link::Null, Link::Raw] {
        let (code, recs) = run(&pcap(link, &session(link)), opts());
        assert_eq!(code, exit::OK, "{link:?}");
        assert_eq!(frames(&recs), expected_frames(), "{link:?}");
        let v = of_type(&recs, "verdict");
        assert_eq!(v[0]["outcome"], "clean", "{link:?}");
        assert_eq!(v[0]["tcp_closed_first"], "server", "{link:?}");
    }
}

#[test]
fn out_of_order_retransmitted_and_overlapping_segments() {
    let mut p = session(Link::Ethernet);
    // The client's three segments of the big frame are packets 4, 5, 6.
    p.swap(5, 6); // out of order
    p.insert(5, p[4].clone()); // a retransmission
    let (code, recs) = run(&pcap(Link::Ethernet, &p), opts());
    assert_eq!(code, exit::OK);
    assert_eq!(frames(&recs), expected_frames());
    let s = recs.last().unwrap();
    assert_eq!(s["gaps"], 0);
    assert!(s["duplicate_bytes"].as_u64().unwrap() >= 1100);

    // An overlap: a segment covering the end of one and the start of the next.
    let mut f = Flow::new(50_000, 9001);
    let mut q = Vec::new();
    q.push(f.send(0, &[], flags(true, false)).build(Link::Ethernet));
    q.push(f.send(1, &[], flags(true, false)).build(Link::Ethernet));
    q.push(
        f.send(0, REQUEST, flags(false, false))
            .build(Link::Ethernet),
    );
    q.push(
        f.send(1, RESPONSE, flags(false, false))
            .build(Link::Ethernet),
    );
    let frame = ws_frame(1, true, b"Hello, overlapping world", KEY);
    let start = f.next[0];
    let mut seg = f.send(0, &frame[..10], flags(false, false));
    q.push(seg.build(Link::Ethernet));
    seg.seq = start + 5;
    seg.payload = &frame[5..20];
    q.push(seg.build(Link::Ethernet));
    seg.seq = start + 18;
    seg.payload = &frame[18..];
    q.push(seg.build(Link::Ethernet));
    let (code, recs) = run(&pcap(Link::Ethernet, &q), opts());
    assert_eq!(code, exit::OK);
    assert_eq!(frames(&recs), [("c2s".to_string(), 1, 24)]);
    assert_eq!(of_type(&recs, "message").len(), 1);
}

#[test]
fn a_missing_segment_is_a_gap_not_glued_over() {
    let mut p = session(Link::Ethernet);
    p.remove(5); // the middle of the client's big frame
    let (code, recs) = run(&pcap(Link::Ethernet, &p), opts());
    assert_eq!(code, exit::FINDINGS);
    let gaps = of_type(&recs, "gap");
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["dir"], "c2s");
    assert_eq!(gaps[0]["len"], 1100);
    assert_eq!(gaps[0]["offset"], REQUEST.len() + 1100);
    assert_eq!(
        gaps[0]["reason"],
        "not in the capture (the receiver acknowledged them)"
    );
    // The gap falls inside a frame whose end is known: that frame is
    // skipped, the client's Close after it is still read.
    assert_eq!(gaps[0]["resynced"], true);
    assert_eq!(
        frames(&recs),
        [
            ("s2c".to_string(), 2, 3000),
            ("c2s".to_string(), 8, 2),
            ("s2c".to_string(), 8, 2)
        ]
    );
    assert!(of_type(&recs, "violation").is_empty(), "nothing glued");
}

#[test]
fn a_snap_length_cut_is_a_gap() {
    let p = session(Link::Ethernet);
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).unwrap();
    for (i, packet) in p.iter().enumerate() {
        w.snaplen = if i == 4 { 600 } else { 262_144 };
        w.record(1_700_000_000_000_000 + i as u64, packet).unwrap();
    }
    let bytes = w.into_inner();
    let (code, recs) = run(&bytes, opts());
    assert_eq!(code, exit::FINDINGS);
    let gaps = of_type(&recs, "gap");
    assert_eq!(gaps[0]["reason"], "cut by the snap length");
    assert_eq!(gaps[0]["len"], 1100 - (600 - 54));
    assert_eq!(recs.last().unwrap()["cut_packets"], 1);
    assert!(of_type(&recs, "verdict")[0]["text"]
        .as_str()
        .unwrap()
        .contains("1 gap(s): bytes of this connection are missing from the capture"));
    let (code, out, _) = run_bin("snaplen.pcap", &bytes, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("cut by the snap length"), "{out}");
    assert!(
        out.contains("packets cut by the snap length: 1 (record with `tcpdump -s 0`)"),
        "{out}"
    );
}

#[test]
fn a_capture_that_starts_mid_connection() {
    let p = session(Link::Ethernet);
    // From the echo on: no SYN, no handshake.
    let bytes = pcap(Link::Ethernet, &p[7..]);
    let (code, out, err) = run_bin("mid.pcap", &bytes, &[]);
    assert_eq!(code, i32::from(exit::NO_WEBSOCKET), "{out}");
    assert!(
        out.contains("the capture starts mid-connection: the opening handshake is not in it"),
        "{out}"
    );
    assert!(out.contains("pass --server-port 9001"), "{out}");
    assert!(err.contains("no WebSocket connection found"), "{err}");
    // Naming the server's port parses it.
    let mut o = opts();
    o.server_ports = vec![9001];
    let (code, recs) = run(&bytes, o);
    assert_eq!(code, exit::OK);
    assert_eq!(frames(&recs), expected_frames()[1..]);
    assert_eq!(of_type(&recs, "connection")[0]["handshake"], "assumed");
    assert_eq!(of_type(&recs, "connection")[0]["server"], "10.0.0.2:9001");
}

#[test]
fn tcp_that_is_not_websocket_and_http_that_never_upgrades() {
    let mut f = Flow::new(50_001, 443);
    let tls = [
        f.send(0, &[], flags(true, false)).build(Link::Ethernet),
        f.send(1, &[], flags(true, false)).build(Link::Ethernet),
        f.send(
            0,
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            flags(false, false),
        )
        .build(Link::Ethernet),
    ];
    let (code, out, _) = run_bin("tls.pcap", &pcap(Link::Ethernet, &tls), &[]);
    assert_eq!(code, i32::from(exit::NO_WEBSOCKET));
    assert!(
        out.contains("not WebSocket: the client's first bytes are not an HTTP request"),
        "{out}"
    );

    let mut f = Flow::new(50_002, 80);
    let http = [
        f.send(0, &[], flags(true, false)).build(Link::Ethernet),
        f.send(1, &[], flags(true, false)).build(Link::Ethernet),
        f.send(
            0,
            b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
            flags(false, false),
        )
        .build(Link::Ethernet),
        f.send(
            1,
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            flags(false, false),
        )
        .build(Link::Ethernet),
    ];
    let (code, recs) = run(&pcap(Link::Ethernet, &http), opts());
    assert_eq!(code, exit::NO_WEBSOCKET);
    assert_eq!(of_type(&recs, "connection")[0]["handshake"], "no-upgrade");
    assert_eq!(of_type(&recs, "verdict")[0]["outcome"], "not-websocket");

    // A refused upgrade.
    let mut f = Flow::new(50_003, 80);
    let refused = [
        f.send(0, &[], flags(true, false)).build(Link::Ethernet),
        f.send(1, &[], flags(true, false)).build(Link::Ethernet),
        f.send(0, REQUEST, flags(false, false))
            .build(Link::Ethernet),
        f.send(1, b"HTTP/1.1 403 Forbidden\r\n\r\n", flags(false, false))
            .build(Link::Ethernet),
    ];
    let (code, recs) = run(&pcap(Link::Ethernet, &refused), opts());
    assert_eq!(code, exit::NO_WEBSOCKET);
    assert_eq!(of_type(&recs, "connection")[0]["handshake"], "refused");
    assert_eq!(of_type(&recs, "connection")[0]["status"], 403);
}

#[test]
fn a_wrong_accept_and_permessage_deflate() {
    let mut f = Flow::new(50_004, 80);
    let response = String::from_utf8(RESPONSE.to_vec())
        .unwrap()
        .replace(
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .replace(
            "\r\n\r\n",
            "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        );
    let mut first = ws_frame(1, true, b"\xf2\x48\xcd\xc9\xc9\x07\x00", KEY);
    first[0] |= 0x40; // RSV1: compressed
    let p = [
        f.send(0, &[], flags(true, false)).build(Link::Ethernet),
        f.send(1, &[], flags(true, false)).build(Link::Ethernet),
        f.send(0, REQUEST, flags(false, false))
            .build(Link::Ethernet),
        f.send(1, response.as_bytes(), flags(false, false))
            .build(Link::Ethernet),
        f.send(0, &first, flags(false, false)).build(Link::Ethernet),
    ];
    let (code, recs) = run(&pcap(Link::Ethernet, &p), opts());
    assert_eq!(code, exit::OK);
    let c = of_type(&recs, "connection")[0];
    assert_eq!(
        (&c["handshake"], &c["deflate"]),
        (&Value::from("bad-accept"), &Value::from(true))
    );
    assert!(of_type(&recs, "note")[0]["text"]
        .as_str()
        .unwrap()
        .contains("Sec-WebSocket-Accept"));
    let m = of_type(&recs, "message")[0];
    assert_eq!(
        (&m["compressed"], &m["payload_len"]),
        (&Value::from(true), &Value::from(7))
    );
    assert_eq!(of_type(&recs, "frame")[0]["rsv"], 4);
}

#[test]
fn a_violation_unanswered_and_a_close_without_close_frame() {
    // The server sends a masked frame; the client closes TCP without a Close.
    let mut f = Flow::new(50_005, 80);
    let p = [
        f.send(0, &[], flags(true, false)).build(Link::Ethernet),
        f.send(1, &[], flags(true, false)).build(Link::Ethernet),
        f.send(0, REQUEST, flags(false, false))
            .build(Link::Ethernet),
        f.send(1, RESPONSE, flags(false, false))
            .build(Link::Ethernet),
        f.send(1, &ws_frame(1, true, b"masked", KEY), flags(false, false))
            .build(Link::Ethernet),
        f.send(0, &[], flags(false, true)).build(Link::Ethernet),
        f.send(1, &[], flags(false, true)).build(Link::Ethernet),
    ];
    let (code, recs) = run(&pcap(Link::Ethernet, &p), opts());
    assert_eq!(code, exit::FINDINGS);
    let v = of_type(&recs, "verdict")[0];
    assert_eq!(v["outcome"], "violation-unanswered");
    assert_eq!(v["closed_by"], "server");
    assert_eq!(v["as_rfc"], false);
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("the client closed the connection without a Close frame; it should send 1002"));
}

#[test]
fn bad_files_get_their_message_and_exit_status() {
    let good =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("captures/tungstenite.pcap"))
            .unwrap();
    let cases: [(&str, Vec<u8>, u8, &str); 5] = [
        (
            "empty.pcap",
            Vec::new(),
            exit::NOT_A_CAPTURE,
            "the file is empty",
        ),
        (
            "text.pcap",
            b"hello, this is not a capture at all".to_vec(),
            exit::NOT_A_CAPTURE,
            "not a pcap or pcapng capture",
        ),
        (
            "truncated.pcap",
            good[..good.len() - 30].to_vec(),
            exit::BAD_CAPTURE,
            "the capture is truncated",
        ),
        (
            "header-only.pcap",
            good[..20].to_vec(),
            exit::BAD_CAPTURE,
            "the capture is truncated",
        ),
        (
            "corrupt.pcap",
            {
                // The first record's captured length: 1 GiB.
                let mut b = good.clone();
                b[24 + 8..24 + 12].copy_from_slice(&(1u32 << 30).to_le_bytes());
                b
            },
            exit::BAD_CAPTURE,
            "corrupt",
        ),
    ];
    for (name, bytes, want, message) in cases {
        let (code, out, err) = run_bin(name, &bytes, &[]);
        assert_eq!(code, i32::from(want), "{name}: {out}{err}");
        assert!(err.contains(message), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_wsframe-inspect"))
        .arg("/nonexistent/capture.pcap")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::IO)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    let out = Command::new(env!("CARGO_BIN_EXE_wsframe-inspect"))
        .arg("--no-such-option")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::USAGE)));
}

#[test]
fn an_unknown_link_type() {
    let p = session(Link::Ethernet);
    let bytes = pcap(Link::Other(147), &p);
    let (code, out, err) = run_bin("user0.pcap", &bytes, &["--json"]);
    assert_eq!(code, i32::from(exit::LINK_TYPE));
    assert!(err.contains("no packet has a supported link type"), "{err}");
    let summary: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(summary["skipped"]["unsupported link type 147"], p.len());
}

/// A small xorshift generator: the same bytes on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap()
    }
}

#[test]
fn random_and_mutated_captures_never_panic() {
    let mut seeds: Vec<Vec<u8>> = ["tungstenite.pcap", "broken.pcap", "tungstenite-any.pcapng"]
        .iter()
        .map(|n| {
            std::fs::read(
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("captures")
                    .join(n),
            )
            .unwrap()
        })
        .collect();
    seeds.push(pcap(Link::Sll2, &session(Link::Sll2)));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut outcomes = std::collections::BTreeSet::new();
    for i in 0..3000 {
        let mut bytes = seeds[i % seeds.len()].clone();
        match rng.below(4) {
            // Flip a few bytes.
            0 => {
                for _ in 0..=rng.below(8) {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= u8::try_from(rng.next() & 0xff).unwrap() | 1;
                }
            }
            // Cut it.
            1 => bytes.truncate(rng.below(bytes.len())),
            // Random bytes after a valid file header.
            2 => {
                bytes.truncate(24);
                for _ in 0..rng.below(4096) {
                    bytes.push(u8::try_from(rng.next() & 0xff).unwrap());
                }
            }
            // Random bytes.
            _ => {
                bytes.clear();
                for _ in 0..rng.below(512) {
                    bytes.push(u8::try_from(rng.next() & 0xff).unwrap());
                }
            }
        }
        let mut o = opts();
        o.server_ports = vec![39417];
        let outcome = analyze(
            bytes.as_slice(),
            o,
            Output::new(std::io::sink(), i % 2 == 0, true),
        );
        outcomes.insert(outcome.exit_code());
    }
    // The mutations reach the different outcomes, not only one.
    assert!(outcomes.len() >= 4, "{outcomes:?}");
}

#[test]
fn ipv6_is_read_like_ipv4() {
    use etherparse::PacketBuilder;
    let (client, server) = (
        [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
    );
    // (from the client?, seq, ack, syn, payload)
    let (request_len, response_len) = (
        u32::try_from(REQUEST.len()).unwrap(),
        u32::try_from(RESPONSE.len()).unwrap(),
    );
    let frame = ws_frame(1, true, b"over IPv6", KEY);
    let plan: [(bool, u32, u32, bool, &[u8]); 5] = [
        (true, 100, 0, true, b""),
        (false, 900, 101, true, b""),
        (true, 101, 901, false, REQUEST),
        (false, 901, 101 + request_len, false, RESPONSE),
        (true, 101 + request_len, 901 + response_len, false, &frame),
    ];
    let packets: Vec<Vec<u8>> = plan
        .iter()
        .map(|&(from_client, seq, ack, syn, payload)| {
            let (src, dst, sp, dp) = if from_client {
                (client, server, 50_010, 443)
            } else {
                (server, client, 443, 50_010)
            };
            let mut b = PacketBuilder::ethernet2([0; 6], [0; 6])
                .ipv6(src, dst, 64)
                .tcp(sp, dp, seq, 1000);
            if syn {
                b = b.syn();
            }
            if ack > 0 {
                b = b.ack(ack);
            }
            let mut v = Vec::new();
            b.write(&mut v, payload).unwrap();
            v
        })
        .collect();
    let (code, recs) = run(&pcap(Link::Ethernet, &packets), opts());
    assert_eq!(code, exit::OK);
    let c = of_type(&recs, "connection")[0];
    assert_eq!(c["client"], "[fd00::1]:50010");
    assert_eq!(c["server"], "[fd00::2]:443");
    assert_eq!(frames(&recs), [("c2s".to_string(), 1, 9)]);
}
