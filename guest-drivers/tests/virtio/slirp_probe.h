/*
 * What the NIC test programs (net_slirp.c on virtio-net, ethoc_slirp.c on
 * the OpenCores MAC) ask of slirp's network 10.0.2.0/24 (pvkit --net user
 * or QEMU -netdev user): an ARP request for the host 10.0.2.2 answered
 * with its MAC, then a DHCP DISCOVER answered by an OFFER of 10.0.2.15
 * from 10.0.2.2. Frames are built and parsed by hand; everything printed
 * is the same on pvkit and on QEMU, so their outputs can be compared.
 * Header-only: each program includes it once.
 */
#ifndef PVKIT_GUEST_TESTS_SLIRP_PROBE_H
#define PVKIT_GUEST_TESTS_SLIRP_PROBE_H

#include "runtime.h"

struct nic {
	void *dev;
	const uint8_t *mac;
	int (*send)(void *dev, const void *frame, uint32_t len);
	int (*recv)(void *dev, void *buf, uint32_t cap, uint64_t ticks);
};

#define PROBE_TICKS (5UL * 10000000UL) /* 5 s of a 10 MHz mtime */

static uint8_t probe_frame[1514], probe_got[1514];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		       uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

static uint16_t ip_checksum(const uint8_t *p, unsigned n)
{
	uint32_t s = 0;
	for (unsigned k = 0; k < n; k += 2)
		s += get16(p + k);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Receives until match() accepts a frame or the time is up: 1 or 0. */
static int probe_wait(struct nic *n, int (*match)(const uint8_t *, int))
{
	uint64_t end = rt_mtime() + PROBE_TICKS;
	while (rt_mtime() < end) {
		int len = n->recv(n->dev, probe_got, sizeof(probe_got),
				  end - rt_mtime());
		if (len >= 14 && match(probe_got, len))
			return 1;
	}
	return 0;
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t host_ip[4] = {10, 0, 2, 2};
static const uint8_t guest_ip[4] = {10, 0, 2, 15};

static int is_arp_reply(const uint8_t *f, int len)
{
	return len >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 2 &&
	       !memcmp(f + 28, host_ip, 4);
}

static void probe_arp(struct nic *n)
{
	uint8_t *f = probe_frame;
	memset(f, 0, 60);
	eth_header(f, bcast, n->mac, 0x0806);
	put16(f + 14, 1);      /* Ethernet */
	put16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1); /* request */
	memcpy(f + 22, n->mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, host_ip, 4);
	rt_check("arp request sent", (uint64_t)n->send(n->dev, f, 60), 0);
	if (!probe_wait(n, is_arp_reply)) {
		rt_fail("no ARP reply for 10.0.2.2");
		return;
	}
	const uint8_t *m = probe_got + 22;
	printf("arp: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", m[0],
	       m[1], m[2], m[3], m[4], m[5]);
	rt_check_true("arp reply to our MAC",
		      !memcmp(probe_got + 32, n->mac, 6));
}

#define DHCP_XID 0x5076b17u

static int is_dhcp_offer(const uint8_t *f, int len)
{
	/* IPv4, UDP 67 -> 68, BOOTREPLY with our xid */
	if (len < 14 + 20 + 8 + 240 || get16(f + 12) != 0x0800 ||
	    f[23] != 17)
		return 0;
	unsigned ihl = (f[14] & 15) * 4u;
	const uint8_t *udp = f + 14 + ihl, *b = udp + 8;
	if ((int)(14 + ihl + 8 + 240) > len || get16(udp) != 67 ||
	    get16(udp + 2) != 68 || b[0] != 2)
		return 0;
	return (uint32_t)get16(b + 4) << 16 == (DHCP_XID & 0xffff0000u) &&
	       get16(b + 6) == (DHCP_XID & 0xffff);
}

/* The value of DHCP option `code` in the reply, or NULL. */
static const uint8_t *dhcp_option(const uint8_t *f, int len, uint8_t code)
{
	unsigned ihl = (f[14] & 15) * 4u;
	const uint8_t *p = f + 14 + ihl + 8 + 240, *end = f + len;
	while (p < end && *p != 255) {
		if (*p == 0) {
			p++;
			continue;
		}
		if (p + 2 > end || p + 2 + p[1] > end)
			return NULL;
		if (*p == code)
			return p + 1;
		p += 2 + p[1];
	}
	return NULL;
}

static void probe_dhcp(struct nic *n)
{
	uint8_t *f = probe_frame;
	unsigned blen = 240 + 4, ulen = 8 + blen, iplen = 20 + ulen;
	memset(f, 0, 14 + iplen);
	eth_header(f, bcast, n->mac, 0x0800);
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)iplen);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4); /* 0.0.0.0 -> 255.255.255.255 */
	put16(ip + 10, ip_checksum(ip, 20));
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)ulen); /* checksum 0: none (IPv4) */
	b[0] = 1;			/* BOOTREQUEST */
	b[1] = 1;
	b[2] = 6;
	put16(b + 4, DHCP_XID >> 16);
	put16(b + 6, DHCP_XID & 0xffff);
	memcpy(b + 28, n->mac, 6);
	static const uint8_t cookie_discover_end[] = {99, 130, 83, 99, 53,
						      1,  1,   255};
	memcpy(b + 236, cookie_discover_end, sizeof(cookie_discover_end));
	rt_check("dhcp discover sent",
		 (uint64_t)n->send(n->dev, f, 14 + iplen), 0);
	if (!probe_wait(n, is_dhcp_offer)) {
		rt_fail("no DHCP offer");
		return;
	}
	const uint8_t *g = probe_got, *type = dhcp_option(g, 1514, 53);
	unsigned ihl = (g[14] & 15) * 4u;
	const uint8_t *yi = g + 14 + ihl + 8 + 16;
	printf("dhcp: offer %u.%u.%u.%u\n", yi[0], yi[1], yi[2], yi[3]);
	rt_check("dhcp message type", type && type[0] == 1 ? type[1] : 0, 2);
	rt_check_true("offer of 10.0.2.15", !memcmp(yi, guest_ip, 4));
	const uint8_t *sid = dhcp_option(g, 1514, 54);
	rt_check_true("server 10.0.2.2",
		      sid && sid[0] == 4 && !memcmp(sid + 1, host_ip, 4));
}

static int probe_run(struct nic *n)
{
	const uint8_t *m = n->mac;
	printf("nic: MAC %02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2],
	       m[3], m[4], m[5]);
	probe_arp(n);
	probe_dhcp(n);
	return rt_summary();
}

#endif
