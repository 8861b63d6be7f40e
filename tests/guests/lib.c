#include "lib.h"

unsigned failures;

static void putc_(char c)
{
    volatile uint32_t *uart = (volatile uint32_t *)VPL011;
    while (uart[0x18 / 4] & (1u << 5)) /* TXFF */
        ;
    uart[0] = (uint32_t)c;
}

void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

void put_hex(uint64_t v)
{
    char buf[19] = "0x";
    for (int i = 0; i < 16; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
    buf[18] = 0;
    puts_(buf);
}

uint64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

uint64_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

int64_t xen_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t x0 __asm__("x0") = a0, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x16 __asm__("x16") = nr;
    __asm__ volatile("hvc #0xea1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16) : : "memory");
    return (int64_t)x0;
}

void delay_ms(unsigned ms)
{
    uint64_t f, t0, t;
    __asm__ volatile("mrs %0, cntfrq_el0; isb; mrs %1, cntvct_el0" : "=r"(f), "=r"(t0));
    do
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    while (t - t0 < f / 1000 * ms);
}

int contains(const char *s, const char *word)
{
    for (; s && *s; s++) {
        unsigned j = 0;
        while (word[j] && s[j] == word[j])
            j++;
        if (!word[j])
            return 1;
    }
    return 0;
}

void check(int ok, const char *what)
{
    puts_(ok ? "PASS: " : "FAIL: ");
    puts_(what);
    puts_("\n");
    if (!ok)
        failures++;
}

int dtb_mentions(uint64_t dtb, const char *word)
{
    const char *hay = (const char *)dtb;
    unsigned n = 0;
    while (word[n])
        n++;
    for (unsigned i = 0; dtb && i + n <= 4096; i++) {
        unsigned j = 0;
        while (j < n && hay[i + j] == word[j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

void psci_system_off(void)
{
    hvc(0x84000008, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}

/* Defaults for guests that take no interrupts and start no other vCPU. */
void guest_irq(void);
void guest_unexpected(uint64_t esr, uint64_t elr);
void guest_secondary(void);

__attribute__((weak)) void guest_irq(void)
{
    puts_("FAIL: an interrupt this guest did not ask for\n");
    psci_system_off();
}

__attribute__((weak)) void guest_unexpected(uint64_t esr, uint64_t elr)
{
    puts_("FAIL: unexpected exception, ESR ");
    put_hex(esr);
    puts_(" ELR ");
    put_hex(elr);
    puts_("\n");
    psci_system_off();
}

__attribute__((weak)) void guest_secondary(void) { psci_system_off(); }
