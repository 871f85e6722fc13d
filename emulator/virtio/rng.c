/*
 * virtio-rng: each device-writable chain on the one queue is filled with
 * bytes from the host's entropy callback and returned. A chain with no
 * writable part is a driver bug and breaks the device.
 */
#include "rng.h"

#include <stdlib.h>

#include "emulator/virtio/virtio.h"

/* Entropy handed out per chain at most: Linux asks for 64 bytes at a
   time; the cap keeps a hostile driver from draining the host pool. */
#define RNG_MAX_PER_CHAIN 4096

struct virtio_rng {
	struct virtio_dev dev;
	entropy_fn fill;
	void *opaque;
	struct virtq_chain chain;
};

static void rng_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_rng *r = d->priv;
	struct virtq_chain *c = &r->chain;
	int got;
	while ((got = virtq_pop(d, q, c)) == 1) {
		if (c->nout || !c->nin) {
			virtio_dev_fail(d, "request without a writable buffer "
					   "or with a readable one");
			return;
		}
		uint8_t buf[RNG_MAX_PER_CHAIN];
		size_t want = c->in_len < sizeof(buf) ? c->in_len : sizeof(buf);
		ssize_t n = r->fill(r->opaque, buf, want);
		if (n < 0)
			n = 0;
		iov_from_buf(c->iov, c->nin, 0, buf, (size_t)n);
		virtq_push(d, q, c->head, (uint32_t)n);
	}
	virtq_notify_guest(d, q);
}

static const struct virtio_dev_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.queue_size = 64,
	.config_size = 0,
	.queue_notify = rng_notify,
};

struct virtio_rng *virtio_rng_create(entropy_fn fill, void *opaque)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	virtio_dev_init(&r->dev, &rng_ops, r);
	r->fill = fill;
	r->opaque = opaque;
	return r;
}

void virtio_rng_free(struct virtio_rng *r)
{
	free(r);
}

struct virtio_dev *virtio_rng_dev(struct virtio_rng *r)
{
	return &r->dev;
}
