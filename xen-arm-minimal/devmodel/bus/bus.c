/* The emulated PCI bus of one client (dm_bus.h): bus 0 behind the
 * client's pci-host-ecam-generic bridge. It decodes configuration requests
 * (by ECAM address or by SBDF) to the function at that slot, routes memory
 * accesses in the bridge's windows to the function whose BAR decodes them,
 * and drives the INTx lines, each the OR of the functions swizzled onto it.
 * Anything no function claims reads all ones and ignores writes, as an
 * empty slot does on real hardware. */
#include "bus/dm_bus.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci/pci_window.h"
#include "virtio/virtio_abi.h"
#include "virtio/virtio_devices.h"

#define SLOTS 32
#define ECAM_BUS_SIZE (1u << 20)
#define MAX_LINES 4
#define BRIDGE_GRANTS 1 /* flags bit 0 (docs/bindings.md): the guest's DMA goes through grants */

struct dm_bus {
    struct dm_bridge_layout layout;
    struct dm_bus_env env;
    struct pci_window mem, pref;
    struct virtio_dev *fn[SLOTS]; /* function 0 of each slot */
    bool line[MAX_LINES]; /* each INTx line's level as last driven */
};

static void no_log(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static __attribute__((format(printf, 2, 3))) void log_line(const struct dm_bus_env *env, const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    env->log(env->ctx, line);
}

static bool wraps(uint64_t base, uint64_t size) { return size && base + size - 1 < base; }

struct dm_bus *dm_bus_create(const struct dm_bridge_layout *layout, const struct dm_bus_env *env)
{
    if (!env || !env->mem_read || !env->mem_write || !env->set_irq)
        return NULL;
    struct dm_bus_env e = *env;
    if (!e.log)
        e.log = no_log;
    const struct dm_bridge_layout *l = layout;
    const char *why = NULL;
    if (!l->ecam_size || l->ecam_size % ECAM_BUS_SIZE || l->ecam % ECAM_BUS_SIZE)
        why = "ECAM must be a non-empty multiple of 1 MiB, 1 MiB-aligned";
    else if (!l->mem_size)
        why = "the MEM window is empty";
    else if (wraps(l->ecam, l->ecam_size) || wraps(l->mem, l->mem_size) || wraps(l->pref, l->pref_size))
        why = "a window wraps around the address space";
    else if (l->irq_count < 1 || l->irq_count > MAX_LINES)
        why = "irq_count must be 1 to 4";
    if (why) {
        log_line(&e, "bridge at 0x%llx: %s", (unsigned long long)l->ecam, why);
        return NULL;
    }
    struct dm_bus *bus = calloc(1, sizeof(*bus));
    if (!bus) {
        e.log(e.ctx, "out of memory for a bus");
        return NULL;
    }
    bus->layout = *l;
    bus->env = e;
    pci_window_init(&bus->mem, l->mem, l->mem_size);
    pci_window_init(&bus->pref, l->pref, l->pref_size);
    return bus;
}

void dm_bus_destroy(struct dm_bus *bus)
{
    if (!bus)
        return;
    for (unsigned s = 0; s < SLOTS; s++)
        virtio_dev_destroy(bus->fn[s]);
    free(bus);
}

int dm_bus_add_device(struct dm_bus *bus, const struct dm_device_conf *conf)
{
    if (conf->slot >= SLOTS || bus->fn[conf->slot]) {
        log_line(&bus->env, "slot %u: %s", conf->slot, conf->slot >= SLOTS ? "out of range (0-31)" : "already taken");
        return -1;
    }
    /* the BAR goes where Linux would put it: a 64-bit prefetchable BAR in
     * the prefetchable window if there is one, else the MEM window */
    bool bar64 = bus->layout.pref_size != 0;
    struct pci_window *w = bar64 ? &bus->pref : &bus->mem;
    struct virtio_dev *d;
    uint64_t addr;
    switch (conf->kind) {
    case DM_VIRTIO_BLK:
        d = virtio_blk_create(conf, &bus->env, bar64);
        break;
    case DM_VIRTIO_RNG:
        d = virtio_rng_create(conf, &bus->env, bar64);
        break;
    case DM_VIRTIO_CONSOLE:
        d = virtio_console_create(conf, &bus->env, bar64);
        break;
    default:
        log_line(&bus->env, "slot %u: unknown device kind %d", conf->slot, (int)conf->kind);
        return -1;
    }
    if (!d)
        return -1;
    if (!pci_window_take(w, VIRTIO_BAR_SIZE, &addr)) {
        log_line(&bus->env, "slot %u: no room left in the %s window for a %u KiB BAR", conf->slot,
                 bar64 ? "prefetchable" : "MEM", VIRTIO_BAR_SIZE / 1024);
        virtio_dev_destroy(d);
        return -1;
    }
    /* a guest with xen,grant-dma (Linux's CONFIG_XEN_VIRTIO) refuses a
     * device without it; its addresses are then grants, which the Xen
     * side's mem_read/mem_write resolve */
    if (bus->layout.flags & BRIDGE_GRANTS)
        d->device_features |= 1ull << VIRTIO_F_ACCESS_PLATFORM;
    /* as firmware leaves it: placed and decoding, so a guest that does not
     * enumerate finds it; Linux sizes and moves it anyway */
    pci_function_set_bar_addr(&d->pci, VIRTIO_BAR, addr);
    pci_function_cfg_write(&d->pci, PCI_COMMAND, 2, PCI_CMD_MEMORY);
    bus->fn[conf->slot] = d;
    return 0;
}

/* The bridge's interrupt-map: slot s pin p -> line (s % 4 + p - 1) %
 * irq_count. The guest's map has entries for slots 0-3 only, with a mask
 * that keeps the slot's low two bits, so slot s uses slot s % 4's entry;
 * with 1, 2 or 4 lines that is (s + p - 1) % irq_count. */
static unsigned line_of(const struct dm_bus *bus, unsigned slot, unsigned pin)
{
    return (slot % 4 + pin - 1) % bus->layout.irq_count;
}

/* After anything that may have changed a function's interrupt: drive each
 * line that changed level. */
static void update_lines(struct dm_bus *bus)
{
    bool level[MAX_LINES] = { false };
    for (unsigned s = 0; s < SLOTS; s++) {
        const struct virtio_dev *d = bus->fn[s];
        if (d && pci_function_intx_level(&d->pci))
            level[line_of(bus, s, d->pci.cfg[PCI_INT_PIN])] = true;
    }
    for (unsigned i = 0; i < bus->layout.irq_count; i++)
        if (level[i] != bus->line[i]) {
            bus->line[i] = level[i];
            bus->env.set_irq(bus->env.ctx, bus->layout.irq_start + i, level[i]);
        }
}

static uint64_t ones(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

static bool valid_size(unsigned size) { return size == 1 || size == 2 || size == 4 || size == 8; }

/* The function a configuration request reaches: bus 0, function 0. */
static struct virtio_dev *cfg_target(struct dm_bus *bus, unsigned busno, unsigned dev, unsigned fn)
{
    return busno == 0 && fn == 0 && dev < SLOTS ? bus->fn[dev] : NULL;
}

/* Configuration requests are naturally aligned, 1, 2 or 4 bytes (an 8-byte
 * one is two dwords); any other reads all ones, as a refused request. */
static uint64_t cfg_read(struct virtio_dev *d, unsigned reg, unsigned size)
{
    if (!d || !valid_size(size) || reg % size || reg >= PCI_CFG_FUNCTION)
        return ones(size);
    if (size == 8)
        return pci_function_cfg_read(&d->pci, reg, 4) | (uint64_t)pci_function_cfg_read(&d->pci, reg + 4, 4) << 32;
    return pci_function_cfg_read(&d->pci, reg, size);
}

static void cfg_write(struct dm_bus *bus, struct virtio_dev *d, unsigned reg, unsigned size, uint64_t value)
{
    if (!d || !valid_size(size) || reg % size || reg >= PCI_CFG_FUNCTION)
        return;
    if (size == 8) {
        pci_function_cfg_write(&d->pci, reg, 4, (uint32_t)value);
        pci_function_cfg_write(&d->pci, reg + 4, 4, (uint32_t)(value >> 32));
    } else {
        pci_function_cfg_write(&d->pci, reg, size, (uint32_t)value);
    }
    update_lines(bus); /* Interrupt Disable may have changed */
}

static bool in_ecam(const struct dm_bus *bus, uint64_t addr, uint64_t *off)
{
    *off = addr - bus->layout.ecam;
    return addr >= bus->layout.ecam && *off < bus->layout.ecam_size;
}

/* The function whose BAR decodes [addr, addr + size), inside a window. */
static struct virtio_dev *bar_target(struct dm_bus *bus, uint64_t addr, unsigned size, uint64_t *off)
{
    if (!pci_window_holds(&bus->mem, addr, size) && !pci_window_holds(&bus->pref, addr, size))
        return NULL;
    for (unsigned s = 0; s < SLOTS; s++) {
        unsigned bar;
        if (bus->fn[s] && pci_function_decode(&bus->fn[s]->pci, addr, size, &bar, off) && bar == VIRTIO_BAR)
            return bus->fn[s];
    }
    return NULL;
}

uint64_t dm_bus_mmio_read(struct dm_bus *bus, uint64_t addr, unsigned size)
{
    uint64_t off, v;
    if (!valid_size(size))
        return ~0ull;
    if (in_ecam(bus, addr, &off))
        return cfg_read(cfg_target(bus, (unsigned)(off >> 20), off >> 15 & 31, off >> 12 & 7), off & 0xfff, size);
    struct virtio_dev *d = bar_target(bus, addr, size, &off);
    if (!d)
        return ones(size);
    v = virtio_dev_bar_read(d, off, size);
    update_lines(bus); /* an ISR read acknowledges */
    return v;
}

void dm_bus_mmio_write(struct dm_bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
    uint64_t off;
    if (!valid_size(size))
        return;
    if (size < 8)
        value &= ones(size);
    if (in_ecam(bus, addr, &off)) {
        cfg_write(bus, cfg_target(bus, (unsigned)(off >> 20), off >> 15 & 31, off >> 12 & 7), off & 0xfff, size, value);
        return;
    }
    struct virtio_dev *d = bar_target(bus, addr, size, &off);
    if (!d)
        return;
    virtio_dev_bar_write(d, off, size, value);
    update_lines(bus); /* a reset lowers the interrupt */
}

/* sbdf: segment << 16 | bus << 8 | device << 3 | function; segment 0 */
static struct virtio_dev *sbdf_target(struct dm_bus *bus, uint32_t sbdf)
{
    return sbdf >> 16 ? NULL : cfg_target(bus, sbdf >> 8 & 0xff, sbdf >> 3 & 31, sbdf & 7);
}

uint64_t dm_bus_cfg_read(struct dm_bus *bus, uint32_t sbdf, unsigned reg, unsigned size)
{
    return cfg_read(sbdf_target(bus, sbdf), reg, size);
}

void dm_bus_cfg_write(struct dm_bus *bus, uint32_t sbdf, unsigned reg, unsigned size, uint64_t value)
{
    if (size < 8)
        value &= ones(size);
    cfg_write(bus, sbdf_target(bus, sbdf), reg, size, value);
}

bool dm_bus_run(struct dm_bus *bus)
{
    bool more = false;
    for (unsigned s = 0; s < SLOTS; s++)
        if (bus->fn[s])
            more |= virtio_dev_run(bus->fn[s]);
    update_lines(bus);
    return more;
}

size_t dm_bus_console_input(struct dm_bus *bus, const void *buf, size_t len)
{
    /* the first console on the bus is the client's */
    for (unsigned s = 0; s < SLOTS; s++)
        if (bus->fn[s] && bus->fn[s]->ops->type == VIRTIO_ID_CONSOLE) {
            size_t n = virtio_console_input(bus->fn[s], buf, len);
            update_lines(bus);
            return n;
        }
    return 0;
}
