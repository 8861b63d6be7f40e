#!/usr/bin/env bash
# imagebuilder's test layer: unit tests (cmocka, ASan/UBSan), a fuzzing
# smoke run of the config reader, and the boot tests. One "ok - ..." or
# "not ok - ..." line per test.
#   IB_UNIT_NAMES="config ..." run.sh OUTDIR IMAGEBUILDER HV-IMAGE GUESTS-DIR [BOOT-CASE...]
# (make imagebuilder-tests passes the list from imagebuilder-tests.mk).
set -uo pipefail
out=$1 ib=$2 hv=$3 guests=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
status=0

# Unit tests: cmocka's TAP lines, renamed imagebuilder/GROUP/TEST, by the
# normaliser the unit layer uses too.
# shellcheck disable=SC2086
"$here/../lib/cmocka-run.sh" --prefix imagebuilder/ --log-prefix unit- "$out" ${IB_UNIT_NAMES:-} || status=1

# Fuzzing smoke run: a few seconds from the seeds, with a fixed seed.
corpus=$out/fuzz-corpus
rm -rf "$corpus" && mkdir -p "$corpus" "$out/crashes"
start=$SECONDS
"$out/fuzz_config" -max_total_time="${IB_FUZZ_SECONDS:-5}" -seed=1 -dict="$here/config.dict" -max_len=8192 \
    -timeout=10 -artifact_prefix="$out/crashes/fuzz_config-" "$corpus" "$here/seeds" >"$out/fuzz.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    echo "ok - imagebuilder/fuzz_config ($((SECONDS - start)) s: $(grep -oE 'Done [0-9]+ runs' "$out/fuzz.log"))"
else
    status=1
    echo "not ok - imagebuilder/fuzz_config: libFuzzer exited $rc; crash inputs: $(ls "$out/crashes" 2>/dev/null | tr '\n' ' ')"
    tail -40 "$out/fuzz.log" | sed 's/^/    /'
fi

"$here/boot.sh" "$ib" "$hv" "$guests" "$out/boot" "$@" || status=1
exit $status
