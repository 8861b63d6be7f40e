#include "unit.h"
#include <string.h>
#include <asm/traps.h>

static void class_names(void **state)
{
    (void)state;
    assert_string_equal(esr_class_name(0x25), "data abort taken without a change in exception level");
    assert_string_equal(esr_class_name(0x00), "unknown reason (undefined instruction)");
    assert_string_equal(esr_class_name(0x16), "HVC from AArch64");
    assert_string_equal(esr_class_name(0x3f), "reserved or unhandled exception class");
}

static void abort_descriptions(void **state)
{
    (void)state;
    char b[96];
    /* EC 0x25, WnR=1, DFSC 0x05: translation fault level 1 on write */
    esr_describe_abort((0x25ULL << 26) | (1u << 6) | 0x05, b, sizeof(b));
    assert_string_equal(b, "translation fault, level 1, on write (FSC 0x05)");
    esr_describe_abort((0x24ULL << 26) | 0x0f, b, sizeof(b));
    assert_string_equal(b, "permission fault, level 3, on read (FSC 0x0f)");
    esr_describe_abort((0x21ULL << 26) | 0x10, b, sizeof(b));
    assert_string_equal(b, "synchronous external abort, on instruction fetch (FSC 0x10)");
    esr_describe_abort((0x25ULL << 26) | 0x21, b, sizeof(b));
    assert_string_equal(b, "alignment fault, on read (FSC 0x21)");
    strcpy(b, "junk");
    esr_describe_abort(0x16ULL << 26, b, sizeof(b)); /* not an abort */
    assert_string_equal(b, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = { T(class_names), T(abort_descriptions) };
    return cmocka_run_group_tests_name("esr", tests, NULL, NULL);
}
