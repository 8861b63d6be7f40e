/* Shared by the unit tests: cmocka and a few helpers. */
#ifndef UNIT_H
#define UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define T(fn) cmocka_unit_test(fn)

#endif
