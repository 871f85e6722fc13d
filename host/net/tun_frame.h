/*
 * The TUN back end's framing, as pure functions on buffers: the guest's
 * NIC speaks Ethernet, a TUN device speaks IP. Guest -> host: IP frames
 * lose their Ethernet header, ARP requests are answered here with one
 * fixed host-side MAC (whatever address the guest asks for: everything
 * is routed through the TUN device), anything else is dropped.
 * Host -> guest: IP packets get an Ethernet header from the host-side MAC
 * to the guest's MAC.
 *
 * Talks to nothing; owns nothing. tap.c uses it, the unit tests test it.
 */
#ifndef PVKIT_HOST_NET_TUN_FRAME_H
#define PVKIT_HOST_NET_TUN_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN 14
#define ARP_FRAME_LEN 42 /* Ethernet + ARP for IPv4, unpadded */

/* The host side's MAC as the guest sees it: locally administered,
   "pvkit" in ASCII. */
#define TUN_HOST_MAC                                                           \
	{                                                                      \
		0x02, 0x70, 0x76, 0x6b, 0x69, 0x74                             \
	}

enum tun_verdict {
	TUN_DROP,      /* not IP, not an ARP request worth answering */
	TUN_TO_HOST,   /* IP packet: frame + ETH_HDR_LEN, *ip_len bytes */
	TUN_ARP_REPLY, /* reply[0..ARP_FRAME_LEN) goes back to the guest */
};

/* frame: a whole frame of len bytes from the guest. For TUN_TO_HOST,
   *ip_len is the IP packet's own length (the Ethernet padding cut off);
   for TUN_ARP_REPLY, reply holds the answer. Probes (sender 0.0.0.0) and
   announcements (sender = target) are not answered: an answer would
   tell the guest its address is taken. */
enum tun_verdict tun_from_guest(const uint8_t *frame, size_t len,
				const uint8_t host_mac[6], size_t *ip_len,
				uint8_t reply[ARP_FRAME_LEN]);

/* frame + ETH_HDR_LEN holds an IP packet of ip_len bytes read from the
   TUN device; fills in the Ethernet header in front of it. Returns the
   frame length, or 0 when the packet is neither IPv4 nor IPv6. */
size_t tun_to_guest(uint8_t *frame, size_t ip_len, const uint8_t guest_mac[6],
		    const uint8_t host_mac[6]);

#endif
