/* A domain's typed input, kept until its consoles take it (see
 * include/xam/domain_input.h). Lock order: the input's lock, then a
 * console's own (vPL011, PV console, virtio-console input), then the
 * console's: a console calls domain_input_pump with none of its held. */
#include <xam/domain.h>
#include <xam/domain_input.h>
#include <xam/dm_console.h>
#include <xam/log.h>
#include <xam/pvconsole.h>

/* The next character to whichever console has room (lock held). */
static bool give_one(struct domain *d, struct domain_input *in)
{
    char c = in->buf[in->cons % DOMAIN_INPUT_SIZE];
    bool (*uart)(struct domain *, char) = __atomic_load_n(&in->uart_receive, __ATOMIC_ACQUIRE);
    bool taken = uart && uart(d, c);
    taken |= pvconsole_receive(d, c);
    taken |= dm_console_receive(d, c);
    if (taken)
        in->cons++;
    return taken;
}

static void pump_locked(struct domain *d, struct domain_input *in)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    while (in->cons != in->prod && give_one(d, in))
        ;
}

void domain_input_typed(struct domain *d, char c)
{
    struct domain_input *in = &d->input;
    uint64_t flags = spin_lock_irqsave(&in->lock);
    pump_locked(d, in);
    if (in->prod - in->cons == DOMAIN_INPUT_SIZE) {
        if (!in->dropped++)
            log_info("console: input for %s dropped: %u typed characters wait, the guest is not reading them", d->name,
                     DOMAIN_INPUT_SIZE);
        in->dropped_total++;
    } else {
        if (in->dropped)
            log_info("console: %llu characters typed for %s were dropped (%llu in all)",
                     (unsigned long long)in->dropped, d->name, (unsigned long long)in->dropped_total);
        in->dropped = 0;
        in->buf[in->prod++ % DOMAIN_INPUT_SIZE] = c;
        pump_locked(d, in);
    }
    spin_unlock_irqrestore(&in->lock, flags);
}

void domain_input_pump(struct domain *d)
{
    struct domain_input *in = &d->input;
    uint64_t flags = spin_lock_irqsave(&in->lock);
    pump_locked(d, in);
    spin_unlock_irqrestore(&in->lock, flags);
}

void domain_input_clear(struct domain *d)
{
    struct domain_input *in = &d->input;
    uint64_t flags = spin_lock_irqsave(&in->lock);
    in->cons = in->prod;
    in->dropped = 0;
    spin_unlock_irqrestore(&in->lock, flags);
}

size_t domain_input_waiting(struct domain *d)
{
    struct domain_input *in = &d->input;
    uint64_t flags = spin_lock_irqsave(&in->lock);
    size_t n = in->prod - in->cons;
    spin_unlock_irqrestore(&in->lock, flags);
    return n;
}
