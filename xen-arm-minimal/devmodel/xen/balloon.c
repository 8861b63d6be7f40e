/* The balloon's target, through Linux's xen_memory sysfs node. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon.h"
#include "log.h"

#define XEN_MEMORY "/sys/devices/system/xen_memory/xen_memory0"

int dm_balloon_reserve(unsigned long kib)
{
    char buf[32] = { 0 };
    FILE *f = fopen(XEN_MEMORY "/info/current_kb", "r");
    long cur = f && fgets(buf, sizeof(buf), f) ? strtol(buf, NULL, 10) : -1;
    if (f)
        fclose(f);
    if (cur <= 0 || (unsigned long)cur <= 4 * kib) {
        dm_log("balloon: cannot read this domain's size (%s/info/current_kb) or it is too small for %lu KiB of "
               "mappings",
               XEN_MEMORY, kib);
        return -1;
    }
    f = fopen(XEN_MEMORY "/target_kb", "w");
    if (!f || fprintf(f, "%lu\n", (unsigned long)cur - kib) < 0 || fclose(f)) {
        dm_log("balloon: setting %s/target_kb: %s", XEN_MEMORY, strerror(errno));
        return -1;
    }
    dm_log("balloon target %lu KiB: %lu KiB held for foreign mappings", (unsigned long)cur - kib, kib);
    return 0;
}
