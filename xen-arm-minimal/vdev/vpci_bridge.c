/* Until requests are forwarded to the device model, config space reads as
 * an empty bus (all ones: "no device"), which is what Linux probes safely;
 * writes are dropped. The readiness register tells the guest whether its
 * device model has connected, so it can wait before probing. */
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/ioreq.h>
#include <xam/vpci_bridge.h>

/* ECAM: byte, halfword and word accesses, naturally aligned, as PCI
 * configuration space allows. */
static enum emul_result ecam_access(struct vcpu *v __unused, struct mmio_access *a, void *dev __unused)
{
    if (a->size > 4 || !mmio_aligned(a))
        return EMUL_FAULT;
    if (!a->write)
        a->value = ~0ULL;
    return EMUL_HANDLED;
}

/* Word 0: 1 once connected, else 0; the rest of the page reads 0. */
static enum emul_result ready_access(struct vcpu *v, struct mmio_access *a, void *dev __unused)
{
    if (!mmio_aligned(a))
        return EMUL_FAULT;
    if (!a->write)
        a->value = (a->off == 0 && ioreq_connected(v->dom)) ? 1 : 0;
    return EMUL_HANDLED;
}

int vpci_bridge_attach(struct domain *d)
{
    struct mmio_region ecam = { d->bridge.ecam, d->bridge.ecam_size, ecam_access, NULL, "PCI ECAM" };
    struct mmio_region ready = { PCI_READY_BASE, PCI_READY_SIZE, ready_access, NULL, "PCI readiness register" };
    int rc = domain_add_mmio(d, &ecam);
    return rc ? rc : domain_add_mmio(d, &ready);
}
