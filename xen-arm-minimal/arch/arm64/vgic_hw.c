/* Dispatch to the host GIC's flavour of virtual CPU interface. */
#include <asm/mmu.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/errno.h>

static const struct vgic_hw_ops *ops;
static unsigned version, nr_lrs;
static paddr_t gicv_base;

int vgic_hw_init(const struct hostdt_gic *g)
{
    version = g->version;
    if (g->version == 2) {
        if (g->vcpu.size < 0x2000 || g->hyp.size < 0x1000)
            return -XAM_EINVAL;
        int rc = mmu_map_device(g->hyp.base, g->hyp.size);
        if (rc)
            return rc;
        gicv_base = g->vcpu.base;
        vgic_v2_set_gich(g->hyp.base);
        ops = &vgic_v2_hw;
    } else {
        ops = &vgic_v3_hw;
    }
    nr_lrs = MIN(ops->init(), (unsigned)VGIC_HW_MAX_LRS);
    return 0;
}

bool vgic_hw_present(void) { return ops != NULL; }
unsigned vgic_hw_version(void) { return version; }
paddr_t vgic_hw_gicv_base(void) { return gicv_base; }
void vgic_hw_load(struct vcpu *v)
{
    if (ops)
        ops->load(v);
}
void vgic_hw_save(struct vcpu *v)
{
    if (ops)
        ops->save(v);
}
unsigned vgic_hw_nr_lrs(void) { return nr_lrs; }
void vgic_hw_lr_write(unsigned i, unsigned intid, const struct vgic_lr_state *st)
{
    ops->lr_write(i, ops->lr_encode(intid, st));
}
void vgic_hw_lr_read(unsigned i, bool *pending, bool *active) { ops->lr_decode(ops->lr_read(i), pending, active); }
void vgic_hw_lr_clear(unsigned i) { ops->lr_write(i, 0); }
void vgic_hw_enable(bool underflow) { ops->enable(underflow); }
void vgic_hw_maintenance(void)
{
    if (ops)
        ops->maintenance();
}
