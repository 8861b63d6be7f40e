/* xam-devmodel's configuration from its command line or a config file, for
 * use where no builder writes a /device-model node (on Xen):
 *
 *   --client domid=N,name=NAME[,bridge=default][,ecam=ADDR+SIZE][,mem=ADDR+SIZE]
 *            [,pref=ADDR+SIZE][,irq=FIRST+COUNT][,flags=N][,memory=ADDR+SIZE]...
 *   --disk domid=N,slot=S,path=FILE[,ro][,serial=TEXT]
 *   --rng domid=N,slot=S
 *   --console domid=N,slot=S
 *   --config FILE          one option a line without its "--" ('#' comments)
 *   --device-tree DIR      where the device tree is (default /proc/device-tree)
 *   --no-device-tree       ignore it
 *   --idle-exit SECONDS    exit once no client has been connected for that long
 *   --verbose              log every INTx level change
 *
 * Numbers are C literals with an optional K, M or G suffix. A device names
 * its client by domain id, which may come from the device tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

void dm_default_bridge(struct dm_bridge_layout *b)
{
    memset(b, 0, sizeof(*b));
    b->ecam = 0x33000000;
    b->ecam_size = 0x100000;
    b->mem = 0x33800000;
    b->mem_size = 0x2000000;
    b->pref = 0x35800000;
    b->pref_size = 0x2000000;
    b->irq_start = 44;
    b->irq_count = 4;
}

const char *dm_kind_name(enum dm_device_kind k)
{
    switch (k) {
    case DM_VIRTIO_BLK:
        return "virtio-blk";
    case DM_VIRTIO_RNG:
        return "virtio-rng";
    case DM_VIRTIO_CONSOLE:
        return "virtio-console";
    }
    return "?";
}

struct dm_client_cfg *dm_config_client(struct dm_config *c, unsigned domid, bool create)
{
    for (unsigned i = 0; i < c->nr_clients; i++)
        if (c->clients[i].domid == domid)
            return &c->clients[i];
    if (!create || c->nr_clients == DM_MAX_CLIENTS)
        return NULL;
    struct dm_client_cfg *cl = &c->clients[c->nr_clients++];
    memset(cl, 0, sizeof(*cl));
    cl->domid = domid;
    dm_default_bridge(&cl->bridge);
    return cl;
}

/* A number with an optional K/M/G suffix: 0, or -1. */
static int number(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10, end++;
    else if (*end == 'M' || *end == 'm')
        shift = 20, end++;
    else if (*end == 'G' || *end == 'g')
        shift = 30, end++;
    if (*end || (shift && v >> (64 - shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* ADDR+SIZE */
static int range(const char *s, uint64_t *addr, uint64_t *size)
{
    char buf[64];
    const char *plus = strchr(s, '+');
    if (!plus || (size_t)(plus - s) >= sizeof(buf))
        return -1;
    memcpy(buf, s, (size_t)(plus - s));
    buf[plus - s] = 0;
    return number(buf, addr) || number(plus + 1, size) ? -1 : 0;
}

/* One option's "key=value,key,..." list, split in place. */
struct kv {
    unsigned n;
    char *key[24], *val[24];
};

static int split(char *s, struct kv *kv)
{
    kv->n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (kv->n == 24)
            return -1;
        char *eq = strchr(tok, '=');
        if (eq)
            *eq++ = 0;
        kv->key[kv->n] = tok;
        kv->val[kv->n++] = eq;
    }
    return 0;
}

static const char *get(const struct kv *kv, const char *key)
{
    for (unsigned i = 0; i < kv->n; i++)
        if (!strcmp(kv->key[i], key))
            return kv->val[i] ? kv->val[i] : "";
    return NULL;
}

static int domid_of(const struct kv *kv, const char *origin, unsigned *domid)
{
    const char *v = get(kv, "domid");
    uint64_t n;
    if (!v || number(v, &n) || n == 0 || n >= 0x7ff0) {
        dm_log("%s: domid=N (a domain id, 1 to 0x7fef) is needed", origin);
        return -1;
    }
    *domid = (unsigned)n;
    return 0;
}

static int client_option(struct dm_config *c, struct kv *kv, const char *origin)
{
    unsigned domid;
    if (domid_of(kv, origin, &domid))
        return -1;
    if (dm_config_client(c, domid, false)) {
        dm_log("%s: domain %u is already a client (from the device tree or an earlier --client)", origin, domid);
        return -1;
    }
    struct dm_client_cfg *cl = dm_config_client(c, domid, true);
    if (!cl) {
        dm_log("%s: more than %d clients", origin, DM_MAX_CLIENTS);
        return -1;
    }
    snprintf(cl->origin, sizeof(cl->origin), "%s", origin);
    for (unsigned i = 0; i < kv->n; i++) {
        const char *k = kv->key[i], *v = kv->val[i];
        int bad = 0;
        if (!strcmp(k, "domid")) {
            continue;
        } else if (!strcmp(k, "name")) {
            bad = !v || !*v || strlen(v) >= sizeof(cl->name);
            if (!bad)
                snprintf(cl->name, sizeof(cl->name), "%s", v);
        } else if (!strcmp(k, "bridge")) {
            bad = !v || strcmp(v, "default");
        } else if (!strcmp(k, "ecam")) {
            bad = !v || range(v, &cl->bridge.ecam, &cl->bridge.ecam_size);
        } else if (!strcmp(k, "mem")) {
            bad = !v || range(v, &cl->bridge.mem, &cl->bridge.mem_size);
        } else if (!strcmp(k, "pref")) {
            bad = !v || range(v, &cl->bridge.pref, &cl->bridge.pref_size);
        } else if (!strcmp(k, "irq")) {
            uint64_t first, count;
            bad = !v || range(v, &first, &count) || first > 1019 || count < 1 || count > 4;
            if (!bad)
                cl->bridge.irq_start = (uint32_t)first, cl->bridge.irq_count = (uint32_t)count;
        } else if (!strcmp(k, "flags")) {
            uint64_t f;
            bad = !v || number(v, &f) || f > 0xffffffffu;
            if (!bad)
                cl->bridge.flags = (uint32_t)f;
        } else if (!strcmp(k, "memory")) {
            struct dm_bank *b = &cl->banks[cl->nr_banks];
            bad = !v || cl->nr_banks == DM_MAX_BANKS || range(v, &b->base, &b->size) || !b->size;
            if (!bad)
                cl->nr_banks++;
        } else if (!strcmp(k, "held")) {
            cl->held = true;
        } else {
            dm_log("%s: unknown key '%s'", origin, k);
            cl->bad = true;
            continue;
        }
        if (bad) {
            dm_log("%s: %s=%s: not a valid value", origin, k, v ? v : "(none)");
            cl->bad = true;
        }
    }
    if (!cl->name[0])
        snprintf(cl->name, sizeof(cl->name), "domain%u", domid);
    return 0;
}

static int device_option(struct dm_config *c, enum dm_device_kind kind, struct kv *kv, const char *origin)
{
    unsigned domid;
    if (domid_of(kv, origin, &domid))
        return -1;
    struct dm_client_cfg *cl = dm_config_client(c, domid, false);
    if (!cl) {
        dm_log("%s: domain %u is not a client; ignored", origin, domid);
        return 0;
    }
    if (cl->nr_devices == DM_MAX_DEVICES) {
        dm_log("%s: more than %d devices for client %s; client skipped", origin, DM_MAX_DEVICES, cl->name);
        cl->bad = true;
        return 0;
    }
    struct dm_device_cfg *d = &cl->devices[cl->nr_devices++];
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    d->slot = ~0u;
    snprintf(d->origin, sizeof(d->origin), "%s", origin);
    for (unsigned i = 0; i < kv->n; i++) {
        const char *k = kv->key[i], *v = kv->val[i];
        uint64_t n;
        int bad = 0;
        if (!strcmp(k, "domid")) {
            continue;
        } else if (!strcmp(k, "slot")) {
            bad = !v || number(v, &n) || n > 31;
            if (!bad)
                d->slot = (unsigned)n;
        } else if (kind == DM_VIRTIO_BLK && !strcmp(k, "path")) {
            bad = !v || !*v || strlen(v) >= sizeof(d->path);
            if (!bad)
                snprintf(d->path, sizeof(d->path), "%s", v);
        } else if (kind == DM_VIRTIO_BLK && (!strcmp(k, "ro") || !strcmp(k, "read-only"))) {
            bad = v != NULL;
            d->read_only = true;
        } else if (kind == DM_VIRTIO_BLK && !strcmp(k, "serial")) {
            bad = !v || strlen(v) >= sizeof(d->serial);
            if (!bad)
                snprintf(d->serial, sizeof(d->serial), "%s", v);
        } else {
            dm_log("%s: unknown key '%s' for %s; client %s skipped", origin, k, dm_kind_name(kind), cl->name);
            cl->bad = true;
            continue;
        }
        if (bad) {
            dm_log("%s: %s%s%s: not a valid value; client %s skipped", origin, k, v ? "=" : "", v ? v : "", cl->name);
            cl->bad = true;
        }
    }
    return 0;
}

static int option(struct dm_config *c, const char *name, const char *value, const char *origin, int pass);

static int config_file(struct dm_config *c, const char *path, int pass)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        dm_log("--config %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    unsigned n = 0;
    int rc = 0;
    while (fgets(line, sizeof(line), f)) {
        n++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *name = strtok(line, " \t\r\n");
        if (!name)
            continue;
        char *value = strtok(NULL, " \t\r\n");
        char origin[160];
        snprintf(origin, sizeof(origin), "%s:%u: %s", path, n, name);
        if (option(c, name, value, origin, pass))
            rc = -1;
    }
    fclose(f);
    return rc;
}

/* One option without its "--": 0, or -1 when it cannot be used at all.
 * Pass 1 takes everything but the devices, pass 2 only the devices (their
 * clients may come from the device tree, read between the two). */
static int option(struct dm_config *c, const char *name, const char *value, const char *origin, int pass)
{
    char buf[1024];
    struct kv kv;
    bool device = !strcmp(name, "disk") || !strcmp(name, "rng") || !strcmp(name, "console");
    if (!strcmp(name, "config") && value)
        return config_file(c, value, pass);
    if ((pass == 2) != device)
        return 0;
    if (!strcmp(name, "no-device-tree")) {
        c->no_device_tree = true;
        return 0;
    }
    if (!strcmp(name, "verbose")) {
        c->verbose = true;
        return 0;
    }
    if (!value) {
        dm_log("%s: needs a value", origin);
        return -1;
    }
    if (!strcmp(name, "device-tree")) {
        c->dt_root = strdup(value); /* a config file's line does not live on */
        return 0;
    }
    if (!strcmp(name, "idle-exit")) {
        uint64_t n;
        if (number(value, &n) || n > 86400) {
            dm_log("%s %s: not a number of seconds", origin, value);
            return -1;
        }
        c->idle_exit = (unsigned)n;
        return 0;
    }
    if (strlen(value) >= sizeof(buf)) {
        dm_log("%s: value too long", origin);
        return -1;
    }
    strcpy(buf, value);
    if (split(buf, &kv)) {
        dm_log("%s: too many keys", origin);
        return -1;
    }
    char where[200];
    snprintf(where, sizeof(where), "%s %s", origin, value);
    if (!strcmp(name, "client"))
        return client_option(c, &kv, where);
    if (!strcmp(name, "disk"))
        return device_option(c, DM_VIRTIO_BLK, &kv, where);
    if (!strcmp(name, "rng"))
        return device_option(c, DM_VIRTIO_RNG, &kv, where);
    if (!strcmp(name, "console"))
        return device_option(c, DM_VIRTIO_CONSOLE, &kv, where);
    dm_log("%s: unknown option", origin);
    return -1;
}

int dm_config_args(struct dm_config *c, int argc, char **argv, int pass)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2)) {
            if (pass == 1)
                dm_log("'%s': not an option (see docs/device-models.md)", a);
            rc = -1;
            continue;
        }
        a += 2;
        const char *value = NULL;
        char name[64];
        const char *eq = strchr(a, '=');
        if (eq && (size_t)(eq - a) < sizeof(name)) {
            /* --name=value as well as --name value */
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            value = eq + 1;
        } else {
            snprintf(name, sizeof(name), "%s", a);
            if (strcmp(name, "no-device-tree") && strcmp(name, "verbose") && i + 1 < argc)
                value = argv[++i];
        }
        char origin[80];
        snprintf(origin, sizeof(origin), "--%s", name);
        if (option(c, name, value, origin, pass))
            rc = -1;
    }
    return rc;
}

void dm_config_check(struct dm_client_cfg *cl)
{
    if (cl->bad)
        return;
    for (unsigned i = 0; i < cl->nr_devices; i++) {
        struct dm_device_cfg *d = &cl->devices[i];
        if (d->slot > 31) {
            dm_log("%s: no slot (0-31); client %s skipped", d->origin, cl->name);
            cl->bad = true;
        }
        if (d->kind == DM_VIRTIO_BLK && !d->path[0] && !d->pmem) {
            dm_log("%s: a disk needs a backing store (path, backend-path or pmem); client %s skipped", d->origin,
                   cl->name);
            cl->bad = true;
        }
        for (unsigned j = 0; j < i; j++)
            if (cl->devices[j].slot == d->slot && d->slot <= 31) {
                dm_log("%s: slot %u is taken by %s (%s); client %s skipped", d->origin, d->slot,
                       dm_kind_name(cl->devices[j].kind), cl->devices[j].origin, cl->name);
                cl->bad = true;
            }
    }
    if (!cl->bad && !cl->nr_devices)
        dm_log("client %s (domain %u): no devices configured: it gets an empty bus", cl->name, cl->domid);
}
