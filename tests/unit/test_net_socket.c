/*
 * Socket-wire unit tests: two socket back ends on a temporary unix path
 * exchange length-prefixed frames both ways; a full front end holds frames
 * back without losing or reordering them; a peer that leaves or sends
 * garbage gives link-down and drops, and the listener takes the next peer.
 * Also the --net parser: each malformed spec gives one line naming it.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "host/net/net.h"

struct cap {
	uint8_t frame[8][256];
	size_t len[8];
	int n;
	bool refuse;
	int link; /* -1 unknown, 0 down, 1 up */
};

static bool cap_receive(void *opaque, const uint8_t *f, size_t len)
{
	struct cap *c = opaque;
	if (c->refuse)
		return false;
	ck_assert_uint_le(len, sizeof(c->frame[0]));
	memcpy(c->frame[c->n % 8], f, len);
	c->len[c->n % 8] = len;
	c->n++;
	return true;
}

static void cap_link(void *opaque, bool up)
{
	((struct cap *)opaque)->link = up;
}

static void attach(struct net_backend *b, struct cap *c)
{
	memset(c, 0, sizeof(*c));
	c->link = -1;
	b->front = (struct net_frontend){c, cap_receive, NULL};
	net_backend_set_link_notify(b, cap_link, c);
}

/* Both ends are driven by hand (no event loop): a few passes with a short
   sleep let the kernel move the bytes. */
static void pump(struct net_backend *a, struct net_backend *b)
{
	struct timespec ts = {0, 2000000};
	for (int k = 0; k < 5; k++) {
		if (a)
			a->ops->poll(a, 0);
		if (b)
			b->ops->poll(b, 0);
		nanosleep(&ts, NULL);
	}
}

static void send_frame(struct net_backend *b, uint8_t tag, size_t len)
{
	uint8_t f[256];
	for (size_t k = 0; k < len; k++)
		f[k] = (uint8_t)(tag + k);
	/* split in two, as a NIC's descriptor chain may be */
	struct iovec iov[2] = {{f, 14}, {f + 14, len - 14}};
	b->ops->send(b, iov, 2);
}

static bool got_frame(const struct cap *c, int i, uint8_t tag, size_t len)
{
	if (c->len[i] != len)
		return false;
	for (size_t k = 0; k < len; k++)
		if (c->frame[i][k] != (uint8_t)(tag + k))
			return false;
	return true;
}

struct place {
	char dir[64], path[128];
};

static void make_path(struct place *p)
{
	snprintf(p->dir, sizeof(p->dir), "/tmp/pvkit-net-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	snprintf(p->path, sizeof(p->path), "%s/wire.sock", p->dir);
}

static struct net_backend *open_ok(const char *path, const char *fmt,
				   enum net_model *model)
{
	char spec[256], err[256] = "";
	snprintf(spec, sizeof(spec), fmt, path);
	struct net_backend *b =
		net_backend_open(spec, NULL, model, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s: %s", spec, err);
	return b;
}

START_TEST(frames_cross_the_wire_both_ways)
{
	struct place pl;
	make_path(&pl);
	enum net_model model;
	struct cap ca, cb;
	struct net_backend *a = open_ok(pl.path, "socket,listen=%s", &model);
	ck_assert_int_eq(model, NET_MODEL_VIRTIO);
	struct net_backend *b = open_ok(
		pl.path, "socket,connect=%s,model=ethoc,mac=52:54:00:00:00:02",
		&model);
	ck_assert_int_eq(model, NET_MODEL_ETHOC);
	ck_assert_uint_eq(b->mac[5], 2);
	attach(a, &ca);
	attach(b, &cb);
	ck_assert_int_eq(ca.link, 0); /* nobody there yet */
	ck_assert_int_eq(cb.link, 1);
	pump(a, b);
	ck_assert_int_eq(ca.link, 1);

	send_frame(b, 1, 60);
	send_frame(b, 2, 200);
	pump(a, b);
	ck_assert_int_eq(ca.n, 2);
	ck_assert(got_frame(&ca, 0, 1, 60));
	ck_assert(got_frame(&ca, 1, 2, 200));
	send_frame(a, 3, 100);
	pump(a, b);
	ck_assert_int_eq(cb.n, 1);
	ck_assert(got_frame(&cb, 0, 3, 100));

	/* a full front end: frames wait, in order, until rx_ready */
	ca.refuse = true;
	send_frame(b, 4, 64);
	send_frame(b, 5, 65);
	send_frame(b, 6, 66);
	pump(a, b);
	ck_assert_int_eq(ca.n, 2);
	ca.refuse = false;
	a->ops->rx_ready(a);
	pump(a, b);
	ck_assert_int_eq(ca.n, 5);
	ck_assert(got_frame(&ca, 2, 4, 64));
	ck_assert(got_frame(&ca, 3, 5, 65));
	ck_assert(got_frame(&ca, 4, 6, 66));

	struct net_backend_stats st;
	net_backend_get_stats(b, &st);
	ck_assert_uint_eq(st.tx_frames, 5);
	ck_assert_uint_eq(st.tx_bytes, 60 + 200 + 64 + 65 + 66);
	net_backend_get_stats(a, &st);
	ck_assert_uint_eq(st.rx_frames, 5);
	net_backend_close(b);
	net_backend_close(a);
	ck_assert_int_ne(access(pl.path, F_OK), 0); /* listen= cleans up */
	rmdir(pl.dir);
}
END_TEST

START_TEST(peer_leaving_gives_link_down_and_listener_takes_next)
{
	struct place pl;
	make_path(&pl);
	struct cap ca, cb, cc;
	struct net_backend *a = open_ok(pl.path, "socket,listen=%s", NULL);
	struct net_backend *b = open_ok(pl.path, "socket,connect=%s", NULL);
	attach(a, &ca);
	attach(b, &cb);
	pump(a, b);
	ck_assert_int_eq(ca.link, 1);
	net_backend_close(b);
	pump(a, NULL);
	ck_assert_int_eq(ca.link, 0);
	/* sending into the void drops, no SIGPIPE, no hang */
	send_frame(a, 7, 80);
	struct net_backend_stats st;
	net_backend_get_stats(a, &st);
	ck_assert_uint_eq(st.tx_dropped, 1);

	struct net_backend *c = open_ok(pl.path, "socket,connect=%s", NULL);
	attach(c, &cc);
	pump(a, c);
	ck_assert_int_eq(ca.link, 1);
	send_frame(c, 8, 90);
	pump(a, c);
	ck_assert_int_eq(ca.n, 1);
	ck_assert(got_frame(&ca, 0, 8, 90));

	/* the listener going away: the connect side drops, link down */
	net_backend_close(a);
	pump(c, NULL);
	ck_assert_int_eq(cc.link, 0);
	send_frame(c, 9, 90);
	net_backend_get_stats(c, &st);
	ck_assert_uint_eq(st.tx_dropped, 1);
	net_backend_close(c);
	rmdir(pl.dir);
}
END_TEST

START_TEST(garbage_from_peer_disconnects_it)
{
	struct place pl;
	make_path(&pl);
	struct cap ca;
	struct net_backend *a = open_ok(pl.path, "socket,listen=%s", NULL);
	attach(a, &ca);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", pl.path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(a, NULL);
	ck_assert_int_eq(ca.link, 1);
	const uint8_t bad[8] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
	ck_assert_int_eq(write(fd, bad, sizeof(bad)), 8);
	pump(a, NULL);
	ck_assert_int_eq(ca.link, 0);
	ck_assert_int_eq(ca.n, 0);
	close(fd);
	net_backend_close(a);
	rmdir(pl.dir);
}
END_TEST

START_TEST(connect_without_listener_is_an_error)
{
	struct place pl;
	make_path(&pl);
	char spec[256], err[256] = "";
	snprintf(spec, sizeof(spec), "socket,connect=%s", pl.path);
	ck_assert_ptr_null(
		net_backend_open(spec, NULL, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "connect="));
	rmdir(pl.dir);
}
END_TEST

START_TEST(each_nic_gets_its_own_mac)
{
	char err[256] = "";
	struct net_backend *b[3];
	for (unsigned k = 0; k < 3; k++) {
		b[k] = net_backend_open_nic("user", k, NULL, NULL, err,
					    sizeof(err));
		ck_assert_msg(b[k] != NULL, "%s", err);
		ck_assert_uint_eq(b[k]->mac[5], 0x56 + k);
		ck_assert_uint_eq(b[k]->mac[0], 0x52);
	}
	/* mac= wins over the number */
	struct net_backend *m = net_backend_open_nic(
		"user,mac=52:54:00:aa:bb:cc", 2, NULL, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->mac[5], 0xcc);
	net_backend_close(m);
	for (unsigned k = 0; k < 3; k++)
		net_backend_close(b[k]);
}
END_TEST

/* Each malformed spec: NULL and one line naming the problem. */
static void bad(const char *spec, const char *needle)
{
	char err[256] = "";
	struct net_backend *b =
		net_backend_open(spec, NULL, NULL, err, sizeof(err));
	ck_assert_msg(b == NULL, "'%s' was accepted", spec);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s' gave '%s'", spec, err);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(parser_refuses_malformed_specs)
{
	bad("", "missing back end");
	bad("bogus", "unknown back end 'bogus'");
	bad("user,foo=1", "unknown option 'foo'");
	bad("user,model=e1000", "model 'e1000'");
	bad("user,mac=01:00:5e:00:00:01", "mac '01:00:5e:00:00:01'");
	bad("user,mac=52:54:00:12:34", "mac");
	bad("user,model=virtio,model=ethoc", "twice");
	bad("user,hostfwd=tcp:127.0.0.1:99999-:22", "hostfwd");
	bad("user,hostfwd=tcp:127.0.0.1:2222", "hostfwd");
	bad("user,hostfwd=tcp:127.0.0.1:2222-:0", "hostfwd");
	bad("user,hostfwd=sctp:127.0.0.1:2222-:22", "hostfwd");
	bad("user,hostfwd=tcp:localhost:2222-:22", "hostfwd");
	bad("user,guestfwd=tcp:10.0.2.100:80-tcp:localhost:80", "guestfwd");
	bad("user,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:0", "guestfwd");
	bad("user,guestfwd=tcp:10.0.2.100:80-ftp:x", "guestfwd");
	bad("user,pcap=", "pcap=");
	bad("user,pcap=/tmp/a,pcap=/tmp/b", "twice");
	bad("user,pcap=/nonexistent-dir/x.pcap", "pcap");
	bad("user,restrict=maybe", "restrict");
	bad("user,tftp=/nonexistent/pvkit", "tftp");
	bad("socket,listen=/tmp/x,", "empty option");
	bad("tap", "ifname=NAME is required");
	bad("tun,ifname=", "ifname=NAME is required");
	bad("tap,ifname=a-name-far-too-long-for-linux", "ifname");
	bad("tap,ifname=tap0,queues=4", "unknown option 'queues'");
	bad("socket", "exactly one of");
	bad("socket,listen=/tmp/a,connect=/tmp/b", "exactly one of");
	bad("socket,listen=", "socket path");
}
END_TEST

START_TEST(user_hostfwd_listens_on_loopback)
{
	/* find a free port, then let slirp take it */
	int probe = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(probe, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(probe, (struct sockaddr *)&sa, &sl);
	int port = ntohs(sa.sin_port);
	close(probe);
	char spec[128], err[256] = "";
	snprintf(spec, sizeof(spec),
		 "user,hostfwd=tcp::%d-:22,hostfwd=udp:127.0.0.1:%d-:53,"
		 "restrict=off,model=ethoc",
		 port, port);
	enum net_model model;
	struct net_backend *b =
		net_backend_open(spec, NULL, &model, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_int_eq(model, NET_MODEL_ETHOC);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(c);
	b->ops->poll(b, 0);
	/* the same port again is in use: a clear error */
	struct net_backend *b2 =
		net_backend_open(spec, NULL, NULL, err, sizeof(err));
	ck_assert_ptr_null(b2);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	net_backend_close(b);
}
END_TEST

Suite *net_socket_suite(void)
{
	Suite *s = suite_create("net_socket");
	TCase *tc = tcase_create("wire");
	tcase_add_test(tc, frames_cross_the_wire_both_ways);
	tcase_add_test(tc,
		       peer_leaving_gives_link_down_and_listener_takes_next);
	tcase_add_test(tc, garbage_from_peer_disconnects_it);
	tcase_add_test(tc, connect_without_listener_is_an_error);
	suite_add_tcase(s, tc);
	TCase *tp = tcase_create("parser");
	tcase_add_test(tp, parser_refuses_malformed_specs);
	tcase_add_test(tp, each_nic_gets_its_own_mac);
	tcase_add_test(tp, user_hostfwd_listens_on_loopback);
	suite_add_tcase(s, tp);
	return s;
}
