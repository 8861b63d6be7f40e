/* Writes a domain's own device tree: what an unmodified Linux needs, laid
 * out as Xen's dom0less builder does (root cells 2/2, GIC phandle 65000).
 * Portable C: also built on the host. */
#ifndef XAM_GUEST_FDT_H
#define XAM_GUEST_FDT_H

#include <xam/pci_bridge.h>
#include <xam/types.h>

#define GUEST_GIC_PHANDLE 65000
#define GUEST_FDT_MAX 0x10000
#define GUEST_FDT_MAX_CLIENTS 16
#define GUEST_FDT_MAX_EXT 2

struct guest_fdt_params {
    unsigned nr_vcpus;
    unsigned nr_banks;
    struct {
        paddr_t base;
        uint64_t size;
    } banks[8];
    unsigned gic_version; /* 2 or 3 */
    bool vpl011;
    const char *bootargs; /* NULL: none */
    paddr_t initrd_start, initrd_end; /* equal: no initrd */
    const char *cpu_compatible; /* the host's first CPU's, or NULL */
    /* The hypervisor node (xen,enhanced): extended regions after the
     * grant-table region in its reg. */
    bool hypervisor;
    unsigned nr_ext;
    struct {
        paddr_t base;
        uint64_t size;
    } ext[GUEST_FDT_MAX_EXT];
    const struct pci_bridge *bridge; /* NULL: no bridge */
    /* A device model: the guests it serves. */
    unsigned nr_clients;
    struct {
        unsigned domid;
        const char *name;
        const struct pci_bridge *bridge;
        bool hold;
    } clients[GUEST_FDT_MAX_CLIENTS];
    /* Partial device tree (multiboot,device-tree): its /passthrough
     * children and /aliases are copied in. NULL: none. */
    const void *partial;
};

/* Build into buf (size bytes). 0, or a negative libfdt error. */
int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_params *p);

#endif
