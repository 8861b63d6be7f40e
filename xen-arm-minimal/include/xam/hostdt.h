/* What the hypervisor reads from the host device tree. Parsed once, validated
 * as a whole, and kept in plain structs so the rest of the hypervisor never
 * walks the tree again. Builds on the host too (tests, dry-run tools). */
#ifndef XAM_HOSTDT_H
#define XAM_HOSTDT_H

#include <xam/dtutil.h>
#include <xam/memrange.h>

#define HOSTDT_MAX_BANKS 16
#define HOSTDT_MAX_RESERVED 32
#define HOSTDT_MAX_HEAP 8 /* xen,static-heap ranges */
#define HOSTDT_MAX_CPUS 64
#define HOSTDT_MAX_MODULES 128
#define HOSTDT_MAX_REDIST 8
/* Linux refuses device trees over 2 MiB; so do we, which bounds early mapping. */
#define HOSTDT_MAX_SIZE MiB(2)

enum psci_conduit {
    PSCI_CONDUIT_NONE,
    PSCI_CONDUIT_SMC,
    PSCI_CONDUIT_HVC,
};

enum module_kind {
    MODULE_KERNEL,
    MODULE_RAMDISK,
    MODULE_DEVICE_TREE,
    MODULE_OTHER, /* generic multiboot,module: its role comes from its position */
    /* a virtio-blk disk image (ours: "xen-arm-minimal,virtio-blk" with
     * reg), reserved as every module is, for good: the device model maps
     * it, and its contents outlive resets */
    MODULE_DISK,
};

struct hostdt_module {
    enum module_kind kind;
    paddr_t base;
    uint64_t size;
    int node; /* offset of the module node */
    int parent; /* offset of the node it sits under (a domain, or /chosen) */
    /* Why it cannot be used (outside RAM, overlapping the hypervisor...),
     * or NULL: the domain it belongs to is refused, not the machine. */
    const char *problem;
};

struct hostdt_gic {
    unsigned version; /* 2 or 3 */
    int node;
    uint32_t phandle;
    struct mrange dist;
    struct mrange cpu, hyp, vcpu; /* GICv2: GICC, GICH, GICV */
    struct mrange redist[HOSTDT_MAX_REDIST];
    unsigned nr_redist;
    unsigned maint_intid; /* 0 when the node has no "interrupts" */
};

/* INTIDs of the generic timer's interrupts; 0 when not described. */
struct hostdt_timer {
    unsigned sec_phys, phys, virt, hyp_phys, hyp_virt;
    uint32_t clock_frequency; /* 0: trust CNTFRQ_EL0 */
};

struct hostdt_uart {
    int node;
    char path[DT_PATH_MAX];
    paddr_t base;
    uint64_t size;
    unsigned intid; /* receive interrupt; 0: none described (output only) */
};

struct hostdt_error {
    char msg[320];
};

struct hostdt {
    const void *fdt;
    uint32_t fdt_size;
    const char *bootargs; /* never NULL */

    struct mrset mem;
    struct mrange mem_store[HOSTDT_MAX_BANKS];
    /* /memreserve/ entries and static /reserved-memory regions */
    struct mrset reserved;
    struct mrange reserved_store[HOSTDT_MAX_RESERVED];
    /* /chosen's xen,static-heap (Xen 4.17): the only RAM the hypervisor
     * allocates from (its own memory, guests' dynamic RAM); the rest is
     * for xen,static-mem. Empty: no static heap, all RAM is the heap. */
    struct mrset heap;
    struct mrange heap_store[HOSTDT_MAX_HEAP];

    unsigned nr_cpus;
    uint64_t cpu_mpidr[HOSTDT_MAX_CPUS];
    enum psci_conduit psci;
    int psci_node;

    struct hostdt_gic gic;
    struct hostdt_timer timer;
    struct hostdt_uart uart;

    unsigned nr_modules;
    struct hostdt_module modules[HOSTDT_MAX_MODULES];
};

/* Validate fdt (at most buf_size bytes are readable) and read it into h.
 * hv is the hypervisor image's range: modules must not overlap it (size 0 on
 * the host, where there is no image). On error returns a negative number and
 * a one-line reason naming the node and property in err. */
int hostdt_parse(struct hostdt *h, const void *fdt, size_t buf_size, const struct mrange *hv, struct hostdt_error *err);

/* What running at EL2 needs beyond a well-formed tree (PSCI not over HVC):
 * 0, or the reason in err. The hypervisor and xam-dryrun both call it. */
int hostdt_check_el2(const struct hostdt *h, struct hostdt_error *err);

const char *module_kind_name(enum module_kind k);

#endif
