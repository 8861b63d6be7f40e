/* A guest that does what it must not, chosen by its command line:
 * (default) read an address it has no RAM or device at;
 * "fault=ptimer" program the EL1 physical timer, which guests may not use.
 * Either way the hypervisor must stop this domain only, saying why. */
#include "lib.h"

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    if (dtb_mentions(dtb, "fault=ptimer")) {
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
