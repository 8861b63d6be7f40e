/* ioreq-server state per guest (include/xam/ioreq.h). */
#include <string.h>
#include <xam/domain.h>
#include <xam/errno.h>
#include <xam/ioreq.h>
#include <xam/log.h>

bool ioreq_connected(struct domain *t)
{
    for (unsigned i = 0; i < IOREQ_MAX_SERVERS; i++)
        if (__atomic_load_n(&t->ioreq.servers[i].enabled, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

static struct ioreq_server *server(struct domain *t, uint16_t id)
{
    return id < IOREQ_MAX_SERVERS && t->ioreq.servers[id].used ? &t->ioreq.servers[id] : NULL;
}

/* Under t's ioreq lock; a guest that is not running (stopping, being
 * rebuilt, dead) takes no registrations. */
static bool lock_live(struct domain *t, uint64_t *flags)
{
    *flags = spin_lock_irqsave(&t->ioreq.lock);
    if (t->state == DOMAIN_RUNNING || t->state == DOMAIN_BUILDING)
        return true;
    spin_unlock_irqrestore(&t->ioreq.lock, *flags);
    return false;
}

int ioreq_create(struct domain *t, struct domain *dm, uint16_t *id)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    int rc = -XAM_ENOSPC;
    for (uint16_t i = 0; i < IOREQ_MAX_SERVERS; i++)
        if (!t->ioreq.servers[i].used) {
            t->ioreq.servers[i] = (struct ioreq_server){ .used = true, .dm = dm };
            *id = i;
            rc = 0;
            break;
        }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return rc;
}

int ioreq_map_range(struct domain *t, uint16_t id, uint64_t start, uint64_t end)
{
    if (end < start)
        return -XAM_EINVAL;
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    int rc = !s ? -XAM_ENOENT : s->nr_ranges == IOREQ_MAX_RANGES ? -XAM_ENOSPC : 0;
    if (!rc) {
        s->ranges[s->nr_ranges].start = start;
        s->ranges[s->nr_ranges++].end = end;
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return rc;
}

int ioreq_unmap_range(struct domain *t, uint16_t id, uint64_t start, uint64_t end)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    int rc = -XAM_ENOENT;
    for (unsigned i = 0; s && i < s->nr_ranges; i++)
        if (s->ranges[i].start == start && s->ranges[i].end == end) {
            s->ranges[i] = s->ranges[--s->nr_ranges];
            rc = 0;
            break;
        }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return rc;
}

int ioreq_set_state(struct domain *t, uint16_t id, bool enabled)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    bool was = ioreq_connected(t), now = was;
    if (s) {
        __atomic_store_n(&s->enabled, enabled, __ATOMIC_RELEASE);
        now = ioreq_connected(t);
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    if (!s)
        return -XAM_ENOENT;
    if (!was && now) {
        log_info("%s (domain %u): device model %s connected", t->name, t->id, t->device_model->name);
        domain_start_held(t);
    }
    if (was != now && t->ioreq.on_change)
        t->ioreq.on_change(t, now);
    return 0;
}

int ioreq_destroy(struct domain *t, uint16_t id)
{
    uint64_t flags;
    if (!lock_live(t, &flags))
        return -XAM_ESRCH;
    struct ioreq_server *s = server(t, id);
    if (s) {
        __atomic_store_n(&s->enabled, false, __ATOMIC_RELEASE);
        s->used = false;
    }
    spin_unlock_irqrestore(&t->ioreq.lock, flags);
    return s ? 0 : -XAM_ENOENT;
}

void ioreq_dm_stopped(struct domain *dm)
{
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *t = domains[i];
        if (t->device_model != dm)
            continue;
        uint64_t flags = spin_lock_irqsave(&t->ioreq.lock);
        bool was = ioreq_connected(t);
        memset(t->ioreq.servers, 0, sizeof(t->ioreq.servers));
        spin_unlock_irqrestore(&t->ioreq.lock, flags);
        if (was)
            log_warn("%s (domain %u): its device model %s stopped: bridge disconnected", t->name, t->id, dm->name);
        if (t->ioreq.on_change)
            t->ioreq.on_change(t, false);
        /* nothing will ever start it now */
        if (t->held)
            domain_shutdown(t, "its device model stopped before connecting");
    }
}
