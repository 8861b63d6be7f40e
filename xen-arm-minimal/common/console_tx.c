/* The console's transmit ring (xam/console_tx.h). */
#include <xam/console_tx.h>

#define MASK (CONSOLE_TX_SIZE - 1)

uint32_t console_tx_pending(const struct console_tx *t)
{
    return __atomic_load_n(&t->head, __ATOMIC_SEQ_CST) - __atomic_load_n(&t->tail, __ATOMIC_SEQ_CST);
}

static void put_byte(struct console_tx *t, uint32_t *head, char c)
{
    if (*head - __atomic_load_n(&t->tail, __ATOMIC_ACQUIRE) >= CONSOLE_TX_SIZE) {
        /* Full: publish what is in, and make room by writing one byte
         * (waiting for the UART) unless another CPU is pumping and will. */
        __atomic_store_n(&t->head, *head, __ATOMIC_RELEASE);
        while (*head - __atomic_load_n(&t->tail, __ATOMIC_ACQUIRE) >= CONSOLE_TX_SIZE)
            if (!console_tx_pump(t, true, 1))
                t->ops->relax();
    }
    t->buf[*head & MASK] = c;
    (*head)++;
}

void console_tx_put(struct console_tx *t, const char *s, size_t n)
{
    uint32_t head = t->head; /* ours: no other writer */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            put_byte(t, &head, '\r');
        put_byte(t, &head, s[i]);
    }
    /* seq_cst: ordered before the caller's look at who pumps (log.c) */
    __atomic_store_n(&t->head, head, __ATOMIC_SEQ_CST);
}

bool console_tx_pump(struct console_tx *t, bool wait, uint32_t max)
{
    for (;;) {
        if (__atomic_exchange_n(&t->pumping, 1, __ATOMIC_ACQUIRE))
            return false; /* its pumper looks again after letting go */
        uint32_t tail = t->tail, start = tail;
        bool full = false, budget = false;
        while (tail != __atomic_load_n(&t->head, __ATOMIC_ACQUIRE)) {
            if (max && tail - start == max) {
                budget = true;
                break;
            }
            if (t->ops->full()) {
                if (!wait) {
                    full = true;
                    break;
                }
                t->ops->relax();
                continue;
            }
            t->ops->put(t->buf[tail & MASK]);
            __atomic_store_n(&t->tail, ++tail, __ATOMIC_RELEASE);
        }
        __atomic_store_n(&t->pumping, 0, __ATOMIC_SEQ_CST);
        if (budget)
            return true;
        /* A producer that put text in while this CPU pumped saw somebody
         * pumping and woke nobody: look again now that it is let go. */
        if (full || tail == __atomic_load_n(&t->head, __ATOMIC_SEQ_CST))
            return false;
    }
}

void console_tx_write(struct console_tx *t, const char *s, size_t n, unsigned me, void (*kick)(unsigned cpu))
{
    console_tx_put(t, s, n);
    if (t->sync) {
        console_tx_pump(t, true, 0);
        return;
    }
    /* after the text is in (seq_cst both): either the helper sees it when
     * it looks, or this sees the helper */
    uint32_t h = __atomic_load_n(&t->helper, __ATOMIC_SEQ_CST);
    if (h && h - 1 != me) {
        if (!console_tx_busy(t))
            kick(h - 1);
        return;
    }
    console_tx_pump(t, false, 0);
}

bool console_tx_idle_pump(struct console_tx *t, unsigned me, uint32_t max)
{
    uint32_t none = 0;
    __atomic_compare_exchange_n(&t->helper, &none, me + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return console_tx_pump(t, false, max);
}

void console_tx_idle_leave(struct console_tx *t, unsigned me)
{
    uint32_t mine = me + 1;
    __atomic_compare_exchange_n(&t->helper, &mine, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

bool console_tx_busy(const struct console_tx *t) { return __atomic_load_n(&t->pumping, __ATOMIC_SEQ_CST); }

void console_tx_take_over(struct console_tx *t) { __atomic_store_n(&t->pumping, 0, __ATOMIC_SEQ_CST); }
