/* The host interrupt controller, GICv2 or GICv3, behind one set of ops.
 * The CPU interface runs with EOImode = 1 (priority drop and deactivation
 * are separate), which is what forwarding interrupts to guests needs. */
#ifndef DRIVERS_GIC_H
#define DRIVERS_GIC_H

#include <xam/hostdt.h>

struct pcpu;

struct gic_ops {
    const char *name;
    int (*init)(const struct hostdt_gic *g);
    int (*cpu_init)(struct pcpu *c);
    unsigned (*ack)(void);
    void (*eoi)(unsigned intid); /* priority drop */
    void (*deactivate)(unsigned intid);
    void (*enable)(unsigned intid); /* SGI/PPI: this CPU's bank */
    void (*disable)(unsigned intid); /* SPIs (forwarded to guests) */
    void (*send_sgi)(const struct pcpu *target, unsigned sgi);
    unsigned (*nr_lines)(void);
    /* An SPI's trigger (GICD_ICFGR), while it is disabled: rising-edge or
     * level-high (passthrough interrupts: the device tree's flags). */
    void (*set_edge)(unsigned intid, bool edge);
};

extern const struct gic_ops gicv2_ops;
extern const struct gic_ops gicv3_ops;

/* Before gic_init(): whether something answers at each frame the device
 * tree places (a GIC frame moved where there is nothing crashed the boot);
 * if not, which one. */
struct gic_missing {
    paddr_t base;
    const char *what;
};
bool gic_frames_answer(const struct hostdt_gic *g, struct gic_missing *miss);
int gic_init(const struct hostdt_gic *g);
int gic_cpu_init(struct pcpu *c);
const struct gic_ops *gic(void);

#endif
