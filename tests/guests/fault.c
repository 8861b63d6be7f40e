/* A guest that touches an address it has no RAM or device at: the
 * hypervisor must stop this domain only, and say where it faulted. */
#include "lib.h"

void guest_main(void);

void guest_main(void)
{
    puts_("fault: reading 0x10000000, outside my RAM\n");
    (void)*(volatile uint32_t *)0x10000000UL;
    puts_("FAIL: fault: the read returned\n");
    psci_system_off();
}
