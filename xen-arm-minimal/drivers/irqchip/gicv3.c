/* GICv3 host driver: distributor (affinity routing), one redistributor per
 * CPU found by its affinity, and the system-register CPU interface. */
#include <asm/mmu.h>
#include <asm/percpu.h>
#include <asm/timer.h>
#include <xam/errno.h>
#include <xam/log.h>
#include <xam/gic.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_ENABLE_G1A (1u << 1)
#define GICD_CTLR_ENABLE_G1 (1u << 0)

#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_PSLEEP (1u << 1)
#define GICR_WAKER_CASLEEP (1u << 2)
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ICPENDR0 0x0280
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR0 0x0400

#define ICC_SRE_SRE (1u << 0)
#define ICC_SRE_ENABLE (1u << 3)
#define ICC_CTLR_EOIMODE (1u << 1)

#define DEFAULT_PRIO 0xa0

static uintptr_t gicd;
static struct hostdt_gic desc;
static unsigned lines;
static uintptr_t rdist_of[NR_CPUS];

static inline void wr32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t rd32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void wr64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t rd64(uintptr_t a) { return *(volatile uint64_t *)a; }

static int wait_clear(uintptr_t reg, uint32_t bits)
{
    uint64_t limit = counter_read() + us_to_ticks(100000);
    while (rd32(reg) & bits)
        if (counter_read() > limit)
            return -XAM_ETIMEDOUT;
    return 0;
}

static uint64_t mpidr_to_affinity(uint64_t mpidr) { return ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff); }

static int v3_init(const struct hostdt_gic *g)
{
    int rc;
    desc = *g;
    if ((rc = mmu_map_device(g->dist.base, g->dist.size)))
        return rc;
    for (unsigned i = 0; i < g->nr_redist; i++)
        if ((rc = mmu_map_device(g->redist[i].base, g->redist[i].size)))
            return rc;
    gicd = (uintptr_t)g->dist.base;

    /* EL2 uses the system-register interface, and lets EL1 do so too. */
    write_sysreg(ICC_SRE_SRE | ICC_SRE_ENABLE, icc_sre_el2);
    isb();
    if (!(read_sysreg(icc_sre_el2) & ICC_SRE_SRE))
        return -XAM_EIO;

    wr32(gicd + GICD_CTLR, 0);
    if ((rc = wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP)))
        return rc;
    lines = MIN(32 * ((rd32(gicd + GICD_TYPER) & 0x1f) + 1), 1020u);

    uint64_t boot_aff = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    for (unsigned i = 32; i < lines; i += 32) {
        wr32(gicd + GICD_ICENABLER + i / 8, ~0u);
        wr32(gicd + GICD_ICPENDR + i / 8, ~0u);
        wr32(gicd + GICD_ICACTIVER + i / 8, ~0u);
        wr32(gicd + GICD_IGROUPR + i / 8, ~0u); /* non-secure group 1 */
    }
    for (unsigned i = 32; i < lines; i += 4)
        wr32(gicd + GICD_IPRIORITYR + i, DEFAULT_PRIO * 0x01010101u);
    for (unsigned i = 32; i < lines; i += 16)
        wr32(gicd + GICD_ICFGR + i / 4, 0);
    for (unsigned i = 32; i < lines; i++)
        wr64(gicd + GICD_IROUTER + i * 8, boot_aff);
    if ((rc = wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP)))
        return rc;
    wr32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1);
    return wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP);
}

static uintptr_t find_redist(uint64_t mpidr)
{
    uint64_t aff = mpidr_to_affinity(mpidr);
    for (unsigned r = 0; r < desc.nr_redist; r++) {
        uintptr_t p = (uintptr_t)desc.redist[r].base;
        uintptr_t end = p + desc.redist[r].size;
        /* a redistributor is two 64 KiB frames (four with VLPIS): only
         * one wholly inside the region the tree gives is ours to touch */
        while (p < end && end - p >= 0x20000) {
            uint64_t typer = rd64(p + GICR_TYPER);
            uintptr_t stride = (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
            if (end - p < stride)
                break;
            if ((typer >> 32) == aff)
                return p;
            if (typer & GICR_TYPER_LAST)
                break;
            p += stride;
        }
    }
    return 0;
}

static int v3_cpu_init(struct pcpu *c)
{
    uintptr_t rd = find_redist(c->mpidr);
    if (!rd)
        return -XAM_ENOENT;
    rdist_of[c->id] = rd;

    wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
    int rc = wait_clear(rd + GICR_WAKER, GICR_WAKER_CASLEEP);
    if (rc)
        return rc;

    uintptr_t sgi = rd + GICR_SGI_BASE;
    wr32(sgi + GICR_ICENABLER0, ~0u);
    wr32(sgi + GICR_ICPENDR0, ~0u);
    wr32(sgi + GICR_ICACTIVER0, ~0u);
    wr32(sgi + GICR_IGROUPR0, ~0u);
    for (unsigned i = 0; i < 32; i += 4)
        wr32(sgi + GICR_IPRIORITYR0 + i, DEFAULT_PRIO * 0x01010101u);

    write_sysreg(ICC_SRE_SRE | ICC_SRE_ENABLE, icc_sre_el2);
    isb();
    write_sysreg(0xff, icc_pmr_el1);
    write_sysreg(0, icc_bpr1_el1);
    write_sysreg(ICC_CTLR_EOIMODE, icc_ctlr_el1);
    write_sysreg(1, icc_igrpen1_el1);
    isb();
    return 0;
}

static unsigned v3_ack(void)
{
    unsigned intid = (unsigned)read_sysreg(icc_iar1_el1) & 0xffffff;
    dsb(sy);
    return intid;
}

static void v3_eoi(unsigned intid)
{
    write_sysreg(intid, icc_eoir1_el1);
    isb();
}

static void v3_deactivate(unsigned intid)
{
    write_sysreg(intid, icc_dir_el1);
    isb();
}

static void v3_enable(unsigned intid)
{
    if (intid < 32)
        wr32(rdist_of[this_cpu_id()] + GICR_SGI_BASE + GICR_ISENABLER0, 1u << intid);
    else
        wr32(gicd + 0x100 + (intid / 32) * 4, 1u << (intid % 32));
}

static void v3_disable(unsigned intid)
{
    if (intid >= 32) {
        wr32(gicd + GICD_ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
        __asm__ volatile("dsb sy" : : : "memory");
    }
}

static void v3_send_sgi(const struct pcpu *target, unsigned sgi)
{
    uint64_t m = target->mpidr;
    uint64_t aff0 = m & 0xff;
    uint64_t v = ((m >> 32) & 0xff) << 48 | ((m >> 16) & 0xff) << 32 | (aff0 / 16) << 44 | ((m >> 8) & 0xff) << 16 |
        (uint64_t)(sgi & 0xf) << 24 | (1ULL << (aff0 % 16));
    dsb(ishst);
    write_sysreg(v, icc_sgi1r_el1);
    isb();
}

static unsigned v3_nr_lines(void) { return lines; }

static void v3_set_edge(unsigned intid, bool edge)
{
    uintptr_t r = gicd + GICD_ICFGR + (intid / 16) * 4;
    uint32_t bit = 2u << (2 * (intid % 16));
    wr32(r, edge ? rd32(r) | bit : rd32(r) & ~bit);
}

const struct gic_ops gicv3_ops = {
    .name = "GICv3",
    .init = v3_init,
    .cpu_init = v3_cpu_init,
    .ack = v3_ack,
    .eoi = v3_eoi,
    .deactivate = v3_deactivate,
    .enable = v3_enable,
    .disable = v3_disable,
    .send_sgi = v3_send_sgi,
    .nr_lines = v3_nr_lines,
    .set_edge = v3_set_edge,
};
