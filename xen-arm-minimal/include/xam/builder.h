/* The dom0less domain builder: /chosen "xen,domain" nodes become domains. */
#ifndef XAM_BUILDER_H
#define XAM_BUILDER_H

#include <xam/hostdt.h>

/* Guest memory map (Xen's public arch-arm.h). */
#define GUEST_RAM0_BASE 0x40000000ULL
#define GUEST_RAM0_SIZE GiB(3)
#define GUEST_RAM1_BASE 0x200000000ULL

/* Build every domain described in the host device tree; a domain whose
 * description is wrong is reported and skipped. Returns how many were
 * built and are ready to run. */
unsigned builder_build_all(const struct hostdt *h);

#endif
