/* The vGIC's own state and the pieces its files share (and its host tests
 * look at); nothing outside vdev/vgic/ includes this.
 *
 * One lock per domain guards all of a domain's vGIC state: vGIC traffic is
 * rare next to guest execution, and one lock is easy to reason about. The
 * state is one allocation: struct vgic_dist, then one struct vgic_cpu per
 * vCPU, then the domain's SPIs, as many as it was given. Every interrupt
 * is reached through vgic_get_irq(), which is where an INTID is checked
 * against what the domain has. */
#ifndef VDEV_VGIC_PRIV_H
#define VDEV_VGIC_PRIV_H

#include <asm/spinlock.h>
#include <asm/vgic_hw.h>
#include <xam/domain.h>
#include <xam/emul.h>
#include <xam/guest_map.h>
#include <xam/sched.h>
#include <xam/vgic.h>

#define VGIC_NR_PRIVATE 32 /* SGIs 0-15 and PPIs 16-31, per vCPU */
#define VGIC_NR_SGIS 16
#define VGIC_NO_VCPU 0xff /* an SPI routed to no vCPU */
#define VGIC_PRIO_RESET 0xa0 /* what Linux leaves alone reads as "set" */
/* List registers the vGIC tracks per vCPU (GICv3 has at most 16). */
#define VGIC_MAX_LRS VGIC_HW_MAX_LRS
/* A bit per INTID a vCPU can take: its private ones and every SPI */
#define VGIC_WANT_WORDS ((VGIC_NR_PRIVATE + VGIC_MAX_SPIS + 63) / 64)

struct vgic_irq {
    /* SPIs: the guest's routing, as written: a GICv2 ITARGETSR byte (a
     * CPU mask) or a GICv3 GICD_IROUTER value. */
    uint64_t route;
    uint16_t intid;
    uint8_t priority;
    /* The vCPU (index) that takes it: a private interrupt's own; an SPI's
     * from route, or VGIC_NO_VCPU when route names none. */
    uint8_t target;
    uint8_t source; /* SGIs: the vCPU that sent it (GICv2 reports it) */
    bool enabled, pending, active, edge;
    /* A level-sensitive source's line; while high the interrupt is
     * pending. */
    bool level;
    /* In a list register of some vCPU (the one it was in when filled).
     * lr_from_level: the list register's pending state came only from the
     * line, so it is not latched back on the drain (the line says). */
    bool in_lr, lr_from_level;
    /* A host device's line, forwarded (irq_forward.c): masked at the host
     * while the guest handles it, unmasked when it is done. */
    bool hw;
};

/* One access, as a row's handler sees it. For a per-interrupt row the
 * handler is called once per interrupt the access covers that exists,
 * with irq set (never NULL) and the interrupt's field (bits wide); for a
 * plain register with irq NULL and the whole register. */
struct vgic_access {
    struct domain *d;
    struct vcpu *v; /* the vCPU accessing */
    struct vcpu *priv; /* whose SGIs and PPIs the frame shows; NULL: none */
    bool spis; /* whether the frame shows SPIs */
    struct vgic_irq *irq;
};

struct vgic_cpu {
    struct vgic_irq priv[VGIC_NR_PRIVATE];
    bool rdist_asleep; /* GICR_WAKER.ProcessorSleep */
    uint16_t lr_intid[VGIC_MAX_LRS]; /* which INTID each used list register holds */
    unsigned nr_used_lrs;
    /* Set (under the lock) whenever something may have become deliverable
     * to this vCPU; cleared when a fill finds nothing. Read without the
     * lock on guest entry, so that an idle vCPU's entry skips the lock. */
    volatile bool maybe_pending;
    /* The interrupts that may want a list register of this vCPU, a bit per
     * INTID, under the lock: set by vgic_irq_changed for every interrupt
     * that wants one (each change that can make one want it goes through
     * there), cleared lazily by the fill when it no longer does or went to
     * another vCPU. So an interrupt that wants this vCPU's list register
     * always has its bit set, and the fill and WFI look only at the set
     * bits instead of at every interrupt of the domain. */
    uint64_t want[VGIC_WANT_WORDS];
    /* The record of this vCPU's vGIC access being emulated: here, not on
     * the stack, so the MMIO path needs no stack canary (only this vCPU,
     * running on this CPU, uses it). */
    struct vgic_access access;
};

struct vgic_dist {
    spinlock_t lock; /* all of the domain's vGIC state */
    unsigned version; /* 2 or 3: the host's, and so the register layout */
    uint32_t ctlr; /* GICD_CTLR's group enables as written */
    unsigned nr_spis;
    uint64_t alloc_size; /* of the whole allocation, for its release */
    struct vgic_cpu *cpu; /* [d->nr_vcpus] */
    struct vgic_irq *spi; /* [nr_spis] */
};

static inline struct vgic_dist *vgic_dist(const struct domain *d) { return (struct vgic_dist *)d->intc_state; }
static inline struct vgic_cpu *vgic_cpu(const struct vcpu *v) { return &vgic_dist(v->dom)->cpu[v->id]; }

/* The domain's vGIC lock, taken on its vCPUs' entries and exits: the kicks
 * and wake-ups of other CPUs asked for under it go out once it is released
 * (sched_defer_kicks()), so the other vCPUs' CPUs, which may be waiting
 * for it, do not wait for the SGIs too. */
static inline uint64_t vgic_lock(struct vgic_dist *vd)
{
    uint64_t flags = spin_lock_irqsave(&vd->lock);
    sched_defer_kicks();
    return flags;
}

static inline void vgic_unlock(struct vgic_dist *vd, uint64_t flags)
{
    spin_unlock(&vd->lock);
    sched_send_deferred_kicks();
    irq_restore(flags);
}

/* ---- vgic.c: state, injection, delivery ------------------------------ */

/* Interrupt intid as vCPU v sees it (v: whose SGIs and PPIs; NULL for
 * none), or NULL if d has no such interrupt. */
struct vgic_irq *vgic_get_irq(struct domain *d, struct vcpu *v, unsigned intid);
/* Whether irq is pending in a way its vCPU must take (enabled, its group
 * enabled). */
bool vgic_irq_pending_deliverable(const struct vgic_dist *vd, const struct vgic_irq *irq);
/* Whether irq should be in one of its vCPU's list registers: active (the
 * guest is handling it), or deliverably pending. */
bool vgic_irq_wants_lr(const struct vgic_dist *vd, const struct vgic_irq *irq);
/* irq's state changed (locked): if it now wants a list register, tell its
 * vCPU (wake it, or kick it out of the guest). */
void vgic_irq_changed(struct domain *d, struct vgic_irq *irq);
/* Under the lock: the next interrupt at or after *cursor (an INTID; start
 * at 0) that wants a list register of v, in INTID order, or NULL; moves
 * *cursor past it. In a list register or not: the caller says. */
struct vgic_irq *vgic_next_wanting(struct vcpu *v, unsigned *cursor);
/* Make irq pending (edge), locked. */
void vgic_set_pending_locked(struct domain *d, struct vgic_irq *irq);
/* SGI intid from vCPU `from` to vCPU `to`, locked. */
void vgic_send_sgi_locked(struct vcpu *from, struct vcpu *to, unsigned intid);
/* An SPI's target from its route (ITARGETSR byte or IROUTER value). */
uint8_t vgic_route_target(const struct domain *d, uint64_t route);
/* Every SPI that can now be delivered is told to its vCPU (GICD_CTLR
 * enabled a group), locked. */
void vgic_dist_enabled(struct domain *d);

/* ---- vgic_lr.c: list registers --------------------------------------- */

/* Before entry: the highest-priority interrupts that want list registers
 * into them; after exit: their state back. */
void vgic_flush(struct vcpu *v);
void vgic_sync(struct vcpu *v);
/* Choose for v's list registers (locked): up to max interrupts that want
 * one and are in none, highest priority (lowest value) first, lower INTID
 * first among equals; *more: whether some were left out. */
unsigned vgic_select_locked(struct vcpu *v, struct vgic_irq **out, unsigned max, bool *more);

/* ---- vgic_sgi.c: software-generated interrupts ----------------------- */

/* GICv2 GICD_SGIR written by v (locked). */
void vgic_v2_sgir_write(struct vcpu *v, uint32_t val);

/* ---- vgic_mmio.c: register tables and their dispatcher ---------------- */

/* Access widths a register row allows, as a bitmask of byte counts. */
#define VGIC_W1 1u
#define VGIC_W2 2u
#define VGIC_W4 4u
#define VGIC_W8 8u
/* Not a width: in a row's widths, "write-1-to-set/clear (or write
 * ignored)": a zero field written changes nothing, so a write visits only
 * the fields that are set. */
#define VGIC_W1X 0x10u
/* Not a width either: the register reads a value fixed once the domain is
 * built (TYPER, IIDR, PIDR2) and ignores writes: no lock is taken for it. */
#define VGIC_FIXED 0x20u


typedef uint64_t (*vgic_read_fn)(struct vgic_access *a);
typedef void (*vgic_write_fn)(struct vgic_access *a, uint64_t val);

/* One register range. bits: per interrupt (the range holds one field per
 * INTID, INTID 0 first), or 0 for one plain register of `length` bytes
 * (at most 8). widths: the access sizes allowed (VGIC_W*). */
struct vgic_reg {
    uint32_t offset, length;
    uint8_t bits, widths;
    vgic_read_fn read;
    vgic_write_fn write;
};

/* A register frame: its rows sorted by offset, its size; accesses between
 * rows (reserved space) of gap_widths read as zero, writes ignored. */
struct vgic_frame {
    const char *name;
    const struct vgic_reg *rows;
    unsigned nr_rows;
    uint32_t size;
    uint8_t gap_widths;
};

/* Carry out m (offset off in frame f) for a, under the domain's vGIC lock
 * (not for VGIC_FIXED rows): EMUL_FAULT if its width or alignment is not
 * allowed there or it runs past its row. */
enum emul_result vgic_mmio_dispatch(const struct vgic_frame *f, struct vgic_access *a, uint64_t off,
                                    struct mmio_access *m);
/* The row holding offset off, or NULL (reserved space). */
const struct vgic_reg *vgic_mmio_find(const struct vgic_frame *f, uint32_t off);

/* Handlers shared by the frames. */
uint64_t vgic_mmio_raz(struct vgic_access *a);
uint64_t vgic_mmio_rao(struct vgic_access *a);
void vgic_mmio_wi(struct vgic_access *a, uint64_t val);
uint64_t vgic_mmio_read_enable(struct vgic_access *a);
void vgic_mmio_write_senable(struct vgic_access *a, uint64_t val);
void vgic_mmio_write_cenable(struct vgic_access *a, uint64_t val);
uint64_t vgic_mmio_read_pending(struct vgic_access *a);
void vgic_mmio_write_spending(struct vgic_access *a, uint64_t val);
void vgic_mmio_write_cpending(struct vgic_access *a, uint64_t val);
uint64_t vgic_mmio_read_active(struct vgic_access *a);
void vgic_mmio_write_sactive(struct vgic_access *a, uint64_t val);
void vgic_mmio_write_cactive(struct vgic_access *a, uint64_t val);
uint64_t vgic_mmio_read_priority(struct vgic_access *a);
void vgic_mmio_write_priority(struct vgic_access *a, uint64_t val);
uint64_t vgic_mmio_read_config(struct vgic_access *a);
void vgic_mmio_write_config(struct vgic_access *a, uint64_t val);
uint64_t vgic_mmio_read_iidr(struct vgic_access *a);

/* The bit-per-interrupt registers every distributor and SGI frame has, at
 * their architectural offsets from base, len bytes each (0x80: all 1024
 * INTIDs; 4: the 32 private ones). IGROUPR reads as one: every interrupt
 * is group 1, as Xen's vGIC says. */
#define VGIC_ROWS_BITS(base, len)                                                                                      \
    { (base) + 0x080, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_rao, vgic_mmio_wi },                                     \
        { (base) + 0x100, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_read_enable, vgic_mmio_write_senable },              \
        { (base) + 0x180, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_read_enable, vgic_mmio_write_cenable },              \
        { (base) + 0x200, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_read_pending, vgic_mmio_write_spending },            \
        { (base) + 0x280, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_read_pending, vgic_mmio_write_cpending },            \
        { (base) + 0x300, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_read_active, vgic_mmio_write_sactive },              \
    {                                                                                                                  \
        (base) + 0x380, (len), 1, VGIC_W4 | VGIC_W1X, vgic_mmio_read_active, vgic_mmio_write_cactive                   \
    }
/* IPRIORITYR: a byte per interrupt, byte- and word-accessible. */
#define VGIC_ROW_PRIORITY(base, len)                                                                                   \
    {                                                                                                                  \
        (base) + 0x400, (len), 8, VGIC_W1 | VGIC_W4, vgic_mmio_read_priority, vgic_mmio_write_priority                 \
    }
/* ICFGR: two bits per interrupt, words only. */
#define VGIC_ROW_CONFIG(base, len)                                                                                     \
    {                                                                                                                  \
        (base) + 0xc00, (len), 2, VGIC_W4, vgic_mmio_read_config, vgic_mmio_write_config                               \
    }

#define VGIC_IIDR_ARM 0x0000043b

/* ---- the frames (vgic_v2_dist.c, vgic_v3_dist.c, vgic_v3_rdist.c) ------ */

extern const struct vgic_frame vgic_v2_dist_frame, vgic_v3_dist_frame, vgic_v3_rdist_frame;
/* The MMIO regions' handlers (dev unused). */
enum emul_result vgic_v2_dist_mmio(struct vcpu *v, struct mmio_access *a, void *dev);
enum emul_result vgic_v3_dist_mmio(struct vcpu *v, struct mmio_access *a, void *dev);
enum emul_result vgic_v3_rdist_mmio(struct vcpu *v, struct mmio_access *a, void *dev);
/* GICD_CTLR, GICD_TYPER: the parts GICv2 and GICv3 share. */
void vgic_ctlr_write(struct domain *d, uint64_t val);
static inline uint32_t vgic_typer_lines(const struct domain *d)
{
    /* ITLinesNumber: 32 * (N + 1) INTIDs, the last group possibly partial */
    return (VGIC_NR_PRIVATE + vgic_dist(d)->nr_spis + 31) / 32 - 1;
}

#endif
