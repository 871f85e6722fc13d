#include "vclock.h"

#include "memmap.h"

#include <time.h>

int64_t host_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t host_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#define NS_PER_TICK (1000000000 / TIMEBASE_HZ)
#define ICOUNT_EPOCH_NS (946684800ll * 1000000000)

void vclock_init(struct vclock *c, bool icount, uint64_t cpu_hz,
		 const uint64_t *instret)
{
	c->icount = icount;
	c->cpu_hz = cpu_hz ? cpu_hz : 1000000000;
	c->instret = instret;
	c->host_base_ns = host_monotonic_ns();
	c->aligned = false;
	c->align_mark_ns = c->host_base_ns;
	c->align_mark_ticks = 0;
	c->base_ticks = 0;
	c->idle_ticks = 0;
	/* A deterministic run cannot start from the host's clock: it begins
	   at 2000-01-01T00:00:00Z instead. */
	c->wall_base_ns = icount ? ICOUNT_EPOCH_NS : host_realtime_ns();
	c->paused = false;
	c->wall_lag_ns = 0;
}

uint64_t vclock_ticks(const struct vclock *c)
{
	if (c->paused)
		return c->paused_ticks;
	if (c->icount) {
		unsigned __int128 t = (unsigned __int128)*c->instret *
				      TIMEBASE_HZ / c->cpu_hz;
		return c->base_ticks + c->idle_ticks + (uint64_t)t;
	}
	int64_t ns = host_monotonic_ns() - c->host_base_ns;
	return c->base_ticks + (uint64_t)(ns / NS_PER_TICK);
}

void vclock_set_ticks(struct vclock *c, uint64_t ticks)
{
	uint64_t now = vclock_ticks(c);
	c->base_ticks += ticks - now; /* wraps as mtime would */
	c->align_mark_ns = host_monotonic_ns();
	c->align_mark_ticks = ticks;
}

void vclock_pause(struct vclock *c)
{
	if (c->paused)
		return;
	c->paused_ticks = vclock_ticks(c);
	c->paused_wall_ns = vclock_wall_ns(c);
	c->paused = true;
}

void vclock_resume(struct vclock *c)
{
	if (!c->paused)
		return;
	c->paused = false;
	vclock_set_ticks(c, c->paused_ticks);
	if (!c->icount) /* the guest's wall clock now lags by the pause */
		c->wall_lag_ns = c->paused_wall_ns - host_realtime_ns();
}

int64_t vclock_wall_ns(const struct vclock *c)
{
	if (c->paused)
		return c->paused_wall_ns;
	if (!c->icount)
		return host_realtime_ns() + c->wall_lag_ns;
	return c->wall_base_ns + (int64_t)(vclock_ticks(c) * NS_PER_TICK);
}

int64_t vclock_wait_ns(struct vclock *c, uint64_t ticks)
{
	uint64_t now = vclock_ticks(c);
	if (ticks <= now)
		return 0;
	if (c->icount && !c->aligned) {
		c->idle_ticks += ticks - now;
		return 0;
	}
	uint64_t d = ticks - now;
	if (d > (uint64_t)INT64_MAX / NS_PER_TICK)
		return INT64_MAX;
	return (int64_t)(d * NS_PER_TICK);
}

int64_t vclock_align(struct vclock *c)
{
	if (!c->icount || !c->aligned || c->paused)
		return 0;
	uint64_t due = c->align_mark_ticks +
		       (uint64_t)(host_monotonic_ns() - c->align_mark_ns) /
			       NS_PER_TICK;
	uint64_t now = vclock_ticks(c);
	if (now < due) {
		c->idle_ticks += due - now;
		return 0;
	}
	return (int64_t)((now - due) * NS_PER_TICK);
}
