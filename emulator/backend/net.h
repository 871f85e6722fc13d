/*
 * The network back-end interface: what a NIC front end (virtio-net, the
 * OpenCores twin) needs of the host side. host/ implements it for slirp
 * (NAT), TAP (L2), TUN (L3, the back end adds and strips the Ethernet
 * header), a socket wire between two VMs, and a pcap tap on any of them.
 * Frames are whole Ethernet frames without FCS.
 */
#ifndef PVKIT_BACKEND_NET_H
#define PVKIT_BACKEND_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct net_backend;

/* The front end's side: the back end delivers received frames here.
   Returns false when the front end has no room (no RX buffers); the back
   end then keeps the frame (or drops it, counting) and tries again after
   the front end calls net_backend_rx_ready. */
struct net_frontend {
	void *opaque;
	bool (*receive)(void *opaque, const uint8_t *frame, size_t len);
	/* A back end with rx_flushes calls this after each burst of
	   frames; the front end may hold frames until then. May be NULL. */
	void (*flush)(void *opaque);
};

struct net_ops {
	/* Transmit one frame given as an iovec into guest RAM. */
	void (*send)(struct net_backend *b, const struct iovec *iov,
		     int iovcnt);
	/* The front end has RX room again. */
	void (*rx_ready)(struct net_backend *b);
	/* Host I/O: fds to watch and a call when they are readable or a
	   timer is due (the machine's poll loop drives it). */
	int (*poll_fds)(struct net_backend *b, int *fds, int max);
	void (*poll)(struct net_backend *b, int64_t now_ns);
	int64_t (*next_deadline_ns)(struct net_backend *b); /* INT64_MAX */
	void (*close)(struct net_backend *b);
};

struct net_backend {
	const struct net_ops *ops;
	struct net_frontend front;
	uint8_t mac[6]; /* the guest's MAC */
	/* Every frame this back end delivers was built by it with correct
	   checksums (slirp): a front end may tell the guest so without
	   checking. */
	bool rx_csum_trusted;
	/* The back end calls front.flush after every burst it delivers. */
	bool rx_flushes;
};

#endif
