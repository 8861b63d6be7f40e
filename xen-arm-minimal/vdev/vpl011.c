/* The virtual PL011 (SBSA subset): output goes to the domain's console
 * line by line; input comes from the console's Ctrl-A switching.
 *
 * While no input waits, a read has no side effect and its value depends
 * only on the interrupt mask: a page holding the registers' values is
 * then shown read-only over the vPL011 (p2m_show_page), so that Linux's
 * console, which reads FR before each character it writes, traps once a
 * character instead of twice. Writes still fault into the emulation
 * below. Input hides the page before it is queued (a read of DR takes a
 * character); the read that empties the FIFO shows it again. */
#include <asm/cache.h>
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/domain_input.h>
#include <xam/emul.h>
#include <xam/errno.h>
#include <xam/memory.h>
#include <xam/p2m.h>
#include <xam/vpl011.h>

#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IMSC 0x038
#define UART_RIS 0x03c
#define UART_MIS 0x040
#define UART_ICR 0x044
#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define FR_RXFF (1u << 6)
#define FR_TXFF_BIT (1u << 5)
#define RX_FIFO 32

struct vpl011 {
    spinlock_t lock;
    uint32_t imsc;
    /* console input */
    unsigned rx_head, rx_count;
    char rx[RX_FIFO];
    /* the page of register values the guest reads while shown (NULL: none,
     * every access traps) */
    uint32_t *regs;
    bool shown;
};

/* Output is taken as soon as it is written, so the transmit FIFO is always
 * below its trigger level: TX is always raised. Receive (and its time-out)
 * is raised while input waits. The line to the vGIC is whether any raised
 * one is unmasked. */
static uint32_t raw_status(const struct vpl011 *u) { return INT_TX | (u->rx_count ? INT_RX | INT_RT : 0); }

static void update_irq(struct domain *d, struct vpl011 *u)
{
    if (d->intc)
        d->intc->set_level(d, d->layout.uart_intid, (raw_status(u) & u->imsc) != 0);
}

/* What a read of the register at off returns, but a read of DR that
 * takes a character (under u->lock). */
static uint32_t reg_value(const struct vpl011 *u, unsigned off)
{
    switch (off) {
    case UART_FR: /* the transmitter is always ready (output is taken synchronously) */
        return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count == RX_FIFO ? FR_RXFF : 0);
    case UART_IMSC:
        return u->imsc;
    case UART_RIS:
        return raw_status(u);
    case UART_MIS:
        return raw_status(u) & u->imsc;
    default:
        return 0; /* DR with no input, ICR, the ID registers */
    }
}

/* The shown page up to date (under u->lock): the registers that can read
 * non-zero, cleaned to the point of coherency (the guest maps the vPL011
 * as Device memory: its reads go past the caches). */
static void regs_refresh(struct vpl011 *u)
{
    static const unsigned offs[] = { UART_FR, UART_IMSC, UART_RIS, UART_MIS };
    for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
        __atomic_store_n(&u->regs[offs[i] / 4], reg_value(u, offs[i]), __ATOMIC_RELAXED);
    dcache_clean_range(u->regs, UART_MIS + 4);
}

/* Reads without a trap from now on (under u->lock, no input queued). If
 * stage 2 has no room, every access keeps trapping, which works too. */
static void show(struct domain *d, struct vpl011 *u)
{
    if (u->shown || !u->regs)
        return;
    regs_refresh(u);
    u->shown = p2m_show_page(d, d->layout.uart, (paddr_t)(uintptr_t)u->regs) == 0;
}

/* Every access traps from now on, on every CPU (under u->lock). */
static void hide(struct domain *d, struct vpl011 *u)
{
    if (u->shown)
        p2m_hide_page(d, d->layout.uart);
    u->shown = false;
}

static enum emul_result vpl011_mmio(struct vcpu *v, struct mmio_access *a, void *dev)
{
    struct vpl011 *u = dev;
    unsigned off = (unsigned)a->off;
    /* byte, halfword and word registers; never 64-bit or misaligned */
    if (a->size > 4 || !mmio_aligned(a))
        return EMUL_FAULT;

    if (a->write) {
        if (off == UART_IMSC) {
            uint64_t flags = spin_lock_irqsave(&u->lock);
            u->imsc = (uint32_t)a->value & 0x7ff;
            if (u->shown)
                regs_refresh(u);
            update_irq(v->dom, u);
            spin_unlock_irqrestore(&u->lock, flags);
        } else if (off == UART_DR) {
            char c = (char)(a->value & 0xff);
            domain_console_write(v->dom, CONSOLE_VPL011, &c, 1);
        }
        return EMUL_HANDLED; /* other registers: writes ignored */
    }
    bool drained = false;
    uint64_t flags = spin_lock_irqsave(&u->lock);
    if (off == UART_DR && u->rx_count) {
        a->value = (unsigned char)u->rx[u->rx_head];
        u->rx_head = (u->rx_head + 1) % RX_FIFO;
        u->rx_count--;
        update_irq(v->dom, u);
        drained = true;
    } else {
        /* a byte or halfword: its lanes of the register, as the page
         * shown gives them */
        a->value = reg_value(u, off & ~3u) >> (8 * (off & 3u));
    }
    spin_unlock_irqrestore(&u->lock, flags);
    if (drained) {
        /* room in the FIFO: the next typed character comes in; none
         * left, the page is shown again */
        domain_input_pump(v->dom);
        flags = spin_lock_irqsave(&u->lock);
        if (!u->rx_count)
            show(v->dom, u);
        spin_unlock_irqrestore(&u->lock, flags);
    }
    return EMUL_HANDLED;
}

/* Its stage 2 is no longer used by any CPU (core/lifecycle.c). */
static void vpl011_release(struct domain *d, void *arg)
{
    struct vpl011 *u = arg;
    __atomic_store_n(&d->input.uart_receive, NULL, __ATOMIC_RELEASE);
    d->vpl011 = NULL;
    if (u->regs)
        memory_free((paddr_t)(uintptr_t)u->regs, PAGE_SIZE);
    memory_free((paddr_t)(uintptr_t)u, PAGE_SIZE);
}

int vpl011_attach(struct domain *d)
{
    paddr_t pa;
    _Static_assert(sizeof(struct vpl011) <= PAGE_SIZE, "vpl011 fits a page");
    int rc = memory_alloc(PAGE_SIZE, PAGE_SIZE, &pa);
    if (rc)
        return rc;
    struct vpl011 *u = (struct vpl011 *)(uintptr_t)pa;
    memset(u, 0, sizeof(*u));
    if ((rc = domain_on_release(d, vpl011_release, u))) {
        memory_free(pa, PAGE_SIZE);
        return rc;
    }
    d->vpl011 = u; /* freed with the domain from here on */
    __atomic_store_n(&d->input.uart_receive, vpl011_receive, __ATOMIC_RELEASE);
    struct mmio_region r = { d->layout.uart, VPL011_SIZE, vpl011_mmio, u, "vPL011" };
    if ((rc = domain_add_mmio(d, &r)))
        return rc;
    /* the page of register values: without it (no memory), reads trap */
    _Static_assert(VPL011_SIZE == PAGE_SIZE, "the shown page covers the vPL011");
    if (memory_alloc_guest_page(&pa) == 0) {
        u->regs = (uint32_t *)(uintptr_t)pa;
        show(d, u);
    }
    return 0;
}

bool vpl011_receive(struct domain *d, char c)
{
    struct vpl011 *u = d->vpl011;
    if (!u)
        return false;
    uint64_t flags = spin_lock_irqsave(&u->lock);
    bool taken = u->rx_count < RX_FIFO;
    if (taken) {
        hide(d, u); /* before a read of DR can see it */
        u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = c;
        u->rx_count++;
        update_irq(d, u);
    }
    spin_unlock_irqrestore(&u->lock, flags);
    return taken;
}
