/* The console's transmit ring: what is printed is copied here at once and
 * reaches the UART later, written by whichever CPU has the time (an idle
 * one, woken for it; the writer itself when no CPU is idle; a timer poll),
 * so a slow UART (115200 baud: 87 us a character) does not hold up the
 * domain builder, a vCPU trap or a guest's console write. The ring is
 * big enough for everything the builder prints for 64 domains; when it
 * is full, the writer waits for room (pumping the UART itself if nobody
 * else is): nothing is ever dropped, and the order is the order written.
 *
 * One producer at a time (the caller serialises puts: common/log.c's
 * console lock) and one pumper at a time (claimed here, without the
 * producer's lock, so a producer waiting for room never blocks the CPU
 * that makes it). Portable C: the UART is given through console_tx_ops,
 * the unit test gives its own. */
#ifndef XAM_CONSOLE_TX_H
#define XAM_CONSOLE_TX_H

#include <xam/types.h>

#define CONSOLE_TX_SIZE 65536u /* a power of two */

struct console_tx_ops {
    bool (*full)(void); /* the UART takes no character now (its FIFO is full) */
    void (*put)(char c); /* one character; only after full() said no */
    void (*relax)(void); /* between two looks at a UART or a ring that is busy */
};

struct console_tx {
    const struct console_tx_ops *ops;
    uint32_t head; /* free-running: the producer's next byte */
    uint32_t tail; /* free-running: the next byte for the UART */
    uint32_t pumping; /* 1 while a CPU writes the UART from the ring */
    uint32_t helper; /* the idle CPU woken to write the ring, plus one; 0: none */
    bool sync; /* sync_console: a writer waits until its text is out */
    char buf[CONSOLE_TX_SIZE];
};

/* Copy n bytes in ('\n' becomes "\r\n"), waiting while the ring is full. */
void console_tx_put(struct console_tx *t, const char *s, size_t n);
/* A writer's text (the caller's CPU is me): put in, then written out by
 *  - the writer, waiting for the UART, with sync;
 *  - else the helper if it is another CPU: kick(helper) unless it is
 *    writing the UART already;
 *  - else the writer, only what the UART's FIFO takes now. The rest waits
 *    for the next text, an idle CPU (it takes the ring at once) or a
 *    timer poll (common/log.c): nobody waits for a slow UART, not even the
 *    boot CPU before any other CPU or the scheduler runs (at 115200 baud
 *    the ~1.4 KB printed before "ready to build domains" is 120 ms). */
void console_tx_write(struct console_tx *t, const char *s, size_t n, unsigned me, void (*kick)(unsigned cpu));
/* An idle CPU (me) becomes the helper if there is none, and writes up to
 * max bytes of the ring (console_tx_pump without waiting: its return). */
bool console_tx_idle_pump(struct console_tx *t, unsigned me, uint32_t max);
/* me is idle no more: no longer the helper, if it was. */
void console_tx_idle_leave(struct console_tx *t, unsigned me);
/* Write the ring to the UART: until it is empty, or, unless wait, until
 * the UART's FIFO is full, or after max bytes (0: no limit). Returns at
 * once if another CPU is pumping (it looks again at the ring once it has
 * let go, so nothing is left). Returns true if it stopped at max with text
 * left that the UART would take now: the caller may go on. */
bool console_tx_pump(struct console_tx *t, bool wait, uint32_t max);
/* Bytes not yet given to the UART (read without any lock). */
uint32_t console_tx_pending(const struct console_tx *t);
/* Whether a CPU is pumping now. */
bool console_tx_busy(const struct console_tx *t);
/* A crash: whoever was pumping may never let go; the caller, having
 * waited a while, pumps in its place. */
void console_tx_take_over(struct console_tx *t);

#endif
