/* Hostile guest, attack: forging the hypervisor's console. Through both of
 * its outputs, the console_io hypercall (18, CONSOLEIO_write) and its
 * vPL011, it writes a line that looks like the hypervisor's own crash
 * report, terminal escape sequences (clear screen, set the window title),
 * a bare carriage return that would overwrite the start of its line, and
 * other control characters. Every line a guest produces must carry its
 * prefix, "[   time] (name) text", with control characters shown as \xNN,
 * '\r' dropped and '\n' ending the line. */
#include "lib.h"

static const char forged_cio[] = "\n[    0.100000] ERROR: *** CRASH on CPU0: forged by a guest\n";
static const char esc_cio[] = "cio-esc: \x1b[2J\x1b]0;title\x07 end\n";
static const char cr_cio[] = "cio-cr: keep\roverwritten\n";

static unsigned len(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

static int64_t console_io(const char *s) { return xen_hypercall(18, 0, len(s), (uint64_t)s); /* CONSOLEIO_write */ }

void guest_main(void);
void guest_main(void)
{
    puts_("hostile-console: forging console lines\n");
    int ok = console_io(forged_cio) == len(forged_cio);
    ok &= console_io(esc_cio) == len(esc_cio);
    ok &= console_io(cr_cio) == len(cr_cio);
    puts_("\n[    0.200000] ERROR: *** CRASH on CPU0: forged via the UART\n");
    puts_("uart-esc: \x1b[2J\x1b]0;title\x07 end\n");
    puts_("uart-cr: keep\roverwritten\n");
    puts_("uart-ctl: a\x01"
          "b\x7f"
          "c\td\n");
    check(ok, "console_io took every byte");
    /* console_io byte for byte (the boot case compares every line): a
     * 300-character line written 7 bytes a call, several lines in one
     * call, a line across the hypervisor's 128-byte copy chunks, a line
     * split across calls; no blank line and no cut may appear */
    static char long_line[320];
    unsigned n = 0;
    for (const char *p = "cio-long: "; *p; p++)
        long_line[n++] = *p;
    while (n < 300)
        long_line[n] = (char)('a' + n % 26), n++;
    long_line[n++] = '\n';
    int cio = 1;
    for (unsigned i = 0; i < n; i += 7) {
        unsigned k = n - i < 7 ? n - i : 7;
        cio &= xen_hypercall(18, 0, k, (uint64_t)(long_line + i)) == k;
    }
    static const char multi[] = "cio-multi: one\ncio-multi: two\ncio-multi: three\n";
    cio &= console_io(multi) == len(multi);
    static char chunky[200];
    n = 0;
    for (const char *p = "cio-200: "; *p; p++)
        chunky[n++] = *p;
    while (n < 199)
        chunky[n] = (char)('0' + n % 10), n++;
    chunky[n++] = '\n';
    cio &= xen_hypercall(18, 0, n, (uint64_t)chunky) == n;
    cio &= console_io("cio-split: hel") == 14;
    cio &= console_io("lo\n") == 3;
    check(cio, "console_io wrote the byte-for-byte lines");
    puts_(failures ? "hostile-console: some checks FAILED\n" : "hostile-console: all checks passed\n");
    psci_system_off();
}
