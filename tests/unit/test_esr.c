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

#define ESR(ec, iss) (((uint64_t)(ec) << 26) | (1ULL << 25) | (iss))

static void more_class_names(void **state)
{
    (void)state;
    assert_string_equal(esr_class_name(0x01), "WFI or WFE");
    assert_string_equal(esr_class_name(0x15), "SVC from AArch64");
    assert_string_equal(esr_class_name(0x17), "SMC from AArch64");
    assert_string_equal(esr_class_name(0x18), "system register or instruction access");
    assert_string_equal(esr_class_name(0x20), "instruction abort from a lower exception level");
    assert_string_equal(esr_class_name(0x21), "instruction abort taken without a change in exception level");
    assert_string_equal(esr_class_name(0x24), "data abort from a lower exception level");
    assert_string_equal(esr_class_name(0x2f), "SError interrupt");
    assert_string_equal(esr_class_name(0x3c), "BRK instruction");
    assert_string_equal(esr_class_name(0x02), "reserved or unhandled exception class");
    assert_string_equal(esr_class_name(0x40), "reserved or unhandled exception class");
}

static void syndrome_fields(void **state)
{
    (void)state;
    uint64_t esr = 0x96000045; /* a real one: EC 0x25, IL, WnR, DFSC 0x05 */
    assert_int_equal(ESR_EC(esr), 0x25);
    assert_int_equal(ESR_ISS(esr), 0x45);
    assert_int_equal(ESR_EC(0x5a000000ULL), 0x16); /* HVC #0 */
    char b[96];
    esr_describe_abort(esr, b, sizeof(b));
    assert_string_equal(b, "translation fault, level 1, on write (FSC 0x05)");
}

static void every_fault_kind_and_level(void **state)
{
    (void)state;
    char b[96];
    esr_describe_abort(ESR(0x20, 0x04), b, sizeof(b));
    assert_string_equal(b, "translation fault, level 0, on instruction fetch (FSC 0x04)");
    esr_describe_abort(ESR(0x24, 0x06), b, sizeof(b));
    assert_string_equal(b, "translation fault, level 2, on read (FSC 0x06)");
    esr_describe_abort(ESR(0x24, 0x40 | 0x07), b, sizeof(b));
    assert_string_equal(b, "translation fault, level 3, on write (FSC 0x07)");
    esr_describe_abort(ESR(0x25, 0x40 | 0x0a), b, sizeof(b));
    assert_string_equal(b, "access flag fault, level 2, on write (FSC 0x0a)");
    esr_describe_abort(ESR(0x24, 0x0d), b, sizeof(b));
    assert_string_equal(b, "permission fault, level 1, on read (FSC 0x0d)");
    esr_describe_abort(ESR(0x25, 0x03), b, sizeof(b));
    assert_string_equal(b, "address size fault, level 3, on read (FSC 0x03)");
    esr_describe_abort(ESR(0x24, 0x30), b, sizeof(b));
    assert_string_equal(b, "TLB conflict abort, on read (FSC 0x30)");
    esr_describe_abort(ESR(0x20, 0x11), b, sizeof(b));
    assert_string_equal(b, "other fault, on instruction fetch (FSC 0x11)");
    /* WnR means nothing for an instruction fetch */
    esr_describe_abort(ESR(0x21, 0x40 | 0x0f), b, sizeof(b));
    assert_string_equal(b, "permission fault, level 3, on instruction fetch (FSC 0x0f)");
}

static void non_aborts_give_empty_string(void **state)
{
    (void)state;
    static const unsigned ecs[] = { 0x00, 0x01, 0x15, 0x16, 0x17, 0x18, 0x22, 0x26, 0x2f, 0x3c };
    char b[32];
    for (unsigned i = 0; i < sizeof(ecs) / sizeof(ecs[0]); i++) {
        strcpy(b, "junk");
        esr_describe_abort(ESR(ecs[i], 0x45), b, sizeof(b));
        assert_string_equal(b, "");
    }
}

static void description_truncates_safely(void **state)
{
    (void)state;
    char b[32];
    memset(b, 'X', sizeof(b));
    esr_describe_abort(ESR(0x25, 0x40 | 0x05), b, 12);
    assert_string_equal(b, "translation");
    assert_int_equal(b[12], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(class_names),
        T(abort_descriptions),
        T(more_class_names),
        T(syndrome_fields),
        T(every_fault_kind_and_level),
        T(non_aborts_give_empty_string),
        T(description_truncates_safely),
    };
    return cmocka_run_group_tests_name("esr", tests, NULL, NULL);
}
