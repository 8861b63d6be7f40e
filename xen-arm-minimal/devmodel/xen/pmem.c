/* A disk backed by a pmem-region node of this domain's device tree (a boot
 * module the builder maps into this domain): Linux's of_pmem makes a
 * platform device "<unit-address>.<node-name>" of the node and nd_pmem a
 * block device under it, /sys/devices/platform/<unit>.<name>/ndbusN/
 * regionN/namespaceN.0/block/pmemN. This finds the node by its phandle and
 * the block device's name under that directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"

/* The directory of the node whose phandle (or linux,phandle) is ph, under
 * dir; depth-limited, symbolic links not followed. */
static int find_phandle(const char *dir, uint32_t ph, char *out, size_t size, unsigned depth)
{
    static const char *const names[] = { "phandle", "linux,phandle" };
    for (unsigned i = 0; i < 2; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        unsigned char b[4];
        size_t n = fread(b, 1, 4, f);
        fclose(f);
        if (n == 4 && ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) == ph) {
            snprintf(out, size, "%s", dir);
            return 0;
        }
    }
    if (depth == 0)
        return -1;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = -1;
    while (rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024];
        struct stat st;
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        if (lstat(sub, &st) || !S_ISDIR(st.st_mode))
            continue;
        rc = find_phandle(sub, ph, out, size, depth - 1);
    }
    closedir(d);
    return rc;
}

/* The first entry of a directory named "block" under dir. */
static int find_block(const char *dir, char *out, size_t size, unsigned depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = -1;
    while (rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024];
        struct stat st;
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        if (lstat(sub, &st) || !S_ISDIR(st.st_mode))
            continue;
        if (!strcmp(e->d_name, "block")) {
            DIR *b = opendir(sub);
            struct dirent *be;
            while (b && (be = readdir(b)))
                if (be->d_name[0] != '.') {
                    snprintf(out, size, "%s", be->d_name);
                    rc = 0;
                    break;
                }
            if (b)
                closedir(b);
        } else if (depth) {
            rc = find_block(sub, out, size, depth - 1);
        }
    }
    closedir(d);
    return rc;
}

int dm_pmem_block_device(const char *dt_root, uint32_t phandle, char *out, unsigned out_size, const char *origin,
                         unsigned wait_ms)
{
    char node[1024];
    if (find_phandle(dt_root, phandle, node, sizeof(node), 8)) {
        dm_log("%s: pmem: no node of this domain's device tree has phandle 0x%x", origin, phandle);
        return -1;
    }
    char compat[256] = { 0 }, path[1100];
    snprintf(path, sizeof(path), "%s/compatible", node);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(compat, 1, sizeof(compat) - 1, f) : 0;
    if (f)
        fclose(f);
    bool is_pmem = false;
    for (size_t i = 0; i < n; i += strlen(compat + i) + 1)
        is_pmem |= !strcmp(compat + i, "pmem-region");
    const char *base = strrchr(node, '/') ? strrchr(node, '/') + 1 : node;
    if (!is_pmem) {
        dm_log("%s: pmem: node %s (phandle 0x%x) is not compatible with \"pmem-region\"", origin, base, phandle);
        return -1;
    }
    const char *at = strchr(base, '@');
    if (!at || !at[1]) {
        dm_log("%s: pmem: node %s has no unit address, so Linux's platform device cannot be found", origin, base);
        return -1;
    }
    char sysdir[256], dev[64];
    snprintf(sysdir, sizeof(sysdir), "/sys/devices/platform/%s.%.*s", at + 1, (int)(at - base), base);
    /* of_pmem and nd_pmem probe asynchronously after their modules load */
    struct timespec step = { 0, 50 * 1000 * 1000 };
    for (unsigned waited = 0;; waited += 50) {
        if (!find_block(sysdir, dev, sizeof(dev), 6))
            break;
        if (waited >= wait_ms) {
            dm_log("%s: pmem: no block device under %s after %u ms (are of_pmem and nd_pmem loaded?)", origin, sysdir,
                   wait_ms);
            return -1;
        }
        nanosleep(&step, NULL);
    }
    snprintf(out, out_size, "/dev/%s", dev);
    return 0;
}
