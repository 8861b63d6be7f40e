/* Hostile guest, attack: more vCPUs asleep on their timers on one CPU than
 * the scheduler's sleeper list holds. Every vCPU of the domain (up to 8;
 * the test boots nine such domains on one host CPU) arms its virtual timer
 * (CNTV_CVAL/CTL, PPI 27) for the next PERIOD_MS boundary of the physical
 * counter and waits in WFI, ROUNDS times. The boundaries are the same for
 * every domain (CNTPCT, not the domain's own CNTVCT), so all of them sleep
 * at once. A sleeper the hypervisor forgets never wakes. vCPU0 reports
 * PASS once every vCPU of its domain woke every round, and powers off. */
#include "gicv3.h"
#include "lib.h"

#define PPI_VTIMER 27
#define ROUNDS 8
#define PERIOD_MS 50
#define MAX_VCPUS 8

extern char secondary_entry[];
static volatile unsigned woke[MAX_VCPUS], rounds_done[MAX_VCPUS];
static char stacks[MAX_VCPUS][4096] __attribute__((aligned(16)));
static unsigned nr_vcpus;

static unsigned my_id(void)
{
    uint64_t m;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(m));
    return (unsigned)(m & 0xff);
}

void guest_irq(void);
void guest_irq(void)
{
    unsigned intid = gic_ack();
    if (intid == PPI_VTIMER) {
        __asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(0UL)); /* one shot */
        woke[my_id()]++;
    }
    if (intid < 1020)
        gic_eoi(intid);
}

/* Sleep in WFI until the next PERIOD_MS boundary of the physical counter. */
static void sleep_to_boundary(void)
{
    uint64_t freq, pct, vct;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntpct_el0; mrs %2, cntvct_el0"
                     : "=r"(freq), "=r"(pct), "=r"(vct));
    uint64_t period = freq / 1000 * PERIOD_MS, off = pct - vct;
    uint64_t cval = (pct / period + 1) * period - off;
    unsigned me = my_id(), w = woke[me];
    __asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" : : "r"(cval), "r"(1UL));
    while (woke[me] == w)
        __asm__ volatile("wfi");
}

static void rounds(unsigned me)
{
    gic_cpu_init(me, 1u << PPI_VTIMER);
    for (unsigned r = 0; r < ROUNDS; r++) {
        sleep_to_boundary();
        rounds_done[me] = r + 1;
    }
}

void guest_secondary(void);
void guest_secondary(void)
{
    rounds(my_id());
    hvc(0x84000002, 0, 0, 0); /* CPU_OFF */
}

void guest_main(void);
void guest_main(void)
{
    /* how many vCPUs: CPU_ON answers INVALID_PARAMETERS past the last */
    nr_vcpus = 1;
    gic_dist_enable();
    for (unsigned i = 1; i < MAX_VCPUS; i++) {
        int64_t rc = (int64_t)hvc(0xc4000003, i, (uint64_t)secondary_entry, (uint64_t)(stacks[i] + sizeof(stacks[i])));
        if (rc != 0)
            break;
        nr_vcpus++;
    }
    rounds(0);
    /* the others wake at the same boundaries: wait a few more for them */
    int all = 0;
    for (unsigned extra = 0; extra < 40 && !all; extra++) {
        all = 1;
        for (unsigned i = 0; i < nr_vcpus; i++)
            all &= rounds_done[i] == ROUNDS;
        if (!all)
            sleep_to_boundary();
    }
    puts_("hostile-sleepers: ");
    put_hex(nr_vcpus);
    puts_(" vCPUs, rounds done by each:");
    for (unsigned i = 0; i < nr_vcpus; i++) {
        puts_(" ");
        puts_((const char[]){ (char)('0' + rounds_done[i]), 0 });
    }
    puts_("\n");
    check(nr_vcpus == MAX_VCPUS, "all 8 vCPUs started");
    check(all, "every vCPU woke from its timer every round");
    puts_(failures ? "hostile-sleepers: some checks FAILED\n" : "hostile-sleepers: all checks passed\n");
    psci_system_off();
}
