/* Interrupts for guests on a GICv3 host: the virtual timer at the rate it
 * was programmed, the guest counter starting near zero, WFI woken by an
 * interrupt, PSCI CPU_ON of the second vCPU, and SGIs between the two. */
#include "gicv3.h"
#include "lib.h"

#define PPI_VTIMER 27
#define TICKS 20

extern char secondary_entry[];
static volatile unsigned ticks, sgis[2];
static volatile int secondary_ready;
static uint64_t period;
static char stack1[4096] __attribute__((aligned(16)));

static inline uint64_t cntvct(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

static unsigned my_id(void)
{
    uint64_t m;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(m));
    return (unsigned)(m & 0xff);
}

static void cpu_gic_init(unsigned cpu) { gic_cpu_init(cpu, (1u << PPI_VTIMER) | (1u << 1) | (1u << 2)); }

static void send_sgi(unsigned intid, unsigned target)
{
    uint64_t v = (uint64_t)intid << 24 | (1u << target); /* Aff3-1 = 0 */
    __asm__ volatile("msr s3_0_c12_c11_5, %0; isb" : : "r"(v)); /* ICC_SGI1R_EL1 */
}

void guest_irq(void);
void guest_irq(void)
{
    unsigned intid = gic_ack();
    if (intid == PPI_VTIMER) {
        ticks++;
        uint64_t cval;
        __asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(cval));
        __asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1" : : "r"(cval + period), "r"(1UL));
    } else if (intid < 16) {
        sgis[my_id()]++;
    }
    gic_eoi(intid);
}

void guest_secondary(void);
void guest_secondary(void)
{
    cpu_gic_init(1);
    secondary_ready = 1;
    send_sgi(2, 0); /* to vCPU 0 */
    while (!sgis[1])
        __asm__ volatile("wfi");
    puts_("PASS: vCPU1 received an SGI from vCPU0\n");
    hvc(0x84000002, 0, 0, 0); /* CPU_OFF */
}

void guest_main(void);
void guest_main(void)
{
    uint64_t freq, start = cntvct();
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    check(start < freq, "the guest counter starts near zero (under 1 s at entry)");

    /* the distributor must say what we are talking to */
    check((*(volatile uint32_t *)(GICD + 0xffe8) & 0xf0) == 0x30, "GICD_PIDR2 says GICv3");
    gic_dist_enable();
    cpu_gic_init(0);

    period = freq / 500; /* 2 ms */
    uint64_t t0 = cntvct();
    __asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" : : "r"(t0 + period), "r"(1UL));
    while (ticks < TICKS)
        __asm__ volatile("wfi");
    uint64_t took = cntvct() - t0;
    __asm__ volatile("msr cntv_ctl_el0, %0" : : "r"(0UL));
    check(ticks >= TICKS, "virtual timer interrupts arrive, and WFI wakes for them");
    check(took >= TICKS * period, "20 ticks of 2 ms took at least 40 ms (never early)");
    check(took < TICKS * period * 10, "20 ticks of 2 ms took less than 400 ms");

    int rc = (int)hvc(0xc4000003, 1, (uint64_t)secondary_entry, (uint64_t)(stack1 + sizeof(stack1)));
    check(rc == 0, "PSCI CPU_ON of vCPU1 succeeds");
    check((int)hvc(0xc4000003, 1, (uint64_t)secondary_entry, 0) == -4, "a second CPU_ON of vCPU1 says ALREADY_ON");
    while (!sgis[0])
        __asm__ volatile("wfi");
    check(secondary_ready, "vCPU1 ran and set up its interrupt controller");
    puts_("PASS: vCPU0 received an SGI from vCPU1\n");
    send_sgi(1, 1);
    for (int i = 0; i < 1000000 && hvc(0xc4000004, 1, 0, 0) != 1; i++)
        ;
    check(hvc(0xc4000004, 1, 0, 0) == 1, "AFFINITY_INFO says vCPU1 is OFF after its CPU_OFF");
    puts_(failures ? "timer: some checks FAILED\n" : "timer: all checks passed\n");
    psci_system_off();
}
