/* Loading a device-tree fixture (made by tests/dtb/make-fixtures.sh) into
 * a buffer with room to edit it with libfdt. */
#ifndef UNIT_FIXTURE_H
#define UNIT_FIXTURE_H

#include "unit.h"
#include <libfdt.h>
#include <stdio.h>

/* dir/name opened into buf with open_size bytes of room; fails the test
 * if it cannot be read. */
static inline void *unit_load_dtb(const char *dir, const char *name, void *buf, int open_size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    static char raw[2 << 20];
    size_t n = fread(raw, 1, sizeof(raw), f);
    fclose(f);
    assert_true(n > 0);
    assert_int_equal(fdt_open_into(raw, buf, open_size), 0);
    return buf;
}

#endif
