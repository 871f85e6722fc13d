/*
 * Receive segment coalescing for virtio-net's GUEST_TSO4 (net_merge.c):
 * consecutive in-order IPv4 TCP segments of one connection, as slirp
 * sends them in a burst, are joined into one frame of up to 64 KiB that
 * the guest takes as a GSO packet, so its stack and driver do the
 * per-packet work once per train instead of once per segment.
 *
 * Only plain data segments join: IPv4 without options or fragments, TCP
 * with ACK (and PSH) only, the same addresses, ports, ACK number, window
 * and TCP options, each starting where the last ended; every segment but
 * the last of a train has the size of the first (the MSS the guest is
 * told). Anything else ends the train.
 *
 * Talks to: nothing; the device (net.c) holds one struct net_merge and
 * decides when to deliver. Owns the held frame's buffer.
 */
#ifndef PVKIT_VIRTIO_NET_MERGE_H
#define PVKIT_VIRTIO_NET_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/virtio_net.h"

struct net_merge {
	uint8_t *buf; /* cap bytes */
	size_t cap;
	size_t len;  /* 0: nothing held */
	size_t hdrs; /* Ethernet + IP + TCP header bytes */
	uint32_t next_seq;
	uint16_t mss;
	unsigned segs;
	bool closed; /* a short segment ended the train */
};

/* buf of cap bytes (at least 64 KiB + headers). */
void net_merge_init(struct net_merge *m, uint8_t *buf, size_t cap);

/* Adds the frame to the held train, or starts one when nothing is held;
   false when the frame cannot join (the caller delivers what is held,
   then calls again or delivers the frame as it is). */
bool net_merge_add(struct net_merge *m, const uint8_t *f, size_t len);

/* The held frame, finished for delivery: one segment as it came (h
   plain), several as one TCP segment with its IP length and checksum
   rewritten and h saying GSO TCPV4 with the segment size and a partial
   checksum. Returns its length (0: nothing held); the frame stays in
   m->buf until net_merge_reset. */
size_t net_merge_finish(struct net_merge *m, struct virtio_net_hdr *h);
void net_merge_reset(struct net_merge *m);

#endif
