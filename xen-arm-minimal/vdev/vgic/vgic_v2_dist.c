/* The GICv2 distributor (4 KiB frame): a GICv2 has no redistributors, so
 * each vCPU's SGIs and PPIs are banked into it (an access shows the
 * accessing vCPU's own); SPIs are routed by ITARGETSR, a CPU mask per
 * interrupt, and SGIs are sent by writing GICD_SGIR. */
#include "vgic_priv.h"

#define GICD_TYPER_CPUS_SHIFT 5
#define GICD_PIDR2_V2 0x2b

static uint64_t ctlr_read(struct vgic_access *a) { return vgic_dist(a->d)->ctlr; }
static void ctlr_write(struct vgic_access *a, uint64_t val) { vgic_ctlr_write(a->d, val); }

/* ITLinesNumber and CPUNumber; no security extensions. */
static uint64_t typer_read(struct vgic_access *a)
{
    return vgic_typer_lines(a->d) | (a->d->nr_vcpus - 1) << GICD_TYPER_CPUS_SHIFT;
}

/* The CPU interfaces that exist: bits for the vCPUs the domain has. */
static uint8_t cpu_mask(const struct domain *d) { return (uint8_t)((1u << d->nr_vcpus) - 1); }

/* Private interrupts (banked): read-only, the accessing vCPU's own bit. */
static uint64_t itargets_read(struct vgic_access *a)
{
    if (a->irq->intid < VGIC_NR_PRIVATE)
        return 1u << a->v->id;
    return a->irq->route;
}

static void itargets_write(struct vgic_access *a, uint64_t val)
{
    struct vgic_irq *irq = a->irq;
    if (irq->intid < VGIC_NR_PRIVATE)
        return;
    /* bits of CPU interfaces that do not exist are RAZ/WI */
    irq->route = val & cpu_mask(a->d);
    irq->target = vgic_route_target(a->d, irq->route);
}

/* GICD_SPENDSGIR/CPENDSGIR: a byte per SGI, a bit per sending CPU. The
 * vGIC keeps one pending state and the latest sender per SGI. */
static uint64_t sgi_pending_read(struct vgic_access *a) { return a->irq->pending ? 1u << a->irq->source : 0; }

static void sgi_spending_write(struct vgic_access *a, uint64_t val)
{
    val &= cpu_mask(a->d);
    if (val) {
        a->irq->source = (uint8_t)__builtin_ctzll(val);
        a->irq->pending = true;
    }
}

static void sgi_cpending_write(struct vgic_access *a, uint64_t val)
{
    if ((val >> a->irq->source) & 1)
        a->irq->pending = false;
}

static uint64_t sgir_read(struct vgic_access *a) { return 0; } /* write-only */
static void sgir_write(struct vgic_access *a, uint64_t val) { vgic_v2_sgir_write(a->v, (uint32_t)val); }
static uint64_t pidr2_read(struct vgic_access *a) { return GICD_PIDR2_V2; }

static const struct vgic_reg rows[] = {
    { 0x000, 4, 0, VGIC_W4, ctlr_read, ctlr_write },
    { 0x004, 4, 0, VGIC_W4 | VGIC_FIXED, typer_read, vgic_mmio_wi },
    { 0x008, 4, 0, VGIC_W4 | VGIC_FIXED, vgic_mmio_read_iidr, vgic_mmio_wi },
    VGIC_ROWS_BITS(0, 0x80),
    VGIC_ROW_PRIORITY(0, 0x400),
    { 0x800, 0x400, 8, VGIC_W1 | VGIC_W4, itargets_read, itargets_write },
    VGIC_ROW_CONFIG(0, 0x100),
    { 0xf00, 4, 0, VGIC_W4, sgir_read, sgir_write },
    { 0xf10, VGIC_NR_SGIS, 8, VGIC_W1 | VGIC_W4, sgi_pending_read, sgi_cpending_write },
    { 0xf20, VGIC_NR_SGIS, 8, VGIC_W1 | VGIC_W4, sgi_pending_read, sgi_spending_write },
    { 0xfe8, 4, 0, VGIC_W4 | VGIC_FIXED, pidr2_read, vgic_mmio_wi },
};

const struct vgic_frame vgic_v2_dist_frame = { "GICD", rows, ARRAY_SIZE(rows), VGIC_V2_DIST_SIZE, VGIC_W4 };

enum emul_result vgic_v2_dist_mmio(struct vcpu *v, struct mmio_access *a, void *dev)
{
    struct domain *d = v->dom;
    struct vgic_access *acc = &vgic_cpu(v)->access; /* not on the stack: no canary */
    acc->d = d;
    acc->v = v;
    acc->priv = v;
    acc->spis = true;
    return vgic_mmio_dispatch(&vgic_v2_dist_frame, acc, a->off, a);
}
