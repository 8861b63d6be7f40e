/* log_msg() for the host builds of the portable code (core/guest_console.c
 * prints through it): to stderr. Weak, so a program with its own (the unit
 * test and the fuzzer capture the lines) uses that one. */
#include <stdarg.h>
#include <stdio.h>
#include <xam/log.h>

__attribute__((weak)) void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s", level == LOG_ERR ? "ERROR: " : level == LOG_WARN ? "WARNING: " : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A domain's console pieces (core/guest_console.c) to stderr, each piece
 * on a line of its own with its name: weak too. */
__attribute__((weak)) void console_guest_piece(const void *line, const char *name, const char *text, size_t n,
                                               enum console_piece_end end)
{
    (void)line;
    fprintf(stderr, "(%s) %.*s%s\n", name, (int)n, text, end == CONSOLE_PIECE_CONTINUED ? "\\" : "");
}
