/* The smallest guest: proves a domain runs, its vPL011 output reaches the
 * console with the domain's name, and PSCI answers over HVC and SMC. */
#include "lib.h"

void guest_main(void);

void guest_main(void)
{
    puts_("hello from a bare-metal guest\n");
    check(hvc(0x84000000, 0, 0, 0) == 0x10001, "PSCI_VERSION over HVC is 1.1");
    check(smc(0x84000000, 0, 0, 0) == 0x10001, "PSCI_VERSION over SMC is 1.1");
    check(hvc(0x80000000, 0, 0, 0) == 0x10001, "SMCCC_VERSION is 1.1");
    check(hvc(0x8400000a, 0xc4000003, 0, 0) == 0, "PSCI_FEATURES(CPU_ON) is supported");
    check((int64_t)hvc(0x8400000a, 0x8400000e, 0, 0) == -1, "PSCI_FEATURES(an unknown call) is NOT_SUPPORTED");
    check(hvc(0x84000006, 0, 0, 0) == 2, "MIGRATE_INFO_TYPE is 2 (no trusted OS)");
    check(hvc(0xc4000004, 0, 0, 0) == 0, "AFFINITY_INFO(vCPU0) is ON");
    /* the PMU and debug registers are not shared with guests: they read
     * as zero and ignore writes */
    uint64_t cycles, mdscr_dcc;
    __asm__ volatile("msr pmcr_el0, %0; isb" : : "r"(1UL)); /* E: enable counters */
    __asm__ volatile("mrs %0, pmccntr_el0" : "=r"(cycles));
    check(cycles == 0, "the PMU cycle counter reads as zero, even after enabling it");
    __asm__ volatile("mrs %0, mdccsr_el0" : "=r"(mdscr_dcc));
    check(mdscr_dcc == 0, "debug registers read as zero");
    puts_(failures ? "hello: some checks FAILED\n" : "hello: all checks passed\n");
    psci_system_off();
}
