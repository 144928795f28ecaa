//! `inspect`: reads a WebSocket capture and prints every frame, message and
//! the verdict, with the close code an endpoint would send and why.
//!
//! ```text
//! cargo run --example inspect -- [OPTIONS] [FILE]
//!
//! FILE               raw bytes of one direction of a connection (after the
//!                    HTTP handshake); `-` or no FILE reads stdin
//! --hex              the input is hex text (ASCII whitespace ignored)
//! --role R           server | client | any (default server: frames must be masked)
//! --max-frame N      largest frame payload (default 65536; N up to 2^63-1)
//! --max-message N    largest message (default 65536; N up to 2^63-1)
//! --lenient-length   accept non-minimal length encodings
//! --frames-only      frame layer only: no message state, does not stop at a Close
//! --chunk K          feed the input K bytes at a time (the output does not change)
//! --json             one JSON object per line
//! --payload-hex      include payloads (unmasked) as hex
//! ```
//!
//! This command line and its JSON records are a stable contract: other tools
//! drive it. With `--json`, one object per line:
//!
//! - `{"type":"frame","offset":O,"fin":B,"rsv":R,"opcode":N,"masked":B,"payload_len":N}`
//!   (plus `"payload_hex"` with `--payload-hex`) once a frame has passed every
//!   check in use; `offset` is where the frame starts in the input;
//! - `{"type":"message","opcode":1|2,"payload_len":N}` (plus `"payload_hex"`)
//!   when a data message completes (message layer);
//! - `{"type":"close","code":N|null,"reason":"…"}` for a valid Close frame;
//!   the input after it is ignored, and the last record is
//!   `{"type":"end","status":"closed","ignored_bytes":N}`;
//! - otherwise the last record is `{"type":"end","status":"complete"}` (the
//!   input ends at a frame boundary), `{"type":"end","status":"incomplete","needed":N}`
//!   (it ends inside a frame: N more bytes are needed to finish the current
//!   header, as far as its length is known, or the current payload), or
//!   `{"type":"error","offset":O,"close_code":C,"kind":"…","layer":"frame"|"message","rfc":"…","description":"…","remedy":"…"}`
//!   where `offset` is the start of the frame in which the error was found.
//!   A bad byte inside a partial payload is reported as soon as it is seen,
//!   and a header's message rules (1009 over `--max-message`, a continuation
//!   without a message, ...) as soon as its length field is read, without
//!   waiting for the masking key.
//!
//! The exit status is 0 whatever the verdict, and 2 for a usage or I/O error.

// A host tool: the no-panic and core-only lints are for the library.
#![allow(clippy::indexing_slicing, clippy::std_instead_of_core)]

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use wsframe::{Config, FrameHeader, Role};

/// The decoding and the records: the same file as `wsframe-inspect raw`.
#[path = "../inspect/src/raw_report.rs"]
mod raw_report;

use raw_report::{decode_hex, print_report};

/// The parsed command line.
#[allow(clippy::struct_excessive_bools)] // one per flag
struct Options {
    /// `None`: stdin.
    input: Option<PathBuf>,
    hex: bool,
    config: Config,
    frames_only: bool,
    chunk: Option<usize>,
    json: bool,
    payload_hex: bool,
}

const USAGE: &str =
    "usage: inspect [--hex] [--role server|client|any] [--max-frame N] [--max-message N] \
[--lenient-length] [--frames-only] [--chunk K] [--json] [--payload-hex] [FILE|-]";

fn parse_args(args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut o = Options {
        input: None,
        hex: false,
        config: Config::server(),
        frames_only: false,
        chunk: None,
        json: false,
        payload_hex: false,
    };
    // One input at most, `-` (stdin) included.
    let mut input_given = false;
    let mut take_input = |o: &mut Options, path: Option<PathBuf>| {
        if std::mem::replace(&mut input_given, true) {
            return Err("only one input file".to_string());
        }
        o.input = path;
        Ok(())
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        // Options are UTF-8; anything else can only be a file name.
        let arg = match arg.into_string() {
            Ok(arg) => arg,
            Err(path) => {
                take_input(&mut o, Some(PathBuf::from(path)))?;
                continue;
            }
        };
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            args.next()
                .ok_or_else(|| format!("{what} needs a value"))?
                .into_string()
                .map_err(|v| format!("{what}: not UTF-8: {}", v.to_string_lossy()))
        };
        let is_flag = matches!(
            name.as_str(),
            "--hex" | "--json" | "--payload-hex" | "--frames-only" | "--lenient-length"
        );
        if is_flag && inline.is_some() {
            return Err(format!("{name} takes no value"));
        }
        match name.as_str() {
            "--hex" => o.hex = true,
            "--json" => o.json = true,
            "--payload-hex" => o.payload_hex = true,
            "--frames-only" => o.frames_only = true,
            "--lenient-length" => o.config = o.config.with_strict_length(false),
            "--role" => {
                let role = match value("--role")?.as_str() {
                    "server" => Role::Server,
                    "client" => Role::Client,
                    "any" => Role::Any,
                    other => return Err(format!("--role: unknown role {other:?}")),
                };
                o.config = o.config.with_role(role);
            }
            "--max-frame" => {
                o.config = o
                    .config
                    .with_max_frame_payload(limit("--max-frame", &value("--max-frame")?)?);
            }
            "--max-message" => {
                o.config = o
                    .config
                    .with_max_message_len(limit("--max-message", &value("--max-message")?)?);
            }
            "--chunk" => {
                let k: usize = digits(&value("--chunk")?)
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| "--chunk: not a positive integer".to_string())?;
                if k == 0 {
                    return Err("--chunk: must be at least 1".into());
                }
                o.chunk = Some(k);
            }
            "-h" | "--help" => return Err(String::new()),
            "-" => take_input(&mut o, None)?,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ => take_input(&mut o, Some(PathBuf::from(arg)))?,
        }
    }
    Ok(o)
}

/// `text` if it is all ASCII digits (no sign, no spaces).
fn digits(text: &str) -> Option<&str> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

fn limit(name: &str, text: &str) -> Result<u64, String> {
    digits(text)
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|&n| n <= FrameHeader::MAX_PAYLOAD_LEN)
        .ok_or_else(|| format!("{name}: expected an integer from 0 to 2^63-1, got {text:?}"))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("inspect: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut raw = Vec::new();
    let read = match &options.input {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut raw)),
        None => std::io::stdin().read_to_end(&mut raw),
    };
    if let Err(e) = read {
        let from = options
            .input
            .as_ref()
            .map_or_else(|| "stdin".into(), |p| p.display().to_string());
        eprintln!("inspect: cannot read {from}: {e}");
        return ExitCode::from(2);
    }
    let input = if options.hex {
        match decode_hex(&raw) {
            Ok(bytes) => bytes,
            Err(msg) => {
                eprintln!("inspect: {msg}");
                return ExitCode::from(2);
            }
        }
    } else {
        raw
    };
    let report = raw_report::Options {
        config: options.config,
        frames_only: options.frames_only,
        chunk: options.chunk,
    };
    print_report(&input, &report, options.json, options.payload_hex);
    ExitCode::SUCCESS
}
