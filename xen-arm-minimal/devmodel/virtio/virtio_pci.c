/* The virtio modern PCI transport (virtio_pci.h). */
#include "virtio/virtio_pci.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "bus/le_bytes.h"

#include "virtio/virtio_abi.h"

#define TRANSPORT_FEATURES (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC | 1ull << VIRTIO_F_EVENT_IDX)

/* struct virtio_pci_cap (4.1.4), and the notify capability's multiplier */
static void add_cap(struct pci_function *f, uint8_t cfg_type, uint32_t offset, uint32_t length, bool notify)
{
    uint8_t cap[20] = { PCI_CAP_ID_VENDOR, 0, notify ? 20 : 16, cfg_type, VIRTIO_BAR };
    put32(&cap[8], offset);
    put32(&cap[12], length);
    if (notify)
        put32(&cap[16], VIRTIO_NOTIFY_MULTIPLIER);
    pci_function_add_cap(f, cap, cap[2]);
}

void virtio_dev_init(struct virtio_dev *d, const struct virtio_device_ops *ops, const struct dm_bus_env *env,
                     unsigned slot, uint64_t device_features, bool bar64)
{
    d->ops = ops;
    d->env = env;
    snprintf(d->label, sizeof(d->label), "%s 00:%02x.0", ops->name, slot);
    d->device_features = device_features | TRANSPORT_FEATURES;
    pci_function_init(&d->pci, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + ops->type), VIRTIO_PCI_REVISION,
                      ops->class_code, VIRTIO_PCI_VENDOR, VIRTIO_PCI_SUBSYS_ID);
    pci_function_add_bar(&d->pci, VIRTIO_BAR, VIRTIO_BAR_SIZE, bar64, bar64);
    add_cap(&d->pci, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_REGION_COMMON, VIRTIO_COMMON_LEN, false);
    add_cap(&d->pci, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_REGION_NOTIFY, VIRTIO_NOTIFY_MULTIPLIER * ops->num_queues, true);
    add_cap(&d->pci, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_REGION_ISR, 1, false);
    /* Linux refuses a device capability of length 0: none at all then */
    if (ops->config_len)
        add_cap(&d->pci, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_REGION_DEVICE, (uint32_t)ops->config_len, false);
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
        vq_reset(&d->vq[q]);
}

void virtio_dev_destroy(struct virtio_dev *d)
{
    if (d)
        d->ops->destroy(d);
}

static void set_isr(struct virtio_dev *d, uint8_t bits)
{
    d->isr |= bits;
    d->pci.intx = d->isr != 0;
}

static void vlog(const struct virtio_dev *d, const char *tail, const char *fmt, va_list ap)
{
    char why[200], line[300];
    vsnprintf(why, sizeof(why), fmt, ap);
    snprintf(line, sizeof(line), "%s: %s%s", d->label, why, tail);
    if (d->env->log)
        d->env->log(d->env->ctx, line);
}

void virtio_dev_log(const struct virtio_dev *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(d, "", fmt, ap);
    va_end(ap);
}

void virtio_dev_fail(struct virtio_dev *d, const char *fmt, ...)
{
    if (d->broken)
        return;
    d->broken = true;
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    set_isr(d, VIRTIO_ISR_CONFIG);
    va_list ap;
    va_start(ap, fmt);
    vlog(d, ": device needs reset", fmt, ap);
    va_end(ap);
}

static void reset(struct virtio_dev *d)
{
    d->driver_features = 0;
    d->dfselect = d->gfselect = 0;
    d->status = d->isr = 0;
    d->pci.intx = false;
    d->broken = false;
    d->queue_select = 0;
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
        vq_reset(&d->vq[q]);
}

static struct virtqueue *selected(struct virtio_dev *d)
{
    return d->queue_select < d->ops->num_queues ? &d->vq[d->queue_select] : NULL;
}

static bool has(const struct virtio_dev *d, unsigned bit) { return d->driver_features >> bit & 1; }

/* FEATURES_OK stays clear unless the driver asked only for offered
 * features and took VERSION_1 (this is a modern-only device, 4.1.2). */
static bool features_acceptable(const struct virtio_dev *d)
{
    return !(d->driver_features & ~d->device_features) && has(d, VIRTIO_F_VERSION_1);
}

static void write_status(struct virtio_dev *d, uint8_t v)
{
    if (!v) {
        reset(d);
        return;
    }
    v &= (uint8_t)~VIRTIO_STATUS_NEEDS_RESET; /* the device's to set */
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(d))
        v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
    uint8_t was = d->status;
    /* bits only go away with a reset */
    d->status |= v;
    /* chains posted before DRIVER_OK wait for it (3.1.1) */
    if (!(was & VIRTIO_STATUS_DRIVER_OK) && (d->status & VIRTIO_STATUS_DRIVER_OK))
        for (unsigned q = 0; q < d->ops->num_queues; q++)
            d->vq[q].pending = d->vq[q].enabled;
}

static void read_common(struct virtio_dev *d, uint8_t *c)
{
    struct virtqueue *vq = selected(d);
    uint64_t df = d->dfselect == 0 ? d->device_features : d->dfselect == 1 ? d->device_features >> 32 : 0;
    uint64_t gf = d->gfselect == 0 ? d->driver_features : d->gfselect == 1 ? d->driver_features >> 32 : 0;
    put32(&c[VIRTIO_COMMON_DFSELECT], d->dfselect);
    put32(&c[VIRTIO_COMMON_DF], (uint32_t)df);
    put32(&c[VIRTIO_COMMON_GFSELECT], d->gfselect);
    put32(&c[VIRTIO_COMMON_GF], (uint32_t)gf);
    put16(&c[VIRTIO_COMMON_MSIX], VIRTIO_MSI_NO_VECTOR);
    put16(&c[VIRTIO_COMMON_NUMQ], (uint16_t)d->ops->num_queues);
    c[VIRTIO_COMMON_STATUS] = d->status;
    c[VIRTIO_COMMON_CFGGENERATION] = 0; /* the configuration never changes */
    put16(&c[VIRTIO_COMMON_Q_SELECT], d->queue_select);
    put16(&c[VIRTIO_COMMON_Q_SIZE], vq ? vq->size : 0); /* 0: no such queue */
    put16(&c[VIRTIO_COMMON_Q_MSIX], VIRTIO_MSI_NO_VECTOR);
    put16(&c[VIRTIO_COMMON_Q_ENABLE], vq && vq->enabled);
    put16(&c[VIRTIO_COMMON_Q_NOFF], vq ? d->queue_select : 0);
    put64(&c[VIRTIO_COMMON_Q_DESC], vq ? vq->desc : 0);
    put64(&c[VIRTIO_COMMON_Q_AVAIL], vq ? vq->avail : 0);
    put64(&c[VIRTIO_COMMON_Q_USED], vq ? vq->used : 0);
}

/* A 64-bit queue address, written whole or as two 32-bit halves. */
static void write_addr(uint64_t *a, unsigned off, unsigned size, uint64_t v)
{
    if (size == 8 && !off)
        *a = v;
    else if (size == 4 && !off)
        *a = (*a & ~0xffffffffull) | (uint32_t)v;
    else if (size == 4 && off == 4)
        *a = (*a & 0xffffffffull) | v << 32;
}

static void write_queue_size(struct virtqueue *vq, uint64_t v)
{
    /* split queues have power-of-2 sizes (2.7); at most what is offered */
    if (v && v <= VQ_MAX_SIZE && !(v & (v - 1)))
        vq->size = (uint16_t)v;
}

/* Writes must hit a register at its own width (64-bit ones also as
 * halves); others are ignored, as is queue set-up once a queue is enabled
 * (the driver may not change a live queue, 4.1.4.3.2). */
static void write_common(struct virtio_dev *d, unsigned off, unsigned size, uint64_t v)
{
    struct virtqueue *vq = selected(d);
    bool idle_queue = vq && !vq->enabled;
    bool features_open = !(d->status & VIRTIO_STATUS_FEATURES_OK);
    if (off >= VIRTIO_COMMON_Q_DESC && off < VIRTIO_COMMON_LEN) {
        if (idle_queue)
            write_addr(off < VIRTIO_COMMON_Q_AVAIL      ? &vq->desc
                           : off < VIRTIO_COMMON_Q_USED ? &vq->avail
                                                        : &vq->used,
                       off & 7, size, v);
        return;
    }
    switch (size << 8 | off) {
    case 4 << 8 | VIRTIO_COMMON_DFSELECT:
        d->dfselect = (uint32_t)v;
        break;
    case 4 << 8 | VIRTIO_COMMON_GFSELECT:
        d->gfselect = (uint32_t)v;
        break;
    case 4 << 8 | VIRTIO_COMMON_GF:
        if (features_open && d->gfselect < 2) {
            unsigned shift = 32 * d->gfselect;
            d->driver_features = (d->driver_features & ~(0xffffffffull << shift)) | (uint64_t)(uint32_t)v << shift;
        }
        break;
    case 1 << 8 | VIRTIO_COMMON_STATUS:
        write_status(d, (uint8_t)v);
        break;
    case 2 << 8 | VIRTIO_COMMON_Q_SELECT:
        d->queue_select = (uint16_t)v;
        break;
    case 2 << 8 | VIRTIO_COMMON_Q_SIZE:
        if (idle_queue)
            write_queue_size(vq, v & 0xffff);
        break;
    case 2 << 8 | VIRTIO_COMMON_Q_ENABLE:
        /* 0 is for VIRTIO_F_RING_RESET, not offered */
        if (idle_queue && (v & 0xffff) == 1)
            vq_start(vq, has(d, VIRTIO_F_EVENT_IDX), has(d, VIRTIO_F_INDIRECT_DESC));
        break;
    default: /* read-only registers, MSI-X vectors, wrong widths */
        break;
    }
}

uint64_t virtio_dev_bar_read(struct virtio_dev *d, uint64_t off, unsigned size)
{
    _Static_assert(VIRTIO_COMMON_LEN <= VIRTIO_DEVICE_CFG_MAX, "one buffer for both register snapshots");
    uint8_t regs[VIRTIO_DEVICE_CFG_MAX] = { 0 };
    unsigned roff = (unsigned)(off % VIRTIO_REGION_SIZE);
    size_t len = 0;
    if (size > 8 || roff + size > VIRTIO_REGION_SIZE)
        return 0;
    switch (off - roff) {
    case VIRTIO_REGION_COMMON:
        read_common(d, regs);
        len = VIRTIO_COMMON_LEN;
        break;
    case VIRTIO_REGION_ISR: {
        if (roff)
            return 0;
        /* reading it acknowledges the interrupt (4.1.4.5) */
        uint8_t isr = d->isr;
        d->isr = 0;
        d->pci.intx = false;
        return isr;
    }
    case VIRTIO_REGION_DEVICE:
        if (d->ops->read_config)
            d->ops->read_config(d, regs);
        len = d->ops->config_len;
        break;
    default: /* notifications read 0 */
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        if (roff + i < len)
            v |= (uint64_t)regs[roff + i] << (8 * i);
    return v;
}

void virtio_dev_bar_write(struct virtio_dev *d, uint64_t off, unsigned size, uint64_t value)
{
    unsigned roff = (unsigned)(off % VIRTIO_REGION_SIZE);
    if (size > 8 || roff + size > VIRTIO_REGION_SIZE)
        return;
    if (off - roff == VIRTIO_REGION_COMMON && roff < VIRTIO_COMMON_LEN)
        write_common(d, roff, size, value);
    else if (off - roff == VIRTIO_REGION_NOTIFY) {
        /* the queue is named by where the write goes; its value (the
         * index, without VIRTIO_F_NOTIFICATION_DATA) is not needed. The
         * work is done in dm_bus_run, after the ioreq is answered. */
        unsigned q = roff / VIRTIO_NOTIFY_MULTIPLIER;
        if (q < d->ops->num_queues && d->vq[q].enabled)
            d->vq[q].pending = true;
    }
    /* ISR and device configuration: read-only */
}

static bool running(const struct virtio_dev *d)
{
    uint8_t need = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;
    return !d->broken && (d->status & need) == need;
}

bool virtio_dev_queue_ready(const struct virtio_dev *d, unsigned q)
{
    return q < d->ops->num_queues && running(d) && d->vq[q].enabled;
}

int virtio_dev_pop(struct virtio_dev *d, unsigned q)
{
    struct vq_error err;
    if (!virtio_dev_queue_ready(d, q))
        return -1;
    int r = vq_pop(&d->vq[q], d->env, &d->chain, &err);
    if (r < 0)
        virtio_dev_fail(d, "queue %u: %s", q, err.msg);
    return r;
}

int virtio_dev_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len)
{
    struct vq_error err;
    if (vq_push(&d->vq[q], d->env, head, len, &err)) {
        virtio_dev_fail(d, "queue %u: %s", q, err.msg);
        return -1;
    }
    return 0;
}

void virtio_dev_interrupt_if_wanted(struct virtio_dev *d, unsigned q)
{
    struct vq_error err;
    int r = vq_need_interrupt(&d->vq[q], d->env, &err);
    if (r < 0)
        virtio_dev_fail(d, "queue %u: %s", q, err.msg);
    else if (r)
        set_isr(d, VIRTIO_ISR_QUEUE);
}

/* Up to a queue's worth of chains, then one interrupt decision for them
 * all: with EVENT_IDX the driver is interrupted only when it asked to be. */
static void drain(struct virtio_dev *d, unsigned q)
{
    struct virtqueue *vq = &d->vq[q];
    struct vq_error err;
    unsigned handled = 0;
    vq->pending = false;
    for (;;) {
        int r = handled < vq->size ? virtio_dev_pop(d, q) : 0;
        if (r == 0) {
            /* empty, or a queue's worth done: anything more is found now
             * (and, with EVENT_IDX, the driver asked to notify next time) */
            r = vq_arm_notify(vq, d->env, &err);
            if (r < 0)
                virtio_dev_fail(d, "queue %u: %s", q, err.msg);
            if (r == 1 && handled < vq->size)
                continue;
            vq->pending = r == 1; /* the rest in the next dm_bus_run */
            break;
        }
        if (r < 0)
            break;
        int64_t len = d->ops->handle(d, q, &d->chain);
        if (len < 0 || virtio_dev_push(d, q, d->chain.head, (uint32_t)len))
            break;
        handled++;
    }
    if (handled && !d->broken)
        virtio_dev_interrupt_if_wanted(d, q);
}

bool virtio_dev_run(struct virtio_dev *d)
{
    bool more = false;
    for (unsigned q = 0; q < d->ops->num_queues; q++) {
        struct virtqueue *vq = &d->vq[q];
        if (!vq->pending || !running(d))
            continue;
        if (d->ops->driven_queues & (1u << q))
            drain(d, q);
        else
            vq->pending = false;
        more |= vq->pending && running(d);
    }
    return more;
}
