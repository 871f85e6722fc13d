/*
 * virtio-mmio version 2 (virtio 1.2, section 4.2.2): the register file
 * Linux's virtio_mmio driver uses, mapped onto the transport-independent
 * core in virtio.c. One region per slot; empty slots answer with
 * DeviceID 0.
 */
#include "mmio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"
#include "emulator/virtio/virtio.h"
#include "protocol/virtio_mmio.h"

struct slot {
	struct virtio_mmio_slots *owner;
	struct virtio_dev *dev; /* NULL: empty slot */
	uint64_t base;
	int irq;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
};

struct virtio_mmio_slots {
	struct bus *bus;
	struct plic *plic;
	struct slot slot[VIRTIO_SLOTS];
};

static void slot_set_irq(void *opaque, bool level)
{
	struct slot *s = opaque;
	if (s->owner->plic)
		plic_set_irq(s->owner->plic, s->irq, level);
}

static struct virtq *sel_queue(struct slot *s)
{
	struct virtio_dev *d = s->dev;
	return s->queue_sel < d->ops->num_queues ? &d->vq[s->queue_sel] : NULL;
}

static uint32_t reg_read(struct slot *s, uint64_t off)
{
	struct virtio_dev *d = s->dev;
	struct virtq *vq;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG: return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_VENDOR_ID: return PVKIT_VIRTIO_VENDOR;
	}
	if (!d)
		return 0;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_ID: return d->ops->device_id;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return s->dev_features_sel > 1
			       ? 0
			       : (uint32_t)(d->host_features >>
					    (32 * s->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return sel_queue(s) ? d->ops->queue_size : 0;
	case VIRTIO_MMIO_QUEUE_READY: vq = sel_queue(s); return vq && vq->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return d->isr;
	case VIRTIO_MMIO_STATUS: return d->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffff; /* no shared memory region: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION: return d->config_generation;
	}
	return 0;
}

/* Sets the low or high half of a 64-bit queue address. */
static void set_half(uint64_t *addr, bool high, uint32_t v)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | ((uint64_t)v << 32);
	else
		*addr = (*addr & ~0xffffffffull) | v;
}

static void reg_write(struct slot *s, uint64_t off, uint32_t v)
{
	struct virtio_dev *d = s->dev;
	if (!d)
		return;
	struct virtq *vq = sel_queue(s);
	/* ring addresses and size are frozen while the queue is live */
	bool q_writable = vq && !vq->ready;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: s->dev_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_dev_set_driver_features(d, s->drv_features_sel, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: s->drv_features_sel = v; break;
	case VIRTIO_MMIO_QUEUE_SEL: s->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q_writable)
			vq->num = v > VIRTQ_MAX_SIZE ? 0 : (uint16_t)v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!vq)
			break;
		if (v & 1) {
			if (!vq->ready)
				virtio_queue_enable(d, s->queue_sel);
		} else {
			virtio_queue_disable(d, s->queue_sel);
		}
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY: virtio_dev_notify(d, v); break;
	case VIRTIO_MMIO_INTERRUPT_ACK: virtio_dev_ack_irq(d, v); break;
	case VIRTIO_MMIO_STATUS:
		virtio_dev_set_status(d, v);
		if (v == 0)
			s->dev_features_sel = s->drv_features_sel =
				s->queue_sel = 0;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q_writable)
			set_half(&vq->desc_pa,
				 off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (q_writable)
			set_half(&vq->avail_pa,
				 off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (q_writable)
			set_half(&vq->used_pa,
				 off == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	}
}

static uint64_t slot_read(void *opaque, uint64_t off, unsigned size)
{
	struct slot *s = opaque;
	if (s->dev)
		s->dev->stats.mmio_exits++;
	if (off >= VIRTIO_MMIO_CONFIG) {
		/* config fields are read at their own width */
		uint64_t v = 0;
		if (s->dev)
			virtio_dev_config_read(
				s->dev, (uint32_t)(off - VIRTIO_MMIO_CONFIG),
				&v, size);
		return v;
	}
	if (size != 4 || (off & 3))
		return 0; /* registers are 32-bit only */
	return reg_read(s, off);
}

static void slot_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct slot *s = opaque;
	if (s->dev)
		s->dev->stats.mmio_exits++;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (s->dev)
			virtio_dev_config_write(
				s->dev, (uint32_t)(off - VIRTIO_MMIO_CONFIG),
				&val, size);
		return;
	}
	if (size != 4 || (off & 3))
		return;
	reg_write(s, off, (uint32_t)val);
}

struct virtio_mmio_slots *virtio_mmio_create(struct bus *bus,
					     const struct memmap_entry *e,
					     struct plic *plic)
{
	struct virtio_mmio_slots *vs = calloc(1, sizeof(*vs));
	if (!vs)
		return NULL;
	vs->bus = bus;
	vs->plic = plic;
	for (unsigned k = 0; k < VIRTIO_SLOTS; k++) {
		struct slot *s = &vs->slot[k];
		s->owner = vs;
		s->base = e->base + (uint64_t)k * VIRTIO_STRIDE;
		s->irq = e->irq + (int)k;
		struct mmio_region r = {.name = "virtio-mmio",
					.base = s->base,
					.size = VIRTIO_STRIDE,
					.opaque = s,
					.read = slot_read,
					.write = slot_write};
		if (bus_add_mmio(bus, &r)) {
			free(vs);
			return NULL;
		}
	}
	return vs;
}

void virtio_mmio_free(struct virtio_mmio_slots *vs)
{
	free(vs);
}

int virtio_mmio_attach(struct virtio_mmio_slots *vs, struct virtio_dev *d)
{
	for (unsigned k = VIRTIO_SLOTS; k-- > 0;) {
		struct slot *s = &vs->slot[k];
		if (s->dev)
			continue;
		s->dev = d;
		d->bus = vs->bus;
		d->set_irq = slot_set_irq;
		d->irq_opaque = s;
		snprintf(d->label, sizeof(d->label), "%s@%llx", d->ops->name,
			 (unsigned long long)s->base);
		virtio_dev_reset(d);
		return (int)k;
	}
	return -1;
}

void virtio_mmio_reset_all(struct virtio_mmio_slots *vs)
{
	for (unsigned k = 0; k < VIRTIO_SLOTS; k++) {
		struct slot *s = &vs->slot[k];
		if (s->dev) {
			virtio_dev_reset(s->dev);
			s->dev_features_sel = s->drv_features_sel =
				s->queue_sel = 0;
		}
	}
}

struct virtio_dev *virtio_mmio_device(struct virtio_mmio_slots *vs, unsigned k)
{
	return k < VIRTIO_SLOTS ? vs->slot[k].dev : NULL;
}

uint64_t virtio_mmio_read(struct virtio_mmio_slots *vs, unsigned slot,
			  uint64_t off, unsigned size)
{
	return slot < VIRTIO_SLOTS ? slot_read(&vs->slot[slot], off, size) : 0;
}

void virtio_mmio_write(struct virtio_mmio_slots *vs, unsigned slot,
		       uint64_t off, uint64_t val, unsigned size)
{
	if (slot < VIRTIO_SLOTS)
		slot_write(&vs->slot[slot], off, val, size);
}
