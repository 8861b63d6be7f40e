/* The initial placement of BARs in one of the bridge's windows, as
 * firmware would do it, so that a guest that does not enumerate PCI itself
 * finds each BAR already programmed. Linux reassigns them anyway. Each BAR
 * is naturally aligned, one after the other, never reused. */
#ifndef XAM_DM_PCI_WINDOW_H
#define XAM_DM_PCI_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

struct pci_window {
    uint64_t base, size;
    uint64_t used; /* bytes from base already given out */
};

void pci_window_init(struct pci_window *w, uint64_t base, uint64_t size);
/* Take size bytes (a power of 2) aligned to size: true with *addr, or
 * false if the window has no room left (or is empty). */
bool pci_window_take(struct pci_window *w, uint64_t size, uint64_t *addr);
/* Does [addr, addr + len) lie inside the window? */
bool pci_window_holds(const struct pci_window *w, uint64_t addr, uint64_t len);

#endif
