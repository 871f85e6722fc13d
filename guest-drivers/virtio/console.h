/*
 * Guest virtio-console driver for pvkit's bare-metal programs: port 0
 * output only, without MULTIPORT (queue 1 = port 0 transmit), polled.
 * On pvkit port 0 is an hvc console on pvkit's stdout (the console
 * device exists with `--agent SOCK`); on QEMU a virtconsole.
 *
 * Talks to: the transport and a virtqueue. Owns struct vcons and a bounce
 * buffer, so callers may pass any memory (even .rodata strings).
 */
#ifndef PVKIT_GUEST_VIRTIO_CONSOLE_H
#define PVKIT_GUEST_VIRTIO_CONSOLE_H

#include <stdint.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

#define VCONS_CHUNK 256

struct vcons {
	struct vmmio_dev dev;
	struct virtqueue tx;
	uint8_t bounce[VCONS_CHUNK];
};

/* Finds the first virtio-console device and brings up port 0's transmit
   queue (MULTIPORT is not negotiated). 0 or -1. */
int vcons_init(struct vcons *c);

/* Writes len bytes to port 0. Returns the bytes the device took. */
uint32_t vcons_write(struct vcons *c, const void *buf, uint32_t len);

#endif
