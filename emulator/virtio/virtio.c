/*
 * The virtio device core (virtio.h): status, feature negotiation, queue
 * set-up and reset, interrupts and configuration space, the parts of the
 * spec every device shares whatever the transport. The virtqueue walk
 * itself is in virtqueue.c.
 */
#include "virtio.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emulator/mem/bus.h"
#include "protocol/virtio_mmio.h"

/* The transport and ring features every pvkit device offers. Never
   RING_PACKED (Linux would switch to it), ACCESS_PLATFORM or IN_ORDER. */
#define CORE_FEATURES                                                          \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | \
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops,
		     void *priv)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->priv = priv;
	snprintf(d->label, sizeof(d->label), "%s", ops->name);
	d->host_features =
		CORE_FEATURES | (ops->features ? ops->features(d) : 0);
}

static void update_irq(struct virtio_dev *d)
{
	if (d->set_irq)
		d->set_irq(d->irq_opaque, d->isr != 0);
}

static void raise_isr(struct virtio_dev *d, uint32_t bit)
{
	if (!(d->isr & bit))
		d->stats.interrupts++;
	d->isr |= bit;
	update_irq(d);
}

void virtio_dev_fail(struct virtio_dev *d, const char *fmt, ...)
{
	if (virtio_dev_broken(d))
		return; /* one line per failure, not one per kick */
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "pvkit: %s: %s; device needs reset\n", d->label, msg);
	d->stats.bad_chains++;
	d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	/* the spec asks for a configuration-change notification */
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_config_changed(d);
}

void virtio_dev_reset(struct virtio_dev *d)
{
	d->status = 0;
	d->guest_features = 0;
	d->isr = 0;
	memset(d->vq, 0, sizeof(d->vq));
	if (d->ops->reset)
		d->ops->reset(d);
	update_irq(d);
}

void virtio_dev_set_status(struct virtio_dev *d, uint32_t status)
{
	if (status == 0) {
		virtio_dev_reset(d);
		return;
	}
	uint32_t old = d->status;
	/* The driver cannot clear bits but by a reset, nor set NEEDS_RESET. */
	status = (status | old) & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	status |= old & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if ((status & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t f = d->guest_features;
		bool ok = !(f & ~d->host_features) &&
			  (f & VIRTIO_BIT(VIRTIO_F_VERSION_1)) &&
			  (!d->ops->features_ok || d->ops->features_ok(d, f));
		/* a refusal shows as FEATURES_OK not sticking */
		if (!ok)
			status &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	d->status = status;
}

void virtio_dev_set_driver_features(struct virtio_dev *d, unsigned bank,
				    uint32_t bits)
{
	if (bank > 1 || (d->status & VIRTIO_STATUS_FEATURES_OK))
		return; /* features are frozen once accepted */
	unsigned shift = 32 * bank;
	d->guest_features &= ~(0xffffffffull << shift);
	d->guest_features |= (uint64_t)bits << shift;
}

/* Maps [pa, pa+len) if it is all RAM and aligned; NULL otherwise. */
static uint8_t *ring_area(struct virtio_dev *d, uint64_t pa, uint64_t len,
			  uint64_t align)
{
	if (pa & (align - 1))
		return NULL;
	return bus_ram_ptr(d->bus, pa, len);
}

bool virtio_queue_enable(struct virtio_dev *d, unsigned q)
{
	if (q >= d->ops->num_queues)
		return false;
	struct virtq *vq = &d->vq[q];
	uint16_t n = vq->num;
	if (n == 0 || n > d->ops->queue_size || (n & (n - 1))) {
		virtio_dev_fail(d,
				"queue %u: size %u is not a power of two "
				"<= %u",
				q, n, d->ops->queue_size);
		return false;
	}
	/* event-index fields included whether negotiated or not: they are
	   part of the areas the driver allocates */
	vq->desc =
		ring_area(d, vq->desc_pa, VIRTQ_DESC_SIZE(n), VIRTQ_DESC_ALIGN);
	vq->avail = ring_area(d, vq->avail_pa, VIRTQ_AVAIL_SIZE(n),
			      VIRTQ_AVAIL_ALIGN);
	vq->used =
		ring_area(d, vq->used_pa, VIRTQ_USED_SIZE(n), VIRTQ_USED_ALIGN);
	if (!vq->desc || !vq->avail || !vq->used) {
		virtio_dev_fail(d,
				"queue %u: rings at %#llx/%#llx/%#llx are "
				"misaligned or outside guest RAM",
				q, (unsigned long long)vq->desc_pa,
				(unsigned long long)vq->avail_pa,
				(unsigned long long)vq->used_pa);
		vq->desc = vq->avail = vq->used = NULL;
		return false;
	}
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->ready = true;
	return true;
}

void virtio_queue_disable(struct virtio_dev *d, unsigned q)
{
	if (q >= d->ops->num_queues)
		return;
	struct virtq *vq = &d->vq[q];
	vq->ready = false;
	vq->desc = vq->avail = vq->used = NULL;
}

void virtio_dev_notify(struct virtio_dev *d, unsigned q)
{
	d->stats.notifications++;
	/* Kicks before DRIVER_OK are legal: the balloon driver primes its
	   stats queue that way. */
	if (q >= d->ops->num_queues || !d->vq[q].ready || virtio_dev_broken(d))
		return;
	d->ops->queue_notify(d, q);
}

void virtio_dev_ack_irq(struct virtio_dev *d, uint32_t bits)
{
	d->isr &= ~bits;
	update_irq(d);
}

void virtio_config_changed(struct virtio_dev *d)
{
	d->config_generation++;
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		raise_isr(d, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_dev_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			    uint32_t len)
{
	memset(buf, 0, len);
	if (off > d->ops->config_size || len > d->ops->config_size - off)
		return;
	if (d->ops->config_read)
		d->ops->config_read(d, off, buf, len);
}

void virtio_dev_config_write(struct virtio_dev *d, uint32_t off,
			     const void *buf, uint32_t len)
{
	if (off > d->ops->config_size || len > d->ops->config_size - off)
		return;
	if (d->ops->config_write)
		d->ops->config_write(d, off, buf, len);
}

void virtio_config_copy(void *buf, uint32_t off, uint32_t len, const void *src,
			size_t n)
{
	memset(buf, 0, len);
	if (off >= n)
		return;
	memcpy(buf, (const uint8_t *)src + off, len < n - off ? len : n - off);
}

void virtio_raise_vring_irq(struct virtio_dev *d)
{
	raise_isr(d, VIRTIO_MMIO_INT_VRING);
}
