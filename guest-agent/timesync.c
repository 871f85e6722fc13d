#include "timesync.h"

#include "../protocol/hypercall.h"

#include <errno.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

static bool pvkit_ping(void)
{
#ifdef __riscv
	register unsigned long a0 __asm__("a0") = 41;
	__asm__ volatile("srai x0, x0, %1"
			 : "+r"(a0)
			 : "i"(PVKIT_MAGIC_PING)
			 : "memory");
	return a0 == 42;
#else
	return false;
#endif
}

/* a0 = host ns, a1 = time CSR, a2 = disruption counter */
static void pvkit_host_time(int64_t *host_ns, uint64_t *gen)
{
#ifdef __riscv
	register unsigned long a0 __asm__("a0") = 0;
	register unsigned long a1 __asm__("a1") = 0;
	register unsigned long a2 __asm__("a2") = 0;
	__asm__ volatile("srai x0, x0, %3"
			 : "+r"(a0), "+r"(a1), "+r"(a2)
			 : "i"(PVKIT_MAGIC_HOST_TIME)
			 : "memory");
	*host_ns = (int64_t)a0;
	*gen = a2;
#else
	*host_ns = 0;
	*gen = 0;
#endif
}

static int64_t realtime_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void timesync_init(struct timesync *ts, const struct agent *ag,
		   long long interval_ms, long long step_ms, long long now_ms)
{
	memset(ts, 0, sizeof(*ts));
	ts->interval_ms = interval_ms;
	ts->step_ns = step_ms * 1000000;
	ts->on_pvkit = !AGENT_IS_DRY_RUN && pvkit_ping();
	ts->next_ms = now_ms; /* first sync right away */
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

static void step(const struct agent *ag, int64_t offset, uint64_t gen,
		 bool disrupted)
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
	agent_log(ag, 0, "time sync: stepped by %+lld us (%s, disruptions %llu)",
		  (long long)(offset / 1000),
		  disrupted ? "disruption" : "large offset",
		  (unsigned long long)gen);
}

static void slew(const struct agent *ag, int64_t offset)
{
	/* adjtime()-style one-shot slew, in microseconds; independent of
	   the kernel PLL */
	struct timex tx = {.modes = ADJ_OFFSET_SINGLESHOT,
			   .offset = (long)(offset / 1000)};
	if (adjtimex(&tx) < 0)
		agent_log(ag, 0, "time sync: adjtimex: %s", strerror(errno));
	else
		agent_log(ag, 2, "time sync: slewing %+lld us",
			  (long long)(offset / 1000));
}

void timesync_tick(struct timesync *ts, const struct agent *ag,
		   long long now_ms)
{
	if (ts->interval_ms <= 0 || !ts->on_pvkit || now_ms < ts->next_ms)
		return;
	ts->next_ms = now_ms + ts->interval_ms;

	int64_t host;
	uint64_t gen;
	int64_t g0 = realtime_ns();
	pvkit_host_time(&host, &gen);
	int64_t g1 = realtime_ns();
	int64_t offset = host - (g0 + (g1 - g0) / 2); /* > 0: guest behind */

	bool disrupted = ts->have_gen && gen != ts->gen;
	ts->gen = gen;
	ts->have_gen = true;
	int64_t mag = offset < 0 ? -offset : offset;
	/* never step backwards by less than the threshold: slew that */
	bool small_back = offset < 0 && mag <= ts->step_ns;
	if ((disrupted && !small_back) || mag > ts->step_ns)
		step(ag, offset, gen, disrupted);
	else
		slew(ag, offset);
}
