#!/usr/bin/env bash
# The person at the console of boot/console-shell (tests/boot/run.sh): what
# it prints is typed (qemu-run.sh --typist), and it watches the console log
# as it types, one key at a time, as a person looks at the screen.
#   typist.sh LOG RESULT PASTE
# It waits for shell A (tests/guests/linux-shell), moves the input to it
# with Ctrl-A three times, types a command one character at a time and
# waits, after each, until the console shows it on the shell's open line:
# before Enter. Then it pastes PASTE (4 KiB) into md5sum at once, then
# Ctrl-D, then "exit". RESULT gets a line per finding, which the case
# checks; a wait that runs out says so there and the typing goes on.
set -u
log=$1 result=$2 paste=$3
: >"$result"
note() { echo "$*" >>"$result"; }
# wait_for SECONDS ERE: until a whole line of the log matches
wait_for() {
    local end=$((SECONDS + $1))
    until tr -d '\r' <"$log" | grep -qE -- "$2"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.05
    done
}
# shown TEXT: the console's last line, still open, is A's, has its prompt
# and ends in TEXT (between the two, what the shell's line editing wrote:
# busybox asks the terminal where the cursor is, ESC [ 6 n, shown \x1b[6n)
shown() {
    local last
    last=$(tail -c 600 "$log" | tr -d '\r' | tail -n 1)
    [[ $last == *"(A) "*'shell-A$ '*"$1" ]]
}
wait_shown() { # wait_shown SECONDS TEXT
    local end=$((SECONDS + $1))
    until shown "$2"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.05
    done
}

wait_for 300 '\(A\) XAM-SHELL: shell on the console' || { note "no shell: A never said it started one"; exit 0; }
# B powers off once it printed its lines: then the next domain taking
# input is A. The prompt, printed while the input is the hypervisor's,
# waits unseen in A's line; moving the input to A shows it.
wait_for 120 'B \(domain [0-9]+\): powered off' || note "B did not power off"
sleep 2
printf '\001\001\001'
wait_for 20 'console: input to A \(domain [0-9]+\)' || note "Ctrl-A three times did not move the input to A"
if wait_shown 20 ''; then
    note "prompt shown when the input moved"
else
    note "prompt not shown when the input moved: [$(tail -c 200 "$log" | tr -d '\r' | tail -n 1)]"
fi
cmd='echo typed-$((6*7))'
ok=1
for ((i = 0; i < ${#cmd}; i++)); do
    printf '%s' "${cmd:i:1}"
    sleep 0.1 # a fast typist: 10 keys a second at most
    if ! wait_shown 20 "${cmd:0:i+1}"; then
        note "not shown before Enter: '${cmd:0:i+1}': the line is [$(tail -c 200 "$log" | tr -d '\r' | tail -n 1)]"
        ok=0
        break
    fi
done
[ $ok -eq 0 ] || note "each of the ${#cmd} characters shown before Enter"
printf '\r'
wait_for 30 '\(A\) typed-42$' || note "the typed command did not run"
# a paste: all of it at once, into md5sum (canonical mode: the tty's
# lines, Ctrl-D at a line's start ends it)
printf 'busybox md5sum\r'
wait_for 30 '\(A\) shell-A\$ .*busybox md5sum$' || note "md5sum did not start"
sleep 2
cat "$paste"
printf '\004'
sum=$(md5sum <"$paste" | cut -d' ' -f1)
if wait_for 120 "\\(A\\) $sum  -\$"; then
    note "paste of $(stat -c %s "$paste") bytes arrived complete (md5 $sum)"
else
    note "paste: md5sum in the guest is not $sum"
fi
printf 'exit\r'
