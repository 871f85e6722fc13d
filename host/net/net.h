/*
 * pvkit's network back ends, as `pvkit run --net SPEC [--pcap FILE]`
 * selects them: user (libslirp NAT), tap (L2), tun (L3), socket (a wire
 * between two VMs), and a pcap recorder that wraps any of them. Each one
 * implements the machine's net back-end interface (emulator/backend/net.h)
 * and registers its file descriptors and timers with the host event loop.
 *
 * Talks to: the host event loop, the host kernel (sockets, /dev/net/tun),
 * libslirp and libpcap. Owns: the back end it returns, until
 * net_backend_close.
 */
#ifndef PVKIT_HOST_NET_H
#define PVKIT_HOST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/backend/net.h"

struct event_loop;

/* Which NIC the guest sees (`model=`). */
enum net_model {
	NET_MODEL_VIRTIO, /* the default, as in QEMU */
	NET_MODEL_ETHOC,
};

/* The default guest MAC (`mac=` changes it): QEMU's first NIC. */
#define NET_DEFAULT_MAC                                                        \
	{                                                                      \
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56                             \
	}

/*
 * Opens the back end a --net SPEC names:
 *
 *   user[,hostfwd=tcp|udp:[HADDR]:HPORT-[GADDR]:GPORT]...[,tftp=DIR]
 *       [,bootfile=FILE][,restrict=on|off][,dns=on|off][,dhcp=on|off]
 *       [,guestfwd=tcp:GADDR:GPORT-cmd:COMMAND|unix:PATH|tcp:ADDR:PORT]...
 *   tap,ifname=NAME
 *   tun,ifname=NAME
 *   socket,listen=PATH | socket,connect=PATH
 *
 * and, on any of them, model=virtio|ethoc, mac=52:54:00:12:34:56 and
 * pcap=FILE (this NIC's frames recorded, as net_pcap_open does).
 * hostfwd binds 127.0.0.1 unless HADDR names another address. The chosen
 * model goes to *model (may be NULL). loop may be NULL: the caller then
 * drives the back end through its poll_fds/poll/next_deadline_ns ops.
 * Returns NULL with a one-line message in err on any error.
 */
struct net_backend *net_backend_open(const char *spec, struct event_loop *loop,
				     enum net_model *model, char *err,
				     size_t errlen);
/* The same for the VM's NIC number index (0 = the first --net): without
   mac=, its MAC is the default with index added to the last byte, so
   every NIC of a VM has its own (52:54:00:12:34:56, ...:57, ...). */
struct net_backend *net_backend_open_nic(const char *spec, unsigned index,
					 struct event_loop *loop,
					 enum net_model *model, char *err,
					 size_t errlen);

/* Wraps b so that every frame in and out is recorded in a pcap file
   (Ethernet link type), flushed frame by frame so that the file is whole
   whenever pvkit stops. Takes ownership of b, also on failure (then b is
   closed and NULL returned with a message in err). */
struct net_backend *net_pcap_open(struct net_backend *b, const char *path,
				  char *err, size_t errlen);

/* Unregisters from the event loop, closes the fds (and the pcap file) and
   frees; NULL is fine. Call it on every exit path. */
void net_backend_close(struct net_backend *b);

/* Link changes of a back end that has a link (the socket wire: peer there
   or not) are reported to fn, e.g. the NIC's PHY; fn is called at once
   with the current state. */
typedef void (*net_link_fn)(void *opaque, bool up);
void net_backend_set_link_notify(struct net_backend *b, net_link_fn fn,
				 void *opaque);

struct net_backend_stats {
	uint64_t tx_frames, tx_bytes; /* guest -> host side */
	uint64_t rx_frames, rx_bytes; /* host side -> guest (accepted) */
	uint64_t tx_dropped, rx_dropped;
};
void net_backend_get_stats(const struct net_backend *b,
			   struct net_backend_stats *out);

/* `pvkit net-relay ADDR PORT` (relay.c): the per-connection relay a
   guestfwd to tcp:ADDR:PORT runs; argv holds ADDR and PORT. */
int net_relay_main(int argc, char **argv);

#endif
