#!/usr/bin/env bash
# The embedded proof (issue 7), self-contained on a fresh Debian machine with
# rustup:
#   1. the crate's core checks as firmware on an emulated Cortex-M4
#      (qemu-system-arm, machine mps2-an386), in a debug and a release build;
#   2. the flash/RAM footprint report, with its budget (embedded/size.sh);
#   3. library builds for thumbv7em-none-eabihf, thumbv6m-none-eabi (no
#      atomics) and riscv32imc-unknown-none-elf, with no features, with
#      `defmt` and with `handshake` (`std` and `arbitrary` are host-only);
#   4. the link-time no-panic proof at opt-level z, s and 3, on thumbv7em and
#      thumbv6m (embedded/no-panic.sh).
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# ---- tools: install only what is missing
missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v readelf >/dev/null || missing+=(binutils)
if ((${#missing[@]})); then
    step "apt-get install ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
TARGETS=(thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf)
rustup target add "${TARGETS[@]}"

# ---- 0. the README's firmware loop is embedded/src/example.rs, verbatim
step "README firmware example matches embedded/src/example.rs"
example_block() {
    sed -n '/README example start/,/README example end/p' embedded/src/example.rs | sed '1d;$d'
}
readme_block() { # the rust block after the marker, without its hidden doctest lines
    awk '/<!-- embedded\/src\/example.rs -->/ { found = 1; next }
         found && /^```rust$/ { inside = 1; next }
         inside && /^```$/ { exit }
         inside' "$1" | grep -vE '^#( |$)' || true
}
for readme in embedded/README.md README.md; do
    if grep -q '<!-- embedded/src/example.rs -->' "$readme"; then
        if ! diff <(example_block) <(readme_block "$readme"); then
            echo "$readme: its firmware example differs from embedded/src/example.rs" >&2
            exit 1
        fi
        echo "$readme: ok"
    fi
done
(cd embedded && cargo fmt --check && CARGO_TARGET_DIR="$PWD/target" cargo clippy --quiet --bins -- -D warnings)

# ---- 1. tests on the emulated MCU (qemu runs under `timeout 120`: see
# embedded/.cargo/config.toml); a failed check exits non-zero
step "firmware tests on qemu-system-arm mps2-an386 (debug: overflow checks on)"
(cd embedded && CARGO_TARGET_DIR="$PWD/target" cargo run --quiet --bin qemu-tests)
step "firmware tests on qemu-system-arm mps2-an386 (release: opt-level s, LTO)"
(cd embedded && CARGO_TARGET_DIR="$PWD/target" cargo run --quiet --release --bin qemu-tests)

# ---- 2. size report and budget
step "flash and RAM footprint (embedded/size.sh)"
embedded/size.sh

# ---- 3. library builds for the no_std targets
step "library builds for ${TARGETS[*]}"
for target in "${TARGETS[@]}"; do
    for features in "" defmt handshake; do
        echo "cargo build --lib --target $target --no-default-features ${features:+--features $features}"
        cargo build --quiet --lib --target "$target" --no-default-features ${features:+--features "$features"}
    done
done

# ---- 4. no-panic proof (last: it names any panic path it finds)
step "no-panic link check (embedded/no-panic.sh)"
embedded/no-panic.sh

step "embedded: all passed"
