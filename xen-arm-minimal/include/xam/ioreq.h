/* ioreq servers: a device-model domain's registration to serve a guest's
 * emulated ranges (Xen's ioreq-server model). The state lives here, in the
 * core; hypercall/dm_op.c and memory_op.c only decode the device model's
 * requests into these calls. "Connected" (the readiness register reads 1,
 * a held guest starts) means an enabled server exists for the guest.
 *
 * Forwarding: a guest access inside a range an enabled server mapped is
 * written into that server's ioreq page (Xen's struct ioreq, one slot per
 * guest vCPU), the vCPU waits (EMUL_PENDING), and the device model is
 * signalled on the slot's event channel (vp_eport, a hypervisor port of
 * the guest that the device model binds to). When it has answered
 * (IORESP_READY) and signals back, the access completes. A device model
 * that stops answers every access it left waiting with all-ones (reads)
 * or nothing (writes): the guest goes on, as on a bus with nothing there. */
#ifndef XAM_IOREQ_H
#define XAM_IOREQ_H

#include <asm/spinlock.h>
#include <xam/emul.h>
#include <xam/types.h>

#define IOREQ_MAX_SERVERS 2
#define IOREQ_MAX_RANGES 8
#define IOREQ_VCPUS 128 /* DOMAIN_MAX_VCPUS: checked in ioreq.c */

struct domain;
struct vcpu;

enum ioreq_range_type { IOREQ_RANGE_MEMORY, IOREQ_RANGE_PCI };

struct ioreq_server {
    bool used, enabled;
    struct domain *dm;
    unsigned nr_ranges;
    struct {
        enum ioreq_range_type type;
        uint64_t start, end; /* inclusive: guest physical, or PCI SBDF */
    } ranges[IOREQ_MAX_RANGES];
    unsigned ports[IOREQ_VCPUS]; /* the guest's hypervisor port per vCPU */
};

struct ioreq_state {
    spinlock_t lock;
    struct ioreq_server servers[IOREQ_MAX_SERVERS];
    /* Each server slot's ioreq page, allocated on first use and kept for
     * the hypervisor's life (a device model may keep it mapped past the
     * server): at most two pages a guest. */
    paddr_t pages[IOREQ_MAX_SERVERS];
    /* The server a vCPU's access waits on, plus one (0: none). */
    uint8_t inflight[IOREQ_VCPUS];
    /* Told when the guest's connection comes or goes (the bridge answers
     * the vCPUs waiting on its readiness register). */
    void (*on_change)(struct domain *t, bool connected);
};

/* Each returns 0 or a negative XAM error. dm must be t's device model
 * (the caller checks). */
int ioreq_create(struct domain *t, struct domain *dm, uint16_t *id);
int ioreq_map_range(struct domain *t, uint16_t id, enum ioreq_range_type type, uint64_t start, uint64_t end);
int ioreq_unmap_range(struct domain *t, uint16_t id, enum ioreq_range_type type, uint64_t start, uint64_t end);
int ioreq_set_state(struct domain *t, uint16_t id, bool enabled);
int ioreq_destroy(struct domain *t, uint16_t id);
/* The host address of server id's ioreq page (acquire_resource). */
int ioreq_page(struct domain *t, uint16_t id, paddr_t *pa);
/* Whether t's device model has an enabled server for it. */
bool ioreq_connected(struct domain *t);

/* v's access a (inside its bridge) to whichever enabled server claims it:
 * EMUL_PENDING (sent), or EMUL_HANDLED with *claimed false (nobody
 * claims it: the caller answers as an empty bus). pci_sbdf/pci_reg: the
 * access is to ECAM configuration space (SBDF, register), else ~0. */
enum emul_result ioreq_forward(struct vcpu *v, struct mmio_access *a, uint64_t pci_sbdf, unsigned pci_reg,
                               bool *claimed);

/* d stopped or is being reset: as a device model, every guest it served
 * loses its connection (waiting accesses answered all-ones; a held guest,
 * never started, is stopped); as a guest, its servers go (the device
 * model must create them again for its next life). */
void ioreq_domain_stopped(struct domain *d);

#endif
