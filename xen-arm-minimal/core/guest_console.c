/* A domain's console output made into lines that cannot be forged: see
 * xam/guest_console.h for the rules. */
#include <xam/guest_console.h>
#include <xam/log.h>

static void print_line(struct guest_console *c, const char *name)
{
    c->line[c->len] = '\0';
    log_msg(LOG_INFO, "(%s) %s", name, c->line);
    c->len = 0;
}

static bool needs_escape(unsigned char b)
{
    return (b < 0x20 && b != '\t') || b == 0x7f || b == '\\';
}

void guest_console_write(struct guest_console *c, const char *name, const char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)buf[i];
        if (b == '\n') {
            print_line(c, name);
            continue;
        }
        if (b == '\r')
            continue;
        bool esc = needs_escape(b);
        /* a full line is printed only when more text comes: a line of
         * exactly GUEST_CONSOLE_LINE_MAX characters and its '\n' stay one */
        if (c->len + (esc ? 4u : 1u) > GUEST_CONSOLE_LINE_MAX)
            print_line(c, name);
        if (esc) {
            c->line[c->len++] = '\\';
            c->line[c->len++] = 'x';
            c->line[c->len++] = hex[b >> 4];
            c->line[c->len++] = hex[b & 0xf];
        } else {
            c->line[c->len++] = (char)b;
        }
    }
}

void guest_console_flush(struct guest_console *c, const char *name)
{
    if (c->len)
        print_line(c, name);
}
