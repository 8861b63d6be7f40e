/* The builder's first phase across domains, one code for the hypervisor
 * and xam-dryrun: the checks between domains (first come, first served),
 * device-model loops and orphans, the plan that runs them all after the
 * describe phase, and the device-model client lists. */
#include <libfdt.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/guest_map.h>
#include <xam/memrange.h>
#include <xam/dtutil.h>
#include "domain_desc_priv.h"

bool domain_desc_conflict(const struct domain_desc *a, const struct domain_desc *b, char *why, size_t len)
{
    /* the console and the logs tell domains apart by name only */
    if (a->name && b->name && strncmp(a->name, b->name, DESC_NAME_MAX - 1) == 0) {
        fmt_snprintf(why, len, "its name is %s's: domain names must differ in their first %u characters", a->name,
                     DESC_NAME_MAX - 1);
        return true;
    }
    for (unsigned i = 0; a->static_mem && b->static_mem && i < b->nr_banks; i++)
        for (unsigned j = 0; j < a->nr_banks; j++)
            if (ranges_overlap(b->banks[i].pa, b->banks[i].size, a->banks[j].pa, a->banks[j].size)) {
                fmt_snprintf(why, len, "xen,static-mem: host 0x%llx-0x%llx is already %s's",
                             (unsigned long long)b->banks[i].pa,
                             (unsigned long long)(b->banks[i].pa + b->banks[i].size - 1), a->name);
                return true;
            }
    for (unsigned i = 0; i < b->nr_mmio; i++)
        for (unsigned j = 0; j < a->nr_mmio; j++)
            if (ranges_overlap(b->mmio[i].host, b->mmio[i].size, a->mmio[j].host, a->mmio[j].size)) {
                fmt_snprintf(why, len, "passthrough: host 0x%llx-0x%llx (xen,reg) is already %s's",
                             (unsigned long long)b->mmio[i].host,
                             (unsigned long long)(b->mmio[i].host + b->mmio[i].size - 1), a->name);
                return true;
            }
    for (unsigned i = 0; i < b->nr_irqs; i++)
        for (unsigned j = 0; j < a->nr_irqs; j++)
            if (b->irqs[i] == a->irqs[j]) {
                fmt_snprintf(why, len, "passthrough: interrupt SPI %u is already %s's", b->irqs[i] - 32, a->name);
                return true;
            }
    return domain_shm_conflict(a, b, why, len);
}

void domain_descs_conflicts(const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse, void *ctx)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; ok[i] && j < i; j++) {
            char why[320];
            if (ok[j] && domain_desc_conflict(&dd[j], &dd[i], why, sizeof(why))) {
                ok[i] = false;
                refuse(i, why, ctx);
            }
        }
}

void domain_descs_orphans(const void *fdt, const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse,
                          void *ctx)
{
    /* A loop of device models (each serving the next): none can start
     * serving before another does, and held guests among them would wait
     * forever. Every domain on the loop is refused. */
    for (unsigned i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        bool loop = false;
        unsigned cur = i, steps = 0;
        while (!loop && steps++ <= n && dd[cur].device_model >= 0) {
            unsigned j = 0;
            while (j < n && dd[j].node != dd[cur].device_model)
                j++;
            if (j == n)
                break;
            cur = j;
            loop = cur == i;
        }
        if (!loop)
            continue;
        char why[200];
        size_t w =
            (size_t)fmt_snprintf(why, sizeof(why), "device-model: the device models form a loop (%s", dd[i].name);
        do {
            unsigned j = 0;
            while (dd[j].node != dd[cur].device_model)
                j++;
            cur = j;
            if (w < sizeof(why))
                w += (size_t)fmt_snprintf(why + w, sizeof(why) - w, " -> %s", dd[cur].name);
        } while (cur != i);
        if (w < sizeof(why))
            fmt_snprintf(why + w, sizeof(why) - w, "): none of them could start serving the others");
        ok[i] = false;
        refuse(i, why, ctx);
    }
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < n; i++) {
            if (!ok[i] || dd[i].device_model < 0)
                continue;
            unsigned j = 0;
            while (j < n && dd[j].node != dd[i].device_model)
                j++;
            if (j < n && ok[j])
                continue;
            char why[200], dm[DT_PATH_MAX];
            fmt_snprintf(why, sizeof(why), "device-model: %s is not built, so nothing can serve this domain's bridge",
                         dt_node_path(fdt, dd[i].device_model, dm, sizeof(dm)));
            ok[i] = false;
            refuse(i, why, ctx);
            again = true;
        }
        /* a static event channel whose other end's domain is refused */
        again |= domain_evtchn_orphans(fdt, dd, ok, n, refuse, ctx);
    }
}

/* Where the next disk module of size bytes goes in device model dm's
 * guest physical space, from *cursor on (then moved past it): in the pmem
 * window, 1 GiB-aligned, clear of whatever dm has there (direct-mapped
 * RAM, passthrough, its own bridge) and inside its IPA space. 0: no room.
 * Placing disks in the same order always gives the same addresses, and
 * leaving some out never moves the others up: the plan's check holds for
 * every later (smaller) client list. */
static paddr_t pmem_next(const struct domain_desc *dm, paddr_t *cursor, uint64_t size)
{
    struct used u[DESC_MAX_BANKS + 8 + DESC_MAX_PASSTHROUGH + 3 + DESC_MAX_SHM];
    unsigned n = guest_used(dm, DESC_MAX_VCPUS, u);
    n += domain_shm_used(dm, &u[n]);
    for (unsigned i = 0; i < dm->nr_mmio; i++)
        u[n++] = (struct used){ "passthrough", dm->mmio[i].guest, dm->mmio[i].size };
    if (dm->has_bridge) {
        u[n++] = (struct used){ "ECAM", dm->bridge.ecam, dm->bridge.ecam_size };
        u[n++] = (struct used){ "MEM", dm->bridge.mem, dm->bridge.mem_size };
        u[n++] = (struct used){ "prefetch", dm->bridge.pref, dm->bridge.pref_size };
    }
    const paddr_t end = MIN(GUEST_PMEM_BASE + GUEST_PMEM_SIZE, 1ULL << dm->ipa_bits);
    paddr_t at = ALIGN_UP(MAX(*cursor, GUEST_PMEM_BASE), GUEST_PMEM_ALIGN);
    while (size && at < end && size <= end - at) {
        unsigned j = 0;
        while (j < n && !(u[j].size && ranges_overlap(at, size, u[j].base, u[j].size)))
            j++;
        if (j == n) {
            *cursor = at + size;
            return at;
        }
        at = ALIGN_UP(u[j].base + u[j].size, GUEST_PMEM_ALIGN);
    }
    return 0;
}

static int index_of(const struct domain_desc *dd, unsigned n, int node)
{
    for (unsigned j = 0; j < n; j++)
        if (dd[j].node == node)
            return (int)j;
    return -1;
}

void domain_descs_pmem(const void *fdt, const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse,
                       void *ctx)
{
    for (unsigned i = 0; i < n; i++) {
        int m = ok[i] && dd[i].device_model >= 0 ? index_of(dd, n, dd[i].device_model) : -1;
        if (m < 0 || !ok[m]) /* no device model: the orphan rule refuses it */
            continue;
        /* the disks of the earlier guests it serves first, as its tree
         * will list them */
        paddr_t cursor = GUEST_PMEM_BASE;
        for (unsigned t = 0; t <= i && ok[i]; t++) {
            if (!ok[t] || dd[t].device_model != dd[i].device_model)
                continue;
            for (unsigned k = 0; k < dd[t].nr_virtio; k++) {
                const struct virtio_dev *v = &dd[t].virtio[k];
                if (!v->disk_size || pmem_next(&dd[m], &cursor, v->disk_size) || t != i)
                    continue;
                char why[DT_PATH_MAX + 240], path[DT_PATH_MAX];
                fmt_snprintf(why, sizeof(why),
                             "%s: reg: no room for this disk module in its device model %s's pmem window "
                             "(0x%llx-0x%llx: each disk starts 1 GiB-aligned, clear of what the device model has "
                             "there)",
                             dt_node_path(fdt, v->node, path, sizeof(path)), dd[m].name,
                             (unsigned long long)GUEST_PMEM_BASE,
                             (unsigned long long)(GUEST_PMEM_BASE + GUEST_PMEM_SIZE - 1));
                ok[i] = false;
                refuse(i, why, ctx);
                break;
            }
        }
    }
}

/* What Xen reads in /chosen itself that has no meaning here, said out
 * loud: a dom0 (its kernel directly under /chosen, its bootargs). */
static void chosen_xen_unsupported(const void *fdt, int chosen, const struct desc_plan_ops *ops, void *ctx)
{
    char path[DT_PATH_MAX], msg[DT_PATH_MAX + 240];
    int node;
    fdt_for_each_subnode(node, fdt, chosen)
    {
        if (!dt_prop_has_string(fdt, node, "compatible", "multiboot,kernel") &&
            !dt_prop_has_string(fdt, node, "compatible", "xen,linux-zimage"))
            continue;
        fmt_snprintf(msg, sizeof(msg),
                     "%s: a kernel directly under /chosen is Xen's dom0, and there is no dom0 here: give it a "
                     "\"xen,domain\" node of its own (imagebuilder: DOMU_KERNEL, not DOM0_KERNEL)",
                     dt_node_path(fdt, node, path, sizeof(path)));
        ops->rejected(node, msg, ctx);
    }
    fdt_for_each_subnode(node, fdt, chosen)
    {
        if (!dt_prop_has_string(fdt, node, "compatible", "xen,evtchn-v1"))
            continue;
        fmt_snprintf(msg, sizeof(msg),
                     "%s: compatible: a static event channel directly under /chosen is Xen's dom0's end, and there "
                     "is no dom0 here: put it in a \"xen,domain\" node",
                     dt_node_path(fdt, node, path, sizeof(path)));
        ops->rejected(node, msg, ctx);
    }
    if (dt_getprop(fdt, chosen, "xen,dom0-bootargs", NULL))
        ops->rejected(chosen, "/chosen: xen,dom0-bootargs: there is no dom0 here: remove it", ctx);
}

/* Xen's null scheduler, for the domains of a pool whose cpupool-sched is
 * "null": each vCPU gets a CPU of the pool to itself, never shared and
 * never time-sliced against another vCPU. In /chosen order, each vCPU
 * takes the lowest free CPU its hard affinity allows; a domain whose vCPUs
 * do not all find one is refused (Xen's would leave them waiting for a
 * CPU to free up, which in a boot-time system is never). */
static void null_pools(const void *fdt, struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse, void *ctx)
{
    uint64_t taken = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!ok[i] || !dd[i].pool_null)
            continue;
        uint64_t pick[DESC_MAX_VCPUS], t = taken;
        unsigned v;
        for (v = 0; v < dd[i].vcpus; v++) {
            uint64_t free = dd[i].allowed[v] & ~t;
            if (!free)
                break;
            pick[v] = free & -free;
            t |= pick[v];
        }
        if (v < dd[i].vcpus) {
            char path[DT_PATH_MAX], why[DT_PATH_MAX + 200];
            fmt_snprintf(why, sizeof(why),
                         "domain-cpupool: its pool %s has cpupool-sched \"null\", and its vCPU %u finds no CPU of its "
                         "own there: give the pool more CPUs or the domain fewer vCPUs",
                         dt_node_path(fdt, dd[i].pool, path, sizeof(path)), v);
            ok[i] = false;
            refuse(i, why, ctx);
            continue;
        }
        taken = t;
        for (v = 0; v < dd[i].vcpus; v++)
            dd[i].allowed[v] = pick[v];
    }
}

unsigned domain_descs_plan(const struct hostdt *h, const struct builder_env *env, struct domain_desc *dd, bool *ok,
                           unsigned max, const struct desc_plan_ops *ops, void *ctx)
{
    const void *fdt = h->fdt;
    int chosen = fdt_path_offset(fdt, "/chosen"), node;
    unsigned n = 0;
    if (chosen < 0)
        return 0;
    dt_index(fdt); /* hostdt_parse() checked it whole; it does not change */
    struct builder_env once = *env;
    once.pool0 = domain_desc_pool0(h, env);
    once.pool0_known = true;
    env = &once;
    fdt_for_each_subnode(node, fdt, chosen)
    {
        if (!dt_prop_has_string(fdt, node, "compatible", "xen,domain"))
            continue;
        char path[DT_PATH_MAX];
        struct hostdt_error err;
        if (n == max) {
            fmt_snprintf(err.msg, sizeof(err.msg), "%s: more than %u domains",
                         dt_node_path(fdt, node, path, sizeof(path)), max);
            ops->rejected(node, err.msg, ctx);
            continue;
        }
        const char *problem = ops->precheck ? ops->precheck(node, err.msg, sizeof(err.msg), ctx) : NULL;
        ok[n] = !problem && domain_describe(h, node, env, &dd[n], &err);
        if (!ok[n]) {
            dd[n].node = node;
            dd[n].name = fdt_get_name(fdt, node, NULL);
            dd[n].device_model = -1;
            ops->rejected(node, err.msg, ctx);
        }
        n++;
    }
    chosen_xen_unsupported(fdt, chosen, ops, ctx);
    domain_descs_conflicts(dd, ok, n, ops->refused, ctx);
    null_pools(fdt, dd, ok, n, ops->refused, ctx);
    domain_descs_pmem(fdt, dd, ok, n, ops->refused, ctx);
    if (ops->claim)
        ops->claim(dd, ok, n, ctx);
    domain_descs_orphans(fdt, dd, ok, n, ops->refused, ctx);
    dt_index(NULL);
    return n;
}

const char *domain_desc_cpu_compatible(const void *fdt)
{
    /* the first CPU node: /cpus may start with cpu-map (QEMU's virt
     * does), which has no compatible of a CPU */
    int cpus = fdt_path_offset(fdt, "/cpus"), node;
    if (cpus < 0)
        return NULL;
    fdt_for_each_subnode(node, fdt, cpus)
    {
        if (dt_prop_has_string(fdt, node, "device_type", "cpu"))
            return dt_getprop(fdt, node, "compatible", NULL);
    }
    return NULL;
}

void domain_desc_add_clients(const struct domain_desc *dd, const bool *ok, const unsigned *id, unsigned n, unsigned i,
                             struct guest_fdt_params *gp)
{
    paddr_t cursor = GUEST_PMEM_BASE;
    /* its own device model, for its bridge's iommu-map */
    for (unsigned t = 0; t < n; t++)
        if (ok[t] && dd[i].has_bridge && dd[t].node == dd[i].device_model)
            gp->bridge_backend = id[t];
    for (unsigned t = 0; t < n && gp->nr_clients < GUEST_FDT_MAX_CLIENTS; t++)
        if (ok[t] && id[t] && dd[t].device_model == dd[i].node) {
            gp->clients[gp->nr_clients].domid = id[t];
            gp->clients[gp->nr_clients].name = dd[t].name;
            gp->clients[gp->nr_clients].bridge = &dd[t].bridge;
            gp->clients[gp->nr_clients].hold = dd[t].hold;
            gp->clients[gp->nr_clients].banks = dd[t].banks;
            gp->clients[gp->nr_clients].nr_banks = dd[t].nr_banks;
            gp->clients[gp->nr_clients].devs = dd[t].virtio;
            gp->clients[gp->nr_clients++].nr_devs = dd[t].nr_virtio;
            /* its disk modules, where the plan found room (there still
             * is: the list only ever shrinks) */
            for (unsigned k = 0; k < dd[t].nr_virtio; k++) {
                const struct virtio_dev *v = &dd[t].virtio[k];
                paddr_t at = v->disk_size ? pmem_next(&dd[i], &cursor, v->disk_size) : 0;
                if (at && gp->nr_pmem < GUEST_PMEM_MAX)
                    gp->pmem[gp->nr_pmem++] = (struct guest_pmem){ at, v->disk_pa, v->disk_size, v->read_only };
            }
        }
}
