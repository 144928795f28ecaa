#!/usr/bin/env bash
# Fuzz smoke (issue 5): format check of the fuzz crate, build every cargo-fuzz
# target, then run each for FUZZ_SECONDS (default 20) from the checked-in
# seeds (fuzz/seeds/<target>/) with the dictionary fuzz/ws.dict. Exits non-zero
# if any target crashes or breaks a property; the failing input is left in
# fuzz/artifacts/<target>/ (see fuzz/README.md to turn it into a regression test).
#
# Self-contained for a fresh machine: installs the nightly toolchain and
# cargo-fuzz if they are missing. Run from anywhere: `bash .ci/fuzz.sh`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
seconds="${FUZZ_SECONDS:-20}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

echo "== cargo fmt --check (fuzz crate)"
cargo fmt --manifest-path fuzz/Cargo.toml --check

echo "== cargo +nightly fuzz build"
cargo +nightly fuzz build

failed=()
for target in $(cargo +nightly fuzz list); do
    corpus="$root/fuzz/corpus/$target"
    mkdir -p "$corpus"
    # Checked in: the hand-made seeds (fuzz/seeds) and the minimised corpus
    # of the last long campaign (fuzz/minimized); the run corpus is git-ignored.
    for dir in "$root/fuzz/seeds/$target" "$root/fuzz/minimized/$target"; do
        if [ -d "$dir" ]; then
            cp -n "$dir/"* "$corpus/" 2>/dev/null || true
        fi
    done
    echo "== fuzz $target for ${seconds}s"
    if ! cargo +nightly fuzz run "$target" "$corpus" -- \
        -max_total_time="$seconds" -dict="$root/fuzz/ws.dict" -max_len=4096 \
        -print_final_stats=1 2>&1 | tail -n 25; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz.sh: all targets clean"
