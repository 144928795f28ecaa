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
)
ORDER=(header frame unmask receiver full encode fragmenter error-text)

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

failed=0
passed=0
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
        else
            printf 'PANIC %-21s opt-level %-3s fp-%-11s %s\n' "$target" "\"$level\"" "$bin" "${PROVES[$bin]}"
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
        rm -f "$log"
    done
done
done
echo "proofs: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
