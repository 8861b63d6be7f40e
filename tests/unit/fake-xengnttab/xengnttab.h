/* The part of Debian's libxengnttab (Xen 4.17's xengnttab.h) that
 * xam-devmodel's grantmem.c uses, for its host unit test
 * (test_dm_grantmem.c), which implements it over a fake grant table. */
#ifndef FAKE_XENGNTTAB_H
#define FAKE_XENGNTTAB_H

#include <stdint.h>

#include "xentoollog.h"

typedef struct xengntdev_handle xengnttab_handle;

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags);
int xengnttab_close(xengnttab_handle *xgt);
void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid, uint32_t *refs, int prot);
int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count);

#endif
