/* What the core needs from a domain's virtual interrupt controller (the
 * vGIC in vdev/vgic/), as a table of operations the controller installs
 * when it attaches to a domain. The core calls down through it, so it
 * never includes the controller's headers: the layers point one way. */
#ifndef XAM_VINTC_H
#define XAM_VINTC_H

#include <xam/types.h>

struct vcpu;
struct domain;

struct vintc_ops {
    /* Before every entry of v: the highest-priority deliverable
     * interrupts into the list registers. */
    void (*flush)(struct vcpu *v);
    /* After every exit: the list registers' state back. */
    void (*sync)(struct vcpu *v);
    /* WFI: under the controller's lock, if nothing deliverable is
     * pending for v, call sleep(v) (which marks it blocked) and return
     * true; an interrupt injected on another CPU is then either seen here
     * or finds v blocked and wakes it. */
    bool (*block)(struct vcpu *v, void (*sleep)(struct vcpu *v));
    /* Make a private interrupt (SGI/PPI) of v, or an SPI of its domain,
     * pending (edge). */
    void (*inject)(struct vcpu *v, unsigned intid);
    /* Drive a level-sensitive SPI's line. */
    void (*set_level)(struct domain *d, unsigned intid, bool level);
    /* The domain's memory is being released: free the controller. */
    void (*release)(struct domain *d);
};

/* Well-known private interrupts guests see. */
#define VINTC_PPI_VTIMER 27
#define VINTC_PPI_EVTCHN 31

#endif
