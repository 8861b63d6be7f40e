/* xam-devmodel's configuration from its own device tree, as Linux shows it
 * under /proc/device-tree: the builder's /device-model node
 * (docs/bindings.md, "What the device model's device tree says"), one
 * client@DOMID node per client, each with its device@SLOT children. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"

/* A property's bytes: its length, or -1 if it is not there. */
static long prop(const char *dir, const char *name, void *buf, size_t size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size, f);
    /* longer than the buffer: say so with size + 1 */
    if (n == size && fgetc(f) != EOF)
        n = size + 1;
    fclose(f);
    return (long)n;
}

static bool has_prop(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* A string property: 0, or -1 if absent, empty, too long or not one
 * NUL-terminated string. */
static int string_prop(const char *dir, const char *name, char *out, size_t size)
{
    long n = prop(dir, name, out, size);
    if (n <= 1 || (size_t)n > size || out[n - 1] || strlen(out) != (size_t)n - 1)
        return -1;
    return 0;
}

/* compatible may be a list: the first entry we know */
static int device_kind(const char *dir, enum dm_device_kind *kind)
{
    char buf[256];
    long n = prop(dir, "compatible", buf, sizeof(buf));
    if (n <= 0 || (size_t)n > sizeof(buf))
        return -1;
    for (long i = 0; i < n; i += (long)strnlen(buf + i, (size_t)(n - i)) + 1) {
        const char *s = buf + i;
        if (!strcmp(s, "xen-arm-minimal,virtio-blk"))
            return *kind = DM_VIRTIO_BLK, 0;
        if (!strcmp(s, "xen-arm-minimal,virtio-rng"))
            return *kind = DM_VIRTIO_RNG, 0;
        if (!strcmp(s, "xen-arm-minimal,virtio-console"))
            return *kind = DM_VIRTIO_CONSOLE, 0;
    }
    return -1;
}

static void device_node(struct dm_client_cfg *cl, const char *dir, const char *node)
{
    if (cl->nr_devices == DM_MAX_DEVICES) {
        dm_log("%s: more than %d devices; client %s skipped", node, DM_MAX_DEVICES, cl->name);
        cl->bad = true;
        return;
    }
    struct dm_device_cfg *d = &cl->devices[cl->nr_devices++];
    memset(d, 0, sizeof(*d));
    snprintf(d->origin, sizeof(d->origin), "%s", node);
    uint8_t cell[4];
    if (prop(dir, "reg", cell, sizeof(cell)) != 4 || be32(cell) > 31) {
        dm_log("%s: reg: not one cell with a slot number 0-31; client %s skipped", node, cl->name);
        cl->bad = true;
        return;
    }
    d->slot = be32(cell);
    if (device_kind(dir, &d->kind)) {
        dm_log("%s: compatible: not xen-arm-minimal,virtio-blk, -rng or -console; client %s skipped", node, cl->name);
        cl->bad = true;
        return;
    }
    bool has_path = has_prop(dir, "backend-path"), has_pmem = has_prop(dir, "pmem");
    if (d->kind != DM_VIRTIO_BLK) {
        if (has_path || has_pmem || has_prop(dir, "read-only") || has_prop(dir, "serial"))
            dm_log("%s: %s takes no backend-path, pmem, read-only or serial: ignored", node, dm_kind_name(d->kind));
        return;
    }
    if (has_path == has_pmem) {
        dm_log("%s: a virtio-blk needs exactly one of backend-path and pmem; client %s skipped", node, cl->name);
        cl->bad = true;
        return;
    }
    if (has_path && (string_prop(dir, "backend-path", d->path, sizeof(d->path)) || d->path[0] != '/')) {
        dm_log("%s: backend-path: not an absolute path as one string; client %s skipped", node, cl->name);
        cl->bad = true;
        return;
    }
    if (has_pmem) {
        if (prop(dir, "pmem", cell, sizeof(cell)) != 4 || !be32(cell) || be32(cell) == 0xffffffffu) {
            dm_log("%s: pmem: not one phandle cell; client %s skipped", node, cl->name);
            cl->bad = true;
            return;
        }
        d->pmem = be32(cell);
    }
    if (has_prop(dir, "read-only")) {
        if (prop(dir, "read-only", cell, sizeof(cell)) != 0)
            dm_log("%s: read-only: a flag takes no value (taken as set)", node);
        d->read_only = true;
    }
    if (has_prop(dir, "serial") && string_prop(dir, "serial", d->serial, sizeof(d->serial))) {
        dm_log("%s: serial: not a string of at most 20 bytes; client %s skipped", node, cl->name);
        cl->bad = true;
    }
}

static void client_node(struct dm_config *c, const char *dir, const char *node)
{
    uint8_t buf[15 * 4];
    if (prop(dir, "reg", buf, sizeof(buf)) != 4 || !be32(buf) || be32(buf) >= 0x7ff0) {
        dm_log("%s: reg: not one cell with a domain id; skipped", node);
        return;
    }
    unsigned domid = be32(buf);
    if (dm_config_client(c, domid, false)) {
        dm_log("%s: domain %u listed twice; skipped", node, domid);
        return;
    }
    struct dm_client_cfg *cl = dm_config_client(c, domid, true);
    if (!cl) {
        dm_log("%s: more than %d clients; skipped", node, DM_MAX_CLIENTS);
        return;
    }
    snprintf(cl->origin, sizeof(cl->origin), "%s", node);
    if (string_prop(dir, "domain-name", cl->name, sizeof(cl->name))) {
        dm_log("%s: domain-name: not a string of at most %zu bytes; skipped", node, sizeof(cl->name) - 1);
        snprintf(cl->name, sizeof(cl->name), "domain%u", domid);
        cl->bad = true;
    }
    if (prop(dir, "bridge", buf, sizeof(buf)) != (long)sizeof(buf)) {
        dm_log("%s: bridge: not 15 cells (<ecam size mem size pref size> in 2 cells each, irq_start irq_count "
               "flags); client %s skipped",
               node, cl->name);
        cl->bad = true;
    } else {
        struct dm_bridge_layout *b = &cl->bridge;
        b->ecam = be64(buf), b->ecam_size = be64(buf + 8);
        b->mem = be64(buf + 16), b->mem_size = be64(buf + 24);
        b->pref = be64(buf + 32), b->pref_size = be64(buf + 40);
        b->irq_start = be32(buf + 48), b->irq_count = be32(buf + 52), b->flags = be32(buf + 56);
    }
    cl->held = has_prop(dir, "held");
    uint8_t mem[DM_MAX_BANKS * 16];
    long n = prop(dir, "memory", mem, sizeof(mem));
    if (n > 0 && ((size_t)n > sizeof(mem) || n % 16)) {
        dm_log("%s: memory: not <addr size> pairs in 2 cells each, at most %d; client %s skipped", node, DM_MAX_BANKS,
               cl->name);
        cl->bad = true;
    } else if (n > 0) {
        for (long i = 0; i < n; i += 16) {
            struct dm_bank *bk = &cl->banks[cl->nr_banks++];
            bk->base = be64(mem + i), bk->size = be64(mem + i + 8);
            if (!bk->size || bk->base + bk->size < bk->base) {
                dm_log("%s: memory: bank %ld is empty or wraps; client %s skipped", node, i / 16, cl->name);
                cl->bad = true;
            }
        }
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "device@", 7) && strcmp(e->d_name, "device"))
            continue;
        char sub[512], subnode[160];
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        snprintf(subnode, sizeof(subnode), "%s/%s", node, e->d_name);
        device_node(cl, sub, subnode);
    }
    if (d)
        closedir(d);
}

int dm_config_dt(struct dm_config *c)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/device-model", c->dt_root);
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            dm_log("%s: %s", dir, strerror(errno));
        return 0;
    }
    struct dirent *e;
    unsigned found = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "client@", 7))
            continue;
        char sub[600], node[160];
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        snprintf(node, sizeof(node), "/device-model/%s", e->d_name);
        client_node(c, sub, node);
        found++;
    }
    closedir(d);
    dm_log("device tree: %u client(s) in /device-model", found);
    return 0;
}
