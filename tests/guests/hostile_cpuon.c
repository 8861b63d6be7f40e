/* Hostile guest, attack: a storm of PSCI CPU_ON against vCPUs that turn
 * themselves off (CPU_OFF) right after starting. Each start must be a
 * fresh vCPU: the secondary entry code checks, before writing anything,
 * that TPIDR_EL1, TPIDRRO_EL0, CONTEXTIDR_EL1 and TPIDR_EL0 read 0 and
 * that x0 is the context passed to CPU_ON (tagged with the target's
 * index), then sets those registers to a marker and calls CPU_OFF. A vCPU
 * started while the hypervisor was still saving its previous incarnation
 * would start with that incarnation's registers (the markers). For
 * STORM_MS of its counter, vCPU0 issues CPU_ONs round robin over vCPUs 1-3
 * as fast as it can (ALREADY_ON, -4: on to the next one), then compares
 * what the secondaries recorded with the contexts it passed. */
#include "lib.h"

#define STORM_MS 5000
#define MIN_STARTS 3000
#define NSEC 3
#define TAG 0xc0de0000ULL

/* Per vCPU, written only by that vCPU's entry code: starts, starts with
 * stale registers, starts with a wrong x0, the sum of the x0s seen, and
 * the first stale values found. */
struct rec {
    uint64_t runs, stale, badctx, ctxsum, first_stale;
};
volatile struct rec recs[4];

/* No stack, no C: reads the registers before anything writes them. */
__asm__(".text\n"
        ".balign 8\n"
        "storm_entry:\n"
        "  mrs x1, tpidr_el1\n"
        "  mrs x2, tpidrro_el0\n"
        "  mrs x3, contextidr_el1\n"
        "  mrs x4, tpidr_el0\n"
        "  mrs x5, mpidr_el1\n"
        "  and x5, x5, #0xff\n"
        "  orr x6, x1, x2\n"
        "  orr x6, x6, x3\n"
        "  orr x6, x6, x4\n" /* x6 != 0: stale */
        "  lsr x7, x0, #32\n"
        "  movz x8, #0xc0de, lsl #16\n"
        "  orr x8, x8, x5\n"
        "  cmp x7, x8\n"
        "  cset x9, ne\n" /* x9: wrong context */
        "  adrp x10, recs\n"
        "  add x10, x10, #:lo12:recs\n"
        "  mov x11, #40\n"
        "  madd x10, x5, x11, x10\n"
        "  ldr x11, [x10]\n"
        "  add x11, x11, #1\n"
        "  str x11, [x10]\n" /* runs */
        "  cbz x6, 1f\n"
        "  ldr x11, [x10, #8]\n"
        "  cbnz x11, 2f\n"
        "  orr x12, x1, x4\n"
        "  str x12, [x10, #32]\n" /* first_stale */
        "2:add x11, x11, #1\n"
        "  str x11, [x10, #8]\n" /* stale */
        "1:ldr x11, [x10, #16]\n"
        "  add x11, x11, x9\n"
        "  str x11, [x10, #16]\n" /* badctx */
        "  ldr x11, [x10, #24]\n"
        "  add x11, x11, x0\n"
        "  str x11, [x10, #24]\n" /* ctxsum */
        "  dsb sy\n"
        "  msr tpidr_el1, x0\n" /* markers: this incarnation's context */
        "  msr tpidrro_el0, x0\n"
        "  msr contextidr_el1, x0\n"
        "  msr tpidr_el0, x0\n"
        "  isb\n"
        "  movz x0, #0x8400, lsl #16\n"
        "  movk x0, #0x0002\n" /* CPU_OFF */
        "  hvc #0\n"
        "3:b 3b\n");
extern char storm_entry[];

static uint64_t now_ms(void)
{
    uint64_t f, t;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(f), "=r"(t));
    return t / (f / 1000);
}

void guest_main(void);
void guest_main(void)
{
    uint64_t ok[4] = { 0 }, sum[4] = { 0 }, busy = 0, seq = 1, start = now_ms();
    unsigned n = 0, t = 0;
    int other = 0;
    puts_("hostile-cpuon: CPU_ON storm against vCPUs that CPU_OFF at once\n");
    while (now_ms() - start < STORM_MS) {
        t = t % NSEC + 1;
        uint64_t ctx = (TAG | t) << 32 | seq;
        int64_t rc = (int64_t)hvc(0xc4000003, t, (uint64_t)storm_entry, ctx);
        if (rc == 0) {
            ok[t]++;
            sum[t] += ctx;
            seq++;
            n++;
        } else if (rc == -4) {
            busy++;
        } else {
            other++;
            break;
        }
    }
    check(!other, "CPU_ON answers only SUCCESS or ALREADY_ON");
    check(n >= MIN_STARTS, "at least 3000 CPU_ONs succeeded in the storm's 5 s");
    /* let the last ones finish */
    for (unsigned s = 1; s <= NSEC; s++) {
        uint64_t t0 = now_ms();
        while (hvc(0xc4000004, s, 0, 0) != 1 && now_ms() - t0 < 5000)
            ;
        check(hvc(0xc4000004, s, 0, 0) == 1, "a secondary is OFF after its last CPU_OFF");
    }
    uint64_t runs = 0, stale = 0, bad = 0, summ = 0;
    for (unsigned s = 1; s <= NSEC; s++) {
        runs += recs[s].runs != ok[s];
        stale += recs[s].stale;
        bad += recs[s].badctx;
        summ += recs[s].ctxsum != sum[s];
        if (recs[s].stale) {
            puts_("hostile-cpuon: vCPU ");
            put_hex(s);
            puts_(": ");
            put_hex(recs[s].stale);
            puts_(" of ");
            put_hex(recs[s].runs);
            puts_(" starts saw stale registers, first ");
            put_hex(recs[s].first_stale);
            puts_("\n");
        }
    }
    puts_("hostile-cpuon: ");
    put_hex(n);
    puts_(" successful CPU_ONs, ");
    put_hex(busy);
    puts_(" ALREADY_ON\n");
    check(stale == 0, "no vCPU started with its previous incarnation's TPIDR_EL1/TPIDRRO_EL0/CONTEXTIDR_EL1/TPIDR_EL0");
    check(bad == 0, "every start had x0 = the context passed to its CPU_ON");
    check(runs == 0, "each successful CPU_ON started its vCPU exactly once");
    check(summ == 0, "each start saw its own CPU_ON's context (the sums agree)");
    puts_(failures ? "hostile-cpuon: some checks FAILED\n" : "hostile-cpuon: all checks passed\n");
    psci_system_off();
}
