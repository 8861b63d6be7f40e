/* A guest that does what it must not, chosen by its command line:
 * (default) read, write and jump to an address it has no RAM or device
 * at: each takes an abort (a prefetch abort for the jump), as on Xen, and
 * the guest goes on;
 * "fault=ptimer" program the EL1 physical timer, which guests may not
 * use: the hypervisor must stop this domain only, saying why.
 * "fault=ones" (with trap-unmapped-accesses = <0>): read and write the
 * unmapped address, which must read all ones and ignore the write. */
#include "abort_catch.h"
#include "lib.h"

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    if (dtb_mentions(dtb, "fault=ones")) {
        /* trap-unmapped-accesses = <0>: as on Xen, no fault at all */
        puts_("fault: reading and writing 0x10000000, outside my RAM\n");
        uint32_t w = *(volatile uint32_t *)0x10000000UL;
        uint8_t b = *(volatile uint8_t *)0x10000007UL;
        uint64_t q = *(volatile uint64_t *)0x10000008UL;
        *(volatile uint32_t *)0x10000000UL = 0;
        uint32_t again = *(volatile uint32_t *)0x10000000UL;
        check(w == 0xffffffffu && b == 0xff && q == ~0ULL, "unmapped reads give all ones of their size");
        check(again == 0xffffffffu, "a write there is ignored");
    } else if (dtb_mentions(dtb, "fault=ptimer")) {
        puts_("fault: programming the EL1 physical timer\n");
        __asm__ volatile("msr cntp_ctl_el0, %0; isb" : : "r"(1UL));
        puts_("FAIL: fault: the physical timer write was allowed\n");
    } else {
        /* as on Xen (trap-unmapped-accesses absent or 1): each access
         * takes a synchronous external abort, and the guest goes on */
        abort_catch_install();
        puts_("fault: reading 0x10000000, outside my RAM\n");
        (void)*(volatile uint32_t *)0x10000000UL;
        check(abort_count == 1 && abort_far == 0x10000000UL && !(abort_esr & (1u << 6)),
              "the read took a synchronous external abort at 0x10000000");
        *(volatile uint64_t *)0x10000ff8UL = 1;
        check(abort_count == 2 && abort_far == 0x10000ff8UL && (abort_esr & (1u << 6)),
              "the write took one too (WnR set)");
        /* and a jump there a prefetch abort, as Xen injects */
        void (*volatile nowhere)(void) = (void (*)(void))0x10000000UL;
        nowhere();
        check(abort_count == 3 && abort_far == 0x10000000UL && (abort_esr >> 26) == 0x21,
              "a jump there took a prefetch abort at 0x10000000");
    }
    psci_system_off();
}
