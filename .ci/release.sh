#!/usr/bin/env bash
# Release checks (issue 16, parts 3-5): the declared MSRV builds the library,
# the dependency policy (deny.toml) holds, and the crate packages, verifies and
# documents the way crates.io and docs.rs will see it.
#
# Self-contained for a fresh Debian machine with rustup (CI=true, no stdin):
# installs the MSRV toolchain, nightly and cargo-deny if they are missing.
# Run from anywhere: `bash .ci/release.sh`. Exits non-zero on the first failure.
#
# Measured on the 2-core CI machine, cold target dirs, while other jobs kept
# its load average at 6-7 (so an idle machine is faster):
#   MSRV toolchain install 10 s; MSRV builds 20 s idle, 50 s loaded;
#   `cargo install cargo-deny --locked` 3 min 3 s (fresh machines only: skipped
#   when the pinned version is installed); cargo fetch + cargo deny check 2 s;
#   package list + cargo package + publish --dry-run 16 s; docs.rs build of
#   the .crate 33 s. The whole script: 1 min 42 s, plus 3 min for cargo-deny.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s (at %ss)\n' "$*" "$SECONDS"; }

# ---- 1. MSRV (issue 16.3)
# The toolchain is the declared `rust-version`, so the declaration is what is
# tested. Builds use --locked (the checked-in Cargo.lock) and their own target
# dir, so they never rebuild the stable toolchain's artifacts.
# Each entry is one `--features` value ("" = none); add a feature here when it
# is added to Cargo.toml (host-only features `std` and `arbitrary` included
# once they should be promised on the MSRV too).
MSRV_FEATURES=("" "defmt")
msrv=$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml)
if [[ -z "$msrv" ]]; then
    echo "release.sh: no rust-version in Cargo.toml" >&2
    exit 1
fi
step "MSRV: library builds with Rust $msrv (declared rust-version)"
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$msrv" --profile minimal
fi
for features in "${MSRV_FEATURES[@]}"; do
    echo "cargo +$msrv build --lib --no-default-features ${features:+--features $features}"
    cargo "+$msrv" build --locked --quiet --lib --no-default-features \
        ${features:+--features "$features"} --target-dir target/msrv
done

# ---- 2. Dependency policy (issue 16.4): deny.toml
# Only the checks that work without network access: bans, licenses, sources.
# `advisories` needs a fresh clone of the RustSec database (github.com), which
# this CI cannot reach; it is skipped, not weakened (see deny.toml).
DENY_VERSION=0.20.2
step "cargo-deny $DENY_VERSION: bans licenses sources (offline)"
if [[ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $DENY_VERSION" ]]; then
    cargo install cargo-deny --locked --version "$DENY_VERSION"
fi
# --offline keeps cargo-deny off the network, so every crate of the graph
# (dev-dependencies and all features included) must already be downloaded.
cargo fetch --locked
cargo deny --offline check bans licenses sources

# ---- 3. Publishable package (issue 16.5)
step "cargo package: exactly the files docs.rs and users need"
# The `include` list of Cargo.toml must ship src/**, README.md (the crate docs:
# `#![doc = include_str!("../README.md")]`), CHANGELOG.md, LICENSE-* and
# Cargo.toml, and nothing else. Cargo adds Cargo.toml.orig, Cargo.lock and
# .cargo_vcs_info.json itself.
expected=$( (git ls-files 'src/**' README.md CHANGELOG.md 'LICENSE-*' Cargo.toml
    printf '%s\n' Cargo.toml.orig Cargo.lock .cargo_vcs_info.json) | LC_ALL=C sort)
actual=$(cargo package --locked --list | LC_ALL=C sort)
if ! diff <(echo "$expected") <(echo "$actual"); then
    echo "release.sh: the package ships other files than expected (< expected, > packaged)" >&2
    exit 1
fi
# Packages and builds the .crate on its own (the verify build, from the
# unpacked crate, no features), then the same for publishing, without uploading.
cargo package --locked
cargo publish --locked --dry-run
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
crate_dir="target/package/wsframe-$version"
echo "target/package/wsframe-$version.crate: $(stat -c %s "$crate_dir.crate") bytes"

step "docs.rs: nightly rustdoc of the packaged crate, all features, --cfg docsrs"
# What docs.rs does (its build log: `cargo +nightly rustdoc --lib` with the
# features of [package.metadata.docs.rs] and `--cfg docsrs` in the rustdoc
# flags), run on the unpacked .crate so it proves the package has all the
# docs need. Warnings are errors here (docs.rs caps lints at warn).
awk '/^\[/ { in_docsrs = ($0 == "[package.metadata.docs.rs]") }
     in_docsrs && /^all-features *= *true/ { found = 1 } END { exit !found }' Cargo.toml ||
    { echo "release.sh: [package.metadata.docs.rs] all-features = true is missing" >&2; exit 1; }
if ! cargo +nightly --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
(cd "$crate_dir" && RUSTDOCFLAGS="--cfg docsrs -D warnings" \
    cargo +nightly rustdoc --locked --quiet --lib --all-features --target-dir ../../docsrs)

step "release checks: all passed"
