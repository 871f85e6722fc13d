/*
 * Guest-side split virtqueue for pvkit's bare-metal programs: the three
 * ring areas live inside struct virtqueue (static memory of the caller),
 * chains are added from a list of buffers, the device is kicked through
 * the transport, and completions are found by polling used.idx (no
 * interrupts; NO_INTERRUPT is set in avail.flags).
 *
 * Ordering (virtio 1.2, 2.7.13): descriptors and the avail ring entry are
 * written, then `fence rw,rw`, then avail.idx; the device is notified after
 * an I/O fence. On the used side, used.idx is read, then `fence rw,rw`,
 * then the used entries and the buffers the device wrote.
 *
 * Talks to: a struct vmmio_dev (virtio_mmio.h). Owns its ring memory and
 * free-descriptor list; not thread- or interrupt-safe.
 */
#ifndef PVKIT_GUEST_VIRTQUEUE_H
#define PVKIT_GUEST_VIRTQUEUE_H

#include <stdint.h>

#include "protocol/virtio.h"
#include "virtio_mmio.h"

#define VQ_MAX 64 /* entries a struct virtqueue has room for */

struct vq_buf {
	const void *addr;
	uint32_t len;
	int device_writes; /* 1: VIRTQ_DESC_F_WRITE */
};

struct virtqueue {
	struct virtq_desc desc[VQ_MAX] __attribute__((aligned(16)));
	struct {
		uint16_t flags;
		uint16_t idx;
		uint16_t ring[VQ_MAX];
		uint16_t used_event;
	} avail __attribute__((aligned(4)));
	struct {
		uint16_t flags;
		uint16_t idx;
		struct virtq_used_elem ring[VQ_MAX];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));

	struct vmmio_dev *dev;
	unsigned index; /* queue number on the device */
	uint16_t num;	/* entries in use (power of two <= VQ_MAX) */
	uint16_t free_head;
	uint16_t num_free;
	uint16_t last_used; /* next used.idx value to consume */
};

/* Sets up queue `index` of dev with min(num, VQ_MAX, QueueNumMax) entries
   (rounded down to a power of two). Returns 0 or -1. */
int vq_init(struct virtqueue *vq, struct vmmio_dev *dev, unsigned index,
	    unsigned num);

/* Adds a chain made of n buffers (device-readable ones first, as the
   spec requires) and publishes it in the avail ring. Returns the head
   descriptor index, or -1 when there are not enough free descriptors. Does
   not notify: call vq_kick. */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n);

/* Publishes an already-written chain starting at descriptor `head` (for
   tests that build chains by hand in vq->desc). */
void vq_publish(struct virtqueue *vq, uint16_t head);

void vq_kick(struct virtqueue *vq);

/* One completed chain, if any: returns its head and sets *len to the
   bytes the device wrote, and frees the chain's descriptors; -1 if none. */
int vq_poll(struct virtqueue *vq, uint32_t *len);

/* vq_poll until a chain completes, for at most timeout_ticks of mtime.
   Returns the head, or -1 on timeout. */
int vq_wait(struct virtqueue *vq, uint32_t *len, uint64_t timeout_ticks);

/* Add, kick and wait for that one chain (the only one outstanding). */
int vq_submit_wait(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n,
		   uint32_t *len);

#define VQ_TIMEOUT (10UL * 10000000UL) /* 10 s of a 10 MHz mtime */

#endif
