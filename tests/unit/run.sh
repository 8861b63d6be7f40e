#!/usr/bin/env bash
# run.sh OUTDIR NAME...: run each cmocka program with TAP output, naming each
# test GROUP/TEST ("ok 3 - palloc/claim_and_exclude"). Everything else a
# program prints becomes a "#" comment, so only results are counted. Every
# group runs even after a failure; a program that dies before reporting all
# of its tests (a sanitizer report, a crash) or exits non-zero without a
# failed test adds a "not ok" line. The exit status says whether any failed.
set -uo pipefail
out=$1
shift
status=0
for name in "$@"; do
    log=$out/$name.log
    CMOCKA_MESSAGE_OUTPUT=TAP "$out/test_$name" "$out/dtb" tests/fuzz/regressions >"$log" 2>&1
    rc=$?
    awk -v g="$name" -v rc="$rc" -v logf="$log" '
        /^(not )?ok [0-9]+ - / { sub(/ - /, " - " g "/"); print; n++; if (/^not /) bad++; next }
        /^1\.\.[0-9]+$/ { plan += substr($0, 4) }
        /^#/ { print; next }
        { print "# " $0 }
        END {
            if (n < plan)
                printf "not ok - %s: %d of %d tests never reported (exit %d; see %s)\n", g, plan - n, plan, rc, logf
            else if (n == 0 || (rc != 0 && bad == 0))
                printf "not ok - %s: exit %d with %d results and no failed test (see %s)\n", g, rc, n, logf
        }' "$log"
    [ "$rc" -eq 0 ] || status=1
done
exit $status
