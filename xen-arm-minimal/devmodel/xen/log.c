/* xam-devmodel's log lines and the clients' console lines. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static void vlog(const char *name, const char *fmt, va_list ap)
{
    char line[512];
    int n = name ? snprintf(line, sizeof(line), "xam-devmodel: client %s: ", name)
                 : snprintf(line, sizeof(line), "xam-devmodel: ");
    if (n < 0)
        return;
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    /* one write per line: lines from several sources never interleave */
    fprintf(stderr, "%s\n", line);
}

void dm_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(NULL, fmt, ap);
    va_end(ap);
}

void dm_log_client(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(name, fmt, ap);
    va_end(ap);
}

static void emit(struct dm_console_lines *c, const char *name)
{
    printf("[%s] %.*s\n", name, (int)c->len, c->buf);
    fflush(stdout);
    c->len = 0;
}

void dm_console_flush(struct dm_console_lines *c, const char *name)
{
    if (c->len)
        emit(c, name);
}

void dm_console_write(struct dm_console_lines *c, const char *name, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = p[i];
        if (ch == '\n') {
            emit(c, name); /* an empty line is a line too */
            continue;
        }
        if (ch == '\r')
            continue;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            ch = '?';
        if (c->len == sizeof(c->buf))
            dm_console_flush(c, name);
        c->buf[c->len++] = (char)ch;
    }
}
