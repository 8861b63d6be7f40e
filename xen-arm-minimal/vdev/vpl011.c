/* The virtual PL011 (SBSA subset): output goes to the domain's console
 * line by line; input comes from the console's Ctrl-A switching. */
#include <asm/spinlock.h>
#include <string.h>
#include <xam/domain.h>
#include <xam/domain_input.h>
#include <xam/emul.h>
#include <xam/errno.h>
#include <xam/memory.h>
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
            update_irq(v->dom, u);
            spin_unlock_irqrestore(&u->lock, flags);
        } else if (off == UART_DR) {
            char c = (char)(a->value & 0xff);
            domain_console_write(v->dom, CONSOLE_VPL011, &c, 1);
        }
        return EMUL_HANDLED; /* other registers: writes ignored */
    }
    /* The transmitter is always ready (output is taken synchronously). */
    bool drained = false;
    uint64_t flags = spin_lock_irqsave(&u->lock);
    a->value = 0;
    switch (off) {
    case UART_DR:
        if (u->rx_count) {
            a->value = (unsigned char)u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % RX_FIFO;
            u->rx_count--;
            update_irq(v->dom, u);
            drained = true;
        }
        break;
    case UART_FR:
        a->value = FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count == RX_FIFO ? FR_RXFF : 0);
        break;
    case UART_IMSC:
        a->value = u->imsc;
        break;
    case UART_RIS:
        a->value = raw_status(u);
        break;
    case UART_MIS:
        a->value = raw_status(u) & u->imsc;
        break;
    default:
        a->value = 0;
        break;
    }
    spin_unlock_irqrestore(&u->lock, flags);
    if (drained) /* room in the FIFO: the next typed character comes in */
        domain_input_pump(v->dom);
    return EMUL_HANDLED;
}

static void vpl011_release(struct domain *d, void *arg)
{
    __atomic_store_n(&d->input.uart_receive, NULL, __ATOMIC_RELEASE);
    d->vpl011 = NULL;
    memory_free((paddr_t)(uintptr_t)arg, PAGE_SIZE);
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
    return domain_add_mmio(d, &r);
}

bool vpl011_receive(struct domain *d, char c)
{
    struct vpl011 *u = d->vpl011;
    if (!u)
        return false;
    uint64_t flags = spin_lock_irqsave(&u->lock);
    bool taken = u->rx_count < RX_FIFO;
    if (taken) {
        u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = c;
        u->rx_count++;
        update_irq(d, u);
    }
    spin_unlock_irqrestore(&u->lock, flags);
    return taken;
}
