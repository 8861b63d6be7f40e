#include "script.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One guarded step: skipped after a failure, records its own failure. The
 * message goes inside double quotes: it holds no quote, $ or backslash
 * (paths and names were checked when the config was read). */
static void step(struct ib_buf *b, const char *cmd, const char *fail)
{
    buf_printf(b, "test -n \"${ib_err}\" || %s || setenv ib_err \"%s\"\n", cmd, fail);
}

/* Built with xasprintf: nothing is cut short, whatever the lengths. */
static void load(struct ib_buf *b, const struct ib_plan *p, const struct ib_file *f, const char *what)
{
    buf_printf(b, "echo \"imagebuilder: %s %s at 0x%" PRIx64 "\"\n", what, f->name, f->addr);
    char *cmd = xasprintf("%s 0x%" PRIx64 " %s", p->load_cmd, f->addr, f->name);
    char *fail = xasprintf("loading %s at 0x%" PRIx64 " failed", f->name, f->addr);
    step(b, cmd, fail);
    free(cmd);
    free(fail);
    /* A file that changed since the script was made no longer matches the
     * sizes in the tree and the layout: refuse it. */
    cmd = xasprintf("itest ${filesize} == 0x%" PRIx64, f->size);
    fail =
        xasprintf("%s is 0x${filesize} bytes, not 0x%" PRIx64 " as when this script was made: run imagebuilder again",
                  f->name, f->size);
    step(b, cmd, fail);
    free(cmd);
    free(fail);
}

void script_text(struct ib_buf *b, const struct ib_plan *p, const struct ib_edits *e)
{
    const struct ib_config *cfg = p->cfg;
    unsigned nfiles = 2;
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        nfiles += !!p->kernel[n].name + !!p->ramdisk[n].name + !!p->partial[n].name;
        for (unsigned i = 0; i < IB_MAX_DISKS; i++)
            nfiles += !!p->disk[n][i].name;
    }
    buf_printf(b, "# Made by imagebuilder from %s; regenerate it rather than edit it.\n", cfg->file);
    buf_printf(b, "# Run it with: %s 0x%" PRIx64 " <this script>; source 0x%" PRIx64 "\n", p->load_cmd, p->script_addr,
               p->script_addr);
    buf_printf(b, "# Each step runs only while ib_err is empty; the first failure is reported and nothing boots.\n");
    buf_printf(b, "setenv ib_err\n");
    buf_printf(b, "echo \"imagebuilder: loading %u files\"\n", nfiles);
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        char what[64];
        if (!cfg->dom[n].boot)
            continue;
        snprintf(what, sizeof(what), "domU%u kernel", n);
        load(b, p, &p->kernel[n], what);
        if (p->ramdisk[n].name) {
            snprintf(what, sizeof(what), "domU%u ramdisk", n);
            load(b, p, &p->ramdisk[n], what);
        }
        if (p->partial[n].name) {
            snprintf(what, sizeof(what), "domU%u partial device tree", n);
            load(b, p, &p->partial[n], what);
        }
        for (unsigned i = 0; i < cfg->dom[n].ndisks; i++)
            if (p->disk[n][i].name) {
                snprintf(what, sizeof(what), "domU%u disk %u", n, cfg->dom[n].disk[i].k);
                load(b, p, &p->disk[n][i], what);
            }
    }
    load(b, p, &p->xen, "hypervisor");
    load(b, p, &p->dtb, "device tree");

    char cmd[256], fail[1200];
    snprintf(cmd, sizeof(cmd), "fdt addr 0x%" PRIx64, p->dtb.addr);
    step(b, cmd, "fdt addr failed: the device tree is not valid");
    if (p->edit_at_boot) {
        buf_printf(b, "echo \"imagebuilder: writing %u device-tree edits\"\n", e->n);
        snprintf(cmd, sizeof(cmd), "fdt resize %" PRIu32, p->resize);
        step(b, cmd, "fdt resize failed");
        for (unsigned i = 0; i < e->n; i++) {
            const struct ib_op *op = &e->ops[i];
            struct ib_buf c = { 0 };
            edits_command(&c, op);
            /* The failure names the node or property, not the value. */
            char *f = xasprintf("fdt %s %s %s failed", op->mknode ? "mknode" : "set", op->path, op->name);
            step(b, c.s, f);
            free(f);
            buf_free(&c);
        }
    }
    buf_printf(b, "if test -n \"${ib_err}\"; then echo \"imagebuilder: ${ib_err}: not booting\"; fi\n");
    if (p->extra_cmds) {
        size_t len = strlen(p->extra_cmds);
        buf_printf(b, "# APPEND_EXTRA_CMDS (%s)\n%s%s", p->extra_name, p->extra_cmds,
                   len && p->extra_cmds[len - 1] != '\n' ? "\n" : "");
    }
    if (cfg->boot_cmd == BOOT_NONE) {
        buf_printf(b, "test -n \"${ib_err}\" || echo \"imagebuilder: ready (BOOT_CMD=none)\"\n");
        return;
    }
    /* Boot from the tree where it is: no relocation. */
    step(b, "setenv fdt_high 0xffffffffffffffff", "setenv fdt_high failed");
    const char *boot = cfg->boot_cmd == BOOT_BOOTM ? "bootm" : "booti";
    buf_printf(b, "test -n \"${ib_err}\" || echo \"imagebuilder: %s 0x%" PRIx64 " - 0x%" PRIx64 "\"\n", boot,
               p->xen.addr, p->dtb.addr);
    snprintf(cmd, sizeof(cmd), "%s 0x%" PRIx64 " - 0x%" PRIx64, boot, p->xen.addr, p->dtb.addr);
    snprintf(fail, sizeof(fail), "%s failed", boot);
    step(b, cmd, fail);
    buf_printf(b, "if test -n \"${ib_err}\"; then echo \"imagebuilder: ${ib_err}\"; fi\n");
}
