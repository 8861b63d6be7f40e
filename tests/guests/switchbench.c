/* make bench (tests/bench/switch.sh): what switching vCPUs costs, seen
 * from a guest. Two domains run this on one CPU, each spinning on its
 * virtual counter for 1 s: every gap longer than 1 ms is the other
 * domain's time slice (10 ms) and what the hypervisor does around it,
 * two switches (saving one vCPU, loading the other) and the scheduler's
 * work. Under QEMU's -icount shift=0 the shortest gap is the same from
 * run to run, so the switch of an SVE domain's vCPU (Xen's sve: its Z, P
 * and FFR registers carried) can be compared with a plain one. Prints
 * "switchbench: N gaps, shortest G ns". */
#include "lib.h"

static void put_dec(uint64_t v)
{
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do
        buf[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    puts_(&buf[i]);
}

void guest_main(void);
void guest_main(void)
{
    uint64_t freq, t0, last, now, gaps = 0, shortest = ~0ULL;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(freq), "=r"(t0));
    last = t0;
    do {
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
        uint64_t gap = now - last;
        if (gap > freq / 1000) {
            gaps++;
            if (gap < shortest)
                shortest = gap;
        }
        last = now;
    } while (now - t0 < freq);
    puts_("switchbench: ");
    put_dec(gaps);
    puts_(" gaps, shortest ");
    put_dec(gaps ? shortest * 1000000000ULL / freq : 0);
    puts_(" ns\n");
    psci_system_off();
}
