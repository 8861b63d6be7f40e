/* The console's transmit ring (common/console_tx.c): text is copied in at
 * once and reaches the UART later, in order, each byte once, "\n" as
 * "\r\n"; a full FIFO stops a pump that may not wait, a full ring makes
 * the writer wait (pumping itself when nobody else does), and a writer and
 * a pumper on two threads lose and repeat nothing. The UART here is a FIFO
 * of its own with a capacity, drained when the test says (or by relax(),
 * standing for the time that passes). */
#include "unit.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xam/console_tx.h>

#define OUT_MAX (4u << 20)
static char *out; /* everything the UART sent, in order */
static size_t out_len;
static unsigned fifo_cap, fifo_used; /* fifo_cap 0: never full */
static bool relax_drains; /* relax() lets the UART send its FIFO */
static unsigned long relaxes;

static bool uart_full(void) { return fifo_cap && fifo_used >= fifo_cap; }
static void uart_put(char c)
{
    assert_false(uart_full());
    assert_true(out_len < OUT_MAX);
    out[out_len++] = c;
    fifo_used++;
}
static void uart_drain(void) { fifo_used = 0; }
static bool wait_fails; /* a writer waiting for the UART fails the test */
static void relax(void)
{
    if (wait_fails)
        fail_msg("the writer waited for a full UART FIFO");
    relaxes++;
    if (relax_drains)
        uart_drain();
}
static const struct console_tx_ops ops = { .full = uart_full, .put = uart_put, .relax = relax };
static struct console_tx *t;

static int reset(void **state)
{
    (void)state;
    if (!t)
        t = malloc(sizeof(*t));
    if (!out)
        out = malloc(OUT_MAX);
    memset(t, 0, sizeof(*t));
    t->ops = &ops;
    out_len = 0;
    fifo_cap = fifo_used = 0;
    relax_drains = true;
    wait_fails = false;
    relaxes = 0;
    return 0;
}

static void expect_out(const char *want)
{
    assert_int_equal(out_len, strlen(want));
    assert_memory_equal(out, want, out_len);
}

static void text_goes_out_in_order_with_cr(void **state)
{
    (void)state;
    console_tx_put(t, "one\n", 4);
    assert_int_equal(console_tx_pending(t), 5);
    assert_int_equal(out_len, 0); /* nothing written by the put itself */
    console_tx_put(t, "two\nthree", 9);
    console_tx_pump(t, true, 0);
    expect_out("one\r\ntwo\r\nthree");
    assert_int_equal(console_tx_pending(t), 0);
    assert_false(console_tx_busy(t));
}

static void full_fifo_stops_a_pump_that_may_not_wait(void **state)
{
    (void)state;
    fifo_cap = 4;
    relax_drains = false;
    console_tx_put(t, "abcdefghij", 10);
    console_tx_pump(t, false, 0);
    expect_out("abcd");
    assert_int_equal(console_tx_pending(t), 6);
    assert_false(console_tx_busy(t)); /* let go, for the next poll */
    assert_int_equal(relaxes, 0); /* and did not spin */
    console_tx_pump(t, false, 0); /* still full: nothing */
    expect_out("abcd");
    uart_drain();
    console_tx_pump(t, false, 0);
    expect_out("abcdefgh");
    uart_drain();
    console_tx_pump(t, false, 0);
    expect_out("abcdefghij");
    assert_int_equal(console_tx_pending(t), 0);
}

static void waiting_pump_empties_the_ring(void **state)
{
    (void)state;
    fifo_cap = 3; /* relax() drains it */
    console_tx_put(t, "0123456789\n", 11);
    console_tx_pump(t, true, 0);
    expect_out("0123456789\r\n");
    assert_true(relaxes > 0);
}

/* A pump with a budget (an idle CPU's batch) stops after it and says
 * there is more; one without, or at the ring's end, says there is not. */
static void budget_stops_a_pump_and_says_so(void **state)
{
    (void)state;
    console_tx_put(t, "0123456789", 10);
    assert_true(console_tx_pump(t, false, 4));
    expect_out("0123");
    assert_false(console_tx_busy(t));
    assert_true(console_tx_pump(t, false, 4));
    expect_out("01234567");
    assert_false(console_tx_pump(t, false, 4)); /* the last two: nothing left */
    expect_out("0123456789");
    assert_false(console_tx_pump(t, false, 4));
    uart_drain();
    fifo_cap = 1;
    relax_drains = false;
    console_tx_put(t, "ab", 2);
    assert_false(console_tx_pump(t, false, 4)); /* stopped by the FIFO: not "more" */
    expect_out("0123456789a");
}

/* More than the ring holds, nobody pumping: the writer writes the UART
 * itself until what it puts fits; nothing is dropped. */
static void full_ring_makes_the_writer_pump(void **state)
{
    (void)state;
    fifo_cap = 16;
    size_t n = CONSOLE_TX_SIZE * 2 + 123;
    char *big = malloc(n), *want = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = want[i] = (char)('a' + i % 26);
    console_tx_put(t, big, n);
    assert_int_equal(console_tx_pending(t), CONSOLE_TX_SIZE);
    assert_int_equal(out_len, n - CONSOLE_TX_SIZE);
    console_tx_pump(t, true, 0);
    assert_int_equal(out_len, n);
    assert_memory_equal(out, want, n);
    free(big);
    free(want);
}

/* Free-running indices wrap the buffer many times over. */
static void ring_wraps(void **state)
{
    (void)state;
    char line[100], want[120];
    size_t w = 0;
    for (unsigned i = 0; i < 5000; i++) {
        int n = snprintf(line, sizeof(line), "line %u of the wrap test\n", i);
        console_tx_put(t, line, (size_t)n);
        if (i % 7 == 0)
            console_tx_pump(t, true, 0);
        snprintf(want, sizeof(want), "line %u of the wrap test\r\n", i);
        w += strlen(want);
    }
    console_tx_pump(t, true, 0);
    assert_int_equal(out_len, w);
    size_t o = 0;
    for (unsigned i = 0; i < 5000; i++) {
        snprintf(want, sizeof(want), "line %u of the wrap test\r\n", i);
        assert_memory_equal(out + o, want, strlen(want));
        o += strlen(want);
    }
}

/* Somebody else is pumping: a pump returns without touching the UART; a
 * crash takes the ring over from a pumper that never lets go. */
static void one_pumper_at_a_time_and_take_over(void **state)
{
    (void)state;
    console_tx_put(t, "x\n", 2);
    t->pumping = 1; /* another CPU, stopped mid-pump */
    assert_true(console_tx_busy(t));
    console_tx_pump(t, true, 0);
    assert_int_equal(out_len, 0);
    console_tx_take_over(t);
    assert_false(console_tx_busy(t));
    console_tx_pump(t, true, 0);
    expect_out("x\r\n");
}

/* Who writes a writer's text (console_tx_write). The boot CPU, before any
 * other CPU idles or the scheduler polls, with a UART slower than it
 * prints (a 4-character FIFO that never drains while it writes): each
 * line gives the FIFO what it takes and returns at once, 30 lines of it;
 * the first CPU to idle becomes the helper and writes the rest, in order;
 * from then on a writer on another CPU only kicks it, and never twice
 * while it is writing the UART. */
static unsigned kicks, kicked;
static void kick(unsigned cpu)
{
    kicks++;
    kicked = cpu;
}

static void boot_cpu_never_waits_for_a_slow_uart(void **state)
{
    (void)state;
    fifo_cap = 4;
    relax_drains = false;
    wait_fails = true;
    kicks = 0;
    char line[64], want[64 * 40] = "";
    for (unsigned i = 0; i < 30; i++) {
        int n = snprintf(line, sizeof(line), "boot line %u of the slow UART test\n", i);
        console_tx_write(t, line, (size_t)n, 0, kick);
        snprintf(line, sizeof(line), "boot line %u of the slow UART test\r\n", i);
        strcat(want, line);
        assert_int_equal(out_len, 4); /* what the FIFO took, no more */
    }
    assert_int_equal(relaxes, 0); /* never waited */
    assert_int_equal(kicks, 0); /* nobody to kick */
    /* CPU1 idles: it is the helper from now on, and writes the ring */
    while (console_tx_pending(t)) {
        uart_drain();
        console_tx_idle_pump(t, 1, 64);
    }
    expect_out(want);
    /* the boot CPU prints: CPU1 is kicked, the boot CPU writes nothing */
    console_tx_write(t, "ready\n", 6, 0, kick);
    assert_int_equal(kicks, 1);
    assert_int_equal(kicked, 1);
    expect_out(want);
    t->pumping = 1; /* CPU1 writing the UART: it looks again when done */
    console_tx_write(t, "more\n", 5, 0, kick);
    assert_int_equal(kicks, 1);
    t->pumping = 0;
    while (console_tx_pending(t)) {
        uart_drain();
        assert_false(console_tx_idle_pump(t, 1, 64)); /* the FIFO, not the budget, stops it */
    }
    strcat(want, "ready\r\nmore\r\n");
    expect_out(want);
    /* the helper's own text: it writes it (no kick to itself) */
    uart_drain();
    console_tx_write(t, "own\n", 4, 1, kick); /* 5 bytes: the FIFO takes 4 */
    uart_drain();
    console_tx_idle_pump(t, 1, 64);
    assert_int_equal(kicks, 1);
    strcat(want, "own\r\n");
    expect_out(want);
    /* it leaves: another idle CPU may take over; a CPU that was not the
     * helper leaving changes nothing */
    console_tx_idle_leave(t, 2);
    assert_int_equal(t->helper, 2);
    console_tx_idle_leave(t, 1);
    assert_int_equal(t->helper, 0);
    console_tx_idle_pump(t, 3, 64);
    console_tx_write(t, "x", 1, 0, kick);
    assert_int_equal(kicked, 3);
}

/* sync_console: the writer waits until its text is out, helper or not. */
static void sync_writer_waits_for_its_text(void **state)
{
    (void)state;
    fifo_cap = 3; /* relax() drains it */
    kicks = 0;
    t->sync = true;
    console_tx_idle_pump(t, 1, 64); /* a helper exists */
    console_tx_write(t, "every line out\n", 15, 0, kick);
    expect_out("every line out\r\n");
    assert_int_equal(console_tx_pending(t), 0);
    assert_int_equal(kicks, 0);
    assert_true(relaxes > 0);
}

/* A writer and a pumper on two threads (two CPUs), the FIFO small and
 * the ring filling: every byte once, in order. */
#define RACE_LINES 40000
static pthread_mutex_t uart_mutex = PTHREAD_MUTEX_INITIALIZER;
static volatile bool writer_done;
static unsigned long race_writer_pumped;

static bool race_full(void)
{
    pthread_mutex_lock(&uart_mutex);
    bool f = uart_full();
    pthread_mutex_unlock(&uart_mutex);
    return f;
}
static void race_put(char c)
{
    pthread_mutex_lock(&uart_mutex);
    uart_put(c);
    pthread_mutex_unlock(&uart_mutex);
}
static void race_relax(void)
{
    pthread_mutex_lock(&uart_mutex);
    uart_drain();
    pthread_mutex_unlock(&uart_mutex);
}
static const struct console_tx_ops race_ops = { .full = race_full, .put = race_put, .relax = race_relax };

static void *pumper(void *arg)
{
    (void)arg;
    for (;;) {
        bool done = writer_done;
        race_relax();
        console_tx_pump(t, false, 0);
        if (done && !console_tx_pending(t))
            return NULL;
    }
}

static void writer_and_pumper_race(void **state)
{
    (void)state;
    t->ops = &race_ops;
    fifo_cap = 8;
    writer_done = false;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, pumper, NULL), 0);
    char line[64];
    uint64_t seed = 14;
    for (unsigned i = 0; i < RACE_LINES; i++) {
        int n = snprintf(line, sizeof(line), "%u:%.*s\n", i, (int)(unit_rand(&seed) % 40),
                         "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH");
        console_tx_put(t, line, (size_t)n);
        if (unit_rand(&seed) % 64 == 0) { /* a writer with no helper pumps too */
            console_tx_pump(t, false, 0);
            race_writer_pumped++;
        }
    }
    __atomic_store_n(&writer_done, true, __ATOMIC_SEQ_CST);
    assert_int_equal(pthread_join(th, NULL), 0);
    console_tx_pump(t, true, 0);
    /* the same lines, in order */
    seed = 14;
    size_t o = 0;
    for (unsigned i = 0; i < RACE_LINES; i++) {
        char want[80];
        int n = snprintf(want, sizeof(want), "%u:%.*s\r\n", i, (int)(unit_rand(&seed) % 40),
                         "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH");
        unit_rand(&seed);
        assert_true(o + (size_t)n <= out_len);
        assert_memory_equal(out + o, want, (size_t)n);
        o += (size_t)n;
    }
    assert_int_equal(o, out_len);
    assert_true(race_writer_pumped > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(text_goes_out_in_order_with_cr, reset),
        cmocka_unit_test_setup(full_fifo_stops_a_pump_that_may_not_wait, reset),
        cmocka_unit_test_setup(waiting_pump_empties_the_ring, reset),
        cmocka_unit_test_setup(budget_stops_a_pump_and_says_so, reset),
        cmocka_unit_test_setup(full_ring_makes_the_writer_pump, reset),
        cmocka_unit_test_setup(ring_wraps, reset),
        cmocka_unit_test_setup(one_pumper_at_a_time_and_take_over, reset),
        cmocka_unit_test_setup(boot_cpu_never_waits_for_a_slow_uart, reset),
        cmocka_unit_test_setup(sync_writer_waits_for_its_text, reset),
        cmocka_unit_test_setup(writer_and_pumper_race, reset),
    };
    return cmocka_run_group_tests_name("console_tx", tests, NULL, NULL);
}
