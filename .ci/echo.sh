#!/usr/bin/env bash
# Real peers (issue 8): the echo server of examples/echo_server.rs against
# tungstenite (tests/echo_client.rs) and headless Chromium
# (tests/echo_browser.rs). Self-contained for a fresh Debian machine: installs
# Chromium with apt-get if it is missing. Loopback only; both tests together
# take a few seconds once built.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -n "${WSFRAME_CHROMIUM:-}" ]]; then
    echo "echo.sh: using WSFRAME_CHROMIUM=$WSFRAME_CHROMIUM"
elif [[ -x /usr/bin/chromium ]] || command -v chromium >/dev/null 2>&1; then
    echo "echo.sh: using $(command -v chromium || echo /usr/bin/chromium)"
else
    echo "echo.sh: chromium not found; installing it with apt-get"
    sudo=""
    if [[ "$(id -u)" -ne 0 ]]; then
        sudo="sudo"
    fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

echo "echo.sh: tungstenite client against the echo server"
cargo test --features handshake --test echo_client

echo "echo.sh: headless Chromium against the echo server"
cargo test --features handshake --test echo_browser -- --ignored --nocapture
