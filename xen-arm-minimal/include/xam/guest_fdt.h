/* Writes a domain's own device tree: what an unmodified Linux needs, laid
 * out as Xen's dom0less builder does (root cells 2/2, GIC phandle 65000).
 * Portable C: also built on the host. */
#ifndef XAM_GUEST_FDT_H
#define XAM_GUEST_FDT_H

#include <xam/guest_map.h>
#include <xam/pci_bridge.h>
#include <xam/types.h>
#include <xam/virtio_dev.h>

#define GUEST_GIC_PHANDLE 65000
#define GUEST_FDT_MAX 0x10000
#define GUEST_FDT_MAX_CLIENTS 16
#define GUEST_FDT_MAX_EXT 2
#define GUEST_FDT_MAX_SHM 8
/* a device model's pmem regions' phandles: GUEST_PMEM_PHANDLE + index
 * (the GIC's is 65000, the bridge's 65001, xen-grant-dma's 65002) */
#define GUEST_PMEM_PHANDLE 65003

/* A guest RAM range as the builder lays it out: guest physical, and
 * (static memory) where it is on the host (else 0). */
struct desc_bank {
    paddr_t ipa;
    uint64_t size;
    paddr_t pa;
};

/* A disk module mapped into a device model: what its pmem node says. */
struct guest_pmem {
    paddr_t ipa, pa;
    uint64_t size;
    bool read_only;
};

struct guest_fdt_params {
    unsigned nr_vcpus;
    unsigned nr_banks;
    struct {
        paddr_t base;
        uint64_t size;
    } banks[8];
    unsigned gic_version; /* 2 or 3 */
    /* where its GIC and vPL011 are; NULL: the guest map's (Xen's) */
    const struct guest_layout *layout;
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
    /* the domain id of the device model serving the bridge: with the
     * grants flag, the backend domid its iommu-map gives Linux */
    unsigned bridge_backend;
    /* A device model: the guests it serves. */
    unsigned nr_clients;
    struct {
        unsigned domid;
        const char *name;
        const struct pci_bridge *bridge;
        bool hold;
        /* its RAM (the addresses its devices may be handed) */
        const struct desc_bank *banks;
        unsigned nr_banks;
        /* the devices it gets, sorted by slot */
        const struct virtio_dev *devs;
        unsigned nr_devs;
    } clients[GUEST_FDT_MAX_CLIENTS];
    /* A device model: its clients' disk modules, mapped into it; a
     * module-backed blk device names the region of its disk_pa. */
    unsigned nr_pmem;
    struct guest_pmem pmem[GUEST_PMEM_MAX];
    /* Static shared memory: /reserved-memory/xen-shmem@<guest address>
     * nodes, as Xen writes them (xen,id is the region's xen,shm-id). */
    unsigned nr_shm;
    struct {
        paddr_t base;
        uint64_t size;
        const char *id;
    } shm[GUEST_FDT_MAX_SHM];
    /* Partial device tree (multiboot,device-tree): its /passthrough
     * children and /aliases are copied in. NULL: none. */
    const void *partial;
};

/* Build into buf (size bytes). 0, or a negative libfdt error. */
int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_params *p);

#endif
