/*
 * Guest virtio-console driver (see console.h).
 */
#include "console.h"

#include "protocol/virtio_console.h"
#include "runtime.h"

int vcons_init(struct vcons *c)
{
	memset(c, 0, sizeof(*c));
	if (vmmio_find(VIRTIO_ID_CONSOLE, 0, &c->dev))
		return -1;
	if (vmmio_init(&c->dev, 0))
		return -1;
	if (vq_init(&c->tx, &c->dev, 1, 4))
		return -1;
	vmmio_driver_ok(&c->dev);
	return 0;
}

uint32_t vcons_write(struct vcons *c, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t done = 0;
	while (done < len) {
		uint32_t n = len - done;
		if (n > VCONS_CHUNK)
			n = VCONS_CHUNK;
		memcpy(c->bounce, p + done, n);
		struct vq_buf b = {c->bounce, n, 0};
		if (vq_submit_wait(&c->tx, &b, 1, 0))
			break;
		vmmio_ack_interrupt(&c->dev);
		done += n;
	}
	return done;
}
