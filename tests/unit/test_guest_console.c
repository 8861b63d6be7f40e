/* A domain's console output (core/guest_console.c): every line it prints is
 * "(name) text" with nothing in the text that could end the line, start
 * another or drive the terminal; the focused (live) console's text goes out
 * as written, and lines stay whole. This program is its own
 * console_guest_piece() (common/log.c's rules, without the time): the
 * physical lines the UART would show are captured here. */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <xam/guest_console.h>
#include <xam/log.h>

#define MAX_LINES 256
#define LINE_SIZE 1100
static char lines[MAX_LINES][LINE_SIZE];
static unsigned nlines;
/* the line open on the "UART" (its text so far in open_text) */
static const void *open_line;
static char open_text[LINE_SIZE];
static size_t open_len;

static void emit(const char *s)
{
    assert_true(nlines < MAX_LINES);
    assert_true(strlen(s) < LINE_SIZE);
    strcpy(lines[nlines++], s);
}

static void end_open_line(void)
{
    if (open_line) {
        open_text[open_len++] = CONSOLE_CONTINUED_MARK;
        open_text[open_len] = '\0';
        emit(open_text);
    }
    open_line = NULL;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
    fail_msg("a guest's text went to log_msg");
}

void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end)
{
    assert_true(n <= GUEST_CONSOLE_LINE_MAX);
    if (open_line != line) {
        end_open_line();
        open_len = (size_t)snprintf(open_text, sizeof(open_text), "(%s) ", name);
    }
    assert_true(open_len + n + 2 < sizeof(open_text));
    memcpy(open_text + open_len, text, n);
    open_len += n;
    open_text[open_len] = '\0';
    open_line = line;
    if (end == CONSOLE_PIECE_LINE) {
        emit(open_text);
        open_line = NULL;
    } else if (end == CONSOLE_PIECE_CONTINUED) {
        end_open_line();
    }
}

/* A line of the hypervisor's own: it ends the open line first (log.c). */
static void hypervisor_line(const char *s)
{
    end_open_line();
    emit(s);
}

static struct guest_console con;

static int reset(void **state)
{
    (void)state;
    memset(&con, 0, sizeof(con));
    nlines = 0;
    open_line = NULL;
    return 0;
}

static void put(const char *s) { guest_console_write(&con, "dom", s, strlen(s), false); }
static void put_live(const char *s) { guest_console_write(&con, "dom", s, strlen(s), true); }

/* The captured lines, each as given (with its "(dom) " prefix). */
static void expect_lines(unsigned n, ...)
{
    va_list ap;
    va_start(ap, n);
    assert_int_equal(nlines, n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(lines[i], va_arg(ap, const char *));
    va_end(ap);
}

/* What every printed line must be, whatever the guest wrote (but line
 * skip, the hypervisor's). */
static void assert_all_lines_safe_except(unsigned skip)
{
    for (unsigned i = 0; i < nlines; i++) {
        if (i == skip)
            continue;
        const unsigned char *s = (const unsigned char *)lines[i];
        assert_memory_equal(s, "(dom) ", 6);
        assert_true(strlen(lines[i]) - 6 <= GUEST_CONSOLE_LINE_MAX + 1); /* and the mark */
        for (; *s; s++)
            assert_true(*s == '\t' || (*s >= 0x20 && *s != 0x7f));
    }
}

static void assert_all_lines_safe(void) { assert_all_lines_safe_except(MAX_LINES); }

static void plain_lines(void **state)
{
    (void)state;
    put("hello\n");
    put("hel");
    put("");
    put("lo");
    assert_int_equal(nlines, 1); /* a partial line waits */
    put(" again\nand\n");
    expect_lines(3, "(dom) hello", "(dom) hello again", "(dom) and");
}

static void empty_line(void **state)
{
    (void)state;
    put("\n\r\n");
    expect_lines(2, "(dom) ", "(dom) ");
}

static void embedded_newline_cannot_forge_a_line(void **state)
{
    (void)state;
    put("ok\n[    0.100000] ERROR: *** CRASH on CPU0: synchronous exception at EL2\n"
        "[    0.100001] all domains have stopped: powering off\n");
    expect_lines(3, "(dom) ok", "(dom) [    0.100000] ERROR: *** CRASH on CPU0: synchronous exception at EL2",
                 "(dom) [    0.100001] all domains have stopped: powering off");
    assert_all_lines_safe();
}

static void escape_sequences_are_shown(void **state)
{
    (void)state;
    /* clear the screen, home the cursor; cursor up and erase the line */
    put("\x1b[2J\x1b[Hfake\x1b[1A\x1b[2Kover\n");
    /* OSC (window title) ended by BEL, and by ST */
    put("\x1b]0;owned\x07text\x1b]2;t\x1b\\\n");
    expect_lines(2, "(dom) \\x1b[2J\\x1b[Hfake\\x1b[1A\\x1b[2Kover", "(dom) \\x1b]0;owned\\x07text\\x1b]2;t\\x1b\\x5c");
    assert_all_lines_safe();
}

static void carriage_return_is_dropped(void **state)
{
    (void)state;
    /* a bare CR would let the text after it overwrite the prefix on a terminal */
    put("innocent\r[    0.100000] ERROR: forged\r\n");
    put("\r\r");
    put("x\r\n");
    expect_lines(2, "(dom) innocent[    0.100000] ERROR: forged", "(dom) x");
}

static void other_controls(void **state)
{
    (void)state;
    /* NUL, backspaces (overwriting the prefix), DEL, form feed, vertical
     * tab, and every other C0 control */
    guest_console_write(&con, "dom", "a\0b\b\b\b\b\x7f\f\v\t.\n", 13, false);
    char all[32];
    for (int i = 0; i < 32; i++)
        all[i] = (char)i;
    guest_console_write(&con, "dom", all, sizeof(all), false); /* the '\n' in it ends the first line */
    put("\n");
    expect_lines(
        3, "(dom) a\\x00b\\x08\\x08\\x08\\x08\\x7f\\x0c\\x0b\t.",
        "(dom) \\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\t",
        "(dom) \\x0b\\x0c\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f");
    assert_all_lines_safe();
}

static void backslash_is_escaped(void **state)
{
    (void)state;
    /* a literal "\x1b" from the guest must not read as an escaped ESC */
    put("C:\\x1b \\\\\n");
    expect_lines(1, "(dom) C:\\x5cx1b \\x5c\\x5c");
}

static void high_bytes_pass(void **state)
{
    (void)state;
    /* UTF-8 text from Linux, unchanged; a lone 0x9b (C1 CSI in 8-bit
     * terminals, not in UTF-8 ones) passes too, as every byte >= 0x80 */
    put("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\xa7\n");
    put("\x9b"
        "2J\xff\x80\n");
    expect_lines(2, "(dom) h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\xa7",
                 "(dom) \x9b"
                 "2J\xff\x80");
    assert_all_lines_safe();
}

/* CSI written as UTF-8 (U+009B) is obeyed by UTF-8 terminals like ESC [ */
static void utf8_c1_controls_are_escaped(void **state)
{
    (void)state;
    put("a\xc2\x9b"
        "2Jb\n"); /* CSI 2 J: clear the screen */
    put("\xc2\xa9 2026\n"); /* the copyright sign is text */
    put("x\xc2"); /* held across two writes ... */
    put("\x85y\n"); /* ... and NEL found */
    put("\xc2\r\x9b\n"); /* a CR between changes nothing */
    put("z\xc2");
    guest_console_flush(&con, "dom"); /* a held lone 0xc2 is flushed as it is */
    expect_lines(5, "(dom) a\\xc2\\x9b2Jb", "(dom) \xc2\xa9 2026", "(dom) x\\xc2\\x85y", "(dom) \\xc2\\x9b",
                 "(dom) z\xc2");
    assert_all_lines_safe();
}

/* The line as the UART shows it, "(dom) " and n times c, with the mark. */
static const char *dom_line(char c, unsigned n, bool mark)
{
    static char buf[4][LINE_SIZE];
    static unsigned next;
    char *l = buf[next++ % 4];
    assert_true(n + 8 < LINE_SIZE);
    int k = snprintf(l, LINE_SIZE, "(dom) ");
    memset(l + k, c, n);
    l[k + n] = mark ? CONSOLE_CONTINUED_MARK : '\0';
    l[k + n + 1] = '\0';
    return l;
}

static void long_lines_are_cut(void **state)
{
    (void)state;
    enum { MAX = GUEST_CONSOLE_LINE_MAX };
    char buf[2 * MAX + 100];
    memset(buf, 'a', sizeof(buf));
    /* 300 characters: one line */
    buf[300] = '\n';
    guest_console_write(&con, "dom", buf, 301, false);
    expect_lines(1, dom_line('a', 300, false));
    buf[300] = 'a';

    /* longer than two: cut twice, each piece marked, the last not */
    nlines = 0;
    buf[2 * MAX + 80] = '\n';
    guest_console_write(&con, "dom", buf, 2 * MAX + 81, false);
    expect_lines(3, dom_line('a', MAX, true), dom_line('a', MAX, true), dom_line('a', 80, false));
    buf[2 * MAX + 80] = 'a';
    assert_all_lines_safe();

    /* exactly full, then its '\n': one line, no empty one after it */
    nlines = 0;
    guest_console_write(&con, "dom", buf, MAX, false);
    assert_int_equal(nlines, 0);
    put("\n");
    expect_lines(1, dom_line('a', MAX, false));

    /* one more character: it starts the next piece */
    nlines = 0;
    guest_console_write(&con, "dom", buf, MAX + 1, false);
    put("\n");
    expect_lines(2, dom_line('a', MAX, true), "(dom) a");
}

static void escapes_are_never_split(void **state)
{
    (void)state;
    char buf[GUEST_CONSOLE_LINE_MAX], want[LINE_SIZE];
    memset(buf, 'a', sizeof(buf));
    for (unsigned before = GUEST_CONSOLE_LINE_MAX - 4; before < GUEST_CONSOLE_LINE_MAX; before++) {
        nlines = 0;
        guest_console_write(&con, "dom", buf, before, false);
        put("\x1b"
            "b\n");
        if (before == GUEST_CONSOLE_LINE_MAX - 4) { /* the escape just fits */
            snprintf(want, sizeof(want), "(dom) %.*s\\x1b\\", (int)before, buf);
            expect_lines(2, want, "(dom) b");
        } else {
            snprintf(want, sizeof(want), "(dom) %.*s\\", (int)before, buf);
            expect_lines(2, want, "(dom) \\x1bb");
        }
    }
    /* a line of nothing but escapes: 128 per piece */
    nlines = 0;
    for (int i = 0; i < 300; i++)
        put("\x07");
    guest_console_flush(&con, "dom");
    assert_int_equal(nlines, 3);
    assert_int_equal(strlen(lines[0]) - 6, GUEST_CONSOLE_LINE_MAX + 1);
    assert_int_equal(strlen(lines[1]) - 6, GUEST_CONSOLE_LINE_MAX + 1);
    assert_int_equal(strlen(lines[2]) - 6, 44 * 4);
    assert_all_lines_safe();
}

static void partial_line_flushed(void **state)
{
    (void)state;
    guest_console_flush(&con, "dom"); /* nothing pending: nothing printed */
    assert_int_equal(nlines, 0);
    put("first\nhalf a li");
    put("ne\x1b");
    guest_console_flush(&con, "dom");
    guest_console_flush(&con, "dom");
    put("next\n");
    expect_lines(3, "(dom) first", "(dom) half a line\\x1b", "(dom) next");
}

static void consoles_are_separate(void **state)
{
    (void)state;
    struct guest_console other = { 0 };
    put("mine ");
    guest_console_write(&other, "other", "theirs\n", 7, false);
    put("and mine\n");
    expect_lines(2, "(other) theirs", "(dom) mine and mine");
}

/* However the same bytes arrive (one call, single bytes, random pieces),
 * the lines are the same. */
static void split_writes_make_the_same_lines(void **state)
{
    (void)state;
    static const char alphabet[] = "ab\n\r\x1b\x07\\\t\x7f\x9b\xc3\xa9";
    uint64_t seed = 7;
    char in[2000];
    for (unsigned i = 0; i < sizeof(in); i++) {
        /* mostly letters, so long lines happen too */
        unsigned r = (unsigned)unit_rand(&seed);
        in[i] = r % 4 ? 'x' : alphabet[r / 4 % (sizeof(alphabet) - 1)];
    }
    static char whole[MAX_LINES][LINE_SIZE];
    guest_console_write(&con, "dom", in, sizeof(in), false);
    guest_console_flush(&con, "dom");
    unsigned n = nlines;
    assert_true(n > 10);
    memcpy(whole, lines, sizeof(whole));
    assert_all_lines_safe();

    nlines = 0;
    for (unsigned i = 0; i < sizeof(in); i++)
        guest_console_write(&con, "dom", in + i, 1, false);
    guest_console_flush(&con, "dom");
    assert_int_equal(nlines, n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(lines[i], whole[i]);

    nlines = 0;
    for (unsigned i = 0; i < sizeof(in);) {
        unsigned k = (unsigned)unit_rand(&seed) % 300;
        k = k > sizeof(in) - i ? (unsigned)sizeof(in) - i : k;
        guest_console_write(&con, "dom", in + i, k, false);
        i += k;
    }
    guest_console_flush(&con, "dom");
    assert_int_equal(nlines, n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(lines[i], whole[i]);
}

/* The focused domain's console: its text shows as it is written, before
 * the line ends, on one line that stays open. */
static void live_text_shows_as_written(void **state)
{
    (void)state;
    put_live("~ # ");
    assert_int_equal(nlines, 0);
    assert_ptr_equal(open_line, &con);
    assert_string_equal(open_text, "(dom) ~ # ");
    put_live("e");
    put_live("c");
    assert_string_equal(open_text, "(dom) ~ # ec");
    put_live("ho\n");
    expect_lines(1, "(dom) ~ # echo");
    assert_null(open_line);
    /* the control characters of an interactive shell are escaped as ever */
    put_live("\x1b[6n\r\n");
    expect_lines(2, "(dom) ~ # echo", "(dom) \\x1b[6n");
}

/* Another domain's line, or the hypervisor's, while the focused one's line
 * is open: the open line is ended with the mark, the other comes whole, and
 * the rest of the focused line follows on a line with its prefix. */
static void others_never_land_inside_the_open_line(void **state)
{
    (void)state;
    struct guest_console other = { 0 };
    put_live("~ # ec");
    guest_console_write(&other, "other", "a whole line\n", 13, false);
    hypervisor_line("console: something");
    put_live("ho hi");
    put_live("\n");
    expect_lines(4, "(dom) ~ # ec\\", "(other) a whole line", "console: something", "(dom) ho hi");
    /* a line ended right after an interruption: its end comes as an empty
     * piece, so joining the pieces gives the line exactly */
    nlines = 0;
    put_live("abc");
    hypervisor_line("hv");
    put_live("\n");
    expect_lines(3, "(dom) abc\\", "hv", "(dom) ");
    assert_all_lines_safe_except(1);
}

/* The focus moves to a domain: what it wrote of a line so far goes out,
 * left open; the domain that loses it goes back to whole lines. */
static void focus_moves(void **state)
{
    (void)state;
    struct guest_console other = { 0 };
    put("login: ");
    guest_console_write(&other, "other", "# ", 2, true); /* the other has the focus */
    assert_int_equal(nlines, 0);
    /* focus to dom: the other's open line is ended by the switch's line */
    hypervisor_line("console: input to dom");
    guest_console_go_live(&con, "dom");
    assert_string_equal(open_text, "(dom) login: ");
    guest_console_go_live(&con, "dom"); /* nothing pending: nothing more */
    put_live("root");
    guest_console_write(&other, "other", "ls\n", 3, false); /* whole now */
    put("\n"); /* the focus went away before the line ended */
    expect_lines(5, "(other) # \\", "console: input to dom", "(dom) login: root\\", "(other) ls", "(dom) ");
}

/* A live line longer than the limit is cut there, as any other. */
static void live_long_line_is_cut(void **state)
{
    (void)state;
    for (unsigned i = 0; i < GUEST_CONSOLE_LINE_MAX + 10; i++)
        put_live("b");
    put_live("\n");
    expect_lines(2, dom_line('b', GUEST_CONSOLE_LINE_MAX, true), dom_line('b', 10, false));
}

/* Whatever the focus does and whoever else prints, the pieces of each
 * domain's lines, joined at the marks, are the lines it wrote: nothing
 * lost, nothing doubled, nothing of anyone else's inside. */
static void pieces_join_to_the_lines(void **state)
{
    (void)state;
    static const char alphabet[] = "ab\n\x1b\\\t";
    uint64_t seed = 11;
    struct guest_console cons[2] = { { 0 }, { 0 } };
    static const char *const names[2] = { "d0", "d1" };
    static char want[2][8192], got[2][8192];
    size_t wlen[2] = { 0, 0 }, glen[2] = { 0, 0 };
    for (unsigned step = 0; step < 3000; step++) {
        unsigned r = (unsigned)unit_rand(&seed);
        unsigned who = r & 1, live = (r >> 1) % 3 == 0;
        if ((r >> 3) % 50 == 0) {
            hypervisor_line("hv");
            continue;
        }
        if ((r >> 3) % 50 == 1) {
            guest_console_go_live(&cons[who], names[who]);
            continue;
        }
        char ch = r >> 9 & 3 ? 'x' : alphabet[(r >> 11) % (sizeof(alphabet) - 1)];
        if (wlen[who] < sizeof(want[0]) - 8) {
            if (ch == '\x1b' || ch == '\\') { /* as rendered */
                wlen[who] += (size_t)sprintf(want[who] + wlen[who], "\\x%02x", (unsigned char)ch);
            } else {
                want[who][wlen[who]++] = ch;
            }
            guest_console_write(&cons[who], names[who], &ch, 1, live);
        }
        /* collect what came out, joining at the marks */
        for (unsigned i = 0; i < nlines; i++) {
            const char *l = lines[i];
            if (strcmp(l, "hv") == 0)
                continue;
            unsigned w = l[2] == '1';
            assert_memory_equal(l, w ? "(d1) " : "(d0) ", 5);
            size_t n = strlen(l + 5);
            bool marked = n && l[5 + n - 1] == CONSOLE_CONTINUED_MARK;
            memcpy(got[w] + glen[w], l + 5, n - marked);
            glen[w] += n - marked;
            if (!marked)
                got[w][glen[w]++] = '\n';
        }
        nlines = 0;
    }
    for (unsigned w = 0; w < 2; w++) {
        guest_console_write(&cons[w], names[w], "\n", 1, false);
        want[w][wlen[w]++] = '\n';
    }
    for (unsigned i = 0; i < nlines; i++) {
        const char *l = lines[i];
        if (strcmp(l, "hv") == 0)
            continue;
        unsigned w = l[2] == '1';
        size_t n = strlen(l + 5);
        bool marked = n && l[5 + n - 1] == CONSOLE_CONTINUED_MARK;
        memcpy(got[w] + glen[w], l + 5, n - marked);
        glen[w] += n - marked;
        if (!marked)
            got[w][glen[w]++] = '\n';
    }
    for (unsigned w = 0; w < 2; w++) {
        assert_int_equal(glen[w], wlen[w]);
        assert_memory_equal(got[w], want[w], wlen[w]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(plain_lines, reset),
        cmocka_unit_test_setup(empty_line, reset),
        cmocka_unit_test_setup(embedded_newline_cannot_forge_a_line, reset),
        cmocka_unit_test_setup(escape_sequences_are_shown, reset),
        cmocka_unit_test_setup(carriage_return_is_dropped, reset),
        cmocka_unit_test_setup(other_controls, reset),
        cmocka_unit_test_setup(backslash_is_escaped, reset),
        cmocka_unit_test_setup(high_bytes_pass, reset),
        cmocka_unit_test_setup(long_lines_are_cut, reset),
        cmocka_unit_test_setup(escapes_are_never_split, reset),
        cmocka_unit_test_setup(utf8_c1_controls_are_escaped, reset),
        cmocka_unit_test_setup(partial_line_flushed, reset),
        cmocka_unit_test_setup(consoles_are_separate, reset),
        cmocka_unit_test_setup(split_writes_make_the_same_lines, reset),
        cmocka_unit_test_setup(live_text_shows_as_written, reset),
        cmocka_unit_test_setup(others_never_land_inside_the_open_line, reset),
        cmocka_unit_test_setup(focus_moves, reset),
        cmocka_unit_test_setup(live_long_line_is_cut, reset),
        cmocka_unit_test_setup(pieces_join_to_the_lines, reset),
    };
    return cmocka_run_group_tests_name("guest_console", tests, NULL, NULL);
}
