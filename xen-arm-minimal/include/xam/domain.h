/* Domains and their virtual CPUs: the objects the builder creates and the
 * scheduler runs. */
#ifndef XAM_DOMAIN_H
#define XAM_DOMAIN_H

#include <asm/spinlock.h>
#include <asm/stage2.h>
#include <asm/vcpu_arch.h>
#include <xam/emul.h>
#include <xam/guest_console.h>
#include <xam/guest_map.h>
#include <xam/ioreq.h>
#include <xam/pci_bridge.h>
#include <xam/dm_console.h>
#include <xam/domain_input.h>
#include <xam/pvconsole.h>
#include <xam/types.h>
#include <xam/vintc.h>

#define DOMAIN_NAME_MAX 32
#define DOMAIN_MAX_VCPUS 128 /* Xen's MAX_VIRT_CPUS on arm64; GICv2 guests 8 */
#define DOMAIN_MAX_BANKS 8
#define MAX_DOMAINS 64
#define DOMAIN_MAX_RELEASE 8

/* A vCPU's life (docs/domains.md, "Lifecycle"). Only the CPU a vCPU
 * belongs to loads, runs and saves it; the transitions other CPUs make
 * (CPU_ON, a wake-up) are compare-and-swaps on this field. */
enum vcpu_state {
    VCPU_OFF, /* never started, or off and saved: CPU_ON may start it */
    VCPU_RUNNABLE, /* on its CPU's run queue, or running */
    VCPU_BLOCKED, /* in WFI: an interrupt (or its timer) wakes it */
    VCPU_WAITING, /* an emulated access is pending: its answer wakes it */
    VCPU_OFFLINING, /* called CPU_OFF: VCPU_OFF once its CPU has saved it */
};

struct domain;
struct evtchn_domain;
struct p2m_table;

struct vcpu {
    struct vcpu_arch arch; /* first: guest registers are at offset 0 */
    struct domain *dom;
    unsigned id;
    unsigned pcpu; /* physical CPU whose run queue holds it */
    volatile enum vcpu_state state;
    /* run queue link (under the queue's lock) */
    struct vcpu *next_in_queue;
    bool queued;
    /* sleeper list link (only its CPU touches it) */
    struct vcpu *next_sleeper;
    bool sleeping;
    /* Blocked in WFI: physical counter value at which its virtual timer
     * fires (0: no timer armed). */
    uint64_t wake_at;
    /* The MMIO access being emulated (in the vCPU, not on the stack: the
     * trap path needs no stack canary for it) */
    struct mmio_access access;
    /* The MMIO access it waits on (VCPU_WAITING). */
    struct {
        bool active; /* an access is pending */
        bool done, fault; /* answered (under its run-queue lock) */
        uint64_t esr; /* the access: its syndrome says width, register, sign */
        uint64_t value, far;
    } pending;
    /* VCPUOP_register_vcpu_info: where its vcpu_info lives (IPA; 0: in
     * shared_info) */
    paddr_t vcpu_info;
    /* An event-channel upcall was raised: checked before each entry until
     * the guest has cleared evtchn_upcall_pending (core/evtchn.c). Set
     * atomically from other CPUs; the entry tests it with a plain load, as
     * pending.done (a missed update is caught by the kick that follows
     * the raise). */
    bool evtchn_raised;
    /* Halt polling (sched_block): while its CPU spins on its WFI, an
     * interrupt for it sets poll_news instead of sending the CPU a kick
     * (sched_poll_notify). */
    bool halt_polling, poll_news;
};

struct ram_chunk;

/* A bank of guest RAM: [ipa, ipa+size) backed by host memory at pa
 * (core/guest_ram.c). */
struct guest_bank {
    paddr_t ipa;
    paddr_t pa;
    uint64_t size;
    bool is_static; /* xen,static-mem: never freed */
    /* made ready on first touch, 2 MiB at a time: each chunk's state
     * (NULL: the whole bank was made ready when it was given) */
    struct ram_chunk *chunks;
    /* a kernel mapped in place: where the module would begin if it began
     * at the bank (its chunks are read from it until written) */
    paddr_t pristine;
};

/* A domain's life. Transitions are made under the domain's lock by
 * core/lifecycle.c, and only along these arrows:
 *   BUILDING -> RUNNING -> STOPPING -> DEAD
 *                      \-> RESETTING -> REBUILDING -> RUNNING (or DEAD)
 * STOPPING and RESETTING wait until no CPU has one of its vCPUs loaded;
 * the memory is then released by a deferred job, outside the scheduler's
 * interrupts-masked path, which for a reset also rebuilds the domain. */
/* The consoles a domain writes to, each its own line buffer. */
enum console_source {
    CONSOLE_VPL011,
    CONSOLE_XEN_IO, /* HYPERVISOR_console_io: Linux's early xenboot/hvc */
    CONSOLE_XEN_RING, /* its Xen PV console ring (hvc_xen) */
    CONSOLE_VIRTIO, /* its virtio-console, written by its device model */
    CONSOLE_SOURCES
};

enum domain_state {
    DOMAIN_BUILDING,
    DOMAIN_RUNNING,
    DOMAIN_STOPPING,
    DOMAIN_RESETTING,
    DOMAIN_REBUILDING,
    DOMAIN_DEAD,
};

struct domain {
    unsigned id;
    char name[DOMAIN_NAME_MAX];
    spinlock_t lock; /* state, release_queued */
    volatile enum domain_state state;
    struct stage2 s2;
    unsigned nr_banks;
    struct guest_bank banks[DOMAIN_MAX_BANKS];
    /* some bank is made ready on first touch; ram_lock orders the
     * changes of its chunks (core/guest_ram.c) */
    bool lazy_ram;
    spinlock_t ram_lock;
    unsigned nr_vcpus;
    struct vcpu *vcpus; /* nr_vcpus of them, allocated with the domain */
    unsigned vcpus_on; /* started and not turned off (CPU_ON minus CPU_OFF) */
    struct mmio_map mmio;
    /* its virtual interrupt controller, installed by the vGIC */
    const struct vintc_ops *intc;
    void *intc_state;
    struct vpl011 *vpl011;
    spinlock_t console_lock;
    /* a line buffer per console it writes to: two consoles written at
     * once (the kernel on its vPL011, a program's echo on hvc0) must not
     * cut each other's lines */
    struct guest_console console[CONSOLE_SOURCES];
    uint64_t cntvoff; /* guests' counters start near zero */
    bool enhanced; /* has the hypervisor node (Xen PV interfaces) */
    struct pvconsole pvcons; /* its Xen PV console, with the hypervisor node */
    struct dm_console dmcons; /* its virtio-console's input, for its device model */
    struct domain_input input; /* typed for it, waiting for its consoles */
    bool direct_mapped;
    /* Xen's trap-unmapped-accesses = <0>: an access to neither RAM nor a
     * device reads all ones and ignores writes, instead of stopping it */
    bool unmapped_reads_ones;
    /* Xen's sve: its vCPUs' SVE vector length in bits (0: SVE hidden and
     * undefined), and their Z/P/FFR state, sve_state_size(sve_bits)
     * bytes each, in vCPU order (domain_set_sve) */
    unsigned sve_bits;
    void *sve_state;
    /* where its vGIC and vPL011 are (the guest map's unless direct-mapped) */
    struct guest_layout layout;
    paddr_t shared_info; /* IPA given by XENMEM_add_to_physmap; 0: none */
    struct evtchn_domain *evtchn; /* its event channels (core/evtchn.c) */
    /* Its grant table and the grant mappings it holds (core/grant_table.c,
     * made on first use, gone when it stops); the limits its domain node
     * gives, in frames (0: Xen's defaults, 64 and 1024). */
    struct gnttab *gnttab;
    unsigned max_grant_frames, max_maptrack_frames;
    /* Its stage 2's changes since the build (core/p2m.c): extra mappings
     * and balloon holes; and how many of its pages others map. */
    struct p2m_table *p2m;
    unsigned p2m_lent;
    /* The secondary emulated PCI host bridge, and who serves it. */
    bool has_bridge;
    struct pci_bridge bridge;
    struct domain *device_model;
    bool held; /* vCPU 0 waits for the device model to connect */
    /* hold-until-device-model: held at every start, the first and each
     * after a reset (its device model must connect again: the reset took
     * its ioreq servers) */
    bool hold;
    struct ioreq_state ioreq;
    /* What its devices must free when its memory is released. */
    unsigned nr_on_release;
    struct {
        void (*fn)(struct domain *d, void *arg);
        void *arg;
    } on_release[DOMAIN_MAX_RELEASE];
    /* where vCPU 0 starts (a held domain starts later) */
    paddr_t start_entry;
    uint64_t start_x0;
    unsigned refusals; /* accesses its devices refused (the first is logged) */
    unsigned active; /* vCPUs taken off a run queue and not yet put back */
    bool release_queued; /* the release job is on its way */
    struct domain *next_job;
};

/* Every domain created so far (stopped ones included), by creation order. */
extern struct domain *domains[MAX_DOMAINS];
extern unsigned nr_domains;
/* The domain with this id, or NULL. */
struct domain *domain_by_id(uint64_t id);

/* An empty domain (DOMAIN_BUILDING) with a stage-2 table and nr_vcpus
 * vCPUs, all off. */
int domain_create(const char *name, unsigned nr_vcpus, struct domain **out);
/* Whether the domains created from now on have their stage 2 in 4 KiB
 * pages only (else 2 MiB and 1 GiB blocks wherever alignment allows):
 * chosen at boot (common/setup.c, docs/architecture.md "Stage 2"). */
void domain_set_stage2_pages(bool pages);
/* Give d's vCPUs SVE with bits-long vectors (a length every CPU gives):
 * their state is allocated once, kept across resets. */
int domain_set_sve(struct domain *d, unsigned bits);
/* Back [ipa, ipa+size) with freshly allocated RAM, zero as the guest
 * sees it. lazy: zeroed and mapped on first touch, 2 MiB at a time (a
 * domain without passthrough devices); else now. (core/guest_ram.c) */
int domain_add_ram(struct domain *d, paddr_t ipa, uint64_t size, bool lazy);
/* Back [ipa, ipa+size) with the host memory at pa (static memory the
 * builder has claimed), zeroed now. */
int domain_add_static_ram(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size);
/* [ipa, ipa+len) of a lazy bank just added reads from the host memory at
 * src (a boot module, never written): mapped read-only, each 2 MiB chunk
 * copied into the bank on its first write (a kernel mapped in place).
 * All three 2 MiB-aligned. */
int domain_ram_map_pristine(struct domain *d, paddr_t ipa, paddr_t src, uint64_t len);
/* The stage-2 fault at ipa was the first touch of a chunk of d's RAM:
 * made ready, the access is to be retried. */
bool guest_ram_fault(struct domain *d, paddr_t ipa);
/* Map host device memory into the guest (passthrough, the GICv2 CPU
 * interface). */
int domain_map_device(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size);
int domain_add_mmio(struct domain *d, const struct mmio_region *r);
/* fn(d, arg) runs when d's memory is released (a device freeing its
 * state), newest first. */
int domain_on_release(struct domain *d, void (*fn)(struct domain *d, void *arg), void *arg);
/* Host address of guest RAM [ipa, ipa+len), made ready (its contents
 * what the guest sees), or NULL if not all guest RAM. The address stays
 * good while the domain has its RAM. */
void *domain_ram_ptr(struct domain *d, paddr_t ipa, uint64_t len);
/* While building: host address of guest RAM [ipa, ipa+len) that the
 * builder is about to write whole (bytes of partly covered pages are
 * zeroed, the rest of its chunks left for their first touch). */
void *domain_ram_for_load(struct domain *d, paddr_t ipa, uint64_t len);
/* Its console: n bytes it wrote to one of its consoles, printed as
 * "(name) text" lines, each console's lines whole; the focused domain's
 * as they are written (xam/guest_console.h). */
void domain_console_write(struct domain *d, enum console_source src, const char *buf, size_t n);
/* The console's input moved to d (NULL: to the hypervisor): d's output is
 * live from now on, its pending partial lines shown now; the domain that
 * had the focus goes back to whole lines. */
void domain_console_focus(struct domain *d);

/* For the lifecycle: free its RAM and stage-2 tables; make it empty again
 * (new stage 2, no RAM, no devices) for a rebuild. */
void domain_free_ram(struct domain *d);
int domain_reinit(struct domain *d);
/* Its banks freed (core/guest_ram.c; p2m_release() keeps what others
 * map). */
void domain_ram_release(struct domain *d);

/* ---- lifecycle (core/lifecycle.c) ---- */
/* BUILDING -> RUNNING and vCPU 0 started at (entry, x0); or, held, left
 * for domain_start_held(). */
void domain_start(struct domain *d, paddr_t entry, uint64_t x0, bool held);
/* Start a held domain's vCPU 0 (its device model connected). */
void domain_start_held(struct domain *d);
/* RUNNING -> STOPPING -> DEAD: vCPUs stopped, memory freed once none is
 * loaded; powers the machine off when no domain is left running. */
void domain_shutdown(struct domain *d, const char *why);
/* RUNNING -> RESETTING -> REBUILDING -> RUNNING: as shutdown, then built
 * again from its boot modules by the rebuild hook. */
void domain_reset(struct domain *d, const char *why);
/* A domain that failed to build: BUILDING -> DEAD, memory freed. */
void domain_abandon(struct domain *d, const char *why);
unsigned domains_running(void);
const char *domain_state_name(enum domain_state s);

/* Who rebuilds a reset domain (the builder registers itself at boot; the
 * core does not call up into it): fill the emptied domain again and say
 * where vCPU 0 starts. 0 or a negative error. */
typedef int (*domain_rebuild_fn)(struct domain *d, paddr_t *entry, uint64_t *x0);
void domain_set_rebuild_hook(domain_rebuild_fn fn);
/* Called for every domain that stops or resets (its vCPUs are off), so
 * services below the builder can let go of it (forwarded interrupts, ...). */
typedef void (*domain_stop_fn)(struct domain *d);
int domain_add_stop_hook(domain_stop_fn fn);

/* ---- vCPUs (core/lifecycle.c) ---- */
/* PSCI CPU_ON: start v at (entry, x0) with its reset state. 0, or
 * PSCI_ALREADY_ON (-4) if it is not off. */
int vcpu_on(struct vcpu *v, uint64_t entry, uint64_t x0);
/* PSCI CPU_OFF by v itself; the last vCPU of a domain to go off powers
 * the domain off. */
void vcpu_off(struct vcpu *v);
/* Give v an interrupt through its domain's controller. */
void vcpu_inject_irq(struct vcpu *v, unsigned intid);

/* ---- for the scheduler ---- */
/* v was taken off a run queue / is done on its CPU (CPU_OFF completes
 * here; a stopping domain with no vCPU loaded is released). */
void domain_vcpu_unloaded(struct vcpu *v);
/* Run the deferred jobs (releases, rebuilds); interrupts enabled. */
void domain_run_jobs(void);
bool domain_jobs_pending(void);

#endif
