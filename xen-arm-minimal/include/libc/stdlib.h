/* Freestanding subset of <stdlib.h>: what libfdt uses. */
#ifndef XAM_LIBC_STDLIB_H
#define XAM_LIBC_STDLIB_H
#include <stddef.h>
unsigned long strtoul(const char *s, char **end, int base);
#endif
