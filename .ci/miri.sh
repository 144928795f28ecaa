#!/usr/bin/env bash
# Miri (issue 16.6): the library's unit tests and every light integration test
# under Miri, on a 32-bit target (i686: `usize` is 32 bits, so 64-bit lengths
# must be compared as u64) and a big-endian one (s390x: the word-wise unmask
# and every to/from_be_bytes). Miri also checks the dependencies' unsafe code
# (simdutf8) on the paths these tests take.
#
# It runs ci/miri (see its Cargo.toml): the library's own source as its lib,
# and the repository's tests/ through a symlink, without the main crate's heavy
# dev-dependencies. Every tests/*.rs file runs except the ones excluded below,
# so a new test file is picked up with no edit here.
#
# Measured on the 2-core CI machine while other jobs kept its load average at
# 7: 5 min 40 s from scratch (Miri's sysroot for each target, ~45 s each, and
# cold builds), 3 min 6 s warm; the tests themselves take ~64 s of Miri time
# per target (the `finished in` lines).
#
# Self-contained: installs nightly with miri and rust-src if missing.
# Run from anywhere: `bash .ci/miri.sh`. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGETS=(i686-unknown-linux-gnu s390x-unknown-linux-gnu)

# Integration test files that cannot run under Miri, with the reason.
EXCLUDED_FILES=(
    echo_client  # needs tungstenite (a heavy dev-dependency) and TCP sockets
    echo_browser # needs tungstenite and base64, and starts Chromium
    inspect      # runs the `inspect` example as a child process
    handshake      # feature `handshake` (httparse, sha1, base64), not built here; runs natively
    arbitrary      # feature `arbitrary` (the arbitrary crate), not built here; runs natively
    handshake_peer # a tungstenite server over TCP
    echo_codec     # feature tokio-util, tokio and tungstenite over TCP
    echo_io_async  # feature embedded-io-async, tokio and tungstenite over TCP
    # A table of 503 rows, each run whole, byte by byte and in 5 other chunk
    # sizes through two pipelines: every one of its tests but two takes over
    # 40 s under Miri (measured), the whole file well over the budget.
    conformance
)

# Tests skipped under Miri (exact names), with the reason. Each is a loop over
# many inputs whose cases the tests kept here already cover in kind; unless a
# time is given, each took over 40 s under Miri alone (measured). All of them
# still run natively in every `cargo test` of .ci/run.
SKIPPED_TESTS=(
    # All 65 536 u16 values (about a quarter of the unit tests' Miri time).
    close::tests::wire_ranges_follow_rfc6455_section_7_4
    # 300 lengths x 9 split points against a byte-wise reference: over 5 min.
    # tests/unmask.rs covers the same on both targets in fewer cases.
    mask::tests::matches_byte_reference_at_every_length_and_split
    # Builds a 64 KiB frame one iterator item at a time (~12 s of Miri time);
    # 64-bit length fields are covered by the header-space test in roundtrip.
    binary_64k_uses_the_64_bit_length_and_meets_the_default_limit_exactly
    # Every prefix of 16 frames up to 70 KB long (~290 000 parses).
    every_prefix_of_a_valid_frame_is_partial_with_the_exact_count
    # A 5-frame stream split at every byte and in 16 chunk sizes.
    splitting_at_any_point_gives_the_same_frames_and_verdict
    # Several streams in every chunk size.
    every_chunking_gives_the_same_result
    # 1000-byte messages fed 7 bytes at a time, whole and in fragments.
    the_limit_is_exact_in_one_frame_and_across_fragments
    # 9 fragment sizes down to 1 byte over a 3000-byte message.
    fragmenter_output_reassembles_to_the_original_message
    # 20 000 random frames through every parser.
    random_whole_frames_roundtrip_through_every_parser
    # A session read through read_slice and read at every split point.
    read_slice_agrees_with_read_for_every_split
)

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
    rustup +nightly component add miri rust-src
fi

# The main crate's lock file, so Miri tests the dependency versions CI pins
# (ci/miri/Cargo.lock is git-ignored; Cargo drops the entries it does not need
# and adds wsframe-miri, so no --locked below, but no version changes either).
cp Cargo.lock ci/miri/Cargo.lock

selection=(--lib)
for file in tests/*.rs; do
    name=$(basename "$file" .rs)
    for excluded in "${EXCLUDED_FILES[@]}"; do
        [[ $name == "$excluded" ]] && continue 2
    done
    selection+=(--test "$name")
done
skips=()
for test in "${SKIPPED_TESTS[@]}"; do
    skips+=(--skip "$test")
done

for target in "${TARGETS[@]}"; do
    printf '\n==> miri on %s: %s\n' "$target" "${selection[*]}"
    cargo +nightly miri test --manifest-path ci/miri/Cargo.toml --target "$target" \
        "${selection[@]}" -- --exact "${skips[@]}"
done
