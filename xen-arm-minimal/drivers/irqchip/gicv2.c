/* GICv2 host driver: distributor and CPU interface (memory-mapped). The
 * hypervisor runs non-secure, so group registers are not ours to set. */
#include <asm/mmu.h>
#include <asm/percpu.h>
#include <xam/errno.h>
#include <xam/log.h>
#include <xam/gic.h>

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_DIR 0x1000

#define GICC_CTLR_ENABLE (1u << 0)
#define GICC_CTLR_EOIMODE_NS (1u << 9)

#define DEFAULT_PRIO 0xa0

static uintptr_t gicd, gicc;
static unsigned lines;

static inline void wr(uintptr_t base, unsigned off, uint32_t v) { *(volatile uint32_t *)(base + off) = v; }

static inline uint32_t rd(uintptr_t base, unsigned off) { return *(volatile uint32_t *)(base + off); }

static int v2_init(const struct hostdt_gic *g)
{
    int rc;
    /* The CPU interface's GICC_DIR sits at +0x1000: map 8 KiB at least. */
    if ((rc = mmu_map_device(g->dist.base, g->dist.size)) ||
        (rc = mmu_map_device(g->cpu.base, MAX(g->cpu.size, 0x2000))))
        return rc;
    gicd = (uintptr_t)g->dist.base;
    gicc = (uintptr_t)g->cpu.base;

    wr(gicd, GICD_CTLR, 0);
    lines = MIN(32 * ((rd(gicd, GICD_TYPER) & 0x1f) + 1), 1020u);

    /* SPIs: disabled, inactive, not pending, level, default priority, CPU 0. */
    for (unsigned i = 32; i < lines; i += 32) {
        wr(gicd, GICD_ICENABLER + i / 8, ~0u);
        wr(gicd, GICD_ICPENDR + i / 8, ~0u);
        wr(gicd, GICD_ICACTIVER + i / 8, ~0u);
    }
    for (unsigned i = 32; i < lines; i += 4)
        wr(gicd, GICD_IPRIORITYR + i, DEFAULT_PRIO * 0x01010101u);
    for (unsigned i = 32; i < lines; i += 16)
        wr(gicd, GICD_ICFGR + i / 4, 0);
    /* SPIs go to the boot CPU (ITARGETSR0 reads back its own interface;
     * zero on a uniprocessor GIC, whose only interface is number 0). */
    uint32_t me = rd(gicd, GICD_ITARGETSR) & 0xff;
    if (me == 0)
        me = 1;
    for (unsigned i = 32; i < lines; i += 4)
        wr(gicd, GICD_ITARGETSR + i, me * 0x01010101u);
    wr(gicd, GICD_CTLR, 1);
    return 0;
}

static int v2_cpu_init(struct pcpu *c)
{
    /* Banked SGI/PPI state of this CPU. */
    wr(gicd, GICD_ICENABLER, ~0u);
    wr(gicd, GICD_ICPENDR, ~0u);
    wr(gicd, GICD_ICACTIVER, ~0u);
    for (unsigned i = 0; i < 32; i += 4)
        wr(gicd, GICD_IPRIORITYR + i, DEFAULT_PRIO * 0x01010101u);
    /* ITARGETSR0..7 read back this CPU's own interface bit; a uniprocessor
     * GIC makes them read as zero, and its only interface is number 0. */
    c->gic_target = rd(gicd, GICD_ITARGETSR) & 0xff;
    if (c->gic_target == 0)
        c->gic_target = 1;

    wr(gicc, GICC_PMR, 0xff);
    wr(gicc, GICC_BPR, 0);
    wr(gicc, GICC_CTLR, GICC_CTLR_ENABLE | GICC_CTLR_EOIMODE_NS);
    return 0;
}

static unsigned v2_ack(void) { return rd(gicc, GICC_IAR) & 0x3ff; }

static void v2_eoi(unsigned intid) { wr(gicc, GICC_EOIR, intid); }

static void v2_deactivate(unsigned intid) { wr(gicc, GICC_DIR, intid); }

static void v2_enable(unsigned intid) { wr(gicd, GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32)); }

static void v2_disable(unsigned intid)
{
    if (intid >= 32) {
        wr(gicd, GICD_ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
        __asm__ volatile("dsb sy" : : : "memory");
    }
}

static void v2_send_sgi(const struct pcpu *target, unsigned sgi)
{
    __asm__ volatile("dsb ishst" : : : "memory");
    wr(gicd, GICD_SGIR, (target->gic_target << 16) | (sgi & 0xf));
}

static unsigned v2_nr_lines(void) { return lines; }

static void v2_set_edge(unsigned intid, bool edge)
{
    uintptr_t r = GICD_ICFGR + (intid / 16) * 4;
    uint32_t bit = 2u << (2 * (intid % 16));
    wr(gicd, r, edge ? rd(gicd, r) | bit : rd(gicd, r) & ~bit);
}

const struct gic_ops gicv2_ops = {
    .name = "GICv2",
    .init = v2_init,
    .cpu_init = v2_cpu_init,
    .ack = v2_ack,
    .eoi = v2_eoi,
    .deactivate = v2_deactivate,
    .enable = v2_enable,
    .disable = v2_disable,
    .send_sgi = v2_send_sgi,
    .nr_lines = v2_nr_lines,
    .set_edge = v2_set_edge,
};
