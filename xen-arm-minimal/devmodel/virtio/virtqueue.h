/* Split virtqueues (virtio 1.2 section 2.7) from the device's side: taking
 * descriptor chains the driver made available, returning them in the used
 * ring, and the event-index rules for when to notify and be notified.
 *
 * Every ring, descriptor and buffer is in the client's memory, reached only
 * through env->mem_read/mem_write, and copied here before it is looked at:
 * the guest may rewrite it at any moment. Anything a correct driver never
 * does (an index past the queue, a chain that loops, an indirect table
 * inside another, an address that is not RAM) makes the call fail with a
 * one-line reason; the caller then puts its device in NEEDS_RESET. */
#ifndef XAM_DM_VIRTQUEUE_H
#define XAM_DM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/dm_bus.h"

#define VQ_MAX_SIZE 256 /* the size offered; the driver may pick a smaller power of 2 */
#define VQ_MAX_SEGS 256 /* descriptors in one chain, direct or in one indirect table */

struct vq_seg {
    uint64_t addr;
    uint32_t len;
};

/* One chain, copied: its device-readable segments first (n_out), then its
 * device-writable ones (n_in). */
struct vq_chain {
    uint16_t head;
    unsigned n_out, n_in;
    uint64_t out_len, in_len; /* bytes in each part */
    struct vq_seg seg[VQ_MAX_SEGS];
};

struct virtqueue {
    /* what the driver configured through the common configuration */
    uint16_t size;
    bool enabled;
    uint64_t desc, avail, used;
    /* features negotiated, fixed when the queue is enabled */
    bool event_idx, indirect;
    /* the device's side of the ring */
    uint16_t last_avail; /* next avail ring entry to take */
    uint16_t used_idx; /* next used ring entry to fill */
    uint16_t signalled_used; /* used_idx when the interrupt was last decided */
    bool signalled_valid;
    bool pending; /* notified and not yet processed */
};

/* Reasons for a failure, for the log line. */
struct vq_error {
    char msg[160];
};

/* Back to the state after a device reset (disabled, size VQ_MAX_SIZE). */
void vq_reset(struct virtqueue *vq);
/* The driver enabled it: start from index 0 with these features. */
void vq_start(struct virtqueue *vq, bool event_idx, bool indirect);

/* Take the next available chain into *c: 1, 0 if none, -1 if the queue is
 * malformed (why in *err). */
int vq_pop(struct virtqueue *vq, const struct dm_bus_env *env, struct vq_chain *c, struct vq_error *err);
/* Give a chain back with len bytes written into it: 0, or -1 (*err). */
int vq_push(struct virtqueue *vq, const struct dm_bus_env *env, uint16_t head, uint32_t len, struct vq_error *err);
/* After pushing: does the driver want an interrupt now (the used_event
 * index, or the avail ring's NO_INTERRUPT flag)? 1, 0, or -1 (*err). */
int vq_need_interrupt(struct virtqueue *vq, const struct dm_bus_env *env, struct vq_error *err);
/* Before going idle: ask for a notification when the driver makes the next
 * chain available (avail_event, with EVENT_IDX). 1 if chains are already
 * there (keep going), 0 if the queue is empty, -1 (*err). */
int vq_arm_notify(struct virtqueue *vq, const struct dm_bus_env *env, struct vq_error *err);

/* Copy bytes [off, off + len) of a chain's readable part into buf, or buf
 * into its writable part: 0, or -1 if the chain is shorter or a segment is
 * not the client's RAM (*err). */
int vq_chain_read(const struct vq_chain *c, const struct dm_bus_env *env, uint64_t off, void *buf, size_t len,
                  struct vq_error *err);
int vq_chain_write(const struct vq_chain *c, const struct dm_bus_env *env, uint64_t off, const void *buf, size_t len,
                   struct vq_error *err);

#endif
