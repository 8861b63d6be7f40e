#include "qemu.h"

#include <inttypes.h>
#include <libfdt.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void qemu_shim(uint8_t out[IB_SHIM_SIZE], uint64_t dtb, uint64_t entry)
{
    put32(out + 0, 0x58000080); /* ldr x0, [pc, #16]  (the DTB address) */
    put32(out + 4, 0x580000a1); /* ldr x1, [pc, #20]  (the entry point) */
    put32(out + 8, 0xd61f0020); /* br  x1 */
    put32(out + 12, 0xd503201f); /* nop: the literals are 8-byte aligned */
    put64(out + 16, dtb);
    put64(out + 24, entry);
}

/* Quote for a POSIX shell when needed. */
static void word(struct ib_buf *b, const char *s)
{
    bool plain = *s != 0;
    for (const char *c = s; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/@,=:", *c))
            plain = false;
    if (plain) {
        buf_printf(b, "%s", s);
        return;
    }
    buf_putc(b, '\'');
    for (const char *c = s; *c; c++) {
        if (*c == '\'')
            buf_printf(b, "'\\''");
        else
            buf_putc(b, *c);
    }
    buf_putc(b, '\'');
}

static void loader(struct ib_buf *b, const char *file, uint64_t addr, bool raw)
{
    struct ib_buf arg = { 0 };
    buf_printf(&arg, "loader,file=");
    for (const char *c = file; *c; c++) { /* QEMU's option syntax doubles commas */
        if (*c == ',')
            buf_putc(&arg, ',');
        buf_putc(&arg, *c);
    }
    buf_printf(&arg, ",addr=0x%" PRIx64 "%s", addr, raw ? ",force-raw=on" : ",cpu-num=0");
    buf_printf(b, " \\\n    -device ");
    word(b, arg.s);
    buf_free(&arg);
}

static int gic_version(const void *fdt)
{
    if (fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3") >= 0)
        return 3;
    return 2;
}

static unsigned nr_cpus(const void *fdt)
{
    int cpus = fdt_path_offset(fdt, "/cpus"), node;
    unsigned n = 0;
    if (cpus < 0)
        return 1;
    fdt_for_each_subnode(node, fdt, cpus)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        n += type && !strcmp(type, "cpu");
    }
    return n ? n : 1;
}

static uint64_t ram_mib(const void *fdt)
{
    uint64_t total = 0;
    int node;
    fdt_for_each_subnode(node, fdt, 0)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        int len;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (!type || strcmp(type, "memory") || !reg)
            continue;
        /* QEMU's virt tree: 2 address and 2 size cells at the root */
        for (int i = 0; i + 4 <= len / 4; i += 4)
            total += ((uint64_t)fdt32_to_cpu(reg[i + 2]) << 32) | fdt32_to_cpu(reg[i + 3]);
    }
    return total ? total >> 20 : 2048;
}

void qemu_command(struct ib_buf *b, const struct ib_plan *p, const void *fdt, const char *dtb_host,
                  const char *shim_host)
{
    buf_printf(b,
               "qemu-system-aarch64 -M virt,virtualization=on,gic-version=%d -cpu cortex-a57 -smp %u -m %" PRIu64
               "M -nographic -no-reboot -nic none",
               gic_version(fdt), nr_cpus(fdt), ram_mib(fdt));
    loader(b, shim_host, p->script_addr, false);
    loader(b, p->xen.host, p->xen.addr, true);
    loader(b, dtb_host, p->dtb.addr, true);
    for (unsigned n = 0; n < p->cfg->ndomus; n++) {
        if (p->kernel[n].name)
            loader(b, p->kernel[n].host, p->kernel[n].addr, true);
        if (p->ramdisk[n].name)
            loader(b, p->ramdisk[n].host, p->ramdisk[n].addr, true);
        if (p->partial[n].name)
            loader(b, p->partial[n].host, p->partial[n].addr, true);
        for (unsigned i = 0; i < IB_MAX_DISKS; i++)
            if (p->disk[n][i].name)
                loader(b, p->disk[n][i].host, p->disk[n][i].addr, true);
    }
    buf_printf(b, "\n");
}
