/* From a checked config to a complete plan: every file read and placed,
 * the edits made and applied to the host tree. */
#ifndef IB_BUILD_H
#define IB_BUILD_H

#include "config.h"
#include "edits.h"
#include "layout.h"
#include "plan.h"


#include <stddef.h>

/* The outcome of plan_build: the plan, its edits, and the host tree as the
 * script leaves it. */
struct ib_result {
    struct ib_plan plan;
    struct ib_edits edits;
    struct ib_layout layout;
    void *host_fdt; /* DEVICE_TREE as read */
    size_t host_len;
    void *edited; /* after the edits */
    size_t edited_len;
};

/* Read and check every file the config names (relative to dir), place
 * them, and apply the edits to the host tree. load_cmd is the expanded
 * load command. */
int plan_build(struct ib_result *r, const struct ib_config *cfg, const char *dir, const char *load_cmd,
               struct ib_error *err);
void plan_free(struct ib_result *r);

#endif
