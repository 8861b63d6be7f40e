/* dm_op: a device-model domain registers as the ioreq server of the guests
 * whose bridges it serves. Only the domain the host device tree names as a
 * guest's device-model may do so. "Connected" (the guest's readiness
 * register reads 1, a held guest starts) means: an enabled ioreq server
 * exists for the guest. Requests are not yet forwarded to the server: the
 * bridge's config space reads as an empty bus. */
#include <asm/guest_mem.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/hypercall.h>
#include <xam/log.h>
#include <xam/sched.h>
#include <xam/xen_abi.h>

static struct domain *domain_by_id(uint64_t id)
{
    if (id == 0 || id > nr_domains)
        return NULL;
    return domains[id - 1]; /* ids are given in creation order from 1 */
}

bool ioreq_connected(struct domain *d)
{
    for (unsigned i = 0; i < DOMAIN_MAX_IOREQ; i++)
        if (__atomic_load_n(&d->ioreq[i].enabled, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

/* The held guest's vCPU 0 starts on the first connection, once. */
static void connected(struct domain *t)
{
    log_info("%s (domain %u): device model %s connected", t->name, t->id, t->device_model->name);
    if (t->held && t->state == DOMAIN_RUNNING) {
        t->held = false;
        log_info("%s (domain %u): starting (held until its device model connected)", t->name, t->id);
        sched_wake(&t->vcpus[0]);
    }
}

static long op(struct domain *t, struct domain *dm, uint8_t *o)
{
    uint32_t code;
    uint16_t id;
    memcpy(&code, o, 4);
    memcpy(&id, o + 8, 2);
    if (code != XEN_DMOP_create_ioreq_server && (id >= DOMAIN_MAX_IOREQ || !t->ioreq[id].used))
        return -XAM_ENOENT;
    struct ioreq_server *s = &t->ioreq[id < DOMAIN_MAX_IOREQ ? id : 0];
    switch (code) {
    case XEN_DMOP_create_ioreq_server:
        for (id = 0; id < DOMAIN_MAX_IOREQ; id++)
            if (!t->ioreq[id].used) {
                t->ioreq[id] = (struct ioreq_server){ .used = true, .dm = dm };
                memcpy(o + 12, &id, 2);
                return 0;
            }
        return -XAM_ENOSPC;
    case XEN_DMOP_map_io_range_to_ioreq_server: {
        uint32_t type;
        uint64_t start, end;
        memcpy(&type, o + 12, 4);
        memcpy(&start, o + 16, 8);
        memcpy(&end, o + 24, 8);
        if (type != XEN_DMOP_IO_RANGE_MEMORY || end < start)
            return -XAM_EINVAL;
        if (s->nr_ranges == IOREQ_MAX_RANGES)
            return -XAM_ENOSPC;
        s->ranges[s->nr_ranges].start = start;
        s->ranges[s->nr_ranges++].end = end;
        return 0;
    }
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        uint64_t start, end;
        memcpy(&start, o + 16, 8);
        memcpy(&end, o + 24, 8);
        for (unsigned i = 0; i < s->nr_ranges; i++)
            if (s->ranges[i].start == start && s->ranges[i].end == end) {
                s->ranges[i] = s->ranges[--s->nr_ranges];
                return 0;
            }
        return -XAM_ENOENT;
    }
    case XEN_DMOP_set_ioreq_server_state: {
        bool was = ioreq_connected(t);
        __atomic_store_n(&s->enabled, o[10] != 0, __ATOMIC_RELEASE);
        if (!was && ioreq_connected(t))
            connected(t);
        return 0;
    }
    case XEN_DMOP_destroy_ioreq_server:
        __atomic_store_n(&s->enabled, false, __ATOMIC_RELEASE);
        s->used = false;
        return 0;
    default:
        return -XAM_ENOSYS;
    }
}

long dm_op(struct vcpu *v, uint64_t domid, uint64_t nr_bufs, uint64_t bufs)
{
    struct domain *t = domain_by_id(domid);
    if (!t)
        return -XAM_ESRCH;
    if (t->device_model != v->dom)
        return -XAM_EPERM;
    if (nr_bufs < 1)
        return -XAM_EINVAL;
    struct {
        uint64_t addr, size;
    } buf;
    uint8_t o[DMOP_STRUCT_SIZE];
    if (guest_copy_from(v, &buf, bufs, sizeof(buf)))
        return -XAM_EFAULT;
    if (buf.size < DMOP_STRUCT_SIZE)
        return -XAM_EINVAL;
    if (guest_copy_from(v, o, buf.addr, sizeof(o)))
        return -XAM_EFAULT;
    uint64_t flags = spin_lock_irqsave(&t->ioreq_lock);
    long rc = t->state == DOMAIN_SHUTDOWN ? -XAM_ESRCH : op(t, v->dom, o);
    spin_unlock_irqrestore(&t->ioreq_lock, flags);
    if (rc == 0 && guest_copy_to(v, buf.addr, o, sizeof(o)))
        return -XAM_EFAULT;
    return rc;
}

void ioreq_dm_stopped(struct domain *dm)
{
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *t = domains[i];
        if (t->device_model != dm)
            continue;
        uint64_t flags = spin_lock_irqsave(&t->ioreq_lock);
        bool was = ioreq_connected(t);
        memset(t->ioreq, 0, sizeof(t->ioreq));
        spin_unlock_irqrestore(&t->ioreq_lock, flags);
        if (was)
            log_warn("%s (domain %u): its device model %s stopped: bridge disconnected", t->name, t->id, dm->name);
        /* nothing will ever start it now */
        if (t->held)
            domain_shutdown(t, "its device model stopped before connecting");
    }
}
