/* What every bare-metal test guest shares: the vPL011 console, PSCI calls,
 * and PASS/FAIL lines the boot tests read. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdint.h>

#define VPL011 0x22000000UL

void puts_(const char *s);
void put_hex(uint64_t v);
uint64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
uint64_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
void check(int ok, const char *what);
/* Xen hypercall: HVC #0xEA1, number in x16. */
int64_t xen_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
/* Busy-wait on the virtual counter. */
void delay_ms(unsigned ms);
/* Whether s contains word. */
int contains(const char *s, const char *word);
void psci_system_off(void) __attribute__((noreturn));
/* Whether the device tree at dtb (the guest's x0) contains the word: its
 * command line is plain text in the blob's first pages. */
int dtb_mentions(uint64_t dtb, const char *word);
extern unsigned failures;

#endif
