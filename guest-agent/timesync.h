/*
 * Paravirtual time sync: on pvkit the agent keeps the guest's wall clock
 * on the host's. Every interval it reads host time with the magic
 * instruction (protocol/hypercall.h, PVKIT_MAGIC_HOST_TIME), steps the
 * clock after a disruption (stop/cont, a host step) or a large offset,
 * and slews it with adjtimex otherwise. The host has the last word: when
 * pvkit runs with --time-sync off (the default under --icount) the same
 * call says so and the agent leaves the clock alone.
 */
#ifndef PVKIT_AGENT_TIMESYNC_H
#define PVKIT_AGENT_TIMESYNC_H

#include "agent.h"

#include <stdbool.h>
#include <stdint.h>

#define TIMESYNC_INTERVAL_MS_DEFAULT 1000
#define TIMESYNC_STEP_MS_DEFAULT 200
#define TIMESYNC_READS 5 /* host time reads per look */

struct timesync {
	long long interval_ms; /* 0: off */
	long long step_ns;     /* step above this offset */
	bool on_pvkit;	       /* probed once with PVKIT_MAGIC_PING */
	bool host_wants_sync;  /* as of the last look */
	bool have_gen;
	uint64_t gen; /* last disruption counter seen */
	long long next_ms;
	long tick_us; /* the kernel tick length we last set */
};

/* Probes for pvkit; leaves sync off elsewhere (on QEMU the magic
   instruction is a no-op). */
void timesync_init(struct timesync *ts, const struct agent *ag,
		   long long interval_ms, long long step_ms, long long now_ms);
/* ms until the next sync is due (-1: never) */
long long timesync_timeout(const struct timesync *ts, long long now_ms);
/* Tells pvkit that the guest's clock was just stepped for the host
   (guest-set-time), so every reader of the paravirtual clock steps rather
   than slews. */
void timesync_clock_stepped(void);
/* Syncs when due. */
void timesync_tick(struct timesync *ts, const struct agent *ag,
		   long long now_ms);

#endif
