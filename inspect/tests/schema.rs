//! The `--json` schema documented in the crate docs (the table in
//! src/lib.rs) is the one written: every record type, every field, no more,
//! no fewer, and one JSON object per line.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;
use wsframe_inspect::synth::{ws_frame, Flags, Flow, Link, PcapWriter, REQUEST, RESPONSE};
use wsframe_inspect::{analyze, Options, Output};

/// `type` → documented fields, read from the table in the crate docs
/// (backticked names, leaving out what is in parentheses).
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let lib = include_str!("../src/lib.rs");
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! | `") else {
            continue;
        };
        let (ty, fields) = row.split_once("` | ").unwrap();
        if ty == "type" {
            continue; // the table's head
        }
        let mut depth = 0;
        let mut flat = String::new();
        for c in fields.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                c if depth == 0 => flat.push(c),
                _ => {}
            }
        }
        let names = flat
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        out.insert(ty.to_string(), names);
    }
    out
}

fn records(bytes: &[u8], opts: Options) -> Vec<Value> {
    let mut out = Vec::new();
    analyze(bytes, opts, Output::new(&mut out, true, true));
    let text = String::from_utf8(out).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            assert!(v.is_object(), "{l}");
            v
        })
        .collect()
}

#[test]
fn the_documented_schema_is_the_written_one() {
    let docs = documented();
    assert_eq!(
        docs.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "close",
            "connection",
            "frame",
            "gap",
            "message",
            "note",
            "summary",
            "verdict",
            "violation"
        ]
    );
    let opts = Options {
        max_frame: 1000,
        max_message: 1000,
        preview: 8,
        ..Options::default()
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut all = Vec::new();
    for name in ["broken.pcap", "chromium.pcap"] {
        all.extend(records(
            &std::fs::read(dir.join(name)).unwrap(),
            opts.clone(),
        ));
    }
    // A gap: the client's second segment is missing, the server acknowledges it.
    let mut f = Flow::new(1, 2);
    let plain = Flags::default();
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).unwrap();
    let syn = Flags { syn: true, ..plain };
    let frame = ws_frame(2, true, &[7; 300], Some([1, 2, 3, 4]));
    for (i, seg) in [
        f.send(0, &[], syn),
        f.send(1, &[], syn),
        f.send(0, REQUEST, plain),
        f.send(1, RESPONSE, plain),
        f.send(0, &frame[..100], plain),
    ]
    .iter()
    .enumerate()
    {
        w.segment(i as u64, seg).unwrap();
    }
    f.send(0, &frame[100..200], plain); // not in the capture
    w.segment(9, &f.send(1, b"", plain)).unwrap();
    all.extend(records(&w.into_inner(), opts));

    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &all {
        let obj = r.as_object().unwrap();
        let ty = obj["type"].as_str().unwrap().to_string();
        let keys: BTreeSet<String> = obj.keys().filter(|k| *k != "type").cloned().collect();
        let want = &docs[&ty];
        assert!(
            keys.is_subset(want),
            "{ty}: undocumented {:?}",
            keys.difference(want).collect::<Vec<_>>()
        );
        seen.entry(ty).or_default().extend(keys);
    }
    assert_eq!(seen, docs, "every documented record and field is written");
}
