/*
 * The host side's event loop: every host file descriptor pvkit serves
 * (the console's stdin, network back ends, agent and control sockets) is
 * watched here, between slices of guest execution and while the guest
 * idles. It is the machine's host_poll hook. Single-threaded: callbacks
 * run on the machine thread and may touch the machine.
 */
#ifndef PVKIT_HOST_EVENT_LOOP_H
#define PVKIT_HOST_EVENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct machine;

typedef void (*io_fn)(void *opaque, int fd, short revents);
/* Called on every loop pass (between guest slices, and when a wait
   ends); returns the absolute host monotonic time (ns) by which it needs
   the next call, or INT64_MAX: the idle wait is bounded by that. */
typedef int64_t (*tick_fn)(void *opaque, int64_t now_ns);

#define LOOP_MAX_WATCHES 64
#define LOOP_MAX_TICKS 16

struct event_loop {
	struct {
		int fd;
		short events;
		io_fn fn;
		void *opaque;
	} watch[LOOP_MAX_WATCHES];
	int nwatch;
	struct {
		tick_fn fn;
		void *opaque;
	} tick[LOOP_MAX_TICKS];
	int ntick;
};

void event_loop_init(struct event_loop *l);
/* events: POLLIN/POLLOUT. Returns -1 when full. */
int event_loop_watch(struct event_loop *l, int fd, short events, io_fn fn,
		     void *opaque);
void event_loop_set_events(struct event_loop *l, int fd, short events);
void event_loop_unwatch(struct event_loop *l, int fd);
int event_loop_add_tick(struct event_loop *l, tick_fn fn, void *opaque);

/* The machine's host_poll hook (opaque = struct event_loop *). */
void event_loop_poll(void *opaque, struct machine *m, int64_t timeout_ns);

#endif
