/* The vGIC (vdev/vgic/) over the fake architecture: every register row of
 * the GICv2 distributor, the GICv3 distributor and redistributors with
 * every width and alignment (against the widths the GIC architecture
 * gives each register, restated here independently of the tables); the
 * ends of ITARGETSR, IPRIORITYR and IROUTER for several SPI counts (no
 * byte past the SPIs touched: a canary after the array, ASan around the
 * allocation); RAZ/WI past the SPI count; GICD_TYPER; injection, levels,
 * forwarded lines and the list registers' fill and drain (priority order,
 * underflow, active+pending); SGIs on both versions; WFI. Every test ends
 * with the state invariants of tests/lib/vgic_check.h. */
#include "guest_env.h"
#include "vgic_check.h"
#include <xam/irq.h>
#include <xam/irq_forward.h>
#include <xam/vgic.h>

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20
#define GICD_IROUTER 0x6000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000

static struct domain *dom;

/* A running domain with a vGIC: vCPU i on CPU i % 2, all started. */
static struct domain *make(unsigned version, unsigned nr_vcpus, unsigned nr_spis, unsigned nr_lrs)
{
    fake_vgic_config(version, nr_lrs, 0x08040000);
    static unsigned cpus[DOMAIN_MAX_VCPUS];
    for (unsigned i = 0; i < nr_vcpus; i++)
        cpus[i] = i % 2;
    struct domain *d = env_build("vgic", nr_vcpus, cpus, false);
    assert_int_equal(vgic_domain_init(d, version, vgic_hw_gicv_base(), nr_spis), 0);
    vgic_canary_fill(d);
    domain_start(d, ENV_ENTRY, 0, false);
    for (unsigned i = 1; i < nr_vcpus; i++)
        assert_int_equal(vcpu_on(&d->vcpus[i], ENV_ENTRY, 0), 0);
    return d;
}

static int setup(void **state)
{
    (void)state;
    env_setup(2);
    env_keeper();
    dom = NULL;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (dom) {
        const char *why = vgic_check(dom);
        if (why) {
            fprintf(stderr, "vGIC state: %s\n", why);
            return -1;
        }
    }
    return env_teardown();
}

static void check_state(struct domain *d)
{
    const char *why = vgic_check(d);
    if (why)
        fail_msg("vGIC state: %s", why);
}

/* One access by v to the region at base + off, as exit_dabt() makes it:
 * true if handled, false if refused (EMUL_FAULT). */
static bool mmio(struct vcpu *v, paddr_t base, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    const struct mmio_region *r = emul_mmio_find(&v->dom->mmio, base + off);
    assert_non_null(r);
    struct mmio_access a = { .ipa = base + off, .off = base + off - r->base, .size = size, .write = write };
    if (write)
        a.value = *val & (size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1);
    else
        a.value = 0x5a5a5a5a5a5a5a5aULL;
    if (a.off + size > r->size)
        return false;
    enum emul_result res = r->handle(v, &a, r->dev);
    assert_true(res == EMUL_HANDLED || res == EMUL_FAULT);
    assert_int_equal(fake_locks_held, 0);
    if (res == EMUL_HANDLED && !write)
        *val = a.value;
    return res == EMUL_HANDLED;
}

static uint64_t rd(struct vcpu *v, paddr_t base, uint64_t off, unsigned size)
{
    uint64_t val;
    assert_true(mmio(v, base, off, size, false, &val));
    return val;
}

static void wr(struct vcpu *v, paddr_t base, uint64_t off, unsigned size, uint64_t val)
{
    assert_true(mmio(v, base, off, size, true, &val));
}

#define D(d) (&(d)->vcpus[0]), VGIC_DIST_BASE
#define R(d, n) (&(d)->vcpus[0]), (VGIC_RDIST_BASE + (n)*VGIC_RDIST_STRIDE)

/* ---- the widths the architecture allows, restated -------------------- */

struct spec {
    uint32_t start, end; /* one register, or an array of like registers */
    unsigned widths; /* bitmask of sizes */
};

/* GICv2 distributor: IPRIORITYR, ITARGETSR and the SGI pending registers
 * are byte-accessible, everything else words; reserved space words. */
static const struct spec v2_dist[] = {
    { 0x000, 0x004, 4 }, { 0x004, 0x008, 4 }, { 0x008, 0x00c, 4 }, { 0x080, 0x400, 4 },
    { 0x400, 0x800, 5 }, { 0x800, 0xc00, 5 }, { 0xc00, 0xd00, 4 }, { 0xf00, 0xf04, 4 },
    { 0xf10, 0xf20, 5 }, { 0xf20, 0xf30, 5 }, { 0xfe8, 0xfec, 4 },
};
/* GICv3 distributor: IPRIORITYR bytes or words, GICD_IROUTER<n> 64-bit or
 * 32-bit halves, the rest words; reserved space 32 or 64 bits. */
static const struct spec v3_dist[] = {
    { 0x0000, 0x0004, 4 }, { 0x0004, 0x0008, 4 }, { 0x0008, 0x000c, 4 },  { 0x0080, 0x0400, 4 },
    { 0x0400, 0x0800, 5 }, { 0x0c00, 0x0d00, 4 }, { 0x6000, 0x8000, 12 }, { 0xffe8, 0xffec, 4 },
};
static const struct spec v3_rdist[] = {
    { 0x0000, 0x0004, 4 },   { 0x0004, 0x0008, 4 },   { 0x0008, 0x0010, 12 },  { 0x0014, 0x0018, 4 },
    { 0xffe8, 0xffec, 4 },   { 0x10080, 0x10084, 4 }, { 0x10100, 0x10104, 4 }, { 0x10180, 0x10184, 4 },
    { 0x10200, 0x10204, 4 }, { 0x10280, 0x10284, 4 }, { 0x10300, 0x10304, 4 }, { 0x10380, 0x10384, 4 },
    { 0x10400, 0x10420, 5 }, { 0x10c00, 0x10c08, 4 },
};

/* Whether an access of size at off is allowed: naturally aligned, and
 * either wholly inside one register range of a width it allows, or wholly
 * in reserved space of a width reserved space allows. */
static bool allowed(const struct spec *s, unsigned n, unsigned gap_widths, uint32_t off, unsigned size)
{
    if (off % size)
        return false;
    for (unsigned i = 0; i < n; i++) {
        bool starts_in = off >= s[i].start && off < s[i].end;
        bool overlaps = off < s[i].end && off + size > s[i].start;
        if (starts_in)
            return off + size <= s[i].end && (s[i].widths & size);
        if (overlaps)
            return false;
    }
    return gap_widths & size;
}

static bool in_spec(const struct spec *s, unsigned n, uint32_t off)
{
    for (unsigned i = 0; i < n; i++)
        if (off >= s[i].start && off < s[i].end)
            return true;
    return false;
}

/* Every offset of the frame, every width, both directions (writes of 0,
 * which changes nothing the reads then see... but RAZ/WI in gaps). */
static void sweep(struct vcpu *v, paddr_t base, uint32_t frame, const struct spec *s, unsigned n, unsigned gap)
{
    for (uint32_t off = 0; off < frame; off++)
        for (unsigned size = 1; size <= 8; size *= 2) {
            bool want = allowed(s, n, gap, off, size);
            uint64_t val = 0;
            if (mmio(v, base, off, size, false, &val) != want)
                fail_msg("%u-byte read at +0x%x: %s", size, off, want ? "refused" : "allowed");
            if (want && !in_spec(s, n, off) && val != 0)
                fail_msg("reserved +0x%x reads 0x%llx", off, (unsigned long long)val);
            /* writes: of zero (write-1 registers ignore it; priorities,
             * targets and routes take it, which the reads here allow) */
            val = 0;
            if (mmio(v, base, off, size, true, &val) != want)
                fail_msg("%u-byte write at +0x%x: %s", size, off, want ? "refused" : "allowed");
        }
}

static void v2_every_row_width_alignment(void **state)
{
    (void)state;
    dom = make(2, 2, 64, 4);
    sweep(&dom->vcpus[0], VGIC_DIST_BASE, VGIC_V2_DIST_SIZE, v2_dist, ARRAY_SIZE(v2_dist), 4);
    check_state(dom);
}

static void v3_every_row_width_alignment(void **state)
{
    (void)state;
    dom = make(3, 2, 64, 4);
    sweep(&dom->vcpus[0], VGIC_DIST_BASE, VGIC_DIST_SIZE, v3_dist, ARRAY_SIZE(v3_dist), 12);
    sweep(&dom->vcpus[0], VGIC_RDIST_BASE, VGIC_RDIST_STRIDE, v3_rdist, ARRAY_SIZE(v3_rdist), 12);
    sweep(&dom->vcpus[1], VGIC_RDIST_BASE + VGIC_RDIST_STRIDE, VGIC_RDIST_STRIDE, v3_rdist, ARRAY_SIZE(v3_rdist), 12);
    check_state(dom);
}

/* The tables themselves: sorted, not overlapping, inside their frame,
 * every row aligned to its widest access and whole fields per access. */
static void tables_well_formed(void **state)
{
    (void)state;
    const struct vgic_frame *frames[] = { &vgic_v2_dist_frame, &vgic_v3_dist_frame, &vgic_v3_rdist_frame };
    for (unsigned f = 0; f < ARRAY_SIZE(frames); f++) {
        const struct vgic_frame *fr = frames[f];
        for (unsigned i = 0; i < fr->nr_rows; i++) {
            const struct vgic_reg *r = &fr->rows[i];
            unsigned widest = r->widths & 8 ? 8 : r->widths & 4 ? 4 : r->widths & 2 ? 2 : 1;
            assert_true((r->widths & 15u) && !(r->widths & ~(15u | VGIC_W1X | VGIC_FIXED)));
            /* a row read without the lock must not change anything */
            assert_true(!(r->widths & VGIC_FIXED) || (r->write == vgic_mmio_wi && !r->bits));
            /* only per-bit rows may skip the zero fields of a write */
            assert_true(!(r->widths & VGIC_W1X) || r->bits == 1);
            assert_true(r->read && r->write);
            assert_int_equal(r->offset % widest, 0);
            assert_true(r->offset + r->length <= fr->size);
            if (i)
                assert_true(fr->rows[i - 1].offset + fr->rows[i - 1].length <= r->offset);
            if (r->bits)
                assert_int_equal((r->length * 8) % r->bits, 0);
            else
                assert_true(r->length <= 8 && r->length >= widest);
        }
    }
}

/* ---- bounds --------------------------------------------------------- */

/* Every access of every width and alignment over the last bytes of a
 * byte-per-interrupt array and past it, writes of all ones: nothing past
 * the SPIs may change, and reads there say 0. */
static void array_end(struct domain *d, uint32_t reg, unsigned bytes_per_irq)
{
    struct vgic_dist *vd = vgic_dist(d);
    uint32_t end = reg + (VGIC_NR_PRIVATE + vd->nr_spis) * bytes_per_irq;
    uint32_t top = reg + 1024 * bytes_per_irq;
    for (uint32_t off = end - 16; off < top; off++)
        for (unsigned size = 1; size <= 8; size *= 2) {
            uint64_t val = ~0ULL;
            mmio(&d->vcpus[0], VGIC_DIST_BASE, off, size, true, &val);
            if (mmio(&d->vcpus[0], VGIC_DIST_BASE, off, size, false, &val)) {
                /* the bytes of the read at or past `end` are zero */
                for (unsigned b = 0; b < size; b++)
                    if (off + b >= end && off + b < top && ((val >> (8 * b)) & 0xff))
                        fail_msg("byte +0x%x past the SPIs reads 0x%llx", off + b,
                                 (unsigned long long)((val >> (8 * b)) & 0xff));
            }
            if (off % 8 == 0)
                check_state(d);
        }
    check_state(d);
}

static void v2_itargetsr_and_ipriorityr_ends(void **state)
{
    (void)state;
    const unsigned counts[] = { 32, 64, 960, VGIC_MAX_SPIS };
    for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
        dom = make(2, 2, counts[i], 4);
        array_end(dom, GICD_ITARGETSR, 1);
        array_end(dom, GICD_IPRIORITYR, 1);
        /* the last SPI took what the writes said */
        struct vgic_irq *last = &vgic_dist(dom)->spi[counts[i] - 1];
        assert_int_equal(last->route, 3); /* both vCPUs, the only bits that exist */
        assert_int_equal(last->priority, 0xff);
        check_state(dom);
    }
}

static void v3_irouter_and_ipriorityr_ends(void **state)
{
    (void)state;
    const unsigned counts[] = { 32, 96, VGIC_MAX_SPIS };
    for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
        dom = make(3, 2, counts[i], 4);
        array_end(dom, GICD_IROUTER, 8);
        array_end(dom, GICD_IPRIORITYR, 1);
        check_state(dom);
    }
}

/* The reported defect: a byte write of 0x01 to byte 1 of ISENABLER1
 * (meant for INTID 40) enabled INTID 32. Through the real trap path. */
static void isenabler1_byte1(void **state)
{
    (void)state;
    for (unsigned version = 2; version <= 3; version++) {
        dom = make(version, 1, 32, 4);
        struct vcpu *v = &dom->vcpus[0];
        v->arch.sys.vbar = ENV_RAM + 0x800;
        v->arch.regs.pstate = 0x3c5;
        v->arch.regs.pc = ENV_ENTRY;
        v->arch.regs.x[1] = 0x01;
        fake_trap(v, fake_esr_dabt(1, true, 1, false, false), VGIC_DIST_BASE + GICD_ISENABLER + 4 + 1);
        assert_int_equal(dom->state, DOMAIN_RUNNING);
        assert_int_equal(v->arch.regs.pc, ENV_RAM + 0x800 + 0x200); /* the abort, at the vector */
        assert_int_equal(rd(D(dom), GICD_ISENABLER + 4, 4), 0);
        wr(D(dom), GICD_ISENABLER + 4, 4, 1u << 8);
        assert_int_equal(rd(D(dom), GICD_ISENABLER + 4, 4), 1u << 8);
        assert_true(vgic_dist(dom)->spi[8].enabled);
        assert_false(vgic_dist(dom)->spi[0].enabled);
        check_state(dom);
    }
}

static void raz_wi_past_nr_spis(void **state)
{
    (void)state;
    dom = make(3, 1, 64, 4);
    /* INTIDs 96..127: ISENABLER3, IPRIORITYR24.., ICFGR6, IROUTER96 */
    wr(D(dom), GICD_ISENABLER + 12, 4, ~0u);
    assert_int_equal(rd(D(dom), GICD_ISENABLER + 12, 4), 0);
    wr(D(dom), GICD_ISPENDR + 12, 4, ~0u);
    assert_int_equal(rd(D(dom), GICD_ISPENDR + 12, 4), 0);
    wr(D(dom), GICD_IPRIORITYR + 96, 4, ~0u);
    assert_int_equal(rd(D(dom), GICD_IPRIORITYR + 96, 4), 0);
    wr(D(dom), GICD_ICFGR + 24, 4, ~0u);
    assert_int_equal(rd(D(dom), GICD_ICFGR + 24, 4), 0);
    wr(D(dom), GICD_IROUTER + 8 * 96, 8, 1);
    assert_int_equal(rd(D(dom), GICD_IROUTER + 8 * 96, 8), 0);
    /* and the last implemented ones work */
    wr(D(dom), GICD_ISENABLER + 8, 4, 1u << 31);
    assert_int_equal(rd(D(dom), GICD_ISENABLER + 8, 4), 1u << 31);
    /* private interrupts are the redistributor's on GICv3: RAZ/WI here */
    wr(D(dom), GICD_ISENABLER, 4, ~0u);
    assert_int_equal(rd(D(dom), GICD_ISENABLER, 4), 0);
    assert_false(vgic_cpu(&dom->vcpus[0])->priv[27].enabled);
    check_state(dom);
}

/* A direct-mapped domain's vGIC sits where the host's GIC is (the layout
 * the builder gives it); nothing answers at the guest map's addresses,
 * and a layout with too little room for its redistributors is refused. */
static void regions_follow_the_layout(void **state)
{
    (void)state;
    for (unsigned version = 2; version <= 3; version++) {
        fake_vgic_config(version, 4, 0x08040000);
        struct domain *d = env_build("direct", 2, (const unsigned[]){ 0, 1 }, false);
        d->layout = (struct guest_layout){ .gicd = 0x8000000,
                                           .gicc = 0x8010000,
                                           .gicr = 0x80a0000,
                                           .gicr_room = 2 * VGIC_RDIST_STRIDE,
                                           .uart = 0x9000000,
                                           .uart_intid = 33 };
        assert_int_equal(vgic_domain_init(d, version, vgic_hw_gicv_base(), 32), 0);
        vgic_canary_fill(d);
        domain_start(d, ENV_ENTRY, 0, false);
        assert_null(emul_mmio_find(&d->mmio, VGIC_DIST_BASE));
        assert_null(emul_mmio_find(&d->mmio, VGIC_RDIST_BASE));
        assert_int_equal(rd(&d->vcpus[0], 0x8000000, GICD_TYPER, 4) & 0x1f, 1);
        if (version == 3) {
            /* vCPU 1's redistributor, the last one */
            uint64_t typer = rd(&d->vcpus[0], 0x80a0000 + VGIC_RDIST_STRIDE, GICR_TYPER, 8);
            assert_int_equal(typer >> 32, 1);
            assert_true(typer & (1u << 4));
            assert_null(emul_mmio_find(&d->mmio, 0x80a0000 + 2 * VGIC_RDIST_STRIDE));
        }
        dom = d;
        check_state(d);
    }
    struct domain *d = env_build("small", 3, NULL, false);
    d->layout.gicr_room = 2 * VGIC_RDIST_STRIDE;
    assert_int_equal(vgic_domain_init(d, 3, 0, 32), -XAM_EINVAL);
    assert_null(d->intc);
}

static void typer_for_several_counts(void **state)
{
    (void)state;
    const unsigned counts[] = { 32, 64, 96, 960, VGIC_MAX_SPIS };
    const unsigned lines[] = { 1, 2, 3, 30, 31 };
    for (unsigned version = 2; version <= 3; version++)
        for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
            dom = make(version, 3, counts[i], 4);
            uint32_t typer = (uint32_t)rd(D(dom), GICD_TYPER, 4);
            assert_int_equal(typer & 0x1f, lines[i]);
            if (version == 2)
                assert_int_equal((typer >> 5) & 7, 2); /* three CPU interfaces */
            else
                assert_int_equal((typer >> 19) & 0x1f, 9); /* 10 INTID bits */
        }
    /* counts the vGIC refuses, and what the builder asks for */
    const unsigned bad[] = { 0, 16, 31, 33, 48, 990, 992, 1024 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        struct domain *d = env_build("bad", 1, NULL, false);
        assert_int_equal(vgic_domain_init(d, 3, 0, bad[i]), -XAM_EINVAL);
        assert_null(d->intc);
    }
    assert_int_equal(vgic_nr_spis_for(0), 32);
    assert_int_equal(vgic_nr_spis_for(32), 32);
    assert_int_equal(vgic_nr_spis_for(63), 32);
    assert_int_equal(vgic_nr_spis_for(64), 64);
    assert_int_equal(vgic_nr_spis_for(991), 960);
    assert_int_equal(vgic_nr_spis_for(992), VGIC_MAX_SPIS);
    assert_int_equal(vgic_nr_spis_for(1019), VGIC_MAX_SPIS);
    assert_int_equal(vgic_nr_spis_for(5000), VGIC_MAX_SPIS);
}

/* ---- list registers ------------------------------------------------- */

/* v enters the guest: its vGIC fills the list registers (on its CPU). */
static bool enter(struct vcpu *v)
{
    fake_set_cpu(v->pcpu);
    dom->intc->flush(v);
    bool more = false;
    fake_vgic_enabled(v->pcpu, &more);
    const char *why = vgic_check_fill(v, more);
    if (why)
        fail_msg("fill: %s", why);
    check_state(dom);
    return more;
}

static void leave(struct vcpu *v)
{
    fake_set_cpu(v->pcpu);
    dom->intc->sync(v);
    check_state(dom);
    assert_int_equal(vgic_cpu(v)->nr_used_lrs, 0);
    fake_set_cpu(0);
}

static struct fake_lr *lr(struct vcpu *v, unsigned i) { return fake_lr(v->pcpu, i); }

static void spi_enable(unsigned intid, uint8_t prio)
{
    wr(D(dom), GICD_ISENABLER + intid / 32 * 4, 4, 1u << (intid % 32));
    wr(D(dom), GICD_IPRIORITYR + intid, 1, prio);
}

static void fill_in_priority_order_with_underflow(void **state)
{
    (void)state;
    dom = make(3, 1, 64, 4);
    struct vcpu *v = &dom->vcpus[0];
    wr(D(dom), GICD_CTLR, 4, 2);
    const unsigned ids[] = { 33, 40, 50, 41, 60, 35 };
    const uint8_t prio[] = { 0x80, 0x40, 0x40, 0x20, 0xa0, 0x80 };
    for (unsigned i = 0; i < 6; i++) {
        spi_enable(ids[i], prio[i]);
        dom->intc->inject(v, ids[i]);
    }
    assert_true(enter(v)); /* six wanted, four list registers: underflow */
    const unsigned order[] = { 41, 40, 50, 33 };
    for (unsigned i = 0; i < 4; i++) {
        assert_true(lr(v, i)->used);
        assert_int_equal(lr(v, i)->intid, order[i]);
        assert_true(lr(v, i)->st.pending);
    }
    /* the guest takes and ends all four */
    for (unsigned i = 0; i < 4; i++)
        lr(v, i)->st.pending = lr(v, i)->st.active = false;
    leave(v);
    assert_false(enter(v));
    assert_int_equal(lr(v, 0)->intid, 35);
    assert_int_equal(lr(v, 1)->intid, 60);
    assert_false(lr(v, 2)->used);
    leave(v);
}

static void active_and_pending(void **state)
{
    (void)state;
    dom = make(2, 1, 32, 4);
    struct vcpu *v = &dom->vcpus[0];
    wr(D(dom), GICD_ISENABLER, 4, 1u << VINTC_PPI_VTIMER); /* banked: vCPU 0's */
    dom->intc->inject(v, VINTC_PPI_VTIMER);
    enter(v);
    assert_int_equal(lr(v, 0)->intid, VINTC_PPI_VTIMER);
    /* the guest acknowledges it; meanwhile it fires again */
    lr(v, 0)->st.pending = false;
    lr(v, 0)->st.active = true;
    dom->intc->inject(v, VINTC_PPI_VTIMER);
    leave(v);
    struct vgic_irq *irq = &vgic_cpu(v)->priv[VINTC_PPI_VTIMER];
    assert_true(irq->pending && irq->active);
    enter(v);
    assert_true(lr(v, 0)->st.pending && lr(v, 0)->st.active);
    /* disabled while active: it stays in a list register, active only */
    lr(v, 0)->st.pending = false;
    leave(v);
    wr(D(dom), GICD_ICENABLER, 4, 1u << VINTC_PPI_VTIMER);
    dom->intc->inject(v, VINTC_PPI_VTIMER);
    enter(v);
    assert_true(lr(v, 0)->used && lr(v, 0)->st.active && !lr(v, 0)->st.pending);
    assert_true(irq->pending); /* kept for when it is enabled again */
    lr(v, 0)->st.active = false;
    leave(v);
    assert_false(enter(v));
    assert_false(lr(v, 0)->used);
}

static void level_reasserted_and_dropped(void **state)
{
    (void)state;
    dom = make(3, 1, 32, 4);
    struct vcpu *v = &dom->vcpus[0];
    wr(D(dom), GICD_CTLR, 4, 2);
    spi_enable(VPL011_SPI, 0xa0);
    dom->intc->set_level(dom, VPL011_SPI, true);
    assert_int_equal(rd(D(dom), GICD_ISPENDR + 4, 4), 1); /* the line makes it pending */
    enter(v);
    assert_true(lr(v, 0)->st.pending);
    lr(v, 0)->st.pending = false; /* handled, but the line is still high */
    leave(v);
    enter(v);
    assert_true(lr(v, 0)->used && lr(v, 0)->st.pending);
    /* the line drops before the guest took it: not latched as pending */
    dom->intc->set_level(dom, VPL011_SPI, false);
    leave(v);
    assert_false(vgic_dist(dom)->spi[0].pending);
    assert_false(enter(v));
    assert_false(lr(v, 0)->used);
    /* an INTID the domain does not have is ignored */
    dom->intc->set_level(dom, 64, true);
    dom->intc->set_level(dom, 2000, true);
    dom->intc->inject(v, 1019);
    check_state(dom);
}

static void forwarded_line(void **state)
{
    (void)state;
    dom = make(3, 1, 32, 4);
    struct vcpu *v = &dom->vcpus[0];
    wr(D(dom), GICD_CTLR, 4, 2);
    assert_int_equal(irq_forward_claim(dom, 40, false), 0);
    spi_enable(40, 0x80);
    assert_true(vgic_dist(dom)->spi[8].hw);
    fake_irq_raise(40);
    irq_handle(NULL);
    assert_false(fake_line_enabled(0, 40)); /* masked at the host */
    enter(v);
    assert_true(lr(v, 0)->st.pending);
    lr(v, 0)->st.pending = false, lr(v, 0)->st.active = true; /* acknowledged */
    leave(v);
    enter(v);
    /* while the guest handles it the line does not make it pending again */
    assert_true(lr(v, 0)->st.active && !lr(v, 0)->st.pending);
    assert_false(fake_line_enabled(0, 40));
    lr(v, 0)->st.active = false; /* ended */
    leave(v);
    assert_true(fake_line_enabled(0, 40)); /* the device may raise it again */
    assert_false(vgic_dist(dom)->spi[8].level);
    assert_false(enter(v));
    assert_false(lr(v, 0)->used);
    irq_forward_release(dom);
    assert_false(fake_line_enabled(0, 40));
}

/* A rising-edge forwarded interrupt: made pending, the host line never
 * masked, so an edge while the guest handles the last one is pending
 * again when it ends. */
static void forwarded_edge(void **state)
{
    (void)state;
    dom = make(3, 1, 64, 4);
    struct vcpu *v = &dom->vcpus[0];
    wr(D(dom), GICD_CTLR, 4, 2);
    assert_int_equal(irq_forward_claim(dom, 82, true), 0);
    spi_enable(82, 0x80);
    fake_irq_raise(82);
    irq_handle(NULL);
    assert_true(fake_line_enabled(0, 82)); /* not masked */
    assert_false(vgic_dist(dom)->spi[50].level);
    enter(v);
    assert_int_equal(lr(v, 0)->intid, 82);
    assert_true(lr(v, 0)->st.pending);
    lr(v, 0)->st.pending = false, lr(v, 0)->st.active = true; /* acknowledged */
    leave(v);
    fake_irq_raise(82); /* a new edge while it is active */
    irq_handle(NULL);
    enter(v);
    assert_true(lr(v, 0)->st.active && lr(v, 0)->st.pending);
    lr(v, 0)->st.active = false; /* ended: the new edge is still pending */
    leave(v);
    enter(v);
    assert_true(lr(v, 0)->st.pending);
    lr(v, 0)->st.pending = false;
    leave(v);
    assert_true(fake_line_enabled(0, 82));
    assert_false(enter(v));
    irq_forward_release(dom);
    assert_false(fake_line_enabled(0, 82));
}

static void ctlr_gates_spis(void **state)
{
    (void)state;
    dom = make(3, 2, 32, 4);
    struct vcpu *v1 = &dom->vcpus[1];
    spi_enable(33, 0xa0);
    wr(D(dom), GICD_IROUTER + 8 * 33, 8, 1); /* to vCPU 1 */
    assert_int_equal(rd(D(dom), GICD_IROUTER + 8 * 33, 8), 1);
    dom->intc->inject(&dom->vcpus[0], 33);
    enter(v1);
    assert_false(lr(v1, 0)->used); /* the distributor is off */
    leave(v1);
    unsigned kicks = fake_sgis(1, SGI_KICK);
    wr(D(dom), GICD_CTLR, 4, 2);
    assert_int_equal(rd(D(dom), GICD_CTLR, 4), 2 | 1u << 4);
    assert_int_equal(fake_sgis(1, SGI_KICK), kicks + 1); /* vCPU 1 runs on CPU 1 */
    enter(v1);
    assert_int_equal(lr(v1, 0)->intid, 33);
    leave(v1);
    /* IROUTER halves; affinities the domain has no vCPU at: nowhere */
    wr(D(dom), GICD_IROUTER + 8 * 34 + 4, 4, 0x1);
    assert_int_equal(rd(D(dom), GICD_IROUTER + 8 * 34, 8), 1ULL << 32);
    assert_int_equal(vgic_dist(dom)->spi[2].target, VGIC_NO_VCPU);
    wr(D(dom), GICD_IROUTER + 8 * 34, 4, 1u << 31); /* IRM */
    assert_int_equal(rd(D(dom), GICD_IROUTER + 8 * 34, 8), 1ULL << 32 | 1u << 31);
    wr(D(dom), GICD_IROUTER + 8 * 34 + 4, 4, 0);
    assert_int_equal(vgic_dist(dom)->spi[2].target, 0);
    check_state(dom);
}

/* ---- SGIs ----------------------------------------------------------- */

static uint32_t v2_pending0(unsigned vcpu) { return (uint32_t)rd(&dom->vcpus[vcpu], VGIC_DIST_BASE, GICD_ISPENDR, 4); }

static void clear_sgis(void)
{
    for (unsigned c = 0; c < dom->nr_vcpus; c++)
        wr(&dom->vcpus[c], VGIC_DIST_BASE, GICD_ICPENDR, 4, 0xffff);
}

static void v2_sgir_targets_and_filters(void **state)
{
    (void)state;
    dom = make(2, 3, 32, 4);
    struct vcpu *v1 = &dom->vcpus[1];
    wr(v1, VGIC_DIST_BASE, GICD_SGIR, 4, 0u << 24 | 0xfd << 16 | 5); /* list: 0, 2 (and CPUs that do not exist) */
    assert_int_equal(v2_pending0(0), 1u << 5);
    assert_int_equal(v2_pending0(1), 0);
    assert_int_equal(v2_pending0(2), 1u << 5);
    assert_int_equal(vgic_cpu(&dom->vcpus[2])->priv[5].source, 1);
    /* the sender, as GICD_SPENDSGIR shows it */
    assert_int_equal(rd(&dom->vcpus[0], VGIC_DIST_BASE, GICD_SPENDSGIR + 5, 1), 1u << 1);
    wr(&dom->vcpus[0], VGIC_DIST_BASE, GICD_CPENDSGIR + 4, 4, 0x0200);
    assert_int_equal(v2_pending0(0), 0);
    clear_sgis();
    wr(v1, VGIC_DIST_BASE, GICD_SGIR, 4, 1u << 24 | 3); /* all but me */
    assert_int_equal(v2_pending0(0), 1u << 3);
    assert_int_equal(v2_pending0(1), 0);
    assert_int_equal(v2_pending0(2), 1u << 3);
    clear_sgis();
    wr(v1, VGIC_DIST_BASE, GICD_SGIR, 4, 2u << 24 | 0xff << 16 | 7); /* me only */
    assert_int_equal(v2_pending0(0) | v2_pending0(2), 0);
    assert_int_equal(v2_pending0(1), 1u << 7);
    clear_sgis();
    wr(v1, VGIC_DIST_BASE, GICD_SGIR, 4, 3u << 24 | 0xff << 16 | 7); /* reserved */
    assert_int_equal(v2_pending0(0) | v2_pending0(1) | v2_pending0(2), 0);
    assert_int_equal(rd(v1, VGIC_DIST_BASE, GICD_SGIR, 4), 0); /* write-only */
    /* banked: each vCPU's ITARGETSR0-7 say itself and ignore writes */
    wr(&dom->vcpus[2], VGIC_DIST_BASE, GICD_ITARGETSR, 4, 0);
    assert_int_equal(rd(&dom->vcpus[2], VGIC_DIST_BASE, GICD_ITARGETSR + 28, 4), 0x04040404);
    assert_int_equal(rd(v1, VGIC_DIST_BASE, GICD_ITARGETSR, 1), 0x02);
    check_state(dom);
}

static uint32_t v3_pending0(unsigned vcpu) { return (uint32_t)rd(R(dom, vcpu), GICR_SGI + GICD_ISPENDR, 4); }

static void v3_sgi1r_irm_and_lists(void **state)
{
    (void)state;
    dom = make(3, 3, 32, 4);
    struct vcpu *v0 = &dom->vcpus[0];
    vgic_send_sgi(v0, 1ULL << 24 | 0x6); /* SGI 1 to 1 and 2 */
    assert_int_equal(v3_pending0(0), 0);
    assert_int_equal(v3_pending0(1), 1u << 1);
    assert_int_equal(v3_pending0(2), 1u << 1);
    for (unsigned c = 0; c < 3; c++)
        wr(R(dom, c), GICR_SGI + GICD_ICPENDR, 4, ~0u);
    vgic_send_sgi(&dom->vcpus[2], 1ULL << 40 | 9ULL << 24 | 0xffff); /* IRM: all but the sender */
    assert_int_equal(v3_pending0(0), 1u << 9);
    assert_int_equal(v3_pending0(1), 1u << 9);
    assert_int_equal(v3_pending0(2), 0);
    for (unsigned c = 0; c < 3; c++)
        wr(R(dom, c), GICR_SGI + GICD_ICPENDR, 4, ~0u);
    vgic_send_sgi(v0, 1ULL << 16 | 4ULL << 24 | 0x7); /* Aff1 = 1: no such vCPU */
    vgic_send_sgi(v0, 1ULL << 44 | 4ULL << 24 | 0x7); /* RS = 1: Aff0 16-31 */
    vgic_send_sgi(v0, 1ULL << 32 | 4ULL << 24 | 0x7); /* Aff2 */
    assert_int_equal(v3_pending0(0) | v3_pending0(1) | v3_pending0(2), 0);
    /* through the trapped register, as a guest sends it */
    assert_int_equal(vgic_register_sysregs(), 0);
    v0->arch.regs.x[2] = 2ULL << 24 | 0x1;
    fake_trap(v0, fake_esr_sysreg(3, 0, 12, 11, 5, 2, false), 0);
    assert_int_equal(dom->state, DOMAIN_RUNNING);
    assert_int_equal(v3_pending0(0), 1u << 2);
    check_state(dom);
}

/* Past 16 vCPUs (Xen's limit is 128): vCPU n is Aff1 = n / 16, Aff0 =
 * n % 16 (xam/vaffinity.h), in SGI target lists, GICR_TYPER, IROUTER and
 * MPIDR alike; GICv2 stops at its 8 CPU interfaces. */
/* Kicks of other CPUs go out once the vGIC lock is released, never under
 * it: an SGI's send may be slow (QEMU takes its big lock), and the other
 * vCPU's CPU may be spinning for this lock meanwhile. Through the trapped
 * SGI register and through a distributor write. */
static unsigned kick_sgis, kicks_under_a_lock;

static void note_kick(unsigned cpu, unsigned sgi)
{
    (void)cpu;
    if (sgi != SGI_KICK)
        return;
    kick_sgis++;
    if (fake_locks_held)
        kicks_under_a_lock++;
}

static void kicks_wait_for_the_lock_release(void **state)
{
    (void)state;
    dom = make(3, 2, 32, 4);
    struct vcpu *v0 = &dom->vcpus[0];
    kick_sgis = kicks_under_a_lock = 0;
    fake_sgi_hook(note_kick);
    wr(R(dom, 1), GICR_SGI + GICD_ISENABLER, 4, 1u << 3);
    unsigned before = fake_sgis(1, SGI_KICK);
    vgic_send_sgi(v0, 3ULL << 24 | 0x2); /* SGI 3 to vCPU 1, running on CPU 1 */
    assert_int_equal(v3_pending0(1), 1u << 3);
    assert_int_equal(fake_sgis(1, SGI_KICK), before + 1);
    spi_enable(33, 0xa0);
    wr(D(dom), GICD_IROUTER + 8 * 33, 8, 1);
    wr(D(dom), GICD_CTLR, 4, 0);
    dom->intc->inject(v0, 33);
    wr(D(dom), GICD_CTLR, 4, 2); /* the SPI becomes deliverable to vCPU 1 */
    assert_int_equal(fake_sgis(1, SGI_KICK), before + 2);
    assert_int_equal(kick_sgis, 2);
    assert_int_equal(kicks_under_a_lock, 0);
    assert_int_equal(fake_locks_held, 0);
    fake_sgi_hook(NULL);
    check_state(dom);
}

static void vcpus_past_16_by_cluster(void **state)
{
    (void)state;
    dom = make(3, 20, 32, 4);
    struct vcpu *v0 = &dom->vcpus[0];
    vgic_send_sgi(v0, 1ULL << 16 | 3ULL << 24 | 0x9); /* cluster 1, Aff0 0 and 3 */
    for (unsigned c = 0; c < 20; c++)
        assert_int_equal(v3_pending0(c), c == 16 || c == 19 ? 1u << 3 : 0);
    wr(R(dom, 16), GICR_SGI + GICD_ICPENDR, 4, ~0u);
    wr(R(dom, 19), GICR_SGI + GICD_ICPENDR, 4, ~0u);
    vgic_send_sgi(v0, 1ULL << 16 | 3ULL << 24 | 0xfff0); /* vCPUs 20-31: none */
    vgic_send_sgi(v0, 2ULL << 16 | 3ULL << 24 | 0xffff); /* cluster 2: none */
    vgic_send_sgi(v0, 1ULL << 44 | 3ULL << 24 | 0xffff); /* RS 1: Aff0 16-31, never used */
    for (unsigned c = 0; c < 20; c++)
        assert_int_equal(v3_pending0(c), 0);
    vgic_send_sgi(&dom->vcpus[17], 1ULL << 40 | 5ULL << 24); /* IRM: all 19 others */
    for (unsigned c = 0; c < 20; c++)
        assert_int_equal(v3_pending0(c), c == 17 ? 0 : 1u << 5);
    /* each redistributor says its vCPU's affinity; the 20th is the last */
    assert_int_equal(rd(R(dom, 17), GICR_TYPER, 8), 0x101ULL << 32 | 17 << 8);
    assert_int_equal(rd(R(dom, 19), GICR_TYPER, 8), 0x103ULL << 32 | 19 << 8 | 1 << 4);
    assert_int_equal(rd(R(dom, 15), GICR_TYPER, 8), 0xfULL << 32 | 15 << 8);
    /* IROUTER names vCPUs by the same affinity */
    assert_int_equal(vgic_route_target(dom, 0x102), 18);
    assert_int_equal(vgic_route_target(dom, 0xf), 15);
    assert_int_equal(vgic_route_target(dom, 0x10), VGIC_NO_VCPU); /* Aff0 16 */
    assert_int_equal(vgic_route_target(dom, 0x104), VGIC_NO_VCPU); /* vCPU 20 */
    assert_int_equal(vgic_route_target(dom, 0x10001), VGIC_NO_VCPU); /* Aff2 */
    wr(D(dom), GICD_IROUTER + 8 * 40, 8, 0x102);
    assert_int_equal(rd(D(dom), GICD_IROUTER + 8 * 40, 8), 0x102);
    check_state(dom);
    /* GICv2 has 8 CPU interfaces */
    fake_vgic_config(2, 4, 0x08040000);
    struct domain *d = env_build("v2", 9, NULL, false);
    assert_int_equal(vgic_domain_init(d, 2, vgic_hw_gicv_base(), 32), -XAM_EINVAL);
    assert_null(d->intc);
}

static void rdist_identity_and_waker(void **state)
{
    (void)state;
    dom = make(3, 2, 32, 4);
    assert_int_equal(rd(R(dom, 0), GICR_TYPER, 8), 0);
    assert_int_equal(rd(R(dom, 1), GICR_TYPER, 8), 1ULL << 32 | 1 << 8 | 1 << 4);
    assert_int_equal(rd(R(dom, 1), GICR_TYPER + 4, 4), 1);
    assert_int_equal(rd(R(dom, 1), GICR_WAKER, 4), 6); /* asleep */
    wr(R(dom, 1), GICR_WAKER, 4, 0);
    assert_int_equal(rd(R(dom, 1), GICR_WAKER, 4), 0);
    assert_int_equal(rd(R(dom, 0), GICR_WAKER, 4), 6);
    /* each redistributor shows its own vCPU's private interrupts */
    wr(R(dom, 1), GICR_SGI + GICD_ISENABLER, 4, 1u << 27);
    assert_true(vgic_cpu(&dom->vcpus[1])->priv[27].enabled);
    assert_false(vgic_cpu(&dom->vcpus[0])->priv[27].enabled);
    wr(R(dom, 1), GICR_SGI + GICD_ICFGR, 4, ~0u); /* SGIs stay edge */
    assert_int_equal(rd(R(dom, 1), GICR_SGI + GICD_ICFGR, 4), 0xaaaaaaaa);
    check_state(dom);
}

/* ---- WFI ------------------------------------------------------------ */

static unsigned slept;
static void sleep_cb(struct vcpu *v)
{
    (void)v;
    assert_true(fake_locks_held > 0); /* under the vGIC's lock */
    slept++;
}

static void block_with_and_without_pending(void **state)
{
    (void)state;
    dom = make(3, 2, 32, 4);
    struct vcpu *v = &dom->vcpus[0];
    slept = 0;
    assert_true(dom->intc->block(v, sleep_cb));
    assert_int_equal(slept, 1);
    /* pending but disabled, or an SPI for the other vCPU: still sleeps */
    dom->intc->inject(v, 20);
    wr(D(dom), GICD_CTLR, 4, 2);
    spi_enable(40, 0xa0);
    wr(D(dom), GICD_IROUTER + 8 * 40, 8, 1);
    dom->intc->inject(v, 40);
    assert_true(dom->intc->block(v, sleep_cb));
    assert_int_equal(slept, 2);
    /* enabled and pending: no sleep */
    wr(R(dom, 0), GICR_SGI + GICD_ISENABLER, 4, 1u << 20);
    assert_false(dom->intc->block(v, sleep_cb));
    assert_int_equal(slept, 2);
    /* through a WFI trap: a vCPU with nothing pending blocks, an
     * interrupt wakes it */
    struct vcpu *v1 = &dom->vcpus[1];
    wr(D(dom), GICD_ICPENDR + 4, 4, 1u << 8);
    fake_set_cpu(1);
    fake_trap(v1, fake_esr_wfx(false), 0);
    assert_int_equal(v1->state, VCPU_BLOCKED);
    fake_set_cpu(0);
    wr(D(dom), GICD_ISPENDR + 4, 4, 1u << 8); /* INTID 40, routed to vCPU 1 */
    assert_int_equal(v1->state, VCPU_RUNNABLE);
    check_state(dom);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ENV_TEST(tables_well_formed, setup, teardown),
        ENV_TEST(v2_every_row_width_alignment, setup, teardown),
        ENV_TEST(v3_every_row_width_alignment, setup, teardown),
        ENV_TEST(v2_itargetsr_and_ipriorityr_ends, setup, teardown),
        ENV_TEST(v3_irouter_and_ipriorityr_ends, setup, teardown),
        ENV_TEST(isenabler1_byte1, setup, teardown),
        ENV_TEST(raz_wi_past_nr_spis, setup, teardown),
        ENV_TEST(typer_for_several_counts, setup, teardown),
        ENV_TEST(regions_follow_the_layout, setup, teardown),
        ENV_TEST(fill_in_priority_order_with_underflow, setup, teardown),
        ENV_TEST(active_and_pending, setup, teardown),
        ENV_TEST(level_reasserted_and_dropped, setup, teardown),
        ENV_TEST(forwarded_line, setup, teardown),
        ENV_TEST(forwarded_edge, setup, teardown),
        ENV_TEST(ctlr_gates_spis, setup, teardown),
        ENV_TEST(v2_sgir_targets_and_filters, setup, teardown),
        ENV_TEST(v3_sgi1r_irm_and_lists, setup, teardown),
        ENV_TEST(kicks_wait_for_the_lock_release, setup, teardown),
        ENV_TEST(rdist_identity_and_waker, setup, teardown),
        ENV_TEST(vcpus_past_16_by_cluster, setup, teardown),
        ENV_TEST(block_with_and_without_pending, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
