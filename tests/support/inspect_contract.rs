//! The contract of the `inspect` command line and its JSON records, which
//! tools outside the crate drive: every option and record shape is pinned
//! here, once. Two binaries keep it, and each runs these tests through its
//! own `command()`: `examples/inspect` (`tests/inspect.rs`) and
//! `wsframe-inspect raw` (`inspect/tests/raw.rs`). The includer provides
//! `command()` (the binary, its subcommand, run in the repository root) and
//! `ROOT` (the repository root).

use std::io::Write;
use std::process::Stdio;

/// Runs inspect with `args` on `stdin`: (exit code, stdout).
fn run(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let mut child = super::command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json(args: &[&str], stdin: &[u8]) -> Vec<String> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, out) = run(&all, stdin);
    assert_eq!(code, 0);
    out.lines().map(str::to_string).collect()
}

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

pub fn masked(b0: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut v = vec![b0, 0x80 | u8::try_from(payload.len()).unwrap()];
    v.extend_from_slice(&KEY);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
    v
}

#[test]
fn the_readme_command_works_on_the_shipped_capture() {
    let (code, out) = run(&["examples/captures/unmasked-client.bin"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("frame    @0"), "{out}");
    assert!(
        out.contains("error    @11: close with 1002 Protocol Error"),
        "{out}"
    );
    assert!(out.contains("RFC 6455 §5.1"), "{out}");
    assert!(out.contains("remedy:"), "{out}");
}

#[test]
fn json_records_for_a_whole_session() {
    let lines = json(&["examples/captures/session.bin"], b"");
    assert_eq!(
        lines,
        [
            r#"{"type":"frame","offset":0,"fin":true,"rsv":0,"opcode":1,"masked":true,"payload_len":5}"#,
            r#"{"type":"message","opcode":1,"payload_len":5}"#,
            r#"{"type":"frame","offset":11,"fin":false,"rsv":0,"opcode":1,"masked":true,"payload_len":3}"#,
            r#"{"type":"frame","offset":20,"fin":true,"rsv":0,"opcode":9,"masked":true,"payload_len":5}"#,
            r#"{"type":"frame","offset":31,"fin":true,"rsv":0,"opcode":0,"masked":true,"payload_len":2}"#,
            r#"{"type":"message","opcode":1,"payload_len":5}"#,
            r#"{"type":"frame","offset":39,"fin":true,"rsv":0,"opcode":2,"masked":true,"payload_len":256}"#,
            r#"{"type":"message","opcode":2,"payload_len":256}"#,
            r#"{"type":"frame","offset":303,"fin":true,"rsv":0,"opcode":8,"masked":true,"payload_len":5}"#,
            r#"{"type":"close","code":1000,"reason":"bye"}"#,
            r#"{"type":"end","status":"closed","ignored_bytes":0}"#,
        ]
    );
}

#[test]
fn payload_hex_is_unmasked() {
    let lines = json(&["--payload-hex", "-"], &masked(0x81, b"Hi"));
    assert_eq!(
        lines,
        [
            r#"{"type":"frame","offset":0,"fin":true,"rsv":0,"opcode":1,"masked":true,"payload_len":2,"payload_hex":"4869"}"#,
            r#"{"type":"message","opcode":1,"payload_len":2,"payload_hex":"4869"}"#,
            r#"{"type":"end","status":"complete"}"#,
        ]
    );
}

#[test]
fn error_records_carry_code_kind_layer_rfc_description_and_remedy() {
    let mut input = masked(0x81, b"ok");
    input.extend([0x83, 0x80, 1, 2, 3, 4]);
    let lines = json(&[], &input);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[2],
        r#"{"type":"error","offset":8,"close_code":1002,"kind":"reserved_opcode","layer":"frame","rfc":"RFC 6455 §5.2","description":"reserved opcode 0x3-0x7 or 0xB-0xF","remedy":"the peer or a proxy breaks RFC 6455 framing: make both ends follow RFC 6455 framing strictly and inspect intermediaries (proxies, load balancers)"}"#
    );
    let lines = json(&["--hex", "examples/captures/too-big.hex"], b"");
    assert_eq!(
        lines,
        [
            r#"{"type":"error","offset":0,"close_code":1009,"kind":"frame_too_big","layer":"frame","rfc":"RFC 6455 §7.4.1, §10.4","description":"frame payload longer than the configured frame limit","remedy":"split the payload into smaller frames or raise the limit"}"#
        ]
    );
    let lines = json(&["--hex", "examples/captures/bad-utf8.hex"], b"");
    assert!(lines[1].starts_with(r#"{"type":"error","offset":13,"close_code":1007,"kind":"invalid_utf8","layer":"message""#), "{lines:?}");
}

#[test]
fn chunking_never_changes_the_output() {
    let mut inputs: Vec<(Vec<&str>, Vec<u8>)> = Vec::new();
    for capture in ["session.bin", "unmasked-client.bin"] {
        let bytes = std::fs::read(format!("{}/examples/captures/{capture}", super::ROOT)).unwrap();
        inputs.push((vec!["--payload-hex"], bytes.clone()));
        inputs.push((vec!["--frames-only"], bytes));
    }
    let mut bad_utf8 = masked(0x01, "héllo ".as_bytes());
    bad_utf8.extend(masked(0x80, b"\xed\xa0\x80"));
    inputs.push((vec![], bad_utf8));
    for (args, bytes) in inputs {
        let whole = json(&[&args[..], &["-"]].concat(), &bytes);
        for k in 1..=bytes.len() + 1 {
            let k = k.to_string();
            let chunked = json(&[&args[..], &["--chunk", &k, "-"]].concat(), &bytes);
            assert_eq!(chunked, whole, "{args:?} --chunk {k}");
        }
    }
}

#[test]
fn a_huge_chunk_is_the_same_as_no_chunk() {
    let input = masked(0x81, b"Hi");
    let whole = json(&[], &input);
    for k in ["1000000000000", "18446744073709551615"] {
        assert_eq!(json(&["--chunk", k], &input), whole);
    }
}

#[test]
fn a_one_byte_close_body_fails_at_its_header() {
    let lines = json(&["--role", "any", "--hex", "-"], b"88 81 00 00 00 00");
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].contains(r#""close_code":1002,"kind":"close_body_too_short""#),
        "{lines:?}"
    );
}

#[test]
fn frames_only_does_not_stop_at_a_close() {
    let mut input = masked(0x88, &1000u16.to_be_bytes());
    input.extend(masked(0x89, b"after"));
    let layered = json(&[], &input);
    assert_eq!(layered[1], r#"{"type":"close","code":1000,"reason":""}"#);
    assert_eq!(
        layered[2],
        r#"{"type":"end","status":"closed","ignored_bytes":11}"#
    );
    let frames = json(&["--frames-only"], &input);
    assert_eq!(frames.len(), 3);
    assert!(frames[1].contains(r#""offset":8,"fin":true,"rsv":0,"opcode":9"#));
    assert_eq!(frames[2], r#"{"type":"end","status":"complete"}"#);
    // Message-layer rules are off too: a lone continuation is a valid frame.
    assert_eq!(json(&["--frames-only"], &masked(0x80, b"x")).len(), 2);
    assert!(json(&[], &masked(0x80, b"x"))[0]
        .contains(r#""kind":"unexpected_continuation","layer":"message""#));
}

#[test]
fn incomplete_input_reports_the_bytes_needed() {
    let frame = masked(0x81, b"Hello");
    for (k, needed) in [(1usize, 1usize), (2, 4), (5, 1), (6, 5), (10, 1)] {
        let lines = json(&[], &frame[..k]);
        assert_eq!(
            lines.last().unwrap(),
            &format!(r#"{{"type":"end","status":"incomplete","needed":{needed}}}"#),
            "{k}"
        );
    }
    assert_eq!(json(&[], b""), [r#"{"type":"end","status":"complete"}"#]);
}

#[test]
fn a_bad_byte_in_a_partial_payload_is_reported_at_once() {
    let frame = masked(0x81, b"ab\xFFcdefgh");
    let lines = json(&[], &frame[..6 + 3]);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains(r#""close_code":1007"#), "{lines:?}");
}

#[test]
fn message_rules_are_reported_once_the_length_field_is_read() {
    // A 3-byte text fragment, then a continuation announcing 2 more bytes
    // with --max-message 4: 1009 at the continuation's second byte, before
    // its masking key.
    let bytes = [masked(0x01, b"abc"), masked(0x80, b"de")].concat();
    for chunk in ["1", "3", "64"] {
        let lines = json(&["--max-message", "4", "--chunk", chunk], &bytes[..9 + 2]);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].starts_with(r#"{"type":"error","offset":9,"close_code":1009,"kind":"message_too_big","layer":"message""#), "{lines:?}");
    }
    // A continuation with no message: 1002 before its masking key.
    let lines = json(&[], &masked(0x80, b"x")[..2]);
    assert!(
        lines[0].starts_with(
            r#"{"type":"error","offset":0,"close_code":1002,"kind":"unexpected_continuation""#
        ),
        "{lines:?}"
    );
    // --frames-only has no message rules: still incomplete.
    let lines = json(&["--frames-only"], &masked(0x80, b"x")[..2]);
    assert_eq!(
        lines,
        [r#"{"type":"end","status":"incomplete","needed":4}"#]
    );
}

#[test]
fn role_limits_and_length_options() {
    let unmasked = [0x81, 0x02, b'h', b'i'];
    assert!(json(&[], &unmasked)[0].contains("unmasked_client_frame"));
    assert!(json(&["--role", "client"], &unmasked)[0].contains(r#""type":"frame""#));
    assert!(json(&["--role=any"], &unmasked)[0].contains(r#""type":"frame""#));
    assert!(json(&["--role", "client"], &masked(0x81, b"hi"))[0].contains("masked_server_frame"));
    let big = masked(0x82, &[0; 100]);
    assert!(json(&["--max-frame", "99"], &big)[0]
        .contains(r#""close_code":1009,"kind":"frame_too_big""#));
    assert!(json(&["--max-frame", "100"], &big)[0].contains(r#""type":"frame""#));
    assert!(json(&["--max-message", "99"], &big)[0]
        .contains(r#""kind":"message_too_big","layer":"message""#));
    assert!(json(&["--max-message", "99", "--frames-only"], &big)[0].contains(r#""type":"frame""#));
    let non_minimal = [0x82, 0x7E, 0x00, 0x02, b'h', b'i'];
    assert!(json(&["--role", "client"], &non_minimal)[0].contains("non_minimal_length"));
    assert!(
        json(&["--role", "client", "--lenient-length"], &non_minimal)[0]
            .contains(r#""payload_len":2"#)
    );
    let max = "9223372036854775807";
    assert!(
        json(&["--max-frame", max, "--max-message", max], &big)[0].contains(r#""type":"frame""#)
    );
}

#[test]
fn hex_input_ignores_whitespace() {
    let lines = json(&["--hex", "--role", "client"], b"81 02\n68\t69\n");
    assert_eq!(
        lines[0],
        r#"{"type":"frame","offset":0,"fin":true,"rsv":0,"opcode":1,"masked":false,"payload_len":2}"#
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--role", "proxy"][..],
        &["--max-frame", "9223372036854775808"],
        &["--max-message", "-1"],
        &["--chunk", "0"],
        &["--nope"],
        &["--max-frame"],
        &["no/such/file"],
        &["--json=false"],
        &["--max-frame=+5"],
        &["--chunk", "+3"],
    ] {
        assert_eq!(run(args, b"").0, 2, "{args:?}");
    }
    assert_eq!(run(&["--hex"], b"8").0, 2);
    assert_eq!(run(&["--hex"], b"zz").0, 2);
    assert_eq!(run(&["--hex"], b"+8+0").0, 2);
}

#[test]
fn one_input_at_most_stdin_included() {
    for args in [
        &["examples/captures/session.bin", "-"][..],
        &["-", "examples/captures/session.bin"],
        &["-", "-"],
    ] {
        assert_eq!(run(args, b"").0, 2, "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = std::env::temp_dir().join(format!("wsframe-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(std::ffi::OsStr::from_bytes(b"capture-\xff.bin"));
    std::fs::write(&path, masked(0x81, b"Hi")).unwrap();
    let out = super::command().arg("--json").arg(&path).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .ends_with("{\"type\":\"end\",\"status\":\"complete\"}\n"));
    let missing = super::command()
        .arg(std::ffi::OsStr::from_bytes(b"no-such-\xff"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn hex_input_ignores_every_ascii_whitespace() {
    let lines = json(&["--hex", "--role", "client"], b" 81\x0b02\x0c68\r\n69 ");
    assert_eq!(
        lines[0],
        r#"{"type":"frame","offset":0,"fin":true,"rsv":0,"opcode":1,"masked":false,"payload_len":2}"#
    );
}

#[test]
fn a_close_reason_is_escaped_to_stay_on_one_line() {
    let mut body = 4000u16.to_be_bytes().to_vec();
    body.extend_from_slice("q\"b\\\n\t\u{1}\u{7f}\u{85}\u{2028}\u{2029}é😀".as_bytes());
    let lines = json(&[], &masked(0x88, &body));
    assert_eq!(
        lines[1],
        r#"{"type":"close","code":4000,"reason":"q\"b\\\n\t\u0001\u007f\u0085\u2028\u2029é😀"}"#
    );
    assert_eq!(lines.len(), 3);
}
