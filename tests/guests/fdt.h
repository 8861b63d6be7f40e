/* The least of a device-tree reader a test guest needs to read its own
 * tree: nodes by path, their children and properties. */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdint.h>

uint32_t be32(const void *p);
uint64_t be64(const void *p);
/* Structure-block offset of the node at path ("/" + names with unit
 * addresses), or -1. */
int fdt_node(const void *fdt, const char *path);
/* The first child of node after the child `prev` (-1: the first), or -1. */
int fdt_child(const void *fdt, int node, int prev);
const char *fdt_name(const void *fdt, int node);
/* A property's value and length, or 0 when absent. */
const void *fdt_prop(const void *fdt, int node, const char *name, int *len);
/* Whether a string-list property contains s. */
int fdt_has_string(const void *fdt, int node, const char *prop, const char *s);

#endif
