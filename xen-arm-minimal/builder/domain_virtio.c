/* Reading the virtio devices a guest's device model serves on its
 * secondary PCI bridge (children of its /chosen node, ours): disks (a
 * boot module, or a file or block device of the device model's domain),
 * an entropy source, a console; each checked, then given its PCI slot on
 * bus 0. Portable: the hypervisor and xam-dryrun both run it, so both
 * refuse with the same words. */
#include <libfdt.h>
#include <string.h>
#include "domain_desc_priv.h"

/* 1 (and *kind) for one of ours, 0 for a child that is no virtio device
 * (modules, vCPUs), -1 for a compatible under our prefix that we do not
 * know: a typo must not silently leave a guest without its disk. */
static int kind_of(const void *fdt, int node, unsigned *kind)
{
    int len;
    const char *compat = dt_getprop(fdt, node, "compatible", &len);
    if (!compat || len <= 0)
        return 0;
    for (unsigned k = VIRTIO_BLK; k <= VIRTIO_CONSOLE; k++)
        if (dt_prop_has_string(fdt, node, "compatible", virtio_compatible(k))) {
            *kind = k;
            return 1;
        }
    for (const char *p = compat; p < compat + len; p += strnlen(p, (size_t)(compat + len - p)) + 1)
        if (!strncmp(p, VIRTIO_COMPAT_PREFIX, strlen(VIRTIO_COMPAT_PREFIX)))
            return -1;
    return 0;
}

/* A string property: NULL and *bad false when absent, *bad when it is
 * not one NUL-terminated string. */
static const char *string_prop(const void *fdt, int node, const char *prop, bool *bad)
{
    int len;
    const char *s = dt_getprop(fdt, node, prop, &len);
    *bad = s && (len <= 0 || s[len - 1] != '\0' || strnlen(s, (size_t)len) != (size_t)len - 1);
    return *bad ? NULL : s;
}

/* A disk image loaded as a boot module: the device model maps its pages,
 * so they must be whole pages, and the module must be this device's
 * alone (two devices writing one image would corrupt it; a kernel or
 * another domain's disk there would be exposed). */
static bool read_disk_module(const struct desc_ctx *c, int node, struct virtio_dev *v)
{
    const struct hostdt *h = c->h;
    const struct hostdt_module *m = NULL;
    char why[200], path[DT_PATH_MAX];
    for (unsigned i = 0; i < h->nr_modules && !m; i++)
        if (h->modules[i].node == node)
            m = &h->modules[i];
    if (!m) /* the tree reader registers every virtio-blk with reg */
        return reject(c, node, "reg", "is not a module the tree reader found");
    if (m->base % PAGE_SIZE || m->size % PAGE_SIZE) {
        fmt_snprintf(why, sizeof(why),
                     "disk module 0x%llx+0x%llx: must start and end on 4 KiB page boundaries (its pages are "
                     "mapped into the device model)",
                     (unsigned long long)m->base, (unsigned long long)m->size);
        return reject(c, node, "reg", why);
    }
    for (unsigned i = 0; i < h->nr_modules; i++) {
        const struct hostdt_module *o = &h->modules[i];
        if (o == m || o->problem || !ranges_overlap(m->base, m->size, o->base, o->size))
            continue;
        fmt_snprintf(why, sizeof(why),
                     "disk module 0x%llx-0x%llx is also used by %s: a disk module backs one device only",
                     (unsigned long long)m->base, (unsigned long long)(m->base + m->size - 1),
                     dt_node_path(h->fdt, o->node, path, sizeof(path)));
        return reject(c, node, "reg", why);
    }
    v->disk_pa = m->base;
    v->disk_size = m->size;
    return true;
}

static bool read_blk(const struct desc_ctx *c, int node, struct virtio_dev *v)
{
    const void *fdt = c->h->fdt;
    bool bad;
    bool has_reg = dt_getprop(fdt, node, "reg", NULL) != NULL;
    bool has_path = dt_getprop(fdt, node, "backend-path", NULL) != NULL;
    if (has_reg && has_path)
        return reject(c, node, "backend-path",
                      "and reg both given: a disk is either a boot module (reg) or a file or block device of the "
                      "device model's domain (backend-path)");
    if (!has_reg && !has_path)
        return reject(c, node, "reg",
                      "missing: a virtio-blk disk needs reg (a disk image loaded as a boot module) or backend-path "
                      "(a file or block device of the device model's domain)");
    if (has_path) {
        v->backend_path = string_prop(fdt, node, "backend-path", &bad);
        if (bad || !v->backend_path[0])
            return reject(c, node, "backend-path", "must be a non-empty string (a path in the device model's domain)");
    } else if (!read_disk_module(c, node, v)) {
        return false;
    }
    v->read_only = dt_getprop(fdt, node, "read-only", NULL) != NULL;
    v->serial = string_prop(fdt, node, "serial", &bad);
    if (bad)
        return reject(c, node, "serial", "not a string");
    if (v->serial && strlen(v->serial) > VIRTIO_SERIAL_MAX) {
        char why[96];
        fmt_snprintf(why, sizeof(why), "%u bytes: at most %u (virtio-blk's serial field)", (unsigned)strlen(v->serial),
                     VIRTIO_SERIAL_MAX);
        return reject(c, node, "serial", why);
    }
    return true;
}

/* pci-slot = <n>: absent gives -1 (a free slot is chosen later). */
static bool read_slot(const struct desc_ctx *c, int node, int *slot)
{
    int len;
    const fdt32_t *p = dt_getprop(c->h->fdt, node, "pci-slot", &len);
    *slot = -1;
    if (!p)
        return true;
    if (len != 4 || fdt32_ld(p) >= VIRTIO_MAX_DEVS)
        return reject(c, node, "pci-slot", "must be one cell, a PCI slot from 0 to 31");
    *slot = (int)fdt32_ld(p);
    return true;
}

bool domain_virtio_read(const struct desc_ctx *c, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int child, slots[VIRTIO_MAX_DEVS];
    int taken[VIRTIO_MAX_DEVS]; /* node holding each slot, or -1 */
    bool console = false;
    for (unsigned s = 0; s < VIRTIO_MAX_DEVS; s++)
        taken[s] = -1;
    dd->nr_virtio = 0;
    fdt_for_each_subnode(child, fdt, dd->node)
    {
        unsigned kind;
        int known = kind_of(fdt, child, &kind);
        if (known == 0)
            continue;
        if (known < 0)
            return reject(c, child, "compatible",
                          "unknown virtio device (" VIRTIO_COMPAT_PREFIX "blk, -rng and -console are known)");
        if (!dd->has_bridge)
            return reject(c, child, "compatible",
                          "a virtio device needs the domain's secondary-emulated-pci-host-bridge and device-model "
                          "(nothing would serve it)");
        if (dd->nr_virtio == VIRTIO_MAX_DEVS)
            return reject(c, child, "compatible", "more than 32 virtio devices (one per PCI slot of bus 0)");
        if (kind == VIRTIO_CONSOLE && console)
            return reject(c, child, "compatible", "a second virtio-console (a domain has at most one)");
        console |= kind == VIRTIO_CONSOLE;
        struct virtio_dev *v = &dd->virtio[dd->nr_virtio];
        memset(v, 0, sizeof(*v));
        v->node = child;
        v->kind = (uint8_t)kind;
        int *slot = &slots[dd->nr_virtio];
        if (!read_slot(c, child, slot) || (kind == VIRTIO_BLK && !read_blk(c, child, v)))
            return false;
        if (*slot >= 0 && taken[*slot] >= 0) {
            char why[DT_PATH_MAX + 64], path[DT_PATH_MAX];
            fmt_snprintf(why, sizeof(why), "slot %d is already %s's", *slot,
                         dt_node_path(fdt, taken[*slot], path, sizeof(path)));
            return reject(c, child, "pci-slot", why);
        }
        if (*slot >= 0)
            taken[*slot] = child;
        dd->nr_virtio++;
    }
    /* the others, in node order, from the first free slot: there is one,
     * since at most 32 devices hold at most 32 slots */
    unsigned next = 0;
    for (unsigned i = 0; i < dd->nr_virtio; i++) {
        if (slots[i] < 0) {
            while (taken[next] >= 0)
                next++;
            slots[i] = (int)next;
            taken[next] = dd->virtio[i].node;
        }
        dd->virtio[i].slot = (uint8_t)slots[i];
    }
    /* sorted by slot: the device model's tree lists them in bus order */
    for (unsigned i = 1; i < dd->nr_virtio; i++)
        for (unsigned j = i; j > 0 && dd->virtio[j - 1].slot > dd->virtio[j].slot; j--) {
            struct virtio_dev t = dd->virtio[j];
            dd->virtio[j] = dd->virtio[j - 1];
            dd->virtio[j - 1] = t;
        }
    return true;
}
