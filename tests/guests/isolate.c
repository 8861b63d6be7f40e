/* Two domains with this image: "isolate=writer" fills 4 MiB of its RAM with
 * a pattern; the other, at the very same guest addresses, must see only its
 * own (zeroed) RAM, never the writer's. Stage 2 gives each domain its own
 * memory behind the same addresses. */
#include "lib.h"

#define AREA ((volatile uint64_t *)0x40800000UL)
#define WORDS (4UL << 20) / 8
#define PATTERN 0xa5a5deadbeef5a5aULL

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    uint64_t freq, t0, now;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(freq), "=r"(t0));
    if (dtb_mentions(dtb, "isolate=writer")) {
        for (unsigned long i = 0; i < WORDS; i++)
            AREA[i] = PATTERN;
        puts_("isolate: pattern written\n");
        /* stay alive while the reader looks */
        do
            __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
        while (now - t0 < freq);
        psci_system_off();
    }
    /* the reader: give the writer time to fill its RAM first */
    do
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
    while (now - t0 < freq / 2);
    unsigned long seen = 0;
    for (unsigned long i = 0; i < WORDS; i++)
        seen += AREA[i] == PATTERN;
    check(seen == 0, "the other domain's pattern is nowhere in my RAM at the same addresses");
    puts_(failures ? "isolate: some checks FAILED\n" : "isolate: all checks passed\n");
    psci_system_off();
}
