#!/usr/bin/env bash
# run.sh smoke|long OUTDIR TARGET...
# smoke: a bounded number of runs per target on a scratch copy of the seeds
# (so a suite run is repeatable and short); long: FUZZ_SECONDS per target on
# a corpus kept in OUTDIR/corpus that grows across runs. One line per target:
# "ok - fuzz/T" or "not ok - fuzz/T" with the crash input and the log's tail.
set -uo pipefail
mode=$1 out=$2
shift 2
status=0
for t in "$@"; do
    short=${t#fuzz_}
    seeds=$out/seeds/$short
    dict=()
    [ -f "tests/fuzz/$short.dict" ] && dict=(-dict="tests/fuzz/$short.dict")
    log=$out/$t.$mode.log
    if [ "$mode" = smoke ]; then
        corpus=$out/smoke-corpus/$short
        rm -rf "$corpus"; mkdir -p "$corpus"
        # a target whose runs are expensive (a whole machine per input)
        # names its own smoke count in tests/fuzz/SHORT.smoke-runs
        runs=200000
        [ -f "tests/fuzz/$short.smoke-runs" ] && runs=$(cat "tests/fuzz/$short.smoke-runs")
        args=(-runs="${FUZZ_SMOKE_RUNS:-$runs}" -seed=1)
    else
        corpus=$out/corpus/$short
        mkdir -p "$corpus"
        args=(-max_total_time="${FUZZ_SECONDS:-600}")
    fi
    mkdir -p "$out/crashes"
    # Inputs that once crashed a target (tests/fuzz/regressions/SHORT-*) are
    # replayed first, in every mode.
    regressions=(tests/fuzz/regressions/"$short"-*)
    if [ -e "${regressions[0]}" ]; then
        if "$out/$t" "${regressions[@]}" >"$out/$t.regressions.log" 2>&1; then
            echo "ok - fuzz/$t-regressions (${#regressions[@]} inputs)"
        else
            status=1
            echo "not ok - fuzz/$t-regressions: a past crash is back"
            tail -40 "$out/$t.regressions.log" | sed 's/^/    /'
        fi
    fi
    start=$SECONDS
    "$out/$t" "${args[@]}" "${dict[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/crashes/$t-" "$corpus" "$seeds" >"$log" 2>&1
    rc=$?
    stats=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+ .*exec/s: [0-9]+')
    if [ $rc -eq 0 ]; then
        echo "ok - fuzz/$t ($((SECONDS - start)) s: ${stats:-no stats})"
    else
        status=1
        echo "not ok - fuzz/$t: libFuzzer exited $rc; crash inputs: $(ls "$out/crashes"/$t-* 2>/dev/null | tr '\n' ' ')"
        tail -40 "$log" | sed 's/^/    /'
    fi
done
exit $status
