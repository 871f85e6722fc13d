/*
 * Guest virtio-blk driver for pvkit's bare-metal programs: one request
 * queue, one request at a time, synchronous (polled). Sectors are 512
 * bytes (the protocol unit, whatever BLK_SIZE says).
 *
 * Talks to: the transport (virtio_mmio.h) and a virtqueue (virtqueue.h).
 * Owns: struct vblk (its transport state, queue, request header and
 * status byte); the data buffers are the caller's.
 */
#ifndef PVKIT_GUEST_VIRTIO_BLK_H
#define PVKIT_GUEST_VIRTIO_BLK_H

#include <stdint.h>

#include "protocol/virtio_blk.h"
#include "virtio_mmio.h"
#include "virtqueue.h"

struct vblk {
	struct vmmio_dev dev;
	struct virtqueue vq;
	uint64_t capacity; /* 512-byte sectors */
	uint32_t blk_size; /* 512 unless BLK_SIZE says otherwise */
	int read_only;
	struct virtio_blk_outhdr hdr;
	volatile uint8_t status;
};

/* Finds the nth virtio-blk device and brings it up (features: VERSION_1,
   FLUSH, RO, BLK_SIZE when offered). 0 or -1. */
int vblk_init(struct vblk *b, int nth);

/* count sectors from sector into/from buf. Return the VIRTIO_BLK_S_*
   status (0 = OK), or -1 when the request did not complete. */
int vblk_read(struct vblk *b, uint64_t sector, void *buf, uint32_t count);
int vblk_write(struct vblk *b, uint64_t sector, const void *buf,
	       uint32_t count);
/* VIRTIO_BLK_T_FLUSH; VIRTIO_BLK_S_UNSUPP without the FLUSH feature. */
int vblk_flush(struct vblk *b);
/* VIRTIO_BLK_T_GET_ID: up to 20 bytes, not NUL-terminated when 20 long;
   id must have room for VIRTIO_BLK_ID_BYTES + 1 (a NUL is added). */
int vblk_get_id(struct vblk *b, char *id);

#endif
