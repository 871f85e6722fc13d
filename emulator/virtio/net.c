/*
 * virtio-net frame handling: a TX chain is {virtio_net_hdr, frame} (both
 * device-readable, in any split across descriptors); the frame part goes
 * to the back end as a slice of the chain's iovecs. An RX frame is
 * written behind a fresh header into one buffer, or with MRG_RXBUF into
 * as many buffers as it takes, the first header's num_buffers counting
 * them.
 *
 * A TX frame whose header asks for a checksum (CSUM) or segmentation
 * (HOST_TSO4/6) is gathered into a host buffer and finished there
 * (net_offload.c) before the back end sees it: every back end needs
 * whole frames with correct checksums. Received frames are marked
 * DATA_VALID (GUEST_CSUM) when the back end made them itself (slirp) or
 * their TCP/UDP checksum verifies here, so the guest does not check them
 * again.
 *
 * A TX chain shorter than the header, or an RX buffer with a readable
 * part or (with MRG_RXBUF) too short for the header, is a driver bug and
 * breaks the device. A frame the device cannot carry (an offload that
 * was never negotiated or whose offsets do not fit the frame, a runt, a
 * frame longer than any Ethernet frame, or without MRG_RXBUF one larger
 * than the RX buffer) is dropped and counted.
 */
#include "net.h"

#include <stdlib.h>
#include <string.h>

#include "emulator/backend/net.h"
#include "emulator/virtio/net_merge.h"
#include "emulator/virtio/net_offload.h"
#include "emulator/virtio/virtio.h"
#include "protocol/virtio_net.h"

#define NET_QUEUE_SIZE 256
#define NET_HDR_LEN sizeof(struct virtio_net_hdr)
#define ETH_HLEN 14
/* The longest frame the guest may send: Linux's largest MTU, or a GSO
   frame of 64 KiB, plus an Ethernet header and a VLAN tag. */
#define NET_MAX_FRAME (65536 + ETH_HLEN + 4)

struct virtio_net {
	struct virtio_dev dev;
	struct net_backend *nb;
	struct virtio_net_config cfg;
	struct virtio_net_stats st;
	struct virtq_chain tx;		   /* the TX chain being sent */
	struct iovec frame[VIRTQ_MAX_NUM]; /* its frame part */
	struct virtq_chain rx_first;	   /* an RX frame's first buffer */
	struct virtq_chain rx_more; /* its further buffers, one at a time */
	uint16_t rx_head[VIRTQ_MAX_NUM];
	uint32_t rx_len[VIRTQ_MAX_NUM];
	uint8_t *tx_buf;	/* a frame gathered to finish its offloads */
	uint8_t *seg_buf;	/* one segment of it */
	struct net_merge merge; /* received segments held to join */
	uint8_t *merge_buf;
};

static uint64_t net_features(struct virtio_dev *d)
{
	(void)d;
	return VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
	       VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) |
	       VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
	       VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |
	       VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
	       VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
	       VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4);
}

static void net_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			    uint32_t len)
{
	struct virtio_net *n = d->priv;
	virtio_config_copy(buf, off, len, &n->cfg, sizeof(n->cfg));
}

/* --- transmit ----------------------------------------------------------------- */

static void tx_emit(void *opaque, const uint8_t *frame, size_t len)
{
	struct virtio_net *n = opaque;
	struct iovec iov = {(void *)frame, len};
	n->st.tx_frames++;
	n->st.tx_bytes += len;
	n->nb->ops->send(n->nb, &iov, 1);
}

/* A frame with offloads to finish: a copy (the guest may still change
   its buffers) is finished and sent, segment by segment. */
static void tx_offloaded(struct virtio_net *n, struct virtq_chain *c,
			 const struct virtio_net_hdr *h, size_t len)
{
	struct virtio_dev *d = &n->dev;
	struct net_offload_caps caps = {
		.csum = virtio_has_feature(d, VIRTIO_NET_F_CSUM),
		.tso4 = virtio_has_feature(d, VIRTIO_NET_F_HOST_TSO4),
		.tso6 = virtio_has_feature(d, VIRTIO_NET_F_HOST_TSO6),
	};
	iov_to_buf(c->iov, c->nout, NET_HDR_LEN, n->tx_buf, len);
	if (net_offload_tx(n->tx_buf, len, h, caps, n->seg_buf, tx_emit, n) <
	    0) {
		n->st.tx_dropped++;
		n->st.tx_bad_offload++;
		return;
	}
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		n->st.tx_gso++;
	else
		n->st.tx_csum++;
}

/* One TX chain; false when it is malformed (device broken). */
static bool tx_one(struct virtio_net *n, struct virtq_chain *c)
{
	struct virtio_net_hdr h;
	if (c->out_len < NET_HDR_LEN) {
		virtio_dev_fail(&n->dev,
				"transmit chain of %zu readable "
				"bytes, shorter than the header",
				c->out_len);
		return false;
	}
	iov_to_buf(c->iov, c->nout, 0, &h, sizeof(h)); /* copy: no TOCTOU */
	size_t len = c->out_len - NET_HDR_LEN;
	if (len < ETH_HLEN || len > NET_MAX_FRAME) {
		n->st.tx_dropped++;
		return true;
	}
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE ||
	    (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		tx_offloaded(n, c, &h, len);
		return true;
	}
	/* a complete frame: straight from guest RAM */
	int cnt = iov_slice(c->iov, c->nout, NET_HDR_LEN, len, n->frame,
			    VIRTQ_MAX_NUM);
	if (cnt < 0) {
		n->st.tx_dropped++;
		return true;
	}
	n->st.tx_frames++;
	n->st.tx_bytes += len;
	n->nb->ops->send(n->nb, n->frame, cnt);
	return true;
}

static void tx_flush(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	while (virtq_pop(d, VIRTIO_NET_TXQ, &n->tx) == 1) {
		if (!tx_one(n, &n->tx))
			return;
		/* a back end's reply may have arrived inside send: that
		   touches only the RX queue */
		virtq_push(d, VIRTIO_NET_TXQ, n->tx.head, 0);
	}
	virtq_notify_guest(d, VIRTIO_NET_TXQ);
}

/* --- receive ------------------------------------------------------------------ */

/* Gives the last k popped RX chains back to the available ring: they are
   taken again, unchanged, for the next frame. */
static void rx_unpop(struct virtio_net *n, unsigned k)
{
	n->dev.vq[VIRTIO_NET_RXQ].last_avail -= (uint16_t)k;
}

/* Writes [off, off + len) of the byte string header + frame at the start
   of chain c's writable part. */
static void rx_fill(const struct virtq_chain *c, const struct virtio_net_hdr *h,
		    const uint8_t *frame, size_t off, size_t len)
{
	const struct iovec *iov = c->iov + c->nout;
	size_t at = 0;
	if (off < NET_HDR_LEN) {
		at = NET_HDR_LEN - off;
		if (at > len)
			at = len;
		iov_from_buf(iov, c->nin, 0, (const uint8_t *)h + off, at);
		off += at;
		len -= at;
	}
	if (len)
		iov_from_buf(iov, c->nin, at, frame + (off - NET_HDR_LEN), len);
}

static bool rx_can_take(const struct virtio_net *n)
{
	const struct virtio_dev *d = &n->dev;
	return (d->status & VIRTIO_STATUS_DRIVER_OK) && !virtio_dev_broken(d) &&
	       d->vq[VIRTIO_NET_RXQ].ready;
}

/* Writes one frame behind header h into RX buffers: false = no RX
   buffer now, true = taken or dropped. */
static bool rx_put(struct virtio_net *n, const uint8_t *frame, size_t len,
		   struct virtio_net_hdr *h)
{
	struct virtio_dev *d = &n->dev;
	bool mrg = virtio_has_feature(d, VIRTIO_NET_F_MRG_RXBUF);
	h->num_buffers = 1;
	size_t total = NET_HDR_LEN + len, done = 0;
	unsigned nbuf = 0;
	while (done < total) {
		struct virtq_chain *c = nbuf ? &n->rx_more : &n->rx_first;
		int got = virtq_pop(d, VIRTIO_NET_RXQ, c);
		if (got < 0)
			return true; /* broken now; the frame is gone */
		if (got == 0) {
			rx_unpop(n, nbuf);
			n->st.rx_no_buffer++;
			return false;
		}
		if (c->nout || (mrg && c->in_len < NET_HDR_LEN)) {
			virtio_dev_fail(d, "receive buffer %s",
					c->nout ? "with a device-readable part"
						: "shorter than the header");
			return true;
		}
		if (!mrg && c->in_len < total) {
			rx_unpop(n, 1); /* a buffer for a smaller frame */
			n->st.rx_dropped++;
			return true;
		}
		size_t take = total - done;
		if (take > c->in_len)
			take = c->in_len;
		rx_fill(c, h, frame, done, take);
		n->rx_head[nbuf] = c->head;
		n->rx_len[nbuf] = (uint32_t)take;
		nbuf++;
		done += take;
	}
	if (nbuf > 1) {
		uint16_t num = (uint16_t)nbuf;
		iov_from_buf(n->rx_first.iov, n->rx_first.nin,
			     offsetof(struct virtio_net_hdr, num_buffers), &num,
			     sizeof(num));
		n->st.rx_merged++;
	}
	for (unsigned k = 0; k < nbuf; k++)
		virtq_push(d, VIRTIO_NET_RXQ, n->rx_head[k], n->rx_len[k]);
	virtq_notify_guest(d, VIRTIO_NET_RXQ);
	n->st.rx_frames++;
	n->st.rx_bytes += len;
	return true;
}

/* Coalescing (GUEST_TSO4) needs big frames to span buffers (MRG_RXBUF)
   and a back end that says when a burst ends (rx_flushes). */
static bool rx_merging(const struct virtio_net *n)
{
	const struct virtio_dev *d = &n->dev;
	return n->nb->rx_flushes &&
	       virtio_has_feature(d, VIRTIO_NET_F_GUEST_TSO4) &&
	       virtio_has_feature(d, VIRTIO_NET_F_MRG_RXBUF);
}

/* Delivers the held train, if any: false = no RX buffer now (it stays
   held, and newer frames wait behind it). */
static bool rx_flush_held(struct virtio_net *n)
{
	if (!n->merge.len)
		return true;
	if (!rx_can_take(n)) {
		net_merge_reset(&n->merge);
		return true;
	}
	struct virtio_net_hdr h;
	unsigned segs = n->merge.segs;
	size_t len = net_merge_finish(&n->merge, &h);
	if (h.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		h.flags = VIRTIO_NET_HDR_F_DATA_VALID; /* it was checked */
	if (!rx_put(n, n->merge.buf, len, &h))
		return false;
	if (segs > 1)
		n->st.rx_coalesced += segs;
	n->st.rx_csum_valid++;
	net_merge_reset(&n->merge);
	return true;
}

/* The back end's delivery: false = no RX buffer now (the back end keeps
   the frame until rx_ready), true = taken or dropped. */
static bool net_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct virtio_net *n = opaque;
	struct virtio_dev *d = &n->dev;
	if (!rx_can_take(n) || len < ETH_HLEN || len > NET_MAX_FRAME) {
		n->st.rx_dropped++; /* as on a wire with no one listening */
		return true;
	}
	bool valid = virtio_has_feature(d, VIRTIO_NET_F_GUEST_CSUM) &&
		     (n->nb->rx_csum_trusted || net_rx_csum_valid(frame, len));
	/* only frames known good join a train: the guest will not check
	   the joined one */
	if (valid && rx_merging(n)) {
		if (net_merge_add(&n->merge, frame, len))
			return true;
		if (!rx_flush_held(n))
			return false;
		if (net_merge_add(&n->merge, frame, len))
			return true;
	} else if (!rx_flush_held(n)) {
		return false; /* nothing overtakes the held train */
	}
	struct virtio_net_hdr h = {0};
	if (valid) {
		h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
		n->st.rx_csum_valid++;
	}
	return rx_put(n, frame, len, &h);
}

/* The back end ended a burst: the held train goes now. */
static void net_flush(void *opaque)
{
	rx_flush_held(opaque);
}

/* --- device ------------------------------------------------------------------- */

static void net_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_net *n = d->priv;
	if (q == VIRTIO_NET_TXQ)
		tx_flush(n);
	else if (q == VIRTIO_NET_RXQ && rx_flush_held(n) &&
		 n->nb->ops->rx_ready)
		n->nb->ops->rx_ready(n->nb); /* frames it kept come now */
}

static void net_reset(struct virtio_dev *d)
{
	struct virtio_net *n = d->priv;
	net_merge_reset(&n->merge);
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.num_queues = 2,
	.queue_size = NET_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_net_config),
	.features = net_features,
	.config_read = net_config_read,
	.queue_notify = net_notify,
	.reset = net_reset,
};

void virtio_net_set_link(struct virtio_net *n, bool up)
{
	uint16_t status = up ? VIRTIO_NET_S_LINK_UP : 0;
	if (n->cfg.status == status)
		return;
	n->cfg.status = status;
	n->st.link_changes++;
	virtio_config_changed(&n->dev);
}

struct virtio_net *virtio_net_create(struct net_backend *nb)
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->tx_buf = malloc(NET_MAX_FRAME);
	n->seg_buf = malloc(NET_MAX_FRAME);
	n->merge_buf = malloc(NET_MAX_FRAME);
	if (!n->tx_buf || !n->seg_buf || !n->merge_buf) {
		free(n->tx_buf);
		free(n->seg_buf);
		free(n->merge_buf);
		free(n);
		return NULL;
	}
	net_merge_init(&n->merge, n->merge_buf, NET_MAX_FRAME);
	n->nb = nb;
	memcpy(n->cfg.mac, nb->mac, sizeof(n->cfg.mac));
	n->cfg.status = VIRTIO_NET_S_LINK_UP;
	n->cfg.max_virtqueue_pairs = 1;
	virtio_dev_init(&n->dev, &net_ops, n);
	nb->front = (struct net_frontend){n, net_receive, net_flush};
	return n;
}

void virtio_net_free(struct virtio_net *n)
{
	if (!n)
		return;
	if (n->nb->front.opaque == n)
		n->nb->front = (struct net_frontend){NULL, NULL, NULL};
	free(n->tx_buf);
	free(n->seg_buf);
	free(n->merge_buf);
	free(n);
}

struct virtio_dev *virtio_net_dev(struct virtio_net *n)
{
	return &n->dev;
}

const struct virtio_net_stats *virtio_net_stats(const struct virtio_net *n)
{
	return &n->st;
}
