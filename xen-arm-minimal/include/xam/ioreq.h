/* ioreq servers: a device-model domain's registration to serve a guest's
 * emulated ranges (Xen's ioreq-server model). The state lives here, in the
 * core; hypercall/dm_op.c only decodes the guest's requests into these
 * calls. "Connected" (the readiness register reads 1, a held guest starts)
 * means an enabled server exists for the guest. */
#ifndef XAM_IOREQ_H
#define XAM_IOREQ_H

#include <asm/spinlock.h>
#include <xam/types.h>

#define IOREQ_MAX_SERVERS 2
#define IOREQ_MAX_RANGES 8

struct domain;

struct ioreq_server {
    bool used, enabled;
    struct domain *dm;
    unsigned nr_ranges;
    struct {
        uint64_t start, end; /* inclusive, guest physical */
    } ranges[IOREQ_MAX_RANGES];
};

struct ioreq_state {
    spinlock_t lock;
    struct ioreq_server servers[IOREQ_MAX_SERVERS];
    /* Told when the guest's connection comes or goes (the bridge answers
     * the vCPUs waiting on its readiness register). */
    void (*on_change)(struct domain *t, bool connected);
};

/* Each returns 0 or a negative XAM error. dm must be t's device model
 * (the caller checks). */
int ioreq_create(struct domain *t, struct domain *dm, uint16_t *id);
int ioreq_map_range(struct domain *t, uint16_t id, uint64_t start, uint64_t end);
int ioreq_unmap_range(struct domain *t, uint16_t id, uint64_t start, uint64_t end);
int ioreq_set_state(struct domain *t, uint16_t id, bool enabled);
int ioreq_destroy(struct domain *t, uint16_t id);
/* Whether t's device model has an enabled server for it. */
bool ioreq_connected(struct domain *t);
/* dm stopped: every guest it served loses its connection (a held one,
 * never started, is stopped). */
void ioreq_dm_stopped(struct domain *dm);

#endif
