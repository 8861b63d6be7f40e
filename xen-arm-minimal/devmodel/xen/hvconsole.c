/* xen-arm-minimal's console dm_ops, made through Linux's privcmd
 * (IOCTL_PRIVCMD_DM_OP) as libxendevicemodel makes Xen's: bufs[0] holds
 * the operation (its number, then u32 len at offset 8), bufs[1] the
 * bytes. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/sys/privcmd.h>

#include "hvconsole.h"

#define XAM_DMOP_console_write 0x7801
#define XAM_DMOP_console_read 0x7802
#define XAM_DMOP_CONSOLE_MAX 1024 /* bytes a call */

/* struct xen_dm_op's layout for these two: op, pad, then the union,
 * whose console_io is one u32 length; 32 bytes at least are read */
struct console_op {
    uint32_t op;
    uint32_t pad;
    uint32_t len;
    uint8_t rest[52];
};

int hvconsole_open(void) { return open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC); }

static int call(int fd, unsigned domid, struct console_op *o, void *buf, size_t size)
{
    privcmd_dm_op_buf_t bufs[2] = { { .uptr = o, .size = sizeof(*o) }, { .uptr = buf, .size = size } };
    privcmd_dm_op_t op = { .dom = (domid_t)domid, .num = 2, .ubufs = bufs };
    return ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op) < 0 ? -errno : 0;
}

int hvconsole_write(int fd, unsigned domid, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        size_t n = len < XAM_DMOP_CONSOLE_MAX ? len : XAM_DMOP_CONSOLE_MAX;
        struct console_op o = { .op = XAM_DMOP_console_write, .len = (uint32_t)n };
        int rc = call(fd, domid, &o, (void *)(uintptr_t)p, n);
        if (rc)
            return rc;
        p += n, len -= n;
    }
    return 0;
}

ssize_t hvconsole_read(int fd, unsigned domid, void *buf, size_t size)
{
    struct console_op o = { .op = XAM_DMOP_console_read,
                            .len = (uint32_t)(size < XAM_DMOP_CONSOLE_MAX ? size : XAM_DMOP_CONSOLE_MAX) };
    int rc = call(fd, domid, &o, buf, size);
    if (rc)
        return rc;
    return o.len <= size ? (ssize_t)o.len : -EIO;
}
