/* Reading one /chosen domain node into a checked description, before any
 * memory is touched: every property, the kernel's Image header, where the
 * device tree and ramdisk will go, which CPUs each vCPU may use. Portable
 * C: the hypervisor builds from it; the host fuzzes it (and will dry-run
 * configurations with it). */
#ifndef XAM_DOMAIN_DESC_H
#define XAM_DOMAIN_DESC_H

#include <xam/guest_fdt.h>
#include <xam/inflate.h>
#include <xam/hostdt.h>
#include <xam/pci_bridge.h>
#include <xam/virtio_dev.h>

#define DESC_MAX_VCPUS 128
/* A domain's name on the console, "(name) ...", is its node name cut to
 * DESC_NAME_MAX - 1 characters: two domains must differ within them. */
#define DESC_NAME_MAX 32
/* The longest kernel command line a guest's device tree carries (its
 * /chosen/bootargs; the tree has GUEST_FDT_MAX bytes for everything). */
#define DESC_MAX_BOOTARGS 4096
#define DESC_MAX_CPUS 64
#define DESC_MAX_BANKS 8
#define DESC_MAX_PASSTHROUGH 8

/* xen,reg of a passthrough node: host MMIO mapped into the guest. */
struct desc_mmio {
    paddr_t host, guest;
    uint64_t size;
};

/* Static shared memory (Xen's xen,domain-shared-memory-v1 children,
 * domain_shm.c): one region, named by its xen,shm-id, mapped into every
 * domain that names it, each at its own guest address. */
#define DESC_MAX_SHM 8
#define DESC_SHM_ID_MAX 16 /* Xen's MAX_SHM_ID_LENGTH, its NUL included */
enum desc_shm_role {
    SHM_ROLE_NONE, /* no role: a borrower of a region no domain owns (Xen's DOMID_IO) */
    SHM_ROLE_OWNER,
    SHM_ROLE_BORROWER,
};
struct desc_shm {
    int node; /* the xen,domain-shared-memory-v1 child */
    const char *name; /* its node name */
    const char *id; /* xen,shm-id (in the host device tree) */
    bool host_given; /* false: the hypervisor allocates it (Xen 4.19) */
    paddr_t pa; /* host address: given, or set when the region is claimed */
    paddr_t ipa;
    uint64_t size;
    enum desc_shm_role role;
};

/* A static event channel (Xen's xen,evtchn-v1 child, domain_evtchn.c):
 * its port in this domain, bound before the domain starts to the port of
 * the node it names, in the peer domain. */
#define DESC_MAX_EVTCHN 16
struct desc_evtchn {
    int node; /* the xen,evtchn-v1 child */
    int remote; /* the other end's node, which names this one back */
    int peer; /* the xen,domain node holding the other end (may be this one) */
    unsigned port, remote_port;
};

/* xen,enhanced: absent/"disabled" give no PV interfaces (no hypervisor
 * node); the others all give them (there is no xenstore here). */
enum desc_enhanced {
    ENHANCED_NONE,
    ENHANCED_ENABLED,
    ENHANCED_NO_XENSTORE,
    ENHANCED_LEGACY,
    ENHANCED_DISABLED,
};

struct domain_desc {
    int node;
    const char *name;
    uint64_t mem;
    unsigned ipa_bits; /* the guest physical address space's size */
    /* Guest RAM as segments in guest-physical order. Dynamic memory: bank
     * 0 at 0x40000000 (up to 3 GiB), then bank 1 at 0x200000000. Static
     * memory (xen,static-mem): one segment per host range, packed the
     * same way, or at their host addresses with direct-map. */
    unsigned nr_banks;
    struct desc_bank banks[DESC_MAX_BANKS];
    bool static_mem, direct_map;
    /* where its GIC and vPL011 are: the guest map's, or with direct-map
     * the host's (Xen's rule) */
    struct guest_layout layout;
    /* The partial device tree (multiboot,device-tree), checked: its
     * /passthrough nodes' MMIO, and the tree to copy them from. */
    const void *partial;
    unsigned nr_mmio;
    struct desc_mmio mmio[DESC_MAX_PASSTHROUGH];
    /* host SPIs (INTIDs) its passthrough nodes' interrupts name; bit i
     * of irq_edge: irqs[i] is rising-edge (else level-high) */
    unsigned nr_irqs;
    unsigned irqs[DESC_MAX_PASSTHROUGH];
    uint32_t irq_edge;
    unsigned vcpus;
    bool vpl011;
    const struct hostdt_module *kernel, *ramdisk, *partial_dtb;
    const char *bootargs;
    uint64_t text_offset, image_size;
    /* A gzip-compressed Image: decompressed into guest RAM; kernel_size
     * is the Image's size (else the module's). */
    bool kernel_gzip;
    uint64_t kernel_size;
    /* The kernel's whole 2 MiB chunks are mapped read-only into the guest
     * where the boot loader put them, and copied on first write
     * (core/guest_ram.c): it sits 2 MiB-aligned, has text_offset 0, is
     * not compressed, and the domain has dynamic memory and no
     * passthrough devices. The module is never written. */
    bool kernel_in_place;
    uint64_t kernel_mapped; /* bytes read from the module (whole 2 MiB chunks) */
    /* guest addresses, decided before anything is allocated */
    paddr_t dtb, initrd;
    enum desc_enhanced enhanced;
    bool has_bridge;
    struct pci_bridge bridge;
    int device_model; /* node of the domain serving the bridge, or -1 */
    bool hold; /* start only once the device model is connected */
    /* The virtio devices its device model serves on the bridge (child
     * nodes, ours), sorted by PCI slot. */
    unsigned nr_virtio;
    struct virtio_dev virtio[VIRTIO_MAX_DEVS];
    /* its static event channels, in node order */
    unsigned nr_evtchn;
    struct desc_evtchn evtchn[DESC_MAX_EVTCHN];
    /* physical CPUs each vCPU may run on (bit n: CPU n) */
    uint64_t allowed[DESC_MAX_VCPUS];
    /* its xen,cpupool node (-1: none, Pool-0: the CPUs in no pool), and
     * whether the pool's cpupool-sched is "null": each vCPU a CPU of its
     * own (domain_plan.c picks them) */
    int pool;
    bool pool_null;
    /* max_grant_frames, max_maptrack_frames: its grant-table limits, in
     * frames (0: absent, Xen's defaults) */
    unsigned max_grant_frames, max_maptrack_frames;
    /* Xen's trap-unmapped-accesses = <0>: an access to an address with
     * neither RAM nor a device reads all ones, a write is ignored (else
     * it traps: the domain is stopped) */
    bool unmapped_reads_ones;
    /* Xen's nr_spis: the vGIC's SPIs (0: absent, what its devices need) */
    unsigned nr_spis;
    /* Xen's sve (4.18): the longest SVE vector length it may use, in
     * bits (0: no SVE; DESC_SVE_HOST_MAX: the machine's longest, in the
     * dry run, which does not know it) */
    unsigned sve_bits;
    /* static shared memory regions it maps, in node order */
    unsigned nr_shm;
    struct desc_shm shm[DESC_MAX_SHM];
};

/* sve: Xen's limits (SVE_VL_MAX_BITS, SVE_VL_MULTIPLE_VAL) */
#define DESC_SVE_MAX 2048
#define DESC_SVE_STEP 128
#define DESC_SVE_HOST_MAX 0xffffffffu
#define DESC_SVE_UNKNOWN 0xffffffffu

/* What the description depends on besides the device tree. */
struct builder_env {
    unsigned nr_cpus;
    uint64_t cpu_mpidr[DESC_MAX_CPUS]; /* CPU n's MPIDR (n as the hypervisor numbers them) */
    uint64_t online; /* bit n: CPU n runs vCPUs */
    unsigned ipa_bits; /* guest physical address size */
    /* The longest SVE vector length all CPUs have, in bits (0: no SVE);
     * DESC_SVE_UNKNOWN where the machine is not there to ask (the dry
     * run): a length is then checked only as Xen's binding allows it. */
    unsigned sve_max_bits;
    /* The first 64 bytes of a module (its Image header), or NULL. */
    const uint8_t *(*module_header)(const struct hostdt_module *m, void *ctx);
    /* A whole module's bytes (m->size of them), or NULL if they cannot be
     * read here: for partial device trees. */
    const void *(*module_data)(const struct hostdt_module *m, void *ctx);
    /* Scratch for decompressing a gzip kernel's header (NULL: gzip kernels
     * are refused). */
    struct inflate_work *inflate_work;
    void *ctx;
    /* Pool-0's CPUs (online, in no xen,cpupool), worked out once by
     * domain_descs_plan() for all its domains; else by each description */
    bool pool0_known;
    uint64_t pool0;
};

/* Pool-0's CPUs, as Xen has it: the online CPUs in no xen,cpupool of
 * /chosen, where the domains without domain-cpupool run. */
uint64_t domain_desc_pool0(const struct hostdt *h, const struct builder_env *env);

/* Describe the domain node at offset node. False (with a reason naming the
 * node and property in err) if the domain must be skipped. */
bool domain_describe(const struct hostdt *h, int node, const struct builder_env *env, struct domain_desc *dd,
                     struct hostdt_error *err);

/* Whether the domain gets Xen's PV interfaces (the hypervisor node). */
static inline bool domain_desc_enhanced(const struct domain_desc *dd)
{
    return dd->enhanced != ENHANCED_NONE && dd->enhanced != ENHANCED_DISABLED;
}

/* Told of each domain the checks between domains refuse (ok[i] is then
 * false), with the reason naming the property. */
typedef void (*desc_refuse_fn)(unsigned i, const char *why, void *ctx);

/* The checks between domains, in /chosen order, shared by the hypervisor
 * and xam-dryrun so both refuse the same ones. dd[0..n), ok[i]: whether
 * domain i is still to be built.
 * First come, first served: refuse a domain that asks for what an earlier
 * one has (domain_desc_conflict()). */
void domain_descs_conflicts(const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse, void *ctx);
/* Refuse every domain whose device model is refused, and in turn the
 * guests those serve. Run again whenever a domain drops out later. */
void domain_descs_orphans(const void *fdt, const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse,
                          void *ctx);

/* The builder's first phase, one code for the hypervisor and xam-dryrun
 * (they drifted apart when each had its own): describe every /chosen
 * xen,domain node (at most max; the rest are refused), then the checks
 * between domains, then claim() if given (the hypervisor takes static
 * memory there), then the orphans. Returns n, the entries of dd[] and
 * ok[] filled. */
struct desc_plan_ops {
    /* A problem of the domain's own that describing it cannot see (the
     * dry run: a module file that does not match), written to why; NULL:
     * none. May be NULL. */
    const char *(*precheck)(int node, char *why, size_t len, void *ctx);
    /* A domain refused on its own: msg names the node and property. */
    void (*rejected)(int node, const char *msg, void *ctx);
    /* A domain refused by the checks between domains or as an orphan. */
    desc_refuse_fn refused;
    /* Between the conflicts and the orphans; may be NULL. */
    void (*claim)(struct domain_desc *dd, bool *ok, unsigned n, void *ctx);
};
unsigned domain_descs_plan(const struct hostdt *h, const struct builder_env *env, struct domain_desc *dd, bool *ok,
                           unsigned max, const struct desc_plan_ops *ops, void *ctx);
/* The compatible of the host's first CPU, which guests' cpu nodes copy. */
const char *domain_desc_cpu_compatible(const void *fdt);
/* Domain i's device-model client list for its tree: the accepted domains
 * it serves, with the ids they get (id[j], 0: none), their RAM and
 * devices, and where their disk modules go in its guest physical space
 * (gp->pmem: the hypervisor maps each there). If dd[i] has a bridge, its
 * own device model's id too (gp->bridge_backend). */
void domain_desc_add_clients(const struct domain_desc *dd, const bool *ok, const unsigned *id, unsigned n, unsigned i,
                             struct guest_fdt_params *gp);

/* The module-backed disks of the guests a device model serves must fit
 * its pmem window (guest_map.h): first come, first served, a guest whose
 * disks do not fit any more is refused (run with the conflicts). */
void domain_descs_pmem(const void *fdt, const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse,
                       void *ctx);

/* What two domains cannot both have: the same host static memory,
 * passthrough MMIO or interrupt. True (and the reason, naming what) if b
 * conflicts with a, which was accepted first. */
bool domain_desc_conflict(const struct domain_desc *a, const struct domain_desc *b, char *why, size_t len);

/* Static shared memory between domains (domain_shm.c). What b, accepted
 * after a, cannot have: the region a shares under the same xen,shm-id
 * with another size or host address, a second owner, a region overlapping
 * another one's host range, or either's static memory. True and the
 * reason (naming the region's node and property) if b is refused. */
bool domain_shm_conflict(const struct domain_desc *a, const struct domain_desc *b, char *why, size_t len);
/* The distinct regions the domains still to be built (ok[i]) share, by
 * xen,shm-id, in /chosen order of their first user: at most max, into r.
 * Each points at its first user's entry (whose host address is the
 * region's, when given). */
unsigned domain_shm_regions(const struct domain_desc *dd, const bool *ok, unsigned n, const struct desc_shm **r,
                            unsigned max);
/* Region id is at host pa (claimed or allocated): every entry naming it. */
void domain_shm_set_host(struct domain_desc *dd, unsigned n, const char *id, paddr_t pa);
/* Whether domain i (ok) shares region id. */
bool domain_shm_uses(const struct domain_desc *dd, const char *id);

/* The guest device tree's contents for dd, on a host with this GIC version
 * and first-CPU compatible (NULL: none). */
void domain_desc_fdt_params(const struct domain_desc *dd, unsigned gic_version, const char *cpu_compatible,
                            struct guest_fdt_params *gp);

#endif
