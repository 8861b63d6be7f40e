/* The loader path: boot the result under QEMU without U-Boot. QEMU's
 * -kernel would hand the hypervisor QEMU's own DTB, so instead every blob
 * (the edited DTB included) is placed by QEMU's generic loader at the
 * script's addresses, and a four-word shim (as tests/boot/shim.S) enters
 * the hypervisor with x0 = the DTB's address. */
#ifndef IB_QEMU_H
#define IB_QEMU_H

#include "plan.h"
#include "util.h"

#include <stdint.h>

/* The shim goes in the script's slot: unused on this path, clear of QEMU's
 * own DTB at the start of RAM and of every file. */
#define IB_SHIM_SIZE 32
void qemu_shim(uint8_t out[IB_SHIM_SIZE], uint64_t dtb, uint64_t entry);

/* The command line: the machine (GIC version, CPUs, memory) read from the
 * host tree fdt so that it matches the tree; dtb_host and shim_host are the
 * files to load. */
void qemu_command(struct ib_buf *b, const struct ib_plan *p, const void *fdt, const char *dtb_host,
                  const char *shim_host);

#endif
