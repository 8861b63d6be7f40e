/* The dry run: hostdt_parse() and domain_describe(), the hypervisor's own
 * code, on the host. Module contents come from files the user names by
 * load address; the CPUs are taken as all online, as they will be on a
 * healthy board. */
#include "dryrun.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <xam/domain_desc.h>
#include <xam/guest_fdt.h>

/* As many domains as the hypervisor builds. */
#define MAX_DESC 64

/* The IPA size of the smallest CPU we run on (39 bits: 512 GiB). */
#define DRYRUN_IPA_BITS 39

#define DRYRUN_MAX_LOADED 64

struct files {
    const struct dryrun_file *f;
    unsigned n;
    uint8_t header[64];
    unsigned nloaded;
    uint64_t loaded_base[DRYRUN_MAX_LOADED];
    void *loaded[DRYRUN_MAX_LOADED];
};

static const struct dryrun_file *file_at(const struct files *fs, uint64_t base)
{
    for (unsigned i = 0; i < fs->n; i++)
        if (fs->f[i].base == base)
            return &fs->f[i];
    return NULL;
}

static const uint8_t *module_header(const struct hostdt_module *m, void *ctx)
{
    struct files *fs = ctx;
    const struct dryrun_file *f = file_at(fs, m->base);
    if (!f && !fs->n) {
        /* Sizes only (from the tree): take the kernel for an Image of that
         * size, as the report says. */
        memset(fs->header, 0, sizeof(fs->header));
        for (int i = 0; i < 8; i++)
            fs->header[16 + i] = (uint8_t)(m->size >> (8 * i));
        memcpy(fs->header + 56, "ARM\x64", 4);
        return fs->header;
    }
    if (!f)
        return NULL;
    FILE *in = fopen(f->path, "rb");
    if (!in)
        return NULL;
    size_t got = fread(fs->header, 1, sizeof(fs->header), in);
    fclose(in);
    return got == sizeof(fs->header) ? fs->header : NULL;
}

/* Whole files, read once and kept for the run (partial device trees). */
static const void *module_data(const struct hostdt_module *m, void *ctx)
{
    struct files *fs = ctx;
    const struct dryrun_file *f = file_at(fs, m->base);
    if (!f || f->size < m->size)
        return NULL;
    for (unsigned i = 0; i < fs->nloaded; i++)
        if (fs->loaded_base[i] == m->base)
            return fs->loaded[i];
    FILE *in = fopen(f->path, "rb");
    void *buf = in ? malloc(f->size ? f->size : 1) : NULL;
    size_t got = buf ? fread(buf, 1, f->size, in) : 0;
    if (in)
        fclose(in);
    if (!buf || got != f->size || fs->nloaded == DRYRUN_MAX_LOADED) {
        free(buf);
        return NULL;
    }
    fs->loaded_base[fs->nloaded] = m->base;
    fs->loaded[fs->nloaded++] = buf;
    return buf;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(data, 1, len, out) != len || fclose(out) != 0)
        return -1;
    return 0;
}

/* A module's reg may not claim more than the file the loader will put
 * there; with no file, the kernel's header cannot be checked. */
static const char *module_problem(const struct files *fs, const struct hostdt_module *m)
{
    const struct dryrun_file *f = file_at(fs, m->base);
    if (!f)
        return fs->n ? "no file is loaded at this address" : NULL;
    if (m->size > f->size)
        return "reg size is larger than the file loaded there";
    return NULL;
}

/* A domain's name as this tool prints it: refused names may hold any
 * byte, and a terminal must not get control characters from a tree. */
static const char *shown(const char *name)
{
    static char buf[96];
    size_t i = 0;
    for (; name && name[i] && i < sizeof(buf) - 1; i++)
        buf[i] = name[i] < 0x20 || name[i] > 0x7e ? '?' : name[i];
    buf[i] = 0;
    return buf;
}

static void report_layout(FILE *out, const void *fdt, const struct domain_desc *dd)
{
    fprintf(out, "%s: ok: %u vCPU%s, %llu MiB", dd->name, dd->vcpus, dd->vcpus > 1 ? "s" : "",
            (unsigned long long)(dd->mem >> 20));
    for (unsigned i = 0; i < dd->nr_banks; i++)
        fprintf(out, "%s0x%llx-0x%llx", i ? ", " : " at ", (unsigned long long)dd->banks[i].ipa,
                (unsigned long long)(dd->banks[i].ipa + dd->banks[i].size - 1));
    fprintf(out, "; kernel 0x%llx (module 0x%llx, 0x%llx bytes%s); device tree 0x%llx",
            (unsigned long long)(dd->banks[0].ipa + dd->text_offset), (unsigned long long)dd->kernel->base,
            (unsigned long long)dd->kernel->size,
            dd->kernel_in_place   ? ", mapped in place"
                : dd->kernel_gzip ? ", gzip"
                                  : "",
            (unsigned long long)dd->dtb);
    if (dd->ramdisk)
        fprintf(out, "; ramdisk 0x%llx (module 0x%llx, 0x%llx bytes)", (unsigned long long)dd->initrd,
                (unsigned long long)dd->ramdisk->base, (unsigned long long)dd->ramdisk->size);
    fprintf(out, "; console %s", dd->vpl011 ? "vpl011" : "none");
    /* direct-map: its GIC and vPL011 where the host has its own */
    if (dd->direct_map)
        fprintf(out, "; GIC at 0x%llx%s", (unsigned long long)dd->layout.gicd, dd->vpl011 ? "" : " (the host's)");
    if (dd->direct_map && dd->vpl011)
        fprintf(out, ", vPL011 at 0x%llx with SPI %u (the host's)", (unsigned long long)dd->layout.uart,
                dd->layout.uart_intid - 32);
    for (unsigned k = 0; k < dd->nr_shm; k++) {
        const struct desc_shm *m = &dd->shm[k];
        fprintf(out, "%s \"%s\" 0x%llx-0x%llx", k ? "," : "; static shared memory:", shown(m->id),
                (unsigned long long)m->ipa, (unsigned long long)(m->ipa + m->size - 1));
        if (m->host_given)
            fprintf(out, " (host 0x%llx", (unsigned long long)m->pa);
        else
            fprintf(out, " (host chosen at boot");
        fprintf(out, ", %s)",
                m->role == SHM_ROLE_OWNER          ? "owner"
                    : m->role == SHM_ROLE_BORROWER ? "borrower"
                                                   : "no role");
    }
    if (dd->sve_bits == DESC_SVE_HOST_MAX)
        fprintf(out, "; SVE up to the machine's longest vectors");
    else if (dd->sve_bits)
        fprintf(out, "; SVE up to %u-bit vectors (if every CPU gives them)", dd->sve_bits);
    if (domain_desc_enhanced(dd))
        fprintf(out, "; hypervisor node");
    if (dd->has_bridge) {
        const struct pci_bridge *b = &dd->bridge;
        char dm[DT_PATH_MAX];
        fprintf(out,
                "; PCI bridge ECAM 0x%llx+0x%llx MEM 0x%llx+0x%llx prefetch 0x%llx+0x%llx SPIs %u-%u, served by %s%s",
                (unsigned long long)b->ecam, (unsigned long long)b->ecam_size, (unsigned long long)b->mem,
                (unsigned long long)b->mem_size, (unsigned long long)b->pref, (unsigned long long)b->pref_size,
                b->irq_start, b->irq_start + b->irq_count - 1, dt_node_path(fdt, dd->device_model, dm, sizeof(dm)),
                dd->hold ? " (held until it connects)" : "");
    }
    for (unsigned k = 0; k < dd->nr_virtio; k++) {
        const struct virtio_dev *v = &dd->virtio[k];
        fprintf(out, "%s slot %u %s", k ? "," : "; virtio:", v->slot, virtio_compatible(v->kind) + 16);
        if (v->disk_size)
            fprintf(out, " (disk module 0x%llx+0x%llx%s)", (unsigned long long)v->disk_pa,
                    (unsigned long long)v->disk_size, v->read_only ? ", read-only" : "");
        else if (v->backend_path)
            fprintf(out, " (%s%s)", v->backend_path, v->read_only ? ", read-only" : "");
    }
    fprintf(out, "\n");
}

static void report_unchecked(FILE *out, unsigned nfiles)
{
    if (!nfiles)
        fprintf(out,
                "note: no module files given (-m): kernels were taken to be arm64 Images of the "
                "size their reg says, without bss\n");
}

struct refusals {
    FILE *out;
    const struct domain_desc *dd;
    int *rejected;
    struct files *fs;
    const void *fdt;
    const struct hostdt *h;
};

static void refused(unsigned i, const char *why, void *ctx)
{
    struct refusals *r = ctx;
    fprintf(r->out, "%s: rejected: %s\n", shown(r->dd[i].name), why);
    (*r->rejected)++;
}

static void rejected_alone(int node, const char *msg, void *ctx)
{
    struct refusals *r = ctx;
    fprintf(r->out, "%s: rejected: %s\n", shown(fdt_get_name(r->fdt, node, NULL)), msg);
    (*r->rejected)++;
}

/* The files first: what the loader will really put there. */
static const char *files_problem(int node, char *why, size_t len, void *ctx)
{
    struct refusals *r = ctx;
    const struct hostdt *h = r->h;
    for (unsigned m = 0; m < h->nr_modules; m++) {
        const char *problem;
        char path[DT_PATH_MAX];
        if (h->modules[m].parent == node && !h->modules[m].problem &&
            (problem = module_problem(r->fs, &h->modules[m]))) {
            snprintf(why, len, "%s: reg: %s", dt_node_path(r->fdt, h->modules[m].node, path, sizeof(path)), problem);
            return problem;
        }
    }
    return NULL;
}

int dryrun(const void *fdt, size_t size, const struct dryrun_file *files, unsigned nfiles, const struct dryrun_opts *o,
           unsigned *accepted)
{
    static struct hostdt h; /* large: keep it off the stack */
    struct hostdt_error err;
    struct files fs = { .f = files, .n = nfiles };
    FILE *out = o->report;
    FILE *layout = NULL;
    *accepted = 0;

    if (hostdt_parse(&h, fdt, size, NULL, &err) || hostdt_check_el2(&h, &err)) {
        fprintf(out, "host device tree: %s\n", err.msg);
        return -1;
    }
    static struct inflate_work inflate_work;
    struct builder_env env = { .nr_cpus = h.nr_cpus,
                               .ipa_bits = DRYRUN_IPA_BITS,
                               .sve_max_bits = DESC_SVE_UNKNOWN,
                               .module_header = module_header,
                               .module_data = module_data,
                               .inflate_work = &inflate_work,
                               .ctx = &fs };
    for (unsigned i = 0; i < h.nr_cpus && i < DESC_MAX_CPUS; i++) {
        env.cpu_mpidr[i] = h.cpu_mpidr[i];
        env.online |= 1ULL << i;
    }
    const char *cpu_compat = domain_desc_cpu_compatible(fdt);

    if (o->outdir) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/layout.txt", o->outdir);
        if (!(layout = fopen(path, "w"))) {
            fprintf(out, "%s: %s\n", path, strerror(errno));
            return -1;
        }
    }
    /* As the hypervisor: describe every domain, skip those whose device
     * model was skipped, number the rest in order (their domain ids), and
     * only then write trees, so a device model's lists its guests. */
    static struct domain_desc dd[MAX_DESC];
    bool ok[MAX_DESC];
    int rejected = 0;
    struct refusals r = { out, dd, &rejected, &fs, fdt, &h };
    static const struct desc_plan_ops plan = { files_problem, rejected_alone, refused, NULL };
    unsigned n = domain_descs_plan(&h, &env, dd, ok, MAX_DESC, &plan, &r);
    unsigned id[MAX_DESC], next_id = 1;
    for (unsigned i = 0; i < n; i++)
        id[i] = ok[i] ? next_id++ : 0;
    for (unsigned i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        report_layout(out, fdt, &dd[i]);
        (*accepted)++;
        if (!o->outdir)
            continue;
        fprintf(layout, "domain %u: ", id[i]);
        report_layout(layout, fdt, &dd[i]);
        static char guest[GUEST_FDT_MAX];
        struct guest_fdt_params gp;
        domain_desc_fdt_params(&dd[i], h.gic.version, cpu_compat, &gp);
        domain_desc_add_clients(dd, ok, id, n, i, &gp);
        int rc = guest_fdt_build(guest, sizeof(guest), &gp);
        char name[DT_PATH_MAX];
        snprintf(name, sizeof(name), "%s.dtb", dd[i].name);
        if (rc || write_file(o->outdir, name, guest, fdt_totalsize(guest))) {
            fprintf(out, "%s: cannot write %s/%s: %s\n", dd[i].name, o->outdir, name,
                    rc ? fdt_strerror(rc) : strerror(errno));
            rejected++;
            (*accepted)--;
        }
    }
    for (unsigned i = 0; i < fs.nloaded; i++)
        free(fs.loaded[i]);
    report_unchecked(out, nfiles);
    if (layout)
        fclose(layout);
    return rejected;
}
