/* The GICv3 redistributors, one 128 KiB pair of frames per vCPU: the RD
 * frame (identity, GICR_WAKER) and, 64 KiB on, the SGI frame with the
 * vCPU's SGIs and PPIs. No LPIs: GICR_CTLR and the LPI tables' registers
 * are reserved space. */
#include "vgic_priv.h"
#include <xam/vaffinity.h>

#define GICR_SGI_FRAME 0x10000
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_PS (1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA (1u << 2) /* ChildrenAsleep */
#define GICR_PIDR2_V3 0x3b

/* Affinity (its MPIDR's, xam/vaffinity.h), processor number, and
 * whether it is the last redistributor of the region. */
static uint64_t typer_read(struct vgic_access *a)
{
    uint64_t id = a->priv->id;
    return vaffinity(a->priv->id) << 32 | id << 8 | (id == a->d->nr_vcpus - 1 ? GICR_TYPER_LAST : 0);
}

/* Asleep until the guest wakes it; it says its interface is quiescent
 * whenever it is asleep. */
static uint64_t waker_read(struct vgic_access *a)
{
    return vgic_cpu(a->priv)->rdist_asleep ? GICR_WAKER_PS | GICR_WAKER_CA : 0;
}

static void waker_write(struct vgic_access *a, uint64_t val) { vgic_cpu(a->priv)->rdist_asleep = val & GICR_WAKER_PS; }

static uint64_t pidr2_read(struct vgic_access *a) { return GICR_PIDR2_V3; }

static const struct vgic_reg rows[] = {
    { 0x0000, 4, 0, VGIC_W4, vgic_mmio_raz, vgic_mmio_wi }, /* GICR_CTLR: no LPIs to enable */
    { 0x0004, 4, 0, VGIC_W4 | VGIC_FIXED, vgic_mmio_read_iidr, vgic_mmio_wi },
    { 0x0008, 8, 0, VGIC_W4 | VGIC_W8 | VGIC_FIXED, typer_read, vgic_mmio_wi },
    { 0x0014, 4, 0, VGIC_W4, waker_read, waker_write },
    { 0xffe8, 4, 0, VGIC_W4 | VGIC_FIXED, pidr2_read, vgic_mmio_wi },
    VGIC_ROWS_BITS(GICR_SGI_FRAME, 4),
    VGIC_ROW_PRIORITY(GICR_SGI_FRAME, 32),
    VGIC_ROW_CONFIG(GICR_SGI_FRAME, 8),
};

const struct vgic_frame vgic_v3_rdist_frame = { "GICR", rows, ARRAY_SIZE(rows), VGIC_RDIST_STRIDE, VGIC_W4 | VGIC_W8 };

enum emul_result vgic_v3_rdist_mmio(struct vcpu *v, struct mmio_access *a, void *dev)
{
    struct domain *d = v->dom;
    uint64_t frame = a->off / VGIC_RDIST_STRIDE;
    if (frame >= d->nr_vcpus) /* the region is sized for them: cannot happen */
        return EMUL_FAULT;
    struct vgic_access *acc = &vgic_cpu(v)->access; /* not on the stack: no canary */
    acc->d = d;
    acc->v = v;
    acc->priv = &d->vcpus[frame];
    acc->spis = false;
    return vgic_mmio_dispatch(&vgic_v3_rdist_frame, acc, a->off % VGIC_RDIST_STRIDE, a);
}
