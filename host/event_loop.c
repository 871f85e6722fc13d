#include "event_loop.h"

#include "emulator/platform/vclock.h"

#include <poll.h>
#include <string.h>

void event_loop_init(struct event_loop *l)
{
	memset(l, 0, sizeof(*l));
}

int event_loop_watch(struct event_loop *l, int fd, short events, io_fn fn,
		     void *opaque)
{
	if (l->nwatch == LOOP_MAX_WATCHES)
		return -1;
	l->watch[l->nwatch].fd = fd;
	l->watch[l->nwatch].events = events;
	l->watch[l->nwatch].fn = fn;
	l->watch[l->nwatch].opaque = opaque;
	l->nwatch++;
	return 0;
}

void event_loop_set_events(struct event_loop *l, int fd, short events)
{
	for (int k = 0; k < l->nwatch; k++)
		if (l->watch[k].fd == fd)
			l->watch[k].events = events;
}

void event_loop_unwatch(struct event_loop *l, int fd)
{
	for (int k = 0; k < l->nwatch; k++) {
		if (l->watch[k].fd != fd)
			continue;
		l->watch[k] = l->watch[--l->nwatch];
		k--;
	}
}

int event_loop_add_tick(struct event_loop *l, tick_fn fn, void *opaque)
{
	if (l->ntick == LOOP_MAX_TICKS)
		return -1;
	l->tick[l->ntick].fn = fn;
	l->tick[l->ntick].opaque = opaque;
	l->ntick++;
	return 0;
}

static int64_t run_ticks(struct event_loop *l, int64_t now)
{
	int64_t next = INT64_MAX;
	for (int k = 0; k < l->ntick; k++) {
		int64_t t = l->tick[k].fn(l->tick[k].opaque, now);
		if (t < next)
			next = t;
	}
	return next;
}

void event_loop_poll(void *opaque, struct machine *m, int64_t timeout_ns)
{
	(void)m;
	struct event_loop *l = opaque;
	int64_t now = host_monotonic_ns();
	int64_t next = run_ticks(l, now);
	if (next != INT64_MAX && timeout_ns > 0) {
		int64_t until = next - now;
		if (until < timeout_ns)
			timeout_ns = until < 0 ? 0 : until;
	}
	struct pollfd p[LOOP_MAX_WATCHES];
	int n = l->nwatch;
	for (int k = 0; k < n; k++) {
		p[k].fd = l->watch[k].fd;
		p[k].events = l->watch[k].events;
		p[k].revents = 0;
	}
	int timeout_ms =
		timeout_ns <= 0 ? 0 : (int)((timeout_ns + 999999) / 1000000);
	int r = poll(p, (nfds_t)n, timeout_ms);
	if (r > 0) {
		/* callbacks may unwatch: dispatch from the snapshot by fd */
		for (int k = 0; k < n; k++) {
			if (!p[k].revents)
				continue;
			for (int w = 0; w < l->nwatch; w++) {
				if (l->watch[w].fd == p[k].fd) {
					l->watch[w].fn(l->watch[w].opaque,
						       p[k].fd, p[k].revents);
					break;
				}
			}
		}
	}
	if (r > 0 && l->ntick)
		run_ticks(l, host_monotonic_ns());
}
