/* Exception syndromes in words, for crash reports and guest-fault logs. */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <xam/types.h>

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

/* "data abort taken without a change in exception level", ... */
const char *esr_class_name(unsigned ec);
/* For aborts: "translation fault, level 2" and the like; NULL otherwise. */
void esr_describe_abort(uint64_t esr, char *buf, size_t len);

#endif
