/* Writes a domain's own device tree: what an unmodified Linux needs, laid
 * out as Xen's dom0less builder does (root cells 2/2, GIC phandle 65000).
 * Portable C: also built on the host. */
#ifndef XAM_GUEST_FDT_H
#define XAM_GUEST_FDT_H

#include <xam/types.h>

#define GUEST_GIC_PHANDLE 65000
#define GUEST_FDT_MAX 0x10000

struct guest_fdt_params {
    unsigned nr_vcpus;
    unsigned nr_banks;
    struct {
        paddr_t base;
        uint64_t size;
    } banks[2];
    unsigned gic_version; /* 2 or 3 */
    bool vpl011;
    const char *bootargs;         /* NULL: none */
    paddr_t initrd_start, initrd_end; /* equal: no initrd */
    const char *cpu_compatible;   /* the host's first CPU's, or NULL */
};

/* Build into buf (size bytes). 0, or a negative libfdt error. */
int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_params *p);

#endif
