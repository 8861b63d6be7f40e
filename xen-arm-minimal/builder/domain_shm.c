/* Xen's static shared memory (booting.txt, "Static Shared Memory"; Xen
 * 4.17, the host address optional since 4.19): children of a domain node
 * with compatible "xen,domain-shared-memory-v1", xen,shm-id (the region's
 * name), xen,shared-mem = <[host-addr] guest-addr size> in the domain
 * node's cells, and an optional role ("owner" or "borrower"). One region,
 * claimed at boot and never anyone's RAM, is mapped into each domain that
 * names it at that domain's guest address. Portable: the hypervisor and
 * xam-dryrun both run it, so they refuse with the same words. */
#include <libfdt.h>
#include <string.h>
#include <xam/fmt.h>
#include <xam/memrange.h>
#include "domain_desc_priv.h"

#define SHM_COMPATIBLE "xen,domain-shared-memory-v1"

/* #address-cells or #size-cells as Xen reads them for a child of node:
 * node's own, else its nearest ancestor's, else the root's default. */
static int inherited_cells(const void *fdt, int node, const char *prop, int dflt)
{
    for (; node >= 0; node = dt_parent(fdt, node)) {
        int len;
        const fdt32_t *p = dt_getprop(fdt, node, prop, &len);
        if (p)
            return len == 4 ? (int)fdt32_ld(p) : -1;
        if (node == 0)
            break;
    }
    return dflt;
}

static const char *role_name(enum desc_shm_role r)
{
    return r == SHM_ROLE_OWNER ? "owner" : r == SHM_ROLE_BORROWER ? "borrower" : "none";
}

unsigned domain_shm_used(const struct domain_desc *dd, struct used *u)
{
    for (unsigned i = 0; i < dd->nr_shm; i++)
        u[i] = (struct used){ "static shared memory", dd->shm[i].ipa, dd->shm[i].size };
    return dd->nr_shm;
}

/* Where the guest address of s may not go: the domain's RAM and devices,
 * its bridge's windows, its passthrough ranges, its other regions. */
static bool check_guest(const struct desc_ctx *c, const struct domain_desc *dd, const struct desc_shm *s)
{
    char why[200];
    if (s->ipa + s->size > 1ULL << dd->ipa_bits || s->ipa + s->size < s->ipa) {
        fmt_snprintf(why, sizeof(why), "guest 0x%llx-0x%llx ends beyond the guest physical address space (%u bits)",
                     (unsigned long long)s->ipa, (unsigned long long)(s->ipa + s->size - 1), dd->ipa_bits);
        return reject(c, s->node, "xen,shared-mem", why);
    }
    struct used u[DESC_MAX_BANKS + 8 + 3 + DESC_MAX_PASSTHROUGH + DESC_MAX_SHM];
    unsigned n = guest_used(dd, dd->vcpus, u);
    if (dd->has_bridge) {
        u[n++] = (struct used){ "the PCI bridge's ECAM window", dd->bridge.ecam, dd->bridge.ecam_size };
        u[n++] = (struct used){ "the PCI bridge's MEM window", dd->bridge.mem, dd->bridge.mem_size };
        u[n++] = (struct used){ "the PCI bridge's prefetchable window", dd->bridge.pref, dd->bridge.pref_size };
    }
    for (unsigned i = 0; i < dd->nr_mmio; i++)
        u[n++] = (struct used){ "a passthrough range (xen,reg)", dd->mmio[i].guest, dd->mmio[i].size };
    unsigned first_shm = n;
    n += domain_shm_used(dd, &u[n]);
    for (unsigned j = 0; j < n; j++) {
        if (!u[j].size || !ranges_overlap(s->ipa, s->size, u[j].base, u[j].size))
            continue;
        char other[DT_PATH_MAX + 40] = "";
        if (j >= first_shm)
            fmt_snprintf(other, sizeof(other), " (region \"%s\", %s)", dd->shm[j - first_shm].id,
                         fdt_get_name(c->h->fdt, dd->shm[j - first_shm].node, NULL));
        fmt_snprintf(why, sizeof(why), "guest 0x%llx-0x%llx overlaps %s%s 0x%llx-0x%llx", (unsigned long long)s->ipa,
                     (unsigned long long)(s->ipa + s->size - 1), u[j].what, other, (unsigned long long)u[j].base,
                     (unsigned long long)(u[j].base + u[j].size - 1));
        return reject(c, s->node, "xen,shared-mem", why);
    }
    return true;
}

/* Where the host range of s may not be: outside RAM, on reserved memory
 * or a boot module, on the domain's own static memory, on its other
 * regions (another domain's are domain_shm_conflict()'s). */
static bool check_host(const struct desc_ctx *c, const struct domain_desc *dd, const struct desc_shm *s)
{
    const struct hostdt *h = c->h;
    char why[DT_PATH_MAX + 160];
    unsigned long long lo = s->pa, hi = s->pa + s->size - 1;
    if (!mrset_contains(&h->mem, s->pa, s->size)) {
        fmt_snprintf(why, sizeof(why), "host 0x%llx-0x%llx is not host RAM", lo, hi);
        return reject(c, s->node, "xen,shared-mem", why);
    }
    if (mrset_overlaps(&h->reserved, s->pa, s->size)) {
        fmt_snprintf(why, sizeof(why), "host 0x%llx-0x%llx overlaps reserved memory (/memreserve/ or /reserved-memory)",
                     lo, hi);
        return reject(c, s->node, "xen,shared-mem", why);
    }
    for (unsigned m = 0; m < h->nr_modules; m++) {
        const struct hostdt_module *mod = &h->modules[m];
        if (mod->problem || !ranges_overlap(s->pa, s->size, mod->base, mod->size))
            continue;
        char path[DT_PATH_MAX];
        fmt_snprintf(why, sizeof(why), "host 0x%llx-0x%llx overlaps the module %s", lo, hi,
                     dt_node_path(h->fdt, mod->node, path, sizeof(path)));
        return reject(c, s->node, "xen,shared-mem", why);
    }
    for (unsigned b = 0; dd->static_mem && b < dd->nr_banks; b++)
        if (ranges_overlap(s->pa, s->size, dd->banks[b].pa, dd->banks[b].size)) {
            fmt_snprintf(why, sizeof(why), "host 0x%llx-0x%llx overlaps this domain's own xen,static-mem", lo, hi);
            return reject(c, s->node, "xen,shared-mem", why);
        }
    for (unsigned i = 0; i < dd->nr_shm; i++)
        if (dd->shm[i].host_given && ranges_overlap(s->pa, s->size, dd->shm[i].pa, dd->shm[i].size)) {
            fmt_snprintf(why, sizeof(why),
                         "host 0x%llx-0x%llx overlaps region \"%s\" (%s): two regions cannot share pages", lo, hi,
                         dd->shm[i].id, fdt_get_name(h->fdt, dd->shm[i].node, NULL));
            return reject(c, s->node, "xen,shared-mem", why);
        }
    return true;
}

static bool read_one(const struct desc_ctx *c, int node, int child, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    char why[240];
    int len;
    if (dd->nr_shm == DESC_MAX_SHM) {
        fmt_snprintf(why, sizeof(why), "more than %u static shared memory regions in one domain", DESC_MAX_SHM);
        return reject(c, child, "compatible", why);
    }
    struct desc_shm s = { .node = child, .name = fdt_get_name(fdt, child, NULL) };

    s.id = dt_getprop(fdt, child, "xen,shm-id", &len);
    if (!s.id || len < 2 || s.id[len - 1] || strlen(s.id) != (size_t)len - 1)
        return reject(c, child, "xen,shm-id",
                      "missing, empty or not a string (the region's name, such as \"my-shm-0\")");
    if (len > DESC_SHM_ID_MAX) {
        fmt_snprintf(why, sizeof(why), "\"%s\" is %d characters: at most %u (Xen's limit, 16 with its NUL)", s.id,
                     len - 1, DESC_SHM_ID_MAX - 1);
        return reject(c, child, "xen,shm-id", why);
    }
    for (unsigned i = 0; i < dd->nr_shm; i++)
        if (!strcmp(dd->shm[i].id, s.id)) {
            fmt_snprintf(why, sizeof(why), "\"%s\" is already mapped into this domain by %s: one node per region", s.id,
                         fdt_get_name(fdt, dd->shm[i].node, NULL));
            return reject(c, child, "xen,shm-id", why);
        }

    const char *role = dt_getprop(fdt, child, "role", &len);
    if (role) {
        bool str = len > 0 && !role[len - 1];
        if (str && !strcmp(role, "owner"))
            s.role = SHM_ROLE_OWNER;
        else if (str && !strcmp(role, "borrower"))
            s.role = SHM_ROLE_BORROWER;
        else
            return reject(c, child, "role",
                          "must be \"owner\" or \"borrower\" (absent: a borrower of a region no domain owns)");
    }

    /* xen,shared-mem = <host-addr guest-addr size> or, from Xen 4.19,
     * <guest-addr size> (the hypervisor allocates it); addresses in the
     * domain node's #address-cells (inherited), the size in #size-cells */
    int ac = inherited_cells(fdt, node, "#address-cells", 2), sc = inherited_cells(fdt, node, "#size-cells", 1);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return reject(c, child, "xen,shared-mem",
                      "the domain node's #address-cells and #size-cells (its cells) must be 1 or 2");
    const fdt32_t *p = dt_getprop(fdt, child, "xen,shared-mem", &len);
    if (!p || (len != (2 * ac + sc) * 4 && len != (ac + sc) * 4)) {
        fmt_snprintf(why, sizeof(why),
                     "%s: must be <host-addr guest-addr size> or <guest-addr size> (the host address chosen at "
                     "boot), addresses in %d cells and the size in %d (the domain node's #address-cells and "
                     "#size-cells)",
                     p ? "malformed" : "missing", ac, sc);
        return reject(c, child, "xen,shared-mem", why);
    }
    s.host_given = len == (2 * ac + sc) * 4;
    if (s.host_given) {
        s.pa = dt_read_cells(p, (unsigned)ac);
        p += ac;
    }
    s.ipa = dt_read_cells(p, (unsigned)ac);
    s.size = dt_read_cells(p + ac, (unsigned)sc);
    if (!s.size || s.size % PAGE_SIZE || s.ipa % PAGE_SIZE || (s.host_given && s.pa % PAGE_SIZE))
        return reject(c, child, "xen,shared-mem", "the addresses and the size must be page-aligned, the size non-zero");
    if ((s.host_given && s.pa + s.size < s.pa) || s.ipa + s.size < s.ipa)
        return reject(c, child, "xen,shared-mem", "the region wraps around the end of the address space");

    if (dd->direct_map && !s.host_given)
        return reject(c, child, "xen,shared-mem",
                      "a direct-map domain's region needs its host address (guest address = host address), as "
                      "in Xen");
    if (dd->direct_map && s.pa != s.ipa) {
        fmt_snprintf(why, sizeof(why),
                     "a direct-map domain sees the region at its host address: the guest address 0x%llx must be "
                     "0x%llx, as in Xen",
                     (unsigned long long)s.ipa, (unsigned long long)s.pa);
        return reject(c, child, "xen,shared-mem", why);
    }
    if ((s.host_given && !check_host(c, dd, &s)) || !check_guest(c, dd, &s))
        return false;
    dd->shm[dd->nr_shm++] = s;
    return true;
}

bool domain_shm_read(const struct desc_ctx *c, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int child;
    dd->nr_shm = 0;
    fdt_for_each_subnode(child, fdt, dd->node)
    {
        if (dt_prop_has_string(fdt, child, "compatible", SHM_COMPATIBLE) && !read_one(c, dd->node, child, dd))
            return false;
    }
    return true;
}

bool domain_shm_conflict(const struct domain_desc *a, const struct domain_desc *b, char *why, size_t len)
{
    for (unsigned i = 0; i < b->nr_shm; i++) {
        const struct desc_shm *x = &b->shm[i];
        unsigned long long xlo = x->pa, xhi = x->pa + x->size - 1;
        for (unsigned j = 0; j < a->nr_shm; j++) {
            const struct desc_shm *y = &a->shm[j];
            if (!strcmp(x->id, y->id)) {
                if (x->size != y->size) {
                    fmt_snprintf(why, len,
                                 "%s: xen,shared-mem: region \"%s\" is 0x%llx bytes here and 0x%llx bytes in %s: one "
                                 "xen,shm-id names one region",
                                 x->name, x->id, (unsigned long long)x->size, (unsigned long long)y->size, a->name);
                    return true;
                }
                if (x->host_given && y->host_given && x->pa != y->pa) {
                    fmt_snprintf(why, len,
                                 "%s: xen,shared-mem: region \"%s\" is at host 0x%llx here and 0x%llx in %s: one "
                                 "xen,shm-id names one region",
                                 x->name, x->id, xlo, (unsigned long long)y->pa, a->name);
                    return true;
                }
                if (x->role == SHM_ROLE_OWNER && y->role == SHM_ROLE_OWNER) {
                    fmt_snprintf(why, len, "%s: role: region \"%s\" already has an owner, %s: one owner per region",
                                 x->name, x->id, a->name);
                    return true;
                }
                if ((x->role == SHM_ROLE_OWNER && y->role == SHM_ROLE_NONE) ||
                    (x->role == SHM_ROLE_NONE && y->role == SHM_ROLE_OWNER)) {
                    fmt_snprintf(why, len,
                                 "%s: role: region \"%s\" is shared with role \"%s\" here and \"%s\" in %s: a region "
                                 "with an owner has only \"borrower\"s besides; without one, give no role (or "
                                 "\"borrower\") everywhere",
                                 x->name, x->id, role_name(x->role), role_name(y->role), a->name);
                    return true;
                }
                continue;
            }
            if (x->host_given && y->host_given && ranges_overlap(x->pa, x->size, y->pa, y->size)) {
                fmt_snprintf(why, len, "%s: xen,shared-mem: host 0x%llx-0x%llx overlaps region \"%s\" of %s%s", x->name,
                             xlo, xhi, y->id, a->name,
                             x->pa == y->pa && x->size == y->size ? ": one region, one xen,shm-id (as in Xen)" : "");
                return true;
            }
        }
        for (unsigned k = 0; x->host_given && a->static_mem && k < a->nr_banks; k++)
            if (ranges_overlap(x->pa, x->size, a->banks[k].pa, a->banks[k].size)) {
                fmt_snprintf(why, len, "%s: xen,shared-mem: region \"%s\", host 0x%llx-0x%llx, is %s's xen,static-mem",
                             x->name, x->id, xlo, xhi, a->name);
                return true;
            }
    }
    for (unsigned k = 0; b->static_mem && k < b->nr_banks; k++)
        for (unsigned j = 0; j < a->nr_shm; j++) {
            const struct desc_shm *y = &a->shm[j];
            if (y->host_given && ranges_overlap(b->banks[k].pa, b->banks[k].size, y->pa, y->size)) {
                fmt_snprintf(why, len, "xen,static-mem: host 0x%llx-0x%llx overlaps region \"%s\" shared by %s",
                             (unsigned long long)b->banks[k].pa,
                             (unsigned long long)(b->banks[k].pa + b->banks[k].size - 1), y->id, a->name);
                return true;
            }
        }
    return false;
}

bool domain_shm_uses(const struct domain_desc *dd, const char *id)
{
    for (unsigned i = 0; i < dd->nr_shm; i++)
        if (!strcmp(dd->shm[i].id, id))
            return true;
    return false;
}

unsigned domain_shm_regions(const struct domain_desc *dd, const bool *ok, unsigned n, const struct desc_shm **r,
                            unsigned max)
{
    unsigned nr = 0;
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; ok[i] && k < dd[i].nr_shm; k++) {
            const struct desc_shm *s = &dd[i].shm[k];
            unsigned j = 0;
            while (j < nr && strcmp(r[j]->id, s->id))
                j++;
            if (j < nr) {
                /* the host address, if any user gives it (they agree) */
                if (!r[j]->host_given && s->host_given)
                    r[j] = s;
            } else if (nr < max) {
                r[nr++] = s;
            }
        }
    return nr;
}

void domain_shm_set_host(struct domain_desc *dd, unsigned n, const char *id, paddr_t pa)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < dd[i].nr_shm; k++)
            if (!strcmp(dd[i].shm[k].id, id))
                dd[i].shm[k].pa = pa;
}
