/* The hardware side of the virtual GIC (GICv3 virtual CPU interface). */
#ifndef ASM_VGIC_HW_H
#define ASM_VGIC_HW_H

#include <xam/types.h>

struct vcpu;

/* Boot CPU, GICv3 host: read the list-register count. False on GICv2
 * hosts (no virtual GIC for guests yet there). */
bool vgic_hw_init(void);
bool vgic_hw_present(void);
void vgic_hw_load(struct vcpu *v);  /* on switch-in */
void vgic_hw_save(struct vcpu *v);  /* on switch-out */
void vgic_hw_flush(struct vcpu *v); /* before every guest entry */
void vgic_hw_sync(struct vcpu *v);  /* after every guest exit */
/* The maintenance interrupt: list registers ran low; refill on re-entry. */
void vgic_hw_maintenance(void);

#endif
