#include "unit.h"
#include <stdio.h>
#include <string.h>
#include <xam/cmdline.h>

static void values(void **state)
{
    (void)state;
    char v[32];
    assert_true(cmdline_get("console=dtuart loglvl=all", "loglvl", v, sizeof(v)));
    assert_string_equal(v, "all");
    assert_true(cmdline_get("  loglvl=info\t dtuart=/pl011@9000000 ", "dtuart", v, sizeof(v)));
    assert_string_equal(v, "/pl011@9000000");
    assert_false(cmdline_get("loglvl=all", "dtuart", v, sizeof(v)));
    assert_false(cmdline_get(NULL, "dtuart", v, sizeof(v)));
    assert_false(cmdline_get("", "x", v, sizeof(v)));
}

static void bare_name_and_last_wins(void **state)
{
    (void)state;
    char v[32] = "junk";
    assert_true(cmdline_get("noreboot loglvl=info", "noreboot", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cmdline_get("loglvl=info loglvl=debug", "loglvl", v, sizeof(v)));
    assert_string_equal(v, "debug");
}

static void prefixes_are_not_names(void **state)
{
    (void)state;
    char v[32];
    assert_false(cmdline_get("loglvlx=1 xloglvl=2", "loglvl", v, sizeof(v)));
    assert_true(cmdline_get("crash-test-cpu=2 crash-test=abort", "crash-test", v, sizeof(v)));
    assert_string_equal(v, "abort");
}

static void quotes_and_truncation(void **state)
{
    (void)state;
    char v[32], small[4];
    assert_true(cmdline_get("a=\"b c d\" e=f", "a", v, sizeof(v)));
    assert_string_equal(v, "b c d");
    assert_true(cmdline_get("e=f a=\"b c d\"", "e", v, sizeof(v)));
    assert_string_equal(v, "f");
    assert_true(cmdline_get("name=abcdefgh", "name", small, sizeof(small)));
    assert_string_equal(small, "abc");
}

static void quoted_words_hide_their_contents(void **state)
{
    (void)state;
    char v[64];
    const char *cl = "dom0_args=\"console=hvc0 loglvl=none root=/dev/vda\" loglvl=all";
    assert_true(cmdline_get(cl, "dom0_args", v, sizeof(v)));
    assert_string_equal(v, "console=hvc0 loglvl=none root=/dev/vda");
    assert_true(cmdline_get(cl, "loglvl", v, sizeof(v)));
    assert_string_equal(v, "all"); /* not the one inside the quotes */
    assert_false(cmdline_get(cl, "console", v, sizeof(v)));
    assert_false(cmdline_get(cl, "root", v, sizeof(v)));
    /* quotes may cover part of a value; they are dropped */
    assert_true(cmdline_get("x=a\" b \"c y=1", "x", v, sizeof(v)));
    assert_string_equal(v, "a b c");
    assert_true(cmdline_get("x=a\" b \"c y=1", "y", v, sizeof(v)));
    assert_string_equal(v, "1");
    assert_true(cmdline_get("e=\"\"", "e", v, sizeof(v)));
    assert_string_equal(v, "");
}

static void values_and_whitespace(void **state)
{
    (void)state;
    char v[32];
    assert_true(cmdline_get("a=b=c", "a", v, sizeof(v)));
    assert_string_equal(v, "b=c");
    assert_true(cmdline_get("a= b", "a", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cmdline_get("\n\tnoreboot\n", "noreboot", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_true(cmdline_get("x=1\ty=2\nz=3", "y", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(cmdline_get("x=1\ty=2\nz=3", "z", v, sizeof(v)));
    assert_string_equal(v, "3");
    assert_false(cmdline_get("   \t\n ", "x", v, sizeof(v)));
    /* a value that looks like a name is not that name */
    assert_false(cmdline_get("dtuart=loglvl", "loglvl", v, sizeof(v)));
}

static void last_occurrence_wins_either_way(void **state)
{
    (void)state;
    char v[32];
    assert_true(cmdline_get("loglvl=all x loglvl", "loglvl", v, sizeof(v)));
    assert_string_equal(v, ""); /* a later bare name clears the value */
    assert_true(cmdline_get("loglvl loglvl=warn", "loglvl", v, sizeof(v)));
    assert_string_equal(v, "warn");
    /* a long value then a short one: no leftovers */
    assert_true(cmdline_get("dtuart=/soc/serial@1c090000 dtuart=s0", "dtuart", v, sizeof(v)));
    assert_string_equal(v, "s0");
}

static void names_are_whole_words(void **state)
{
    (void)state;
    char v[32];
    assert_true(cmdline_get("loglvlx=1 loglvl=2", "loglvl", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(cmdline_get("loglvl=2 loglvlx=1", "loglvl", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(cmdline_get("loglvl=2 loglvlx=1", "loglvlx", v, sizeof(v)));
    assert_string_equal(v, "1");
    assert_false(cmdline_get("loglvl=2", "loglvlx", v, sizeof(v)));
    assert_false(cmdline_get("loglvl=2", "loglv", v, sizeof(v)));
    assert_false(cmdline_get("loglvlx", "loglvl", v, sizeof(v)));
}

static void truncation_edges(void **state)
{
    (void)state;
    char v[8];
    memset(v, 'X', sizeof(v));
    assert_true(cmdline_get("dtuart=/soc/serial@1c090000", "dtuart", v, 8));
    assert_string_equal(v, "/soc/se");
    memset(v, 'X', sizeof(v));
    assert_true(cmdline_get("a=\"b c\"", "a", v, 4)); /* quotes do not count */
    assert_string_equal(v, "b c");
    memset(v, 'X', sizeof(v));
    assert_true(cmdline_get("a=xyz", "a", v, 1));
    assert_int_equal(v[0], '\0');
    assert_int_equal(v[1], 'X');
    memset(v, 'X', sizeof(v));
    assert_true(cmdline_get("a=xyz", "a", v, 0)); /* presence only: nothing written */
    assert_int_equal(v[0], 'X');
}

static char said[8][200];
static bool said_warn[8];
static unsigned nsaid;
static void say(void *ctx, bool warn, const char *line)
{
    (void)ctx;
    assert_true(nsaid < 8);
    said_warn[nsaid] = warn;
    snprintf(said[nsaid++], sizeof(said[0]), "%s", line);
}

/* Nothing on the command line passes unsaid: our options quietly, Xen's
 * with what they mean here, the rest as unknown; a guest-controlled or
 * broken tree's bytes never reach the console raw. */
static void audit_says_every_foreign_word(void **state)
{
    (void)state;
    nsaid = 0;
    assert_int_equal(cmdline_audit("loglvl=info console=dtuart dom0_mem=512M crash-test-cpu=1 "
                                   "console_timestamps=boot frobnicate dtuart=serial0 sched=credit2",
                                   say, NULL),
                     5);
    assert_string_equal(said[0],
                        "command line: console=dtuart: Xen's option, done as Xen does here: the console is "
                        "the host tree's UART (dtuart, or /chosen/stdout-path), as console=dtuart");
    assert_false(said_warn[0]);
    assert_string_equal(said[1], "command line: dom0_mem=512M: Xen's option, does not apply here: there is no dom0");
    assert_true(said_warn[1]);
    assert_string_equal(said[2],
                        "command line: console_timestamps=boot: Xen's option, done as Xen does here: console "
                        "lines always carry the time since boot");
    assert_string_equal(said[3], "command line: frobnicate: unknown option, ignored");
    assert_true(said_warn[3]);
    assert_true(strstr(said[4], "command line: sched=credit2: Xen's option, does not apply here: one scheduler") ==
                said[4]);
    /* nothing said for an empty line, or ours alone */
    nsaid = 0;
    assert_int_equal(cmdline_audit(NULL, say, NULL), 0);
    assert_int_equal(cmdline_audit("  loglvl=all crash-test=abort  ", say, NULL), 0);
    assert_int_equal(cmdline_audit("stage2=blocks", say, NULL), 0);
    /* long and unprintable words are cut and masked */
    char longword[120];
    memset(longword, 'x', sizeof(longword) - 1);
    longword[sizeof(longword) - 1] = '\0';
    longword[3] = '\x1b';
    assert_int_equal(cmdline_audit(longword, say, NULL), 1);
    assert_int_equal(strlen(said[0]), strlen("command line: ") + 51 + strlen(": unknown option, ignored"));
    assert_true(strstr(said[0], "xxx?xxx") != NULL);
    assert_null(strchr(said[0], '\x1b'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(values),
        T(bare_name_and_last_wins),
        T(prefixes_are_not_names),
        T(quotes_and_truncation),
        T(quoted_words_hide_their_contents),
        T(values_and_whitespace),
        T(last_occurrence_wins_either_way),
        T(names_are_whole_words),
        T(truncation_edges),
        T(audit_says_every_foreign_word),
    };
    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
