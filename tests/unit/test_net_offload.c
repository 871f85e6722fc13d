/*
 * virtio-net's software offloads (emulator/virtio/net_offload.c): the
 * Internet checksum against RFC 1071's example, a partial UDP checksum
 * completed to what a plain reference computes, a 64 KiB-style IPv4 and
 * IPv6 TCP segment cut into MSS frames whose headers, checksums and
 * payload add up to the original, received-frame verification, and every
 * malformed offload request refused with nothing emitted; received
 * segments joined into one GSO frame (net_merge.c) only when they
 * continue each other, and the joined frame cut again (TSO) gives back
 * the segments.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/virtio/net_merge.h"
#include "emulator/virtio/net_offload.h"

#define MAXF 70000

struct sink {
	int n;
	size_t len[64];
	uint8_t *f[64];
};

static void sink_emit(void *opaque, const uint8_t *frame, size_t len)
{
	struct sink *s = opaque;
	ck_assert_int_lt(s->n, 64);
	s->f[s->n] = malloc(len);
	memcpy(s->f[s->n], frame, len);
	s->len[s->n++] = len;
}

static void sink_free(struct sink *s)
{
	for (int k = 0; k < s->n; k++)
		free(s->f[k]);
	s->n = 0;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The reference: a byte-at-a-time one's-complement sum, nothing shared
   with the code under test. */
static uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t add)
{
	uint32_t s = add;
	for (size_t k = 0; k < n; k++)
		s += k & 1 ? p[k] : (uint32_t)p[k] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static const struct net_offload_caps all_caps = {true, true, true};

/* Ethernet + IPv4 (20) + TCP (20, flags PSH|ACK|FIN) + payload. */
static size_t make_tcp4(uint8_t *f, size_t payload)
{
	memset(f, 0, 54);
	memset(f, 0xff, 6);
	wr16(f + 12, 0x0800);
	uint8_t *ip = f + 14, *tcp = ip + 20;
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(40 + payload));
	wr16(ip + 4, 0x1000);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, (uint8_t[]){10, 0, 2, 15, 10, 0, 2, 2}, 8);
	wr16(tcp, 40000);
	wr16(tcp + 2, 80);
	memcpy(tcp + 4, (uint8_t[]){0x11, 0x22, 0x33, 0x44}, 4);
	tcp[12] = 5 << 4;
	tcp[13] = 0x19;
	for (size_t k = 0; k < payload; k++)
		f[54 + k] = (uint8_t)(k * 7 + 3);
	return 54 + payload;
}

/* Ethernet + IPv6 (40) + TCP (20) + payload. */
static size_t make_tcp6(uint8_t *f, size_t payload)
{
	memset(f, 0, 74);
	memset(f, 0xff, 6);
	wr16(f + 12, 0x86dd);
	uint8_t *ip = f + 14, *tcp = ip + 40;
	ip[0] = 0x60;
	wr16(ip + 4, (uint16_t)(20 + payload));
	ip[6] = 6;
	ip[7] = 64;
	ip[8] = 0xfe, ip[9] = 0xc0, ip[23] = 0x0f;  /* fec0::f */
	ip[24] = 0xfe, ip[25] = 0xc0, ip[39] = 0x2; /* fec0::2 */
	wr16(tcp, 40000);
	wr16(tcp + 2, 80);
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;
	for (size_t k = 0; k < payload; k++)
		f[74 + k] = (uint8_t)(k * 5 + 1);
	return 74 + payload;
}

START_TEST(csum_rfc1071_example)
{
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03,
				    0xf4, 0xf5, 0xf6, 0xf7};
	ck_assert_uint_eq(net_csum_add(0, b, 8), 0xddf2);
	ck_assert_uint_eq(net_csum_finish(net_csum_add(0, b, 8)), 0x220d);
	/* an odd tail counts as the high byte of a word */
	ck_assert_uint_eq(net_csum_finish(net_csum_add(0, b, 7)),
			  ref_csum(b, 7, 0));
}
END_TEST

START_TEST(partial_udp_checksum_completed)
{
	uint8_t f[200] = {0};
	memset(f, 0xff, 6);
	wr16(f + 12, 0x0800);
	uint8_t *ip = f + 14, *udp = ip + 20;
	size_t ulen = 8 + 101; /* odd */
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + ulen));
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){10, 0, 2, 15, 10, 0, 2, 2}, 8);
	wr16(udp, 5000), wr16(udp + 2, 53), wr16(udp + 4, (uint16_t)ulen);
	for (size_t k = 8; k < ulen; k++)
		udp[k] = (uint8_t)(k ^ 0x5a);
	size_t len = 34 + ulen;
	/* what the checksum must be: over pseudo header + datagram */
	uint8_t ph[12 + 200];
	memcpy(ph, ip + 12, 8);
	ph[8] = 0, ph[9] = 17;
	wr16(ph + 10, (uint16_t)ulen);
	memcpy(ph + 12, udp, ulen);
	uint16_t want = ref_csum(ph, 12 + ulen, 0);
	/* the driver leaves the pseudo-header sum, uncomplemented */
	wr16(udp + 6, (uint16_t)~ref_csum(ph, 12, 0));
	ck_assert(!net_rx_csum_valid(f, len));
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .csum_start = 34,
				   .csum_offset = 6};
	struct sink s = {0};
	uint8_t seg[200];
	ck_assert_int_eq(
		net_offload_tx(f, len, &h, all_caps, seg, sink_emit, &s), 1);
	ck_assert_uint_eq(s.len[0], len);
	ck_assert_uint_eq(rd16(s.f[0] + 34 + 6), want);
	ck_assert(net_rx_csum_valid(s.f[0], len));
	/* one flipped byte: no longer valid; padding after the datagram is
	   not part of it */
	s.f[0][60] ^= 1;
	ck_assert(!net_rx_csum_valid(s.f[0], len));
	s.f[0][60] ^= 1;
	ck_assert(net_rx_csum_valid(s.f[0], len + 20));
	sink_free(&s);
}
END_TEST

/* Checks segments of a cut TCP frame against the original f. */
static void check_segments(const struct sink *s, const uint8_t *f, size_t hdrs,
			   size_t l3, size_t payload, size_t mss, bool v6)
{
	int want = (int)((payload + mss - 1) / mss);
	ck_assert_int_eq(s->n, want);
	size_t off = 0;
	for (int k = 0; k < s->n; k++) {
		const uint8_t *g = s->f[k], *tcp = g + hdrs - 20;
		size_t n = k < want - 1 ? mss : payload - off;
		ck_assert_uint_eq(s->len[k], hdrs + n);
		ck_assert_mem_eq(g, f, 14);
		ck_assert_mem_eq(g + hdrs, f + hdrs + off, n);
		ck_assert_uint_eq(rd32(tcp + 4), rd32(f + hdrs - 20 + 4) + off);
		bool last = k == want - 1;
		ck_assert_uint_eq(tcp[13] & 0x09,
				  last ? f[hdrs - 20 + 13] & 9 : 0);
		if (v6) {
			ck_assert_uint_eq(rd16(g + l3 + 4), 20 + n);
		} else {
			ck_assert_uint_eq(rd16(g + l3 + 2), 40 + n);
			ck_assert_uint_eq(rd16(g + l3 + 4), 0x1000 + k);
			ck_assert_uint_eq(ref_csum(g + l3, 20, 0), 0);
		}
		ck_assert(net_rx_csum_valid(g, s->len[k]));
		off += n;
	}
	ck_assert_uint_eq(off, payload);
}

START_TEST(tso4_cuts_into_mss_segments)
{
	static uint8_t f[MAXF], seg[MAXF];
	size_t payload = 60000, len = make_tcp4(f, payload);
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				   .hdr_len = 54,
				   .gso_size = 1448,
				   .csum_start = 34,
				   .csum_offset = 16};
	struct sink s = {0};
	ck_assert_int_eq(
		net_offload_tx(f, len, &h, all_caps, seg, sink_emit, &s), 42);
	check_segments(&s, f, 54, 14, payload, 1448, false);
	sink_free(&s);
	/* a payload that fits one segment still comes out finished */
	len = make_tcp4(f, 100);
	ck_assert_int_eq(
		net_offload_tx(f, len, &h, all_caps, seg, sink_emit, &s), 1);
	check_segments(&s, f, 54, 14, 100, 1448, false);
	sink_free(&s);
}
END_TEST

START_TEST(tso6_cuts_into_mss_segments)
{
	static uint8_t f[MAXF], seg[MAXF];
	size_t payload = 5000, len = make_tcp6(f, payload);
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
				   .hdr_len = 74,
				   .gso_size = 1428,
				   .csum_start = 54,
				   .csum_offset = 16};
	struct sink s = {0};
	ck_assert_int_eq(
		net_offload_tx(f, len, &h, all_caps, seg, sink_emit, &s), 4);
	check_segments(&s, f, 74, 14, payload, 1428, true);
	sink_free(&s);
}
END_TEST

/* Expects h on frame f to be refused with nothing emitted. */
static void refused(const uint8_t *orig, size_t len,
		    const struct virtio_net_hdr *h,
		    struct net_offload_caps caps)
{
	static uint8_t f[MAXF], seg[MAXF];
	memcpy(f, orig, len);
	struct sink s = {0};
	ck_assert_int_eq(net_offload_tx(f, len, h, caps, seg, sink_emit, &s),
			 -1);
	ck_assert_int_eq(s.n, 0);
}

START_TEST(malformed_requests_are_refused)
{
	static uint8_t f[MAXF];
	size_t len = make_tcp4(f, 3000);
	const struct virtio_net_hdr good = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = 54,
		.gso_size = 1448,
		.csum_start = 34,
		.csum_offset = 16};
	struct virtio_net_hdr h;
	struct net_offload_caps no_csum = {false, true, true};
	struct net_offload_caps no_tso = {true, false, false};
	/* checksum offsets outside the frame */
	h = (struct virtio_net_hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .csum_start = (uint16_t)(len + 1)};
	refused(f, len, &h, all_caps);
	h.csum_start = (uint16_t)(len - 1); /* the field would overhang */
	refused(f, len, &h, all_caps);
	h.csum_start = 34;
	h.csum_offset = 0xffff;
	refused(f, len, &h, all_caps);
	h.csum_offset = 16;
	refused(f, len, &h, no_csum); /* not negotiated */
	/* GSO: size 0, hdr_len lies, ECN, UDP, not negotiated */
	h = good;
	h.gso_size = 0;
	refused(f, len, &h, all_caps);
	h = good;
	h.hdr_len = (uint16_t)(len + 1);
	refused(f, len, &h, all_caps);
	h.hdr_len = 40; /* shorter than the headers */
	refused(f, len, &h, all_caps);
	h = good;
	h.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	refused(f, len, &h, all_caps);
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	refused(f, len, &h, all_caps);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6; /* an IPv4 frame */
	refused(f, len, &h, all_caps);
	refused(f, len, &good, no_tso);
	h = good;
	h.csum_start = 0xfff0;
	refused(f, len, &h, all_caps);
	/* frames that are not what the GSO type says */
	static uint8_t g[MAXF];
	memcpy(g, f, len);
	g[14 + 9] = 17; /* UDP */
	refused(g, len, &good, all_caps);
	memcpy(g, f, len);
	wr16(g + 14 + 2, (uint16_t)(len)); /* IP longer than the frame */
	refused(g, len, &good, all_caps);
	memcpy(g, f, len);
	g[14] = 0x44; /* IHL 16 bytes */
	refused(g, len, &good, all_caps);
	memcpy(g, f, len);
	g[34 + 12] = 0x40; /* TCP header of 16 bytes */
	refused(g, len, &good, all_caps);
	memcpy(g, f, len);
	g[34 + 12] = 0xf0; /* 60 bytes of TCP header in a 50-byte IP */
	wr16(g + 14 + 2, 50);
	refused(g, 64, &good, all_caps);
	memcpy(g, f, len);
	wr16(g + 14 + 6, 0x2000); /* a fragment */
	refused(g, len, &good, all_caps);
	refused(f, 40, &good, all_caps); /* cut inside the IP header */
	refused(f, 20, &good, all_caps);
}
END_TEST

START_TEST(rx_verification_rejects_what_it_cannot_check)
{
	static uint8_t f[MAXF], seg[MAXF];
	size_t len = make_tcp4(f, 500);
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				   .gso_size = 1448};
	h.csum_start = 34;
	h.csum_offset = 16;
	struct sink s = {0};
	ck_assert_int_eq(
		net_offload_tx(f, len, &h, all_caps, seg, sink_emit, &s), 1);
	uint8_t *g = s.f[0];
	ck_assert(net_rx_csum_valid(g, len));
	ck_assert(!net_rx_csum_valid(g, 40)); /* truncated */
	g[12] = 0x08, g[13] = 0x06;	      /* ARP */
	ck_assert(!net_rx_csum_valid(g, len));
	g[13] = 0x00;
	g[14 + 6] = 0x20; /* MF: a fragment */
	ck_assert(!net_rx_csum_valid(g, len));
	sink_free(&s);
}
END_TEST

/* Segment k of a train: payload bytes from offset off of a pattern. */
static size_t train_segment(uint8_t *f, size_t off, size_t n)
{
	size_t len = make_tcp4(f, n);
	uint32_t seq = 0x11223344u + (uint32_t)off;
	f[38] = (uint8_t)(seq >> 24), f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8), f[41] = (uint8_t)seq;
	f[47] = 0x10; /* ACK */
	for (size_t k = 0; k < n; k++)
		f[54 + k] = (uint8_t)((off + k) * 7 + 3);
	return len;
}

START_TEST(merge_joins_a_train)
{
	static uint8_t f[MAXF], held[MAXF], seg[MAXF];
	struct net_merge m;
	net_merge_init(&m, held, sizeof(held));
	size_t sizes[] = {1460, 1460, 1460, 700};
	size_t off = 0;
	for (int k = 0; k < 4; k++) {
		size_t len = train_segment(f, off, sizes[k]);
		ck_assert(net_merge_add(&m, f, len + (k == 3 ? 6 : 0)));
		off += sizes[k];
	}
	/* after a short segment the train is closed */
	size_t len = train_segment(f, off, 1460);
	ck_assert(!net_merge_add(&m, f, len));
	struct virtio_net_hdr h;
	size_t n = net_merge_finish(&m, &h);
	ck_assert_uint_eq(n, 54 + off);
	ck_assert_uint_eq(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(h.gso_size, 1460);
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(h.csum_start, 34);
	ck_assert_uint_eq(h.csum_offset, 16);
	ck_assert_uint_eq(rd16(held + 16), 40 + off);
	ck_assert_uint_eq(ref_csum(held + 14, 20, 0), 0);
	/* the joined frame, cut as a sender's TSO would, gives back
	   segments whose payload is the train's */
	struct sink s = {0};
	ck_assert_int_eq(
		net_offload_tx(held, n, &h, all_caps, seg, sink_emit, &s), 4);
	size_t at = 0;
	for (int k = 0; k < 4; k++) {
		train_segment(f, at, sizes[k]);
		ck_assert_uint_eq(s.len[k], 54 + sizes[k]);
		ck_assert_mem_eq(s.f[k] + 54, f + 54, sizes[k]);
		ck_assert(net_rx_csum_valid(s.f[k], s.len[k]));
		at += sizes[k];
	}
	sink_free(&s);
	/* one segment alone comes back as it was, no GSO */
	net_merge_reset(&m);
	len = train_segment(f, 0, 100);
	ck_assert(net_merge_add(&m, f, len));
	ck_assert_uint_eq(net_merge_finish(&m, &h), len);
	ck_assert_uint_eq(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_mem_eq(held, f, len);
}
END_TEST

START_TEST(merge_refuses_what_does_not_continue)
{
	static uint8_t f[MAXF], g[MAXF], held[MAXF];
	struct net_merge m;
	net_merge_init(&m, held, sizeof(held));
	size_t len = train_segment(f, 0, 1000);
	ck_assert(net_merge_add(&m, f, len));
	struct {
		size_t at;
		uint8_t val;
	} change[] = {
		{38, 0x99},	   /* sequence number: a gap */
		{29, 0x77},	   /* source address */
		{35, 0x01},	   /* destination port */
		{45, 0x01},	   /* ACK number */
		{47, 0x11},	   /* FIN */
		{47, 0x12},	   /* SYN */
		{47, 0x18 ^ 0x10}, /* no ACK */
		{48, 0x55},	   /* window */
		{14, 0x46},	   /* IP options */
		{20, 0x20},	   /* a fragment */
		{23, 17},	   /* UDP */
		{12, 0x86},	   /* not IPv4 */
	};
	for (size_t k = 0; k < sizeof(change) / sizeof(change[0]); k++) {
		size_t glen = train_segment(g, 1000, 1000);
		g[change[k].at] = change[k].val;
		ck_assert_msg(!net_merge_add(&m, g, glen), "change %zu joined",
			      k);
	}
	len = train_segment(g, 1000, 1200); /* longer than the first */
	ck_assert(!net_merge_add(&m, g, len));
	len = train_segment(g, 1000, 0); /* a pure ACK */
	ck_assert(!net_merge_add(&m, g, len));
	ck_assert(!net_merge_add(&m, g, 20)); /* a runt */
	len = train_segment(g, 1000, 1000);
	ck_assert(net_merge_add(&m, g, len)); /* the right one still joins */
	ck_assert_uint_eq(m.segs, 2);
	/* never past 64 KiB of IP datagram */
	net_merge_reset(&m);
	size_t off = 0;
	int joined = 0;
	for (int k = 0; k < 60; k++, off += 1460) {
		len = train_segment(g, off, 1460);
		if (!net_merge_add(&m, g, len))
			break;
		joined++;
	}
	ck_assert_int_eq(joined, (65535 - 40) / 1460);
	ck_assert_uint_le(m.len - 14, 65535);
}
END_TEST

Suite *net_offload_suite(void)
{
	Suite *s = suite_create("net_offload");
	TCase *tc = tcase_create("offloads");
	tcase_add_test(tc, csum_rfc1071_example);
	tcase_add_test(tc, partial_udp_checksum_completed);
	tcase_add_test(tc, tso4_cuts_into_mss_segments);
	tcase_add_test(tc, tso6_cuts_into_mss_segments);
	tcase_add_test(tc, malformed_requests_are_refused);
	tcase_add_test(tc, rx_verification_rejects_what_it_cannot_check);
	tcase_add_test(tc, merge_joins_a_train);
	tcase_add_test(tc, merge_refuses_what_does_not_continue);
	suite_add_tcase(s, tc);
	return s;
}
