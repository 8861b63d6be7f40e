/* virtio-rng (virtio 1.2 section 5.4): one request queue of
 * device-writable buffers, filled from getrandom() or from the
 * configuration's fd. No features, no configuration. */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "virtio/virtio_abi.h"
#include "virtio/virtio_devices.h"

/* A request is filled up to this much; the used length says how much
 * (Linux asks for a few dozen bytes at a time). */
#define RNG_MAX_PER_REQUEST 4096

struct virtio_rng {
    struct virtio_dev vdev; /* first: the transport's pointer is ours */
    int fd; /* -1: getrandom() */
};

/* Up to len random bytes: how many (0 when the source has none now). */
static size_t entropy(const struct virtio_rng *r, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = r->fd < 0 ? getrandom(buf + got, len - got, 0) : read(r->fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static int64_t rng_handle(struct virtio_dev *d, unsigned q, const struct vq_chain *c)
{
    struct virtio_rng *r = (struct virtio_rng *)d;
    uint8_t buf[RNG_MAX_PER_REQUEST];
    size_t want = c->in_len < sizeof(buf) ? (size_t)c->in_len : sizeof(buf);
    size_t got = entropy(r, buf, want);
    struct vq_error err;
    if (vq_chain_write(c, d->env, 0, buf, got, &err)) {
        virtio_dev_fail(d, "queue %u: %s", q, err.msg);
        return -1;
    }
    return (int64_t)got;
}

static void rng_destroy(struct virtio_dev *d) { free(d); }

static const struct virtio_device_ops rng_ops = {
    .name = "virtio-rng",
    .type = VIRTIO_ID_RNG,
    .class_code = 0xff0000, /* no defined class, as QEMU's */
    .num_queues = 1,
    .driven_queues = 1,
    .config_len = 0,
    .handle = rng_handle,
    .destroy = rng_destroy,
};

struct virtio_dev *virtio_rng_create(const struct dm_device_conf *conf, const struct dm_bus_env *env, bool bar64)
{
    struct virtio_rng *r = calloc(1, sizeof(*r));
    if (!r) {
        env->log(env->ctx, "virtio-rng: out of memory");
        return NULL;
    }
    r->fd = conf->fd;
    virtio_dev_init(&r->vdev, &rng_ops, env, conf->slot, 0, bar64);
    return &r->vdev;
}
