/* From a checked config to a complete plan: every file read and placed,
 * the edits made and applied to the host tree. */
#ifndef IB_BUILD_H
#define IB_BUILD_H

#include "config.h"
#include "edits.h"
#include "layout.h"
#include "plan.h"


#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest name the script loads (relative to -d): U-Boot's TFTP client
 * keeps 127 characters of a file name and drops the rest without a word. */
#define IB_NAME_MAX 127

/* A file read: nothing written may be it. */
struct ib_input {
    uint64_t dev, ino;
    char what[64]; /* "DEVICE_TREE (line 3)" */
};
#define IB_MAX_INPUTS (3 * IB_MAX_DOMUS + 4)

/* The outcome of plan_build: the plan, its edits, and the host tree as the
 * script leaves it. */
struct ib_result {
    struct ib_input inputs[IB_MAX_INPUTS];
    unsigned ninputs;
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

/* Every file imagebuilder writes, checked before anything is written: each
 * under -d (no "..", no absolute path outside it, no symbolic link, its
 * directory's real path inside -d's), none of them an input (the config,
 * any file it names) and no two the same. */
struct ib_outputs {
    char *source, *script; /* NAME.source, NAME.scr */
    char *script_name; /* the script relative to -d */
    char *dtb; /* -D's file, or NULL */
    char *edited, *shim; /* -Q's files (edited: NULL when FDTEDIT or -D gives the tree) */
};

/* name: -o's NAME or NULL; dtb_out: -D's FILE or NULL; qemu: -Q. */
int plan_outputs(struct ib_outputs *o, struct ib_result *r, const char *dir, const char *name, const char *dtb_out,
                 bool qemu, struct ib_error *err);
void outputs_free(struct ib_outputs *o);

#endif
