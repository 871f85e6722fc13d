/*
 * `pvkit bench time` (issue 8): what reading the time costs in the guest,
 * how close the guest's clock stays to the host's with and without the
 * agent's time sync, and how well --cpu-mhz paces. One guest boot per
 * part and repetition runs tests/bench-time.sh (with build/guest's
 * pvkit-clock); its PVKIT-BENCH lines are the figures.
 *
 * Rows: ns per read ("read") of the RTC (/dev/rtc0 ioctl: goldfish MMIO
 * exits) and of the paravirtual clock through the magic instruction, then
 * through the PTP clock (/dev/ptp0: an SBI call) and the vDSO's
 * CLOCK_REALTIME; the guest-minus-host offset (mean, p99 and max of its
 * magnitude over a few seconds, 3 s after boot: the first syncs are done)
 * of the clock the RTC and the timer tick keep (device "rtc",
 * --time-sync off) and of the one the agent keeps on the paravirtual clock
 * (device "pvclock", --time-sync on);
 * and the instructions per host second under --cpu-mhz 100 over 1 s
 * windows (mean and worst window). pvkit only: the paravirtual clock does
 * not exist on QEMU.
 */
#include "host/bench/bench.h"

#include <stdio.h>
#include <string.h>

#define RATE_TARGET_MHZ 100

/* Boots the guest for one part of bench-time.sh; false (r failed) if the
 * run failed. extra: more pvkit options (NULL-terminated, may be empty). */
static bool run_part(const struct bench_env *env, const char *part, int secs,
		     const char *const *extra, struct bench_run *run,
		     struct bench_result *r)
{
	char image[PATH_MAX], initrd[PATH_MAX], append[160];
	bench_find_guest(env, image, initrd);
	snprintf(append, sizeof(append),
		 "console=ttyS0 pvkit.test=bench-time pvkit.part=%s "
		 "pvkit.secs=%d pvkit.settle=3",
		 part, secs);
	char *argv[24];
	int n = 0;
	argv[n++] = (char *)env->self;
	argv[n++] = "run";
	argv[n++] = "--kernel";
	argv[n++] = image;
	argv[n++] = "--initrd";
	argv[n++] = initrd;
	argv[n++] = "--append";
	argv[n++] = append;
	for (int k = 0; extra[k] && n < 23; k++)
		argv[n++] = (char *)extra[k];
	argv[n] = NULL;
	bench_run_engine(env, argv, false, run);
	return bench_run_ok(env, run, r, part);
}

static void cost(const struct bench_env *env, struct bench_result **rs)
{
	static const char *const keys[] = {"rtc_ns", "magic_ns", "ptp_ns",
					   "realtime_ns"};
	static const char *const none[] = {NULL};
	for (int i = 0; i < env->runs; i++) {
		bench_progress(env, "time: read cost", i, env->runs);
		struct bench_run run;
		if (run_part(env, "cost", 0, none, &run, rs[0])) {
			for (int k = 0; k < 4; k++) {
				double v;
				if (bench_run_value(&run, "read-cost", keys[k],
						    &v))
					bench_record(rs[k], BENCH_PVKIT, v);
				else
					bench_fail(rs[k],
						   "no %s in the "
						   "guest's output",
						   keys[k]);
			}
		}
		bench_run_free(&run);
	}
}

/* rs: mean, p99, max for one setting of --time-sync */
static void offset(const struct bench_env *env, bool sync,
		   struct bench_result **rs)
{
	static const char *const keys[] = {"mean_us", "p99_us", "max_us"};
	const char *const extra[] = {"--time-sync", sync ? "on" : "off", NULL};
	int secs = env->quick ? 3 : 5;
	for (int i = 0; i < env->runs; i++) {
		bench_progress(env,
			       sync ? "time: offset, sync on"
				    : "time: offset, sync off",
			       i, env->runs);
		struct bench_run run;
		if (run_part(env, "offset", secs, extra, &run, rs[0])) {
			for (int k = 0; k < 3; k++) {
				double v;
				if (bench_run_value(&run, "offset", keys[k],
						    &v))
					bench_record(rs[k], BENCH_PVKIT, v);
				else
					bench_fail(rs[k],
						   "no %s in the "
						   "guest's output",
						   keys[k]);
			}
			bench_record(rs[0], BENCH_HOST_CPU_S, run.res.cpu_s);
		}
		bench_run_free(&run);
	}
}

/* rs: mean MIPS, worst 1 s window */
static void rate(const struct bench_env *env, struct bench_result **rs)
{
	char mhz[16];
	snprintf(mhz, sizeof(mhz), "%d", RATE_TARGET_MHZ);
	const char *const extra[] = {"--cpu-mhz", mhz, NULL};
	int secs = env->quick ? 3 : 5;
	double worst_dev = 0;
	for (int i = 0; i < env->runs; i++) {
		bench_progress(env, "time: --cpu-mhz pacing", i, env->runs);
		struct bench_run run;
		if (run_part(env, "rate", secs, extra, &run, rs[0])) {
			double mean, lo, hi;
			if (bench_run_value(&run, "rate", "mean_mips", &mean) &&
			    bench_run_value(&run, "rate", "min_mips", &lo) &&
			    bench_run_value(&run, "rate", "max_mips", &hi)) {
				bench_record(rs[0], BENCH_PVKIT, mean);
				/* the window furthest from the target */
				double w = hi - RATE_TARGET_MHZ >
							   RATE_TARGET_MHZ - lo
						   ? hi
						   : lo;
				bench_record(rs[1], BENCH_PVKIT, w);
				double dev = (w - RATE_TARGET_MHZ) /
					     RATE_TARGET_MHZ * 100;
				if (dev * dev > worst_dev * worst_dev)
					worst_dev = dev;
			} else {
				bench_fail(rs[0], "no rate in the guest's "
						  "output");
			}
		}
		bench_run_free(&run);
	}
	double med, lo, hi;
	if (bench_stats(&rs[0]->fig[BENCH_PVKIT], &med, &lo, &hi))
		snprintf(rs[0]->note, sizeof(rs[0]->note), "target %d: %+.1f%%",
			 RATE_TARGET_MHZ,
			 (med - RATE_TARGET_MHZ) / RATE_TARGET_MHZ * 100);
	if (rs[1]->fig[BENCH_PVKIT].n)
		snprintf(rs[1]->note, sizeof(rs[1]->note),
			 "target %d: worst %+.1f%%", RATE_TARGET_MHZ,
			 worst_dev);
}

int bench_time(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *reads[4] = {
		bench_add(rep, "time", "rtc", "read", "ns", false),
		bench_add(rep, "time", "pvclock", "read", "ns", false),
		bench_add(rep, "time", "pvclock", "read-ptp", "ns", false),
		bench_add(rep, "time", "linux", "read-vdso", "ns", false),
	};
	struct bench_result *on[3] = {
		bench_add(rep, "time", "pvclock", "offset-mean", "us", false),
		bench_add(rep, "time", "pvclock", "offset-p99", "us", false),
		bench_add(rep, "time", "pvclock", "offset-max", "us", false),
	};
	struct bench_result *off[3] = {
		bench_add(rep, "time", "rtc", "offset-mean", "us", false),
		bench_add(rep, "time", "rtc", "offset-p99", "us", false),
		bench_add(rep, "time", "rtc", "offset-max", "us", false),
	};
	char w0[40], w1[40];
	snprintf(w0, sizeof(w0), "mhz%d-mean", RATE_TARGET_MHZ);
	snprintf(w1, sizeof(w1), "mhz%d-worst-1s", RATE_TARGET_MHZ);
	struct bench_result *pace[2] = {
		bench_add(rep, "time", "cpu", w0, "MIPS", true),
		bench_add(rep, "time", "cpu", w1, "MIPS", true),
	};
	struct bench_result **all[] = {reads, on, off, pace};
	const int sizes[] = {4, 3, 3, 2};
	for (int g = 0; g < 4; g++)
		for (int k = 0; k < sizes[g]; k++)
			if (!all[g][k])
				return -1;

	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int g = 0; g < 4; g++)
			for (int k = 0; k < sizes[g]; k++)
				bench_status(all[g][k], "n/a: run make guest");
		return 0;
	}
	cost(env, reads);
	offset(env, true, on);
	offset(env, false, off);
	rate(env, pace);
	return 0;
}
