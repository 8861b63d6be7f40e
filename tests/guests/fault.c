/* A guest that does what it must not, chosen by its command line:
 * (default) read an address it has no RAM or device at;
 * "fault=ptimer" program the EL1 physical timer, which guests may not use.
 * Either way the hypervisor must stop this domain only, saying why. */
#include "lib.h"

void guest_main(uint64_t dtb);

static int has(const char *hay, unsigned len, const char *needle)
{
    unsigned n = 0;
    while (needle[n])
        n++;
    for (unsigned i = 0; i + n <= len; i++) {
        unsigned j = 0;
        while (j < n && hay[i + j] == needle[j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

void guest_main(uint64_t dtb)
{
    if (dtb && has((const char *)dtb, 4096, "fault=ptimer")) {
        puts_("fault: programming the EL1 physical timer\n");
        __asm__ volatile("msr cntp_ctl_el0, %0; isb" : : "r"(1UL));
        puts_("FAIL: fault: the physical timer write was allowed\n");
    } else {
        puts_("fault: reading 0x10000000, outside my RAM\n");
        (void)*(volatile uint32_t *)0x10000000UL;
        puts_("FAIL: fault: the read returned\n");
    }
    psci_system_off();
}
