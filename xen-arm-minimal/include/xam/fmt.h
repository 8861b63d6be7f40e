/* printf-style formatting for a freestanding image (also built on the host
 * for tests). Supports %d %i %u %x %X %o %c %s %p %%, the l/ll/z/h/hh
 * length modifiers, flags '-', '0', '#', ' ', '+', width and precision
 * (including '*'). Output is always NUL-terminated when size > 0; the return
 * value is the length the full output would have had. */
#ifndef XAM_FMT_H
#define XAM_FMT_H

#include <stdarg.h>
#include <xam/types.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
