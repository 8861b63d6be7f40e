/* The fixture of the builder's domain tests (test_domain_desc.c,
 * test_domain_shm.c): QEMU's GICv3 host tree (qemu-v3-smp4.dtb) with
 * domains added under /chosen, described as builder/domain_desc.c does
 * on a two-CPU host whose modules are arm64 Images. One test program
 * includes it once: the state below is that program's. */
#ifndef UNIT_DOMAIN_FIXTURE_H
#define UNIT_DOMAIN_FIXTURE_H

#include "fixture.h"
#include <libfdt.h>
#include <string.h>
#include <xam/domain_desc.h>

static const char *dir; /* the .dtb fixtures' folder (main's argv[1]) */
static struct hostdt h;
static struct hostdt_error err; /* the last refusal */
static char buf[1 << 20];

/* Every module is an arm64 Image of its size plus 64 KiB. */
static inline const uint8_t *image_header(const struct hostdt_module *m, void *ctx)
{
    static uint8_t img[64];
    (void)ctx;
    memset(img, 0, sizeof(img));
    uint64_t size = m->size + 0x10000; /* some bss */
    for (int i = 0; i < 8; i++)
        img[16 + i] = (uint8_t)(size >> (8 * i));
    memcpy(img + 56, "ARM\x64", 4);
    return img;
}

/* SVE up to 512 bits on every CPU, as QEMU's a64fx */
static const struct builder_env env = {
    .nr_cpus = 2, .cpu_mpidr = { 0, 1 }, .online = 3, .ipa_bits = 39, .sve_max_bits = 512, .module_header = image_header
};

/* A fresh copy of the host tree, in buf. */
static inline void *host(void) { return unit_load_dtb(dir, "qemu-v3-smp4.dtb", buf, sizeof(buf)); }
static inline int path(void *fdt, const char *p) { return fdt_path_offset(fdt, p); }

/* A 64 MiB, 1-vCPU domain /chosen/name with a kernel at addr (2/2
 * cells); returns its node. */
static inline int domain_node(void *fdt, const char *name, uint64_t addr)
{
    int d = fdt_add_subnode(fdt, path(fdt, "/chosen"), name);
    fdt_setprop_string(fdt, d, "compatible", "xen,domain");
    fdt_setprop_u32(fdt, d, "#address-cells", 2);
    fdt_setprop_u32(fdt, d, "#size-cells", 2);
    fdt_setprop_u64(fdt, d, "memory", 0x10000);
    fdt_setprop_u32(fdt, d, "cpus", 1);
    int k = fdt_add_subnode(fdt, d, "kernel");
    fdt_setprop(fdt, k, "compatible", "multiboot,kernel\0multiboot,module", 34);
    fdt64_t reg[2] = { cpu_to_fdt64(addr), cpu_to_fdt64(0x100000) };
    fdt_setprop(fdt, k, "reg", reg, sizeof(reg));
    return d;
}

/* The domain at path p described (the host tree parsed first): whether
 * it was accepted; err says why not. */
static inline bool describe(void *fdt, const char *p, struct domain_desc *dd)
{
    if (hostdt_parse(&h, fdt, fdt_totalsize(fdt), NULL, &err))
        fail_msg("host tree refused: %s", err.msg);
    return domain_describe(&h, path(fdt, p), &env, dd, &err);
}

/* The domain at p is refused with a message containing msg. */
static inline void expect_refused(void *fdt, const char *p, const char *msg)
{
    struct domain_desc dd;
    if (describe(fdt, p, &dd))
        fail_msg("%s accepted; expected \"%s\"", p, msg);
    if (!strstr(err.msg, msg))
        fail_msg("\"%s\" does not say \"%s\"", err.msg, msg);
}

#endif
