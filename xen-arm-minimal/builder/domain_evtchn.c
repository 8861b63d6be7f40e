/* Xen's static event channels (booting.txt, "Static Event Channel", Xen
 * 4.17): children of a domain node with compatible "xen,evtchn-v1" and
 * xen,evtchn = <local-port &other-end>, the other end a node of the same
 * kind that names this one back. Read and checked here, one domain at a
 * time; the pairing across domains (both ends built) is
 * domain_evtchn_orphans(), run with the plan's other checks between
 * domains; dom0less.c binds them (core/evtchn.c, evtchn_bind_static)
 * before the domains start. Portable: xam-dryrun runs the same code, so
 * it refuses with the same words. */
#include <libfdt.h>
#include <string.h>
#include <xam/fmt.h>
#include <xam/xen_abi_evtchn.h>
#include "domain_desc_priv.h"

#define V1 "xen,evtchn-v1"

/* The <port phandle> of node's xen,evtchn: false if it is not two cells. */
static bool read_prop(const void *fdt, int node, uint32_t *port, uint32_t *phandle)
{
    int len;
    const fdt32_t *v = dt_getprop(fdt, node, "xen,evtchn", &len);
    if (!v || len != 8)
        return false;
    *port = fdt32_ld(&v[0]);
    *phandle = fdt32_ld(&v[1]);
    return true;
}

/* One xen,evtchn-v1 child of dd's domain node, into e. */
static bool read_one(const struct desc_ctx *c, const struct domain_desc *dd, int child, struct desc_evtchn *e)
{
    const void *fdt = c->h->fdt;
    char why[2 * DT_PATH_MAX + 200], other[DT_PATH_MAX];
    int len;
    if (!dt_getprop(fdt, child, "xen,evtchn", &len))
        return reject(c, child, "xen,evtchn", "missing: <local-port &other-end>, the other end a \"" V1 "\" node");
    uint32_t port, phandle;
    if (!read_prop(fdt, child, &port, &phandle)) {
        fmt_snprintf(why, sizeof(why), "must be two cells, <local-port &other-end> (%d bytes)", len);
        return reject(c, child, "xen,evtchn", why);
    }
    if (port == 0)
        return reject(c, child, "xen,evtchn",
                      "local port 0 is reserved (Xen would give a port of its choosing, which the guest cannot "
                      "know): give the port number the guest uses, 1 to 4095");
    if (port >= EVTCHN_2L_NR_CHANNELS) {
        fmt_snprintf(why, sizeof(why),
                     "local port %u is beyond the 2-level event-channel ABI (ports 1 to 4095; the FIFO ABI, "
                     "whose ports go further, is not offered here)",
                     port);
        return reject(c, child, "xen,evtchn", why);
    }
    for (unsigned i = 0; i < dd->nr_evtchn; i++)
        if (dd->evtchn[i].port == port) {
            fmt_snprintf(why, sizeof(why), "local port %u is already the one of %s: a port is one channel's", port,
                         dt_node_path(fdt, dd->evtchn[i].node, other, sizeof(other)));
            return reject(c, child, "xen,evtchn", why);
        }
    int remote = dt_node_by_phandle(fdt, phandle);
    if (remote < 0 || phandle == 0 || phandle == 0xffffffff) {
        fmt_snprintf(why, sizeof(why), "its other end, phandle 0x%x, names no node", phandle);
        return reject(c, child, "xen,evtchn", why);
    }
    if (remote == child)
        return reject(c, child, "xen,evtchn",
                      "names its own node: the other end must be another \"" V1 "\" node, which names this one");
    dt_node_path(fdt, remote, other, sizeof(other));
    if (!dt_prop_has_string(fdt, remote, "compatible", V1)) {
        fmt_snprintf(why, sizeof(why), "its other end, phandle 0x%x, is %s, which is not a \"" V1 "\" node", phandle,
                     other);
        return reject(c, child, "xen,evtchn", why);
    }
    int peer = dt_parent(fdt, remote), chosen = fdt_path_offset(fdt, "/chosen");
    if (peer == chosen) {
        fmt_snprintf(why, sizeof(why),
                     "its other end %s is directly under /chosen, which is Xen's dom0's place, and there is no dom0 "
                     "here: put it in a \"xen,domain\" node",
                     other);
        return reject(c, child, "xen,evtchn", why);
    }
    if (peer < 0 || dt_parent(fdt, peer) != chosen || !dt_prop_has_string(fdt, peer, "compatible", "xen,domain")) {
        fmt_snprintf(why, sizeof(why), "its other end %s is not in a /chosen \"xen,domain\" node", other);
        return reject(c, child, "xen,evtchn", why);
    }
    uint32_t rport, back;
    if (!read_prop(fdt, remote, &rport, &back)) {
        fmt_snprintf(why, sizeof(why), "its other end %s has no valid xen,evtchn (two cells, <local-port &other-end>)",
                     other);
        return reject(c, child, "xen,evtchn", why);
    }
    if (dt_node_by_phandle(fdt, back) != child) {
        fmt_snprintf(why, sizeof(why),
                     "its other end %s does not name this node back (its xen,evtchn gives phandle 0x%x): the two ends "
                     "must name each other",
                     other, back);
        return reject(c, child, "xen,evtchn", why);
    }
    if (peer == dd->node && rport == port) {
        fmt_snprintf(why, sizeof(why), "local port %u is also its other end's, %s, in the same domain", port, other);
        return reject(c, child, "xen,evtchn", why);
    }
    *e = (struct desc_evtchn){ child, remote, peer, port, rport };
    return true;
}

bool domain_evtchn_read(const struct desc_ctx *c, struct domain_desc *dd)
{
    const void *fdt = c->h->fdt;
    int child;
    dd->nr_evtchn = 0;
    fdt_for_each_subnode(child, fdt, dd->node)
    {
        if (!dt_prop_has_string(fdt, child, "compatible", V1)) {
            /* booting.txt's property list says "xen,evtchn", its example
             * and Xen's code (static-evtchn.c) "xen,evtchn-v1" only: Xen
             * ignores the former, which is not done silently here */
            if (dt_prop_has_string(fdt, child, "compatible", "xen,evtchn"))
                return reject(c, child, "compatible",
                              "\"xen,evtchn\" is not what Xen binds (its code takes \"" V1 "\" only, as the example "
                              "in its booting.txt): give \"" V1 "\"");
            continue;
        }
        if (!domain_desc_enhanced(dd)) {
            char why[DT_PATH_MAX + 200], path[DT_PATH_MAX];
            fmt_snprintf(why, sizeof(why),
                         "missing or \"disabled\": %s is a static event channel, and event channels need the "
                         "hypervisor node (give \"no-xenstore\", as Xen's booting.txt asks)",
                         dt_node_path(fdt, child, path, sizeof(path)));
            return reject(c, dd->node, "xen,enhanced", why);
        }
        if (dd->nr_evtchn == DESC_MAX_EVTCHN) {
            char why[80];
            fmt_snprintf(why, sizeof(why), "more than %u static event channels in one domain", DESC_MAX_EVTCHN);
            return reject(c, child, "compatible", why);
        }
        if (!read_one(c, dd, child, &dd->evtchn[dd->nr_evtchn]))
            return false;
        dd->nr_evtchn++;
    }
    return true;
}

static int index_of_node(const struct domain_desc *dd, unsigned n, int node)
{
    for (unsigned j = 0; j < n; j++)
        if (dd[j].node == node)
            return (int)j;
    return -1;
}

bool domain_evtchn_orphans(const void *fdt, const struct domain_desc *dd, bool *ok, unsigned n, desc_refuse_fn refuse,
                           void *ctx)
{
    bool refused_any = false;
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < n; i++)
            for (unsigned k = 0; ok[i] && k < dd[i].nr_evtchn; k++) {
                const struct desc_evtchn *e = &dd[i].evtchn[k];
                int j = index_of_node(dd, n, e->peer);
                if (j >= 0 && ok[j])
                    continue;
                char why[2 * DT_PATH_MAX + 120], node[DT_PATH_MAX], peer[DT_PATH_MAX];
                fmt_snprintf(why, sizeof(why),
                             "%s: xen,evtchn: its other end is in %s, which is not built: a static event channel "
                             "needs both",
                             dt_node_path(fdt, e->node, node, sizeof(node)),
                             dt_node_path(fdt, e->peer, peer, sizeof(peer)));
                ok[i] = false;
                refuse(i, why, ctx);
                refused_any = again = true;
            }
    }
    return refused_any;
}
