/*
 * TAP and TUN back ends: the guest on a host network device made through
 * /dev/net/tun. TAP (IFF_TAP) carries the guest's Ethernet frames as they
 * are (link layer); TUN (IFF_TUN) carries IP packets (network layer), and
 * this back end adds and strips the Ethernet header and answers the
 * guest's ARP requests (tun_frame.c).
 *
 * Talks to: the host kernel through the device fd (non-blocking), the
 * event loop (the fd is watched while the front end takes frames), the
 * front end. Owns: the fd and its buffers. Needs CAP_NET_ADMIN, or a
 * device created beforehand with `ip tuntap add NAME mode tap user USER`.
 */
#include "net_internal.h"
#include "tun_frame.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Frames read per loop pass: enough to keep up, few enough that a
   flood from the host does not starve the guest. */
#define READ_BUDGET 64

struct tap {
	struct net_common c;
	int fd;
	bool tun;
	bool watched;
	bool gone; /* the device went away: drop everything */
	char ifname[IFNAMSIZ];
	uint8_t host_mac[6];
	uint8_t *rbuf; /* ETH_HDR_LEN + NET_MAX_FRAME: TUN reads after it */
	uint8_t *tbuf; /* a guest frame gathered for the TUN translation */
};

static struct tap *tap_of(struct net_backend *b)
{
	return (struct tap *)b;
}

static void on_fd(void *opaque, int fd, short revents);

/* Reading stops while the front end has no room (the kernel queues for
   us, up to the device's txqueuelen) and resumes when it drains. */
static void update_watch(struct tap *t)
{
	bool want = !t->gone && !net_queued(&t->c);
	if (!t->c.loop || want == t->watched)
		return;
	if (want && event_loop_watch(t->c.loop, t->fd, POLLIN, on_fd, t) < 0) {
		fprintf(stderr, "pvkit: --net %s: event loop full\n",
			t->c.kind);
		return;
	}
	if (!want)
		event_loop_unwatch(t->c.loop, t->fd);
	t->watched = want;
}

static void went_away(struct tap *t, int e)
{
	fprintf(stderr, "pvkit: --net %s: %s: %s; the link is down\n",
		t->c.kind, t->ifname, strerror(e));
	t->gone = true;
	net_set_link(&t->c, false);
	update_watch(t);
}

static void read_frames(struct tap *t)
{
	for (int k = 0; k < READ_BUDGET && !t->gone && !net_queued(&t->c);
	     k++) {
		uint8_t *dst = t->tun ? t->rbuf + ETH_HDR_LEN : t->rbuf;
		ssize_t n = read(t->fd, dst, NET_MAX_FRAME);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				went_away(t, errno);
			break;
		}
		size_t len = (size_t)n;
		if (t->tun)
			len = tun_to_guest(t->rbuf, len, t->c.nb.mac,
					   t->host_mac);
		if (len)
			net_deliver(&t->c, t->rbuf, len);
	}
	update_watch(t);
}

static void on_fd(void *opaque, int fd, short revents)
{
	(void)fd;
	(void)revents;
	read_frames(opaque);
}

static void drained(struct net_common *c)
{
	update_watch((struct tap *)c);
}

static void count_tx(struct tap *t, ssize_t n, size_t want)
{
	if (n == (ssize_t)want) {
		t->c.st.tx_frames++;
		t->c.st.tx_bytes += want;
		return;
	}
	/* EAGAIN (queue full) or EIO (interface down): a wire drops too. */
	t->c.st.tx_dropped++;
	if (n < 0 && errno == EBADFD)
		went_away(t, errno);
}

static void tun_send(struct tap *t, const struct iovec *iov, int iovcnt)
{
	size_t len = net_iov_gather(iov, iovcnt, t->tbuf, NET_MAX_FRAME);
	uint8_t reply[ARP_FRAME_LEN];
	size_t ip_len;
	switch (tun_from_guest(t->tbuf, len, t->host_mac, &ip_len, reply)) {
	case TUN_TO_HOST:
		count_tx(t, write(t->fd, t->tbuf + ETH_HDR_LEN, ip_len),
			 ip_len);
		break;
	case TUN_ARP_REPLY:
		t->c.st.tx_frames++; /* answered, as the host would */
		net_deliver(&t->c, reply, sizeof(reply));
		update_watch(t);
		break;
	case TUN_DROP: t->c.st.tx_dropped++; break;
	}
}

static void tap_send(struct net_backend *b, const struct iovec *iov, int iovcnt)
{
	struct tap *t = tap_of(b);
	if (t->gone) {
		t->c.st.tx_dropped++;
		return;
	}
	if (t->tun)
		tun_send(t, iov, iovcnt);
	else
		count_tx(t, writev(t->fd, iov, iovcnt),
			 net_iov_len(iov, iovcnt));
}

static void tap_rx_ready(struct net_backend *b)
{
	net_drain(&tap_of(b)->c);
}

static int tap_poll_fds(struct net_backend *b, int *fds, int max)
{
	struct tap *t = tap_of(b);
	if (max < 1 || t->gone)
		return 0;
	fds[0] = t->fd;
	return 1;
}

static void tap_poll(struct net_backend *b, int64_t now_ns)
{
	(void)now_ns;
	struct tap *t = tap_of(b);
	net_drain(&t->c);
	read_frames(t);
}

static int64_t tap_deadline(struct net_backend *b)
{
	(void)b;
	return INT64_MAX;
}

static void tap_close(struct net_backend *b)
{
	struct tap *t = tap_of(b);
	if (t->watched)
		event_loop_unwatch(t->c.loop, t->fd);
	if (t->fd >= 0)
		close(t->fd);
	net_common_free(&t->c);
	free(t->rbuf);
	free(t->tbuf);
	free(t);
}

static const struct net_ops tap_ops = {
	.send = tap_send,
	.rx_ready = tap_rx_ready,
	.poll_fds = tap_poll_fds,
	.poll = tap_poll,
	.next_deadline_ns = tap_deadline,
	.close = tap_close,
};

static const char *open_hint(int e)
{
	switch (e) {
	case EPERM:
	case EACCES:
		return " (needs CAP_NET_ADMIN, or a device made beforehand "
		       "with `ip tuntap add NAME mode tap|tun user USER`)";
	case EBUSY: return " (in use by another process, or of the other kind)";
	case ENOENT:
	case ENODEV: return " (no TUN/TAP support: modprobe tun)";
	}
	return "";
}

static int open_dev(struct tap *t, char *err, size_t errlen)
{
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		int e = errno;
		net_err(err, errlen, "--net %s: cannot open /dev/net/tun: %s%s",
			t->c.kind, strerror(e), open_hint(e));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)((t->tun ? IFF_TUN : IFF_TAP) | IFF_NO_PI);
	memcpy(ifr.ifr_name, t->ifname, sizeof(ifr.ifr_name));
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		net_err(err, errlen, "--net %s: cannot attach to %s: %s%s",
			t->c.kind, t->ifname, strerror(e), open_hint(e));
		return -1;
	}
	return 0;
}

struct net_backend *net_tap_open(struct net_opts *o, struct event_loop *loop,
				 bool tun, char *err, size_t errlen)
{
	const char *kind = tun ? "tun" : "tap";
	const char *ifname = net_opt_take(o, "ifname");
	if (net_opts_check_used(o, err, errlen))
		return NULL;
	if (!ifname || !*ifname) {
		net_err(err, errlen, "--net %s: ifname=NAME is required", kind);
		return NULL;
	}
	if (strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/') ||
	    strchr(ifname, ' ')) {
		net_err(err, errlen,
			"--net %s: ifname '%s' is not an interface name "
			"(at most %d characters, no '/' or blanks)",
			kind, ifname, IFNAMSIZ - 1);
		return NULL;
	}
	struct tap *t = calloc(1, sizeof(*t));
	static const uint8_t host_mac[6] = TUN_HOST_MAC;
	if (!t || net_common_init(&t->c, &tap_ops, loop, kind, 1) ||
	    !(t->rbuf = malloc(ETH_HDR_LEN + NET_MAX_FRAME)) ||
	    (tun && !(t->tbuf = malloc(NET_MAX_FRAME)))) {
		net_err(err, errlen, "--net %s: out of memory", kind);
		if (t) {
			t->fd = -1;
			tap_close(&t->c.nb);
		}
		return NULL;
	}
	t->tun = tun;
	t->fd = -1;
	t->c.drained = drained;
	memcpy(t->host_mac, host_mac, 6);
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	if (open_dev(t, err, errlen)) {
		tap_close(&t->c.nb);
		return NULL;
	}
	update_watch(t);
	return &t->c.nb;
}
