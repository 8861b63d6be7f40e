/* Domains and their virtual CPUs: the objects the builder creates and the
 * scheduler runs. */
#ifndef XAM_DOMAIN_H
#define XAM_DOMAIN_H

#include <asm/spinlock.h>
#include <asm/stage2.h>
#include <asm/vcpu_arch.h>
#include <xam/mmio.h>
#include <xam/pci_bridge.h>
#include <xam/vgic.h>
#include <xam/types.h>

#define DOMAIN_NAME_MAX 32
#define DOMAIN_MAX_VCPUS 8
#define DOMAIN_MAX_MMIO 8
#define DOMAIN_MAX_BANKS 8
#define MAX_DOMAINS 64
#define DOMAIN_MAX_IOREQ 2
#define IOREQ_MAX_RANGES 8

enum vcpu_state {
    VCPU_OFF,      /* not started (waits for PSCI CPU_ON) or stopped */
    VCPU_RUNNABLE, /* on a run queue or running */
    VCPU_BLOCKED,  /* in WFI, waiting for an interrupt */
};

struct domain;

struct vcpu {
    struct vcpu_arch arch; /* first: guest registers are at offset 0 */
    struct domain *dom;
    unsigned id;
    unsigned pcpu; /* physical CPU whose run queue holds it */
    volatile enum vcpu_state state;
    struct vcpu *next_in_queue;
    bool queued;
    struct vgic_cpu vgic;
    /* Blocked in WFI: physical counter value at which its virtual timer
     * fires (0: no timer armed). */
    uint64_t wake_at;
    /* VCPUOP_register_vcpu_info: where its vcpu_info lives (IPA; 0: in
     * shared_info) */
    paddr_t vcpu_info;
};

/* A device model's registration for one guest (dm_op ioreq server). */
struct ioreq_server {
    bool used, enabled;
    struct domain *dm;
    unsigned nr_ranges;
    struct {
        uint64_t start, end; /* inclusive, guest physical */
    } ranges[IOREQ_MAX_RANGES];
};

struct guest_bank {
    paddr_t ipa;
    paddr_t pa;
    uint64_t size;
    bool is_static; /* xen,static-mem or a kernel in place: never freed */
};

enum domain_state {
    DOMAIN_RUNNING,
    DOMAIN_SHUTDOWN,  /* stopped; its memory is freed */
    DOMAIN_RESETTING, /* stopping, to be rebuilt from its boot modules */
};

struct domain {
    unsigned id;
    char name[DOMAIN_NAME_MAX];
    volatile enum domain_state state;
    struct stage2 s2;
    unsigned nr_banks;
    struct guest_bank banks[DOMAIN_MAX_BANKS];
    unsigned nr_vcpus;
    struct vcpu vcpus[DOMAIN_MAX_VCPUS];
    unsigned nr_mmio;
    struct mmio_region mmio[DOMAIN_MAX_MMIO];
    struct vpl011 *vpl011;
    struct vgic_dist vgic;
    uint64_t cntvoff; /* guests' counters start near zero */
    bool enhanced;    /* has the hypervisor node (Xen PV interfaces) */
    bool direct_mapped;
    paddr_t shared_info; /* IPA given by XENMEM_add_to_physmap; 0: none */
    /* The secondary emulated PCI host bridge, and who serves it. */
    bool has_bridge;
    struct pci_bridge bridge;
    struct domain *device_model;
    bool held; /* vCPU 0 waits for the device model to connect */
    spinlock_t ioreq_lock;
    struct ioreq_server ioreq[DOMAIN_MAX_IOREQ];
    unsigned active;  /* vCPUs loaded on a physical CPU right now */
    bool released;    /* memory given back (after shutdown, once) */
};

/* Every domain created so far (stopped ones included), by creation order. */
extern struct domain *domains[MAX_DOMAINS];
extern unsigned nr_domains;

/* An empty domain with a stage-2 table and nr_vcpus vCPUs (all off). */
int domain_create(const char *name, unsigned nr_vcpus, struct domain **out);
/* Back [ipa, ipa+size) with freshly allocated, zeroed RAM. */
int domain_add_ram(struct domain *d, paddr_t ipa, uint64_t size);
/* Back [ipa, ipa+size) with the host memory at pa (static memory the
 * builder has claimed), zeroed. */
int domain_add_static_ram(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size);
/* Give the guest the host memory at pa as RAM at ipa, as it is (a kernel
 * mapped in place); it is never freed. */
int domain_add_ram_in_place(struct domain *d, paddr_t ipa, paddr_t pa, uint64_t size);
int domain_add_mmio(struct domain *d, const struct mmio_region *r);
/* Host address of guest RAM [ipa, ipa+len), or NULL if not all guest RAM. */
void *domain_ram_ptr(struct domain *d, paddr_t ipa, uint64_t len);
/* Stop every vCPU, free the domain's memory; powers off when none is left. */
void domain_shutdown(struct domain *d, const char *why);
/* Stop every vCPU, then (once none is loaded anywhere) free the domain's
 * memory and build it again from its boot modules. */
void domain_reset(struct domain *d, const char *why);
/* For the builder: an emptied domain (new stage 2, no RAM, no devices,
 * vCPUs off), keeping its id, name, vCPU count and placement. */
int domain_reinit(struct domain *d);
unsigned domains_running(void);
/* Free a stopped domain's memory; the scheduler calls it once no vCPU of
 * the domain is loaded anywhere. */
void domain_release(struct domain *d);

#endif
