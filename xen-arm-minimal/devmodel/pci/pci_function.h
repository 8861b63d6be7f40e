/* One conventional PCI type-0 function's configuration space, as the
 * device model emulates it: the header (IDs, command and status, BARs,
 * interrupt pin and line) and a capability list. The device behind it
 * (devmodel/virtio/) says which BARs it has and what its capabilities
 * are; this file answers the guest's configuration requests, sizes and
 * moves BARs as the guest programs them, and tells the bus which BAR an
 * address falls in.
 *
 * Only the first 256 bytes exist (no PCI Express capability, so Linux
 * never reads the extended space; if something does, it reads 0). */
#ifndef XAM_DM_PCI_FUNCTION_H
#define XAM_DM_PCI_FUNCTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_CFG_SPACE 256u /* what is emulated */
#define PCI_CFG_FUNCTION 4096u /* what ECAM gives each function */
#define PCI_BARS 6

/* Header offsets and bits (PCI Local Bus 3.0, section 6.2) */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_INT_LINE 0x3c
#define PCI_INT_PIN 0x3d
#define PCI_CAPS_START 0x40

#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_PARITY 0x0040
#define PCI_CMD_SERR 0x0100
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTX 0x0008
#define PCI_STATUS_CAP_LIST 0x0010

#define PCI_BAR_MEM_64 0x4
#define PCI_BAR_PREFETCH 0x8

struct pci_bar {
    uint64_t size; /* 0: not implemented (reads 0, ignores writes) */
    bool is64; /* the next BAR register holds the upper half */
    bool prefetch;
};

struct pci_function {
    uint8_t cfg[PCI_CFG_SPACE];
    uint8_t wmask[PCI_CFG_SPACE]; /* the bits a guest write may change */
    struct pci_bar bar[PCI_BARS];
    bool intx; /* the device's interrupt condition (status bit 3) */
    uint8_t cap_last; /* offset of the last capability (0: none) */
    unsigned cap_free; /* where the next capability goes */
};

void pci_function_init(struct pci_function *f, uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
                       uint16_t subsys_vendor, uint16_t subsys_id);
/* A memory BAR of size bytes (a power of 2, at least 16) at index bar (the
 * next index too if is64). 0, or -1 if it does not fit the header. */
int pci_function_add_bar(struct pci_function *f, unsigned bar, uint64_t size, bool is64, bool prefetch);
/* Program a BAR as firmware would (the initial placement). */
void pci_function_set_bar_addr(struct pci_function *f, unsigned bar, uint64_t addr);
uint64_t pci_function_bar_addr(const struct pci_function *f, unsigned bar);
/* Append a capability (its first two bytes, ID and next pointer, are
 * filled here; the rest is read-only to the guest). Its offset, or 0 if the
 * space is full. */
unsigned pci_function_add_cap(struct pci_function *f, const void *cap, size_t len);

/* A configuration request of 1, 2 or 4 bytes, naturally aligned, at reg
 * (0-4095). Callers check size and alignment. */
uint32_t pci_function_cfg_read(const struct pci_function *f, unsigned reg, unsigned size);
void pci_function_cfg_write(struct pci_function *f, unsigned reg, unsigned size, uint32_t value);

/* Does an access of size bytes at addr fall entirely inside one of its
 * BARs, with Memory Space Enable set? Then *bar and *off say where. */
bool pci_function_decode(const struct pci_function *f, uint64_t addr, unsigned size, unsigned *bar, uint64_t *off);
/* The level of its INTx pin: the interrupt condition, unless the guest set
 * Interrupt Disable. */
bool pci_function_intx_level(const struct pci_function *f);

#endif
