#include "unit.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(values), T(bare_name_and_last_wins), T(prefixes_are_not_names), T(quotes_and_truncation),
    };
    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
