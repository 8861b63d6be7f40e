/* A guest that does what it must not, chosen by its command line:
 * (default) read, write and jump to an address it has no RAM or device
 * at: each takes an abort (a prefetch abort for the jump), as on Xen, and
 * the guest goes on;
 * "fault=ptimer" program the EL1 physical timer, which guests may not
 * use: the hypervisor must stop this domain only, saying why.
 * "fault=ones" (with trap-unmapped-accesses = <0>): read and write the
 * unmapped address, which must read all ones and ignore the write.
 * "fault=ram" read a word in each 2 MiB of its RAM: where the host RAM
 * behind it has a hole (docs/host-device-tree.md), the reads abort; they
 * must do so in one run, which it prints, and then it resets; with none,
 * it says so and powers off. */
#include "abort_catch.h"
#include "fdt.h"
#include "lib.h"

#define STEP 0x200000UL

static void ram_holes(uint64_t dtb)
{
    abort_catch_install();
    int len, mem = fdt_node((const void *)dtb, "/memory@40000000");
    const uint8_t *reg = mem >= 0 ? fdt_prop((const void *)dtb, mem, "reg", &len) : 0;
    if (!reg || len != 16) {
        check(0, "a memory@40000000 node with one bank");
        psci_system_off();
    }
    uint64_t base = be64(reg), size = be64(reg + 8), first = 0, last = 0, aborted = 0, runs = 0;
    for (uint64_t a = base; a < base + size; a += STEP) {
        uint64_t before = abort_count;
        (void)*(volatile uint64_t *)(a + STEP - 8);
        if (abort_count == before)
            continue;
        if (!aborted || last + STEP != a)
            runs++;
        if (!aborted)
            first = a;
        last = a;
        aborted++;
    }
    if (!aborted) {
        puts_("fault: all of my RAM answers, ");
        put_hex(size / STEP);
        puts_(" reads\n");
        psci_system_off();
    }
    puts_("fault: my RAM aborts at ");
    put_hex(first);
    puts_("-");
    put_hex(last + STEP - 1);
    puts_(", ");
    put_hex(aborted);
    puts_(" of ");
    put_hex(size / STEP);
    puts_(" reads\n");
    check(runs == 1, "the reads that abort are one run");
    check(abort_far == last + STEP - 8 && !(abort_esr & (1u << 6)), "each took a synchronous external abort");
    puts_("fault: resetting\n");
    hvc(0x84000009, 0, 0, 0); /* PSCI SYSTEM_RESET */
    check(0, "SYSTEM_RESET returned");
    psci_system_off();
}

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
    } else if (dtb_mentions(dtb, "fault=ram")) {
        ram_holes(dtb);
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
