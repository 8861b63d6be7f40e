#!/usr/bin/env bash
# imagebuilder's test layer: unit tests (cmocka, ASan/UBSan), a fuzzing
# smoke run of the config reader, and the boot tests. One "ok - ..." or
# "not ok - ..." line per test.
#   run.sh OUTDIR IMAGEBUILDER HV-IMAGE GUESTS-DIR [BOOT-CASE...]
set -uo pipefail
out=$1 ib=$2 hv=$3 guests=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
status=0

# Unit tests: cmocka's TAP lines, renamed imagebuilder/GROUP/TEST; a
# program that dies before reporting everything adds a "not ok".
for name in config layout script; do
    log=$out/unit-$name.log
    CMOCKA_MESSAGE_OUTPUT=TAP "$out/test_$name" >"$log" 2>&1
    rc=$?
    awk -v g="$name" -v rc="$rc" -v logf="$log" '
        /^(not )?ok [0-9]+ - / { sub(/ - /, " - imagebuilder/" g "/"); print; n++; if (/^not /) bad++; next }
        /^1\.\.[0-9]+$/ { plan += substr($0, 4) }
        { print "# " $0 }
        END {
            if (n < plan)
                printf "not ok - imagebuilder/%s: %d of %d tests never reported (exit %d; see %s)\n", g, plan - n, plan, rc, logf
            else if (n == 0 || (rc != 0 && bad == 0))
                printf "not ok - imagebuilder/%s: exit %d with %d results and no failed test (see %s)\n", g, rc, n, logf
        }' "$log"
    [ "$rc" -eq 0 ] || status=1
done

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
