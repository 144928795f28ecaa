#!/usr/bin/env bash
# Link-time proof that wsframe's entry points cannot panic on thumbv7em.
#
# Each proof firmware (src/footprint/*.rs) calls one group of entry points on
# inputs the optimiser cannot see (core::hint::black_box). Built with the
# `panic-never` feature, its #[panic_handler] calls `wsframe_has_a_panic_path`,
# which is declared but defined nowhere: the firmware links only if the
# optimiser removed every path to a panic. Checked with fat LTO at opt-level
# "z", "s" and "3", for Cortex-M4F (thumbv7em-none-eabihf) and Cortex-M0
# (thumbv6m-none-eabi: no atomics, no hardware divide). Override with e.g.
# NO_PANIC_LEVELS="s 3" or NO_PANIC_TARGETS=thumbv7em-none-eabihf.
#
# When a firmware fails to link, the same firmware is built with an ordinary
# panic handler and every call into a panicking function is listed with its
# (inlined) source location, if llvm-objdump and llvm-addr2line are present.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="$PWD/target"

TARGETS=${NO_PANIC_TARGETS:-thumbv7em-none-eabihf thumbv6m-none-eabi}
LEVELS=${NO_PANIC_LEVELS:-z s 3}
# proof firmware: entry points it calls
declare -A PROVES=(
    [header]="FrameHeader::parse"
    [frame]="Frame::parse, Frame::parse_in_place"
    [unmask]="Unmasker::apply, unmask, FrameHeader::unmask"
    [receiver]="Receiver<0>::read, needed, reset"
    [full]="Receiver::read, reply, state, reset (README loop)"
    [encode]="FrameHeader::new, encode, encode_frame, encode_close"
    [fragmenter]="Fragmenter::new, next, len + encode_frame"
    [error-text]="Error::as_str, cause, remedy, rfc_section, rfc_url, name, encode_close"
    [handshake]="handshake::Request::parse, accept, AcceptOptions::config, RequestError::encode_response"
    [handshake-client]="handshake::ClientRequest::encode, Response::parse, Response::config"
)
ORDER=(header frame unmask receiver full encode fragmenter error-text handshake handshake-client)
# Firmwares whose dependencies keep panic paths the optimiser cannot remove:
# the handshake's httparse (bounds checks and `unreachable!` in its SWAR scanner
# and header loop), base64 (bounds checks in its padding decoder and encoder
# tail) and sha1 (a `copy_from_slice` length check in `finalize`, at opt-level
# "z") are correct on every input, but not provably so to LLVM. For these, a failed
# link is followed by an audit: every panic site must start inside one of
# DEPENDENCIES (its innermost non-core source frame), never in wsframe's own
# code, and each site's source is listed, or the proof fails.
declare -A AUDIT=([handshake]=1 [handshake-client]=1)
DEPENDENCIES="httparse base64 sha1"

profile_of() {
    case $1 in
        z) echo release-z ;;
        s) echo release ;;
        3) echo release-3 ;;
        *) echo "no-panic.sh: unknown opt-level $1" >&2; exit 2 ;;
    esac
}

# Lists the calls into panicking code of core in a firmware built with the
# ordinary panic handler, with the source lines they were inlined from.
explain() {
    local elf=$1
    if ! command -v llvm-objdump >/dev/null || ! command -v llvm-addr2line >/dev/null \
        || ! command -v python3 >/dev/null; then
        echo "    (install llvm and python3 to list the panic sites; or run:"
        echo "     llvm-objdump -d -C $elf | grep -n 'bl.*panic')"
        return
    fi
    llvm-objdump -d -C --no-show-raw-insn "$elf" | python3 -c '
import re, sys, subprocess
elf = sys.argv[1]
func, calls = None, []   # (caller, address, callee)
jumps = {}               # branch target address -> addresses that branch there
for line in sys.stdin:
    m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
    if m:
        func = m.group(1); continue
    m = re.match(r"^\s*([0-9a-f]+):\s+(?:b[a-z]*(?:\.[wn])?|cbn?z)\s+(?:r\d+,\s*)?0x([0-9a-f]+) <([^>+]*)", line)
    if m and func:
        calls.append((func, m.group(1), m.group(3)))
        jumps.setdefault(int(m.group(2), 16), []).append(m.group(1))
# Functions that reach a panic: the panicking family, then their callers.
reach = {c for _, _, c in calls if c.startswith("core::panicking::") or "_fail" in c}
reach |= {f for f, _, _ in calls if f.startswith("core::panicking::")}
changed = True
while changed:
    changed = False
    for f, _, c in calls:
        if c in reach and f not in reach and not f.startswith("panic"):
            reach.add(f); changed = True
seen = set()
# Report only the frontier: calls from the crate (or its dependencies) into
# a core function that can panic, with the source lines they were inlined from.
for f, addr, c in calls:
    if c not in reach or not re.match(r"<?core::", c):
        continue
    # A panic call shared by several branches (the optimiser merges them)
    # has lost its source line: use the lines of the branches to it.
    for site in [addr] + jumps.get(int(addr, 16), []):
        out = subprocess.run(["llvm-addr2line", "-f", "-C", "-i", "-e", elf, "0x" + site],
                             capture_output=True, text=True).stdout.split("\n")
        frames = [(out[i], out[i + 1]) for i in range(0, len(out) - 1, 2)]
        ours = [fr for fr in frames if not fr[1].startswith("/rustc/")]
        if not ours:
            continue
        key = (c, tuple(ours))
        if key in seen:
            continue
        seen.add(key)
        print("    call to %s" % re.sub(r"::h[0-9a-f]{16}$", "", c))
        for name, loc in frames:
            print("      at %s (%s)" % (re.sub(r"::h[0-9a-f]{16}$", "", name), loc))
if not seen:
    print("    (no source line survived at this opt-level; the panicking calls are:)")
    for f, addr, c in calls:
        if c in reach and re.match(r"<?core::", c) and not f.startswith("core::"):
            print("    %s calls %s at 0x%s" % (re.sub(r"::h[0-9a-f]{16}$", "", f),
                                            re.sub(r"::h[0-9a-f]{16}$", "", c), addr))
' "$elf"
}

# audit ELF: lists the crates where each panic site of ELF starts; fails if
# one starts in wsframe, in a crate not in DEPENDENCIES, or has no source line.
audit() {
    explain "$1" | awk -v deps="$DEPENDENCIES" '
        /^    call to / { open = 1; next }
        open && /^      at / {
            loc = "?"
            if (match($0, /\(\/[^ )]*/)) loc = substr($0, RSTART + 1, RLENGTH - 1)
            if (loc ~ /^\/rustc\//) next
            open = 0
            crate = "wsframe"
            if (match(loc, /\/registry\/src\/[^\/]*\/[^\/]*\//)) {
                crate = substr(loc, RSTART, RLENGTH); sub(/\/$/, "", crate); sub(/.*\//, "", crate)
            }
            name = crate; sub(/-[0-9][0-9.]*$/, "", name)
            if (index(" " deps " ", " " name " ") == 0) { bad++; print "    panic path in " crate ": " $0 }
            else { seen[crate]++; where[crate] = where[crate] "\n      " loc }
            next
        }
        /no source line survived|calls core::/ { bad++; print "   " $0 }
        END {
            for (c in seen) printf "    %d panic site(s) inside %s:%s\n", seen[c], c, where[c]
            exit bad > 0
        }'
}

failed=0
passed=0
audited=0
echo "no-panic proof (panic handler -> undefined wsframe_has_a_panic_path)"
for target in $TARGETS; do
for level in $LEVELS; do
    profile=$(profile_of "$level")
    for bin in "${ORDER[@]}"; do
        log=$(mktemp)
        if CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1} cargo build --quiet --target "$target" \
            --profile "$profile" --features panic-never --bin "fp-$bin" >"$log" 2>&1; then
            printf 'ok    %-21s opt-level %-3s fp-%-11s %s\n' "$target" "\"$level\"" "$bin" "${PROVES[$bin]}"
            passed=$((passed + 1))
        elif [[ -n ${AUDIT[$bin]:-} ]] && grep -q wsframe_has_a_panic_path "$log" \
            && CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1} cargo build --quiet --target "$target" \
                --profile "$profile" --bin "fp-$bin" \
            && audit "target/$target/$profile/fp-$bin" >"$log.audit"; then
            printf 'deps  %-21s opt-level %-3s fp-%-11s %s: none in wsframe; in its dependencies:\n' \
                "$target" "\"$level\"" "$bin" "${PROVES[$bin]}"
            cat "$log.audit"
            audited=$((audited + 1))
        else
            printf 'PANIC %-21s opt-level %-3s fp-%-11s %s\n' "$target" "\"$level\"" "$bin" "${PROVES[$bin]}"
            [[ -s $log.audit ]] && cat "$log.audit"
            failed=$((failed + 1))
            if grep -q wsframe_has_a_panic_path "$log"; then
                echo "    a panic path survives optimisation; where it comes from:"
                CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1} cargo build --quiet --target "$target" \
                    --profile "$profile" --bin "fp-$bin"
                explain "target/$target/$profile/fp-$bin"
            else
                sed 's/^/    /' "$log"
            fi
        fi
        rm -f "$log" "$log.audit"
    done
done
done
echo "proofs: $passed passed, $audited with panic paths only in ${DEPENDENCIES// /, } (audited), $failed failed"
[[ $failed -eq 0 ]]
