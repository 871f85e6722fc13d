/*
 * virtio-net receive segment coalescing (see net_merge.h). Offsets are
 * those of an untagged Ethernet frame carrying IPv4 without options:
 * IP at 14, TCP at 34.
 */
#include "net_merge.h"

#include <string.h>

#include "emulator/virtio/net_offload.h"

#define IP 14
#define TCP 34
#define TCP_ACK 0x10
#define TCP_PSH 0x08
#define IP_MAX 65535

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void net_merge_init(struct net_merge *m, uint8_t *buf, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->cap = cap;
}

void net_merge_reset(struct net_merge *m)
{
	m->len = 0;
	m->segs = 0;
	m->closed = false;
}

/* A plain data segment: its header length and payload, or false. */
static bool plain_segment(const uint8_t *f, size_t len, size_t *hdrs,
			  size_t *payload)
{
	if (len < TCP + 20 || be16(f + 12) != 0x0800 || f[IP] != 0x45 ||
	    (be16(f + IP + 6) & 0x3fff) || f[IP + 9] != 6)
		return false;
	size_t tot = be16(f + IP + 2), doff = (size_t)(f[TCP + 12] >> 4) * 4;
	uint8_t flags = f[TCP + 13];
	if (IP + tot > len || doff < 20 || 20 + doff >= tot ||
	    (flags & ~(TCP_ACK | TCP_PSH)) || !(flags & TCP_ACK))
		return false;
	*hdrs = TCP + doff;
	*payload = tot - 20 - doff;
	return true;
}

/* Does f continue the held train? Same addresses and ports (26..37), ACK
   number (42..45), header length and flags byte aside, window (48..49)
   and options (54..hdrs), and the next sequence number. */
static bool continues(const struct net_merge *m, const uint8_t *f, size_t hdrs,
		      size_t payload)
{
	const uint8_t *h = m->buf;
	return !m->closed && hdrs == m->hdrs && payload <= m->mss &&
	       be32(f + TCP + 4) == m->next_seq &&
	       !memcmp(f + 26, h + 26, 12) && !memcmp(f + 42, h + 42, 4) &&
	       f[46] == h[46] && !memcmp(f + 48, h + 48, 2) &&
	       !memcmp(f + 54, h + 54, hdrs - 54) &&
	       m->len + payload <= m->cap && m->len - IP + payload <= IP_MAX;
}

bool net_merge_add(struct net_merge *m, const uint8_t *f, size_t len)
{
	size_t hdrs, payload;
	if (!plain_segment(f, len, &hdrs, &payload))
		return false;
	if (!m->len) {
		if (hdrs + payload > m->cap)
			return false;
		memcpy(m->buf, f, hdrs + payload); /* padding dropped */
		m->len = hdrs + payload;
		m->hdrs = hdrs;
		m->mss = (uint16_t)payload;
		m->next_seq = be32(f + TCP + 4) + (uint32_t)payload;
		m->segs = 1;
		m->closed = false;
		return true;
	}
	if (!continues(m, f, hdrs, payload))
		return false;
	memcpy(m->buf + m->len, f + hdrs, payload);
	m->len += payload;
	m->next_seq += (uint32_t)payload;
	m->buf[TCP + 13] |= f[TCP + 13] & TCP_PSH;
	m->segs++;
	m->closed = payload < m->mss; /* a short one ends the train */
	return true;
}

size_t net_merge_finish(struct net_merge *m, struct virtio_net_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (m->segs < 2)
		return m->len;
	uint8_t *ip = m->buf + IP, *tcp = m->buf + TCP;
	size_t tot = m->len - IP, tcp_len = tot - 20;
	put_be16(ip + 2, (uint16_t)tot);
	put_be16(ip + 10, 0);
	put_be16(ip + 10, net_csum_finish(net_csum_add(0, ip, 20)));
	/* a partial checksum, as a sender with TSO leaves it: the
	   pseudo-header sum, which the guest takes as checked */
	uint32_t pseudo = net_csum_add(0, ip + 12, 8) + 6 + (uint32_t)tcp_len;
	put_be16(tcp + 16, (uint16_t)~net_csum_finish(pseudo));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h->gso_size = m->mss;
	h->hdr_len = (uint16_t)m->hdrs;
	h->csum_start = TCP;
	h->csum_offset = 16;
	return m->len;
}
