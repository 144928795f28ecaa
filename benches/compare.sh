#!/usr/bin/env bash
# Runs the benchmarks of issue 6 (criterion underneath) and prints one line
# per speed goal, `<goal>: <measured>x (goal >= <target>x)`, each a ratio of
# criterion medians measured in this one run, then the medians themselves.
#
#   bash benches/compare.sh              # about 5 minutes on 2 cores, plus the build
#
# Environment:
#   FEATURES          cargo features for the run (default: std, which gives
#                     simdutf8 run-time CPU detection: its SIMD path on a host;
#                     FEATURES= runs without it)
#   WARM_UP, MEASURE  criterion warm-up and measurement seconds per benchmark
#                     of a goal (default 0.5 and 1.5; the header benches, which
#                     no goal reads, get 0.3 and 0.7)
#   CARGO_TARGET_DIR, CRITERION_HOME
#                     where cargo builds and criterion writes its estimates,
#                     as cargo and criterion themselves read them
# The criterion output goes to <criterion dir>/compare.log.
set -euo pipefail

cd "$(dirname "$0")/.."

FEATURES="${FEATURES-std}"
WARM_UP="${WARM_UP:-0.5}"
MEASURE="${MEASURE:-1.5}"

# Criterion's own choice: $CRITERION_HOME, else $CARGO_TARGET_DIR/criterion,
# else the target directory that cargo metadata reports.
if [[ -n "${CRITERION_HOME:-}" ]]; then
    out="$CRITERION_HOME"
else
    target="${CARGO_TARGET_DIR:-}"
    if [[ -z "$target" ]]; then
        target="$(cargo metadata --format-version 1 --no-deps |
            sed -E 's/.*"target_directory":"([^"]*)".*/\1/')"
    fi
    out="$target/criterion"
fi
mkdir -p "$out"
log="$out/compare.log"
: >"$log"

# Estimates older than this run are never read.
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
sleep 1 # a file written in the same second as the stamp is not newer

feature_args=()
if [[ -n "$FEATURES" ]]; then
    feature_args=(--features "$FEATURES")
fi

run() { # bench warm-up measurement
    echo "compare.sh: cargo bench ${feature_args[*]} --bench $1 (log: $log)" >&2
    if ! cargo bench "${feature_args[@]}" --bench "$1" -- \
        --warm-up-time "$2" --measurement-time "$3" --noplot >>"$log" 2>&1; then
        echo "compare.sh: cargo bench --bench $1 failed; the end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
}

run stream "$WARM_UP" "$MEASURE"
run unmask "$WARM_UP" "$MEASURE"
run message "$WARM_UP" "$MEASURE"
run header 0.3 0.7

# The median of one benchmark, in ns, from this run's estimates.json.
median() {
    local file="$out/$1/new/estimates.json"
    if [[ ! -f "$file" || ! "$file" -nt "$stamp" ]]; then
        echo "compare.sh: no estimate from this run: $file" >&2
        exit 1
    fi
    local value
    value="$(sed -E 's/.*"median":\{"confidence_interval":\{[^}]*\},"point_estimate":([-0-9.eE+]+).*/\1/' "$file")"
    if [[ ! "$value" =~ ^[0-9.eE+-]+$ ]]; then
        echo "compare.sh: cannot read the median in $file" >&2
        exit 1
    fi
    echo "$value"
}

# Goal lines: the ratio is reference time / wsframe time (higher is faster).
goal() { # text measured target
    printf '%s: %sx (goal >= %sx)\n' "$1" "$2" "$3"
}
ratio() { # reference wsframe
    awk -v r="$1" -v w="$2" 'BEGIN { printf "%.2f", r / w }'
}
min() {
    printf '%s\n' "$@" | sort -g | head -n 1
}

tung="$(median stream/tungstenite)"
ews="$(median stream/embedded_websocket)"
ws="$(median stream/wsframe_parse_in_place)"
goal "stream of 1000 small masked frames, parse + unmask in place, vs tungstenite" \
    "$(ratio "$tung" "$ws")" 3
goal "stream of 1000 small masked frames, parse + unmask in place, vs embedded-websocket" \
    "$(ratio "$ews" "$ws")" 2

goal "Receiver, 1000 small masked frames read 4 KiB at a time, vs tungstenite WebSocket::read" \
    "$(ratio "$(median receive/tungstenite)" "$(median receive/wsframe_receiver)")" 2.5
goal "Receiver vs fastwebsockets FragmentCollector::read_frame, same frames" \
    "$(ratio "$(median receive/fastwebsockets)" "$(median receive/wsframe_receiver)")" 1
goal "Receiver (every rule, 4 KiB reads) vs one-shot FrameHeader::parse + unmask: cost ratio" \
    "$(ratio "$(median receive/wsframe_receiver)" "$(median stream/wsframe_header_unmask)")" "(at most) 1.3"

goal "unmask 64 KiB vs memcpy" \
    "$(ratio "$(median unmask/memcpy/65536)" "$(median unmask/wsframe/65536)")" 0.8
ratios=()
for size in 1024 16384 65536 1048576; do
    ratios+=("$(ratio "$(median "unmask/fastwebsockets/$size")" "$(median "unmask/wsframe/$size")")")
done
goal "unmask vs fastwebsockets, worst of 1 KiB, 16 KiB, 64 KiB, 1 MiB" "$(min "${ratios[@]}")" 1
ratios=()
for size in 0 3 4; do
    ratios+=("$(ratio "$(median "unmask/byte_loop/$size")" "$(median "unmask/wsframe/$size")")")
done
goal "unmask vs byte loop, worst of 0, 3, 4 B" "$(min "${ratios[@]}")" 1

fastest="$(min "$(median message/core_from_utf8)" "$(median message/simdutf8_basic)" \
    "$(median message/simdutf8_compat)")"
goal "UTF-8 of 64 KiB text in 16 fragments vs the fastest one-shot validator" \
    "$(ratio "$fastest" "$(median message/wsframe_receiver/16)")" 0.9
goal "UTF-8 of 64 KiB text in 256 fragments vs the fastest one-shot validator" \
    "$(ratio "$fastest" "$(median message/wsframe_receiver/256)")" 0.5

# The medians behind the ratios, and the rest of the run.
echo
echo "features: ${FEATURES:-none}; medians of this run (criterion dir: $out)"
echo
echo "(unmask under 64 B: the median is for a batch of 64 buffers)"
echo
echo "| benchmark | median | throughput |"
echo "|---|---:|---:|"
row() { # id unit-count unit
    local t
    t="$(median "$1")"
    awk -v id="$1" -v t="$t" -v n="$2" -v unit="$3" 'BEGIN {
        if (t >= 1000) time = sprintf("%.2f µs", t / 1000); else time = sprintf("%.1f ns", t)
        if (unit == "B") thr = (n > 0) ? sprintf("%.1f GB/s", n / t) : "-"
        else thr = sprintf("%.1f M%s/s", n / t * 1000, unit)
        printf "| %s | %s | %s |\n", id, time, thr
    }'
}
for id in wsframe_parse_in_place wsframe_header_unmask tungstenite \
    embedded_websocket wsframe_headers_only tungstenite_headers_only; do
    row "stream/$id" 1000 frames
done
for id in wsframe_receiver tungstenite fastwebsockets; do
    row "receive/$id" 1000 frames
done
for size in 0 3 4 16 125 1024 16384 65536 1048576; do
    # benches/unmask.rs: under 64 B, one iteration is a batch of 64 buffers.
    batch=1
    if ((size < 64)); then batch=64; fi
    for id in wsframe wsframe_unmasker fastwebsockets byte_loop memcpy; do
        row "unmask/$id/$size" "$((size * batch))" B
    done
done
for id in core_from_utf8 simdutf8_basic simdutf8_compat; do
    row "message/$id" 65536 B
done
for n in 1 16 256; do
    row "message/wsframe_receiver/$n" 65536 B
    row "message/wsframe_receiver_buffered/$n" 65536 B
done
for name in 2B_unmasked 4B_unmasked 10B_unmasked 6B_masked 8B_masked 14B_masked; do
    for id in wsframe_complete tungstenite_complete wsframe_short tungstenite_short; do
        row "header/$id/$name" 1 headers
    done
done
