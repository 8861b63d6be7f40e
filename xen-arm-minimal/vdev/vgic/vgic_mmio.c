/* The register-row dispatcher and the handlers the frames share.
 *
 * Every guest access to a vGIC frame comes through vgic_mmio_dispatch(),
 * which is the only code that looks at an access's offset and width: it
 * finds the access's row, refuses (EMUL_FAULT: an abort for the guest)
 * a width the row does not allow, an access that is not naturally aligned
 * or one that does not fit in the row, then splits it into per-interrupt
 * fields. Each field's INTID is looked up with vgic_get_irq(), which knows
 * what the domain has; a field with no interrupt behind it reads as zero
 * and ignores writes. So handlers see only interrupts that exist, one at a
 * time, and no byte of an access is trusted without a check. */
#include "vgic_priv.h"

const struct vgic_reg *vgic_mmio_find(const struct vgic_frame *f, uint32_t off)
{
    for (unsigned i = 0; i < f->nr_rows; i++) {
        const struct vgic_reg *r = &f->rows[i];
        if (off < r->offset)
            return NULL; /* sorted: no later row can hold it */
        if (off - r->offset < r->length)
            return r;
    }
    return NULL;
}

/* Reserved space: nothing behind it, but an access must not reach into
 * the next register either. */
static enum emul_result gap_access(const struct vgic_frame *f, uint32_t off, struct mmio_access *m)
{
    for (unsigned i = 0; i < f->nr_rows; i++)
        if (f->rows[i].offset > off) {
            if (off + m->size > f->rows[i].offset)
                return EMUL_FAULT;
            break;
        }
    if (!(f->gap_widths & m->size))
        return EMUL_FAULT;
    if (!m->write)
        m->value = 0;
    return EMUL_HANDLED;
}

static uint64_t mask_of(unsigned bits) { return bits >= 64 ? ~0ULL : (1ULL << bits) - 1; }

/* Point a at field idx of row r: its interrupt for a per-interrupt row.
 * False if there is none (RAZ/WI). */
static bool bind(struct vgic_access *a, const struct vgic_reg *r, unsigned idx)
{
    if (!r->bits) {
        a->irq = NULL;
        return true;
    }
    a->irq = vgic_get_irq(a->d, a->priv, idx);
    if (a->irq && a->irq->intid >= VGIC_NR_PRIVATE && !a->spis)
        a->irq = NULL;
    return a->irq != NULL;
}

/* A field written: tell the interrupt's vCPU if the write made it want a
 * list register (or moved it to another vCPU), not on every write. */
static void write_field(struct vgic_access *a, const struct vgic_reg *r, uint64_t val)
{
    struct vgic_irq *irq = a->irq;
    bool wanted = irq && vgic_irq_wants_lr(vgic_dist(a->d), irq);
    uint8_t target = irq ? irq->target : 0;
    r->write(a, val);
    if (irq && (!wanted || irq->target != target))
        vgic_irq_changed(a->d, irq);
}

static inline __attribute__((always_inline)) enum emul_result
access_row(const struct vgic_reg *r, struct vgic_access *a, uint32_t off, struct mmio_access *m);

enum emul_result vgic_mmio_dispatch(const struct vgic_frame *f, struct vgic_access *a, uint64_t off64,
                                    struct mmio_access *m)
{
    unsigned size = m->size;
    if ((size != 1 && size != 2 && size != 4 && size != 8) || (off64 & (size - 1)) || off64 >= f->size ||
        size > f->size - off64)
        return EMUL_FAULT;
    uint32_t off = (uint32_t)off64;
    const struct vgic_reg *r = vgic_mmio_find(f, off);
    if (!r)
        return gap_access(f, off, m);
    if (!(r->widths & size) || size > r->offset + r->length - off)
        return EMUL_FAULT;
    if (r->widths & VGIC_FIXED) /* nothing to race with */
        return access_row(r, a, off, m);
    struct vgic_dist *vd = vgic_dist(a->d);
    uint64_t flags = vgic_lock(vd);
    enum emul_result res = access_row(r, a, off, m);
    vgic_unlock(vd, flags);
    return res;
}

/* One access that fits row r, its width allowed there. */
static inline __attribute__((always_inline)) enum emul_result
access_row(const struct vgic_reg *r, struct vgic_access *a, uint32_t off, struct mmio_access *m)
{
    unsigned size = m->size, rel = off - r->offset, abits = 8 * size;
    if (!r->bits && rel == 0 && size == r->length) {
        /* a whole plain register (CTLR, TYPER, IIDR...): the common case */
        a->irq = NULL;
        if (m->write)
            r->write(a, m->value & mask_of(abits));
        else
            m->value = r->read(a) & mask_of(abits);
        return EMUL_HANDLED;
    }
    unsigned fbits = r->bits ? r->bits : 8 * r->length; /* a plain register: one field */
    uint64_t in = m->write ? m->value & mask_of(abits) : 0, out = 0;
    if (abits >= fbits) {
        /* whole fields: the access is aligned to its size, fields to theirs */
        unsigned first = rel * 8 / fbits, n = abits / fbits;
        if (m->write && (r->widths & VGIC_W1X) && fbits == 1) {
            /* only the bits that are set do anything (a guest clearing
             * one enable does not pay for the other 31) */
            for (uint64_t bits = in; bits; bits &= bits - 1) {
                unsigned i = (unsigned)__builtin_ctzll(bits);
                if (bind(a, r, first + i))
                    write_field(a, r, 1);
            }
            return EMUL_HANDLED;
        }
        for (unsigned i = 0; i < n; i++) {
            if (!bind(a, r, first + i))
                continue;
            if (m->write)
                write_field(a, r, (in >> (i * fbits)) & mask_of(fbits));
            else
                out |= (r->read(a) & mask_of(fbits)) << (i * fbits);
        }
    } else if (bind(a, r, rel * 8 / fbits)) {
        /* part of one wider field (a half of GICD_IROUTER, GICR_TYPER):
         * the rest of it is kept */
        unsigned shift = (rel * 8) % fbits;
        uint64_t cur = r->read(a), am = mask_of(abits) << shift;
        if (m->write)
            write_field(a, r, (cur & ~am) | (in << shift));
        else
            out = (cur & am) >> shift;
    }
    if (!m->write)
        m->value = out;
    return EMUL_HANDLED;
}

/* ---- handlers -------------------------------------------------------- */

uint64_t vgic_mmio_raz(struct vgic_access *a) { return 0; }
uint64_t vgic_mmio_rao(struct vgic_access *a) { return ~0ULL; }
void vgic_mmio_wi(struct vgic_access *a, uint64_t val) {}
uint64_t vgic_mmio_read_iidr(struct vgic_access *a) { return VGIC_IIDR_ARM; }

/* Write-1-to-set and write-1-to-clear registers: a 0 bit changes nothing. */
uint64_t vgic_mmio_read_enable(struct vgic_access *a) { return a->irq->enabled; }
void vgic_mmio_write_senable(struct vgic_access *a, uint64_t val)
{
    if (val)
        a->irq->enabled = true;
}
void vgic_mmio_write_cenable(struct vgic_access *a, uint64_t val)
{
    if (val)
        a->irq->enabled = false;
}

/* A level line that is high makes its interrupt pending; clearing the
 * latch leaves it so (GIC architecture: ICPENDR on a level interrupt). */
uint64_t vgic_mmio_read_pending(struct vgic_access *a) { return a->irq->pending || a->irq->level; }
void vgic_mmio_write_spending(struct vgic_access *a, uint64_t val)
{
    if (val)
        a->irq->pending = true;
}
void vgic_mmio_write_cpending(struct vgic_access *a, uint64_t val)
{
    if (val)
        a->irq->pending = false;
}

uint64_t vgic_mmio_read_active(struct vgic_access *a) { return a->irq->active; }
void vgic_mmio_write_sactive(struct vgic_access *a, uint64_t val)
{
    if (val)
        a->irq->active = true;
}
void vgic_mmio_write_cactive(struct vgic_access *a, uint64_t val)
{
    if (val)
        a->irq->active = false;
}

uint64_t vgic_mmio_read_priority(struct vgic_access *a) { return a->irq->priority; }
void vgic_mmio_write_priority(struct vgic_access *a, uint64_t val) { a->irq->priority = (uint8_t)val; }

/* ICFGR: bit 1 of each field is "edge-triggered"; SGIs are always edge. */
uint64_t vgic_mmio_read_config(struct vgic_access *a) { return a->irq->edge ? 2 : 0; }
void vgic_mmio_write_config(struct vgic_access *a, uint64_t val)
{
    if (a->irq->intid >= VGIC_NR_SGIS)
        a->irq->edge = (val >> 1) & 1;
}

void vgic_ctlr_write(struct domain *d, uint64_t val)
{
    struct vgic_dist *vd = vgic_dist(d);
    bool was = vd->ctlr;
    vd->ctlr = (uint32_t)val & 3; /* EnableGrp0, EnableGrp1 */
    if (!was && vd->ctlr)
        vgic_dist_enabled(d);
}
