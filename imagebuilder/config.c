/* Reading the configuration. ImageBuilder sources its config with bash; we
 * read the same assignments without a shell, so a config can neither run
 * commands nor depend on the environment, and whatever we do not
 * understand is reported with its line instead of being ignored. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum key_kind { K_TOP, K_DOMU, K_POOL, K_DISK, K_VCPU };

struct key {
    const char *name;
    enum key_kind kind;
    size_t off; /* into struct ib_raw (K_TOP) or struct ib_raw_domu (K_DOMU) */
};

/* one-line initialiser macros */
/* clang-format off */
#define TOP(n, f) { n, K_TOP, offsetof(struct ib_raw, f) }
#define DOMU(n, f) { n, K_DOMU, offsetof(struct ib_raw_domu, f) }
#define DISK(n, f) { n, K_DISK, offsetof(struct ib_raw_domu, f) }
#define VCPU(n, f) { n, K_VCPU, offsetof(struct ib_raw_domu, f) }
/* clang-format on */

static const struct key keys[] = {
    TOP("MEMORY_START", memory_start),
    TOP("MEMORY_END", memory_end),
    TOP("LOAD_CMD", load_cmd),
    TOP("BOOT_CMD", boot_cmd),
    TOP("DEVICE_TREE", device_tree),
    TOP("XEN", xen),
    TOP("XEN_CMD", xen_cmd),
    TOP("XEN_STATIC_HEAP", static_heap),
    TOP("NUM_DOMUS", num_domus),
    TOP("NUM_CPUPOOLS", num_cpupools),
    TOP("UBOOT_SOURCE", uboot_source),
    TOP("UBOOT_SCRIPT", uboot_script),
    TOP("FDTEDIT", fdtedit),
    TOP("APPEND_EXTRA_CMDS", append_extra_cmds),
    { "CPUPOOL", K_POOL, 0 },
    DOMU("DOMU_KERNEL", kernel),
    DOMU("DOMU_RAMDISK", ramdisk),
    DOMU("DOMU_PASSTHROUGH_DTB", passthrough_dtb),
    DOMU("DOMU_MEM", mem),
    DOMU("DOMU_VCPUS", vcpus),
    DOMU("DOMU_CMD", cmd),
    DOMU("DOMU_ENHANCED", enhanced),
    DOMU("DOMU_STATIC_MEM", static_mem),
    DOMU("DOMU_DIRECT_MAP", direct_map),
    DOMU("DOMU_NOBOOT", noboot),
    DOMU("DOMU_VPL011", vpl011),
    DOMU("DOMU_CPUPOOL", cpupool),
    DOMU("DOMU_PCI_BRIDGE", pci_bridge),
    DOMU("DOMU_DEVICE_MODEL", device_model),
    DOMU("DOMU_DEVICE_MODEL_HOLD", device_model_hold),
    DOMU("DOMU_VIRTIO_RNG", virtio_rng),
    DOMU("DOMU_VIRTIO_CONSOLE", virtio_console),
    DISK("DOMU_VIRTIO_DISK", disk),
    DISK("DOMU_VIRTIO_DISK_RO", disk_ro),
    DISK("DOMU_VIRTIO_DISK_PATH", disk_path),
    VCPU("DOMU_VCPU_HARD_AFFINITY", affinity),
    DOMU("DOMU_SHARED_MEM", shared_mem),
    DOMU("DOMU_NR_SPIS", xen_u32[0]),
    DOMU("DOMU_GRANT_VER", xen_u32[1]),
    DOMU("DOMU_GRANT_FRAMES", xen_u32[2]),
    DOMU("DOMU_MAPTRACK_FRAMES", xen_u32[3]),
    DOMU("DOMU_TRAP_UNMAP", xen_u32[4]),
    DOMU("DOMU_P2M_MEM_MB", xen_u32[5]),
    DOMU("DOMU_CAPS", caps),
    DOMU("DOMU_STATIC_EVTCHNS", static_evtchns),
};

/* ImageBuilder's one-number keys: the property each sets, as ImageBuilder
 * writes it. Whether the hypervisor takes the value is the builder's to
 * say (the dry run, in its words: docs/bindings.md). */
const struct ib_xen_u32 ib_xen_u32[IB_XEN_U32] = {
    { "DOMU_NR_SPIS", "nr_spis" },
    { "DOMU_GRANT_VER", "max_grant_version" },
    { "DOMU_GRANT_FRAMES", "max_grant_frames" },
    { "DOMU_MAPTRACK_FRAMES", "max_maptrack_frames" },
    { "DOMU_TRAP_UNMAP", "trap-unmapped-accesses" },
    { "DOMU_P2M_MEM_MB", "xen,domain-p2m-mem-mb" },
};

/* ImageBuilder keys we know and deliberately do not implement. */
static const char *const unsupported[] = {
    "DOMU_COLORS",
    "XEN_COLORS",
    "FIT",
    "FIT_ENC_KEY_DIR",
    "FIT_ENC_UB_DTB",
    "NUM_DT_OVERLAY",
    "DT_OVERLAY",
    "LINUX",
    "LINUX_CMD",
    "LINUX_RAMDISK",
    "DOMU_ROOTFS",
    "DOMU_PASSTHROUGH_PATHS",
    "PASSTHROUGH_DTS_REPO",
    "LOPPER_PATH",
    "LOPPER_CMD",
    "DOMU_LOAD",
    "DOMU_DRIVER_DOMAIN",
    "DOMU_NAME",
    "BITSTREAM",
    "BITSTREAM_LOAD_ADDR",
    "NUM_BOOT_AUX_FILE",
    "BOOT_AUX_FILE",
    "DOMU_UNPAUSE",
    "XEN_LOAD",
    "DEVICE_TREE_LOAD",
    "DOMU_XSM_LABEL",
    "XEN_POLICY",
    "DOMU_MAXMEM",
    "DOMU_VCPU_AFFINITY",
    "DOMU_PCI_PASSTHROUGH",
};

struct lexer {
    const char *file, *p, *end;
    unsigned line;
    struct ib_error *err;
};

__attribute__((format(printf, 3, 4))) static int lex_fail(struct lexer *lx, unsigned line, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ib_fail(lx->err, "%s:%u: %s", lx->file, line, msg);
}

static bool is_name_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool is_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }
static bool at_end(const struct lexer *lx) { return lx->p >= lx->end; }

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

static int store(struct lexer *lx, struct ib_raw *raw, const char *name, long index, long index2, char *value,
                 unsigned line)
{
    if (!strncmp(name, "DOM0_", 5)) {
        free(value);
        return lex_fail(lx, line,
                        "%s: this config describes a dom0; xen-arm-minimal boots dom0less only: "
                        "remove the DOM0_* keys and describe every domain with DOMU_*[n]",
                        name);
    }
    const struct key *k = find_key(name);
    if (!k) {
        free(value);
        for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
            if (!strcmp(unsupported[i], name))
                return lex_fail(lx, line, "%s: an ImageBuilder key that this imagebuilder does not support", name);
        return lex_fail(lx, line, "%s: unknown key (see imagebuilder/README.md for the keys)", name);
    }
    struct ib_value *v;
    /* [n,k]: a domain's k-th disk (ours) or vCPU k; every other key has
     * one index */
    bool two = k->kind == K_DISK || k->kind == K_VCPU;
    if (two != (index2 >= 0)) {
        free(value);
        if (k->kind == K_DISK)
            return lex_fail(lx, line, "%s needs two indexes: write %s[n,k]=value (domain n, disk k)", name, name);
        if (k->kind == K_VCPU)
            return lex_fail(lx, line, "%s needs two indexes: write %s[n,v]=value (domain n, vCPU v)", name, name);
        return lex_fail(lx, line, "%s takes one index: write %s[n]=value", name, name);
    }
    if (k->kind == K_DISK && index2 >= IB_MAX_DISKS) {
        free(value);
        return lex_fail(lx, line, "%s[%ld,%ld]: the disk index must be below %u", name, index, index2, IB_MAX_DISKS);
    }
    if (k->kind == K_VCPU && index2 >= IB_MAX_VCPUS) {
        free(value);
        return lex_fail(lx, line, "%s[%ld,%ld]: the vCPU index must be below %u (a domain's most vCPUs here)", name,
                        index, index2, IB_MAX_VCPUS);
    }
    if (k->kind == K_TOP) {
        if (index >= 0) {
            free(value);
            return lex_fail(lx, line, "%s is not an array: write %s=value", name, name);
        }
        v = (struct ib_value *)((char *)raw + k->off);
    } else {
        unsigned max = k->kind == K_POOL ? IB_MAX_CPUPOOLS : IB_MAX_DOMUS;
        if (index < 0) {
            free(value);
            return lex_fail(lx, line, "%s needs an index: write %s[n]=value", name, name);
        }
        if (index >= (long)max) {
            free(value);
            return lex_fail(lx, line, "%s[%ld]: the index must be below %u", name, index, max);
        }
        if (k->kind == K_POOL)
            v = &raw->cpupool[index];
        else if (two)
            v = (struct ib_value *)((char *)&raw->domu[index] + k->off) + index2;
        else
            v = (struct ib_value *)((char *)&raw->domu[index] + k->off);
    }
    /* As in bash, a later assignment replaces an earlier one. */
    free(v->str);
    v->str = value;
    v->line = line;
    return 0;
}

/* One word after '=': quotes removed, escapes applied, anything a shell
 * would expand or execute refused. */
static int lex_value(struct lexer *lx, unsigned line, struct ib_buf *out)
{
    bool first = true;
    buf_printf(out, "%s", "");
    while (!at_end(lx)) {
        char c = *lx->p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            break;
        if (c == '\'') {
            unsigned open = lx->line;
            lx->p++;
            while (!at_end(lx) && *lx->p != '\'') {
                if (*lx->p == '\n')
                    lx->line++;
                buf_putc(out, *lx->p++);
            }
            if (at_end(lx))
                return lex_fail(lx, open, "unterminated single quote");
            lx->p++;
        } else if (c == '"') {
            unsigned open = lx->line;
            lx->p++;
            for (;;) {
                if (at_end(lx))
                    return lex_fail(lx, open, "unterminated double quote");
                c = *lx->p;
                if (c == '"') {
                    lx->p++;
                    break;
                }
                if (c == '$' || c == '`')
                    return lex_fail(lx, lx->line,
                                    "'%c': shell expansion is not supported (the config is read, not run)", c);
                if (c == '\\' && lx->p + 1 < lx->end) {
                    char n = lx->p[1];
                    if (n == '\n') {
                        lx->line++;
                        lx->p += 2;
                        continue;
                    }
                    if (n == '$' || n == '`' || n == '"' || n == '\\') {
                        buf_putc(out, n);
                        lx->p += 2;
                        continue;
                    }
                }
                if (c == '\n')
                    lx->line++;
                buf_putc(out, c);
                lx->p++;
            }
        } else if (c == '\\') {
            if (lx->p + 1 >= lx->end)
                return lex_fail(lx, lx->line, "a backslash ends the file");
            if (lx->p[1] == '\n') {
                lx->line++;
            } else {
                buf_putc(out, lx->p[1]);
            }
            lx->p += 2;
        } else if (c == '$' || c == '`') {
            return lex_fail(lx, lx->line, "'%c': shell expansion is not supported (the config is read, not run)", c);
        } else if (strchr(";&|<>()", c)) {
            return lex_fail(lx, lx->line, "'%c': only NAME=value assignments are supported (quote the value?)", c);
        } else if (c == '~' && first) {
            return lex_fail(lx, lx->line, "'~': home-directory expansion is not supported; write the path");
        } else {
            buf_putc(out, c);
            lx->p++;
        }
        first = false;
    }
    (void)line;
    return 0;
}

int config_parse(const char *file, const char *text, size_t len, struct ib_raw *raw, struct ib_error *err)
{
    struct lexer lx = { file, text, text + len, 1, err };
    memset(raw, 0, sizeof(*raw));
    while (!at_end(&lx)) {
        char c = *lx.p;
        if (c == ' ' || c == '\t' || c == '\r') {
            lx.p++;
            continue;
        }
        if (c == '\n') {
            lx.line++;
            lx.p++;
            continue;
        }
        if (c == '#') {
            while (!at_end(&lx) && *lx.p != '\n')
                lx.p++;
            continue;
        }
        if (c == '\\' && lx.p + 1 < lx.end && lx.p[1] == '\n') {
            lx.line++;
            lx.p += 2;
            continue;
        }
        if (c == 0)
            return lex_fail(&lx, lx.line, "a NUL byte: this is not a text file");
        unsigned line = lx.line;
        if (!is_name_start(c))
            return lex_fail(&lx, line, "expected NAME=value, found '%c'", c);
        char name[64];
        size_t n = 0;
        while (!at_end(&lx) && is_name_char(*lx.p)) {
            if (n + 1 >= sizeof(name))
                return lex_fail(&lx, line, "a name longer than %zu characters", sizeof(name) - 2);
            name[n++] = *lx.p++;
        }
        name[n] = 0;
        long index = -1, index2 = -1;
        if (!at_end(&lx) && *lx.p == '[') {
            lx.p++;
            index = 0;
            size_t digits = 0;
            while (!at_end(&lx) && isdigit((unsigned char)*lx.p)) {
                if (index > 100000)
                    return lex_fail(&lx, line, "%s[...]: index too large", name);
                index = index * 10 + (*lx.p++ - '0');
                digits++;
            }
            if (digits && !at_end(&lx) && *lx.p == ',') { /* [n,k] */
                lx.p++;
                index2 = 0;
                digits = 0;
                while (!at_end(&lx) && isdigit((unsigned char)*lx.p)) {
                    if (index2 > 100000)
                        return lex_fail(&lx, line, "%s[...]: index too large", name);
                    index2 = index2 * 10 + (*lx.p++ - '0');
                    digits++;
                }
            }
            if (!digits || at_end(&lx) || *lx.p != ']')
                return lex_fail(&lx, line, "%s[...]: the index must be a plain number, as in %s[0]=value", name, name);
            lx.p++;
        }
        if (at_end(&lx) || *lx.p != '=') {
            if (!at_end(&lx) && *lx.p == '+' && lx.p + 1 < lx.end && lx.p[1] == '=')
                return lex_fail(&lx, line, "%s+=: appending is not supported; write the whole value", name);
            if (!strcmp(name, "export") || !strcmp(name, "declare") || !strcmp(name, "local") ||
                !strcmp(name, "readonly"))
                return lex_fail(&lx, line, "'%s': not supported; write NAME=value", name);
            return lex_fail(&lx, line, "'%s' is not an assignment: only NAME=value lines are read, never run", name);
        }
        lx.p++;
        if (!at_end(&lx) && *lx.p == '(')
            return lex_fail(&lx, line, "%s=(...): array lists are not supported; write %s[0]=..., %s[1]=...", name,
                            name, name);
        struct ib_buf value = { 0 };
        if (lex_value(&lx, line, &value)) {
            buf_free(&value);
            return -1;
        }
        if (memchr(value.s, 0, value.len)) {
            buf_free(&value);
            return lex_fail(&lx, line, "%s: a NUL byte in the value", name);
        }
        if (store(&lx, raw, name, index, index2, value.s, line))
            return -1;
    }
    return 0;
}

static void value_free(struct ib_value *v)
{
    free(v->str);
    v->str = NULL;
}

void config_raw_free(struct ib_raw *raw)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (keys[i].kind == K_TOP)
            value_free((struct ib_value *)((char *)raw + keys[i].off));
        else if (keys[i].kind == K_DOMU)
            for (unsigned d = 0; d < IB_MAX_DOMUS; d++)
                value_free((struct ib_value *)((char *)&raw->domu[d] + keys[i].off));
        else if (keys[i].kind == K_DISK || keys[i].kind == K_VCPU)
            for (unsigned d = 0; d < IB_MAX_DOMUS; d++)
                for (unsigned k = 0; k < (keys[i].kind == K_DISK ? IB_MAX_DISKS : IB_MAX_VCPUS); k++)
                    value_free((struct ib_value *)((char *)&raw->domu[d] + keys[i].off) + k);
    }
    for (unsigned k = 0; k < IB_MAX_CPUPOOLS; k++)
        value_free(&raw->cpupool[k]);
}

/* ---- interpretation ------------------------------------------------------ */

const char *config_load_cmd(const char *t)
{
    static const struct {
        const char *name, *cmd;
    } shorthands[] = {
        { "tftp", "tftpb" },       { "sd", "load mmc 0:1" },        { "scsi", "load scsi 0:1" },
        { "usb", "load usb 0:1" }, { "virtio", "load virtio 0:1" },
    };
    for (size_t i = 0; i < sizeof(shorthands) / sizeof(shorthands[0]); i++)
        if (!strcmp(t, shorthands[i].name))
            return shorthands[i].cmd;
    return t;
}

const char *config_bad_load_cmd(const char *s, char *bad_char)
{
    bool word = false;
    *bad_char = 0;
    if (strlen(s) > IB_LOAD_CMD_MAX)
        return "longer than 64 characters";
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && !strchr(" ._:,/+=@-", *s)) {
            *bad_char = *s;
            return "may hold only letters, digits, spaces and ._:,/+=@- (it is copied into every load line)";
        }
        word |= *s != ' ';
    }
    return word ? NULL : "is empty";
}

char config_unsafe_char(const char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\'' || *s == '\\' || *s == '$' || *s == '`' || (unsigned char)*s < 0x20 || *s == 0x7f)
            return *s;
    return 0;
}

/* ImageBuilder tests values with `test -z`: an empty value is an unset one. */
static bool given(const struct ib_value *v) { return v->str && v->str[0]; }

struct ctx {
    const char *file;
    struct ib_error *err;
};

__attribute__((format(printf, 3, 4))) static int bad(struct ctx *c, const struct ib_value *v, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (v && v->line)
        return ib_fail(c->err, "%s:%u: %s", c->file, v->line, msg);
    return ib_fail(c->err, "%s: %s", c->file, msg);
}

static int number(struct ctx *c, const struct ib_value *v, const char *what, uint64_t *out)
{
    if (!parse_u64(v->str, out))
        return bad(c, v, "%s: '%s' is not a number (decimal, 0x hex or 0 octal)", what, v->str);
    return 0;
}

static int flag(struct ctx *c, const struct ib_value *v, const char *what, bool dflt, bool *out)
{
    if (!given(v)) {
        *out = dflt;
        return 0;
    }
    if (strcmp(v->str, "0") && strcmp(v->str, "1"))
        return bad(c, v, "%s: '%s' must be 0 or 1", what, v->str);
    *out = v->str[0] == '1';
    return 0;
}

bool config_has_dotdot(const char *s)
{
    for (const char *p = s; (p = strstr(p, "..")); p += 2)
        if ((p == s || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
            return true;
    return false;
}

/* Paths become words of U-Boot load commands: keep to characters that need
 * no quoting there, and inside -d (no ".." component). */
static int path(struct ctx *c, const struct ib_value *v, const char *what, const char **out, unsigned *line)
{
    for (const char *s = v->str; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-+/@,=:", *s))
            return bad(c, v,
                       "%s: '%.80s': a path the U-Boot script loads may hold only letters, digits and ._-+/@,=:", what,
                       v->str);
    if (config_has_dotdot(v->str))
        return bad(c, v, "%s: '%.80s': a \"..\" component: every path must stay inside -d", what, v->str);
    if (strlen(v->str) > IB_PATH_MAX)
        return bad(c, v, "%s: a path of %zu characters: at most %u", what, strlen(v->str), IB_PATH_MAX);
    *out = v->str;
    if (line)
        *line = v->line;
    return 0;
}

static int text(struct ctx *c, const struct ib_value *v, const char *what, const char **out)
{
    char u = config_unsafe_char(v->str);
    if (u)
        return bad(c, v, "%s: the character %s cannot be passed through a U-Boot script", what,
                   u == '"'        ? "'\"'"
                       : u == '\'' ? "\"'\""
                       : u == '\\' ? "'\\'"
                       : u == '$'  ? "'$'"
                       : u == '`'  ? "'`'"
                                   : "(a control character)");
    *out = v->str;
    return 0;
}

/* Split s on blanks into at most max numbers. */
static int numbers(struct ctx *c, const struct ib_value *v, const char *what, uint64_t *out, unsigned max, unsigned *n)
{
    char *copy = xstrdup(v->str), *save = NULL;
    *n = 0;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        if (*n == max) {
            free(copy);
            return bad(c, v, "%s: more than %u numbers", what, max);
        }
        if (!parse_u64(w, &out[*n])) {
            int r = bad(c, v, "%s: '%s' is not a number", what, w);
            free(copy);
            return r;
        }
        (*n)++;
    }
    free(copy);
    return 0;
}

static bool safe_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("@,._+-", *s))
            return false;
    return true;
}

static int interpret_pool(struct ctx *c, const struct ib_value *v, unsigned k, struct ib_cpupool *pool)
{
    char what[32];
    snprintf(what, sizeof(what), "CPUPOOL[%u]", k);
    if (!given(v))
        return bad(c, NULL, "%s is missing (NUM_CPUPOOLS says there are more pools)", what);
    char *copy = xstrdup(v->str), *save = NULL;
    char *cpus = strtok_r(copy, " \t\n", &save), *sched = strtok_r(NULL, " \t\n", &save);
    int rc = 0;
    pool->line = v->line;
    if (!cpus)
        rc = bad(c, v, "%s: expected \"cpu@1,cpu@2 [scheduler]\"", what);
    else if (strtok_r(NULL, " \t\n", &save))
        rc = bad(c, v, "%s: expected \"cpu@1,cpu@2 [scheduler]\": too many words", what);
    else if (sched && !safe_name(sched))
        rc = bad(c, v, "%s: '%s' is not a scheduler name", what, sched);
    if (!rc && sched)
        pool->sched = xstrdup(sched);
    char *csave = NULL;
    for (char *cpu = rc ? NULL : strtok_r(cpus, ",", &csave); cpu; cpu = strtok_r(NULL, ",", &csave)) {
        if (!safe_name(cpu)) {
            rc = bad(c, v, "%s: '%s' is not a node name under /cpus (such as cpu@1)", what, cpu);
            break;
        }
        if (pool->ncpus == IB_MAX_POOL_CPUS) {
            rc = bad(c, v, "%s: more than %u CPUs", what, IB_MAX_POOL_CPUS);
            break;
        }
        pool->cpus[pool->ncpus++] = xstrdup(cpu);
    }
    if (!rc && !pool->ncpus)
        rc = bad(c, v, "%s: no CPU named", what);
    free(copy);
    return rc;
}

/* The virtio devices (ours) of domain n, whose device-model link is read:
 * its disks in k order, each a file loaded as a disk module or a path in
 * the device model's domain, and the rng and console flags. */
static int interpret_virtio(struct ctx *c, const struct ib_raw_domu *r, struct ib_domain *d, unsigned n)
{
    char what[64], other[64];
    const struct ib_value *first = NULL;
    if (flag(c, &r->virtio_rng, (snprintf(what, sizeof(what), "DOMU_VIRTIO_RNG[%u]", n), what), false,
             &d->virtio_rng) ||
        flag(c, &r->virtio_console, (snprintf(what, sizeof(what), "DOMU_VIRTIO_CONSOLE[%u]", n), what), false,
             &d->virtio_console))
        return -1;
    if (d->virtio_rng)
        first = &r->virtio_rng;
    else if (d->virtio_console)
        first = &r->virtio_console;
    for (unsigned k = 0; k < IB_MAX_DISKS; k++) {
        struct ib_disk *disk = &d->disk[d->ndisks];
        bool file = given(&r->disk[k]), dev = given(&r->disk_path[k]);
        memset(disk, 0, sizeof(*disk));
        disk->k = k;
        snprintf(what, sizeof(what), "DOMU_VIRTIO_DISK_RO[%u,%u]", n, k);
        if (flag(c, &r->disk_ro[k], what, false, &disk->ro))
            return -1;
        if (!file && !dev) {
            if (given(&r->disk_ro[k]))
                return bad(c, &r->disk_ro[k], "%s needs DOMU_VIRTIO_DISK[%u,%u] or DOMU_VIRTIO_DISK_PATH[%u,%u]", what,
                           n, k, n, k);
            continue;
        }
        snprintf(what, sizeof(what), "DOMU_VIRTIO_DISK[%u,%u]", n, k);
        snprintf(other, sizeof(other), "DOMU_VIRTIO_DISK_PATH[%u,%u]", n, k);
        if (file && dev)
            return bad(c, &r->disk_path[k],
                       "%s and %s both given: a disk is a file loaded as a module or a path in the device model's "
                       "domain, not both",
                       what, other);
        if (file && path(c, &r->disk[k], what, &disk->file, &disk->line))
            return -1;
        if (dev && text(c, &r->disk_path[k], other, &disk->path))
            return -1;
        if (!first)
            first = file ? &r->disk[k] : &r->disk_path[k];
        d->ndisks++;
    }
    if (first && d->device_model < 0)
        return bad(c, first,
                   "domain %u's virtio devices are served by a device model: set DOMU_PCI_BRIDGE[%u] and "
                   "DOMU_DEVICE_MODEL[%u] too",
                   n, n, n);
    return 0;
}

/* DOMU_CAPS[n] as ImageBuilder's parse_domain_caps reads it: words joined
 * by '|' (or blanks), in any case: none, control (bit 0), hardware (1),
 * xenstore (2), dom0 or domain0 (all three), or a number; ORed together.
 * Which values the hypervisor takes is the builder's to say (the dry run:
 * 0 only). */
static int interpret_caps(struct ctx *c, const struct ib_value *v, const char *what, uint32_t *out)
{
    static const struct {
        const char *name;
        uint32_t bits;
    } names[] = {
        { "none", 0 }, { "control", 1 }, { "hardware", 2 }, { "xenstore", 4 }, { "dom0", 7 }, { "domain0", 7 },
    };
    char *copy = xstrdup(v->str), *save = NULL;
    uint64_t caps = 0;
    int rc = 0;
    for (char *w = strtok_r(copy, "| \t\n", &save); w && !rc; w = strtok_r(NULL, "| \t\n", &save)) {
        size_t i;
        for (char *l = w; *l; l++)
            *l = (char)tolower((unsigned char)*l);
        for (i = 0; i < sizeof(names) / sizeof(names[0]) && strcmp(w, names[i].name); i++)
            ;
        uint64_t x;
        if (i < sizeof(names) / sizeof(names[0]))
            caps |= names[i].bits;
        else if (!isdigit((unsigned char)w[0]) || !parse_u64(w, &x))
            rc = bad(c, v,
                     "%s: '%s': expected control, hardware, xenstore, dom0, none or a number (bit 0 control, 1 "
                     "hardware, 2 xenstore), joined by '|'",
                     what, w);
        else if (x > UINT32_MAX)
            rc = bad(c, v, "%s: %s: a 32-bit value", what, w);
        else
            caps |= x;
    }
    free(copy);
    *out = (uint32_t)caps;
    return rc;
}

/* Definition i (from 0) of a DOMU_STATIC_EVTCHNS value, blanks around it
 * trimmed, as "definition N, 'TEXT'" for messages. */
static const char *evtchn_def(const char *s, unsigned i, char *out, size_t size)
{
    for (unsigned k = 0; k < i && s[strcspn(s, ";")]; k++)
        s += strcspn(s, ";") + 1;
    size_t len = strcspn(s, ";");
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    snprintf(out, size, "definition %u, '%.*s'", i + 1, len > 60 ? 60 : (int)len, s);
    return out;
}

/* DOMU_STATIC_EVTCHNS[n]="local_port remote_dom_idx remote_port; ...", as
 * ImageBuilder's (2025): domain n's ends, checked one by one; whether each
 * is named back is evtchn_pairs' to check, once every domain is read.
 * Port ranges and xen,enhanced are the builder's to judge (the dry run). */
static int interpret_evtchns(struct ctx *c, const struct ib_value *v, struct ib_config *cfg, unsigned n)
{
    struct ib_domain *d = &cfg->dom[n];
    char what[40], def[100];
    snprintf(what, sizeof(what), "DOMU_STATIC_EVTCHNS[%u]", n);
    const char *s = v->str;
    for (unsigned i = 0;; i++) {
        size_t len = strcspn(s, ";");
        char *text = xstrdup(s), *save = NULL, *w[4];
        text[len] = 0;
        unsigned cnt = 0;
        for (char *t = strtok_r(text, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
            if (cnt < 4)
                w[cnt++] = t;
        /* a ';' may end the list, as ImageBuilder's `read -ra` reads it */
        if (!cnt && !s[len] && i) {
            free(text);
            break;
        }
        uint64_t x[3];
        int rc = 0;
        evtchn_def(v->str, i, def, sizeof(def));
        if (cnt != 3)
            rc = bad(c, v,
                     "%s: %s: expected \"local_port remote_dom_idx remote_port\" (three numbers; definitions are "
                     "separated by ';')",
                     what, def);
        for (unsigned k = 0; !rc && k < 3; k++)
            if (!parse_u64(w[k], &x[k]))
                rc = bad(c, v, "%s: %s: '%s' is not a number", what, def, w[k]);
            else if (k != 1 && x[k] > UINT32_MAX)
                rc = bad(c, v, "%s: %s: port %s: a 32-bit value", what, def, w[k]);
        free(text);
        if (rc)
            return rc;
        if (x[1] >= cfg->ndomus)
            return bad(c, v, "%s: %s: there is no domain %llu (NUM_DOMUS is %u)", what, def, (unsigned long long)x[1],
                       cfg->ndomus);
        if (x[1] == n && x[2] == x[0])
            return bad(c, v, "%s: %s: the endpoint links to itself (domain %u, port %llu): name the other end", what,
                       def, n, (unsigned long long)x[0]);
        for (unsigned k = 0; k < d->nevtchn; k++)
            if (d->evtchn[k].port == x[0])
                return bad(c, v, "%s: %s: local port %llu is already definition %u's: a port is one channel's", what,
                           def, (unsigned long long)x[0], k + 1);
        if (d->nevtchn == IB_MAX_EVTCHN)
            return bad(c, v, "%s: more than %u definitions", what, IB_MAX_EVTCHN);
        d->evtchn[d->nevtchn++] = (struct ib_evtchn){ (uint32_t)x[0], (uint32_t)x[2], (unsigned)x[1], 0 };
        if (!s[len])
            break;
        s += len + 1;
    }
    return 0;
}

/* Both ends of every static event channel given, each naming the other
 * (each domain lists its own end, as ImageBuilder asks): the peers
 * linked. */
static int evtchn_pairs(struct ctx *c, const struct ib_raw *raw, struct ib_config *cfg)
{
    char def[100];
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        struct ib_domain *d = &cfg->dom[n];
        const struct ib_value *v = &raw->domu[n].static_evtchns;
        for (unsigned i = 0; d->boot && i < d->nevtchn; i++) {
            struct ib_evtchn *e = &d->evtchn[i];
            const struct ib_domain *r = &cfg->dom[e->rdom];
            const struct ib_value *rv = &raw->domu[e->rdom].static_evtchns;
            evtchn_def(v->str, i, def, sizeof(def));
            if (!r->boot)
                return bad(c, v,
                           "DOMU_STATIC_EVTCHNS[%u]: %s: domain %u is not booted (DOMU_NOBOOT): a static event "
                           "channel needs both ends",
                           n, def, e->rdom);
            unsigned j;
            for (j = 0; j < r->nevtchn && r->evtchn[j].port != e->rport; j++)
                ;
            if (j == r->nevtchn && !r->nevtchn)
                return bad(c, v,
                           "DOMU_STATIC_EVTCHNS[%u]: %s: the other end, domain %u's port %u, is not given: "
                           "DOMU_STATIC_EVTCHNS[%u] is not set (each domain lists its own end: add \"%u %u %u\" there)",
                           n, def, e->rdom, e->rport, e->rdom, e->rport, n, e->port);
            if (j == r->nevtchn)
                return bad(c, v,
                           "DOMU_STATIC_EVTCHNS[%u]: %s: the other end, domain %u's port %u, is not given in "
                           "DOMU_STATIC_EVTCHNS[%u] (line %u) (each domain lists its own end: add \"%u %u %u\" there)",
                           n, def, e->rdom, e->rport, e->rdom, rv->line, e->rport, n, e->port);
            const struct ib_evtchn *back = &r->evtchn[j];
            if (back->rdom != n || back->rport != e->port) {
                char rdef[100];
                return bad(c, v,
                           "DOMU_STATIC_EVTCHNS[%u]: %s: the other end, domain %u's port %u (DOMU_STATIC_EVTCHNS[%u] "
                           "line %u, %s), links to domain %u's port %u, not back to this one: the two ends must name "
                           "each other",
                           n, def, e->rdom, e->rport, e->rdom, rv->line, evtchn_def(rv->str, j, rdef, sizeof(rdef)),
                           back->rdom, back->rport);
            }
            e->peer = j;
        }
    }
    return 0;
}

static int interpret_domain(struct ctx *c, const struct ib_raw *raw, struct ib_config *cfg, unsigned n)
{
    const struct ib_raw_domu *r = &raw->domu[n];
    struct ib_domain *d = &cfg->dom[n];
    char what[64];
#define W(key) (snprintf(what, sizeof(what), "%s[%u]", key, n), what)
    d->index = n;
    d->cpupool = -1;
    d->device_model = -1;
    d->boot = true;
    if (given(&r->noboot)) {
        if (!strcmp(r->noboot.str, "0"))
            return bad(c, &r->noboot,
                       "%s=0: ImageBuilder takes any value as \"do not boot\"; remove the line to boot the domain",
                       W("DOMU_NOBOOT"));
        /* Not started at boot: ImageBuilder then neither loads its files
         * nor writes its node. */
        d->boot = false;
        return 0;
    }
    if (!given(&r->kernel))
        return bad(c, NULL, "%s is missing (every domain needs a kernel)", W("DOMU_KERNEL"));
    if (path(c, &r->kernel, W("DOMU_KERNEL"), &d->kernel, &d->kernel_line))
        return -1;
    if (given(&r->ramdisk) && path(c, &r->ramdisk, W("DOMU_RAMDISK"), &d->ramdisk, &d->ramdisk_line))
        return -1;
    if (given(&r->passthrough_dtb) &&
        path(c, &r->passthrough_dtb, W("DOMU_PASSTHROUGH_DTB"), &d->passthrough, &d->passthrough_line))
        return -1;

    uint64_t v;
    if (given(&r->vcpus)) {
        if (number(c, &r->vcpus, W("DOMU_VCPUS"), &v))
            return -1;
        if (!v || v > UINT32_MAX)
            return bad(c, &r->vcpus, "%s: %s vCPUs: must be at least 1", what, r->vcpus.str);
        d->vcpus = (uint32_t)v;
    } else {
        d->vcpus = 1;
    }
    if (flag(c, &r->vpl011, W("DOMU_VPL011"), true, &d->vpl011))
        return -1;
    if (given(&r->cmd)) {
        if (text(c, &r->cmd, W("DOMU_CMD"), &d->cmd))
            return -1;
    } else if (d->vpl011) {
        d->cmd = "console=ttyAMA0";
    }
    if (given(&r->enhanced)) {
        if (strcmp(r->enhanced.str, "0") && strcmp(r->enhanced.str, "1") && strcmp(r->enhanced.str, "2"))
            return bad(c, &r->enhanced, "%s: '%s' must be 0, 1 (enabled) or 2 (no-xenstore)", W("DOMU_ENHANCED"),
                       r->enhanced.str);
        d->enhanced = r->enhanced.str[0] - '0';
    }

    /* Memory: DOMU_MEM in MiB (512 by default), or the static regions' total. */
    uint64_t static_total = 0;
    if (given(&r->static_mem)) {
        unsigned cnt;
        if (numbers(c, &r->static_mem, W("DOMU_STATIC_MEM"), d->static_mem, 2 * IB_MAX_STATIC, &cnt))
            return -1;
        if (!cnt || cnt % 2)
            return bad(c, &r->static_mem, "%s: expected \"base size [base size]...\"", what);
        d->nr_static = cnt / 2;
        for (unsigned i = 0; i < d->nr_static; i++) {
            uint64_t base = d->static_mem[2 * i], size = d->static_mem[2 * i + 1];
            if (!size || base + size < base || static_total + size < static_total)
                return bad(c, &r->static_mem, "%s: region 0x%llx+0x%llx is empty or wraps", what,
                           (unsigned long long)base, (unsigned long long)size);
            static_total += size;
        }
        if (static_total % 1024)
            return bad(c, &r->static_mem, "%s: the total (0x%llx bytes) is not a whole number of KiB", what,
                       (unsigned long long)static_total);
    }
    if (given(&r->mem)) {
        if (number(c, &r->mem, W("DOMU_MEM"), &v))
            return -1;
        if (!v || v > (UINT64_MAX >> 20))
            return bad(c, &r->mem, "%s: %s MiB: out of range", what, r->mem.str);
        d->mem_kib = v * 1024;
        if (d->nr_static && d->mem_kib * 1024 != static_total)
            return bad(c, &r->mem, "%s is %s MiB but DOMU_STATIC_MEM[%u] adds up to 0x%llx bytes: they must match",
                       what, r->mem.str, n, (unsigned long long)static_total);
    } else {
        d->mem_kib = d->nr_static ? static_total / 1024 : 512 * 1024;
    }
    if (flag(c, &r->direct_map, W("DOMU_DIRECT_MAP"), d->nr_static > 0, &d->direct_map))
        return -1;
    if (d->direct_map && !d->nr_static)
        return bad(c, &r->direct_map, "%s=1 needs DOMU_STATIC_MEM[%u] (the host memory to map 1:1)", what, n);

    if (given(&r->cpupool)) {
        if (number(c, &r->cpupool, W("DOMU_CPUPOOL"), &v))
            return -1;
        if (v >= cfg->ncpupools)
            return bad(c, &r->cpupool, "%s=%s: there is no such pool (NUM_CPUPOOLS is %u)", what, r->cpupool.str,
                       cfg->ncpupools);
        d->cpupool = (int)v;
    }
    if (r->pci_bridge.line) {
        const char *s = r->pci_bridge.str;
        if (!*s || !strcmp(s, "default")) {
            d->bridge = BRIDGE_DEFAULT;
        } else {
            unsigned cnt;
            if (numbers(c, &r->pci_bridge, W("DOMU_PCI_BRIDGE"), d->bridge_v, 9, &cnt))
                return -1;
            if (cnt != 9)
                return bad(c, &r->pci_bridge,
                           "%s: expected \"default\" or 9 numbers: ecam_addr ecam_size mem_addr mem_size "
                           "prefetch_addr prefetch_size irq_start irq_count flags",
                           what);
            for (unsigned i = 6; i < 9; i++)
                if (d->bridge_v[i] > UINT32_MAX)
                    return bad(c, &r->pci_bridge, "%s: irq_start, irq_count and flags are 32-bit values", what);
            d->bridge = BRIDGE_EXPLICIT;
        }
    }
    if (given(&r->device_model)) {
        if (number(c, &r->device_model, W("DOMU_DEVICE_MODEL"), &v))
            return -1;
        if (v >= cfg->ndomus)
            return bad(c, &r->device_model, "%s=%s: there is no such domain (NUM_DOMUS is %u)", what,
                       r->device_model.str, cfg->ndomus);
        if (v == n)
            return bad(c, &r->device_model, "%s=%s: a domain cannot be its own device model", what,
                       r->device_model.str);
        if (!d->bridge)
            return bad(c, &r->device_model, "%s: the device model serves a PCI bridge: set DOMU_PCI_BRIDGE[%u] too",
                       what, n);
        d->device_model = (int)v;
    }
    if (flag(c, &r->device_model_hold, W("DOMU_DEVICE_MODEL_HOLD"), false, &d->hold))
        return -1;
    if (d->hold && d->device_model < 0)
        return bad(c, &r->device_model_hold, "%s=1 needs DOMU_DEVICE_MODEL[%u] (the domain it waits for)", what, n);
    if (interpret_virtio(c, r, d, n))
        return -1;
    for (unsigned i = 0; i < IB_XEN_U32; i++) {
        if (!given(&r->xen_u32[i]))
            continue;
        if (number(c, &r->xen_u32[i], W(ib_xen_u32[i].key), &v))
            return -1;
        if (v > UINT32_MAX)
            return bad(c, &r->xen_u32[i], "%s: %s: a 32-bit value", what, r->xen_u32[i].str);
        d->has_xen_u32[i] = true;
        d->xen_u32[i] = (uint32_t)v;
    }
    if (given(&r->caps)) {
        if (interpret_caps(c, &r->caps, W("DOMU_CAPS"), &d->caps))
            return -1;
        d->has_caps = true;
    }
    if (given(&r->static_evtchns) && interpret_evtchns(c, &r->static_evtchns, cfg, n))
        return -1;
    /* "ID HPA GPA SIZE" (ImageBuilder's order): the builder checks the
     * region; here its words */
    if (given(&r->shared_mem)) {
        const char *id = r->shared_mem.str + strspn(r->shared_mem.str, " \t\n");
        size_t idlen = strcspn(id, " \t\n");
        const struct ib_value rest = { (char *)id + idlen, r->shared_mem.line };
        unsigned cnt;
        if (idlen < sizeof(d->shm_id))
            snprintf(d->shm_id, sizeof(d->shm_id), "%.*s", (int)idlen, id);
        if (idlen >= sizeof(d->shm_id) || !safe_name(d->shm_id)) {
            d->shm_id[0] = '\0';
            return bad(c, &r->shared_mem,
                       "%s: expected \"ID HOST-ADDRESS GUEST-ADDRESS SIZE\" (ID: up to 63 letters, digits, @,._+-)",
                       W("DOMU_SHARED_MEM"));
        }
        if (numbers(c, &rest, W("DOMU_SHARED_MEM"), d->shm, 3, &cnt))
            return -1;
        if (cnt != 3)
            return bad(c, &r->shared_mem, "%s: expected \"ID HOST-ADDRESS GUEST-ADDRESS SIZE\"", what);
    }
    /* "0-3,5" as Xen's hard-affinity reads it: the builder checks the
     * CPUs; here only the characters, so the script stays a script */
    for (unsigned k = 0; k < IB_MAX_VCPUS; k++) {
        const struct ib_value *a = &r->affinity[k];
        if (!given(a))
            continue;
        snprintf(what, sizeof(what), "DOMU_VCPU_HARD_AFFINITY[%u,%u]", n, k);
        if (k >= d->vcpus)
            return bad(c, a, "%s: the domain has %u vCPU(s) (DOMU_VCPUS[%u])", what, d->vcpus, n);
        if (strspn(a->str, "0123456789,-") != strlen(a->str))
            return bad(c, a, "%s: '%s': expected CPU numbers and ranges, like \"0-3,5\"", what, a->str);
        d->affinity[k] = a->str;
    }
#undef W
    return 0;
}

/* A DOMU_*[n] beyond NUM_DOMUS (or CPUPOOL[k] beyond NUM_CPUPOOLS) is
 * skipped, as ImageBuilder skips it (Xen's own CI configs set domains
 * they do not boot), but not silently: a warning names each. */
__attribute__((format(printf, 3, 4))) static void warn(struct ib_config *cfg, const struct ib_value *v, const char *fmt,
                                                       ...)
{
    if (cfg->nwarnings == IB_MAX_WARNINGS)
        return;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(cfg->warning[cfg->nwarnings++], sizeof(cfg->warning[0]), "%s:%u: %s", cfg->file, v->line, msg);
}

static void check_beyond(struct ib_config *cfg, const struct ib_raw *raw, unsigned ndomus, unsigned npools)
{
    for (unsigned d = ndomus; d < IB_MAX_DOMUS; d++)
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            if (keys[i].kind == K_DOMU) {
                const struct ib_value *v = (const struct ib_value *)((const char *)&raw->domu[d] + keys[i].off);
                if (v->line)
                    warn(cfg, v, "%s[%u] ignored: NUM_DOMUS is %u", keys[i].name, d, ndomus);
            } else if (keys[i].kind == K_DISK || keys[i].kind == K_VCPU) {
                const struct ib_value *v = (const struct ib_value *)((const char *)&raw->domu[d] + keys[i].off);
                for (unsigned k = 0; k < (keys[i].kind == K_DISK ? IB_MAX_DISKS : IB_MAX_VCPUS); k++)
                    if (v[k].line)
                        warn(cfg, &v[k], "%s[%u,%u] ignored: NUM_DOMUS is %u", keys[i].name, d, k, ndomus);
            }
    for (unsigned k = npools; k < IB_MAX_CPUPOOLS; k++)
        if (raw->cpupool[k].line)
            warn(cfg, &raw->cpupool[k], "CPUPOOL[%u] ignored: NUM_CPUPOOLS is %u", k, npools);
}

int config_interpret(const char *file, const struct ib_raw *raw, struct ib_config *cfg, struct ib_error *err)
{
    struct ctx c = { file, err };
    uint64_t v;
    memset(cfg, 0, sizeof(*cfg));
    cfg->file = file;

    if (!given(&raw->memory_start) || !given(&raw->memory_end))
        return bad(&c, NULL, "MEMORY_START and MEMORY_END must be set (the RAM window files are loaded into)");
    if (number(&c, &raw->memory_start, "MEMORY_START", &cfg->mem_start) ||
        number(&c, &raw->memory_end, "MEMORY_END", &cfg->mem_end))
        return -1;
    if (cfg->mem_end <= cfg->mem_start)
        return bad(&c, &raw->memory_end, "MEMORY_END (0x%llx) must be above MEMORY_START (0x%llx)",
                   (unsigned long long)cfg->mem_end, (unsigned long long)cfg->mem_start);
    if (given(&raw->load_cmd)) {
        char ch;
        const char *why = config_bad_load_cmd(raw->load_cmd.str, &ch);
        if (why && ch && (unsigned char)ch > 0x20 && ch != 0x7f)
            return bad(&c, &raw->load_cmd, "LOAD_CMD: '%c' refused: a load command %s", ch, why);
        if (why && ch)
            return bad(&c, &raw->load_cmd, "LOAD_CMD: the control character 0x%02x refused: a load command %s",
                       (unsigned char)ch, why);
        if (why)
            return bad(&c, &raw->load_cmd, "LOAD_CMD: the load command %s", why);
        cfg->load_cmd = raw->load_cmd.str;
    }
    if (cfg->load_cmd)
        cfg->load_cmd = config_load_cmd(cfg->load_cmd);
    cfg->boot_cmd = BOOT_BOOTI;
    if (given(&raw->boot_cmd)) {
        const char *b = raw->boot_cmd.str;
        if (!strcmp(b, "booti"))
            cfg->boot_cmd = BOOT_BOOTI;
        else if (!strcmp(b, "bootm"))
            cfg->boot_cmd = BOOT_BOOTM;
        else if (!strcmp(b, "none"))
            cfg->boot_cmd = BOOT_NONE;
        else if (!strcmp(b, "bootefi"))
            return bad(&c, &raw->boot_cmd, "BOOT_CMD=bootefi: not supported (the hypervisor is an arm64 Image: booti)");
        else
            return bad(&c, &raw->boot_cmd, "BOOT_CMD: '%s' must be booti, bootm or none", b);
    }
    if (!given(&raw->device_tree))
        return bad(&c, NULL, "DEVICE_TREE must be set (the host device tree)");
    if (path(&c, &raw->device_tree, "DEVICE_TREE", &cfg->device_tree, &cfg->device_tree_line))
        return -1;
    if (!given(&raw->xen))
        return bad(&c, NULL, "XEN must be set (the hypervisor image)");
    if (path(&c, &raw->xen, "XEN", &cfg->xen, &cfg->xen_line))
        return -1;
    if (given(&raw->static_heap)) {
        if (numbers(&c, &raw->static_heap, "XEN_STATIC_HEAP", cfg->heap, 2 * IB_MAX_STATIC, &cfg->nr_heap))
            return -1;
        if (!cfg->nr_heap || cfg->nr_heap % 2)
            return bad(&c, &raw->static_heap, "XEN_STATIC_HEAP: expected \"base size [base size]...\"");
        cfg->nr_heap /= 2;
    }
    if (given(&raw->xen_cmd) && text(&c, &raw->xen_cmd, "XEN_CMD", &cfg->xen_cmd))
        return -1;
    if (given(&raw->uboot_source) &&
        path(&c, &raw->uboot_source, "UBOOT_SOURCE", &cfg->uboot_source, &cfg->uboot_source_line))
        return -1;
    if (given(&raw->uboot_script) &&
        path(&c, &raw->uboot_script, "UBOOT_SCRIPT", &cfg->uboot_script, &cfg->uboot_script_line))
        return -1;
    if (given(&raw->fdtedit) && path(&c, &raw->fdtedit, "FDTEDIT", &cfg->fdtedit, &cfg->fdtedit_line))
        return -1;
    if (given(&raw->append_extra_cmds) &&
        path(&c, &raw->append_extra_cmds, "APPEND_EXTRA_CMDS", &cfg->append_extra_cmds, &cfg->append_extra_cmds_line))
        return -1;

    if (!given(&raw->num_domus))
        return bad(&c, NULL, "NUM_DOMUS must be set (dom0less: at least one domain)");
    if (number(&c, &raw->num_domus, "NUM_DOMUS", &v))
        return -1;
    if (!v || v > IB_MAX_DOMUS)
        return bad(&c, &raw->num_domus, "NUM_DOMUS: %s: must be 1 to %u", raw->num_domus.str, IB_MAX_DOMUS);
    cfg->ndomus = (unsigned)v;
    if (given(&raw->num_cpupools)) {
        if (number(&c, &raw->num_cpupools, "NUM_CPUPOOLS", &v))
            return -1;
        if (v > IB_MAX_CPUPOOLS)
            return bad(&c, &raw->num_cpupools, "NUM_CPUPOOLS: %s: at most %u", raw->num_cpupools.str, IB_MAX_CPUPOOLS);
        cfg->ncpupools = (unsigned)v;
    }
    check_beyond(cfg, raw, cfg->ndomus, cfg->ncpupools);
    for (unsigned k = 0; k < cfg->ncpupools; k++) {
        if (interpret_pool(&c, &raw->cpupool[k], k, &cfg->pool[k]))
            return -1;
        for (unsigned j = 0; j < k; j++)
            for (unsigned a = 0; a < cfg->pool[k].ncpus; a++)
                for (unsigned b = 0; b < cfg->pool[j].ncpus; b++)
                    if (!strcmp(cfg->pool[k].cpus[a], cfg->pool[j].cpus[b]))
                        return bad(&c, &raw->cpupool[k], "CPUPOOL[%u]: %s is already in CPUPOOL[%u]", k,
                                   cfg->pool[k].cpus[a], j);
    }
    unsigned booting = 0;
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        if (interpret_domain(&c, raw, cfg, n))
            return -1;
        booting += cfg->dom[n].boot;
    }
    for (unsigned n = 0; n < cfg->ndomus; n++) {
        int m = cfg->dom[n].device_model;
        if (cfg->dom[n].boot && m >= 0 && !cfg->dom[m].boot)
            return bad(&c, &raw->domu[n].device_model,
                       "DOMU_DEVICE_MODEL[%u]=%d: domain %d is not booted (DOMU_NOBOOT)", n, m, m);
    }
    if (!booting)
        return bad(&c, &raw->num_domus, "every domain has DOMU_NOBOOT: nothing would boot");
    if (evtchn_pairs(&c, raw, cfg))
        return -1;
    return 0;
}

void config_free(struct ib_config *cfg)
{
    for (unsigned k = 0; k < IB_MAX_CPUPOOLS; k++) {
        for (unsigned i = 0; i < cfg->pool[k].ncpus; i++)
            free(cfg->pool[k].cpus[i]);
        free(cfg->pool[k].sched);
        cfg->pool[k].ncpus = 0;
        cfg->pool[k].sched = NULL;
    }
}
