/* A client's virtio-console on the hypervisor's console: xen-arm-minimal's
 * own dm_ops XAM_DMOP_console_write (what the guest wrote becomes its own
 * "(name)" console lines) and XAM_DMOP_console_read (what was typed for it
 * through the console's Ctrl-A switch), docs/hypercalls.md. Xen has
 * neither (-EOPNOTSUPP): the caller then prints the output itself. */
#ifndef XAM_DM_HVCONSOLE_H
#define XAM_DM_HVCONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* /dev/xen/privcmd for the two calls: a descriptor, or -1. */
int hvconsole_open(void);
/* 0, or -errno (-EOPNOTSUPP, -ENOSYS: not this hypervisor; -ENODEV: the
 * client has no virtio-console in the host tree). */
int hvconsole_write(int fd, unsigned domid, const void *buf, size_t len);
/* Bytes read into buf (0: nothing typed), or -errno. */
ssize_t hvconsole_read(int fd, unsigned domid, void *buf, size_t size);

#endif
