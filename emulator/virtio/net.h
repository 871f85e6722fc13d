/*
 * virtio-net (device ID 1): a NIC front end on a net back end.
 *
 * Talks to: the virtio core and one struct net_backend (slirp, TAP, TUN,
 * a socket wire, pcap around any of them): transmitted frames go to its
 * send() as iovecs straight into guest RAM (the virtio_net_hdr cut off,
 * no copy), received frames come in through the front-end hook the
 * device installs in it and are copied into the guest's RX buffers behind
 * a header. Owns the front-end state and counters, not the back end.
 *
 * Offers MAC (the back end's), STATUS (link up/down; a link change raises
 * the configuration-change interrupt), MRG_RXBUF (a frame may span
 * several RX buffers, num_buffers says how many), and offloads that take
 * per-byte work off the guest: CSUM and HOST_TSO4/6 (the guest leaves
 * checksums partial and sends TCP segments of up to 64 KiB; the device
 * finishes and cuts them, so back ends still get whole, correct frames)
 * GUEST_CSUM (received frames the device knows to be right are marked
 * DATA_VALID) and GUEST_TSO4 (a burst of in-order TCP segments from a
 * back end that says where bursts end, slirp, reaches the guest as one
 * GSO frame; net_merge.c). Two queues, rx and tx; no control queue. All work
 * is synchronous: TX in the notify, RX when the back end delivers.
 */
#ifndef PVKIT_VIRTIO_NET_H
#define PVKIT_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

struct net_backend;
struct virtio_dev;
struct virtio_net;

struct virtio_net_stats {
	uint64_t tx_frames, tx_bytes; /* frames handed to the back end */
	uint64_t rx_frames, rx_bytes; /* frames put into guest buffers */
	uint64_t tx_dropped;	      /* bad offload header, runt, too long */
	uint64_t tx_bad_offload;      /* of those: offloads malformed or not
				    negotiated */
	uint64_t tx_csum;	/* frames whose checksum pvkit completed */
	uint64_t tx_gso;	/* GSO frames cut into segments */
	uint64_t rx_csum_valid; /* frames marked DATA_VALID */
	uint64_t rx_coalesced;	/* segments joined into GSO frames */
	uint64_t rx_dropped;	/* driver not up, frame larger than a buffer */
	uint64_t rx_no_buffer;	/* frames refused for want of RX buffers */
	uint64_t rx_merged;	/* frames that spanned more than one buffer */
	uint64_t link_changes;
};

/* nb must outlive the device; the device becomes its front end. */
struct virtio_net *virtio_net_create(struct net_backend *nb);
/* Stops being nb's front end (if it still is) and frees. NULL is fine. */
void virtio_net_free(struct virtio_net *n);
struct virtio_dev *virtio_net_dev(struct virtio_net *n);
const struct virtio_net_stats *virtio_net_stats(const struct virtio_net *n);

/* The back end's link went up or down (net_backend_set_link_notify). */
void virtio_net_set_link(struct virtio_net *n, bool up);

#endif
