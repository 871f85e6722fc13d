/*
 * The machine's timebase (10 MHz, the `time` CSR and mtime) and wall
 * clock. Two sources: host real time (default), or the instruction count
 * (--icount), where a run is deterministic: time advances by instructions
 * retired at a nominal clock rate, and jumps ahead while the hart idles.
 */
#ifndef PVKIT_PLATFORM_VCLOCK_H
#define PVKIT_PLATFORM_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct vclock {
	bool icount;
	/* icount with time sync (--icount --time-sync on): instructions
	   still move time within a slice, but the clock is held to host
	   time between slices (vclock_align), as QEMU's `-icount sleep=on,
	   align=on`: idle time passes at host speed, a guest ahead is paced,
	   one behind catches up. The guest can then be kept on host time, at
	   the cost of determinism. */
	bool aligned;
	int64_t align_mark_ns;	   /* host monotonic time ... */
	uint64_t align_mark_ticks; /* ... and the ticks it matches */
	uint64_t cpu_hz;	   /* nominal instructions per second */
	const uint64_t *instret;   /* the hart's counter, for icount */
	int64_t host_base_ns;	   /* host monotonic time at tick base */
	uint64_t base_ticks;	   /* ticks at host_base_ns / instret 0 */
	uint64_t idle_ticks;	   /* icount: time skipped while idle */
	int64_t wall_base_ns;	   /* host wall clock at tick 0 */
	bool paused;
	int64_t wall_lag_ns; /* real time: the guest RTC behind the host */
	int64_t paused_wall_ns;
	uint64_t paused_ticks; /* the time that stood still */
};

void vclock_init(struct vclock *c, bool icount, uint64_t cpu_hz,
		 const uint64_t *instret);
uint64_t vclock_ticks(const struct vclock *c);
void vclock_set_ticks(struct vclock *c, uint64_t ticks);
/* Wall-clock ns since the epoch as the guest should see it. */
int64_t vclock_wall_ns(const struct vclock *c);
/* Host ns until `ticks` (0 if past); icount: skips there instead,
   unless aligned. */
int64_t vclock_wait_ns(struct vclock *c, uint64_t ticks);
/* Aligned icount: catches the clock up to host time if it is behind;
   returns the host ns it is ahead (for the caller to sleep), else 0. */
int64_t vclock_align(struct vclock *c);

/* While the VM is stopped its clock stands still, as QEMU's virtual
   clock does; the guest's wall clock lags by the pause afterwards. */
void vclock_pause(struct vclock *c);
void vclock_resume(struct vclock *c);

int64_t host_monotonic_ns(void);
int64_t host_realtime_ns(void);

#endif
