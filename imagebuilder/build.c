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

__attribute__((format(printf, 3, 4))) static int fail_at(struct ib_error *err, const struct where *w, const char *fmt,
                                                         ...)
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

/* Whether real (a canonical path) is realdir or inside it. */
static bool inside(const char *real, const char *realdir)
{
    size_t l = strlen(realdir);
    if (l == 1) /* -d / */
        return real[0] == '/';
    return !strncmp(real, realdir, l) && (real[l] == '/' || real[l] == 0);
}

static void add_input(struct ib_result *r, const struct stat *st, const char *key, unsigned line)
{
    if (r->ninputs == IB_MAX_INPUTS)
        abort();
    struct ib_input *in = &r->inputs[r->ninputs++];
    in->dev = (uint64_t)st->st_dev;
    in->ino = (uint64_t)st->st_ino;
    if (line)
        snprintf(in->what, sizeof(in->what), "%s (line %u)", key, line);
    else
        snprintf(in->what, sizeof(in->what), "%s", key);
}

/* A file named in the config: found relative to dir; it must resolve
 * (symbolic links followed) inside dir, since U-Boot loads relative to it;
 * measured, and its first bytes read. */
static int resolve(struct ib_result *r, struct ib_file *f, const char *dir, const char *name, const struct where *w,
                   uint8_t *head, size_t *headlen, struct ib_error *err)
{
    char joined[PATH_MAX], real[PATH_MAX], realdir[PATH_MAX];
    struct stat st;
    if (!realpath(dir, realdir))
        return ib_fail(err, "-d %s: %s", dir, strerror(errno));
    int n = name[0] == '/' ? snprintf(joined, sizeof(joined), "%s", name)
                           : snprintf(joined, sizeof(joined), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(joined))
        return fail_at(err, w, "a path of %d characters: longer than this system's %d", n, PATH_MAX - 1);
    if (config_has_dotdot(name))
        return fail_at(err, w, "%.80s: a \"..\" component: every file must be inside -d %s", name, dir);
    if (!realpath(joined, real) || stat(real, &st))
        return fail_at(err, w, "%s: %s", joined, strerror(errno));
    if (!inside(real, realdir) || !strcmp(real, realdir))
        return fail_at(err, w, "%.200s resolves to %.200s, outside -d %s: the script loads paths relative to it", name,
                       real, dir);
    if (!S_ISREG(st.st_mode))
        return fail_at(err, w, "%s: not a regular file", joined);
    if (!st.st_size)
        return fail_at(err, w, "%s: the file is empty", joined);
    const char *rel = name[0] == '/' ? real + strlen(realdir) + (strlen(realdir) > 1) : name;
    if (strlen(rel) > IB_NAME_MAX)
        return fail_at(err, w,
                       "%.60s...: a name of %zu characters; the script's loads take at most %u (U-Boot's "
                       "TFTP client would cut it short)",
                       rel, strlen(rel), IB_NAME_MAX);
    f->name = xstrdup(rel);
    f->host = xstrdup(real);
    f->size = (uint64_t)st.st_size;
    add_input(r, &st, w->key, w->line);
    FILE *in = fopen(real, "rb");
    if (!in)
        return fail_at(err, w, "%s: %s", joined, strerror(errno));
    *headlen = fread(head, 1, 64, in);
    fclose(in);
    f->footprint = image_footprint(head, *headlen, f->size);
    return 0;
}

/* An output path (relative to dir when rel_to_dir, else to the current
 * directory), checked: no "..", its directory inside dir (symbolic links
 * followed), not itself a symbolic link or anything but a regular file,
 * and not one of r's inputs. *host: the canonical path written; *rel: it
 * relative to dir. */
static int check_output(const struct ib_result *r, const char *dir, const char *name, bool rel_to_dir,
                        const struct where *w, char **host, char **rel, struct ib_error *err)
{
    char joined[PATH_MAX], realdir[PATH_MAX], parent[PATH_MAX], realparent[PATH_MAX];
    struct stat st;
    *host = *rel = NULL;
    if (!realpath(dir, realdir))
        return ib_fail(err, "-d %s: %s", dir, strerror(errno));
    if (!*name)
        return fail_at(err, w, "an empty name");
    if (config_has_dotdot(name))
        return fail_at(err, w, "%.200s: a \"..\" component: outputs are written only inside -d %s", name, dir);
    int n = name[0] == '/' || !rel_to_dir ? snprintf(joined, sizeof(joined), "%s", name)
                                          : snprintf(joined, sizeof(joined), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(joined))
        return fail_at(err, w, "a path of %d characters: longer than this system's %d", n, PATH_MAX - 1);
    char *slash = strrchr(joined, '/');
    const char *base = slash ? slash + 1 : joined;
    if (!*base || !strcmp(base, "."))
        return fail_at(err, w, "%.200s: not a file name", name);
    if (!slash)
        snprintf(parent, sizeof(parent), ".");
    else if (slash == joined)
        snprintf(parent, sizeof(parent), "/");
    else
        snprintf(parent, sizeof(parent), "%.*s", (int)(slash - joined), joined);
    if (!realpath(parent, realparent))
        return fail_at(err, w, "%.200s: the directory %.200s: %s", name, parent, strerror(errno));
    if (!inside(realparent, realdir))
        return fail_at(err, w, "%.200s is outside -d %s (in %.200s): outputs are written only inside -d", name, dir,
                       realparent);
    char *canon = xasprintf("%s%s%s", realparent, strcmp(realparent, "/") ? "/" : "", base);
    if (!lstat(canon, &st)) {
        const char *why = S_ISLNK(st.st_mode) ? "is a symbolic link: not written through"
            : !S_ISREG(st.st_mode)            ? "exists and is not a regular file"
                                              : NULL;
        if (why) {
            int rc = fail_at(err, w, "%.200s %s", name, why);
            free(canon);
            return rc;
        }
        for (unsigned i = 0; i < r->ninputs; i++)
            if (r->inputs[i].dev == (uint64_t)st.st_dev && r->inputs[i].ino == (uint64_t)st.st_ino) {
                int rc =
                    fail_at(err, w, "%.200s is the input %s: an input is never overwritten", name, r->inputs[i].what);
                free(canon);
                return rc;
            }
    }
    size_t l = strlen(realdir);
    *rel = xstrdup(l == 1 ? canon + 1 : canon + l + (canon[l] == '/'));
    *host = canon;
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
    if (resolve(r, &p->dtb, dir, cfg->device_tree, &w, head, &headlen, err) ||
        check_fdt_file(&p->dtb, &w, err, &r->host_fdt))
        return -1;
    r->host_len = p->dtb.size;
    w = (struct where){ cfg->file, cfg->xen_line, "XEN" };
    if (resolve(r, &p->xen, dir, cfg->xen, &w, head, &headlen, err))
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
        if (resolve(r, &p->kernel[n], dir, d->kernel, &w, head, &headlen, err))
            return -1;
        if (d->ramdisk) {
            snprintf(key, sizeof(key), "DOMU_RAMDISK[%u]", n);
            w = (struct where){ cfg->file, d->ramdisk_line, key };
            if (resolve(r, &p->ramdisk[n], dir, d->ramdisk, &w, head, &headlen, err))
                return -1;
        }
        for (unsigned i = 0; i < d->ndisks; i++) {
            if (!d->disk[i].file)
                continue;
            snprintf(key, sizeof(key), "DOMU_VIRTIO_DISK[%u,%u]", n, d->disk[i].k);
            w = (struct where){ cfg->file, d->disk[i].line, key };
            if (resolve(r, &p->disk[n][i], dir, d->disk[i].file, &w, head, &headlen, err))
                return -1;
            /* the device model gets the image's pages: whole ones only */
            if (!p->disk[n][i].size || p->disk[n][i].size % 4096)
                return fail_at(err, &w,
                               "%s is %llu bytes: a disk image must be a whole number of 4 KiB pages (it is mapped "
                               "into the device model)",
                               p->disk[n][i].name, (unsigned long long)p->disk[n][i].size);
            p->disk[n][i].footprint = p->disk[n][i].size;
        }
        if (d->passthrough) {
            snprintf(key, sizeof(key), "DOMU_PASSTHROUGH_DTB[%u]", n);
            w = (struct where){ cfg->file, d->passthrough_line, key };
            if (resolve(r, &p->partial[n], dir, d->passthrough, &w, head, &headlen, err) ||
                check_fdt_file(&p->partial[n], &w, err, NULL))
                return -1;
        }
    }
    if (cfg->append_extra_cmds) {
        char joined[PATH_MAX], path[PATH_MAX], realdir[PATH_MAX];
        size_t len;
        struct stat st;
        w = (struct where){ cfg->file, cfg->append_extra_cmds_line, "APPEND_EXTRA_CMDS" };
        int n = cfg->append_extra_cmds[0] == '/'
            ? snprintf(joined, sizeof(joined), "%s", cfg->append_extra_cmds)
            : snprintf(joined, sizeof(joined), "%s/%s", dir, cfg->append_extra_cmds);
        if (n < 0 || (size_t)n >= sizeof(joined))
            return fail_at(err, &w, "a path of %d characters: longer than this system's %d", n, PATH_MAX - 1);
        if (!realpath(dir, realdir))
            return ib_fail(err, "-d %s: %s", dir, strerror(errno));
        if (!realpath(joined, path) || stat(path, &st))
            return fail_at(err, &w, "%s: %s", joined, strerror(errno));
        if (!inside(path, realdir))
            return fail_at(err, &w, "%.200s resolves to %.200s, outside -d %s", cfg->append_extra_cmds, path, dir);
        add_input(r, &st, "APPEND_EXTRA_CMDS", cfg->append_extra_cmds_line);
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
        if (d->boot && d->shm_id[0]) {
            snprintf(key, sizeof(key), "DOMU_SHARED_MEM[%u]", n);
            layout_block(&r->layout, d->shm[0], d->shm[2], key);
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
        for (unsigned i = 0; i < cfg->dom[n].ndisks; i++) {
            snprintf(key, sizeof(key), "DOMU_VIRTIO_DISK[%u,%u]", n, cfg->dom[n].disk[i].k);
            if (p->disk[n][i].name && place(r, &p->disk[n][i], key, p->disk[n][i].footprint, err))
                return -1;
        }
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
        /* The script loads the tree edited here instead: an output, held
         * to the outputs' rules, and a name the script loads. */
        char *host, *rel;
        w = (struct where){ cfg->file, cfg->fdtedit_line, "FDTEDIT" };
        if (check_output(r, dir, cfg->fdtedit, true, &w, &host, &rel, err))
            return -1;
        size_t rl = strlen(rel);
        if (rl > IB_NAME_MAX) {
            free(host);
            free(rel);
            return fail_at(err, &w, "a name of %zu characters; the script's loads take at most %u", rl, IB_NAME_MAX);
        }
        free(p->dtb.name);
        free(p->dtb.host);
        p->dtb.name = rel;
        p->dtb.host = host;
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
        for (unsigned i = 0; i < IB_MAX_DISKS; i++)
            file_free(&p->disk[n][i]);
    }
    free(p->extra_cmds);
    p->extra_cmds = NULL;
    edits_free(&r->edits);
    layout_free(&r->layout);
    free(r->host_fdt);
    free(r->edited);
    r->host_fdt = r->edited = NULL;
}

/* NAME.scr -> NAME: the stem the -Q outputs are named after. */
static char *stem(const char *script)
{
    char *s = xstrdup(script), *dot = strrchr(s, '.'), *slash = strrchr(s, '/');
    if (dot && (!slash || dot > slash))
        *dot = 0;
    return s;
}

int plan_outputs(struct ib_outputs *o, struct ib_result *r, const char *dir, const char *name, const char *dtb_out,
                 bool qemu, struct ib_error *err)
{
    const struct ib_config *cfg = r->plan.cfg;
    struct stat st;
    memset(o, 0, sizeof(*o));
    if (!stat(cfg->file, &st) && r->ninputs < IB_MAX_INPUTS) /* the config is an input too */
        add_input(r, &st, "-c CONFIG", 0);
    struct where w_o = { cfg->file, 0, "-o NAME" };
    struct where w_src = { cfg->file, cfg->uboot_source_line, "UBOOT_SOURCE" };
    struct where w_scr = { cfg->file, cfg->uboot_script_line, "UBOOT_SCRIPT" };
    char *src_name =
        name ? xasprintf("%s.source", name) : xstrdup(cfg->uboot_source ? cfg->uboot_source : "boot.source");
    char *scr_name = name ? xasprintf("%s.scr", name) : xstrdup(cfg->uboot_script ? cfg->uboot_script : "boot.scr");
    char *rel = NULL, *base = NULL;
    int rc = -1;
    /* -o's errors name the option, not a config line. */
    if (name && config_has_dotdot(name)) {
        ib_fail(err, "-o %.200s: a \"..\" component: outputs are written only inside -d %s", name, dir);
        goto out;
    }
    if (check_output(r, dir, src_name, true, name ? &w_o : &w_src, &o->source, &rel, err))
        goto out;
    free(rel);
    if (check_output(r, dir, scr_name, true, name ? &w_o : &w_scr, &o->script, &o->script_name, err))
        goto out;
    if (dtb_out) {
        struct where w = { cfg->file, 0, "-D FILE" };
        if (check_output(r, dir, dtb_out, false, &w, &o->dtb, &rel, err))
            goto out;
        free(rel);
    }
    if (qemu) {
        struct where w = { cfg->file, 0, "-Q" };
        base = stem(o->script);
        char *shim = xasprintf("%s-shim.bin", base);
        if (check_output(r, dir, shim, false, &w, &o->shim, &rel, err)) {
            free(shim);
            goto out;
        }
        free(shim);
        free(rel);
        if (!cfg->fdtedit && !dtb_out) {
            char *edited = xasprintf("%s-edited.dtb", base);
            if (check_output(r, dir, edited, false, &w, &o->edited, &rel, err)) {
                free(edited);
                goto out;
            }
            free(edited);
            free(rel);
        }
    }
    /* No two outputs the same file (mkimage would read what it writes). */
    const char *all[] = { o->source, o->script, cfg->fdtedit ? r->plan.dtb.host : NULL, o->dtb, o->shim, o->edited };
    const char *names[] = { name ? "-o NAME (.source)" : "UBOOT_SOURCE",
                            name ? "-o NAME (.scr)" : "UBOOT_SCRIPT",
                            "FDTEDIT",
                            "-D FILE",
                            "-Q (the shim)",
                            "-Q (the edited tree)" };
    for (unsigned i = 0; i < 6; i++)
        for (unsigned j = i + 1; j < 6; j++)
            if (all[i] && all[j] && !strcmp(all[i], all[j])) {
                ib_fail(err, "%s: %s and %s both name %s: each output needs its own file", cfg->file, names[i],
                        names[j], all[i]);
                goto out;
            }
    rc = 0;
out:
    free(src_name);
    free(scr_name);
    free(base);
    if (rc)
        outputs_free(o);
    return rc;
}

void outputs_free(struct ib_outputs *o)
{
    free(o->source);
    free(o->script);
    free(o->script_name);
    free(o->dtb);
    free(o->edited);
    free(o->shim);
    memset(o, 0, sizeof(*o));
}
