/* The console's hold (issue 15), from the guests' side; one image, its
 * part from the command line in its device tree:
 *  - "longline=long": eight lines of 2000 to 6900 characters, the even
 *    ones through the vPL011 (two traps a character), the odd ones
 *    through console_io in 100-byte calls; each "long K N: " then N
 *    letters 'a'+i%26 then " end K", so the boot case can check every
 *    line joined from its pieces. Then an endless line: letters with no
 *    newline for 2 s of its counter, ended by "\nlongline: endless done";
 *  - "longline=short": "short K" every 5 ms for 4 s.
 * Then it powers off. */
#include "lib.h"

void guest_main(uint64_t dtb);

static uint64_t freq(void)
{
    uint64_t f;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f;
}

static uint64_t now(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static char *put_dec(char *p, unsigned v)
{
    char tmp[12];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10), v /= 10;
    while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char line[7200];

static void console_io(const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i += 100)
        xen_hypercall(18, 0, n - i < 100 ? n - i : 100, (uint64_t)(s + i)); /* CONSOLEIO_write */
}

static void long_lines(void)
{
    for (unsigned k = 0; k < 8; k++) {
        unsigned n = 2000 + 700 * k;
        char *p = line;
        for (const char *s = "long "; *s; s++)
            *p++ = *s;
        p = put_dec(p, k);
        *p++ = ' ';
        p = put_dec(p, n);
        *p++ = ':';
        *p++ = ' ';
        for (unsigned i = 0; i < n; i++)
            *p++ = (char)('a' + i % 26);
        for (const char *s = " end "; *s; s++)
            *p++ = *s;
        p = put_dec(p, k);
        *p++ = '\n';
        *p = '\0';
        if (k % 2)
            console_io(line, (unsigned)(p - line));
        else
            puts_(line);
    }
    puts_("longline: long lines done\n");
    uint64_t start = now();
    unsigned i = 0;
    char c[2] = { 0, 0 };
    while (now() - start < 2 * freq()) {
        c[0] = (char)('a' + i++ % 26);
        puts_(c);
    }
    puts_("\nlongline: endless done\n");
}

static void short_lines(void)
{
    uint64_t start = now(), f = freq();
    unsigned k = 0;
    char buf[32];
    while (now() - start < 4 * f) {
        char *p = buf;
        for (const char *s = "short "; *s; s++)
            *p++ = *s;
        p = put_dec(p, k++);
        *p++ = '\n';
        *p = '\0';
        puts_(buf);
        delay_ms(5);
    }
    char *p = buf;
    for (const char *s = "longline: short done "; *s; s++)
        *p++ = *s;
    p = put_dec(p, k);
    *p++ = '\n';
    *p = '\0';
    puts_(buf);
}

void guest_main(uint64_t dtb)
{
    if (dtb_mentions(dtb, "longline=long"))
        long_lines();
    else
        short_lines();
    psci_system_off();
}
