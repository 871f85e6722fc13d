/*
 * The virtio-mmio transport (version 2) and the eight slots of the virt
 * machine (mmio.c).
 *
 * Talks to: the bus (one MMIO region per slot), the PLIC (one level IRQ
 * per slot) and the virtio core (virtio.h), onto whose calls it maps the
 * registers. Owns the per-slot register state (feature and queue
 * selectors); the devices attached belong to whoever created them.
 *
 * Every slot always answers, as on QEMU's virt machine: a slot with no
 * device reads DeviceID 0, which Linux skips silently. The device tree
 * lists slots highest address first, so Linux's virtio0 is slot 7:
 * devices fill slots from the top, and the first attached disk becomes
 * /dev/vda as on QEMU.
 */
#ifndef PVKIT_VIRTIO_MMIO_H
#define PVKIT_VIRTIO_MMIO_H

#include <stdint.h>

#include "emulator/platform/memmap.h"

struct bus;
struct plic;
struct virtio_dev;
struct virtio_mmio_slots;

/* Registers all VIRTIO_SLOTS regions of e (base, stride VIRTIO_STRIDE,
   IRQ e->irq + slot). NULL when out of memory or the bus refuses. */
struct virtio_mmio_slots *virtio_mmio_create(struct bus *bus,
					     const struct memmap_entry *e,
					     struct plic *plic);
/* The bus keeps routing to the regions: free the bus first. */
void virtio_mmio_free(struct virtio_mmio_slots *s);

/* Puts d in the highest free slot and connects it to guest RAM and its
   IRQ; returns the slot number, or -1 when all are taken. d must outlive
   the slots. */
int virtio_mmio_attach(struct virtio_mmio_slots *s, struct virtio_dev *d);

/* Machine reset: every attached device back to status 0. */
void virtio_mmio_reset_all(struct virtio_mmio_slots *s);

/* The device in slot k, or NULL. */
struct virtio_dev *virtio_mmio_device(struct virtio_mmio_slots *s, unsigned k);

/* Register access as the bus does it, for unit tests: offset within the
   slot's region. */
uint64_t virtio_mmio_read(struct virtio_mmio_slots *s, unsigned slot,
			  uint64_t off, unsigned size);
void virtio_mmio_write(struct virtio_mmio_slots *s, unsigned slot, uint64_t off,
		       uint64_t val, unsigned size);

#endif
