/*
 * Guest virtio-net driver for pvkit's bare-metal programs: one receive
 * queue kept full of 1526-byte buffers and one transmit queue, both
 * polled, with the 12-byte virtio_net_hdr of VERSION_1 in front of every
 * frame. Negotiates MAC only (no offloads, no MRG_RXBUF), so it works the
 * same on pvkit and on QEMU's virtio-net-device.
 *
 * Talks to: the transport (virtio_mmio.h) and two virtqueues. Owns
 * struct vnet and its buffers.
 */
#ifndef PVKIT_GUEST_VIRTIO_NET_H
#define PVKIT_GUEST_VIRTIO_NET_H

#include <stdint.h>

#include "protocol/virtio_net.h"
#include "virtio_mmio.h"
#include "virtqueue.h"

#define VNET_RX_BUFS 16
#define VNET_FRAME_MAX 1514 /* an Ethernet frame without FCS */
#define VNET_BUF (sizeof(struct virtio_net_hdr) + VNET_FRAME_MAX)

struct vnet {
	struct vmmio_dev dev;
	struct virtqueue rxq, txq;
	uint8_t mac[6];
	uint8_t rx[VNET_RX_BUFS][VNET_BUF] __attribute__((aligned(8)));
	uint8_t tx[VNET_BUF] __attribute__((aligned(8)));
	int8_t rx_of_head[VQ_MAX]; /* which rx buffer a chain head is */
};

/* Finds the first virtio-net device, negotiates, fills the receive queue.
   0 or -1. */
int vnet_init(struct vnet *n);

/* Sends one frame (14..1514 bytes) and waits for the device to take it.
   0 or -1. */
int vnet_send(struct vnet *n, const void *frame, uint32_t len);

/* Waits at most timeout_ticks of mtime for a frame; copies at most cap
   bytes of it into buf and returns its length, or -1 on timeout. The
   buffer goes straight back to the device. */
int vnet_recv(struct vnet *n, void *buf, uint32_t cap, uint64_t timeout_ticks);

#endif
