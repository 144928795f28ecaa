#!/usr/bin/env bash
# Records the capture fixtures in this folder (committed; CI only reads them):
# the example echo server (examples/echo_server.rs, limits of 1000 bytes,
# replies in frames of 200) on 127.0.0.1:$PORT talking to
#
#   chromium.pcap     headless Chromium running the server's test page
#                     (echoes, then one message over the limit: Close 1009)
#   tungstenite.pcap  tungstenite (examples/tungstenite_client.rs)
#   tungstenite-any.pcapng  the same on `-i any` (Linux cooked SLL2), as pcapng
#   python.pcap       Python `websockets` (captures/python_client.py)
#   broken.pcap       a raw-socket client breaking four rules
#                     (captures/broken_client.py)
#
# Needs: root (tcpdump on lo), tcpdump, chromium, python3 with websockets
# (`pip install websockets`). Loopback only. Usage: inspect/captures/record.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${PORT:-39417}"
OUT=inspect/captures
TARGET="${CARGO_TARGET_DIR:-target}"

cargo build --quiet --features handshake --example echo_server
cargo build --quiet -p wsframe-inspect --example tungstenite_client

"$TARGET/debug/examples/echo_server" --addr "127.0.0.1:$PORT" \
    --max-frame 1000 --max-message 1000 --fragment 200 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
sleep 1

# record NAME INTERFACE CMD...: tcpdump on INTERFACE while CMD runs.
record() {
    local name="$1" iface="$2"
    shift 2
    tcpdump -i "$iface" -s 0 -U -w "$OUT/$name" "tcp port $PORT" 2>/dev/null &
    local dump=$!
    sleep 1
    "$@" || echo "record.sh: $name: client exited with $?" >&2
    sleep 1
    kill -INT "$dump"
    wait "$dump" || true
    echo "record.sh: $OUT/$name ($(stat -c %s "$OUT/$name") bytes)"
}

chromium_page() {
    local profile
    profile="$(mktemp -d)"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --no-default-browser-check --disable-background-networking \
        --disable-component-update --disable-sync --disable-extensions \
        --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 \
        --user-data-dir="$profile" "http://127.0.0.1:$PORT/" >/dev/null 2>&1 &
    local browser=$!
    sleep 8 # the page's echoes and its 1009 take well under a second
    kill "$browser"
    wait "$browser" 2>/dev/null || true
    rm -rf "$profile"
}

record chromium.pcap lo chromium_page
record tungstenite.pcap lo "$TARGET/debug/examples/tungstenite_client" "ws://127.0.0.1:$PORT/"
record tungstenite-any.pcap any "$TARGET/debug/examples/tungstenite_client" "ws://127.0.0.1:$PORT/"
editcap -F pcapng "$OUT/tungstenite-any.pcap" "$OUT/tungstenite-any.pcapng"
rm "$OUT/tungstenite-any.pcap"
record python.pcap lo python3 "$OUT/python_client.py" "ws://127.0.0.1:$PORT/"
record broken.pcap lo python3 "$OUT/broken_client.py" 127.0.0.1 "$PORT"
