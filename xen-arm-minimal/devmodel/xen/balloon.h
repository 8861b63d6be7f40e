/* This domain's balloon: Linux's privcmd maps foreign pages and the ioreq
 * pages over pages its balloon driver has given back to the hypervisor. */
#ifndef XAM_DM_BALLOON_H
#define XAM_DM_BALLOON_H

/* Sets the balloon's target kib below the domain's size, so that it holds
 * that many pages for the mappings (with no xenstore nobody sets a target:
 * it is the size at boot, and a balloon short of it hot-adds memory at an
 * address of its own choosing). 0, or -1 (logged). */
int dm_balloon_reserve(unsigned long kib);

#endif
