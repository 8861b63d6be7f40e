/* libFuzzer target: guest_console_write()/flush() (core/guest_console.c).
 * Input: the bytes a domain writes to its console. They are written twice:
 * in pieces of pseudo-random sizes (from a hash of the input), and one byte
 * at a time, so each printed line is known to have been ended by a '\n', cut
 * for length (by the byte that did not fit) or flushed; and live (as the
 * focused domain's, each write's text out at once) in the same pieces.
 * Checked:
 *  - all three ways print the same lines;
 *  - every line is "(fz) " and at most GUEST_CONSOLE_LINE_MAX characters,
 *    each a tab, a byte from 0x20 to 0x7e, or one from 0x80 up (so never
 *    '\n' or '\r'); every '\' starts an escape \xNN (lower-case hex) of a
 *    byte that needs one;
 *  - a line is cut only when the next character would not fit, and only
 *    the last line can be a flushed one; an empty line only for a '\n';
 *  - the lines, escapes undone and a '\n' after each line a '\n' ended,
 *    are the input without its '\r' bytes. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xam/guest_console.h>
#include <xam/log.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX "(fz) "
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define FLUSHED (-1)

struct line {
    char text[GUEST_CONSOLE_LINE_MAX + 1]; /* without the prefix */
    unsigned len;
    int by; /* the byte whose write printed it, or FLUSHED */
};
static struct line *lines;
static size_t nlines, cap;
static int current_by; /* set around each write of the byte-wise pass */

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* The physical line being built from pieces (xam/log.h): a live write
 * leaves it open; a line or a cut ends it. One console, nothing else
 * printing: the pieces of a line all land on one physical line. */
static struct line open_piece;
static bool is_open;

void log_msg(enum log_level level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
    CHECK(!"a guest's text went to log_msg");
}

void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end)
{
    (void)line;
    CHECK(strcmp(name, "fz") == 0);
    if (!is_open)
        open_piece.len = 0;
    CHECK(open_piece.len + n <= GUEST_CONSOLE_LINE_MAX);
    memcpy(open_piece.text + open_piece.len, text, n);
    open_piece.len += (unsigned)n;
    is_open = end == CONSOLE_PIECE_OPEN;
    if (is_open)
        return;
    if (nlines == cap) {
        cap = cap ? cap * 2 : 64;
        lines = realloc(lines, cap * sizeof(*lines));
        CHECK(lines);
    }
    struct line *l = &lines[nlines++];
    memcpy(l->text, open_piece.text, open_piece.len);
    l->text[open_piece.len] = '\0';
    l->len = open_piece.len;
    l->by = current_by;
}

static bool needs_escape(uint8_t b) { return (b < 0x20 && b != '\t') || b == 0x7f || b == '\\'; }

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guest_console c;
    const char *in = (const char *)data;

    /* in pieces: sizes 0 to 63 from an FNV-1a hash of the input */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    memset(&c, 0, sizeof(c));
    nlines = 0;
    current_by = 0;
    for (size_t i = 0; i < size;) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t k = (size_t)(h >> 58);
        k = k > size - i ? size - i : k;
        guest_console_write(&c, "fz", in + i, k, false);
        i += k;
    }
    guest_console_flush(&c, "fz");
    size_t npieces = nlines;
    struct line *pieces = malloc((npieces ? npieces : 1) * sizeof(*pieces));
    CHECK(pieces);
    if (npieces)
        memcpy(pieces, lines, npieces * sizeof(*pieces));

    /* live (the focused domain), in the same pieces: its text goes out as
     * written, and the physical lines are the same */
    memset(&c, 0, sizeof(c));
    nlines = 0;
    is_open = false;
    h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    for (size_t i = 0; i < size;) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t k = (size_t)(h >> 58);
        k = k > size - i ? size - i : k;
        guest_console_write(&c, "fz", in + i, k, true);
        /* whatever was written is out (a held 0xc2 is not text yet) */
        CHECK(c.len == 0);
        i += k;
    }
    guest_console_flush(&c, "fz");
    CHECK(!is_open);
    CHECK(nlines == npieces);
    for (size_t i = 0; i < nlines; i++)
        CHECK(lines[i].len == pieces[i].len && memcmp(lines[i].text, pieces[i].text, lines[i].len) == 0);

    /* a byte at a time */
    memset(&c, 0, sizeof(c));
    nlines = 0;
    for (size_t i = 0; i < size; i++) {
        current_by = data[i];
        guest_console_write(&c, "fz", in + i, 1, false);
    }
    current_by = FLUSHED;
    guest_console_flush(&c, "fz");
    guest_console_flush(&c, "fz"); /* a second flush prints nothing */

    CHECK(nlines == npieces);
    for (size_t i = 0; i < nlines; i++)
        CHECK(lines[i].len == pieces[i].len && memcmp(lines[i].text, pieces[i].text, lines[i].len) == 0);
    free(pieces);

    /* decode, and compare with the input without '\r' */
    size_t pos = 0; /* in the input */
    for (size_t i = 0; i < nlines; i++) {
        const struct line *l = &lines[i];
        for (unsigned j = 0; j < l->len;) {
            uint8_t b = (uint8_t)l->text[j], orig;
            CHECK(b == '\t' || (b >= 0x20 && b != 0x7f));
            if (b == '\\') {
                CHECK(j + 4 <= l->len && l->text[j + 1] == 'x');
                int hi = hexval(l->text[j + 2]), lo = hexval(l->text[j + 3]);
                CHECK(hi >= 0 && lo >= 0);
                orig = (uint8_t)(hi << 4 | lo);
                /* a C1 control in UTF-8: 0xc2 and its second byte, both escaped */
                size_t at = pos, nx, pv;
                while (at < size && data[at] == '\r')
                    at++;
                for (nx = at + 1; nx < size && data[nx] == '\r'; nx++)
                    ;
                for (pv = at; pv > 0 && data[pv - 1] == '\r'; pv--)
                    ;
                bool c1_lead = orig == 0xc2 && nx < size && data[nx] >= 0x80 && data[nx] <= 0x9f;
                bool c1_tail = orig >= 0x80 && orig <= 0x9f && pv > 0 && data[pv - 1] == 0xc2;
                CHECK(needs_escape(orig) || c1_lead || c1_tail);
                j += 4;
            } else {
                orig = b;
                j++;
            }
            while (pos < size && data[pos] == '\r')
                pos++;
            CHECK(pos < size && data[pos] == orig);
            pos++;
        }
        while (pos < size && data[pos] == '\r')
            pos++;
        if (l->by == '\n' && pos < size && data[pos] == '\n') { /* ended by this '\n' */
            pos++;
        } else if (l->by == FLUSHED && i == nlines - 1) {
            CHECK(l->len > 0);
        } else if (l->by == FLUSHED || l->by == '\n') {
            /* a held 0xc2, put out (as it is) by the flush or the '\n',
             * did not fit */
            CHECK(l->len > 0 && pos < size && data[pos] == 0xc2 && l->len + 1 > GUEST_CONSOLE_LINE_MAX);
        } else { /* cut: the byte being written did not fit */
            CHECK(l->len > 0 && l->by != '\r');
            CHECK(pos < size);
            /* the byte being written, or the 0xc2 held before it */
            bool held = data[pos] == 0xc2 && data[pos] != (uint8_t)l->by;
            size_t next = pos + 1;
            while (held && next < size && data[next] == '\r')
                next++;
            CHECK(data[pos] == (uint8_t)l->by || (held && next < size && data[next] == (uint8_t)l->by));
            unsigned need = held               ? ((uint8_t)l->by >= 0x80 && (uint8_t)l->by <= 0x9f ? 8u : 1u)
                : needs_escape((uint8_t)l->by) ? 4u
                                               : 1u;
            CHECK(l->len + need > GUEST_CONSOLE_LINE_MAX);
        }
    }
    while (pos < size && data[pos] == '\r')
        pos++;
    CHECK(pos == size);
    return 0;
}
