/*
 * Guest-side virtio-mmio (version 2) transport for pvkit's bare-metal
 * programs: finding a device among the eight QEMU-virt slots, the status
 * handshake, feature negotiation and queue registration.
 *
 * Talks to: the device registers directly (M-mode, identity addresses).
 * Owns: nothing beyond the struct vmmio_dev the caller hands in.
 * Register layout and constants come from protocol/virtio_mmio.h and
 * protocol/virtio.h, shared with the host side.
 */
#ifndef PVKIT_GUEST_VIRTIO_MMIO_H
#define PVKIT_GUEST_VIRTIO_MMIO_H

#include <stdint.h>

#include "protocol/virtio.h"
#include "protocol/virtio_mmio.h"

#define VMMIO_BASE 0x10001000UL /* slot k at VMMIO_BASE + k * VMMIO_STRIDE */
#define VMMIO_STRIDE 0x1000UL
#define VMMIO_SLOTS 8

struct vmmio_dev {
	uintptr_t base;
	int slot;
	uint32_t device_id;
	uint64_t features; /* negotiated (driver's accepted set) */
};

static inline uint32_t vmmio_read32(const struct vmmio_dev *d, uint32_t reg)
{
	return *(volatile uint32_t *)(d->base + reg);
}

static inline void vmmio_write32(const struct vmmio_dev *d, uint32_t reg,
				 uint32_t v)
{
	*(volatile uint32_t *)(d->base + reg) = v;
}

/* Finds the nth (0-based) version-2 device with the given ID, scanning the
   slots from 7 down to 0 (the order pvkit and QEMU fill them in). Returns 0
   and fills d, or -1. Legacy (version 1) devices are not used. */
int vmmio_find(uint32_t device_id, int nth, struct vmmio_dev *d);

/* Reset, ACKNOWLEDGE, DRIVER, then negotiate: accepts
   device_features & (wanted | VERSION_1) and sets FEATURES_OK. Fails (-1,
   status FAILED) when the device lacks VERSION_1 or refuses FEATURES_OK. */
int vmmio_init(struct vmmio_dev *d, uint64_t wanted);

/* The 64-bit feature set the device offers. */
uint64_t vmmio_device_features(const struct vmmio_dev *d);

/* Registers queue index q with num entries and the three areas at the
   given physical addresses, and sets QueueReady. -1 when the queue does
   not exist, is already live or is smaller than num. */
int vmmio_queue_setup(struct vmmio_dev *d, unsigned q, unsigned num,
		      uint64_t desc, uint64_t avail, uint64_t used);
/* QueueNumMax of queue q (0 when absent). */
uint32_t vmmio_queue_max(struct vmmio_dev *d, unsigned q);

void vmmio_driver_ok(struct vmmio_dev *d);
void vmmio_reset(struct vmmio_dev *d);
uint32_t vmmio_status(const struct vmmio_dev *d);
void vmmio_notify(const struct vmmio_dev *d, unsigned q);
/* Reads and acknowledges InterruptStatus; returns what was set. */
uint32_t vmmio_ack_interrupt(const struct vmmio_dev *d);

/* Device configuration space (little-endian), read under ConfigGeneration
   so multi-word fields are consistent. */
void vmmio_config_read(const struct vmmio_dev *d, uint32_t off, void *buf,
		       uint32_t len);
uint32_t vmmio_config_read32(const struct vmmio_dev *d, uint32_t off);
uint64_t vmmio_config_read64(const struct vmmio_dev *d, uint32_t off);

#endif
