/* Xen's documented domain bindings that this hypervisor does not
 * implement, or implements only for some values: a domain that uses one is
 * refused by name, with the Xen release that brought the binding and what
 * to do instead, never booted as if the binding were not there
 * (docs/bindings.md, "Xen's bindings, one by one"). Portable: the
 * hypervisor and xam-dryrun both run it, so they refuse with the same
 * words. */
#include <libfdt.h>
#include <string.h>
#include <xam/fmt.h>
#include "domain_desc_priv.h"

/* Is the property's value one this hypervisor does as Xen does? */
typedef bool (*value_ok_fn)(const void *v, int len);

static bool u32_is(const void *v, int len, uint32_t want) { return len == 4 && fdt32_ld(v) == want; }
static bool is_zero(const void *v, int len) { return u32_is(v, len, 0); }
static bool is_one(const void *v, int len) { return u32_is(v, len, 1); }
static bool str_is(const void *v, int len, const char *want)
{
    return len == (int)strlen(want) + 1 && !memcmp(v, want, (size_t)len);
}
static bool is_disabled(const void *v, int len) { return str_is(v, len, "disabled"); }
static bool is_none(const void *v, int len) { return str_is(v, len, "none"); }

static const struct {
    const char *prop;
    const char *since; /* the Xen release whose booting.txt brought it */
    value_ok_fn ok; /* NULL: no value is supported */
    const char *advice;
} unsupported[] = {
    { "xen,domain-p2m-mem-mb", "4.17", NULL,
      "not needed here: stage-2 tables come from the hypervisor's heap as the domain grows; remove it" },
    { "max_grant_version", "4.18", is_one, "grant tables version 1 is the only one here: give 1 or remove it" },
    { "passthrough", "4.19", is_disabled,
      "there is no IOMMU here, so no IOMMU mappings: passthrough devices are assigned without one "
      "(xen,force-assign-without-iommu); give \"disabled\" or remove it" },
    { "llc-colors", "4.20", NULL, "cache coloring is not implemented: remove it" },
    { "capabilities", "4.21", is_zero,
      "there is no control, hardware or xenstore domain here (no dom0, no xenstore): give 0 or remove it" },
    { "xen,sci_type", "4.21", is_none, "no SCMI calls are forwarded to firmware here: give \"none\" or remove it" },
    { "v8r_el1_msa", "4.22", NULL, "for Armv8-R systems; this hypervisor runs on Armv8-A with an MMU: remove it" },
};

bool domain_xen_unsupported(const struct desc_ctx *c, int node)
{
    const void *fdt = c->h->fdt;
    char why[320];
    for (unsigned i = 0; i < ARRAY_SIZE(unsupported); i++) {
        int len;
        const void *v = dt_getprop(fdt, node, unsupported[i].prop, &len);
        if (!v || (unsupported[i].ok && unsupported[i].ok(v, len)))
            continue;
        fmt_snprintf(why, sizeof(why), "Xen %s's binding, not supported%s: %s", unsupported[i].since,
                     unsupported[i].ok ? " with this value" : "", unsupported[i].advice);
        return reject(c, node, unsupported[i].prop, why);
    }
    return true;
}

/* A short NUL-terminated name of printable characters (it goes into a
 * console line)? */
static bool printable(const char *s, int len)
{
    if (len <= 1 || len > 32 || s[len - 1] != '\0')
        return false;
    for (int i = 0; i < len - 1; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    return true;
}

/* The pool's scheduler: "null" as Xen's null scheduler means it (each
 * vCPU a CPU of its own, never shared: domain_plan.c); without it, this
 * hypervisor's time-sliced scheduler (docs/domains.md "Scheduling"),
 * which is none of Xen's others. */
bool domain_xen_pool_unsupported(const struct desc_ctx *c, int node, int pool)
{
    const void *fdt = c->h->fdt;
    int len;
    const char *sched = dt_getprop(fdt, pool, "cpupool-sched", &len);
    if (!sched || dt_prop_has_string(fdt, pool, "cpupool-sched", "null"))
        return true;
    char path[DT_PATH_MAX], why[DT_PATH_MAX + 240];
    fmt_snprintf(why, sizeof(why),
                 "its pool %s: cpupool-sched \"%s\" (Xen 4.17's binding) is not supported: \"null\" (a CPU of its "
                 "own for each vCPU) is; remove it for this hypervisor's time-sliced scheduler",
                 dt_node_path(fdt, pool, path, sizeof(path)), printable(sched, len) ? sched : "?");
    return reject(c, node, "domain-cpupool", why);
}
