/* make bench: the cost of the guest-facing hot paths, one trap kind at a
 * time, measured by the guest on its virtual counter. Under QEMU's
 * -icount shift=0 (one instruction = 1 ns of virtual time) the figures are
 * the same from run to run, so a change to the trap path shows up exactly.
 * Prints "trapbench: NAME N ns/op" lines. */
#include "lib.h"

#define N 2000
#define GICD 0x03001000UL /* the guest memory map's (Xen's), not the host's */

static uint64_t now(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static void report(const char *name, uint64_t ticks, uint64_t freq)
{
    uint64_t ns = ticks * 1000000000ULL / freq / N;
    puts_("trapbench: ");
    puts_(name);
    puts_(" ");
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do
        buf[--i] = (char)('0' + ns % 10);
    while ((ns /= 10) && i > 0);
    puts_(&buf[i]);
    puts_(" ns/op\n");
}

void guest_main(void);
void guest_main(void)
{
    uint64_t freq, t;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    volatile uint32_t *uart = (volatile uint32_t *)VPL011;
    volatile uint32_t *gicd = (volatile uint32_t *)GICD;

    t = now();
    for (int i = 0; i < N; i++)
        hvc(0x84000000, 0, 0, 0); /* PSCI_VERSION */
    report("hvc-psci-version", now() - t, freq);

    t = now();
    for (int i = 0; i < N; i++)
        xen_hypercall(17, 0, 0, 0); /* xen_version(XENVER_version) */
    report("hvc-xen-version", now() - t, freq);

    t = now();
    for (int i = 0; i < N; i++)
        (void)uart[0x18 / 4]; /* UARTFR */
    report("mmio-read-vpl011", now() - t, freq);

    t = now();
    for (int i = 0; i < N; i++)
        (void)gicd[0x4 / 4]; /* GICD_TYPER */
    report("mmio-read-gicd", now() - t, freq);

    t = now();
    for (int i = 0; i < N; i++)
        gicd[0x100 / 4 + 1] = 0; /* GICD_ISENABLER1: a write that changes nothing */
    report("mmio-write-gicd", now() - t, freq);

    t = now();
    for (int i = 0; i < N; i++)
        smc(0x84000000, 0, 0, 0); /* PSCI_VERSION through the SMC conduit */
    report("smc-psci-version", now() - t, freq);
    puts_("trapbench: done\n");
    psci_system_off();
}
