/* Error numbers: negative values returned by hypervisor functions. The values
 * are Linux's, which is also what Xen's hypercall ABI returns to guests. */
#ifndef XAM_ERRNO_H
#define XAM_ERRNO_H

#define XAM_EPERM 1
#define XAM_ESRCH 3
#define XAM_ENOENT 2
#define XAM_EIO 5
#define XAM_ENXIO 6
#define XAM_ENODEV 19
#define XAM_ENOMEM 12
#define XAM_EFAULT 14
#define XAM_EBUSY 16
#define XAM_EEXIST 17
#define XAM_EINVAL 22
#define XAM_ENOSPC 28
#define XAM_ERANGE 34
#define XAM_ENOSYS 38
#define XAM_EOPNOTSUPP 95
#define XAM_ETIMEDOUT 110

#endif
