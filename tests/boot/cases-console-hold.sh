# Boot case of the console's hold (issue 15), sourced by run.sh: two
# bare-metal guests (tests/guests/longline.c) on two CPUs. "writer" prints
# eight lines of 2000 to 6900 characters (through its vPL011 and through
# console_io), then an endless line for 2 s; "short" prints a short line
# every 5 ms all the while. Checked on the console:
#  - every long line's pieces are consecutive, nothing between them, and
#    joined they are the line the writer wrote;
#  - some of short's lines did wait (their time stamp, when they were
#    written, is before the line printed before them): the hold was tested;
#  - during the endless line, no short line waits longer than the bound:
#    at most CONSOLE_HOLD_OWNER_MAX (8192) of the writer's characters (and
#    a piece) and CONSOLE_HOLD_MAX_MS (500 ms, and 100 ms for the next
#    look) of its pieces come after a short line was written and before
#    it is printed;
#  - every short line comes, once, in order.
case_console-long-lines() {
    local f; f=$(dt dom-console-long-lines)
    cp "$(dt v3-smp2)" "$f"
    add_domain "$f" short "$guests/longline.Image" 0x50200000 memory=0:0x4000 cpus=1 vpl011 || { fail "could not write $f"; return; }
    add_domain "$f" writer "$guests/longline.Image" 0x50000000 memory=0:0x4000 cpus=1 vpl011
    fdtput -t s "$f" /chosen/writer/kernel bootargs "longline=long"
    boot "--gic 3 --smp 2 --dtb $f --load $guests/longline.Image@0x50000000 --load $guests/longline.Image@0x50200000" $K
    in_order '\(writer\) longline: long lines done' '\(writer\) longline: endless done' '\(short\) longline: short done'
    anywhere 'all domains have stopped: powering off'
    absent 'ERROR' 'WARNING' 'CRASH' 'PANIC'
    [ -z "$why" ] || return 0
    local verdict
    verdict=$(tr -d '\r' <"$log" | awk '
        function abc(n,   s) { s = ""; while (length(s) < n) s = s "abcdefghijklmnopqrstuvwxyz"; return substr(s, 1, n) }
        BEGIN { phase = "long"; prev_marked = 0; held = 0; bad = ""; nshort = 0; nlong = 0; maxwait = 0; maxchars = 0 }
        {
            line = $0
            if (!match(line, /^\[ *[0-9]+\.[0-9]+\] /)) { prev_marked = 0; next }
            t = substr(line, 2, RLENGTH - 3) + 0
            rest = substr(line, RLENGTH + 1)
            who = ""
            if (match(rest, /^\([a-z]+\) /)) { who = substr(rest, 2, RLENGTH - 3); rest = substr(rest, RLENGTH + 1) }
            marked = who != "" && substr(rest, length(rest), 1) == "\\"
            if (marked) rest = substr(rest, 1, length(rest) - 1)
            if (phase == "long" && prev_marked && who != "writer" && bad == "")
                bad = "line " NR " comes between the pieces of a long line: " substr(line, 1, 80)
            if (who == "writer") {
                joined = joined rest
                if (!marked) {
                    if (joined ~ /^long [0-9]+ [0-9]+: /) {
                        split(joined, w, " ")
                        n = w[3] + 0
                        want = "long " w[2] " " n ": " abc(n) " end " w[2]
                        if (joined != want && bad == "") bad = "long line " w[2] " joined from its pieces is not what the writer wrote"
                        nlong++
                    }
                    if (joined == "longline: long lines done") phase = "endless"
                    if (joined == "longline: endless done") phase = "after"
                    joined = ""
                }
                if (phase == "endless" && marked) { np++; pt[np] = t; pc[np] = length(rest) }
            }
            if (who == "short" && rest ~ /^short [0-9]+$/) {
                k = substr(rest, 7) + 0
                if (k != nshort && bad == "") bad = "short " k " came where short " nshort " was due"
                nshort++
                if (t < last_t) held++
                if (phase == "endless") {
                    # the writer pieces printed after it was written, before it
                    chars = 0; wait = 0
                    for (i = np; i > 0 && pt[i] > t; i--) { chars += pc[i]; if (pt[i] - t > wait) wait = pt[i] - t }
                    if (chars > maxchars) maxchars = chars
                    if (wait > maxwait) maxwait = wait
                }
            }
            if (who == "short" && rest ~ /^longline: short done /) total = substr(rest, 22) + 0
            prev_marked = marked
            if (t > last_t) last_t = t
        }
        END {
            if (bad == "" && nlong != 8) bad = nlong " long lines, not 8"
            if (bad == "" && nshort != total) bad = nshort " short lines of " total
            if (bad == "" && held == 0) bad = "no short line ever waited: the case did not test the hold"
            if (bad == "" && np < 10) bad = "only " np " pieces of the endless line"
            if (bad == "" && maxchars > 8192 + 512) bad = "a short line waited while " maxchars " characters of the endless line went out"
            if (bad == "" && maxwait > 0.600) bad = "a short line waited " maxwait " s behind the endless line"
            printf "%s|long %d short %d held %d endless-pieces %d max-wait %.6f s max-chars %d\n", bad, nlong, nshort, held, np, maxwait, maxchars
        }')
    echo "console-long-lines: ${verdict#*|}" >&2
    [ -z "${verdict%%|*}" ] || fail "${verdict%%|*}"
}
