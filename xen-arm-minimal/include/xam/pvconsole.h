/* The Xen PV console a domain with `xen,enhanced` gets, served by the
 * hypervisor itself (core/pvconsole.c): what Linux's hvc_xen driver takes
 * as hvc0 when HVM_PARAM_CONSOLE_PFN and HVM_PARAM_CONSOLE_EVTCHN are not
 * 0. On Xen a toolstack sets those parameters and xenconsoled in dom0
 * serves the ring; a dom0less domU there has none, so Linux gives it no
 * hvc0. Here there is no dom0: the hypervisor is the backend.
 *
 * The guest gets a page of Xen's struct xencons_interface (1 KiB of input,
 * 2 KiB of output), the hypervisor's page mapped at GUEST_MAGIC_BASE (Xen's
 * first magic page, where its toolstack puts the console) when it asks
 * where the ring is, and an event channel of its own bound to a port the
 * hypervisor consumes. Its output
 * (what it puts in out[] and signals) becomes its console lines, as its
 * vPL011 and console_io output do; the console input switch (Ctrl-A three
 * times) writes into in[] and signals it. The hypervisor never reads back
 * its own indices (out_cons, in_prod) from the page: a guest writing them
 * only confuses itself. docs/domains.md, "The PV console", says what the
 * guest sees. */
#ifndef XAM_PVCONSOLE_H
#define XAM_PVCONSOLE_H

#include <asm/spinlock.h>
#include <xam/types.h>

struct domain;

/* In struct domain, which lives as long as the hypervisor: console input
 * may look at it from any CPU while the domain stops or is rebuilt. */
struct pvconsole {
    spinlock_t out_lock; /* the output side (out_cons, warned_out) */
    spinlock_t lock; /* the input side; live, page, xen_port change under both */
    bool live; /* served: from the build to the domain's stop */
    paddr_t page; /* the ring page (the hypervisor's), 0: none */
    unsigned xen_port; /* the hypervisor's end (evtchn_alloc_xen) */
    uint32_t out_cons, in_prod; /* the true indices of our two ends */
    uint64_t in_dropped; /* input refused while the guest's in_cons was wrong */
    bool warned_out, warned_in; /* one message each per life */
};

/* Boot: the stop hook that stops serving a stopping domain. */
int pvconsole_init(void);
/* The builder, for a domain with the hypervisor node (building or
 * rebuilding): its ring page made (empty) and its hypervisor port, served
 * from now on (input typed before the guest looks waits in the ring). 0 or
 * a negative error; the page goes when its memory is released. */
int pvconsole_attach(struct domain *d);
/* Whether d's console is served (console input may go to it). */
bool pvconsole_present(const struct domain *d);
/* HVMOP_get_param on one of d's vCPUs: the ring's GFN, the page mapped
 * there on the first ask; the guest's port, bound to the hypervisor's on
 * the first ask. Either again if the guest took it away (unmapped the
 * page, closed the port). 0 when d has no PV console ("not present" to
 * Linux), or something of the guest's own is where the ring goes. */
uint64_t pvconsole_pfn(struct domain *d);
unsigned pvconsole_evtchn(struct domain *d);
/* Console input for d (any CPU): into in[] and signalled. False when d
 * has none, is not running or its ring is full (the character waits in
 * d's input, xam/domain_input.h), or its indices are wrong (counted). */
bool pvconsole_receive(struct domain *d, char c);

#endif
