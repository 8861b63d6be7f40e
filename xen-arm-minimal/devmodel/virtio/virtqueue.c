/* Split virtqueues, the device's side (virtqueue.h). Layouts (2.7):
 *   descriptor table: size x { le64 addr; le32 len; le16 flags; le16 next; }
 *   avail ring: le16 flags; le16 idx; le16 ring[size]; le16 used_event;
 *   used ring:  le16 flags; le16 idx; { le32 id; le32 len; } ring[size]; le16 avail_event;
 * Indexes are free-running 16-bit counters; positions are modulo size. */
#include "virtio/virtqueue.h"
#include "bus/le_bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtio/virtio_abi.h"

static __attribute__((format(printf, 2, 3))) int fail(struct vq_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}


/* Ring addresses plus offsets: a ring placed by the guest near 2^64 must
 * not wrap around to low memory (mem_read would refuse a wrapped range
 * anyway; this keeps the reason readable). */
static int read16(const struct dm_bus_env *env, uint64_t base, uint64_t off, uint16_t *v, const char *what,
                  struct vq_error *err)
{
    uint8_t b[2];
    if (base + off < base || env->mem_read(env->ctx, base + off, b, 2))
        return fail(err, "%s at 0x%llx is not in RAM", what, (unsigned long long)(base + off));
    *v = le16(b);
    return 0;
}

static int write16(const struct dm_bus_env *env, uint64_t base, uint64_t off, uint16_t v, const char *what,
                   struct vq_error *err)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    if (base + off < base || env->mem_write(env->ctx, base + off, b, 2))
        return fail(err, "%s at 0x%llx is not in RAM", what, (unsigned long long)(base + off));
    return 0;
}

void vq_reset(struct virtqueue *vq)
{
    memset(vq, 0, sizeof(*vq));
    vq->size = VQ_MAX_SIZE;
}

void vq_start(struct virtqueue *vq, bool event_idx, bool indirect)
{
    vq->event_idx = event_idx;
    vq->indirect = indirect;
    vq->last_avail = vq->used_idx = vq->signalled_used = 0;
    vq->signalled_valid = false;
    vq->pending = false;
    vq->enabled = true;
}

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static void decode_desc(const uint8_t *p, struct desc *d)
{
    d->addr = le64(p);
    d->len = le32(p + 8);
    d->flags = le16(p + 12);
    d->next = le16(p + 14);
}

/* Append one descriptor's buffer to the chain: readable ones may not follow
 * writable ones (2.7.4.2), and the total must fit a used length. */
static int add_seg(struct vq_chain *c, const struct desc *d, struct vq_error *err)
{
    unsigned n = c->n_out + c->n_in;
    if (n >= VQ_MAX_SEGS)
        return fail(err, "chain of descriptor %u has more than %u buffers", c->head, VQ_MAX_SEGS);
    if (d->flags & VIRTQ_DESC_F_WRITE) {
        c->n_in++;
        c->in_len += d->len;
    } else {
        if (c->n_in)
            return fail(err, "chain of descriptor %u has a device-readable buffer after a writable one", c->head);
        c->n_out++;
        c->out_len += d->len;
    }
    if (c->out_len + c->in_len > UINT32_MAX)
        return fail(err, "chain of descriptor %u is longer than 4 GiB", c->head);
    c->seg[n] = (struct vq_seg){ .addr = d->addr, .len = d->len };
    return 0;
}

/* An indirect table (2.7.5.3): copied whole, then walked within the copy.
 * Its own chain may not be longer than the table (that is a loop), nor
 * hold another indirect descriptor. */
static int walk_indirect(const struct virtqueue *vq, const struct dm_bus_env *env, const struct desc *ind,
                         struct vq_chain *c, struct vq_error *err)
{
    uint8_t table[VQ_MAX_SEGS * VIRTQ_DESC_SIZE];
    if (!vq->indirect)
        return fail(err, "descriptor %u is indirect, but VIRTIO_F_INDIRECT_DESC was not negotiated", c->head);
    if (ind->flags & VIRTQ_DESC_F_NEXT)
        return fail(err, "indirect descriptor %u also has NEXT set", c->head);
    if (!ind->len || ind->len % VIRTQ_DESC_SIZE || ind->len > sizeof(table))
        return fail(err, "indirect table of descriptor %u is %u bytes (a multiple of 16, at most %zu)", c->head,
                    ind->len, sizeof(table));
    if (ind->addr + ind->len < ind->addr || env->mem_read(env->ctx, ind->addr, table, ind->len))
        return fail(err, "indirect table of descriptor %u at 0x%llx is not in RAM", c->head,
                    (unsigned long long)ind->addr);
    unsigned n = ind->len / VIRTQ_DESC_SIZE, i = 0;
    for (unsigned count = 0;; count++) {
        struct desc d;
        if (count >= n)
            return fail(err, "indirect table of descriptor %u loops", c->head);
        decode_desc(&table[i * VIRTQ_DESC_SIZE], &d);
        if (d.flags & VIRTQ_DESC_F_INDIRECT)
            return fail(err, "indirect table of descriptor %u holds another indirect descriptor", c->head);
        if (add_seg(c, &d, err))
            return -1;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        if (d.next >= n)
            return fail(err, "indirect table of descriptor %u: next %u is past its %u entries", c->head, d.next, n);
        i = d.next;
    }
}

int vq_pop(struct virtqueue *vq, const struct dm_bus_env *env, struct vq_chain *c, struct vq_error *err)
{
    uint16_t avail_idx, head;
    if (read16(env, vq->avail, 2, &avail_idx, "avail ring", err))
        return -1;
    uint16_t waiting = (uint16_t)(avail_idx - vq->last_avail);
    if (!waiting)
        return 0;
    if (waiting > vq->size)
        return fail(err, "avail index moved from %u to %u, more than the queue's %u entries", vq->last_avail, avail_idx,
                    vq->size);
    /* the ring entry and the descriptors are read after the index */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (read16(env, vq->avail, 4 + 2ull * (vq->last_avail % vq->size), &head, "avail ring entry", err))
        return -1;
    if (head >= vq->size)
        return fail(err, "avail ring entry %u names descriptor %u, past the queue's %u", vq->last_avail % vq->size,
                    head, vq->size);
    memset(c, 0, offsetof(struct vq_chain, seg));
    c->head = head;
    unsigned i = head;
    for (unsigned count = 0;; count++) {
        uint8_t raw[VIRTQ_DESC_SIZE];
        struct desc d;
        if (count >= vq->size)
            return fail(err, "chain of descriptor %u loops (longer than the queue's %u entries)", head, vq->size);
        uint64_t at = vq->desc + (uint64_t)i * VIRTQ_DESC_SIZE;
        if (at < vq->desc || env->mem_read(env->ctx, at, raw, sizeof(raw)))
            return fail(err, "descriptor %u at 0x%llx is not in RAM", i, (unsigned long long)at);
        decode_desc(raw, &d);
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            /* only as the whole chain, as Linux makes them */
            if (count)
                return fail(err, "chain of descriptor %u has an indirect descriptor after its head", head);
            if (walk_indirect(vq, env, &d, c, err))
                return -1;
            break;
        }
        if (add_seg(c, &d, err))
            return -1;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            break;
        if (d.next >= vq->size)
            return fail(err, "descriptor %u: next %u is past the queue's %u entries", i, d.next, vq->size);
        i = d.next;
    }
    vq->last_avail++;
    return 1;
}

int vq_push(struct virtqueue *vq, const struct dm_bus_env *env, uint16_t head, uint32_t len, struct vq_error *err)
{
    uint8_t e[VIRTQ_USED_ELEM_SIZE] = {
        (uint8_t)head,        (uint8_t)(head >> 8), 0, 0, (uint8_t)len, (uint8_t)(len >> 8),
        (uint8_t)(len >> 16), (uint8_t)(len >> 24)
    };
    uint64_t at = vq->used + 4 + (uint64_t)VIRTQ_USED_ELEM_SIZE * (vq->used_idx % vq->size);
    if (at < vq->used || env->mem_write(env->ctx, at, e, sizeof(e)))
        return fail(err, "used ring entry at 0x%llx is not in RAM", (unsigned long long)at);
    /* the entry before the index that publishes it */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    vq->used_idx++;
    return write16(env, vq->used, 2, vq->used_idx, "used ring", err);
}

int vq_need_interrupt(struct virtqueue *vq, const struct dm_bus_env *env, struct vq_error *err)
{
    /* the used index is published before the driver's wishes are read */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!vq->event_idx) {
        uint16_t flags;
        if (read16(env, vq->avail, 0, &flags, "avail ring", err))
            return -1;
        return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
    }
    uint16_t old = vq->signalled_used, now = vq->used_idx, event;
    bool valid = vq->signalled_valid;
    vq->signalled_used = now;
    vq->signalled_valid = true;
    if (read16(env, vq->avail, 4 + 2ull * vq->size, &event, "used_event", err))
        return -1;
    if (!valid)
        return 1;
    /* vring_need_event: did the used index just step over used_event? */
    return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

int vq_arm_notify(struct virtqueue *vq, const struct dm_bus_env *env, struct vq_error *err)
{
    if (vq->event_idx &&
        write16(env, vq->used, 4 + (uint64_t)VIRTQ_USED_ELEM_SIZE * vq->size, vq->last_avail, "avail_event", err))
        return -1;
    /* a chain made available before the driver could see avail_event
     * would otherwise never be notified */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint16_t avail_idx;
    if (read16(env, vq->avail, 2, &avail_idx, "avail ring", err))
        return -1;
    return avail_idx != vq->last_avail;
}

/* Walk segments [first, first + n) of a chain from logical offset off. */
static int chain_copy(const struct vq_chain *c, const struct dm_bus_env *env, unsigned first, unsigned n, uint64_t off,
                      uint8_t *buf, const uint8_t *src, size_t len, struct vq_error *err)
{
    for (unsigned s = first; s < first + n && len; s++) {
        const struct vq_seg *g = &c->seg[s];
        if (off >= g->len) {
            off -= g->len;
            continue;
        }
        size_t chunk = g->len - off < len ? (size_t)(g->len - off) : len;
        uint64_t gpa = g->addr + off;
        int r = gpa < g->addr ? -1
            : src             ? env->mem_write(env->ctx, gpa, src, chunk)
                              : env->mem_read(env->ctx, gpa, buf, chunk);
        if (r)
            return fail(err, "buffer at 0x%llx (%zu bytes) in the chain of descriptor %u is not in RAM",
                        (unsigned long long)gpa, chunk, c->head);
        if (src)
            src += chunk;
        else
            buf += chunk;
        len -= chunk;
        off = 0;
    }
    if (len)
        return fail(err, "chain of descriptor %u is too short", c->head);
    return 0;
}

int vq_chain_read(const struct vq_chain *c, const struct dm_bus_env *env, uint64_t off, void *buf, size_t len,
                  struct vq_error *err)
{
    return chain_copy(c, env, 0, c->n_out, off, buf, NULL, len, err);
}

int vq_chain_write(const struct vq_chain *c, const struct dm_bus_env *env, uint64_t off, const void *buf, size_t len,
                   struct vq_error *err)
{
    return chain_copy(c, env, c->n_out, c->n_in, off, NULL, buf, len, err);
}
