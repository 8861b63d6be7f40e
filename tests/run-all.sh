#!/usr/bin/env bash
# Runs every test layer and ends with one line "N passed, N failed".
# Each layer prints one line per test: "ok - NAME" or "not ok - NAME"
# (cmocka's TAP output has the same shape, with a number); this script
# counts those lines, so what ran is exactly what is counted.
set -uo pipefail
cd "$(dirname "$0")/.."
export OUT=${OUT:-build/out}
log_dir=$OUT/tests/logs
mkdir -p "$log_dir"

layers=(unit tools boot fuzz imagebuilder)
[ $# -gt 0 ] && layers=("$@")

status=0
for layer in "${layers[@]}"; do
    echo "=== $layer tests"
    case "$layer" in
        unit) cmd=(make --no-print-directory unit) ;;
        tools) cmd=(make --no-print-directory tools-tests) ;;
        boot) cmd=(make --no-print-directory boot-tests) ;;
        fuzz) cmd=(make --no-print-directory fuzz-smoke) ;;
        imagebuilder) cmd=(make --no-print-directory imagebuilder-tests) ;;
        *) echo "run-all: unknown layer '$layer'" >&2; exit 2 ;;
    esac
    if ! "${cmd[@]}" 2>&1 | tee "$log_dir/$layer.log"; then
        status=1
    fi
    # A layer that could not even start (build error) must not count as green.
    if ! grep -qE '^(not )?ok ' "$log_dir/$layer.log"; then
        echo "not ok - $layer: layer produced no test results (see $log_dir/$layer.log)" | tee -a "$log_dir/$layer.log"
        status=1
    fi
done

passed=0 failed=0
for layer in "${layers[@]}"; do
    p=$(grep -cE '^ok ' "$log_dir/$layer.log" || true)
    f=$(grep -cE '^not ok ' "$log_dir/$layer.log" || true)
    passed=$((passed + p))
    failed=$((failed + f))
done
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
