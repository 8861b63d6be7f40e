/* The hardware side of the virtual GIC: list registers and the virtual CPU
 * interface, GICv3 (ICH_* system registers) or GICv2 (GICH/GICV frames). */
#ifndef ASM_VGIC_HW_H
#define ASM_VGIC_HW_H

#include <xam/hostdt.h>

struct vcpu;

/* List registers used at most (GICv3 has up to 16; GICv2 up to 64, of
 * which we use 16): the one definition of the limit. */
#define VGIC_HW_MAX_LRS 16

/* What one list register holds of an interrupt. */
struct vgic_lr_state {
    bool pending, active;
    uint8_t priority, source;
};

/* What differs between the GICv3 and GICv2 virtual interfaces: register
 * access and list-register formats. Filling and draining the list
 * registers is common (vgic_hw.c). */
struct vgic_hw_ops {
    unsigned (*init)(void); /* returns the number of list registers */
    void (*load)(struct vcpu *v);
    void (*save)(struct vcpu *v);
    uint64_t (*lr_encode)(unsigned intid, const struct vgic_lr_state *st);
    void (*lr_decode)(uint64_t lr, bool *pending, bool *active);
    uint64_t (*lr_read)(unsigned i);
    void (*lr_write)(unsigned i, uint64_t lr);
    /* virtual interface on; underflow: ask for the maintenance interrupt
     * when the list registers run (nearly) empty */
    void (*enable)(bool underflow);
    void (*maintenance)(void);
};

extern const struct vgic_hw_ops vgic_v3_hw, vgic_v2_hw;
void vgic_v2_set_gich(paddr_t base);

/* Boot CPU: pick the host's flavour and read its list-register count. */
int vgic_hw_init(const struct hostdt_gic *g);
bool vgic_hw_present(void);
unsigned vgic_hw_version(void);
/* GICv2: the host's virtual CPU interface frame, mapped into guests. */
paddr_t vgic_hw_gicv_base(void);
void vgic_hw_load(struct vcpu *v); /* on switch-in */
void vgic_hw_save(struct vcpu *v); /* on switch-out */
/* The list registers of this CPU, for the vGIC's fill and drain. */
unsigned vgic_hw_nr_lrs(void);
void vgic_hw_lr_write(unsigned i, unsigned intid, const struct vgic_lr_state *st);
void vgic_hw_lr_read(unsigned i, bool *pending, bool *active);
void vgic_hw_lr_clear(unsigned i);
/* Virtual interface on; underflow: maintenance interrupt when the list
 * registers run (nearly) empty, so more can be filled in. */
void vgic_hw_enable(bool underflow);
/* The maintenance interrupt: list registers ran low; refill on re-entry. */
void vgic_hw_maintenance(void);

#endif
