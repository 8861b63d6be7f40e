#!/bin/sh
# shellcheck shell=dash
# /bin/xam-devmodel in the device-model domain of the virtio disk bench
# (tests/bench/virtio.sh): its archive, appended to the initramfs of make
# devmodel-image, puts this here and the program at /bin/xam-devmodel.real,
# so that the image's own /init starts it as usual. It runs the program,
# asks it for its counters every second (SIGUSR1: a line per client), and
# once it has exited (its client powered off, --idle-exit) reads and writes
# the client's backing store itself, dd in 1 MiB blocks, RUNS times each
# (bench.runs=, 3), each run timed as the guest's are (the console
# timestamps of two lines): the figures the guest's are measured against. The file
# is on the initramfs's tmpfs, which takes no O_DIRECT on Linux 6.1: this
# is the page cache, which is where xam-devmodel's pread/pwrite go too.
say() { echo "XAM-BENCH-DM: $*"; }
/bin/xam-devmodel.real "$@" &
pid=$!
while kill -0 $pid 2>/dev/null; do
    sleep 1
    kill -USR1 $pid 2>/dev/null
done
wait $pid
rc=$?
runs=3 disk=/disks/bench.img
# shellcheck disable=SC2013 # the words of the command line
for w in $(cat /proc/cmdline); do
    case "$w" in bench.runs=*) runs=${w#bench.runs=} ;; esac
done
mib=$(($(stat -c %s $disk) / 1048576))
timed() {
    local name=$1 out
    shift
    say "$name run begins"
    out=$(dd "$@" 2>&1) || { say "FAIL $name: dd $*: $(echo "$out" | tail -1)"; return 1; }
    say "$name $mib MiB done"
}
for phase in read write; do
    i=1
    while [ $i -le "$runs" ]; do
        if [ $phase = read ]; then
            timed read if=$disk of=/dev/null bs=1M count=$mib
        else
            timed write if=/dev/zero of=$disk bs=1M count=$mib conv=notrunc,fsync
        fi
        i=$((i + 1))
    done
done
say "done"
exit $rc
