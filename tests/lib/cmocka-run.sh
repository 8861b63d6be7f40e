#!/usr/bin/env bash
# The one cmocka-to-"ok - name" normaliser, used by the unit layer
# (tests/unit/unit.mk) and imagebuilder's (tests/imagebuilder/run.sh); the
# test lists come from the .mk files (UNIT_NAMES, IB_UNIT_NAMES).
#   cmocka-run.sh [--prefix P] [--log-prefix L] OUTDIR NAME... [-- ARG...]
# Runs each OUTDIR/test_NAME (with ARGs) with TAP output into
# OUTDIR/<L>NAME.log and prints its results named P NAME/TEST
# ("ok 3 - palloc/claim_and_exclude"). Everything else a program prints
# becomes a "#" comment, so only results are counted. Every program runs even
# after a failure; one that dies before reporting all of its tests (a
# sanitizer report, a crash) or exits non-zero without a failed test adds a
# "not ok" line. The exit status says whether any failed.
set -uo pipefail
prefix='' logprefix=''
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --log-prefix) logprefix=$2; shift 2 ;;
        *) break ;;
    esac
done
out=${1:?usage: cmocka-run.sh [--prefix P] [--log-prefix L] OUTDIR NAME... [-- ARG...]}
shift
names=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do names+=("$1"); shift; done
[ $# -gt 0 ] && shift
if [ ${#names[@]} -eq 0 ]; then
    echo "not ok - ${prefix}cmocka-run: no test programs named"
    exit 1
fi
status=0
for name in "${names[@]}"; do
    g=$prefix$name
    log=$out/$logprefix$name.log
    CMOCKA_MESSAGE_OUTPUT=TAP "$out/test_$name" "$@" >"$log" 2>&1
    rc=$?
    awk -v g="$g" -v rc="$rc" -v logf="$log" '
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
