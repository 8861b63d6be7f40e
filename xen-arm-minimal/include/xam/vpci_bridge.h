/* The guest side of the secondary emulated PCI host bridge: its ECAM
 * window and the readiness register page. */
#ifndef XAM_VPCI_BRIDGE_H
#define XAM_VPCI_BRIDGE_H

struct domain;

/* Register d's ECAM and readiness-register MMIO handlers (d->bridge). */
int vpci_bridge_attach(struct domain *d);

#endif
