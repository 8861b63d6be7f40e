/* One PCI type-0 function's configuration space (pci_function.h). The
 * space is kept as the bytes the guest reads, with a mask of the bits it
 * may write: BAR sizing then needs no special case, since the address bits
 * below a BAR's size are not writable and an all-ones write reads back as
 * the size mask. Only the status register's interrupt bit is computed on
 * each read. */
#include "pci/pci_function.h"

#include <string.h>
#include "bus/le_bytes.h"

void pci_function_init(struct pci_function *f, uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
                       uint16_t subsys_vendor, uint16_t subsys_id)
{
    memset(f, 0, sizeof(*f));
    put16(&f->cfg[PCI_VENDOR_ID], vendor);
    put16(&f->cfg[PCI_DEVICE_ID], device);
    f->cfg[PCI_REVISION] = revision;
    f->cfg[PCI_CLASS_PROG] = (uint8_t)class_code;
    f->cfg[PCI_CLASS_PROG + 1] = (uint8_t)(class_code >> 8);
    f->cfg[PCI_CLASS_PROG + 2] = (uint8_t)(class_code >> 16);
    f->cfg[PCI_HEADER_TYPE] = 0; /* type 0, single function */
    put16(&f->cfg[PCI_SUBSYS_VENDOR], subsys_vendor);
    put16(&f->cfg[PCI_SUBSYS_ID], subsys_id);
    f->cfg[PCI_INT_PIN] = 1; /* INTA */
    /* no I/O BARs, so I/O Space stays 0; the rest a driver sets or clears */
    put16(&f->wmask[PCI_COMMAND],
          PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_PARITY | PCI_CMD_SERR | PCI_CMD_INTX_DISABLE);
    f->wmask[0x0c] = 0xff; /* cache line size: Linux writes it, nothing uses it */
    f->wmask[PCI_INT_LINE] = 0xff; /* scratch for the OS */
    f->cap_free = PCI_CAPS_START;
}

int pci_function_add_bar(struct pci_function *f, unsigned bar, uint64_t size, bool is64, bool prefetch)
{
    if (bar >= PCI_BARS || (is64 && bar + 1 >= PCI_BARS) || size < 16 || (size & (size - 1)) ||
        (!is64 && size > 0x80000000u))
        return -1;
    f->bar[bar] = (struct pci_bar){ .size = size, .is64 = is64, .prefetch = prefetch };
    uint8_t *reg = &f->cfg[PCI_BAR0 + 4 * bar];
    put32(reg, (is64 ? PCI_BAR_MEM_64 : 0) | (prefetch ? PCI_BAR_PREFETCH : 0));
    uint64_t addr_mask = ~(size - 1);
    put32(&f->wmask[PCI_BAR0 + 4 * bar], (uint32_t)addr_mask & ~0xfu);
    if (is64)
        put32(&f->wmask[PCI_BAR0 + 4 * (bar + 1)], (uint32_t)(addr_mask >> 32));
    return 0;
}

void pci_function_set_bar_addr(struct pci_function *f, unsigned bar, uint64_t addr)
{
    uint8_t *reg = &f->cfg[PCI_BAR0 + 4 * bar];
    put32(reg, (le32(reg) & 0xfu) | ((uint32_t)addr & ~0xfu));
    if (f->bar[bar].is64)
        put32(reg + 4, (uint32_t)(addr >> 32));
}

uint64_t pci_function_bar_addr(const struct pci_function *f, unsigned bar)
{
    const uint8_t *reg = &f->cfg[PCI_BAR0 + 4 * bar];
    uint64_t addr = le32(reg) & ~0xfu;
    if (f->bar[bar].is64)
        addr |= (uint64_t)le32(reg + 4) << 32;
    return addr;
}

unsigned pci_function_add_cap(struct pci_function *f, const void *cap, size_t len)
{
    unsigned at = f->cap_free;
    if (len < 2 || at + len > PCI_CFG_SPACE)
        return 0;
    memcpy(&f->cfg[at], cap, len);
    f->cfg[at + 1] = 0; /* the end of the list, until another follows */
    if (f->cap_last)
        f->cfg[f->cap_last + 1] = (uint8_t)at;
    else
        f->cfg[PCI_CAP_PTR] = (uint8_t)at;
    f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    f->cap_last = (uint8_t)at;
    f->cap_free = (unsigned)((at + len + 3) & ~3u); /* capabilities are dword-aligned */
    return at;
}

static uint8_t cfg_byte(const struct pci_function *f, unsigned reg)
{
    if (reg >= PCI_CFG_SPACE)
        return 0;
    uint8_t b = f->cfg[reg];
    if (reg == PCI_STATUS && f->intx)
        b |= PCI_STATUS_INTX;
    return b;
}

uint32_t pci_function_cfg_read(const struct pci_function *f, unsigned reg, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)cfg_byte(f, reg + i) << (8 * i);
    return v;
}

void pci_function_cfg_write(struct pci_function *f, unsigned reg, unsigned size, uint32_t value)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        if (r >= PCI_CFG_SPACE)
            return;
        uint8_t b = (uint8_t)(value >> (8 * i));
        f->cfg[r] = (uint8_t)((f->cfg[r] & ~f->wmask[r]) | (b & f->wmask[r]));
    }
}

static uint16_t command(const struct pci_function *f)
{
    return (uint16_t)(f->cfg[PCI_COMMAND] | f->cfg[PCI_COMMAND + 1] << 8);
}

bool pci_function_decode(const struct pci_function *f, uint64_t addr, unsigned size, unsigned *bar, uint64_t *off)
{
    if (!(command(f) & PCI_CMD_MEMORY))
        return false;
    for (unsigned b = 0; b < PCI_BARS; b++) {
        if (!f->bar[b].size)
            continue;
        uint64_t base = pci_function_bar_addr(f, b);
        /* unsigned differences: a BAR at the top of the address space
         * cannot wrap around to claim address 0 */
        uint64_t o = addr - base;
        if (addr >= base && o < f->bar[b].size && size <= f->bar[b].size - o) {
            *bar = b;
            *off = o;
            return true;
        }
    }
    return false;
}

bool pci_function_intx_level(const struct pci_function *f) { return f->intx && !(command(f) & PCI_CMD_INTX_DISABLE); }
