#!/usr/bin/env bash
# Mutation testing of the library (issue 16) with cargo-mutants; its settings
# (features, the tests run, the exclusions and their reasons) are in
# .cargo/mutants.toml.
#
#   bash .ci/mutants.sh                # every mutant of src/ (hours on 2 cores)
#   bash .ci/mutants.sh --shard 2/8    # one eighth of them (cargo-mutants --shard)
#   bash .ci/mutants.sh --in-diff      # the mutants in what the last commit changed in src/ (CI)
#   bash .ci/mutants.sh --file src/receiver.rs   # one file
#
# Other arguments are passed to cargo-mutants. Results go to mutants.out/
# (git-ignored): caught.txt, missed.txt, timeout.txt, unviable.txt. Exits
# non-zero if a mutant is missed, so that CI fails on a change whose new code
# no test would notice breaking (a timeout is a mutant the tests noticed: they
# did not finish).
#
# Self-contained for a fresh machine: installs cargo-mutants if it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

args=()
if [[ "${1:-}" == "--in-diff" ]]; then
    shift
    diff="$(mktemp)"
    trap 'rm -f "$diff"' EXIT
    # The last commit's change to the library (a first commit: all of it).
    # A shallow clone needs the parent fetched first.
    if [[ "$(git rev-parse --is-shallow-repository)" == true ]] && ! git rev-parse -q --verify HEAD~1 >/dev/null; then
        git fetch -q --deepen=1 || { echo "mutants.sh: a shallow clone and the parent of HEAD cannot be fetched" >&2; exit 1; }
    fi
    if git rev-parse -q --verify HEAD~1 >/dev/null; then
        git diff HEAD~1 HEAD -- src/ >"$diff"
    else
        git diff "$(git hash-object -t tree /dev/null)" HEAD -- src/ >"$diff"
    fi
    if [[ ! -s "$diff" ]]; then
        echo "mutants.sh: the last commit changes nothing in src/: no mutant to run"
        exit 0
    fi
    echo "mutants.sh: mutants in the last commit's change to src/:"
    grep '^+++ ' "$diff" | sed 's/^+++ b\//  /'
    args+=(--in-diff "$diff")
fi

# Installed only once there is something to run (a commit that changes only
# tests or docs needs no cargo-mutants).
version=27.1.0
if ! cargo mutants --version 2>/dev/null | grep -q "$version"; then
    echo "mutants.sh: installing cargo-mutants $version"
    cargo install cargo-mutants --locked --version "$version"
fi

start=$SECONDS
status=0
cargo mutants --no-shuffle --timeout 150 "${args[@]}" "$@" || status=$?
echo "mutants.sh: $((SECONDS - start)) s"

# The tally, as the README reports it.
count() { if [[ -f "mutants.out/$1.txt" ]]; then wc -l <"mutants.out/$1.txt"; else echo 0; fi; }
caught=$(count caught) missed=$(count missed) timeout=$(count timeout) unviable=$(count unviable)
viable=$((caught + missed + timeout))
echo "mutants.sh: caught $caught, missed $missed, timeout $timeout, unviable $unviable"
if [[ "$viable" -gt 0 ]]; then
    awk -v c="$caught" -v v="$viable" 'BEGIN { printf "mutants.sh: %.1f %% of viable mutants caught\n", 100 * c / v }'
fi
if [[ "$missed" -gt 0 ]]; then
    echo "mutants.sh: missed (kill each with a test, or exclude it in .cargo/mutants.toml with the reason it is equivalent):"
    cat mutants.out/missed.txt
fi
# cargo-mutants exits 2 for missed mutants, 3 for timeouts only, 0 when all
# are caught or unviable; anything else is a failure of the run itself.
case "$status" in
    0 | 3) exit 0 ;;
    2) exit 1 ;;
    *) echo "mutants.sh: cargo-mutants failed (exit $status)" >&2; exit "$status" ;;
esac
