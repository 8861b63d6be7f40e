/* Until requests are forwarded to the device model, config space reads as
 * an empty bus (all ones: "no device"), which is what Linux probes safely;
 * writes are dropped. The readiness register tells the guest whether its
 * device model has connected, so it can wait before probing. */
#include <xam/domain.h>
#include <xam/hypercall.h>
#include <xam/vpci_bridge.h>

static int ecam_access(struct vcpu *v __unused, struct mmio_access *a, void *dev __unused)
{
    if (!a->write)
        a->value = ~0ULL;
    return 0;
}

/* Word 0: 1 once connected, else 0; the rest of the page reads 0. */
static int ready_access(struct vcpu *v, struct mmio_access *a, void *dev __unused)
{
    if (!a->write)
        a->value = (a->ipa == PCI_READY_BASE && ioreq_connected(v->dom)) ? 1 : 0;
    return 0;
}

int vpci_bridge_attach(struct domain *d)
{
    struct mmio_region ecam = { d->bridge.ecam, d->bridge.ecam_size, ecam_access, NULL };
    struct mmio_region ready = { PCI_READY_BASE, PCI_READY_SIZE, ready_access, NULL };
    int rc = domain_add_mmio(d, &ecam);
    return rc ? rc : domain_add_mmio(d, &ready);
}
