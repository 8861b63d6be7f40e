#include <asm/timer.h>
#include <xam/console_input.h>
#include <xam/dm_console.h>
#include <xam/domain.h>
#include <xam/domain_input.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/pl011.h>
#include <xam/pvconsole.h>
#include <xam/vpl011.h>

#define CTRL_A 0x01

/* Input state: only the CPU taking the UART's interrupt touches it. */
static paddr_t uart;
static unsigned focus; /* 0: the hypervisor; n: domains[n - 1] */
static unsigned ctrl_a;

/* A domain's consoles: its vPL011, its Xen PV console (xen,enhanced) and
 * a virtio-console its device model serves. */
static bool can_take_input(const struct domain *d)
{
    return d->state == DOMAIN_RUNNING && (d->vpl011 || pvconsole_present(d) || dm_console_present(d));
}

static void switch_focus(void)
{
    unsigned n = nr_domains;
    for (unsigned step = 0; step < n + 1; step++) {
        focus = (focus + 1) % (n + 1);
        if (focus == 0 || can_take_input(domains[focus - 1]))
            break;
    }
    if (focus == 0)
        log_info("console: input to the hypervisor (Ctrl-A three times: next domain; h: help)");
    else
        log_info("console: input to %s (domain %u) (Ctrl-A three times: next)", domains[focus - 1]->name,
                 domains[focus - 1]->id);
    /* after that line: the new focus's pending partial line goes out
     * under it, left open, and its text follows as it is written */
    domain_console_focus(focus ? domains[focus - 1] : NULL);
}

/* A domain's state as its user sees it: held (waiting for its device
 * model), rebooting (reset, being rebuilt), stopped, or the lifecycle's
 * own word (running, building, stopping). */
static const char *user_state(const struct domain *d)
{
    enum domain_state s = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);
    if (s == DOMAIN_RUNNING && __atomic_load_n(&d->held, __ATOMIC_ACQUIRE))
        return "held";
    if (s == DOMAIN_RESETTING || s == DOMAIN_REBUILDING)
        return "rebooting";
    return domain_state_name(s); /* DEAD: "stopped" */
}

static void help(void)
{
    log_info(
        "console keys: h this help, l list domains, v list vCPUs; Ctrl-A three times moves input to the next domain");
    /* the keys reach here only while the hypervisor has the input: say
     * where Ctrl-A three times takes it */
    const struct domain *next = NULL;
    for (unsigned i = 0; i < nr_domains && !next; i++)
        if (can_take_input(domains[i]))
            next = domains[i];
    log_info("console: input to %s; Ctrl-A three times: to %s", focus ? domains[focus - 1]->name : "the hypervisor",
             next ? next->name : "the hypervisor (no domain takes input)");
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        size_t waiting = domain_input_waiting(d);
        log_info("console:   domain %u %s: %s%s%s", d->id, d->name, user_state(d),
                 can_take_input(d) ? "" : ", takes no input", waiting ? ", typed input waiting" : "");
    }
}

/* v: every vCPU's scheduling state, to see what a stuck guest waits for */
static void list_vcpus(void)
{
    static const char *const names[] = { "off", "runnable", "blocked", "waiting", "offlining" };
    uint64_t now = counter_read();
    for (unsigned i = 0; i < nr_domains; i++) {
        const struct domain *d = domains[i];
        for (unsigned k = 0; k < d->nr_vcpus; k++) {
            const struct vcpu *v = &d->vcpus[k];
            unsigned st = (unsigned)v->state;
            /* runnable and not queued: running (or about to) */
            long long in_us = v->wake_at > now ? (long long)((v->wake_at - now) * 1000000 / counter_freq()) : -1;
            log_info("vcpu: %s vCPU%u on CPU%u: %s%s%s, timer in %lld us (-1: none)", d->name, k, v->pcpu,
                     st < ARRAY_SIZE(names) ? names[st] : "?", v->queued ? ", queued" : "",
                     v->sleeping ? ", sleeping" : "", in_us);
        }
    }
}

static void hypervisor_key(char c)
{
    switch (c) {
    case 'h':
        help();
        break;
    case 'v':
        list_vcpus();
        break;
    case 'l':
        for (unsigned i = 0; i < nr_domains; i++) {
            const struct domain *d = domains[i];
            log_info("domain %u: %s, %u vCPU%s, %s%s%s%s", d->id, d->name, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "",
                     domain_state_name(d->state), d->vpl011 ? ", console vpl011" : "",
                     pvconsole_present(d) ? ", console PV (hvc0)" : "",
                     dm_console_present(d) ? ", console virtio (its device model)" : "");
        }
        if (nr_domains == 0)
            log_info("no domains");
        break;
    default:
        break; /* line endings and unknown keys */
    }
}

static void deliver(char c)
{
    if (focus > nr_domains || (focus && !can_take_input(domains[focus - 1]))) {
        /* the domain went away: input comes back here */
        focus = nr_domains;
        switch_focus();
    }
    if (focus == 0) {
        hypervisor_key(c);
    } else {
        /* kept until one of its consoles takes it (domain_input.h) */
        domain_input_typed(domains[focus - 1], c);
    }
}

void console_input_char(char c)
{
    if (c == CTRL_A) {
        if (++ctrl_a == 3) {
            ctrl_a = 0;
            switch_focus();
        }
        return;
    }
    /* Fewer than three Ctrl-As were meant for whoever has the input. */
    for (; ctrl_a; ctrl_a--)
        deliver(CTRL_A);
    deliver(c);
}

static void uart_rx_irq(unsigned intid __unused, void *arg __unused)
{
    int c;
    while ((c = pl011_getc(uart)) >= 0)
        console_input_char((char)c);
}

int console_input_init(const struct hostdt_uart *u)
{
    if (!u->intid)
        return 0; /* output-only console */
    uart = u->base;
    int rc = irq_register(u->intid, uart_rx_irq, NULL);
    if (rc)
        return rc;
    irq_enable_line(u->intid);
    pl011_enable_rx_irq(uart);
    /* Whatever was typed before now sits in the FIFO with its interrupt
     * cleared, and a full FIFO takes no more: drain it. */
    uart_rx_irq(u->intid, NULL);
    return 0;
}
