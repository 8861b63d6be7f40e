/* Console output and the boot log. Every line carries the time since the
 * hypervisor was entered, from the generic counter, so the boot timeline
 * can be read off the console. */
#ifndef XAM_LOG_H
#define XAM_LOG_H

#include <xam/types.h>

enum log_level {
    LOG_ERR,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
};

/* Where console output goes: a PL011 at this (mapped) address, or nowhere. */
void console_set_uart(paddr_t base);
/* Serialise console output between CPUs; only once the MMU is on. */
void console_enable_locking(void);
/* Crash paths: print even if another CPU died holding the lock. */
void console_break_lock(void);
/* Whole lines of the hypervisor's own (the log, crash reports): a
 * domain's line left open on the console (below) is ended first with
 * CONSOLE_CONTINUED_MARK, so the text never lands inside it. */
void console_write(const char *s, size_t n);
void console_flush(void);

/* A domain's console text reaches the UART in pieces of one line
 * (core/guest_console.c makes them, its text already safe: no control
 * characters, every backslash of the guest's escaped as \x5c). A piece of
 * a line that is not the one open on the UART starts a new physical line
 * "[ttttt.uuuuuu] (name) "; the one that is continues it. How it ends:
 *   CONSOLE_PIECE_LINE: the guest's line is complete ('\n' follows);
 *   CONSOLE_PIECE_CONTINUED: the line goes on in the next piece of the same
 *     line, on a new physical line: CONSOLE_CONTINUED_MARK and '\n' follow;
 *   CONSOLE_PIECE_OPEN: the line stays open on the UART (the focused
 *     domain's text, shown as it is written); whatever else is printed
 *     first ends it with CONSOLE_CONTINUED_MARK and '\n'.
 * So every physical line is whole and has one prefix, and a domain's line
 * that ends with the mark (a guest's own text cannot: its backslashes are
 * escaped) goes on on the next line with the same prefix: joined, the
 * pieces are the line. `line` only tells lines apart (its guest_console).
 * While a line is part-way out (cut, or open), everything else printed
 * waits for its end, within a bound: xam/console_hold.h. */
enum console_piece_end {
    CONSOLE_PIECE_LINE,
    CONSOLE_PIECE_CONTINUED,
    CONSOLE_PIECE_OPEN,
};
#define CONSOLE_CONTINUED_MARK '\\'
void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end);
/* The console's timer work: what waits behind a part-way line goes out
 * by its deadline, and text still in the transmit ring (the UART's FIFO
 * was full) is written when the FIFO has room again. Each CPU's scheduler
 * folds console_poll_deadline (a counter value; UINT64_MAX: nothing to do)
 * into its timer and calls console_poll when it fires. */
uint64_t console_poll_deadline(void);
void console_poll(void);
/* sync_console: every line reaches the UART before console_write returns
 * (for debugging a hang: nothing printed is left in the ring). */
void console_set_sync(bool sync);
/* An idle CPU with interrupts masked: it becomes the CPU that SGI_KICK
 * wakes when text comes, and writes a batch of what the ring holds (as
 * much as the FIFO takes). Returns true if there is more the UART would
 * take now: call again unless something else waits (a vCPU, an IRQ);
 * then WFI with console_poll_deadline in the timer (the FIFO was full),
 * and console_idle_leave after it. */
bool console_idle_pump(void);
void console_idle_leave(void);

/* Time zero of the boot timeline: the counter value read at entry. */
void log_set_epoch(uint64_t counter, uint64_t freq);
uint64_t log_us_since_entry(void);

void log_set_level(enum log_level level);
/* Xen's loglvl= names: none, error, warning, info, debug, all. */
bool log_level_from_name(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif
