/* A domain's console output (core/guest_console.c): every line it prints is
 * "(name) text" with nothing in the text that could end the line, start
 * another or drive the terminal. This program is its own log_msg(): the
 * lines are captured here instead of printed. */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <xam/guest_console.h>
#include <xam/log.h>

#define MAX_LINES 256
static char lines[MAX_LINES][512];
static unsigned nlines;

void log_msg(enum log_level level, const char *fmt, ...)
{
    assert_int_equal(level, LOG_INFO);
    assert_true(nlines < MAX_LINES);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(lines[nlines], sizeof(lines[0]), fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(lines[0]));
    nlines++;
}

static struct guest_console con;

static int reset(void **state)
{
    (void)state;
    memset(&con, 0, sizeof(con));
    nlines = 0;
    return 0;
}

static void put(const char *s) { guest_console_write(&con, "dom", s, strlen(s)); }

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

/* What every printed line must be, whatever the guest wrote. */
static void assert_all_lines_safe(void)
{
    for (unsigned i = 0; i < nlines; i++) {
        const unsigned char *s = (const unsigned char *)lines[i];
        assert_memory_equal(s, "(dom) ", 6);
        assert_true(strlen(lines[i]) - 6 <= GUEST_CONSOLE_LINE_MAX);
        for (; *s; s++)
            assert_true(*s == '\t' || (*s >= 0x20 && *s != 0x7f));
    }
}

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
    guest_console_write(&con, "dom", "a\0b\b\b\b\b\x7f\f\v\t.\n", 13);
    char all[32];
    for (int i = 0; i < 32; i++)
        all[i] = (char)i;
    guest_console_write(&con, "dom", all, sizeof(all)); /* the '\n' in it ends the first line */
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

static void long_lines_are_cut(void **state)
{
    (void)state;
    char buf[512], a160[GUEST_CONSOLE_LINE_MAX + 7], a80[87];
    memset(buf, 'a', 400);
    buf[400] = '\n';
    guest_console_write(&con, "dom", buf, 401);
    snprintf(a160, sizeof(a160), "(dom) %.*s", GUEST_CONSOLE_LINE_MAX, buf);
    snprintf(a80, sizeof(a80), "(dom) %.*s", 80, buf);
    expect_lines(3, a160, a160, a80);
    assert_all_lines_safe();

    /* exactly full, then its '\n': one line, no empty one after it */
    nlines = 0;
    guest_console_write(&con, "dom", buf, GUEST_CONSOLE_LINE_MAX);
    assert_int_equal(nlines, 0);
    put("\n");
    expect_lines(1, a160);

    /* one more character: it starts the next line */
    nlines = 0;
    guest_console_write(&con, "dom", buf, GUEST_CONSOLE_LINE_MAX + 1);
    put("\n");
    expect_lines(2, a160, "(dom) a");
}

static void escapes_are_never_split(void **state)
{
    (void)state;
    char buf[GUEST_CONSOLE_LINE_MAX], want[GUEST_CONSOLE_LINE_MAX + 7];
    memset(buf, 'a', sizeof(buf));
    for (unsigned before = GUEST_CONSOLE_LINE_MAX - 4; before < GUEST_CONSOLE_LINE_MAX; before++) {
        nlines = 0;
        guest_console_write(&con, "dom", buf, before);
        put("\x1b"
            "b\n");
        if (before == GUEST_CONSOLE_LINE_MAX - 4) { /* the escape just fits */
            snprintf(want, sizeof(want), "(dom) %.*s\\x1b", (int)before, buf);
            expect_lines(2, want, "(dom) b");
        } else {
            snprintf(want, sizeof(want), "(dom) %.*s", (int)before, buf);
            expect_lines(2, want, "(dom) \\x1bb");
        }
    }
    /* a line of nothing but escapes: 40 per line */
    nlines = 0;
    for (int i = 0; i < 100; i++)
        put("\x07");
    guest_console_flush(&con, "dom");
    assert_int_equal(nlines, 3);
    assert_int_equal(strlen(lines[0]) - 6, GUEST_CONSOLE_LINE_MAX);
    assert_int_equal(strlen(lines[1]) - 6, GUEST_CONSOLE_LINE_MAX);
    assert_int_equal(strlen(lines[2]) - 6, 20 * 4);
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
    guest_console_write(&other, "other", "theirs\n", 7);
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
    static char whole[MAX_LINES][512];
    guest_console_write(&con, "dom", in, sizeof(in));
    guest_console_flush(&con, "dom");
    unsigned n = nlines;
    assert_true(n > 10);
    memcpy(whole, lines, sizeof(whole));
    assert_all_lines_safe();

    nlines = 0;
    for (unsigned i = 0; i < sizeof(in); i++)
        guest_console_write(&con, "dom", in + i, 1);
    guest_console_flush(&con, "dom");
    assert_int_equal(nlines, n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(lines[i], whole[i]);

    nlines = 0;
    for (unsigned i = 0; i < sizeof(in);) {
        unsigned k = (unsigned)unit_rand(&seed) % 300;
        k = k > sizeof(in) - i ? (unsigned)sizeof(in) - i : k;
        guest_console_write(&con, "dom", in + i, k);
        i += k;
    }
    guest_console_flush(&con, "dom");
    assert_int_equal(nlines, n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(lines[i], whole[i]);
}

/* log.c formats into 256 bytes: "[%5llu.%06llu] " (15 characters until
 * day 1.16), the message in at most 256 - 15 - 2 characters, then '\n'.
 * The longest message: a name of DOMAIN_NAME_MAX - 1 = 31 characters and a
 * full line. */
static void longest_line_fits_log(void **state)
{
    (void)state;
    char name[32], buf[GUEST_CONSOLE_LINE_MAX];
    memset(name, 'n', 31);
    name[31] = '\0';
    memset(buf, 'a', sizeof(buf));
    guest_console_write(&con, name, buf, sizeof(buf));
    guest_console_flush(&con, name);
    assert_int_equal(nlines, 1);
    assert_int_equal(strlen(lines[0]), 1 + 31 + 2 + GUEST_CONSOLE_LINE_MAX);
    assert_true(strlen(lines[0]) <= 256 - 15 - 2);
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
        cmocka_unit_test_setup(longest_line_fits_log, reset),
    };
    return cmocka_run_group_tests_name("guest_console", tests, NULL, NULL);
}
