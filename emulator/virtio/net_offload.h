/*
 * virtio-net offloads done in software on the host side (net_offload.c):
 * completing the partial checksum a guest leaves with NEEDS_CSUM
 * (VIRTIO_NET_F_CSUM), cutting a TCP segment of up to 64 KiB into
 * MSS-sized frames with their IP and TCP headers rewritten
 * (VIRTIO_NET_F_HOST_TSO4/6), and checking a received frame's TCP or UDP
 * checksum so the guest may be told DATA_VALID (VIRTIO_NET_F_GUEST_CSUM).
 *
 * Every back end (slirp, TAP without vnet_hdr, TUN, the socket wire,
 * pcap) needs whole frames with correct checksums, so the device does
 * this work before the back end sees a frame; the guest, whose per-byte
 * work is what an emulator makes expensive, is spared it.
 *
 * Talks to: nothing; pure functions on byte buffers. The frames are the
 * guest's, so every length and offset in them is checked before use: a
 * malformed offload request is refused (the caller drops and counts it).
 */
#ifndef PVKIT_VIRTIO_NET_OFFLOAD_H
#define PVKIT_VIRTIO_NET_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/virtio_net.h"

/* Which offloads the driver negotiated. */
struct net_offload_caps {
	bool csum, tso4, tso6;
};

/* Receives each finished frame (a segment, or the whole frame). */
typedef void (*net_emit_fn)(void *opaque, const uint8_t *frame, size_t len);

/*
 * Carries out what header h asks for on the TX frame [frame, frame+len):
 * the partial checksum completed in place, and for a GSO header the frame
 * cut into segments built in seg (at least len bytes). Each resulting
 * frame goes to emit. Returns the number of frames emitted, or -1 when
 * the request is malformed or was not negotiated (nothing emitted): an
 * offload not in caps, csum_start/csum_offset outside the frame, a GSO
 * frame that is not Ethernet + IPv4/IPv6 + TCP, gso_size 0, an ECN or
 * UDP GSO type, or a hdr_len smaller than the headers or larger than the
 * frame.
 */
int net_offload_tx(uint8_t *frame, size_t len, const struct virtio_net_hdr *h,
		   struct net_offload_caps caps, uint8_t *seg, net_emit_fn emit,
		   void *opaque);

/* True when the frame is IPv4 or IPv6 (no extension headers), not a
   fragment, carrying TCP or UDP whose checksum verifies: then the guest
   may skip checking it. False for anything else (the guest checks). */
bool net_rx_csum_valid(const uint8_t *frame, size_t len);

/* The Internet checksum (RFC 1071): add bytes to a running sum, then
   fold it to 16 bits and complement. Exposed for the tests. */
uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t net_csum_finish(uint32_t sum);

#endif
