//! The recorded fixtures (`captures/record.sh`): every frame the tool lists
//! is compared with Wireshark's own WebSocket dissector (`tshark`) on the same
//! file, and each connection's verdict is asserted.
//!
//! Without `tshark` the comparison says so loudly; with `CI=true` it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The echo server's port in the fixtures.
const PORT: u16 = 39417;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

/// Runs the tool with `--json`: (exit code, records).
fn records(name: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_wsframe-inspect"))
        .arg("--json")
        .args(args)
        .arg(fixture(name))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let recs = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (out.status.code().unwrap(), recs)
}

/// A frame as both tools list it: fin, opcode, masked, payload length.
type Row = (bool, u64, bool, u64);

/// (client port, "c2s"/"s2c") → frames in order, as the tool lists them:
/// the frames that passed and the offending frames of violations, by offset.
fn tool_frames(recs: &[Value]) -> BTreeMap<(u64, String), Vec<Row>> {
    let mut client_port = BTreeMap::new();
    let mut by_dir: BTreeMap<(u64, String), Vec<(u64, Row)>> = BTreeMap::new();
    for r in recs {
        match r["type"].as_str().unwrap() {
            "connection" => {
                let client = r["client"].as_str().unwrap();
                let port: u64 = client.rsplit(':').next().unwrap().parse().unwrap();
                client_port.insert(r["conn"].as_u64().unwrap(), port);
            }
            "frame" => {
                let key = (
                    client_port[&r["conn"].as_u64().unwrap()],
                    r["dir"].as_str().unwrap().to_string(),
                );
                let row = (
                    r["fin"].as_bool().unwrap(),
                    r["opcode"].as_u64().unwrap(),
                    r["masked"].as_bool().unwrap(),
                    r["payload_len"].as_u64().unwrap(),
                );
                by_dir
                    .entry(key)
                    .or_default()
                    .push((r["offset"].as_u64().unwrap(), row));
            }
            "violation" => {
                let key = (
                    client_port[&r["conn"].as_u64().unwrap()],
                    r["dir"].as_str().unwrap().to_string(),
                );
                let f = &r["frame"];
                let row = (
                    f["fin"].as_bool().unwrap(),
                    f["opcode"].as_u64().unwrap(),
                    f["masked"].as_bool().unwrap(),
                    f["payload_len"].as_u64().unwrap(),
                );
                by_dir
                    .entry(key)
                    .or_default()
                    .push((r["offset"].as_u64().unwrap(), row));
            }
            _ => {}
        }
    }
    by_dir
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by_key(|(offset, _)| *offset);
            (k, v.into_iter().map(|(_, row)| row).collect())
        })
        .collect()
}

/// The same from tshark's dissector (PDML, one `websocket` proto per frame),
/// or `None` when tshark is not installed.
fn tshark_frames(name: &str) -> Option<BTreeMap<(u64, String), Vec<Row>>> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(fixture(name))
        .args([
            "-d",
            &format!("tcp.port=={PORT},http"),
            "-Y",
            "websocket",
            "-T",
            "pdml",
        ])
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            let msg = format!(
                "\n\n*** tshark is not installed ({e}): the comparison with Wireshark's \
                 dissector did NOT run. Install it: apt-get install tshark ***\n"
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
            eprintln!("{msg}");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdml = String::from_utf8(out.stdout).unwrap();
    let show = |line: &str| -> String {
        let at = line.find(" show=\"").unwrap() + 7;
        line[at..].split('"').next().unwrap().to_string()
    };
    let mut frames: BTreeMap<(u64, String), Vec<Row>> = BTreeMap::new();
    let (mut src, mut dst) = (0u64, 0u64);
    let mut cur: Option<[u64; 6]> = None; // fin, opcode, mask, len, ext16, ext64
    let mut flush = |cur: &mut Option<[u64; 6]>, src: u64, dst: u64| {
        if let Some([fin, op, mask, len, e16, e64]) = cur.take() {
            let len = match len {
                126 => e16,
                127 => e64,
                n => n,
            };
            let (client, dir) = if src == u64::from(PORT) {
                (dst, "s2c")
            } else {
                (src, "c2s")
            };
            frames.entry((client, dir.to_string())).or_default().push((
                fin == 1,
                op,
                mask == 1,
                len,
            ));
        }
    };
    for line in pdml.lines() {
        let line = line.trim();
        if line.starts_with("<packet>") || line.starts_with("<proto name=\"websocket\"") {
            flush(&mut cur, src, dst);
            if line.starts_with("<proto") {
                cur = Some([0; 6]);
            }
        } else if line.starts_with("<field name=\"tcp.srcport\"") {
            src = show(line).parse().unwrap();
        } else if line.starts_with("<field name=\"tcp.dstport\"") {
            dst = show(line).parse().unwrap();
        } else if let Some(c) = cur.as_mut() {
            let slot = [
                "websocket.fin",
                "websocket.opcode",
                "websocket.mask",
                "websocket.payload_length",
                "websocket.payload_length_ext_16",
                "websocket.payload_length_ext_64",
            ]
            .iter()
            .position(|f| line.starts_with(&format!("<field name=\"{f}\"")));
            if let Some(i) = slot {
                c[i] = show(line).parse().unwrap();
            }
        }
    }
    flush(&mut cur, src, dst);
    Some(frames)
}

/// Compares the tool's frames with tshark's, direction by direction.
fn compare_with_tshark(name: &str, args: &[&str]) -> usize {
    let (_, recs) = records(name, args);
    let ours = tool_frames(&recs);
    let Some(theirs) = tshark_frames(name) else {
        return 0;
    };
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{name}: directions"
    );
    for (key, rows) in &ours {
        assert_eq!(rows, &theirs[key], "{name}: frames of {key:?}");
    }
    let n = ours.values().map(Vec::len).sum();
    eprintln!("{name}: {n} frames, identical to tshark's dissector");
    assert!(n > 0);
    n
}

/// The verdict records, in order of connection.
fn verdicts(recs: &[Value]) -> Vec<&Value> {
    recs.iter().filter(|r| r["type"] == "verdict").collect()
}

fn summary(recs: &[Value]) -> &Value {
    let last = recs.last().unwrap();
    assert_eq!(last["type"], "summary");
    last
}

const LIMITS: [&str; 4] = ["--max-frame", "1000", "--max-message", "1000"];

#[test]
fn chromium_frames_match_tshark() {
    compare_with_tshark("chromium.pcap", &LIMITS);
}

#[test]
fn chromium_ends_with_the_servers_1009() {
    let (code, recs) = records("chromium.pcap", &LIMITS);
    assert_eq!(code, 1, "a violation was found");
    let ws: Vec<&Value> = verdicts(&recs)
        .into_iter()
        .filter(|v| v["outcome"] != "not-websocket")
        .collect();
    assert_eq!(ws.len(), 1);
    let v = ws[0];
    assert_eq!(v["outcome"], "violation-answered");
    assert_eq!(v["closed_by"], "client");
    assert_eq!(v["close_code"], 1009);
    assert_eq!(v["answer_code"], 1009);
    assert_eq!(v["as_rfc"], true);
    let text = v["text"].as_str().unwrap();
    assert!(
        text.starts_with("the client sent a 1,001-byte frame over the 1,000-byte frame limit (--max-frame); the server answered 1009, as it should."),
        "{text}"
    );
    let violation = recs.iter().find(|r| r["type"] == "violation").unwrap();
    assert_eq!(violation["kind"], "frame_too_big");
    assert_eq!(violation["frame"]["payload_len"], 1001);
    // Without the server's limits, the same session is a clean close.
    let (code, recs) = records("chromium.pcap", &[]);
    assert_eq!(code, 0);
    let v = verdicts(&recs)
        .into_iter()
        .find(|v| v["outcome"] == "clean")
        .unwrap();
    assert_eq!(v["closed_by"], "server");
    assert_eq!(v["close_code"], 1009);
    let s = summary(&recs);
    assert_eq!(s["closes"]["1009"], 2);
    assert_eq!(s["websocket_connections"], 1);
}

#[test]
fn tungstenite_frames_match_tshark() {
    compare_with_tshark("tungstenite.pcap", &[]);
}

#[test]
fn tungstenite_closes_cleanly() {
    let (code, recs) = records("tungstenite.pcap", &[]);
    assert_eq!(code, 0);
    let v = verdicts(&recs);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["outcome"], "clean");
    assert_eq!(v[0]["closed_by"], "client");
    assert_eq!(v[0]["frames"], serde_json::json!([4, 5]));
    assert_eq!(v[0]["tcp_closed_first"], "server");
}

#[test]
fn linux_cooked_pcapng_reads_like_the_ethernet_pcap() {
    compare_with_tshark("tungstenite-any.pcapng", &[]);
    let (code, recs) = records("tungstenite-any.pcapng", &[]);
    assert_eq!(code, 0);
    let v = verdicts(&recs);
    assert_eq!((v.len(), &v[0]["outcome"]), (1, &Value::from("clean")));
    assert_eq!(v[0]["frames"], serde_json::json!([4, 5]));
}

#[test]
fn python_websockets_frames_match_tshark() {
    compare_with_tshark("python.pcap", &[]);
}

#[test]
fn python_websockets_closes_with_1000() {
    let (code, recs) = records("python.pcap", &[]);
    assert_eq!(code, 0);
    let v = verdicts(&recs);
    assert_eq!(v[0]["outcome"], "clean");
    assert_eq!(v[0]["close_code"], 1000);
    assert_eq!(v[0]["close_reason"], "done");
    assert_eq!(v[0]["answer_code"], 1000);
    let msgs: Vec<&Value> = recs.iter().filter(|r| r["type"] == "message").collect();
    assert_eq!(msgs[0]["preview"], "Hello from Python websockets ✓");
}

#[test]
fn broken_client_frames_match_tshark() {
    // The offending frames included: the tool lists them in violation records.
    compare_with_tshark("broken.pcap", &LIMITS);
}

#[test]
fn broken_client_verdicts() {
    let (code, recs) = records("broken.pcap", &LIMITS);
    assert_eq!(code, 1);
    let kinds: Vec<&str> = recs
        .iter()
        .filter(|r| r["type"] == "violation")
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "unmasked_client_frame",
            "reserved_opcode",
            "frame_too_big",
            "invalid_utf8"
        ]
    );
    let v = verdicts(&recs);
    let got: Vec<(&str, u64, u64)> = v
        .iter()
        .map(|v| {
            (
                v["outcome"].as_str().unwrap(),
                v["close_code"].as_u64().unwrap(),
                v["answer_code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("violation-answered", 1002, 1002),
            ("violation-answered", 1002, 1002),
            ("violation-answered", 1009, 1009),
            ("violation-answered", 1007, 1007),
        ]
    );
    // The client answered the server's Close in 1, 3 and 4, not in 2.
    let answered: Vec<bool> = v
        .iter()
        .map(|v| {
            v["text"]
                .as_str()
                .unwrap()
                .contains("The client answered that Close")
        })
        .collect();
    assert_eq!(answered, [true, false, true, true]);
    let utf8 = recs.iter().find(|r| r["kind"] == "invalid_utf8").unwrap();
    assert_eq!(
        utf8["frame"]["opcode"], 0,
        "the bad bytes are in the continuation"
    );
    assert_eq!(
        utf8["rfc_url"],
        "https://www.rfc-editor.org/rfc/rfc6455#section-8.1"
    );
    assert!(!utf8["remedy"].as_str().unwrap().is_empty());
    let s = summary(&recs);
    assert_eq!(s["violations"]["unmasked_client_frame"], 1);
    assert_eq!(s["closes"]["1002"], 3);
}

/// The README's first command prints what the README shows under it.
#[test]
fn the_readme_shows_the_commands_real_output() {
    let readme = include_str!("../../README.md");
    let command = "cargo run -p wsframe-inspect -- --max-frame 1000 --max-message 1000 --brief inspect/captures/chromium.pcap";
    let after = &readme[readme.find(command).expect("the README's command")..];
    let start = after.find("```text\n").unwrap() + "```text\n".len();
    let shown = &after[start..start + after[start..].find("```").unwrap()];
    let out = Command::new(env!("CARGO_BIN_EXE_wsframe-inspect"))
        .args(["--max-frame", "1000", "--max-message", "1000", "--brief"])
        .arg(fixture("chromium.pcap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed.trim_start_matches('\n'), shown);
}
