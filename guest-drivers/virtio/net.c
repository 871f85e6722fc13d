/*
 * Guest virtio-net driver (see net.h).
 */
#include "net.h"

#include "runtime.h"

#define HDR sizeof(struct virtio_net_hdr)

static int rx_post(struct vnet *n, int k)
{
	struct vq_buf b = {n->rx[k], VNET_BUF, 1};
	int head = vq_add(&n->rxq, &b, 1);
	if (head < 0)
		return -1;
	n->rx_of_head[head] = (int8_t)k;
	return 0;
}

int vnet_init(struct vnet *n)
{
	memset(n, 0, sizeof(*n));
	if (vmmio_find(VIRTIO_ID_NET, 0, &n->dev))
		return -1;
	if (!(vmmio_device_features(&n->dev) &
	      VIRTIO_BIT(VIRTIO_NET_F_MAC)) ||
	    vmmio_init(&n->dev, VIRTIO_BIT(VIRTIO_NET_F_MAC)))
		return -1;
	if (vq_init(&n->rxq, &n->dev, VIRTIO_NET_RXQ, VNET_RX_BUFS) ||
	    vq_init(&n->txq, &n->dev, VIRTIO_NET_TXQ, 4))
		return -1;
	vmmio_config_read(&n->dev, 0, n->mac, 6);
	for (int k = 0; k < VNET_RX_BUFS && k < n->rxq.num; k++)
		if (rx_post(n, k))
			return -1;
	vmmio_driver_ok(&n->dev);
	vq_kick(&n->rxq);
	return 0;
}

int vnet_send(struct vnet *n, const void *frame, uint32_t len)
{
	if (len < 14 || len > VNET_FRAME_MAX)
		return -1;
	memset(n->tx, 0, HDR); /* no offloads: flags and gso_type 0 */
	memcpy(n->tx + HDR, frame, len);
	struct vq_buf b = {n->tx, (uint32_t)HDR + len, 0};
	uint32_t used;
	int head = vq_submit_wait(&n->txq, &b, 1, &used);
	vmmio_ack_interrupt(&n->dev);
	return head < 0 ? -1 : 0;
}

int vnet_recv(struct vnet *n, void *buf, uint32_t cap, uint64_t timeout_ticks)
{
	uint32_t len;
	int head = vq_wait(&n->rxq, &len, timeout_ticks);
	vmmio_ack_interrupt(&n->dev);
	if (head < 0)
		return -1;
	int k = n->rx_of_head[head];
	uint32_t flen = len > HDR ? len - (uint32_t)HDR : 0;
	if (flen > VNET_FRAME_MAX)
		flen = VNET_FRAME_MAX;
	memcpy(buf, n->rx[k] + HDR, flen < cap ? flen : cap);
	rx_post(n, k);
	vq_kick(&n->rxq);
	return (int)flen;
}
