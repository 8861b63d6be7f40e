/* The GICv3 distributor (64 KiB frame), affinity routing always on: it
 * holds only SPIs (the private interrupts are in each vCPU's
 * redistributor, so their fields here read as zero), routed by
 * GICD_IROUTER. GICD_ITARGETSR and GICD_SGIR do not exist with affinity
 * routing: reserved space. */
#include "vgic_priv.h"

#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_TYPER_IDBITS(n) ((uint32_t)((n)-1) << 19)
#define GICD_PIDR2_V3 0x3b
/* GICD_IROUTER's writable fields: Aff3, IRM, Aff2, Aff1, Aff0 */
#define IROUTER_MASK 0xff80ffffffULL

static uint64_t ctlr_read(struct vgic_access *a) { return vgic_dist(a->d)->ctlr | GICD_CTLR_ARE_NS; }
static void ctlr_write(struct vgic_access *a, uint64_t val) { vgic_ctlr_write(a->d, val); }
/* ITLinesNumber; INTIDs of 10 bits; no LPIs, no security extensions */
static uint64_t typer_read(struct vgic_access *a) { return vgic_typer_lines(a->d) | GICD_TYPER_IDBITS(10); }
static uint64_t pidr2_read(struct vgic_access *a) { return GICD_PIDR2_V3; }

static uint64_t irouter_read(struct vgic_access *a) { return a->irq->route; }

static void irouter_write(struct vgic_access *a, uint64_t val)
{
    a->irq->route = val & IROUTER_MASK;
    a->irq->target = vgic_route_target(a->d, a->irq->route);
}

static const struct vgic_reg rows[] = {
    { 0x0000, 4, 0, VGIC_W4, ctlr_read, ctlr_write },
    { 0x0004, 4, 0, VGIC_W4 | VGIC_FIXED, typer_read, vgic_mmio_wi },
    { 0x0008, 4, 0, VGIC_W4 | VGIC_FIXED, vgic_mmio_read_iidr, vgic_mmio_wi },
    VGIC_ROWS_BITS(0, 0x80),
    VGIC_ROW_PRIORITY(0, 0x400),
    VGIC_ROW_CONFIG(0, 0x100),
    /* 64 bits per INTID; INTIDs 0-31 reserved (no interrupt: RAZ/WI) */
    { 0x6000, 0x2000, 64, VGIC_W4 | VGIC_W8, irouter_read, irouter_write },
    { 0xffe8, 4, 0, VGIC_W4 | VGIC_FIXED, pidr2_read, vgic_mmio_wi },
};

const struct vgic_frame vgic_v3_dist_frame = { "GICD", rows, ARRAY_SIZE(rows), VGIC_DIST_SIZE, VGIC_W4 | VGIC_W8 };

enum emul_result vgic_v3_dist_mmio(struct vcpu *v, struct mmio_access *a, void *dev)
{
    struct domain *d = v->dom;
    struct vgic_access *acc = &vgic_cpu(v)->access; /* not on the stack: no canary */
    acc->d = d;
    acc->v = v;
    acc->priv = NULL;
    acc->spis = true;
    return vgic_mmio_dispatch(&vgic_v3_dist_frame, acc, a->off, a);
}
