//! The `raw` subcommand: today's `examples/inspect` (raw bytes of one
//! direction of a connection, after the HTTP handshake), with the same
//! options and the same text and JSON records, which scripts drive.
//!
//! ```text
//! wsframe-inspect raw [OPTIONS] [FILE]
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
//! With `--json`, one object per line:
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
//!
//! The exit status is 0 whatever the verdict, and 2 for a usage or I/O error.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use wsframe::{Config, FrameHeader, Role};

use crate::raw_report::{decode_hex, print_report, Options};

/// The `raw` subcommand's options (the command line of `examples/inspect`).
#[derive(Debug, Clone, clap::Args)]
#[allow(clippy::struct_excessive_bools)] // one per flag
pub struct RawArgs {
    /// Raw bytes of one direction of a connection (after the HTTP
    /// handshake); `-` or none reads stdin.
    pub file: Option<PathBuf>,
    /// The input is hex text (ASCII whitespace ignored).
    #[arg(long)]
    pub hex: bool,
    /// server (frames must be masked), client (must not be) or any.
    #[arg(long, default_value = "server", value_parser = ["server", "client", "any"])]
    pub role: String,
    /// Largest frame payload (N up to 2^63-1).
    #[arg(long, value_name = "N", default_value = "65536", value_parser = limit)]
    pub max_frame: u64,
    /// Largest message (N up to 2^63-1).
    #[arg(long, value_name = "N", default_value = "65536", value_parser = limit)]
    pub max_message: u64,
    /// Accept non-minimal length encodings.
    #[arg(long)]
    pub lenient_length: bool,
    /// Frame layer only: no message state, does not stop at a Close.
    #[arg(long)]
    pub frames_only: bool,
    /// Feed the input K bytes at a time (the output does not change).
    #[arg(long, value_name = "K", value_parser = chunk)]
    pub chunk: Option<usize>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Include payloads (unmasked) as hex.
    #[arg(long)]
    pub payload_hex: bool,
}

/// `text` if it is all ASCII digits (no sign, no spaces).
fn digits(text: &str) -> Option<&str> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

/// A limit: an integer from 0 to 2^63-1.
///
/// # Errors
/// A message for the user.
pub fn limit(text: &str) -> Result<u64, String> {
    digits(text)
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|&n| n <= FrameHeader::MAX_PAYLOAD_LEN)
        .ok_or_else(|| format!("expected an integer from 0 to 2^63-1, got {text:?}"))
}

fn chunk(text: &str) -> Result<usize, String> {
    let k: usize = digits(text)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| "not a positive integer".to_string())?;
    if k == 0 {
        return Err("must be at least 1".into());
    }
    Ok(k)
}

/// Runs the `raw` subcommand.
#[must_use]
pub fn run(args: &RawArgs) -> ExitCode {
    let role = match args.role.as_str() {
        "client" => Role::Client,
        "any" => Role::Any,
        _ => Role::Server,
    };
    let config = Config::server()
        .with_role(role)
        .with_max_frame_payload(args.max_frame)
        .with_max_message_len(args.max_message)
        .with_strict_length(!args.lenient_length);
    let options = Options {
        config,
        frames_only: args.frames_only,
        chunk: args.chunk,
    };
    let input = args.file.as_ref().filter(|p| p.as_os_str() != "-");
    let mut raw = Vec::new();
    let read = match input {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut raw)),
        None => std::io::stdin().read_to_end(&mut raw),
    };
    if let Err(e) = read {
        let from = input.map_or_else(|| "stdin".into(), |p| p.display().to_string());
        eprintln!("wsframe-inspect raw: cannot read {from}: {e}");
        return ExitCode::from(2);
    }
    let input = if args.hex {
        match decode_hex(&raw) {
            Ok(bytes) => bytes,
            Err(msg) => {
                eprintln!("wsframe-inspect raw: {msg}");
                return ExitCode::from(2);
            }
        }
    } else {
        raw
    };
    print_report(&input, &options, args.json, args.payload_hex);
    ExitCode::SUCCESS
}
