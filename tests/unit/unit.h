/* Shared by the unit tests: cmocka and a few helpers. */
#ifndef UNIT_H
#define UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#define T(fn) cmocka_unit_test(fn)

/* A sanitizer report ends the process without flushing stdio: keep stdout
 * line-buffered so the results printed before a crash are not lost. */
__attribute__((constructor)) static void unit_line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

/* A fixed-seed generator, identical on every host (rand() is not). */
static inline uint64_t unit_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

#endif
