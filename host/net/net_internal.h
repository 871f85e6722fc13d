/*
 * What the network back ends share (net.c) and how net.c reaches them:
 * the common head every back end starts with (the net_backend the front
 * end sees, the event loop, the receive queue for frames the front end
 * had no room for, link state, counters), the parsed option list, and
 * each back end's constructor.
 *
 * Talks to: the front end through net_backend.front, the event loop.
 * Owns: the queued frames.
 */
#ifndef PVKIT_HOST_NET_INTERNAL_H
#define PVKIT_HOST_NET_INTERNAL_H

#include "host/event_loop.h"
#include "host/net/net.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Largest frame any back end carries: 64 KiB of payload plus headers
   (TAP with a big MTU, GSO-less). */
#define NET_MAX_FRAME (65536 + 64)

struct net_common {
	struct net_backend nb; /* first: ops get &nb and cast back */
	struct event_loop *loop;
	const char *kind; /* "user", "tap", ... for messages */

	/* Frames the front end refused, oldest first (a ring). */
	struct net_qslot {
		uint8_t *buf;
		size_t len;
	} * q;
	unsigned q_head, q_len, q_cap;
	/* Called when the queue empties: fd back ends read again. */
	void (*drained)(struct net_common *c);

	bool link_up;
	net_link_fn link_fn;
	void *link_opaque;

	struct net_backend_stats st;
};

static inline struct net_common *net_common_of(struct net_backend *b)
{
	return (struct net_common *)b;
}

/* qcap: how many refused frames to keep before dropping. */
int net_common_init(struct net_common *c, const struct net_ops *ops,
		    struct event_loop *loop, const char *kind, unsigned qcap);
void net_common_free(struct net_common *c);

/* Hands a frame to the front end, or queues it behind earlier ones.
   Returns false when it had to be dropped (queue full, no front end). */
bool net_deliver(struct net_common *c, const uint8_t *frame, size_t len);
/* The front end's rx_ready: delivers queued frames while it takes them. */
void net_drain(struct net_common *c);
static inline bool net_queued(const struct net_common *c)
{
	return c->q_len != 0;
}

void net_set_link(struct net_common *c, bool up);

size_t net_iov_len(const struct iovec *iov, int iovcnt);
/* Copies up to cap bytes; returns the number copied. */
size_t net_iov_gather(const struct iovec *iov, int iovcnt, uint8_t *buf,
		      size_t cap);

/* The event loop has no call to drop a tick; a closing back end takes
   its entry out of the (public) tick table itself. */
void net_loop_remove_tick(struct event_loop *l, tick_fn fn, void *opaque);

int64_t net_now_ns(void);

/* --- options --------------------------------------------------------------- */

#define NET_MAX_OPTS 32

struct net_opts {
	char *buf; /* the spec with separators replaced by NULs */
	const char *kind;
	int n;
	struct {
		const char *key, *val; /* val NULL for a bare word */
		bool used;
	} kv[NET_MAX_OPTS];
};

/* The next unused option with this key, marked used; NULL if none. */
const char *net_opt_take(struct net_opts *o, const char *key);
/* One-line error for the first option nobody took; 0 if none. */
int net_opts_check_used(const struct net_opts *o, char *err, size_t errlen);

void net_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- back ends ----------------------------------------------------------------- */

struct net_backend *net_user_open(struct net_opts *o, struct event_loop *loop,
				  char *err, size_t errlen);
struct net_backend *net_tap_open(struct net_opts *o, struct event_loop *loop,
				 bool tun, char *err, size_t errlen);
struct net_backend *net_socket_open(struct net_opts *o, struct event_loop *loop,
				    char *err, size_t errlen);

#endif
