#!/usr/bin/env bash
# Instruction counts of the receive paths (issue 12), noise-free: callgrind
# counts instructions, not seconds, so the figures repeat on a busy machine.
#
#   bash benches/callgrind.sh        # about 2 minutes on 2 cores, plus the build
#
# For each path of benches/paths.rs and each input, two runs under callgrind:
# the set-up alone (REPS = 0) and the set-up plus REPS runs of the path; the
# difference divided by REPS and by the frames (small) or bytes (text) is the
# cost of the path. The copy from the "socket" into each path's receive
# buffer (`socket_read`) is left out, as a kernel copy would be. Built as `cargo bench` builds: fat LTO, one codegen unit,
# `--features std` (simdutf8's run-time CPU detection, as in compare.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
    echo "callgrind.sh: installing valgrind with apt-get"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind
fi

FEATURES="${FEATURES-std}"
feature_args=()
if [[ -n "$FEATURES" ]]; then feature_args=(--features "$FEATURES"); fi
bin="$(cargo bench "${feature_args[@]}" --bench paths --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*paths[^"]*\)".*/\1/p' | tail -n 1)"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "callgrind.sh: could not build benches/paths.rs" >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
count() { # input path reps -> instructions
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" --toggle-collect='*socket_read*' --collect-atstart=yes \
        "$bin" "$1" "$2" "$3" \
        >/dev/null 2>"$tmp/log"
    sed -n 's/^summary: //p' "$tmp/out"
}
per() { # input path reps units
    local base full
    base="$(count "$1" "$2" 0)"
    full="$(count "$1" "$2" "$3")"
    awk -v b="$base" -v f="$full" -v r="$3" -v u="$4" 'BEGIN { printf "%.2f", (f - b) / r / u }'
}

echo "features: ${FEATURES:-none}; binary: $bin"
echo
echo "| path | 1,000 small masked frames: instructions per frame | 16 x 64 KiB text in 16 fragments: instructions per byte |"
echo "|---|---:|---:|"
paths=(parse_unmask receiver receiver_buffered tungstenite fastwebsockets tokio_websockets)
if [[ " $FEATURES " == *" tokio-util "* ]]; then paths+=(codec); fi
for path in "${paths[@]}"; do
    small="$(per small "$path" 5 1000)"
    if [[ "$path" == parse_unmask ]]; then
        text="—"
    else
        text="$(per text "$path" 1 $((16 * 65536)))"
    fi
    echo "| $path | $small | $text |"
done
