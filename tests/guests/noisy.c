/* A badly behaved guest, for 2 s of its own counter time: "spin" loops
 * without ever trapping, "flood" writes its UART as fast as it can,
 * "flood-nonl" the same without ever ending its line. Which
 * one it is comes from the command line in its device tree (x0), so one
 * image serves both. Then it powers off, so the run can end. */
#include "lib.h"

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    uint64_t freq, start, now;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(freq), "=r"(start));
    int flood = dtb_mentions(dtb, "noisy=flood");
    int nonl = dtb_mentions(dtb, "noisy=flood-nonl");
    puts_(flood ? "noisy: flooding my UART for 2 s\n" : "noisy: spinning for 2 s\n");
    unsigned long lines = 0;
    do {
        if (flood) {
            puts_(nonl ? "flood flood flood flood flood flood flood flood flood flood flood flood "
                       : "flood flood flood flood flood flood flood flood flood flood flood flood\n");
            lines++;
        }
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
    } while (now - start < 2 * freq);
    puts_(nonl ? "\nnoisy: done\n" : "noisy: done\n");
    psci_system_off();
}
