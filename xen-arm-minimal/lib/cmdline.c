#include <string.h>
#include <xam/cmdline.h>
#include <xam/fmt.h>

/* The next word at *p (spaces inside double quotes do not end it): its
 * start, or NULL at the end; *p moves past it, *wlen is its length. */
static const char *next_word(const char **p, size_t *wlen)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (!*s)
        return NULL;
    const char *word = s;
    bool quoted = false;
    while (*s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n'))) {
        if (*s == '"')
            quoted = !quoted;
        s++;
    }
    *wlen = (size_t)(s - word);
    *p = s;
    return word;
}

bool cmdline_get(const char *cmdline, const char *name, char *val, size_t len)
{
    size_t nlen = strlen(name), wlen;
    bool found = false;
    const char *p = cmdline ? cmdline : "", *word;

    while ((word = next_word(&p, &wlen))) {
        if (wlen < nlen || strncmp(word, name, nlen) != 0)
            continue;
        if (wlen != nlen && word[nlen] != '=')
            continue;

        found = true;
        size_t o = 0;
        for (const char *v = word + nlen + (wlen > nlen ? 1 : 0); v < p; v++) {
            if (*v == '"')
                continue;
            if (o + 1 < len)
                val[o++] = *v;
        }
        if (len)
            val[o] = '\0';
    }
    return found;
}

/* Xen's options (docs/misc/xen-command-line.pandoc) that users bring with
 * their configurations: what each means here. same: as Xen does it (said
 * at info level); else it does not apply (a warning: it changes nothing). */
static const struct {
    const char *name;
    bool same;
    const char *note;
} xen_options[] = {
    { "console", true, "the console is the host tree's UART (dtuart, or /chosen/stdout-path), as console=dtuart" },
    { "console_timestamps", true, "console lines always carry the time since boot" },
    { "sync_console", true, "every console line reaches the UART before the hypervisor goes on" },
    { "dom0_mem", false, "there is no dom0" },
    { "dom0_max_vcpus", false, "there is no dom0" },
    { "dom0_vcpus_pin", false, "there is no dom0" },
    { "dom0", false, "there is no dom0" },
    { "sched", false, "one scheduler, time-sliced; a cpupool may ask for \"null\" (cpupool-sched)" },
    { "bootscrub", false, "free memory is not scrubbed at boot: guests' RAM is zeroed on first touch" },
    { "vwfi", false, "WFI and WFE trap only while another vCPU waits for the CPU (alone: as vwfi=native)" },
    { "gnttab_max_frames", false, "each domain's max_grant_frames says it (default 64)" },
    { "gnttab_max_maptrack_frames", false, "each domain's max_maptrack_frames says it (default 1024)" },
    { "gnttab", false, "grant tables version 1 only" },
    { "iommu", false, "there is no IOMMU" },
    { "xsm", false, "there is no XSM/FLASK" },
    { "flask", false, "there is no XSM/FLASK" },
    { "guest_loglvl", false, "guests' console lines are always printed" },
    { "conring_size", false, "there is no console ring to read back" },
    { "serrors", false, "a guest's SError stops that guest" },
    { "llc-coloring", false, "cache coloring is not implemented" },
    { "maxcpus", false, "every CPU the host tree lists is brought up" },
    { "nosmp", false, "every CPU the host tree lists is brought up" },
    { "hmp-unsafe", false, "CPUs of different kinds are all used" },
    { "noreboot", false, "when the last domain stops, the machine powers off" },
    { "extra_guest_irqs", false, "each domain's vGIC has the SPIs its devices need (nr_spis)" },
    { "spec-ctrl", false, "speculation controls are not configurable" },
};

static bool ours(const char *name, size_t n)
{
    static const char *const own[] = { "loglvl", "crash-test", "crash-test-cpu", "dtuart", "stage2" };
    for (unsigned i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        if (strlen(own[i]) == n && !strncmp(own[i], name, n))
            return true;
    return false;
}

unsigned cmdline_audit(const char *cmdline, void (*say)(void *ctx, bool warn, const char *line), void *ctx)
{
    const char *p = cmdline ? cmdline : "", *word;
    unsigned lines = 0;
    size_t wlen;
    while ((word = next_word(&p, &wlen))) {
        size_t n = 0;
        while (n < wlen && word[n] != '=')
            n++;
        if (ours(word, n))
            continue;
        /* the word as written, at most 48 characters of it, printable */
        char shown[52];
        size_t k = 0;
        for (; k < wlen && k < 48; k++)
            shown[k] = word[k] > ' ' && word[k] <= '~' ? word[k] : '?';
        if (wlen > 48)
            shown[k++] = '.', shown[k++] = '.', shown[k++] = '.';
        shown[k] = '\0';
        char line[200];
        unsigned i = 0;
        while (i < sizeof(xen_options) / sizeof(xen_options[0]) &&
               (strlen(xen_options[i].name) != n || strncmp(xen_options[i].name, word, n)))
            i++;
        if (i == sizeof(xen_options) / sizeof(xen_options[0])) {
            fmt_snprintf(line, sizeof(line), "command line: %s: unknown option, ignored", shown);
            say(ctx, true, line);
        } else {
            fmt_snprintf(line, sizeof(line), "command line: %s: Xen's option, %s: %s", shown,
                         xen_options[i].same ? "done as Xen does here" : "does not apply here", xen_options[i].note);
            say(ctx, !xen_options[i].same, line);
        }
        lines++;
    }
    return lines;
}
