/* Hostile guest, attack: the domain's last vCPU turns itself off with PSCI
 * CPU_OFF instead of SYSTEM_OFF. With no vCPU left the domain can never do
 * anything again: it must count as powered off (and the machine power off
 * when it was the last domain), not stay "running" forever. With "two" on
 * its command line the domain has two vCPUs: vCPU1 goes off first, then
 * vCPU0, the last one. */
#include "lib.h"

extern char secondary_entry[];
static char stack1[4096] __attribute__((aligned(16)));

void guest_secondary(void);
void guest_secondary(void)
{
    puts_("hostile-cpuoff: vCPU1 calls CPU_OFF\n");
    hvc(0x84000002, 0, 0, 0);
    puts_("FAIL: hostile-cpuoff: CPU_OFF returned on vCPU1\n");
    psci_system_off();
}

void guest_main(uint64_t dtb);
void guest_main(uint64_t dtb)
{
    if (dtb_mentions(dtb, "two")) {
        /* quiet until vCPU1 is off: one console line at a time */
        int64_t rc = (int64_t)hvc(0xc4000003, 1, (uint64_t)secondary_entry, (uint64_t)(stack1 + sizeof(stack1)));
        for (unsigned i = 0; rc == 0 && i < 10000 && hvc(0xc4000004, 1, 0, 0) != 1; i++)
            delay_ms(1);
        check(rc == 0, "PSCI CPU_ON of vCPU1 succeeds");
        check(hvc(0xc4000004, 1, 0, 0) == 1, "AFFINITY_INFO says vCPU1 is OFF after its CPU_OFF");
    }
    puts_(failures ? "hostile-cpuoff: some checks FAILED\n" : "hostile-cpuoff: vCPU0, the last one, calls CPU_OFF\n");
    hvc(0x84000002, 0, 0, 0);
    puts_("FAIL: hostile-cpuoff: CPU_OFF returned on vCPU0\n");
    psci_system_off();
}
