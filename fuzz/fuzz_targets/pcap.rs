//! `pcap`: arbitrary bytes as a capture file through wsframe-inspect's whole
//! analysis (pcap/pcapng reader, link layers, TCP reassembly, handshake,
//! both directions' receivers, verdicts). Never a panic; the exit status is a
//! documented one (never 2, which only the command line gives); the JSON
//! output is one object per line with one `frame` record per frame counted
//! and one `verdict` per connection, ending with the `summary` whenever the
//! file was read as a capture; the text run reaches the same totals.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe_inspect::{analyze, exit, InputError, Options, Output};

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        max_frame: 1000,
        max_message: 4000,
        // Connections whose handshake is not in the input are parsed too.
        server_ports: vec![9001, 39417],
        deflate: data.first().is_some_and(|b| b & 1 == 1),
        preview: 8,
    };
    let mut json = Vec::new();
    let outcome = analyze(data, opts.clone(), Output::new(&mut json, true, true));
    let code = outcome.exit_code();
    assert!(code <= exit::NO_WEBSOCKET && code != exit::USAGE, "{code}");
    let text = std::str::from_utf8(&json).expect("the JSON output is UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        assert!(
            line.starts_with("{\"type\":\"") && line.ends_with('}'),
            "{line}"
        );
    }
    let count = |t: &str| {
        let tag = format!("{{\"type\":\"{t}\"");
        lines.iter().filter(|l| l.starts_with(&tag)).count() as u64
    };
    let s = &outcome.summary;
    assert_eq!(count("frame"), s.frames);
    assert_eq!(count("message"), s.messages);
    assert_eq!(count("gap"), s.gaps);
    assert_eq!(count("connection"), s.connections);
    assert_eq!(count("verdict"), s.connections);
    let read_as_capture = !matches!(
        outcome.error,
        Some(InputError::NotACapture | InputError::Empty | InputError::Io(_))
    );
    assert_eq!(count("summary"), u64::from(read_as_capture));
    if read_as_capture {
        assert!(lines
            .last()
            .is_some_and(|l| l.starts_with("{\"type\":\"summary\"")));
    }
    let again = analyze(data, opts, Output::new(std::io::sink(), false, true));
    assert_eq!(again.exit_code(), code);
    assert_eq!(again.summary.frames, s.frames);
    assert_eq!(again.summary.violations, s.violations);
    assert_eq!(again.summary.closes, s.closes);
});
