# Checks on a captured console log, shared by the QEMU boot harnesses
# (tests/boot/run.sh, tests/imagebuilder/boot.sh). The caller sets $log
# (the console log), $why="" (the first unmet expectation ends up there)
# and last_line=0 (where in_order continues from). Regexes are POSIX EREs
# without interval braces (Debian's default awk, mawk, lacks them).
#
# Guest lines and the others: a domain's console output (its vPL011, its
# console_io hypercalls, Linux's printk through them) is printed as
# "[   time] (name) text", and a guest cannot start a line of its own. So
# a regex that starts with '\(' (a domain's line: '\(echo\) echo: got')
# matches only guest lines, those matching $GUEST_LINE, and every other
# regex matches only the lines that are not (the hypervisor's, U-Boot's):
# a guest printing "all domains have stopped: powering off" cannot meet an
# expectation on the hypervisor's line. in_order, anywhere and count_is
# follow this rule; absent looks at every line (a FAIL a guest prints must
# still be caught).
GUEST_LINE='^\[ *[0-9]+\.[0-9]+\] \('
fail() { [ -n "$why" ] || why=$1; }
# console_scan first|count FROM REGEX: among the lines of REGEX's kind (see
# above) after line FROM, the number of the first one REGEX matches, or how
# many it matches. The regexes reach awk through the environment: -v would
# process their backslashes.
console_scan() {
    re=$3 guest_re=$GUEST_LINE awk -v mode="$1" -v from="$2" '
        BEGIN { re = ENVIRON["re"]; gl = ENVIRON["guest_re"]; guest = substr(re, 1, 2) == "\\(" }
        NR > from && (($0 ~ gl) == guest) && $0 ~ re { if (mode == "first") { print NR; exit } n++ }
        END { if (mode == "count") print n + 0 }' "$log"
}
# console_missing REGEX: why REGEX matched nothing of its kind
console_missing() {
    if [ -n "$(console_scan first 0 "$1")" ]; then fail "'$1' appears, but not after the previous expected line"
    elif ! grep -qE -- "$1" "$log"; then fail "missing: '$1'"
    elif [ "${1:0:2}" = '\(' ]; then fail "missing: '$1' (only in lines that are not a domain's)"
    else fail "missing: '$1' (only in a domain's lines)"; fi
}
in_order() { # each regex must match a line after the previous match
    local re n
    for re in "$@"; do
        [ -z "$why" ] || return 0
        n=$(console_scan first "$last_line" "$re")
        [ -n "$n" ] || { console_missing "$re"; return 0; }
        last_line=$n
    done
}
anywhere() { local re; for re in "$@"; do [ -n "$(console_scan first 0 "$re")" ] || console_missing "$re"; done; }
absent() { local re; for re in "$@"; do ! grep -qE -- "$re" "$log" || fail "unexpected: '$re'"; done; }
count_is() { # count_is N REGEX
    local n; n=$(console_scan count 0 "$2")
    [ "$n" -eq "$1" ] || fail "'$2' appears $n times in lines of its kind, expected $1"
}
# hypervisor_lines: the log without the guest lines
hypervisor_lines() { grep -vE -- "$GUEST_LINE" "$log"; }
