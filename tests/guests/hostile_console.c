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
    puts_(failures ? "hostile-console: some checks FAILED\n" : "hostile-console: all checks passed\n");
    psci_system_off();
}
