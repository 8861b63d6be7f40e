/* Shared by the unit groups over the guest-facing code (test_emul,
 * test_lifecycle, test_vpsci_hypercall, test_vdev): the fake architecture
 * (xen-arm-minimal/arch/fake/fake.h) set up and torn down around each
 * test, and domains made the way the builder makes them. */
#ifndef GUEST_ENV_H
#define GUEST_ENV_H

#include "unit.h"
#include <fake.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/errno.h>
#include <xam/exit.h>
#include <xam/guest_map.h>
#include <xam/pci_bridge.h>
#include <xam/sched.h>

#define ENV_RAM GUEST_RAM0_BASE
#define ENV_RAM_SIZE MiB(1)
#define ENV_ENTRY (GUEST_RAM0_BASE + 0x80000)

static unsigned env_mem_baseline;

/* Before each test: nr_cpus fake CPUs, no registrations. */
static inline int env_setup(unsigned nr_cpus)
{
    fake_reset(nr_cpus);
    emul_reset_registrations();
    domain_set_rebuild_hook(NULL);
    env_mem_baseline = fake_mem_blocks();
    return 0;
}

/* After each: every domain stopped and freed, nothing leaked or overrun,
 * no lock left held. */
static inline int env_teardown(void)
{
    fake_destroy_all_domains();
    fake_mem_check();
    if (fake_mem_blocks() != env_mem_baseline) {
        fprintf(stderr, "leak: %u blocks (%llu bytes) not freed\n", fake_mem_blocks() - env_mem_baseline,
                (unsigned long long)fake_mem_bytes());
        return -1;
    }
    if (fake_locks_held) {
        fprintf(stderr, "%u spinlocks left held\n", fake_locks_held);
        return -1;
    }
    return 0;
}

/* A built, not yet started domain: nr_vcpus vCPUs, vCPU i on CPU
 * cpus[i] (NULL: all on CPU 0), 1 MiB of RAM at GUEST_RAM0_BASE, and
 * the fake interrupt controller if intc. */
static inline struct domain *env_build(const char *name, unsigned nr_vcpus, const unsigned *cpus, bool intc)
{
    struct domain *d;
    assert_int_equal(domain_create(name, nr_vcpus, &d), 0);
    for (unsigned i = 0; i < nr_vcpus; i++)
        d->vcpus[i].pcpu = cpus ? cpus[i] : 0;
    assert_int_equal(domain_add_ram(d, ENV_RAM, ENV_RAM_SIZE, true), 0);
    if (intc)
        assert_int_equal(fake_intc_attach(d), 0);
    return d;
}

/* Built and started (vCPU 0 runnable at ENV_ENTRY). */
static inline struct domain *env_domain(const char *name, unsigned nr_vcpus, const unsigned *cpus, bool intc)
{
    struct domain *d = env_build(name, nr_vcpus, cpus, intc);
    domain_start(d, ENV_ENTRY, 0, false);
    assert_int_equal(d->state, DOMAIN_RUNNING);
    return d;
}

/* A running domain that keeps the machine on while a test stops others. */
static inline struct domain *env_keeper(void) { return env_domain("keeper", 1, NULL, true); }

/* The bridge's default layout (the builder's pci_bridge_default(), which
 * these groups do not link). */
static inline void env_default_bridge(struct pci_bridge *b)
{
    *b = (struct pci_bridge){ PCI_BRIDGE_DEF_ECAM,     PCI_BRIDGE_DEF_ECAM_SIZE, PCI_BRIDGE_DEF_MEM,
                              PCI_BRIDGE_DEF_MEM_SIZE, PCI_BRIDGE_DEF_PREF,      PCI_BRIDGE_DEF_PREF_SIZE,
                              PCI_BRIDGE_DEF_IRQ,      PCI_BRIDGE_DEF_IRQ_COUNT, 0 };
}

/* Where the test writes what the guest passes by reference. */
static inline void *env_guest(struct domain *d, paddr_t ipa, size_t len)
{
    void *p = domain_ram_ptr(d, ipa, len);
    assert_non_null(p);
    return p;
}

/* One hypercall or call trap: registers set, HVC/SMC #imm taken. */
static inline uint64_t env_call(struct vcpu *v, unsigned ec, uint16_t imm, uint64_t x16, uint64_t x0, uint64_t x1,
                                uint64_t x2, uint64_t x3)
{
    v->arch.regs.x[16] = x16;
    v->arch.regs.x[0] = x0;
    v->arch.regs.x[1] = x1;
    v->arch.regs.x[2] = x2;
    v->arch.regs.x[3] = x3;
    fake_trap(v, fake_esr_call(ec, imm), 0);
    return v->arch.regs.x[0];
}

#define ENV_TEST(fn, setup, teardown) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
