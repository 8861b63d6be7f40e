/* Everything decided before anything is written: which file goes where, and
 * how the script finds it. Shared by the edits, the script and the QEMU
 * command line so that all three describe the same boot. */
#ifndef IB_PLAN_H
#define IB_PLAN_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>

struct ib_file {
    char *name; /* as the script loads it (relative to -d DIR); NULL: no such file */
    char *host; /* where it is on this machine */
    uint64_t size; /* the file's size: what a module's reg says */
    uint64_t footprint;
    uint64_t addr;
};

struct ib_plan {
    const struct ib_config *cfg;
    const char *load_cmd;
    uint64_t script_addr;
    struct ib_file xen, dtb;
    struct ib_file kernel[IB_MAX_DOMUS], ramdisk[IB_MAX_DOMUS], partial[IB_MAX_DOMUS];
    /* disk modules: disk[n][i] for the domain's i-th disk (cfg->dom[n].disk[i]) when it is a file */
    struct ib_file disk[IB_MAX_DOMUS][IB_MAX_DISKS];
    uint32_t resize; /* the script's `fdt resize` */
    bool edit_at_boot; /* false with FDTEDIT: the script loads a tree edited here */
    char *extra_cmds; /* APPEND_EXTRA_CMDS' contents, or NULL */
    const char *extra_name;
};

#endif
