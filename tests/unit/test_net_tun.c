/*
 * TUN framing unit tests: the pure functions that turn the guest's
 * Ethernet into a TUN device's IP and back, and the ARP responder that
 * makes every address the guest asks for reachable through the host MAC.
 */
#include <check.h>
#include <string.h>

#include "host/net/tun_frame.h"

static const uint8_t host_mac[6] = TUN_HOST_MAC;
static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* "who has TPA? tell SPA" from the guest, padded to 60 as NICs send it */
static size_t arp_request(uint8_t *f, const uint8_t spa[4],
			  const uint8_t tpa[4])
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	uint8_t *a = f + 14;
	a[0] = 0, a[1] = 1, a[2] = 0x08, a[3] = 0, a[4] = 6, a[5] = 4;
	a[6] = 0, a[7] = 1;
	memcpy(a + 8, guest_mac, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 24, tpa, 4);
	return 60;
}

/* an IPv4 packet of ip_len bytes (header says so) inside a frame */
static size_t ipv4_frame(uint8_t *f, size_t ip_len, size_t frame_len)
{
	memset(f, 0, frame_len);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08, f[13] = 0x00;
	f[14] = 0x45;
	f[16] = (uint8_t)(ip_len >> 8), f[17] = (uint8_t)ip_len;
	for (size_t k = 20; k < ip_len; k++)
		f[14 + k] = (uint8_t)k;
	return frame_len;
}

START_TEST(arp_request_answered_with_host_mac)
{
	uint8_t f[60], reply[ARP_FRAME_LEN];
	size_t ip_len = 0;
	const uint8_t spa[4] = {10, 0, 3, 15}, tpa[4] = {10, 0, 3, 1};
	size_t n = arp_request(f, spa, tpa);
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_ARP_REPLY);
	ck_assert_mem_eq(reply, guest_mac, 6);	  /* to the asker */
	ck_assert_mem_eq(reply + 6, host_mac, 6); /* from the host */
	ck_assert_uint_eq(reply[12], 0x08);
	ck_assert_uint_eq(reply[13], 0x06);
	const uint8_t *a = reply + 14;
	ck_assert_uint_eq(a[7], 2); /* reply */
	ck_assert_mem_eq(a + 8, host_mac, 6);
	ck_assert_mem_eq(a + 14, tpa, 4);
	ck_assert_mem_eq(a + 18, guest_mac, 6);
	ck_assert_mem_eq(a + 24, spa, 4);

	/* any address at all: the TUN device routes everything */
	const uint8_t far[4] = {192, 0, 2, 77};
	n = arp_request(f, spa, far);
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_ARP_REPLY);
	ck_assert_mem_eq(reply + 14 + 14, far, 4);
}
END_TEST

START_TEST(arp_probe_and_announcement_not_answered)
{
	uint8_t f[60], reply[ARP_FRAME_LEN];
	size_t ip_len = 0;
	const uint8_t zero[4] = {0}, me[4] = {10, 0, 3, 15};
	size_t n = arp_request(f, zero, me); /* duplicate address probe */
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_DROP);
	n = arp_request(f, me, me); /* gratuitous */
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_DROP);
	n = arp_request(f, me, (const uint8_t[]){10, 0, 3, 1});
	f[14 + 7] = 2; /* a reply from the guest: nothing to do */
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_DROP);
	ck_assert_int_eq(tun_from_guest(f, 30, host_mac, &ip_len, reply),
			 TUN_DROP); /* truncated */
}
END_TEST

START_TEST(ip_frame_loses_ethernet_and_padding)
{
	uint8_t f[128], reply[ARP_FRAME_LEN];
	size_t ip_len = 0;
	/* 28-byte ICMP packet in a padded 60-byte frame */
	size_t n = ipv4_frame(f, 28, 60);
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_TO_HOST);
	ck_assert_uint_eq(ip_len, 28);
	n = ipv4_frame(f, 114, 128);
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_TO_HOST);
	ck_assert_uint_eq(ip_len, 114);
	/* a header claiming more than the frame holds */
	n = ipv4_frame(f, 114, 100);
	f[16] = 0, f[17] = 200;
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_DROP);
	/* ethertype IPv4 with an IPv6 packet inside */
	n = ipv4_frame(f, 60, 80);
	f[14] = 0x60;
	ck_assert_int_eq(tun_from_guest(f, n, host_mac, &ip_len, reply),
			 TUN_DROP);
}
END_TEST

START_TEST(non_ip_dropped)
{
	uint8_t f[64] = {0}, reply[ARP_FRAME_LEN];
	size_t ip_len = 0;
	f[12] = 0x88, f[13] = 0xcc; /* LLDP */
	ck_assert_int_eq(tun_from_guest(f, 64, host_mac, &ip_len, reply),
			 TUN_DROP);
	f[12] = 0x81, f[13] = 0x00; /* VLAN */
	ck_assert_int_eq(tun_from_guest(f, 64, host_mac, &ip_len, reply),
			 TUN_DROP);
	ck_assert_int_eq(tun_from_guest(f, 10, host_mac, &ip_len, reply),
			 TUN_DROP);
}
END_TEST

START_TEST(ip_packet_gains_ethernet_header)
{
	uint8_t f[14 + 40] = {0};
	f[14] = 0x45;
	size_t n = tun_to_guest(f, 40, guest_mac, host_mac);
	ck_assert_uint_eq(n, 54);
	ck_assert_mem_eq(f, guest_mac, 6);
	ck_assert_mem_eq(f + 6, host_mac, 6);
	ck_assert_uint_eq(f[12], 0x08);
	ck_assert_uint_eq(f[13], 0x00);
	ck_assert_uint_eq(f[14], 0x45); /* the packet untouched */
	f[14] = 0x60;
	ck_assert_uint_eq(tun_to_guest(f, 40, guest_mac, host_mac), 54);
	ck_assert_uint_eq(f[12], 0x86);
	ck_assert_uint_eq(f[13], 0xdd);
	f[14] = 0x20;
	ck_assert_uint_eq(tun_to_guest(f, 40, guest_mac, host_mac), 0);
	ck_assert_uint_eq(tun_to_guest(f, 0, guest_mac, host_mac), 0);
}
END_TEST

Suite *net_tun_suite(void)
{
	Suite *s = suite_create("net_tun");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, arp_request_answered_with_host_mac);
	tcase_add_test(tc, arp_probe_and_announcement_not_answered);
	tcase_add_test(tc, ip_frame_loses_ethernet_and_padding);
	tcase_add_test(tc, non_ip_dropped);
	tcase_add_test(tc, ip_packet_gains_ethernet_header);
	suite_add_tcase(s, tc);
	return s;
}
