/*
 * TUN framing and the ARP responder (see tun_frame.h): pure functions,
 * no I/O, so that the unit tests can feed them any frame.
 */
#include "tun_frame.h"

#include <string.h>

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_ARP = 0x0806,
	ETHERTYPE_IPV6 = 0x86dd,
	ARP_REQUEST = 1,
	ARP_REPLY = 2,
};

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The IP packet's length from its own header, so that the minimum-frame
   padding the guest's NIC added does not reach the host. 0 = malformed. */
static size_t ip_length(const uint8_t *ip, size_t avail)
{
	size_t n = 0;
	if (avail >= 20 && ip[0] >> 4 == 4)
		n = be16(ip + 2);
	else if (avail >= 40 && ip[0] >> 4 == 6)
		n = 40 + (size_t)be16(ip + 4);
	return n && n <= avail ? n : 0;
}

static enum tun_verdict arp_answer(const uint8_t *f, size_t len,
				   const uint8_t host_mac[6],
				   uint8_t reply[ARP_FRAME_LEN])
{
	const uint8_t *a = f + ETH_HDR_LEN;
	if (len < ARP_FRAME_LEN || be16(a) != 1 /* Ethernet */ ||
	    be16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4 ||
	    be16(a + 6) != ARP_REQUEST)
		return TUN_DROP;
	const uint8_t *sha = a + 8, *spa = a + 14, *tpa = a + 24;
	static const uint8_t any[4];
	if (!memcmp(spa, any, 4) || !memcmp(spa, tpa, 4))
		return TUN_DROP;
	uint8_t *r = reply, *ra = reply + ETH_HDR_LEN;
	memcpy(r, sha, 6);
	memcpy(r + 6, host_mac, 6);
	put_be16(r + 12, ETHERTYPE_ARP);
	put_be16(ra, 1);
	put_be16(ra + 2, ETHERTYPE_IPV4);
	ra[4] = 6;
	ra[5] = 4;
	put_be16(ra + 6, ARP_REPLY);
	memcpy(ra + 8, host_mac, 6); /* "that address is at the host" */
	memcpy(ra + 14, tpa, 4);
	memcpy(ra + 18, sha, 6);
	memcpy(ra + 24, spa, 4);
	return TUN_ARP_REPLY;
}

enum tun_verdict tun_from_guest(const uint8_t *frame, size_t len,
				const uint8_t host_mac[6], size_t *ip_len,
				uint8_t reply[ARP_FRAME_LEN])
{
	if (len < ETH_HDR_LEN)
		return TUN_DROP;
	unsigned type = be16(frame + 12);
	if (type == ETHERTYPE_ARP)
		return arp_answer(frame, len, host_mac, reply);
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return TUN_DROP; /* VLAN tags and the like: nothing to route */
	size_t n = ip_length(frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
	if (!n || (frame[ETH_HDR_LEN] >> 4 == 4) != (type == ETHERTYPE_IPV4))
		return TUN_DROP;
	*ip_len = n;
	return TUN_TO_HOST;
}

size_t tun_to_guest(uint8_t *frame, size_t ip_len, const uint8_t guest_mac[6],
		    const uint8_t host_mac[6])
{
	if (ip_len < 1)
		return 0;
	unsigned v = frame[ETH_HDR_LEN] >> 4;
	if (v != 4 && v != 6)
		return 0;
	memcpy(frame, guest_mac, 6);
	memcpy(frame + 6, host_mac, 6);
	put_be16(frame + 12, v == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	return ETH_HDR_LEN + ip_len;
}
