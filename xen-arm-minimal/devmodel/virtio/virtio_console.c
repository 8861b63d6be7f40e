/* virtio-console (virtio 1.2 section 5.3) with a single port and no
 * features (no MULTIPORT, SIZE or EMERG_WRITE): queue 0 receives (input
 * from the hypervisor's console switch, dm_bus_console_input), queue 1
 * transmits (to env->console_out). */
#include <stdlib.h>

#include "virtio/virtio_abi.h"
#include "virtio/virtio_devices.h"

#define CONSOLE_RX 0
#define CONSOLE_TX 1
/* struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr; all
 * 0, as their features are not offered */
#define CONSOLE_CONFIG_LEN 12
/* Bytes of one transmit chain passed on; Linux's hvc writes far less at a
 * time, and a chain as large as the guest's RAM should not flood the log. */
#define CONSOLE_TX_MAX 65536

static int64_t console_handle(struct virtio_dev *d, unsigned q, const struct vq_chain *c)
{
    uint8_t buf[4096];
    uint64_t total = c->out_len < CONSOLE_TX_MAX ? c->out_len : CONSOLE_TX_MAX;
    for (uint64_t off = 0; off < total; off += sizeof(buf)) {
        size_t n = total - off < sizeof(buf) ? (size_t)(total - off) : sizeof(buf);
        struct vq_error err;
        if (vq_chain_read(c, d->env, off, buf, n, &err)) {
            virtio_dev_fail(d, "queue %u: %s", q, err.msg);
            return -1;
        }
        if (d->env->console_out)
            d->env->console_out(d->env->ctx, buf, n);
    }
    return 0; /* nothing written into a transmit buffer */
}

size_t virtio_console_input(struct virtio_dev *d, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t taken = 0;
    bool pushed = false;
    while (taken < len && virtio_dev_queue_ready(d, CONSOLE_RX) && virtio_dev_pop(d, CONSOLE_RX) == 1) {
        const struct vq_chain *c = &d->chain;
        size_t n = len - taken < c->in_len ? len - taken : (size_t)c->in_len;
        struct vq_error err;
        if (vq_chain_write(c, d->env, 0, p + taken, n, &err)) {
            virtio_dev_fail(d, "queue %u: %s", CONSOLE_RX, err.msg);
            break;
        }
        if (virtio_dev_push(d, CONSOLE_RX, c->head, (uint32_t)n))
            break;
        taken += n;
        pushed = true;
    }
    if (pushed && !d->broken)
        virtio_dev_interrupt_if_wanted(d, CONSOLE_RX);
    return taken;
}

static void console_destroy(struct virtio_dev *d) { free(d); }

static const struct virtio_device_ops console_ops = {
    .name = "virtio-console",
    .type = VIRTIO_ID_CONSOLE,
    .class_code = 0x078000, /* communication controller, other */
    .num_queues = 2,
    .driven_queues = 1u << CONSOLE_TX,
    .config_len = CONSOLE_CONFIG_LEN,
    .handle = console_handle,
    .destroy = console_destroy,
};

struct virtio_dev *virtio_console_create(const struct dm_device_conf *conf, const struct dm_bus_env *env, bool bar64)
{
    struct virtio_dev *d = calloc(1, sizeof(*d));
    if (!d) {
        env->log(env->ctx, "virtio-console: out of memory");
        return NULL;
    }
    virtio_dev_init(d, &console_ops, env, conf->slot, 0, bar64);
    return d;
}
