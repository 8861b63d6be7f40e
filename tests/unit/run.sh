#!/usr/bin/env bash
# run.sh OUTDIR NAME...: run each cmocka program with TAP output, naming each
# test GROUP/TEST ("ok 3 - palloc/claim_and_exclude"). Every group runs even
# after a failure; the exit status says whether any failed.
set -uo pipefail
out=$1
shift
status=0
for name in "$@"; do
    CMOCKA_MESSAGE_OUTPUT=TAP "$out/test_$name" "$out/dtb" tests/fuzz/regressions >"$out/$name.log" 2>&1
    rc=$?
    sed -E "s/^(not )?ok ([0-9]+) - /\\1ok \\2 - $name\\//" "$out/$name.log"
    if [ $rc -ne 0 ]; then
        status=1
        # a crash (sanitizer report) leaves no "not ok" line: say so
        grep -q '^not ok' "$out/$name.log" || echo "not ok - $name: the test program failed (exit $rc)"
    fi
done
exit $status
