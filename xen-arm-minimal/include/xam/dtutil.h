/* Helpers over libfdt for reading a device tree the way the bindings say:
 * cell counts from the parent, addresses translated through every ancestor's
 * "ranges", GIC interrupt specifiers turned into INTIDs. */
#ifndef XAM_DTUTIL_H
#define XAM_DTUTIL_H

#include <xam/types.h>

#define DT_PATH_MAX 128

/* Big-endian cells to a number; cells must be 1 or 2 (more: low 64 bits). */
uint64_t dt_read_cells(const void *cells, unsigned n);

/* libfdt's fdt_getprop(), fdt_address_cells() and fdt_size_cells(), the
 * same answers for a fraction of the work (dtutil.c says why). */
const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp);
int dt_address_cells(const void *fdt, int node);
int dt_size_cells(const void *fdt, int node);
/* libfdt's fdt_next_node(), likewise. */
int dt_next_node(const void *fdt, int offset, int *depth);

/* node's parent (libfdt's fdt_parent_offset()), from an index of fdt's
 * nodes while dt_index(fdt) holds: one walk instead of one per question.
 * dt_index(NULL) ends it; the tree must not change meanwhile. */
void dt_index(const void *fdt);
int dt_parent(const void *fdt, int node);
/* libfdt's fdt_node_offset_by_phandle(), from the same index while it
 * holds (a walk of the whole tree otherwise, for each question). */
int dt_node_by_phandle(const void *fdt, uint32_t phandle);

/* The #address-cells / #size-cells that apply to node's own "reg" (its
 * parent's values). Returns 0 or a negative libfdt error. */
int dt_reg_cells(const void *fdt, int node, unsigned *ac, unsigned *sc);

/* Number of (address, size) entries in node's "reg"; negative on error. */
int dt_reg_count(const void *fdt, int node);

/* Entry idx of node's "reg", translated to a CPU physical address.
 * Returns 0, or -XAM_ENOENT (no such entry), -XAM_EINVAL (malformed cells),
 * -XAM_ERANGE (not reachable through the parents' ranges). */
int dt_read_reg(const void *fdt, int node, unsigned idx, paddr_t *base, uint64_t *size);

/* Entry idx of node's "reg" as written, with the parent's cells but no
 * translation: for nodes that are not on a bus, such as boot modules under
 * /chosen, whose "reg" is a physical address. */
int dt_read_reg_raw(const void *fdt, int node, unsigned idx, paddr_t *base, uint64_t *size);

/* Translate a bus address of a child of `bus` up to the root. */
int dt_translate(const void *fdt, int bus, uint64_t addr, paddr_t *out);

/* The GIC INTID of entry idx of node's "interrupts" (3-cell GIC specifier:
 * type 0 = SPI -> 32 + n, 1 = PPI -> 16 + n). Optional trigger flags. */
int dt_read_irq(const void *fdt, int node, unsigned idx, unsigned *intid, unsigned *flags);

/* Up to max INTIDs of node's "interrupts" (resolving the interrupt parent
 * once). Returns how many were read, or a negative error as dt_read_irq. */
int dt_read_irqs(const void *fdt, int node, unsigned *intids, unsigned max);

/* "okay"/"ok" or absent status. */
bool dt_node_enabled(const void *fdt, int node);

/* Path of node for messages; "<bad node>" when libfdt cannot tell. */
const char *dt_node_path(const void *fdt, int node, char *buf, size_t len);

/* Whether a string-list property contains s. */
bool dt_prop_has_string(const void *fdt, int node, const char *prop, const char *s);

#endif
