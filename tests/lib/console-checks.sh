# Checks on a captured console log, shared by the QEMU boot harnesses
# (tests/boot/run.sh, tests/imagebuilder/boot.sh). The caller sets $log
# (the console log), $why="" (the first unmet expectation ends up there)
# and last_line=0 (where in_order continues from). Regexes are POSIX EREs
# without interval braces (Debian's default awk, mawk, lacks them).
fail() { [ -n "$why" ] || why=$1; }
in_order() { # each regex must match a line after the previous match
    local re n
    for re in "$@"; do
        [ -z "$why" ] || return 0
        n=$(awk -v from="$last_line" -v re="$re" 'NR > from && $0 ~ re { print NR; exit }' "$log")
        if [ -z "$n" ]; then
            if grep -qE -- "$re" "$log"; then fail "'$re' appears, but not after the previous expected line"
            else fail "missing: '$re'"; fi
            return 0
        fi
        last_line=$n
    done
}
anywhere() { local re; for re in "$@"; do grep -qE -- "$re" "$log" || fail "missing: '$re'"; done; }
absent() { local re; for re in "$@"; do ! grep -qE -- "$re" "$log" || fail "unexpected: '$re'"; done; }
count_is() { # count_is N REGEX
    local n; n=$(grep -cE -- "$2" "$log")
    [ "$n" -eq "$1" ] || fail "'$2' appears $n times, expected $1"
}
