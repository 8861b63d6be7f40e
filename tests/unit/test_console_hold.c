/* The console's hold (common/console_hold.c): while one line is part-way
 * out (cut at 512 characters, or the focused domain's open line), others'
 * lines and the hypervisor's wait, in order, until it ends; within bounds
 * (time not counting the UART's, the owner's characters, the buffer), so
 * an endless line keeps nobody out. Domains write through the real
 * core/guest_console.c; this program is its console_guest_piece() and the
 * UART, with a clock of its own (1 tick a millisecond, and a UART that may
 * take ticks per character). */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <xam/console_hold.h>
#include <xam/guest_console.h>
#include <xam/log.h>

#define MAX_LINES 1024
#define LINE_SIZE 700
static char lines[MAX_LINES][LINE_SIZE]; /* physical lines, stamp dropped */
static uint64_t stamps[MAX_LINES], printed_at[MAX_LINES];
static unsigned long expiries_at[MAX_LINES]; /* c.expiries when the line started */
static unsigned nlines;
static char cur[LINE_SIZE]; /* the physical line being written */
static size_t cur_len;
static uint64_t now_ticks, uart_ticks_per_char;

static void uart_write(const char *s, size_t n);
static uint64_t clock_now(void) { return now_ticks; }
static size_t stamp(char *buf, size_t size, uint64_t t)
{
    return (size_t)snprintf(buf, size, "@%llu ", (unsigned long long)t);
}
static const struct console_out_ops ops = { .write = uart_write, .now = clock_now, .stamp = stamp };
static struct console_out out;

static void uart_write(const char *s, size_t n)
{
    now_ticks += uart_ticks_per_char * n;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n') {
            assert_true(cur_len < LINE_SIZE - 1);
            cur[cur_len++] = s[i];
            continue;
        }
        cur[cur_len] = '\0';
        assert_true(nlines < MAX_LINES);
        /* "@T (name) text" or the hypervisor's "@T text": T kept apart */
        assert_int_equal(cur[0], '@');
        char *sp = strchr(cur, ' ');
        assert_non_null(sp);
        stamps[nlines] = strtoull(cur + 1, NULL, 10);
        printed_at[nlines] = now_ticks;
        strcpy(lines[nlines], sp + 1);
        nlines++;
        cur_len = 0;
    }
    if (cur_len && n && s[0] == '@' && nlines < MAX_LINES)
        expiries_at[nlines] = out.expiries;
}

void console_guest_piece(const void *line, const char *name, const char *text, size_t n, enum console_piece_end end)
{
    assert_true(n <= GUEST_CONSOLE_LINE_MAX);
    console_out_piece(&out, line, name, text, n, end);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
    fail_msg("a guest's text went to log_msg");
}

static struct guest_console cons[3];
static const char *const names[3] = { "A", "B", "C" };

static int reset(void **state)
{
    (void)state;
    memset(&out, 0, sizeof(out));
    out = (struct console_out)CONSOLE_OUT_INIT(&ops);
    out.idle_ticks = CONSOLE_HOLD_IDLE_MS;
    out.max_ticks = CONSOLE_HOLD_MAX_MS;
    memset(cons, 0, sizeof(cons));
    nlines = 0;
    cur_len = 0;
    now_ticks = 1000;
    uart_ticks_per_char = 0;
    return 0;
}

static void put(unsigned who, const char *s, bool live)
{
    guest_console_write(&cons[who], names[who], s, strlen(s), live);
}

static void put_n(unsigned who, char ch, size_t n, bool live)
{
    for (size_t i = 0; i < n; i++)
        guest_console_write(&cons[who], names[who], &ch, 1, live);
}

/* The hypervisor's line, stamped now as log.c does. */
static void hv(const char *s)
{
    char buf[256];
    int n = snprintf(buf, sizeof(buf), "@%llu %s\n", (unsigned long long)now_ticks, s);
    console_out_text(&out, buf, (size_t)n);
}

/* "(name) " and n times c, with the mark or not */
static const char *run(const char *name, char c, unsigned n, bool mark)
{
    static char buf[8][LINE_SIZE];
    static unsigned next;
    char *l = buf[next++ % 8];
    int k = snprintf(l, LINE_SIZE, "(%s) ", name);
    memset(l + k, c, n);
    l[k + n] = mark ? CONSOLE_CONTINUED_MARK : '\0';
    l[k + n + 1] = '\0';
    return l;
}

static void expect_lines(unsigned n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n && i < nlines; i++)
        assert_string_equal(lines[i], va_arg(ap, const char *));
    va_end(ap);
    assert_int_equal(nlines, n);
}

static void nothing_waits_without_a_part_way_line(void **state)
{
    (void)state;
    put(0, "a\n", false);
    put(1, "b\n", false);
    hv("hv");
    put(0, "a2\n", true);
    expect_lines(4, "(A) a", "(B) b", "hv", "(A) a2");
    assert_int_equal(console_out_deadline(&out), UINT64_MAX);
}

/* A writes a line of 3000 characters a byte at a time, B a short line every
 * 100 of them: A's six pieces come one after the other, then B's lines in
 * order, each stamped when B wrote it. */
static void long_line_pieces_are_consecutive(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 30; i++) {
        put_n(0, 'a', 100, false);
        char b[32];
        snprintf(b, sizeof(b), "b%u\n", i);
        put(1, b, false);
        now_ticks++;
    }
    put(0, "\n", false);
    assert_int_equal(nlines, 5 + 6 + 25);
    /* B's first five lines came before A's first cut: at once */
    for (unsigned i = 0; i < 5; i++) {
        char b[32];
        snprintf(b, sizeof(b), "(B) b%u", i);
        assert_string_equal(lines[i], b);
        assert_int_equal(stamps[i], 1000 + i);
    }
    for (unsigned p = 0; p < 5; p++)
        assert_string_equal(lines[5 + p], run("A", 'a', 512, true));
    assert_string_equal(lines[10], run("A", 'a', 3000 - 5 * 512, false));
    for (unsigned i = 5; i < 30; i++) {
        char b[32];
        snprintf(b, sizeof(b), "(B) b%u", i);
        assert_string_equal(lines[11 + i - 5], b);
        assert_int_equal(stamps[11 + i - 5], 1000 + i); /* when it was written */
    }
    assert_int_equal(out.expiries, 0);
    assert_int_equal(console_out_deadline(&out), UINT64_MAX);
}

/* The focused domain's open line (a prompt, typed text): others' lines and
 * the hypervisor's wait for its end. */
static void open_line_holds_others(void **state)
{
    (void)state;
    put(0, "~ # ", true);
    put(1, "b1\n", false);
    hv("console: something");
    put(2, "c1\n", false);
    assert_int_equal(nlines, 0);
    assert_int_equal(console_out_deadline(&out), 1000 + CONSOLE_HOLD_IDLE_MS);
    put(0, "l", true);
    put(0, "s\n", true);
    expect_lines(4, "(A) ~ # ls", "(B) b1", "console: something", "(C) c1");
    assert_int_equal(console_out_deadline(&out), UINT64_MAX);
}

/* A line left open keeps nobody out longer than CONSOLE_HOLD_IDLE_MS: then the open line is
 * ended with the mark, what waited comes, and the line goes on under its
 * prefix again. */
static void wait_is_bounded_in_time(void **state)
{
    (void)state;
    put(0, "~ # ", true);
    now_ticks += 10;
    put(1, "b1\n", false);
    now_ticks += 20;
    put(1, "b2\n", false);
    now_ticks = 1010 + CONSOLE_HOLD_IDLE_MS - 1; /* b1 waited 99 */
    console_out_poll(&out);
    assert_int_equal(nlines, 0);
    now_ticks++;
    console_out_poll(&out);
    expect_lines(3, "(A) ~ # \\", "(B) b1", "(B) b2");
    assert_int_equal(printed_at[1] - stamps[1], CONSOLE_HOLD_IDLE_MS);
    assert_int_equal(out.expiries, 1);
    assert_int_equal(console_out_deadline(&out), UINT64_MAX);
    /* the line goes on; its next live text has the hold again */
    put(0, "ls", true);
    put(1, "b3\n", false);
    put(0, "\n", true);
    expect_lines(5, "(A) ~ # \\", "(B) b1", "(B) b2", "(A) ls", "(B) b3");
}

/* The same bound seen by any other caller: a piece or a hypervisor line
 * that comes after the deadline lets the waiting ones out first. */
static void deadline_checked_by_every_caller(void **state)
{
    (void)state;
    put(0, "x", true);
    put(1, "b1\n", false);
    now_ticks += CONSOLE_HOLD_IDLE_MS;
    hv("hv");
    expect_lines(3, "(A) x\\", "(B) b1", "hv");
}

/* An owner writing steadily, a piece within CONSOLE_HOLD_IDLE_MS of the
 * last, keeps the hold, but not past CONSOLE_HOLD_MAX_MS; one that pauses
 * longer loses it then. */
static void steady_owner_bounded_by_max(void **state)
{
    (void)state;
    put_n(0, 'a', 513, false);
    put(1, "b1\n", false); /* at 1000 */
    unsigned pieces = 0;
    while (nlines < 3 + pieces) {
        now_ticks += CONSOLE_HOLD_IDLE_MS - 10;
        console_out_poll(&out);
        if (strcmp(lines[nlines - 1], "(B) b1") == 0)
            break;
        put_n(0, 'a', 512, false);
        pieces++;
        assert_true(pieces < 20);
    }
    assert_string_equal(lines[nlines - 1], "(B) b1");
    assert_true(printed_at[nlines - 1] >= 1000 + CONSOLE_HOLD_MAX_MS);
    assert_true(printed_at[nlines - 1] < 1000 + CONSOLE_HOLD_MAX_MS + CONSOLE_HOLD_IDLE_MS);
    assert_int_equal(pieces, (CONSOLE_HOLD_MAX_MS - 1) / (CONSOLE_HOLD_IDLE_MS - 10));
    /* a pause: the next one waits CONSOLE_HOLD_IDLE_MS after the last piece */
    put_n(0, 'a', 512, false); /* a piece: A has the hold again */
    uint64_t last = now_ticks;
    now_ticks += 5;
    put(1, "b2\n", false);
    now_ticks = last + CONSOLE_HOLD_IDLE_MS + 4;
    console_out_poll(&out);
    assert_string_not_equal(lines[nlines - 1], "(B) b2");
    now_ticks++;
    console_out_poll(&out);
    assert_string_equal(lines[nlines - 1], "(B) b2");
}

/* A slow UART: the time spent printing the owner's pieces is not counted,
 * so its 3000-character line stays whole even though each piece takes
 * longer than the bound; its characters still bound the wait. */
static void uart_time_is_not_the_wait(void **state)
{
    (void)state;
    uart_ticks_per_char = 1;
    put_n(0, 'a', 600, false); /* first piece out */
    put(1, "b1\n", false);
    put_n(0, 'a', 2400, false);
    put(0, "\n", false);
    expect_lines(7, run("A", 'a', 512, true), run("A", 'a', 512, true), run("A", 'a', 512, true),
                 run("A", 'a', 512, true), run("A", 'a', 512, true), run("A", 'a', 3000 - 5 * 512, false), "(B) b1");
    assert_int_equal(out.expiries, 0);
}

/* An endless line, written fast: the others wait until the owner has
 * printed CONSOLE_HOLD_OWNER_MAX characters meanwhile, then come. */
static void endless_line_bounded_by_its_characters(void **state)
{
    (void)state;
    put_n(0, 'a', 513, false); /* cut once: A is the owner */
    assert_int_equal(nlines, 1);
    put(1, "b1\n", false);
    put_n(0, 'a', 40 * 512, false);
    /* b1 comes once more than CONSOLE_HOLD_OWNER_MAX of A's went out */
    unsigned at = 1 + CONSOLE_HOLD_OWNER_MAX / 512 + 1;
    assert_true(nlines > at);
    for (unsigned i = 0; i < at; i++)
        assert_string_equal(lines[i], run("A", 'a', 512, true));
    assert_string_equal(lines[at], "(B) b1");
    assert_int_equal(out.expiries, 1);
    /* and again for the next one, never longer */
    unsigned before = nlines;
    put(1, "b2\n", false);
    put_n(0, 'a', 40 * 512, false);
    assert_string_equal(lines[before + CONSOLE_HOLD_OWNER_MAX / 512 + 1], "(B) b2");
}

/* More than CONSOLE_HOLD_SIZE waiting: everything goes out at once, in
 * order, nothing dropped (the hypervisor's line too). */
static void full_hold_lets_everything_out(void **state)
{
    (void)state;
    put(0, "~ # ", true);
    char b[200];
    memset(b, 'b', sizeof(b));
    b[sizeof(b) - 1] = '\0';
    b[sizeof(b) - 2] = '\n';
    unsigned sent = 0;
    while (nlines == 0) {
        put(1, b, false);
        sent++;
        assert_true(sent < 100);
    }
    assert_true(sent * 200 > CONSOLE_HOLD_SIZE / 2);
    assert_int_equal(nlines, 1 + sent);
    assert_string_equal(lines[0], "(A) ~ # \\");
    for (unsigned i = 1; i <= sent; i++)
        assert_string_equal(lines[i], run("B", 'b', 198, false));
    /* the hypervisor's lines are never dropped either */
    nlines = 0;
    put(0, "x", true);
    for (unsigned i = 0; i < 100; i++)
        hv("a hypervisor line that is not short, so that the hold fills up");
    put(0, "\n", true);
    unsigned n = 0;
    for (unsigned i = 0; i < nlines; i++)
        n += strcmp(lines[i], "a hypervisor line that is not short, so that the hold fills up") == 0;
    assert_int_equal(n, 100);
}

/* Another long line cut while it waits: its pieces stay together when they
 * come out, ahead of what came between them; what waits behind it when
 * its end has not come yet keeps its own deadline. */
static void waiting_long_line_stays_together(void **state)
{
    (void)state;
    put(0, "~ # ", true);
    put_n(1, 'b', 600, false); /* B1 waits */
    put(2, "c1\n", false);
    put_n(1, 'b', 600, false); /* B2 waits */
    put(1, "\n", false); /* B3 */
    put(0, "\n", true);
    expect_lines(5, "(A) ~ # ", run("B", 'b', 512, true), run("B", 'b', 512, true), run("B", 'b', 176, false),
                 "(C) c1");
    /* B's line not finished when A's ends: B owns the console, C waits on */
    nlines = 0;
    put(0, "~ # ", true);
    put_n(1, 'b', 600, false);
    put(2, "c2\n", false);
    now_ticks += 5;
    put(0, "\n", true);
    expect_lines(2, "(A) ~ # ", run("B", 'b', 512, true));
    assert_int_equal(console_out_deadline(&out), 1005 + CONSOLE_HOLD_IDLE_MS); /* B is quiet from now */
    now_ticks = 1005 + CONSOLE_HOLD_IDLE_MS;
    console_out_poll(&out);
    expect_lines(3, "(A) ~ # ", run("B", 'b', 512, true), "(C) c2");
    put(1, "\n", false);
    expect_lines(4, "(A) ~ # ", run("B", 'b', 512, true), "(C) c2", run("B", 'b', 88, false));
}

/* A domain stops mid-line: its flush ends the line, and what waited comes. */
static void stopped_domain_ends_its_line(void **state)
{
    (void)state;
    put_n(0, 'a', 520, false);
    put(1, "b1\n", false);
    hv("A (domain 1): powered off");
    guest_console_flush(&cons[0], "A");
    expect_lines(4, run("A", 'a', 512, true), run("A", 'a', 8, false), "(B) b1", "A (domain 1): powered off");
}

/* The focus moves away mid-line: the line it left stays the owner until
 * it ends or the bound passes; the new focus's text waits meanwhile. */
static void focus_moves_mid_line(void **state)
{
    (void)state;
    put(0, "~ # ec", true);
    hv("console: input to B");
    put(1, "login: ", false);
    guest_console_go_live(&cons[1], "B");
    put(1, "r", true);
    put(0, "ho\n", false); /* A's line ends, no longer live */
    expect_lines(2, "(A) ~ # echo", "console: input to B"); /* B's line open: "(B) login: r" */
    put(1, "oot\n", true);
    expect_lines(3, "(A) ~ # echo", "console: input to B", "(B) login: root");
}

/* A crash: what waits goes out, and nothing waits afterwards. */
static void release_for_good(void **state)
{
    (void)state;
    put(0, "~ # ", true);
    put(1, "b1\n", false);
    console_out_release(&out, true);
    expect_lines(2, "(A) ~ # \\", "(B) b1");
    put(0, "x", true);
    hv("PANIC");
    expect_lines(4, "(A) ~ # \\", "(B) b1", "(A) x\\", "PANIC");
    assert_int_equal(console_out_deadline(&out), UINT64_MAX);
}

/* Any mix of sources, live or not, cut or not, the hypervisor, the clock
 * and polls: joined at the marks, every domain's pieces are its text; a
 * line's pieces are one after the other unless the bound let others
 * through meanwhile; nothing waits longer than the bound. */
static void random_mix(void **state)
{
    (void)state;
    uint64_t seed = 15;
    static char want[3][65536], got[3][65536];
    size_t wlen[3] = { 0 }, glen[3] = { 0 };
    unsigned open_start[3] = { 0 }; /* the physical line a source's line started on */
    bool in_line[3] = { false };
    unsigned long open_exp[3] = { 0 };
    unsigned focus = 3;
    unsigned checked = 0;
    for (unsigned step = 0; step < 20000; step++) {
        unsigned r = (unsigned)unit_rand(&seed);
        unsigned who = r % 3;
        switch (r / 3 % 16) {
        case 0:
            now_ticks += r / 48 % 7;
            console_out_poll(&out);
            break;
        case 1:
            if (r / 48 % 8 == 0) {
                focus = r / 384 % 4;
                hv("console: input to someone");
                if (focus < 3)
                    guest_console_go_live(&cons[focus], names[focus]);
            } else {
                hv("hv");
            }
            break;
        default: {
            /* mostly letters, sometimes a long run, sometimes an end */
            char buf[700];
            size_t n = r / 48 % 4 == 0 ? r / 192 % 700 : r / 192 % 20;
            for (size_t i = 0; i < n; i++)
                buf[i] = unit_rand(&seed) % 40 == 0 ? '\n' : 'x';
            if (wlen[who] + n >= sizeof(want[0]))
                break;
            memcpy(want[who] + wlen[who], buf, n);
            wlen[who] += n;
            guest_console_write(&cons[who], names[who], buf, n, focus == who);
            break;
        }
        }
        /* look at the new lines */
        for (; checked < nlines; checked++) {
            const char *l = lines[checked];
            if (l[0] != '(')
                continue;
            unsigned w = (unsigned)(l[1] - 'A');
            assert_true(w < 3);
            size_t n = strlen(l + 4);
            bool marked = n && l[4 + n - 1] == CONSOLE_CONTINUED_MARK;
            memcpy(got[w] + glen[w], l + 4, n - marked);
            glen[w] += n - marked;
            assert_true(printed_at[checked] - stamps[checked] <= CONSOLE_HOLD_MAX_MS + 6);
            if (!in_line[w]) {
                in_line[w] = true;
                open_start[w] = checked;
                open_exp[w] = expiries_at[checked];
            }
            if (!marked) {
                got[w][glen[w]++] = '\n';
                in_line[w] = false;
                /* no bound passed during it: nothing else between its pieces */
                if (expiries_at[checked] == open_exp[w])
                    for (unsigned i = open_start[w]; i <= checked; i++)
                        assert_memory_equal(lines[i], l, 4);
            }
        }
        if (nlines > MAX_LINES - 64) {
            nlines = checked = 0;
            for (unsigned w = 0; w < 3; w++)
                in_line[w] = false; /* the window restarts: no consecutiveness checked across it */
        }
    }
    assert_true(out.expiries > 0);
    for (unsigned w = 0; w < 3; w++) {
        guest_console_write(&cons[w], names[w], "\n", 1, false);
        want[w][wlen[w]++] = '\n';
    }
    for (; checked < nlines; checked++) {
        const char *l = lines[checked];
        if (l[0] != '(')
            continue;
        unsigned w = (unsigned)(l[1] - 'A');
        size_t n = strlen(l + 4);
        bool marked = n && l[4 + n - 1] == CONSOLE_CONTINUED_MARK;
        memcpy(got[w] + glen[w], l + 4, n - marked);
        glen[w] += n - marked;
        if (!marked)
            got[w][glen[w]++] = '\n';
    }
    for (unsigned w = 0; w < 3; w++) {
        assert_int_equal(glen[w], wlen[w]);
        assert_memory_equal(got[w], want[w], wlen[w]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(nothing_waits_without_a_part_way_line, reset),
        cmocka_unit_test_setup(long_line_pieces_are_consecutive, reset),
        cmocka_unit_test_setup(open_line_holds_others, reset),
        cmocka_unit_test_setup(wait_is_bounded_in_time, reset),
        cmocka_unit_test_setup(deadline_checked_by_every_caller, reset),
        cmocka_unit_test_setup(steady_owner_bounded_by_max, reset),
        cmocka_unit_test_setup(uart_time_is_not_the_wait, reset),
        cmocka_unit_test_setup(endless_line_bounded_by_its_characters, reset),
        cmocka_unit_test_setup(full_hold_lets_everything_out, reset),
        cmocka_unit_test_setup(waiting_long_line_stays_together, reset),
        cmocka_unit_test_setup(stopped_domain_ends_its_line, reset),
        cmocka_unit_test_setup(focus_moves_mid_line, reset),
        cmocka_unit_test_setup(release_for_good, reset),
        cmocka_unit_test_setup(random_mix, reset),
    };
    return cmocka_run_group_tests_name("console_hold", tests, NULL, NULL);
}
