#include "unit.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <xam/fmt.h>

/* Our formatter must agree with the C library on everything it supports. */
#define SAME(...)                                                                                  \
    do {                                                                                           \
        char a[128], b[128];                                                                       \
        int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);                                          \
        int nb = snprintf(b, sizeof(b), __VA_ARGS__);                                              \
        assert_string_equal(a, b);                                                                 \
        assert_int_equal(na, nb);                                                                  \
    } while (0)

static void integers(void **state)
{
    (void)state;
    SAME("%d %i %u", 0, -1, 42u);
    SAME("%d %d", INT_MIN, INT_MAX);
    SAME("%ld %lld", LONG_MIN, LLONG_MIN);
    SAME("%llu %lx %llX", ULLONG_MAX, 0xdeadbeefUL, 0xabcdefULL);
    SAME("%hd %hhd %hu %hhu", 70000, 300, 70000, 300);
    SAME("%zu %zx", (size_t)12345, (size_t)0xfff);
    SAME("%o %#o %#o", 8u, 8u, 0u);
}

static void flags_width_precision(void **state)
{
    (void)state;
    SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    SAME("[%08x] [%#x] [%#08x] [%#X] [%#x]", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu, 0u);
    SAME("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%5.0d]", 7, 7, -7, 0, 0);
    SAME("[%*d] [%-*d] [%.*d] [%*d]", 6, 1, 6, 1, 4, 1, -6, 1);
    SAME("[%010lld] [%-+6d] [%+05d]", -123LL, 5, -5);
    SAME("[%5s] [%-5s] [%.2s] [%.*s] [%c%c] [%3c]", "ab", "ab", "abcd", 3, "abcdef", 'x', 'y', 'z');
    SAME("%% [%p]", (void *)0x1234);
    SAME("%s", "");
}

static void null_string_and_unknown(void **state)
{
    (void)state;
    char b[32];
    const char *volatile nothing = NULL; /* hidden from the format checker */
    fmt_snprintf(b, sizeof(b), "%s", nothing);
    assert_string_equal(b, "(null)");
    const char *fmt = "%q";
    fmt_snprintf(b, sizeof(b), fmt, 1);
    assert_string_equal(b, "%q");
}

static void truncation(void **state)
{
    (void)state;
    char b[8];
    memset(b, 'X', sizeof(b));
    assert_int_equal(fmt_snprintf(b, sizeof(b), "%s", "hello world"), 11);
    assert_string_equal(b, "hello w");
    memset(b, 'X', sizeof(b));
    assert_int_equal(fmt_snprintf(b, 0, "%d", 12345), 5);
    assert_int_equal(b[0], 'X'); /* size 0 writes nothing */
    assert_int_equal(fmt_snprintf(b, 1, "%d", 12345), 5);
    assert_int_equal(b[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(integers), T(flags_width_precision), T(null_string_and_unknown), T(truncation),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
