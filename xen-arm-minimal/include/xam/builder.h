/* The dom0less domain builder: /chosen "xen,domain" nodes become domains. */
#ifndef XAM_BUILDER_H
#define XAM_BUILDER_H

#include <xam/hostdt.h>

#include <xam/guest_map.h>

/* Build every domain described in the host device tree; a domain whose
 * description is wrong is reported and skipped. Returns how many were
 * built and are ready to run. */
struct domain;

unsigned builder_build_all(const struct hostdt *h);
/* After a reset: load d again from the boot modules it was built from and
 * start its vCPU 0. d has been emptied (domain_reinit). */

#endif
