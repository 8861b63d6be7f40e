#include "build.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct where {
    const char *file; /* the config */
    unsigned line;
    const char *key;
};

__attribute__((format(printf, 3, 4))) static int fail_at(struct ib_error *err, const struct where *w, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->line)
        return ib_fail(err, "%s:%u: %s: %s", w->file, w->line, w->key, msg);
    return ib_fail(err, "%s: %s: %s", w->file, w->key, msg);
}

/* A file named in the config: found relative to dir (an absolute path must
 * lie inside dir, since U-Boot loads relative to it), measured, and its
 * first bytes read. */
static int resolve(struct ib_file *f, const char *dir, const char *name, const struct where *w, uint8_t *head,
                   size_t *headlen, struct ib_error *err)
{
    char joined[PATH_MAX], real[PATH_MAX], realdir[PATH_MAX];
    struct stat st;
    if (!realpath(dir, realdir))
        return ib_fail(err, "-d %s: %s", dir, strerror(errno));
    if (name[0] == '/')
        snprintf(joined, sizeof(joined), "%s", name);
    else
        snprintf(joined, sizeof(joined), "%s/%s", dir, name);
    if (!realpath(joined, real) || stat(real, &st))
        return fail_at(err, w, "%s: %s", joined, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail_at(err, w, "%s: not a regular file", joined);
    if (!st.st_size)
        return fail_at(err, w, "%s: the file is empty", joined);
    if (name[0] == '/') {
        size_t l = strlen(realdir);
        if (strncmp(real, realdir, l) || real[l] != '/')
            return fail_at(err, w, "%s is not inside -d %s: the script loads paths relative to it", name, dir);
        f->name = xstrdup(real + l + 1);
    } else {
        f->name = xstrdup(name);
    }
    f->host = xstrdup(real);
    f->size = (uint64_t)st.st_size;
    FILE *in = fopen(real, "rb");
    if (!in)
        return fail_at(err, w, "%s: %s", joined, strerror(errno));
    *headlen = fread(head, 1, 64, in);
    fclose(in);
    f->footprint = image_footprint(head, *headlen, f->size);
    return 0;
}

static bool is_image(const uint8_t *head, size_t len) { return len >= 64 && !memcmp(head + 56, "ARM\x64", 4); }

static int check_fdt_file(const struct ib_file *f, const struct where *w, struct ib_error *err, void **blob)
{
    size_t len;
    void *buf = read_file(f->host, &len);
    if (!buf)
        return fail_at(err, w, "%s: %s", f->host, strerror(errno));
    int rc = len < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED : fdt_check_header(buf);
    if (!rc && fdt_totalsize(buf) > len)
        rc = -FDT_ERR_TRUNCATED;
    if (rc) {
        free(buf);
        return fail_at(err, w, "%s: not a device tree blob: %s", f->name, fdt_strerror(rc));
    }
    if (blob)
        *blob = buf;
    else
        free(buf);
    return 0;
}

static int place(struct ib_result *r, struct ib_file *f, const char *what, uint64_t size, struct ib_error *err)
{
    char label[600];
    snprintf(label, sizeof(label), "%s (%s)", what, f->name);
    return layout_place(&r->layout, label, size, &f->addr, err);
}

int plan_build(struct ib_result *r, const struct ib_config *cfg, const char *dir, const char *load_cmd,
               struct ib_error *err)
{
    struct ib_plan *p = &r->plan;
    uint8_t head[64];
    size_t headlen;
    char key[64];
    memset(r, 0, sizeof(*r));
    p->cfg = cfg;
    p->load_cmd = load_cmd;
    p->script_addr = cfg->mem_start + IB_SCRIPT_OFFSET;
    p->edit_at_boot = !cfg->fdtedit;

    /* Read everything first: a missing file is the likeliest mistake. */
    struct where w = { cfg->file, cfg->device_tree_line, "DEVICE_TREE" };
    if (resolve(&p->dtb, dir, cfg->device_tree, &w, head, &headlen, err) ||
        check_fdt_file(&p->dtb, &w, err, &r->host_fdt))
        return -1;
    r->host_len = p->dtb.size;
    w = (struct where){ cfg->file, cfg->xen_line, "XEN" };
    if (resolve(&p->xen, dir, cfg->xen, &w, head, &headlen, err))
        return -1;
    if (cfg->boot_cmd == BOOT_BOOTI && !is_image(head, headlen))
        return fail_at(err, &w, "%s is not an arm64 Image (no \"ARM\\x64\" magic at byte 56), which booti needs",
                       p->xen.name);
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        const struct ib_domain *d = &cfg->dom[n];
        if (!d->boot)
            continue;
        snprintf(key, sizeof(key), "DOMU_KERNEL[%u]", n);
        w = (struct where){ cfg->file, d->kernel_line, key };
        if (resolve(&p->kernel[n], dir, d->kernel, &w, head, &headlen, err))
            return -1;
        if (d->ramdisk) {
            snprintf(key, sizeof(key), "DOMU_RAMDISK[%u]", n);
            w = (struct where){ cfg->file, d->ramdisk_line, key };
            if (resolve(&p->ramdisk[n], dir, d->ramdisk, &w, head, &headlen, err))
                return -1;
        }
        if (d->passthrough) {
            snprintf(key, sizeof(key), "DOMU_PASSTHROUGH_DTB[%u]", n);
            w = (struct where){ cfg->file, d->passthrough_line, key };
            if (resolve(&p->partial[n], dir, d->passthrough, &w, head, &headlen, err) ||
                check_fdt_file(&p->partial[n], &w, err, NULL))
                return -1;
        }
    }
    if (cfg->append_extra_cmds) {
        char path[PATH_MAX];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", dir, cfg->append_extra_cmds);
        if (!(p->extra_cmds = read_file(path, &len)))
            return ib_fail(err, "%s: APPEND_EXTRA_CMDS: %s: %s", cfg->file, path, strerror(errno));
        p->extra_cmds = xrealloc(p->extra_cmds, len + 1);
        p->extra_cmds[len] = 0;
        if (strlen(p->extra_cmds) != len)
            return ib_fail(err, "%s: APPEND_EXTRA_CMDS: %s: not a text file", cfg->file, path);
        p->extra_name = cfg->append_extra_cmds;
    }

    /* Layout: the domains' files in config order, the hypervisor, and the
     * device tree last (its size depends on the edits, which name the
     * other files' addresses). */
    layout_init(&r->layout, cfg->mem_start, cfg->mem_end);
    if (layout_from_fdt(&r->layout, r->host_fdt, err))
        return -1;
    layout_block(&r->layout, cfg->mem_start, IB_LOW_RESERVE,
                 "the first 4 MiB of the window (QEMU's device tree, the U-Boot script)");
    layout_block(&r->layout, IB_UBOOT_SCRIPTADDR, IB_ALIGN, "U-Boot's scriptaddr");
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        const struct ib_domain *d = &cfg->dom[n];
        for (unsigned i = 0; d->boot && i < d->nr_static; i++) {
            snprintf(key, sizeof(key), "DOMU_STATIC_MEM[%u]", n);
            layout_block(&r->layout, d->static_mem[2 * i], d->static_mem[2 * i + 1], key);
        }
    }
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        if (!cfg->dom[n].boot)
            continue;
        snprintf(key, sizeof(key), "DOMU_KERNEL[%u]", n);
        if (place(r, &p->kernel[n], key, p->kernel[n].footprint, err))
            return -1;
        snprintf(key, sizeof(key), "DOMU_RAMDISK[%u]", n);
        if (p->ramdisk[n].name && place(r, &p->ramdisk[n], key, p->ramdisk[n].footprint, err))
            return -1;
        snprintf(key, sizeof(key), "DOMU_PASSTHROUGH_DTB[%u]", n);
        if (p->partial[n].name && place(r, &p->partial[n], key, p->partial[n].footprint, err))
            return -1;
    }
    if (place(r, &p->xen, "XEN", p->xen.footprint, err))
        return -1;
    if (edits_build(p, r->host_fdt, &r->edits, err))
        return -1;
    p->resize = edits_growth(&r->edits);

    /* The tree's slot: the file as loaded, or the edited tree (rounded to
     * 4 KiB by `fdt resize`) plus what booti adds in place. */
    const void *fdt = r->host_fdt;
    uint64_t structs = fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);
    uint64_t strings = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
    uint64_t edited = (structs > strings ? structs : strings) + p->resize;
    uint64_t slot = ((edited + 0xfff) & ~0xfffULL) + 0x1000 + IB_UBOOT_FDT_PAD;
    if (cfg->fdtedit) {
        /* The script loads the tree edited here instead. */
        free(p->dtb.name);
        free(p->dtb.host);
        p->dtb.name = xstrdup(cfg->fdtedit);
        p->dtb.host = xasprintf("%s/%s", dir, cfg->fdtedit);
        p->dtb.size = edited;
    } else if (p->dtb.size > slot) {
        slot = p->dtb.size;
    }
    if (place(r, &p->dtb, "DEVICE_TREE", slot, err))
        return -1;
    return edits_apply(fdt, &r->edits, p->resize, p->edit_at_boot, p->dtb.addr, &r->edited, &r->edited_len, err);
}

static void file_free(struct ib_file *f)
{
    free(f->name);
    free(f->host);
    f->name = f->host = NULL;
}

void plan_free(struct ib_result *r)
{
    struct ib_plan *p = &r->plan;
    file_free(&p->xen);
    file_free(&p->dtb);
    for (unsigned n = 0; n < IB_MAX_DOMUS; n++) {
        file_free(&p->kernel[n]);
        file_free(&p->ramdisk[n]);
        file_free(&p->partial[n]);
    }
    free(p->extra_cmds);
    p->extra_cmds = NULL;
    edits_free(&r->edits);
    layout_free(&r->layout);
    free(r->host_fdt);
    free(r->edited);
    r->host_fdt = r->edited = NULL;
}
