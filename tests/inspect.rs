//! The `inspect` example's command line and JSON records: a stable contract
//! that other tools drive. Its tests are in `tests/support/inspect_contract.rs`,
//! shared with `wsframe-inspect raw` (`inspect/tests/raw.rs`), which keeps the
//! same contract.

// Test code: a panic is a test failure.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::std_instead_of_core
)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

#[path = "support/inspect_contract.rs"]
mod contract;

/// The repository root: where the example runs and the captures are.
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Builds the example once (with this test's profile) and returns its path.
fn inspect_bin() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "--example", "inspect"]);
        // The profile this test was built with (`target/<dir>/deps/`):
        // dev builds into `debug`, any other profile into its own name.
        match profile_dir.file_name().and_then(|d| d.to_str()) {
            Some("debug") | None => {}
            Some(profile) => {
                build.args(["--profile", profile]);
            }
        }
        let status = build.status().unwrap();
        assert!(status.success(), "cargo build --example inspect failed");
        profile_dir.join("examples").join("inspect")
    })
}

/// The example, run in the repository root.
fn command() -> Command {
    let mut cmd = Command::new(inspect_bin());
    cmd.current_dir(ROOT);
    cmd
}
