/* BAR placement in a bridge window (pci_window.h). */
#include "pci/pci_window.h"

void pci_window_init(struct pci_window *w, uint64_t base, uint64_t size)
{
    w->base = base;
    w->size = size;
    w->used = 0;
}

bool pci_window_take(struct pci_window *w, uint64_t size, uint64_t *addr)
{
    if (!size || (size & (size - 1)) || w->used > w->size)
        return false;
    /* align the absolute address, not the offset: the window's base need
     * only be page-aligned */
    uint64_t next = w->base + w->used;
    uint64_t aligned = (next + size - 1) & ~(size - 1);
    if (aligned < next) /* wrapped past 2^64 */
        return false;
    uint64_t off = aligned - w->base;
    if (off > w->size || size > w->size - off)
        return false;
    w->used = off + size;
    *addr = aligned;
    return true;
}

bool pci_window_holds(const struct pci_window *w, uint64_t addr, uint64_t len)
{
    return w->size && addr >= w->base && addr - w->base < w->size && len <= w->size - (addr - w->base);
}
