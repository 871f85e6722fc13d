/*
 * Guest virtio-rng driver (see rng.h).
 */
#include "rng.h"

#include "runtime.h"

int vrng_init(struct vrng *r)
{
	memset(r, 0, sizeof(*r));
	if (vmmio_find(VIRTIO_ID_RNG, 0, &r->dev))
		return -1;
	if (vmmio_init(&r->dev, 0))
		return -1;
	if (vq_init(&r->vq, &r->dev, 0, 8))
		return -1;
	vmmio_driver_ok(&r->dev);
	return 0;
}

uint32_t vrng_read(struct vrng *r, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t got = 0;
	for (int tries = 0; got < len && tries < 1000; tries++) {
		struct vq_buf b = {p + got, len - got, 1};
		uint32_t n = 0;
		if (vq_submit_wait(&r->vq, &b, 1, &n))
			break;
		vmmio_ack_interrupt(&r->dev);
		if (n > len - got)
			n = len - got;
		got += n;
	}
	return got;
}
