/* A guest's virtio-console input, kept for its device model (see
 * include/xam/dm_console.h). Output needs nothing here: the dm_op hands it
 * to domain_console_write as the guest's own. */
#include <string.h>
#include <xam/dm_console.h>
#include <xam/domain.h>
#include <xam/domain_input.h>
#include <xam/log.h>

void dm_console_attach(struct domain *d)
{
    struct dm_console *c = &d->dmcons;
    uint64_t flags = spin_lock_irqsave(&c->lock);
    c->in_prod = c->in_cons = 0;
    c->present = true;
    spin_unlock_irqrestore(&c->lock, flags);
}

bool dm_console_present(const struct domain *d) { return __atomic_load_n(&d->dmcons.present, __ATOMIC_ACQUIRE); }

bool dm_console_receive(struct domain *d, char ch)
{
    struct dm_console *c = &d->dmcons;
    if (!dm_console_present(d))
        return false;
    uint64_t flags = spin_lock_irqsave(&c->lock);
    bool taken = c->in_prod - c->in_cons < DM_CONSOLE_IN_SIZE;
    if (taken) /* else it waits in d's input (domain_input.h) */
        c->in[c->in_prod++ % DM_CONSOLE_IN_SIZE] = ch;
    spin_unlock_irqrestore(&c->lock, flags);
    return taken;
}

size_t dm_console_take(struct domain *d, char *buf, size_t max)
{
    struct dm_console *c = &d->dmcons;
    uint64_t flags = spin_lock_irqsave(&c->lock);
    size_t n = 0;
    for (; n < max && c->in_cons != c->in_prod; n++)
        buf[n] = c->in[c->in_cons++ % DM_CONSOLE_IN_SIZE];
    spin_unlock_irqrestore(&c->lock, flags);
    if (n) /* room again for what waits */
        domain_input_pump(d);
    return n;
}
