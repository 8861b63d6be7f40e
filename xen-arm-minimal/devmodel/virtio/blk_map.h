/* A disk's backing store mapped (read-only) into the device model, so
 * that a read is one copy from the page cache into the guest's memory
 * instead of a pread into a bounce buffer and a copy (docs/virtio-
 * devices.md, "virtio-blk"). What a mapping adds is SIGBUS: a file that
 * shrank under it, or a block device's I/O error, faults the copy instead
 * of failing a syscall. The guard below turns that into a failed request:
 * the faulting page is replaced by a zero page, the copy goes on, and the
 * mapping is marked failed so its user answers IOERR and goes back to
 * pread. The program is single-threaded: a mapping is used by the thread
 * that handles SIGBUS. */
#ifndef XAM_DM_BLK_MAP_H
#define XAM_DM_BLK_MAP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct blk_map {
    uint8_t *base; /* NULL: not mapped (use pread/pwrite) */
    uint64_t size;
    volatile sig_atomic_t failed; /* set by the SIGBUS guard */
    uintptr_t fault; /* the first address that faulted */
};

/* Map size bytes of fd, read-only. 0, or -1 with m->base NULL: the caller
 * keeps to pread (too many mappings, or mmap refused). Puts the SIGBUS
 * guard back if someone replaced it (cmocka does, around each test). */
int blk_map_open(struct blk_map *m, int fd, uint64_t size);
/* The guard, (re)installed: 0 or -1. */
int blk_map_guard(void);
void blk_map_close(struct blk_map *m);

#endif
