/*
 * Guest virtio-rng driver for pvkit's bare-metal programs: one request
 * queue of device-writable buffers, polled.
 *
 * Talks to: the transport and a virtqueue. Owns struct vrng.
 */
#ifndef PVKIT_GUEST_VIRTIO_RNG_H
#define PVKIT_GUEST_VIRTIO_RNG_H

#include <stdint.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

struct vrng {
	struct vmmio_dev dev;
	struct virtqueue vq;
};

/* Finds the first virtio-rng device and brings it up. 0 or -1. */
int vrng_init(struct vrng *r);

/* Fills buf with len random bytes (several requests if the device returns
   fewer). Returns len, or the bytes obtained before a request failed. */
uint32_t vrng_read(struct vrng *r, void *buf, uint32_t len);

#endif
