/* The hypervisor command line (/chosen/xen,xen-bootargs): space-separated
 * words, each `name` or `name=value`; values may be double-quoted. The last
 * occurrence of a name wins, as in Xen and Linux. */
#ifndef XAM_CMDLINE_H
#define XAM_CMDLINE_H

#include <xam/types.h>

/* Copies the value of `name` into val (NUL-terminated, truncated to len-1).
 * Returns true if the name is present (a bare `name` gives ""). */
bool cmdline_get(const char *cmdline, const char *name, char *val, size_t len);

/* Every word of the command line that is not one of this hypervisor's own
 * options (loglvl, crash-test, crash-test-cpu, dtuart, stage2) is said: Xen's
 * options that mean the same here, Xen's that do not apply (and why), and
 * words nobody knows. say() gets one line each, warn set for those that
 * change nothing. Returns how many lines it said. */
unsigned cmdline_audit(const char *cmdline, void (*say)(void *ctx, bool warn, const char *line), void *ctx);

#endif
