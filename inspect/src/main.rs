//! `wsframe-inspect`: see the crate docs (`cargo doc -p wsframe-inspect`).

#![allow(clippy::std_instead_of_core)] // a host tool

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wsframe_inspect::{analyze, exit, raw, Options, Output};

const AFTER_HELP: &str = "\
Examples:
  wsframe-inspect inspect/captures/chromium.pcap
  wsframe-inspect --json --preview 0 capture.pcapng | jq 'select(.type==\"verdict\")'
  wsframe-inspect --max-message 1000 capture.pcap     judge client frames against a 1000-byte limit
  wsframe-inspect --server-port 9001 mid.pcap         parse a connection whose handshake is not captured
  wsframe-inspect raw --hex --role client frames.hex  raw bytes of one direction (examples/inspect)

Exit status:
  0  the capture was read; no rule broken, no bytes missing
  1  a side broke an RFC 6455 rule, or stream bytes are missing (gap, snap length)
  2  usage error
  3  the capture cannot be read (or the output written)
  4  not a pcap or pcapng file
  5  truncated or corrupt capture (what came before it is reported)
  6  no packet of a supported link type
  7  no WebSocket connection (not WebSocket, never upgraded, or handshake not captured)
The `raw` subcommand exits 0 whatever the verdict, 2 on usage or I/O errors.

The JSON records are documented in the crate docs (cargo doc -p wsframe-inspect --open).";

/// Reads a pcap or pcapng capture, follows every WebSocket (RFC 6455)
/// connection in it and says who broke which rule, and how the other side
/// answered.
#[derive(Debug, Parser)]
#[command(
    name = "wsframe-inspect",
    version,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A pcap or pcapng capture (`-`: stdin; a file named `raw`: `./raw`).
    #[arg(required = true, value_name = "CAPTURE")]
    capture: Option<PathBuf>,
    /// One JSON record per line (schema: crate docs).
    #[arg(long)]
    json: bool,
    /// The server's largest frame payload: client frames over it are
    /// violations (1009).
    #[arg(long, value_name = "N", default_value = "65536", value_parser = raw::limit)]
    max_frame: u64,
    /// The server's largest message: client messages over it are
    /// violations (1009).
    #[arg(long, value_name = "N", default_value = "65536", value_parser = raw::limit)]
    max_message: u64,
    /// A WebSocket server's port: connections to it whose handshake is not
    /// in the capture are parsed as WebSocket (repeatable).
    #[arg(long = "server-port", value_name = "PORT")]
    server_port: Vec<u16>,
    /// With --server-port: permessage-deflate was agreed (RSV1 allowed).
    #[arg(long)]
    deflate: bool,
    /// Show the first N bytes of each message (0: none).
    #[arg(long, value_name = "N", default_value_t = 32)]
    preview: usize,
    /// Only connections, violations, gaps, closes, verdicts and the summary:
    /// no frame or message lines.
    #[arg(long)]
    brief: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Raw bytes of one direction of a connection (the command line and
    /// records of examples/inspect).
    Raw(raw::RawArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Raw(args)) = &cli.command {
        return raw::run(args);
    }
    let Some(path) = cli.capture else {
        return ExitCode::from(exit::USAGE);
    };
    let opts = Options {
        max_frame: cli.max_frame,
        max_message: cli.max_message,
        server_ports: cli.server_port,
        deflate: cli.deflate,
        preview: cli.preview,
    };
    let input: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        match File::open(&path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("wsframe-inspect: cannot open {}: {e}", path.display());
                return ExitCode::from(exit::IO);
            }
        }
    };
    let out = Output::new(
        BufWriter::new(std::io::stdout().lock()),
        cli.json,
        !cli.brief,
    );
    let outcome = analyze(input, opts, out);
    if let Some(e) = &outcome.error {
        eprintln!("wsframe-inspect: {}: {e}", path.display());
    }
    if let Some(e) = &outcome.output_error {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("wsframe-inspect: cannot write the output: {e}");
        }
    }
    let code = outcome.exit_code();
    match code {
        exit::LINK_TYPE => eprintln!(
            "wsframe-inspect: {}: no packet has a supported link type (Ethernet, Linux SLL/SLL2, NULL/LOOP, raw IP); see the summary",
            path.display()
        ),
        exit::NO_WEBSOCKET => eprintln!(
            "wsframe-inspect: {}: no WebSocket connection found (see each connection's note; --server-port parses a connection whose handshake is not captured)",
            path.display()
        ),
        _ => {}
    }
    ExitCode::from(code)
}
