/* libFuzzer target: the vGIC (vdev/vgic/) alone, over the fake
 * architecture. A GICv2 or GICv3 domain with 1 to 4 vCPUs on two CPUs,
 * a random SPI count (32 to 988) and 1 to 16 list registers takes MMIO of
 * every width and alignment into its distributor and redistributors
 * (anywhere in them, or close to a register row's end), interleaved with
 * injections, level changes, SGIs, guest entries (the list registers
 * filled, then acknowledged or ended by the "guest"), exits (drained) and
 * WFI. After every step: no sanitizer report, the bytes past the SPI array
 * untouched (a canary), every interrupt's state consistent
 * (tests/lib/vgic_check.h); after every fill, the list registers hold the
 * best candidates in priority order and their state has left the vGIC;
 * block() sleeps exactly when nothing deliverable is pending. */
#include <fake.h>
#include <stdio.h>
#include <stdlib.h>
#include <xam/emul.h>
#include <xam/guest_map.h>
#include <xam/vgic.h>
#include "vgic_check.h"
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
#define CHECK_OK(why)                                                                                                  \
    do {                                                                                                               \
        const char *w_ = (why);                                                                                        \
        if (w_) {                                                                                                      \
            fprintf(stderr, "%s:%d: vGIC state: %s\n", __FILE__, __LINE__, w_);                                        \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)


static struct domain *dom;
static struct vcpu *in_guest[2]; /* the vCPU each CPU runs in the guest */

/* v leaves the guest: its list registers drained. */
static void leave(unsigned cpu)
{
    struct vcpu *v = in_guest[cpu];
    if (!v)
        return;
    fake_set_cpu(cpu);
    dom->intc->sync(v);
    CHECK(vgic_cpu(v)->nr_used_lrs == 0);
    in_guest[cpu] = NULL;
}

/* v enters the guest; the "guest" then plays with what it got: per list
 * register, two bits of play: nothing, acknowledge, end, or deactivate. */
static void enter(struct vcpu *v, uint16_t play)
{
    leave(v->pcpu);
    fake_set_cpu(v->pcpu);
    vgic_hw_enable(false); /* as vgic_hw_load() leaves it on a switch-in */
    dom->intc->flush(v);
    bool more = false;
    fake_vgic_enabled(v->pcpu, &more);
    CHECK_OK(vgic_check_fill(v, more));
    in_guest[v->pcpu] = v;
    for (unsigned i = 0; i < vgic_cpu(v)->nr_used_lrs; i++) {
        struct fake_lr *lr = fake_lr(v->pcpu, i);
        switch ((play >> (2 * (i % 8))) & 3) {
        case 1: /* acknowledged */
            if (lr->st.pending) {
                lr->st.pending = false;
                lr->st.active = true;
            }
            break;
        case 2: /* ended */
            lr->st.pending = lr->st.active = false;
            break;
        case 3: /* priority dropped, still active */
            lr->st.pending = false;
            break;
        default:
            break;
        }
    }
}

static unsigned sleeps;
static void count_sleep(struct vcpu *v)
{
    (void)v;
    CHECK(fake_locks_held > 0);
    sleeps++;
}

/* An access, as exit_dabt() hands it over once it found the region. */
static void mmio(struct vcpu *v, const struct mmio_region *r, uint64_t off, unsigned size, bool write, uint64_t val)
{
    if (off >= r->size || size > r->size - off) /* the core refuses these itself */
        return;
    struct mmio_access a = { .ipa = r->base + off, .off = off, .size = size, .write = write };
    a.value = write ? val & (size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1) : 0x5a5a5a5a5a5a5a5aULL;
    enum emul_result res = r->handle(v, &a, r->dev);
    CHECK(res == EMUL_HANDLED || res == EMUL_FAULT);
    CHECK(fake_locks_held == 0);
    /* every register takes aligned words, and so does reserved space */
    if (size == 4 && off % 4 == 0)
        CHECK(res == EMUL_HANDLED);
    if (res == EMUL_HANDLED && !write && size < 8)
        CHECK(a.value >> (8 * size) == 0);
}

static bool initialised;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    if (!initialised) {
        fake_reset(2);
        initialised = true;
    }
    fake_reset(2);
    emul_reset_registrations();
    unsigned base_blocks = fake_mem_blocks();
    unsigned cfg = (unsigned)take(&in, 2);
    unsigned version = cfg & 1 ? 2 : 3, nr_vcpus = 1 + ((cfg >> 1) & 3), nr_lrs = 1 + ((cfg >> 3) & 15);
    /* half the inputs get 32 or 64 SPIs (quick to check), the others any
     * count up to the largest */
    unsigned k = ((cfg >> 7) & 0x7f) % 31, nr_spis = k < 30 ? 32 * (k + 1) : VGIC_MAX_SPIS;
    if (!(cfg & 0x8000))
        nr_spis = 32 * (1 + (k & 1));
    fake_vgic_config(version, nr_lrs, 0x08040000);
    CHECK(vgic_register_sysregs() == 0);

    struct domain *keeper;
    CHECK(domain_create("keeper", 1, &keeper) == 0);
    domain_start(keeper, GUEST_RAM0_BASE, 0, false);
    CHECK(domain_create("fz", nr_vcpus, &dom) == 0);
    for (unsigned i = 0; i < nr_vcpus; i++)
        dom->vcpus[i].pcpu = i % 2;
    CHECK(vgic_domain_init(dom, version, vgic_hw_gicv_base(), nr_spis) == 0);
    vgic_canary_fill(dom);
    domain_start(dom, GUEST_RAM0_BASE, 0, false);
    for (unsigned i = 1; i < nr_vcpus; i++)
        CHECK(vcpu_on(&dom->vcpus[i], GUEST_RAM0_BASE, 0) == 0);
    in_guest[0] = in_guest[1] = NULL;
    const struct vgic_frame *dist = version == 2 ? &vgic_v2_dist_frame : &vgic_v3_dist_frame;
    const struct mmio_region *gicd = emul_mmio_find(&dom->mmio, VGIC_DIST_BASE);
    const struct mmio_region *gicr = version == 3 ? emul_mmio_find(&dom->mmio, VGIC_RDIST_BASE) : NULL;
    CHECK(gicd && (version == 2 || gicr));

    /* a bounded number of steps keeps runs short; the whole state is
     * checked every 8 steps and at the end, every fill as it is made */
    for (unsigned step = 0; in.n && step < 128; step++) {
        unsigned op = (unsigned)take(&in, 1);
        struct vcpu *v = &dom->vcpus[(op >> 4) % nr_vcpus];
        switch (op & 15) {
        default: { /* 0-5: an access by v (it has left the guest) */
            leave(v->pcpu);
            fake_set_cpu(v->pcpu);
            unsigned how = (unsigned)take(&in, 1);
            unsigned sz = 1u << (how & 3);
            bool write = how & 4, rdist = gicr && (how & 8);
            const struct vgic_frame *f = rdist ? &vgic_v3_rdist_frame : dist;
            const struct mmio_region *r = rdist ? gicr : gicd;
            const struct vgic_reg *row = &f->rows[take(&in, 1) % f->nr_rows];
            uint64_t off;
            switch ((how >> 4) & 3) {
            case 0: /* anywhere in the frame */
                off = take(&in, 3) % f->size;
                break;
            case 1: /* anywhere in a row, aligned half the time */
                off = row->offset + take(&in, 2) % row->length;
                if (how & 64)
                    off &= ~(uint64_t)(sz - 1);
                break;
            case 2: /* around a row's end */
                off = row->offset + row->length - 8 + take(&in, 1) % 16;
                break;
            default: /* around a row's start */
                off = row->offset + take(&in, 1) % 16 - 8;
                break;
            }
            if (rdist)
                off += VGIC_RDIST_STRIDE * (take(&in, 1) % nr_vcpus);
            mmio(v, r, off, sz, write, take(&in, 8));
            break;
        }
        case 6: /* an edge: a private interrupt of v or an SPI */
            fake_set_cpu((unsigned)take(&in, 1) & 1);
            dom->intc->inject(v, (unsigned)take(&in, 2) % (VGIC_NR_PRIVATE + nr_spis + 8));
            break;
        case 7: { /* a level */
            unsigned x = (unsigned)take(&in, 2);
            fake_set_cpu(x & 1);
            dom->intc->set_level(dom, VGIC_NR_PRIVATE + (x >> 1) % (nr_spis + 8), x & 0x8000);
            break;
        }
        case 8: /* an SGI: GICv3's register, or GICv2's (an access) */
            leave(v->pcpu);
            fake_set_cpu(v->pcpu);
            if (version == 3)
                vgic_send_sgi(v, take(&in, 8));
            else
                mmio(v, gicd, 0xf00, 4, true, take(&in, 4));
            break;
        case 9:
        case 10:
        case 11: /* v enters the guest */
            enter(v, (uint16_t)take(&in, 2));
            break;
        case 12: /* whoever is in the guest on a CPU leaves it */
            leave(op >> 4 & 1);
            break;
        case 13: { /* v in WFI: it sleeps exactly when nothing is there for it */
            leave(v->pcpu);
            fake_set_cpu(v->pcpu);
            unsigned before = sleeps;
            bool slept = dom->intc->block(v, count_sleep);
            CHECK(slept == (sleeps == before + 1));
            bool any = false;
            for (unsigned i = 0; i < VGIC_NR_PRIVATE + nr_spis; i++) {
                struct vgic_irq *irq = vgic_get_irq(dom, v, i);
                any |= irq->target == v->id && vgic_irq_pending_deliverable(vgic_dist(dom), irq);
            }
            CHECK(slept == !any);
            break;
        }
        case 15: { /* v's guest sets an interrupt up: enabled, a priority, the distributor on */
            leave(v->pcpu);
            fake_set_cpu(v->pcpu);
            unsigned x = (unsigned)take(&in, 2) % (VGIC_NR_PRIVATE + nr_spis);
            uint64_t prio = take(&in, 1);
            const struct mmio_region *r = gicd;
            uint64_t base = 0;
            if (x < VGIC_NR_PRIVATE && gicr) /* its own redistributor's SGI frame */
                r = gicr, base = VGIC_RDIST_STRIDE * v->id + 0x10000;
            mmio(v, r, base + 0x100 + x / 32 * 4, 4, true, 1ULL << (x % 32));
            mmio(v, r, base + 0x400 + x, 1, true, prio);
            mmio(v, gicd, 0, 4, true, 3);
            break;
        }
        case 14: /* a forwarded line's flag, as irq_forward_claim() sets it */
            vgic_set_hw(dom, (unsigned)take(&in, 2) % (VGIC_NR_PRIVATE + nr_spis + 8));
            break;
        }
        fake_set_cpu(0);
        if (step % 8 == 7)
            CHECK_OK(vgic_check(dom));
    }
    leave(0);
    leave(1);
    CHECK_OK(vgic_check(dom));
    fake_mem_check();
    fake_destroy_all_domains();
    CHECK(fake_mem_blocks() == base_blocks);
    CHECK(fake_locks_held == 0);
    return 0;
}
