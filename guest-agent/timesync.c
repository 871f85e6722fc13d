#include "timesync.h"

#include "../guest-drivers/linux/tools/pvkit_magic.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

void timesync_clock_stepped(void)
{
	pvkit_magic_clock_stepped();
}

static int64_t realtime_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The kernel's tick length in us: 1e6 / USER_HZ nominal, adjustable by
   +-10% with ADJ_TICK, the only knob that slews faster than adjtime's
   500 ppm (chrony's fast slew uses it the same way). */
static long nominal_tick_us(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return 1000000 / (hz > 0 ? hz : 100);
}

void timesync_init(struct timesync *ts, const struct agent *ag,
		   long long interval_ms, long long step_ms, long long now_ms)
{
	memset(ts, 0, sizeof(*ts));
	ts->interval_ms = interval_ms;
	ts->step_ns = step_ms * 1000000;
	ts->on_pvkit = !AGENT_IS_DRY_RUN && pvkit_magic_ping();
	ts->next_ms = now_ms; /* first sync right away */
	ts->tick_us = nominal_tick_us();
	if (interval_ms > 0)
		agent_log(ag, 0, "time sync: %s",
			  ts->on_pvkit ? "on (pvkit paravirtual clock)"
				       : "off (not on pvkit)");
}

long long timesync_timeout(const struct timesync *ts, long long now_ms)
{
	if (ts->interval_ms <= 0 || !ts->on_pvkit)
		return -1;
	return ts->next_ms > now_ms ? ts->next_ms - now_ms : 0;
}

static void set_tick(struct timesync *ts, const struct agent *ag, long tick)
{
	if (tick == ts->tick_us)
		return;
	struct timex tx = {.modes = ADJ_TICK, .tick = tick};
	if (adjtimex(&tx) < 0) {
		agent_log(ag, 0, "time sync: adjtimex(tick %ld): %s", tick,
			  strerror(errno));
		return;
	}
	ts->tick_us = tick;
}

static void step(struct timesync *ts, const struct agent *ag, int64_t offset,
		 uint64_t gen, bool disrupted)
{
	int64_t t = realtime_ns() + offset;
	struct timespec ns = {.tv_sec = t / 1000000000,
			      .tv_nsec = t % 1000000000};
	if (clock_settime(CLOCK_REALTIME, &ns) < 0) {
		agent_log(ag, 0, "time sync: clock_settime: %s",
			  strerror(errno));
		return;
	}
	/* a pending slew would pull the fresh time off again */
	struct timex tx = {.modes = ADJ_OFFSET_SINGLESHOT, .offset = 0};
	adjtimex(&tx);
	set_tick(ts, ag, nominal_tick_us());
	agent_log(ag, 0, "time sync: stepped by %+lld us (%s, disruptions %llu)",
		  (long long)(offset / 1000),
		  disrupted ? "disruption" : "large offset",
		  (unsigned long long)gen);
}

/* Slews the offset away over about one interval: adjtime()'s one-shot
   slew (500 ppm at most) when that is fast enough, else a longer or
   shorter tick (up to +-10%) until the next look, which sets it anew. */
static void slew(struct timesync *ts, const struct agent *ag, int64_t offset)
{
	long nominal = nominal_tick_us();
	/* ppm = offset / interval */
	int64_t ppm = offset / 1000 * 1000 / (ts->interval_ms ? ts->interval_ms : 1);
	int64_t remainder = offset;
	long tick = nominal;
	if (ppm > 500 || ppm < -500) {
		int64_t d = ppm * nominal / 1000000; /* us per tick */
		if (d > nominal / 10)
			d = nominal / 10;
		if (d < -nominal / 10)
			d = -nominal / 10;
		tick = nominal + (long)d;
		remainder = 0; /* the next look measures what is left */
	}
	set_tick(ts, ag, tick);
	struct timex tx = {.modes = ADJ_OFFSET_SINGLESHOT,
			   .offset = (long)(remainder / 1000)};
	if (adjtimex(&tx) < 0)
		agent_log(ag, 0, "time sync: adjtimex: %s", strerror(errno));
	else
		agent_log(ag, 2, "time sync: slewing %+lld us (tick %ld us)",
			  (long long)(offset / 1000), tick);
}

void timesync_tick(struct timesync *ts, const struct agent *ag,
		   long long now_ms)
{
	if (ts->interval_ms <= 0 || !ts->on_pvkit || now_ms < ts->next_ms)
		return;
	ts->next_ms = now_ms + ts->interval_ms;

	/* the tightest of a few back-to-back reads: one the host did not
	   preempt in the middle of (as phc2sys picks its samples) */
	int64_t offset = 0, best = INT64_MAX;
	uint64_t gen = 0;
	bool wanted = false;
	for (int k = 0; k < TIMESYNC_READS; k++) {
		int64_t g0 = realtime_ns();
		struct pvkit_host_time t = pvkit_magic_host_time();
		int64_t g1 = realtime_ns();
		gen = t.disruptions;
		wanted = t.sync_wanted;
		if (g1 - g0 < best) {
			best = g1 - g0;
			offset = t.host_ns - (g0 + (g1 - g0) / 2); /* > 0: behind */
		}
	}

	if (wanted != ts->host_wants_sync || !ts->have_gen)
		agent_log(ag, 0, "time sync: the host %s",
			  wanted ? "asks for it (--time-sync on)"
				 : "does not want it (--time-sync off)");
	ts->host_wants_sync = wanted;
	if (!wanted) { /* e.g. --icount: leave a deterministic clock alone */
		set_tick(ts, ag, nominal_tick_us()); /* no-op unless we slewed */
		ts->have_gen = true;
		ts->gen = gen;
		return;
	}
	bool disrupted = ts->have_gen && gen != ts->gen;
	ts->gen = gen;
	ts->have_gen = true;
	int64_t mag = offset < 0 ? -offset : offset;
	/* never step backwards by less than the threshold: slew that */
	bool small_back = offset < 0 && mag <= ts->step_ns;
	if ((disrupted && !small_back) || mag > ts->step_ns)
		step(ts, ag, offset, gen, disrupted);
	else
		slew(ts, ag, offset);
}
