/*
 * The socket wire: two pvkit VMs exchange Ethernet frames over a unix
 * stream socket, each frame preceded by its length as 4 bytes big-endian
 * (QEMU's stream netdev and passt speak the same), so two guests form a
 * LAN. `listen=PATH` accepts one peer at a time and keeps accepting after
 * it leaves; `connect=PATH` connects at start and, when the peer goes
 * away, tries again once a second. While there is no peer the link is
 * down and frames are dropped.
 *
 * Never blocks: the socket is non-blocking; what the peer cannot take yet
 * waits in a bounded output buffer (then frames are dropped, as on a
 * congested wire), and a peer that sends garbage is disconnected.
 *
 * Talks to: the peer, the event loop, the front end. Owns: the sockets,
 * the socket file of listen=, and the buffers.
 */
#define _GNU_SOURCE /* accept4 */
#include "net_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define HDR 4
#define WBUF_CAP (1u << 20) /* queued output before frames are dropped */
#define RETRY_NS 1000000000
#define READ_BUDGET 64

struct sock {
	struct net_common c;
	bool listening;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd, fd;	 /* listening socket, peer (-1 = none) */
	short fd_events; /* what the loop watches on fd (0 = nothing) */
	uint8_t *rbuf;	 /* HDR + NET_MAX_FRAME: one frame being read */
	size_t rlen;
	uint8_t *wbuf; /* bytes the peer has not taken yet */
	size_t wlen;
	int64_t next_retry; /* connect=: when to try again */
	bool tick_added;
};

static struct sock *sock_of(struct net_backend *b)
{
	return (struct sock *)b;
}

static void on_peer(void *opaque, int fd, short revents);

/* Reads pause while the front end is full; writes are watched only while
   output waits. */
static void update_watch(struct sock *s)
{
	short want = 0;
	if (s->fd >= 0) {
		if (!net_queued(&s->c))
			want |= POLLIN;
		if (s->wlen)
			want |= POLLOUT;
	}
	if (!s->c.loop || want == s->fd_events)
		return;
	if (!s->fd_events) {
		if (event_loop_watch(s->c.loop, s->fd, want, on_peer, s) < 0) {
			fprintf(stderr,
				"pvkit: --net socket: event loop full\n");
			return;
		}
	} else if (!want) {
		event_loop_unwatch(s->c.loop, s->fd);
	} else {
		event_loop_set_events(s->c.loop, s->fd, want);
	}
	s->fd_events = want;
}

static void drop_peer(struct sock *s, const char *why)
{
	if (s->fd < 0)
		return;
	if (s->fd_events && s->c.loop)
		event_loop_unwatch(s->c.loop, s->fd);
	s->fd_events = 0;
	close(s->fd);
	s->fd = -1;
	s->rlen = 0;
	s->wlen = 0;
	s->next_retry = net_now_ns() + RETRY_NS;
	fprintf(stderr, "pvkit: --net socket: peer %s; the link is down\n",
		why);
	net_set_link(&s->c, false);
}

static void take_peer(struct sock *s, int fd)
{
	s->fd = fd;
	s->rlen = s->wlen = 0;
	net_set_link(&s->c, true);
	update_watch(s);
}

/* --- receive ------------------------------------------------------------- */

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One frame at a time: read exactly the header, then exactly the frame,
   so no byte of the next frame is ever held back in our buffer while the
   front end is full. */
static void read_frames(struct sock *s)
{
	for (int k = 0; k < READ_BUDGET && s->fd >= 0 && !net_queued(&s->c);) {
		size_t want = HDR;
		if (s->rlen >= HDR) {
			uint32_t flen = get_be32(s->rbuf);
			if (flen == 0 || flen > NET_MAX_FRAME) {
				drop_peer(s, "sent a bad frame length");
				break;
			}
			want = HDR + flen;
		}
		if (s->rlen == want) {
			net_deliver(&s->c, s->rbuf + HDR, want - HDR);
			s->rlen = 0;
			k++;
			continue;
		}
		ssize_t n = recv(s->fd, s->rbuf + s->rlen, want - s->rlen,
				 MSG_DONTWAIT);
		if (n == 0) {
			drop_peer(s, "closed the connection");
		} else if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			drop_peer(s, strerror(errno));
		} else {
			s->rlen += (size_t)n;
		}
	}
	update_watch(s);
}

/* --- send -------------------------------------------------------------------- */

static void flush_out(struct sock *s)
{
	while (s->fd >= 0 && s->wlen) {
		ssize_t n = send(s->fd, s->wbuf, s->wlen,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				drop_peer(s, strerror(errno));
			break;
		}
		memmove(s->wbuf, s->wbuf + n, s->wlen - (size_t)n);
		s->wlen -= (size_t)n;
	}
	update_watch(s);
}

static void append_out(struct sock *s, const uint8_t *p, size_t n)
{
	memcpy(s->wbuf + s->wlen, p, n);
	s->wlen += n;
}

static void sock_send(struct net_backend *b, const struct iovec *iov,
		      int iovcnt)
{
	struct sock *s = sock_of(b);
	size_t len = net_iov_len(iov, iovcnt);
	if (s->fd < 0 || len == 0 || len > NET_MAX_FRAME ||
	    s->wlen + HDR + len > WBUF_CAP) {
		s->c.st.tx_dropped++;
		return;
	}
	uint8_t hdr[HDR];
	put_be32(hdr, (uint32_t)len);
	s->c.st.tx_frames++;
	s->c.st.tx_bytes += len;
	/* Behind output that waits (order matters), or too scattered for
	   one sendmsg: all of it goes to the buffer first. */
	if (s->wlen || iovcnt > 16) {
		append_out(s, hdr, HDR);
		for (int k = 0; k < iovcnt; k++)
			append_out(s, iov[k].iov_base, iov[k].iov_len);
		flush_out(s);
		return;
	}
	struct iovec v[1 + 16];
	int n = 0;
	v[n++] = (struct iovec){hdr, HDR};
	for (int k = 0; k < iovcnt; k++)
		v[n++] = iov[k];
	struct msghdr mh = {.msg_iov = v, .msg_iovlen = (size_t)n};
	ssize_t sent = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			drop_peer(s, strerror(errno));
			return;
		}
		sent = 0;
	}
	/* Whatever the socket did not take is queued: a half-sent frame
	   must be finished or the stream loses its framing. */
	size_t skip = (size_t)sent;
	for (int k = 0; k < n; k++) {
		size_t l = v[k].iov_len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		append_out(s, (const uint8_t *)v[k].iov_base + skip, l - skip);
		skip = 0;
	}
	update_watch(s);
}

/* --- connection management --------------------------------------------------- */

static int unix_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

static int try_connect(const char *path, int *err_out)
{
	struct sockaddr_un a;
	unix_addr(&a, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		*err_out = errno;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void accept_peer(struct sock *s)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (s->fd >= 0) {
			close(fd); /* one wire, two ends: refuse a third */
			continue;
		}
		take_peer(s, fd);
	}
}

static void on_listen(void *opaque, int fd, short revents)
{
	(void)fd;
	(void)revents;
	accept_peer(opaque);
}

static void on_peer(void *opaque, int fd, short revents)
{
	(void)fd;
	struct sock *s = opaque;
	if (revents & POLLOUT)
		flush_out(s);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_frames(s);
}

static void retry_connect(struct sock *s, int64_t now)
{
	if (s->listening || s->fd >= 0 || now < s->next_retry)
		return;
	int e;
	int fd = try_connect(s->path, &e);
	s->next_retry = now + RETRY_NS;
	if (fd < 0)
		return;
	fprintf(stderr, "pvkit: --net socket: connected again to %s\n",
		s->path);
	take_peer(s, fd);
}

static int64_t sock_tick(void *opaque, int64_t now)
{
	struct sock *s = opaque;
	retry_connect(s, now);
	return s->fd < 0 ? s->next_retry : INT64_MAX;
}

/* --- ops ------------------------------------------------------------------------ */

static void sock_rx_ready(struct net_backend *b)
{
	struct sock *s = sock_of(b);
	net_drain(&s->c);
}

static void drained(struct net_common *c)
{
	update_watch((struct sock *)c);
}

static int sock_poll_fds(struct net_backend *b, int *fds, int max)
{
	struct sock *s = sock_of(b);
	int n = 0;
	if (s->lfd >= 0 && n < max)
		fds[n++] = s->lfd;
	if (s->fd >= 0 && n < max)
		fds[n++] = s->fd;
	return n;
}

static void sock_poll(struct net_backend *b, int64_t now_ns)
{
	struct sock *s = sock_of(b);
	if (s->lfd >= 0)
		accept_peer(s);
	retry_connect(s, now_ns);
	net_drain(&s->c);
	flush_out(s);
	read_frames(s);
}

static int64_t sock_deadline(struct net_backend *b)
{
	struct sock *s = sock_of(b);
	return !s->listening && s->fd < 0 ? s->next_retry : INT64_MAX;
}

static void sock_close(struct net_backend *b)
{
	struct sock *s = sock_of(b);
	if (s->tick_added)
		net_loop_remove_tick(s->c.loop, sock_tick, s);
	if (s->fd >= 0) {
		if (s->fd_events && s->c.loop)
			event_loop_unwatch(s->c.loop, s->fd);
		close(s->fd);
	}
	if (s->lfd >= 0) {
		if (s->c.loop)
			event_loop_unwatch(s->c.loop, s->lfd);
		close(s->lfd);
		unlink(s->path);
	}
	net_common_free(&s->c);
	free(s->rbuf);
	free(s->wbuf);
	free(s);
}

static const struct net_ops sock_ops = {
	.send = sock_send,
	.rx_ready = sock_rx_ready,
	.poll_fds = sock_poll_fds,
	.poll = sock_poll,
	.next_deadline_ns = sock_deadline,
	.close = sock_close,
};

/* A socket file left by a pvkit that died is reused; one somebody still
   listens on, or a file of another kind, is not. */
static int open_listen(struct sock *s, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(s->path, &st) == 0) {
		int e, fd;
		if (!S_ISSOCK(st.st_mode)) {
			net_err(err, errlen,
				"--net socket: listen=%s exists and is not a "
				"socket",
				s->path);
			return -1;
		}
		if ((fd = try_connect(s->path, &e)) >= 0) {
			close(fd);
			net_err(err, errlen,
				"--net socket: listen=%s: another process "
				"listens there",
				s->path);
			return -1;
		}
		unlink(s->path);
	}
	struct sockaddr_un a;
	unix_addr(&a, s->path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->lfd, 1) < 0) {
		net_err(err, errlen, "--net socket: listen=%s: %s", s->path,
			strerror(errno));
		if (s->lfd >= 0)
			close(s->lfd);
		s->lfd = -1;
		return -1;
	}
	if (s->c.loop &&
	    event_loop_watch(s->c.loop, s->lfd, POLLIN, on_listen, s) < 0) {
		net_err(err, errlen, "--net socket: event loop full");
		return -1;
	}
	s->c.link_up = false; /* until a peer connects */
	return 0;
}

static int open_connect(struct sock *s, char *err, size_t errlen)
{
	int e;
	int fd = try_connect(s->path, &e);
	if (fd < 0) {
		net_err(err, errlen, "--net socket: connect=%s: %s%s", s->path,
			strerror(e),
			e == ENOENT || e == ECONNREFUSED
				? " (start the listen= side first)"
				: "");
		return -1;
	}
	if (s->c.loop) {
		if (event_loop_add_tick(s->c.loop, sock_tick, s) < 0) {
			close(fd);
			net_err(err, errlen, "--net socket: event loop full");
			return -1;
		}
		s->tick_added = true;
	}
	take_peer(s, fd);
	return 0;
}

struct net_backend *net_socket_open(struct net_opts *o, struct event_loop *loop,
				    char *err, size_t errlen)
{
	const char *lpath = net_opt_take(o, "listen");
	const char *cpath = net_opt_take(o, "connect");
	if (net_opts_check_used(o, err, errlen))
		return NULL;
	if (!lpath == !cpath) {
		net_err(err, errlen,
			"--net socket: give exactly one of listen=PATH or "
			"connect=PATH");
		return NULL;
	}
	const char *path = lpath ? lpath : cpath;
	struct sockaddr_un probe;
	if (!*path || unix_addr(&probe, path)) {
		net_err(err, errlen,
			"--net socket: '%s' is not a usable socket path (1 to "
			"%zu characters)",
			path, sizeof(probe.sun_path) - 1);
		return NULL;
	}
	struct sock *s = calloc(1, sizeof(*s));
	if (!s || net_common_init(&s->c, &sock_ops, loop, "socket", 1) ||
	    !(s->rbuf = malloc(HDR + NET_MAX_FRAME)) ||
	    !(s->wbuf = malloc(WBUF_CAP))) {
		net_err(err, errlen, "--net socket: out of memory");
		if (s) {
			s->fd = s->lfd = -1;
			sock_close(&s->c.nb);
		}
		return NULL;
	}
	s->fd = s->lfd = -1;
	s->listening = lpath != NULL;
	s->c.drained = drained;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (s->listening ? open_listen(s, err, errlen)
			 : open_connect(s, err, errlen)) {
		sock_close(&s->c.nb);
		return NULL;
	}
	return &s->c.nb;
}
