/* xam-devmodel: the device model of xen-arm-minimal's secondary emulated
 * PCI bridge, a Linux program in a device-model domain (xen,enhanced).
 * For each client guest it creates an ioreq server with Xen's own
 * libraries (libxendevicemodel, libxenforeignmemory, libxenevtchn, over
 * Linux's privcmd and evtchn drivers) and serves the virtio-pci devices
 * of its bus (devmodel/bus/dm_bus.h). Nothing here is particular to
 * xen-arm-minimal: on Xen it takes its configuration from the command line.
 *
 *   xam-devmodel [OPTION...]        (docs/device-models.md; xen/config_args.c)
 *
 * Its clients come from this domain's device tree (/device-model, written
 * by the builder) and the command line. It serves them until SIGTERM (or
 * --idle-exit), reconnecting a client that resets (a rebuilt guest has no
 * server any more); a client that stops or fails costs only itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xen/balloon.h"
#include "xen/client.h"
#include "xen/config.h"
#include "xen/hvconsole.h"
#include "xen/log.h"

#define CHECK_MS 500 /* how often servers are checked and stopped clients retried */
#define INPUT_MS 100 /* how often typed virtio-console input is fetched */
/* The guest-memory caches' chunks over all clients (6 MiB), each client at
 * least 2: each mapped page costs a ballooned page of this domain, and
 * the hypervisor's extra mappings per domain are bounded (196608; a
 * balloon refused a decrease_reservation BUG()s Linux). */
#define CHUNK_BUDGET 24

static struct dm_config config;
static struct dm_client clients[DM_MAX_CLIENTS];
static struct dm_xen xen;
static volatile sig_atomic_t stop_signal, counters_asked;

static void on_signal(int sig) { stop_signal = sig; }
static void on_usr1(int sig) { counters_asked = sig; }

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int by_domid(const void *a, const void *b)
{
    const struct dm_client_cfg *x = a, *y = b;
    return (x->domid > y->domid) - (x->domid < y->domid);
}

/* One port fired: the client it belongs to has a request in a slot. */
static void event(void)
{
    xenevtchn_port_or_error_t port = xenevtchn_pending(xen.xce);
    if (port < 0) {
        if (errno != EAGAIN && errno != EINTR)
            dm_log("reading /dev/xen/evtchn: %s", strerror(errno));
        return;
    }
    xenevtchn_unmask(xen.xce, (evtchn_port_t)port);
    for (unsigned i = 0; i < config.nr_clients; i++)
        if (client_has_port(&clients[i], (evtchn_port_t)port))
            client_serve(&clients[i]);
}

/* Every CHECK_MS: a served client whose server has gone (it stopped or
 * reset: the hypervisor destroyed the server) is disconnected, and a
 * disconnected one is connected again once its domain is back. */
static void check_clients(void)
{
    for (unsigned i = 0; i < config.nr_clients; i++) {
        struct dm_client *c = &clients[i];
        if (c->state == CLIENT_UP && !client_alive(c)) {
            dm_log_client(c->cfg->name, "its ioreq server is gone (%s): the client stopped or reset; %lu ioreqs served",
                          strerror(errno), c->ioreqs);
            client_disconnect(c, false);
            c->warned_down = true; /* connect quietly until it is back */
        }
        if (c->state == CLIENT_DOWN && client_connect(c, c->warned_down) && c->state == CLIENT_DOWN &&
            !c->warned_down) {
            c->warned_down = true;
            dm_log_client(c->cfg->name, "not connected; retrying every %d ms", CHECK_MS);
        }
    }
}

static unsigned count(enum dm_client_state s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < config.nr_clients; i++)
        n += clients[i].state == s;
    return n;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IOLBF, 0);
    /* SIGUSR1: each client's counters logged; from the start, so that an
     * early one does not end the program, and restarting what it
     * interrupts (poll never is: the loop sees the request at once) */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    config.dt_root = "/proc/device-tree";
    if (dm_config_args(&config, argc, argv, 1))
        return 2;
    if (!config.no_device_tree)
        dm_config_dt(&config);
    if (dm_config_args(&config, argc, argv, 2))
        return 2;
    qsort(config.clients, config.nr_clients, sizeof(config.clients[0]), by_domid);
    for (unsigned i = 0; i < config.nr_clients; i++)
        dm_config_check(&config.clients[i]);
    if (!config.nr_clients) {
        dm_log("no clients: none in %s/device-model and none on the command line", config.dt_root);
        return 1;
    }

    xen.dmod = xendevicemodel_open(NULL, 0);
    xen.fmem = xenforeignmemory_open(NULL, 0);
    xen.xce = xenevtchn_open(NULL, 0);
    if (!xen.dmod || !xen.fmem || !xen.xce) {
        dm_log("%s: %s (are xen-privcmd and xen-evtchn loaded?)",
               !xen.dmod       ? "xendevicemodel_open"
                   : !xen.fmem ? "xenforeignmemory_open"
                               : "xenevtchn_open",
               strerror(errno));
        return 1;
    }
    xen.verbose = config.verbose;
    xen.console_fd = hvconsole_open();
    unsigned usable = 0;
    for (unsigned i = 0; i < config.nr_clients; i++)
        usable += !config.clients[i].bad;
    xen.chunks_per_client = usable ? CHUNK_BUDGET / usable : 2;
    if (xen.chunks_per_client < 2)
        xen.chunks_per_client = 2;
    /* the caches' chunks and each client's ioreq page, with some room */
    dm_balloon_reserve((unsigned long)usable * (xen.chunks_per_client * (1u << (GM_CHUNK_SHIFT - 10)) + 4) + 256);

    for (unsigned i = 0; i < config.nr_clients; i++) {
        struct dm_client_cfg *cfg = &config.clients[i];
        if (cfg->bad) {
            clients[i].cfg = cfg;
            clients[i].state = CLIENT_SKIPPED;
            dm_log("client %s (domain %u, %s): skipped, its configuration has errors (above)", cfg->name, cfg->domid,
                   cfg->origin);
            continue;
        }
        if (client_open(&clients[i], cfg, &xen, config.dt_root))
            continue;
        if (client_connect(&clients[i], false)) {
            if (clients[i].state == CLIENT_DOWN) {
                clients[i].warned_down = true;
                dm_log_client(cfg->name, "not connected; retrying every %d ms", CHECK_MS);
            }
        }
    }
    if (count(CLIENT_SKIPPED) == config.nr_clients) {
        dm_log("nothing to serve: every client was skipped");
        return 1;
    }

    sa.sa_handler = on_signal;
    sa.sa_flags = 0; /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct pollfd p = { .fd = xenevtchn_fd(xen.xce), .events = POLLIN };
    uint64_t last_check = now_ms(), last_up = last_check, last_input = last_check;
    while (!stop_signal) {
        bool work = false;
        for (unsigned i = 0; i < config.nr_clients; i++)
            work |= clients[i].work;
        int r = poll(&p, 1, work ? 0 : INPUT_MS);
        if (r < 0 && errno != EINTR) {
            dm_log("poll on /dev/xen/evtchn: %s", strerror(errno));
            break;
        }
        if (r > 0)
            event();
        if (counters_asked) {
            counters_asked = 0;
            for (unsigned i = 0; i < config.nr_clients; i++)
                client_log_counters(&clients[i]);
        }
        /* requests first (a vCPU is waiting), then the devices' work: a
         * bounded round per client, so no client holds up the others */
        for (unsigned i = 0; i < config.nr_clients; i++) {
            client_serve(&clients[i]);
            for (unsigned n = 0; n < 64 && client_run(&clients[i]); n++)
                ;
        }
        uint64_t t = now_ms();
        if (t - last_input >= INPUT_MS) {
            last_input = t;
            for (unsigned i = 0; i < config.nr_clients; i++)
                client_console_input(&clients[i]);
        }
        if (t - last_check >= CHECK_MS) {
            last_check = t;
            check_clients();
        }
        if (count(CLIENT_UP))
            last_up = t;
        else if (config.idle_exit && t - last_up >= (uint64_t)config.idle_exit * 1000) {
            dm_log("no client connected for %u s: exiting", config.idle_exit);
            break;
        }
    }
    if (stop_signal)
        dm_log("%s: disconnecting every client", strsignal(stop_signal));
    for (unsigned i = 0; i < config.nr_clients; i++) {
        dm_console_flush(&clients[i].console, config.clients[i].name);
        client_log_counters(&clients[i]);
        client_disconnect(&clients[i], true);
    }
    xenevtchn_close(xen.xce);
    xenforeignmemory_close(xen.fmem);
    xendevicemodel_close(xen.dmod);
    return 0;
}
