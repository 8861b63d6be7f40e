/* PSCI SYSTEM_RESET must rebuild the domain from its boot modules: fresh,
 * zeroed RAM, and the guest starting over. The guest tells its first boot
 * from the second by its counter offset (the domain's creation time, which
 * the rebuild renews): CNTPCT - CNTVCT. Built within FIRST_BOOT seconds
 * of the machine's start is a first boot (a loaded CI machine may take
 * more than a second to build a few domains), and the reset waits until
 * well after that, so the rebuilt domain is always later. */
#include "lib.h"

#define SCRATCH ((volatile uint64_t *)0x40800000UL) /* past the image, in RAM */
#define MAGIC 0x5eedf00ddeadbeefULL
#define FIRST_BOOT 4

void guest_main(void);

void guest_main(void)
{
    uint64_t freq, pct, vct;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntpct_el0; mrs %2, cntvct_el0"
                     : "=r"(freq), "=r"(pct), "=r"(vct));
    uint64_t created = pct - vct;
    if (created < FIRST_BOOT * freq) {
        puts_("reset: first boot, writing a marker to RAM and resetting\n");
        *SCRATCH = MAGIC;
        /* make sure the rebuild happens well after that */
        do
            __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(pct));
        while (pct < FIRST_BOOT * freq + freq / 2);
        hvc(0x84000009, 0, 0, 0); /* SYSTEM_RESET */
        puts_("FAIL: reset: SYSTEM_RESET returned\n");
        psci_system_off();
    }
    puts_("reset: second boot\n");
    check(*SCRATCH == 0, "RAM is zeroed again after the reset");
    puts_(failures ? "reset: some checks FAILED\n" : "reset: all checks passed\n");
    psci_system_off();
}
