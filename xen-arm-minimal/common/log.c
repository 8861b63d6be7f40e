#include <asm/spinlock.h>
#include <asm/sysreg.h>
#include <stdarg.h>
#include <string.h>
#include <xam/fmt.h>
#include <xam/log.h>
#include <xam/pl011.h>

static paddr_t console_uart;
static bool console_locking;
static spinlock_t console_lock = SPINLOCK_INIT;
static enum log_level current_level = LOG_INFO;
static uint64_t epoch_counter, counter_freq = 1;

void console_set_uart(paddr_t base) { console_uart = base; }

void console_enable_locking(void) { console_locking = true; }

static void write_unlocked(const char *s, size_t n)
{
    if (!console_uart)
        return;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            pl011_putc(console_uart, '\r');
        pl011_putc(console_uart, s[i]);
    }
}

void console_break_lock(void) { console_locking = false; }

/* The domain's line open on the UART (its text went out as written and
 * its end has not come), NULL when the UART is at the start of a line.
 * Under console_lock. */
static const void *open_line;
static const char continued[] = { CONSOLE_CONTINUED_MARK, '\n' };

static void end_open_line(void)
{
    if (open_line)
        write_unlocked(continued, sizeof(continued));
    open_line = NULL;
}

static uint64_t console_lock_take(void) { return console_locking ? spin_lock_irqsave(&console_lock) : 0; }

static void console_lock_give(uint64_t flags)
{
    if (console_locking)
        spin_unlock_irqrestore(&console_lock, flags);
}

void console_write(const char *s, size_t n)
{
    uint64_t flags = console_lock_take();
    end_open_line();
    write_unlocked(s, n);
    console_lock_give(flags);
}

/* "[ttttt.uuuuuu] " and after: its length (0 if it did not fit). */
static size_t time_prefix(char *buf, size_t size, const char *after)
{
    uint64_t us = log_us_since_entry();
    int n = fmt_snprintf(buf, size, "[%5llu.%06llu] %s", (unsigned long long)(us / 1000000),
                         (unsigned long long)(us % 1000000), after);
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end)
{
    char prefix[64]; /* "[ttttt.uuuuuu] " 16 and paren */
    char paren[40]; /* "(" a name of up to 31 ") " */
    fmt_snprintf(paren, sizeof(paren), "(%s) ", name);
    uint64_t flags = console_lock_take();
    if (open_line != line) {
        end_open_line();
        write_unlocked(prefix, time_prefix(prefix, sizeof(prefix), paren));
    }
    write_unlocked(text, n);
    open_line = NULL;
    if (end == CONSOLE_PIECE_LINE)
        write_unlocked("\n", 1);
    else if (end == CONSOLE_PIECE_CONTINUED)
        write_unlocked(continued, sizeof(continued));
    else
        open_line = line;
    console_lock_give(flags);
}

void console_flush(void)
{
    if (console_uart)
        pl011_flush(console_uart);
}

void log_set_epoch(uint64_t counter, uint64_t freq)
{
    epoch_counter = counter;
    counter_freq = freq ? freq : 1;
}

uint64_t log_us_since_entry(void)
{
    uint64_t now = read_sysreg(cntpct_el0);
    uint64_t d = now - epoch_counter;
    return d / counter_freq * 1000000 + d % counter_freq * 1000000 / counter_freq;
}

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
