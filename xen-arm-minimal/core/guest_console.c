/* A domain's console output made into lines that cannot be forged: see
 * xam/guest_console.h for the rules. */
#include <xam/guest_console.h>
#include <xam/log.h>

/* What is pending goes out as a piece of the line (end says how it ends). */
static void print_piece(struct guest_console *c, const char *name, enum console_piece_end end)
{
    /* an empty piece too: it ends the line (a line cut before has its
     * end on a "(name) " line of its own, so the pieces join exactly) */
    console_guest_piece(c, name, c->line, c->len, end);
    c->col = end == CONSOLE_PIECE_OPEN ? c->col + c->len : 0;
    c->len = 0;
}

static bool needs_escape(unsigned char b) { return (b < 0x20 && b != '\t') || b == 0x7f || b == '\\'; }

/* Append the rendering of one byte (escaped or not), cutting the line
 * first if it would not fit: need is how much must fit together. */
static void put(struct guest_console *c, const char *name, unsigned char b, bool esc, unsigned need)
{
    static const char hex[] = "0123456789abcdef";
    /* a full line is cut only when more text comes: a line of exactly
     * GUEST_CONSOLE_LINE_MAX characters and its '\n' stay one */
    if (c->col + c->len + need > GUEST_CONSOLE_LINE_MAX)
        print_piece(c, name, CONSOLE_PIECE_CONTINUED);
    if (esc) {
        c->line[c->len++] = '\\';
        c->line[c->len++] = 'x';
        c->line[c->len++] = hex[b >> 4];
        c->line[c->len++] = hex[b & 0xf];
    } else {
        c->line[c->len++] = (char)b;
    }
}

/* A held 0xc2 that did not start a C1 control goes out as it is. */
static void release_c2(struct guest_console *c, const char *name)
{
    if (c->held_c2) {
        c->held_c2 = false;
        put(c, name, 0xc2, false, 1);
    }
}

void guest_console_write(struct guest_console *c, const char *name, const char *buf, size_t n, bool live)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)buf[i];
        if (b == '\r')
            continue;
        if (c->held_c2 && b >= 0x80 && b <= 0x9f) {
            /* U+0080..U+009F in UTF-8: the 8-bit C1 controls (CSI is
             * U+009B), which terminals obey like ESC sequences */
            c->held_c2 = false;
            put(c, name, 0xc2, true, 8);
            put(c, name, b, true, 4);
            continue;
        }
        release_c2(c, name);
        if (b == '\n') {
            print_piece(c, name, CONSOLE_PIECE_LINE);
            continue;
        }
        if (b == 0xc2) { /* maybe the first byte of a C1 control: wait */
            c->held_c2 = true;
            continue;
        }
        bool esc = needs_escape(b);
        put(c, name, b, esc, esc ? 4u : 1u);
    }
    if (live && c->len)
        print_piece(c, name, CONSOLE_PIECE_OPEN);
}

void guest_console_go_live(struct guest_console *c, const char *name)
{
    if (c->len)
        print_piece(c, name, CONSOLE_PIECE_OPEN);
}

void guest_console_flush(struct guest_console *c, const char *name)
{
    release_c2(c, name);
    if (c->len || c->col)
        print_piece(c, name, CONSOLE_PIECE_LINE);
}
