/* xam-dryrun: check a host device tree (and the files the boot loader will
 * put in RAM) the way the hypervisor will, without booting anything. */
#include "dryrun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xam-dryrun [-o OUTDIR] [-m ADDR=FILE]... HOST.dtb\n"
            "  Reads HOST.dtb as xen-arm-minimal does at boot and checks every /chosen domain.\n"
            "  -m ADDR=FILE  FILE will be loaded at ADDR (a module's kernel header and size are\n"
            "                checked against it); give one for every module, or none at all\n"
            "  -o OUTDIR     write each accepted domain's device tree (NAME.dtb) and layout.txt\n"
            "Exit status: 0 every domain accepted, 1 some domain rejected or none described,\n"
            "2 usage error, unreadable file or a host device tree the hypervisor would refuse.\n");
}

static void *read_all(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, in)) > 0;) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(in);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    struct dryrun_file files[256];
    unsigned nfiles = 0;
    struct dryrun_opts o = { NULL, stdout };
    int i;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            o.outdir = argv[++i];
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc && nfiles < 256) {
            char *arg = argv[++i], *eq = strchr(arg, '='), *end;
            struct stat st;
            if (!eq) {
                usage(stderr);
                return 2;
            }
            errno = 0;
            files[nfiles].base = strtoull(arg, &end, 0);
            if (end != eq || errno) {
                fprintf(stderr, "xam-dryrun: -m %s: ADDR is not a number\n", arg);
                return 2;
            }
            files[nfiles].path = eq + 1;
            if (stat(eq + 1, &st)) {
                fprintf(stderr, "xam-dryrun: %s: %s\n", eq + 1, strerror(errno));
                return 2;
            }
            files[nfiles++].size = (uint64_t)st.st_size;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i != argc - 1) {
        usage(stderr);
        return 2;
    }
    size_t len;
    void *fdt = read_all(argv[i], &len);
    if (!fdt) {
        fprintf(stderr, "xam-dryrun: %s: %s\n", argv[i], strerror(errno));
        return 2;
    }
    if (o.outdir && mkdir(o.outdir, 0777) && errno != EEXIST) {
        fprintf(stderr, "xam-dryrun: %s: %s\n", o.outdir, strerror(errno));
        return 2;
    }
    unsigned accepted;
    int rejected = dryrun(fdt, len, files, nfiles, &o, &accepted);
    free(fdt);
    if (rejected < 0)
        return 2;
    printf("%u domain%s accepted, %d rejected\n", accepted, accepted == 1 ? "" : "s", rejected);
    return rejected || !accepted ? 1 : 0;
}
