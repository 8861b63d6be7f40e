/* The device-tree edits, kept as a list of operations so that the script's
 * `fdt` commands and the tree checked (and written) here are the same
 * edits, applied in the same order, by the same libfdt calls U-Boot makes. */
#ifndef IB_EDITS_H
#define IB_EDITS_H

#include "plan.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

enum ib_val { VAL_EMPTY, VAL_STRINGS, VAL_CELLS };

struct ib_op {
    bool mknode; /* true: create node `name` under `path`; false: set property `name` on `path` */
    char *path, *name;
    enum ib_val kind;
    unsigned n; /* strings or cells */
    char **strs;
    uint32_t *cells;
};

struct ib_edits {
    struct ib_op *ops;
    unsigned n;
};

/* The edits the plan calls for, against host tree fdt (its phandles and
 * /cpus). File addresses must be placed already. */
int edits_build(const struct ib_plan *p, const void *fdt, struct ib_edits *e, struct ib_error *err);
void edits_free(struct ib_edits *e);

/* The bytes the edits can add to a tree (nodes, properties, names), with
 * a margin: the script's `fdt resize` argument. */
uint32_t edits_growth(const struct ib_edits *e);

/* Apply the edits as the script does: the tree shrunk to its used size plus
 * `resize` bytes (as `fdt resize` leaves it), with uboot_rsv a /memreserve/
 * entry for the tree itself at dtb_addr (as `fdt resize` adds one), then
 * each operation. *out (malloc'd, *outlen bytes) is the result. */
int edits_apply(const void *fdt, const struct ib_edits *e, uint32_t resize, bool uboot_rsv, uint64_t dtb_addr,
                void **out, size_t *outlen, struct ib_error *err);

/* One operation as a U-Boot 2023.01 command (`fdt mknode` / `fdt set`),
 * without a newline. */
void edits_command(struct ib_buf *b, const struct ib_op *op);

#endif
