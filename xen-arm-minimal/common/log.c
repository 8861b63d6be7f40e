#include <asm/percpu.h>
#include <asm/spinlock.h>
#include <asm/sysreg.h>
#include <stdarg.h>
#include <string.h>
#include <xam/console_hold.h>
#include <xam/console_tx.h>
#include <xam/fmt.h>
#include <xam/irq.h>
#include <xam/log.h>
#include <xam/pl011.h>

static paddr_t console_uart;
static bool console_locking;
static spinlock_t console_lock = SPINLOCK_INIT;
static enum log_level current_level = LOG_INFO;
static uint64_t epoch_counter, counter_freq = 1;

void console_set_uart(paddr_t base) { console_uart = base; }

/* The transmit ring (xam/console_tx.h), in .bss. Who writes it to the UART
 * (console_tx_write):
 *  - before locking (MMU off: no atomics), or with sync_console: the
 *    writer, waiting for the UART, as it prints;
 *  - the helper: one idle CPU (console_idle_pump), woken by SGI_KICK when
 *    text comes and nobody is pumping;
 *  - with no helper, the writer, as much as the UART's FIFO takes; what is
 *    left goes with its next line, with the boot CPU's waits for the
 *    secondaries (smp.c), to the first CPU that idles (a secondary once
 *    online) or to the timer polls (console_poll_deadline) of the
 *    scheduler's CPUs, or at power-off or a crash (flushed). */
static bool tx_full(void) { return console_uart && pl011_tx_full(console_uart); }
static void tx_put(char c)
{
    if (console_uart)
        pl011_put(console_uart, c);
}
static const struct console_tx_ops tx_ops = { .full = tx_full, .put = tx_put, .relax = cpu_relax };
/* Zero-initialised, so its 64 KiB are in .bss, not the image: its ops
 * are set with the first locked line (console_enable_locking). */
static struct console_tx tx;
static uint64_t tx_poll_ticks = 1; /* 1 ms once the counter's frequency is known */

void console_enable_locking(void)
{
    tx.ops = &tx_ops;
    console_locking = true;
}

void console_set_sync(bool sync) { tx.sync = sync; }

static void kick(unsigned cpu) { irq_send_sgi(cpu, SGI_KICK); }

static void write_unlocked(const char *s, size_t n)
{
    if (!console_locking) { /* MMU off: Device memory, no exclusives */
        for (size_t i = 0; console_uart && i < n; i++) {
            if (s[i] == '\n')
                pl011_putc(console_uart, '\r');
            pl011_putc(console_uart, s[i]);
        }
        return;
    }
    console_tx_write(&tx, s, n, this_cpu_id(), kick);
}

/* Characters an idle CPU or a timer poll writes at a time, interrupts
 * masked: under QEMU (a FIFO never full) about 100 us. */
#define TX_BATCH 64

bool console_idle_pump(void) { return console_tx_idle_pump(&tx, this_cpu_id(), TX_BATCH); }

void console_idle_leave(void) { console_tx_idle_leave(&tx, this_cpu_id()); }

/* Everything printed goes through the hold (xam/console_hold.h), under
 * console_lock. */
static uint64_t counter_now(void) { return read_sysreg(cntpct_el0); }
static size_t stamp(char *buf, size_t size, uint64_t t);
static const struct console_out_ops out_ops = { .write = write_unlocked, .now = counter_now, .stamp = stamp };
/* Zero-initialised, so its 4 KiB of held text is in .bss, not the image:
 * set up on first use (the boot CPU's first line, before any other CPU
 * runs). */
static struct console_out out;
static struct console_out *console(void)
{
    if (!out.ops) {
        out.deadline = UINT64_MAX;
        out.ops = &out_ops;
    }
    return &out;
}

static uint64_t console_lock_take(void) { return console_locking ? spin_lock_irqsave(&console_lock) : 0; }

static void console_lock_give(uint64_t flags)
{
    if (console_locking)
        spin_unlock_irqrestore(&console_lock, flags);
}

void console_break_lock(void)
{
    /* a crash: what waits goes out first, and nothing waits any more; a
     * CPU pumping the ring has 10 ms to let go */
    if (console_locking) {
        uint64_t end = counter_now() + 10 * tx_poll_ticks;
        while (console_tx_busy(&tx) && counter_now() < end)
            cpu_relax();
        console_tx_take_over(&tx);
        console_tx_pump(&tx, true, 0);
    }
    console_locking = false;
    console_out_release(console(), true);
}

void console_write(const char *s, size_t n)
{
    uint64_t flags = console_lock_take();
    console_out_text(console(), s, n);
    console_lock_give(flags);
}

static uint64_t us_since_entry(uint64_t counter)
{
    uint64_t d = counter - epoch_counter;
    return d / counter_freq * 1000000 + d % counter_freq * 1000000 / counter_freq;
}

/* "[ttttt.uuuuuu] " for counter value t (0 if it did not fit). */
static size_t stamp(char *buf, size_t size, uint64_t t)
{
    uint64_t us = us_since_entry(t);
    int n = fmt_snprintf(buf, size, "[%5llu.%06llu] ", (unsigned long long)(us / 1000000),
                         (unsigned long long)(us % 1000000));
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

/* "[ttttt.uuuuuu] " and after: its length (0 if it did not fit). */
static size_t time_prefix(char *buf, size_t size, const char *after)
{
    size_t k = stamp(buf, size, counter_now());
    int n = fmt_snprintf(buf + k, size - k, "%s", after);
    return n < 0 || (size_t)n >= size - k ? 0 : k + (size_t)n;
}

void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end)
{
    uint64_t flags = console_lock_take();
    console_out_piece(console(), line, name, text, n, end);
    console_lock_give(flags);
}

uint64_t console_poll_deadline(void)
{
    uint64_t hold = console_out_deadline(console());
    return console_tx_pending(&tx) ? MIN(hold, counter_now() + tx_poll_ticks) : hold;
}

void console_poll(void)
{
    if (console_tx_pending(&tx))
        console_tx_pump(&tx, false, 4 * TX_BATCH);
    if (console_out_deadline(console()) > counter_now())
        return;
    uint64_t flags = console_lock_take();
    console_out_poll(console());
    console_lock_give(flags);
}

void console_flush(void)
{
    uint64_t flags = console_lock_take();
    console_out_release(console(), false);
    console_lock_give(flags);
    /* another CPU may be pumping: it lets go only with the ring empty or
     * the FIFO full, and then this one goes on */
    while (console_locking && console_tx_pending(&tx)) {
        console_tx_pump(&tx, true, 0);
        cpu_relax();
    }
    if (console_uart)
        pl011_flush(console_uart);
}

void log_set_epoch(uint64_t counter, uint64_t freq)
{
    epoch_counter = counter;
    counter_freq = freq ? freq : 1;
    tx_poll_ticks = counter_freq / 1000 + 1;
    console()->idle_ticks = counter_freq * CONSOLE_HOLD_IDLE_MS / 1000;
    console()->max_ticks = counter_freq * CONSOLE_HOLD_MAX_MS / 1000;
}

uint64_t log_us_since_entry(void) { return us_since_entry(counter_now()); }

void log_set_level(enum log_level level) { current_level = level; }

static const char *const level_names[] = { "error", "warning", "info", "debug" };

const char *log_level_name(enum log_level level) { return level_names[level]; }

bool log_level_from_name(const char *name, enum log_level *level)
{
    if (strcmp(name, "none") == 0 || strcmp(name, "error") == 0) {
        *level = LOG_ERR; /* errors are always shown */
        return true;
    }
    if (strcmp(name, "all") == 0) {
        *level = LOG_DEBUG;
        return true;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++)
        if (strcmp(name, level_names[i]) == 0) {
            *level = (enum log_level)i;
            return true;
        }
    return false;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char line[256];
    size_t n = time_prefix(line, sizeof(line), prefix);
    int m = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : MIN((size_t)m, sizeof(line) - (size_t)n - 2));
    line[len++] = '\n';
    console_write(line, len);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level == LOG_ERR ? "ERROR: " : level == LOG_WARN ? "WARNING: " : "", fmt, ap);
    va_end(ap);
}
