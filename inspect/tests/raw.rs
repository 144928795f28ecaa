//! `wsframe-inspect raw`: the command line and JSON records of
//! `examples/inspect`, a stable contract that other tools drive. The
//! contract's tests (`tests/support/inspect_contract.rs`) run here against the
//! subcommand, as tests/inspect.rs runs them against the example; one more
//! test compares the two binaries' output byte for byte.

// Test code: a panic is a test failure.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::std_instead_of_core
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[path = "../../tests/support/inspect_contract.rs"]
mod contract;
use contract::masked;

/// The repository root: where the captures are.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The binary, whose `raw` subcommand keeps the example's contract.
fn inspect_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wsframe-inspect"))
}

/// `wsframe-inspect raw`, run in the repository root.
fn command() -> Command {
    let mut cmd = Command::new(inspect_bin());
    cmd.arg("raw").current_dir(ROOT);
    cmd
}

/// Builds `examples/inspect` (the root package's example) and returns its path.
fn example_bin() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "-p", "wsframe", "--example", "inspect"])
        .current_dir(ROOT);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    assert!(
        build.status().unwrap().success(),
        "cargo build --example inspect failed"
    );
    profile_dir.join("examples").join("inspect")
}

/// `raw` and `examples/inspect` write the same bytes and exit the same way
/// for the same input and options.
#[test]
fn raw_is_byte_identical_to_the_example() {
    let example = example_bin();

    let mut inputs: Vec<Vec<u8>> = ["session.bin", "unmasked-client.bin"]
        .iter()
        .map(|n| std::fs::read(format!("{ROOT}/examples/captures/{n}")).unwrap())
        .collect();
    let mut bad_utf8 = masked(0x01, "héllo ".as_bytes());
    bad_utf8.extend(masked(0x80, b"\xed\xa0\x80"));
    inputs.push(bad_utf8);
    let mut close = 4000u16.to_be_bytes().to_vec();
    close.extend_from_slice("q\"b\\\n\u{2028}".as_bytes());
    inputs.push(masked(0x88, &close));
    inputs.push(masked(0x82, &[7; 100])[..50].to_vec());
    let options: [&[&str]; 9] = [
        &[],
        &["--json"],
        &["--json", "--payload-hex"],
        &["--payload-hex"],
        &["--frames-only", "--json"],
        &["--role", "client"],
        &["--role=any", "--json", "--chunk", "3"],
        &["--max-frame", "4", "--max-message=4", "--json"],
        &["--lenient-length", "--chunk", "1"],
    ];
    let mut compared = 0;
    for input in &inputs {
        for args in options {
            let run_one = |bin: &std::path::Path, sub: Option<&str>| {
                let mut cmd = Command::new(bin);
                if let Some(s) = sub {
                    cmd.arg(s);
                }
                let mut child = cmd
                    .args(args)
                    .arg("-")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                child.stdin.take().unwrap().write_all(input).unwrap();
                let out = child.wait_with_output().unwrap();
                (out.status.code(), out.stdout)
            };
            let theirs = run_one(&example, None);
            let ours = run_one(&inspect_bin(), Some("raw"));
            assert_eq!(ours, theirs, "{args:?}");
            compared += 1;
        }
    }
    assert_eq!(compared, 45);
}
