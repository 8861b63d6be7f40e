/* A described domain's guest device tree parameters: what its tree says
 * (the guest memory map's windows, the extended regions Linux maps foreign
 * pages into). Portable: the hypervisor and xam-dryrun both use it. */
#include <libfdt.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/errno.h>
#include <xam/fmt.h>
#include <xam/guest_map.h>
#include <xam/memrange.h>
#include "domain_desc_priv.h"

/* Guest physical space nothing uses, for the guest's foreign mappings
 * (Linux's "extended regions"): as Xen, the RAM windows above the guest's
 * RAM, at least 64 MiB each, clear of the bridge's windows, static shared
 * memory and passthrough ranges, inside the IPA space. */
static void extended_regions(const struct domain_desc *dd, struct guest_fdt_params *gp)
{
    const paddr_t top = 1ULL << dd->ipa_bits;
    const struct {
        paddr_t base, end;
    } windows[2] = { { GUEST_RAM0_BASE, GUEST_RAM0_BASE + GUEST_RAM0_SIZE }, { GUEST_RAM1_BASE, top } };
    for (unsigned w = 0; w < 2; w++) {
        paddr_t lo = windows[w].base, hi = MIN(windows[w].end, top);
        for (unsigned i = 0; i < dd->nr_banks; i++)
            if (dd->banks[i].ipa >= lo && dd->banks[i].ipa < hi)
                lo = MAX(lo, dd->banks[i].ipa + dd->banks[i].size);
        /* keep the larger side of any bridge window, static shared
         * memory region or passthrough range (xen,reg) inside: Xen leaves
         * them out too */
        struct used u[3 + DESC_MAX_SHM + DESC_MAX_PASSTHROUGH];
        unsigned nu = 0;
        if (dd->has_bridge) {
            const struct pci_bridge *b = &dd->bridge;
            u[nu++] = (struct used){ "ECAM", b->ecam, b->ecam_size };
            u[nu++] = (struct used){ "MEM", b->mem, b->mem_size };
            u[nu++] = (struct used){ "prefetch", b->pref, b->pref_size };
        }
        nu += domain_shm_used(dd, &u[nu]);
        for (unsigned i = 0; i < dd->nr_mmio; i++)
            u[nu++] = (struct used){ "passthrough", dd->mmio[i].guest, dd->mmio[i].size };
        for (unsigned i = 0; i < nu; i++) {
            if (!u[i].size || !ranges_overlap(lo, hi > lo ? hi - lo : 0, u[i].base, u[i].size))
                continue;
            if (u[i].base - lo >= hi - (u[i].base + u[i].size))
                hi = u[i].base;
            else
                lo = u[i].base + u[i].size;
        }
        lo = ALIGN_UP(lo, MiB(2));
        if (hi > lo && hi - lo >= MiB(64) && gp->nr_ext < GUEST_FDT_MAX_EXT) {
            gp->ext[gp->nr_ext].base = lo;
            gp->ext[gp->nr_ext++].size = (hi - lo) & ~(MiB(2) - 1);
        }
    }
}

void domain_desc_fdt_params(const struct domain_desc *dd, unsigned gic_version, const char *cpu_compatible,
                            struct guest_fdt_params *gp)
{
    memset(gp, 0, sizeof(*gp));
    gp->nr_vcpus = dd->vcpus;
    gp->nr_banks = dd->nr_banks;
    for (unsigned i = 0; i < dd->nr_banks; i++) {
        gp->banks[i].base = dd->banks[i].ipa;
        gp->banks[i].size = dd->banks[i].size;
    }
    gp->gic_version = gic_version;
    gp->layout = &dd->layout;
    gp->vpl011 = dd->vpl011;
    gp->bootargs = dd->bootargs;
    if (dd->ramdisk) {
        gp->initrd_start = dd->initrd;
        gp->initrd_end = dd->initrd + dd->ramdisk->size;
    }
    gp->cpu_compatible = cpu_compatible;
    gp->hypervisor = domain_desc_enhanced(dd);
    if (gp->hypervisor)
        extended_regions(dd, gp);
    gp->bridge = dd->has_bridge ? &dd->bridge : NULL;
    gp->partial = dd->partial;
    for (unsigned i = 0; i < dd->nr_shm && i < GUEST_FDT_MAX_SHM; i++) {
        gp->shm[i].base = dd->shm[i].ipa;
        gp->shm[i].size = dd->shm[i].size;
        gp->shm[i].id = dd->shm[i].id;
        gp->nr_shm++;
    }
}
