/* For test guests that provoke data aborts on purpose: once installed,
 * a synchronous external data abort taken at EL1 (EC 0x25, DFSC 0x10) is
 * counted, its ESR and FAR kept, and the faulting instruction skipped; a
 * synchronous external prefetch abort (EC 0x21, IFSC 0x10) likewise, the
 * guest going on at its link register (a BLR to nowhere returns);
 * any other exception prints "FAIL: unexpected exception" and powers
 * off. */
#ifndef GUESTS_ABORT_CATCH_H
#define GUESTS_ABORT_CATCH_H

#include <stdint.h>

extern volatile uint64_t abort_count, abort_esr, abort_far;
void abort_catch_install(void);

#endif
