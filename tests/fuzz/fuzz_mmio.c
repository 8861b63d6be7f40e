/* libFuzzer target: guest MMIO into the emulated devices, over the fake
 * architecture (xen-arm-minimal/arch/fake). A domain with two vCPUs, the
 * vGIC (v2 or v3, from the first byte), a vPL011 and the PCI bridge takes
 * data aborts of every width, alignment, direction, register, sign
 * extension and address in and around its regions, interleaved with
 * console input, interrupts injected and lines driven, guest entries (the
 * vGIC filling the fake list registers, the "guest" acknowledging and
 * ending them) and GICv3 SGI register writes. Checked: no sanitizer
 * report; the domain keeps running (an access to one of its regions is
 * emulated or refused with an abort, never fatal); no list register
 * beyond what the CPU has; no byte written outside any allocation (the
 * fake allocator's canaries around every block); nothing leaked once the
 * domain is gone. */
#include <fake.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/emul.h>
#include <xam/exit.h>
#include <xam/guest_map.h>
#include <xam/pci_bridge.h>
#include <xam/sched.h>
#include <xam/vdebug.h>
#include <xam/vgic.h>
#include <xam/vpci_bridge.h>
#include <xam/vpl011.h>
#include "../lib/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            fake_log_dump();                                                                                           \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

static const struct {
    paddr_t base;
    uint64_t size;
} regions[] = {
    { VGIC_DIST_BASE, VGIC_DIST_SIZE }, { VGIC_RDIST_BASE, 2 * VGIC_RDIST_STRIDE },
    { VPL011_BASE, VPL011_SIZE },       { PCI_BRIDGE_DEF_ECAM, PCI_BRIDGE_DEF_ECAM_SIZE },
    { PCI_READY_BASE, PCI_READY_SIZE }, { VGIC_V2_CPU_BASE, VGIC_V2_CPU_SIZE },
};

static uint8_t lr_play; /* what the "guest" does to its list registers */

static void guest_runs(struct vcpu *v, void *arg)
{
    (void)v, (void)arg;
    unsigned cpu = this_cpu_id();
    for (unsigned i = 0; i < FAKE_MAX_LRS; i++) {
        struct fake_lr *lr = fake_lr(cpu, i);
        CHECK(!lr->used || i < vgic_hw_nr_lrs());
        if (!lr->used)
            continue;
        switch ((lr_play >> (2 * (i % 4))) & 3) {
        case 1: /* acknowledged */
            if (lr->st.pending) {
                lr->st.pending = false;
                lr->st.active = true;
            }
            break;
        case 2: /* ended */
            lr->st.pending = lr->st.active = false;
            break;
        default:
            break;
        }
    }
}

static bool initialised;

/* Many small domains a second: a short quarantine keeps the allocator
 * reusing warm memory. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=16"; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    if (!initialised) {
        fake_reset(2);
        emul_reset_registrations();
        CHECK(vdebug_init() == 0);
        initialised = true;
    }
    fake_reset(2);
    unsigned base_blocks = fake_mem_blocks();
    unsigned version = (take(&in, 1) & 1) ? 2 : 3;
    fake_vgic_config(version, 1 + (unsigned)(take(&in, 1) % FAKE_MAX_LRS), 0x08040000);
    emul_reset_registrations();
    CHECK(vdebug_init() == 0);
    CHECK(vgic_register_sysregs() == 0);

    struct domain *keeper, *d;
    CHECK(domain_create("keeper", 1, &keeper) == 0);
    domain_start(keeper, GUEST_RAM0_BASE, 0, false);
    CHECK(domain_create("fz", 2, &d) == 0);
    d->vcpus[1].pcpu = 1;
    CHECK(vgic_domain_init(d, version, vgic_hw_gicv_base(), 32) == 0);
    CHECK(vpl011_attach(d) == 0);
    d->has_bridge = true;
    d->bridge = (struct pci_bridge){ PCI_BRIDGE_DEF_ECAM,     PCI_BRIDGE_DEF_ECAM_SIZE, PCI_BRIDGE_DEF_MEM,
                                     PCI_BRIDGE_DEF_MEM_SIZE, PCI_BRIDGE_DEF_PREF,      PCI_BRIDGE_DEF_PREF_SIZE,
                                     PCI_BRIDGE_DEF_IRQ,      PCI_BRIDGE_DEF_IRQ_COUNT, 0 };
    CHECK(vpci_bridge_attach(d) == 0);
    domain_start(d, GUEST_RAM0_BASE, 0, false);
    CHECK(vcpu_on(&d->vcpus[1], GUEST_RAM0_BASE, 0) == 0);
    fake_on_enter(guest_runs, NULL);

    /* a bounded number of steps per input keeps runs short */
    for (unsigned ops = 0; in.n && ops < 128 && d->state == DOMAIN_RUNNING; ops++) {
        unsigned op = (unsigned)take(&in, 1);
        struct vcpu *v = &d->vcpus[(op >> 7) & 1];
        fake_set_cpu(v->pcpu);
        switch (op & 7) {
        default: { /* an access: 0-4 */
            unsigned flags = (unsigned)take(&in, 1);
            unsigned r = (unsigned)take(&in, 1) % ARRAY_SIZE(regions);
            uint64_t off = take(&in, 4) % (regions[r].size + 16);
            paddr_t ipa = regions[r].base + off - (flags & 0x80 ? 8 : 0);
            unsigned sz = 1u << (flags & 3), reg = (unsigned)take(&in, 1) & 31;
            bool write = flags & 4;
            if (reg < 31)
                v->arch.regs.x[reg] = take(&in, 8);
            v->arch.regs.pc = GUEST_RAM0_BASE + 0x1000;
            v->arch.regs.pstate = 0x3c5;
            v->arch.sys.vbar = GUEST_RAM0_BASE;
            if (v->state != VCPU_RUNNABLE)
                break;
            bool mapped = emul_mmio_find(&d->mmio, ipa) != NULL;
            fake_trap(v, fake_esr_dabt(sz, write, reg, flags & 8, flags & 16), ipa);
            /* a device answers or refuses (an abort); nothing there is an
             * abort too, as Xen's default trap-unmapped-accesses */
            CHECK(d->state == DOMAIN_RUNNING);
            CHECK(v->arch.regs.pc == GUEST_RAM0_BASE + 0x1004 || v->arch.regs.pc == GUEST_RAM0_BASE + 0x200);
            if (!mapped)
                CHECK(v->arch.regs.pc == GUEST_RAM0_BASE + 0x200);
            if (mapped && !write && reg < 31 && v->arch.regs.pc == GUEST_RAM0_BASE + 0x1004 && !(flags & 8) && sz < 8)
                CHECK(v->arch.regs.x[reg] >> (8 * sz) == 0);
            break;
        }
        case 5: /* console input, an interrupt, a line */
            switch (take(&in, 1) & 3) {
            case 0:
                vpl011_receive(d, (char)take(&in, 1));
                break;
            case 1:
                vcpu_inject_irq(v, (unsigned)take(&in, 1) % 80);
                break;
            case 2:
                d->intc->set_level(d, 32 + (unsigned)take(&in, 1) % 40, take(&in, 1) & 1);
                break;
            default:
                vgic_send_sgi(v, take(&in, 8));
                break;
            }
            break;
        case 6: /* the vCPU enters the guest and leaves it */
            lr_play = (uint8_t)take(&in, 1);
            if (v->state == VCPU_RUNNABLE)
                vcpu_run(v);
            else if (v->state == VCPU_BLOCKED)
                sched_wake(v);
            break;
        case 7: { /* a trapped GICv3 SGI register write, or WFI */
            v->arch.regs.x[2] = take(&in, 8);
            unsigned which = (unsigned)take(&in, 1) % 4;
            if (v->state != VCPU_RUNNABLE)
                break;
            if (which == 3)
                fake_trap(v, fake_esr_wfx(false), 0);
            else if (version == 3)
                fake_trap(v, fake_esr_sysreg(3, 0, 12, 11, 5 + which, 2, false), 0);
            break;
        }
        }
        fake_set_cpu(0);
    }
    fake_on_enter(NULL, NULL);
    fake_mem_check();
    fake_destroy_all_domains();
    CHECK(fake_mem_blocks() == base_blocks);
    CHECK(fake_locks_held == 0);
    return 0;
}
