/*
 * virtio-net (device ID 1, virtio 1.2 section 5.1): feature bits, the
 * configuration space and the header that precedes every frame on the
 * queues. Definitions only, shared by pvkit's device model and the guest
 * driver library.
 *
 * Queues without MQ and CTRL_VQ: 0 = receiveq (device-writable buffers),
 * 1 = transmitq (device-readable). With VERSION_1 the header is always
 * the 12-byte struct virtio_net_hdr below (num_buffers included, set to 1
 * when MRG_RXBUF is not negotiated).
 */
#ifndef PVKIT_PROTOCOL_VIRTIO_NET_H
#define PVKIT_PROTOCOL_VIRTIO_NET_H

#include <stdint.h>

#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_GUEST_UFO 10
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_HOST_UFO 14
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_F_CTRL_VLAN 19
#define VIRTIO_NET_F_GUEST_ANNOUNCE 21
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23
#define VIRTIO_NET_F_SPEED_DUPLEX 63

/* config.status */
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_S_ANNOUNCE 2

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* Configuration space, little-endian and packed as the spec lays it out
   (speed, duplex and the RSS fields that follow are not offered). */
struct virtio_net_config {
	uint8_t mac[6];
	uint16_t status; /* VIRTIO_NET_S_*, with VIRTIO_NET_F_STATUS */
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));

/* virtio_net_hdr.flags */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_F_RSC_INFO 4

/* virtio_net_hdr.gso_type */
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_UDP 3
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN 0x80

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers; /* RX: buffers this frame spans (MRG_RXBUF) */
};

_Static_assert(sizeof(struct virtio_net_config) == 12, "virtio_net_config");
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr");

#endif
