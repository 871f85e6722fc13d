/*
 * virtio-net's software offloads (see net_offload.h): partial checksums,
 * TCP segmentation, receive checksum verification. All offsets come from
 * the guest's frame and header and are checked against the frame length
 * before a byte is touched.
 */
#include "net_offload.h"

#include <string.h>

#define ETH_HLEN 14
#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_VLAN 0x8100
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;
	while (len >= 8) {
		s += (uint64_t)be32(p) + be32(p + 4);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		s += be16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16) /* folded, so callers may add small terms */
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t net_csum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Where the headers of an IP frame are. */
struct pkt {
	size_t l3, l4, end; /* end: where the IP datagram ends */
	bool v6, fragment;
	uint8_t proto;
};

static bool parse_ip(const uint8_t *f, size_t len, struct pkt *p)
{
	if (len < ETH_HLEN)
		return false;
	uint16_t type = be16(f + 12);
	p->l3 = ETH_HLEN;
	if (type == ETH_P_VLAN) {
		if (len < ETH_HLEN + 4)
			return false;
		type = be16(f + 16);
		p->l3 += 4;
	}
	const uint8_t *ip = f + p->l3;
	size_t room = len - p->l3;
	if (type == ETH_P_IPV4) {
		if (room < 20 || ip[0] >> 4 != 4)
			return false;
		size_t ihl = (size_t)(ip[0] & 15) * 4, tot = be16(ip + 2);
		if (ihl < 20 || tot < ihl || tot > room)
			return false;
		p->v6 = false;
		p->fragment = be16(ip + 6) & 0x3fff; /* MF or an offset */
		p->proto = ip[9];
		p->l4 = p->l3 + ihl;
		p->end = p->l3 + tot;
		return true;
	}
	if (type == ETH_P_IPV6) {
		if (room < 40 || ip[0] >> 4 != 6 || 40 + be16(ip + 4) > room)
			return false;
		p->v6 = true;
		p->fragment = false;
		p->proto = ip[6]; /* extension headers are not looked into */
		p->l4 = p->l3 + 40;
		p->end = p->l4 + be16(ip + 4);
		return true;
	}
	return false;
}

/* The pseudo-header sum for a transport segment of l4len bytes. */
static uint32_t pseudo_sum(const uint8_t *f, const struct pkt *p, size_t l4len)
{
	uint32_t s = p->v6 ? net_csum_add(0, f + p->l3 + 8, 32)
			   : net_csum_add(0, f + p->l3 + 12, 8);
	return s + p->proto + (uint32_t)(l4len >> 16) +
	       (uint32_t)(l4len & 0xffff);
}

/* The 16-bit field at off must lie inside the frame; start <= off. */
static bool csum_fits(size_t len, uint16_t start, uint16_t offset)
{
	return start <= len && (size_t)offset + 2 <= len - start;
}

static int tx_partial_csum(uint8_t *f, size_t len,
			   const struct virtio_net_hdr *h)
{
	if (!csum_fits(len, h->csum_start, h->csum_offset))
		return -1;
	/* The field holds the pseudo-header sum; it takes part in the sum
	   as it is, which is what the driver meant. */
	uint8_t *field = f + h->csum_start + h->csum_offset;
	uint16_t c = net_csum_finish(
		net_csum_add(0, f + h->csum_start, len - h->csum_start));
	put_be16(field, c ? c : 0xffff); /* UDP: 0 would mean none */
	return 0;
}

/* Cuts a TCP frame with headers [0, hdrs) and payload [hdrs, p->end)
   into segments of at most mss payload bytes. */
static int tso_segment(const uint8_t *f, const struct pkt *p, size_t hdrs,
		       size_t mss, uint8_t *seg, net_emit_fn emit, void *opaque)
{
	size_t paylen = p->end - hdrs, tcp_hl = hdrs - p->l4;
	size_t ip_hl = p->l4 - p->l3;
	uint32_t seq0 = be32(f + p->l4 + 4);
	uint16_t id0 = p->v6 ? 0 : be16(f + p->l3 + 4);
	uint8_t flags0 = f[p->l4 + 13];
	int count = 0;
	size_t off = 0;
	do {
		size_t n = paylen - off < mss ? paylen - off : mss;
		bool last = off + n >= paylen;
		memcpy(seg, f, hdrs);
		memcpy(seg + hdrs, f + hdrs + off, n);
		uint8_t *ip = seg + p->l3, *tcp = seg + p->l4;
		if (p->v6) {
			put_be16(ip + 4, (uint16_t)(tcp_hl + n));
		} else {
			put_be16(ip + 2, (uint16_t)(ip_hl + tcp_hl + n));
			put_be16(ip + 4, (uint16_t)(id0 + count));
			put_be16(ip + 10, 0);
			put_be16(ip + 10,
				 net_csum_finish(net_csum_add(0, ip, ip_hl)));
		}
		put_be32(tcp + 4, seq0 + (uint32_t)off);
		uint8_t fl = flags0;
		if (!last)
			fl &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (count)
			fl &= (uint8_t)~TCP_CWR;
		tcp[13] = fl;
		put_be16(tcp + 16, 0);
		uint32_t s = pseudo_sum(seg, p, tcp_hl + n);
		put_be16(tcp + 16,
			 net_csum_finish(net_csum_add(s, tcp, tcp_hl + n)));
		emit(opaque, seg, hdrs + n);
		count++;
		off += n;
	} while (off < paylen);
	return count;
}

static int tx_gso(uint8_t *f, size_t len, const struct virtio_net_hdr *h,
		  struct net_offload_caps caps, uint8_t *seg, net_emit_fn emit,
		  void *opaque)
{
	bool v6;
	if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && caps.tso4)
		v6 = false;
	else if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6 && caps.tso6)
		v6 = true;
	else
		return -1; /* ECN, UDP, unknown, or not negotiated */
	struct pkt p;
	if (h->gso_size == 0 || !parse_ip(f, len, &p) || p.v6 != v6 ||
	    p.fragment || p.proto != IPPROTO_TCP_ || p.l4 + 20 > p.end)
		return -1;
	size_t hdrs = p.l4 + (size_t)(f[p.l4 + 12] >> 4) * 4;
	if (hdrs < p.l4 + 20 || hdrs > p.end)
		return -1;
	if (h->hdr_len && (h->hdr_len < hdrs || h->hdr_len > len))
		return -1; /* a hint, but one that cannot be true */
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !csum_fits(len, h->csum_start, h->csum_offset))
		return -1;
	return tso_segment(f, &p, hdrs, h->gso_size, seg, emit, opaque);
}

int net_offload_tx(uint8_t *frame, size_t len, const struct virtio_net_hdr *h,
		   struct net_offload_caps caps, uint8_t *seg, net_emit_fn emit,
		   void *opaque)
{
	bool needs_csum = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (needs_csum && !caps.csum)
		return -1;
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return tx_gso(frame, len, h, caps, seg, emit, opaque);
	if (needs_csum && tx_partial_csum(frame, len, h))
		return -1;
	emit(opaque, frame, len);
	return 1;
}

bool net_rx_csum_valid(const uint8_t *f, size_t len)
{
	struct pkt p;
	if (!parse_ip(f, len, &p) || p.fragment)
		return false;
	size_t l4len = p.end - p.l4;
	if (p.proto == IPPROTO_TCP_) {
		if (l4len < 20)
			return false;
	} else if (p.proto == IPPROTO_UDP_) {
		if (l4len < 8 || be16(f + p.l4 + 4) < 8 ||
		    be16(f + p.l4 + 4) > l4len)
			return false;
		l4len = be16(f + p.l4 + 4);
		if (!p.v6 && be16(f + p.l4 + 6) == 0)
			return true; /* IPv4 UDP without a checksum */
	} else {
		return false;
	}
	uint32_t s = pseudo_sum(f, &p, l4len);
	return net_csum_finish(net_csum_add(s, f + p.l4, l4len)) == 0;
}
