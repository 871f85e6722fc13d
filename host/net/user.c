/*
 * The user back end (`--net user`): libslirp's NAT, as QEMU's -netdev user
 * sets it up. The guest sees 10.0.2.0/24 with the host at 10.0.2.2, DNS
 * at 10.0.2.3 and DHCP leases from 10.0.2.15 (IPv6: fec0::/64); its TCP
 * and UDP become host sockets. hostfwd (bound to 127.0.0.1 unless told
 * otherwise), guestfwd to a command or a unix socket, TFTP and restrict
 * are slirp's own.
 *
 * Slirp's sockets change all the time, so each event-loop pass (a tick)
 * first hands slirp the readiness of the fds it asked for last time
 * (polled afresh, without waiting), then asks it for the new set
 * (slirp_pollfds_fill) and makes the loop watch exactly those, so that
 * the loop's wait wakes for them. Slirp's timers live here too.
 *
 * Talks to: libslirp, the event loop, the front end. Owns: the Slirp
 * instance, its timers and the poll set.
 */
#include "net_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Frames slirp sends while the front end is full: a TCP window's worth,
   beyond that slirp's TCP retransmits. */
#define USER_QUEUE 256

struct utimer {
	struct utimer *next;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* -1 = not armed */
};

struct user {
	struct net_common c;
	Slirp *slirp;
	struct utimer *timers;
	struct pollfd *pfd; /* the set of the last fill */
	int npfd, cap;
	int *watched; /* fds the loop watches for us */
	int nwatched, wcap;
	bool filled, overflow, tick_added;
	int64_t fill_deadline;
	uint8_t *tbuf; /* a scattered guest frame, gathered for slirp_input */
};

static struct user *user_of(struct net_backend *b)
{
	return (struct user *)b;
}

/* --- slirp callbacks ---------------------------------------------------------- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct user *u = opaque;
	net_deliver(&u->c, buf, len);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	fprintf(stderr, "pvkit: --net user: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return net_now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct user *u = opaque;
	struct utimer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = u->timers;
	u->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct user *u = opaque;
	for (struct utimer **p = &u->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = ((struct utimer *)timer)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	if (timer)
		((struct utimer *)timer)->expire_ms = expire_ms;
}

static void cb_fd_noop(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque; /* single-threaded: the next pass sees it */
}

static const SlirpCb user_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_fd_noop,
	.unregister_poll_fd = cb_fd_noop,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* --- the poll set ------------------------------------------------------------- */

static short to_poll(int ev)
{
	short e = 0;
	e |= ev & SLIRP_POLL_IN ? POLLIN : 0;
	e |= ev & SLIRP_POLL_OUT ? POLLOUT : 0;
	e |= ev & SLIRP_POLL_PRI ? POLLPRI : 0;
	e |= ev & SLIRP_POLL_ERR ? POLLERR : 0;
	e |= ev & SLIRP_POLL_HUP ? POLLHUP : 0;
	return e;
}

static int add_poll(int fd, int events, void *opaque)
{
	struct user *u = opaque;
	if (u->npfd == u->cap) {
		int cap = u->cap ? 2 * u->cap : 16;
		struct pollfd *p = realloc(u->pfd, (size_t)cap * sizeof(*p));
		if (!p)
			return -1; /* slirp then just does not poll it */
		u->pfd = p;
		u->cap = cap;
	}
	u->pfd[u->npfd] = (struct pollfd){fd, to_poll(events), 0};
	return u->npfd++;
}

static int get_revents(int idx, void *opaque)
{
	struct user *u = opaque;
	if (idx < 0 || idx >= u->npfd)
		return 0;
	short r = u->pfd[idx].revents;
	int e = 0;
	e |= r & POLLIN ? SLIRP_POLL_IN : 0;
	e |= r & POLLOUT ? SLIRP_POLL_OUT : 0;
	e |= r & POLLPRI ? SLIRP_POLL_PRI : 0;
	e |= r & POLLERR ? SLIRP_POLL_ERR : 0;
	e |= r & POLLHUP ? SLIRP_POLL_HUP : 0;
	return e;
}

/* The loop only needs to wake for these fds: the tick reads their state
   itself with a poll that does not wait. */
static void on_fd(void *opaque, int fd, short revents)
{
	(void)opaque;
	(void)fd;
	(void)revents;
}

static bool in_set(const struct user *u, int fd)
{
	for (int k = 0; k < u->npfd; k++)
		if (u->pfd[k].fd == fd)
			return true;
	return false;
}

static void sync_watches(struct user *u)
{
	struct event_loop *l = u->c.loop;
	for (int k = 0; k < u->nwatched; k++) {
		if (in_set(u, u->watched[k]))
			continue;
		event_loop_unwatch(l, u->watched[k]);
		u->watched[k--] = u->watched[--u->nwatched];
	}
	u->overflow = false;
	for (int k = 0; k < u->npfd; k++) {
		int fd = u->pfd[k].fd, w;
		for (w = 0; w < u->nwatched && u->watched[w] != fd; w++)
			;
		if (w < u->nwatched) {
			event_loop_set_events(l, fd, u->pfd[k].events);
			continue;
		}
		if (u->nwatched == u->wcap) {
			int cap = u->wcap ? 2 * u->wcap : 16;
			int *p = realloc(u->watched, (size_t)cap * sizeof(*p));
			if (!p) {
				u->overflow = true;
				continue;
			}
			u->watched = p;
			u->wcap = cap;
		}
		if (event_loop_watch(l, fd, u->pfd[k].events, on_fd, u) < 0) {
			u->overflow = true; /* sampled by a short deadline */
			continue;
		}
		u->watched[u->nwatched++] = fd;
	}
}

/* --- one pass ------------------------------------------------------------------- */

static int64_t run_timers(struct user *u, int64_t now)
{
	int64_t now_ms = now / 1000000, next = INT64_MAX;
	/* A handler may add, change or free timers: rescan after each. */
	for (bool fired = true; fired;) {
		fired = false;
		for (struct utimer *t = u->timers; t; t = t->next) {
			if (t->expire_ms < 0 || t->expire_ms > now_ms)
				continue;
			t->expire_ms = -1;
			slirp_handle_timer(u->slirp, t->id, t->cb_opaque);
			fired = true;
			break;
		}
	}
	for (struct utimer *t = u->timers; t; t = t->next)
		if (t->expire_ms >= 0 && t->expire_ms * 1000000 < next)
			next = t->expire_ms * 1000000;
	return next;
}

static void front_flush(struct user *u)
{
	if (u->c.nb.front.flush)
		u->c.nb.front.flush(u->c.nb.front.opaque);
}

static int64_t user_pass(struct user *u, int64_t now)
{
	if (u->filled) {
		int r = poll(u->pfd, (nfds_t)u->npfd, 0);
		if (r < 0)
			for (int k = 0; k < u->npfd; k++)
				u->pfd[k].revents = 0;
		slirp_pollfds_poll(u->slirp, r < 0, get_revents, u);
		u->filled = false;
	}
	int64_t next = run_timers(u, now);
	net_drain(&u->c);
	front_flush(u);
	uint32_t timeout = UINT32_MAX;
	u->npfd = 0;
	slirp_pollfds_fill(u->slirp, &timeout, add_poll, u);
	u->filled = true;
	if (u->c.loop)
		sync_watches(u);
	u->fill_deadline = now + (int64_t)timeout * 1000000;
	if (u->overflow)
		u->fill_deadline = now + 1000000;
	return u->fill_deadline < next ? u->fill_deadline : next;
}

static int64_t user_tick(void *opaque, int64_t now)
{
	return user_pass(opaque, now);
}

/* --- ops -------------------------------------------------------------------------- */

static void user_send(struct net_backend *b, const struct iovec *iov,
		      int iovcnt)
{
	struct user *u = user_of(b);
	size_t len = net_iov_len(iov, iovcnt);
	u->c.st.tx_frames++;
	u->c.st.tx_bytes += len;
	if (iovcnt == 1) {
		slirp_input(u->slirp, iov[0].iov_base, (int)len);
	} else {
		len = net_iov_gather(iov, iovcnt, u->tbuf, NET_MAX_FRAME);
		slirp_input(u->slirp, u->tbuf, (int)len);
	}
	front_flush(u); /* what slirp answered with */
}

static void user_rx_ready(struct net_backend *b)
{
	net_drain(&user_of(b)->c);
	front_flush(user_of(b));
}

static int user_poll_fds(struct net_backend *b, int *fds, int max)
{
	struct user *u = user_of(b);
	int n = 0;
	for (int k = 0; k < u->npfd && n < max; k++)
		fds[n++] = u->pfd[k].fd;
	return n;
}

static void user_poll(struct net_backend *b, int64_t now_ns)
{
	user_pass(user_of(b), now_ns);
}

static int64_t user_deadline(struct net_backend *b)
{
	struct user *u = user_of(b);
	int64_t next = u->filled ? u->fill_deadline : 0;
	for (struct utimer *t = u->timers; t; t = t->next)
		if (t->expire_ms >= 0 && t->expire_ms * 1000000 < next)
			next = t->expire_ms * 1000000;
	return next;
}

static void user_close(struct net_backend *b)
{
	struct user *u = user_of(b);
	if (u->tick_added)
		net_loop_remove_tick(u->c.loop, user_tick, u);
	for (int k = 0; k < u->nwatched; k++)
		event_loop_unwatch(u->c.loop, u->watched[k]);
	if (u->slirp)
		slirp_cleanup(u->slirp); /* frees its timers through us */
	while (u->timers)
		cb_timer_free(u->timers, u);
	net_common_free(&u->c);
	free(u->pfd);
	free(u->watched);
	free(u->tbuf);
	free(u);
}

static const struct net_ops user_ops = {
	.send = user_send,
	.rx_ready = user_rx_ready,
	.poll_fds = user_poll_fds,
	.poll = user_poll,
	.next_deadline_ns = user_deadline,
	.close = user_close,
};

/* --- options ---------------------------------------------------------------------- */

static int parse_port(const char *s, int *port)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* "ADDR:PORT" with ADDR optional (then def); ADDR may not contain ':'. */
static int parse_addr_port(char *s, struct in_addr *a, const char *def,
			   int *port)
{
	char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	*colon = 0;
	const char *addr = *s ? s : def;
	if (inet_pton(AF_INET, addr, a) != 1)
		return -1;
	return parse_port(colon + 1, port);
}

/* [tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT */
static int add_hostfwd(struct user *u, const char *spec, char *err,
		       size_t errlen)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *dash = strchr(buf, '-'), *p = buf;
	bool udp = false;
	if (!strncmp(p, "tcp:", 4)) {
		p += 4;
	} else if (!strncmp(p, "udp:", 4)) {
		udp = true;
		p += 4;
	} else if (*p == ':') {
		p++;
	} else {
		dash = NULL;
	}
	struct in_addr ha, ga;
	int hp, gp;
	if (!dash || (*dash = 0, parse_addr_port(p, &ha, "127.0.0.1", &hp)) ||
	    parse_addr_port(dash + 1, &ga, "0.0.0.0", &gp)) {
		net_err(err, errlen,
			"--net user: hostfwd '%s' is not "
			"[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT "
			"with ports 1..65535",
			spec);
		return -1;
	}
	if (slirp_add_hostfwd(u->slirp, udp, ha, hp, ga, gp) < 0) {
		net_err(err, errlen,
			"--net user: hostfwd '%s': cannot listen on %s:%d "
			"(in use?)",
			spec, inet_ntoa(ha), hp);
		return -1;
	}
	return 0;
}

/* guestfwd to tcp:ADDR:PORT: each guest connection starts
   `pvkit net-relay ADDR PORT` (relay.c) through slirp's exec forwarding,
   so it gets its own host connection. -2 = a bad target (message in
   err), otherwise slirp's answer. */
static int add_tcp_relay(struct user *u, const char *target, struct in_addr *ga,
			 int gp, char *err, size_t errlen)
{
	char spec[64], self[4096], cmd[4200];
	snprintf(spec, sizeof(spec), "%s", target);
	struct in_addr ha;
	int hp;
	if (strlen(target) >= sizeof(spec) ||
	    parse_addr_port(spec, &ha, "", &hp)) {
		net_err(err, errlen,
			"--net user: guestfwd target 'tcp:%s' is not "
			"tcp:IPV4ADDR:PORT",
			target);
		return -2;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || memchr(self, '\'', (size_t)n)) {
		net_err(err, errlen,
			"--net user: guestfwd to tcp: cannot find pvkit's own "
			"path");
		return -2;
	}
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "'%s' net-relay %s %d", self, inet_ntoa(ha),
		 hp);
	return slirp_add_exec(u->slirp, cmd, ga, gp);
}

/* tcp:GADDR:GPORT-cmd:COMMAND | -unix:PATH | -tcp:ADDR:PORT */
static int add_guestfwd(struct user *u, const char *spec, char *err,
			size_t errlen)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *dash = strchr(buf, '-'), *p = buf;
	if (!strncmp(p, "tcp:", 4))
		p += 4;
	else if (*p == ':')
		p++;
	struct in_addr ga;
	int gp, rc = -1;
	if (!dash || (*dash = 0, parse_addr_port(p, &ga, "", &gp))) {
		net_err(err, errlen,
			"--net user: guestfwd '%s' is not "
			"tcp:GUESTADDR:PORT-cmd:COMMAND, "
			"tcp:GUESTADDR:PORT-unix:PATH or "
			"tcp:GUESTADDR:PORT-tcp:HOSTADDR:HOSTPORT",
			spec);
		return -1;
	}
	const char *target = dash + 1;
	if (!strncmp(target, "cmd:", 4) && target[4]) {
		rc = slirp_add_exec(u->slirp, target + 4, &ga, gp);
	} else if (!strncmp(target, "unix:", 5) && target[5]) {
		rc = slirp_add_unix(u->slirp, target + 5, &ga, gp);
	} else if (!strncmp(target, "tcp:", 4)) {
		rc = add_tcp_relay(u, target + 4, &ga, gp, err, errlen);
		if (rc == -2)
			return -1; /* said why already */
	} else {
		net_err(err, errlen,
			"--net user: guestfwd '%s': the target must be "
			"cmd:COMMAND, unix:PATH or tcp:HOSTADDR:HOSTPORT",
			spec);
		return -1;
	}
	if (rc < 0)
		net_err(err, errlen,
			"--net user: guestfwd '%s': refused (the address must "
			"be in 10.0.2.0/24, not a slirp service, and unused)",
			spec);
	return rc < 0 ? -1 : 0;
}

static int on_off(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !*v)
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

static int configure(struct user *u, struct net_opts *o, char *err,
		     size_t errlen)
{
	const char *tftp = net_opt_take(o, "tftp");
	const char *bootfile = net_opt_take(o, "bootfile");
	const char *restrict_ = net_opt_take(o, "restrict");
	bool restricted = false;
	/* hostfwd= and guestfwd= may repeat: look at them after slirp
	   exists; mark them known now so that the check passes */
	for (int k = 0; k < o->n; k++)
		if (!strcmp(o->kv[k].key, "hostfwd") ||
		    !strcmp(o->kv[k].key, "guestfwd"))
			o->kv[k].used = true;
	if (net_opts_check_used(o, err, errlen))
		return -1;
	if (restrict_ && on_off(restrict_, &restricted)) {
		net_err(err, errlen,
			"--net user: restrict='%s' is not on or off",
			restrict_);
		return -1;
	}
	struct stat st;
	if (tftp && (stat(tftp, &st) || !S_ISDIR(st.st_mode))) {
		net_err(err, errlen, "--net user: tftp=%s is not a directory",
			tftp);
		return -1;
	}
	SlirpConfig cfg = {
		.version = 4,
		.restricted = restricted,
		.in_enabled = true,
		.in6_enabled = true,
		.vprefix_len = 64,
		.vhostname = "pvkit",
		.tftp_path = tftp,
		.bootfile = bootfile,
	};
	inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
	inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
	inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
	inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
	inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);
	u->slirp = slirp_new(&cfg, &user_callbacks, u);
	if (!u->slirp) {
		net_err(err, errlen, "--net user: slirp_new failed");
		return -1;
	}
	for (int k = 0; k < o->n; k++) {
		const char *key = o->kv[k].key, *val = o->kv[k].val;
		if (!val)
			val = "";
		if (!strcmp(key, "hostfwd") && add_hostfwd(u, val, err, errlen))
			return -1;
		if (!strcmp(key, "guestfwd") &&
		    add_guestfwd(u, val, err, errlen))
			return -1;
	}
	return 0;
}

struct net_backend *net_user_open(struct net_opts *o, struct event_loop *loop,
				  char *err, size_t errlen)
{
	struct user *u = calloc(1, sizeof(*u));
	if (!u || net_common_init(&u->c, &user_ops, loop, "user", USER_QUEUE) ||
	    !(u->tbuf = malloc(NET_MAX_FRAME))) {
		net_err(err, errlen, "--net user: out of memory");
		if (u)
			user_close(&u->c.nb);
		return NULL;
	}
	/* slirp builds every frame it sends, checksums included, and sends
	   only inside a pass or slirp_input, after which we flush */
	u->c.nb.rx_csum_trusted = true;
	u->c.nb.rx_flushes = true;
	if (configure(u, o, err, errlen)) {
		user_close(&u->c.nb);
		return NULL;
	}
	if (loop) {
		if (event_loop_add_tick(loop, user_tick, u) < 0) {
			net_err(err, errlen, "--net user: event loop full");
			user_close(&u->c.nb);
			return NULL;
		}
		u->tick_added = true;
	}
	return &u->c.nb;
}
