/* imagebuilder: an ImageBuilder-style config to a U-Boot script that loads
 * xen-arm-minimal and its domains, checked beforehand with the
 * hypervisor's own device-tree reader and domain builder (the dry run). */
#include "build.h"
#include "config.h"
#include "dryrun.h"
#include "qemu.h"
#include "script.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: imagebuilder -c CONFIG -d DIR [-t LOADCMD] [-o NAME] [-D FILE] [-Q]\n"
            "       imagebuilder -h\n"
            "Reads an ImageBuilder-style CONFIG and writes a U-Boot script that loads the hypervisor,\n"
            "every domain's files and the host device tree, adds the /chosen domain nodes and boots.\n"
            "The result is first checked with the hypervisor's own parser and domain builder.\n"
            "  -c CONFIG   the configuration (KEY=value and KEY[n]=value lines; see imagebuilder/README.md)\n"
            "  -d DIR      the directory the config's paths are relative to (the TFTP root or the boot\n"
            "              partition); the outputs are written there too, and only there: an input or\n"
            "              output outside DIR, or an output that is an input, is refused\n"
            "  -t LOADCMD  how U-Boot loads a file, overriding LOAD_CMD: tftp (tftpb), sd (load mmc 0:1),\n"
            "              scsi (load scsi 0:1), usb (load usb 0:1), virtio (load virtio 0:1), or any\n"
            "              other text of letters, digits, spaces and ._:,/+=@- used as it is\n"
            "  -o NAME     write DIR/NAME.source and DIR/NAME.scr, overriding UBOOT_SOURCE and\n"
            "              UBOOT_SCRIPT (default: boot.source and boot.scr)\n"
            "  -D FILE, --write-dtb FILE\n"
            "              also write the host device tree as the script leaves it\n"
            "  -Q, --qemu  print (alone on stdout) a QEMU command line that boots the result without\n"
            "              U-Boot: writes DIR/NAME-edited.dtb (or uses FDTEDIT / -D) and DIR/NAME-shim.bin\n"
            "  -h          this help\n"
            "Exit status: 0 done, 1 a bad config or file (the message says which and where), 2 usage.\n");
}

static int write_file(const char *path, const void *data, size_t len, struct ib_error *err)
{
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(data, 1, len, out) != len || fclose(out)) {
        if (out)
            fclose(out);
        return ib_fail(err, "%s: %s", path, strerror(errno));
    }
    return 0;
}

/* mkimage -A arm64 -T script -C none -d SOURCE SCRIPT; its output is shown
 * only when it fails. */
static int mkimage(const char *source, const char *script, struct ib_error *err)
{
    int pipefd[2];
    if (pipe(pipefd))
        return ib_fail(err, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        return ib_fail(err, "fork: %s", strerror(errno));
    if (!pid) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        execlp("mkimage", "mkimage", "-A", "arm64", "-T", "script", "-C", "none", "-d", source, script, (char *)NULL);
        fprintf(stderr, "cannot run mkimage: %s (install u-boot-tools)\n", strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    char out[2048];
    size_t n = 0;
    ssize_t got;
    while ((got = read(pipefd[0], out + n, sizeof(out) - 1 - n)) > 0)
        n += (size_t)got;
    close(pipefd[0]);
    out[n] = 0;
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return ib_fail(err, "mkimage failed: %s", out);
    return 0;
}

/* Run the hypervisor's dry run on the edited tree with every module file
 * at its address; its verdicts are printed, a rejection is an error. */
static int check(const struct ib_result *r, FILE *info, struct ib_error *err)
{
    const struct ib_plan *p = &r->plan;
    struct dryrun_file files[(3 + IB_MAX_DISKS) * IB_MAX_DOMUS];
    unsigned nfiles = 0, accepted = 0;
    const struct ib_file *all[3] = { 0 };
    for (unsigned n = 0; n < p->cfg->ndomus; n++) {
        all[0] = &p->kernel[n];
        all[1] = &p->ramdisk[n];
        all[2] = &p->partial[n];
        for (unsigned i = 0; i < 3; i++)
            if (all[i]->name)
                files[nfiles++] = (struct dryrun_file){ all[i]->addr, all[i]->size, all[i]->host };
        for (unsigned i = 0; i < IB_MAX_DISKS; i++)
            if (p->disk[n][i].name)
                files[nfiles++] = (struct dryrun_file){ p->disk[n][i].addr, p->disk[n][i].size, p->disk[n][i].host };
    }
    char *report = NULL;
    size_t report_len = 0;
    FILE *mem = open_memstream(&report, &report_len);
    if (!mem)
        return ib_fail(err, "open_memstream: %s", strerror(errno));
    struct dryrun_opts o = { NULL, mem };
    int rejected = dryrun(r->edited, r->edited_len, files, nfiles, &o, &accepted);
    fclose(mem);
    int rc = 0;
    if (rejected) {
        fprintf(stderr, "imagebuilder: the hypervisor would refuse this configuration:\n");
        for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(stderr, "  %s\n", line);
        rc = ib_fail(err, "%s: %s", p->cfg->file,
                     rejected < 0 ? "the edited host device tree is refused (see above)"
                                  : "a domain is rejected (see above)");
    } else {
        for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n"))
            fprintf(info, "imagebuilder: dry run: %s\n", line);
    }
    free(report);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "write-dtb", required_argument, NULL, 'D' },
        { "qemu", no_argument, NULL, 'Q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cfgfile = NULL, *dir = NULL, *t = NULL, *name = NULL, *dtb_out = NULL;
    bool qemu = false;
    int c;
    while ((c = getopt_long(argc, argv, "c:d:t:o:D:Qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cfgfile = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 't':
            t = optarg;
            break;
        case 'o':
            name = optarg;
            break;
        case 'D':
            dtb_out = optarg;
            break;
        case 'Q':
            qemu = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !cfgfile || !dir) {
        if (optind != argc)
            fprintf(stderr, "imagebuilder: unexpected argument '%s'\n", argv[optind]);
        else
            fprintf(stderr, "imagebuilder: -c CONFIG and -d DIR are required\n");
        usage(stderr);
        return 2;
    }
    /* With -Q, stdout carries only the command line. */
    FILE *info = qemu ? stderr : stdout;
    struct ib_error err;
    size_t len;
    char *text = read_file(cfgfile, &len);
    if (!text) {
        fprintf(stderr, "imagebuilder: %s: %s\n", cfgfile, strerror(errno));
        return 1;
    }
    static struct ib_raw raw;
    static struct ib_config cfg;
    static struct ib_result r;
    int rc = 1;
    struct ib_buf src = { 0 }, cmd = { 0 };
    struct ib_outputs outs = { 0 };
    char *source = NULL, *script = NULL, *base = NULL, *edited = NULL, *shim = NULL;
    if (config_parse(cfgfile, text, len, &raw, &err) || config_interpret(cfgfile, &raw, &cfg, &err))
        goto out;
    for (unsigned i = 0; i < cfg.nwarnings; i++)
        fprintf(stderr, "imagebuilder: warning: %s\n", cfg.warning[i]);
    const char *load_cmd = t ? config_load_cmd(t) : cfg.load_cmd;
    if (!load_cmd) {
        fprintf(stderr,
                "imagebuilder: no load command: give -t (tftp, sd, scsi, usb, virtio or a command) or "
                "LOAD_CMD\n");
        rc = 2;
        goto out_quiet;
    }
    if (t) {
        char ch;
        const char *why = config_bad_load_cmd(load_cmd, &ch);
        if (why) {
            if (ch && (unsigned char)ch > 0x20 && ch != 0x7f)
                fprintf(stderr, "imagebuilder: -t: '%c' refused: a load command %s\n", ch, why);
            else if (ch)
                fprintf(stderr, "imagebuilder: -t: the control character 0x%02x refused: a load command %s\n",
                        (unsigned char)ch, why);
            else
                fprintf(stderr, "imagebuilder: -t: the load command %s\n", why);
            rc = 2;
            goto out_quiet;
        }
    }
    /* Every output is checked before anything is written. */
    if (plan_build(&r, &cfg, dir, load_cmd, &err) || plan_outputs(&outs, &r, dir, name, dtb_out, qemu, &err) ||
        check(&r, info, &err))
        goto out;

    source = xstrdup(outs.source);
    script = xstrdup(outs.script);
    script_text(&src, &r.plan, &r.edits);
    if (write_file(source, src.s, src.len, &err) || mkimage(source, script, &err))
        goto out;
    if (cfg.fdtedit && write_file(r.plan.dtb.host, r.edited, r.edited_len, &err))
        goto out;
    if (dtb_out && write_file(outs.dtb, r.edited, r.edited_len, &err))
        goto out;

    fprintf(info, "imagebuilder: layout (2 MiB-aligned, in 0x%" PRIx64 "-0x%" PRIx64 "):\n", cfg.mem_start,
            cfg.mem_end - 1);
    for (unsigned i = 0; i < r.layout.nblocked; i++)
        fprintf(info, "imagebuilder:   0x%010" PRIx64 "-0x%010" PRIx64 "  %s\n", r.layout.blocked[i].base,
                r.layout.blocked[i].end - 1, r.layout.blocked[i].what);
    fprintf(info, "imagebuilder: fdt resize %" PRIu32 " for %u edits\n", r.plan.resize, r.edits.n);
    const char *script_name = outs.script_name; /* as U-Boot names it: relative to DIR */
    fprintf(info, "imagebuilder: wrote %s and %s; in U-Boot: %s 0x%" PRIx64 " %s; source 0x%" PRIx64 "\n", source,
            script, load_cmd, r.plan.script_addr, script_name, r.plan.script_addr);
    if (qemu) {
        shim = xstrdup(outs.shim);
        const char *dtb_host = cfg.fdtedit ? r.plan.dtb.host : outs.dtb;
        if (!dtb_host) {
            edited = xstrdup(outs.edited);
            if (write_file(edited, r.edited, r.edited_len, &err))
                goto out;
            dtb_host = edited;
        }
        uint8_t code[IB_SHIM_SIZE];
        qemu_shim(code, r.plan.dtb.addr, r.plan.xen.addr);
        if (write_file(shim, code, sizeof(code), &err))
            goto out;
        char *abs_dtb = realpath(dtb_host, NULL), *abs_shim = realpath(shim, NULL);
        qemu_command(&cmd, &r.plan, r.host_fdt, abs_dtb ? abs_dtb : dtb_host, abs_shim ? abs_shim : shim);
        free(abs_dtb);
        free(abs_shim);
        fputs(cmd.s, stdout);
    }
    rc = 0;
    goto out_quiet;
out:
    fprintf(stderr, "imagebuilder: %s\n", err.msg);
out_quiet:
    buf_free(&src);
    buf_free(&cmd);
    outputs_free(&outs);
    plan_free(&r);
    config_free(&cfg);
    config_raw_free(&raw);
    free(text);
    free(source);
    free(script);
    free(base);
    free(edited);
    free(shim);
    return rc;
}
