#!/usr/bin/env bash
# Speed and memory of wsframe-inspect against tshark (Wireshark's dissector)
# on the same generated capture of WebSocket traffic (examples/gen_capture.rs).
# Not run in CI. Usage: inspect/bench.sh [MEGABYTES (default 128)] [MEMORY_MEGABYTES (default 1024)]
#
# Both list every frame: wsframe-inspect with --json (one record per frame,
# message, close, verdict), tshark with -T fields (one line per packet with
# WebSocket frames). Output goes to /dev/null; the file is read once before
# timing so both read it from the page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-128}"
MEM_MB="${2:-1024}"
TARGET="${CARGO_TARGET_DIR:-target}"
TMP="${TMPDIR:-/tmp}"
cargo build --quiet --release -p wsframe-inspect --bin wsframe-inspect --example gen_capture
BIN="$TARGET/release/wsframe-inspect"
GEN="$TARGET/release/examples/gen_capture"

file="$TMP/wsframe-bench-$MB.pcap"
"$GEN" "$file" "$MB" 8
size=$(stat -c %s "$file")
cat "$file" >/dev/null

# seconds CMD...: wall-clock seconds of CMD, output to /dev/null.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
rate() { echo "scale=1; $size / 1048576 / $1" | bc -l; }

ours=$(seconds "$BIN" --json --preview 0 "$file" || true)
ours_text=$(seconds "$BIN" --preview 0 "$file" || true)
frames=$("$BIN" --json --preview 0 "$file" | grep -c '"type":"frame"' || true)
echo "wsframe-inspect --json: $(printf %.3f "$ours") s, $(rate "$ours") MB/s ($frames frames)"
echo "wsframe-inspect (text): $(printf %.3f "$ours_text") s, $(rate "$ours_text") MB/s"
if command -v tshark >/dev/null; then
    theirs=$(seconds tshark -n -r "$file" -d tcp.port==9001,http -Y websocket -T fields \
        -e frame.number -e websocket.fin -e websocket.opcode -e websocket.mask -e websocket.payload_length)
    tframes=$(tshark -n -r "$file" -d tcp.port==9001,http -Y websocket -T fields -e websocket.opcode \
        | tr ',' '\n' | grep -c . || true)
    echo "tshark -T fields:       $(printf %.3f "$theirs") s, $(rate "$theirs") MB/s ($tframes frames)"
    echo "speed-up: $(echo "scale=1; $theirs / $ours" | bc -l)x"
else
    echo "tshark is not installed: apt-get install tshark"
fi
rm -f "$file"

# Memory: a larger capture, streamed; peak RSS from /usr/bin/time -v.
big="$TMP/wsframe-bench-mem-$MEM_MB.pcap"
"$GEN" "$big" "$MEM_MB" 64
/usr/bin/time -v "$BIN" --brief "$big" 2>"$TMP/wsframe-bench-time.txt" >/dev/null || true
echo "memory: $(stat -c %s "$big") bytes read, peak RSS $(grep 'Maximum resident' "$TMP/wsframe-bench-time.txt" | awk '{print $NF}') KiB, $(grep 'Elapsed' "$TMP/wsframe-bench-time.txt" | awk '{print $NF}') wall"
rm -f "$big" "$TMP/wsframe-bench-time.txt"
