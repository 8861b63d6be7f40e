/* The host-side dry run: the hypervisor's own device-tree reader and domain
 * builder, run on a workstation against a host DTB and the module files, so
 * a configuration is checked before it is flashed. Used by the xam-dryrun
 * program and by imagebuilder. */
#ifndef XAM_DRYRUN_H
#define XAM_DRYRUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A module file and the address the boot loader will put it at. */
struct dryrun_file {
    uint64_t base;
    uint64_t size; /* the file's size; a module's reg size may not exceed it */
    const char *path;
};

struct dryrun_opts {
    const char *outdir; /* write <domain>.dtb and layout.txt here; NULL: write nothing */
    FILE *report; /* one line per domain (accepted, or rejected with the reason) */
};

/* Check fdt (size bytes) as the hypervisor would. Returns -1 if the host
 * device tree itself is refused (the reason is printed to o->report),
 * else the number of domains rejected; *accepted gets the number that
 * would start. Modules whose address matches no file are read as absent
 * (their kernel header cannot be checked: that is reported). */
int dryrun(const void *fdt, size_t size, const struct dryrun_file *files, unsigned nfiles, const struct dryrun_opts *o,
           unsigned *accepted);

#endif
