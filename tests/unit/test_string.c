/* The hypervisor's own C library routines (lib/string.c), built here under
 * other names so the host's libc does not stand in for them. */
#include "unit.h"
#define memcpy xam_memcpy
#define memmove xam_memmove
#define memset xam_memset
#define memcmp xam_memcmp
#define memchr xam_memchr
#define strlen xam_strlen
#define strnlen xam_strnlen
#define strchr xam_strchr
#define strrchr xam_strrchr
#define strcmp xam_strcmp
#define strncmp xam_strncmp
#define strtoul xam_strtoul
#include "../../xen-arm-minimal/lib/string.c"
#include <xam/types.h>

/* Every source/destination offset and length, against a byte model:
 * overlapping moves (as when an array entry is removed) must not tear. */
static void memmove_overlaps(void **state)
{
    (void)state;
    unsigned char buf[160], ref[160];
    for (unsigned src = 0; src < 40; src++)
        for (unsigned dst = 0; dst < 40; dst++)
            for (unsigned n = 0; n < 100; n += 3) {
                for (unsigned i = 0; i < sizeof(buf); i++)
                    buf[i] = ref[i] = (unsigned char)(i * 7 + 1);
                unsigned char tmp[160];
                for (unsigned i = 0; i < n; i++)
                    tmp[i] = ref[src + i];
                for (unsigned i = 0; i < n; i++)
                    ref[dst + i] = tmp[i];
                assert_ptr_equal(xam_memmove(buf + dst, buf + src, n), buf + dst);
                assert_memory_equal(buf, ref, sizeof(buf));
            }
}

static void copies_and_fills(void **state)
{
    (void)state;
    unsigned char a[100], b[100];
    for (unsigned off = 0; off < 9; off++) {
        for (unsigned i = 0; i < 100; i++)
            a[i] = (unsigned char)i, b[i] = 0xee;
        xam_memcpy(b + off, a + 1, 70);
        assert_memory_equal(b + off, a + 1, 70);
        assert_int_equal(b[off + 70], 0xee);
        xam_memset(b + off, 0x5a, 33);
        for (unsigned i = 0; i < 33; i++)
            assert_int_equal(b[off + i], 0x5a);
        assert_int_equal(b[off + 33], off + 1 + 33 < 71 + off ? a[34] : 0xee);
    }
}

static void strings(void **state)
{
    (void)state;
    assert_int_equal(xam_strlen("abc"), 3);
    assert_int_equal(xam_strnlen("abcdef", 4), 4);
    assert_string_equal(xam_strchr("a/b/c", '/'), "/b/c");
    assert_string_equal(xam_strrchr("a/b/c", '/'), "/c");
    assert_null(xam_strchr("abc", 'x'));
    assert_true(xam_strcmp("abc", "abd") < 0);
    assert_int_equal(xam_strncmp("abcx", "abcy", 3), 0);
    assert_int_equal(xam_memcmp("ab", "ab", 2), 0);
    assert_ptr_equal(xam_memchr("hello", 'l', 5), (const char *)"hello" + 2);
}

static void strtoul_bases(void **state)
{
    (void)state;
    char *end;
    assert_int_equal(xam_strtoul("0x1f", &end, 0), 31);
    assert_int_equal(*end, '\0');
    assert_int_equal(xam_strtoul("017", NULL, 0), 15);
    assert_int_equal(xam_strtoul("  42abc", &end, 10), 42);
    assert_string_equal(end, "abc");
    assert_int_equal(xam_strtoul("zz", &end, 10), 0);
    assert_string_equal(end, "zz");
    assert_int_equal(xam_strtoul("99999999999999999999999", NULL, 10), ~0UL);
}

static unsigned calls;
static uint64_t counted(uint64_t v)
{
    calls++;
    return v;
}

/* <xam/types.h>'s MIN and MAX: each argument evaluated once (nested too),
 * and the comparison that of the plain expression. */
static void min_max_evaluate_once(void **state)
{
    (void)state;
    calls = 0;
    assert_int_equal(MIN(counted(3), counted(5)), 3);
    assert_int_equal(MAX(counted(3), counted(5)), 5);
    assert_int_equal(MIN(MIN(counted(9), counted(2)), counted(4)), 2);
    assert_int_equal(calls, 7);
    int i = 0;
    assert_int_equal(MAX(i++, 0), 0);
    assert_int_equal(i, 1);
    assert_int_equal(MIN(7, 2u), 2u);
    assert_int_equal(MIN(UINT64_MAX, 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = { T(memmove_overlaps), T(copies_and_fills), T(strings), T(strtoul_bases),
                                        T(min_max_evaluate_once) };
    return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
