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
void console_write(const char *s, size_t n);
void console_flush(void);

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
