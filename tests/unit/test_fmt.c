#include "unit.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <xam/fmt.h>

/* Our formatter must agree with the C library on everything it supports. */
#define SAME(...)                                                                                                      \
    do {                                                                                                               \
        char a[128], b[128];                                                                                           \
        int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);                                                              \
        int nb = snprintf(b, sizeof(b), __VA_ARGS__);                                                                  \
        assert_string_equal(a, b);                                                                                     \
        assert_int_equal(na, nb);                                                                                      \
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

static void more_integers(void **state)
{
    (void)state;
    SAME("[%12d] [%-12d] [%012d] [%+d] [% d]", INT_MIN, INT_MIN, INT_MIN, INT_MIN, INT_MIN);
    SAME("[%+d] [% d] [%+d] [% 5d] [%+05d] [%- 6d]", 0, 0, INT_MAX, -3, 3, 7);
    SAME("[%-+8.3d] [%8.3d] [%+.0d] [% .0d] [%-5.0d]", 42, -42, 0, 0, 0);
    SAME("[%lld] [%+lld] [%30lld] [%-30lld]", LLONG_MIN, LLONG_MAX, LLONG_MIN, LLONG_MAX);
    SAME("[%llu] [%llx] [%llX]", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
    SAME("[%llo] [%#llo] [%#llx]", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
    SAME("[%lu] [%lo] [%li]", ULONG_MAX, ULONG_MAX, LONG_MIN);
    SAME("[%hhx] [%hhX] [%hx] [%#hho] [%hi]", 0x1ff, 0xabcd, 0x12345, 0777, -70000);
    SAME("[%zu] [%zd] [%zx]", SIZE_MAX, (ssize_t)-5, SIZE_MAX);
    SAME("[%x] [%X] [%o] [%u]", UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX);
    SAME("[%#.5x] [%#10.5X] [%-#10x] [%#-10o] [%#.0x] [%.0x] [%.0o]", 0xabu, 0xabu, 0xabu, 8u, 0u, 0u, 0u);
}

static void star_width_and_precision(void **state)
{
    (void)state;
    SAME("[%*d] [%*d] [%-*d] [%*.*d]", 0, 5, -4, 5, -4, 5, 6, 3, 5);
    SAME("[%.*d] [%.*d]", -1, 5, -3, 0); /* a negative precision is as if absent */
    SAME("[%*s] [%-*s] [%.*s] [%.*s] [%*.*s]", 6, "ab", 6, "ab", 0, "ab", -1, "abc", -7, 2, "xyz");
    SAME("[%*c] [%-*c]", 3, 'q', 3, 'q');
}

static void strings_and_chars(void **state)
{
    (void)state;
    SAME("[%s] [%10.3s] [%-10.3s] [%.0s] [%.10s]", "hello", "hello", "hello", "hello", "hello");
    SAME("[%c] [%5c] [%-5c] [%c]", 'a', 'b', 'c', (char)0xe9);
    SAME("%s=%d, %s", "loglvl", 3, "ok");
    SAME("100%% [%5s%%]", "x");
    char a[16];
    const char *volatile nothing = NULL; /* hidden from the format checker */
    assert_int_equal(fmt_snprintf(a, sizeof(a), "[%8s]", nothing), 10);
    assert_string_equal(a, "[  (null)]"); /* the width applies to the stand-in */
}

static void pointers(void **state)
{
    (void)state;
    void *p = (void *)0x1234abcdUL;
    SAME("[%p]", p);
    SAME("[%20p]", p);
    SAME("[%p]", (void *)UINTPTR_MAX);
}

/* '-' works for every conversion: the header promises the flag generally. */
static void pointer_left_justified(void **state)
{
    (void)state;
    void *p = (void *)0x1234abcdUL;
    SAME("[%-20p]", p);
    SAME("[%-*p]", 20, p);
    SAME("[%*p]", -20, p);
}

/* C: '#' with o "increases the precision, if and only if necessary, to
 * force the first digit of the result to be a zero". */
static void octal_alt_form_with_precision(void **state)
{
    (void)state;
    SAME("[%#.3o] [%#5.3o] [%#-5.3o]", 8u, 8u, 8u); /* "010": already starts with 0 */
    SAME("[%#.2o] [%#.4o] [%#o] [%#.0o]", 8u, 8u, 8u, 0u);
}

static void output_is_exact_at_every_size(void **state)
{
    (void)state;
    /* For every buffer size: the same bytes as the C library, the full
     * length returned, a NUL at size-1 or earlier, nothing past size. */
    for (size_t size = 0; size <= 40; size++) {
        char a[48], b[48];
        memset(a, 'X', sizeof(a));
        memset(b, 'X', sizeof(b));
        int na = fmt_snprintf(a, size, "%-6s|%08x|%+5d|%c", "ab", 0xbeefu, -12, 'z');
        int nb = snprintf(b, size, "%-6s|%08x|%+5d|%c", "ab", 0xbeefu, -12, 'z');
        assert_int_equal(na, nb);
        assert_int_equal(na, 23);
        assert_memory_equal(a, b, sizeof(a));
        if (size)
            assert_int_equal(a[size - 1 < 23 ? size - 1 : 23], '\0');
    }
    assert_int_equal(fmt_snprintf(NULL, 0, "%s %d", "abc", 12345), 9); /* size 0: NULL is fine */
}

static void trailing_percent_stops(void **state)
{
    (void)state;
    char b[16];
    memset(b, 'X', sizeof(b));
    const char *fmt = "abc%"; /* hidden from the format checker */
    assert_int_equal(fmt_snprintf(b, sizeof(b), fmt, 0), 3);
    assert_string_equal(b, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(integers),
        T(flags_width_precision),
        T(null_string_and_unknown),
        T(truncation),
        T(more_integers),
        T(star_width_and_precision),
        T(strings_and_chars),
        T(pointers),
        T(pointer_left_justified),
        T(octal_alt_form_with_precision),
        T(output_is_exact_at_every_size),
        T(trailing_percent_stops),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
