/* The abort catcher of abort_catch.h: its own EL1 vector table. */
#include "abort_catch.h"
#include "lib.h"

volatile uint64_t abort_count, abort_esr, abort_far;
void abort_catch_unexpected(uint64_t esr, uint64_t elr, uint64_t far);

__asm__(".text\n"
        ".balign 2048\n"
        "abort_catch_vectors:\n"
        ".rept 4\n .balign 0x80\n b ac_bad\n .endr\n"
        ".balign 0x80\n b ac_sync\n" /* current EL, SPx: sync */
        ".rept 11\n .balign 0x80\n b ac_bad\n .endr\n"
        "ac_sync:\n"
        "  stp x0, x1, [sp, #-32]!\n"
        "  stp x2, x3, [sp, #16]\n"
        "  mrs x0, esr_el1\n"
        "  lsr x1, x0, #26\n"
        "  cmp x1, #0x25\n"
        "  b.eq 2f\n"
        "  cmp x1, #0x21\n"
        "  b.ne ac_bad\n"
        "2:and x1, x0, #0x3f\n"
        "  cmp x1, #0x10\n"
        "  b.ne ac_bad\n"
        "  adrp x2, abort_esr\n"
        "  str x0, [x2, #:lo12:abort_esr]\n"
        "  mrs x1, far_el1\n"
        "  adrp x2, abort_far\n"
        "  str x1, [x2, #:lo12:abort_far]\n"
        "  adrp x2, abort_count\n"
        "  ldr x3, [x2, #:lo12:abort_count]\n"
        "  add x3, x3, #1\n"
        "  str x3, [x2, #:lo12:abort_count]\n"
        "  lsr x1, x0, #26\n"
        "  cmp x1, #0x21\n"
        "  b.eq 3f\n"
        "  mrs x1, elr_el1\n"
        "  add x1, x1, #4\n"
        "  msr elr_el1, x1\n"
        "  b 4f\n"
        "3:msr elr_el1, x30\n" /* a branch-and-link to nowhere returns */
        "4:ldp x2, x3, [sp, #16]\n"
        "  ldp x0, x1, [sp], #32\n"
        "  eret\n"
        "ac_bad:\n"
        "  mrs x0, esr_el1\n"
        "  mrs x1, elr_el1\n"
        "  mrs x2, far_el1\n"
        "  bl abort_catch_unexpected\n"
        "1: b 1b\n");
extern char abort_catch_vectors[];

void abort_catch_unexpected(uint64_t esr, uint64_t elr, uint64_t far)
{
    puts_("FAIL: unexpected exception, ESR ");
    put_hex(esr);
    puts_(" ELR ");
    put_hex(elr);
    puts_(" FAR ");
    put_hex(far);
    puts_("\n");
    psci_system_off();
}

void abort_catch_install(void) { __asm__ volatile("msr vbar_el1, %0; isb" : : "r"(abort_catch_vectors)); }
