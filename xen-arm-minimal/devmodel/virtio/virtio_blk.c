/* virtio-blk (virtio 1.2 section 5.2) over a file or block device of the
 * device model's: one request queue; IN, OUT, FLUSH and GET_ID; read-only
 * disks refuse OUT. Requests are done synchronously, every sector range
 * checked against the capacity first. A read is one copy from the backing
 * store's read-only mapping (blk_map.h) into the guest's memory, or, where
 * it cannot be mapped or its mapping failed, a pread into a bounce buffer
 * and a copy. A write takes the guest's data into the bounce buffer first
 * and then pwrites it, so that a request whose buffers are not all the
 * guest's RAM writes nothing at all. No guest length sizes an allocation. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/blk_map.h"
#include "virtio/virtio_abi.h"
#include "bus/le_bytes.h"
#include "virtio/virtio_devices.h"

/* feature bits (5.2.3) */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* request types and status (5.2.6) */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20
#define BLK_HEADER 16 /* le32 type, le32 reserved, le64 sector */

#define SECTOR 512
#define BLK_SIZE_MAX (1u << 20) /* bytes in one segment */
#define BLK_SEG_MAX (VQ_MAX_SEGS - 2) /* a header and a status besides */
#define BLK_CONFIG_LEN 64 /* through write_zeroes_may_unmap; the rest 0 */
#define BOUNCE (64 * 1024)

struct virtio_blk {
    struct virtio_dev vdev; /* first: the transport's pointer is ours */
    int fd;
    bool read_only;
    bool told_read_only; /* a refused write has been logged */
    uint64_t sectors; /* capacity */
    char serial[VIRTIO_BLK_ID_BYTES];
    uint8_t *bounce; /* BOUNCE bytes, never zeroed: always written before read */
    struct blk_map map;
};


static void blk_config(const struct virtio_dev *d, uint8_t *buf)
{
    const struct virtio_blk *b = (const struct virtio_blk *)d;
    put32(&buf[0], (uint32_t)b->sectors); /* le64 capacity */
    put32(&buf[4], (uint32_t)(b->sectors >> 32));
    put32(&buf[8], BLK_SIZE_MAX);
    put32(&buf[12], BLK_SEG_MAX);
    put32(&buf[20], SECTOR); /* blk_size; geometry (16) and topology (24) stay 0 */
}

/* The request's sectors, all inside the disk? */
static bool in_range(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
    return bytes % SECTOR == 0 && sector <= b->sectors && bytes / SECTOR <= b->sectors - sector;
}

static int full_pread(int fd, uint8_t *buf, size_t len, uint64_t at)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n, len -= (size_t)n, at += (uint64_t)n;
    }
    return 0;
}

static int full_pwrite(int fd, const uint8_t *buf, size_t len, uint64_t at)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n, len -= (size_t)n, at += (uint64_t)n;
    }
    return 0;
}

/* The status of the request, or -1 if its chain is malformed (the device
 * has failed). *written: bytes put into the data buffers. */
/* After a copy from the mapping: did the backing store fault under it?
 * Then the request fails, and so does the mapping, for good. */
static bool map_failed(struct virtio_blk *b)
{
    if (!b->map.failed)
        return false;
    virtio_dev_log(&b->vdev,
                   "the backing store faulted under its mapping at offset %llu (it shrank, or an I/O error): I/O "
                   "error to the guest, pread from now on",
                   (unsigned long long)(b->map.fault - (uintptr_t)b->map.base));
    blk_map_close(&b->map);
    return true;
}

static int blk_in(struct virtio_blk *b, const struct vq_chain *c, uint64_t sector, uint64_t *written)
{
    uint64_t len = c->in_len - 1;
    if (!in_range(b, sector, len))
        return VIRTIO_BLK_S_IOERR;
    if (b->map.base) {
        struct vq_error err;
        if (vq_chain_write(c, b->vdev.env, 0, b->map.base + sector * SECTOR, len, &err)) {
            virtio_dev_fail(&b->vdev, "queue 0: %s", err.msg);
            return -1;
        }
        if (map_failed(b))
            return VIRTIO_BLK_S_IOERR;
        *written = len;
        return VIRTIO_BLK_S_OK;
    }
    for (uint64_t off = 0; off < len; off += BOUNCE) {
        size_t n = len - off < BOUNCE ? (size_t)(len - off) : BOUNCE;
        struct vq_error err;
        if (full_pread(b->fd, b->bounce, n, sector * SECTOR + off))
            return VIRTIO_BLK_S_IOERR;
        if (vq_chain_write(c, b->vdev.env, off, b->bounce, n, &err)) {
            virtio_dev_fail(&b->vdev, "queue 0: %s", err.msg);
            return -1;
        }
        *written = off + n;
    }
    return VIRTIO_BLK_S_OK;
}

static int blk_out(struct virtio_blk *b, const struct vq_chain *c, uint64_t sector)
{
    uint64_t len = c->out_len - BLK_HEADER;
    if (b->read_only) {
        /* the guest's kernel refuses writes to a disk that says
         * VIRTIO_BLK_F_RO: one came, so the guest cleared its own flag
         * (blockdev --setrw) or ignores it. The guest sees EIO; the log
         * says it once a device life. */
        if (!b->told_read_only)
            virtio_dev_log(&b->vdev, "write to sector %llu of the read-only disk refused (I/O error to the guest)",
                           (unsigned long long)sector);
        b->told_read_only = true;
        return VIRTIO_BLK_S_IOERR;
    }
    if (!in_range(b, sector, len))
        return VIRTIO_BLK_S_IOERR;
    for (uint64_t off = 0; off < len; off += BOUNCE) {
        size_t n = len - off < BOUNCE ? (size_t)(len - off) : BOUNCE;
        struct vq_error err;
        if (vq_chain_read(c, b->vdev.env, BLK_HEADER + off, b->bounce, n, &err)) {
            virtio_dev_fail(&b->vdev, "queue 0: %s", err.msg);
            return -1;
        }
        if (full_pwrite(b->fd, b->bounce, n, sector * SECTOR + off))
            return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

static int blk_get_id(struct virtio_blk *b, const struct vq_chain *c, uint64_t *written)
{
    uint64_t len = c->in_len - 1 < VIRTIO_BLK_ID_BYTES ? c->in_len - 1 : VIRTIO_BLK_ID_BYTES;
    struct vq_error err;
    if (vq_chain_write(c, b->vdev.env, 0, b->serial, (size_t)len, &err)) {
        virtio_dev_fail(&b->vdev, "queue 0: %s", err.msg);
        return -1;
    }
    *written = len;
    return VIRTIO_BLK_S_OK;
}

static int64_t blk_handle(struct virtio_dev *d, unsigned q, const struct vq_chain *c)
{
    struct virtio_blk *b = (struct virtio_blk *)d;
    struct vq_error err;
    uint8_t hdr[BLK_HEADER];
    /* a header to read and a status byte to write, or it is no request */
    if (c->out_len < BLK_HEADER || c->in_len < 1) {
        virtio_dev_fail(d, "queue %u: request of descriptor %u has %llu readable and %llu writable bytes", q, c->head,
                        (unsigned long long)c->out_len, (unsigned long long)c->in_len);
        return -1;
    }
    if (vq_chain_read(c, d->env, 0, hdr, sizeof(hdr), &err)) {
        virtio_dev_fail(d, "queue %u: %s", q, err.msg);
        return -1;
    }
    uint32_t type = le32(hdr);
    uint64_t sector = le64(hdr + 8), written = 0;
    int status;
    switch (type) {
    case VIRTIO_BLK_T_IN:
        status = blk_in(b, c, sector, &written);
        break;
    case VIRTIO_BLK_T_OUT:
        status = blk_out(b, c, sector);
        break;
    case VIRTIO_BLK_T_FLUSH:
        /* the guest's sync: the data is in the backing store on OK */
        status = !b->read_only && fsync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_GET_ID:
        status = blk_get_id(b, c, &written);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    if (status < 0)
        return -1;
    uint8_t s = (uint8_t)status;
    if (vq_chain_write(c, d->env, c->in_len - 1, &s, 1, &err)) {
        virtio_dev_fail(d, "queue %u: %s", q, err.msg);
        return -1;
    }
    return (int64_t)written + 1;
}

static void blk_destroy(struct virtio_dev *d)
{
    blk_map_close(&((struct virtio_blk *)d)->map);
    free(((struct virtio_blk *)d)->bounce);
    free(d);
}

static const struct virtio_device_ops blk_ops = {
    .name = "virtio-blk",
    .type = VIRTIO_ID_BLOCK,
    .class_code = 0x010000, /* mass storage, SCSI: what QEMU's says */
    .num_queues = 1,
    .driven_queues = 1,
    .config_len = BLK_CONFIG_LEN,
    .read_config = blk_config,
    .handle = blk_handle,
    .destroy = blk_destroy,
};

/* The backing store's size in bytes: 0, or -1 with *why. */
static int backing_size(int fd, bool read_only, uint64_t *size, const char **why)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    if (fd < 0 || fl < 0 || fstat(fd, &st)) {
        *why = "the backing store is not an open file";
        return -1;
    }
    if ((fl & O_ACCMODE) == O_WRONLY) {
        *why = "the backing store is open write-only";
        return -1;
    }
    if (!read_only && (fl & O_ACCMODE) == O_RDONLY) {
        *why = "the backing store is open read-only, the disk is not";
        return -1;
    }
    if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, size)) {
            *why = "BLKGETSIZE64 failed on the backing block device";
            return -1;
        }
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "the backing store is neither a file nor a block device";
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return 0;
}

struct virtio_dev *virtio_blk_create(const struct dm_device_conf *conf, const struct dm_bus_env *env, bool bar64)
{
    uint64_t size;
    const char *why;
    char line[160];
    if (backing_size(conf->fd, conf->read_only, &size, &why)) {
        snprintf(line, sizeof(line), "virtio-blk 00:%02x.0: %s", conf->slot, why);
        env->log(env->ctx, line);
        return NULL;
    }
    struct virtio_blk *b = calloc(1, sizeof(*b));
    if (b)
        b->bounce = malloc(BOUNCE);
    if (!b || !b->bounce) {
        free(b);
        env->log(env->ctx, "virtio-blk: out of memory");
        return NULL;
    }
    b->fd = conf->fd;
    b->read_only = conf->read_only;
    b->sectors = size / SECTOR;
    blk_map_open(&b->map, b->fd, b->sectors * SECTOR); /* else pread */
    memcpy(b->serial, conf->serial, strnlen(conf->serial, VIRTIO_BLK_ID_BYTES));
    uint64_t features = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
        1ull << VIRTIO_BLK_F_FLUSH | (conf->read_only ? 1ull << VIRTIO_BLK_F_RO : 0);
    virtio_dev_init(&b->vdev, &blk_ops, env, conf->slot, features, bar64);
    return &b->vdev;
}
