/* What the readers of one domain node share (domain_desc.c, its
 * bindings; domain_partial.c, its partial device tree): the reading
 * context, the refusal that names node and property, and the guest map's
 * fixed windows. Private to builder/. */
#ifndef BUILDER_DOMAIN_DESC_PRIV_H
#define BUILDER_DOMAIN_DESC_PRIV_H

#include <xam/domain_desc.h>
#include <xam/fmt.h>
#include <xam/guest_map.h>

struct desc_ctx {
    const struct hostdt *h;
    const struct builder_env *env;
    struct hostdt_error *err;
};

static inline bool reject(const struct desc_ctx *c, int node, const char *prop, const char *why)
{
    char path[DT_PATH_MAX];
    fmt_snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s: %s", dt_node_path(c->h->fdt, node, path, sizeof(path)),
                 prop, why);
    return false;
}

/* The guest map's devices and windows, for overlap checks: the GIC and
 * vPL011 (if it has one) where its layout puts them; the grant-table region and the magic
 * pages only with xen,enhanced, the readiness register only with a bridge
 * (nothing is there otherwise, as in Xen). */
struct used {
    const char *what;
    paddr_t base;
    uint64_t size;
};

static inline unsigned guest_used(const struct domain_desc *dd, unsigned gic_rdist_vcpus, struct used *u)
{
    const struct guest_layout *l = &dd->layout;
    unsigned n = 0;
    for (unsigned i = 0; i < dd->nr_banks; i++)
        u[n++] = (struct used){ "guest RAM", dd->banks[i].ipa, dd->banks[i].size };
    u[n++] = (struct used){ "the virtual GIC", l->gicd, VGIC_DIST_SIZE };
    if (l->gicc)
        u[n++] = (struct used){ "the virtual GIC", l->gicc, VGIC_V2_CPU_SIZE };
    if (l->gicr)
        u[n++] = (struct used){ "the virtual GIC redistributors", l->gicr, VGIC_RDIST_STRIDE * gic_rdist_vcpus };
    if (dd->vpl011)
        u[n++] = (struct used){ "the vPL011", l->uart, VPL011_SIZE };
    if (domain_desc_enhanced(dd)) {
        u[n++] = (struct used){ "the grant-table region", GUEST_GNTTAB_BASE, GUEST_GNTTAB_SIZE };
        u[n++] = (struct used){ "Xen's magic pages", GUEST_MAGIC_BASE, GUEST_MAGIC_SIZE };
    }
    if (dd->has_bridge)
        u[n++] = (struct used){ "the PCI readiness register", PCI_READY_BASE, PCI_READY_SIZE };
    return n;
}

/* The partial device tree (multiboot,device-tree) of dd, whose modules
 * check_modules() has sorted: its /passthrough nodes' MMIO and interrupts
 * into dd, the tree itself into dd->partial. False (after saying why) if
 * the domain must be skipped. */
bool domain_partial_read(const struct desc_ctx *c, struct domain_desc *dd);

/* The virtio devices under dd's node (ours), once its bridge and
 * device-model link are read: into dd->virtio, sorted by slot. False
 * (after saying why) if the domain must be skipped. */
bool domain_virtio_read(const struct desc_ctx *c, struct domain_desc *dd);

/* Xen's static shared memory children of dd's node (domain_shm.c), once
 * its RAM, bridge and passthrough ranges are read: into dd->shm. False
 * (after naming the node and property) if the domain must be skipped. */
bool domain_shm_read(const struct desc_ctx *c, struct domain_desc *dd);
/* dd's shared regions in its guest map, as entries for overlap checks
 * (appended at u; returns how many: dd->nr_shm). */
unsigned domain_shm_used(const struct domain_desc *dd, struct used *u);

/* Its static event channels (Xen's xen,evtchn-v1 children), once
 * xen,enhanced is read: into dd->evtchn. False (after saying why) if the
 * domain must be skipped (domain_evtchn.c). */
bool domain_evtchn_read(const struct desc_ctx *c, struct domain_desc *dd);
/* Refuse every domain one of whose static event channels has its other
 * end in a domain that is refused, and in turn their peers: whether it
 * refused any (run with the device-model orphans). */
bool domain_evtchn_orphans(const void *fdt, const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse,
                           void *ctx);

/* Xen's domain bindings this hypervisor does not implement (or not with
 * the value given), and its pools' cpupool-sched: false (after naming the
 * binding, its Xen release and what to do) if the domain must be skipped
 * (domain_xen_compat.c). */
bool domain_xen_unsupported(const struct desc_ctx *c, int node);
bool domain_xen_pool_unsupported(const struct desc_ctx *c, int node, int pool);

#endif
