/*
 * The --net option parser and what every network back end shares: the
 * queue for frames the front end has no room for, link notification,
 * counters and small helpers.
 *
 * Talks to: the back ends' constructors (user.c, tap.c, socket.c) and the
 * front end's receive hook. Owns: the parsed option buffer (only while
 * opening) and the queued frames of each back end.
 */
#include "net_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void net_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int64_t net_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- the shared head ------------------------------------------------------- */

int net_common_init(struct net_common *c, const struct net_ops *ops,
		    struct event_loop *loop, const char *kind, unsigned qcap)
{
	static const uint8_t mac[6] = NET_DEFAULT_MAC;
	c->nb.ops = ops;
	memcpy(c->nb.mac, mac, 6);
	c->loop = loop;
	c->kind = kind;
	c->link_up = true;
	c->q_cap = qcap ? qcap : 1;
	c->q = calloc(c->q_cap, sizeof(*c->q));
	return c->q ? 0 : -1;
}

void net_common_free(struct net_common *c)
{
	for (unsigned k = 0; k < c->q_len; k++)
		free(c->q[(c->q_head + k) % c->q_cap].buf);
	free(c->q);
	c->q = NULL;
	c->q_len = 0;
}

static bool front_take(struct net_common *c, const uint8_t *f, size_t len)
{
	if (!c->nb.front.receive(c->nb.front.opaque, f, len))
		return false;
	c->st.rx_frames++;
	c->st.rx_bytes += len;
	return true;
}

bool net_deliver(struct net_common *c, const uint8_t *frame, size_t len)
{
	if (!c->nb.front.receive) {
		c->st.rx_dropped++;
		return false;
	}
	/* Order matters (TCP segments): nothing overtakes a queued frame. */
	if (!c->q_len && front_take(c, frame, len))
		return true;
	uint8_t *copy = c->q_len < c->q_cap ? malloc(len) : NULL;
	if (!copy) {
		c->st.rx_dropped++;
		return false;
	}
	memcpy(copy, frame, len);
	struct net_qslot *s = &c->q[(c->q_head + c->q_len) % c->q_cap];
	s->buf = copy;
	s->len = len;
	c->q_len++;
	return true;
}

void net_drain(struct net_common *c)
{
	if (!c->q_len)
		return;
	while (c->q_len && c->nb.front.receive) {
		struct net_qslot *s = &c->q[c->q_head];
		if (!front_take(c, s->buf, s->len))
			return;
		free(s->buf);
		s->buf = NULL;
		c->q_head = (c->q_head + 1) % c->q_cap;
		c->q_len--;
	}
	if (!c->q_len && c->drained)
		c->drained(c);
}

void net_set_link(struct net_common *c, bool up)
{
	if (up == c->link_up)
		return;
	c->link_up = up;
	if (c->link_fn)
		c->link_fn(c->link_opaque, up);
}

size_t net_iov_len(const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	for (int k = 0; k < iovcnt; k++)
		n += iov[k].iov_len;
	return n;
}

size_t net_iov_gather(const struct iovec *iov, int iovcnt, uint8_t *buf,
		      size_t cap)
{
	size_t n = 0;
	for (int k = 0; k < iovcnt && n < cap; k++) {
		size_t part = iov[k].iov_len;
		if (part > cap - n)
			part = cap - n;
		memcpy(buf + n, iov[k].iov_base, part);
		n += part;
	}
	return n;
}

void net_loop_remove_tick(struct event_loop *l, tick_fn fn, void *opaque)
{
	if (!l)
		return;
	for (int k = 0; k < l->ntick; k++) {
		if (l->tick[k].fn == fn && l->tick[k].opaque == opaque) {
			memmove(&l->tick[k], &l->tick[k + 1],
				(size_t)(l->ntick - k - 1) *
					sizeof(l->tick[0]));
			l->ntick--;
			k--;
		}
	}
}

/* --- public calls ----------------------------------------------------------- */

void net_backend_close(struct net_backend *b)
{
	if (b)
		b->ops->close(b);
}

void net_backend_set_link_notify(struct net_backend *b, net_link_fn fn,
				 void *opaque)
{
	struct net_common *c = net_common_of(b);
	c->link_fn = fn;
	c->link_opaque = opaque;
	if (fn)
		fn(opaque, c->link_up);
}

void net_backend_get_stats(const struct net_backend *b,
			   struct net_backend_stats *out)
{
	*out = ((const struct net_common *)b)->st;
}

/* --- options -------------------------------------------------------------------- */

const char *net_opt_take(struct net_opts *o, const char *key)
{
	for (int k = 0; k < o->n; k++) {
		if (!o->kv[k].used && !strcmp(o->kv[k].key, key)) {
			o->kv[k].used = true;
			return o->kv[k].val ? o->kv[k].val : "";
		}
	}
	return NULL;
}

int net_opts_check_used(const struct net_opts *o, char *err, size_t errlen)
{
	for (int k = 0; k < o->n; k++) {
		if (o->kv[k].used)
			continue;
		net_err(err, errlen, "--net %s: unknown option '%s'", o->kind,
			o->kv[k].key);
		return -1;
	}
	return 0;
}

/* Splits "kind,key=val,key=val" in place. ",," stands for a literal
   comma inside a value, as in QEMU (guestfwd commands need it). */
static int split(struct net_opts *o, const char *spec, char *err, size_t errlen)
{
	o->buf = malloc(strlen(spec) + 1);
	if (!o->buf) {
		net_err(err, errlen, "--net: out of memory");
		return -1;
	}
	char *w = o->buf, *start = w;
	bool first = true;
	for (const char *r = spec;; r++) {
		if (*r == ',' && r[1] == ',') {
			*w++ = ',';
			r++;
			continue;
		}
		if (*r && *r != ',') {
			*w++ = *r;
			continue;
		}
		*w++ = 0;
		if (first) {
			o->kind = start;
			first = false;
		} else if (!*start) {
			net_err(err, errlen, "--net %s: empty option", o->kind);
			return -1;
		} else if (o->n == NET_MAX_OPTS) {
			net_err(err, errlen, "--net %s: too many options",
				o->kind);
			return -1;
		} else {
			char *eq = strchr(start, '=');
			if (eq)
				*eq = 0;
			o->kv[o->n].key = start;
			o->kv[o->n].val = eq ? eq + 1 : NULL;
			o->n++;
		}
		start = w;
		if (!*r)
			break;
	}
	if (!*o->kind) {
		net_err(err, errlen,
			"--net: missing back end (user, tap, tun "
			"or socket)");
		return -1;
	}
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &tail) != 6 ||
	    strlen(s) != 17)
		return -1;
	for (int k = 0; k < 6; k++)
		mac[k] = (uint8_t)v[k];
	bool zero = !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
	return (mac[0] & 1) || zero ? -1 : 0; /* a NIC needs a unicast MAC */
}

/* model=, mac= and pcap= belong to the front end (pcap wraps whatever
   back end comes); take them before the back end sees the list, refusing
   repeats. */
static int take_front_opts(struct net_opts *o, enum net_model *model,
			   uint8_t mac[6], const char **pcap, char *err,
			   size_t errlen)
{
	const char *m = net_opt_take(o, "model");
	const char *a = net_opt_take(o, "mac");
	*pcap = net_opt_take(o, "pcap");
	if (net_opt_take(o, "model") || net_opt_take(o, "mac") ||
	    net_opt_take(o, "pcap")) {
		net_err(err, errlen,
			"--net %s: model=, mac= or pcap= given twice", o->kind);
		return -1;
	}
	if (*pcap && !**pcap) {
		net_err(err, errlen, "--net %s: pcap= needs a file name",
			o->kind);
		return -1;
	}
	*model = NET_MODEL_VIRTIO;
	if (m && !strcmp(m, "ethoc")) {
		*model = NET_MODEL_ETHOC;
	} else if (m && strcmp(m, "virtio") && strcmp(m, "virtio-net")) {
		net_err(err, errlen,
			"--net %s: model '%s' is not virtio or ethoc", o->kind,
			m);
		return -1;
	}
	if (a && parse_mac(a, mac)) {
		net_err(err, errlen,
			"--net %s: mac '%s' is not a unicast MAC like "
			"52:54:00:12:34:56",
			o->kind, a);
		return -1;
	}
	return 0;
}

struct net_backend *net_backend_open(const char *spec, struct event_loop *loop,
				     enum net_model *model, char *err,
				     size_t errlen)
{
	return net_backend_open_nic(spec, 0, loop, model, err, errlen);
}

struct net_backend *net_backend_open_nic(const char *spec, unsigned index,
					 struct event_loop *loop,
					 enum net_model *model, char *err,
					 size_t errlen)
{
	struct net_opts o = {0};
	struct net_backend *b = NULL;
	enum net_model mdl;
	uint8_t mac[6] = NET_DEFAULT_MAC;
	const char *pcap;
	mac[5] = (uint8_t)(mac[5] + index); /* as QEMU numbers its NICs */
	if (split(&o, spec, err, errlen) ||
	    take_front_opts(&o, &mdl, mac, &pcap, err, errlen))
		goto out;
	if (!strcmp(o.kind, "user"))
		b = net_user_open(&o, loop, err, errlen);
	else if (!strcmp(o.kind, "tap"))
		b = net_tap_open(&o, loop, false, err, errlen);
	else if (!strcmp(o.kind, "tun"))
		b = net_tap_open(&o, loop, true, err, errlen);
	else if (!strcmp(o.kind, "socket"))
		b = net_socket_open(&o, loop, err, errlen);
	else
		net_err(err, errlen,
			"--net: unknown back end '%s' (user, tap, tun or "
			"socket)",
			o.kind);
	if (b) {
		memcpy(b->mac, mac, 6);
		if (model)
			*model = mdl;
	}
	if (b && pcap)
		b = net_pcap_open(b, pcap, err, errlen);
out:
	free(o.buf);
	return b;
}
